package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// bPending is the root bucket where the talkcards of stop 9 committed a
// review session's answers before applying them (doc.go "Pending
// answers"). Answers now go to the answers journal beside the database
// (journal.go), in the same encoding; a file an older talkcards left
// answers in is still applied from here, first, by every fold.
var bPending = []byte("pending")

// maxPending bounds the answers waiting in the journal: past it RecordWith
// applies them and records in place, so reading the journal and scanning
// it backwards for a card's latest state stay short.
const maxPending = 1024

const pendingVersion = 1

// encodePending is one pending answer: version, user, the answer's day, the
// review as the log encodes it (database-derived fields zero) and the next
// state, if any (talk seq 0: the fold writes the card's).
func encodePending(user string, day scheduler.Day, k [8]byte, r Review, next *scheduler.State) []byte {
	r.Day, r.PrevInterval, r.Scheduled, r.Introduced = 0, 0, false, false
	b := make([]byte, 0, 2+len(user)+4+ReviewSize+1+stateSize)
	b = append(b, pendingVersion, byte(len(user)))
	b = append(b, user...)
	b = binary.BigEndian.AppendUint32(b, uint32(day))
	b = append(b, encodeReview(k, r)...)
	if next == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	return append(b, encodeState(*next, 0)...)
}

type pendingAnswer struct {
	user string
	day  scheduler.Day
	key  [8]byte
	r    Review
	next *scheduler.State
}

func decodePending(v []byte) (pendingAnswer, error) {
	var p pendingAnswer
	bad := fmt.Errorf("pending answer: %w", errCorrupt)
	if len(v) < 2 || v[0] != pendingVersion {
		return p, bad
	}
	n := int(v[1])
	rest := v[2:]
	if len(rest) < n+4+ReviewSize+1 {
		return p, bad
	}
	p.user = string(rest[:n])
	if ValidUser(p.user) != nil {
		return p, bad
	}
	rest = rest[n:]
	p.day = scheduler.Day(int32(binary.BigEndian.Uint32(rest)))
	rest = rest[4:]
	r, err := decodeReview(rest[:ReviewSize])
	if err != nil {
		return p, err
	}
	copy(p.key[:], rest[1:9])
	p.r = r
	rest = rest[ReviewSize:]
	switch {
	case rest[0] == 0 && len(rest) == 1:
	case rest[0] == 1 && len(rest) == 1+stateSize:
		s, err := decodeState(rest[1:])
		if err != nil {
			return p, err
		}
		p.next = &s
	default:
		return p, bad
	}
	return p, nil
}

// pendingOf reports whether v is a pending answer of user to card k,
// without decoding it.
func pendingOf(v []byte, user string, k [8]byte) bool {
	n := 2 + len(user)
	return len(v) > n+4+9 && int(v[1]) == len(user) && string(v[2:n]) == user && string(v[n+5:n+13]) == string(k[:])
}

// pendingCount is the number of pending answers (their keys are a
// contiguous run of sequence numbers: only folds delete, and they delete
// all).
func pendingCount(tx *bolt.Tx) int {
	pb := tx.Bucket(bPending)
	if pb == nil {
		return 0
	}
	c := pb.Cursor()
	first, _ := c.First()
	if first == nil {
		return 0
	}
	last, _ := c.Last()
	if len(first) != 8 || len(last) != 8 {
		return maxPending + 1 // damaged keys: let the fold report it
	}
	return int(binary.BigEndian.Uint64(last)-binary.BigEndian.Uint64(first)) + 1
}

// Pending is the number of answers committed and not applied yet (a
// KeepPending handle's, or a read-only one's that could not apply them):
// those in the journal, and any an older talkcards left in the pending
// bucket. A journal record that does not check out counts as one.
func (db *DB) Pending() (int, error) {
	j, err := readJournal(db.path)
	if err != nil {
		return 0, err
	}
	var n int
	err = db.view(func(tx *bolt.Tx) error {
		n = pendingCount(tx) + len(j.fresh(appliedSeq(tx)))
		if j.bad != nil {
			n++
		}
		return nil
	})
	return n, err
}

// fold applies, in tx, the pending answers of the bucket and then those of
// the journal (see foldPending and foldJournal), and reports whether there
// is a journal file to delete once tx commits.
func (db *DB) fold(tx *bolt.Tx, dropBad bool) (dropped int, journal bool, err error) {
	if dropped, err = foldPending(tx, dropBad); err != nil {
		return 0, false, err
	}
	more, journal, err := foldJournal(tx, db.path, dropBad)
	return dropped + more, journal, err
}

// dropJournal empties the journal once a commit applied it: cut to
// nothing, then a chunk of zeros written and synced, so that the next
// session's answers overwrite zeros in place (journal.go) and the first of
// them neither creates the file (and syncs the folder) nor grows it: the
// writer pays for the room, not an answer. Cutting first matters: zeros
// written over the applied records in place, torn by a crash, would mix
// with them and look like damage. Should emptying fail, the records left
// are at or below the applied marker, never applied twice, and the next
// write tries again.
func (db *DB) dropJournal() {
	f, err := os.OpenFile(JournalPath(db.path), os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer f.Close()
	if f.Truncate(0) != nil {
		return
	}
	if _, err := f.WriteAt(make([]byte, journalChunk), 0); err == nil {
		_ = syncData(f)
	}
}

// foldPending applies every pending answer, oldest first, exactly as
// Record would have at the time, and empties the bucket. With dropBad an
// answer that does not decode, or names a card that is gone, is skipped
// and counted instead of failing the transaction (check --repair).
func foldPending(tx *bolt.Tx, dropBad bool) (dropped int, err error) {
	pb := tx.Bucket(bPending)
	if pb == nil {
		return 0, nil
	}
	c := pb.Cursor()
	if k, _ := c.First(); k == nil {
		return 0, nil
	}
	var vals [][]byte // copies: the applying below writes to the tx
	if err := pb.ForEach(func(_, v []byte) error { vals = append(vals, bytes.Clone(v)); return nil }); err != nil {
		return 0, err
	}
	for i, v := range vals {
		p, err := decodePending(v)
		if err != nil {
			if !dropBad {
				return 0, err
			}
			dropped++
			continue
		}
		if err := recordTx(tx, p.user, p.r, p.day, p.next); err != nil {
			if dropBad && errors.Is(err, ErrNotFound) {
				dropped++
				continue
			}
			return 0, fmt.Errorf("pending answer %d: %w", i+1, err)
		}
	}
	for k, _ := c.First(); k != nil; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return 0, err
		}
	}
	return dropped, nil
}
