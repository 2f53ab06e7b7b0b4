package storage

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// pageTestBuckets are buckets at bbolt's edges: empty, inline up to the
// limit and just past it, values of several pages, keys of bbolt's
// maximum size (branch pages with overflow), more than 0xffff keys (three
// levels), and sequences.
func pageTestBuckets(pageSize int) []newBucket {
	rng := rand.New(rand.NewPCG(1, 2))
	bytesOf := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var many, huge, maxKeys, inline, pastInline []kv
	for i := range 0xffff + 5000 {
		many = append(many, kv{k: fmt.Appendf(nil, "k%08d", i), v: bytesOf(i % 40)})
	}
	for i := range 40 {
		huge = append(huge, kv{k: fmt.Appendf(nil, "h%03d", i), v: bytesOf(i * pageSize / 7)})
	}
	for i := range 12 {
		k := bytes.Repeat([]byte{byte('a' + i)}, bolt.MaxKeySize)
		maxKeys = append(maxKeys, kv{k: k, v: []byte{byte(i)}})
	}
	for i := 0; ; i++ { // 16 + 16+4+4 a key: the last one fills pageSize/4 exactly
		e := kv{k: fmt.Appendf(nil, "i%03d", i), v: []byte("vvvv")}
		if leafSize(append(inline, e)) > pageSize/4 {
			break
		}
		inline = append(inline, e)
	}
	pastInline = append(slices.Clone(inline), kv{k: []byte("zzzz"), v: nil})
	return []newBucket{
		{name: []byte("empty")},
		{name: []byte("emptyseq"), seq: 7},
		{name: []byte("huge"), list: huge},
		{name: []byte("inline"), list: inline, seq: 1 << 40},
		{name: []byte("many"), list: many, seq: 3},
		{name: []byte("maxkeys"), list: maxKeys},
		{name: []byte("pastinline"), list: pastInline},
		{name: []byte("single"), list: []kv{{k: []byte("only"), v: []byte("one")}}},
	}
}

// writeBoltFile must write what bbolt writes for the same buckets (compared
// as dumps), a file bbolt checks clean and keeps clean through a
// transaction that changes every bucket; at two page sizes.
func TestWriteBoltFile(t *testing.T) {
	for _, pageSize := range []int{os.Getpagesize(), 16384} {
		t.Run(fmt.Sprint(pageSize), func(t *testing.T) {
			buckets := pageTestBuckets(pageSize)
			dir := t.TempDir()
			paged := filepath.Join(dir, "paged.db")
			if err := writeBoltFile(paged, pageSize, buckets); err != nil {
				t.Fatal(err)
			}
			if txid := boltCheck(t, paged); txid != 1 {
				t.Errorf("txid %d, want 1", txid)
			}
			st, err := os.Stat(paged)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", st.Mode())
			}
			ref := openBolt(t, filepath.Join(dir, "ref.db"), pageSize)
			err = ref.Update(func(tx *bolt.Tx) error {
				for _, nb := range buckets {
					b, err := tx.CreateBucket(nb.name)
					if err != nil {
						return err
					}
					if err := b.SetSequence(nb.seq); err != nil {
						return err
					}
					for _, e := range nb.list {
						if err := b.Put(e.k, e.v); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			db := openBolt(t, paged, 0)
			if db.Info().PageSize != pageSize {
				t.Errorf("page size %d, want %d", db.Info().PageSize, pageSize)
			}
			want := dump(t, &DB{bolt: ref})
			if got := dump(t, &DB{bolt: db}); got != want {
				t.Fatalf("written file differs from bbolt's:\n%s", firstDiff(got, want))
			}
			inlineAndFill(t, db, ref)
			for _, d := range []*bolt.DB{db, ref} {
				if err := d.Update(changeEveryBucket); err != nil {
					t.Fatal(err)
				}
				checkBolt(t, d)
			}
			if got, want := dump(t, &DB{bolt: db}), dump(t, &DB{bolt: ref}); got != want {
				t.Fatalf("after a transaction, the written file differs from bbolt's:\n%s", firstDiff(got, want))
			}
		})
	}
}

// inlineAndFill fails unless the buckets of db are inline where bbolt's
// in ref are, and the leaf pages of db's bucket of many small keys are
// filled to 90% at least (bbolt's FillPercent 1).
func inlineAndFill(t *testing.T, db, ref *bolt.DB) {
	t.Helper()
	stats := func(d *bolt.DB) map[string]bolt.BucketStats {
		m := map[string]bolt.BucketStats{}
		_ = d.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				m[string(name)] = b.Stats()
				return nil
			})
		})
		return m
	}
	got, want := stats(db), stats(ref)
	for name, w := range want {
		g := got[name]
		if g.InlineBucketN != w.InlineBucketN {
			t.Errorf("bucket %s: %d inline, bbolt %d", name, g.InlineBucketN, w.InlineBucketN)
		}
		if name == "many" && g.LeafInuse < g.LeafAlloc*9/10 {
			t.Errorf("bucket %s: leaf pages %d of %d bytes used", name, g.LeafInuse, g.LeafAlloc)
		}
	}
}

