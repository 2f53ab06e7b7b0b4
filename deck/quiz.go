package deck

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"
)

// NearDuplicate is the Similarity from which two answers count as the same
// answer: a multiple-choice question never offers both.
const NearDuplicate = 0.8

// Distractors picks up to n wrong answers to offer beside right's answer in
// a multiple-choice question, most plausible first:
//
//  1. answers of the same kind from the same talk,
//  2. answers of the same kind from other talks,
//  3. answers of other kinds from the same talk,
//  4. the rest of the pool.
//
// A list answer with more points than right's is cut to as many points, so
// the number of points does not give the right answer away. Speaker cards
// count as the same kind only when they ask the same thing
// (who, where, when), so a speaker is never offered a date. Within a tier,
// answers of the same shape (number of points, about the same length) come
// first and rng breaks ties, so the same seed gives the same distractors.
//
// No distractor is the right answer or a near-duplicate of it, or of another
// distractor: equal once folded, Similarity of NearDuplicate or more, or
// containing the other word for word. Fewer than n come back when the pool
// has no more distinct answers.
func Distractors(right Card, pool []Card, n int, rng *rand.Rand) []string {
	if n <= 0 {
		return nil
	}
	type cand struct {
		answer string
		tier   int
		shape  int
	}
	var cands []cand
	points := listPoints(right.Answer)
	for _, c := range pool {
		if c.ID == right.ID && c.ID != "" || strings.TrimSpace(c.Answer) == "" {
			continue
		}
		tier := 3
		switch same := sameKind(right, c); {
		case same && c.Talk == right.Talk:
			tier = 0
		case same:
			tier = 1
		case c.Talk == right.Talk:
			tier = 2
		}
		answer := trimPoints(c.Answer, points)
		cands = append(cands, cand{answer, tier, shapeDistance(right.Answer, answer)})
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		return a.shape - b.shape
	})
	taken := []string{right.Answer}
	var out []string
	for _, c := range cands {
		if len(out) == n {
			break
		}
		if slices.ContainsFunc(taken, func(t string) bool { return SameAnswer(t, c.answer) }) {
			continue
		}
		taken = append(taken, c.answer)
		out = append(out, c.answer)
	}
	return out
}

// Choices is a multiple-choice question on right: its answer and up to n
// Distractors, shuffled by rng; correct is the index of right's answer.
func Choices(right Card, pool []Card, n int, rng *rand.Rand) (options []string, correct int) {
	options = append(Distractors(right, pool, n, rng), right.Answer)
	rng.Shuffle(len(options), func(i, j int) { options[i], options[j] = options[j], options[i] })
	return options, slices.Index(options, right.Answer)
}

// SameAnswer reports whether two answers are the same for a quiz: equal once
// folded, near-duplicates by Similarity, or one containing the other word
// for word ("channels" and "buffered channels").
func SameAnswer(a, b string) bool {
	fa, fb := Fold(a), Fold(b)
	if fa == fb {
		return true
	}
	wa, wb := Words(a), Words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	return Similarity(fa, fb) >= NearDuplicate || containsRun(wa, wb) || containsRun(wb, wa)
}

// sameKind is whether two cards ask the same sort of thing.
func sameKind(a, b Card) bool {
	if a.Kind != b.Kind {
		return false
	}
	return a.Kind != Speaker || promptFrame(a.Prompt) == promptFrame(b.Prompt)
}

// promptFrame is a prompt without its quoted parts: "Who gave the talk “X”?"
// and "Who gave the talk “Y”?" share a frame.
func promptFrame(p string) string {
	var b strings.Builder
	depth := 0
	for _, r := range p {
		switch r {
		case '“':
			depth++
		case '”':
			depth = max(0, depth-1)
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return Fold(b.String())
}

// listPoints is the number of "- " points of a list answer, 0 for any other.
func listPoints(answer string) int {
	lines := strings.Split(answer, "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "- ") {
			return 0
		}
	}
	return len(lines)
}

// trimPoints cuts a list answer to its first n points when it has more.
func trimPoints(answer string, n int) string {
	if n == 0 || listPoints(answer) <= n {
		return answer
	}
	return strings.Join(strings.Split(answer, "\n")[:n], "\n")
}

// shapeDistance is a coarse measure of how different two answers look: the
// difference in their number of lines (points) counts most, then a number
// against words, then the doubling steps between their lengths. It is
// coarse on purpose, so rng picks among answers of about the same shape.
func shapeDistance(a, b string) int {
	la, lb := strings.Count(a, "\n"), strings.Count(b, "\n")
	ra, rb := max(1, utf8.RuneCountInString(a)), max(1, utf8.RuneCountInString(b))
	steps := int(math.Abs(math.Log2(float64(ra) / float64(rb))))
	d := 4*abs(la-lb) + steps
	if numeric(a) != numeric(b) {
		d += 2
	}
	return d
}

// numeric is whether an answer is a number or a date: digits and at most
// punctuation between them.
func numeric(s string) bool {
	s = strings.TrimSpace(s)
	digits := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case strings.ContainsRune("-./:,% ", r):
		default:
			return false
		}
	}
	return digits
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
