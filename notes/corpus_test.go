package notes

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// corpusDir holds real notes by other people (see its SOURCES.md); it lives
// outside the repository and is never copied into it.
const corpusDir = "../../shared/corpus"

// mdHeadingOrPoint spots, by line, a heading or a list point in markdown;
// good enough to tell whether ErrNoNotes is deserved.
var mdHeadingOrPoint = regexp.MustCompile(`(?m)^ {0,3}(#{1,6}\s|[*+-]\s+\S|\d+[.)]\s+\S)`)

func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.md"))
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(f)
			talks, err := Parse(name, src)
			if errors.Is(err, ErrNoNotes) {
				if mdHeadingOrPoint.Match(src) {
					t.Errorf("ErrNoNotes, but the file has headings or points")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(talks) == 0 {
				t.Fatal("no talks and no error")
			}
			checkInvariants(t, name, src, talks, true)
		})
	}
}

func TestSeedNotes(t *testing.T) {
	src, err := os.ReadFile("../../shared/seed-notes.md")
	if err != nil {
		t.Skip("no seed notes")
	}
	talks, err := Parse("seed-notes.md", src)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, "seed-notes.md", src, talks, true)
	if len(talks) != 5 {
		t.Errorf("%d talks, want 5", len(talks))
	}
	if b := talks[0].Body; len(b) != 2 || b[1].Intro == nil || b[1].Intro.Text != "Some cons:" {
		t.Errorf("first talk body:\n%s", Dump(talks[:1]))
	}
}

func BenchmarkParse10MB(b *testing.B) {
	src, err := os.ReadFile("testdata/seedlike.md")
	if err != nil {
		b.Fatal(err)
	}
	var big []byte
	for len(big) < 10<<20 {
		big = append(big, src...)
		big = append(big, '\n')
	}
	b.SetBytes(int64(len(big)))
	for b.Loop() {
		if _, err := Parse("big.md", big); err != nil {
			b.Fatal(err)
		}
	}
}
