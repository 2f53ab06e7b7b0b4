package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

func TestHeatLevels(t *testing.T) {
	tests := []struct {
		counts []int
		levels [4]int
		legend string
		shades string // of 0..6 answers
	}{
		{nil, [4]int{}, "· none", "·██████"},
		{[]int{0, 5, 0}, [4]int{5, 5, 5, 5}, "· none  ░ 1-5", "·░░░░░█"},
		{[]int{1, 2, 3, 4}, [4]int{1, 2, 3, 4}, "· none  ░ 1  ▒ 2  ▓ 3  █ 4", "·░▒▓███"},
		{[]int{3, 3, 3, 3, 6}, [4]int{3, 3, 3, 6}, "· none  ░ 1-3  █ 4-6", "·░░░███"},
		{[]int{1, 1, 1, 1, 1, 1, 1, 2, 4, 6}, [4]int{1, 1, 2, 6}, "· none  ░ 1  ▓ 2  █ 3-6", "·░▓████"},
	}
	for _, tt := range tests {
		b := heatLevels(tt.counts)
		if b != tt.levels {
			t.Errorf("heatLevels(%v) = %v, want %v", tt.counts, b, tt.levels)
		}
		if got := heatLegend(b); got != tt.legend {
			t.Errorf("legend(%v) = %q, want %q", b, got, tt.legend)
		}
		var s strings.Builder
		for n := range 7 {
			s.WriteString(heatShade(n, b))
		}
		if s.String() != tt.shades {
			t.Errorf("shades(%v) = %q, want %q", b, s.String(), tt.shades)
		}
	}
}

func TestStatsFormats(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{duration(0), "0s"}, {duration(59_400_000_000), "59s"}, {duration(185e9), "3m05s"}, {duration(7440e9), "2h04m"},
		{ago(10, 10), "today"}, {ago(9, 10), "yesterday"}, {ago(3, 10), "7d ago"}, {ago(11, 10), "1970-01-12"},
		{fmt.Sprint(weekday(0), weekday(4), weekday(-1)), "3 0 2"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestStatsReportFits80 reviews the demo deck over several days as two users
// and checks the reports as a person would get them through a pipe: every
// line within 80 columns, no escape codes, every section there.
func TestStatsReportFits80(t *testing.T) {
	env := map[string]string{"TALKCARDS_DB": filepath.Join(t.TempDir(), "t.db"), "TZ": "UTC", "NO_COLOR": "1"}
	getenv := func(k string) string { return env[k] }
	answers := strings.Repeat("\n5\n\n2\n\n4\n\n3\n\n4\n", 40)
	for _, user := range []string{"ana", "bo"} {
		for d := 1; d <= 9; d += 2 {
			env["TALKCARDS_NOW"] = fmt.Sprintf("2026-11-%02dT09:00:00Z", d)
			var out, errb bytes.Buffer
			if code := run([]string{"--user", user, "review", "--plain", "--limit", "30"}, strings.NewReader(answers), &out, &errb, getenv); code != 0 {
				t.Fatalf("review: %d %s", code, errb.String())
			}
		}
	}
	env["TALKCARDS_NOW"] = "2026-11-10T09:00:00Z"
	for _, args := range [][]string{
		{"--user", "ana", "stats"}, {"--user", "bo", "stats", "--talk", "concurrency"}, {"stats", "--all-users"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errb, getenv); code != 0 {
			t.Fatalf("%v: %d %s", args, code, errb.String())
		}
		report := out.String()
		for _, l := range strings.Split(report, "\n") {
			if w := runewidth.StringWidth(l); w > 80 {
				t.Errorf("%v: line of %d columns: %q", args, w, l)
			}
		}
		if strings.Contains(report, "\x1b") {
			t.Errorf("%v: escape codes without a terminal", args)
		}
		if args[len(args)-1] != "--all-users" {
			for _, section := range []string{"Remembering", "Coming up", "Weak spots", "Streak", "True retention", "Activity",
				"Cards", "Due", "Answers per day", "Intervals", "Talks", "Hardest cards", "Quiz scores"} {
				if !strings.Contains(report, section) {
					t.Errorf("%v: no %q in\n%s", args, section, report)
				}
			}
		}
	}
}
