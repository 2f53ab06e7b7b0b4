package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// The answers journal is a small file beside the database (doc.go
// "Pending answers"). A review session's answer is written to it and
// fdatasynced, under a shared lock on the database: one write and one sync
// of a file of a few kilobytes, where a bbolt commit on a large database
// also reads and rewrites its freelist and syncs twice. The file is kept
// longer than its records, zero bytes already on disk, so that an answer
// overwrites in place: its sync then commits no size change (no metadata
// through the file system's journal), only the answer that makes more
// room does. Every write transaction applies the journal first and empties
// it after committing; every Open without KeepPending applies it before
// anyone reads.

// JournalSuffix names the journal: the database's path plus this.
const JournalSuffix = "-pending"

// JournalPath is the answers journal of the database at dbPath.
func JournalPath(dbPath string) string { return dbPath + JournalSuffix }

// journalMagic starts every journal file this talkcards writes;
// journalMagicV1 one an older talkcards wrote, records up to the end of
// the file and nothing after them, still read (and appended to while it
// holds answers not applied yet).
var (
	journalMagic   = []byte("tcpend2\n")
	journalMagicV1 = []byte("tcpend1\n")
)

// A journal record: payload length (uint32), sequence number (uint64), the
// payload (encodePending), then a CRC-32C of all that. Big-endian. A
// payload is never empty, so a length of 0 (the zero padding) ends them.
const (
	recHead    = 4 + 8
	recTail    = 4
	maxPayload = 1 << 12 // a pending answer is ~100 bytes
	maxRecord  = recHead + maxPayload + recTail
	// tornWindow bounds the nonzero bytes one answer's write puts after
	// the records: a record, after the 8-byte magic when the file starts
	// afresh.
	tornWindow = 8 + maxRecord
)

// The journal grows by zero bytes written in the same write as the record
// that needs them, so that few answers change the file's size: by about
// its size, from one block (a new journal's first answer writes no more
// than an append would) up to journalChunk at a time. Emptying it leaves
// journalChunk of zeros (dropJournal), so a session's answers start in
// place. A journal with no answers waiting that is longer than
// journalChunk starts afresh.
const (
	journalBlock = 4 << 10
	journalChunk = 64 << 10
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
	good int64        // bytes up to the end of the last valid record (0: no magic)
	// torn is the end of a torn write's bytes after good (good if there
	// are none): an answer whose sync never returned, so it was never
	// acknowledged. It is dropped silently, and the next write zeroes it.
	torn int64
	size int64 // bytes in the file
	v1   bool  // an older talkcards' journal (journalMagicV1)
	// bad says why the file does not check out: a record that does not,
	// where a torn write cannot have left it (see tail; in a v1 file,
	// before the last record).
	bad error
}

// parseJournal reads b, a whole journal file. After the records comes the
// clean end, zero bytes up to the end of the file, or what a torn write
// leaves (see tail); in a v1 file the records run to the end of the file,
// the last one possibly torn.
func parseJournal(b []byte) journal {
	j := journal{size: int64(len(b))}
	head := b[:min(len(b), len(journalMagic))]
	switch {
	case string(head) == string(journalMagic):
	case string(head) == string(journalMagicV1):
		j.v1 = true
	case tornMagic(head):
		// The write that starts the file afresh (after cutting it to
		// nothing) did not complete: none of it was acknowledged.
		j.tail(b, 0, errors.New("not a talkcards answers journal"))
		return j
	default:
		j.bad = errors.New("not a talkcards answers journal")
		return j
	}
	off := len(journalMagic)
	j.good, j.torn = int64(off), int64(off)
	for off < len(b) {
		rec, end, why := nextRecord(b, off)
		if why == nil && rec.payload == nil {
			if !j.v1 {
				break // the zero padding: tail checks it is all zero
			}
			end, why = off+recHead+recTail, fmt.Errorf("record at byte %d: bad length 0", off)
		}
		if why != nil {
			if j.v1 {
				// A sane length would not run past the end: only the
				// file's last record may be torn.
				if end < len(b) {
					j.bad = why
				}
				return j
			}
			j.tail(b, off, why)
			return j
		}
		if rec.seq <= j.last {
			j.bad = fmt.Errorf("record at byte %d: sequence %d after %d", off, rec.seq, j.last)
			return j
		}
		j.recs = append(j.recs, rec)
		j.last = rec.seq
		off = end
		j.good, j.torn = int64(off), int64(off)
	}
	if !j.v1 {
		j.tail(b, off, nil)
	}
	return j
}

