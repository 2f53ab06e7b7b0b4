package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// statsJSON is `stats --json`: stable snake_case names; shares are numbers
// from 0 to 1, null when there is nothing to divide; dates are YYYY-MM-DD.
type statsJSON struct {
	Reviews    int             `json:"reviews"`   // scheduled reviews, all time
	Retention  *float64        `json:"retention"` // their share graded 3+
	Passed     int             `json:"passed"`
	User       string          `json:"user"`
	Today      string          `json:"today"`
	Talk       *string         `json:"talk"` // slug; null for all talks
	LastAnswer *string         `json:"last_answer"`
	Notes      []string        `json:"notes"`
	Cards      cardCountsJSON  `json:"cards"`
	Activity   activityJSON    `json:"activity"`
	TrueRet    trueRetJSON     `json:"true_retention"`
	Due        dueJSON         `json:"due"`
	Streak     streakJSON      `json:"streak"`
	Heatmap    heatmapJSON     `json:"heatmap"`
	Intervals  []intervalJSON  `json:"intervals"`
	Easiness   []easinessJSON  `json:"easiness"`
	Hardest    []hardCardJSON  `json:"hardest"`
	Talks      []talkStatsJSON `json:"talks"`
}

type cardCountsJSON struct {
	Total     int `json:"total"` // active cards: all but retired
	New       int `json:"new"`
	Learning  int `json:"learning"`
	Young     int `json:"young"`
	Mature    int `json:"mature"`
	Suspended int `json:"suspended"`
	Retired   int `json:"retired"`
}

type windowJSON struct {
	Reviews int `json:"reviews"`
	Repeats int `json:"repeats"`
	Quiz    int `json:"quiz"`
	Answers int `json:"answers"`
	Seconds int `json:"seconds"`
}

type activityJSON struct {
	Today   windowJSON `json:"today"`
	Last7   windowJSON `json:"last_7_days"`
	Last30  windowJSON `json:"last_30_days"`
	AllTime windowJSON `json:"all_time"`
}

type ratioJSON struct {
	Reviews   int      `json:"reviews"`
	Passed    int      `json:"passed"`
	Retention *float64 `json:"retention"`
}

type retentionJSON struct {
	Young  ratioJSON `json:"young"`
	Mature ratioJSON `json:"mature"`
	All    ratioJSON `json:"all"`
}

type trueRetJSON struct {
	Last7   retentionJSON `json:"last_7_days"`
	Last30  retentionJSON `json:"last_30_days"`
	Last365 retentionJSON `json:"last_365_days"`
}

type dayCountJSON struct {
	Date  string `json:"date"`
	Cards int    `json:"cards"`
}

type dueJSON struct {
	Overdue    int            `json:"overdue"`
	Today      int            `json:"today"` // overdue included
	Next7Days  []dayCountJSON `json:"next_7_days"`
	Next30Days int            `json:"next_30_days"`
}

type streakJSON struct {
	Current int `json:"current"`
	Longest int `json:"longest"`
}

type heatDayJSON struct {
	Date    string `json:"date"`
	Answers int    `json:"answers"`
}

type heatmapJSON struct {
	From string        `json:"from"`
	To   string        `json:"to"`
	Days []heatDayJSON `json:"days"` // days with answers only
}

type intervalJSON struct {
	Label   string `json:"label"`
	MinDays int    `json:"min_days"`
	MaxDays *int   `json:"max_days"` // inclusive; null: no bound
	Cards   int    `json:"cards"`
}

type easinessJSON struct {
	Label string   `json:"label"`
	Min   float64  `json:"min"`
	Below *float64 `json:"below"` // exclusive; null: no bound
	Cards int      `json:"cards"`
}

type hardCardJSON struct {
	ID        string  `json:"id"`
	Talk      string  `json:"talk"`
	TalkTitle string  `json:"talk_title"`
	Prompt    string  `json:"prompt"`
	Lapses    int     `json:"lapses"`
	Easiness  float64 `json:"easiness"`
	Interval  int     `json:"interval"`
}

type talkQuizJSON struct {
	Answers int      `json:"answers"`
	Right   int      `json:"right"`
	Score   *float64 `json:"score"`
}

type talkStatsJSON struct {
	Slug        string       `json:"slug"`
	Title       string       `json:"title"`
	Cards       int          `json:"cards"`
	Mature      int          `json:"mature"`
	MatureShare *float64     `json:"mature_share"`
	Reviews     int          `json:"reviews"`
	Passed      int          `json:"passed"`
	Retention   *float64     `json:"retention"`
	DueToday    int          `json:"due_today"`
	LastAnswer  *string      `json:"last_answer"`
	Quiz        talkQuizJSON `json:"quiz"`
}

