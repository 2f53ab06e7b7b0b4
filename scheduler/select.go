package scheduler

import (
	"cmp"
	"slices"
)

// Candidate is a card storage offers from its due index. Its ID, of type K,
// is anything that orders as the card IDs do: the ID itself, or a compact
// key (storage hands out a number per card, so a day's thousands of due
// cards need no string each).
type Candidate[K cmp.Ordered] struct {
	ID  K
	Due Day
	Seq int32 // the card's position in note order, to break ties
}

// PlanOptions limit a session.
type PlanOptions struct {
	Limit        int // cards in the whole session; 0 or less means no limit
	NewPerDay    int // new cards a day may introduce; 0 means none
	NewSeenToday int // new cards already introduced today, in earlier sessions
}

// Plan is the order of a session: first the candidates due on or before
// today, most overdue first (ties by Seq, then ID), then new cards in the
// order given, at most NewPerDay-NewSeenToday of them; the whole list cut
// at Limit. An ID listed twice is planned once, at its first place.
//
// A session on a large collection plans thousands of due cards and shows a
// few, so the plan orders itself as it is read: when At reaches a due day,
// that day's cards become a heap, and each card At reads after is taken
// from it (a day's thousands are never sorted for a session that shows a
// few). Len and Reviews are known at once.
type Plan[K cmp.Ordered] struct {
	// due is by day: due[:sorted] in plan order, then the rest of the day
	// At is in, due[sorted:dayEnd], as a heap, then the days after.
	due     []Candidate[K]
	sorted  int
	dayEnd  int
	reviews int // due reviews planned: due[:reviews]
	fresh   []K // new cards planned, after the reviews
}

// NewPlan plans a session (see Plan). It keeps due and reorders it in
// place. Candidates as storage lists them (by due day, then ID, each card
// once) are checked in one pass and ordered a day at a time as the session
// reaches them; any other list is sorted whole at once.
func NewPlan[K cmp.Ordered](due []Candidate[K], newIDs []K, today Day, opts PlanOptions) *Plan[K] {
	due = slices.DeleteFunc(due, func(c Candidate[K]) bool { return c.Due > today })
	p := &Plan[K]{due: due}
	var planned map[K]bool // the due IDs, when due had to be made unique
	if !byDayThenID(due) || repeatsAcrossDays(due) {
		slices.SortFunc(due, compareCandidates)
		planned = make(map[K]bool, len(due))
		p.due = due[:0]
		for _, c := range due {
			if !planned[c.ID] {
				planned[c.ID] = true
				p.due = append(p.due, c)
			}
		}
		p.sorted, p.dayEnd = len(p.due), len(p.due)
	}

	limit := len(p.due) + len(newIDs)
	if opts.Limit > 0 {
		limit = min(limit, opts.Limit)
	}
	p.reviews = min(len(p.due), limit)
	newLeft := max(0, opts.NewPerDay-opts.NewSeenToday)
	if newLeft == 0 || p.reviews == limit {
		return p
	}
	if planned == nil {
		planned = dueAmong(p.due, newIDs)
	}
	for _, id := range newIDs {
		if newLeft == 0 || p.Len() == limit {
			break
		}
		if !planned[id] {
			planned[id] = true
			p.fresh = append(p.fresh, id)
			newLeft--
		}
	}
	return p
}

func compareCandidates[K cmp.Ordered](a, b Candidate[K]) int {
	return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
}

// byDayThenID reports whether due is sorted by day, then by ID with no ID
// twice in a day.
func byDayThenID[K cmp.Ordered](due []Candidate[K]) bool {
	for i := 1; i < len(due); i++ {
		a, b := due[i-1], due[i]
		if a.Due > b.Due || (a.Due == b.Due && a.ID >= b.ID) {
			return false
		}
	}
	return true
}

