package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// ReviewKind says how a card was answered.
type ReviewKind uint8

const (
	KindReview ReviewKind = iota // a scheduled review (or a new card's first answer)
	KindRepeat                   // a same-session repeat (SM-2 step 7)
	KindQuiz                     // a quiz answer
	numKinds
)

// Review is one answer in a user's review log.
type Review struct {
	Time     time.Time // stored to the millisecond
	Card     string
	Grade    scheduler.Grade
	Kind     ReviewKind
	Interval int           // interval after the answer, days (stored up to 65535)
	Easiness float64       // EF after the answer, stored to 1/1000
	Took     time.Duration // time to answer, stored to the millisecond (max ~49 days)

	// Set by Record from the database (what callers pass is ignored) and
	// read back by Log, so the log alone rebuilds every aggregate
	// (RecomputeAggregates).
	Day          scheduler.Day // the day the answer counted for
	PrevInterval int           // the card's interval before the answer; 0 if it had no state
	Scheduled    bool          // the answer wrote the card's state
	Introduced   bool          // the answer gave the card its first state
}

// Mature reports whether r is a scheduled review of a mature card: one whose
// interval before the review was MatureInterval days or more. A new card's
// first review is young (its interval before is 0).
func (r Review) Mature() bool { return r.Kind == KindReview && r.PrevInterval >= MatureInterval }

// MatureInterval is the interval, in days, from which a card is mature
// (Anki's threshold); below it a card with a state is learning (1 day or
// less) or young.
const MatureInterval = 21

// ReviewSize is the size of an encoded log entry (doc.go "Review log").
const ReviewSize = 32

// Review log entry flags.
const (
	reviewScheduled  = 1
	reviewIntroduced = 2
)

const maxInt48 = 1<<47 - 1

func encodeReview(k [8]byte, r Review) []byte {
	b := make([]byte, 0, ReviewSize)
	b = append(b, 1)
	b = append(b, k[:]...)
	ms := uint64(clamp(r.Time.UnixMilli(), -maxInt48, maxInt48))
	b = append(b, byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms))
	b = append(b, byte(r.Grade), byte(r.Kind))
	b = binary.BigEndian.AppendUint16(b, uint16(clamp(int64(r.Interval), 0, math.MaxUint16)))
	b = binary.BigEndian.AppendUint16(b, uint16(clamp(int64(math.Round(r.Easiness*1000)), 0, math.MaxUint16)))
	b = binary.BigEndian.AppendUint32(b, uint32(clamp(r.Took.Milliseconds(), 0, math.MaxUint32)))
	b = binary.BigEndian.AppendUint32(b, uint32(r.Day))
	b = binary.BigEndian.AppendUint16(b, uint16(clamp(int64(r.PrevInterval), 0, math.MaxUint16)))
	var flags byte
	if r.Scheduled {
		flags |= reviewScheduled
	}
	if r.Introduced {
		flags |= reviewIntroduced
	}
	return append(b, flags)
}

func clamp(v, lo, hi int64) int64 { return max(lo, min(v, hi)) }

func decodeReview(v []byte) (Review, error) {
	if len(v) != ReviewSize || v[0] != 1 || v[15] > 5 || ReviewKind(v[16]) >= numKinds || v[31]&^(reviewScheduled|reviewIntroduced) != 0 {
		return Review{}, fmt.Errorf("review log entry: %w", errCorrupt)
	}
	var ms uint64
	for _, c := range v[9:15] {
		ms = ms<<8 | uint64(c)
	}
	return Review{
		Card:         cardID(v[1:9]),
		Time:         time.UnixMilli(int64(ms<<16) >> 16).UTC(),
		Grade:        scheduler.Grade(v[15]),
		Kind:         ReviewKind(v[16]),
		Interval:     int(binary.BigEndian.Uint16(v[17:])),
		Easiness:     float64(binary.BigEndian.Uint16(v[19:])) / 1000,
		Took:         time.Duration(binary.BigEndian.Uint32(v[21:])) * time.Millisecond,
		Day:          scheduler.Day(int32(binary.BigEndian.Uint32(v[25:]))),
		PrevInterval: int(binary.BigEndian.Uint16(v[29:])),
		Scheduled:    v[31]&reviewScheduled != 0,
		Introduced:   v[31]&reviewIntroduced != 0,
	}, nil
}