// allUsersJSON is `stats --all-users --json`: the totals of every user, then
// each user's report.
type allUsersJSON struct {
	Reviews   int         `json:"reviews"`
	Retention *float64    `json:"retention"`
	Passed    int         `json:"passed"`
	Users     []statsJSON `json:"users"`
}

func share(r storage.Ratio) *float64 {
	if v, ok := r.Share(); ok {
		return &v
	}
	return nil
}

func ratioOf(r storage.Ratio) ratioJSON {
	return ratioJSON{Reviews: r.Answers, Passed: r.Passed, Retention: share(r)}
}

func dayString(d scheduler.Day) *string {
	s := d.String()
	return &s
}

func newStatsJSON(st *storage.Stats) statsJSON {
	j := newStatsHead(st)
	for _, t := range st.Talks {
		tj := talkStatsJSON{Slug: t.Slug, Title: t.Title, Cards: t.Cards.Active(), Mature: t.Cards.Mature,
			MatureShare: share(storage.Ratio{Answers: t.Cards.Active(), Passed: t.Cards.Mature}),
			Reviews:     t.Reviews.Answers, Passed: t.Reviews.Passed, Retention: share(t.Reviews), DueToday: t.DueToday,
			Quiz: talkQuizJSON{Answers: t.Quiz.Answers, Right: t.Quiz.Passed, Score: share(t.Quiz)}}
		if t.Answered {
			tj.LastAnswer = dayString(t.LastDay)
		}
		j.Talks = append(j.Talks, tj)
	}
	return j
}

// newStatsHead is newStatsJSON with no talk lines (Talks empty).
func newStatsHead(st *storage.Stats) statsJSON {
	j := statsJSON{
		Reviews: st.Reviews.Answers, Passed: st.Reviews.Passed, Retention: share(st.Reviews),
		User: st.User, Today: st.Today.String(), Notes: statsNotes(st),
		Cards: cardCountsJSON{Total: st.Cards.Active(), New: st.Cards.New, Learning: st.Cards.Learning, Young: st.Cards.Young,
			Mature: st.Cards.Mature, Suspended: st.Cards.Suspended, Retired: st.Cards.Retired},
		Due:     dueJSON{Overdue: st.Overdue, Today: st.DueToday, Next30Days: st.Next30, Next7Days: []dayCountJSON{}},
		Streak:  streakJSON{Current: st.CurrentStreak, Longest: st.LongestStreak},
		Heatmap: heatmapJSON{From: (st.Today - storage.HeatmapDays + 1).String(), To: st.Today.String(), Days: []heatDayJSON{}},
		Hardest: []hardCardJSON{}, Talks: []talkStatsJSON{},
	}
	if st.Talk != "" {
		j.Talk = &st.Talk
	}
	if st.Active {
		j.LastAnswer = dayString(st.LastDay)
	}
	win := func(a storage.Activity) windowJSON {
		return windowJSON{Reviews: a.Reviews, Repeats: a.Repeats, Quiz: a.Quiz, Answers: a.Answers(), Seconds: int(a.Time.Seconds())}
	}
	j.Activity = activityJSON{win(st.Activity[0]), win(st.Activity[1]), win(st.Activity[2]), win(st.Activity[3])}
	ret := func(r storage.Retention) retentionJSON {
		return retentionJSON{ratioOf(r.Young), ratioOf(r.Mature), ratioOf(r.All())}
	}
	j.TrueRet = trueRetJSON{ret(st.Retention[0]), ret(st.Retention[1]), ret(st.Retention[2])}
	for i, n := range st.Forecast {
		j.Due.Next7Days = append(j.Due.Next7Days, dayCountJSON{Date: (st.Today + scheduler.Day(i+1)).String(), Cards: n})
	}
	for i, n := range st.Heatmap {
		if n > 0 {
			j.Heatmap.Days = append(j.Heatmap.Days, heatDayJSON{(st.Today - scheduler.Day(storage.HeatmapDays-1-i)).String(), n})
		}
	}
	for _, b := range st.Intervals {
		ij := intervalJSON{Label: b.Label, MinDays: max(int(b.Min), 1), Cards: b.Cards}
		if b.Max > 0 {
			m := int(b.Max) - 1
			ij.MaxDays = &m
		}
		j.Intervals = append(j.Intervals, ij)
	}
	for _, b := range st.Easiness {
		ej := easinessJSON{Label: b.Label, Min: b.Min, Cards: b.Cards}
		if b.Max > 0 {
			m := b.Max
			ej.Below = &m
		}
		j.Easiness = append(j.Easiness, ej)
	}
	for _, h := range st.Hardest {
		j.Hardest = append(j.Hardest, hardCardJSON{ID: h.ID, Talk: h.TalkSlug, TalkTitle: h.TalkTitle, Prompt: h.Prompt,
			Lapses: h.Lapses, Easiness: h.Easiness, Interval: h.Interval})
	}
	return j
}

