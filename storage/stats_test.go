package storage

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// statsDeck imports talk A "Go at Scale" (cards a0..a4) and talk B "Rust"
// (b0..b2) and returns the IDs by name.
func statsDeck(t testing.TB, db *DB, withA4 bool) map[string]string {
	t.Helper()
	ids := map[string]string{}
	var a, b []deck.Card
	for i := range 5 {
		if i == 4 && !withA4 {
			break
		}
		c := card("Go at Scale", sec, deck.Cloze, fmt.Sprintf("go point %d", i), i)
		a, ids[fmt.Sprintf("a%d", i)] = append(a, c), c.ID
	}
	for i := range 3 {
		c := card("Rust", []string{"Ownership"}, deck.Cloze, fmt.Sprintf("completely different rust idea %d", i), i)
		b, ids[fmt.Sprintf("b%d", i)] = append(b, c), c.ID
	}
	mustImport(t, db, file(notesA, talk("Go at Scale", a...), talk("Rust", b...)))
	return ids
}

// event is one answer of the hand-built history: next is the state written
// (nil for repeats and quiz answers), given as interval, due, lapses, EF.
type event struct {
	day   scheduler.Day
	card  string
	kind  ReviewKind
	grade int
	next  []float64 // interval, due, lapses, easiness
}

func play(t testing.TB, db *DB, user string, ids map[string]string, evs []event) {
	t.Helper()
	for _, e := range evs {
		var next *scheduler.State
		if e.next != nil {
			next = &scheduler.State{Repetitions: 1, Interval: int(e.next[0]), Due: scheduler.Day(e.next[1]),
				Lapses: int(e.next[2]), Easiness: e.next[3], LastReview: e.day}
		}
		r := Review{Time: t0.Add(time.Duration(e.day) * 24 * time.Hour), Card: ids[e.card], Grade: scheduler.Grade(e.grade),
			Kind: e.kind, Took: 2 * time.Second}
		if err := db.Record(user, r, e.day, next); err != nil {
			t.Fatal(err)
		}
	}
}

// history is the hand-built history of ann the expectations below are
// worked out from (today is day 100).
var history = []event{
	{-300, "a3", KindReview, 5, []float64{1, -299, 0, 2.6}}, // outside 365 days
	{60, "a0", KindReview, 4, []float64{30, 90, 0, 2.5}},    // new: young
	{95, "a0", KindReview, 5, []float64{60, 155, 0, 2.6}},   // interval 30 before: mature
	{95, "a1", KindReview, 3, []float64{1, 96, 0, 2.36}},
	{96, "a1", KindReview, 2, []float64{1, 97, 1, 2.18}}, // young lapse, overdue
	{96, "a1", KindRepeat, 4, nil},
	{97, "a4", KindReview, 0, []float64{1, 98, 1, 1.7}}, // retired later
	{98, "a2", KindReview, 5, []float64{7, 105, 0, 2.6}},
	{99, "b0", KindReview, 1, []float64{1, 100, 1, 1.96}},
	{99, "b0", KindRepeat, 3, nil},
	{99, "b0", KindRepeat, 4, nil},
	{100, "b1", KindReview, 4, []float64{1, 101, 0, 2.5}},
	{100, "b1", KindQuiz, 5, nil},
	{100, "b2", KindQuiz, 2, nil}, // stays new
	{100, "a0", KindQuiz, 4, nil},
}

func historyDB(t testing.TB) (*DB, map[string]string) {
	t.Helper()
	db, _ := openTest(t)
	ids := statsDeck(t, db, true)
	play(t, db, "ann", ids, history)
	if err := db.SetSuspended("ann", ids["a3"], true); err != nil {
		t.Fatal(err)
	}
	statsDeck(t, db, false) // a4 retired
	play(t, db, "bob", ids, []event{{100, "b0", KindReview, 5, []float64{1, 101, 0, 2.6}}})
	return db, ids
}

func heat(days map[int]int) [HeatmapDays]int {
	var h [HeatmapDays]int
	for off, n := range days {
		h[HeatmapDays-1-off] = n
	}
	return h
}

