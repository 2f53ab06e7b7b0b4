package storage

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// recordOld records an answer as a review session did before RecordAnswer:
// Open with KeepPending, RecordWith, Close.
func recordOld(path, user, card string, day scheduler.Day, fn func(scheduler.State, bool) (Review, *scheduler.State)) error {
	db, err := Open(path, Options{KeepPending: true, ReadOnly: AnswersShareLock, Timeout: 200 * time.Millisecond})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.RecordWith(user, card, day, fn)
}

// copyDB copies the database at path and its journal, those there are, to a new
// folder, under the same file name, so that errors naming it compare
// after replacing the folder.
func copyDB(t *testing.T, path string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), filepath.Base(path))
	for _, suffix := range []string{"", JournalSuffix} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// sameErr fails unless got (at gotPath) and want (at wantPath) are the same
// error, the paths aside.
func sameErr(t *testing.T, what string, got error, gotPath string, want error, wantPath string) {
	t.Helper()
	str := func(err error, dir string) string {
		if err == nil {
			return "<nil>"
		}
		return strings.ReplaceAll(err.Error(), filepath.Dir(dir), "DIR")
	}
	if g, w := str(got, gotPath), str(want, wantPath); g != w {
		t.Errorf("%s: RecordAnswer: %s\nOpen+RecordWith: %s", what, g, w)
	}
}

