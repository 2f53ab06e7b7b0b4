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
// faster for a large import: Import's transaction runs on a scratch bbolt
// file with the large buckets' sorted keys held back, and the database is
// then written page by page, without bbolt, into a hidden file beside
// path (writeBoltFile), synced and linked into place, as Open creates a
// database — path holds either nothing or the whole import. When path
// exists, or appears meanwhile, nothing is written and the error wraps
// fs.ErrExist: open it and Import instead. A dry run is refused (it would
// create nothing).
func ImportNew(path string, files []SourceFile, opt ImportOptions) (ImportReport, error) {
	return importNew(path, files, opt, true)
}

// importNew is ImportNew; paged false (for tests) takes the fallback of
// an import that writeBoltFile cannot write (pagedBuckets): the scratch
// file is committed, the held-back keys added to it in batches of
// newBatch sorted keys a transaction, unsynced, then it is synced and
// linked into place.
func importNew(path string, files []SourceFile, opt ImportOptions, paged bool) (ImportReport, error) {
	if opt.DryRun {
		return ImportReport{}, errors.New("import into a new database: dry run not supported")
	}
	out, err := newFileBeside(path)
	if err != nil {
		return ImportReport{}, err
	}
	if _, err := os.Lstat(path); err == nil {
		return ImportReport{}, fmt.Errorf("%s: %w", path, fs.ErrExist)
	}
	scratch := out + "-scratch"
	defer os.Remove(out)
	defer os.Remove(scratch)
	b, err := bolt.Open(scratch, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true, InitialMmapSize: newMmapSize(files)})
	if err != nil {
		return ImportReport{}, fmt.Errorf("create %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path}
	rep, paged, err := db.buildNew(files, opt, paged, out)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if !paged {
		out = scratch
	}
	if err == nil {
		err = os.Chmod(out, 0o600)
	}
	if err != nil {
		return ImportReport{}, err
	}
	if err := linkNew(out, path); err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// buildNew runs the schema and Import's transaction on the scratch
// database db with the large buckets' keys held back, and writes the
// result to out with writeBoltFile when it can (then paged is true and
// the transaction is rolled back: out is the database); otherwise (or
// when paged is false) it commits and adds the held-back keys to db.
func (db *DB) buildNew(files []SourceFile, opt ImportOptions, paged bool, out string) (ImportReport, bool, error) {
	var rep ImportReport
	var later []newBucket
	err := db.wrap(db.guard(func() error {
		tx, err := db.bolt.Begin(true)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := initSchema(tx); err != nil {
			return err
		}
		im := &importer{tx: tx, opt: opt, reports: map[string]*TalkReport{}}
		im.later = func(name []byte, list []kv) { later = append(later, newBucket{name: name, list: list}) }
		if err := im.run(files); err != nil {
			return err
		}
		rep = im.report()
		if paged {
			buckets, err := pagedBuckets(tx, later)
			if err != nil {
				return err
			}
			if paged = buckets != nil; paged {
				return writeBoltFile(out, db.bolt.Info().PageSize, buckets)
			}
		}
		return tx.Commit()
	}))
	if err != nil || paged {
		return rep, paged, err
	}
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
				return ImportReport{}, false, err
			}
		}
	}
	return rep, false, db.guard(db.bolt.Sync)
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

// newMmapSize is the file mapping ImportNew starts with: about what the
// file will grow to, so that bbolt does not remap it again and again.
func newMmapSize(files []SourceFile) int {
	n := 0
	for _, f := range files {
		for _, t := range f.Talks {
			n += len(t.Cards)
		}
	}
	return min(1<<30, 1<<20+n*1024)
}