// repeatsAcrossDays reports whether an ID is due on two days of due (sorted
// by byDayThenID), merging the days' ID lists: O(cards × log days), no copy.
func repeatsAcrossDays[K cmp.Ordered](due []Candidate[K]) bool {
	type run struct{ next, end int }
	var h []run // a min-heap of the days by their next ID
	for i := 0; i < len(due); {
		j := i + 1
		for j < len(due) && due[j].Due == due[i].Due {
			j++
		}
		h = append(h, run{i, j})
		i = j
	}
	if len(h) < 2 {
		return false
	}
	less := func(a, b int) bool { return due[h[a].next].ID < due[h[b].next].ID }
	down := func(i int) {
		for {
			m := i
			if l := 2*i + 1; l < len(h) && less(l, m) {
				m = l
			}
			if r := 2*i + 2; r < len(h) && less(r, m) {
				m = r
			}
			if m == i {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	last, first := due[0].ID, true
	for len(h) > 0 {
		id := due[h[0].next].ID
		if !first && id == last {
			return true
		}
		last, first = id, false
		if h[0].next++; h[0].next == h[0].end {
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	return false
}

// dueAmong returns the set of the IDs of ids that are in due: one pass over
// due, a binary search each in a sorted copy of ids (a few new cards).
func dueAmong[K cmp.Ordered](due []Candidate[K], ids []K) map[K]bool {
	out := make(map[K]bool, len(ids))
	if len(ids) == 0 {
		return out
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for _, c := range due {
		if _, ok := slices.BinarySearch(sorted, c.ID); ok {
			out[c.ID] = true
		}
	}
	return out
}

// Len is the number of cards planned.
func (p *Plan[K]) Len() int { return p.reviews + len(p.fresh) }

// Reviews is the number of due reviews planned; they come first, the new
// cards after them.
func (p *Plan[K]) Reviews() int { return p.reviews }

// At is the i-th card of the plan, 0 ≤ i < Len, and whether it is new.
func (p *Plan[K]) At(i int) (id K, isNew bool) {
	if i >= p.reviews {
		return p.fresh[i-p.reviews], true
	}
	for i >= p.sorted {
		if p.sorted == p.dayEnd { // the next day's cards become a heap
			p.dayEnd = p.sorted + 1
			for p.dayEnd < len(p.due) && p.due[p.dayEnd].Due == p.due[p.sorted].Due {
				p.dayEnd++
			}
			for j := (p.dayEnd-p.sorted)/2 - 1; j >= 0; j-- {
				p.down(j)
			}
		}
		// The heap's root (its first card) goes to due[sorted], in the
		// place of the heap's last element, which moves to the root.
		last := p.dayEnd - 1
		p.due[last], p.due[p.sorted] = p.due[p.sorted], p.due[last]
		p.sorted++
		p.down(0)
	}
	return p.due[i].ID, false
}

// down restores the day heap from its element j down. The heap is laid out
// backwards, element j at due[dayEnd-1-j], so that taking the root leaves
// it at the front: due[sorted:dayEnd] are the elements size-1 down to 0.
func (p *Plan[K]) down(j int) {
	size := p.dayEnd - p.sorted
	at := func(j int) *Candidate[K] { return &p.due[p.dayEnd-1-j] }
	less := func(a, b *Candidate[K]) bool { return a.Seq < b.Seq || (a.Seq == b.Seq && a.ID < b.ID) }
	for {
		m := j
		if l := 2*j + 1; l < size && less(at(l), at(m)) {
			m = l
		}
		if r := 2*j + 2; r < size && less(at(r), at(m)) {
			m = r
		}
		if m == j {
			return
		}
		*at(j), *at(m) = *at(m), *at(j)
		j = m
	}
}

// IDs lists the whole plan.
func (p *Plan[K]) IDs() []K {
	out := make([]K, p.Len())
	for i := range out {
		out[i], _ = p.At(i)
	}
	return out
}

// newFrom is the number of new cards among At(i) and after.
func (p *Plan[K]) newFrom(i int) int { return len(p.fresh) - max(0, i-p.reviews) }
