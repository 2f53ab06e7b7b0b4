package deck

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads inline markdown the way the generator needs it: where the
// emphasis, code, links, bare URLs and emoticons are, so that separators and
// hidden words are never taken from inside them (quality rule 6).

type inlineKind int

const (
	inStrong inlineKind = iota
	inCode
	inLink     // [text](url): the text is readable, the URL is not
	inURL      // a bare or <auto> link
	inEmoticon // :-) :D :joy: and friends: never a separator, never hidden
	inEmph
)

// inline is one span of inline markup in a text, as byte offsets.
type inline struct {
	kind       inlineKind
	start, end int // the whole markup
	// inner is the visible text range (the link text, the code, the bold
	// words); equal to start..end for URLs and emoticons.
	innerStart, innerEnd int
}

// reLink finds [text](url) links; the other kinds are found by hand (see
// inlinescan.go), each equal to a regexp given there.
var reLink = regexp.MustCompile(`!?\[([^\]]*(?:\\\][^\]]*)*)\]\(([^)\s]*(?:\([^)]*\))?[^)]*)\)(\{:[^}]*\})?`)

// markupByte classifies the bytes some inline markup starts with or needs,
// so that scanInline looks only for the kinds a text may hold.
var markupByte = func() (t [256]uint8) {
	t['`'] = mbTick
	t[']'] = mbBracket
	t['*'], t['_'] = mbStar, mbStar
	for _, c := range []byte(":;=8xX^<(\\" + shrug[:1]) {
		t[c] |= mbEmoticon // ':' also starts a :shortcode: and "://"
	}
	t[':'] |= mbURL
	t['w'] = mbURL
	return t
}()

const (
	mbTick = 1 << iota
	mbBracket
	mbStar
	mbEmoticon
	mbURL
)

// scanInline finds the inline markup of s. Earlier kinds win over later ones
// when they overlap (code before links before emphasis). The result is
// shared (see memoTable): read it, never change it.
func (m *memos) scanInline(s string) []inline { return m.spansOf.get(s, findInline) }

func findInline(s string) []inline {
	var seen uint8
	for i := 0; i < len(s); i++ {
		seen |= markupByte[s[i]]
	}
	if seen == 0 {
		return nil // most statements: not one byte any markup starts with
	}
	var out []inline
	// occ marks each byte: 0 free, 1 markup or atomic span, 2 the readable
	// inside of a link or bold span, where other spans may nest. Linear in
	// the length of s, however many spans it holds.
	var occ []uint8 // allocated with the first span
	taken := func(a, b int) bool {
		if occ == nil {
			return false
		}
		free, nested := false, false
		for i := a; i < b; i++ {
			switch occ[i] {
			case 1:
				return true
			case 2:
				nested = true
			default:
				free = true
			}
		}
		return free && nested
	}
	put := func(x inline) {
		if occ == nil {
			occ = make([]uint8, len(s))
		}
		for i := x.start; i < x.end; i++ {
			occ[i] = 1
		}
		if x.kind == inLink || x.kind == inStrong {
			for i := x.innerStart; i < x.innerEnd; i++ {
				occ[i] = 2
			}
		}
		out = append(out, x)
	}
	var buf [8][2]int
	if seen&mbTick != 0 {
		for _, m := range findCode(buf[:0], s) {
			ticks := 0
			for ticks < m[1]-m[0] && s[m[0]+ticks] == '`' {
				ticks++
			}
			in, ie := m[0]+ticks, m[1]-ticks
			if ie <= in {
				continue
			}
			put(inline{kind: inCode, start: m[0], end: m[1], innerStart: in, innerEnd: ie})
		}
	}
	if seen&mbBracket != 0 && hasLinkSyntax(s) {
		for _, m := range reLink.FindAllStringSubmatchIndex(s, -1) {
			if taken(m[0], m[1]) {
				continue
			}
			put(inline{kind: inLink, start: m[0], end: m[1], innerStart: m[2], innerEnd: m[3]})
		}
	}
	if seen&mbURL != 0 {
		for _, m := range findURL(buf[:0], s) {
			if taken(m[0], m[1]) {
				continue
			}
			put(inline{kind: inURL, start: m[0], end: m[1], innerStart: m[0], innerEnd: m[1]})
		}
	}
	if seen&mbStar != 0 {
		for _, m := range findStrong(buf[:0], s) {
			if taken(m[0], m[1]) {
				continue
			}
			put(inline{kind: inStrong, start: m[0], end: m[1], innerStart: m[0] + 2, innerEnd: m[1] - 2})
		}
	}
	if seen&mbEmoticon != 0 {
		for _, m := range findShortcode(buf[:0], s) {
			if taken(m[0], m[1]) {
				continue
			}
			put(inline{kind: inEmoticon, start: m[0], end: m[1], innerStart: m[0], innerEnd: m[1]})
		}
		for _, m := range findEmoticon(buf[:0], s) {
			if taken(m[0], m[1]) || !emoticonBoundary(s, m[0], m[1]) {
				continue
			}
			put(inline{kind: inEmoticon, start: m[0], end: m[1], innerStart: m[0], innerEnd: m[1]})
		}
	}
	if seen&mbStar != 0 {
		for _, m := range findEmph(buf[:0], s) {
			a := m[0]
			for a < m[1] && s[a] != '*' && s[a] != '_' {
				a++
			}
			b := m[1]
			for b > a && s[b-1] != '*' && s[b-1] != '_' {
				b--
			}
			if b-a < 3 || taken(a, b) {
				continue
			}
			put(inline{kind: inEmph, start: a, end: b, innerStart: a + 1, innerEnd: b - 1})
		}
	}
	if len(out) > 1 {
		slices.SortStableFunc(out, func(a, b inline) int { return cmp.Compare(a.start, b.start) })
	}
	return out
}

