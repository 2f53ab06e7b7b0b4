package scheduler

import (
	"fmt"
	"testing"
)

// BenchmarkPlan orders a day's due reviews and new cards, as review does
// before showing the first card.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		due := make([]Candidate, n)
		for i := range due {
			due[i] = Candidate{ID: fmt.Sprintf("%016x", i*7919), Due: Day(20000 - i%30), Seq: i % 50}
		}
		newIDs := []string{"a", "b", "c"}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Plan(due, newIDs, 20000, PlanOptions{NewPerDay: 20})
			}
		})
	}
}

func BenchmarkApply(b *testing.B) {
	s := NewState()
	for i := 0; b.Loop(); i++ {
		s = Apply(s, i == 0, Grade(3+i%3), Day(20000+i))
	}
}
