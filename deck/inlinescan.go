package deck

import (
	"strings"
	"unicode/utf8"
)

// This file finds inline markup by hand rather than by regular expression:
// Go's regexp backtracks over the whole text at every start position, which
// made card generation crawl. Each finder returns exactly the matches, as
// [start, end) byte offsets, of the leftmost-first, non-overlapping search
// (FindAllStringIndex) of the regexp named in its comment;
// inlinescan_test.go checks them against those regexps.

// isSpaceRE is the regexp class \s: [\t\n\f\r ].
func isSpaceRE(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// isWordRE is the regexp class \w: [0-9A-Za-z_], ASCII only.
func isWordRE(r rune) bool {
	return r < utf8.RuneSelf && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
}

// runeAt decodes the rune at i the way regexp steps through a text: an
// invalid byte is one rune of width 1.
func runeAt(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// findCode is "`+[^`]+?`+".
func findCode(out [][2]int, s string) [][2]int {
	i := 0
	for {
		k := strings.IndexByte(s[i:], '`')
		if k < 0 {
			return out
		}
		a := i + k
		b := a
		for b < len(s) && s[b] == '`' {
			b++
		}
		if b == len(s) {
			return out
		}
		k = strings.IndexByte(s[b:], '`')
		if k < 0 {
			return out // no closing run: no match here or later
		}
		e := b + k
		for e < len(s) && s[e] == '`' {
			e++
		}
		out = append(out, [2]int{a, e})
		i = e
	}
}

// findStrong is `\*\*[^*\s][^*]*?\*\*|__[^_\s][^_]*?__`.
func findStrong(out [][2]int, s string) [][2]int {
	for i := 0; i+1 < len(s); i++ {
		c := s[i]
		if c != '*' && c != '_' || s[i+1] != c {
			continue
		}
		p := i + 2
		if p >= len(s) || s[p] == c || isSpaceRE(s[p]) {
			continue
		}
		k := strings.IndexByte(s[p+1:], c)
		if k < 0 {
			continue
		}
		j := p + 1 + k
		if j+1 < len(s) && s[j+1] == c {
			out = append(out, [2]int{i, j + 2})
			i = j + 1
		}
	}
	return out
}

// findEmph is `(^|[^*\w])\*[^*\s][^*]*?\*|(^|[^_\w])_[^_\s][^_]*?_([^_\w]|$)`.
func findEmph(out [][2]int, s string) [][2]int {
	if strings.IndexByte(s, '*') < 0 && strings.IndexByte(s, '_') < 0 {
		return out
	}
	// A match starts at 0 or on the rune right before a '*' or '_'; the
	// runes in between are skipped, not tried.
	i := 0
	for i < len(s) {
		if e := emphAt(s, i); e >= 0 {
			out = append(out, [2]int{i, e})
			i = e
		} else {
			_, w := runeAt(s, i)
			i += w
		}
		if i >= len(s) {
			break
		}
		k := strings.IndexAny(s[i+1:], "*_")
		if k < 0 {
			break
		}
		k += i + 1
		if s[k-1] < utf8.RuneSelf {
			i = k - 1 // an ASCII byte is always a rune of its own
			continue
		}
		for {
			_, w := runeAt(s, i)
			if i+w >= k {
				break
			}
			i += w
		}
	}
	return out
}

// emphAt returns the end of the match of findEmph's regexp starting at i,
// or -1; i < len(s).
func emphAt(s string, i int) int {
	r, w := runeAt(s, i)
	if i == 0 {
		if e := emphBody(s, 0, '*', false); e >= 0 {
			return e
		}
	}
	if r != '*' && !isWordRE(r) {
		if e := emphBody(s, i+w, '*', false); e >= 0 {
			return e
		}
	}
	if i == 0 {
		if e := emphBody(s, 0, '_', true); e >= 0 {
			return e
		}
	}
	if r != '_' && !isWordRE(r) {
		if e := emphBody(s, i+w, '_', true); e >= 0 {
			return e
		}
	}
	return -1
}

// emphBody matches m[^m\s][^m]*?m at p, followed by ([^_\w]|$) when
// trailer is set, and returns the end of the match or -1.
func emphBody(s string, p int, m byte, trailer bool) int {
	if p+1 >= len(s) || s[p] != m || s[p+1] == m || isSpaceRE(s[p+1]) {
		return -1
	}
	k := strings.IndexByte(s[p+2:], m)
	if k < 0 {
		return -1
	}
	e := p + 2 + k + 1
	if !trailer || e == len(s) {
		return e
	}
	if r, w := runeAt(s, e); r != '_' && !isWordRE(r) {
		return e + w
	}
	return -1
}

// findURL is `<?\b(?:https?://|ftp://|www\.)[^\s<>]*[^\s<>.,;:!?)\]'"]>?`.
func findURL(out [][2]int, s string) [][2]int {
	if !mayHoldURL(s) {
		return out
	}
	for i := 0; i < len(s); i++ {
		if e := urlAt(s, i); e >= 0 {
			out = append(out, [2]int{i, e})
			i = e - 1
		}
	}
	return out
}

// mayHoldURL is false for a text findURL finds nothing in.
func mayHoldURL(s string) bool {
	return strings.Contains(s, "://") || strings.Contains(s, "www.")
}

// firstURL is the first match of findURL's regexp (FindString), "" for none.
func firstURL(s string) string {
	if !mayHoldURL(s) {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if e := urlAt(s, i); e >= 0 {
			return s[i:e]
		}
	}
	return ""
}

// hasURL is MatchString of findURL's regexp.
func hasURL(s string) bool {
	if !mayHoldURL(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if urlAt(s, i) >= 0 {
			return true
		}
	}
	return false
}

func urlAt(s string, i int) int {
	switch s[i] {
	case '<':
		return urlBody(s, i+1) // \b holds after '<' before a letter
	case 'h', 'f', 'w':
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:i]); isWordRE(r) {
				return -1 // no \b
			}
		}
		return urlBody(s, i)
	}
	return -1
}