// TestPageReaderSameAsBbolt looks keys up in bbolt files of every shape an
// answer meets, through the page reader and through bbolt: present and
// absent keys and near misses, values from empty to several overflow
// pages, inline and non-inline buckets nested in each other, trees several
// levels deep, pages freed and reused by later transactions.
func TestPageReaderSameAsBbolt(t *testing.T) {
	for _, pageSize := range []int{1024, 4096} {
		t.Run(fmt.Sprint(pageSize), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(pageSize), 3))
			path := filepath.Join(t.TempDir(), "x.db")
			b, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, PageSize: pageSize})
			if err != nil {
				t.Fatal(err)
			}
			randKey := func() []byte {
				k := make([]byte, 1+rng.IntN(40))
				for i := range k {
					k[i] = byte('a' + rng.IntN(4)) // few letters: many shared prefixes
				}
				return k
			}
			randValue := func() []byte {
				n := []int{0, 1, 8, 30, 200}[rng.IntN(5)]
				if rng.IntN(50) == 0 {
					n = pageSize/2 + rng.IntN(4*pageSize) // overflow pages
				}
				v := make([]byte, n)
				for i := range v {
					v[i] = byte(rng.Uint32())
				}
				return v
			}
			// deep: thousands of keys; tiny: an inline bucket; nest:
			// buckets in buckets, inline and not; empty.
			err = b.Update(func(tx *bolt.Tx) error {
				deep, _ := tx.CreateBucket([]byte("deep"))
				for range 20000 {
					if err := deep.Put(randKey(), randValue()); err != nil {
						return err
					}
				}
				tiny, _ := tx.CreateBucket([]byte("tiny"))
				for range 3 {
					if err := tiny.Put(randKey(), []byte("v")); err != nil {
						return err
					}
				}
				if _, err := tx.CreateBucket([]byte("empty")); err != nil {
					return err
				}
				nest, _ := tx.CreateBucket([]byte("nest"))
				for i := range 40 {
					sub, err := nest.CreateBucket(fmt.Appendf(nil, "sub%02d", i))
					if err != nil {
						return err
					}
					for range rng.IntN(3) * rng.IntN(200) { // some inline, some not
						if err := sub.Put(randKey(), randValue()); err != nil {
							return err
						}
					}
					if err := nest.Put(fmt.Appendf(nil, "key%02d", i), randValue()); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Later transactions free pages and reuse them.
			for range 3 {
				err = b.Update(func(tx *bolt.Tx) error {
					deep := tx.Bucket([]byte("deep"))
					c := deep.Cursor()
					for k, _ := c.First(); k != nil; k, _ = c.Next() {
						if rng.IntN(4) == 0 {
							if err := c.Delete(); err != nil {
								return err
							}
						}
					}
					for range 2000 {
						if err := deep.Put(randKey(), randValue()); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}

			b, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, ok := newPageReader(f)
			if !ok {
				t.Fatal("page reader: the file does not check out")
			}
			defer r.release()
			root := boltBucket{root: r.rootID}
			var inline, paged, overflow, nearMiss int
			err = b.View(func(tx *bolt.Tx) error {
				if d := tx.Bucket([]byte("deep")).Stats().Depth; d < 3 {
					t.Errorf("deep bucket %d levels deep, want 3 or more", d)
				}
				// compare looks up key in bucket bb (bbolt) and rb (ours).
				compare := func(where string, bb *bolt.Bucket, rb boltBucket, key []byte) {
					t.Helper()
					v, isBucket, err := r.get(rb, key)
					if err != nil {
						t.Fatalf("%s %q: %v", where, key, err)
					}
					want := bb.Get(key)
					if isBucket {
						v = nil // bbolt's Get says nil for a bucket
					}
					if (v == nil) != (want == nil) || !bytes.Equal(v, want) {
						t.Fatalf("%s %q: got %d bytes (nil %v), bbolt %d (nil %v)", where, key, len(v), v == nil, len(want), want == nil)
					}
					if len(want) > pageSize {
						overflow++
					}
					sub, err := r.bucket(rb, key)
					if err != nil {
						t.Fatalf("%s %q: bucket: %v", where, key, err)
					}
					if (sub != nil) != (bb.Bucket(key) != nil) {
						t.Fatalf("%s %q: bucket %v, bbolt %v", where, key, sub != nil, bb.Bucket(key) != nil)
					}
				}
				var walk func(where string, bb *bolt.Bucket, rb boltBucket)
				walk = func(where string, bb *bolt.Bucket, rb boltBucket) {
					if rb.inline != nil {
						inline++
					} else {
						paged++
					}
					var keys [][]byte
					_ = bb.ForEach(func(k, _ []byte) error {
						keys = append(keys, bytes.Clone(k))
						return nil
					})
					for _, k := range keys {
						compare(where, bb, rb, k)
						// Near misses: a byte more, a byte less, the last
						// byte off by one either way.
						for _, m := range [][]byte{append(bytes.Clone(k), 0), k[:len(k)-1], append(bytes.Clone(k[:len(k)-1]), k[len(k)-1]+1), append(bytes.Clone(k[:len(k)-1]), k[len(k)-1]-1)} {
							compare(where, bb, rb, m)
							nearMiss++
						}
						if sb := bb.Bucket(k); sb != nil {
							sub, _ := r.bucket(rb, k)
							walk(where+"/"+string(k), sb, *sub)
						}
					}
					for range 200 {
						compare(where, bb, rb, randKey())
					}
					compare(where, bb, rb, []byte{})
					compare(where, bb, rb, []byte{0xff, 0xff})
				}
				return tx.ForEach(func(name []byte, bb *bolt.Bucket) error {
					rb, err := r.bucket(root, name)
					if err != nil || rb == nil {
						t.Fatalf("root bucket %s: %v %v", name, rb, err)
					}
					walk(string(name), bb, *rb)
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if inline == 0 || paged < 5 || overflow == 0 || nearMiss == 0 {
				t.Fatalf("shapes covered: %d inline buckets, %d paged, %d overflow values, %d near misses", inline, paged, overflow, nearMiss)
			}
		})
	}
}

// TestRecordAnswerSameAsOpenRecord answers the same random session on two
// copies of a database: through RecordAnswer and through Open, RecordWith
// and Close. After every answer the journals must be byte for byte the
// same, and the users' buckets once the answers are applied. Between days
// an ordinary open applies the journal, so the applied sequence is read
// too; ben answers as a user new to the file.
func TestRecordAnswerSameAsOpenRecord(t *testing.T) {
	db, oldPath := openTest(t)
	ids := deckOf(t, db, 30)
	for _, u := range []string{"ann", "bob"} {
		if err := db.RecordWith(u, ids[0], 99, answerFn(ids[0], 4, KindReview, 99)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	newPath := copyDB(t, oldPath)
	rng := rand.New(rand.NewPCG(11, 12))
	users := []string{"ann", "bob", "ben"}
	var fast int
	for day := scheduler.Day(100); day < 125; day++ {
		for range 1 + rng.IntN(12) {
			u := users[rng.IntN(len(users))]
			id := ids[rng.IntN(len(ids))]
			g := scheduler.Grade(rng.IntN(6))
			kind := []ReviewKind{KindReview, KindReview, KindRepeat, KindQuiz}[rng.IntN(4)]
			calls := 0
			fn := answerFn(id, g, kind, day)
			counted := func(prev scheduler.State, had bool) (Review, *scheduler.State) {
				calls++
				return fn(prev, had)
			}
			errNew := answerFromPages(newPath, time.Second, u, id, day, counted)
			if errors.Is(errNew, errTakeBolt) {
				if calls != 0 {
					t.Fatalf("day %d: fn called before taking the bbolt path", day)
				}
				errNew = RecordAnswer(newPath, time.Second, u, id, day, counted)
			} else {
				fast++
			}
			errOld := recordOld(oldPath, u, id, day, answerFn(id, g, kind, day))
			if errNew != nil || errOld != nil {
				t.Fatalf("day %d: %v / %v", day, errNew, errOld)
			}
			if calls != 1 {
				t.Fatalf("day %d: fn called %d times", day, calls)
			}
			if got, want := fileBytes(t, JournalPath(newPath)), fileBytes(t, JournalPath(oldPath)); !bytes.Equal(got, want) {
				t.Fatalf("day %d: journals differ (%d and %d bytes)", day, len(got), len(want))
			}
		}
		if rng.IntN(3) == 0 { // the session ends: an ordinary open applies the answers
			for _, p := range []string{newPath, oldPath} {
				db, err := Open(p, Options{})
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
		}
	}
	if fast < 100 {
		t.Fatalf("only %d answers without bbolt", fast)
	}
	var dumps [2]string
	for i, p := range []string{newPath, oldPath} {
		db, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		dumps[i] = dump(t, db, "users")
		db.Close()
		checkFile(t, p)
	}
	if dumps[0] != dumps[1] {
		t.Fatalf("users differ:\n%s", firstDiff(dumps[0], dumps[1]))
	}
}

// TestRecordAnswerTakesBboltPath: what RecordAnswer does not expect goes
// the bbolt path, before fn is called and with nothing written, and ends
// as it does there (compared on a copy).
func TestRecordAnswerTakesBboltPath(t *testing.T) {
	setup := func(t *testing.T) (path string, ids []string) {
		path = filepath.Join(t.TempDir(), "talkcards.db")
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids = deckOf(t, db, 3)
		if err := db.RecordWith("ann", ids[0], 9, answerFn(ids[0], 4, KindReview, 9)); err != nil {
			t.Fatal(err)
		}
		db.Close()
		return path, ids
	}
	update := func(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
		t.Helper()
		b, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if err := b.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		user   string
		card   func(ids []string) string
		damage func(t *testing.T, path string, ids []string)
		fails  bool // the bbolt path fails too
	}{
		{name: "journal full", damage: func(t *testing.T, path string, ids []string) {
			w := openKeep(t, path) // a real journal, then topped up
			if err := w.RecordWith("ann", ids[1], 10, answerFn(ids[1], 3, KindQuiz, 10)); err != nil {
				t.Fatal(err)
			}
			w.Close()
			fillJournal(t, path, keyOf(t, ids[1]), maxPending*150)
			if n := len(parseJournal(fileBytes(t, JournalPath(path))).recs); n < maxPending {
				t.Fatalf("journal holds %d records, want %d or more", n, maxPending)
			}
		}},
		{name: "answers in the pending bucket", damage: func(t *testing.T, path string, ids []string) {
			r, next := answerFn(ids[1], 4, KindReview, 10)(scheduler.State{}, false)
			update(t, path, func(tx *bolt.Tx) error {
				pb, err := tx.CreateBucketIfNotExists(bPending)
				if err != nil {
					return err
				}
				return pb.Put(u64key(1), encodePending("ann", 10, keyOf(t, ids[1]), r, next))
			})
		}},
		{name: "user without a state bucket", damage: func(t *testing.T, path string, ids []string) {
			update(t, path, func(tx *bolt.Tx) error {
				return tx.Bucket(bUsers).Bucket([]byte("ann")).DeleteBucket(bState)
			})
		}},
		{name: "newer schema", fails: true, damage: func(t *testing.T, path string, ids []string) {
			update(t, path, func(tx *bolt.Tx) error {
				return tx.Bucket(bMeta).Put(kSchema, []byte{0, 0, 0, SchemaVersion + 1})
			})
		}},
		{name: "no schema", fails: true, damage: func(t *testing.T, path string, ids []string) {
			update(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Delete(kSchema) })
		}},
		{name: "state that does not decode", fails: true, damage: func(t *testing.T, path string, ids []string) {
			update(t, path, func(tx *bolt.Tx) error {
				k := keyOf(t, ids[0])
				return tx.Bucket(bUsers).Bucket([]byte("ann")).Bucket(bState).Put(k[:], []byte{9})
			})
		}},
		{name: "bad user name", fails: true, user: "a b"},
		{name: "bad card id", fails: true, card: func([]string) string { return "nonsense" }},
		{name: "no database", fails: true, damage: func(t *testing.T, path string, ids []string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "tree page with a wrong id", fails: true, damage: func(t *testing.T, path string, ids []string) {
			b := fileBytes(t, path)
			m, err := readMetaBytes(b)
			if err != nil {
				t.Fatal(err)
			}
			// The root bucket's page claims another id.
			off := int(m.root) * int(m.pageSize)
			native.PutUint64(b[off:], m.root+1)
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, ids := setup(t)
			user, card := "ann", ids[0]
			if c.user != "" {
				user = c.user
			}
			if c.card != nil {
				card = c.card(ids)
			}
			if c.damage != nil {
				c.damage(t, path, ids)
			}
			old := copyDB(t, path)
			before, _ := os.ReadFile(JournalPath(path))
			dbBefore, _ := os.ReadFile(path)
			calls := 0
			fn := func(prev scheduler.State, had bool) (Review, *scheduler.State) {
				calls++
				return answerFn(card, 4, KindReview, 10)(prev, had)
			}
			if err := answerFromPages(path, time.Second, user, card, 10, fn); !errors.Is(err, errTakeBolt) {
				t.Fatalf("answerFromPages: %v, want the bbolt path", err)
			}
			after, _ := os.ReadFile(JournalPath(path))
			dbAfter, _ := os.ReadFile(path)
			if calls != 0 || !bytes.Equal(before, after) || !bytes.Equal(dbBefore, dbAfter) {
				t.Fatalf("before the bbolt path: fn called %d times, journal or database changed", calls)
			}
			errNew := RecordAnswer(path, 200*time.Millisecond, user, card, 10, fn)
			errOld := recordOld(old, user, card, 10, answerFn(card, 4, KindReview, 10))
			sameErr(t, c.name, errNew, path, errOld, old)
			if (errOld != nil) != c.fails {
				t.Errorf("bbolt path: %v, want failure %v", errOld, c.fails)
			}
			if calls > 1 {
				t.Errorf("fn called %d times", calls)
			}
			gotJ, _ := os.ReadFile(JournalPath(path))
			wantJ, _ := os.ReadFile(JournalPath(old))
			if !bytes.Equal(gotJ, wantJ) {
				t.Errorf("journals differ after the answer")
			}
		})
	}
}

// readMetaBytes is readMeta of a file's bytes: the newer meta page.
func readMetaBytes(b []byte) (boltMeta, error) {
	f, err := os.CreateTemp("", "meta")
	if err != nil {
		return boltMeta{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		return boltMeta{}, err
	}
	m0, err := readMeta(f, 0)
	if err != nil {
		return m0, err
	}
	m1, err := readMeta(f, int64(m0.pageSize))
	if err == nil && m1.txid > m0.txid {
		return m1, nil
	}
	return m0, err
}

// TestRecordAnswerErrors: answers the database refuses, without any
// fallback, fail as on the bbolt path.
func TestRecordAnswerErrors(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 2)
	if err := db.RecordWith("ann", ids[0], 9, answerFn(ids[0], 4, KindReview, 9)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	gone := "0123456789abcdef" // a card id of no card
	cases := []struct {
		name string
		card string
		fn   func(scheduler.State, bool) (Review, *scheduler.State)
		want error
	}{
		{"card that does not exist", gone, answerFn(gone, 4, KindReview, 10), ErrNotFound},
		{"answer for another card", ids[0], answerFn(ids[1], 4, KindReview, 10), nil},
		{"grade out of range", ids[0], answerFn(ids[0], 7, KindQuiz, 10), nil},
		{"unknown kind", ids[0], answerFn(ids[0], 4, numKinds, 10), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			old := copyDB(t, path)
			errNew := answerFromPages(path, time.Second, "ann", c.card, 10, c.fn)
			if errNew == nil || errors.Is(errNew, errTakeBolt) {
				t.Fatalf("answerFromPages: %v, want a refusal", errNew)
			}
			if c.want != nil && !errors.Is(errNew, c.want) {
				t.Errorf("got %v, want %v", errNew, c.want)
			}
			sameErr(t, c.name, errNew, path, recordOld(old, "ann", c.card, 10, c.fn), old)
		})
	}
}

// TestRecordAnswerLock: a writer holding the database makes an answer wait
// for it, and past the timeout fail with ErrBusy, as Open would; readers
// (a shared lock) do not hold it up.
func TestRecordAnswerLock(t *testing.T) {
	if !AnswersShareLock {
		t.Skip("no shared lock here")
	}
	db, path := openTest(t)
	ids := deckOf(t, db, 1)
	fn := answerFn(ids[0], 4, KindReview, 10)
	// db, open for writing, holds the lock exclusively.
	err := RecordAnswer(path, 150*time.Millisecond, "ann", ids[0], 10, fn)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("with a writer: %v, want ErrBusy", err)
	}
	_, want := Open(path, Options{ReadOnly: true, KeepPending: true, Timeout: 150 * time.Millisecond})
	sameErr(t, "busy", err, path, want, path)
	if _, err := os.Stat(JournalPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a busy answer wrote the journal: %v", err)
	}

	done := make(chan error, 1)
	go func() { done <- RecordAnswer(path, 10*time.Second, "ann", ids[0], 10, fn) }()
	select {
	case err := <-done:
		t.Fatalf("answered while a writer held the database: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	db.Close()
	if err := <-done; err != nil {
		t.Fatalf("after the writer closed: %v", err)
	}

	// A damaged file is reported at once, as Open reports it, writer or
	// not: damaged under a writer's lock.
	held := copyDB(t, path)
	w, err := bolt.Open(held, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(held, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff}, pageHeaderSize+metaSumSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	err = RecordAnswer(held, 150*time.Millisecond, "ann", ids[0], 10, fn)
	_, want = Open(held, Options{ReadOnly: true, KeepPending: true, Timeout: 150 * time.Millisecond})
	w.Close()
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("damaged, with a writer: %v, want ErrDamaged", err)
	}
	sameErr(t, "damaged and busy", err, held, want, held)

	r, err := Open(path, Options{ReadOnly: true, KeepPending: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := answerFromPages(path, 50*time.Millisecond, "ann", ids[0], 11, answerFn(ids[0], 3, KindReview, 11)); err != nil {
		t.Fatalf("beside a reader: %v", err)
	}
	if n := pendingN(t, r); n != 2 {
		t.Fatalf("%d answers pending, want 2", n)
	}
}

// TestRecordAnswerDamaged: a damaged file fails as Open fails on it, with
// nothing written.
func TestRecordAnswerDamaged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "talkcards.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := deckOf(t, db, 2)
	if err := db.RecordWith("ann", ids[0], 9, answerFn(ids[0], 4, KindReview, 9)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	good := fileBytes(t, path)
	m, err := readMetaBytes(good)
	if err != nil {
		t.Fatal(err)
	}
	ps := int(m.pageSize)
	cases := []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{"truncated below its last page", func(b []byte) []byte { return b[:(int(m.pgid)-1)*ps] }},
		{"truncated to one page", func(b []byte) []byte { return b[:ps] }},
		{"empty", func(b []byte) []byte { return nil }},
		{"meta 0 checksum", func(b []byte) []byte { b[pageHeaderSize+metaSumSize] ^= 1; return b }},
		{"meta 1 checksum", func(b []byte) []byte { b[ps+pageHeaderSize+metaSumSize] ^= 1; return b }},
		{"meta 1 root", func(b []byte) []byte { b[ps+pageHeaderSize+16] ^= 1; return b }},
		{"root page garbage", func(b []byte) []byte {
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range ps {
				b[int(m.root)*ps+i] = byte(rng.Uint32())
			}
			return b
		}},
		{"root page elements past the page", func(b []byte) []byte {
			native.PutUint16(b[int(m.root)*ps+10:], 0xffff)
			return b
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "talkcards.db")
			if err := os.WriteFile(p, c.damage(bytes.Clone(good)), 0o600); err != nil {
				t.Fatal(err)
			}
			old := copyDB(t, p)
			damaged := fileBytes(t, p)
			errNew := RecordAnswer(p, 100*time.Millisecond, "ann", ids[0], 10, answerFn(ids[0], 4, KindReview, 10))
			if errNew == nil {
				t.Fatal("answered on a damaged file")
			}
			errOld := recordOld(old, "ann", ids[0], 10, answerFn(ids[0], 4, KindReview, 10))
			sameErr(t, c.name, errNew, p, errOld, old)
			sameBytes(t, p, damaged)
			if _, err := os.Stat(JournalPath(p)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("journal written beside a damaged file: %v", err)
			}
		})
	}
}
