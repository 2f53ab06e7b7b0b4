package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database to path while the
// database stays usable (one read transaction, bbolt's tx.WriteTo). The copy
// is written safely: a temporary file in path's folder (0600), fsync,
// rename over path, fsync of the folder. On any failure (disk full, a
// read-only folder) path is left as it was and no temporary file remains.
func (db *DB) Backup(path string) error {
	err := db.view(func(tx *bolt.Tx) error {
		return writeFileAtomic(path, func(w io.Writer) error {
			_, err := tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("back up %s to %s: %w", db.path, path, err)
	}
	return nil
}

// CopyFile copies the raw bytes of src to dst, written safely like Backup.
// It is for a file Open refuses (a damaged database kept aside before it is
// replaced); a database in use must be copied with Backup.
func CopyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	err = writeFileAtomic(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return nil
}

// VerifyFile opens the database at path read-only (Open's validation and
// schema check), then runs Verify. A file that does not open, or with any
// problem, gives ErrDamaged naming path and the problems; the file is never
// modified. It is what restore asks of a backup before using it.
func VerifyFile(path string) error {
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		if errors.Is(err, ErrNoDatabase) {
			return fmt.Errorf("%s: no such file", path)
		}
		return err
	}
	defer db.Close()
	problems, err := db.Verify()
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		errs := make([]error, 0, len(problems))
		for _, p := range problems {
			errs = append(errs, errors.New(p.String()))
		}
		return damaged(path, errors.Join(errs...))
	}
	return nil
}

// writeFileAtomic writes path through write: a temporary file beside it
// (0600), fsync, close, rename, fsync of the folder. The folder must exist.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
