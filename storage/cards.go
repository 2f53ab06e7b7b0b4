package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/notes"
)

// Top-level buckets and meta keys (doc.go describes them).
var (
	bMeta   = []byte("meta")
	bTalks  = []byte("talks")
	bCards  = []byte("cards")
	bOrder  = []byte("order")
	bByFile = []byte("byfile")
	bFiles  = []byte("files")
	bRoots  = []byte("roots")
	bLinks  = []byte("links")
	bUsers  = []byte("users")

	kSchema  = []byte("schema")
	kTalks   = []byte("talks")
	kActive  = []byte("active")
	kTalkSeq = []byte("talkseq")
)

// Talk is a talk as stored: cards are shared by all users.
type Talk struct {
	Slug, Title string
	Meta        notes.Meta
	Files       []string // notes files its cards come from
	Seq         int      // first-import order, from 1
	Cards       int      // active cards
	Retired     int      // retired cards
}

// Card is a stored card: the generated card plus where it lives.
type Card struct {
	deck.Card
	TalkSlug  string
	File      string // absolute path of its notes file
	Retired   bool
	RetiredAt time.Time
	// Order sorts cards in talk order then note order: talk Seq << 32 | card Seq.
	Order uint64
	// Successor is the card a retired card's history was carried to ("" if none).
	Successor string
}

// talkRec is a Talk plus bookkeeping.
type talkRec struct {
	Talk
	// gen changes whenever a card of the talk becomes active or moves in
	// note order; it invalidates the users' "introduced up to" markers.
	gen uint64
}

func encodeTalk(t *talkRec) []byte {
	e := enc{b: make([]byte, 0, 128)}
	e.byte(1)
	e.str(t.Title)
	e.str(t.Meta.Speaker)
	e.str(t.Meta.Event)
	e.str(t.Meta.Date)
	e.strs(t.Meta.Tags)
	e.strs(t.Files)
	e.uvarint(uint64(t.Seq))
	e.uvarint(uint64(t.Cards))
	e.uvarint(uint64(t.Retired))
	e.uvarint(t.gen)
	return e.b
}

func decodeTalk(slug string, v []byte) (*talkRec, error) {
	t := &talkRec{}
	return t, decodeTalkTo(t, slug, v)
}

// decodeTalkTo is decodeTalk into t (a caller's, so that a listing of
// every talk need not put each on the heap twice).
func decodeTalkTo(t *talkRec, slug string, v []byte) error {
	d := dec{b: v}
	if d.byte() != 1 {
		d.fail()
	}
	*t = talkRec{}
	t.Slug = slug
	t.Title = d.str()
	t.Meta.Speaker = d.str()
	t.Meta.Event = d.str()
	t.Meta.Date = d.str()
	t.Meta.Tags = d.strs()
	t.Files = d.strs()
	t.Seq = int(d.uvarint())
	t.Cards = int(d.uvarint())
	t.Retired = int(d.uvarint())
	t.gen = d.uvarint()
	return d.done("talk " + slug)
}

func encodeCard(c *Card) []byte {
	return appendCard(make([]byte, 0, maxCardSize(c)), c)
}

// maxCardSize bounds the length of c's record, so that it is encoded at
// once: a varint length per string, at most 10 bytes each for the numbers
// and the time.
func maxCardSize(c *Card) int {
	n := len(c.TalkSlug) + len(c.Talk) + len(c.Kind) + len(c.Prompt) + len(c.Answer) + len(c.Source) +
		len(c.Key) + len(c.File) + len(c.Successor) + 10*len(c.Path) + 16*binary.MaxVarintLen64
	for _, p := range c.Path {
		n += len(p)
	}
	return n
}

// appendCard appends c's record to b.
func appendCard(b []byte, c *Card) []byte {
	e := enc{b: b}
	e.byte(1)
	e.str(c.TalkSlug)
	e.uvarint(c.Order >> 32)
	e.str(c.Talk)
	e.strs(c.Path)
	e.str(string(c.Kind))
	e.str(c.Prompt)
	e.str(c.Answer)
	e.str(c.Source)
	e.varint(int64(c.Seq))
	e.str(c.Key)
	e.str(c.File)
	e.bool(c.Retired)
	e.time(c.RetiredAt)
	e.str(c.Successor)
	return e.b
}

func decodeCard(k, v []byte) (Card, error) {
	d := dec{b: v}
	if d.byte() != 1 {
		d.fail()
	}
	var c Card
	c.ID = cardID(k)
	c.TalkSlug = d.str()
	talkSeq := d.uvarint()
	c.Talk = d.str()
	c.Path = d.strs()
	c.Kind = deck.Kind(d.str())
	c.Prompt = d.str()
	c.Answer = d.str()
	c.Source = d.str()
	c.Seq = d.int()
	c.Key = d.str()
	c.File = d.str()
	c.Retired = d.bool()
	c.RetiredAt = d.time()
	c.Successor = d.str()
	c.Order = talkSeq<<32 | uint64(uint32(c.Seq))
	return c, d.done("card " + c.ID)
}

// orderKey is the key of a card in the note-order index:
// talk Seq (4 bytes) | card Seq (4 bytes) | card key (8 bytes).
func orderKey(c *Card, k [8]byte) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), c.Order)
	return append(b, k[:]...)
}

// Values of the note-order index: whether the card is retired, so NewCards
// need not read card records.
var (
	orderActive  = []byte{0}
	orderRetired = []byte{1}
)

