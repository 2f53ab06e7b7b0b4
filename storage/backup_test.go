package storage

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// TestBackupIsACompleteCopy: a hot backup holds exactly the data, opens,
// verifies, and leaves no temporary file behind.
func TestBackupIsACompleteCopy(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 3)
	record(t, db, "ann", ids[0], 4, 10, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 11, LastReview: 10})
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.db")
	if err := db.Backup(out); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(out); err != nil { // over an existing backup
		t.Fatal(err)
	}
	if err := VerifyFile(out); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}
	cp, err := Open(out, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if got, want := dump(t, cp), dump(t, db); got != want {
		t.Errorf("backup differs:\n%s\nwant\n%s", got, want)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("backup folder holds %d entries, want only copy.db", len(entries))
	}
}

// TestWriteFailureKeepsOldFile is the disk-full path: a write that fails
// half-way leaves the previous file byte for byte and no temporary file.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.db")
	if err := os.WriteFile(path, []byte("previous backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := writeFileAtomic(path, func(w io.Writer) error {
		if _, err := w.Write([]byte("half a new ")); err != nil {
			return err
		}
		return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
	})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	sameBytes(t, path, []byte("previous backup"))
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries left in the folder, want 1", len(entries))
	}
	if err := writeFileAtomic(filepath.Join(dir, "missing", "b.db"), func(io.Writer) error { return nil }); err == nil {
		t.Error("write into a missing folder succeeded")
	}
}

// TestVerifyFile is what restore asks of a backup: a good file passes;
// garbage, an empty file and a file with a broken index are ErrDamaged and
// stay as they were.
func TestVerifyFile(t *testing.T) {
	db, _ := openTest(t)
	ids := deckOf(t, db, 2)
	record(t, db, "ann", ids[0], 4, 10, &scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 11, LastReview: 10})
	good := filepath.Join(t.TempDir(), "good.db")
	if err := db.Backup(good); err != nil {
		t.Fatal(err)
	}
	if err := VerifyFile(good); err != nil {
		t.Fatalf("good backup: %v", err)
	}
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(garbage, []byte("this is not a database, just words words words"), 0o600)
	os.WriteFile(empty, nil, 0o600)
	broken := filepath.Join(dir, "broken.db")
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bUsers).Bucket([]byte("ann")).DeleteBucket(bDue)
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(broken); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Repair(); err != nil { // leave the test database healthy
		t.Fatal(err)
	}
	for _, p := range []string{garbage, empty, broken} {
		before := fileBytes(t, p)
		if err := VerifyFile(p); !errors.Is(err, ErrDamaged) {
			t.Errorf("VerifyFile(%s) = %v, want ErrDamaged", filepath.Base(p), err)
		}
		sameBytes(t, p, before)
	}
	if err := VerifyFile(filepath.Join(dir, "nope.db")); err == nil || errors.Is(err, ErrDamaged) {
		t.Errorf("missing file: %v, want a plain error", err)
	}
}

func TestCopyFileRaw(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "damaged.db")
	os.WriteFile(src, []byte("\x00\x01garbage"), 0o644)
	dst := filepath.Join(dir, "kept.db")
	if err := CopyFile(dst, src); err != nil {
		t.Fatal(err)
	}
	sameBytes(t, dst, []byte("\x00\x01garbage"))
}
