package deck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/talkcards/talkcards/notes"
)

// uncovered lists the points and statements of a talk that no card asks
// (quality rule 1). A node is asked when its normalised text is part of a
// card's Key, the source text the card is about; hard-wrapped prose is split
// into sentences, so for prose every word of the line must be in the keys
// of the cards under the same heading. Exempt: questions with nothing under
// them, "Label:" lines that introduce what follows, lines without words,
// and bare web addresses (see bareURL: nobody studies a URL).
func uncovered(t *notes.Talk, cards []Card) []string {
	keys := map[string][]string{} // path -> keys
	words := map[string]map[string]bool{}
	for _, c := range cards {
		p := strings.Join(c.Path, "\x00")
		keys[p] = append(keys[p], c.Key)
		if words[p] == nil {
			words[p] = map[string]bool{}
		}
		for _, w := range Words(c.Key) {
			words[p][w] = true
		}
	}
	var missing []string
	asked := func(path []string, text string, prose bool) bool {
		p := strings.Join(path, "\x00")
		n := Normalize(text)
		for _, k := range keys[p] {
			if strings.Contains(k, n) {
				return true
			}
		}
		if !prose {
			return false
		}
		for _, w := range Words(text) {
			if !words[p][w] {
				return false
			}
		}
		return true
	}
	exempt := func(text string) bool {
		return contentWords(text) == 0 || bareURL(text) || isLabel(text) || isQuestion(text) || isQLine(text)
	}
	var points func(path []string, pts []*notes.Point)
	points = func(path []string, pts []*notes.Point) {
		for _, p := range pts {
			unanswered := (isQuestion(p.Text) || isQLine(p.Text)) && len(p.Children) == 0 && len(p.More) == 0
			lead := isLabel(p.Text) && len(p.Children) > 0
			link := bareURL(p.Text) && len(p.Children) == 0
			if !unanswered && !lead && !link && contentWords(p.Text) > 0 && !asked(path, p.Text, len(p.Text) > maxSentence) {
				missing = append(missing, p.Pos.String()+": "+p.Text)
			}
			for _, m := range p.More {
				if !exempt(m.Text) && !asked(path, m.Text, true) {
					missing = append(missing, m.Pos.String()+": "+m.Text)
				}
			}
			points(path, p.Children)
		}
	}
	body := func(path []string, blocks []notes.Block) {
		for _, b := range blocks {
			switch b.Kind {
			case notes.Paragraph, notes.Quote:
				for _, l := range b.Lines {
					if !exempt(l.Text) && !asked(path, l.Text, true) {
						missing = append(missing, l.Pos.String()+": "+l.Text)
					}
				}
			case notes.List:
				points(path, b.Points)
			case notes.Table:
				for _, r := range b.Rows {
					for _, c := range r {
						if contentWords(c) > 0 && !asked(path, c, false) {
							missing = append(missing, b.Pos.String()+": cell "+c)
						}
					}
				}
			}
		}
	}
	var section func(parent []string, s *notes.Section)
	section = func(parent []string, s *notes.Section) {
		path := append(append([]string(nil), parent...), s.Title)
		body(path, s.Body)
		for _, sub := range s.Sub {
			section(path, sub)
		}
	}
	body(nil, t.Body)
	for _, s := range t.Sub {
		section(nil, s)
	}
	return missing
}

// realNotes lists the user's seed notes and the corpus of real notes,
// skipping the test when they are not there.
func realNotes(tb testing.TB) []string {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(shared, "corpus", "*.md"))
	var out []string
	if _, err := os.Stat(filepath.Join(shared, "seed-notes.md")); err == nil {
		out = append(out, filepath.Join(shared, "seed-notes.md"))
	}
	for _, f := range files {
		if filepath.Base(f) != "SOURCES.md" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		tb.Skip("no notes in " + shared)
	}
	return out
}

// TestRealNotes runs the generator on the seed notes and every corpus file:
// no quality problem, every point and statement asked.
func TestRealNotes(t *testing.T) {
	for _, f := range realNotes(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			talks, decks := generateFile(t, filepath.Base(f), src)
			for i, d := range decks {
				for _, p := range Check(d) {
					t.Errorf("%s: %v", talks[i].Title, p)
				}
				for _, m := range uncovered(talks[i], d) {
					t.Errorf("%s: not asked: %s", talks[i].Title, m)
				}
			}
		})
	}
}
