package storage

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// answerFn answers like a review session: a repeat keeps the state, a
// review applies SM-2 to what RecordWith read.
func answerFn(id string, g scheduler.Grade, kind ReviewKind, day scheduler.Day) func(scheduler.State, bool) (Review, *scheduler.State) {
	return func(prev scheduler.State, had bool) (Review, *scheduler.State) {
		r := Review{Time: t0.Add(time.Duration(day) * time.Hour), Card: id, Grade: g, Kind: kind, Took: 2500 * time.Millisecond}
		if kind != KindReview {
			r.Interval, r.Easiness = prev.Interval, prev.Easiness
			return r, nil
		}
		st := scheduler.Apply(prev, !had, g, day)
		r.Interval, r.Easiness = st.Interval, st.Easiness
		return r, &st
	}
}

// openKeep opens path as a review session does for an answer.
func openKeep(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{KeepPending: true, ReadOnly: AnswersShareLock})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// openKeepRW opens path as a review session does for an undo or a suspend.
func openKeepRW(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path, Options{KeepPending: true})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func pendingN(t *testing.T, db *DB) int {
	t.Helper()
	n, err := db.Pending()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPendingSameAsDirect answers the same random sessions twice: directly,
// and through the answers journal (one KeepPending open per answer, folded
// by the next ordinary open, by an undo or by a suspend). Every user
// bucket must end byte for byte the same.
func TestPendingSameAsDirect(t *testing.T) {
	direct, _ := openTest(t)
	viaPending, path := openTest(t)
	ids := deckOf(t, direct, 25)
	if got := deckOf(t, viaPending, 25); got[0] != ids[0] {
		t.Fatal("decks differ")
	}
	viaPending.Close()
	rng := rand.New(rand.NewPCG(7, 9))
	users := []string{"ann", "bob"}
	for day := scheduler.Day(100); day < 130; day++ {
		for range 1 + rng.IntN(15) {
			u := users[rng.IntN(2)]
			id := ids[rng.IntN(len(ids))]
			g := scheduler.Grade(rng.IntN(6))
			kind := []ReviewKind{KindReview, KindReview, KindReview, KindRepeat, KindQuiz}[rng.IntN(5)]
			if err := direct.RecordWith(u, id, day, answerFn(id, g, kind, day)); err != nil {
				t.Fatal(err)
			}
			db := openKeep(t, path)
			if err := db.RecordWith(u, id, day, answerFn(id, g, kind, day)); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}
		switch rng.IntN(4) {
		case 0: // an undo in the middle of a session
			u := users[rng.IntN(2)]
			r1, ok1, err1 := direct.Undo(u)
			db := openKeepRW(t, path)
			r2, ok2, err2 := db.Undo(u)
			db.Close()
			if r1 != r2 || ok1 != ok2 || (err1 == nil) != (err2 == nil) {
				t.Fatalf("day %d: undo %v %v %v, via pending %v %v %v", day, r1, ok1, err1, r2, ok2, err2)
			}
		case 1: // a suspend
			id := ids[rng.IntN(len(ids))]
			if err := direct.SetSuspended("ann", id, true); err != nil {
				t.Fatal(err)
			}
			db := openKeepRW(t, path)
			if err := db.SetSuspended("ann", id, true); err != nil {
				t.Fatal(err)
			}
			db.Close()
		case 2: // the session ends: an ordinary open applies the answers
			db, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			if n := pendingN(t, db); n != 0 {
				t.Fatalf("day %d: %d answers still pending after a read-only open", day, n)
			}
			db.Close()
		}
	}
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := dump(t, db, "users"), dump(t, direct, "users"); got != want {
		t.Fatalf("via pending differs from direct:\n%s", firstDiff(got, want))
	}
	for _, db := range []*DB{direct, db} {
		if problems, err := db.Verify(); err != nil || len(problems) > 0 {
			t.Fatalf("verify: %v %v", problems, err)
		}
	}
}

// TestPendingReadersSeeAnswers: an answer left pending (a session killed
// after it) is seen by the next reader, and the state a second answer to
// the same card starts from is the first answer's.
func TestPendingReadersSeeAnswers(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 3)
	db.Close()

	w := openKeep(t, path)
	var seen []bool
	for i := range 2 {
		err := w.RecordWith("ann", ids[0], 50, func(prev scheduler.State, had bool) (Review, *scheduler.State) {
			seen = append(seen, had)
			if had && prev.Repetitions != 1 {
				t.Errorf("answer %d: prev %+v, want the first answer's state", i, prev)
			}
			return answerFn(ids[0], 4, KindReview, 50)(prev, had)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if seen[0] || !seen[1] {
		t.Fatalf("had = %v, want [false true]", seen)
	}
	if n := pendingN(t, w); n != 2 {
		t.Fatalf("%d pending, want 2", n)
	}
	// A bad answer fails now, not when applied.
	if err := w.RecordWith("ann", ids[1], 50, func(scheduler.State, bool) (Review, *scheduler.State) {
		return Review{Card: ids[1], Grade: 9}, nil
	}); err == nil {
		t.Fatal("grade 9 accepted into pending")
	}
	w.Close()

	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st, ok, err := r.State("ann", ids[0])
	if err != nil || !ok || st.Repetitions != 2 {
		t.Fatalf("state after two pending answers: %+v %v %v", st, ok, err)
	}
	var n int
	if err := r.Log("ann", func(uint64, Review) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("log has %d entries (%v), want 2", n, err)
	}
	if n := pendingN(t, r); n != 0 {
		t.Fatalf("%d still pending", n)
	}
}

// TestPendingBounded: past maxPending answers RecordWith applies them and
// records directly.
func TestPendingBounded(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 2)
	db.Close()
	w := openKeep(t, path)
	defer w.Close()
	for i := range maxPending + 1 {
		if err := w.RecordWith("ann", ids[i%2], 10, answerFn(ids[i%2], 3, KindQuiz, 10)); err != nil {
			t.Fatal(err)
		}
	}
	if n := pendingN(t, w); n != 0 {
		t.Fatalf("%d pending after %d answers, want 0 (applied at the bound)", n, maxPending+1)
	}
	var n int
	if err := w.Log("ann", func(uint64, Review) error { n++; return nil }); err != nil || n != maxPending+1 {
		t.Fatalf("log %d entries (%v), want %d", n, err, maxPending+1)
	}
}

// TestPendingDamaged: a journal record that does not check out makes an
// ordinary open fail (nothing applied, nothing written); check reports it;
// repair applies the records before it and drops the rest.
func TestPendingDamaged(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 3)
	db.Close()
	w := openKeep(t, path)
	for _, id := range ids {
		if err := w.RecordWith("ann", id, 10, answerFn(id, 5, KindReview, 10)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	jpath := JournalPath(path)
	jb := fileBytes(t, jpath)
	jb[recordOffsets(jb)[1]+recHead+5] ^= 0xff // the second answer's payload
	if err := os.WriteFile(jpath, jb, 0o600); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, path)
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrPendingDamaged) {
		t.Fatalf("open with a damaged journal: %v, want ErrPendingDamaged", err)
	}
	sameBytes(t, path, before)
	sameBytes(t, jpath, jb)

	c, err := Open(path, Options{KeepPending: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n := pendingN(t, c); n != 2 {
		t.Fatalf("Pending = %d, want 2 (one good record, one bad)", n)
	}
	problems, err := c.Verify()
	if err != nil || len(problems) != 1 || !problems[0].Repairable {
		t.Fatalf("verify: %v %v, want one repairable problem", problems, err)
	}
	rep, err := c.Repair()
	if err != nil || rep.Dropped != 1 {
		t.Fatalf("repair: %+v %v, want 1 dropped", rep, err)
	}
	for i, id := range ids {
		_, ok, err := c.State("ann", id)
		if err != nil || ok != (i == 0) {
			t.Fatalf("card %d: state %v %v after repair", i, ok, err)
		}
	}
	if b, err := os.ReadFile(jpath); err != nil || len(b) != journalChunk || !allZero(b) {
		t.Fatalf("journal after repair: %d bytes %v, want a chunk of zeros", len(b), err)
	}
	if problems, err := c.Verify(); err != nil || len(problems) != 0 {
		t.Fatalf("after repair: %v %v", problems, err)
	}
}

// TestPendingBucket: answers an older talkcards left in the pending
// bucket are applied like the journal's, before them, and a damaged one
// fails the open until repair drops it.
func TestPendingBucket(t *testing.T) {
	direct, _ := openTest(t)
	db, path := openTest(t)
	ids := deckOf(t, db, 3)
	deckOf(t, direct, 3)
	put := func(seq uint64, v []byte) {
		t.Helper()
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			pb, err := tx.CreateBucketIfNotExists(bPending)
			if err != nil {
				return err
			}
			return pb.Put(u64key(seq), v)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range ids[:2] {
		r, next := answerFn(id, 4, KindReview, 10)(scheduler.State{}, false)
		put(uint64(i+1), encodePending("ann", 10, keyOf(t, id), r, next))
		if err := direct.Record("ann", r, 10, next); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	w := openKeep(t, path) // a journal answer after them
	if err := w.RecordWith("ann", ids[0], 11, answerFn(ids[0], 3, KindReview, 11)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := direct.RecordWith("ann", ids[0], 11, answerFn(ids[0], 3, KindReview, 11)); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := pendingN(t, r); n != 0 {
		t.Fatalf("%d pending after an ordinary open", n)
	}
	if got, want := dump(t, r, "users"), dump(t, direct, "users"); got != want {
		t.Fatalf("bucket then journal differs from direct:\n%s", firstDiff(got, want))
	}
	r.Close()

	db = openKeepRW(t, path)
	put(9, []byte{pendingVersion, 3, 'a', 'n', 'n', 0})
	db.Close()
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrDamaged) {
		t.Fatalf("open with a damaged pending answer: %v, want ErrDamaged", err)
	}
	c := openKeepRW(t, path)
	defer c.Close()
	if rep, err := c.Repair(); err != nil || rep.Dropped != 1 {
		t.Fatalf("repair: %+v %v, want 1 dropped", rep, err)
	}
}

// TestJournalTornAndReplayed: a torn record (an answer whose sync never
// returned) is ignored and overwritten in place by the next answer;
// records a commit applied but a crash kept in the file are never applied
// twice, and the next answer starts the file afresh rather than write over
// them.
func TestJournalTornAndReplayed(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 2)
	db.Close()
	jpath := JournalPath(path)
	answer := func(id string, day scheduler.Day) {
		t.Helper()
		w := openKeep(t, path)
		defer w.Close()
		if err := w.RecordWith("ann", id, day, answerFn(id, 4, KindReview, day)); err != nil {
			t.Fatal(err)
		}
	}
	logLen := func() int {
		t.Helper()
		r, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		n := 0
		if err := r.Log("ann", func(uint64, Review) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	answer(ids[0], 10)
	jb := fileBytes(t, jpath)
	if len(jb) != journalBlock {
		t.Fatalf("journal of one answer is %d bytes, want one block (%d)", len(jb), journalBlock)
	}
	j := parseJournal(jb)
	copy(jb[j.good:], jb[len(journalMagic):len(journalMagic)+20]) // half a record
	if err := os.WriteFile(jpath, jb, 0o600); err != nil {
		t.Fatal(err)
	}
	w := openKeep(t, path)
	if n := pendingN(t, w); n != 1 {
		t.Fatalf("Pending = %d with a torn record, want 1", n)
	}
	w.Close()
	answer(ids[1], 10)
	kept := fileBytes(t, jpath)
	if j := parseJournal(kept); len(kept) != journalBlock || len(j.recs) != 2 || j.torn != j.good || j.bad != nil {
		t.Fatalf("after the torn record and an answer: %d bytes, %d records, torn bytes to %d past %d, %v; want one block, 2 records, the rest zero",
			len(kept), len(j.recs), j.torn, j.good, j.bad)
	}
	if n := logLen(); n != 2 {
		t.Fatalf("log %d after applying, want 2", n)
	}
	if b, err := os.ReadFile(jpath); err != nil || len(b) != journalChunk || !allZero(b) {
		t.Fatalf("journal after applying: %d bytes %v, want a chunk of zeros", len(b), err)
	}
	// A crash between the commit and the emptying: the applied records are
	// still there.
	if err := os.WriteFile(jpath, kept, 0o600); err != nil {
		t.Fatal(err)
	}
	if n := logLen(); n != 2 {
		t.Fatalf("log %d after reopening with applied records, want 2", n)
	}
	if err := os.WriteFile(jpath, kept, 0o600); err != nil {
		t.Fatal(err)
	}
	answer(ids[0], 11)
	jb = fileBytes(t, jpath)
	if j := parseJournal(jb); len(jb) != journalBlock || len(j.recs) != 1 || j.recs[0].seq != 3 || j.torn != j.good {
		t.Fatalf("answer after applied records: %d bytes, records %v; want the file started afresh with record 3 alone", len(jb), j.recs)
	}
	if n := logLen(); n != 3 {
		t.Fatalf("log %d, want 3", n)
	}
}

// TestJournalConcurrentAnswers: sessions answering at once on read-only
// handles lose nothing.
func TestJournalConcurrentAnswers(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 8)
	db.Close()
	const each = 40
	var wg sync.WaitGroup
	errs := make(chan error, 4*each)
	for g := range 4 {
		wg.Go(func() {
			for i := range each {
				w, err := Open(path, Options{KeepPending: true, ReadOnly: AnswersShareLock})
				if err != nil {
					errs <- err
					return
				}
				id := ids[(g*each+i)%len(ids)]
				errs <- w.RecordWith([]string{"ann", "bob"}[g%2], id, 10, answerFn(id, 4, KindQuiz, 10))
				w.Close()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, u := range []string{"ann", "bob"} {
		n := 0
		if err := r.Log(u, func(uint64, Review) error { n++; return nil }); err != nil || n != 2*each {
			t.Fatalf("%s: log %d (%v), want %d", u, n, err, 2*each)
		}
	}
}

// TestPendingReadOnlyFile: a reader of a file it cannot write reads it
// without the pending answers and says how many.
func TestPendingReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write a 0400 file")
	}
	db, path := openTest(t)
	ids := deckOf(t, db, 1)
	db.Close()
	w := openKeep(t, path)
	if err := w.RecordWith("ann", ids[0], 10, answerFn(ids[0], 5, KindReview, 10)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(path, 0o600) })
	if err := os.Chmod(filepath.Dir(path), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Dir(path), 0o700) })
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Unapplied != 1 {
		t.Fatalf("Unapplied = %d, want 1", r.Unapplied)
	}
}

func keyOf(t *testing.T, id string) [8]byte {
	t.Helper()
	k, err := cardKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestJournalOfRemovedDatabase: a journal left beside a database that was
// removed since is never applied to a new one made at that path (by Open
// or by ImportNew).
func TestJournalOfRemovedDatabase(t *testing.T) {
	for _, viaImport := range []bool{false, true} {
		db, path := openTest(t)
		ids := deckOf(t, db, 2)
		db.Close()
		w := openKeep(t, path)
		if err := w.RecordWith("ann", ids[0], 10, answerFn(ids[0], 4, KindReview, 10)); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if viaImport {
			if _, err := ImportNew(path, nil, ImportOptions{Now: t0}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("import %v: open a new database beside an old journal: %v", viaImport, err)
		}
		if users, err := n.Users(); err != nil || len(users) != 0 {
			t.Fatalf("import %v: users %v %v in a new database", viaImport, users, err)
		}
		n.Close()
		if _, err := os.Stat(JournalPath(path)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("import %v: the old journal is still there: %v", viaImport, err)
		}
	}
}
