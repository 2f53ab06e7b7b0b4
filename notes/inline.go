package notes

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// kramdownIAL matches a kramdown inline attribute list such as
// {:rel="nofollow"} or {: .class}, which is markup, not note text.
var kramdownIAL = regexp.MustCompile(`\{:[^{}\n]*\}`)

// fencedDivMarker matches a pandoc/reveal.js fenced div line (`::: notes`,
// `:::`), which is layout, not note text.
var fencedDivMarker = regexp.MustCompile(`^:{3,}\s*(\{[^{}]*\}|[\w-]+)?\s*:*$`)

// piece maps source bytes [src, src+n) to Line.Text bytes [out, out+n).
type piece struct{ src, n, out int }

// lineBuilder assembles one Line from source segments, remembering where
// each byte came from so inline spans found in the source can be placed.
type lineBuilder struct {
	text   []byte
	pieces []piece
	start  int // source offset of the first byte, -1 if none yet
}

// lineBuilder reuses the converter's builder, emptied: its buffers outlive
// each line (finish copies the text out).
func (c *converter) lineBuilder() *lineBuilder {
	b := &c.line
	b.text, b.pieces, b.start = b.text[:0], b.pieces[:0], -1
	return b
}

// add appends the trimmed source range [start, stop), without kramdown
// attribute lists, separated from what came before by one space. last says
// the range ends its block: a trailing backslash there is text, elsewhere
// it is a hard line break.
func (b *lineBuilder) add(src []byte, start, stop int, last bool) {
	start, stop = trimRange(src, start, stop)
	if !last && stop > start && src[stop-1] == '\\' && (stop-1 == start || src[stop-2] != '\\') {
		start, stop = trimRange(src, start, stop-1)
	}
	seg := src[start:stop]
	var cuts [][]int
	if bytes.Contains(seg, []byte("{:")) { // as the regexp needs
		cuts = kramdownIAL.FindAllIndex(seg, -1)
	}
	from := 0
	tail := [2]int{len(seg), len(seg)} // the text after the last cut
	for k := 0; k <= len(cuts); k++ {
		cut := tail[:]
		if k < len(cuts) {
			cut = cuts[k]
		}
		// trim space left around a removed attribute list
		off, end := trimRange(src, start+from, start+cut[0])
		part := src[off:end]
		from = cut[1]
		if len(part) == 0 {
			continue
		}
		if len(b.text) > 0 {
			b.text = append(b.text, ' ')
		}
		if b.start < 0 {
			b.start = off
		}
		b.pieces = append(b.pieces, piece{src: off, n: len(part), out: len(b.text)})
		b.text = append(b.text, part...)
	}
}

