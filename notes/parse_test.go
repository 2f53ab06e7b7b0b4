package notes

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the parser's output")

// TestGolden parses each testdata/*.md and compares Dump with its .golden
// file; -update rewrites them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(f)
			talks, err := Parse(name, src)
			got := Dump(talks)
			if err != nil {
				got += "error: " + err.Error() + "\n"
			} else {
				checkInvariants(t, name, src, talks, true)
			}
			golden := strings.TrimSuffix(f, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./notes -update)", err)
			}
			if got != string(want) {
				t.Errorf("outline differs from %s (run with -update and review the diff):\n%s", golden, got)
			}
		})
	}
}

// TestLineEndings: CRLF, lone CR and a BOM give the same outline as LF.
func TestLineEndings(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.md")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, wantErr := Parse("x.md", src)
		variants := map[string][]byte{
			"crlf": bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n")),
			"cr":   bytes.ReplaceAll(src, []byte("\n"), []byte("\r")),
			"bom":  append([]byte("\xEF\xBB\xBF"), src...),
		}
		for name, v := range variants {
			got, err := Parse("x.md", v)
			if (err == nil) != (wantErr == nil) || Dump(got) != Dump(want) {
				t.Errorf("%s %s: outline differs from LF:\n%s\nwant:\n%s", f, name, Dump(got), Dump(want))
			}
		}
	}
}

func TestErrors(t *testing.T) {
	long := strings.Repeat("a", MaxLineSize+1)
	tests := []struct {
		name string
		src  string
		want error
		msg  string // Error() text, when checked
	}{
		{"invalid utf8 on line 3", "# t\n* a\n* b \xff\n", ErrInvalidUTF8, "n.md:3: invalid UTF-8"},
		{"invalid utf8 after crlf", "# t\r\n\r\n* \xc3\x28\r\n", ErrInvalidUTF8, "n.md:3: invalid UTF-8"},
		{"nul byte", "# t\n\n* a\x00b\n", ErrBinary, "n.md:3: binary file (NUL byte)"},
		{"nul after cr", "# t\r* a\r\x00", ErrBinary, "n.md:3: binary file (NUL byte)"},
		{"too large", "# t\n* " + strings.Repeat("x", MaxFileSize), ErrTooLarge, ""},
		{"line too long", "# t\n\n* " + long + "\n", ErrLineTooLong, ""},
		{"empty", "", ErrNoNotes, "n.md: no notes found (empty file)"},
		{"whitespace", " \n\t\n\r\n", ErrNoNotes, ""},
		{"bom only", "\xEF\xBB\xBF", ErrNoNotes, ""},
		{"only prose", "Just some prose.\nAnother line.\n\nMore prose.\n", ErrNoNotes, "n.md: no notes found (no heading and no list)"},
		{"only code", "```\n# not a heading\n- not a point\n```\n", ErrNoNotes, ""},
		{"only indented code", "    # code\n    - code\n", ErrNoNotes, ""},
		{"only front matter", "---\ntitle: x\n---\n", ErrNoNotes, ""},
		{"only comments", "<!-- # heading -->\n<!--\n- point\n-->\n", ErrNoNotes, ""},
		{"only html", "<div>\n# x\n</div>\n", ErrNoNotes, ""},
		{"only quote", "> # quoted\n> - quoted\n", ErrNoNotes, ""},
		{"only thematic breaks", "---\n***\n___\n", ErrNoNotes, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			talks, err := Parse("n.md", []byte(tt.src))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v (talks %s)", err, tt.want, Dump(talks))
			}
			checkErr(t, err)
			if talks != nil {
				t.Errorf("talks returned with an error")
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message %q, want %q", err.Error(), tt.msg)
			}
		})
	}
}

