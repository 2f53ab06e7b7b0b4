package deck

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Size limits of a card (quality rules 2 and 3). A prompt may carry a
// cloze's lead line and neighbouring points, so it gets more room than an
// answer, which should be recalled in one go.
const (
	MaxPromptChars = 600 // runes
	MaxAnswerChars = 400 // runes
	MaxAnswerLines = 5   // also the most points an answer may ask for
)

// Problem is one quality rule a card breaks.
type Problem struct {
	ID   string // the card's ID
	Seq  int
	Rule string // short name: "empty", "leak", "points", "format", "size", "blanks", "duplicate-id", "ambiguous"
	Msg  string
}

func (p Problem) String() string {
	return fmt.Sprintf("card %d (%s): %s: %s", p.Seq, p.ID, p.Rule, p.Msg)
}

// Check reports the cards that break the checkable quality rules of DESIGN.md:
// empty prompt or answer, an answer given away by its prompt, more than
// MaxAnswerLines points, multi-point answers not one "- " point per line,
// prompts or answers over the size limits, a cloze prompt without exactly
// one blank (two blanks make it unanswerable), duplicate IDs, and two cards
// with the same path and prompt but different answers. Coverage needs the
// notes and is checked by tests.
func Check(cards []Card) []Problem {
	var out []Problem
	bad := func(c Card, rule, format string, args ...any) {
		out = append(out, Problem{ID: c.ID, Seq: c.Seq, Rule: rule, Msg: fmt.Sprintf(format, args...)})
	}
	ids := map[string]int{}
	prompts := map[string]int{}
	for i, c := range cards {
		if strings.TrimSpace(c.Prompt) == "" {
			bad(c, "empty", "empty prompt")
		}
		if strings.TrimSpace(c.Answer) == "" {
			bad(c, "empty", "empty answer")
		}
		if line, ok := leak(c.Prompt, c.Answer); ok {
			bad(c, "leak", "prompt gives away %q", line)
		}
		lines := strings.Split(c.Answer, "\n")
		if len(lines) > MaxAnswerLines {
			bad(c, "points", "%d points in the answer, at most %d", len(lines), MaxAnswerLines)
		}
		if len(lines) > 1 {
			for _, l := range lines {
				if !strings.HasPrefix(l, "- ") || strings.TrimSpace(l[2:]) == "" {
					bad(c, "format", "answer line %q is not a \"- \" point", l)
					break
				}
			}
		}
		if n := utf8.RuneCountInString(c.Prompt); n > MaxPromptChars {
			bad(c, "size", "prompt of %d characters, at most %d", n, MaxPromptChars)
		}
		if n := utf8.RuneCountInString(c.Answer); n > MaxAnswerChars {
			bad(c, "size", "answer of %d characters, at most %d", n, MaxAnswerChars)
		}
		if n := strings.Count(c.Prompt, Blank); c.Kind == Cloze && n != 1 {
			bad(c, "blanks", "cloze prompt with %d blanks, want exactly 1", n)
		}
		if j, ok := ids[c.ID]; ok {
			bad(c, "duplicate-id", "same ID as card %d", cards[j].Seq)
		} else {
			ids[c.ID] = i
		}
		k := c.Talk + "\x00" + strings.Join(c.Path, "\x00") + "\x00" + Normalize(c.Prompt)
		if j, ok := prompts[k]; ok {
			if Normalize(cards[j].Answer) != Normalize(c.Answer) {
				bad(c, "ambiguous", "same prompt as card %d with another answer", cards[j].Seq)
			}
		} else {
			prompts[k] = i
		}
	}
	return out
}

// leak finds an answer line whose words all appear, in order and together,
// in the prompt: the prompt gives that answer away. Lines without words
// (an emoticon) cannot leak.
func leak(prompt, answer string) (string, bool) {
	if !mayLeak(prompt, answer) {
		return "", false // as most answers: said nowhere in the prompt
	}
	return leakWords(prompt, answer)
}

// leakWords is leak without the quick test.
func leakWords(prompt, answer string) (string, bool) {
	// The prompt's words are compared where they stand, not copied out by
	// Words: in the prompt itself when they are ASCII, as most are (“”
	// and … are not words), else in a folded copy on the stack.
	var buf [128][2]int
	at, inPlace := wordSpans(buf[:0], prompt)
	if !inPlace {
		var fbuf [512]byte
		var folded []byte
		folded, at = appendFoldedWords(fbuf[:0], at[:0], prompt)
		return leakIn(folded, at, answer)
	}
	return leakIn(prompt, at, answer)
}

// mayLeak is a quick test that leak finds no line: false when the
// prompt's words are ASCII (wordSpans reads them in place) and no answer
// line has all its words in the prompt even as bits of text, regardless
// of case. It tries the longest word of each line, the one least often
// found. A line beyond ASCII may always leak.
func mayLeak(prompt, answer string) bool {
	if !asciiWords(prompt) {
		return true
	}
	for rest := answer; rest != ""; {
		l, more, _ := strings.Cut(rest, "\n")
		rest = more
		l = strings.TrimPrefix(l, "- ")
		if !isASCII(l) {
			return true
		}
		if w := longestWordASCII(l); w != "" && containsFoldASCII(prompt, w) {
			return true
		}
	}
	return false
}

// asciiWords reports whether wordSpans reads the words of s in place: no
// rune of s beyond ASCII is a letter, digit or mark (see inWord).
func asciiWords(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if inWord(r) {
			return false
		}
		i += w
	}
	return true
}

