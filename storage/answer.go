package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/talkcards/talkcards/scheduler"
)

// A review session records each answer with the database open only for
// that answer. Through bbolt that is an mmap of the whole file, a page
// fault for every page the lookups touch (tens of microseconds each on a
// paravirtualised VM) and an munmap: on a large database more than the
// journal's write and sync. The answer reads a handful of pages, so
// RecordAnswer reads them itself, with pread into a reused buffer, under
// the same lock, and hands what it found to the journal code bbolt's path
// uses (appendJournal). Whatever it does not expect it leaves to that path.

// RecordAnswer records one answer of a review session: what
// Open(path, Options{KeepPending: true, ReadOnly: AnswersShareLock,
// Timeout: timeout}), RecordWith and Close do, with the same results,
// errors and locking, without bbolt: the file is never mapped and never
// written. fn is called once. Anything out of the ordinary (answers to
// apply first, a page that does not check out, a user's bucket without
// states) is left to that bbolt path, which also reports any damage.
func RecordAnswer(path string, timeout time.Duration, user, card string, day scheduler.Day, fn func(prev scheduler.State, had bool) (Review, *scheduler.State)) error {
	if timeout <= 0 {
		timeout = time.Second // Open's default
	}
	err := answerFromPages(path, timeout, user, card, day, fn)
	if !errors.Is(err, errTakeBolt) {
		return err
	}
	db, err := Open(path, Options{KeepPending: true, ReadOnly: AnswersShareLock, Timeout: timeout})
	if err != nil {
		return err
	}
	// As a review session's handle: a read-only close has nothing to
	// report that concerns the answer.
	defer db.Close()
	return db.RecordWith(user, card, day, fn)
}

// errTakeBolt: answerFromPages leaves the answer to Open and RecordWith,
// having called neither fn nor written anything.
var errTakeBolt = errors.New("answer: take the bbolt path")

// answerFromPages is RecordAnswer without bbolt. It returns errTakeBolt,
// with the file and its lock released, for anything it does not expect.
func answerFromPages(path string, timeout time.Duration, user, card string, day scheduler.Day, fn func(prev scheduler.State, had bool) (Review, *scheduler.State)) error {
	if !AnswersShareLock {
		return errTakeBolt
	}
	k, err := cardKey(card)
	if err != nil || ValidUser(user) != nil {
		return errTakeBolt // RecordWith's errors, after Open's
	}
	// As Open: the file checked before the lock is waited for (a damaged
	// file is reported at once), then locked as bbolt's read-only open
	// locks it.
	if validateFile(path) != nil {
		return errTakeBolt
	}
	f, err := os.Open(path)
	if err != nil {
		return errTakeBolt
	}
	defer f.Close() // and so the lock
	if err := lockShared(f, timeout); err != nil {
		if errors.Is(err, ErrBusy) {
			return fmt.Errorf("%s: %w", path, ErrBusy) // as Open says it
		}
		return errTakeBolt
	}
	in, ok := readAnswerInputs(f, user, k)
	if !ok {
		return errTakeBolt
	}
	err = appendJournal(path, in, user, k, card, day, fn)
	if errors.Is(err, errJournalFull) {
		return errTakeBolt // RecordWith applies the journal, writable
	}
	return (&DB{path: path}).wrap(err) // as db.view wraps appendAnswer's
}

// flockRetry is bbolt's flockRetryTimeout: how long a waiting open sleeps
// between tries of the lock.
const flockRetry = 50 * time.Millisecond

// lockShared takes a shared lock on f as bbolt's read-only open does:
// tried without blocking every flockRetry until timeout, then ErrBusy.
func lockShared(f *os.File, timeout time.Duration) error {
	for slept := time.Duration(0); ; slept += flockRetry {
		err := tryLockShared(f)
		if !errors.Is(err, errLockHeld) {
			return err
		}
		if slept > timeout-flockRetry {
			return ErrBusy
		}
		time.Sleep(flockRetry)
	}
}

// pageInputs is what readAnswerInputs found for one user and card.
type pageInputs struct {
	applied uint64
	prev    scheduler.State
	had     bool
	card    [8]byte
	hasCard bool
}

func (in *pageInputs) appliedSeq() uint64 { return in.applied }

// pendingCount: readAnswerInputs takes the bbolt path for any.
func (in *pageInputs) pendingCount() int { return 0 }

func (in *pageInputs) state(string, [8]byte) (scheduler.State, bool, error) {
	return in.prev, in.had, nil
}

func (in *pageInputs) check(r Review) error {
	return checkAnswerWith(r, func(k [8]byte) bool { return in.hasCard && k == in.card })
}

// checkAnswerWith is checkAnswer with the card's presence looked up by
// hasCard.
func checkAnswerWith(r Review, hasCard func(k [8]byte) bool) error {
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
	if !hasCard(k) {
		return fmt.Errorf("card %s: %w", r.Card, ErrNotFound)
	}
	return nil
}

