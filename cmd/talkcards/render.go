package main

import (
	"strings"

	"github.com/mattn/go-runewidth"
)

// style is how a run of card text is shown.
type style int

const (
	plainText style = iota
	boldText
	italicText
	codeText
	urlText
)

type textRun struct {
	text  string
	style style
}

// parseInline splits inline markdown into styled runs: **bold**, *italic*,
// `code`, [text](url) as text plus URL. It is forgiving: an unclosed marker
// is plain text, and `_` inside a word (snake_case) is not emphasis.
func parseInline(s string) []textRun {
	var out []textRun
	var plain strings.Builder
	flush := func() {
		if plain.Len() > 0 {
			out = append(out, textRun{plain.String(), plainText})
			plain.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_[]()#+-.!>|{}", s[i+1]) >= 0:
			plain.WriteByte(s[i+1])
			i += 2
			continue
		case c == '`':
			n := 1
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			fence := s[i : i+n]
			if j := strings.Index(s[i+n:], fence); j >= 0 {
				flush()
				out = append(out, textRun{strings.TrimSpace(s[i+n : i+n+j]), codeText})
				i += 2*n + j
				continue
			}
		case (c == '*' || c == '_') && i+1 < len(s) && s[i+1] == c:
			m := s[i : i+2]
			if j := strings.Index(s[i+2:], m); j > 0 && emphasisEdge(s, i, i+2+j+2, c) {
				flush()
				for _, r := range parseInline(s[i+2 : i+2+j]) {
					if r.style == plainText {
						r.style = boldText
					}
					out = append(out, r)
				}
				i += j + 4
				continue
			}
		case c == '*' || c == '_':
			if j := strings.IndexByte(s[i+1:], c); j > 0 && s[i+1] != ' ' && s[i+j] != ' ' && emphasisEdge(s, i, i+1+j+1, c) {
				flush()
				out = append(out, textRun{s[i+1 : i+1+j], italicText})
				i += j + 2
				continue
			}
		case c == '[':
			if text, url, n, ok := parseLink(s[i:]); ok {
				flush()
				out = append(out, parseInline(text)...)
				if url != "" && url != text {
					out = append(out, textRun{" (" + url + ")", urlText})
				}
				i += n
				continue
			}
		}
		plain.WriteByte(c)
		i++
	}
	flush()
	return out
}

// emphasisEdge rejects '_' emphasis inside words (snake_case_names).
func emphasisEdge(s string, start, end int, c byte) bool {
	if c != '_' {
		return true
	}
	isWord := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' }
	return (start == 0 || !isWord(s[start-1])) && (end >= len(s) || !isWord(s[end]))
}

func parseLink(s string) (text, url string, n int, ok bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				if i+1 < len(s) && s[i+1] == '(' {
					if j := strings.IndexByte(s[i+2:], ')'); j >= 0 {
						url = strings.TrimSpace(s[i+2 : i+2+j])
						if k := strings.IndexByte(url, ' '); k >= 0 {
							url = url[:k] // drop a "title"
						}
						return s[1:i], url, i + 3 + j, true
					}
				}
				return "", "", 0, false
			}
		}
	}
	return "", "", 0, false
}

// plainInline is inline markdown as plain text (links as "text (url)").
func plainInline(s string) string {
	var b strings.Builder
	for _, r := range parseInline(s) {
		b.WriteString(r.text)
	}
	return b.String()
}

// painter turns runs into terminal text: ANSI styles when colour is on.
type painter struct{ colour bool }

func (p painter) paint(st style, s string) string {
	if !p.colour {
		return s
	}
	code := map[style]string{boldText: "1", italicText: "3", codeText: "36", urlText: "2;4"}[st]
	if code == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p painter) dim(s string) string    { return p.sgr("2", s) }
func (p painter) bold(s string) string   { return p.sgr("1", s) }
func (p painter) green(s string) string  { return p.sgr("32", s) }
func (p painter) red(s string) string    { return p.sgr("31", s) }
func (p painter) yellow(s string) string { return p.sgr("33", s) }
func (p painter) cyan(s string) string   { return p.sgr("36", s) }

func (p painter) sgr(code, s string) string {
	if !p.colour {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// wrapMarkdown renders card text — several lines of inline markdown — wrapped
// to width cells, each output line prefixed by indent. Lines starting with
// "- " keep a hanging indent.
func (p painter) wrapMarkdown(text string, width int, indent string) string {
	var out []string
	for _, line := range strings.Split(sanitize(text), "\n") {
		hang := ""
		if strings.HasPrefix(line, "- ") {
			hang = "  "
		}
		out = append(out, p.wrapRuns(parseInline(line), width-runewidth.StringWidth(indent), indent, hang)...)
	}
	return strings.Join(out, "\n")
}

func (p painter) wrapRuns(runs []textRun, width int, indent, hang string) []string {
	if width < 20 {
		width = 20
	}
	var lines []string
	var cur strings.Builder
	curW := 0
	lead := indent
	for _, r := range runs {
		words := strings.Split(r.text, " ")
		for wi, w := range words {
			if wi > 0 {
				if curW > 0 && curW < width {
					cur.WriteString(" ")
					curW++
				}
			}
			if w == "" {
				continue
			}
			ww := runewidth.StringWidth(w)
			if curW > 0 && curW+ww > width {
				lines = append(lines, lead+strings.TrimRight(cur.String(), " "))
				cur.Reset()
				lead = indent + hang
				curW = runewidth.StringWidth(hang)
			}
			cur.WriteString(p.paint(r.style, w))
			curW += ww
		}
	}
	lines = append(lines, lead+strings.TrimRight(cur.String(), " "))
	return lines
}
