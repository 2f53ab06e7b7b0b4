package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
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

// fortyTalks writes forty notes files n00.md to n39.md, "Talk 0" to
// "Talk 39", into a new folder.
func fortyTalks(t *testing.T) (string, map[string]string) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("n%02d.md", i)] = talkNotes(fmt.Sprintf("Talk %d", i), fmt.Sprintf("point %d is here", i))
	}
	writeNotes(t, dir, files)
	return dir, files
}

// Files are loaded in parallel, but the result is in file order and the
// error is the first failing file's.
func TestLoadNotesOrderAndFirstError(t *testing.T) {
	dir, _ := fortyTalks(t)
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

// loadNotesTo gives each file to the sink in file order, up to the first
// file that fails, and forgets the talks of those it gave.
func TestLoadNotesToStreamsInOrder(t *testing.T) {
	dir, files := fortyTalks(t)
	var got []string
	sink := func(f storage.SourceFile) error {
		if len(f.Talks) != 1 || f.Talks[0].Title != fmt.Sprintf("Talk %d", len(got)) {
			t.Errorf("%s given with talks %+v", f.Path, f.Talks)
		}
		got = append(got, filepath.Base(f.Path))
		return nil
	}
	l, err := loadNotesTo([]string{dir}, nil, sink)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, f := range l.files {
		want = append(want, fmt.Sprintf("n%02d.md", i))
		if f.Talks != nil {
			t.Errorf("%s keeps its talks after the sink took them", f.Path)
		}
	}
	if !reflect.DeepEqual(got, want) || l.numCards == 0 {
		t.Errorf("sink got %v (%d cards), want %v", got, l.numCards, want)
	}

	writeNotes(t, dir, map[string]string{"n17.md": "# Bad\n\n- \xff\xfe\n"})
	got = nil
	if _, err := loadNotesTo([]string{dir}, nil, sink); !errors.Is(err, notes.ErrInvalidUTF8) {
		t.Fatalf("error %v, want n17.md's", err)
	}
	if !reflect.DeepEqual(got, want[:17]) {
		t.Errorf("with n17.md broken the sink got %v, want %v", got, want[:17])
	}

	// A sink that fails is not called again; the load itself goes on.
	writeNotes(t, dir, files)
	got = nil
	failing := func(f storage.SourceFile) error {
		got = append(got, filepath.Base(f.Path))
		if len(got) == 3 {
			return errors.New("full")
		}
		return nil
	}
	if l, err = loadNotesTo([]string{dir}, nil, failing); err != nil || len(l.files) != 40 {
		t.Fatalf("load with a failing sink: %v, %d files", err, len(l.files))
	}
	if !reflect.DeepEqual(got, want[:3]) {
		t.Errorf("failing sink got %v, want %v", got, want[:3])
	}
}

// Importing into a new database while reading the notes leaves what
// reading them all, then importing, leaves; a broken file leaves nothing;
// and a database made by another process meanwhile is imported into.
func TestImportNewDatabaseWhileReading(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 30 {
		files[fmt.Sprintf("n%02d.md", i)] = talkNotes(fmt.Sprintf("Talk %d", i%20), fmt.Sprintf("point %d is here", i), "a shared point")
	}
	writeNotes(t, dir, files)
	importCmd := func(db string) (int, string) {
		env := map[string]string{"TALKCARDS_DB": db, "TALKCARDS_USER": "ada", "TALKCARDS_NOW": "2026-06-01T10:00:00Z"}
		var out, errb strings.Builder
		code := run([]string{"import", dir}, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		return code, out.String() + errb.String()
	}

	want := openDBAt(t, filepath.Join(t.TempDir(), "want.db"))
	wantRep, _ := importDir(t, want, dir, false)

	streamed := filepath.Join(t.TempDir(), "data", "t.db")
	if code, out := importCmd(streamed); code != 0 {
		t.Fatalf("import: exit %d: %s", code, out)
	}
	sameCards(t, openDBAt(t, streamed), want)
	onlyFile(t, filepath.Dir(streamed), "t.db")

	writeNotes(t, dir, map[string]string{"n17.md": "# Bad\n\n- \xff\xfe\n"})
	broken := filepath.Join(t.TempDir(), "data", "t.db")
	if code, out := importCmd(broken); code == 0 || !strings.Contains(out, "n17.md") {
		t.Fatalf("import of a broken file: exit %d: %s", code, out)
	}
	onlyFile(t, filepath.Dir(broken))
	writeNotes(t, dir, files)

	// Another process makes the database while the notes are read: the
	// notes are read again and imported into it.
	meanwhile := filepath.Join(t.TempDir(), "t.db")
	var once sync.Once
	parsing = func(string) {
		once.Do(func() {
			db, err := storage.Open(meanwhile, storage.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			db.Close()
		})
	}
	t.Cleanup(func() { parsing = nil })
	code, out := importCmd(meanwhile)
	parsing = nil
	if code != 0 {
		t.Fatalf("import with a database made meanwhile: exit %d: %s", code, out)
	}
	n := 0
	for _, r := range wantRep.Talks {
		n += r.New
	}
	if !strings.Contains(out, fmt.Sprintf("%d new", n)) {
		t.Errorf("report %q, want %d new cards", out, n)
	}
	sameCards(t, openDBAt(t, meanwhile), want)
	onlyFile(t, filepath.Dir(meanwhile), "t.db")
}

// onlyFile fails unless dir holds exactly the files named (in name order).
func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) && len(got)+len(names) > 0 {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