// changeEveryBucket deletes every third key of each bucket, adds keys
// between and after them, grows a value past a page and adds a nested
// bucket: splits, merges, inline buckets growing out of line and back.
func changeEveryBucket(tx *bolt.Tx) error {
	return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		var keys [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		for i, k := range keys {
			var err error
			switch i % 3 {
			case 0:
				err = b.Delete(k)
			case 1:
				n := min(len(k), bolt.MaxKeySize-1)
				err = b.Put(append(k[:n:n], '+'), []byte("between"))
			}
			if err != nil {
				return err
			}
		}
		if err := b.Put([]byte("zzz"), bytes.Repeat([]byte("v"), 5000)); err != nil {
			return err
		}
		_, err := b.CreateBucket([]byte("zzz nested"))
		return err
	})
}

func openBolt(t *testing.T, path string, pageSize int) *bolt.DB {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func checkBolt(t *testing.T, b *bolt.DB) {
	t.Helper()
	err := b.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("%s: %v", b.Path(), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pagedBuckets falls back (nil, no error) on whatever writeBoltFile does
// not write, and fails on a key bbolt's Put refuses.
func TestPagedBucketsRefuses(t *testing.T) {
	b := openBolt(t, filepath.Join(t.TempDir(), "t.db"), 0)
	list := func(keys ...string) []kv {
		var l []kv
		for _, k := range keys {
			l = append(l, kv{k: []byte(k)})
		}
		return l
	}
	for name, c := range map[string]struct {
		setup func(tx *bolt.Tx) error
		later []newBucket
		err   error
	}{
		"nested bucket": {
			setup: func(tx *bolt.Tx) error {
				_, err := tx.Bucket([]byte("small")).CreateBucket([]byte("nested"))
				return err
			},
			later: []newBucket{{name: []byte("big"), list: list("a")}},
		},
		"held bucket not empty": {
			setup: func(tx *bolt.Tx) error { return tx.Bucket([]byte("big")).Put([]byte("a"), nil) },
			later: []newBucket{{name: []byte("big"), list: list("b")}},
		},
		"held bucket missing": {later: []newBucket{{name: []byte("nowhere"), list: list("a")}}},
		"two lists":           {later: []newBucket{{name: []byte("big"), list: list("a")}, {name: []byte("big"), list: list("b")}}},
		"out of order":        {later: []newBucket{{name: []byte("big"), list: list("b", "a")}}},
		"repeated":            {later: []newBucket{{name: []byte("big"), list: list("a", "a")}}},
		"key too large":       {later: []newBucket{{name: []byte("big"), list: list("a", string(make([]byte, bolt.MaxKeySize+1)))}}, err: berrors.ErrKeyTooLarge},
		"empty key":           {later: []newBucket{{name: []byte("big"), list: list("")}}, err: berrors.ErrKeyRequired},
	} {
		t.Run(name, func(t *testing.T) {
			tx := pagedTestTx(t, b)
			if c.setup != nil {
				if err := c.setup(tx); err != nil {
					t.Fatal(err)
				}
			}
			got, err := pagedBuckets(tx, c.later)
			if got != nil || !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
				t.Errorf("pagedBuckets = %v, %v; want nil, %v", got, err, c.err)
			}
		})
	}
	// And the plain case: the held-back list in place of its bucket, a key
	// put without a value kept as an empty one.
	got, err := pagedBuckets(pagedTestTx(t, b), []newBucket{{name: []byte("big"), list: list("a", "b")}})
	if err != nil || len(got) != 2 || string(got[0].name) != "big" || len(got[0].list) != 2 ||
		string(got[1].name) != "small" || got[1].seq != 9 || len(got[1].list) != 1 || len(got[1].list[0].v) != 0 {
		t.Errorf("pagedBuckets = %+v, %v", got, err)
	}
}

// pagedTestTx begins a write transaction on b (rolled back at cleanup)
// with the buckets "big", empty, and "small", sequence 9, holding the key
// "k" put without a value.
func pagedTestTx(t *testing.T, b *bolt.DB) *bolt.Tx {
	t.Helper()
	tx, err := b.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.CreateBucket([]byte("big")); err != nil {
		t.Fatal(err)
	}
	small, err := tx.CreateBucket([]byte("small"))
	if err == nil {
		err = small.Put([]byte("k"), nil)
	}
	if err == nil {
		err = small.SetSequence(9)
	}
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// BenchmarkWriteBoltFile writes buckets shaped like those of 10 MB of
// notes (178k cards): cards of 400 bytes, order and byfile keys.
func BenchmarkWriteBoltFile(b *testing.B) {
	const n = 178_000
	var cards, order, byfile []kv
	value := bytes.Repeat([]byte("v"), 400)
	for i := range n {
		cards = append(cards, kv{k: fmt.Appendf(nil, "%08d", i), v: value})
		order = append(order, kv{k: fmt.Appendf(nil, "%08d%08d%08d", i/50, i%50, i), v: []byte{0}})
		byfile = append(byfile, kv{k: fmt.Appendf(nil, "/notes/conf-%04d.md\x00%08d", i/50, i)})
	}
	buckets := []newBucket{{name: bByFile, list: byfile}, {name: bCards, list: cards}, {name: bOrder, list: order}}
	dir := b.TempDir()
	for b.Loop() {
		path := filepath.Join(dir, "t.db")
		if err := writeBoltFile(path, os.Getpagesize(), buckets); err != nil {
			b.Fatal(err)
		}
		os.Remove(path)
	}
}
