package storage

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// The generator version the keep tests use; any non-zero value.
const testGen = 7

// generated marks f as made by generator gen under the file's own name,
// with a hash of its own (what the caller's sha256 would be).
func generated(f SourceFile, gen uint64, content string) SourceFile {
	f.Generator, f.Name = gen, f.Path
	f.Hash = [32]byte{}
	copy(f.Hash[:], content)
	return f
}

// kept is f as a caller passes it when Keepable allows: no talks.
func kept(f SourceFile) SourceFile {
	f.Kept, f.Talks = true, nil
	return f
}

func goFile(keys ...string) SourceFile {
	return generated(version(keys...), testGen, "go:"+keys[len(keys)-1])
}

func rustFile(keys ...string) SourceFile {
	var cards []deck.Card
	for i, k := range keys {
		cards = append(cards, card("Rust Talk", nil, deck.QA, k, i))
	}
	return generated(file("/notes/b.md", talk("Rust Talk", cards...)), testGen, "rust:"+keys[len(keys)-1])
}

// twins runs the same imports on two databases, then the last step with
// the kept files read whole in one and kept in the other: a kept file must
// give the very report and database a full import gives.
func twins(t *testing.T, setup [][]SourceFile, last []SourceFile) ImportReport {
	t.Helper()
	full, _ := openTest(t)
	keep, _ := openTest(t)
	for _, db := range []*DB{full, keep} {
		for _, files := range setup {
			if _, err := db.Import(files, ImportOptions{Now: t0, Roots: []string{"/notes"}}); err != nil {
				t.Fatal(err)
			}
		}
		st := scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 3}
		if err := db.Record("ann", Review{Time: t0, Card: setup[0][0].Talks[0].Cards[0].ID, Grade: 5}, 2, &st); err != nil {
			t.Fatal(err)
		}
	}
	keepable, err := keep.Keepable(testGen)
	if err != nil {
		t.Fatal(err)
	}
	var lastKept []SourceFile
	nKept := 0
	for _, f := range last {
		if k, ok := keepable[f.Path]; ok && k.Hash == f.Hash && k.Name == f.Name && !f.Missing {
			f = kept(f)
			nKept++
		}
		lastKept = append(lastKept, f)
	}
	if nKept == 0 {
		t.Fatal("no file kept")
	}
	want, err := full.Import(last, ImportOptions{Now: t0, Roots: []string{"/notes"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := keep.Import(lastKept, ImportOptions{Now: t0, Roots: []string{"/notes"}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report with kept files %+v, full import %+v", got, want)
	}
	if g, w := dump(t, keep), dump(t, full); g != w {
		t.Errorf("database with kept files differs from a full import:\n%s", firstDiff(g, w))
	}
	return got
}

func TestKeepUnchangedFile(t *testing.T) {
	a, b := goFile("goroutines are cheap", "channels carry values"), rustFile("what is ownership?")
	rep := twins(t, [][]SourceFile{{a, b}}, []SourceFile{a, b})
	var n int
	for _, r := range rep.Talks {
		n += r.Unchanged
		if r.New+r.Updated+r.Retired != 0 {
			t.Errorf("talk %s: %+v", r.Slug, countsOf(r))
		}
	}
	if n != 3 || len(rep.Talks) != 2 {
		t.Errorf("report %+v", rep)
	}
}

func TestKeepBesideChangedFile(t *testing.T) {
	a := goFile("goroutines are cheap", "channels carry values")
	b := rustFile("what is ownership?", "what is borrowing?")
	b2 := rustFile("what is ownership?", "what is a lifetime?")
	twins(t, [][]SourceFile{{a, b}}, []SourceFile{a, b2})
	// and the other way round, with a retired card restored in the changed file
	twins(t, [][]SourceFile{{a, b}, {a, b2}}, []SourceFile{b, a})
}

func TestKeepReportsCountsOfRetiredAndRestored(t *testing.T) {
	a1 := goFile("goroutines are cheap", "channels carry values", "select waits")
	a2 := goFile("goroutines are cheap", "select waits")
	a3 := goFile("goroutines are cheap", "channels carry values", "select waits", "x")
	b := rustFile("what is ownership?")
	// a2 retired a card, a3 restored it: a's cards now are a3's.
	twins(t, [][]SourceFile{{a1, b}, {a2}, {a3}}, []SourceFile{a3, b})
}

func TestKeepDryRun(t *testing.T) {
	db, path := openTest(t)
	a, b := goFile("goroutines are cheap"), rustFile("what is ownership?")
	mustImport(t, db, a, b)
	before := fileBytes(t, path)
	dry, err := db.Import([]SourceFile{kept(a), b}, ImportOptions{DryRun: true, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, path, before)
	real := mustImport(t, db, a, b)
	dry.DryRun = false
	if !reflect.DeepEqual(dry, real) {
		t.Errorf("dry run with a kept file %+v, real %+v", dry, real)
	}
}

// keepable lists the paths Keepable offers for generator gen.
func keepable(t *testing.T, db *DB, gen uint64) []string {
	t.Helper()
	k, err := db.Keepable(gen)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := range k {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func wantStale(t *testing.T, err error, paths ...string) {
	t.Helper()
	var stale *StaleError
	if !errors.As(err, &stale) || !slices.Equal(stale.Paths, paths) {
		t.Errorf("got %v, want a StaleError naming %v", err, paths)
	}
}

func TestKeepOnlySameGeneratorContentAndName(t *testing.T) {
	db, path := openTest(t)
	a, b := goFile("goroutines are cheap"), rustFile("what is ownership?")
	mustImport(t, db, a, b)
	if got := keepable(t, db, testGen); !slices.Equal(got, []string{notesA, "/notes/b.md"}) {
		t.Errorf("keepable = %v", got)
	}
	k, _ := db.Keepable(testGen)
	if k[notesA].Hash != a.Hash || k[notesA].Name != notesA || k[notesA].Cards != 1 {
		t.Errorf("keepable a = %+v", k[notesA])
	}
	if got := keepable(t, db, testGen+1); len(got) != 0 {
		t.Errorf("a newer generator keeps %v", got)
	}
	before := fileBytes(t, path)
	older := kept(a)
	older.Generator = testGen + 1
	_, err := db.Import([]SourceFile{older, kept(b)}, ImportOptions{Now: t0})
	wantStale(t, err, notesA)
	edited := kept(a)
	edited.Hash[31] = 1
	renamed := kept(b)
	renamed.Name = "b.md"
	_, err = db.Import([]SourceFile{edited, renamed}, ImportOptions{Now: t0})
	wantStale(t, err, notesA, "/notes/b.md")
	sameBytes(t, path, before)

	// Cards made some other way (generator 0) are never kept.
	mustImport(t, db, version("goroutines are cheap"))
	if got := keepable(t, db, testGen); !slices.Equal(got, []string{"/notes/b.md"}) {
		t.Errorf("keepable after an import without generator = %v", got)
	}
	// A file gone is forgotten.
	mustImport(t, db, SourceFile{Path: "/notes/b.md", Missing: true})
	if got := keepable(t, db, testGen); len(got) != 0 {
		t.Errorf("keepable after the file went = %v", got)
	}
}

// A card both files make belongs to one of them: whichever goes first in a
// full import. Neither is kept while they share the talk, nor after the
// other file took the card and later dropped it (the card is retired, and
// only reading the kept file again brings it back).
func TestKeepNotWhenAnotherFileTookACard(t *testing.T) {
	db, _ := openTest(t)
	a := goFile("goroutines are cheap", "channels carry values")
	mustImport(t, db, a)
	// b: the same talk, one of a's points and one of its own
	b := generated(file("/notes/b.md", talk("Go at Scale",
		card("Go at Scale", sec, deck.Cloze, "channels carry values", 0),
		card("Go at Scale", sec, deck.Cloze, "b's own", 1))), testGen, "b1")
	mustImport(t, db, b)
	if got := keepable(t, db, testGen); len(got) != 0 {
		t.Errorf("files of a shared talk kept: %v", got)
	}
	_, err := db.Import([]SourceFile{kept(a)}, ImportOptions{Now: t0})
	wantStale(t, err, notesA)
	// b drops the talk: the card it took is retired, a alone lists the talk.
	b2 := generated(file("/notes/b.md", talk("Rust Talk", card("Rust Talk", nil, deck.QA, "what is ownership?", 0))), testGen, "b2")
	mustImport(t, db, b2)
	if got := keepable(t, db, testGen); !slices.Equal(got, []string{"/notes/b.md"}) {
		t.Errorf("keepable = %v, want only b", got)
	}
	_, err = db.Import([]SourceFile{kept(a)}, ImportOptions{Now: t0})
	wantStale(t, err, notesA)
	rep := mustImport(t, db, a)
	if got := countsOf(rep.Talks[0]); got != (counts{New: 1, Restored: 1, Unchanged: 1}) {
		t.Errorf("a read again: %+v", got)
	}
	if got := keepable(t, db, testGen); !slices.Equal(got, []string{notesA, "/notes/b.md"}) {
		t.Errorf("keepable after reading a again = %v", got)
	}
}

// A file that makes a card another file of the same import holds is not
// remembered: its cards are not all its own.
func TestKeepNotWhenSharingACard(t *testing.T) {
	db, _ := openTest(t)
	a := goFile("goroutines are cheap", "channels carry values")
	b := generated(file("/notes/b.md", talk("Go at Scale", card("Go at Scale", sec, deck.Cloze, "channels carry values", 0))), testGen, "b")
	mustImport(t, db, a, b)
	if got := keepable(t, db, testGen); len(got) != 0 {
		t.Errorf("keepable = %v", got)
	}
}

// A file read in the same import that makes a talk of a kept file: only a
// full import knows which file's card and title win.
func TestKeepStaleWhenAFileReadMakesItsTalk(t *testing.T) {
	db, path := openTest(t)
	a := goFile("goroutines are cheap")
	mustImport(t, db, a)
	before := fileBytes(t, path)
	c := generated(file("/notes/c.md", talk("Go at Scale", card("Go at Scale", sec, deck.Cloze, "goroutines are cheap", 0))), testGen, "c")
	_, err := db.Import([]SourceFile{c, kept(a)}, ImportOptions{Now: t0})
	wantStale(t, err, notesA)
	sameBytes(t, path, before)
}
