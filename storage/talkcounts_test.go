package storage

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// randomCollection imports talks of varied sizes (one with no card left),
// gives two users random histories with lapses, suspended cards and
// never-reviewed suspended ones, and retires part of some talks (their
// states stay). It returns the database and the last day answered.
func randomCollection(t testing.TB, seed uint64) (*DB, scheduler.Day) {
	t.Helper()
	db, _ := openTest(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	var talks []GeneratedTalk
	var ids []string
	for ti := range 9 {
		title := fmt.Sprintf("Talk %d of %d", ti, seed)
		var cards []deck.Card
		for ci := range 1 + rng.IntN(12) {
			c := card(title, []string{"Part"}, deck.Cloze, fmt.Sprintf("point %d of talk %d, seed %d", ci, ti, seed), ci)
			cards, ids = append(cards, c), append(ids, c.ID)
		}
		talks = append(talks, talk(title, cards...))
	}
	mustImport(t, db, file(notesA, talks...))
	const first = scheduler.Day(20000)
	day := first
	for _, user := range []string{"ann", "bob"} {
		states := map[string]scheduler.State{}
		for i := range 120 {
			day = first + scheduler.Day(i/6)
			id := ids[rng.IntN(len(ids))]
			prev, had := states[id]
			g := scheduler.Grade(rng.IntN(6))
			r := Review{Time: day.Time(nil).Add(time.Duration(i) * time.Minute), Card: id, Grade: g, Kind: KindReview, Took: time.Second}
			s := scheduler.Apply(prev, !had, g, day)
			states[id] = s
			if err := db.Record(user, r, day, &s); err != nil {
				t.Fatal(err)
			}
		}
		for range 4 { // suspended: reviewed ones and maybe new ones
			if err := db.SetSuspended(user, ids[rng.IntN(len(ids))], true); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Retire the second half of every other talk, and all of one talk.
	for ti := range talks {
		switch {
		case ti == 4:
			talks[ti].Cards = nil
		case ti%2 == 1:
			talks[ti].Cards = talks[ti].Cards[:len(talks[ti].Cards)/2]
		}
	}
	mustImport(t, db, file(notesA, talks...))
	return db, day
}

// talkCountsByCards is what the talks command computed before TalkCounts:
// every card of every talk looked up in the user's states.
func talkCountsByCards(t testing.TB, db *DB, user string, today scheduler.Day) []TalkCount {
	t.Helper()
	talks, err := db.Talks()
	if err != nil {
		t.Fatal(err)
	}
	states, err := db.States(user)
	if err != nil {
		t.Fatal(err)
	}
	var out []TalkCount
	for _, tk := range talks {
		cards, err := db.Cards(tk.Slug)
		if err != nil {
			t.Fatal(err)
		}
		tc := TalkCount{Talk: tk}
		tc.Cards, tc.Retired = 0, 0
		for _, c := range cards {
			s, ok := states[c.ID]
			switch {
			case c.Retired:
				tc.Retired++
				continue
			case !ok:
				tc.New++
			case !s.Suspended && s.Due <= today:
				tc.Due++
			}
			tc.Cards++
		}
		out = append(out, tc)
	}
	return out
}

func TestTalkCountsMatchCards(t *testing.T) {
	for seed := range uint64(4) {
		db, last := randomCollection(t, seed)
		if seed >= 2 {
			addOrphanState(t, db, "bob", last)
		}
		for _, user := range []string{"ann", "bob", "cy"} {
			for _, today := range []scheduler.Day{last - 15, last, last + 3, last + 400} {
				got, err := db.TalkCounts(user, today)
				if err != nil {
					t.Fatal(err)
				}
				want := talkCountsByCards(t, db, user, today)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("seed %d, %s on day %d:\n got %+v\nwant %+v", seed, user, today, got, want)
				}
			}
		}
	}
	db, _ := historyDB(t)
	for _, user := range []string{"ann", "bob", "cy"} {
		got, err := db.TalkCounts(user, 100)
		if err != nil {
			t.Fatal(err)
		}
		if want := talkCountsByCards(t, db, user, 100); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", user, got, want)
		}
	}
	if _, err := db.TalkCounts("bad name", 100); err == nil {
		t.Error("a bad user name gave no error")
	}
}

// BenchmarkTalkCounts is the talks listing's read: talk records and one
// pass over the states, no card record.
func BenchmarkTalkCounts(b *testing.B) {
	db, today := synthHistory(b, 365, 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.TalkCounts("ann", today); err != nil {
			b.Fatal(err)
		}
	}
}
