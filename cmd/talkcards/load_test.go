package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/notes"
	"github.com/talkcards/talkcards/storage"
)

// writeNotes writes notes files into dir, by name.
func writeNotes(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// threeTalks is three notes files of one talk each, for the re-import
// tests: a.md, b.md and c.md.
func threeTalks() map[string]string {
	return map[string]string{
		"a.md": talkNotes("Caches at Scale", "caches hide latency", "invalidation is hard"),
		"b.md": talkNotes("Queues in Practice", "queues absorb bursts", "backpressure protects the consumer"),
		"c.md": talkNotes("Consensus", "raft elects a leader", "a quorum is a majority"),
	}
}

func talkNotes(title string, points ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\nSpeaker: Ada Lovelace\n\n## Main ideas\n\n", title)
	for _, p := range points {
		fmt.Fprintf(&b, "- %s\n", p)
	}
	b.WriteString("\n## Questions\n\nWhy does it matter?\n\nBecause tail latency compounds.\n")
	return b.String()
}

func openDBAt(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// importDir imports dir into db as the import command does, keeping what
// the database allows when keep is set.
func importDir(t *testing.T, db *storage.DB, dir string, keep bool) (storage.ImportReport, *loaded) {
	t.Helper()
	var k map[string]storage.Keepable
	if keep {
		var err error
		if k, err = db.Keepable(deck.GeneratorVersion); err != nil {
			t.Fatal(err)
		}
	}
	l, err := loadNotesKeeping([]string{dir}, k)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := importLoaded(db, l, storage.ImportOptions{Now: time.Unix(0, 0).UTC(), Roots: l.roots})
	if err != nil {
		t.Fatal(err)
	}
	return rep, l
}

func keptPaths(l *loaded) []string {
	var out []string
	for _, f := range l.files {
		if f.Kept {
			out = append(out, filepath.Base(f.Path))
		}
	}
	return out
}

func sameCards(t *testing.T, got, want *storage.DB) {
	t.Helper()
	g, err1 := got.Cards("")
	w, err2 := want.Cards("")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("cards differ from a full import: %d cards, want %d", len(g), len(w))
	}
}

// Re-importing unchanged notes keeps them without parsing, with the report
// and cards a full import gives; an edited file is read again.
func TestImportKeepsUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	writeNotes(t, dir, threeTalks())
	kdb := openDBAt(t, filepath.Join(t.TempDir(), "keep.db"))
	fdb := openDBAt(t, filepath.Join(t.TempDir(), "full.db"))
	first, l := importDir(t, kdb, dir, true)
	if got := keptPaths(l); got != nil {
		t.Errorf("new database kept %v", got)
	}
	if want, _ := importDir(t, fdb, dir, false); !reflect.DeepEqual(first, want) {
		t.Errorf("first import %+v, want %+v", first, want)
	}

	steps := []struct {
		edit map[string]string
		kept []string
	}{
		{nil, []string{"a.md", "b.md", "c.md"}},
		{map[string]string{"b.md": talkNotes("Queues in Practice", "queues absorb bursts", "a new point about queues")}, []string{"a.md", "c.md"}},
		{map[string]string{"b.md": talkNotes("Queues in Practice", "queues absorb bursts", "backpressure protects the consumer")}, []string{"a.md", "c.md"}},
		{nil, []string{"a.md", "b.md", "c.md"}},
	}
	for i, s := range steps {
		writeNotes(t, dir, s.edit)
		got, l := importDir(t, kdb, dir, true)
		want, _ := importDir(t, fdb, dir, false)
		if k := keptPaths(l); !reflect.DeepEqual(k, s.kept) {
			t.Errorf("step %d: kept %v, want %v", i, k, s.kept)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("step %d: report %+v, full import %+v", i, got, want)
		}
		var out, fullOut strings.Builder
		printImportReport(&out, got)
		printImportReport(&fullOut, want)
		if out.String() != fullOut.String() {
			t.Errorf("step %d: printed report\n%s\nwant\n%s", i, out.String(), fullOut.String())
		}
		sameCards(t, kdb, fdb)
	}
}

// Files loaded as kept that the database no longer allows to keep (it
// changed since) are read again and the import goes through.
func TestImportRereadsStaleKeptFiles(t *testing.T) {
	dir := t.TempDir()
	writeNotes(t, dir, map[string]string{
		"a.md": talkNotes("Caches at Scale", "caches hide latency"),
		"b.md": talkNotes("Queues in Practice", "queues absorb bursts"),
	})
	db := openDBAt(t, filepath.Join(t.TempDir(), "keep.db"))
	fdb := openDBAt(t, filepath.Join(t.TempDir(), "full.db"))
	importDir(t, db, dir, true)
	importDir(t, fdb, dir, false)
	keep, err := db.Keepable(deck.GeneratorVersion)
	if err != nil {
		t.Fatal(err)
	}
	l, err := loadNotesKeeping([]string{dir}, keep)
	if err != nil {
		t.Fatal(err)
	}
	if got := keptPaths(l); len(got) != 2 {
		t.Fatalf("kept %v", got)
	}
	// Meanwhile another import changes a.md's cards.
	other := t.TempDir()
	writeNotes(t, other, map[string]string{"a.md": talkNotes("Caches at Scale", "caches hide latency", "and more")})
	ol, err := loadNotes([]string{filepath.Join(other, "a.md")})
	if err != nil {
		t.Fatal(err)
	}
	ol.files[0].Path = l.files[0].Path
	for _, d := range []*storage.DB{db, fdb} {
		if _, err := d.Import(ol.files, storage.ImportOptions{Now: time.Unix(0, 0).UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := importLoaded(db, l, storage.ImportOptions{Now: time.Unix(0, 0).UTC(), Roots: l.roots})
	if err != nil {
		t.Fatal(err)
	}
	if k := keptPaths(l); !reflect.DeepEqual(k, []string{"b.md"}) {
		t.Errorf("after the retry kept %v, want b.md", k)
	}
	want, _ := importDir(t, fdb, dir, false)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report %+v, full import %+v", got, want)
	}
	sameCards(t, db, fdb)
}

// Files are loaded in parallel, but the result is in file order and the
// error is the first failing file's.
func TestLoadNotesOrderAndFirstError(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("n%02d.md", i)] = talkNotes(fmt.Sprintf("Talk %d", i), fmt.Sprintf("point %d is here", i))
	}
	writeNotes(t, dir, files)
	l, err := loadNotes([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range l.files {
		if got, want := filepath.Base(f.Path), fmt.Sprintf("n%02d.md", i); got != want {
			t.Fatalf("file %d is %s, want %s", i, got, want)
		}
		if f.Talks[0].Title != fmt.Sprintf("Talk %d", i) {
			t.Fatalf("file %d holds %q", i, f.Talks[0].Title)
		}
	}
	writeNotes(t, dir, map[string]string{"n17.md": "# Bad\n\n- \xff\xfe\n", "n29.md": "# Bad\n\n- \xff\xfe\n"})
	for range 5 {
		_, err := loadNotes([]string{dir})
		if !errors.Is(err, notes.ErrInvalidUTF8) || !strings.Contains(err.Error(), "n17.md") {
			t.Fatalf("error %v, want n17.md's", err)
		}
	}
}
