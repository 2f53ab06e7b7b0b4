package deck

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/talkcards/talkcards/notes"
)

// statement is one thing the notes say: a sentence of prose, a line of
// line-per-statement notes, or the text of a point.
type statement struct {
	text string
	pos  notes.Pos
}

// statements splits the lines of a paragraph or quote. Notes are written
// two ways: hard-wrapped prose (a line stops mid-sentence and the next goes
// on in lowercase), which is joined and split into sentences, so re-wrapping
// changes nothing; or one statement per line, where each line stands alone.
func (m *memos) statements(lines []notes.Line) []statement {
	var out []statement
	if m.hardWrapped(lines) {
		var b strings.Builder
		type mark struct {
			off int
			pos notes.Pos
		}
		var marks []mark
		for _, l := range lines {
			t := strings.TrimSpace(l.Text)
			if t == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			marks = append(marks, mark{b.Len(), l.Pos})
			b.WriteString(t)
		}
		text := b.String()
		k := 0 // the last line starting at or before the sentence
		for _, s := range m.sentences(text) {
			for k+1 < len(marks) && marks[k+1].off <= s.start {
				k++
			}
			out = append(out, statement{text: s.text, pos: marks[k].pos})
		}
		return out
	}
	for _, l := range lines {
		for _, s := range m.sentences(strings.TrimSpace(l.Text)) {
			out = append(out, statement{text: s.text, pos: l.Pos})
		}
	}
	return out
}

func (m *memos) hardWrapped(lines []notes.Line) bool {
	for i := 0; i+1 < len(lines); i++ {
		a := strings.TrimSpace(lines[i].Text)
		b := strings.TrimSpace(lines[i+1].Text)
		if a == "" || b == "" {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(a)
		if strings.ContainsRune(".!?:;)", last) || m.endsWithEmoticon(a) {
			continue
		}
		// Short lines are notes, one per line; a URL starts a line of its own.
		if utf8.RuneCountInString(a) < 45 || hasURL(strings.Fields(b)[0]) {
			continue
		}
		first, _ := utf8.DecodeRuneInString(b)
		if unicode.IsLower(first) || last == ',' || strings.HasSuffix(a, " and") || strings.HasSuffix(a, " or") {
			return true
		}
	}
	return false
}

func (m *memos) endsWithEmoticon(s string) bool {
	sp := m.scanInline(s)
	return len(sp) > 0 && sp[len(sp)-1].kind == inEmoticon && sp[len(sp)-1].end == len(s)
}

type sentence struct {
	start int
	text  string
}

var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "vs": true, "mr": true, "mrs": true, "ms": true,
	"dr": true, "prof": true, "st": true, "no": true, "fig": true, "approx": true, "cf": true,
	"inc": true, "ltd": true, "jr": true, "sr": true, "ex": true, "p.ex": true, "ca": true,
}

// maxSentence is the length above which a line is split into sentences; a
// shorter line of two short sentences reads better as one statement.
const maxSentence = 160

// sentences splits text at sentence ends (". " before a capital letter or
// digit) outside code, links and URLs, when the text is long enough for the
// split to help.
func (m *memos) sentences(text string) []sentence {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if len(text) <= maxSentence {
		return []sentence{{0, text}}
	}
	spans := m.scanInline(text)
	// No sentence ends inside code, a link, a URL or an emoticon.
	inside := make([]bool, len(text))
	for _, x := range spans {
		if x.kind == inStrong || x.kind == inEmph {
			continue
		}
		for i := x.start; i < x.end; i++ {
			inside[i] = true
		}
	}
	var out []sentence
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		if inside[i] {
			continue
		}
		j := i + 1
		for j < len(text) && (text[j] == '.' || text[j] == '"' || text[j] == ')' || text[j] == '\'') {
			j++
		}
		if j >= len(text) || text[j] != ' ' {
			continue
		}
		k := j
		for k < len(text) && text[k] == ' ' {
			k++
		}
		if k >= len(text) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[k:])
		// Very long notes often start sentences in lowercase.
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.ContainsRune("\"“*`[_(", r) &&
			!(len(text) > 2*maxSentence && c == '.' && i-start > 40) {
			continue
		}
		if c == '.' {
			w := lastWord(text[start:i])
			if abbreviations[strings.ToLower(w)] || utf8.RuneCountInString(w) == 1 {
				continue
			}
		}
		if s := strings.TrimSpace(text[start:j]); s != "" {
			out = append(out, sentence{start, s})
		}
		start = k
		i = k - 1
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, sentence{start, s})
	}
	// Glue fragments too short to stand alone to the sentence before.
	var merged []sentence
	for _, s := range out {
		if len(merged) > 0 && m.contentWords(s.text) < 3 {
			merged[len(merged)-1].text += " " + s.text
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

func lastWord(s string) string {
	s = strings.TrimRight(s, ".")
	i := strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '(' })
	return s[i+1:]
}

// definition is a "Term: explanation" statement.
type definition struct {
	term, sep, body string
}

var reTime = regexp.MustCompile(`\d$`)

// parseDefinition recognises "Term: explanation", "Term = explanation",
// "Term - explanation" and "Term — explanation" with a short term (1–4
// words, not a sentence). Separators inside code, URLs, link targets and
// emoticons do not count (quality rule 6).
func parseDefinition(s string) (definition, bool) { return sharedMemos.parseDefinition(s) }