// DayAgg is a user's activity of one day — in all, or on one talk's cards —
// kept up to date by Record and Undo so stats cost O(days), not O(reviews).
type DayAgg struct {
	Day    scheduler.Day
	Grades [3][6]int // answers by kind and grade
	Mature [6]int    // scheduled reviews (KindReview) of mature cards by grade, part of Grades[KindReview]
	New    int       // cards introduced (first state) that day
	Time   time.Duration

	// Derived from Grades.
	ByKind  [3]int // answers by kind
	ByGrade [6]int // answers by grade
	Passes  [3]int // answers graded 3 or more, by kind
}

// Answers is the number of answers of every kind.
func (a DayAgg) Answers() int { return a.ByKind[0] + a.ByKind[1] + a.ByKind[2] }

// Scheduled counts the day's scheduled reviews of mature cards (mature true)
// or of young ones, new cards' first reviews included, and how many of them
// were graded 3 or more.
func (a DayAgg) Scheduled(mature bool) (reviews, passed int) {
	for g := range a.Mature {
		n := a.Mature[g]
		if !mature {
			n = a.Grades[KindReview][g] - n
		}
		reviews += n
		if g >= 3 {
			passed += n
		}
	}
	return reviews, passed
}

func (a *DayAgg) derive() {
	a.ByKind, a.ByGrade, a.Passes = [3]int{}, [6]int{}, [3]int{}
	for k := range a.Grades {
		for g, n := range a.Grades[k] {
			a.ByKind[k] += n
			a.ByGrade[g] += n
			if g >= 3 {
				a.Passes[k] += n
			}
		}
	}
}

// add counts (sign 1) or uncounts (sign -1) one answer as Record stored it.
func (a *DayAgg) add(r Review, sign int) {
	a.Grades[r.Kind][r.Grade] += sign
	if r.Mature() {
		a.Mature[r.Grade] += sign
	}
	if r.Introduced {
		a.New += sign
	}
	a.Time += time.Duration(sign) * r.Took
	a.derive()
}

func (a DayAgg) zero() bool {
	return a.Grades == [3][6]int{} && a.Mature == [6]int{} && a.New == 0 && a.Time == 0
}

func (a DayAgg) negative() bool {
	for k := range a.Grades {
		for g := range a.Grades[k] {
			if a.Grades[k][g] < 0 {
				return true
			}
		}
	}
	for g, n := range a.Mature {
		if n < 0 || n > a.Grades[KindReview][g] {
			return true
		}
	}
	return a.New < 0 || a.Time < 0
}

const dayAggSize = 1 + 18*4 + 6*4 + 4 + 8

