package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
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

// jsonTitles are strings encoding/json and escapeC1 treat apart: quotes,
// backslashes, control and C1 characters, HTML, line separators, invalid
// UTF-8, wide runes.
var jsonTitles = []string{"Go at Scale", "", "Café — naïve", `say "hi" \ bye`, "tab\tnew\nline\r", "C1 \u0085 \u009b[31m",
	"\x1b[31mred\x00", "\u2028 and \u2029", "<b>&amp;</b>", "bad \xff\xfe utf8", "emoji 🎉 漢字", "del \x7f", "\u00a0nbsp"}

// statsFixture is a report with varied figures: shares that are null,
// whole, repeating and tiny (exponent form), days before 1970 and later,
// answered and never answered talks.
func statsFixture(seed uint64, talks int) *storage.Stats {
	rng := rand.New(rand.NewPCG(seed, 9))
	pick := func() string { return jsonTitles[rng.IntN(len(jsonTitles))] }
	ratio := func() storage.Ratio {
		switch rng.IntN(5) {
		case 0:
			return storage.Ratio{}
		case 1:
			return storage.Ratio{Answers: 30_000_000, Passed: 1 + rng.IntN(3)}
		case 2:
			return storage.Ratio{Answers: 3, Passed: 3}
		}
		n := 1 + rng.IntN(1000)
		return storage.Ratio{Answers: n, Passed: rng.IntN(n + 1)}
	}
	st := &storage.Stats{User: "ann", Today: scheduler.Day(20000 + rng.IntN(400)), Known: true, Active: seed%3 != 0,
		Reviews: ratio(), Overdue: rng.IntN(5), DueToday: rng.IntN(50), Next30: rng.IntN(500),
		CurrentStreak: rng.IntN(9), LongestStreak: 9}
	if seed%2 == 1 {
		st.Talk = pick()
	}
	st.LastDay = st.Today + scheduler.Day(rng.IntN(3)-1)
	st.Cards = storage.CardCounts{New: rng.IntN(9), Learning: rng.IntN(9), Mature: rng.IntN(9), Retired: rng.IntN(2)}
	for i := range st.Activity {
		st.Activity[i] = storage.Activity{Reviews: rng.IntN(99), Repeats: rng.IntN(9), Quiz: rng.IntN(9), Time: time.Duration(rng.IntN(1e12))}
	}
	for i := range st.Retention {
		st.Retention[i] = storage.Retention{Young: ratio(), Mature: ratio()}
	}
	for i := range st.Forecast {
		st.Forecast[i] = rng.IntN(20)
	}
	for i := range st.Heatmap {
		if rng.IntN(3) == 0 {
			st.Heatmap[i] = rng.IntN(100)
		}
	}
	for _, b := range []storage.HistBucket{{Label: "1d", Max: 2}, {Label: "1y+", Min: 365}} {
		b.Cards = rng.IntN(9)
		st.Intervals = append(st.Intervals, b)
	}
	for _, b := range []storage.HistBucket{{Label: "1.30-1.69", Min: 1.3, Max: 1.7}, {Label: "2.70+", Min: 2.7}} {
		b.Cards = rng.IntN(9)
		st.Easiness = append(st.Easiness, b)
	}
	for range rng.IntN(3) {
		st.Hardest = append(st.Hardest, storage.HardCard{ID: "0123456789abcdef", TalkSlug: "s", TalkTitle: pick(), Prompt: pick(),
			Lapses: rng.IntN(5), Easiness: 1.3 + rng.Float64(), Interval: rng.IntN(100)})
	}
	for i := range talks {
		ts := storage.TalkStats{Slug: fmt.Sprintf("talk-%d", i), Title: pick(), Reviews: ratio(), Quiz: ratio(),
			DueToday: rng.IntN(30), LastDay: scheduler.Day(rng.IntN(40000) - 20000), Answered: rng.IntN(2) == 0}
		if rng.IntN(4) > 0 {
			ts.Cards = storage.CardCounts{New: rng.IntN(9), Learning: rng.IntN(3), Young: rng.IntN(3), Mature: rng.IntN(9), Suspended: rng.IntN(2)}
		}
		if i%7 == 3 {
			ts.Slug = pick()
		}
		st.Talks = append(st.Talks, ts)
	}
	return st
}

// TestStatsJSONStreamed checks that the hand-written encoder of stats
// --json writes what encoding/json writes of the same report.
func TestStatsJSONStreamed(t *testing.T) {
	for seed := range uint64(40) {
		st := statsFixture(seed, int(seed%4)*int(seed))
		var want, got bytes.Buffer
		if err := writeJSON(&want, newStatsJSON(st)); err != nil {
			t.Fatal(err)
		}
		if err := writeStatsJSON(&got, st); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("seed %d:\n got %s\nwant %s", seed, got.String(), want.String())
		}
	}
	for n := range 4 {
		var all []*storage.Stats
		for i := range n {
			st := statsFixture(uint64(100+i), 3*i)
			st.User = fmt.Sprint("user", i)
			all = append(all, st)
		}
		var want, got bytes.Buffer
		if err := writeJSON(&want, newAllUsersJSON(all)); err != nil {
			t.Fatal(err)
		}
		if err := writeAllUsersJSON(&got, all); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("%d users:\n got %s\nwant %s", n, got.String(), want.String())
		}
	}
}

