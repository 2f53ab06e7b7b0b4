package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// Report windows, in days ending today (today included).
var (
	// ActivityWindows are today, the last 7 and 30 days, and all time (0).
	ActivityWindows = [4]int{1, 7, 30, 0}
	// RetentionWindows are the windows of true retention.
	RetentionWindows = [3]int{7, 30, 365}
)

const (
	// ForecastDays is how many days after today the forecast counts one by one.
	ForecastDays = 7
	// ForecastSpan is how many days after today the forecast totals.
	ForecastSpan = 30
	// HeatmapDays is how many days Stats.Heatmap holds, ending today: 52 full
	// weeks before this one and this one, however far into it today is.
	HeatmapDays = 53 * 7
	// DefaultHardest is how many hardest cards Stats lists by default.
	DefaultHardest = 10
)

// StatsOptions choose what Stats reports.
type StatsOptions struct {
	Talk    string        // a talk slug; "" for all talks
	Today   scheduler.Day // the user's today
	Hardest int           // how many hardest cards to list; 0 means DefaultHardest
}

// Ratio is a number of answers and how many of them passed (grade 3+).
type Ratio struct{ Answers, Passed int }

// Share is Passed/Answers; false when there are no answers.
func (r Ratio) Share() (float64, bool) {
	if r.Answers == 0 {
		return 0, false
	}
	return float64(r.Passed) / float64(r.Answers), true
}

func (r *Ratio) add(o Ratio) { r.Answers += o.Answers; r.Passed += o.Passed }

// Activity is what was answered in a window, and the time it took.
type Activity struct {
	Reviews, Repeats, Quiz int // answers by kind
	Time                   time.Duration
}

// Answers counts answers of every kind.
func (a Activity) Answers() int { return a.Reviews + a.Repeats + a.Quiz }

// Retention is true retention over a window: scheduled reviews (not
// same-day repeats, not quiz answers) graded 3 or more, of young and of
// mature cards, by the card's interval before the review (mature from
// MatureInterval days; a new card's first review is young).
type Retention struct{ Young, Mature Ratio }

// All is young and mature together.
func (r Retention) All() Ratio {
	a := r.Young
	a.add(r.Mature)
	return a
}

// CardCounts are cards by state for one user. Learning, young and mature are
// by the current interval: 1 day or less, 2 to 20 days, 21 or more.
type CardCounts struct {
	New, Learning, Young, Mature, Suspended, Retired int
}

// Active counts every card but the retired ones.
func (c CardCounts) Active() int { return c.New + c.Learning + c.Young + c.Mature + c.Suspended }

// TalkStats is one talk's line of a report.
type TalkStats struct {
	Slug, Title string
	Cards       CardCounts
	Reviews     Ratio         // scheduled reviews, all time
	Quiz        Ratio         // quiz answers, all time; passed = right
	DueToday    int           // active cards due today or overdue
	LastDay     scheduler.Day // last day with an answer on the talk's cards
	Answered    bool          // false: never answered, LastDay means nothing
}

// HistBucket is one bar of a histogram: Min <= value < Max (Max 0: no bound).
type HistBucket struct {
	Label    string
	Min, Max float64
	Cards    int
}

// HardCard is a card that gives the user trouble.
type HardCard struct {
	ID, TalkSlug, TalkTitle, Prompt string
	Lapses                          int
	Easiness                        float64
	Interval                        int
}

// Stats is one user's report on all talks or one talk. Everything comes from
// the day (or talk-day) aggregates, the states and the due index; never from
// the review log.
type Stats struct {
	User   string
	Today  scheduler.Day
	Talk   string // slug, "" for all talks
	Known  bool   // the user has any data in the database
	Active bool   // the user answered any card in scope

	FirstDay, LastDay scheduler.Day // first and last day with an answer (if Active)

	Reviews   Ratio // scheduled reviews, all time
	Cards     CardCounts
	Activity  [len(ActivityWindows)]Activity
	Retention [len(RetentionWindows)]Retention

	Overdue  int // due before today
	DueToday int // due today, overdue included
	Forecast [ForecastDays]int
	Next30   int // due in the ForecastSpan days after today

	CurrentStreak, LongestStreak int // days in a row with an answer, up to today

	Heatmap [HeatmapDays]int // answers per day, Heatmap[HeatmapDays-1] is today

	Intervals, Easiness []HistBucket // of cards reviewed and not suspended
	Hardest             []HardCard
	Talks               []TalkStats
}

