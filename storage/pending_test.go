package storage

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
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

func openKeep(t *testing.T, path string) *DB {
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
// and through the pending bucket (one KeepPending open per answer, folded
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
			db := openKeep(t, path)
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
			db := openKeep(t, path)
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

// TestPendingDamaged: a pending answer that does not decode makes an
// ordinary open fail as damaged (nothing applied, nothing lost); check
// reports it; repair drops it and applies the rest.
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
	err := w.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bPending).Put(u64key(2), []byte{pendingVersion, 3, 'a', 'n', 'n', 0})
	})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, path)
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrDamaged) {
		t.Fatalf("open with a damaged pending answer: %v, want ErrDamaged", err)
	}
	sameBytes(t, path, before)

	c, err := Open(path, Options{KeepPending: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
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
		if err != nil || ok != (i != 1) {
			t.Fatalf("card %d: state %v %v after repair", i, ok, err)
		}
	}
	if problems, err := c.Verify(); err != nil || len(problems) != 0 {
		t.Fatalf("after repair: %v %v", problems, err)
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
