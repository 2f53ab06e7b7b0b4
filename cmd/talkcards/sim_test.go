package main

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// refState is an independent, plain SM-2 written from DESIGN's pseudocode,
// to check what review stores after many simulated days.
type refState struct {
	n, interval, lapses int
	ef                  float64
	due                 int // day number
}

func refApply(s *refState, q int, today int) {
	if q >= 3 {
		switch s.n {
		case 0:
			s.interval = 1
		case 1:
			s.interval = 6
		default:
			s.interval = int(math.Floor(float64(s.interval)*s.ef + 0.5 + 1e-9))
		}
		s.n++
	} else {
		s.n, s.interval = 0, 1
		s.lapses++
	}
	d := float64(5 - q)
	s.ef = math.Round((s.ef+0.1-d*(0.08+d*0.02))*100) / 100
	if s.ef < 1.3 {
		s.ef = 1.3
	}
	s.due = today + s.interval
}

// TestSimulatedDays runs plain review sessions over many days with
// pseudo-random grades through the real command, then replays the review
// log through the reference SM-2: every state must match, every card due on
// a day must have been reviewed that day, new cards never exceed the daily
// limit, and every failed card comes back the same day (SM-2 step 7).
func TestSimulatedDays(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation is slow")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "sim.db")
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(7, 11))
	const days = 45
	const newPerDay = 20
	for d := range days {
		now := start.AddDate(0, 0, d)
		var in strings.Builder
		for range 400 {
			g := rng.IntN(6)
			if rng.IntN(10) < 5 {
				g = 4 + rng.IntN(2)
			}
			fmt.Fprintf(&in, "\n%d\n", g)
		}
		env := map[string]string{"TALKCARDS_DB": db, "TALKCARDS_NOW": now.Format(time.RFC3339), "TALKCARDS_USER": "sim"}
		var out, errb bytes.Buffer
		code := run([]string{"review", "--plain"}, strings.NewReader(in.String()), &out, &errb, func(k string) string { return env[k] })
		if code != 0 {
			t.Fatalf("day %d: exit %d: %s", d, code, errb.String())
		}
	}

	sdb, err := storage.Open(db, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	ref := map[string]*refState{}
	reviewedOn := map[int]map[string]bool{}
	newOn := map[int]int{}
	failedOn := map[int]map[string]int{} // card -> open failures that day
	dayOf := func(tm time.Time) int { return int(scheduler.DayOf(tm.UTC(), 4)) }
	err = sdb.Log("sim", func(_ uint64, r storage.Review) error {
		day := dayOf(r.Time)
		if failedOn[day] == nil {
			failedOn[day] = map[string]int{}
			reviewedOn[day] = map[string]bool{}
		}
		switch r.Kind {
		case storage.KindReview:
			s, ok := ref[r.Card]
			if !ok {
				s = &refState{ef: 2.5}
				ref[r.Card] = s
				newOn[day]++
			} else if s.due > day {
				t.Errorf("card %s reviewed on day %d before it was due (%d)", r.Card, day, s.due)
			}
			refApply(s, int(r.Grade), day)
			reviewedOn[day][r.Card] = true
			if r.Interval != s.interval || math.Abs(r.Easiness-s.ef) > 1e-9 {
				t.Errorf("log entry for %s: interval %d ef %.3f, reference %d %.3f", r.Card, r.Interval, r.Easiness, s.interval, s.ef)
			}
		case storage.KindRepeat:
			if failedOn[day][r.Card] == 0 {
				t.Errorf("repeat of %s on day %d without an earlier failure", r.Card, day)
			}
		}
		if r.Grade < 4 {
			failedOn[day][r.Card]++
		} else {
			failedOn[day][r.Card] = 0
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	startDay := dayOf(start)
	for day := startDay; day < startDay+days; day++ {
		if newOn[day] > newPerDay {
			t.Errorf("day %d: %d new cards, limit %d", day, newOn[day], newPerDay)
		}
		for id, n := range failedOn[day] {
			if n > 0 {
				t.Errorf("day %d: card %s failed and never passed again that day (step 7)", day, id)
			}
		}
	}
	states, err := sdb.States("sim")
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != len(ref) || len(ref) == 0 {
		t.Fatalf("%d stored states, %d in the reference", len(states), len(ref))
	}
	for id, r := range ref {
		s := states[id]
		if s.Repetitions != r.n || s.Interval != r.interval || s.Lapses != r.lapses || math.Abs(s.Easiness-r.ef) > 1e-9 || int(s.Due) != r.due {
			t.Errorf("card %s: stored n=%d I=%d EF=%.2f due=%d lapses=%d, reference n=%d I=%d EF=%.2f due=%d lapses=%d",
				id, s.Repetitions, s.Interval, s.Easiness, s.Due, s.Lapses, r.n, r.interval, r.ef, r.due, r.lapses)
		}
		// A card due within the simulated days would have been reviewed on
		// its day and moved on: its final due date lies beyond them.
		if r.due < startDay+days {
			t.Errorf("card %s was due on day %d within the simulation but never reviewed then", id, r.due)
		}
	}
	reviews := 0
	for _, m := range reviewedOn {
		reviews += len(m)
	}
	t.Logf("%d cards, %d scheduled reviews over %d days", len(ref), reviews, days)
}
