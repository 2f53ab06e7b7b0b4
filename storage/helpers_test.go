package storage

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/deck"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// openTest opens a fresh database in a temp folder; at cleanup it is closed
// and checked with tx.Check.
func openTest(t testing.TB) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "talkcards.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		checkFile(t, path)
	})
	return db, path
}

func checkFile(t testing.TB, path string) {
	t.Helper()
	db, err := Open(path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Errorf("reopen for check: %v", err)
		return
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Errorf("check: %v", err)
	}
}

// dump renders every bucket, key, value and bucket sequence under the
// given top-level path (nil = everything), sorted, for exact comparisons.
func dump(t testing.TB, db *DB, path ...string) string {
	t.Helper()
	var lines []string
	var walk func(prefix string, b *bolt.Bucket)
	walk = func(prefix string, b *bolt.Bucket) {
		lines = append(lines, fmt.Sprintf("%s seq=%d", prefix, b.Sequence()))
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(prefix+"/"+string(k), b.Bucket(k))
				return nil
			}
			lines = append(lines, fmt.Sprintf("%s/%x=%x", prefix, k, v))
			return nil
		})
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if len(path) == 0 {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				walk(string(name), b)
				return nil
			})
		}
		b := tx.Bucket([]byte(path[0]))
		for _, p := range path[1:] {
			if b == nil {
				break
			}
			b = b.Bucket([]byte(p))
		}
		if b != nil {
			walk(strings.Join(path, "/"), b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// card builds a deck card the way deck would: ID from its identity.
func card(talk string, path []string, kind deck.Kind, key string, seq int) deck.Card {
	return deck.Card{
		ID: deck.ID(talk, path, kind, key), Talk: talk, Path: path, Kind: kind,
		Prompt: "prompt: " + key, Answer: "answer: " + key,
		Source: fmt.Sprintf("notes.md:%d", seq+1), Seq: seq, Key: key,
	}
}

func file(path string, talks ...GeneratedTalk) SourceFile {
	return SourceFile{Path: path, Size: 1, ModTime: t0, Talks: talks}
}

func talk(title string, cards ...deck.Card) GeneratedTalk {
	return GeneratedTalk{Slug: deck.Slug(title), Title: title, Cards: cards}
}

func mustImport(t testing.TB, db *DB, files ...SourceFile) ImportReport {
	t.Helper()
	rep, err := db.Import(files, ImportOptions{Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

type counts struct{ New, Updated, Retired, Unchanged, Restored, Carried int }

func countsOf(r TalkReport) counts {
	return counts{r.New, r.Updated, r.Retired, r.Unchanged, r.Restored, len(r.Carried)}
}

func fileBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameBytes(t testing.TB, path string, want []byte) {
	t.Helper()
	if got := fileBytes(t, path); !bytes.Equal(got, want) {
		t.Errorf("%s changed (%d bytes, was %d)", path, len(got), len(want))
	}
}
