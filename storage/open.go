package storage

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout documented in doc.go. Open refuses a database
// whose version is higher (ErrNewerSchema).
const SchemaVersion = 2

// Options tune Open.
type Options struct {
	// ReadOnly opens with a shared lock so several readers (talks, stats)
	// can run beside each other; a missing file gives ErrNoDatabase.
	ReadOnly bool
	// Timeout bounds the wait for the file lock (default 1s); past it Open
	// fails with ErrBusy.
	Timeout time.Duration
	// KeepPending is for the quick opens of a review session, one per
	// answer: RecordWith then commits the answer to the pending bucket
	// alone (pending.go), and Open does not apply the pending answers
	// first. Only RecordWith and card reads belong on such a handle; any
	// write applies the pending answers first. Without it, Open applies
	// them (a read-only Open briefly reopens the file for writing), so
	// every reader sees every answer.
	KeepPending bool
	// InitialMmapSize maps this many bytes of the file up front (bbolt's
	// option of that name): for a writer about to grow the file a lot, an
	// import, so that commits do not remap it again and again (each remap
	// first copies every key and value the transaction holds). Address
	// space only; 0 maps the file's size.
	InitialMmapSize int
	// noFold: an Open inside Open, after applying the pending answers.
	noFold bool
}

// DB is an open talkcards database. Open it, do the work, close it: never
// hold it while waiting for a person.
type DB struct {
	bolt     *bolt.DB
	path     string
	readOnly bool
	opt      Options // as opened
	// Unapplied counts pending answers a read-only Open could not apply
	// because the file is not writable: readers do not see them.
	Unapplied int
}

// Path is the file the database was opened from.
func (db *DB) Path() string { return db.path }

// Close releases the file and its lock.
func (db *DB) Close() error {
	if db == nil || db.bolt == nil {
		return nil
	}
	return db.guard(db.bolt.Close)
}

// Open opens the database at path. Without ReadOnly a missing file is
// created (folder 0700, file 0600) with the current schema; the new file
// appears at path only once complete, so a half-made file is never seen.
// An existing file is validated first and never rewritten when damaged.
func Open(path string, opt Options) (*DB, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = time.Second
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if opt.ReadOnly {
			return nil, fmt.Errorf("%s: %w", path, ErrNoDatabase)
		}
		if err := create(path); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	if err := validateFile(path); err != nil {
		return nil, err
	}
	db := &DB{path: path, readOnly: opt.ReadOnly, opt: opt}
	var file *os.File // to release the lock if bbolt panics half-way through Open
	err := db.guard(func() error {
		b, err := bolt.Open(path, 0o600, &bolt.Options{
			ReadOnly:        opt.ReadOnly,
			Timeout:         opt.Timeout,
			InitialMmapSize: opt.InitialMmapSize,
			// Never let bbolt create or initialise the file: creation
			// goes through create, and a file that vanished or shrank
			// to zero bytes since validateFile is an error, not a new
			// database.
			OpenFile: func(name string, flag int, perm os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
				file = f
				return f, err
			},
		})
		if err != nil {
			return err
		}
		db.bolt = b
		return nil
	})
	if err != nil && db.bolt == nil && file != nil && errors.Is(err, ErrDamaged) {
		// bbolt panicked inside Open: close what we can. Its memory map
		// (and so the file lock) stays until the process exits; callers
		// exit on ErrDamaged.
		file.Close()
	}
	if err != nil {
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			return nil, fmt.Errorf("%s: %w", path, ErrBusy)
		case errors.Is(err, ErrDamaged):
			return nil, err
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
			errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
			return nil, damaged(path, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.checkSchema(); err != nil {
		_ = db.bolt.Close()
		return nil, err
	}
	if opt.KeepPending || opt.noFold {
		return db, nil
	}
	return db.applyPending(opt)
}

// applyPending applies the pending answers left by a review session
// (pending.go) before anyone reads: in place on a writable handle; a
// read-only one is closed, the file opened for writing to apply them, then
// reopened read-only. A file that cannot be opened for writing is read
// without them (Unapplied says how many).
func (db *DB) applyPending(opt Options) (*DB, error) {
	n, err := db.Pending()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if n == 0 {
		return db, nil
	}
	if !db.readOnly {
		if err := db.update(func(*bolt.Tx) error { return nil }); err != nil { // update folds first
			_ = db.Close()
			return nil, err
		}
		return db, nil
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	rw := opt
	rw.ReadOnly, rw.noFold = false, true
	w, err := Open(db.path, rw)
	if err == nil {
		err = w.update(func(*bolt.Tx) error { return nil })
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	unapplied := 0
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		unapplied = n
	default:
		return nil, err
	}
	ro := opt
	ro.noFold = true
	db, err = Open(db.path, ro)
	if err != nil {
		return nil, err
	}
	db.Unapplied = unapplied
	return db, nil
}

// damaged wraps cause as ErrDamaged naming path.
func damaged(path string, cause error) error {
	return fmt.Errorf("%s: %w: %w", path, ErrDamaged, cause)
}

// guard runs fn, turning a bbolt panic (or a memory fault on the mapped
// file, e.g. one truncated under us) into ErrDamaged.
func (db *DB) guard(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			err = damaged(db.path, fmt.Errorf("bbolt: %v", r))
		}
	}()
	return fn()
}

// view and update are the only ways into the data: panics become
// ErrDamaged, and a record that does not decode (errCorrupt) too.
func (db *DB) view(fn func(*bolt.Tx) error) error {
	return db.wrap(db.guard(func() error { return db.bolt.View(fn) }))
}

func (db *DB) update(fn func(*bolt.Tx) error) error {
	_, err := db.updateFolding(false, fn)
	return err
}

// updateFolding is update: the pending answers are applied first (fold),
// and the journal is emptied once the transaction commits. With dropBad
// (Repair) an answer that cannot be applied is dropped and counted.
func (db *DB) updateFolding(dropBad bool, fn func(*bolt.Tx) error) (dropped int, err error) {
	if db.readOnly {
		return 0, fmt.Errorf("%s: database opened read-only", db.path)
	}
	var journal bool
	err = db.wrap(db.guard(func() error {
		return db.bolt.Update(func(tx *bolt.Tx) error {
			if err := migrate(tx); err != nil {
				return err
			}
			var err error
			if dropped, journal, err = db.fold(tx, dropBad); err != nil {
				return err
			}
			return fn(tx)
		})
	}))
	if err != nil {
		return 0, err
	}
	if journal {
		db.dropJournal()
	}
	return dropped, nil
}

func (db *DB) wrap(err error) error {
	if err != nil && errors.Is(err, errCorrupt) && !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrPendingDamaged) {
		return damaged(db.path, err)
	}
	return err
}