// trimRange narrows [start, stop) of src past white space at both ends,
// as strings.TrimSpace would (Unicode spaces too).
func trimRange(src []byte, start, stop int) (int, int) {
	for start < stop {
		r, n := utf8.DecodeRune(src[start:stop])
		if !unicode.IsSpace(r) {
			break
		}
		start += n
	}
	for stop > start {
		r, n := utf8.DecodeLastRune(src[start:stop])
		if !unicode.IsSpace(r) {
			break
		}
		stop -= n
	}
	return start, stop
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// mapRange turns the source range [s, e) into a Line.Text range when both
// ends fall inside the kept text.
func (b *lineBuilder) mapRange(s, e int) (int, int, bool) {
	i := b.pieceAt(s)
	j := b.pieceAt(e - 1)
	if i < 0 || j < 0 {
		return 0, 0, false
	}
	pi, pj := b.pieces[i], b.pieces[j]
	return pi.out + s - pi.src, pj.out + e - pj.src, true
}

// pieceAt is the index of the piece holding source offset x, or -1.
func (b *lineBuilder) pieceAt(x int) int {
	i := sort.Search(len(b.pieces), func(i int) bool { return b.pieces[i].src+b.pieces[i].n > x })
	if i < len(b.pieces) && b.pieces[i].src <= x {
		return i
	}
	return -1
}

// covered reports whether every non-space byte of the line lies in one of
// the source ranges, which are in source order (used to drop lines
// holding only images).
func (b *lineBuilder) covered(ranges [][2]int) bool {
	r := 0
	for _, p := range b.pieces {
		for i := p.src; i < p.src+p.n; i++ {
			if isSpace(b.text[p.out+i-p.src]) {
				continue
			}
			for r < len(ranges) && ranges[r][1] <= i {
				r++
			}
			if r == len(ranges) || ranges[r][0] > i {
				return false
			}
		}
	}
	return true
}

// rawSpan is an inline span in source offsets.
type rawSpan struct {
	kind       SpanKind
	image      bool
	start, end int
	inner, url string
}

// inlineSpans lists the emphasis, code spans, links and images under n in
// source order, with their source ranges.
//
// Spans nested more than maxSpanDepth inside other spans are not listed:
// they mean nothing to a card and would make hostile input quadratic.
func inlineSpans(n ast.Node, src []byte) []rawSpan {
	var out []rawSpan
	depth := 0
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if c == n {
			return ast.WalkContinue, nil
		}
		if !isSpanNode(c) {
			return ast.WalkContinue, nil
		}
		if !entering {
			depth--
			return ast.WalkContinue, nil
		}
		if depth >= maxSpanDepth {
			return ast.WalkSkipChildren, nil
		}
		depth++
		sp := rawSpan{start: inlineStart(c, src)}
		switch c := c.(type) {
		case *ast.Emphasis:
			sp.kind = Emph
			if c.Level >= 2 {
				sp.kind = Strong
			}
			sp.inner = plainText(c, src)
		case *ast.CodeSpan:
			sp.kind = CodeSpan
			sp.inner = plainText(c, src)
		case *ast.Link:
			sp.kind = Link
			sp.inner = plainText(c, src)
			sp.url = string(c.Destination)
			if sp.url == "" && looksLikeURL(sp.inner) {
				sp.url = sp.inner
			}
			sp.image = onlyImages(c)
		case *ast.AutoLink:
			sp.kind = Link
			sp.inner = string(c.Label(src))
			sp.url = string(c.URL(src))
		case *ast.Image:
			sp.kind = Link
			sp.image = true
			sp.url = string(c.Destination)
		default:
			return ast.WalkContinue, nil
		}
		sp.end = inlineEnd(c, src)
		if sp.start >= 0 && sp.end > sp.start && sp.end <= len(src) {
			out = append(out, sp)
		}
		return ast.WalkContinue, nil
	})
	return out
}

const maxSpanDepth = 8

func isSpanNode(n ast.Node) bool {
	switch n.(type) {
	case *ast.Emphasis, *ast.CodeSpan, *ast.Link, *ast.AutoLink, *ast.Image:
		return true
	}
	return false
}

// onlyImages: a link whose label is only images (a badge) counts as one.
func onlyImages(n ast.Node) bool {
	if n.FirstChild() == nil {
		return false
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if _, ok := c.(*ast.Image); !ok {
			return false
		}
	}
	return true
}

func looksLikeURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "www.")
}

// plainText is the visible text of an inline node's children.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(src))
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// inlineStart is the source offset where inline node n's markup starts.
// goldmark's Pos is the start of the whole delimiter run for emphasis
// (`***x***` gives the inner strong the outer's start) and the character
// before a bare URL for linkify, so both are worked out from the content.
func inlineStart(n ast.Node, src []byte) int {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Start
	case *ast.Emphasis:
		if n.FirstChild() == nil {
			return -1
		}
		s := inlineStart(n.FirstChild(), src)
		if s < 0 {
			return -1
		}
		return s - n.Level
	case *ast.AutoLink:
		p := n.Pos()
		if p < 0 || p >= len(src) || src[p] == '<' {
			return p
		}
		if i := bytes.Index(src[p:], n.Label(src)); i >= 0 {
			return p + i
		}
		return -1
	}
	return n.Pos()
}

// inlineEnd is the source offset just after inline node n's markup, or -1
// when it cannot be told.
func inlineEnd(n ast.Node, src []byte) int {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Stop
	case *ast.CodeSpan:
		return codeSpanEnd(src, n.Pos())
	case *ast.Emphasis:
		e := lastChildEnd(n, src)
		if e < 0 {
			return -1
		}
		return e + n.Level
	case *ast.Link:
		return linkEnd(n, src, 1)
	case *ast.Image:
		return linkEnd(n, src, 2)
	case *ast.AutoLink:
		p := n.Pos()
		if p >= 0 && p < len(src) && src[p] == '<' {
			if i := bytes.IndexByte(src[p:], '>'); i >= 0 {
				return p + i + 1
			}
			return -1
		}
		return inlineStart(n, src) + len(n.Label(src))
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			return n.Segments.At(n.Segments.Len() - 1).Stop
		}
		return -1
	}
	return lastChildEnd(n, src)
}

