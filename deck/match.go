package deck

import (
	"strings"
)

// PointMatch is the Similarity from which a typed point counts as an
// expected one: it forgives a typo or two in a word, not a different word.
const PointMatch = 0.75

// MatchResult is how well a typed answer matches a card's answer.
type MatchResult struct {
	Right  bool     // every expected point was given
	Score  float64  // share of the expected points given, 0 to 1
	Missed []string // the expected points not given, as the card words them
}

// MatchAnswer judges a typed answer against a card's answer, forgiving case,
// accents, punctuation, markdown and small typos. An answer of several points
// ("- a\n- b", DESIGN rule 7) is judged point by point in any order: the typed
// text is split at new lines, ';' and ',', and each expected point counts
// when a typed point has a Similarity of PointMatch or more with it, or the
// same words but for a typo in each, or the typed text holds its words in
// order. A one-point answer is judged whole the
// same way; its Score is the Similarity when it is not right.
func MatchAnswer(expected, typed string) MatchResult {
	points := answerPoints(expected)
	if len(points) == 0 {
		return MatchResult{Right: true, Score: 1}
	}
	typedWords := Words(typed)
	if len(points) == 1 {
		sim := Similarity(points[0], typed)
		if pointGiven(points[0], []string{typed}, typedWords) {
			return MatchResult{Right: true, Score: 1}
		}
		return MatchResult{Score: sim, Missed: points}
	}
	pieces := typedPoints(typed)
	var missed []string
	for _, p := range points {
		if !pointGiven(p, pieces, typedWords) {
			missed = append(missed, p)
		}
	}
	given := len(points) - len(missed)
	return MatchResult{
		Right:  len(missed) == 0,
		Score:  float64(given) / float64(len(points)),
		Missed: missed,
	}
}

// answerPoints splits a card answer into its points: one per non-empty
// line, without the "- " marker.
func answerPoints(answer string) []string {
	var out []string
	for _, l := range strings.Split(answer, "\n") {
		l = strings.TrimSpace(l)
		l = strings.TrimSpace(strings.TrimPrefix(l, "- "))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// typedPoints is every way a typed answer may hold a point: its parts between
// new lines and ';', and those parts split again at ','; a point written
// with a comma in it still meets its whole.
func typedPoints(typed string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(typed, func(r rune) bool { return r == '\n' || r == ';' }) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		out = append(out, part)
		if strings.Contains(part, ",") {
			for _, p := range strings.Split(part, ",") {
				if strings.TrimSpace(p) != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// pointGiven is whether one expected point is in the typed answer: close
// enough to one typed piece, or its words in order in the typed text.
func pointGiven(point string, pieces, typedWords []string) bool {
	pw := Words(point)
	if len(pw) == 0 {
		// A point without letters or digits (an emoticon) is matched as written.
		for _, p := range pieces {
			if strings.TrimSpace(p) == strings.TrimSpace(point) {
				return true
			}
		}
		return false
	}
	if containsRun(typedWords, pw) {
		return true
	}
	for _, p := range pieces {
		if Similarity(point, p) >= PointMatch || typoEqual(pw, Words(p)) {
			return true
		}
	}
	return false
}

// typoEqual is whether two texts have the same words but for typos: a
// letter wrong, missing, extra or swapped with the next in a word of 4 or
// more letters, two such in a word of 8 or more.
func typoEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		allowed := 0
		switch n := len([]rune(a[i])); {
		case n >= 8:
			allowed = 2
		case n >= 4:
			allowed = 1
		}
		if editDistance(a[i], b[i], allowed) > allowed {
			return false
		}
	}
	return true
}

// editDistance is the optimal string alignment distance of a and b (edits:
// insert, delete, replace, swap two neighbours), or limit+1 once it is
// certain to exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
