package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"
	"unsafe"

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
		// Most of a report's time waits on page faults of the mapped file,
		// so on all talks what does not need the talks runs beside their
		// read (cursors of a read-only transaction only read the map): the
		// user's state summary (statesum.go) and talk summaries, or where
		// there is no state summary (a schema 1 file not migrated yet) the
		// pass over every state. The pass cannot know the talks yet: it
		// counts by the talk seq the states name, and what it should have
		// left out (the states of retired cards) is taken back out
		// afterwards.
		states := sub(ub, bState)
		seqs := int(min(getU64(tx.Bucket(bMeta), kTalks), maxTalkSeq)) + 1 // a hint: seqs count talks from 1
		var sum *stateSum
		var sums []slugSum
		var scan *stateScan
		summed := false // the state summary stands for the pass
		var early error // of what runs beside
		var wg sync.WaitGroup
		defer wg.Wait() // the transaction must outlive what runs beside
		switch {
		case opt.Talk != "":
		case ub != nil && ub.Get(kStateSum) != nil:
			summed = true
			wg.Go(func() {
				early = db.guard(func() (err error) {
					if sum, _, err = readStateSum(ub, seqs); err != nil {
						return err
					}
					sums, err = readTalkSums(ub, seqs)
					return err
				})
			})
		case states != nil:
			wg.Go(func() {
				early = db.guard(func() (err error) {
					scan, err = scanStates(states, seqs, opt.Hardest+scanSlack, nil)
					return err
				})
			})
		}
		talks, err := loadTalkBriefs(tx)
		if err != nil {
			return err
		}
		var scope []int32 // indexes into talks, in seq order
		if opt.Talk != "" {
			i, ok := talks.find(opt.Talk)
			if !ok {
				return fmt.Errorf("talk %q: %w", opt.Talk, ErrNotFound)
			}
			scope = []int32{int32(i)}
		} else {
			scope = talks.bySeq()
		}
		sc := newStatsScope(talks, scope)
		st.Talks = make([]TalkStats, len(scope))
		for i, ti := range scope {
			st.Talks[i] = TalkStats{Slug: talks.slug(int(ti)), Title: talks.title(int(ti))}
		}
		// The due index up to 30 days ahead, or with the summary's due
		// counts by day, up to today only (the talks' lines need it by
		// talk), the days after from the counts.
		var dueErr error
		dueSummed := summed && sub(ub, bSumDue) != nil
		wg.Go(func() {
			dueErr = db.guard(func() error {
				if !dueSummed {
					return st.readDue(ub, sc, st.Today+ForecastSpan)
				}
				if err := st.readDue(ub, sc, st.Today); err != nil {
					return err
				}
				return st.addDueCounts(sub(ub, bSumDue))
			})
		})
		err = st.readDays(ub, opt.Talk)
		// What the pass should have left out is found while it runs.
		var retired *retiredStates
		var retiredErr error
		if err == nil && opt.Talk == "" && !summed {
			retired, retiredErr = readRetired(tx, states, talks, sc)
		}
		wg.Wait()
		if err == nil && early == nil && opt.Talk == "" {
			if sums == nil {
				sums, err = readTalkSums(ub, seqs)
			}
			if err == nil {
				st.addTalkSums(sums, talks, sc)
			}
		}
		var hard []hardCandidate
		switch {
		case err != nil:
			return err
		case early != nil:
			return early
		case dueErr != nil:
			return dueErr
		case retiredErr != nil:
			return retiredErr
		case opt.Talk != "":
			if hard, err = st.readStates(tx, ub, talks, sc); err != nil {
				return err
			}
		case summed:
			ok := false
			if hard, ok, err = st.addSum(tx, sum, talks, sc, opt.Hardest); err != nil || ok {
				return cmp.Or(err, st.pickHardest(tx, hard, talks, opt.Hardest))
			}
			// The pass, knowing what to skip; and the due index read
			// through, for the due counts counted every talk.
			if retired, err = readRetired(tx, states, talks, sc); err != nil {
				return err
			}
			if dueSummed {
				st.clearDue()
				if err := st.readDue(ub, sc, st.Today+ForecastSpan); err != nil {
					return err
				}
			}
			if hard, err = st.addScan(tx, states, nil, retired, talks, sc, opt.Hardest); err != nil {
				return err
			}
		default:
			if hard, err = st.addScan(tx, states, scan, retired, talks, sc, opt.Hardest); err != nil {
				return err
			}
		}
		return st.pickHardest(tx, hard, talks, opt.Hardest)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// talkBriefs are what a report needs of every talk record, in slug order
