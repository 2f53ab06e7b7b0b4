package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// The answers journal is a small append-only file beside the database
// (doc.go "Pending answers"). A review session's answer is appended to it
// and fsynced, under a shared lock on the database: one write and one sync
// of a file of a few kilobytes, where a bbolt commit on a large database
// also reads and rewrites its freelist and syncs twice. Every write
// transaction applies the journal first and empties it after committing;
// every Open without KeepPending applies it before anyone reads.

// JournalSuffix names the journal: the database's path plus this.
const JournalSuffix = "-pending"

// JournalPath is the answers journal of the database at dbPath.
func JournalPath(dbPath string) string { return dbPath + JournalSuffix }

// journalMagic starts every journal file.
var journalMagic = []byte("tcpend1\n")

// A journal record: payload length (uint32), sequence number (uint64), the
// payload (encodePending), then a CRC-32C of all that. Big-endian.
const (
	recHead    = 4 + 8
	recTail    = 4
	maxPayload = 1 << 12 // a pending answer is ~100 bytes
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// kPendingSeq (in meta) is the sequence number of the newest journal
// record applied to the database: records at or below it were applied
// already (the journal is emptied after the commit that applies it; a
// crash in between leaves them in the file).
var kPendingSeq = []byte("pendingSeq")

type journalRec struct {
	seq     uint64
	payload []byte
}

// journal is a parsed journal file.
type journal struct {
	recs []journalRec // valid records, in file order
	last uint64       // newest sequence number in the file
	good int64        // bytes up to the end of the last valid record
	size int64        // bytes in the file
	// bad is a record that does not check out and is not the file's last
	// (a torn last record is an answer whose sync never returned, so it
	// was never acknowledged: it is dropped silently).
	bad error
}

// parseJournal reads b, a whole journal file.
func parseJournal(b []byte) journal {
	j := journal{size: int64(len(b))}
	if len(b) < len(journalMagic) {
		return j // empty, or a torn header
	}
	if string(b[:len(journalMagic)]) != string(journalMagic) {
		j.bad = errors.New("not a talkcards answers journal")
		return j
	}
	off := len(journalMagic)
	j.good = int64(off)
	for off < len(b) {
		if len(b)-off < recHead {
			return j // torn
		}
		n := int(binary.BigEndian.Uint32(b[off:]))
		end := off + recHead + n + recTail
		if n > maxPayload || end > len(b) {
			if end < len(b) { // a sane length would not run past the end
				j.bad = fmt.Errorf("record at byte %d: bad length %d", off, n)
			}
			return j
		}
		sum := binary.BigEndian.Uint32(b[end-recTail:])
		if crc32.Checksum(b[off:end-recTail], castagnoli) != sum {
			if end < len(b) {
				j.bad = fmt.Errorf("record at byte %d: checksum mismatch", off)
			}
			return j
		}
		seq := binary.BigEndian.Uint64(b[off+4:])
		if seq <= j.last {
			j.bad = fmt.Errorf("record at byte %d: sequence %d after %d", off, seq, j.last)
			return j
		}
		j.recs = append(j.recs, journalRec{seq: seq, payload: b[off+recHead : end-recTail]})
		j.last = seq
		off = end
		j.good = int64(off)
	}
	return j
}

// fresh is the records not applied yet: those after applied.
func (j *journal) fresh(applied uint64) []journalRec {
	for i, r := range j.recs {
		if r.seq > applied {
			return j.recs[i:]
		}
	}
	return nil
}

func appendRecord(b []byte, seq uint64, payload []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.BigEndian.AppendUint64(b, seq)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// readJournal reads and parses the journal of the database at dbPath; a
// missing journal is an empty one.
func readJournal(dbPath string) (journal, error) {
	b, err := os.ReadFile(JournalPath(dbPath))
	if errors.Is(err, fs.ErrNotExist) {
		return journal{}, nil
	}
	if err != nil {
		return journal{}, fmt.Errorf("read the answers journal: %w", err)
	}
	return parseJournal(b), nil
}

func appliedSeq(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bMeta).Get(kPendingSeq); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// journalDamaged is the error for a journal record that does not check out.
func journalDamaged(dbPath string, cause error) error {
	return fmt.Errorf("%s: %w: %w", JournalPath(dbPath), ErrPendingDamaged, cause)
}

// errJournalFull: RecordWith must apply the journal before recording.
var errJournalFull = errors.New("answers journal full")

// appendAnswer is RecordWith on a KeepPending handle: under a shared (or
// exclusive) lock on the database, which keeps every applier out, and an
// exclusive lock on the journal, which orders the appenders, it reads the
// card's state (the newest the journal's records of this user and card
// left, else the stored one), checks the answer as recordTx would, and
// appends it to the journal, synced before it returns. Past maxPending
// records, or with answers in the pending bucket, it returns
// errJournalFull: the caller applies them and records in place.
func (db *DB) appendAnswer(user string, k [8]byte, card string, day scheduler.Day, fn func(prev scheduler.State, had bool) (Review, *scheduler.State)) error {
	if db.readOnly && !AnswersShareLock {
		return fmt.Errorf("%s: record: database opened read-only", db.path)
	}
	return db.view(func(tx *bolt.Tx) error {
		path := JournalPath(db.path)
		f, created, err := openJournal(path)
		if err != nil {
			return err
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		j := parseJournal(b)
		if j.bad != nil {
			return journalDamaged(db.path, j.bad)
		}
		applied := appliedSeq(tx)
		fresh := j.fresh(applied)
		if len(fresh) >= maxPending || pendingCount(tx) > 0 {
			// Full, or an older talkcards left answers in the pending
			// bucket, which come first.
			return errJournalFull
		}
		prev, had, err := journalState(fresh, user, k)
		if err != nil {
			return journalDamaged(db.path, err)
		}
		if !had {
			if prev, had, err = userState(tx.Bucket(bUsers).Bucket([]byte(user)), k); err != nil {
				return err
			}
		}
		r, next := fn(prev, had)
		if r.Card != card {
			return fmt.Errorf("record: answer for card %s, not %s", r.Card, card)
		}
		if err := checkAnswer(tx, r); err != nil {
			return err
		}
		// Start afresh when nothing in the file is waiting (its records
		// were applied, or there are none, or a torn one); else drop only
		// a torn tail.
		off := j.good
		if len(fresh) == 0 {
			off = 0
		}
		var w []byte
		if off == 0 {
			w = append(w, journalMagic...)
		}
		w = appendRecord(w, max(applied, j.last)+1, encodePending(user, day, k, r, next))
		err = writeAt(f, w, off, j.size)
		if err != nil {
			// Leave no trace of the answer: the records before it stay,
			// and a journal holding none goes (openJournal's callers
			// notice).
			if off == 0 {
				_ = os.Remove(path)
			} else {
				_ = f.Truncate(off)
			}
			return fmt.Errorf("write %s: %w", path, err)
		}
		if created {
			// A new file: its directory entry must be durable too.
			if err := syncDir(filepath.Dir(path)); err != nil {
				return fmt.Errorf("sync %s: %w", filepath.Dir(path), err)
			}
		}
		return nil
	})
}

// openJournal opens the journal at path, creating it if need be (created
// says so: its folder must be synced), with an exclusive lock. An appender
// whose first write failed deletes the journal (holding this lock), as
// does Open making a new database where there was none: after locking, the
// file must still be the one at path, else it is opened again.
func openJournal(path string) (f *os.File, created bool, err error) {
	for {
		f, err = os.OpenFile(path, os.O_RDWR, 0)
		created = false
		if errors.Is(err, fs.ErrNotExist) {
			f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
			created = true
			if errors.Is(err, fs.ErrExist) {
				continue // another appender made it meanwhile
			}
		}
		if err != nil {
			return nil, false, fmt.Errorf("open the answers journal: %w", err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return nil, false, fmt.Errorf("lock %s: %w", path, err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, false, fmt.Errorf("open the answers journal: %w", err)
		}
		if pi, err := os.Stat(path); err == nil && os.SameFile(fi, pi) {
			return f, created, nil
		}
		f.Close()
	}
}

// writeAt writes w at off in f, first cutting the file to off if it is
// longer (size), and syncs it.
func writeAt(f *os.File, w []byte, off, size int64) error {
	if off < size {
		if err := f.Truncate(off); err != nil {
			return err
		}
	}
	if _, err := f.WriteAt(w, off); err != nil {
		return err
	}
	return syncData(f)
}

// journalState is the state the newest of recs (one journal's fresh
// records) of user and card k left, if any of them wrote one.
func journalState(recs []journalRec, user string, k [8]byte) (scheduler.State, bool, error) {
	for i := len(recs) - 1; i >= 0; i-- {
		v := recs[i].payload
		if !pendingOf(v, user, k) {
			continue
		}
		p, err := decodePending(v)
		if err != nil {
			return scheduler.State{}, false, err
		}
		if p.next != nil {
			return *p.next, true, nil
		}
	}
	return scheduler.State{}, false, nil
}

// foldJournal applies the journal's fresh records in tx, in order, and
// advances the applied marker. It reports whether there is a journal file
// (to delete once tx commits). With dropBad (Repair) a record that does not
// decode or names a card that is gone is dropped and counted, as is an
// unreadable rest of the file; otherwise they fail the transaction.
func foldJournal(tx *bolt.Tx, dbPath string, dropBad bool) (dropped int, exists bool, err error) {
	j, err := readJournal(dbPath)
	if err != nil {
		return 0, true, err
	}
	if j.size == 0 {
		return 0, false, nil // none, or emptied by the last write that applied it
	}
	if j.bad != nil {
		if !dropBad {
			return 0, true, journalDamaged(dbPath, j.bad)
		}
		dropped++
	}
	applied := appliedSeq(tx)
	fresh := j.fresh(applied)
	for i, rec := range fresh {
		p, err := decodePending(rec.payload)
		if err == nil {
			err = recordTx(tx, p.user, p.r, p.day, p.next)
		}
		if err != nil {
			if dropBad && (errors.Is(err, errCorrupt) || errors.Is(err, ErrNotFound)) {
				dropped++
				continue
			}
			if errors.Is(err, errCorrupt) || errors.Is(err, ErrNotFound) {
				return 0, true, journalDamaged(dbPath, fmt.Errorf("answer %d: %w", i+1, err))
			}
			return 0, true, err
		}
	}
	if len(fresh) > 0 {
		if err := tx.Bucket(bMeta).Put(kPendingSeq, u64key(fresh[len(fresh)-1].seq)); err != nil {
			return 0, true, err
		}
	}
	return dropped, true, nil
}

// journalProblems is what Verify says of the journal: a record that does
// not check out or decode, or names a card that is gone.
func journalProblems(tx *bolt.Tx, dbPath string) []Problem {
	j, err := readJournal(dbPath)
	if err != nil {
		return []Problem{{Msg: err.Error()}}
	}
	var out []Problem
	if j.bad != nil {
		out = append(out, Problem{Msg: fmt.Sprintf("%s: %v (repair drops the rest of the file)", JournalPath(dbPath), j.bad), Repairable: true})
	}
	for i, rec := range j.fresh(appliedSeq(tx)) {
		p, err := decodePending(rec.payload)
		if err == nil {
			err = checkAnswer(tx, p.r)
		}
		if err != nil {
			out = append(out, Problem{User: p.user, Msg: fmt.Sprintf("pending answer %d in %s: %v (repair drops it)", i+1, JournalPath(dbPath), err), Repairable: true})
		}
	}
	return out
}