// nextRecord reads the record at off in b: it returns the record and where
// it ends, or why it does not check out (and where a record of the length
// it claims would end). A length of 0 in a v2 file is the end of the
// records: a record without payload and no error.
func nextRecord(b []byte, off int) (journalRec, int, error) {
	if len(b)-off < recHead {
		if allZero(b[off:]) {
			return journalRec{}, off, nil
		}
		return journalRec{}, len(b), fmt.Errorf("record at byte %d: cut short", off)
	}
	n := int(binary.BigEndian.Uint32(b[off:]))
	end := off + recHead + n + recTail
	switch {
	case n == 0 && allZero(b[off:off+recHead]):
		return journalRec{}, off, nil
	case n == 0 || n > maxPayload || end > len(b):
		return journalRec{}, end, fmt.Errorf("record at byte %d: bad length %d", off, n)
	case crc32.Checksum(b[off:end-recTail], castagnoli) != binary.BigEndian.Uint32(b[end-recTail:]):
		return journalRec{}, end, fmt.Errorf("record at byte %d: checksum mismatch", off)
	}
	return journalRec{seq: binary.BigEndian.Uint64(b[off+4:]), payload: b[off+recHead : end-recTail]}, end, nil
}

// tail judges b from good on, past the valid records (good 0: past a
// magic never completed), where why says what is wrong with the bytes at
// good if they are not the zero padding. All zero: the clean end. Else an
// answer's write that did not complete (its sync never returned) can only
// have left nonzero bytes within tornWindow of good, and no whole record
// after the one it was writing: that is a torn record, dropped. Anything
// else is damage: a record that stopped checking out before others, or
// stray data.
func (j *journal) tail(b []byte, good int, why error) {
	rest := b[good:]
	if allZero(rest) {
		return
	}
	win := min(len(rest), tornWindow)
	from := good + 1 // the torn write's own record starts at good
	if good == 0 {
		from = len(journalMagic) + 1
	}
	if why == nil {
		why = fmt.Errorf("stray data at byte %d, after the records", good+firstNonzero(rest))
	}
	if !allZero(rest[win:]) || wholeRecordIn(b[:good+win], from) {
		j.bad = why
		return
	}
	j.torn = int64(good + lastNonzero(rest[:win]) + 1)
}

// tornMagic reports whether head, the first bytes of a file, are what a
// write of the magic leaves when it does not complete: each byte zero or
// the magic's own.
func tornMagic(head []byte) bool {
	for i, c := range head {
		if c != 0 && c != journalMagic[i] && c != journalMagicV1[i] {
			return false
		}
	}
	return true
}

// wholeRecordIn reports whether a record that checks out starts in b at
// from or after.
func wholeRecordIn(b []byte, from int) bool {
	for off := from; off+recHead+1+recTail <= len(b); off++ {
		n := int(binary.BigEndian.Uint32(b[off:]))
		if n == 0 || n > maxPayload || off+recHead+n+recTail > len(b) {
			continue
		}
		if rec, _, why := nextRecord(b, off); why == nil && rec.payload != nil {
			return true
		}
	}
	return false
}

// zeros is compared with, a block at a time: bytes.Equal is vectorised,
// and an answer checks the whole padding after the records every time.
var zeros [4096]byte

