// Package notes turns markdown talk notes into an outline: talks, their
// heading tree, the points and statements under each heading, with the
// file:line every node came from. It owns parsing only; it knows nothing of
// cards, storage or time.
package notes

import "strconv"

// Pos is where a node starts in its notes file (1-based line).
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string { return p.File + ":" + strconv.Itoa(p.Line) }

// Meta is talk metadata from YAML front matter or a leading `Speaker: X` line.
type Meta struct {
	Speaker string
	Event   string
	Date    string
	Tags    []string
}

// Talk is one talk: a top-level heading of a file (or the file itself when
// content comes before any heading), with everything under it.
type Talk struct {
	Title string // inline markdown of the heading, trimmed
	Pos   Pos
	Meta  Meta
	Body  []Block    // content before the first sub-heading
	Sub   []*Section // sub-headings, in note order
}

// Section is a heading below the talk level with its content.
type Section struct {
	Title string // inline markdown, trimmed
	Level int    // markdown heading level (1-6)
	Pos   Pos
	Body  []Block
	Sub   []*Section
}

// BlockKind says what a Block holds.
type BlockKind int

const (
	// Paragraph is prose; Lines keeps its source lines (soft breaks) because
	// notes often put one statement per line without blank lines between.
	Paragraph BlockKind = iota
	// List is a bullet or numbered list; Intro is the paragraph line ending
	// in ':' or '?' that came right before it ("Some cons:", "Why?"), if any.
	List
	// Table is a pipe table: Header and Rows of inline markdown cells.
	Table
	// Quote is a block quote; its paragraphs are in Lines.
	Quote
	// Code is a fenced or indented code block; Text holds it verbatim.
	Code
)

// Block is one piece of content under a heading.
type Block struct {
	Kind   BlockKind
	Pos    Pos
	Lines  []Line   // Paragraph, Quote: one entry per source line, inline markdown
	Intro  *Line    // List: the introducing "...:" or "...?" line, nil if none
	Points []*Point // List
	Header []string // Table
	Rows   [][]string
	Text   string // Code: verbatim; Lang in Info
	Info   string
}

// Line is one line of inline markdown with the spans found in it.
type Line struct {
	Text  string // inline markdown source, trimmed, soft breaks joined by a space
	Pos   Pos
	Spans []Span
}

// Point is a list item: its own text and nested points.
type Point struct {
	Line              // the item's first paragraph
	More     []Line   // further paragraphs of the same item (lazy/continuation paragraphs)
	Children []*Point // nested list items, flattened across nested lists
	Ordered  bool     // item of a numbered list
	Code     []string // code blocks inside the item, verbatim (context, not asked)
}

// SpanKind is the kind of an inline span.
type SpanKind int

const (
	Strong   SpanKind = iota // **x** or __x__
	Emph                     // *x* or _x_
	CodeSpan                 // `x`
	Link                     // [x](url) or an autolink / bare URL
)

// Span is an inline element of a Line. Start and End are byte offsets into
// Line.Text covering the whole markup (e.g. including the ** or the
// [..](..)); Inner is the visible text without markup; URL is set for links.
type Span struct {
	Kind       SpanKind
	Start, End int
	Inner      string
	URL        string
}
