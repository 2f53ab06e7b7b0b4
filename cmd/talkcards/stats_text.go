package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// statsPrinter writes the terminal report. It fits 80 columns, and colour
// only repeats what the text says (NO_COLOR and pipes get the same words).
type statsPrinter struct {
	w     io.Writer
	p     painter
	width int
	b     strings.Builder
	err   error // the first write error
}

func (a *app) newStatsPrinter() *statsPrinter {
	return &statsPrinter{w: a.stdout, p: painter{colour: a.colour()}, width: min(a.width(), 80)}
}

func (sp *statsPrinter) line(format string, args ...any) {
	fmt.Fprintf(&sp.b, format, args...)
	sp.b.WriteString("\n")
}

func (sp *statsPrinter) heading(s string) {
	sp.b.WriteString("\n")
	sp.line("%s", sp.p.bold(s))
}

// flush writes what the report holds so far; it returns the first write
// error.
func (sp *statsPrinter) flush() error {
	if sp.err == nil {
		_, sp.err = io.WriteString(sp.w, sp.b.String())
	}
	sp.b.Reset()
	return sp.err
}

// pct is a share as a whole percentage, "—" when there is nothing to divide.
func pct(r storage.Ratio) string {
	v, ok := r.Share()
	if !ok {
		return "—"
	}
	return strconv.Itoa(int(math.Round(v*100))) + "%"
}

// paintPct colours a retention figure: green from 85%, red below 70%.
func (sp *statsPrinter) paintPct(r storage.Ratio, s string) string {
	v, ok := r.Share()
	switch {
	case !ok:
		return s
	case v >= 0.85:
		return sp.p.green(s)
	case v < 0.70:
		return sp.p.red(s)
	}
	return sp.p.yellow(s)
}

// ratioCell is "86% 6/7", or "— none" with no reviews.
func ratioCell(r storage.Ratio) string {
	if r.Answers == 0 {
		return "—"
	}
	return pct(r) + " " + strconv.Itoa(r.Passed) + "/" + strconv.Itoa(r.Answers)
}

// ratioWords is ratioCell for a sentence: "none yet" with no reviews.
func ratioWords(r storage.Ratio) string {
	if r.Answers == 0 {
		return "none yet"
	}
	return ratioCell(r)
}

// duration is a time spent, to the second: 45s, 3m05s, 2h04m.
func duration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm", s/3600, s/60%60)
}

