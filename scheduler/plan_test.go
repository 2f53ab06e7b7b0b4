package scheduler

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// planReference is the plan ordered the plain way, all at once: the
// candidates due by today sorted whole, duplicates dropped with a set.
func planReference[ID cmp.Ordered](due []Candidate[ID], newIDs []ID, today Day, opts PlanOptions) []ID {
	var reviews []Candidate[ID]
	for _, c := range due {
		if c.Due <= today {
			reviews = append(reviews, c)
		}
	}
	slices.SortFunc(reviews, func(a, b Candidate[ID]) int {
		return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})
	limit := len(reviews) + len(newIDs)
	if opts.Limit > 0 {
		limit = min(limit, opts.Limit)
	}
	plan := []ID{}
	planned := map[ID]bool{}
	add := func(id ID) {
		if len(plan) < limit && !planned[id] {
			planned[id] = true
			plan = append(plan, id)
		}
	}
	for _, c := range reviews {
		add(c.ID)
	}
	newLeft := max(0, opts.NewPerDay-opts.NewSeenToday)
	for _, id := range newIDs {
		if newLeft == 0 || len(plan) == limit {
			break
		}
		if !planned[id] {
			add(id)
			newLeft--
		}
	}
	return plan
}

// randomPlanInput makes candidates over a few days, and new IDs some of
// which are due too. inIndexOrder gives them as storage's due index does
// (by day, then ID, each ID once); else in any order, with repeats.
func randomPlanInput(r *rand.Rand, inIndexOrder bool) ([]Candidate[uint64], []uint64) {
	n := r.IntN(60)
	ids := r.IntN(80) + 1
	var due []Candidate[uint64]
	seen := map[uint64]bool{}
	for range n {
		c := Candidate[uint64]{ID: uint64(r.IntN(ids)), Due: Day(95 + r.IntN(8)), Seq: int32(r.IntN(5))}
		if inIndexOrder && seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		due = append(due, c)
	}
	if inIndexOrder {
		slices.SortFunc(due, func(a, b Candidate[uint64]) int {
			return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.ID, b.ID))
		})
	}
	newIDs := make([]uint64, r.IntN(10))
	for i := range newIDs {
		newIDs[i] = uint64(r.IntN(ids + 20))
	}
	return due, newIDs
}

func TestPlanMatchesFullSort(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1))
	for i := range 3000 {
		due, newIDs := randomPlanInput(r, i%2 == 0)
		if i%7 == 0 && len(due) > 1 { // one ID due on two days
			due[len(due)-1].ID = due[0].ID
		}
		opts := PlanOptions{Limit: r.IntN(40) - 5, NewPerDay: r.IntN(8), NewSeenToday: r.IntN(3)}
		want := planReference(due, newIDs, 100, opts)
		input := fmt.Sprint(due, newIDs, opts)
		p := NewPlan(slices.Clone(due), newIDs, 100, opts)
		if p.Len() != len(want) {
			t.Fatalf("%s: Len %d, want %d", input, p.Len(), len(want))
		}
		reviews := 0
		for j, id := range want {
			got, isNew := p.At(j)
			if got != id {
				t.Fatalf("%s:\nplan %v\nwant %v", input, p.IDs(), want)
			}
			if isNew != (j >= p.Reviews()) {
				t.Fatalf("%s: card %d new %v with %d reviews", input, j, isNew, p.Reviews())
			}
			if !slices.ContainsFunc(due, func(c Candidate[uint64]) bool { return c.ID == id && c.Due <= 100 }) {
				continue
			}
			reviews++
		}
		if reviews != p.Reviews() {
			t.Fatalf("%s: Reviews %d, want %d", input, p.Reviews(), reviews)
		}
	}
}

// TestPlanQueueMatchesList plays random sessions on a queue that takes
// cards from a plan as it needs them and on one made of the whole list at
// once: every showing, count and undo must agree.
func TestPlanQueueMatchesList(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	for range 500 {
		due, newIDs := randomPlanInput(r, true)
		p := NewPlan(slices.Clone(due), newIDs, 100, PlanOptions{NewPerDay: 5})
		ids := p.IDs()
		lazy := NewPlan(slices.Clone(due), newIDs, 100, PlanOptions{NewPerDay: 5}).Queue()
		whole := NewQueue(ids, func(id uint64) bool { return slices.Index(ids, id) >= p.Reviews() })
		for step := 0; step < 200; step++ {
			lid, lrep, lok := lazy.Next()
			wid, wrep, wok := whole.Next()
			if lid != wid || lrep != wrep || lok != wok {
				t.Fatalf("plan %v step %d: Next %v %v %v, want %v %v %v", ids, step, lid, lrep, lok, wid, wrep, wok)
			}
			ld, ln, lr := lazy.Remaining()
			wd, wn, wr := whole.Remaining()
			if ld != wd || ln != wn || lr != wr || lazy.Len() != whole.Len() {
				t.Fatalf("plan %v step %d: Remaining %d %d %d Len %d, want %d %d %d Len %d", ids, step, ld, ln, lr, lazy.Len(), wd, wn, wr, whole.Len())
			}
			if !lok {
				break
			}
			switch x := r.IntN(20); {
			case x == 0:
				lazy.Drop()
				whole.Drop()
			case x < 4:
				lu, lok := lazy.Undo()
				wu, wok := whole.Undo()
				if lu != wu || lok != wok {
					t.Fatalf("plan %v step %d: Undo %v %v, want %v %v", ids, step, lu, lok, wu, wok)
				}
			default:
				g := Grade(r.IntN(6))
				if err := lazy.Answer(lid, g); err != nil {
					t.Fatal(err)
				}
				if err := whole.Answer(wid, g); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
