package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/storage"
)

// benchNotesDir is the notes the import benchmarks read: the folder in
// TALKCARDS_BENCH_NOTES (e.g. talkbench's 10 MB in /tmp/tb1k/import/notes),
// else 1 MiB of synthetic notes written here, 20 talks a file.
func benchNotesDir(b *testing.B) string {
	if dir := os.Getenv("TALKCARDS_BENCH_NOTES"); dir != "" {
		return dir
	}
	dir := b.TempDir()
	words := strings.Fields("latency throughput cache queue shard replica leader quorum raft index btree commit snapshot lock channel goroutine kernel buffer retry timeout deadline tracing rollout canary migration backup café naïve")
	w := func(i, n int) string {
		out := make([]string, n)
		for k := range out {
			out[k] = words[(i*7+k*13)%len(words)]
		}
		return strings.Join(out, " ")
	}
	size := 0
	for f := 0; size < 1<<20; f++ {
		var sb strings.Builder
		for t := range 20 {
			id := f*20 + t
			fmt.Fprintf(&sb, "# Talk %d: %s\n\nSpeaker: Ada Lovelace\n\n", id, w(id, 3))
			for s := range 6 {
				fmt.Fprintf(&sb, "## Part %d %s\n\n", s, w(id+s, 2))
				for p := range 2 + (id+s)%5 {
					fmt.Fprintf(&sb, "- %s %d.%d\n", w(id*s+p, 4+p), s, p)
					if p == 1 && s%3 == 0 {
						fmt.Fprintf(&sb, "  - %s **%s**\n", w(p+s, 3), w(id, 1))
					}
				}
				if s == 4 {
					fmt.Fprintf(&sb, "\n%s: %s.\n", strings.ToUpper(w(id, 1)[:1])+w(id, 1)[1:], w(id+3, 6))
				}
				sb.WriteString("\n")
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("conf-%04d.md", f)), []byte(sb.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		size += sb.Len()
	}
	return dir
}

// BenchmarkImportNotes is a whole import of a folder of notes into a new
// database: read, parse and generate on every core, then one transaction.
func BenchmarkImportNotes(b *testing.B) {
	dir := benchNotesDir(b)
	b.ReportAllocs()
	cards := 0
	for b.Loop() {
		l, err := loadNotes([]string{dir})
		if err != nil {
			b.Fatal(err)
		}
		db, err := storage.Open(filepath.Join(b.TempDir(), "t.db"), storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Import(l.files, storage.ImportOptions{Now: time.Unix(0, 0), Roots: l.roots}); err != nil {
			b.Fatal(err)
		}
		db.Close()
		cards = l.numCards
	}
	b.ReportMetric(float64(cards), "cards/op")
}

// BenchmarkReimportNotes imports the same unchanged notes again: every
// file is kept as stored, read and hashed but not parsed.
func BenchmarkReimportNotes(b *testing.B) {
	dir := benchNotesDir(b)
	db, err := storage.Open(filepath.Join(b.TempDir(), "t.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	l, err := loadNotes([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Import(l.files, storage.ImportOptions{Now: time.Unix(0, 0), Roots: l.roots}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		keep, err := db.Keepable(deck.GeneratorVersion)
		if err != nil {
			b.Fatal(err)
		}
		l, err := loadNotesKeeping([]string{dir}, keep)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := importLoaded(db, l, storage.ImportOptions{Now: time.Unix(0, 0), Roots: l.roots}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportCommand is the whole import command into a new database,
// as a user runs it (the handle options, backups, the report).
func BenchmarkImportCommand(b *testing.B) {
	dir := benchNotesDir(b)
	b.ReportAllocs()
	for b.Loop() {
		env := map[string]string{
			"TALKCARDS_DB":   filepath.Join(b.TempDir(), "t.db"),
			"TALKCARDS_USER": "bench",
			"TALKCARDS_NOW":  "2026-06-01T10:00:00Z",
		}
		var stderr strings.Builder
		if code := run([]string{"import", dir}, strings.NewReader(""), io.Discard, &stderr, func(k string) string { return env[k] }); code != 0 {
			b.Fatalf("import: exit %d: %s", code, stderr.String())
		}
	}
}
