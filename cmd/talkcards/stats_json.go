package main

import (
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

func newAllUsersJSON(all []*storage.Stats) allUsersJSON {
	j := allUsersJSON{Users: []statsJSON{}}
	var total storage.Ratio
	for _, st := range all {
		total.Answers += st.Reviews.Answers
		total.Passed += st.Reviews.Passed
		j.Users = append(j.Users, newStatsJSON(st))
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
