package storage

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// deckOf imports one talk of n cloze cards and returns their IDs in note order.
func deckOf(t testing.TB, db *DB, n int) []string {
	t.Helper()
	var keys []string
	for i := range n {
		keys = append(keys, fmt.Sprintf("point number %d about goroutines", i))
	}
	f := version(keys...)
	mustImport(t, db, f)
	var ids []string
	for _, c := range f.Talks[0].Cards {
		ids = append(ids, c.ID)
	}
	return ids
}

func record(t testing.TB, db *DB, user, id string, grade int, day scheduler.Day, next *scheduler.State) {
	t.Helper()
	r := Review{Time: t0.Add(time.Duration(day) * time.Hour), Card: id, Grade: scheduler.Grade(grade), Took: 1500 * time.Millisecond}
	if next != nil {
		r.Interval, r.Easiness = next.Interval, next.Easiness
	}
	if err := db.Record(user, r, day, next); err != nil {
		t.Fatal(err)
	}
}

func TestRecordUndoRoundTrip(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 4)
	record(t, db, "ann", ids[0], 4, 10, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 11, LastReview: 10})
	steps := []struct {
		name string
		id   string
		next *scheduler.State
	}{
		{"new card", ids[1], &scheduler.State{Repetitions: 1, Easiness: 2.36, Interval: 1, Due: 11, LastReview: 10}},
		{"review", ids[0], &scheduler.State{Repetitions: 2, Easiness: 2.6, Interval: 6, Due: 16, LastReview: 10}},
		{"repeat, no state", ids[0], nil},
		{"new card out of order", ids[3], &scheduler.State{Repetitions: 0, Easiness: 1.96, Interval: 1, Due: 11, Lapses: 0, LastReview: 10}},
	}
	for _, s := range steps {
		before := dump(t, db)
		dueBefore, _ := db.Due("ann", 100, 0)
		record(t, db, "ann", s.id, 3, 10, s.next)
		if dump(t, db) == before {
			t.Fatalf("%s: Record changed nothing", s.name)
		}
		r, ok, err := db.Undo("ann")
		if err != nil || !ok || r.Card != s.id || r.Grade != 3 {
			t.Fatalf("%s: Undo = %+v %v %v", s.name, r, ok, err)
		}
		if after := dump(t, db); after != before {
			t.Errorf("%s: undo did not restore:\n%s\n---\n%s", s.name, before, after)
		}
		if dueAfter, _ := db.Due("ann", 100, 0); !reflect.DeepEqual(dueAfter, dueBefore) {
			t.Errorf("%s: due %v, was %v", s.name, dueAfter, dueBefore)
		}
	}
	// Several levels, then nothing left.
	before := dump(t, db, "users", "ann")
	record(t, db, "ann", ids[2], 5, 11, &scheduler.State{Repetitions: 1, Easiness: 2.6, Interval: 1, Due: 12, LastReview: 11})
	record(t, db, "ann", ids[2], 5, 12, &scheduler.State{Repetitions: 2, Easiness: 2.7, Interval: 6, Due: 18, LastReview: 12})
	for range 2 {
		if _, ok, err := db.Undo("ann"); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	if after := dump(t, db, "users", "ann"); after != before {
		t.Errorf("two undos did not restore:\n%s\n---\n%s", before, after)
	}
	if _, ok, _ := db.Undo("ann"); !ok {
		t.Fatal("first review not undoable")
	}
	if _, ok, err := db.Undo("ann"); ok || err != nil {
		t.Errorf("undo with empty history: %v %v", ok, err)
	}
	if _, ok, err := db.Undo("nobody"); ok || err != nil {
		t.Errorf("undo of unknown user: %v %v", ok, err)
	}
}

func TestUndoStaleAfterCarry(t *testing.T) {
	db, _ := openTest(t)
	mustImport(t, db, version("goroutines are cheap"))
	id := card("Go at Scale", sec, deck.Cloze, "goroutines are cheap", 0).ID
	record(t, db, "ann", id, 4, 1, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 2, LastReview: 1})
	mustImport(t, db, version("goroutines are really cheap"))
	before := dump(t, db)
	if _, ok, err := db.Undo("ann"); ok || !errors.Is(err, ErrUndoStale) {
		t.Errorf("undo after carry: %v %v", ok, err)
	}
	if dump(t, db) != before {
		t.Error("refused undo changed data")
	}
}

