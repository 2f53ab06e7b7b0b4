package notes

import (
	"fmt"
	"strings"
)

// Dump renders talks as indented text, one node per line with its line
// number: a readable form for golden tests and for debugging the outline.
func Dump(talks []*Talk) string {
	var b strings.Builder
	for _, t := range talks {
		fmt.Fprintf(&b, "talk %q @%d\n", t.Title, t.Pos.Line)
		m := t.Meta
		if m.Speaker != "" {
			fmt.Fprintf(&b, "  speaker %q\n", m.Speaker)
		}
		if m.Event != "" {
			fmt.Fprintf(&b, "  event %q\n", m.Event)
		}
		if m.Date != "" {
			fmt.Fprintf(&b, "  date %q\n", m.Date)
		}
		if len(m.Tags) > 0 {
			fmt.Fprintf(&b, "  tags %q\n", m.Tags)
		}
		dumpBody(&b, t.Body, 1)
		for _, s := range t.Sub {
			dumpSection(&b, s, 1)
		}
	}
	return b.String()
}

func dumpSection(b *strings.Builder, s *Section, depth int) {
	ind := strings.Repeat("  ", depth)
	fmt.Fprintf(b, "%ssection h%d %q @%d\n", ind, s.Level, s.Title, s.Pos.Line)
	dumpBody(b, s.Body, depth+1)
	for _, c := range s.Sub {
		dumpSection(b, c, depth+1)
	}
}

func dumpBody(b *strings.Builder, body []Block, depth int) {
	ind := strings.Repeat("  ", depth)
	for _, bl := range body {
		switch bl.Kind {
		case Paragraph:
			fmt.Fprintf(b, "%sparagraph @%d\n", ind, bl.Pos.Line)
			for _, l := range bl.Lines {
				dumpLine(b, ind+"  | ", l)
			}
		case Quote:
			fmt.Fprintf(b, "%squote @%d\n", ind, bl.Pos.Line)
			for _, l := range bl.Lines {
				dumpLine(b, ind+"  > ", l)
			}
		case List:
			fmt.Fprintf(b, "%slist @%d\n", ind, bl.Pos.Line)
			if bl.Intro != nil {
				dumpLine(b, ind+"  intro: ", *bl.Intro)
			}
			dumpPoints(b, bl.Points, depth+1)
		case Table:
			fmt.Fprintf(b, "%stable @%d\n", ind, bl.Pos.Line)
			fmt.Fprintf(b, "%s  header %q\n", ind, bl.Header)
			for _, r := range bl.Rows {
				fmt.Fprintf(b, "%s  row %q\n", ind, r)
			}
		case Code:
			fmt.Fprintf(b, "%scode %q @%d %q\n", ind, bl.Info, bl.Pos.Line, bl.Text)
		}
	}
}

func dumpPoints(b *strings.Builder, pts []*Point, depth int) {
	ind := strings.Repeat("  ", depth)
	for _, p := range pts {
		marker := "- "
		if p.Ordered {
			marker = "1. "
		}
		dumpLine(b, ind+marker, p.Line)
		for _, m := range p.More {
			dumpLine(b, ind+"   + ", m)
		}
		for _, c := range p.Code {
			fmt.Fprintf(b, "%s   code %q\n", ind, c)
		}
		dumpPoints(b, p.Children, depth+1)
	}
}

func dumpLine(b *strings.Builder, prefix string, l Line) {
	fmt.Fprintf(b, "%s%s  @%d", prefix, l.Text, l.Pos.Line)
	for _, s := range l.Spans {
		fmt.Fprintf(b, " [%s %q", spanKindName[s.Kind], l.Text[s.Start:s.End])
		if s.Inner != "" && s.Kind != Link {
			fmt.Fprintf(b, " %q", s.Inner)
		}
		if s.URL != "" {
			fmt.Fprintf(b, " %s", s.URL)
		}
		b.WriteString("]")
	}
	b.WriteString("\n")
}

var spanKindName = map[SpanKind]string{Strong: "strong", Emph: "emph", CodeSpan: "code", Link: "link"}