// checkSchema requires the meta bucket and a schema version this code knows.
func (db *DB) checkSchema() error {
	return db.view(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil {
			return damaged(db.path, errors.New("bbolt file without talkcards data"))
		}
		v := m.Get(kSchema)
		if len(v) != 4 {
			return damaged(db.path, errors.New("no schema version"))
		}
		if n := binary.BigEndian.Uint32(v); n > SchemaVersion {
			return fmt.Errorf("%s: schema %d: %w", db.path, n, ErrNewerSchema)
		} else if n == 0 {
			return damaged(db.path, errors.New("schema version 0"))
		}
		return nil
	})
}

// create makes a new database at path: built complete in a temporary file
// beside it, then hard-linked into place, which fails if path appeared
// meanwhile (another talkcards won the race: use its file).
func create(path string) error {
	tmp, err := newFileBeside(path)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	b, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	err = b.Update(initSchema)
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := linkNew(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return nil
}

// newFileBeside makes path's folder (0700) if need be and names a hidden
// file beside path, unique to this call, to build a new database in
// before linkNew puts it in place.
func newFileBeside(path string) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create database folder: %w", err)
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	return filepath.Join(dir, "."+filepath.Base(path)+".new-"+hex.EncodeToString(r[:])), nil
}

// linkNew puts the complete new database tmp in place at path and syncs
// the folder. When path exists already (another talkcards made one
// meanwhile) it leaves it and returns an error wrapping fs.ErrExist. An
// answers journal beside a database that did not exist belongs to an
// older one, removed since: it goes first, so that its answers are never
// applied to the new one.
func linkNew(tmp, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, fs.ErrExist)
	}
	if err := os.Remove(JournalPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("create %s: remove the answers journal of a former database: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, err)
		}
		// No hard links here (some file systems): rename, re-checking
		// that nobody created path meanwhile.
		if _, serr := os.Lstat(path); serr == nil {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}

func initSchema(tx *bolt.Tx) error {
	for _, name := range [][]byte{bMeta, bTalks, bCards, bOrder, bByFile, bFiles, bRoots, bLinks, bUsers} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	v := binary.BigEndian.AppendUint32(nil, SchemaVersion)
	return tx.Bucket(bMeta).Put(kSchema, v)
}

// bbolt file format facts used by validateFile (bbolt internal/common).
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64 // up to and including the checksum
	metaSumSize    = 56 // bytes the checksum covers
)

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
}