// intervalBuckets bound the interval histogram: 21 days (mature) is a bound.
var intervalBuckets = []HistBucket{
	{Label: "1d", Min: 0, Max: 2}, {Label: "2-6d", Min: 2, Max: 7}, {Label: "7-13d", Min: 7, Max: 14},
	{Label: "14-20d", Min: 14, Max: 21}, {Label: "21-59d", Min: 21, Max: 60}, {Label: "60-179d", Min: 60, Max: 180},
	{Label: "180-364d", Min: 180, Max: 365}, {Label: "1y+", Min: 365},
}

// easinessBuckets bound the easiness histogram; every card starts at 2.50.
var easinessBuckets = []HistBucket{
	{Label: "1.30-1.69", Min: 1.3, Max: 1.7}, {Label: "1.70-1.99", Min: 1.7, Max: 2.0},
	{Label: "2.00-2.29", Min: 2.0, Max: 2.3}, {Label: "2.30-2.49", Min: 2.3, Max: 2.5},
	{Label: "2.50-2.69", Min: 2.5, Max: 2.7}, {Label: "2.70+", Min: 2.7},
}

func histAdd(h []HistBucket, v float64) {
	for i := range h {
		if v < h[i].Max || h[i].Max == 0 || i == len(h)-1 {
			h[i].Cards++
			return
		}
	}
}

