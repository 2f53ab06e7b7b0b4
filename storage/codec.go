package storage

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/talkcards/talkcards/scheduler"
)

// errCorrupt marks a value that does not decode; callers wrap it in
// ErrDamaged.
var errCorrupt = errors.New("corrupt record")

// enc builds a record: uvarints, length-prefixed strings, fixed-width ints.
type enc struct{ b []byte }

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) byte(v byte)      { e.b = append(e.b, v) }
func (e *enc) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *enc) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}
func (e *enc) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

// time encodes t as Unix nanoseconds (zero time as 0, see dec.time).
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.varint(0)
		return
	}
	e.varint(t.UnixNano())
}

// dec reads what enc wrote; the first failure sticks in err.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (d *dec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) int() int { return int(d.varint()) }

func (d *dec) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) bool() bool { return d.byte() != 0 }

func (d *dec) raw(n uint64) []byte {
	if uint64(len(d.b)) < n {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string { return string(d.raw(d.uvarint())) }
func (d *dec) skipStr()    { d.raw(d.uvarint()) }
func (d *dec) time() time.Time {
	ns := d.varint()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func (d *dec) strs() []string {
	n := d.uvarint()
	if n > uint64(len(d.b)) { // each string takes at least one byte
		d.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.str()
	}
	return ss
}

// done reports a decode error, including trailing bytes left unread by an
// older reader (fine: newer fields are appended) — so only d.err counts.
func (d *dec) done(what string) error {
	if d.err != nil {
		return fmt.Errorf("%s: %w", what, d.err)
	}
	return nil
}

// cardKey turns a 16-hex-digit card ID into its 8-byte key.
func cardKey(id string) ([8]byte, error) {
	var k [8]byte
	if len(id) != 16 {
		return k, fmt.Errorf("card %q: %w", id, ErrNotFound)
	}
	for i := 0; i < 16; i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return k, fmt.Errorf("card %q: %w", id, ErrNotFound)
		}
	}
	_, err := hex.Decode(k[:], []byte(id))
	return k, err
}

func cardID(k []byte) string { return hex.EncodeToString(k) }

// dayKey encodes a day so that byte order is numeric order (sign bit
// flipped, big-endian).
func dayKey(d scheduler.Day) [4]byte {
	var k [4]byte
	binary.BigEndian.PutUint32(k[:], uint32(d)^0x80000000)
	return k
}

func keyDay(k []byte) scheduler.Day {
	return scheduler.Day(int32(binary.BigEndian.Uint32(k) ^ 0x80000000))
}

func u64key(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// dueKey is a due-index key: day (4 bytes, dayKey) then the card key.
func dueKey(d scheduler.Day, card [8]byte) []byte {
	dk := dayKey(d)
	return append(dk[:], card[:]...)
}
