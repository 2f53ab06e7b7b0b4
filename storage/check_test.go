package storage

import (
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// checkedDB is a database with two users' answers: every invariant holds.
func checkedDB(t *testing.T) (*DB, []string) {
	t.Helper()
	db, _ := openTest(t)
	ids := deckOf(t, db, 4)
	record(t, db, "ann", ids[0], 4, 10, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 11, LastReview: 10})
	record(t, db, "ann", ids[1], 5, 10, &scheduler.State{Repetitions: 1, Easiness: 2.6, Interval: 1, Due: 11, LastReview: 10})
	record(t, db, "bob", ids[2], 4, 10, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 12, LastReview: 10})
	if err := db.SetSuspended("bob", ids[2], true); err != nil {
		t.Fatal(err)
	}
	return db, ids
}

func verify(t *testing.T, db *DB) []string {
	t.Helper()
	problems, err := db.Verify()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range problems {
		out = append(out, p.String())
	}
	return out
}

// TestVerifyRepair guards the check command: each broken derived index or
// counter is reported once, Repair fixes exactly those, and a state of a
// missing card is reported but never deleted.
func TestVerifyRepair(t *testing.T) {
	key := func(t *testing.T, id string) [8]byte {
		k, err := cardKey(id)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	tests := []struct {
		name       string
		damage     func(t *testing.T, tx *bolt.Tx, ids []string) error
		want       string
		repairable bool
	}{
		{"due entry missing", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			return tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bDue).Delete(dueKey(11, key(t, ids[0])))
		}, "user ann: card " + "%0: due 1970-01-12 but not in the due index", true},
		{"due entry at the wrong day", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			due := tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bDue)
			if err := due.Delete(dueKey(11, key(t, ids[1]))); err != nil {
				return err
			}
			return due.Put(dueKey(13, key(t, ids[1])), nil)
		}, "user ann: card %1: due 1970-01-12 but in the due index at 1970-01-14", true},
		{"due entry without a state", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			return tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bDue).Put(dueKey(5, key(t, ids[3])), nil)
		}, "user ann: card %3: in the due index (1970-01-06) without a state", true},
		{"suspended card in the index", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			return tx.Bucket(bUsers).Bucket([]byte("bob")).Bucket(bDue).Put(dueKey(12, key(t, ids[2])), nil)
		}, "user bob: card %2: suspended but in the due index (1970-01-13)", true},
		{"introduced marker past new cards", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			return tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bIntro).Put(kFirst, firstEnd)
		}, "user ann: 2 new cards before the introduced marker are not listed", true},
		{"review counter", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			return putU64(tx.Bucket(bUsers).Bucket([]byte("ann")), kInfo, 7)
		}, "user ann: review counter says 7, the log has 2 entries", true},
		{"active counter", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			return putU64(tx.Bucket(bMeta), kActive, 1)
		}, "active card counter says 1, there are 4 active cards", true},
		{"day aggregate off", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			days := tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bDays)
			a, err := decodeDayAgg(10, days.Get(dayKeySlice(10)))
			if err != nil {
				return err
			}
			a.New += 3
			return days.Put(dayKeySlice(10), encodeDayAgg(a))
		}, "user ann: 1 day aggregates do not match the review log", true},
		{"talk-day aggregate missing", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			td := tx.Bucket(bUsers).Bucket([]byte("bob")).Bucket(bTalkDays)
			k, _ := td.Cursor().First()
			return td.Delete(k)
		}, "user bob: 1 talk-day aggregates do not match the review log", true},
		{"state of a missing card", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			k := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
			ub := tx.Bucket(bUsers).Bucket([]byte("ann"))
			s := scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 11}
			if err := ub.Bucket(bState).Put(k[:], encodeState(s, 1)); err != nil {
				return err
			}
			// The card went, not the summary's upkeep.
			if err := noteState(ub, k[:], nil, encodeState(s, 1)); err != nil {
				return err
			}
			return ub.Bucket(bDue).Put(dueKey(11, k), nil)
		}, "user ann: card 0102030405060708: has a state but no such card", false},
		{"state summary off", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			talks := tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bSumTalk)
			k, v := talks.Cursor().First()
			v = slices.Clone(v)
			v[3]++
			return talks.Put(k, v)
		}, "user ann: state summary: the counts of 1 talks do not match the states", true},
		{"due counts off", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			due := tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bSumDue)
			k, v := due.Cursor().First()
			if k == nil {
				t.Fatal("no due counts")
			}
			v = slices.Clone(v)
			v[3]++
			return due.Put(k, v)
		}, "user ann: state summary: the due counts of 1 days do not match the states", true},
		{"stale entry in the hardest cards' list", func(t *testing.T, tx *bolt.Tx, ids []string) error {
			ub := tx.Bucket(bUsers).Bucket([]byte("ann"))
			h, err := decodeSumHead(ub.Get(kStateSum))
			if err != nil {
				return err
			}
			h.hardN++
			if err := ub.Put(kStateSum, h.encode()); err != nil {
				return err
			}
			k := key(t, ids[0])
			return ub.Bucket(bHard).Put(k[:], encodeHard(&hardCand{key: k, lapses: 3, easiness: 1.9, interval: 1, seq: 1}))
		}, "user ann: state summary: the hardest cards' list has 1 stale and lacks 0 entries", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, ids := checkedDB(t)
			if got := verify(t, db); len(got) != 0 {
				t.Fatalf("healthy database: %q", got)
			}
			if err := db.bolt.Update(func(tx *bolt.Tx) error { return tt.damage(t, tx, ids) }); err != nil {
				t.Fatal(err)
			}
			want := tt.want
			for i, id := range ids {
				want = strings.ReplaceAll(want, "%"+string(rune('0'+i)), id)
			}
			got := verify(t, db)
			if len(got) != 1 || got[0] != want {
				t.Fatalf("problems = %q, want [%q]", got, want)
			}
			before := dump(t, db, "users", "ann", "state")
			if _, err := db.Repair(); err != nil {
				t.Fatal(err)
			}
			if after := dump(t, db, "users", "ann", "state"); after != before {
				t.Errorf("repair changed states:\n%s\nwas\n%s", after, before)
			}
			got = verify(t, db)
			if tt.repairable && len(got) != 0 {
				t.Errorf("after repair: %q", got)
			}
			if !tt.repairable && (len(got) != 1 || got[0] != want) {
				t.Errorf("after repair: %q, want the unrepairable problem kept", got)
			}
			if due, err := db.Due("ann", 11, 0); err != nil || len(due) != 2 {
				t.Errorf("ann's due cards after repair: %v, %v; want 2", due, err)
			}
		})
	}
}
