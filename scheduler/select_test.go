package scheduler

import (
	"slices"
	"testing"
)

func TestPlan(t *testing.T) {
	const today Day = 100
	due := []Candidate[string]{
		{ID: "tomorrow", Due: 101, Seq: 0},
		{ID: "today-b", Due: 100, Seq: 2},
		{ID: "week-late", Due: 93, Seq: 9},
		{ID: "today-a", Due: 100, Seq: 1},
		{ID: "day-late-z", Due: 99, Seq: 5},
		{ID: "day-late-y", Due: 99, Seq: 5},
	}
	newIDs := []string{"n1", "n2", "n3", "n4"}
	tests := []struct {
		name   string
		due    []Candidate[string]
		newIDs []string
		opts   PlanOptions
		want   []string
	}{
		{
			name: "most overdue first, ties by seq then id, then new in order",
			due:  due, newIDs: newIDs,
			opts: PlanOptions{NewPerDay: 20},
			want: []string{"week-late", "day-late-y", "day-late-z", "today-a", "today-b", "n1", "n2", "n3", "n4"},
		},
		{
			name: "new per day",
			due:  due, newIDs: newIDs,
			opts: PlanOptions{NewPerDay: 2},
			want: []string{"week-late", "day-late-y", "day-late-z", "today-a", "today-b", "n1", "n2"},
		},
		{
			name: "new cards seen in earlier sessions count",
			due:  due, newIDs: newIDs,
			opts: PlanOptions{NewPerDay: 3, NewSeenToday: 2},
			want: []string{"week-late", "day-late-y", "day-late-z", "today-a", "today-b", "n1"},
		},
		{
			name: "daily new allowance used up",
			due:  due, newIDs: newIDs,
			opts: PlanOptions{NewPerDay: 3, NewSeenToday: 5},
			want: []string{"week-late", "day-late-y", "day-late-z", "today-a", "today-b"},
		},
		{
			name: "no new cards a day",
			due:  nil, newIDs: newIDs,
			opts: PlanOptions{NewPerDay: 0},
			want: []string{},
		},
		{
			name: "limit cuts new cards first",
			due:  due, newIDs: newIDs,
			opts: PlanOptions{Limit: 6, NewPerDay: 20},
			want: []string{"week-late", "day-late-y", "day-late-z", "today-a", "today-b", "n1"},
		},
		{
			name: "limit cuts due cards, least overdue go",
			due:  due, newIDs: newIDs,
			opts: PlanOptions{Limit: 2, NewPerDay: 20},
			want: []string{"week-late", "day-late-y"},
		},
		{
			name: "only new cards",
			due:  nil, newIDs: newIDs,
			opts: PlanOptions{Limit: 3, NewPerDay: 20},
			want: []string{"n1", "n2", "n3"},
		},
		{
			name: "nothing due yet",
			due:  []Candidate[string]{{ID: "later", Due: 200}}, newIDs: nil,
			opts: PlanOptions{NewPerDay: 20},
			want: []string{},
		},
		{
			name:   "duplicates planned once",
			due:    []Candidate[string]{{ID: "a", Due: 90}, {ID: "a", Due: 95}, {ID: "b", Due: 99}},
			newIDs: []string{"b", "n1", "n1", "n2"},
			opts:   PlanOptions{NewPerDay: 2},
			want:   []string{"a", "b", "n1", "n2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlan(slices.Clone(tt.due), tt.newIDs, today, tt.opts)
			if got := p.IDs(); !slices.Equal(got, tt.want) {
				t.Errorf("Plan = %q\nwant   %q", got, tt.want)
			}
		})
	}
}
