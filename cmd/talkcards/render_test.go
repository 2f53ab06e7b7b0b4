package main

import (
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

func TestPlainInline(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"**bold** and *it*", "bold and it"},
		{"use `go test` now", "use go test now"},
		{"see [the docs](https://go.dev/doc)", "see the docs (https://go.dev/doc)"},
		{"[https://x.io](https://x.io)", "https://x.io"},
		{"snake_case_name stays", "snake_case_name stays"},
		{"_emph_ word", "emph word"},
		{"unclosed **bold", "unclosed **bold"},
		{"escaped \\*star\\*", "escaped *star*"},
		{"emoticons :-) :D :P (no golang :-()", "emoticons :-) :D :P (no golang :-()"},
		{"``code with ` tick``", "code with ` tick"},
	}
	for _, tt := range tests {
		if got := plainInline(tt.in); got != tt.want {
			t.Errorf("plainInline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWrapMarkdownFitsWidth(t *testing.T) {
	p := painter{}
	text := "- A point that is long enough to wrap over several lines of a narrow terminal, with `code` and **bold**\n- short"
	out := p.wrapMarkdown(text, 30, "  ")
	lines := strings.Split(out, "\n")
	if len(lines) < 4 {
		t.Fatalf("expected wrapping, got %q", out)
	}
	for _, l := range lines {
		if w := runewidth.StringWidth(l); w > 30 {
			t.Errorf("line %q is %d cells, over 30", l, w)
		}
	}
	if !strings.HasPrefix(lines[1], "    ") {
		t.Errorf("continuation of a point should hang under its text: %q", lines[1])
	}
	if strings.Contains(out, "**") || strings.Contains(out, "`") {
		t.Errorf("markdown markers left in rendered text: %q", out)
	}
}

func TestPainterHonoursNoColour(t *testing.T) {
	if s := (painter{}).wrapMarkdown("**bold** `code`", 80, ""); strings.Contains(s, "\x1b") {
		t.Errorf("escape codes without colour: %q", s)
	}
	if s := (painter{colour: true}).wrapMarkdown("**bold**", 80, ""); !strings.Contains(s, "\x1b[1m") {
		t.Errorf("bold not rendered with colour: %q", s)
	}
}

func TestSanitizeDropsEscapes(t *testing.T) {
	in := "evil \x1b]0;title\x07 text \x1b[31mred\x9b"
	if got := sanitize(in); strings.ContainsAny(got, "\x1b\x07\u009b") {
		t.Errorf("sanitize left control characters: %q", got)
	}
}

func TestWriteJSONEscapesC1(t *testing.T) {
	var b strings.Builder
	if err := writeJSON(&b, map[string]string{"p": "a\u009b[31mb"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "\u009b") || !strings.Contains(b.String(), `a\u009b[31mb`) {
		t.Errorf("C1 control not escaped: %q", b.String())
	}
}
