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
	Interval int           // interval after the answer, days
	Easiness float64       // EF after the answer, stored to 1/1000
	Took     time.Duration // time to answer, stored to the millisecond (max ~49 days)
}

// ReviewSize is the size of an encoded log entry (doc.go "Review log").
const ReviewSize = 29

func encodeReview(k [8]byte, r Review) []byte {
	b := make([]byte, 0, ReviewSize)
	b = append(b, 1)
	b = append(b, k[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Time.UnixMilli()))
	b = append(b, byte(r.Grade), byte(r.Kind))
	b = binary.BigEndian.AppendUint32(b, uint32(clamp(int64(r.Interval), 0, math.MaxUint32)))
	b = binary.BigEndian.AppendUint16(b, uint16(clamp(int64(math.Round(r.Easiness*1000)), 0, math.MaxUint16)))
	return binary.BigEndian.AppendUint32(b, uint32(clamp(r.Took.Milliseconds(), 0, math.MaxUint32)))
}

func clamp(v, lo, hi int64) int64 { return max(lo, min(v, hi)) }

func decodeReview(v []byte) (Review, error) {
	if len(v) != ReviewSize || v[0] != 1 || v[17] > 5 || ReviewKind(v[18]) >= numKinds {
		return Review{}, fmt.Errorf("review log entry: %w", errCorrupt)
	}
	return Review{
		Card:     cardID(v[1:9]),
		Time:     time.UnixMilli(int64(binary.BigEndian.Uint64(v[9:]))).UTC(),
		Grade:    scheduler.Grade(v[17]),
		Kind:     ReviewKind(v[18]),
		Interval: int(binary.BigEndian.Uint32(v[19:])),
		Easiness: float64(binary.BigEndian.Uint16(v[23:])) / 1000,
		Took:     time.Duration(binary.BigEndian.Uint32(v[25:])) * time.Millisecond,
	}, nil
}

// DayAgg is a user's activity of one day, kept up to date by Record and
// Undo so stats cost O(days), not O(reviews).
type DayAgg struct {
	Day    scheduler.Day
	Grades [3][6]int // answers by kind and grade
	New    int       // cards introduced (first state) that day
	Time   time.Duration

	// Derived from Grades.
	ByKind  [3]int // answers by kind
	ByGrade [6]int // answers by grade
	Passes  [3]int // answers graded 3 or more, by kind
}

// Answers is the number of answers of every kind.
func (a DayAgg) Answers() int { return a.ByKind[0] + a.ByKind[1] + a.ByKind[2] }

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

const dayAggSize = 1 + 18*4 + 4 + 8