// spanIndex maps each byte of a text to its innermost span (-1 for none),
// so walking a text costs one lookup per byte.
func spanIndex(buf []int32, n int, spans []inline) []int32 {
	idx := buf[:0]
	if cap(idx) < n {
		idx = make([]int32, n)
	}
	idx = idx[:n]
	for i := range idx {
		idx[i] = -1
	}
	// Sorted by start, a nested span comes after the span around it and
	// overwrites it.
	for k, x := range spans {
		for i := x.start; i < x.end && i < n; i++ {
			idx[i] = int32(k)
		}
	}
	return idx
}

// emoticonBoundary accepts an emoticon only as a token of its own: "(no
// golang :-()" and "module :D" yes, "http://" or "10:30" or "a:b" no.
func emoticonBoundary(s string, a, b int) bool {
	if a > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:a])
		if !unicode.IsSpace(r) && r != '(' && r != '"' {
			return false
		}
	}
	// A bare letter after a colon is an emoticon only when it ends the token.
	if b < len(s) {
		r, _ := utf8.DecodeRuneInString(s[b:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	// "x)" and "8)" need the face marker to be something other than a word.
	if s[a] == 'x' || s[a] == 'X' || s[a] == '8' {
		if b-a < 2 || (s[a+1] != 'D' && s[a+1] != 'P' && s[a+1] != '-') {
			return false
		}
	}
	return true
}

// protectedAt reports whether byte i of a text with inline spans is where
// no separator may be found: inside code, a URL, a link's target or an
// emoticon.
func protectedAt(spans []inline, i int) bool {
	for _, x := range spans {
		if i < x.start || i >= x.end {
			continue
		}
		switch x.kind {
		case inCode, inURL, inEmoticon:
			return true
		case inLink:
			if i < x.innerStart || i >= x.innerEnd {
				return true
			}
		}
	}
	return false
}

// plain renders inline markdown as readable text: links become their text,
// markup characters go, emoticons stay. Used to quote titles in prompts.
func plain(s string) string { return sharedMemos.plain(s) }

func (m *memos) plain(s string) string { return m.plainOf.get(s, m.renderPlain) }

func (m *memos) renderPlain(s string) string {
	spans := m.scanInline(s)
	if len(spans) == 0 && strings.IndexByte(s, '\\') < 0 && isASCII(s) {
		return collapseSpaceASCII(s)
	}
	var b strings.Builder
	last := 0
	for _, x := range spans {
		if x.start < last {
			continue
		}
		b.WriteString(s[last:x.start])
		switch x.kind {
		case inLink, inStrong, inEmph, inCode:
			b.WriteString(m.plain(s[x.innerStart:x.innerEnd]))
		default:
			b.WriteString(s[x.start:x.end])
		}
		last = x.end
	}
	b.WriteString(s[last:])
	return strings.Join(strings.Fields(strings.ReplaceAll(b.String(), `\`, "")), " ")
}

// collapseSpaceASCII is strings.Join(strings.Fields(s), " ") of an ASCII
// text, without copying one that is already so.
func collapseSpaceASCII(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		if isSpaceASCII(s[i]) {
			clean = s[i] == ' ' && i > 0 && i+1 < len(s) && !isSpaceASCII(s[i+1])
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// withoutURLs keeps markup but drops link targets, so a prompt shows
// "[text]" readably and no URL can give a hidden word away.
func (m *memos) withoutURLs(s string) string {
	spans := m.scanInline(s)
	if !slices.ContainsFunc(spans, func(x inline) bool { return x.kind == inLink }) {
		return s
	}
	var b strings.Builder
	last := 0
	for _, x := range spans {
		if x.kind != inLink || x.start < last {
			continue
		}
		b.WriteString(s[last:x.start])
		b.WriteString(s[x.innerStart:x.innerEnd])
		last = x.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// contentWords counts the words of s that are not emoticons or markup.
func contentWords(s string) int { return sharedMemos.contentWords(s) }

func (m *memos) contentWords(s string) int { return m.wordsOf.get(s, m.countContentWords) }

func (m *memos) countContentWords(s string) int {
	n := 0
	m.eachToken(s, func(t token) bool {
		if t.kind != tokEmoticon {
			n++
		}
		return true
	})
	return n
}

// hasContentWord is contentWords(s) > 0, reading s only up to its first
// content word (and not memoised, nor its spans: for texts seen once, like
// prompts, which would only push out of the memo what will be asked again).
func hasContentWord(s string) bool {
	found := false
	eachTokenOf(s, findInline(s), func(t token) bool {
		found = t.kind != tokEmoticon
		return !found
	})
	return found
}

// answerable reports whether a cloze prompt, without its one Blank,
// still has a content word to answer from: hasContentWord of
// strings.Replace(prompt, Blank, "", 1). Nearly every prompt says so with
// its first word (after its bullets), which spares copying it.
func answerable(prompt string) bool {
	at := strings.Index(prompt, Blank)
	before, after := prompt[:at], prompt[at+len(Blank):]
	if leadsWithWord(before, after) {
		return true
	}
	return hasContentWord(before + after)
}

// leadsWithWord reports whether a text, given in two pieces a and b, holds
// only white space, '-' and '…' up to an ASCII letter or digit that no
// inline markup but a web address starts with (not the x of "xD", the 8 of
// "8)", the w of "www."). hasContentWord of such a text is true, however
// markup falls around the joint of a and b: every span of markup starts
// at one of its own bytes (a backtick, '*', '_', '[', '!', ':', '(', …),
// so no span covers the bytes before that letter, and none covers the
// letter but a web address starting at it; the first token is that word,
// or that address.
func leadsWithWord(a, b string) bool {
	for _, s := range [2]string{a, b} {
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == ' ' || c == '\n' || c == '-':
				continue
			case strings.HasPrefix(s[i:], "…"):
				i += len("…") - 1
				continue
			default:
				return isAlnumASCII(c) && markupByte[c] == 0
			}
		}
	}
	return false
}

// isQuestion reports whether a heading or point is phrased as a question.
func isQuestion(s string) bool { return sharedMemos.isQuestion(s) }

func (m *memos) isQuestion(s string) bool {
	if strings.IndexByte(s, '?') < 0 {
		return false // plain only drops and keeps text: it adds no '?'
	}
	s = strings.TrimSpace(m.plain(s))
	for {
		s = strings.TrimRight(s, " *_…")
		// "...ranked? (According to relevance?)": the question is before the aside
		if strings.HasSuffix(s, ")") {
			if i := strings.LastIndex(s, "("); i > 0 && strings.Contains(s[:i], "?") {
				s = s[:i]
				continue
			}
		}
		break
	}
	return strings.HasSuffix(s, "?")
}

// tidyQuestion normalises "Why different ?" to "Why different?".
func tidyQuestion(s string) string {
	s = strings.TrimSpace(s)
	for strings.Contains(s, " ?") {
		s = strings.ReplaceAll(s, " ?", "?")
	}
	return s
}

// clip shortens s to at most n runes, cutting at a word and adding "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := n - 1
	for i := cut; i > n/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	out := strings.TrimRight(string(r[:cut]), " ,;:")
	// Do not leave half of a markup pair open.
	for _, m := range []string{"**", "`", "__"} {
		if strings.Count(out, m)%2 == 1 {
			out = out[:strings.LastIndex(out, m)]
		}
	}
	if strings.Count(out, "[") > strings.Count(out, "]") {
		out = strings.ReplaceAll(out, "[", "")
	}
	return strings.TrimRight(out, " ,;:") + "…"
}

// tailClip keeps the last n runes of s, cut at a word, with a leading "…".
func tailClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := len(r) - n + 1
	for i := cut; i < len(r)-n/2; i++ {
		if r[i] == ' ' {
			cut = i + 1
			break
		}
	}
	out := string(r[cut:])
	for _, m := range []string{"**", "`", "__"} {
		if strings.Count(out, m)%2 == 1 {
			out = out[strings.Index(out, m)+len(m):]
		}
	}
	return "…" + strings.TrimLeft(out, " ,;:")
}
