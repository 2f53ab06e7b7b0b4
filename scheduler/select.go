package scheduler

import (
	"cmp"
	"slices"
)

// Candidate is a card storage offers from its due index.
type Candidate struct {
	ID  string
	Due Day
	Seq int // the card's position in note order, to break ties
}

// PlanOptions limit a session.
type PlanOptions struct {
	Limit        int // cards in the whole session; 0 or less means no limit
	NewPerDay    int // new cards a day may introduce; 0 means none
	NewSeenToday int // new cards already introduced today, in earlier sessions
}

// Plan orders a session: first the candidates due on or before today, most
// overdue first (ties by Seq, then ID), then new cards in the order given, at
// most NewPerDay-NewSeenToday of them; the whole list cut at Limit. An ID
// listed twice is planned once, at its first place.
func Plan(due []Candidate, newIDs []string, today Day, opts PlanOptions) []string {
	reviews := make([]Candidate, 0, len(due))
	for _, c := range due {
		if c.Due <= today {
			reviews = append(reviews, c)
		}
	}
	slices.SortFunc(reviews, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.ID, b.ID))
	})

	limit := len(reviews) + len(newIDs)
	if opts.Limit > 0 {
		limit = min(limit, opts.Limit)
	}
	plan := make([]string, 0, limit)
	planned := make(map[string]bool, limit)
	add := func(id string) {
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