// ago is how long before today a day was: "today", "yesterday", "12d ago";
// a day after today (a clock set back) is given as its date.
func ago(d, today scheduler.Day) string {
	switch n := int(today - d); {
	case n < 0:
		return d.String()
	case n == 0:
		return "today"
	case n == 1:
		return "yesterday"
	default:
		return strconv.Itoa(n) + "d ago"
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (sp *statsPrinter) scope(st *storage.Stats) string {
	if st.Talk == "" {
		return "all talks"
	}
	return "talk " + sanitize(st.Talks[0].Title)
}

// report is one user's report: a summary that answers "am I remembering,
// what is coming, where am I weak", then the figures behind it.
func (sp *statsPrinter) report(st *storage.Stats) error {
	day := st.Today.Time(nil)
	sp.line("%s", sp.p.bold(fmt.Sprintf("Stats for %s · %s · %s %s", st.User, sp.scope(st), day.Format("Mon"), st.Today)))
	for _, n := range statsNotes(st) {
		sp.line("note: %s", n)
	}
	if !st.Active {
		sp.b.WriteString("\n")
		of := ""
		if st.Talk != "" {
			of = " of this talk"
		}
		sp.line("No reviews by %s%s yet, so nothing to measure.", st.User, of)
		sp.cards(st)
		sp.b.WriteString("\n")
		sp.line("Start with 'talkcards review'; stats fill in from your first answer.")
		return sp.flush()
	}
	sp.summary(st)
	sp.retention(st)
	sp.activity(st)
	sp.heading("Cards")
	sp.cards(st)
	sp.forecast(st)
	sp.heading("Answers per day, last 52 weeks")
	for _, l := range heatmap(st, "  ") {
		sp.line("%s", l)
	}
	sp.histograms(st)
	sp.talks(st)
	sp.hardest(st)
	sp.quiz(st)
	return sp.flush()
}

const labelWidth = 13

func (sp *statsPrinter) labelled(label, format string, args ...any) {
	sp.line("%-*s%s", labelWidth, label, fmt.Sprintf(format, args...))
}

func (sp *statsPrinter) summary(st *storage.Stats) {
	sp.b.WriteString("\n")
	if st.Reviews.Answers == 0 {
		sp.labelled("Remembering", "no scheduled reviews yet: 'talkcards review' starts them")
	} else {
		sp.labelled("Remembering", "%s of %s recalled (graded 3+), all time",
			sp.paintPct(st.Reviews, pct(st.Reviews)), plural(st.Reviews.Answers, "scheduled review", "scheduled reviews"))
		r30 := st.Retention[1]
		sp.labelled("", "last 30 days: young cards %s, mature cards %s", ratioWords(r30.Young), ratioWords(r30.Mature))
	}
	coming := fmt.Sprintf("%d due today", st.DueToday)
	if st.Overdue > 0 {
		coming += fmt.Sprintf(" (%d overdue)", st.Overdue)
	}
	coming += fmt.Sprintf(" · %d tomorrow · %d in the next 30 days", st.Forecast[0], st.Next30)
	sp.labelled("Coming up", "%s", coming)
	for i, w := range weakSpots(st) {
		label := ""
		if i == 0 {
			label = "Weak spots"
		}
		sp.labelled(label, "%s", w)
	}
	streak := plural(st.CurrentStreak, "day", "days") + " in a row"
	if st.CurrentStreak == 0 {
		streak = "none: no answers today or yesterday"
	}
	sp.labelled("Streak", "%s · longest %s", streak, plural(st.LongestStreak, "day", "days"))
}

// weakSpots names the talk with the lowest retention and the cards that
// lapsed most.
func weakSpots(st *storage.Stats) []string {
	var parts []string
	var worst *storage.TalkStats
	var worstV float64
	for i := range st.Talks {
		t := &st.Talks[i]
		if v, ok := t.Reviews.Share(); ok && (worst == nil || v < worstV) {
			worst, worstV = t, v
		}
	}
	if worst != nil && len(st.Talks) > 1 && worstV < 1 {
		parts = append(parts, fmt.Sprintf("weakest talk: %s, %s recalled", truncate(sanitize(worst.Title), 40), ratioCell(worst.Reviews)))
	}
	lapsed := 0
	for _, h := range st.Hardest {
		if h.Lapses > 0 {
			lapsed++
		}
	}
	switch {
	case lapsed > 0:
		n := plural(lapsed, "card", "cards")
		if lapsed == storage.DefaultHardest {
			n = fmt.Sprintf("%d+ cards", lapsed)
		}
		parts = append(parts, n+" lapsed (below)")
	case len(parts) == 0:
		parts = append(parts, "none so far: no lapses")
	}
	return parts
}

func (sp *statsPrinter) retention(st *storage.Stats) {
	sp.heading("True retention: scheduled reviews graded 3+ (no repeats, no quizzes)")
	sp.line("  %-8s%18s%18s%18s", "", "7 days", "30 days", "365 days")
	row := func(name string, pick func(storage.Retention) storage.Ratio) {
		var cells []string
		for _, r := range st.Retention {
			c := ratioCell(pick(r))
			pad := strings.Repeat(" ", max(0, 18-runewidth.StringWidth(c)))
			cells = append(cells, pad+sp.paintPct(pick(r), c))
		}
		sp.line("  %-8s%s", name, strings.Join(cells, ""))
	}
	row("young", func(r storage.Retention) storage.Ratio { return r.Young })
	row("mature", func(r storage.Retention) storage.Ratio { return r.Mature })
	row("all", storage.Retention.All)
	sp.line("  %s", sp.p.dim(fmt.Sprintf("mature: interval before the review %d days or more; a first review is young", storage.MatureInterval)))
}

func (sp *statsPrinter) activity(st *storage.Stats) {
	sp.heading("Activity")
	sp.line("  %-8s%10s%10s%10s%10s", "", "today", "7 days", "30 days", "all time")
	row := func(name string, f func(storage.Activity) string) {
		var sb strings.Builder
		for _, a := range st.Activity {
			fmt.Fprintf(&sb, "%10s", f(a))
		}
		sp.line("  %-8s%s", name, sb.String())
	}
	row("reviews", func(a storage.Activity) string { return itoa(a.Reviews) })
	row("repeats", func(a storage.Activity) string { return itoa(a.Repeats) })
	row("quiz", func(a storage.Activity) string { return itoa(a.Quiz) })
	row("time", func(a storage.Activity) string { return duration(a.Time) })
}

func (sp *statsPrinter) cards(st *storage.Stats) {
	c := st.Cards
	s := fmt.Sprintf("%d new · %d learning · %d young · %d mature · %d suspended", c.New, c.Learning, c.Young, c.Mature, c.Suspended)
	sp.line("  %d cards: %s", c.Active(), s)
	if c.Retired > 0 {
		sp.line("  and %s (notes removed; history kept)", plural(c.Retired, "retired card", "retired cards"))
	}
	sp.line("  %s", sp.p.dim("learning: interval 1 day or less; young: 2-20 days; mature: 21 days or more"))
}

func (sp *statsPrinter) forecast(st *storage.Stats) {
	sp.heading("Due")
	var days, counts strings.Builder
	for i, n := range st.Forecast {
		t := (st.Today + scheduler.Day(i+1)).Time(nil)
		fmt.Fprintf(&days, "%8s", t.Format("Mon 2"))
		fmt.Fprintf(&counts, "%8d", n)
	}
	sp.line("  %-7s%s%9s", "today", days.String(), "30 days")
	sp.line("  %-7d%s%9d", st.DueToday, counts.String(), st.Next30)
	if st.Overdue > 0 {
		sp.line("  %s", fmt.Sprintf("today includes %d overdue", st.Overdue))
	}
}

// bar is a histogram bar of n out of most, at most width cells.
func bar(n, most, width int) string {
	if n == 0 || most == 0 {
		return ""
	}
	return strings.Repeat("█", max(1, n*width/most))
}

func (sp *statsPrinter) histograms(st *storage.Stats) {
	sp.heading(fmt.Sprintf("%-38s%s", "Intervals (cards in review)", "Easiness"))
	most := func(h []storage.HistBucket) int {
		m := 0
		for _, b := range h {
			m = max(m, b.Cards)
		}
		return m
	}
	mi, me := most(st.Intervals), most(st.Easiness)
	for i := range max(len(st.Intervals), len(st.Easiness)) {
		left := ""
		if i < len(st.Intervals) {
			b := st.Intervals[i]
			left = fmt.Sprintf("  %-9s%-16s%5d", b.Label, bar(b.Cards, mi, 15), b.Cards)
		}
		right := ""
		if i < len(st.Easiness) {
			b := st.Easiness[i]
			right = fmt.Sprintf("%-10s%-15s%5d", b.Label, bar(b.Cards, me, 14), b.Cards)
		}
		sp.line("%s", strings.TrimRight(fmt.Sprintf("%-38s%s", left, right), " "))
	}
}

func (sp *statsPrinter) talks(st *storage.Stats) {
	sp.heading("Talks")
	t := &table{
		header: []string{"TALK", "CARDS", "MATURE", "RETENTION", "DUE", "LAST"},
		right:  []bool{false, true, true, true, true, false},
		flex:   []int{1, 0, 0, 0, 0, 0},
	}
	cells := make([]string, 0, len(st.Talks)*len(t.header))
	for _, ts := range st.Talks {
		last := "never"
		if ts.Answered {
			last = ago(ts.LastDay, st.Today)
		}
		cells = append(cells, ts.Title, itoa(ts.Cards.Active()), pct(storage.Ratio{Answers: ts.Cards.Active(), Passed: ts.Cards.Mature}),
			ratioCell(ts.Reviews), itoa(ts.DueToday), last)
	}
	// Tens of thousands of lines go out as they are made, not kept.
	if sp.flush() != nil {
		return
	}
	bw := bufio.NewWriterSize(sp.w, 64<<10)
	writeBigTable(bw, t, cells, sp.width-2, "  ")
	sp.err = bw.Flush()
}

// textWriter is what writeBigTable writes to: a strings.Builder or a
// bufio.Writer (whose first error sticks).
type textWriter interface {
	io.StringWriter
	io.ByteWriter
}

// writeBigTable writes what t.render(w, width) writes of t with rows added
// (t.add), each line after indent, for tables of tens of thousands of rows
// (a talk each). The rows come as one slice, a row after the other, and
// are cleaned (oneLine) in place; a cell is cleaned and measured
// (runewidth) only when it is not plain ASCII, and the lines are not built
// apart.
func writeBigTable(b textWriter, t *table, cells []string, width int, indent string) {
	n := len(t.header)
	cellWidth := func(c string) int {
		if w, ok := plainNarrow(c); ok {
			return w
		}
		return runewidth.StringWidth(c)
	}
	widths := make([]int, n)
	for i, h := range t.header {
		widths[i] = runewidth.StringWidth(h)
	}
	for i, c := range cells {
		w, ok := plainNarrow(c)
		if !ok {
			c = oneLine(c)
			cells[i] = c
			w = runewidth.StringWidth(c)
		}
		widths[i%n] = max(widths[i%n], w)
	}
	t.shareWidth(widths, width) // as table.render does
	pad := func(k int) {
		for ; k > 0; k-- {
			b.WriteByte(' ')
		}
	}
	line := func(row []string) {
		b.WriteString(indent)
		for i, c := range row {
			w := cellWidth(c)
			if w > widths[i] {
				c = truncateCell(c, widths[i])
				w = cellWidth(c)
			}
			switch {
			case t.right[i]:
				pad(widths[i] - w)
				b.WriteString(c)
			case i < n-1:
				b.WriteString(c)
				pad(widths[i] - w)
			default:
				b.WriteString(c)
			}
			if i < n-1 {
				b.WriteString("  ")
			}
		}
		b.WriteByte('\n')
	}
	line(t.header)
	for at := 0; at+n <= len(cells); at += n {
		line(cells[at : at+n])
	}
}

// plainNarrow reports whether s is made of narrow runes only (isNarrow)
// with single spaces between words and none around them: oneLine leaves
// it as it is, and its width is its number of runes. Counting graphemes
// (runewidth) for each of a big table's cells took most of the time of
// talks at a million cards; titles are mostly ASCII with a dash.
func plainNarrow(s string) (width int, ok bool) {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return 0, s == ""
	}
	eastAsian := runewidth.DefaultCondition.EastAsianWidth
	prev := rune(0)
	for _, r := range s {
		if r < 0x80 {
			if r < 0x20 || r == 0x7f || r == ' ' && prev == ' ' {
				return 0, false
			}
		} else if eastAsian || !isNarrow(r) {
			return 0, false
		}
		prev = r
		width++
	}
	return width, true
}

// isNarrow reports whether r, not ASCII, is one terminal cell wide
// whatever comes next, when East Asian ambiguous runes are narrow: Latin
// letters with their accents precomposed, and the common dashes, quotes
// and ellipsis. Neither sanitize nor strings.Fields touches them.
func isNarrow(r rune) bool {
	switch {
	case r >= 0xa1 && r <= 0x24f:
		return r != 0xad // the soft hyphen
	case r >= 0x2010 && r <= 0x201f, r == 0x2026:
		return true
	}
	return false
}

// truncateCell is runewidth.Truncate(c, w, "…") (a plainNarrow c: its
// first w-1 runes and the ellipsis).
func truncateCell(c string, w int) string {
	if width, ok := plainNarrow(c); !ok || w < 1 {
		return runewidth.Truncate(c, w, "…")
	} else if width <= w {
		return c
	}
	n := 0
	for i := range c {
		if n == w-1 {
			return c[:i] + "…"
		}
		n++
	}
	return c
}

func (sp *statsPrinter) table(t *table) {
	var b strings.Builder
	_ = t.render(&b, sp.width-2)
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		sp.line("  %s", l)
	}
}