func lastChildEnd(n ast.Node, src []byte) int {
	if n.LastChild() == nil {
		return -1
	}
	return inlineEnd(n.LastChild(), src)
}

// codeSpanEnd finds the end of the code span whose opening backticks start
// at p: the next run of exactly as many backticks.
func codeSpanEnd(src []byte, p int) int {
	if p < 0 || p >= len(src) {
		return -1
	}
	n := 0
	for p+n < len(src) && src[p+n] == '`' {
		n++
	}
	for i := p + n; i < len(src); {
		if src[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(src) && src[j] == '`' {
			j++
		}
		if j-i == n {
			return j
		}
		i = j
	}
	return -1
}

// linkEnd finds the end of a link or image: after its label's `]`, an
// inline destination `(...)`, a reference `[...]`, or nothing.
func linkEnd(n ast.Node, src []byte, open int) int {
	e := lastChildEnd(n, src)
	if e < 0 {
		e = n.Pos() + open
	}
	// the label may end in markup the children do not cover
	for e >= 0 && e < len(src) && src[e] != ']' && src[e] != '\n' {
		e++
	}
	if e < 0 || e >= len(src) || src[e] != ']' {
		return -1
	}
	e++
	if e >= len(src) {
		return e
	}
	switch src[e] {
	case '(':
		depth := 0
		for i := e; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case '<':
				if j := bytes.IndexByte(src[i:], '>'); j >= 0 && i == e+1 {
					i += j
				}
			case '"':
				if j := bytes.IndexByte(src[i+1:], '"'); j >= 0 {
					i += j + 1
				}
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	case '[':
		for i := e + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case ']':
				return i + 1
			}
		}
		return -1
	}
	return e
}

// blockLines builds one Line per source line of a block with inline
// content (paragraph, heading), with its spans; lines left empty (only an
// attribute list, only images) are dropped.
func (c *converter) blockLines(n ast.Node) []Line {
	lines := n.Lines()
	spans := inlineSpans(n, c.src)
	var out []Line
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b := c.lineBuilder()
		b.add(c.src, seg.Start, seg.Stop, i == lines.Len()-1)
		if l, ok := c.finish(b, spans); ok {
			out = append(out, l)
		}
	}
	return out
}

// joinedLine builds a single Line from all source lines of n (a list
// item's paragraph, a heading), soft breaks joined by one space.
func (c *converter) joinedLine(n ast.Node) (Line, bool) {
	return c.joinSegments(n.Lines(), inlineSpans(n, c.src))
}

func (c *converter) joinSegments(lines *text.Segments, spans []rawSpan) (Line, bool) {
	b := c.lineBuilder()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.add(c.src, seg.Start, seg.Stop, i == lines.Len()-1)
	}
	return c.finish(b, spans)
}

// textOf is the text of b as a string. Most lines are one piece of the
// source as it stands: those are cut from the source string, made once per
// file, rather than copied one by one.
func (c *converter) textOf(b *lineBuilder) string {
	if len(b.pieces) == 1 && b.pieces[0].out == 0 && b.pieces[0].n == len(b.text) {
		p := b.pieces[0]
		return c.text[p.src : p.src+p.n]
	}
	return string(b.text)
}

// finish turns a builder into a Line, placing the spans that lie inside it.
func (c *converter) finish(b *lineBuilder, spans []rawSpan) (Line, bool) {
	if len(b.text) == 0 || bytes.HasPrefix(b.text, []byte(":::")) && fencedDivMarker.Match(b.text) {
		return Line{}, false
	}
	var images [][2]int
	for _, s := range spans {
		if s.image {
			images = append(images, [2]int{s.start, s.end})
		}
	}
	if len(images) > 0 && b.covered(images) {
		return Line{}, false
	}
	l := Line{Text: c.textOf(b), Pos: c.pos(b.start)}
	for _, s := range spans {
		if s.image {
			continue
		}
		if st, en, ok := b.mapRange(s.start, s.end); ok {
			l.Spans = append(l.Spans, Span{Kind: s.kind, Start: st, End: en, Inner: s.inner, URL: s.url})
		}
	}
	return l, true
}
