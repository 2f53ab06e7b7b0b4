package scheduler

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
)

// BenchmarkPlan orders a day's due reviews and new cards and takes the
// first card, as review does before showing it: "ids" from any list of
// string IDs, "keys" from numeric keys in due-index order (by day, then
// key), as storage lists them on a large collection.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		due := make([]Candidate[string], n)
		keys := make([]Candidate[uint64], n)
		for i := range due {
			due[i] = Candidate[string]{ID: fmt.Sprintf("%016x", i*7919), Due: Day(20000 - i%30), Seq: int32(i % 50)}
			keys[i] = Candidate[uint64]{ID: uint64(i * 7919), Due: due[i].Due, Seq: due[i].Seq}
		}
		slices.SortFunc(keys, func(a, b Candidate[uint64]) int { return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.ID, b.ID)) })
		b.Run(fmt.Sprint("ids/", n), func(b *testing.B) {
			benchPlan(b, due, []string{"a", "b", "c"})
		})
		b.Run(fmt.Sprint("keys/", n), func(b *testing.B) {
			benchPlan(b, keys, []uint64{1, 2, 3})
		})
	}
}

func benchPlan[ID cmp.Ordered](b *testing.B, due []Candidate[ID], newIDs []ID) {
	b.ReportAllocs()
	buf := make([]Candidate[ID], len(due))
	for b.Loop() {
		copy(buf, due)
		q := NewPlan(buf, newIDs, 20000, PlanOptions{NewPerDay: 20}).Queue()
		q.Next()
		q.Remaining()
	}
}

func BenchmarkApply(b *testing.B) {
	s := NewState()
	for i := 0; b.Loop(); i++ {
		s = Apply(s, i == 0, Grade(3+i%3), Day(20000+i))
	}
}