func encodeDayAgg(a DayAgg) []byte {
	b := make([]byte, 0, dayAggSize)
	b = append(b, 1)
	for k := range a.Grades {
		for _, n := range a.Grades[k] {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
	}
	for _, n := range a.Mature {
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(a.New))
	return binary.BigEndian.AppendUint64(b, uint64(a.Time.Milliseconds()))
}

func decodeDayAgg(day scheduler.Day, v []byte) (DayAgg, error) {
	a := DayAgg{Day: day}
	if len(v) != dayAggSize || v[0] != 1 {
		return a, fmt.Errorf("day aggregate: %w", errCorrupt)
	}
	p := v[1:]
	next := func() int {
		n := int(binary.BigEndian.Uint32(p))
		p = p[4:]
		return n
	}
	for k := range a.Grades {
		for g := range a.Grades[k] {
			a.Grades[k][g] = next()
		}
	}
	for g := range a.Mature {
		a.Mature[g] = next()
	}
	a.New = next()
	a.Time = time.Duration(binary.BigEndian.Uint64(p)) * time.Millisecond
	a.derive()
	if a.negative() {
		return a, fmt.Errorf("day aggregate: %w", errCorrupt)
	}
	return a, nil
}

// bTalkDays is users/<name>/talkdays: the day aggregates of each talk's
// cards (doc.go). Record creates it.
var bTalkDays = []byte("talkdays")

func dayKeySlice(d scheduler.Day) []byte {
	k := dayKey(d)
	return k[:]
}

// talkDayKey is a key of a user's talkdays bucket: talk slug, 0, day key.
func talkDayKey(slug string, day scheduler.Day) []byte {
	dk := dayKey(day)
	return append(append([]byte(slug), 0), dk[:]...)
}

// splitTalkDayKey reads a talkdays key back.
func splitTalkDayKey(k []byte) (string, scheduler.Day, error) {
	if len(k) < 5 || k[len(k)-5] != 0 {
		return "", 0, fmt.Errorf("talk day key: %w", errCorrupt)
	}
	return string(k[:len(k)-5]), keyDay(k[len(k)-4:]), nil
}

// addAgg adds (sign 1) or removes (sign -1) one answer from the aggregate
// at key; an aggregate back at zero is deleted, one below zero is damage.
func addAgg(b *bolt.Bucket, key []byte, r Review, sign int) error {
	a := DayAgg{Day: r.Day}
	if v := b.Get(key); v != nil {
		var err error
		if a, err = decodeDayAgg(r.Day, v); err != nil {
			return err
		}
	}
	a.add(r, sign)
	if a.negative() {
		return fmt.Errorf("day aggregate below zero: %w", errCorrupt)
	}
	if a.zero() {
		return b.Delete(key)
	}
	return b.Put(key, encodeDayAgg(a))
}

// addAggs counts r in the user's day and talk-day aggregates.
func addAggs(ub *bolt.Bucket, talkSlug string, r Review, sign int) error {
	days, talkDays := ub.Bucket(bDays), ub.Bucket(bTalkDays)
	if days == nil || talkDays == nil {
		return fmt.Errorf("aggregates of a user with a review log: %w", errCorrupt)
	}
	if err := addAgg(days, dayKeySlice(r.Day), r, sign); err != nil {
		return err
	}
	if err := addAgg(talkDays, talkDayKey(talkSlug, r.Day), r, sign); err != nil {
		return err
	}
	return addTalkSum(ub, talkSlug, r, sign)
}

// Undo record flags.
const (
	undoNext   = 1  // Record wrote a state
	undoPrev   = 2  // the card had a state before
	undoMarker = 4  // the talk had an "introduced" marker before
	undoFirst  = 8  // the user had a global "introduced" marker before
	undoEarly  = 16 // the card was listed in the user's early new cards
)

// undoKeep is how many Records can be undone, most recent first.
const undoKeep = 50

// Record stores one answer in one committed transaction: appends r to the
// user's log (with its day, the card's interval before and whether it
// wrote or introduced a state), stores next (if not nil) as the card's
// state and moves its due-index entry, updates the day's and the talk-day's
// aggregates, and remembers how to undo it.
func (db *DB) Record(user string, r Review, day scheduler.Day, next *scheduler.State) error {
	return db.update(func(tx *bolt.Tx) error { return recordTx(tx, user, r, day, next) })
}

// RecordWith is Record with the answer computed from the card's current
// state, read in the same transaction: fn gets the user's state of the card
// (had false: the card is new to them) and returns the answer and the state
// to store (nil: leave it). One transaction, one fsync.
//
// On a handle opened with Options.KeepPending the answer is appended to
// the answers journal instead (journal.go): as durable, one small write and
// one sync; the next write transaction or ordinary Open applies it. Such a
// handle may be read-only (AnswersShareLock). Past maxPending answers in
// the journal it applies them and records in place, reopening the file
// for writing if need be.
func (db *DB) RecordWith(user, card string, day scheduler.Day, fn func(prev scheduler.State, had bool) (Review, *scheduler.State)) error {
	k, err := cardKey(card)
	if err != nil {
		return err
	}
	if db.opt.KeepPending {
		if err := ValidUser(user); err != nil {
			return err
		}
		err := db.appendAnswer(user, k, card, day, fn)
		if !errors.Is(err, errJournalFull) {
			return err
		}
		if err := db.reopenWritable(); err != nil {
			return err
		}
	}
	return db.update(func(tx *bolt.Tx) error { return recordWithTx(tx, user, k, card, day, fn) })
}

// reopenWritable turns a read-only handle into one open for writing.
func (db *DB) reopenWritable() error {
	if !db.readOnly {
		return nil
	}
	if err := db.Close(); err != nil {
		return err
	}
	opt := db.opt
	opt.ReadOnly, opt.noFold = false, true
	w, err := Open(db.path, opt)
	if err != nil {
		db.bolt = nil
		return err
	}
	db.bolt, db.readOnly = w.bolt, false
	return nil
}

// recordWithTx is RecordWith in place: the card's state read and the
// answer recorded in tx.
func recordWithTx(tx *bolt.Tx, user string, k [8]byte, card string, day scheduler.Day, fn func(prev scheduler.State, had bool) (Review, *scheduler.State)) error {
	ub, err := userBucketRW(tx, user)
	if err != nil {
		return err
	}
	prev, had, err := userState(ub, k)
	if err != nil {
		return err
	}
	r, next := fn(prev, had)
	if r.Card != card {
		return fmt.Errorf("record: answer for card %s, not %s", r.Card, card)
	}
	return recordTx(tx, user, r, day, next)
}

// checkAnswer is what recordTx requires of an answer before writing it.
func checkAnswer(tx *bolt.Tx, r Review) error {
	return checkAnswerWith(r, func(k [8]byte) bool { return tx.Bucket(bCards).Get(k[:]) != nil })
}

func recordTx(tx *bolt.Tx, user string, r Review, day scheduler.Day, next *scheduler.State) error {
	if err := checkAnswer(tx, r); err != nil {
		return err
	}
	k, _ := cardKey(r.Card)
	ub, err := userBucketRW(tx, user)
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bTalkDays, bTalkSum} {
		if _, err := ub.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	cv := tx.Bucket(bCards).Get(k[:])
	if cv == nil {
		return fmt.Errorf("card %s: %w", r.Card, ErrNotFound)
	}
	card, err := decodeCard(k[:], cv)
	if err != nil {
		return err
	}
	sb, due := ub.Bucket(bState), ub.Bucket(bDue)
	prev := slices.Clone(sb.Get(k[:]))
	var ps scheduler.State
	if prev != nil {
		if ps, err = decodeState(prev); err != nil {
			return err
		}
	}
	r.Day, r.PrevInterval = day, ps.Interval
	r.Scheduled, r.Introduced = next != nil, next != nil && prev == nil
	entry := encodeReview(k, r)
	if r, err = decodeReview(entry); err != nil { // the aggregates count what the log holds
		return err
	}
	log := ub.Bucket(bLog)
	log.FillPercent = 1.0 // append-only: full pages (doc.go, Review log)
	seq, err := log.NextSequence()
	if err != nil {
		return err
	}
	if err := log.Put(u64key(seq), entry); err != nil {
		return err
	}
	u := []byte{1, 0, 0, 0, 0, 0}
	dk := dayKey(day)
	copy(u[1:5], dk[:])
	if next != nil {
		u[5] |= undoNext
		if prev != nil {
			u[5] |= undoPrev
			u = append(u, prev...)
			if err := due.Delete(dueKey(ps.Due, k)); err != nil {
				return err
			}
		}
		nv := encodeState(*next, uint32(card.Order>>32))
		u = append(u, nv...)
		if err := sb.Put(k[:], nv); err != nil {
			return err
		}
		if !card.Retired {
			if err := noteState(ub, k[:], prev, nv); err != nil {
				return err
			}
		}
		if !next.Suspended && !card.Retired {
			if err := due.Put(dueKey(next.Due, k), dueVal(card.Order)); err != nil {
				return err
			}
		}
		if prev == nil {
			talkKey := binary.BigEndian.AppendUint32(nil, uint32(card.Order>>32))
			u = append(u, talkKey...)
			if m := ub.Bucket(bIntro).Get(kFirst); len(m) == 16 {
				u[5] |= undoFirst
				u = append(u, m...)
			}
			if early := ub.Bucket(bEarly); early != nil {
				ok := orderKey(&card, k)
				if early.Get(ok) != nil {
					u[5] |= undoEarly
					if err := early.Delete(ok); err != nil {
						return err
					}
				}
			}
			if m := ub.Bucket(bIntro).Get(talkKey); m != nil {
				u[5] |= undoMarker
				u = append(u, m...)
			}
			if tv := tx.Bucket(bTalks).Get([]byte(card.TalkSlug)); tv != nil {
				t, err := decodeTalk(card.TalkSlug, tv)
				if err != nil {
					return err
				}
				if err := advanceIntro(tx, ub, t); err != nil {
					return err
				}
			}
			if err := advanceFirst(tx, ub); err != nil {
				return err
			}
		}
	}
	if err := addAggs(ub, card.TalkSlug, r, 1); err != nil {
		return err
	}
	if err := putU64(ub, kInfo, getU64(ub, kInfo)+1); err != nil {
		return err
	}
	undo := ub.Bucket(bUndo)
	if err := undo.Put(u64key(seq), u); err != nil {
		return err
	}
	c := undo.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k)+undoKeep <= seq; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// ErrUndoStale means the state of the card of the last answer was changed
// since (by an import carrying history, or a suspend), so undo would not
// restore it exactly; nothing is undone.
var ErrUndoStale = errors.New("the card changed since the last answer; cannot undo")

// Undo reverses the user's last Record exactly — log entry, state, due
// index, "introduced" marker, day and talk-day aggregates — and returns the answer it
// removed; false if there is nothing to undo. Up to 50 levels.
func (db *DB) Undo(user string) (Review, bool, error) {
	var r Review
	var ok bool
	err := db.update(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil || ub == nil {
			return err
		}
		undo, log := ub.Bucket(bUndo), ub.Bucket(bLog)
		if undo == nil || log == nil {
			return nil
		}
		uk, u := undo.Cursor().Last()
		if uk == nil {
			return nil
		}
		u = slices.Clone(u)
		uk = slices.Clone(uk)
		lk, lv := log.Cursor().Last()
		if !bytes.Equal(lk, uk) {
			return fmt.Errorf("undo: log and undo record disagree: %w", errCorrupt)
		}
		if r, err = decodeReview(lv); err != nil {
			return err
		}
		if len(u) < 6 || u[0] != 1 {
			return fmt.Errorf("undo record: %w", errCorrupt)
		}
		if !bytes.Equal(u[1:5], dayKeySlice(r.Day)) {
			return fmt.Errorf("undo: log and undo record disagree on the day: %w", errCorrupt)
		}
		flags := u[5]
		rest := u[6:]
		take := func(n int) ([]byte, error) {
			if len(rest) < n {
				return nil, fmt.Errorf("undo record: %w", errCorrupt)
			}
			v := rest[:n]
			rest = rest[n:]
			return v, nil
		}
		k, _ := cardKey(r.Card)
		cv := tx.Bucket(bCards).Get(k[:])
		if cv == nil {
			return fmt.Errorf("undo: card %s of the log: %w", r.Card, errCorrupt)
		}
		card, err := decodeCard(k[:], cv)
		if err != nil {
			return err
		}
		if (flags&undoNext != 0) != r.Scheduled || (flags&undoNext != 0 && flags&undoPrev == 0) != r.Introduced {
			return fmt.Errorf("undo: log and undo record disagree: %w", errCorrupt)
		}
		if flags&undoNext != 0 {
			var prev []byte
			if flags&undoPrev != 0 {
				if prev, err = take(stateSize); err != nil {
					return err
				}
			}
			nv, err := take(stateSize)
			if err != nil {
				return err
			}
			sb, due := ub.Bucket(bState), ub.Bucket(bDue)
			if !bytes.Equal(sb.Get(k[:]), nv) {
				return ErrUndoStale
			}
			ns, err := decodeState(nv)
			if err != nil {
				return err
			}
			if err := due.Delete(dueKey(ns.Due, k)); err != nil {
				return err
			}
			if !card.Retired {
				if err := noteState(ub, k[:], nv, prev); err != nil {
					return err
				}
			}
			if prev != nil {
				ps, err := decodeState(prev)
				if err != nil {
					return err
				}
				if err := sb.Put(k[:], prev); err != nil {
					return err
				}
				if !ps.Suspended && !card.Retired {
					if err := due.Put(dueKey(ps.Due, k), dueVal(card.Order)); err != nil {
						return err
					}
				}
			} else {
				if err := sb.Delete(k[:]); err != nil {
					return err
				}
				talkKey, err := take(4)
				if err != nil {
					return err
				}
				intro := ub.Bucket(bIntro)
				var first []byte
				if flags&undoFirst != 0 {
					if first, err = take(16); err != nil {
						return err
					}
					err = intro.Put(kFirst, first)
				} else {
					err = intro.Delete(kFirst)
				}
				if err != nil {
					return err
				}
				// The card is new again: listed in early if it was, or if
				// an import since moved it before the marker restored.
				if flags&undoEarly != 0 || first != nil && bytes.Compare(orderKey(&card, k), first) < 0 {
					early, err := ub.CreateBucketIfNotExists(bEarly)
					if err == nil {
						err = early.Put(orderKey(&card, k), nil)
					}
					if err != nil {
						return err
					}
				}
				if flags&undoMarker != 0 {
					err = ub.Bucket(bIntro).Put(talkKey, rest)
				} else {
					err = ub.Bucket(bIntro).Delete(talkKey)
				}
				if err != nil {
					return err
				}
			}
		}
		if err := addAggs(ub, card.TalkSlug, r, -1); err != nil {
			return err
		}
		if n := getU64(ub, kInfo); n <= 1 {
			err = ub.Delete(kInfo)
		} else {
			err = putU64(ub, kInfo, n-1)
		}
		if err != nil {
			return err
		}
		if err := log.Delete(uk); err != nil {
			return err
		}
		if seq := binary.BigEndian.Uint64(uk); log.Sequence() == seq {
			if err := log.SetSequence(seq - 1); err != nil {
				return err
			}
		}
		ok = true
		return undo.Delete(uk)
	})
	if err != nil || !ok {
		return Review{}, false, err
	}
	return r, true, nil
}