func (sp *statsPrinter) hardest(st *storage.Stats) {
	sp.heading("Hardest cards (most lapses, then lowest easiness)")
	if len(st.Hardest) == 0 {
		sp.line("  none: no card has lapsed or lost easiness")
		return
	}
	t := &table{
		header: []string{"LAPSES", "EASE", "TALK", "PROMPT"},
		right:  []bool{true, true, false, false},
		flex:   []int{0, 0, 1, 3},
	}
	for _, h := range st.Hardest[:min(5, len(st.Hardest))] {
		t.add(itoa(h.Lapses), fmt.Sprintf("%.2f", h.Easiness), h.TalkTitle, plainInline(h.Prompt))
	}
	sp.table(t)
}

func (sp *statsPrinter) quiz(st *storage.Stats) {
	sp.heading("Quiz scores (right: graded 3+)")
	t := &table{header: []string{"TALK", "ANSWERS", "RIGHT", "SCORE"}, right: []bool{false, true, true, true}, flex: []int{1, 0, 0, 0}}
	for _, ts := range st.Talks {
		if ts.Quiz.Answers > 0 {
			t.add(ts.Title, itoa(ts.Quiz.Answers), itoa(ts.Quiz.Passed), pct(ts.Quiz))
		}
	}
	if len(t.rows) == 0 {
		sp.line("  no quiz answers yet: 'talkcards quiz TALK' tests one talk")
		return
	}
	sp.table(t)
}

