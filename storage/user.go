package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// Per-user sub-buckets and keys of users/<name>/ (doc.go).
var (
	bState    = []byte("state")
	bDue      = []byte("due")
	bLog      = []byte("log")
	bDays     = []byte("days")
	bSettings = []byte("settings")
	bUndo     = []byte("undo")
	bIntro    = []byte("intro")
	kInfo     = []byte("info")
	kEpoch    = []byte("epoch") // in intro: bumped when a state is removed outside Undo

	kNewPerDay    = []byte("new_per_day")
	kDayStartHour = []byte("day_start_hour")
	kSessionLimit = []byte("session_limit")
)

// stateSize is the fixed size of an encoded scheduler.State: the state,
// then the seq of the card's talk (so Stats counts states by talk without
// reading card records).
const stateSize = 34

func encodeState(s scheduler.State, talkSeq uint32) []byte {
	b := make([]byte, 0, stateSize)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint32(b, uint32(s.Repetitions))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(s.Easiness))
	b = binary.BigEndian.AppendUint32(b, uint32(s.Interval))
	b = binary.BigEndian.AppendUint32(b, uint32(s.Due))
	b = binary.BigEndian.AppendUint32(b, uint32(s.Lapses))
	var flags byte
	if s.Suspended {
		flags |= 1
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint32(b, uint32(s.LastReview))
	return binary.BigEndian.AppendUint32(b, talkSeq)
}

// stateTalk is the talk seq of an encoded state (decodeState checked it).
func stateTalk(v []byte) uint32 { return binary.BigEndian.Uint32(v[30:]) }

func decodeState(v []byte) (scheduler.State, error) {
	if len(v) != stateSize || v[0] != 1 {
		return scheduler.State{}, fmt.Errorf("card state: %w", errCorrupt)
	}
	return scheduler.State{
		Repetitions: int(int32(binary.BigEndian.Uint32(v[1:]))),
		Easiness:    math.Float64frombits(binary.BigEndian.Uint64(v[5:])),
		Interval:    int(int32(binary.BigEndian.Uint32(v[13:]))),
		Due:         scheduler.Day(int32(binary.BigEndian.Uint32(v[17:]))),
		Lapses:      int(int32(binary.BigEndian.Uint32(v[21:]))),
		Suspended:   v[25]&1 != 0,
		LastReview:  scheduler.Day(int32(binary.BigEndian.Uint32(v[26:]))),
	}, nil
}

// userBucket returns users/<name>, nil if the user has no data yet.
func userBucket(tx *bolt.Tx, user string) (*bolt.Bucket, error) {
	if err := ValidUser(user); err != nil {
		return nil, err
	}
	return tx.Bucket(bUsers).Bucket([]byte(user)), nil
}

// userBucketRW returns users/<name> with all its sub-buckets, creating them.
func userBucketRW(tx *bolt.Tx, user string) (*bolt.Bucket, error) {
	if err := ValidUser(user); err != nil {
		return nil, err
	}
	users := tx.Bucket(bUsers)
	fresh := users.Bucket([]byte(user)) == nil
	ub, err := users.CreateBucketIfNotExists([]byte(user))
	if err != nil {
		return nil, err
	}
	for _, name := range [][]byte{bState, bDue, bLog, bDays, bSettings, bUndo, bIntro} {
		if _, err := ub.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	if fresh {
		// No states yet: the summary (statesum.go) starts empty.
		if err := buildStateSum(ub, nil); err != nil {
			return nil, err
		}
	}
	return ub, nil
}

// userNames lists the users by their buckets' names (copies: the caller
// may write to the buckets while it goes through them).
func userNames(tx *bolt.Tx) [][]byte {
	var names [][]byte
	_ = tx.Bucket(bUsers).ForEachBucket(func(name []byte) error {
		names = append(names, slices.Clone(name))
		return nil
	})
	return names
}

// viewUserSub runs fn in a read transaction on the user's sub-bucket name;
// a user or sub-bucket that does not exist yet (no data) leaves fn uncalled.
func (db *DB) viewUserSub(user string, name []byte, fn func(b *bolt.Bucket) error) error {
	return db.view(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil {
			return err
		}
		if b := sub(ub, name); b != nil {
			return fn(b)
		}
		return nil
	})
}

// sub returns a sub-bucket of a possibly nil user bucket.
func sub(ub *bolt.Bucket, name []byte) *bolt.Bucket {
	if ub == nil {
		return nil
	}
	return ub.Bucket(name)
}

