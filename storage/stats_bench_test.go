package storage

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// synthHistory builds a user's history of days days with perDay answers a
// day over 20 talks of 100 cards, through the real Record path (one
// transaction a day, unsynced), and returns the last day.
func synthHistory(b *testing.B, days, perDay int) (*DB, scheduler.Day) {
	b.Helper()
	db, _ := openTest(b)
	db.bolt.NoSync = true
	var talks []GeneratedTalk
	var ids []string
	for ti := range 20 {
		title := fmt.Sprintf("Talk %d", ti)
		var cards []deck.Card
		for ci := range 100 {
			c := card(title, []string{"Part"}, deck.Cloze, fmt.Sprintf("point %d of talk %d", ci, ti), ci)
			cards, ids = append(cards, c), append(ids, c.ID)
		}
		talks = append(talks, talk(title, cards...))
	}
	mustImport(b, db, file(notesA, talks...))
	rng := rand.New(rand.NewPCG(1, 2))
	states := map[string]scheduler.State{}
	for d := range days {
		day := scheduler.Day(20000 + d)
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i := range perDay {
				id := ids[rng.IntN(len(ids))]
				prev, had := states[id]
				g := scheduler.Grade(2 + rng.IntN(4))
				kind := KindReview
				if i%10 == 9 {
					kind = KindRepeat
				}
				r := Review{Time: day.Time(nil).Add(time.Duration(i) * time.Second), Card: id, Grade: g, Kind: kind, Took: 8 * time.Second}
				var next *scheduler.State
				if kind == KindReview {
					s := scheduler.Apply(prev, !had, g, day)
					states[id], next = s, &s
				}
				if err := recordTx(tx, "ann", r, day, next); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return db, scheduler.Day(20000 + days - 1)
}

// BenchmarkStats shows that a report costs the same on a short and on a
// long log of the same days: it reads day aggregates, states and the due
// index, never the log.
func BenchmarkStats(b *testing.B) {
	for _, size := range []struct{ days, perDay int }{{365, 100}, {365, 1000}} {
		db, today := synthHistory(b, size.days, size.perDay)
		for _, talk := range []string{"", "talk-7"} {
			name := fmt.Sprintf("log=%d/talk=%q", size.days*size.perDay, talk)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					s, err := db.Stats("ann", StatsOptions{Today: today, Talk: talk})
					if err != nil || !s.Active {
						b.Fatal(err, s)
					}
				}
				b.ReportMetric(float64(size.days*size.perDay), "log_entries")
			})
		}
	}
}
