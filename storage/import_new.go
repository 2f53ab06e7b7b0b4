package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// newBatch is how many keys importNew's fallback writes to a bucket per
// transaction: bbolt keeps the keys a transaction adds to a bucket in one
// node until the commit, growing it key by key, so a new bucket filled in
// one transaction costs far more than in small ones.
const newBatch = 16_384

// ImportNew creates the database at path holding files, exactly as Open
// then Import would leave it (the same buckets, keys, values and
// sequences; bbolt pages may be laid out differently), but several times
// faster for a large import: it is a NewImport given all files at once.
// When path exists, or appears meanwhile, nothing is written and the error
// wraps fs.ErrExist: open it and Import instead. A dry run is refused (it
// would create nothing).
func ImportNew(path string, files []SourceFile, opt ImportOptions) (ImportReport, error) {
	return importNew(path, files, opt, true)
}

// importNew is ImportNew; paged false (for tests) takes the fallback of
// an import that writeBoltFile cannot write (see NewImport.Finish).
func importNew(path string, files []SourceFile, opt ImportOptions, paged bool) (ImportReport, error) {
	if opt.DryRun {
		return ImportReport{}, errors.New("import into a new database: dry run not supported")
	}
	n, err := beginImportNew(path, opt.Now, paged)
	if err != nil {
		return ImportReport{}, err
	}
	defer n.Abort()
	for _, f := range files {
		if err := n.Add(f); err != nil {
			return ImportReport{}, err
		}
	}
	return n.Finish(opt.Roots)
}

// A NewImport creates a database from notes files given one at a time, as
// they are read: the import of a new database (ImportNew) overlapped with
// the reading of its notes, and nothing of a file kept once added but its
// cards' encoded records. Import's transaction runs on a scratch bbolt
// file, with the large buckets' sorted keys held back; Finish then writes
// the database page by page, without bbolt, into a hidden file beside the
// path (writeBoltFile), synced and linked into place as Open creates a
// database: the path holds either nothing or the whole import. Call Add
// for each file in the order Import would take them, then Finish, or
// Abort to give up; Abort after Finish does nothing.
type NewImport struct {
	path, out, scratch string
	db                 *DB // the scratch file
	tx                 *bolt.Tx
	im                 *importer
	files              []SourceFile // those added, without their talks
	later              []newBucket
	paged              bool
	err                error // the first failure: every later call fails with it
}

// BeginImportNew starts a NewImport of the database at path; now is the
// time of the import (ImportOptions.Now). When path exists the error wraps
// fs.ErrExist.
func BeginImportNew(path string, now time.Time) (*NewImport, error) {
	return beginImportNew(path, now, true)
}

func beginImportNew(path string, now time.Time, paged bool) (*NewImport, error) {
	out, err := newFileBeside(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%s: %w", path, fs.ErrExist)
	}
	n := &NewImport{path: path, out: out, scratch: out + "-scratch", paged: paged}
	b, err := bolt.Open(n.scratch, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true, InitialMmapSize: scratchMmapSize})
	if err != nil {
		os.Remove(n.scratch)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	n.db = &DB{bolt: b, path: path}
	err = n.db.wrap(n.db.guard(func() error {
		if n.tx, err = n.db.bolt.Begin(true); err != nil {
			return err
		}
		if err := initSchema(n.tx); err != nil {
			return err
		}
		n.im = &importer{tx: n.tx, opt: ImportOptions{Now: now}, reports: map[string]*TalkReport{}, stream: true}
		n.im.later = func(name []byte, list []kv) { n.later = append(n.later, newBucket{name: name, list: list}) }
		return n.im.begin(0)
	}))
	if err != nil {
		n.Abort()
		return nil, err
	}
	return n, nil
}

// scratchMmapSize is the scratch file's first mapping: it holds the small
// buckets only (the large ones are held back), unless writeBoltFile
// cannot write the import and it becomes the database.
const scratchMmapSize = 4 << 20

// Add takes one more file of the import, as Import would take it in its
// list; f.Talks is not kept.
func (n *NewImport) Add(f SourceFile) error {
	if n.err != nil {
		return n.err
	}
	n.err = n.db.wrap(n.db.guard(func() error { return n.im.file(f) }))
	f.Talks = nil
	n.files = append(n.files, f)
	return n.err
}