// Stats computes a user's report. Its cost is O(days with answers × talks in
// scope) for the aggregates, O(cards) for the states and O(due cards up to
// ForecastSpan days ahead) for the due index; it never reads the review log.
// An unknown talk slug gives ErrNotFound; an unknown user an empty report
// with Known false.
func (db *DB) Stats(user string, opt StatsOptions) (*Stats, error) {
	if opt.Hardest <= 0 {
		opt.Hardest = DefaultHardest
	}
	st := &Stats{User: user, Today: opt.Today, Talk: opt.Talk}
	st.Intervals = append([]HistBucket(nil), intervalBuckets...)
	st.Easiness = append([]HistBucket(nil), easinessBuckets...)
	err := db.view(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil {
			return err
		}
		st.Known = ub != nil
		talks, err := loadTalksWith(tx, decodeTalkBrief)
		if err != nil {
			return err
		}
		var scope []*talkRec
		if opt.Talk != "" {
			t := talks[opt.Talk]
			if t == nil {
				return fmt.Errorf("talk %q: %w", opt.Talk, ErrNotFound)
			}
			scope = append(scope, t)
		} else {
			for _, t := range talks {
				scope = append(scope, t)
			}
			sort.Slice(scope, func(i, j int) bool { return scope[i].Seq < scope[j].Seq })
		}
		bySlug := make(map[string]int, len(scope))
		bySeq := make(map[uint32]int, len(scope))
		st.Talks = make([]TalkStats, 0, len(scope))
		for i, t := range scope {
			st.Talks = append(st.Talks, TalkStats{Slug: t.Slug, Title: t.Title})
			bySlug[t.Slug], bySeq[uint32(t.Seq)] = i, i
		}
		if err := st.readAggregates(ub, opt.Talk, bySlug); err != nil {
			return err
		}
		var hard []hardCandidate
		if opt.Talk != "" {
			hard, err = st.readStates(tx, ub, scope, bySeq)
		} else {
			hard, err = st.scanStates(tx, ub, scope, bySeq, opt.Hardest)
		}
		if err != nil {
			return err
		}
		if err := st.readDue(ub, bySeq); err != nil {
			return err
		}
		return st.pickHardest(tx, hard, talks, opt.Hardest)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// readAggregates sums the user's day aggregates (the talk's talk-day
// aggregates with a talk) into the report, and every talk-day aggregate into
// its talk's line.
func (st *Stats) readAggregates(ub *bolt.Bucket, talk string, bySlug map[string]int) error {
	var mine []DayAgg
	if sums := sub(ub, bTalkSum); talk == "" && sums != nil {
		err := sums.ForEach(func(k, v []byte) error {
			i, ok := bySlug[string(k)]
			if !ok {
				return nil // a talk not in the talks bucket: nothing to show it by
			}
			s, err := decodeTalkSum(v)
			if err != nil {
				return err
			}
			ts := &st.Talks[i]
			ts.Reviews, ts.Quiz, ts.LastDay, ts.Answered = s.Reviews, s.Quiz, s.Last, true
			return nil
		})
		if err != nil {
			return err
		}
	} else if talkDays := sub(ub, bTalkDays); talk != "" && talkDays != nil {
		c := talkDays.Cursor()
		var k, v []byte
		if talk != "" {
			k, v = c.Seek(append([]byte(talk), 0))
		} else {
			k, v = c.First()
		}
		for ; k != nil; k, v = c.Next() {
			slug, day, err := splitTalkDayKey(k)
			if err != nil {
				return err
			}
			if talk != "" && slug != talk {
				break
			}
			i, ok := bySlug[slug]
			if !ok {
				continue // a talk not in the talks bucket: nothing to show it by
			}
			a, err := decodeDayAgg(day, v)
			if err != nil {
				return err
			}
			ts := &st.Talks[i]
			ts.Reviews.add(Ratio{a.ByKind[KindReview], a.Passes[KindReview]})
			ts.Quiz.add(Ratio{a.ByKind[KindQuiz], a.Passes[KindQuiz]})
			ts.LastDay, ts.Answered = max(ts.LastDay, day), true
			if talk != "" {
				mine = append(mine, a)
			}
		}
	}
	if talk == "" {
		if days := sub(ub, bDays); days != nil {
			err := days.ForEach(func(k, v []byte) error {
				if len(k) != 4 {
					return fmt.Errorf("day key: %w", errCorrupt)
				}
				a, err := decodeDayAgg(keyDay(k), v)
				mine = append(mine, a)
				return err
			})
			if err != nil {
				return err
			}
		}
	}
	st.summarise(mine)
	return nil
}

// summarise computes the figures that come from day aggregates, given in
// day order.
func (st *Stats) summarise(aggs []DayAgg) {
	today := st.Today
	run, prev := 0, scheduler.Day(0)
	for i, a := range aggs {
		if i == 0 {
			st.FirstDay = a.Day
		}
		st.Active, st.LastDay = true, a.Day
		st.Reviews.add(Ratio{a.ByKind[KindReview], a.Passes[KindReview]})
		for w, days := range ActivityWindows {
			if days == 0 || a.Day <= today && a.Day > today-scheduler.Day(days) {
				act := &st.Activity[w]
				act.Reviews += a.ByKind[KindReview]
				act.Repeats += a.ByKind[KindRepeat]
				act.Quiz += a.ByKind[KindQuiz]
				act.Time += a.Time
			}
		}
		if a.Day > today {
			continue // a clock set back: later days count in all time only
		}
		for w, days := range RetentionWindows {
			if a.Day > today-scheduler.Day(days) {
				r := &st.Retention[w]
				n, p := a.Scheduled(false)
				r.Young.add(Ratio{n, p})
				n, p = a.Scheduled(true)
				r.Mature.add(Ratio{n, p})
			}
		}
		if off := int(today - a.Day); off < HeatmapDays {
			st.Heatmap[HeatmapDays-1-off] = a.Answers()
		}
		if run > 0 && a.Day == prev+1 {
			run++
		} else {
			run = 1
		}
		prev = a.Day
		st.LongestStreak = max(st.LongestStreak, run)
	}
	if run > 0 && prev >= today-1 {
		st.CurrentStreak = run
	}
}

// hardCandidate is a card that lapsed or lost easiness, before its record is read.
type hardCandidate struct {
	key   []byte
	order uint64
	state scheduler.State
}

// readStates counts the cards in scope by state, per talk and in all, and
// fills the histograms. It returns the candidates for the hardest cards.
func (st *Stats) readStates(tx *bolt.Tx, ub *bolt.Bucket, scope []*talkRec, bySeq map[uint32]int) ([]hardCandidate, error) {
	states := sub(ub, bState)
	var hard []hardCandidate
	c := tx.Bucket(bOrder).Cursor()
	for _, t := range scope {
		prefix := binary.BigEndian.AppendUint32(nil, uint32(t.Seq))
		ti := bySeq[uint32(t.Seq)]
		ts := &st.Talks[ti]
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) != 16 {
				return nil, fmt.Errorf("order index: %w", errCorrupt)
			}
			if bytes.Equal(v, orderRetired) {
				ts.Cards.Retired++
				continue
			}
			var sv []byte
			if states != nil {
				sv = states.Get(k[8:])
			}
			if sv == nil {
				ts.Cards.New++
				continue
			}
			s, err := decodeState(sv)
			if err != nil {
				return nil, err
			}
			switch {
			case s.Suspended:
				ts.Cards.Suspended++
				continue
			case neverReviewed(s):
				ts.Cards.New++
				continue
			case s.Interval <= 1:
				ts.Cards.Learning++
			case s.Interval < MatureInterval:
				ts.Cards.Young++
			default:
				ts.Cards.Mature++
			}
			histAdd(st.Intervals, float64(s.Interval))
			histAdd(st.Easiness, math.Round(s.Easiness*100)/100)
			if s.Lapses > 0 || s.Easiness < scheduler.InitialEasiness {
				hard = append(hard, hardCandidate{slices.Clone(k[8:]), binary.BigEndian.Uint64(k), s})
			}
		}
	}
	for _, ts := range st.Talks {
		c := &st.Cards
		c.New += ts.Cards.New
		c.Learning += ts.Cards.Learning
		c.Young += ts.Cards.Young
		c.Mature += ts.Cards.Mature
		c.Suspended += ts.Cards.Suspended
		c.Retired += ts.Cards.Retired
	}
	return hard, nil
}

