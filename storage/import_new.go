package storage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// newBatch is how many keys ImportNew writes to a bucket per transaction
// of its hidden file: bbolt keeps the keys a transaction adds to a bucket
// in one node until the commit, growing it key by key, so a new bucket
// filled in one transaction costs far more than in small ones.
const newBatch = 16_384

// ImportNew creates the database at path holding files, exactly as Open
// then Import would leave it (the same buckets, keys and values; bbolt
// pages may be laid out differently), but several times faster for a
// large import: the database is built in a hidden file beside path, its
// large buckets in many unsynced transactions, then synced and linked
// into place, as Open creates a database — path holds either nothing or
// the whole import. When path exists, or appears meanwhile, nothing is
// written and the error wraps fs.ErrExist: open it and Import instead.
// A dry run is refused (it would create nothing).
func ImportNew(path string, files []SourceFile, opt ImportOptions) (ImportReport, error) {
	if opt.DryRun {
		return ImportReport{}, errors.New("import into a new database: dry run not supported")
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ImportReport{}, fmt.Errorf("create database folder: %w", err)
	}
	if _, err := os.Lstat(path); err == nil {
		return ImportReport{}, fmt.Errorf("%s: %w", path, fs.ErrExist)
	}
	var r [6]byte
	_, _ = rand.Read(r[:])
	tmp := filepath.Join(dir, "."+filepath.Base(path)+".new-"+hex.EncodeToString(r[:]))
	defer os.Remove(tmp)
	b, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true, InitialMmapSize: newMmapSize(files)})
	if err != nil {
		return ImportReport{}, fmt.Errorf("create %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path}
	rep, err := db.importNew(files, opt)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err != nil {
		return ImportReport{}, err
	}
	if err := linkNew(tmp, path); err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// importNew fills the new, unsynced database db: the schema and Import's
// transaction with the large buckets' keys held back, then those in
// batches of newBatch sorted keys, then one sync.
func (db *DB) importNew(files []SourceFile, opt ImportOptions) (ImportReport, error) {
	type held struct {
		name []byte
		list []kv
	}
	var rep ImportReport
	var later []held
	err := db.updateHidden(func(tx *bolt.Tx) error {
		if err := initSchema(tx); err != nil {
			return err
		}
		im := &importer{tx: tx, opt: opt, reports: map[string]*TalkReport{}}
		im.later = func(name []byte, list []kv) { later = append(later, held{name, list}) }
		if err := im.run(files); err != nil {
			return err
		}
		rep = im.report()
		return nil
	})
	if err != nil {
		return ImportReport{}, err
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
				return ImportReport{}, err
			}
		}
	}
	return rep, db.guard(db.bolt.Sync)
}

// updateHidden is update on the hidden file of ImportNew: no answers to
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
