package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// sortKV must leave every list in key order, whatever way it takes: the
// radix sort of 8-byte keys, the runs of a prefix and 8 bytes, or the
// comparison sort when the runs are not so.
func TestSortKV(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	key8 := func(mask uint64) []byte { return binary.BigEndian.AppendUint64(nil, r.Uint64()&mask) }
	runsOf := func(prefixes []string, n int) []kv {
		var list []kv
		for _, p := range prefixes {
			for range 1 + r.IntN(n) {
				list = append(list, kv{k: append([]byte(p), key8(^uint64(0))...)})
			}
		}
		return list
	}
	cases := map[string][]kv{}
	for _, n := range []int{0, 1, 2, 255, 256, 257, 5000} {
		var list []kv
		for range n {
			list = append(list, kv{k: key8(^uint64(0))})
		}
		cases[fmt.Sprint(n, " random 8-byte keys")] = list
	}
	var alike []kv // the high bytes alike: the radix sort skips their passes
	for range 3000 {
		alike = append(alike, kv{k: key8(0xffff)})
	}
	cases["8-byte keys, high bytes alike"] = alike
	var paths []string
	for i := range 60 {
		paths = append(paths, fmt.Sprintf("/notes/%c/talk-%d.md\x00", 'a'+rune(r.IntN(26)), i))
	}
	r.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	// Runs (kept as made, in the order of their prefixes here).
	cases["runs: file index"] = runsOf(paths, 200)
	cases["runs: one"] = runsOf(paths[:1], 3000)
	cases["runs: a prefix beginning another"] = runsOf([]string{"/notes/a", "/notes/b", "/notes/a/b", "/notes/c", "/notes/"}, 300)
	cases["runs: a prefix twice"] = runsOf([]string{"/x\x00", "/y\x00", "/x\x00", "/w\x00"}, 300)
	cases["runs: of one key"] = runsOf(paths, 1)
	short := runsOf(paths[:5], 200)
	short = append(short, kv{k: []byte("abc")}, kv{k: []byte("/notes/")})
	cases["runs: and short keys"] = short
	for name, list := range cases {
		t.Run(name, func(t *testing.T) {
			for i := range list {
				list[i].v = []byte{byte(i)} // travels with its key
			}
			if !strings.HasPrefix(name, "runs:") {
				r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
			}
			want := slices.Clone(list)
			slices.SortStableFunc(want, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
			sortKV(list)
			for i := range list {
				if !bytes.Equal(list[i].k, want[i].k) || !bytes.Equal(list[i].v, want[i].v) {
					t.Fatalf("at %d of %d: key %q value %v, want %q %v", i, len(list), list[i].k, list[i].v, want[i].k, want[i].v)
				}
			}
		})
	}
}