func newAllUsersJSON(all []*storage.Stats) allUsersJSON {
	j := newAllUsersHead(all)
	for _, st := range all {
		j.Users = append(j.Users, newStatsJSON(st))
	}
	return j
}

// newAllUsersHead is newAllUsersJSON with no users (Users empty).
func newAllUsersHead(all []*storage.Stats) allUsersJSON {
	j := allUsersJSON{Users: []statsJSON{}}
	var total storage.Ratio
	for _, st := range all {
		total.Answers += st.Reviews.Answers
		total.Passed += st.Reviews.Passed
	}
	j.Reviews, j.Passed, j.Retention = total.Answers, total.Passed, share(total)
	return j
}

// statsNotes are the caveats a report needs: a clock behind the last answer.
func statsNotes(st *storage.Stats) []string {
	notes := []string{}
	if st.Active && st.LastDay > st.Today {
		notes = append(notes, "the clock says "+st.Today.String()+", before the last answer on "+st.LastDay.String()+
			": windows end today, later answers count in all time only")
	}
	return notes
}

// writeStatsJSON writes what writeJSON(w, newStatsJSON(st)) writes, byte for
// byte, through one buffer: the report's head goes through encoding/json,
// the talk lines (one per talk, 31 680 on a big collection) are written by
// hand, without building them or indenting them afterwards.
func writeStatsJSON(w io.Writer, st *storage.Stats) error {
	widenPipe(w)
	bw := bufio.NewWriterSize(w, 256<<10)
	jw := &jsonWriter{w: bw}
	jw.stats(st, "")
	jw.raw("\n")
	if jw.err != nil {
		return jw.err
	}
	return bw.Flush()
}

// writeAllUsersJSON writes what writeJSON(w, newAllUsersJSON(all)) writes,
// as writeStatsJSON does.
func writeAllUsersJSON(w io.Writer, all []*storage.Stats) error {
	widenPipe(w)
	bw := bufio.NewWriterSize(w, 256<<10)
	jw := &jsonWriter{w: bw}
	jw.spliced(newAllUsersHead(all), "", "users", len(all), func(i int, indent string) { jw.stats(all[i], indent) })
	jw.raw("\n")
	if jw.err != nil {
		return jw.err
	}
	return bw.Flush()
}

// jsonWriter writes indented JSON ("  " a level, as writeJSON) with the
// first error kept.
type jsonWriter struct {
	w   *bufio.Writer
	b   []byte // the line being built
	err error
}

func (jw *jsonWriter) raw(s string) {
	if jw.err == nil {
		_, jw.err = jw.w.WriteString(s)
	}
}

func (jw *jsonWriter) flushLine() {
	if jw.err == nil {
		_, jw.err = jw.w.Write(jw.b)
	}
	jw.b = jw.b[:0]
}