// allUsers puts every user's headline figures side by side.
func (sp *statsPrinter) allUsers(all []*storage.Stats) error {
	if len(all) == 0 {
		sp.line("no users yet: 'talkcards review' starts your first session")
		return sp.flush()
	}
	header := []string{""}
	right := []bool{false}
	flex := []int{0}
	for _, st := range all {
		header = append(header, st.User)
		right = append(right, true)
		flex = append(flex, 0)
	}
	t := &table{header: header, right: right, flex: flex}
	row := func(name string, f func(st *storage.Stats) string) {
		cells := []string{name}
		for _, st := range all {
			cells = append(cells, f(st))
		}
		t.add(cells...)
	}
	row("reviews", func(st *storage.Stats) string { return itoa(st.Reviews.Answers) })
	row("retention", func(st *storage.Stats) string { return pct(st.Reviews) })
	row("young 30d", func(st *storage.Stats) string { return ratioCell(st.Retention[1].Young) })
	row("mature 30d", func(st *storage.Stats) string { return ratioCell(st.Retention[1].Mature) })
	row("today", func(st *storage.Stats) string { return itoa(st.Activity[0].Answers()) + " answers" })
	row("time 7d", func(st *storage.Stats) string { return duration(st.Activity[1].Time) })
	row("due today", func(st *storage.Stats) string { return itoa(st.DueToday) })
	row("next 30d", func(st *storage.Stats) string { return itoa(st.Next30) })
	row("streak", func(st *storage.Stats) string { return fmt.Sprintf("%d (max %d)", st.CurrentStreak, st.LongestStreak) })
	row("new", func(st *storage.Stats) string { return itoa(st.Cards.New) })
	row("learning", func(st *storage.Stats) string { return itoa(st.Cards.Learning) })
	row("young", func(st *storage.Stats) string { return itoa(st.Cards.Young) })
	row("mature", func(st *storage.Stats) string { return itoa(st.Cards.Mature) })
	row("suspended", func(st *storage.Stats) string { return itoa(st.Cards.Suspended) })
	row("last answer", func(st *storage.Stats) string {
		if !st.Active {
			return "never"
		}
		return ago(st.LastDay, st.Today)
	})
	sp.line("%s", sp.p.bold(fmt.Sprintf("Stats for %d users · all talks", len(all))))
	sp.b.WriteString("\n")
	// Users beyond the width go to further blocks, the labels repeated.
	const perBlock = 5
	for i := 1; i < len(header); i += perBlock {
		j := min(i+perBlock, len(header))
		blk := &table{header: append([]string{""}, header[i:j]...), right: append([]bool{false}, right[i:j]...), flex: append([]int{0}, flex[i:j]...)}
		for _, r := range t.rows {
			blk.rows = append(blk.rows, append([]string{r[0]}, r[i:j]...))
		}
		if i > 1 {
			sp.b.WriteString("\n")
		}
		sp.table(blk)
	}
	for _, st := range all {
		for _, n := range statsNotes(st) {
			sp.line("note: %s: %s", st.User, n)
		}
	}
	return sp.flush()
}