// Finish ends the import, with roots the paths the user named
// (ImportOptions.Roots), and puts the database in place. It writes the
// file page by page when it can (pagedBuckets); otherwise (or for tests)
// it commits the scratch file, adds the held-back keys to it in batches of
// newBatch sorted keys a transaction, unsynced, then syncs it and links it
// into place instead.
func (n *NewImport) Finish(roots []string) (ImportReport, error) {
	defer n.Abort()
	if n.err != nil {
		return ImportReport{}, n.err
	}
	n.im.opt.Roots = roots
	var rep ImportReport
	paged := n.paged
	err := n.db.wrap(n.db.guard(func() error {
		if err := n.im.end(n.files); err != nil {
			return err
		}
		rep = n.im.report()
		if paged {
			buckets, err := pagedBuckets(n.tx, n.later)
			if err != nil {
				return err
			}
			if paged = buckets != nil; paged {
				return writeBoltFile(n.out, n.db.bolt.Info().PageSize, buckets)
			}
		}
		return n.tx.Commit()
	}))
	out := n.out
	if err == nil && !paged {
		err = n.db.fillLater(n.later)
		out = n.scratch
	}
	if err == nil {
		err = n.close()
	}
	if err == nil {
		err = os.Chmod(out, 0o600)
	}
	if err == nil {
		err = linkNew(out, n.path)
	}
	if err != nil {
		n.err = err
		return ImportReport{}, err
	}
	return rep, nil
}

// Abort gives the import up: the scratch and hidden files are removed and
// nothing appears at the path (but what Finish linked there).
func (n *NewImport) Abort() {
	if n.err == nil {
		n.err = errors.New("import into a new database: aborted")
	}
	n.close()
	os.Remove(n.out)
	os.Remove(n.scratch)
}

// close ends the scratch file's transaction, if still open, and closes
// the file.
func (n *NewImport) close() error {
	if n.tx != nil {
		_ = n.tx.Rollback() // after a commit: ErrTxClosed
		n.tx = nil
	}
	if n.db == nil {
		return nil
	}
	err := n.db.Close()
	n.db = nil
	return err
}

// fillLater adds the held-back keys of later to their buckets of the
// scratch database db, in batches of newBatch keys a transaction, and
// syncs it.
func (db *DB) fillLater(later []newBucket) error {
	for _, h := range later {
		for start := 0; start < len(h.list); start += newBatch {
			batch := h.list[start:min(start+newBatch, len(h.list))]
			err := db.updateHidden(func(tx *bolt.Tx) error {
				b := tx.Bucket(h.name)
				b.FillPercent = 1 // all appended: fill the pages
				for _, e := range batch {
					if err := b.Put(e.k, e.v); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return db.guard(db.bolt.Sync)
}

// pagedBuckets reads back every bucket of the import's transaction tx,
// with the held-back lists of later in place of their (still empty)
// buckets, for writeBoltFile. It returns nil when the transaction holds
// what writeBoltFile does not write or later is not as it expects: a
// nested bucket, a held-back bucket missing or not empty, two lists for
// one bucket, keys out of order or repeated. A key or value beyond
// bbolt's limits fails as bbolt's Put would.
func pagedBuckets(tx *bolt.Tx, later []newBucket) ([]newBucket, error) {
	held := map[string][]kv{}
	for _, h := range later {
		if _, dup := held[string(h.name)]; dup {
			return nil, nil
		}
		sorted, err := checkBoltList(h.list)
		if err != nil || !sorted {
			return nil, err
		}
		held[string(h.name)] = h.list
	}
	var buckets []newBucket
	unexpected := false
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		nb := newBucket{name: name, seq: b.Sequence()}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if v == nil && b.Bucket(k) != nil {
				unexpected = true
				return nil
			}
			nb.list = append(nb.list, kv{k: k, v: v})
		}
		if list, ok := held[string(name)]; ok {
			if len(nb.list) > 0 {
				unexpected = true
				return nil
			}
			nb.list = list
			delete(held, string(name))
		}
		buckets = append(buckets, nb)
		return nil
	})
	if err != nil || unexpected || len(held) > 0 {
		return nil, err
	}
	return buckets, nil
}

// updateHidden is update on the scratch file of ImportNew: no answers to
// fold into it (they belong to the database at path, once there is one).
func (db *DB) updateHidden(fn func(*bolt.Tx) error) error {
	return db.wrap(db.guard(func() error { return db.bolt.Update(fn) }))
}