// TestLineLimitExact: a line of exactly MaxLineSize bytes is fine.
func TestLineLimitExact(t *testing.T) {
	src := "# t\n\n* " + strings.Repeat("a", MaxLineSize-2) + "\n"
	if _, err := Parse("n.md", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

// TestCases checks single behaviours on small inline inputs.
func TestCases(t *testing.T) {
	tests := []struct {
		name, src string
		check     func(t *testing.T, talks []*Talk)
	}{
		{"title from file name", "* a point\n", func(t *testing.T, talks []*Talk) {
			if len(talks) != 1 || talks[0].Title != "my talk notes" {
				t.Errorf("title %q", talks[0].Title)
			}
		}},
		{"content before first talk", "Intro line\n\n# Talk\n\n* p\n", func(t *testing.T, talks []*Talk) {
			if len(talks) != 2 || talks[0].Title != "my talk notes" || talks[1].Title != "Talk" {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
		{"h2 talks without h1", "## One\n* a\n## Two\n* b\n", func(t *testing.T, talks []*Talk) {
			if len(talks) != 2 || talks[1].Title != "Two" || talks[1].Pos.Line != 3 {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
		{"empty heading text is ignored", "# Talk\n#\n* a\n", func(t *testing.T, talks []*Talk) {
			if len(talks) != 1 || len(talks[0].Body) != 1 {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
		{"intro only when adjacent to list", "# T\n\nNote:\n\n```\ncode\n```\n\n* a\n", func(t *testing.T, talks []*Talk) {
			if b := talks[0].Body; len(b) != 3 || b[2].Intro != nil {
				t.Errorf("body:\n%s", Dump(talks))
			}
		}},
		{"shortcode line is no intro", "# T\n\nParty :tada:\n* a\n", func(t *testing.T, talks []*Talk) {
			if b := talks[0].Body; len(b) != 2 || b[1].Intro != nil {
				t.Errorf("body:\n%s", Dump(talks))
			}
		}},
		{"intro keeps earlier lines", "# T\n\nFirst line\nThen some:\n* a\n", func(t *testing.T, talks []*Talk) {
			b := talks[0].Body
			if len(b) != 2 || len(b[0].Lines) != 1 || b[1].Intro == nil || b[1].Intro.Text != "Then some:" || b[1].Intro.Pos.Line != 4 {
				t.Errorf("body:\n%s", Dump(talks))
			}
		}},
		{"tab positions", "# T\n\n-\ta\n\t-\tb\n", func(t *testing.T, talks []*Talk) {
			p := talks[0].Body[0].Points[0]
			if p.Text != "a" || len(p.Children) != 1 || p.Children[0].Pos.Line != 4 {
				t.Errorf("body:\n%s", Dump(talks))
			}
		}},
		{"emoticons are text", "# T\n\n* yes :D\n* no :-(\n* hmm :-()\n* ok :P\n", func(t *testing.T, talks []*Talk) {
			var got []string
			for _, p := range talks[0].Body[0].Points {
				got = append(got, p.Text)
			}
			if strings.Join(got, "|") != "yes :D|no :-(|hmm :-()|ok :P" {
				t.Errorf("points %q", got)
			}
		}},
		{"kramdown attributes stripped with spans in place", "# T\n\n* [a](u){:rel=\"nofollow\"} and **b**{: .x} end\n", func(t *testing.T, talks []*Talk) {
			l := talks[0].Body[0].Points[0].Line
			if l.Text != "[a](u) and **b** end" || len(l.Spans) != 2 || l.Text[l.Spans[1].Start:l.Spans[1].End] != "**b**" {
				t.Errorf("line %q spans %+v", l.Text, l.Spans)
			}
		}},
		{"span across soft break is dropped, not misplaced", "# T\n\nsome **bold\ntext** here\n\n* p\n", func(t *testing.T, talks []*Talk) {
			for _, l := range talks[0].Body[0].Lines {
				if len(l.Spans) != 0 {
					t.Errorf("line %q has spans %+v", l.Text, l.Spans)
				}
			}
		}},
		{"point joins soft breaks and keeps spans", "# T\n\n* one **two\n  three** four\n", func(t *testing.T, talks []*Talk) {
			l := talks[0].Body[0].Points[0].Line
			if l.Text != "one **two three** four" || len(l.Spans) != 1 || l.Spans[0].Inner != "two three" {
				t.Errorf("line %q spans %+v", l.Text, l.Spans)
			}
		}},
		{"front matter keeps line numbers", "---\ntitle: T\n---\n# H\n\n* p\n", func(t *testing.T, talks []*Talk) {
			if talks[0].Pos.Line != 4 || talks[0].Body[0].Points[0].Pos.Line != 6 {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
		{"unclosed front matter is content", "---\n# H\n* p\n", func(t *testing.T, talks []*Talk) {
			if len(talks) != 1 || talks[0].Title != "H" {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
		{"slide deck opening rule is not front matter", "---\n# Deck\n---\n* p\n", func(t *testing.T, talks []*Talk) {
			if len(talks) != 1 || talks[0].Title != "Deck" {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
		{"bold line is no heading when headings exist", "# T\n\n**Bold**\n\n* p\n", func(t *testing.T, talks []*Talk) {
			if len(talks[0].Sub) != 0 || len(talks[0].Body) != 2 {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
		{"setext heading not made from a code fence rule", "# T\n\n```\nbox\n-----\n```\n\n* p\n", func(t *testing.T, talks []*Talk) {
			if len(talks[0].Sub) != 0 {
				t.Errorf("talks:\n%s", Dump(talks))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			talks, err := Parse("my-talk_notes.md", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, "my-talk_notes.md", []byte(tt.src), talks, true)
			tt.check(t, talks)
		})
	}
}

// TestHostile: inputs built to be slow or deep parse quickly and keep
// nesting capped.
func TestHostile(t *testing.T) {
	var deep []string
	for i := 0; i < 3000; i++ {
		deep = append(deep, strings.Repeat("  ", i)+"- x")
	}
	var tabs []string
	for i := 0; i < 2000; i++ {
		tabs = append(tabs, strings.Repeat("\t", i)+"* y")
	}
	cases := map[string]string{
		"10000 nested on one line":    strings.Repeat("- ", 10000) + "x\n",
		"10000 nested ordered":        strings.Repeat("1. ", 10000) + "x\n",
		"10000 nested quotes":         "# t\n" + strings.Repeat("> ", 10000) + "x\n",
		"quote and list nesting":      strings.Repeat("> - ", 5000) + "x\n",
		"deep indentation":            strings.Join(deep, "\n"),
		"deep tabs":                   strings.Join(tabs, "\n"),
		"nested emphasis":             "# t\n" + strings.Repeat("*a ", 10000) + strings.Repeat("a* ", 10000) + "\n",
		"many brackets":               "# t\n" + strings.Repeat("[", 30000) + "\n",
		"many backticks":              "# t\n" + strings.Repeat("`a", 30000) + "\n",
		"many images":                 "# t\n" + strings.Repeat("![a](b) ", 5000) + "\n",
		"unclosed fence":              "# t\n```\n" + strings.Repeat("# x\n", 1000),
		"directive never closed":      "# t\n@Metadata {\n" + strings.Repeat("* x\n\n", 100),
		"headings only":               strings.Repeat("###### h\n", 10000),
		"every level repeated":        strings.Repeat("# a\n## b\n### c\n#### d\n##### e\n###### f\n", 2000),
		"table with many columns":     "# t\n" + strings.Repeat("|a", 5000) + "|\n" + strings.Repeat("|-", 5000) + "|\n",
		"front matter then long yaml": "---\n" + strings.Repeat("k: v\n", 10000) + "---\n# t\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			talks, err := Parse("h.md", []byte(in))
			if err != nil {
				checkErr(t, err)
				return
			}
			checkInvariants(t, "h.md", []byte(in), talks, true)
		})
	}
}

func TestDeterministic(t *testing.T) {
	src, err := os.ReadFile("testdata/seedlike.md")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Parse("s.md", src)
	b, _ := Parse("s.md", src)
	if Dump(a) != Dump(b) {
		t.Error("two parses differ")
	}
}