// (the talks bucket's order). Slugs and titles share one string: on a big
// collection the heap pages a report touches are a good part of its time.
type talkBriefs struct {
	text string
	ts   []talkBrief
}

type talkBrief struct {
	slugAt, titleAt, end uint32 // slug and title in talkBriefs.text
	seq, cards, retired  int32
}

func (tb *talkBriefs) slug(i int) string  { t := &tb.ts[i]; return tb.text[t.slugAt:t.titleAt] }
func (tb *talkBriefs) title(i int) string { t := &tb.ts[i]; return tb.text[t.titleAt:t.end] }

// maxTalkSeq bounds the talk seqs a report indexes by: more than that many
// talks would be damage (seqs count talks from 1).
const maxTalkSeq = 1 << 24

// loadTalkBriefs reads every talk record's title, seq and card counts,
// skipping metadata and file lists.
func loadTalkBriefs(tx *bolt.Tx) (*talkBriefs, error) {
	n := int(min(getU64(tx.Bucket(bMeta), kTalks), 1<<20)) // a hint: Import keeps the count
	tb := &talkBriefs{ts: make([]talkBrief, 0, n)}
	var text []byte
	c := tx.Bucket(bTalks).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		d := dec{b: v}
		if d.byte() != 1 {
			d.fail()
		}
		title := d.raw(d.uvarint())
		d.skipStr()   // speaker
		d.skipStr()   // event
		d.skipStr()   // date
		for range 2 { // tags, files
			for n := d.uvarint(); n > 0 && d.err == nil; n-- {
				d.skipStr()
			}
		}
		seq, cards, retired := d.uvarint(), d.uvarint(), d.uvarint()
		d.uvarint() // generation
		if d.err != nil {
			return nil, fmt.Errorf("talk %s: %w", k, d.err)
		}
		if seq > maxTalkSeq || cards > math.MaxInt32 || retired > math.MaxInt32 ||
			uint64(len(text))+uint64(len(k))+uint64(len(title)) > math.MaxUint32 {
			return nil, fmt.Errorf("talk %s: %w", k, errCorrupt)
		}
		if text == nil {
			text = make([]byte, 0, n*(len(k)+len(title)+8))
		}
		t := talkBrief{slugAt: uint32(len(text)), seq: int32(seq), cards: int32(cards), retired: int32(retired)}
		text = append(text, k...)
		t.titleAt = uint32(len(text))
		text = append(text, title...)
		t.end = uint32(len(text))
		tb.ts = append(tb.ts, t)
	}
	// The buffer is not written again: the string can share it.
	tb.text = unsafe.String(unsafe.SliceData(text), len(text))
	return tb, nil
}

// find returns the index of the talk with that slug.
func (tb *talkBriefs) find(slug string) (int, bool) {
	i := sort.Search(len(tb.ts), func(i int) bool { return tb.slug(i) >= slug })
	return i, i < len(tb.ts) && tb.slug(i) == slug
}

// bySeq returns the indexes of all talks in seq order (slug order between
// talks of the same seq, which only damage gives).
func (tb *talkBriefs) bySeq() []int32 {
	maxSeq := int32(0)
	for i := range tb.ts {
		maxSeq = max(maxSeq, tb.ts[i].seq)
	}
	first := make([]int32, maxSeq+1)
	for i := range first {
		first[i] = -1
	}
	next := make([]int32, len(tb.ts))
	for i := len(tb.ts) - 1; i >= 0; i-- {
		s := tb.ts[i].seq
		next[i], first[s] = first[s], int32(i)
	}
	out := make([]int32, 0, len(tb.ts))
	for _, i := range first {
		for ; i >= 0; i = next[i] {
			out = append(out, i)
		}
	}
	return out
}