func TestStatsFigures(t *testing.T) {
	db, ids := historyDB(t)
	talkA := TalkStats{Slug: "go-at-scale", Title: "Go at Scale",
		Cards:   CardCounts{Learning: 1, Young: 1, Mature: 1, Suspended: 1, Retired: 1},
		Reviews: Ratio{7, 5}, Quiz: Ratio{1, 1}, DueToday: 1, LastDay: 100, Answered: true}
	talkB := TalkStats{Slug: "rust", Title: "Rust",
		Cards:   CardCounts{New: 1, Learning: 2},
		Reviews: Ratio{2, 1}, Quiz: Ratio{2, 1}, DueToday: 1, LastDay: 100, Answered: true}
	hist := func(counts ...int) []int { return counts }
	tests := []struct {
		name  string
		user  string
		opt   StatsOptions
		check func(t *testing.T, s *Stats)
	}{
		{"all talks", "ann", StatsOptions{Today: 100}, func(t *testing.T, s *Stats) {
			want := &Stats{User: "ann", Today: 100, Known: true, Active: true, FirstDay: -300, LastDay: 100,
				Reviews: Ratio{9, 6},
				Cards:   CardCounts{New: 1, Learning: 3, Young: 1, Mature: 1, Suspended: 1, Retired: 1},
				Activity: [4]Activity{
					{Reviews: 1, Quiz: 3, Time: 8 * time.Second},
					{Reviews: 7, Repeats: 3, Quiz: 3, Time: 26 * time.Second},
					{Reviews: 7, Repeats: 3, Quiz: 3, Time: 26 * time.Second},
					{Reviews: 9, Repeats: 3, Quiz: 3, Time: 30 * time.Second},
				},
				Retention: [3]Retention{
					{Young: Ratio{6, 3}, Mature: Ratio{1, 1}},
					{Young: Ratio{6, 3}, Mature: Ratio{1, 1}},
					{Young: Ratio{7, 4}, Mature: Ratio{1, 1}},
				},
				Overdue: 1, DueToday: 2, Forecast: [7]int{1, 0, 0, 0, 1, 0, 0}, Next30: 2,
				CurrentStreak: 6, LongestStreak: 6,
				Heatmap: heat(map[int]int{0: 4, 1: 3, 2: 1, 3: 1, 4: 2, 5: 2, 40: 1}),
				Talks:   []TalkStats{talkA, talkB},
			}
			if got := histCounts(s.Intervals); !reflect.DeepEqual(got, hist(3, 0, 1, 0, 0, 1, 0, 0)) {
				t.Errorf("intervals %v", got)
			}
			if got := histCounts(s.Easiness); !reflect.DeepEqual(got, hist(0, 1, 1, 0, 3, 0)) {
				t.Errorf("easiness %v", got)
			}
			if len(s.Hardest) != 2 || s.Hardest[0].ID != ids["b0"] || s.Hardest[1].ID != ids["a1"] ||
				s.Hardest[0].TalkTitle != "Rust" || s.Hardest[0].Lapses != 1 || s.Hardest[0].Easiness != 1.96 {
				t.Errorf("hardest %+v", s.Hardest)
			}
			sameStats(t, s, want)
		}},
		{"one talk", "ann", StatsOptions{Talk: "go-at-scale", Today: 100}, func(t *testing.T, s *Stats) {
			want := &Stats{User: "ann", Today: 100, Talk: "go-at-scale", Known: true, Active: true, FirstDay: -300, LastDay: 100,
				Reviews: Ratio{7, 5},
				Cards:   talkA.Cards,
				Activity: [4]Activity{
					{Quiz: 1, Time: 2 * time.Second},
					{Reviews: 5, Repeats: 1, Quiz: 1, Time: 14 * time.Second},
					{Reviews: 5, Repeats: 1, Quiz: 1, Time: 14 * time.Second},
					{Reviews: 7, Repeats: 1, Quiz: 1, Time: 18 * time.Second},
				},
				Retention: [3]Retention{
					{Young: Ratio{4, 2}, Mature: Ratio{1, 1}},
					{Young: Ratio{4, 2}, Mature: Ratio{1, 1}},
					{Young: Ratio{5, 3}, Mature: Ratio{1, 1}},
				},
				Overdue: 1, DueToday: 1, Forecast: [7]int{0, 0, 0, 0, 1, 0, 0}, Next30: 1,
				CurrentStreak: 1, LongestStreak: 4,
				Heatmap: heat(map[int]int{0: 1, 2: 1, 3: 1, 4: 2, 5: 2, 40: 1}),
				Talks:   []TalkStats{talkA},
			}
			if len(s.Hardest) != 1 || s.Hardest[0].ID != ids["a1"] {
				t.Errorf("hardest %+v", s.Hardest)
			}
			sameStats(t, s, want)
		}},
		{"other user", "bob", StatsOptions{Today: 100}, func(t *testing.T, s *Stats) {
			if !s.Known || s.Reviews != (Ratio{1, 1}) || s.Cards.Learning != 1 || s.Cards.New != 6 || s.Forecast[0] != 1 ||
				s.CurrentStreak != 1 || s.Talks[0].Reviews != (Ratio{}) || s.Talks[1].Reviews != (Ratio{1, 1}) {
				t.Errorf("bob %+v", s)
			}
		}},
		{"unknown user", "cy", StatsOptions{Today: 100}, func(t *testing.T, s *Stats) {
			if s.Known || s.Active || s.Reviews != (Ratio{}) || s.Cards.New != 7 || s.CurrentStreak != 0 || len(s.Hardest) != 0 {
				t.Errorf("cy %+v", s)
			}
			if _, ok := s.Retention[0].All().Share(); ok {
				t.Error("a share of no reviews")
			}
		}},
		{"clock before the last review", "ann", StatsOptions{Today: 97}, func(t *testing.T, s *Stats) {
			if s.LastDay != 100 || s.Activity[0] != (Activity{Reviews: 1, Time: 2 * time.Second}) ||
				s.Activity[3].Reviews != 9 || s.Retention[0] != (Retention{Young: Ratio{3, 1}, Mature: Ratio{1, 1}}) ||
				s.CurrentStreak != 3 || s.LongestStreak != 3 || s.Heatmap[HeatmapDays-1] != 1 {
				t.Errorf("earlier clock %+v", s)
			}
		}},
		{"one hardest card", "ann", StatsOptions{Today: 100, Hardest: 1}, func(t *testing.T, s *Stats) {
			if len(s.Hardest) != 1 || s.Hardest[0].ID != ids["b0"] {
				t.Errorf("hardest %+v", s.Hardest)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := db.Stats(tt.user, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
	if _, err := db.Stats("ann", StatsOptions{Talk: "nope", Today: 100}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown talk: %v", err)
	}
	if _, err := db.Stats("bad name", StatsOptions{Today: 100}); !errors.Is(err, ErrBadUser) {
		t.Errorf("bad user: %v", err)
	}
}

func histCounts(h []HistBucket) []int {
	var out []int
	for _, b := range h {
		out = append(out, b.Cards)
	}
	return out
}

// sameStats compares the figures of got with want, but for the histograms
// and hardest cards (checked apart).
func sameStats(t *testing.T, got, want *Stats) {
	t.Helper()
	g := *got
	g.Intervals, g.Easiness, g.Hardest = nil, nil, nil
	if !reflect.DeepEqual(&g, want) {
		gv, wv := reflect.ValueOf(g), reflect.ValueOf(*want)
		for i := range gv.NumField() {
			if !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
				t.Errorf("%s = %+v\nwant %+v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
			}
		}
	}
}

func TestDayAggMatureSplit(t *testing.T) {
	db, ids := historyDB(t)
	d, err := db.Day("ann", 95)
	if err != nil {
		t.Fatal(err)
	}
	want := DayAgg{Day: 95, New: 1, Time: 4 * time.Second}
	want.Grades[KindReview][5], want.Grades[KindReview][3], want.Mature[5] = 1, 1, 1
	want.derive()
	if !reflect.DeepEqual(d, want) {
		t.Errorf("day 95 = %+v\nwant %+v", d, want)
	}
	if n, p := d.Scheduled(true); n != 1 || p != 1 {
		t.Errorf("mature %d %d", n, p)
	}
	if n, p := d.Scheduled(false); n != 1 || p != 1 {
		t.Errorf("young %d %d", n, p)
	}
	var log []Review
	if err := db.Log("ann", func(_ uint64, r Review) error { log = append(log, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if r := log[2]; r.Card != ids["a0"] || r.Day != 95 || r.PrevInterval != 30 || !r.Mature() || r.Introduced || !r.Scheduled {
		t.Errorf("mature entry %+v", r)
	}
	if r := log[1]; r.PrevInterval != 0 || r.Mature() || !r.Introduced {
		t.Errorf("first review %+v", r)
	}
	if r := log[5]; r.Kind != KindRepeat || r.Scheduled || r.Introduced || r.PrevInterval != 1 {
		t.Errorf("repeat %+v", r)
	}
}

// TestAggregatesMatchLog plays random answers and undos, several users and
// talks, suspends and an import that retires cards, and checks after each
// step that the stored day and talk-day aggregates are what the log implies.
func TestAggregatesMatchLog(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			db, _ := openTest(t)
			db.bolt.NoSync = true // thousands of commits; durability is not under test
			ids := statsDeck(t, db, true)
			var names []string
			for n := range ids {
				names = append(names, n)
			}
			users := []string{"ann", "bob"}
			for step := range 300 {
				user := users[rng.IntN(len(users))]
				id := ids[names[rng.IntN(len(names))]]
				day := scheduler.Day(rng.IntN(40))
				switch op := rng.IntN(10); {
				case op < 2:
					if _, _, err := db.Undo(user); err != nil && !errors.Is(err, ErrUndoStale) {
						t.Fatal(err)
					}
				case op == 2:
					if err := db.SetSuspended(user, id, rng.IntN(2) == 0); err != nil {
						t.Fatal(err)
					}
				case op == 3 && step == 150:
					statsDeck(t, db, false)
				default:
					prev, had, err := db.State(user, id)
					if err != nil {
						t.Fatal(err)
					}
					g := scheduler.Grade(rng.IntN(6))
					kind := ReviewKind(rng.IntN(3))
					var next *scheduler.State
					if kind == KindReview {
						s := scheduler.Apply(prev, !had, g, day)
						s.Interval += rng.IntN(40) // reach mature intervals quickly
						next = &s
					}
					r := Review{Time: t0.Add(time.Duration(step) * time.Minute), Card: id, Grade: g, Kind: kind,
						Took: time.Duration(rng.IntN(100000)) * time.Microsecond}
					if err := db.Record(user, r, day, next); err != nil {
						t.Fatal(err)
					}
				}
				for _, u := range users {
					sameAggregates(t, db, u)
				}
			}
		})
	}
}

func sameAggregates(t *testing.T, db *DB, user string) {
	t.Helper()
	want, err := db.RecomputeAggregates(user)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.Days(user, -1<<31, 1<<31-1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[scheduler.Day]DayAgg{}
	for _, a := range stored {
		got[a.Day] = a
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: stored days\n%+v\nrecomputed\n%+v", user, got, want)
	}
	err = db.view(func(tx *bolt.Tx) error {
		_, wantTalk, err := recomputeTx(tx, user)
		if err != nil {
			return err
		}
		gotTalk := map[talkDay]DayAgg{}
		if b := sub(tx.Bucket(bUsers).Bucket([]byte(user)), bTalkDays); b != nil {
			err := b.ForEach(func(k, v []byte) error {
				slug, day, err := splitTalkDayKey(k)
				if err != nil {
					return err
				}
				gotTalk[talkDay{slug, day}], err = decodeDayAgg(day, v)
				return err
			})
			if err != nil {
				return err
			}
		}
		if !reflect.DeepEqual(gotTalk, wantTalk) {
			t.Fatalf("%s: stored talk days\n%+v\nrecomputed\n%+v", user, gotTalk, wantTalk)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStatsTalkLinesAgree checks the report on all talks (one pass over the
// states, started before the talks are read and corrected after) against
// the reports on each talk (its cards through the note-order index) on
// random collections, with states of retired cards and of no talk among
// them, and with no slack for the hardest cards (the pass done again).
func TestStatsTalkLinesAgree(t *testing.T) {
	defer func(s int) { scanSlack = s }(scanSlack)
	for seed := range uint64(6) {
		db, last := randomCollection(t, seed)
		if seed >= 4 {
			addOrphanState(t, db, "ann", last)
		}
		for _, slack := range []int{64, 0} {
			scanSlack = slack
			for _, user := range []string{"ann", "bob", "cy"} {
				for _, n := range []int{1, 3, 1000} {
					statsAgree(t, db, user, last, n, fmt.Sprintf("seed %d, slack %d, %s, %d hardest", seed, slack, user, n))
				}
			}
		}
	}
}

// addOrphanState gives the user a state of a talk seq no talk has (damage
// that Verify reports), due and hard.
func addOrphanState(t *testing.T, db *DB, user string, day scheduler.Day) {
	t.Helper()
	s := scheduler.State{Repetitions: 2, Easiness: 1.3, Interval: 30, Due: day, Lapses: 9, LastReview: day}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bUsers).Bucket([]byte(user)).Bucket(bState).Put([]byte("\x00orphan!"), encodeState(s, 999))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func statsAgree(t *testing.T, db *DB, user string, today scheduler.Day, n int, what string) {
	t.Helper()
	all, err := db.Stats(user, StatsOptions{Today: today, Hardest: n})
	if err != nil {
		t.Fatal(err)
	}
	var sum CardCounts
	var intervals, easiness []int
	var hardest []HardCard
	for i, line := range all.Talks {
		one, err := db.Stats(user, StatsOptions{Today: today, Talk: line.Slug, Hardest: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(one.Talks, all.Talks[i:i+1]) {
			t.Errorf("%s: talk line\n got %+v\nwant %+v", what, all.Talks[i], one.Talks[0])
		}
		c := one.Cards
		sum = CardCounts{sum.New + c.New, sum.Learning + c.Learning, sum.Young + c.Young, sum.Mature + c.Mature,
			sum.Suspended + c.Suspended, sum.Retired + c.Retired}
		intervals = addCounts(intervals, histCounts(one.Intervals))
		easiness = addCounts(easiness, histCounts(one.Easiness))
		hardest = append(hardest, one.Hardest...)
	}
	if sum != all.Cards || !reflect.DeepEqual(intervals, histCounts(all.Intervals)) ||
		!reflect.DeepEqual(easiness, histCounts(all.Easiness)) {
		t.Errorf("%s: talks add up to %+v %v %v, all talks %+v %v %v", what,
			sum, intervals, easiness, all.Cards, histCounts(all.Intervals), histCounts(all.Easiness))
	}
	// Each talk's list is in note order between equals, the talks in seq order.
	slices.SortStableFunc(hardest, func(a, b HardCard) int {
		return cmp.Or(cmp.Compare(b.Lapses, a.Lapses), cmp.Compare(a.Easiness, b.Easiness))
	})
	hardest = hardest[:min(n, len(hardest))]
	if !reflect.DeepEqual(all.Hardest, hardest) && !(len(all.Hardest) == 0 && len(hardest) == 0) {
		t.Errorf("%s: hardest\n got %+v\nwant %+v", what, all.Hardest, hardest)
	}
}

func addCounts(a, b []int) []int {
	if a == nil {
		a = make([]int, len(b))
	}
	for i := range b {
		a[i] += b[i]
	}
	return a
}

// TestStateHistBuckets checks the histogram tables against the comparisons
// they stand for: a value goes to the first bucket whose bound is above it
// (the last if none), easiness rounded to hundredths first.
func TestStateHistBuckets(t *testing.T) {
	bucket := func(h []HistBucket, v float64) int {
		for i := range h {
			if v < h[i].Max || h[i].Max == 0 || i == len(h)-1 {
				return i
			}
		}
		return -1
	}
	rng := rand.New(rand.NewPCG(3, 4))
	easiness := []float64{-1, 0, 1.3, 1.694999, 1.695, 1.7, 1.99, 1.995, 2.0, 2.299999, 2.3, 2.4949, 2.495, 2.5, 2.69, 2.695,
		2.7, 2.9999, 3, 3.5, 1e9, math.NaN(), math.Inf(1), math.Inf(-1)}
	for range 10000 {
		easiness = append(easiness, 1+2*rng.Float64(), float64(100+rng.IntN(250))/100)
	}
	for iv := -3; iv < 2000; iv++ {
		e := easiness[(iv+3)%len(easiness)]
		var h stateHist
		h.add(iv, e)
		var want stateHist
		want.intervals[bucket(intervalBuckets, float64(iv))]++
		want.easiness[bucket(easinessBuckets, math.Round(e*100)/100)]++
		if h != want {
			t.Errorf("interval %d, easiness %v: %+v, want %+v", iv, e, h, want)
		}
	}
	for _, e := range easiness {
		var h, want stateHist
		h.add(5, e)
		want.intervals[bucket(intervalBuckets, 5)]++
		want.easiness[bucket(easinessBuckets, math.Round(e*100)/100)]++
		if h != want {
			t.Errorf("easiness %v: %+v, want %+v", e, h.easiness, want.easiness)
		}
	}
	if len(stateHist{}.intervals) != len(intervalBuckets) || len(stateHist{}.easiness) != len(easinessBuckets) {
		t.Error("stateHist does not have a count per bucket")
	}
}

// TestEasinessFast checks the pass over the states places every easiness
// as easinessIndex does, at the rounding bounds and one ulp either side.
func TestEasinessFast(t *testing.T) {
	values := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e9, -1e9}
	for c := -2; c <= 302; c++ {
		for _, x := range []float64{float64(c), float64(c) - 0.5, float64(c) + 0.5} {
			e := x / 100
			values = append(values, e, math.Nextafter(e, math.Inf(1)), math.Nextafter(e, math.Inf(-1)))
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		values = append(values, 4*rng.Float64()-0.5)
	}
	e := scheduler.InitialEasiness
	for range 1000 { // as SM-2 drifts it
		e = max(e+[]float64{0.1, -0.14, -0.32, -0.54, -0.8}[rng.IntN(5)], 1.3)
		values = append(values, e)
	}
	for _, e := range values {
		if got, want := easinessFast(e), easinessIndex(e); got != want {
			t.Errorf("easiness %v (× 100 = %v): bucket %d, want %d", e, e*100, got, want)
		}
	}
}
