package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/talkcards/talkcards/deck"
)

// importNewTest builds a database with ImportNew in a temp folder; at
// cleanup it is checked with tx.Check.
func importNewTest(t *testing.T, files []SourceFile, opt ImportOptions) (*DB, ImportReport) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "talkcards.db")
	rep, err := ImportNew(path, files, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checkFile(t, path) }) // after Close: cleanups run last first
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, rep
}

// ImportNew must leave exactly what Open then Import leave: every bucket,
// key, value and sequence, and the same report; including buckets past
// one batch of keys.
func TestImportNewSameAsImport(t *testing.T) {
	small, _ := bulkFixture(0)
	for i := range small {
		small[i].Generator, small[i].Name = 3, fmt.Sprintf("f%d.md", i)
	}
	small = append(small, SourceFile{Path: "/notes/gone.md", Missing: true})
	var big []deck.Card
	for i := range newBatch + 100 {
		big = append(big, card("Big Talk", []string{fmt.Sprint("Part ", i/50)}, deck.Cloze, fmt.Sprint("point ", i), i))
	}
	large := []SourceFile{file("/notes/big.md", talk("Big Talk", big...)), file("/notes/b.md", talk("Other", card("Other", nil, deck.List, "x", 0)))}
	for name, files := range map[string][]SourceFile{"small": small, "large": large} {
		t.Run(name, func(t *testing.T) {
			opt := ImportOptions{Now: t0, Roots: []string{"/notes", "/notes/b.md"}}
			normal, _ := openTest(t)
			want, err := normal.Import(files, opt)
			if err != nil {
				t.Fatal(err)
			}
			db, got := importNewTest(t, files, opt)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("report:\n got %+v\nwant %+v", got, want)
			}
			if got, want := dump(t, db), dump(t, normal); got != want {
				t.Errorf("new database differs from an import:\n%s", firstDiff(got, want))
			}
			if probs, err := db.Verify(); err != nil || len(probs) > 0 {
				t.Errorf("verify: %v %v", probs, err)
			}
		})
	}
}

func TestImportNewRefusesExisting(t *testing.T) {
	db, path := openTest(t)
	mustImport(t, db, version("goroutines are cheap"))
	db.Close()
	raw := fileBytes(t, path)
	_, err := ImportNew(path, []SourceFile{version("goroutines are cheap", "a new point")}, ImportOptions{Now: t0})
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("ImportNew over a database: %v, want fs.ErrExist", err)
	}
	sameBytes(t, path, raw)
	onlyFile(t, filepath.Dir(path), filepath.Base(path))
}

// A failed ImportNew leaves no database and no hidden file behind.
func TestImportNewFailureLeavesNothing(t *testing.T) {
	long := "/" + strings.Repeat("n", bolt.MaxKeySize-9) + ".md"
	for name, c := range map[string]struct {
		files []SourceFile
		err   error
	}{
		"bad id":    {[]SourceFile{version("a point"), file("/notes/b.md", talk("Other", deck.Card{ID: "not-an-id"}))}, nil},
		"key limit": {[]SourceFile{version("a point"), file(long, talk("Other", card("Other", nil, deck.Cloze, "x", 0)))}, berrors.ErrKeyTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := ImportNew(filepath.Join(dir, "talkcards.db"), c.files, ImportOptions{Now: t0})
			if err == nil || c.err != nil && !errors.Is(err, c.err) {
				t.Fatalf("ImportNew: %v, want %v", err, c.err)
			}
			onlyFile(t, dir)
		})
	}
}

// onlyFile fails unless dir holds exactly the files named.
func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) && len(got)+len(names) > 0 {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