func encodeDayAgg(a DayAgg) []byte {
	b := make([]byte, 0, dayAggSize)
	b = append(b, 1)
	for k := range a.Grades {
		for _, n := range a.Grades[k] {
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
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
	for k := range a.Grades {
		for g := range a.Grades[k] {
			a.Grades[k][g] = int(binary.BigEndian.Uint32(p))
			p = p[4:]
		}
	}
	a.New = int(binary.BigEndian.Uint32(p))
	a.Time = time.Duration(binary.BigEndian.Uint64(p[4:])) * time.Millisecond
	a.derive()
	return a, nil
}

// addDay adds (sign 1) or removes (sign -1) one answer from day's
// aggregate; an aggregate back at zero is deleted.
func addDay(days *bolt.Bucket, day scheduler.Day, r Review, introduced bool, sign int) error {
	dk := dayKey(day)
	a := DayAgg{Day: day}
	if v := days.Get(dk[:]); v != nil {
		var err error
		if a, err = decodeDayAgg(day, v); err != nil {
			return err
		}
	}
	a.Grades[r.Kind][r.Grade] += sign
	if introduced {
		a.New += sign
	}
	a.Time += time.Duration(sign) * r.Took.Truncate(time.Millisecond)
	if a == (DayAgg{Day: day, ByKind: a.ByKind, ByGrade: a.ByGrade, Passes: a.Passes}) {
		return days.Delete(dk[:])
	}
	return days.Put(dk[:], encodeDayAgg(a))
}

// Undo record flags.
const (
	undoNext   = 1 // Record wrote a state
	undoPrev   = 2 // the card had a state before
	undoMarker = 4 // the talk had an "introduced" marker before
)

// undoKeep is how many Records can be undone, most recent first.
const undoKeep = 50

// Record stores one answer in one committed transaction: appends r to the
// user's log, stores next (if not nil) as the card's state and moves its
// due-index entry, updates day's aggregate, and remembers how to undo it.
func (db *DB) Record(user string, r Review, day scheduler.Day, next *scheduler.State) error {
	k, err := cardKey(r.Card)
	if err != nil {
		return err
	}
	if r.Grade < 0 || r.Grade > 5 {
		return fmt.Errorf("record: grade %d out of 0-5", r.Grade)
	}
	if r.Kind >= numKinds {
		return fmt.Errorf("record: unknown review kind %d", r.Kind)
	}
	return db.update(func(tx *bolt.Tx) error {
		ub, err := userBucketRW(tx, user)
		if err != nil {
			return err
		}
		cv := tx.Bucket(bCards).Get(k[:])
		if cv == nil {
			return fmt.Errorf("card %s: %w", r.Card, ErrNotFound)
		}
		log := ub.Bucket(bLog)
		seq, err := log.NextSequence()
		if err != nil {
			return err
		}
		if err := log.Put(u64key(seq), encodeReview(k, r)); err != nil {
			return err
		}
		u := []byte{1, 0, 0, 0, 0, 0}
		dk := dayKey(day)
		copy(u[1:5], dk[:])
		introduced := false
		if next != nil {
			u[5] |= undoNext
			sb, due := ub.Bucket(bState), ub.Bucket(bDue)
			prev := slices.Clone(sb.Get(k[:]))
			if prev != nil {
				u[5] |= undoPrev
				u = append(u, prev...)
				ps, err := decodeState(prev)
				if err != nil {
					return err
				}
				if err := due.Delete(dueKey(ps.Due, k)); err != nil {
					return err
				}
			}
			nv := encodeState(*next)
			u = append(u, nv...)
			if err := sb.Put(k[:], nv); err != nil {
				return err
			}
			if !next.Suspended {
				if err := due.Put(dueKey(next.Due, k), nil); err != nil {
					return err
				}
			}
			if prev == nil {
				introduced = true
				card, err := decodeCard(k[:], cv)
				if err != nil {
					return err
				}
				talkKey := binary.BigEndian.AppendUint32(nil, uint32(card.Order>>32))
				u = append(u, talkKey...)
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
			}
		}
		if err := addDay(ub.Bucket(bDays), day, r, introduced, 1); err != nil {
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
	})
}

// ErrUndoStale means the state of the card of the last answer was changed
// since (by an import carrying history, or a suspend), so undo would not
// restore it exactly; nothing is undone.
var ErrUndoStale = errors.New("the card changed since the last answer; cannot undo")

// Undo reverses the user's last Record exactly — log entry, state, due
// index, "introduced" marker, day aggregate — and returns the answer it
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
		day := keyDay(u[1:5])
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
		introduced := false
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
			if prev != nil {
				ps, err := decodeState(prev)
				if err != nil {
					return err
				}
				if err := sb.Put(k[:], prev); err != nil {
					return err
				}
				if !ps.Suspended {
					if err := due.Put(dueKey(ps.Due, k), nil); err != nil {
						return err
					}
				}
			} else {
				introduced = true
				if err := sb.Delete(k[:]); err != nil {
					return err
				}
				talkKey, err := take(4)
				if err != nil {
					return err
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
		if err := addDay(ub.Bucket(bDays), day, r, introduced, -1); err != nil {
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
	return db.view(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil {
			return err
		}
		lb := sub(ub, bLog)
		if lb == nil {
			return nil
		}
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
	err := db.view(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil {
			return err
		}
		days := sub(ub, bDays)
		if days == nil {
			return nil
		}
		dk := dayKey(day)
		if v := days.Get(dk[:]); v != nil {
			a, err = decodeDayAgg(day, v)
		}
		return err
	})
	return a, err
}

// Days returns the user's aggregates of the days from..to (inclusive) that
// have any activity, in day order: O(days in range).
func (db *DB) Days(user string, from, to scheduler.Day) ([]DayAgg, error) {
	var out []DayAgg
	err := db.view(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil {
			return err
		}
		days := sub(ub, bDays)
		if days == nil {
			return nil
		}
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