// TestTalksJSONStreamed checks the hand-written encoder of talks --json
// against encoding/json.
func TestTalksJSONStreamed(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pick := func() string { return jsonTitles[rng.IntN(len(jsonTitles))] }
	for n := range 12 {
		rows := []talkJSON{}
		for i := range n {
			r := talkJSON{Slug: pick(), Title: pick(), Speaker: pick(), Event: pick(), Files: []string{},
				Cards: rng.IntN(100), New: rng.IntN(50), Due: i, Retired: rng.IntN(3)}
			for range rng.IntN(4) {
				r.Files = append(r.Files, pick())
			}
			rows = append(rows, r)
		}
		var want, got bytes.Buffer
		if err := writeJSON(&want, rows); err != nil {
			t.Fatal(err)
		}
		if err := writeTalksJSON(&got, rows); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("%d talks:\n got %s\nwant %s", n, got.String(), want.String())
		}
	}
}

func TestAppendDay(t *testing.T) {
	days := []scheduler.Day{0, -1, 1, 20000, -719528, -719529, 2932896, 2932897, math.MinInt32, math.MaxInt32}
	for d := scheduler.Day(-800000); d < 3000000; d += 997 {
		days = append(days, d)
	}
	for _, d := range days {
		if got := string(appendDay(nil, d)); got != d.String() {
			t.Errorf("day %d: %q, want %q", d, got, d.String())
		}
	}
}

// BenchmarkStatsJSON writes the talk lines of a big collection's report.
func BenchmarkStatsJSON(b *testing.B) {
	st := statsFixture(1, 31680)
	for i := range st.Talks {
		st.Talks[i].Title = fmt.Sprintf("A talk about things, number %d", i)
	}
	var out bytes.Buffer
	b.ReportAllocs()
	if err := writeStatsJSON(&out, st); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(out.Len()))
	for b.Loop() {
		if err := writeStatsJSON(io.Discard, st); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBigTableAsTable checks the talks table of the text report against the
// general table printer, on cells that oneLine cleans and runewidth
// measures: accents, wide runes, emoji, controls, runs of spaces, long
// titles, at several widths.
func TestBigTableAsTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cells := append([]string{"  two  spaces  ", " lead", "trail ", "a\tb", "x\u00a0y", "ｗｉｄｅ全角", "👩‍👩‍👧 family",
		strings.Repeat("long title ", 12), strings.Repeat("長い", 30), "plain words", "12", "100%", "never", "—"}, jsonTitles...)
	for _, width := range []int{20, 40, 80} {
		for n := range 30 {
			mk := func() *table {
				return &table{header: []string{"TALK", "CARDS", "MATURE", "RETENTION", "DUE", "LAST"},
					right: []bool{false, true, true, true, true, false}, flex: []int{1, 0, 0, 0, 0, 0}}
			}
			want, got := mk(), mk()
			var rows []string
			for range n {
				row := make([]string, 6)
				for i := range row {
					row[i] = cells[rng.IntN(len(cells))]
				}
				rows = append(rows, row...)
				want.add(slices.Clone(row)...)
			}
			a := &statsPrinter{width: width}
			a.table(want)
			var b strings.Builder
			writeBigTable(&b, got, slices.Clone(rows), width-2, "  ")
			if b.String() != a.b.String() {
				t.Fatalf("width %d, %d rows:\n got %s\nwant %s", width, n, b.String(), a.b.String())
			}
			var plain strings.Builder
			_ = want.render(&plain, width)
			b.Reset()
			writeBigTable(&b, got, slices.Clone(rows), width, "")
			if b.String() != plain.String() {
				t.Fatalf("width %d, %d rows, no indent:\n got %s\nwant %s", width, n, b.String(), plain.String())
			}
		}
	}
}

// TestAppendJSONString checks the quoting of the JSON writers against
// encoding/json and escapeC1, around every rune class they treat apart.
func TestAppendJSONString(t *testing.T) {
	pieces := append([]string{"a", "é", "\u007f", "\u0080", "\u009f", "\u00a0", "\u2027", "\u2028", "\u2029", "\u202a",
		"\ufffd", "\xc2", "\xc2\x85", "\xe2\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\U0010ffff", `"`, `\`, "\x1f", " ", "~"},
		jsonTitles...)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var s string
		for range rng.IntN(4) {
			s += pieces[rng.IntN(len(pieces))]
		}
		want, err := encodeJSON(s, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("%q: got %s, want %s", s, got[1:], want)
		}
	}
}