// TestUndoAfterReorder: undoing a card's first answer after an import
// moved it before the global "introduced" marker leaves it new and found
// (listed in early), not skipped by NewCards.
func TestUndoAfterReorder(t *testing.T) {
	db, _ := openTest(t)
	a := card("Go at Scale", sec, deck.QA, "point a", 0)
	b := card("Go at Scale", sec, deck.QA, "point b", 1)
	c := card("Go at Scale", sec, deck.QA, "point c", 2)
	mustImport(t, db, file(notesA, talk("Go at Scale", a, b, c)))
	st := &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 2, LastReview: 1}
	record(t, db, "ann", a.ID, 4, 1, st)
	record(t, db, "ann", c.ID, 4, 1, st)
	c.Seq, a.Seq, b.Seq = 0, 1, 2
	mustImport(t, db, file(notesA, talk("Go at Scale", c, a, b)))
	if _, ok, err := db.Undo("ann"); !ok || err != nil {
		t.Fatalf("undo: %v %v", ok, err)
	}
	if problems, err := db.Verify(); err != nil || len(problems) != 0 {
		t.Errorf("after the undo: %v %v", problems, err)
	}
	got, err := db.NewCards("ann", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{c.ID, b.ID}; !slices.Equal(got, want) {
		t.Errorf("new cards %v, want %v (c, then b)", got, want)
	}
}

func TestUsersIsolated(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 3)
	record(t, db, "bob", ids[0], 4, 5, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 6, LastReview: 5})
	if err := db.SetSettings("bob", Settings{NewPerDay: 5, DayStartHour: 3}); err != nil {
		t.Fatal(err)
	}
	bob := dump(t, db, "users", "bob")
	record(t, db, "ann", ids[0], 2, 5, &scheduler.State{Easiness: 2.18, Interval: 1, Due: 6, Lapses: 1, LastReview: 5})
	record(t, db, "ann", ids[1], 5, 5, &scheduler.State{Repetitions: 1, Easiness: 2.6, Interval: 1, Due: 6, LastReview: 5})
	record(t, db, "ann", ids[1], 5, 5, nil)
	if err := db.SetSuspended("ann", ids[0], true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSuspended("ann", ids[2], true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSuspended("ann", ids[2], false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSettings("ann", Settings{NewPerDay: 1}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Undo("ann"); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "users", "bob"); got != bob {
		t.Errorf("ann's work changed bob's data:\n%s\n---\n%s", bob, got)
	}
	s, err := db.Settings("bob")
	if err != nil || s != (Settings{NewPerDay: 5, DayStartHour: 3}) {
		t.Errorf("bob settings %+v %v", s, err)
	}
	if s, _ := db.Settings("carl"); s != DefaultSettings {
		t.Errorf("default settings %+v", s)
	}
	users, err := db.Users()
	if err != nil {
		t.Fatal(err)
	}
	want := []UserInfo{
		{Name: "ann", CardsSeen: 2, Reviews: 2, LastReview: t0.Add(5 * time.Hour)},
		{Name: "bob", CardsSeen: 1, Reviews: 1, LastReview: t0.Add(5 * time.Hour)},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users = %+v\nwant %+v", users, want)
	}
	for _, bad := range []string{"", "a/b", "ann bob"} {
		if err := db.Record(bad, Review{Card: ids[0]}, 1, nil); !errors.Is(err, ErrBadUser) {
			t.Errorf("Record(%q): %v", bad, err)
		}
		if _, err := db.States(bad); !errors.Is(err, ErrBadUser) {
			t.Errorf("States(%q): %v", bad, err)
		}
	}
	if err := db.Record("ann", Review{Card: "0123456789abcdef"}, 1, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown card: %v", err)
	}
}

func TestDueOrder(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 6)
	due := []scheduler.Day{30, -3, 12, 12, 45, 5}
	for i, id := range ids {
		record(t, db, "ann", id, 4, 1, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: due[i], LastReview: 1})
	}
	// Reviewing moves the index entry; suspending takes it out.
	record(t, db, "ann", ids[4], 4, 2, &scheduler.State{Repetitions: 2, Easiness: 2.5, Interval: 6, Due: 8, LastReview: 2})
	if err := db.SetSuspended("ann", ids[0], true); err != nil {
		t.Fatal(err)
	}
	got, err := db.Due("ann", 12, 0)
	if err != nil {
		t.Fatal(err)
	}
	var days []scheduler.Day
	for _, d := range got {
		days = append(days, d.Due)
	}
	if !reflect.DeepEqual(days, []scheduler.Day{-3, 5, 8, 12, 12}) {
		t.Errorf("due days %v", days)
	}
	if got[0].ID != ids[1] || got[2].ID != ids[4] || got[0].Seq != 1 {
		t.Errorf("due %+v", got)
	}
	if lim, _ := db.Due("ann", 12, 2); len(lim) != 2 || lim[1].ID != ids[5] {
		t.Errorf("limit: %+v", lim)
	}
	if n, _ := db.DueCount("ann", 7); n != 2 {
		t.Errorf("DueCount(7) = %d", n)
	}
	if err := db.SetSuspended("ann", ids[0], false); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.DueCount("ann", 30); n != 6 {
		t.Errorf("after resume DueCount(30) = %d", n)
	}
	if d, err := db.Due("nobody", 100, 0); err != nil || len(d) != 0 {
		t.Errorf("unknown user due %v %v", d, err)
	}
}

