package main

import (
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// table prints aligned columns that fit a terminal width: numeric columns
// align right, and the flexible columns share what the others leave,
// truncated with an ellipsis. Widths count terminal cells, so accents,
// CJK and emoji line up.
type table struct {
	header []string
	right  []bool // align right
	flex   []int  // share of the spare width, 0 = fixed to content
	rows   [][]string
}

func (t *table) add(cells ...string) {
	for i, c := range cells {
		cells[i] = oneLine(c)
	}
	t.rows = append(t.rows, cells)
}

func (t *table) render(w io.Writer, width int) error {
	n := len(t.header)
	widths := make([]int, n)
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	t.shareWidth(widths, width)
	var b strings.Builder
	for _, row := range append([][]string{t.header}, t.rows...) {
		b.Reset()
		for i, c := range row {
			c = runewidth.Truncate(c, widths[i], "…")
			pad := strings.Repeat(" ", widths[i]-runewidth.StringWidth(c))
			if t.right[i] {
				b.WriteString(pad + c)
			} else if i < n-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
			if i < n-1 {
				b.WriteString("  ")
			}
		}
		b.WriteString("\n")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string, n int) string {
	return runewidth.Truncate(s, n, "…")
}

// shareWidth narrows the flexible columns so the table fits width: the
// spare width beyond the fixed columns (and the gaps) is shared by the
// flexible ones in proportion to their flex, never below their header.
func (t *table) shareWidth(widths []int, width int) {
	n := len(widths)
	fixed, shares := 2*(n-1), 0
	for i := range n {
		if t.flex[i] == 0 {
			fixed += widths[i]
		} else {
			shares += t.flex[i]
		}
	}
	if shares > 0 {
		spare := max(width-fixed, 10*shares)
		for i := range n {
			if t.flex[i] > 0 {
				widths[i] = min(widths[i], max(len(t.header[i]), spare*t.flex[i]/shares))
			}
		}
	}
}
