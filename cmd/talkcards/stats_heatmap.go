package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// heatShades are the heatmap cells: no answers, then the four quartiles of
// the days with answers. Shape alone tells them apart, without colour.
var heatShades = []string{"·", "░", "▒", "▓", "█"}

// heatLevels returns the upper bounds of the four shades from the counts of
// the days with answers: the 25th, 50th and 75th percentile and the maximum.
func heatLevels(counts []int) [4]int {
	var nz []int
	for _, n := range counts {
		if n > 0 {
			nz = append(nz, n)
		}
	}
	var b [4]int
	if len(nz) == 0 {
		return b
	}
	slices.Sort(nz)
	for i := range 3 {
		b[i] = nz[(len(nz)*(i+1)-1)/4]
	}
	b[3] = nz[len(nz)-1]
	return b
}

// heatShade is the shade of a day with n answers.
func heatShade(n int, b [4]int) string {
	if n <= 0 {
		return heatShades[0]
	}
	for i, hi := range b {
		if n <= hi {
			return heatShades[i+1]
		}
	}
	return heatShades[4]
}

// heatLegend names the range of each shade in use: "░ 1-2  ▒ 3 ...".
func heatLegend(b [4]int) string {
	parts := []string{heatShades[0] + " none"}
	lo := 1
	for i, hi := range b {
		if hi < lo {
			continue
		}
		r := fmt.Sprint(lo)
		if hi > lo {
			r += "-" + fmt.Sprint(hi)
		}
		parts = append(parts, heatShades[i+1]+" "+r)
		lo = hi + 1
	}
	return strings.Join(parts, "  ")
}

// weekday of d, Monday 0 (day 0, 1970-01-01, was a Thursday).
func weekday(d scheduler.Day) int { return int(((d+3)%7 + 7) % 7) }

var weekdayNames = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// heatmap draws the last 52 weeks and this one: a column a week, Monday at
// the top, month names over the week their first day falls in.
func heatmap(st *storage.Stats, indent string) []string {
	b := heatLevels(st.Heatmap[:])
	today := st.Today
	start := today - scheduler.Day(weekday(today)) - 52*7
	weeks := 53
	count := func(d scheduler.Day) int { return st.Heatmap[storage.HeatmapDays-1-int(today-d)] }
	months := []rune(strings.Repeat(" ", weeks+3))
	free := 0
	for w := range weeks {
		for i := range 7 {
			d := start + scheduler.Day(w*7+i)
			if t := d.Time(nil); t.Day() == 1 && w >= free {
				copy(months[w:], []rune(t.Format("Jan")))
				free = w + 4
			}
		}
	}
	lines := []string{indent + "    " + strings.TrimRight(string(months), " ")}
	for row := range 7 {
		var sb strings.Builder
		sb.WriteString(indent + weekdayNames[row] + " ")
		for w := range weeks {
			d := start + scheduler.Day(w*7+row)
			if d > today {
				break
			}
			sb.WriteString(heatShade(count(d), b))
		}
		lines = append(lines, sb.String())
	}
	return append(lines, indent+"    "+heatLegend(b))
}