func TestNewCardsNoteOrder(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 6)
	other := file("/notes/b.md", talk("Rust Talk",
		card("Rust Talk", nil, deck.QA, "what is ownership?", 0),
		card("Rust Talk", nil, deck.QA, "what is borrowing?", 1)))
	mustImport(t, db, other)
	rust := []string{other.Talks[0].Cards[0].ID, other.Talks[0].Cards[1].ID}

	check := func(name, slug string, limit int, want ...string) {
		t.Helper()
		got, err := db.NewCards("ann", slug, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
		if slug == "go-at-scale" && limit == 0 { // the all-talks path reads the global marker
			all, err := db.NewCards("ann", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if wantAll := append(append([]string{}, want...), rust...); !reflect.DeepEqual(all, wantAll) {
				t.Errorf("%s, all talks: %v, want %v", name, all, wantAll)
			}
		}
	}
	check("fresh", "go-at-scale", 0, ids...)
	check("limit across talks", "", 8, append(append([]string{}, ids...), rust...)...)
	check("limit", "go-at-scale", 2, ids[0], ids[1])
	st := &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 2, LastReview: 1}
	record(t, db, "ann", ids[0], 4, 1, st)
	record(t, db, "ann", ids[1], 4, 1, st)
	record(t, db, "ann", ids[3], 4, 1, st)
	check("some introduced", "go-at-scale", 0, ids[2], ids[4], ids[5])
	check("all talks", "", 0, ids[2], ids[4], ids[5], rust[0], rust[1])
	record(t, db, "ann", ids[2], 4, 1, st)
	check("marker past a gap", "go-at-scale", 0, ids[4], ids[5])
	if got, _ := db.NewCards("bob", "go-at-scale", 0); len(got) != 6 {
		t.Errorf("bob: %v", got)
	}
	// Undo makes a card new again.
	if _, _, err := db.Undo("ann"); err != nil {
		t.Fatal(err)
	}
	check("after undo", "go-at-scale", 0, ids[2], ids[4], ids[5])
	// An import adding a card before the marker shows it.
	keys := []string{"an earlier point"}
	for i := range 6 {
		keys = append(keys, fmt.Sprintf("point number %d about goroutines", i))
	}
	f := version(keys...)
	mustImport(t, db, f)
	check("after import", "go-at-scale", 0, f.Talks[0].Cards[0].ID, ids[2], ids[4], ids[5])
	// Retired cards are not new.
	mustImport(t, db, version(keys[:3]...))
	check("after retire", "go-at-scale", 0, f.Talks[0].Cards[0].ID)
	// Suspending a new card hides it; resuming shows it again.
	if err := db.SetSuspended("ann", f.Talks[0].Cards[0].ID, true); err != nil {
		t.Fatal(err)
	}
	check("suspended", "go-at-scale", 0)
	if err := db.SetSuspended("ann", f.Talks[0].Cards[0].ID, false); err != nil {
		t.Fatal(err)
	}
	check("resumed", "go-at-scale", 0, f.Talks[0].Cards[0].ID)
	if _, err := db.NewCards("ann", "nope", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown talk: %v", err)
	}
}

