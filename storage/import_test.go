package storage

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

const notesA = "/notes/a.md"

var sec = []string{"Why Go"}

// version builds the notes of talk "Go at Scale" with the given point
// texts under one section, in order.
func version(keys ...string) SourceFile {
	var cards []deck.Card
	for i, k := range keys {
		cards = append(cards, card("Go at Scale", sec, deck.Cloze, k, i))
	}
	return file(notesA, talk("Go at Scale", cards...))
}

func TestImportSequence(t *testing.T) {
	db, _ := openTest(t)
	steps := []struct {
		name   string
		file   SourceFile
		want   counts
		active int
		retire int
	}{
		{"first", version("goroutines are cheap", "channels carry values", "interfaces are implicit"), counts{New: 3}, 3, 0},
		{"again", version("goroutines are cheap", "channels carry values", "interfaces are implicit"), counts{Unchanged: 3}, 3, 0},
		{"point dropped", version("goroutines are cheap", "channels carry values"), counts{Unchanged: 2, Retired: 1}, 2, 1},
		{"point edited", version("goroutines are very cheap", "channels carry values"), counts{Updated: 1, Unchanged: 1, Carried: 1}, 2, 2},
		{"point back", version("goroutines are very cheap", "channels carry values", "interfaces are implicit"), counts{New: 1, Restored: 1, Unchanged: 2}, 3, 1},
		{"new point, one rewritten", version("goroutines are very cheap", "select waits on channels", "interfaces are implicit", "defer runs at return"), counts{New: 2, Retired: 1, Unchanged: 2}, 4, 2},
	}
	for _, s := range steps {
		rep := mustImport(t, db, s.file)
		if len(rep.Talks) != 1 {
			t.Fatalf("%s: %d talk reports", s.name, len(rep.Talks))
		}
		if got := countsOf(rep.Talks[0]); got != s.want {
			t.Errorf("%s: got %+v, want %+v", s.name, got, s.want)
		}
		talks, err := db.Talks()
		if err != nil {
			t.Fatal(err)
		}
		if len(talks) != 1 || talks[0].Cards != s.active || talks[0].Retired != s.retire {
			t.Errorf("%s: talks %+v, want %d active %d retired", s.name, talks, s.active, s.retire)
		}
		n, active, err := db.Count()
		if err != nil || n != 1 || active != s.active {
			t.Errorf("%s: Count = %d, %d, %v", s.name, n, active, err)
		}
	}
	cards, err := db.Cards("go-at-scale")
	if err != nil {
		t.Fatal(err)
	}
	var active []string
	for _, c := range cards {
		if !c.Retired {
			active = append(active, c.Key)
		}
	}
	want := []string{"goroutines are very cheap", "select waits on channels", "interfaces are implicit", "defer runs at return"}
	if !reflect.DeepEqual(active, want) {
		t.Errorf("active cards in note order = %q, want %q", active, want)
	}
}

func TestImportUpdatedText(t *testing.T) {
	db, _ := openTest(t)
	mustImport(t, db, version("a point about goroutines"))
	f := version("a point about goroutines")
	f.Talks[0].Cards[0].Answer = "a better answer"
	rep := mustImport(t, db, f)
	if got := countsOf(rep.Talks[0]); got != (counts{Updated: 1}) {
		t.Errorf("got %+v", got)
	}
	c, err := db.Card(f.Talks[0].Cards[0].ID)
	if err != nil || c.Answer != "a better answer" {
		t.Errorf("card = %+v, %v", c, err)
	}
}

func TestRetireNeverDeletes(t *testing.T) {
	db, _ := openTest(t)
	f := version("goroutines are cheap", "interfaces are implicit")
	mustImport(t, db, f)
	gone := f.Talks[0].Cards[1].ID
	st := scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 5}
	if err := db.Record("ann", Review{Time: t0, Card: gone, Grade: 4}, 4, &st); err != nil {
		t.Fatal(err)
	}
	rep := mustImport(t, db, version("goroutines are cheap"))
	if got := countsOf(rep.Talks[0]); got != (counts{Unchanged: 1, Retired: 1}) {
		t.Errorf("got %+v", got)
	}
	c, err := db.Card(gone)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Retired || !c.RetiredAt.Equal(t0) {
		t.Errorf("retired card = %+v", c)
	}
	if s, ok, err := db.State("ann", gone); err != nil || !ok || s != st {
		t.Errorf("state of retired card = %+v %v %v", s, ok, err)
	}
	due, err := db.Due("ann", 10, 0)
	if err != nil || len(due) != 0 {
		t.Errorf("retired card due: %v %v", due, err)
	}
	n := 0
	db.Log("ann", func(uint64, Review) error { n++; return nil })
	if n != 1 {
		t.Errorf("log has %d entries, want 1", n)
	}
	all, _ := db.Cards("")
	if len(all) != 2 {
		t.Errorf("Cards(\"\") = %d cards, want 2 (retired included)", len(all))
	}
	if n, err := db.DueCount("ann", 10); err != nil || n != 0 {
		t.Errorf("retired card counted due: %d %v", n, err)
	}
	if p := verify(t, db); len(p) != 0 {
		t.Errorf("after retire: %q", p)
	}
	// Restored: back in the due index at its state's day.
	mustImport(t, db, f)
	if due, err := db.Due("ann", 10, 0); err != nil || len(due) != 1 || due[0].ID != gone || due[0].Due != 5 {
		t.Errorf("restored card due: %v %v", due, err)
	}
	if day, n, err := db.NextDue("ann", 0); err != nil || day != 5 || n != 1 {
		t.Errorf("NextDue = %v %d %v", day, n, err)
	}
	if p := verify(t, db); len(p) != 0 {
		t.Errorf("after restore: %q", p)
	}
}