// inWord reports whether Words would keep a rune beyond ASCII as (part
// of) a word: a letter, digit or mark once lowercased. General
// Punctuation (“”, ’, …, —) holds none; every rune foldTable folds is a
// letter.
func inWord(r rune) bool {
	if r >= 0x2000 && r <= 0x206f {
		return false
	}
	l := unicode.ToLower(r)
	return unicode.Is(unicode.Mn, l) || unicode.IsLetter(l) || unicode.IsDigit(l)
}

// longestWordASCII is the longest run of letters and digits of ASCII s,
// the first of equal ones; "" for none.
func longestWordASCII(s string) string {
	best := ""
	for i, j := wordASCII(s, 0); i < len(s); i, j = wordASCII(s, j) {
		if j-i > len(best) {
			best = s[i:j]
		}
	}
	return best
}

// containsFoldASCII reports whether s holds ASCII word w, regardless of
// the case of ASCII letters, anywhere.
func containsFoldASCII(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		k := indexFoldByte(s[i:len(s)-len(w)+1], w[0])
		if k < 0 {
			return false
		}
		i += k
		if equalFoldASCII(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// leakIn is leak with the prompt's words at spans of p, in their own case
// when ASCII, else folded.
func leakIn[T string | []byte](p T, at [][2]int, answer string) (string, bool) {
	var answerWords [16]string
	for rest := answer; rest != ""; {
		l, more, _ := strings.Cut(rest, "\n")
		rest = more
		l = strings.TrimPrefix(l, "- ")
		if isASCII(l) {
			// Its words are ASCII letter and digit runs: compared where
			// they stand too, with no lowercased copy.
			var lbuf [32][2]int
			lw, _ := wordSpans(lbuf[:0], l)
			if len(lw) > 0 && containsRunIn(p, at, l, lw) {
				return l, true
			}
			continue
		}
		aw := appendWords(answerWords[:0], l)
		if len(aw) > 0 && containsRunAt(p, at, aw) {
			return l, true
		}
	}
	return "", false
}

// appendFoldedWords appends to buf the words of s as appendWords folds
// them, one after another, and to at the span of each in buf.
func appendFoldedWords(buf []byte, at [][2]int, s string) ([]byte, [][2]int) {
	start := -1 // of the word being read, in buf
	word := func() {
		if start < 0 {
			start = len(buf)
		}
	}
	end := func() {
		if start >= 0 {
			at = append(at, [2]int{start, len(buf)})
			start = -1
		}
	}
	for _, r := range s {
		if r < utf8.RuneSelf {
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if isAlnumASCII(c) {
				word()
				buf = append(buf, c)
			} else {
				end()
			}
			continue
		}
		l := unicode.ToLower(r)
		if f, ok := foldTable[l]; ok {
			word()
			buf = append(buf, f...)
			continue
		}
		if unicode.Is(unicode.Mn, l) {
			continue
		}
		if unicode.IsLetter(l) || unicode.IsDigit(l) {
			word()
			buf = utf8.AppendRune(buf, l)
			continue
		}
		end()
	}
	end()
	return buf, at
}

// wordSpans appends the [start, end) of each word Words finds in s, and
// reports false when it cannot: when a word of s has a letter or digit
// beyond ASCII. Any other rune beyond ASCII is a separator to Words.
func wordSpans(dst [][2]int, s string) ([][2]int, bool) {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if isAlnumASCII(c) {
				if start < 0 {
					start = i
				}
			} else if start >= 0 {
				dst = append(dst, [2]int{start, i})
				start = -1
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if inWord(r) {
			return dst, false
		}
		if start >= 0 {
			dst = append(dst, [2]int{start, i})
			start = -1
		}
		i += w
	}
	if start >= 0 {
		dst = append(dst, [2]int{start, len(s)})
	}
	return dst, true
}

// containsRunAt is containsRun over the words of s at spans, lowercased.
func containsRunAt[T string | []byte](s T, spans [][2]int, needle []string) bool {
	return containsRunBy(spans, len(needle), func(w [2]int, j int) bool {
		return lowerEqualASCII(s[w[0]:w[1]], needle[j])
	})
}

// containsRunIn is containsRunAt with the needle the words of ASCII t at
// spans tw, compared without regard to case.
func containsRunIn[T string | []byte](s T, spans [][2]int, t string, tw [][2]int) bool {
	return containsRunBy(spans, len(tw), func(w [2]int, j int) bool {
		return equalFoldASCII(s[w[0]:w[1]], t[tw[j][0]:tw[j][1]])
	})
}

// containsRunBy reports whether n words in a row, from some word of
// spans on, are the n words of a needle: eq(span, j) says whether the
// word at span is its word j.
func containsRunBy(spans [][2]int, n int, eq func(w [2]int, j int) bool) bool {
	for i := 0; i+n <= len(spans); i++ {
		ok := true
		for j := range n {
			if !eq(spans[i+j], j) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// equalFoldASCII reports whether ASCII a and b are equal once lowercased.
func equalFoldASCII[T string | []byte](a T, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c, d := a[i], b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// lowerEqualASCII reports whether ASCII a, lowercased, equals b.
func lowerEqualASCII[T string | []byte](a T, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}

func containsRun(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		ok := true
		for j := range needle {
			if hay[i+j] != needle[j] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