func TestReviewEncoding(t *testing.T) {
	k, _ := cardKey("00ff00ff00ff00ff")
	tests := []Review{
		{Time: t0.Add(123 * time.Millisecond), Card: "00ff00ff00ff00ff", Grade: 5, Kind: KindReview, Interval: 6, Easiness: 2.6, Took: 4200 * time.Millisecond},
		{Time: time.UnixMilli(0).UTC(), Card: "00ff00ff00ff00ff", Grade: 0, Kind: KindRepeat, Interval: 1, Easiness: 1.3},
		{Time: t0, Card: "00ff00ff00ff00ff", Grade: 3, Kind: KindQuiz, Interval: 3650, Easiness: 4.321, Took: time.Hour},
	}
	for _, r := range tests {
		v := encodeReview(k, r)
		if len(v) > 32 || len(v) != ReviewSize {
			t.Errorf("entry is %d bytes", len(v))
		}
		got, err := decodeReview(v)
		if err != nil || !reflect.DeepEqual(got, r) {
			t.Errorf("round trip: %+v %v, want %+v", got, err, r)
		}
	}
	for _, bad := range [][]byte{nil, make([]byte, ReviewSize), append([]byte{1}, make([]byte, 40)...)} {
		if _, err := decodeReview(bad); err == nil {
			t.Errorf("decoded %x", bad)
		}
	}
}

func TestLogAndDays(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 3)
	st := &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 11, LastReview: 10}
	record(t, db, "ann", ids[0], 5, 10, st)
	record(t, db, "ann", ids[1], 2, 10, &scheduler.State{Easiness: 2.18, Interval: 1, Due: 11, LastReview: 10})
	if err := db.Record("ann", Review{Time: t0, Card: ids[1], Grade: 4, Kind: KindRepeat, Took: time.Second}, 10, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Record("ann", Review{Time: t0, Card: ids[2], Grade: 1, Kind: KindQuiz}, 12, nil); err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	var cards []string
	if err := db.Log("ann", func(seq uint64, r Review) error {
		seqs, cards = append(seqs, seq), append(cards, r.Card)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seqs, []uint64{1, 2, 3, 4}) || !reflect.DeepEqual(cards, []string{ids[0], ids[1], ids[1], ids[2]}) {
		t.Errorf("log %v %v", seqs, cards)
	}
	d, err := db.Day("ann", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := DayAgg{Day: 10, New: 2, Time: 4 * time.Second}
	want.Grades[KindReview][5], want.Grades[KindReview][2], want.Grades[KindRepeat][4] = 1, 1, 1
	want.derive()
	if !reflect.DeepEqual(d, want) {
		t.Errorf("day 10 = %+v\nwant %+v", d, want)
	}
	if d.Answers() != 3 || d.Passes[KindReview] != 1 || d.ByGrade[4] != 1 {
		t.Errorf("derived %+v", d)
	}
	days, err := db.Days("ann", 9, 12)
	if err != nil || len(days) != 2 || days[0].Day != 10 || days[1].Day != 12 || days[1].ByKind[KindQuiz] != 1 || days[1].New != 0 {
		t.Errorf("days %+v %v", days, err)
	}
	if d, _ := db.Day("ann", 11); d.Answers() != 0 {
		t.Errorf("empty day %+v", d)
	}
	stop := errors.New("stop")
	n := 0
	if err := db.Log("ann", func(uint64, Review) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("Log stop: %v after %d", err, n)
	}
}

func TestStateEncoding(t *testing.T) {
	for _, s := range []scheduler.State{
		{},
		{Repetitions: 7, Easiness: 2.3600000000000003, Interval: 120, Due: -4, Lapses: 3, Suspended: true, LastReview: 20000},
	} {
		got, err := decodeState(encodeState(s, 7))
		if err != nil || got != s {
			t.Errorf("%+v → %+v %v", s, got, err)
		}
	}
}

// TestRecordLogFillsPages guards the review log's size on disk: answers
// appended one transaction at a time fill the log's pages (FillPercent 1)
// instead of leaving them half full, so a log grown by real sessions costs
// no more than 64 bytes an answer, as a bulk-loaded one does.
func TestRecordLogFillsPages(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 5)
	const n = 600
	for i := range n {
		record(t, db, "ann", ids[i%len(ids)], 3, scheduler.Day(i/50+1), nil)
	}
	var st bolt.BucketStats
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		st = tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bLog).Stats()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if st.KeyN != n {
		t.Fatalf("log has %d entries, want %d", st.KeyN, n)
	}
	if per := float64(st.LeafAlloc) / n; per > 64 {
		t.Errorf("log: %.1f bytes per answer, want ≤ 64", per)
	}
}
