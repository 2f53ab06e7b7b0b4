package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/talkcards/talkcards/storage"
)

// openDB opens the database for one command's work. Read-only opens take a
// shared lock, so listings work while another talkcards writes.
func (a *app) openDB(readOnly bool) (*storage.DB, error) {
	return a.openDBWith(storage.Options{ReadOnly: readOnly})
}

// importMmapSize is the file mapping an importing handle starts with: a
// large import grows the file by hundreds of MB, and each time it
// outgrows the map bbolt remaps (copying the transaction's keys and values
// first): about 11 times and 1.3 s for 10 MB of notes. Address space only,
// so 1 GiB on 64-bit machines; 32-bit ones keep bbolt's default.
const importMmapSize = (1 << 30) * (strconv.IntSize / 64)

// openForImport opens the database for writing an import.
func (a *app) openForImport() (*storage.DB, error) {
	return a.openDBWith(storage.Options{InitialMmapSize: importMmapSize})
}

// openDBWith is openDB with all of storage's options.
func (a *app) openDBWith(opt storage.Options) (*storage.DB, error) {
	path, err := a.dbPath()
	if err != nil {
		return nil, err
	}
	// storage's errors already name the path.
	db, err := storage.Open(path, opt)
	if err == nil && db.Unapplied > 0 {
		fmt.Fprintf(a.stderr, "talkcards: warning: %s is not writable, so the last %d answer(s) of a review or quiz are not applied yet and not shown; make it writable and run any command\n", path, db.Unapplied)
	}
	return db, err
}

// openWithCards opens the database for a command that needs cards. On a
// database with no talks at all it loads the bundled demo deck first and
// says so, so a new user meets a working program.
func (a *app) openWithCards(readOnly bool) (*storage.DB, error) {
	db, err := a.openDB(readOnly)
	if err != nil && !errors.Is(err, storage.ErrNoDatabase) {
		return nil, err
	}
	if err == nil {
		talks, _, cerr := db.Count()
		if cerr != nil {
			db.Close()
			return nil, cerr
		}
		if talks > 0 {
			return db, nil
		}
		if readOnly {
			db.Close()
			db = nil
		}
	}
	if db == nil {
		if db, err = a.openDB(false); err != nil {
			return nil, err
		}
	}
	if err := a.loadDemoInto(db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (a *app) loadDemoInto(db *storage.DB) error {
	l, err := loadDemo()
	if err != nil {
		return err
	}
	report, err := db.Import(l.files, storage.ImportOptions{Now: a.now()})
	if err != nil {
		return fmt.Errorf("load demo deck: %w", err)
	}
	fmt.Fprintf(a.stderr, "talkcards: no talks yet: loaded the bundled demo deck (%d talks, %d cards) into %s\n",
		len(report.Talks), l.numCards, db.Path())
	fmt.Fprintf(a.stderr, "talkcards: hint: import your own notes with 'talkcards import PATH'\n")
	return nil
}