// Log calls fn for each entry of the user's review log, oldest first, with
// its sequence number; an error from fn stops it and is returned.
func (db *DB) Log(user string, fn func(seq uint64, r Review) error) error {
	return db.viewUserSub(user, bLog, func(lb *bolt.Bucket) error {
		return lb.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("review log key: %w", errCorrupt)
			}
			r, err := decodeReview(v)
			if err != nil {
				return err
			}
			return fn(binary.BigEndian.Uint64(k), r)
		})
	})
}

// Day returns the user's aggregate of one day (zero counts if none).
func (db *DB) Day(user string, day scheduler.Day) (DayAgg, error) {
	a := DayAgg{Day: day}
	err := db.viewUserSub(user, bDays, func(days *bolt.Bucket) error {
		dk := dayKey(day)
		v := days.Get(dk[:])
		if v == nil {
			return nil
		}
		var err error
		a, err = decodeDayAgg(day, v)
		return err
	})
	return a, err
}

// Days returns the user's aggregates of the days from..to (inclusive) that
// have any activity, in day order: O(days in range).
func (db *DB) Days(user string, from, to scheduler.Day) ([]DayAgg, error) {
	var out []DayAgg
	err := db.viewUserSub(user, bDays, func(days *bolt.Bucket) error {
		fk, tk := dayKey(from), dayKey(to)
		c := days.Cursor()
		for k, v := c.Seek(fk[:]); k != nil && bytes.Compare(k, tk[:]) <= 0; k, v = c.Next() {
			if len(k) != 4 {
				return fmt.Errorf("day key: %w", errCorrupt)
			}
			a, err := decodeDayAgg(keyDay(k), v)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// RecomputeAggregates rebuilds the user's day aggregates from the review log
// alone, as Record and Undo should have kept them: a check compares them
// with Days. It reads the whole log, O(reviews).
func (db *DB) RecomputeAggregates(user string) (map[scheduler.Day]DayAgg, error) {
	var days map[scheduler.Day]DayAgg
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		days, _, err = recomputeTx(tx, user)
		return err
	})
	return days, err
}

// talkDay names one talk-day aggregate.
type talkDay struct {
	talk string
	day  scheduler.Day
}

// recomputeTx rebuilds the day and talk-day aggregates from the log.
func recomputeTx(tx *bolt.Tx, user string) (map[scheduler.Day]DayAgg, map[talkDay]DayAgg, error) {
	days, talkDays := map[scheduler.Day]DayAgg{}, map[talkDay]DayAgg{}
	ub, err := userBucket(tx, user)
	if err != nil {
		return nil, nil, err
	}
	log := sub(ub, bLog)
	if log == nil {
		return days, talkDays, nil
	}
	slugs := map[string]string{} // card ID → talk slug
	cards := tx.Bucket(bCards)
	err = log.ForEach(func(_, v []byte) error {
		r, err := decodeReview(v)
		if err != nil {
			return err
		}
		slug, ok := slugs[r.Card]
		if !ok {
			k, _ := cardKey(r.Card)
			cv := cards.Get(k[:])
			if cv == nil {
				return fmt.Errorf("review log names card %s: %w", r.Card, errCorrupt)
			}
			c, err := decodeCard(k[:], cv)
			if err != nil {
				return err
			}
			slug, slugs[r.Card] = c.TalkSlug, c.TalkSlug
		}
		a := days[r.Day]
		a.Day = r.Day
		a.add(r, 1)
		days[r.Day] = a
		td := talkDay{slug, r.Day}
		a = talkDays[td]
		a.Day = r.Day
		a.add(r, 1)
		talkDays[td] = a
		return nil
	})
	return days, talkDays, err
}
