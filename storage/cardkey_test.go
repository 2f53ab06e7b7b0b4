package storage

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCardKey: a key gives its ID back, and keys order as their IDs do (the
// plan of a review sorts keys in the place of IDs).
func TestCardKey(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	prev, prevID := CardKey(0), "0000000000000000"
	for i := range 1000 {
		id := fmt.Sprintf("%016x", r.Uint64()>>(r.IntN(64)))
		if i == 0 {
			id = "ffffffffffffffff"
		}
		k, err := ParseCardKey(id)
		if err != nil {
			t.Fatal(err)
		}
		if k.ID() != id || fmt.Sprint(k) != id {
			t.Fatalf("ParseCardKey(%s).ID() = %s", id, k.ID())
		}
		if (k < prev) != (id < prevID) || (k == prev) != (id == prevID) {
			t.Fatalf("%s < %s is %v, but keys %d < %d", id, prevID, id < prevID, k, prev)
		}
		prev, prevID = k, id
	}
	for _, bad := range []string{"", "0123", "0123456789ABCDEF", "0123456789abcdeg", "0123456789abcdef0"} {
		if _, err := ParseCardKey(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("ParseCardKey(%q) = %v, want ErrNotFound", bad, err)
		}
	}
}