// States returns all of a user's card states by card ID.
func (db *DB) States(user string) (map[string]scheduler.State, error) {
	out := map[string]scheduler.State{}
	err := db.viewUserSub(user, bState, func(sb *bolt.Bucket) error {
		return sb.ForEach(func(k, v []byte) error {
			s, err := decodeState(v)
			if err != nil {
				return err
			}
			out[cardID(k)] = s
			return nil
		})
	})
	return out, err
}

// State returns a user's state of a card; false if the card is new to them.
func (db *DB) State(user, card string) (scheduler.State, bool, error) {
	var s scheduler.State
	var ok bool
	k, err := cardKey(card)
	if err != nil {
		return s, false, err
	}
	err = db.viewUserSub(user, bState, func(sb *bolt.Bucket) error {
		v := sb.Get(k[:])
		if v == nil {
			return nil
		}
		ok = true
		s, err = decodeState(v)
		return err
	})
	return s, ok, err
}

// DueCard is a card due for review.
type DueCard struct {
	ID    string
	Due   scheduler.Day
	Seq   int    // the card's note order within its talk
	Order uint64 // Card.Order
}

// Due returns up to limit (0 = all) cards due on or before today, most
// overdue first (then by card ID), reading the due index from the front.
// Suspended and retired cards are not in the index, and each entry carries
// the card's note order, so no card record is read.
func (db *DB) Due(user string, today scheduler.Day, limit int) ([]DueCard, error) {
	var out []DueCard
	err := db.view(func(tx *bolt.Tx) error {
		return eachDue(tx, user, today, func(k CardKey, due scheduler.Day, order uint64) bool {
			out = append(out, DueCard{ID: k.ID(), Due: due, Seq: int(int32(uint32(order))), Order: order})
			return limit <= 0 || len(out) < limit
		})
	})
	return out, err
}

// EachDue calls fn with each card Due would return for today without a
// limit, in the same order, until fn returns false: its key, due day and
// Card.Order (the talk's seq in the high 32 bits, the card's seq within
// the talk in the low 32). Nothing is allocated per card, so a caller can
// hold the thousands due on a large collection compactly.
func (db *DB) EachDue(user string, today scheduler.Day, fn func(key CardKey, due scheduler.Day, order uint64) bool) error {
	return db.view(func(tx *bolt.Tx) error { return eachDue(tx, user, today, fn) })
}

// DueCount counts the cards Due would return for day without a limit.
func (db *DB) DueCount(user string, day scheduler.Day) (int, error) {
	n := 0
	err := db.view(func(tx *bolt.Tx) error {
		return eachDue(tx, user, day, func(CardKey, scheduler.Day, uint64) bool { n++; return true })
	})
	return n, err
}

func eachDue(tx *bolt.Tx, user string, today scheduler.Day, fn func(CardKey, scheduler.Day, uint64) bool) error {
	ub, err := userBucket(tx, user)
	if err != nil {
		return err
	}
	due := sub(ub, bDue)
	if due == nil {
		return nil
	}
	end := dayKey(today)
	c := due.Cursor()
	for k, v := c.First(); k != nil && bytes.Compare(k[:min(4, len(k))], end[:]) <= 0; k, v = c.Next() {
		if len(k) != 12 || len(v) != 8 {
			return fmt.Errorf("due index: %w", errCorrupt)
		}
		if !fn(CardKey(binary.BigEndian.Uint64(k[4:])), keyDay(k[:4]), binary.BigEndian.Uint64(v)) {
			return nil
		}
	}
	return nil
}

// dueVal is a due-index value: the card's Card.Order, so listing due cards
// needs no card record.
func dueVal(order uint64) []byte { return binary.BigEndian.AppendUint64(make([]byte, 0, 8), order) }

