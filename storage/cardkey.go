package storage

import (
	"encoding/binary"
	"encoding/hex"
)

// CardKey is a card's ID as a number: its 16 hex digits, the 8 bytes of
// the card key (doc.go) read big-endian. Keys order as their IDs do, so a
// large list of cards (a day's due reviews) can be held and sorted without
// a string per card; ID gives the string back for the few that show.
type CardKey uint64

// ParseCardKey reads a card ID; an ID that is not 16 lowercase hex digits
// names no card (ErrNotFound).
func ParseCardKey(id string) (CardKey, error) {
	k, err := cardKey(id)
	if err != nil {
		return 0, err
	}
	return CardKey(binary.BigEndian.Uint64(k[:])), nil
}

// ID is the card ID the key stands for.
func (k CardKey) ID() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(k))
	return hex.EncodeToString(b[:])
}

// String is the card ID, so a key prints as the ID it stands for.
func (k CardKey) String() string { return k.ID() }
