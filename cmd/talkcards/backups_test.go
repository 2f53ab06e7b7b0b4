package main

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestPrunable guards the retention of README "Your data is safe": the 5
// newest automatic backups, the newest of each of the last 10 days and of
// each of the last 8 ISO weeks are kept; manual copies and the file just
// written are never pruned.
func TestPrunable(t *testing.T) {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC) // a Thursday, ISO week 1
	var list []backupFile
	add := func(at time.Time, reason string) string {
		p := fmt.Sprintf("/b/talkcards-%s-%s.db", at.Format(backupStamp), reason)
		list = append(list, backupFile{path: p, at: at, reason: reason})
		return p
	}
	oldManual := add(start.Add(-24*time.Hour), reasonManual)
	byDay := map[int]string{}
	for d := range 100 { // one daily backup a day for 100 days
		byDay[d] = add(start.AddDate(0, 0, d), "daily")
	}
	for i := range 3 { // three imports on the last day, after its daily one
		add(start.AddDate(0, 0, 99).Add(time.Duration(i+1)*time.Minute), "import")
	}
	pinned := byDay[3]
	pruned := prunable(list, []string{pinned})
	gone := map[string]bool{}
	for _, p := range pruned {
		gone[p] = true
	}
	if gone[oldManual] || gone[pinned] {
		t.Fatalf("pruned a manual or pinned backup")
	}
	var keptDays []int
	for d := range 100 {
		if !gone[byDay[d]] {
			keptDays = append(keptDays, d)
		}
	}
	// day 99: its newest is an import, but it is among the 5 newest; days
	// 90-98 daily; weekly: Sundays (ISO weeks end on Sunday, day 3 = Jan 4)
	// of the 8 newest weeks, minus those already kept; day 3 is pinned.
	want := []int{3, 52, 59, 66, 73, 80, 87, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99}
	if !slices.Equal(keptDays, want) {
		t.Errorf("kept days %v, want %v", keptDays, want)
	}
	if n := len(list) - len(pruned); n != len(want)+3+1 {
		t.Errorf("%d kept, want %d", n, len(want)+3+1)
	}
}