var urlStarts = []string{"https://", "http://", "ftp://", "www."}

func urlBody(s string, p int) int {
	start := -1
	for _, u := range urlStarts {
		if strings.HasPrefix(s[p:], u) {
			start = p + len(u)
			break
		}
	}
	if start < 0 {
		return -1
	}
	end := -1
	for q := start; q < len(s); {
		c := s[q]
		if isSpaceRE(c) || c == '<' || c == '>' {
			break
		}
		_, w := runeAt(s, q)
		q += w
		if !strings.ContainsRune(`.,;:!?)]'"`, rune(c)) {
			end = q
		}
	}
	if end < 0 {
		return -1
	}
	if end < len(s) && s[end] == '>' {
		end++
	}
	return end
}

// findShortcode is `:[a-z0-9_+-]{2,}:`.
func findShortcode(out [][2]int, s string) [][2]int {
	i := 0
	for {
		k := strings.IndexByte(s[i:], ':')
		if k < 0 {
			return out
		}
		a := i + k
		j := a + 1
		for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_' || s[j] == '+' || s[j] == '-') {
			j++
		}
		if j-a-1 >= 2 && j < len(s) && s[j] == ':' {
			out = append(out, [2]int{a, j + 1})
			i = j + 1
			continue
		}
		i = a + 1
	}
}

// findEmoticon is
// `(?:[:;=8xX][-o^']?[)(\]\[DPpOo3/\\|*@$}{]+|\^[_.-]?\^|<3|[(][:;][-']?|:'\(|\\o/|¯\\_\(ツ\)_/¯)`.
func findEmoticon(out [][2]int, s string) [][2]int {
	for i := 0; i < len(s); i++ {
		if !emoticonStart[s[i]] {
			continue
		}
		if e := emoticonAt(s, i); e >= 0 {
			out = append(out, [2]int{i, e})
			i = e - 1
		}
	}
	return out
}

// emoticonStart marks the bytes an emoticon may start with.
var emoticonStart = func() (t [256]bool) {
	for _, c := range []byte(":;=8xX^<(\\" + shrug[:1]) {
		t[c] = true
	}
	return t
}()

const shrug = `¯\_(ツ)_/¯`

func isFace(c byte) bool { return strings.IndexByte(`)(][DPpOo3/\|*@$}{`, c) >= 0 }

func faceRun(s string, p int) int {
	q := p
	for q < len(s) && isFace(s[q]) {
		q++
	}
	return q - p
}

func emoticonAt(s string, i int) int {
	at := func(j int, set string) bool { return j < len(s) && strings.IndexByte(set, s[j]) >= 0 }
	switch c := s[i]; c {
	case ':', ';', '=', '8', 'x', 'X':
		if at(i+1, `-o^'`) {
			if n := faceRun(s, i+2); n > 0 {
				return i + 2 + n
			}
		}
		if n := faceRun(s, i+1); n > 0 {
			return i + 1 + n
		}
		if c == ':' && strings.HasPrefix(s[i:], `:'(`) {
			return i + 3 // shadowed by the first form; kept as the regexp has it
		}
	case '^':
		if at(i+1, "_.-") && at(i+2, "^") {
			return i + 3
		}
		if at(i+1, "^") {
			return i + 2
		}
	case '<':
		if at(i+1, "3") {
			return i + 2
		}
	case '(':
		if at(i+1, ":;") {
			if at(i+2, `-'`) {
				return i + 3
			}
			return i + 2
		}
	case '\\':
		if strings.HasPrefix(s[i:], `\o/`) {
			return i + 3
		}
	case shrug[0]:
		if strings.HasPrefix(s[i:], shrug) {
			return i + len(shrug)
		}
	}
	return -1
}

// hasLinkSyntax is a quick test that a text may hold a [text](url) link:
// reLink cannot match without "](".
func hasLinkSyntax(s string) bool { return strings.Contains(s, "](") }