func TestCarryMovesEveryUsersState(t *testing.T) {
	db, _ := openTest(t)
	mustImport(t, db, version("goroutines are cheap", "channels carry values"))
	oldID := card("Go at Scale", sec, deck.Cloze, "goroutines are cheap", 0).ID
	states := map[string]scheduler.State{
		"ann": {Repetitions: 2, Easiness: 2.6, Interval: 6, Due: 20, LastReview: 14},
		"bob": {Repetitions: 1, Easiness: 2.36, Interval: 1, Due: 15, LastReview: 14},
	}
	for u, s := range states {
		s := s
		if err := db.Record(u, Review{Time: t0, Card: oldID, Grade: 4}, 14, &s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetSettings("cid", DefaultSettings); err != nil { // a user without state
		t.Fatal(err)
	}
	rep := mustImport(t, db, version("goroutines are really cheap", "channels carry values"))
	newID := card("Go at Scale", sec, deck.Cloze, "goroutines are really cheap", 0).ID
	want := []Carry{{From: oldID, To: newID, Users: 2}}
	if !reflect.DeepEqual(rep.Talks[0].Carried, want) {
		t.Fatalf("carried %+v, want %+v", rep.Talks[0].Carried, want)
	}
	for u, s := range states {
		got, ok, err := db.State(u, newID)
		if err != nil || !ok || got != s {
			t.Errorf("%s: new card state %+v %v %v, want %+v", u, got, ok, err, s)
		}
		if _, ok, _ := db.State(u, oldID); ok {
			t.Errorf("%s: old card keeps a state", u)
		}
		due, err := db.Due(u, 100, 0)
		if err != nil || len(due) != 1 || due[0].ID != newID || due[0].Due != s.Due {
			t.Errorf("%s: due = %+v, %v", u, due, err)
		}
		var logged []string
		db.Log(u, func(_ uint64, r Review) error { logged = append(logged, r.Card); return nil })
		if !reflect.DeepEqual(logged, []string{oldID}) {
			t.Errorf("%s: log = %v, want the old card", u, logged)
		}
	}
	old, _ := db.Card(oldID)
	if !old.Retired || old.Successor != newID {
		t.Errorf("old card = %+v", old)
	}
}

func TestCarryPicksBestMatchOnce(t *testing.T) {
	db, _ := openTest(t)
	mustImport(t, db, version("the scheduler preempts goroutines", "the garbage collector is concurrent"))
	// Both edited; a third unrelated card appears; a card of another kind
	// with the same text must not take the history.
	f := version("the scheduler preempts goroutines now", "the garbage collector is mostly concurrent", "unrelated new point")
	f.Talks[0].Cards = append(f.Talks[0].Cards, card("Go at Scale", sec, deck.Definition, "the scheduler preempts goroutines", 3))
	rep := mustImport(t, db, f)
	got := countsOf(rep.Talks[0])
	if got != (counts{Updated: 2, New: 2, Carried: 2}) {
		t.Errorf("got %+v", got)
	}
	for _, c := range rep.Talks[0].Carried {
		from, _ := db.Card(c.From)
		to, _ := db.Card(c.To)
		if to.Kind != deck.Cloze || deck.Similarity(from.Key, to.Key) < CarryThreshold {
			t.Errorf("bad carry %s → %s", from.Key, to.Key)
		}
	}
}

func TestReimportUnchangedWritesNothing(t *testing.T) {
	db, _ := openTest(t)
	f := version("goroutines are cheap", "channels carry values")
	mustImport(t, db, f)
	st := scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 3}
	if err := db.Record("ann", Review{Time: t0, Card: f.Talks[0].Cards[0].ID, Grade: 5}, 2, &st); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	rep := mustImport(t, db, f)
	if got := countsOf(rep.Talks[0]); got != (counts{Unchanged: 2}) {
		t.Errorf("got %+v", got)
	}
	if after := dump(t, db); after != before {
		t.Errorf("re-import changed the data:\n%s\n---\n%s", before, after)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	db, path := openTest(t)
	mustImport(t, db, version("goroutines are cheap", "channels carry values"))
	before := fileBytes(t, path)
	next := version("goroutines are really cheap", "a new point")
	dry, err := db.Import([]SourceFile{next}, ImportOptions{DryRun: true, Now: t0, Roots: []string{"/notes"}})
	if err != nil {
		t.Fatal(err)
	}
	sameBytes(t, path, before)
	if !dry.DryRun {
		t.Error("report not marked dry run")
	}
	real := mustImport(t, db, next)
	dry.DryRun = false
	if !reflect.DeepEqual(dry, real) {
		t.Errorf("dry run report %+v, real %+v", dry, real)
	}
}

func TestImportIsAtomic(t *testing.T) {
	db, path := openTest(t)
	mustImport(t, db, version("goroutines are cheap"))
	before := dump(t, db)
	raw := fileBytes(t, path)
	bad := file("/notes/b.md", talk("Other", deck.Card{ID: "not-an-id", Prompt: "p", Answer: "a"}))
	_, err := db.Import([]SourceFile{version("goroutines are cheap", "a new point"), bad}, ImportOptions{Now: t0})
	if err == nil {
		t.Fatal("import of a bad card succeeded")
	}
	if after := dump(t, db); after != before {
		t.Errorf("failed import changed the data:\n%s\n---\n%s", before, after)
	}
	sameBytes(t, path, raw)
}

// The new keys of the three buckets are written at once, one goroutine
// each: a write that fails in one of them fails the import, which leaves
// nothing behind. A path a few bytes under bbolt's key limit is a valid
// file key, but its per-file index key (path, 0, card key) is over it.
func TestImportWriteErrorIsAtomic(t *testing.T) {
	db, path := openTest(t)
	mustImport(t, db, version("goroutines are cheap"))
	before := dump(t, db)
	raw := fileBytes(t, path)
	long := "/" + strings.Repeat("n", bolt.MaxKeySize-9) + ".md"
	_, err := db.Import([]SourceFile{version("goroutines are cheap", "a new point"), file(long, talk("Other", card("Other", nil, deck.Cloze, "a point of the other talk", 0)))}, ImportOptions{Now: t0})
	if !errors.Is(err, berrors.ErrKeyTooLarge) {
		t.Fatalf("import with an index key over the limit: %v", err)
	}
	if after := dump(t, db); after != before {
		t.Errorf("failed import changed the data:\n%s\n---\n%s", before, after)
	}
	sameBytes(t, path, raw)
}

func TestImportOtherFilesUntouched(t *testing.T) {
	db, _ := openTest(t)
	b := file("/notes/b.md", talk("Rust Talk", card("Rust Talk", nil, deck.QA, "what is ownership?", 0)))
	mustImport(t, db, version("goroutines are cheap"), b)
	before := dump(t, db, "cards")
	rep := mustImport(t, db, version("goroutines are cheap", "more"))
	if len(rep.Talks) != 1 || rep.Talks[0].Slug != "go-at-scale" {
		t.Errorf("report %+v", rep)
	}
	mustImport(t, db, version("goroutines are cheap"))
	if after := dump(t, db, "cards"); len(after) < len(before) {
		t.Error("cards lost")
	}
	c, err := db.Card(b.Talks[0].Cards[0].ID)
	if err != nil || c.Retired {
		t.Errorf("other file's card %+v %v", c, err)
	}
	// A vanished file retires its cards; its talk stays listed.
	rep = mustImport(t, db, SourceFile{Path: "/notes/b.md", Missing: true})
	if got := countsOf(rep.Talks[0]); got != (counts{Retired: 1}) {
		t.Errorf("missing file: %+v", got)
	}
	talks, _ := db.Talks()
	if len(talks) != 2 || talks[1].Slug != "rust-talk" || talks[1].Cards != 0 || talks[1].Retired != 1 || talks[0].Seq >= talks[1].Seq {
		t.Errorf("talks = %+v", talks)
	}
	files, _ := db.Files()
	if _, ok := files["/notes/b.md"]; ok || len(files) != 1 {
		t.Errorf("files = %v", files)
	}
}

func TestSources(t *testing.T) {
	db, _ := openTest(t)
	a := version("goroutines are cheap")
	a.Hash[0] = 7
	single := file("/elsewhere/x.txt", talk("X", card("X", nil, deck.QA, "why?", 0)))
	_, err := db.Import([]SourceFile{a, single}, ImportOptions{Now: t0, Roots: []string{"/notes", "/elsewhere/x.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	src, err := db.Sources()
	if err != nil {
		t.Fatal(err)
	}
	want := []Source{
		{Path: "/elsewhere/x.txt", Files: map[string]FileStamp{"/elsewhere/x.txt": {Size: 1, ModTime: t0}}},
		{Path: "/notes", Dir: true, Files: map[string]FileStamp{notesA: {Hash: a.Hash, Size: 1, ModTime: t0}}},
	}
	if !reflect.DeepEqual(src, want) {
		t.Errorf("sources = %+v\nwant %+v", src, want)
	}
}

func TestCardNotFound(t *testing.T) {
	db, _ := openTest(t)
	if _, err := db.Card("0123456789abcdef"); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v", err)
	}
	if _, err := db.Cards("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}