// readDue reads the due index from its start to ForecastSpan days after
// today, counting the cards of talks in scope (the entries hold the card's
// note order, so its talk; retired cards have none).
func (st *Stats) readDue(ub *bolt.Bucket, bySeq map[uint32]int) error {
	due := sub(ub, bDue)
	if due == nil {
		return nil
	}
	today := st.Today
	end := dayKey(today + ForecastSpan)
	c := due.Cursor()
	for k, v := c.First(); k != nil && bytes.Compare(k[:min(4, len(k))], end[:]) <= 0; k, v = c.Next() {
		if len(k) != 12 || len(v) != 8 {
			return fmt.Errorf("due index: %w", errCorrupt)
		}
		ti, ok := bySeq[binary.BigEndian.Uint32(v)]
		if !ok {
			continue // not in scope
		}
		switch d := keyDay(k[:4]); {
		case d <= today:
			st.DueToday++
			st.Talks[ti].DueToday++
			if d < today {
				st.Overdue++
			}
		default:
			if d <= today+ForecastDays {
				st.Forecast[d-today-1]++
			}
			st.Next30++
		}
	}
	return nil
}

// pickHardest keeps the n cards with the most lapses, then the lowest
// easiness, then in note order, and reads their records.
func (st *Stats) pickHardest(tx *bolt.Tx, hard []hardCandidate, talks map[string]*talkRec, n int) error {
	sort.Slice(hard, func(i, j int) bool {
		a, b := hard[i].state, hard[j].state
		if a.Lapses != b.Lapses {
			return a.Lapses > b.Lapses
		}
		if a.Easiness != b.Easiness {
			return a.Easiness < b.Easiness
		}
		return hard[i].order < hard[j].order
	})
	cards := tx.Bucket(bCards)
	for _, h := range hard[:min(n, len(hard))] {
		v := cards.Get(h.key)
		if v == nil {
			return fmt.Errorf("order index names card %x: %w", h.key, errCorrupt)
		}
		c, err := decodeCard(h.key, v)
		if err != nil {
			return err
		}
		title := c.Talk
		if t := talks[c.TalkSlug]; t != nil {
			title = t.Title
		}
		st.Hardest = append(st.Hardest, HardCard{ID: c.ID, TalkSlug: c.TalkSlug, TalkTitle: title, Prompt: c.Prompt,
			Lapses: h.state.Lapses, Easiness: h.state.Easiness, Interval: h.state.Interval})
	}
	return nil
}