// statsScope maps talks to their line of a report.
type statsScope struct {
	scope  []int32 // talk index of each line
	line   []int32 // talk index → line, -1 out of scope
	seq    []int32 // talk seq → line, -1 out of scope (the first talk of a seq)
	maxSeq int
}

func newStatsScope(talks *talkBriefs, scope []int32) *statsScope {
	sc := &statsScope{scope: scope, line: make([]int32, len(talks.ts))}
	for i := range sc.line {
		sc.line[i] = -1
	}
	for _, ti := range scope {
		sc.maxSeq = max(sc.maxSeq, int(talks.ts[ti].seq))
	}
	sc.seq = make([]int32, sc.maxSeq+1)
	for i := range sc.seq {
		sc.seq[i] = -1
	}
	for l, ti := range scope {
		sc.line[ti] = int32(l)
		if s := talks.ts[ti].seq; sc.seq[s] < 0 {
			sc.seq[s] = int32(l)
		}
	}
	return sc
}

// bySeq is the line of the talk with that seq, -1 if none is in scope.
func (sc *statsScope) bySeq(seq uint32) int32 {
	if uint64(seq) > uint64(sc.maxSeq) {
		return -1
	}
	return sc.seq[seq]
}

// slugSum is a talk summary as readTalkSums finds it; slug is the key in
// the map, valid for the transaction.
type slugSum struct {
	slug []byte
	sum  talkSum
}

// readTalkSums reads the user's talk summaries, in slug order (hint: about
// how many talks there are).
func readTalkSums(ub *bolt.Bucket, hint int) ([]slugSum, error) {
	out := []slugSum{}
	sums := sub(ub, bTalkSum)
	if sums == nil {
		return out, nil
	}
	out = make([]slugSum, 0, hint)
	c := sums.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		s, err := decodeTalkSum(v)
		if err != nil {
			return nil, err
		}
		out = append(out, slugSum{k, s})
	}
	return out, nil
}

// addTalkSums puts the talk summaries into the talks' lines.
func (st *Stats) addTalkSums(sums []slugSum, talks *talkBriefs, sc *statsScope) {
	// Both are in slug order: walk them side by side.
	ti := 0
	for _, s := range sums {
		for ti < len(talks.ts) && talks.slug(ti) < string(s.slug) {
			ti++
		}
		if ti == len(talks.ts) || talks.slug(ti) != string(s.slug) || sc.line[ti] < 0 {
			continue // a talk not in the talks bucket: nothing to show it by
		}
		ts := &st.Talks[sc.line[ti]]
		ts.Reviews, ts.Quiz, ts.LastDay, ts.Answered = s.sum.Reviews, s.sum.Quiz, s.sum.Last, true
	}
}

// readDays sums the user's day aggregates (the talk's talk-day aggregates
// with a talk) into the report; with a talk, its talk-day aggregates into
// its line too (on all talks, addTalkSums fills the lines).
func (st *Stats) readDays(ub *bolt.Bucket, talk string) error {
	var mine []DayAgg
	if talkDays := sub(ub, bTalkDays); talk != "" && talkDays != nil {
		c := talkDays.Cursor()
		for k, v := c.Seek(append([]byte(talk), 0)); k != nil; k, v = c.Next() {
			slug, day, err := splitTalkDayKey(k)
			if err != nil {
				return err
			}
			if slug != talk {
				break
			}
			a, err := decodeDayAgg(day, v)
			if err != nil {
				return err
			}
			ts := &st.Talks[0]
			ts.Reviews.add(Ratio{a.ByKind[KindReview], a.Passes[KindReview]})
			ts.Quiz.add(Ratio{a.ByKind[KindQuiz], a.Passes[KindQuiz]})
			ts.LastDay, ts.Answered = max(ts.LastDay, day), true
			mine = append(mine, a)
		}
	}
	if talk != "" {
		st.summarise(mine)
		return nil
	}
	sum := daySummary{st: st}
	if days := sub(ub, bDays); days != nil {
		err := days.ForEach(func(k, v []byte) error {
			if len(k) != 4 {
				return fmt.Errorf("day key: %w", errCorrupt)
			}
			a, err := decodeDayAgg(keyDay(k), v)
			if err != nil {
				return err
			}
			sum.add(a)
			return nil
		})
		if err != nil {
			return err
		}
	}
	sum.end()
	return nil
}