func (m *memos) parseDefinition(s string) (definition, bool) {
	spans := m.scanInline(s)
	best, sep := defSeparator(s, spans)
	if best <= 0 {
		// "Term:" at the very end with nothing after is a label, not a definition.
		return definition{}, false
	}
	term := strings.TrimSpace(s[:best])
	body := strings.TrimSpace(s[best+len(sep):])
	if term == "" || body == "" || m.contentWords(body) == 0 {
		return definition{}, false
	}
	pt := m.plain(term)
	n := len(strings.Fields(pt))
	if n < 1 || n > 4 || utf8.RuneCountInString(pt) > 40 {
		return definition{}, false
	}
	if hasSentencePunct(pt) || reTime.MatchString(pt) && strings.HasPrefix(sep, ":") && startsWithDigit(body) {
		return definition{}, false
	}
	if sep == ": " && m.isQALabel(term) {
		return definition{}, false
	}
	if m.contentWords(term) == 0 {
		return definition{}, false
	}
	// "starting with: …", "not looking for: …" are a sentence cut in two,
	// not a term: asked as a statement.
	if ws := strings.Fields(strings.Trim(pt, "*_ ")); len(ws) > 1 && (isStopword(ws[len(ws)-1]) || strings.EqualFold(ws[0], "not")) {
		return definition{}, false
	}
	return definition{term: term, sep: strings.TrimSpace(sep), body: body}, true
}

// definitionSeps are what may part a term from its body, "term: body".
var definitionSeps = [...]string{": ", " = ", " — ", " – ", " - ", " -> ", " => "}

// defSeparator is where the first separator of s outside code, a web
// address, an emoticon or a link's target starts, and which it is; -1 for
// none. It reads s once, where a scan per separator, keeping the earliest,
// would read it seven times. That is the same answer: ": " starts with ':'
// and the others with a space, told apart by the bytes after it (" = " from
// " => " and " - " from " -> " by the third), so at most one separator
// matches at any byte, and the first byte where one matches unprotected is
// the earliest of the separators' first unprotected matches.
func defSeparator(s string, spans []inline) (int, string) {
	for i := 0; i+1 < len(s); i++ {
		// Only where a separator's first two bytes are: ": ", or a space
		// before '=', '-' or the lead byte of '—' and '–'.
		switch c := s[i+1]; s[i] {
		case ':':
			if c != ' ' {
				continue
			}
		case ' ':
			if c != '=' && c != '-' && c != 0xe2 {
				continue
			}
		default:
			continue
		}
		for _, sep := range definitionSeps {
			if !strings.HasPrefix(s[i:], sep) {
				continue
			}
			at := i
			if sep[0] == ' ' {
				at = i + 1 // protected where the word-like mark is
			}
			if !protectedAt(spans, at) {
				return i, sep
			}
			break // no other separator matches at i
		}
	}
	return -1, ""
}

// hasSentencePunct is strings.ContainsAny(s, ".,;!?()\"“”"), which a
// term does not hold. Its quotes are not ASCII: as one cutset they would
// make ContainsAny decode and look up every rune.
func hasSentencePunct(s string) bool {
	return strings.ContainsAny(s, ".,;!?()\"") || strings.Contains(s, "“") || strings.Contains(s, "”")
}

func startsWithDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}

var reQALabel = regexp.MustCompile(`^(?i)(q|a|a\d+|qq|question|answer|q\d+)$`)

func (m *memos) isQALabel(term string) bool {
	return reQALabel.MatchString(strings.Trim(m.plain(term), "*_ "))
}

var reQ = regexp.MustCompile(`^(?i)(?:\*\*)?(?:q|qq|question)\s*\d*(?:\*\*)?\s*[:.)]\s*(?:\*\*)?\s*`)
var reA = regexp.MustCompile(`^(?i)(?:\*\*)?(?:a|answer)\s*\d*(?:\*\*)?\s*[:.)]\s*(?:\*\*)?\s*`)

// labelLetter reports whether s, past an optional "**", starts with the
// lowercase ASCII letter c in either case: what reQ (c 'q') and reA (c 'a')
// need to match, tested before running them on every point.
func labelLetter(s string, c byte) bool {
	s = strings.TrimPrefix(s, "**")
	return s != "" && s[0]|0x20 == c
}

// questionLine returns the question of a "Q: ..." line.
func questionLine(s string) (string, bool) {
	if !labelLetter(s, 'q') {
		return "", false
	}
	m := reQ.FindStringIndex(s)
	if m == nil {
		return "", false
	}
	return strings.TrimSpace(s[m[1]:]), true
}

// answerLine returns the answer of an "A: ...", "A1: ..." line.
func answerLine(s string) (string, bool) {
	if !labelLetter(s, 'a') {
		return "", false
	}
	m := reA.FindStringIndex(s)
	if m == nil {
		return "", false
	}
	a := strings.TrimSpace(s[m[1]:])
	return a, a != ""
}

// frontBack splits "front :: back".
func (m *memos) frontBack(s string) (string, string, bool) {
	i := strings.Index(s, " :: ")
	if i <= 0 {
		return "", "", false
	}
	f, b := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+4:])
	return f, b, m.contentWords(f) > 0 && m.contentWords(b) > 0
}

// isLabel reports a short line ending in ':' that introduces what follows.
func isLabel(s string) bool { return sharedMemos.isLabel(s) }

func (m *memos) isLabel(s string) bool {
	s = strings.TrimRight(strings.TrimSpace(s), "*_ ")
	return strings.HasSuffix(s, ":") && m.contentWords(s) <= 12
}

func trimLabel(s string) string {
	s = strings.TrimSpace(s)
	for _, m := range []string{"**", "__", "*", "_"} {
		if strings.HasPrefix(s, m) && strings.HasSuffix(s, m) && len(s) > 2*len(m) {
			s = s[len(m) : len(s)-len(m)]
		}
	}
	s = strings.TrimSpace(s)
	return strings.TrimSpace(strings.TrimSuffix(s, ":"))
}