// NewCards returns up to limit (0 = all) active cards of a talk ("" = all
// talks, in talk order) that the user has no state for, in note order. For
// one talk it reads the note-order index from the user's "introduced up to"
// marker of the talk; across all talks from the user's global marker, after
// the cards listed in early (first.go). Cards already introduced are not
// scanned again.
func (db *DB) NewCards(user, talkSlug string, limit int) ([]string, error) {
	var out []string
	err := db.view(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil {
			return err
		}
		if talkSlug == "" {
			return newCardsFrom(tx, ub, limit, &out)
		}
		var talks []*talkRec
		v := tx.Bucket(bTalks).Get([]byte(talkSlug))
		if v == nil {
			return fmt.Errorf("talk %q: %w", talkSlug, ErrNotFound)
		}
		t, err := decodeTalk(talkSlug, v)
		if err != nil {
			return err
		}
		talks = append(talks, t)
		states := sub(ub, bState)
		for _, t := range talks {
			if t.Cards == 0 {
				continue
			}
			start := introStart(ub, t)
			if len(start) == 16 && binary.BigEndian.Uint32(start[4:]) == math.MaxUint32 {
				continue // every active card of the talk has a state (advanceIntro's end marker)
			}
			c := tx.Bucket(bOrder).Cursor()
			prefix := binary.BigEndian.AppendUint32(nil, uint32(t.Seq))
			for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				if len(k) != 16 {
					return fmt.Errorf("order index: %w", errCorrupt)
				}
				if bytes.Equal(v, orderRetired) || (states != nil && states.Get(k[8:]) != nil) {
					continue
				}
				out = append(out, cardID(k[8:]))
				if limit > 0 && len(out) >= limit {
					return nil
				}
			}
		}
		return nil
	})
	return out, err
}

// introStart is where to look for a user's new cards of talk t: the marker
// if it belongs to the talk's current generation and the user's current
// epoch, else the talk's start. A marker is talk generation (8 bytes) |
// user epoch (8) | order key (16): every active card of the talk before
// that key has a state for the user.
func introStart(ub *bolt.Bucket, t *talkRec) []byte {
	prefix := binary.BigEndian.AppendUint32(nil, uint32(t.Seq))
	intro := sub(ub, bIntro)
	if intro == nil {
		return prefix
	}
	v := intro.Get(prefix)
	if len(v) != 32 || binary.BigEndian.Uint64(v) != t.gen ||
		binary.BigEndian.Uint64(v[8:]) != getU64(intro, kEpoch) || !bytes.HasPrefix(v[16:], prefix) {
		return prefix
	}
	return v[16:]
}

// advanceIntro moves the user's marker of talk t past the cards that now
// have a state (called after a new card got one). The cost is amortised:
// each card is passed once per talk generation.
func advanceIntro(tx *bolt.Tx, ub *bolt.Bucket, t *talkRec) error {
	prefix := binary.BigEndian.AppendUint32(nil, uint32(t.Seq))
	states := ub.Bucket(bState)
	c := tx.Bucket(bOrder).Cursor()
	start := introStart(ub, t)
	k, v := c.Seek(start)
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if !bytes.Equal(v, orderRetired) && states.Get(k[8:]) == nil {
			break
		}
	}
	var pos []byte
	if k != nil && bytes.HasPrefix(k, prefix) {
		pos = k
	} else { // past the talk's last card
		pos = binary.BigEndian.AppendUint32(prefix, math.MaxUint32)
		pos = append(pos, bytes.Repeat([]byte{0xff}, 8)...)
	}
	if bytes.Equal(pos, start) {
		return nil
	}
	intro := ub.Bucket(bIntro)
	val := binary.BigEndian.AppendUint64(make([]byte, 0, 32), t.gen)
	val = binary.BigEndian.AppendUint64(val, getU64(intro, kEpoch))
	return intro.Put(prefix, append(val, pos...))
}

// Settings are a user's preferences.
type Settings struct {
	NewPerDay    int // new cards introduced per day, default 20
	DayStartHour int // local hour a new day starts, default 4
	SessionLimit int // cards per session, 0 = no limit
}

// DefaultSettings are a new user's settings.
var DefaultSettings = Settings{NewPerDay: 20, DayStartHour: 4}

// Settings returns the user's settings, defaults for what was never set.
func (db *DB) Settings(user string) (Settings, error) {
	s := DefaultSettings
	err := db.viewUserSub(user, bSettings, func(sb *bolt.Bucket) error {
		get := func(k []byte, dst *int) {
			if v := sb.Get(k); len(v) == 4 {
				*dst = int(int32(binary.BigEndian.Uint32(v)))
			}
		}
		get(kNewPerDay, &s.NewPerDay)
		get(kDayStartHour, &s.DayStartHour)
		get(kSessionLimit, &s.SessionLimit)
		return nil
	})
	return s, err
}

