package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// benchFiles is n cards in talks of 40, 20 talks a file.
func benchFiles(n int) ([]SourceFile, []string) {
	var files []SourceFile
	var ids []string
	for f := 0; len(ids) < n; f++ {
		var talks []GeneratedTalk
		for t := 0; t < 20 && len(ids) < n; t++ {
			title := fmt.Sprintf("Talk %d.%d", f, t)
			var cards []deck.Card
			for c := 0; c < 40 && len(ids) < n; c++ {
				dc := card(title, []string{fmt.Sprintf("Part %d", c/5)}, deck.Cloze, fmt.Sprintf("point %d of %s about latency budgets", c, title), c)
				cards, ids = append(cards, dc), append(ids, dc.ID)
			}
			talks = append(talks, talk(title, cards...))
		}
		files = append(files, file(fmt.Sprintf("/notes/conf-%d.md", f), talks...))
	}
	return files, ids
}

// benchCollection bulk-loads n cards, every one reviewed once a day over
// the days before today: every card is due today, a heavy backlog.
func benchCollection(b *testing.B, n int) (*DB, scheduler.Day) {
	b.Helper()
	db, _ := openTest(b)
	files, ids := benchFiles(n)
	if err := db.BulkImport(files, ImportOptions{Now: t0}); err != nil {
		b.Fatal(err)
	}
	today := scheduler.Day(20400)
	err := db.BulkHistory("ann", func(yield func(Answer) bool) {
		for i, id := range ids {
			day := today - 60 + scheduler.Day(i%30)
			s := scheduler.Apply(scheduler.State{}, true, 4, day)
			s.Due = day + 30
			r := Review{Time: day.Time(nil), Card: id, Grade: 4, Took: time.Second, Interval: s.Interval, Easiness: s.Easiness}
			if !yield(Answer{Review: r, Day: day, Next: &s}) {
				return
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, today
}

// BenchmarkImport stores freshly generated cards through Import (one
// transaction, fsync), and again unchanged.
func BenchmarkImport(b *testing.B) {
	files, _ := benchFiles(10_000)
	b.Run("new/10k", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db, _ := openTest(b)
			b.StartTimer()
			mustImport(b, db, files...)
		}
	})
	b.Run("unchanged/10k", func(b *testing.B) {
		db, _ := openTest(b)
		mustImport(b, db, files...)
		for b.Loop() {
			mustImport(b, db, files...)
		}
	})
}

// BenchmarkDue is review's due selection: the due index up to today with
// each card's order and retired flag, then the day's new cards.
func BenchmarkDue(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		db, today := benchCollection(b, n)
		b.Run(fmt.Sprintf("cards=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				due, err := db.Due("ann", today, 0)
				if err != nil || len(due) == 0 {
					b.Fatal(err, len(due))
				}
				if _, err := db.NewCards("ann", "", 20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecord commits one answer (one transaction with fsync) on a
// collection; undone every 40 answers so the collection stays the same.
func BenchmarkRecord(b *testing.B) {
	db, today := benchCollection(b, 10_000)
	due, err := db.Due("ann", today, 40)
	if err != nil || len(due) == 0 {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		id := due[i%len(due)].ID
		prev, had, err := db.State("ann", id)
		if err != nil {
			b.Fatal(err)
		}
		s := scheduler.Apply(prev, !had, 4, today)
		if err := db.Record("ann", Review{Time: today.Time(nil), Card: id, Grade: 4, Took: time.Second}, today, &s); err != nil {
			b.Fatal(err)
		}
		if i++; i%len(due) == 0 {
			b.StopTimer()
			for range len(due) {
				if _, _, err := db.Undo("ann"); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
	}
}

// BenchmarkAnswer is one answer as a review session commits it
// (RecordAnswer: the pages it needs read with pread, the answer written to
// the journal), and as it did before: open the file, RecordWith, close, in
// place (Options{}) or into the journal (KeepPending). The journal is
// applied every 40 answers, off the clock, and the answers undone so the
// collection stays the same.
func BenchmarkAnswer(b *testing.B) {
	for _, how := range []string{"recordAnswer", "keepPending", "inPlace"} {
		b.Run(how, func(b *testing.B) {
			db, today := benchCollection(b, 10_000)
			due, err := db.Due("ann", today, 40)
			if err != nil || len(due) == 0 {
				b.Fatal(err)
			}
			path := db.Path()
			db.Close()
			i := 0
			for b.Loop() {
				id := due[i%len(due)].ID
				answer := func(prev scheduler.State, had bool) (Review, *scheduler.State) {
					s := scheduler.Apply(prev, !had, 4, today)
					return Review{Time: today.Time(nil), Card: id, Grade: 4, Took: time.Second, Interval: s.Interval, Easiness: s.Easiness}, &s
				}
				if how == "recordAnswer" {
					err = RecordAnswer(path, 0, "ann", id, today, answer)
				} else {
					keep := how == "keepPending"
					var h *DB
					if h, err = Open(path, Options{KeepPending: keep, ReadOnly: keep && AnswersShareLock}); err != nil {
						b.Fatal(err)
					}
					err = h.RecordWith("ann", id, today, answer)
					h.Close()
				}
				if err != nil {
					b.Fatal(err)
				}
				if i++; i%len(due) == 0 {
					b.StopTimer()
					h, err := Open(path, Options{})
					if err != nil {
						b.Fatal(err)
					}
					for range len(due) {
						if _, _, err := h.Undo("ann"); err != nil {
							b.Fatal(err)
						}
					}
					h.Close()
					b.StartTimer()
				}
			}
		})
	}
}
