package notes

import (
	"github.com/yuin/goldmark/ast"
)

// maxListDepth caps how deep points nest; items below it are attached flat
// to the point at the cap, so hostile nesting stays linear and shallow.
const maxListDepth = 64

// listPoints converts the items of list l, nested depth lists deep.
//
// Items that CommonMark reads as siblings but whose markers are indented
// more than the item before (` * b` under `* a`, a 1-space indent) are
// nested under it, as their author meant.
func (c *converter) listPoints(l *ast.List, depth int) []*Point {
	var out []*Point
	type open struct {
		col int
		p   *Point
	}
	var stack []open
	place := func(p *Point, col int) {
		for len(stack) > 0 && stack[len(stack)-1].col >= col {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 || depth+len(stack) >= maxListDepth {
			out = append(out, p)
		} else {
			top := stack[len(stack)-1].p
			top.Children = append(top.Children, p)
		}
		stack = append(stack, open{col, p})
	}
	for li := l.FirstChild(); li != nil; li = li.NextSibling() {
		col := c.column(li.Pos())
		p, nested, code := c.itemPoint(li, l.IsOrdered())
		var kids []*Point
		if depth+1 >= maxListDepth {
			kids = c.flatPoints(nested)
		} else {
			for _, n := range nested {
				kids = append(kids, c.listPoints(n, depth+1)...)
			}
		}
		if p == nil {
			// an item with no text of its own (`- - x`, a lone code
			// block): its sub-points take its place, its code goes to the
			// point before it
			if len(code) > 0 && len(stack) > 0 {
				prev := stack[len(stack)-1].p
				prev.Code = append(prev.Code, code...)
			}
			for _, k := range kids {
				place(k, col)
			}
			continue
		}
		p.Children = kids
		place(p, col)
	}
	return out
}

// column is the display column (tabs to multiples of 4) of offset off.
func (c *converter) column(off int) int {
	if off < 0 || off > len(c.src) {
		return 0
	}
	start := off
	for start > 0 && c.src[start-1] != '\n' {
		start--
	}
	col := 0
	for _, b := range c.src[start:off] {
		if b == '\t' {
			col += 4 - col%4
		} else {
			col++
		}
	}
	return col
}

// itemPoint reads one list item: its first paragraph becomes the point,
// later paragraphs More, code blocks Code; nested lists are returned for
// the caller to convert. p is nil when the item has no text.
func (c *converter) itemPoint(li ast.Node, ordered bool) (p *Point, nested []*ast.List, code []string) {
	// The first line is the point, the others its More: most items have
	// one line, kept apart so that they need no slice.
	var first Line
	var more []Line
	n := 0
	add := func(l Line) {
		if n == 0 {
			first = l
		} else {
			more = append(more, l)
		}
		n++
	}
	for node := li.FirstChild(); node != nil; node = node.NextSibling() {
		switch node := node.(type) {
		case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
			if l, ok := c.joinedLine(node); ok {
				add(l)
			}
		case *ast.List:
			nested = append(nested, node)
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			code = append(code, c.rawText(node))
		case *ast.Blockquote:
			for _, l := range c.quoteLines(node) {
				add(l)
			}
		}
	}
	if n == 0 {
		return nil, nested, code
	}
	c.points++
	p = c.newPoint()
	*p = Point{Line: first, More: more, Ordered: ordered, Code: code}
	return p, nested, nil
}

// flatPoints converts nested lists at the depth cap: every item below, in
// note order, as a flat list of points without children. It uses an
// explicit stack, so any depth is safe.
func (c *converter) flatPoints(lists []*ast.List) []*Point {
	var out []*Point
	type frame struct {
		item    ast.Node
		ordered bool
	}
	var stack []frame
	for i := len(lists) - 1; i >= 0; i-- {
		stack = append(stack, frame{lists[i].FirstChild(), lists[i].IsOrdered()})
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		li := f.item
		if li == nil {
			stack = stack[:len(stack)-1]
			continue
		}
		f.item = li.NextSibling()
		p, nested, code := c.itemPoint(li, f.ordered)
		if p != nil {
			out = append(out, p)
		} else if len(code) > 0 && len(out) > 0 {
			out[len(out)-1].Code = append(out[len(out)-1].Code, code...)
		}
		for i := len(nested) - 1; i >= 0; i-- {
			stack = append(stack, frame{nested[i].FirstChild(), nested[i].IsOrdered()})
		}
	}
	return out
}

// newPoint hands out a zero Point from a block of them allocated at once:
// a file's points live and die together, as its talks.
func (c *converter) newPoint() *Point {
	if len(c.pointBlock) == 0 {
		c.pointBlock = make([]Point, 64)
	}
	p := &c.pointBlock[0]
	c.pointBlock = c.pointBlock[1:]
	return p
}
