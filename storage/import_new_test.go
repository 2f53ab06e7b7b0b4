package storage

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// importNewTest builds a database with ImportNew in a temp folder, checks
// that it was written page by page (bbolt's transaction 1 of writeBoltFile,
// no later commit) and that bbolt's check finds nothing, and opens it; at
// cleanup it is checked again.
func importNewTest(t *testing.T, files []SourceFile, opt ImportOptions) (*DB, ImportReport) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "talkcards.db")
	rep, err := ImportNew(path, files, opt)
	if err != nil {
		t.Fatal(err)
	}
	if txid := boltCheck(t, path); txid != 1 {
		t.Errorf("ImportNew wrote the file with bbolt (txid %d), not page by page", txid)
	}
	t.Cleanup(func() { checkFile(t, path) }) // after Close: cleanups run last first
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, rep
}

// boltCheck opens path with bbolt alone, runs its check and returns the
// file's transaction id.
func boltCheck(t testing.TB, path string) int {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var txid int
	err = b.View(func(tx *bolt.Tx) error {
		txid = tx.ID()
		for err := range tx.Check() {
			t.Errorf("%s: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return txid
}

// importNewInputs are collections to import into a new database: a small
// one, one with a value over a page (overflow pages), one without cards
// (empty buckets), one past a batch of the fallback, unless -short one
// with more than 0xffff keys a bucket (three page levels), and the notes
// of TALKCARDS_BENCH_NOTES when set (benchSources).
func importNewInputs(t *testing.T) map[string][]SourceFile {
	small, _ := bulkFixture(0)
	for i := range small {
		small[i].Generator, small[i].Name = 3, fmt.Sprintf("f%d.md", i)
	}
	small = append(small, SourceFile{Path: "/notes/gone.md", Missing: true})
	long := card("Long Talk", []string{"Part"}, deck.Definition, "a long point", 1)
	long.Answer = strings.Repeat("a long answer ", 1000) // 14 kB: overflow pages
	overflow := []SourceFile{file("/notes/long.md", talk("Long Talk", card("Long Talk", nil, deck.Cloze, "first", 0), long, card("Long Talk", nil, deck.Cloze, "last", 2)))}
	empty := []SourceFile{file("/notes/empty.md", talk("No Cards")), {Path: "/notes/gone.md", Missing: true}}
	inputs := map[string][]SourceFile{"small": small, "overflow": overflow, "empty": empty, "large": bigNotes(newBatch + 100)}
	if !testing.Short() {
		inputs["many"] = bigNotes(0xffff + 1000)
	}
	if os.Getenv("TALKCARDS_BENCH_NOTES") != "" {
		inputs["bench notes"] = benchSources(t)
	}
	return inputs
}

// bigNotes is a talk of n cards in sections of 50, and another of one.
func bigNotes(n int) []SourceFile {
	var big []deck.Card
	for i := range n {
		big = append(big, card("Big Talk", []string{fmt.Sprint("Part ", i/50)}, deck.Cloze, fmt.Sprint("point ", i), i))
	}
	return []SourceFile{file("/notes/big.md", talk("Big Talk", big...)), file("/notes/b.md", talk("Other", card("Other", nil, deck.List, "x", 0)))}
}

// ImportNew must leave exactly what Open then Import leave: every bucket,
// key, value and sequence, and the same report; and so must its fallback
// (the batched bbolt writes).
func TestImportNewSameAsImport(t *testing.T) {
	for name, files := range importNewInputs(t) {
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
			wantDump := dump(t, normal)
			if got := dump(t, db); got != wantDump {
				t.Errorf("new database differs from an import:\n%s", firstDiff(got, wantDump))
			}
			if probs, err := db.Verify(); err != nil || len(probs) > 0 {
				t.Errorf("verify: %v %v", probs, err)
			}

			path := filepath.Join(t.TempDir(), "talkcards.db")
			if _, err := importNew(path, files, opt, false); err != nil {
				t.Fatal(err)
			}
			if txid := boltCheck(t, path); txid < 2 {
				t.Errorf("fallback: txid %d, want the commits of bbolt", txid)
			}
			fallback, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer fallback.Close()
			if got := dump(t, fallback); got != wantDump {
				t.Errorf("fallback differs from an import:\n%s", firstDiff(got, wantDump))
			}
		})
	}
}

// A database ImportNew wrote works as one Import made: answers, another
// import of edited notes and a bbolt transaction that rewrites many pages
// leave the same data as on a database made by Open and Import, pass
// Verify (before that transaction) and bbolt's check (after it).
func TestImportNewThenUse(t *testing.T) {
	files := bigNotes(5000)
	opt := ImportOptions{Now: t0}
	normal, _ := openTest(t)
	if _, err := normal.Import(files, opt); err != nil {
		t.Fatal(err)
	}
	db, _ := importNewTest(t, files, opt)
	cards := files[0].Talks[0].Cards
	edited := slices.Clone(cards)
	edited = slices.Delete(edited, 1000, 1500) // retired
	for i := range 300 {                       // new cards
		edited = append(edited, card("Big Talk", []string{"Part new"}, deck.Cloze, fmt.Sprint("new point ", i), len(cards)+i))
	}
	edited[10].Answer = "a better answer" // updated
	for _, d := range []*DB{normal, db} {
		for i, c := range []deck.Card{cards[0], cards[1200], cards[4999]} {
			st := scheduler.State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: scheduler.Day(5 + i)}
			if err := d.Record("ann", Review{Time: t0, Card: c.ID, Grade: 4}, scheduler.Day(4+i), &st); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Import([]SourceFile{file("/notes/big.md", talk("Big Talk", edited...)), files[1]}, ImportOptions{Now: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if probs, err := d.Verify(); err != nil || len(probs) > 0 {
			t.Errorf("verify: %v %v", probs, err)
		}
		err := d.update(func(tx *bolt.Tx) error {
			for _, name := range [][]byte{bCards, bOrder, bByFile} {
				b := tx.Bucket(name)
				var keys [][]byte
				c := b.Cursor()
				for k, _ := c.First(); k != nil; k, _ = c.Next() {
					keys = append(keys, bytes.Clone(k))
				}
				for i, k := range keys {
					if i%7 == 0 {
						if err := b.Delete(k); err != nil {
							return err
						}
					}
				}
				if err := b.Put([]byte("zz after every key"), []byte("x")); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got, want := dump(t, db), dump(t, normal); got != want {
		t.Errorf("after use, ImportNew's database differs:\n%s", firstDiff(got, want))
	}
	if err := db.Check(); err != nil {
		t.Error(err)
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