// validateFile checks cheaply, without bbolt and without writing, that path
// looks like a complete bbolt file: not empty, both meta pages valid (magic,
// version, checksum), and at least as long as the newest meta page says.
// bbolt itself would initialise an empty file and silently fall back to the
// older meta page when one is broken; we refuse both.
func validateFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return damaged(path, errors.New("not a regular file"))
	}
	size := st.Size()
	if size == 0 {
		return damaged(path, errors.New("empty file"))
	}
	m0, err := readMeta(f, 0)
	if err != nil {
		return damaged(path, fmt.Errorf("meta page 0: %w", err))
	}
	ps := int64(m0.pageSize)
	if size < 2*ps {
		return damaged(path, fmt.Errorf("truncated: %d bytes, less than two %d-byte pages", size, ps))
	}
	m1, err := readMeta(f, ps)
	if err != nil {
		return damaged(path, fmt.Errorf("meta page 1: %w", err))
	}
	if m1.pageSize != m0.pageSize {
		return damaged(path, errors.New("meta pages disagree on the page size"))
	}
	newest := m0
	if m1.txid > m0.txid {
		newest = m1
	}
	if need := int64(newest.pgid) * ps; size < need {
		return damaged(path, fmt.Errorf("truncated: %d bytes, need %d", size, need))
	}
	return nil
}

func readMeta(f *os.File, off int64) (boltMeta, error) {
	var buf [pageHeaderSize + metaSize]byte
	if _, err := f.ReadAt(buf[:], off); err != nil {
		if errors.Is(err, io.EOF) {
			return boltMeta{}, errors.New("truncated")
		}
		return boltMeta{}, err
	}
	// Page header: id u64, flags u16, count u16, overflow u32.
	if flags := binary.NativeEndian.Uint16(buf[8:]); flags&0x04 == 0 {
		return boltMeta{}, errors.New("not a meta page")
	}
	m := buf[pageHeaderSize:]
	if binary.NativeEndian.Uint32(m[0:]) != boltMagic {
		return boltMeta{}, errors.New("bad magic (not a bbolt file)")
	}
	if binary.NativeEndian.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, errors.New("unknown bbolt version")
	}
	h := fnv.New64a()
	h.Write(m[:metaSumSize])
	if h.Sum64() != binary.NativeEndian.Uint64(m[metaSumSize:]) {
		return boltMeta{}, errors.New("checksum mismatch")
	}
	bm := boltMeta{
		pageSize: binary.NativeEndian.Uint32(m[8:]),
		root:     binary.NativeEndian.Uint64(m[16:]),
		freelist: binary.NativeEndian.Uint64(m[32:]),
		pgid:     binary.NativeEndian.Uint64(m[40:]),
		txid:     binary.NativeEndian.Uint64(m[48:]),
	}
	if bm.pageSize < 512 || bm.pageSize > 1<<24 || bm.pageSize&(bm.pageSize-1) != 0 {
		return boltMeta{}, errors.New("bad page size")
	}
	if bm.root >= bm.pgid || (bm.freelist >= bm.pgid && bm.freelist != ^uint64(0)) {
		return boltMeta{}, errors.New("page ids beyond the end")
	}
	return bm, nil
}

// Check walks the whole file (bbolt's consistency check): O(file size), for
// the check command and tests. Problems come back as ErrDamaged.
func (db *DB) Check() error {
	return db.view(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() { // drain: the checker goroutine sends them all
			if len(errs) < 10 {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return damaged(db.path, errors.Join(errs...))
		}
		return nil
	})
}

// migrate brings a file of an older schema to SchemaVersion in the first
// write transaction that opens it: schema 2 added the users' state
// summaries (statesum.go), built here from the states. It also rebuilds a
// summary whose hard list ran short since the last write transaction.
func migrate(tx *bolt.Tx) error {
	if err := buildStateSums(tx, false); err != nil {
		return err
	}
	if schemaOf(tx) >= SchemaVersion {
		return nil
	}
	return tx.Bucket(bMeta).Put(kSchema, binary.BigEndian.AppendUint32(nil, SchemaVersion))
}

// schemaOf is the file's schema version (checkSchema vouched for it when
// the file was opened).
func schemaOf(tx *bolt.Tx) uint32 {
	if v := tx.Bucket(bMeta).Get(kSchema); len(v) == 4 {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}