// encode is v as writeJSON writes it, indented as a value at indent, without
// the final newline.
func encodeJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(indent, "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return escapeC1(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// spliced writes head, an object whose last field is the empty array
// field, with n elements written by elem in that array instead.
func (jw *jsonWriter) spliced(head any, indent, field string, n int, elem func(i int, indent string)) {
	if jw.err != nil {
		return
	}
	b, err := encodeJSON(head, indent)
	if err != nil {
		jw.err = err
		return
	}
	tail := "\"" + field + "\": []\n" + indent + "}"
	if !bytes.HasSuffix(b, []byte(tail)) {
		jw.err = fmt.Errorf("stats json: %q is not the last field", field)
		return
	}
	if n == 0 {
		_, jw.err = jw.w.Write(b)
		return
	}
	_, jw.err = jw.w.Write(b[:len(b)-len(tail)])
	jw.raw("\"" + field + "\": [\n")
	inner := indent + "    "
	for i := range n {
		if i > 0 {
			jw.raw(",\n")
		}
		jw.raw(inner)
		elem(i, inner)
	}
	jw.raw("\n" + indent + "  ]\n" + indent + "}")
}

// stats writes one user's report as an indented value at indent.
func (jw *jsonWriter) stats(st *storage.Stats, indent string) {
	keys := newTalkKeys(indent + "    ")
	jw.spliced(newStatsHead(st), indent, "talks", len(st.Talks), func(i int, _ string) { jw.talk(&st.Talks[i], &keys) })
}

// talkKeys are what a talk line holds between its values, at one
// indentation: the opening brace and each field's name.
type talkKeys struct {
	slug, title, cards, mature, matureShare, reviews, passed, retention, dueToday, lastAnswer, quiz,
	answers, right, score, end string
}

// newTalkKeys are the talk keys of lines whose opening brace is at indent,
// as json.Encoder indents a talkStatsJSON.
func newTalkKeys(indent string) talkKeys {
	in, in2 := "\n"+indent+"  ", "\n"+indent+"    "
	key := func(sep, name string) string { return sep + `"` + name + `": ` }
	return talkKeys{
		slug: key("{"+in, "slug"), title: key(","+in, "title"), cards: key(","+in, "cards"), mature: key(","+in, "mature"),
		matureShare: key(","+in, "mature_share"), reviews: key(","+in, "reviews"), passed: key(","+in, "passed"),
		retention: key(","+in, "retention"), dueToday: key(","+in, "due_today"), lastAnswer: key(","+in, "last_answer"),
		quiz: key(","+in, "quiz"), answers: key("{"+in2, "answers"), right: key(","+in2, "right"), score: key(","+in2, "score"),
		end: in + "}\n" + indent + "}",
	}
}

// talk writes one talk line as json.Encoder writes its talkStatsJSON.
func (jw *jsonWriter) talk(t *storage.TalkStats, k *talkKeys) {
	b := append(jw.b, k.slug...)
	b = appendJSONString(b, t.Slug)
	b = append(b, k.title...)
	b = appendJSONString(b, t.Title)
	active := t.Cards.Active()
	b = append(b, k.cards...)
	b = strconv.AppendInt(b, int64(active), 10)
	b = append(b, k.mature...)
	b = strconv.AppendInt(b, int64(t.Cards.Mature), 10)
	b = append(b, k.matureShare...)
	b = appendJSONShare(b, storage.Ratio{Answers: active, Passed: t.Cards.Mature})
	b = append(b, k.reviews...)
	b = strconv.AppendInt(b, int64(t.Reviews.Answers), 10)
	b = append(b, k.passed...)
	b = strconv.AppendInt(b, int64(t.Reviews.Passed), 10)
	b = append(b, k.retention...)
	b = appendJSONShare(b, t.Reviews)
	b = append(b, k.dueToday...)
	b = strconv.AppendInt(b, int64(t.DueToday), 10)
	b = append(b, k.lastAnswer...)
	if t.Answered {
		b = append(b, '"')
		b = appendDay(b, t.LastDay)
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, k.quiz...)
	b = append(b, k.answers...)
	b = strconv.AppendInt(b, int64(t.Quiz.Answers), 10)
	b = append(b, k.right...)
	b = strconv.AppendInt(b, int64(t.Quiz.Passed), 10)
	b = append(b, k.score...)
	b = appendJSONShare(b, t.Quiz)
	jw.b = append(b, k.end...)
	jw.flushLine()
}

// appendDay appends d as d.String() writes it (YYYY-MM-DD), without
// formatting a time for years of four digits.
func appendDay(b []byte, d scheduler.Day) []byte {
	y, m, dd := time.Unix(int64(d)*24*60*60, 0).UTC().Date()
	if y < 0 || y > 9999 {
		return append(b, d.String()...)
	}
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+m/10), byte('0'+m%10), '-')
	return append(b, byte('0'+dd/10), byte('0'+dd%10))
}

// appendJSONShare appends share(r) as encoding/json writes it.
func appendJSONShare(b []byte, r storage.Ratio) []byte {
	v, ok := r.Share()
	if !ok {
		return append(b, "null"...)
	}
	return appendJSONFloat(b, v)
}

// appendJSONFloat appends a finite float64 as encoding/json writes it:
// the shortest decimal that reads back the same, in exponent form below
// 1e-6 and from 1e21, with a one-digit negative exponent unpadded.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendJSONString appends s quoted as writeJSON writes it: printable
// ASCII but for quote and backslash goes as it is, and so does valid UTF-8
// that neither encoding/json (U+2028, U+2029) nor escapeC1 (U+0080 to
// U+009F) escapes; anything else goes through encoding/json and escapeC1.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if c < utf8.RuneSelf || r == utf8.RuneError && n == 1 || r <= 0x9f || r == '\u2028' || r == '\u2029' {
			q, _ := encodeJSON(s, "") // a string always encodes
			return append(b, q...)
		}
		i += n
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
