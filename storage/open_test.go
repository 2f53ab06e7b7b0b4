package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpenCreatesWithModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "talkcards.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Errorf("Path = %q", db.Path())
	}
	db.Close()
	for p, want := range map[string]os.FileMode{dir: 0o700, filepath.Dir(dir): 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the database", len(entries))
	}
	checkFile(t, path)
}

func TestOpenReadOnlyMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("err = %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("read-only open created a file")
	}
}

func TestOpenBusy(t *testing.T) {
	db, path := openTest(t)
	short := Options{Timeout: 50 * time.Millisecond}
	if _, err := Open(path, short); !errors.Is(err, ErrBusy) {
		t.Errorf("second writer: err = %v, want ErrBusy", err)
	} else if !strings.Contains(err.Error(), "another talkcards") {
		t.Errorf("message %q", err)
	}
	if _, err := Open(path, Options{ReadOnly: true, Timeout: 50 * time.Millisecond}); !errors.Is(err, ErrBusy) {
		t.Errorf("reader beside a writer: err = %v, want ErrBusy", err)
	}
	db.Close()
	r1, err := Open(path, Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("two readers: %v", err)
	}
	r2.Close()
	if _, _, err := r1.Count(); err != nil {
		t.Error(err)
	}
	if err := r1.SetSettings("ann", DefaultSettings); err == nil {
		t.Error("write through a read-only handle")
	}
}

// validDB returns the bytes of a good database with some data.
func validDB(t *testing.T) []byte {
	db, path := openTest(t)
	mustImport(t, db, version("goroutines are cheap", "channels carry values"))
	db.Close()
	return fileBytes(t, path)
}

func TestOpenDamaged(t *testing.T) {
	good := validDB(t)
	pageSize := int(binary.NativeEndian.Uint32(good[16+8:]))
	// The high water mark of the newest meta page: the file must hold
	// every page below it (bbolt may have grown the file further).
	hwm := 0
	for _, off := range []int{0, pageSize} {
		m := good[off+16:]
		if txid, pgid := binary.NativeEndian.Uint64(m[48:]), int(binary.NativeEndian.Uint64(m[40:])); txid > 0 && pgid > hwm {
			hwm = pgid
		}
	}
	if hwm < 5 {
		t.Fatalf("high water mark %d: test data too small", hwm)
	}
	corrupt := func(off int, b ...byte) []byte {
		out := bytes.Clone(good)
		copy(out[off:], b)
		return out
	}
	emptyBolt := func() []byte {
		p := filepath.Join(t.TempDir(), "plain.db")
		b, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
		b.Close()
		return fileBytes(t, p)
	}
	cases := map[string][]byte{
		"zero bytes":            {},
		"one byte":              {0},
		"truncated to one page": good[:pageSize],
		"truncated data":        good[:(hwm-1)*pageSize],
		"truncated mid-page":    good[:hwm*pageSize-100],
		"garbage":               bytes.Repeat([]byte("not a database "), 2000),
		"meta 0 magic":          corrupt(16, 0, 0, 0, 0),
		"meta 1 checksum":       corrupt(pageSize+16+56, 1, 2, 3),
		"meta 0 page size":      corrupt(16+8, 0, 1, 0, 0),
		"bbolt without schema":  emptyBolt(),
	}
	both := corrupt(16, 0xff)
	copy(both[pageSize+16:], []byte{0xff})
	cases["both metas"] = both
	for name, content := range cases {
		for _, ro := range []bool{false, true} {
			path := filepath.Join(t.TempDir(), "talkcards.db")
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := Open(path, Options{ReadOnly: ro, Timeout: 100 * time.Millisecond})
			if err == nil {
				db.Close()
				t.Errorf("%s (read-only %v): opened", name, ro)
				continue
			}
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s (read-only %v): err = %v, want ErrDamaged naming the path", name, ro, err)
			}
			sameBytes(t, path, content)
		}
	}
}

func TestDamagedPageNoPanic(t *testing.T) {
	good := validDB(t)
	pageSize := int(binary.NativeEndian.Uint32(good[16+8:]))
	// Scribble over every page after the metas in turn: any outcome but a
	// panic or a silent success on a broken tree is acceptable per page;
	// overall, we must never panic.
	damagedSeen := 0
	for pg := 2; pg*pageSize < len(good); pg++ {
		bad := bytes.Clone(good)
		for i := pg * pageSize; i < (pg+1)*pageSize; i++ {
			bad[i] = byte(i*7 + 3)
		}
		path := filepath.Join(t.TempDir(), "talkcards.db")
		os.WriteFile(path, bad, 0o600)
		func() {
			db, err := Open(path, Options{Timeout: 100 * time.Millisecond})
			if err != nil {
				if !errors.Is(err, ErrDamaged) {
					t.Errorf("page %d: err = %v", pg, err)
				}
				damagedSeen++
				sameBytes(t, path, bad)
				return
			}
			defer db.Close()
			_, _ = db.Talks()
			_, _ = db.Cards("")
			_ = db.Check()
			_ = db.SetSettings("ann", DefaultSettings)
		}()
	}
	if damagedSeen == 0 {
		t.Error("no scribbled page was reported damaged (freelist and root pages should be)")
	}
}

func TestOpenNewerSchema(t *testing.T) {
	_, path := openTest(t)
	// openTest's handle is open: reopen after closing it via a fresh file.
	path = filepath.Join(filepath.Dir(path), "newer.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(kSchema, binary.BigEndian.AppendUint32(nil, SchemaVersion+1))
	})
	db.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("err = %v, want ErrNewerSchema", err)
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TALKCARDS_DB": "/x/t.db", "XDG_DATA_HOME": "/d", "HOME": "/h"}, "/x/t.db"},
		{map[string]string{"XDG_DATA_HOME": "/d", "HOME": "/h"}, "/d/talkcards/talkcards.db"},
		{map[string]string{"XDG_DATA_HOME": "relative", "HOME": "/h"}, "/h/.local/share/talkcards/talkcards.db"},
		{map[string]string{"HOME": "/h"}, "/h/.local/share/talkcards/talkcards.db"},
	}
	for _, tt := range tests {
		got, err := DefaultPath(env(tt.env))
		if err != nil || got != tt.want {
			t.Errorf("%v: %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	if _, err := DefaultPath(env(nil)); err == nil {
		t.Error("no HOME: no error")
	}
}

func TestValidUser(t *testing.T) {
	for _, ok := range []string{"ann", "A.b_c-9", strings.Repeat("x", 64)} {
		if err := ValidUser(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a b", "ann/x", "é", strings.Repeat("x", 65), "a\x00"} {
		if err := ValidUser(bad); !errors.Is(err, ErrBadUser) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}