// SetSettings stores the user's settings.
func (db *DB) SetSettings(user string, s Settings) error {
	if s.NewPerDay < 0 || s.SessionLimit < 0 || s.DayStartHour < 0 || s.DayStartHour > 23 {
		return fmt.Errorf("settings: new per day and session limit must be 0 or more, day start hour 0 to 23")
	}
	return db.update(func(tx *bolt.Tx) error {
		ub, err := userBucketRW(tx, user)
		if err != nil {
			return err
		}
		sb := ub.Bucket(bSettings)
		for k, v := range map[string]int{string(kNewPerDay): s.NewPerDay, string(kDayStartHour): s.DayStartHour, string(kSessionLimit): s.SessionLimit} {
			if err := sb.Put([]byte(k), binary.BigEndian.AppendUint32(nil, uint32(v))); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetSuspended suspends a card for a user (out of the due index) or
// resumes it (back in at its due day). Suspending a card new to the user
// gives it a state marked never reviewed; resuming such a card removes the
// state again, so it is new once more (bumping the user's marker epoch, so
// no marker, not even one an Undo restores, skips it).
func (db *DB) SetSuspended(user, card string, on bool) error {
	k, err := cardKey(card)
	if err != nil {
		return err
	}
	return db.update(func(tx *bolt.Tx) error {
		ub, err := userBucketRW(tx, user)
		if err != nil {
			return err
		}
		cv := tx.Bucket(bCards).Get(k[:])
		if cv == nil {
			return fmt.Errorf("card %s: %w", card, ErrNotFound)
		}
		c, err := decodeCard(k[:], cv)
		if err != nil {
			return err
		}
		talkSeq := uint32(c.Order >> 32)
		sb, due := ub.Bucket(bState), ub.Bucket(bDue)
		v := slices.Clone(sb.Get(k[:]))
		// put writes the state, and its share of the summary when the
		// card is active.
		put := func(s scheduler.State) error {
			nv := encodeState(s, talkSeq)
			if err := sb.Put(k[:], nv); err != nil {
				return err
			}
			if c.Retired {
				return nil
			}
			return noteState(ub, k[:], v, nv)
		}
		var s scheduler.State
		if v == nil {
			if !on {
				return nil
			}
			return put(scheduler.State{Easiness: 2.5, Suspended: true})
		}
		if s, err = decodeState(v); err != nil {
			return err
		}
		if s.Suspended == on {
			return nil
		}
		s.Suspended = on
		if on {
			if err := due.Delete(dueKey(s.Due, k)); err != nil {
				return err
			}
			return put(s)
		}
		if neverReviewed(s) {
			if err := sb.Delete(k[:]); err != nil {
				return err
			}
			if !c.Retired {
				if err := noteState(ub, k[:], v, nil); err != nil {
					return err
				}
			}
			if err := markEarly(ub, orderKey(&c, k)); err != nil {
				return err
			}
			intro := ub.Bucket(bIntro)
			if err := intro.Delete(binary.BigEndian.AppendUint32(nil, uint32(c.Order>>32))); err != nil {
				return err
			}
			return putU64(intro, kEpoch, getU64(intro, kEpoch)+1)
		}
		if !c.Retired {
			if err := due.Put(dueKey(s.Due, k), dueVal(c.Order)); err != nil {
				return err
			}
		}
		return put(s)
	})
}

func neverReviewed(s scheduler.State) bool {
	return s.Repetitions == 0 && s.Interval == 0 && s.Lapses == 0 && s.LastReview == 0 && s.Due == 0
}

// UserInfo summarises one user.
type UserInfo struct {
	Name       string
	CardsSeen  int // cards with a state
	Reviews    int // review log entries
	LastReview time.Time
}

// Users lists the users with any data, by name. O(users × states).
func (db *DB) Users() ([]UserInfo, error) {
	var out []UserInfo
	err := db.view(func(tx *bolt.Tx) error {
		users := tx.Bucket(bUsers)
		return users.ForEachBucket(func(name []byte) error {
			ub := users.Bucket(name)
			u := UserInfo{Name: string(name)}
			if sb := ub.Bucket(bState); sb != nil {
				u.CardsSeen = sb.Stats().KeyN
			}
			u.Reviews = int(getU64(ub, kInfo))
			if lb := ub.Bucket(bLog); lb != nil {
				if _, v := lb.Cursor().Last(); v != nil {
					r, err := decodeReview(v)
					if err != nil {
						return err
					}
					u.LastReview = r.Time
				}
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}