// byFileKey is the key of a card in the per-file index: path, 0, card key.
func byFileKey(path string, k [8]byte) []byte {
	b := append(append(make([]byte, 0, len(path)+9), path...), 0)
	return append(b, k[:]...)
}

func loadTalks(tx *bolt.Tx) (map[string]*talkRec, error) {
	return loadTalksWith(tx, decodeTalk)
}

func loadTalksWith(tx *bolt.Tx, decode func(string, []byte) (*talkRec, error)) (map[string]*talkRec, error) {
	talks := map[string]*talkRec{}
	err := tx.Bucket(bTalks).ForEach(func(k, v []byte) error {
		t, err := decode(string(k), v)
		if err != nil {
			return err
		}
		talks[t.Slug] = t
		return nil
	})
	return talks, err
}

// Talks lists every talk, including those with no active card, by Seq.
func (db *DB) Talks() ([]Talk, error) {
	var out []Talk
	err := db.view(func(tx *bolt.Tx) error {
		talks, err := loadTalks(tx)
		for _, t := range talks {
			out = append(out, t.Talk)
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, err
}

// Talk returns one talk by slug (ErrNotFound if none).
func (db *DB) Talk(slug string) (Talk, error) {
	var t Talk
	err := db.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bTalks).Get([]byte(slug))
		if v == nil {
			return fmt.Errorf("talk %q: %w", slug, ErrNotFound)
		}
		r, err := decodeTalk(slug, v)
		if r != nil {
			t = r.Talk
		}
		return err
	})
	return t, err
}

// talkPrefix is the note-order index prefix of a talk ("" = all talks).
func talkPrefix(tx *bolt.Tx, slug string) ([]byte, bool, error) {
	if slug == "" {
		return nil, true, nil
	}
	v := tx.Bucket(bTalks).Get([]byte(slug))
	if v == nil {
		return nil, false, nil
	}
	t, err := decodeTalk(slug, v)
	if err != nil {
		return nil, false, err
	}
	return binary.BigEndian.AppendUint32(nil, uint32(t.Seq)), true, nil
}

// Cards lists the cards of a talk ("" = all talks) in talk order then note
// order, retired ones included (Retired set). An unknown talk gives
// ErrNotFound.
func (db *DB) Cards(talkSlug string) ([]Card, error) {
	var out []Card
	err := db.view(func(tx *bolt.Tx) error {
		prefix, ok, err := talkPrefix(tx, talkSlug)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("talk %q: %w", talkSlug, ErrNotFound)
		}
		cards := tx.Bucket(bCards)
		c := tx.Bucket(bOrder).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) != 16 {
				return errCorrupt
			}
			v := cards.Get(k[8:])
			if v == nil {
				return fmt.Errorf("order index names card %x: %w", k[8:], errCorrupt)
			}
			card, err := decodeCard(k[8:], v)
			if err != nil {
				return err
			}
			out = append(out, card)
		}
		return nil
	})
	return out, err
}

// Card returns one card by ID (ErrNotFound if none).
func (db *DB) Card(id string) (Card, error) {
	var card Card
	k, err := cardKey(id)
	if err != nil {
		return card, err
	}
	err = db.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bCards).Get(k[:])
		if v == nil {
			return fmt.Errorf("card %s: %w", id, ErrNotFound)
		}
		card, err = decodeCard(k[:], v)
		return err
	})
	return card, err
}

// Count returns the number of talks and of active cards from counters kept
// by Import: O(1).
func (db *DB) Count() (talks, activeCards int, err error) {
	err = db.view(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		talks, activeCards = int(getU64(m, kTalks)), int(getU64(m, kActive))
		return nil
	})
	return talks, activeCards, err
}

func getU64(b *bolt.Bucket, k []byte) uint64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func putU64(b *bolt.Bucket, k []byte, v uint64) error {
	return b.Put(k, u64key(v))
}

// cardBrief reads of a card record only what due selection needs — its
// note order and whether it is retired — skipping the text without
// allocating (decodeCard reads the same fields).
func cardBrief(v []byte) (order uint64, retired bool, err error) {
	d := dec{b: v}
	if d.byte() != 1 {
		d.fail()
	}
	d.skipStr() // talk slug
	talkSeq := d.uvarint()
	d.skipStr() // talk title
	for n := d.uvarint(); n > 0 && d.err == nil; n-- {
		d.skipStr() // heading path
	}
	d.skipStr() // kind
	d.skipStr() // prompt
	d.skipStr() // answer
	d.skipStr() // source
	seq := d.int()
	d.skipStr() // key
	d.skipStr() // file
	retired = d.bool()
	if d.err != nil {
		return 0, false, fmt.Errorf("card: %w", d.err)
	}
	return talkSeq<<32 | uint64(uint32(seq)), retired, nil
}

// CardsByID returns the cards with the given IDs, in that order, in one
// read (ErrNotFound if one is missing).
func (db *DB) CardsByID(ids []string) ([]Card, error) {
	out := make([]Card, 0, len(ids))
	err := db.view(func(tx *bolt.Tx) error {
		cards := tx.Bucket(bCards)
		for _, id := range ids {
			k, err := cardKey(id)
			if err != nil {
				return err
			}
			v := cards.Get(k[:])
			if v == nil {
				return fmt.Errorf("card %s: %w", id, ErrNotFound)
			}
			c, err := decodeCard(k[:], v)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}