// summarise computes the figures that come from day aggregates, given in
// day order.
func (st *Stats) summarise(aggs []DayAgg) {
	sum := daySummary{st: st}
	for _, a := range aggs {
		sum.add(a)
	}
	sum.end()
}

// daySummary is summarise one day aggregate at a time, so that a report
// of all talks need not keep them.
type daySummary struct {
	st   *Stats
	n    int
	run  int
	prev scheduler.Day
}

func (sum *daySummary) add(a DayAgg) {
	st, today := sum.st, sum.st.Today
	if sum.n == 0 {
		st.FirstDay = a.Day
	}
	sum.n++
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
		return // a clock set back: later days count in all time only
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
	if sum.run > 0 && a.Day == sum.prev+1 {
		sum.run++
	} else {
		sum.run = 1
	}
	sum.prev = a.Day
	st.LongestStreak = max(st.LongestStreak, sum.run)
}

func (sum *daySummary) end() {
	if sum.run > 0 && sum.prev >= sum.st.Today-1 {
		sum.st.CurrentStreak = sum.run
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
func (st *Stats) readStates(tx *bolt.Tx, ub *bolt.Bucket, talks *talkBriefs, sc *statsScope) ([]hardCandidate, error) {
	states := sub(ub, bState)
	var hard []hardCandidate
	var hist stateHist
	c := tx.Bucket(bOrder).Cursor()
	for line, ti := range sc.scope {
		prefix := binary.BigEndian.AppendUint32(nil, uint32(talks.ts[ti].seq))
		ts := &st.Talks[line]
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
			hist.add(s.Interval, s.Easiness)
			if s.Lapses > 0 || s.Easiness < scheduler.InitialEasiness {
				hard = append(hard, hardCandidate{slices.Clone(k[8:]), binary.BigEndian.Uint64(k), s})
			}
		}
	}
	hist.into(st)
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

// stateHist counts cards into the interval and easiness histograms
// (intervalBuckets, easinessBuckets), by bucket index.
type stateHist struct {
	intervals [8]int
	easiness  [6]int
}

// intervalBucket and easinessBucket are the buckets histIndex picks for
// the intervals below the interval histogram's last bound, and for the
// easiness values c/100 (as Stats rounds them) of c below 300: tables
// built with histIndex itself, so the answers are the same.
var (
	intervalBucket = bucketTable(intervalBuckets, int(intervalBuckets[len(intervalBuckets)-2].Max), 1)
	easinessBucket = bucketTable(easinessBuckets, 300, 100)
)

func bucketTable(h []HistBucket, n int, div float64) []uint8 {
	out := make([]uint8, n)
	for v := range out {
		out[v] = uint8(histIndex(h, float64(v)/div))
	}
	return out
}

// histIndex is the bucket of h that v falls in: the first whose bound is
// above v, the last if none.
func histIndex(h []HistBucket, v float64) int {
	for i := range h {
		if v < h[i].Max || h[i].Max == 0 || i == len(h)-1 {
			return i
		}
	}
	return 0
}

func (h *stateHist) add(interval int, easiness float64) { h.addN(interval, easiness, 1) }

// addN counts n cards (-1 takes one back out).
func (h *stateHist) addN(interval int, easiness float64, n int) {
	h.intervals[intervalIndex(interval)] += n
	h.easiness[easinessIndex(easiness)] += n
}

// intervalIndex is the interval histogram's bucket of an interval.
func intervalIndex(interval int) int {
	switch {
	case interval >= len(intervalBucket): // at or above the last bound
		return len(intervalBuckets) - 1
	case interval >= 0:
		return int(intervalBucket[interval])
	}
	return histIndex(intervalBuckets, float64(interval))
}

// easinessIndex is the easiness histogram's bucket of an easiness.
func easinessIndex(easiness float64) int {
	if c := math.Round(easiness * 100); c >= 0 && c < float64(len(easinessBucket)) {
		return int(easinessBucket[int(c)])
	}
	return histIndex(easinessBuckets, math.Round(easiness*100)/100)
}

// easinessSteps are where the easiness histogram's buckets change, in
// easiness × 100 before rounding (v - 0.5 for a bucket from v: Round
// takes halves up), built from easinessBucket so the answers are the
// same; easinessFast uses them to place the states without rounding.
var easinessSteps = func() (steps []easinessStep) {
	for v := 1; v < len(easinessBucket); v++ {
		if easinessBucket[v] != easinessBucket[v-1] {
			steps = append(steps, easinessStep{float64(v) - 0.5, int(easinessBucket[v])})
		}
	}
	return steps
}()

type easinessStep struct {
	from   float64
	bucket int
}

// easinessFast is easinessIndex without math.Round.
func easinessFast(easiness float64) int {
	x := easiness * 100
	if !(x > -0.5 && x < float64(len(easinessBucket))-0.5) { // NaN too
		return easinessIndex(easiness)
	}
	at := int(easinessBucket[0])
	for _, s := range easinessSteps {
		if x < s.from {
			break
		}
		at = s.bucket
	}
	return at
}

// merge adds the counts of o.
func (h *stateHist) merge(o *stateHist) {
	for i, n := range o.intervals {
		h.intervals[i] += n
	}
	for i, n := range o.easiness {
		h.easiness[i] += n
	}
}

func (h *stateHist) into(st *Stats) {
	for i, n := range h.intervals {
		st.Intervals[i].Cards += n
	}
	for i, n := range h.easiness {
		st.Easiness[i].Cards += n
	}
}

// readDue reads the due index from its start to day through (at most
// ForecastSpan days after today), counting the cards of talks in scope
// (the entries hold the card's note order, so its talk; retired cards have
// none).
func (st *Stats) readDue(ub *bolt.Bucket, sc *statsScope, through scheduler.Day) error {
	due := sub(ub, bDue)
	if due == nil {
		return nil
	}
	today := st.Today
	end := dayKey(through)
	endDay := binary.BigEndian.Uint32(end[:])
	c := due.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(k) != 12 || len(v) != 8 {
			if bytes.Compare(k[:min(4, len(k))], end[:]) > 0 {
				break
			}
			return fmt.Errorf("due index: %w", errCorrupt)
		}
		if binary.BigEndian.Uint32(k) > endDay {
			break
		}
		ti := sc.bySeq(binary.BigEndian.Uint32(v))
		if ti < 0 {
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

// addDueCounts adds the days after today of the summary's due counts by
// day (the due index's entries, counted by day) to the forecast.
func (st *Stats) addDueCounts(counts *bolt.Bucket) error {
	today := st.Today
	from := dayKey(today + 1)
	c := counts.Cursor()
	for k, v := c.Seek(from[:]); k != nil; k, v = c.Next() {
		if len(k) != 4 || len(v) != 4 {
			return fmt.Errorf("due counts: %w", errCorrupt)
		}
		d := keyDay(k)
		if d > today+ForecastSpan {
			break
		}
		n := int(binary.BigEndian.Uint32(v))
		if d <= today+ForecastDays {
			st.Forecast[d-today-1] += n
		}
		st.Next30 += n
	}
	return nil
}

// clearDue forgets what readDue and addDueCounts found.
func (st *Stats) clearDue() {
	st.Overdue, st.DueToday, st.Forecast, st.Next30 = 0, 0, [ForecastDays]int{}, 0
	for i := range st.Talks {
		st.Talks[i].DueToday = 0
	}
}

// pickHardest keeps the n cards with the most lapses, then the lowest
// easiness, then in note order, and reads their records.
func (st *Stats) pickHardest(tx *bolt.Tx, hard []hardCandidate, talks *talkBriefs, n int) error {
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
		if i, ok := talks.find(c.TalkSlug); ok {
			title = talks.title(i)
		}
		st.Hardest = append(st.Hardest, HardCard{ID: c.ID, TalkSlug: c.TalkSlug, TalkTitle: title, Prompt: c.Prompt,
			Lapses: h.state.Lapses, Easiness: h.state.Easiness, Interval: h.state.Interval})
	}
	return nil
}

// stateScan is what scanStates finds, by the talk seq each state names:
// counts (learning, young, mature, suspended), the histograms, the k
// hardest candidates by lapses and easiness (top), and every candidate not
// worse than the k-th hardest when it was seen (cands).
type stateScan struct {
	counts     [][4]int32
	hist       stateHist
	top, cands []hardCand
	k          int
}

// hardCand is a candidate for the hardest cards as scanStates finds it.
type hardCand struct {
	key      [8]byte
	seq      uint32
	lapses   int32
	interval int32
	easiness float64
}

// harder orders candidates hardest-first by lapses, then easiness (note
// order breaks the ties later).
func harder(a, b *hardCand) int {
	if a.lapses != b.lapses {
		return int(b.lapses - a.lapses)
	}
	return cmp.Compare(a.easiness, b.easiness)
}

// scanSlack is how many more hardest candidates than asked the early pass
// of Stats keeps, for those it finds out later it should have skipped (a
// variable for tests).
var scanSlack = 64

// scanStates is readStates for all talks: one pass over the user's states
// in key order (each names its card's talk), no card record read. It
// leaves out the states skip names (nil: none) and those of talk seqs
// beyond maxTalkSeq. It writes nothing shared: Stats runs it beside its
// other reads.
func scanStates(states *bolt.Bucket, seqs, k int, skip func(seq uint32, key []byte) bool) (*stateScan, error) {
	// Counted by seq from the start (seqs is a hint): growing would copy
	// the counts and touch fresh pages again.
	scan := &stateScan{k: k, counts: make([][4]int32, max(seqs, 1))}
	// Once top is full, the loop drops a candidate worse than its last
	// inline, against copies of its figures.
	full, worstLapses, worstEasiness := false, int32(0), 0.0
	consider := func(cd hardCand) {
		scan.cands = append(scan.cands, cd)
		top := scan.top
		if len(top) == k && harder(&cd, &top[k-1]) == 0 {
			return
		}
		at, _ := slices.BinarySearchFunc(top, &cd, func(a hardCand, b *hardCand) int { return cmp.Or(harder(&a, b), -1) })
		top = slices.Insert(top, at, cd)
		if len(top) > k {
			top = top[:k]
		}
		if len(top) == k {
			full, worstLapses, worstEasiness = true, top[k-1].lapses, top[k-1].easiness
		}
		scan.top = top
	}
	c := states.Cursor()
	for key, v := c.First(); key != nil; key, v = c.Next() {
		if len(v) != stateSize || v[0] != 1 {
			return nil, fmt.Errorf("card state: %w", errCorrupt)
		}
		if len(key) != 8 {
			return nil, fmt.Errorf("state key: %w", errCorrupt)
		}
		seq := stateTalk(v)
		if seq > maxTalkSeq || skip != nil && skip(seq, key) {
			continue
		}
		if int(seq) >= len(scan.counts) {
			n := max(int(seq)+1, 2*len(scan.counts), 1024)
			scan.counts = append(scan.counts, make([][4]int32, n-len(scan.counts))...)
		}
		cc := &scan.counts[seq]
		if v[25]&1 != 0 {
			cc[3]++ // suspended
			continue
		}
		// The fields decodeState would give, read in place: a pass over
		// every state is most of a report's work.
		interval := int32(binary.BigEndian.Uint32(v[13:]))
		lapses := int32(binary.BigEndian.Uint32(v[21:]))
		if interval == 0 && lapses == 0 &&
			binary.BigEndian.Uint32(v[1:])|binary.BigEndian.Uint32(v[17:])|binary.BigEndian.Uint32(v[26:]) == 0 {
			continue // never reviewed (neverReviewed): new, counted as what is left
		}
		cc[stage(int(interval))]++
		scan.hist.intervals[intervalIndex(int(interval))]++
		bits := binary.BigEndian.Uint64(v[5:])
		scan.hist.easiness[easinessFast(math.Float64frombits(bits))]++
		if easiness := math.Float64frombits(bits); lapses > 0 || easiness < scheduler.InitialEasiness {
			if full && (lapses < worstLapses || lapses == worstLapses && easiness > worstEasiness) {
				continue // worse than the k-th hardest
			}
			consider(hardCand{[8]byte(key), seq, lapses, interval, easiness})
		}
	}
	return scan, nil
}

// stage is where the counts of a stateScan put a reviewed state that is
// not suspended: 0 learning (interval of a day or less), 1 young, 2
// mature (MatureInterval days or more).
func stage(interval int) int {
	switch {
	case interval <= 1:
		return 0
	case interval < MatureInterval:
		return 1
	}
	return 2
}

// retiredStates are the states of retired cards of the talks in scope,
// which the early scanStates counted and should not have: their keys (the
// order index of the talks that have any lists them), and what the pass
// counted of them, by talk seq, to take back out.
type retiredStates struct {
	keys   map[[8]byte]bool
	has    []bool // by talk seq: the talk has retired cards
	counts [][4]int32
	hist   stateHist // negative
}

// readRetired finds the retired states of the talks in scope: Stats reads
// them while scanStates runs.
func readRetired(tx *bolt.Tx, states *bolt.Bucket, talks *talkBriefs, sc *statsScope) (*retiredStates, error) {
	n := 0
	for _, ti := range sc.scope {
		n += int(talks.ts[ti].retired)
	}
	r := &retiredStates{keys: make(map[[8]byte]bool, n), has: make([]bool, sc.maxSeq+1)}
	c := tx.Bucket(bOrder).Cursor()
	for _, ti := range sc.scope {
		t := &talks.ts[ti]
		if t.retired == 0 {
			continue
		}
		r.has[t.seq] = true
		if err := addRetired(c, int(t.seq), r.keys); err != nil {
			return nil, err
		}
	}
	if states == nil {
		return r, nil
	}
	for key := range r.keys {
		v := states.Get(key[:])
		if v == nil {
			continue
		}
		s, err := decodeState(v)
		if err != nil {
			return nil, err
		}
		seq := stateTalk(v)
		if sc.bySeq(seq) < 0 || !r.has[seq] {
			continue // not left out by skip
		}
		if int(seq) >= len(r.counts) {
			r.counts = append(r.counts, make([][4]int32, int(seq)+1-len(r.counts))...)
		}
		cc := &r.counts[seq]
		switch {
		case s.Suspended:
			cc[3]++
			continue
		case neverReviewed(s):
			continue
		}
		cc[stage(s.Interval)]++
		r.hist.addN(s.Interval, s.Easiness, -1)
	}
	return r, nil
}

// addScan adds what the early scanStates found to the report, once the
// talks are known: it takes the retired states back out, and reads the
// note order of the candidates that can be among the n hardest. Should
// the pass have counted a state of no talk in scope (damage), or the
// retired cards crowd the hardest out of its slack, it scans again knowing
// what to skip.
func (st *Stats) addScan(tx *bolt.Tx, states *bolt.Bucket, scan *stateScan, retired *retiredStates, talks *talkBriefs, sc *statsScope, n int) ([]hardCandidate, error) {
	// skip is what a pass knowing the talks leaves out.
	skip := func(seq uint32, key []byte) bool {
		return sc.bySeq(seq) < 0 || retired.has[seq] && retired.keys[[8]byte(key)]
	}
	exact := scan == nil
	if !exact {
		for seq, cc := range scan.counts {
			if cc != ([4]int32{}) && sc.bySeq(uint32(seq)) < 0 {
				exact = true // a state of no talk in scope was counted
				break
			}
		}
	}
	if !exact {
		for seq, d := range retired.counts {
			if seq >= len(scan.counts) {
				break // not counted (no talk: see above)
			}
			cc := &scan.counts[seq]
			for i := range cc {
				cc[i] -= d[i]
			}
		}
		scan.hist.merge(&retired.hist)
		kept := func(cd hardCand) bool { return !skip(cd.seq, cd.key[:]) }
		if len(scan.top) == scan.k && countFunc(scan.top, kept) < n {
			exact = true // too many of the hardest were retired
		} else {
			scan.top = slices.DeleteFunc(scan.top, func(cd hardCand) bool { return !kept(cd) })
			scan.cands = slices.DeleteFunc(scan.cands, func(cd hardCand) bool { return !kept(cd) })
		}
	}
	if exact {
		var err error
		if states == nil {
			scan = &stateScan{}
		} else if scan, err = scanStates(states, sc.maxSeq+1, n, skip); err != nil {
			return nil, err
		}
	}
	scan.hist.into(st)
	for line, ti := range sc.scope {
		if s := int(talks.ts[ti].seq); s < len(scan.counts) && sc.seq[s] == int32(line) {
			st.Talks[line].Cards.setStages(scan.counts[s])
		}
	}
	st.addCounts(talks, sc)
	return hardestCandidates(tx, scan.top, scan.cands, n)
}

// setStages sets the counts of the states by stage: learning, young,
// mature, suspended.
func (c *CardCounts) setStages(n [4]int32) {
	c.Learning, c.Young, c.Mature, c.Suspended = int(n[0]), int(n[1]), int(n[2]), int(n[3])
}

// addCounts completes the talks' card counts (new is what no state
// counts) and adds them up.
func (st *Stats) addCounts(talks *talkBriefs, sc *statsScope) {
	for line, ti := range sc.scope {
		t := &talks.ts[ti]
		cc := &st.Talks[line].Cards
		cc.Retired = int(t.retired)
		cc.New = int(t.cards) - cc.Learning - cc.Young - cc.Mature - cc.Suspended
		sc := &st.Cards
		sc.New += cc.New
		sc.Learning += cc.Learning
		sc.Young += cc.Young
		sc.Mature += cc.Mature
		sc.Suspended += cc.Suspended
		sc.Retired += cc.Retired
	}
}

// addSum is addScan from the user's state summary. ok is false, and the
// report untouched, when the summary cannot tell: it counts a talk not in
// scope (damage), or lists too few of the hardest cards to know the n
// hardest.
func (st *Stats) addSum(tx *bolt.Tx, sum *stateSum, talks *talkBriefs, sc *statsScope, n int) (hard []hardCandidate, ok bool, err error) {
	for _, t := range sum.talks {
		if sc.bySeq(t.seq) < 0 {
			return nil, false, nil
		}
	}
	for i := range sum.hard {
		if sc.bySeq(sum.hard[i].seq) < 0 {
			return nil, false, nil
		}
	}
	// The list holds every hard state strictly harder than its bound:
	// the n-th hardest must be, for its ties to be there too.
	if sum.bounded && (len(sum.hard) < n || harder(&sum.hard[n-1], &sum.bound) >= 0) {
		return nil, false, nil
	}
	sum.hist.into(st)
	for _, t := range sum.talks {
		st.Talks[sc.bySeq(t.seq)].Cards.setStages([4]int32(t.counts[:4]))
	}
	st.addCounts(talks, sc)
	hard, err = hardestCandidates(tx, sum.hard, sum.hard, n)
	return hard, err == nil, err
}

// hardestCandidates reads the note order of the candidates (cands) that
// can be among the n hardest: those not easier than the n-th of top (the
// hardest, in order). Note order breaks their ties.
func hardestCandidates(tx *bolt.Tx, top, cands []hardCand, n int) ([]hardCandidate, error) {
	if len(top) == 0 {
		return nil, nil
	}
	worst := top[min(n, len(top))-1]
	cards := tx.Bucket(bCards)
	var hard []hardCandidate
	for i := range cands {
		cd := &cands[i]
		if harder(cd, &worst) > 0 {
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

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, v := range s {
		if f(v) {
			n++
		}
	}
	return n
}