// readAnswerInputs reads from f, a bbolt file under a shared lock, what an
// answer of user to card k reads through bbolt: the applied journal
// sequence, that the pending bucket is empty, the user's state of the
// card and whether the card exists. ok false: take the bbolt path (a
// schema this talkcards does not know or none, answers in the pending
// bucket, a user's state bucket missing, a page that does not check out).
func readAnswerInputs(f *os.File, user string, k [8]byte) (in *pageInputs, ok bool) {
	defer func() {
		if recover() != nil {
			in, ok = nil, false // bounds are checked: never expected
		}
	}()
	r, ok := newPageReader(f)
	if !ok {
		return nil, false
	}
	defer r.release()
	in = &pageInputs{card: k}
	root := boltBucket{root: r.rootID}
	meta, err := r.bucket(root, bMeta)
	if err != nil || meta == nil {
		return nil, false
	}
	v, isBucket, err := r.get(*meta, kSchema)
	if err != nil || v == nil || isBucket || len(v) != 4 {
		return nil, false
	}
	if n := binary.BigEndian.Uint32(v); n == 0 || n > SchemaVersion {
		return nil, false
	}
	v, isBucket, err = r.get(*meta, kPendingSeq)
	if err != nil {
		return nil, false
	}
	if !isBucket && len(v) == 8 {
		in.applied = binary.BigEndian.Uint64(v)
	}
	pending, err := r.bucket(root, bPending)
	if err != nil {
		return nil, false
	}
	if pending != nil {
		if empty, err := r.empty(*pending); err != nil || !empty {
			return nil, false
		}
	}
	users, err := r.bucket(root, bUsers)
	if err != nil || users == nil {
		return nil, false
	}
	// A user not in the file yet has no states (userState of a nil
	// bucket): a new user's first session answers here too. A user
	// without a state bucket is not something talkcards writes.
	ub, err := r.bucket(*users, []byte(user))
	if err != nil {
		return nil, false
	}
	if ub != nil {
		states, err := r.bucket(*ub, bState)
		if err != nil || states == nil {
			return nil, false
		}
		v, isBucket, err = r.get(*states, k[:])
		if err != nil {
			return nil, false
		}
		if v != nil && !isBucket {
			if in.prev, err = decodeState(v); err != nil {
				return nil, false
			}
			in.had = true
		}
	}
	cards, err := r.bucket(root, bCards)
	if err != nil || cards == nil {
		return nil, false
	}
	v, isBucket, err = r.get(*cards, k[:])
	if err != nil {
		return nil, false
	}
	in.hasCard = v != nil && !isBucket
	return in, true
}

// pageReader reads a bbolt file's pages with pread, one at a time into one
// buffer (pageBufs: a session's answers reuse it, with no first touches of
// fresh memory). It never maps the file.
type pageReader struct {
	f        *os.File
	pageSize int
	hwm      uint64 // the newest meta's high water mark: pages below it
	rootID   uint64 // the root bucket's root page
	bp       *[]byte
}

// errBadPage: a page that does not check out. The bbolt path reports it.
var errBadPage = errors.New("page does not check out")

var pageBufs sync.Pool

// Limits that keep a damaged page from sending the reader far: a value
// (with its overflow pages) past maxPageRead, or a tree deeper than
// maxTreeDepth, takes the bbolt path.
const (
	maxPageRead  = 16 << 20
	maxTreeDepth = 32
)

// newPageReader reads f's meta pages as bbolt would pick one: the newest
// valid by txid. Both must be valid, agree on the page size, and the file
// hold the pages the newest counts (validateFile's checks).
func newPageReader(f *os.File) (*pageReader, bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	m0, err := readMeta(f, 0)
	if err != nil {
		return nil, false
	}
	ps := int64(m0.pageSize)
	if st.Size() < 2*ps {
		return nil, false
	}
	m1, err := readMeta(f, ps)
	if err != nil || m1.pageSize != m0.pageSize {
		return nil, false
	}
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	if st.Size() < int64(m.pgid)*ps || m.root < 2 {
		return nil, false
	}
	bp, _ := pageBufs.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, 0, ps)
		bp = &b
	}
	return &pageReader{f: f, pageSize: int(ps), hwm: m.pgid, rootID: m.root, bp: bp}, true
}

func (r *pageReader) release() { pageBufs.Put(r.bp) }

// page reads page id with its overflow pages. The bytes are good until
// the next read.
func (r *pageReader) page(id uint64) ([]byte, error) {
	if id < 2 || id >= r.hwm {
		return nil, errBadPage
	}
	ps := r.pageSize
	b := r.buf(ps)
	if _, err := r.f.ReadAt(b, int64(id)*int64(ps)); err != nil {
		return nil, errBadPage
	}
	if native.Uint64(b) != id {
		return nil, errBadPage
	}
	over := uint64(native.Uint32(b[12:]))
	if over == 0 {
		return b, nil
	}
	if over >= r.hwm-id || (over+1)*uint64(ps) > maxPageRead {
		return nil, errBadPage
	}
	n := int(over+1) * ps
	b = r.buf(n) // keeps the first page's bytes
	if _, err := r.f.ReadAt(b[ps:], int64(id)*int64(ps)+int64(ps)); err != nil {
		return nil, errBadPage
	}
	return b, nil
}

