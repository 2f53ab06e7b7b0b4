package notes

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// converter turns goldmark nodes of one file into outline nodes.
type converter struct {
	file   string
	src    []byte
	text   string // src as a string, for texts cut from it (see textOf)
	idx    lineIndex
	points int // list points made, for ErrNoNotes
	line   lineBuilder
	// pointBlock are the Points newPoint hands out next.
	pointBlock []Point
}

func (c *converter) pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	return Pos{File: c.file, Line: c.idx.line(off)}
}

// event is one top-level piece of the document in order: a heading or a
// content block.
type event struct {
	heading bool
	pseudo  bool // a bold line taken as a heading, see pseudoHeadings
	level   int
	title   string
	pos     Pos
	// block is the content block; unused for a heading. Held in the event
	// rather than behind a pointer: the events of a file are one
	// allocation, not one per block.
	block Block
	seq   int // index among the document's children, to tell adjacency
}

// docCDirective matches the opening line of an Apple DocC directive such
// as `@Metadata {` or `@TitleHeading("Talk")`.
var docCDirective = regexp.MustCompile(`^@[A-Za-z][A-Za-z0-9]*\s*[({]`)

// events lists the document's headings and content blocks in note order,
// dropping what is not notes: HTML, thematic breaks, DocC directives.
func (c *converter) events(doc ast.Node) []event {
	// Sized for every child, so that a long file's events are not copied
	// as the slice grows: the dropped children are few.
	out := make([]event, 0, doc.ChildCount())
	directiveDepth := 0 // open braces of a DocC directive being skipped
	seq := 0
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		seq++
		if directiveDepth > 0 {
			if _, ok := n.(*ast.Heading); !ok {
				directiveDepth += braceBalance(c.rawText(n))
				continue
			}
			directiveDepth = 0
		}
		switch n := n.(type) {
		case *ast.Heading:
			l, ok := c.joinedLine(n)
			if !ok {
				continue // an empty `#` is no heading
			}
			out = append(out, event{heading: true, level: n.Level, title: l.Text, pos: c.pos(n.Pos()), seq: seq})
		case *ast.Paragraph:
			if lines := n.Lines(); lines.Len() > 0 {
				// Read in place: most paragraphs do not start with '@', which
				// every directive does, and need no regexp.
				first := lines.At(0)
				if line := bytes.TrimSpace(first.Value(c.src)); len(line) > 0 && line[0] == '@' && docCDirective.Match(line) {
					directiveDepth = braceBalance(c.rawText(n))
					continue
				}
			}
			if lines := c.blockLines(n); len(lines) > 0 {
				out = append(out, event{block: Block{Kind: Paragraph, Pos: lines[0].Pos, Lines: lines}, seq: seq})
			}
		default:
			if b, ok := c.block(n, 0); ok {
				out = append(out, event{block: b, seq: seq})
			}
		}
	}
	return out
}

// block converts a content node other than a top-level paragraph; ok is
// false for nodes that are dropped.
func (c *converter) block(n ast.Node, depth int) (Block, bool) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		lines := c.blockLines(n)
		if len(lines) == 0 {
			return Block{}, false
		}
		return Block{Kind: Paragraph, Pos: lines[0].Pos, Lines: lines}, true
	case *ast.List:
		pts := c.listPoints(n, depth)
		if len(pts) == 0 {
			return Block{}, false
		}
		return Block{Kind: List, Pos: c.pos(n.Pos()), Points: pts}, true
	case *ast.FencedCodeBlock:
		b := Block{Kind: Code, Pos: c.pos(n.Pos()), Text: c.rawText(n)}
		if n.Info != nil {
			if f := strings.Fields(string(n.Info.Value(c.src))); len(f) > 0 {
				b.Info = strings.Trim(f[0], "{.}") // `{.graphviz}` attribute form
			}
		}
		return b, true
	case *ast.CodeBlock:
		return Block{Kind: Code, Pos: c.pos(n.Pos()), Text: c.rawText(n)}, true
	case *ast.Blockquote:
		lines := c.quoteLines(n)
		if len(lines) == 0 {
			return Block{}, false
		}
		return Block{Kind: Quote, Pos: c.pos(n.Pos()), Lines: lines}, true
	case *east.Table:
		return c.table(n)
	}
	return Block{}, false // HTML, thematic breaks, link reference definitions
}

// rawText is the verbatim source of a block's lines (code), without the
// final newline.
func (c *converter) rawText(n ast.Node) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(c.src))
	}
	return strings.TrimRight(b.String(), "\n")
}

func braceBalance(s string) int {
	return strings.Count(s, "{") - strings.Count(s, "}")
}

// quoteLines collects the lines of every paragraph, heading and list item
// inside a block quote, in order, without recursion (quotes nest freely).
func (c *converter) quoteLines(q ast.Node) []Line {
	var out []Line
	stack := []ast.Node{q.FirstChild()}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		if n == nil {
			stack = stack[:len(stack)-1]
			continue
		}
		stack[len(stack)-1] = n.NextSibling()
		switch n.(type) {
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
			out = append(out, c.blockLines(n)...)
		case *ast.Blockquote, *ast.List, *ast.ListItem:
			stack = append(stack, n.FirstChild())
		}
	}
	return out
}

// table converts a pipe table; cells keep their inline markdown.
func (c *converter) table(t *east.Table) (Block, bool) {
	b := Block{Kind: Table, Pos: c.pos(t.Pos())}
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var cells []string
		for cell := r.FirstChild(); cell != nil; cell = cell.NextSibling() {
			l, _ := c.joinSegments(cell.Lines(), nil)
			cells = append(cells, l.Text)
		}
		if _, ok := r.(*east.TableHeader); ok {
			b.Header = cells
		} else {
			b.Rows = append(b.Rows, cells)
		}
	}
	return b, len(b.Header) > 0 || len(b.Rows) > 0
}
