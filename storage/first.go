package storage

import (
	"bytes"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The user's new cards in note order, for review across all talks, come
// from two places (doc.go, intro and early):
//
//   - kFirst, the global "introduced up to" marker in the intro bucket: an
//     order-index key such that every active card before it either has a
//     state or is listed in early (16 bytes of 0xff: past every card).
//     Record moves it past the cards that have a state, so it only moves
//     forward: amortised O(1) per card. No marker: the start.
//   - bEarly, order keys of cards before the marker that may be new to the
//     user again: a card an import added, restored or moved there, and one
//     whose state SetSuspended removed (Undo restores the marker and the
//     list as they were). Record takes a card it introduces out; entries
//     whose card got a state otherwise, was retired or moved are skipped
//     when read and pruned by the next import.
var (
	kFirst = []byte("first")
	bEarly = []byte("early")
)

// firstEnd is the marker past every order key.
var firstEnd = bytes.Repeat([]byte{0xff}, 16)

// isNewCard reports whether the order-index key k names an active card the
// user has no state for.
func isNewCard(order, states *bolt.Bucket, k []byte) bool {
	return bytes.Equal(order.Get(k), orderActive) && (states == nil || states.Get(k[8:]) == nil)
}

// newCardsFrom appends to out up to limit (0 = all) active cards without a
// state for the user, in note order: those listed in early, then the order
// index from the global marker on.
func newCardsFrom(tx *bolt.Tx, ub *bolt.Bucket, limit int, out *[]string) error {
	order, states := tx.Bucket(bOrder), sub(ub, bState)
	full := func() bool { return limit > 0 && len(*out) >= limit }
	if early := sub(ub, bEarly); early != nil {
		c := early.Cursor()
		for k, _ := c.First(); k != nil && !full(); k, _ = c.Next() {
			if len(k) != 16 {
				return fmt.Errorf("early new cards: %w", errCorrupt)
			}
			if isNewCard(order, states, k) {
				*out = append(*out, cardID(k[8:]))
			}
		}
	}
	var start []byte
	if intro := sub(ub, bIntro); intro != nil {
		start = intro.Get(kFirst)
	}
	if full() || bytes.Equal(start, firstEnd) {
		return nil
	}
	c := order.Cursor()
	k, v := seekMarker(c, start)
	for ; k != nil; k, v = c.Next() {
		if len(k) != 16 {
			return fmt.Errorf("order index: %w", errCorrupt)
		}
		if bytes.Equal(v, orderRetired) || (states != nil && states.Get(k[8:]) != nil) {
			continue
		}
		*out = append(*out, cardID(k[8:]))
		if full() {
			return nil
		}
	}
	return nil
}

// advanceFirst moves the user's global marker past the cards that have a
// state (called after a new card got one, which Record takes out of early).
func advanceFirst(tx *bolt.Tx, ub *bolt.Bucket) error {
	intro, states, order := ub.Bucket(bIntro), ub.Bucket(bState), tx.Bucket(bOrder)
	start := intro.Get(kFirst)
	c := order.Cursor()
	k, v := seekMarker(c, start)
	for ; k != nil; k, v = c.Next() {
		if !bytes.Equal(v, orderRetired) && states.Get(k[8:]) == nil {
			break
		}
	}
	pos := firstEnd
	if k != nil {
		pos = k
	}
	if bytes.Equal(pos, start) {
		return nil
	}
	return intro.Put(kFirst, bytes.Clone(pos))
}

// pruneEarly deletes the user's early entries that no longer name a card
// new to the user.
func pruneEarly(tx *bolt.Tx, ub *bolt.Bucket) error {
	early := ub.Bucket(bEarly)
	if early == nil {
		return nil
	}
	order, states := tx.Bucket(bOrder), ub.Bucket(bState)
	var stale [][]byte
	_ = early.ForEach(func(k, _ []byte) error {
		if len(k) != 16 || !isNewCard(order, states, k) {
			stale = append(stale, slices.Clone(k))
		}
		return nil
	})
	for _, k := range stale {
		if err := early.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// markEarly notes that the card at order key k may be new to the user
// again: listed in early if it is before the global marker.
func markEarly(ub *bolt.Bucket, k []byte) error {
	intro := ub.Bucket(bIntro)
	if intro == nil {
		return nil
	}
	if m := intro.Get(kFirst); m != nil && bytes.Compare(k, m) < 0 {
		early, err := ub.CreateBucketIfNotExists(bEarly)
		if err != nil {
			return err
		}
		return early.Put(k, nil)
	}
	return nil
}

// seekMarker puts c on the order key of a global marker (start), or on the
// first key when there is no marker yet.
func seekMarker(c *bolt.Cursor, start []byte) (k, v []byte) {
	if len(start) == 16 {
		return c.Seek(start)
	}
	return c.First()
}
