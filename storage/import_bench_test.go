package storage

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/notes"
)

// benchSources parses the notes folder in TALKCARDS_BENCH_NOTES (e.g.
// talkbench's 10 MB in /tmp/tb1k/import/notes) as the import command
// would, so that the benchmarks time the storage side alone.
func benchSources(b testing.TB) []SourceFile {
	dir := os.Getenv("TALKCARDS_BENCH_NOTES")
	if dir == "" {
		b.Skip("TALKCARDS_BENCH_NOTES not set")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no notes in %s: %v", dir, err)
	}
	var files []SourceFile
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		talks, err := notes.Parse(p, src)
		if err != nil {
			b.Fatal(err)
		}
		f := SourceFile{Path: p, Hash: sha256.Sum256(src), Size: int64(len(src)), Generator: deck.GeneratorVersion, Name: p}
		for _, t := range talks {
			slug := deck.Slug(t.Title)
			if slug == "" {
				slug = "talk-" + strings.Repeat("x", 8)
			}
			f.Talks = append(f.Talks, GeneratedTalk{Slug: slug, Title: t.Title, Meta: t.Meta, Cards: deck.Generate(t)})
		}
		files = append(files, f)
	}
	return files
}

// BenchmarkImportNewDatabase is the write side of importing a large
// collection of notes into a database that does not exist yet.
func BenchmarkImportNewDatabase(b *testing.B) {
	files := benchSources(b)
	opt := ImportOptions{Now: t0, Roots: []string{filepath.Dir(files[0].Path)}}
	b.Run("Open+Import", func(b *testing.B) {
		for b.Loop() {
			db, err := Open(filepath.Join(b.TempDir(), "t.db"), Options{InitialMmapSize: 1 << 30})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.Import(files, opt); err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("ImportNew", func(b *testing.B) {
		for b.Loop() {
			if _, err := ImportNew(filepath.Join(b.TempDir(), "t.db"), files, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
}