func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if !bytes.Equal(b[:n], zeros[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

func firstNonzero(b []byte) int {
	for i, c := range b {
		if c != 0 {
			return i
		}
	}
	return -1
}

func lastNonzero(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}

// clean reports whether the journal holds nothing: no records, no torn
// write, nothing wrong (an emptied journal's zeros).
func (j *journal) clean() bool {
	return len(j.recs) == 0 && j.bad == nil && j.torn == j.good
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

// place says how an answer's record rec goes into the file: the bytes w to
// write at offset at, after cutting the file to at if cut. With answers
// waiting (fresh) it goes after the last record, over the zero padding, a
// torn record's bytes zeroed in the same write; when that passes the end
// of the file, the write grows it (see journalBlock). With none
// waiting the file starts afresh at 0, magic first; cut to nothing first
// if it holds applied records (overwritten in place, a torn write would
// mix new bytes with old records: damage where there was none), is longer
// than a chunk, or is an older talkcards'. An older talkcards' journal
// with answers waiting is appended to as that talkcards did.
func (j *journal) place(rec []byte, fresh bool) (w []byte, at int64, cut bool) {
	hdr := int64(len(journalMagic))
	at = j.good
	switch {
	case j.v1 && fresh:
		return rec, at, at < j.size
	case j.v1, !fresh && (at > hdr || j.size > journalChunk):
		at, cut = 0, j.size > 0
	}
	if at == 0 {
		w = append(w, journalMagic...)
	}
	w = append(w, rec...)
	size, torn := j.size, j.torn
	if cut {
		size, torn = 0, 0
	}
	end := at + int64(len(w))
	zeroTo := max(end, torn)
	if zeroTo > size {
		step := min(max(size, journalBlock), journalChunk)
		zeroTo = (zeroTo + step - 1) / step * step
	}
	return append(w, make([]byte, zeroTo-end)...), at, cut
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

// appendAnswer is RecordWith on a KeepPending handle: appendJournal with
// what the answer reads from the database read in a bbolt transaction.
func (db *DB) appendAnswer(user string, k [8]byte, card string, day scheduler.Day, fn func(prev scheduler.State, had bool) (Review, *scheduler.State)) error {
	if db.readOnly && !AnswersShareLock {
		return fmt.Errorf("%s: record: database opened read-only", db.path)
	}
	return db.view(func(tx *bolt.Tx) error {
		return appendJournal(db.path, txInputs{tx}, user, k, card, day, fn)
	})
}

// answerInputs is what an answer reads from the database besides the
// journal: through a bbolt transaction (txInputs), or straight from the
// file's pages (RecordAnswer's pageInputs). One appendJournal serves both,
// so that the two cannot drift apart.
type answerInputs interface {
	appliedSeq() uint64
	pendingCount() int
	// state is the user's stored state of card k (had false: none).
	state(user string, k [8]byte) (s scheduler.State, had bool, err error)
	// check is checkAnswer.
	check(r Review) error
}

type txInputs struct{ tx *bolt.Tx }

func (in txInputs) appliedSeq() uint64 { return appliedSeq(in.tx) }
func (in txInputs) pendingCount() int  { return pendingCount(in.tx) }
func (in txInputs) check(r Review) error {
	return checkAnswer(in.tx, r)
}
func (in txInputs) state(user string, k [8]byte) (scheduler.State, bool, error) {
	return userState(in.tx.Bucket(bUsers).Bucket([]byte(user)), k)
}

// appendJournal records an answer to the journal of the database at
// dbPath, under a shared (or exclusive) lock on the database, which keeps
// every applier out, and an exclusive lock on the journal, which orders
// the appenders: it reads the card's state (the newest the journal's
// records of this user and card left, else the stored one), checks the
// answer as recordTx would, and writes it to the journal (place), synced
// before it returns. Past maxPending records, or with answers in the
// pending bucket, it returns errJournalFull: the caller applies them and
// records in place.
func appendJournal(dbPath string, in answerInputs, user string, k [8]byte, card string, day scheduler.Day, fn func(prev scheduler.State, had bool) (Review, *scheduler.State)) error {
	path := JournalPath(dbPath)
	f, size, created, err := openJournal(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// The size is the file's: appenders hold its lock, appliers the
	// database's exclusively.
	bp := readBuf(size)
	defer journalBufs.Put(bp)
	b := *bp
	if _, err := f.ReadAt(b, 0); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	j := parseJournal(b)
	if j.bad != nil {
		return journalDamaged(dbPath, j.bad)
	}
	applied := in.appliedSeq()
	fresh := j.fresh(applied)
	if len(fresh) >= maxPending || in.pendingCount() > 0 {
		// Full, or an older talkcards left answers in the pending
		// bucket, which come first.
		return errJournalFull
	}
	prev, had, err := journalState(fresh, user, k)
	if err != nil {
		return journalDamaged(dbPath, err)
	}
	if !had {
		if prev, had, err = in.state(user, k); err != nil {
			return err
		}
	}
	r, next := fn(prev, had)
	if r.Card != card {
		return fmt.Errorf("record: answer for card %s, not %s", r.Card, card)
	}
	if err := in.check(r); err != nil {
		return err
	}
	rec := appendRecord(nil, max(applied, j.last)+1, encodePending(user, day, k, r, next))
	w, at, cut := j.place(rec, len(fresh) > 0)
	if err := writeJournal(f, w, at, cut); err != nil {
		// Leave no trace of the answer: the records before it stay,
		// and a journal holding none goes (openJournal's callers
		// notice).
		if at == 0 {
			_ = os.Remove(path)
		} else {
			_ = f.Truncate(at)
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
}

// journalBufs keeps the buffers answers read the journal into, from one
// answer of a session to the next: a fresh 64 KiB buffer is 16 first
// touches of heap pages, about a quarter of a millisecond on a
// paravirtualised VM, a quarter of an answer's time.
var journalBufs sync.Pool

// readBuf is a buffer of n bytes from journalBufs (Put it back once
// nothing points into it).
func readBuf(n int64) *[]byte {
	bp, _ := journalBufs.Get().(*[]byte)
	if bp == nil || int64(cap(*bp)) < n {
		b := make([]byte, n)
		bp = &b
	}
	*bp = (*bp)[:n]
	return bp
}

// openJournal opens the journal at path, creating it if need be (created
// says so: its folder must be synced), with an exclusive lock, and says
// how long it is. An appender whose first write failed deletes the journal
// (holding this lock), as does Open making a new database where there was
// none: after locking, the file must still be the one at path, else it is
// opened again.
func openJournal(path string) (f *os.File, size int64, created bool, err error) {
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
			return nil, 0, false, fmt.Errorf("open the answers journal: %w", err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return nil, 0, false, fmt.Errorf("lock %s: %w", path, err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, false, fmt.Errorf("open the answers journal: %w", err)
		}
		if pi, err := os.Stat(path); err == nil && os.SameFile(fi, pi) {
			return f, fi.Size(), created, nil
		}
		f.Close()
	}
}

// writeJournal writes w at off in f, first cutting the file to off if cut,
// and syncs it.
func writeJournal(f *os.File, w []byte, off int64, cut bool) error {
	if cut {
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
	if j.clean() {
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