// buf is the reader's buffer, n bytes long; a grown one keeps the bytes
// of the old.
func (r *pageReader) buf(n int) []byte {
	b := *r.bp
	if cap(b) < n {
		b = append(b[:cap(b)], make([]byte, n-cap(b))...)
		*r.bp = b
	}
	return b[:n]
}

// boltBucket is an open bucket: its root page, or its page inline in its
// parent's value (root 0).
type boltBucket struct {
	root   uint64
	inline []byte
}

// get is bbolt's Bucket.Get as its cursor seeks, without the nil for a
// bucket: the value of key in b (nil: absent) and whether it is a bucket.
// The value is good until the next read.
func (r *pageReader) get(b boltBucket, key []byte) (v []byte, isBucket bool, err error) {
	p := b.inline
	if p == nil {
		id := b.root
		for depth := 0; ; depth++ {
			if depth == maxTreeDepth {
				return nil, false, errBadPage
			}
			if p, err = r.page(id); err != nil {
				return nil, false, err
			}
			if pageFlags(p) != boltBranchPage {
				break
			}
			if id, err = branchChild(p, key); err != nil {
				return nil, false, err
			}
		}
	}
	return leafGet(p, key)
}

// bucket is bbolt's Bucket.Bucket: the bucket called name in b, nil when
// there is none (or name is a plain key).
func (r *pageReader) bucket(b boltBucket, name []byte) (*boltBucket, error) {
	v, isBucket, err := r.get(b, name)
	if err != nil || v == nil || !isBucket {
		return nil, err
	}
	if len(v) < boltBucketHeader {
		return nil, errBadPage
	}
	if root := native.Uint64(v); root != 0 {
		return &boltBucket{root: root}, nil
	}
	if len(v) < boltBucketHeader+pageHeaderSize {
		return nil, errBadPage
	}
	return &boltBucket{inline: bytes.Clone(v[boltBucketHeader:])}, nil
}

// empty reports whether b holds no keys: a root leaf with none. A branch
// root, however empty its leaves, is errBadPage.
func (r *pageReader) empty(b boltBucket) (bool, error) {
	p := b.inline
	if p == nil {
		var err error
		if p, err = r.page(b.root); err != nil {
			return false, err
		}
	}
	if pageFlags(p) != boltLeafPage {
		return false, errBadPage
	}
	return native.Uint16(p[10:]) == 0, nil
}

func pageFlags(p []byte) uint16 { return native.Uint16(p[8:]) }

// elems is the number of elements on page p, if they fit in it.
func elems(p []byte) (int, bool) {
	if len(p) < pageHeaderSize {
		return 0, false
	}
	n := int(native.Uint16(p[10:]))
	return n, pageHeaderSize+n*boltElemSize <= len(p)
}

// elemKey is element i's key on p (branch or leaf: both keep pos and
// ksize in the same words after their first), ok false when it runs past
// the page. It also returns where the key ends, where a leaf's value
// starts.
func elemKey(p []byte, i int, leaf bool) (key []byte, end int, ok bool) {
	e := pageHeaderSize + i*boltElemSize
	w := e
	if leaf {
		w += 4 // after the flags
	}
	start := e + int(native.Uint32(p[w:]))
	end = start + int(native.Uint32(p[w+4:]))
	if end > len(p) {
		return nil, 0, false
	}
	return p[start:end], end, true
}

// branchChild is the child of branch page p to look for key in, as bbolt's
// Cursor.searchPage picks it: the element equal to key, else the last one
// before it (the first when key is before them all).
func branchChild(p []byte, key []byte) (uint64, error) {
	n, ok := elems(p)
	if !ok || n == 0 {
		return 0, errBadPage
	}
	var exact, bad bool
	i := sort.Search(n, func(i int) bool {
		k, _, ok := elemKey(p, i, false)
		if !ok {
			bad = true
			return true
		}
		ret := bytes.Compare(k, key)
		if ret == 0 {
			exact = true
		}
		return ret != -1
	})
	if bad {
		return 0, errBadPage
	}
	if !exact && i > 0 {
		i--
	}
	return native.Uint64(p[pageHeaderSize+i*boltElemSize+8:]), nil
}

// leafGet finds key on leaf page p as bbolt's Cursor.nsearch does.
func leafGet(p []byte, key []byte) (v []byte, isBucket bool, err error) {
	n, ok := elems(p)
	if !ok || pageFlags(p) != boltLeafPage {
		return nil, false, errBadPage
	}
	bad := false
	i := sort.Search(n, func(i int) bool {
		k, _, ok := elemKey(p, i, true)
		if !ok {
			bad = true
			return true
		}
		return bytes.Compare(k, key) != -1
	})
	if bad {
		return nil, false, errBadPage
	}
	if i == n {
		return nil, false, nil
	}
	k, end, _ := elemKey(p, i, true)
	if !bytes.Equal(k, key) {
		return nil, false, nil
	}
	e := pageHeaderSize + i*boltElemSize
	vend := end + int(native.Uint32(p[e+12:]))
	if vend > len(p) {
		return nil, false, errBadPage
	}
	return p[end:vend:vend], native.Uint32(p[e:])&boltBucketLeaf != 0, nil
}