// scanStates is readStates for all talks: one pass over the user's states in
// key order (each holds its card's talk), no card record read. Cards
// without a state and never reviewed ones are the talk's active cards left
// over; the retired ones come from the talk records, and the states of
// retired cards are recognised through the order index of the few talks
// that have any. Only the candidates that can be among the n hardest get
// their note order read.
func (st *Stats) scanStates(tx *bolt.Tx, ub *bolt.Bucket, scope []*talkRec, bySeq map[uint32]int, n int) ([]hardCandidate, error) {
	maxSeq := 0
	for _, t := range scope {
		maxSeq = max(maxSeq, t.Seq)
	}
	talkIdx := make([]int32, maxSeq+1)
	for i := range talkIdx {
		talkIdx[i] = -1
	}
	retired := map[[8]byte]bool{}
	hasRetired := make([]bool, maxSeq+1)
	c := tx.Bucket(bOrder).Cursor()
	for _, t := range scope {
		talkIdx[t.Seq] = int32(bySeq[uint32(t.Seq)])
		if t.Retired == 0 {
			continue
		}
		hasRetired[t.Seq] = true
		prefix := binary.BigEndian.AppendUint32(nil, uint32(t.Seq))
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if len(k) != 16 {
				return nil, fmt.Errorf("order index: %w", errCorrupt)
			}
			if bytes.Equal(v, orderRetired) {
				retired[[8]byte(k[8:])] = true
			}
		}
	}
	type cand struct {
		key      [8]byte
		lapses   int32
		interval int32
		easiness float64
	}
	// better orders hardest-first by lapses, then easiness (note order
	// breaks the ties later).
	better := func(a, b *cand) int {
		if a.lapses != b.lapses {
			return int(b.lapses - a.lapses)
		}
		return cmp.Compare(a.easiness, b.easiness)
	}
	// top holds the n best candidates seen by lapses and easiness; cands
	// every candidate not worse than the n-th best when it was seen.
	var cands, top []cand
	consider := func(cd cand) {
		if len(top) == n && better(&cd, &top[n-1]) > 0 {
			return
		}
		cands = append(cands, cd)
		if len(top) == n && better(&cd, &top[n-1]) == 0 {
			return
		}
		at, _ := slices.BinarySearchFunc(top, &cd, func(a cand, b *cand) int { return cmp.Or(better(&a, b), -1) })
		top = slices.Insert(top, at, cd)
		if len(top) > n {
			top = top[:n]
		}
	}
	if states := sub(ub, bState); states != nil {
		err := states.ForEach(func(k, v []byte) error {
			s, err := decodeState(v)
			if err != nil {
				return err
			}
			if len(k) != 8 {
				return fmt.Errorf("state key: %w", errCorrupt)
			}
			seq := stateTalk(v)
			if int64(seq) > int64(maxSeq) || talkIdx[seq] < 0 || (hasRetired[seq] && retired[[8]byte(k)]) {
				return nil // not in scope, or retired
			}
			cc := &st.Talks[talkIdx[seq]].Cards
			switch {
			case s.Suspended:
				cc.Suspended++
				return nil
			case neverReviewed(s):
				return nil // new: counted as what is left
			case s.Interval <= 1:
				cc.Learning++
			case s.Interval < MatureInterval:
				cc.Young++
			default:
				cc.Mature++
			}
			histAdd(st.Intervals, float64(s.Interval))
			histAdd(st.Easiness, math.Round(s.Easiness*100)/100)
			if s.Lapses > 0 || s.Easiness < scheduler.InitialEasiness {
				consider(cand{[8]byte(k), int32(s.Lapses), int32(s.Interval), s.Easiness})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, t := range scope {
		cc := &st.Talks[talkIdx[t.Seq]].Cards
		cc.Retired = t.Retired
		cc.New = t.Cards - cc.Learning - cc.Young - cc.Mature - cc.Suspended
		sc := &st.Cards
		sc.New += cc.New
		sc.Learning += cc.Learning
		sc.Young += cc.Young
		sc.Mature += cc.Mature
		sc.Suspended += cc.Suspended
		sc.Retired += cc.Retired
	}

	// Only the candidates not worse than the n-th best can be among the n
	// hardest: note order breaks their ties.
	if len(top) == 0 {
		return nil, nil
	}
	worst := &top[len(top)-1]
	cards := tx.Bucket(bCards)
	var hard []hardCandidate
	for i := range cands {
		cd := &cands[i]
		if better(cd, worst) > 0 {
			continue
		}
		cv := cards.Get(cd.key[:])
		if cv == nil {
			return nil, fmt.Errorf("state names card %x: %w", cd.key, errCorrupt)
		}
		order, _, err := cardBrief(cv)
		if err != nil {
			return nil, err
		}
		s := scheduler.State{Lapses: int(cd.lapses), Easiness: cd.easiness, Interval: int(cd.interval)}
		hard = append(hard, hardCandidate{slices.Clone(cd.key[:]), order, s})
	}
	return hard, nil
}
