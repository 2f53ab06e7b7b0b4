package main

import (
	"bufio"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/scheduler"
)

func (a *app) talksCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "talks",
		Short: "List talks with their card, new and due counts",
		Long: `List the imported talks with how many active cards each has, how many are new
to you and how many are due today.

  talkcards talks
  talkcards talks --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runTalks() },
	}
}

type talkJSON struct {
	Slug    string   `json:"slug"`
	Title   string   `json:"title"`
	Speaker string   `json:"speaker"`
	Event   string   `json:"event"`
	Files   []string `json:"files"`
	Cards   int      `json:"cards"`
	New     int      `json:"new"`
	Due     int      `json:"due"`
	Retired int      `json:"retired"`
}

func (a *app) runTalks() error {
	defer quietGC()() // a report keeps what it allocates to its end
	db, err := a.openWithCards(true)
	if err != nil {
		return err
	}
	defer db.Close()
	user, err := a.userName()
	if err != nil {
		return err
	}
	settings, err := db.Settings(user)
	if err != nil {
		return err
	}
	talks, err := db.TalkCounts(user, scheduler.DayOf(a.now(), settings.DayStartHour))
	if err != nil {
		return err
	}
	rows := make([]talkJSON, 0, len(talks))
	for _, t := range talks {
		r := talkJSON{Slug: t.Slug, Title: t.Title, Speaker: t.Meta.Speaker, Event: t.Meta.Event, Files: t.Files,
			Cards: t.Cards, New: t.New, Due: t.Due, Retired: t.Retired}
		if r.Files == nil {
			r.Files = []string{}
		}
		rows = append(rows, r)
	}
	if a.json {
		return writeTalksJSON(a.stdout, rows)
	}
	t := &table{
		header: []string{"SLUG", "CARDS", "NEW", "DUE", "TITLE"},
		right:  []bool{false, true, true, true, false},
		flex:   []int{0, 0, 0, 0, 1},
	}
	cells := make([]string, 0, len(rows)*len(t.header))
	for _, r := range rows {
		title := r.Title
		if r.Speaker != "" {
			title += " — " + r.Speaker
		}
		cells = append(cells, r.Slug, itoa(r.Cards), itoa(r.New), itoa(r.Due), title)
	}
	widenPipe(a.stdout)
	bw := bufio.NewWriterSize(a.stdout, 256<<10)
	writeBigTable(bw, t, cells, a.width(), "")
	return bw.Flush() // the first error of any write
}

// writeTalksJSON writes what writeJSON(w, rows) writes, byte for byte,
// by hand and through one buffer: a big collection has tens of thousands
// of talks, and encoding/json indents the whole array once more at the end.
func writeTalksJSON(w io.Writer, rows []talkJSON) error {
	widenPipe(w)
	bw := bufio.NewWriterSize(w, 256<<10)
	if len(rows) == 0 {
		bw.WriteString("[]\n")
		return bw.Flush()
	}
	var b []byte
	bw.WriteString("[\n")
	for i := range rows {
		r := &rows[i]
		b = append(b[:0], "  {\n    \"slug\": "...)
		b = appendJSONString(b, r.Slug)
		b = append(b, ",\n    \"title\": "...)
		b = appendJSONString(b, r.Title)
		b = append(b, ",\n    \"speaker\": "...)
		b = appendJSONString(b, r.Speaker)
		b = append(b, ",\n    \"event\": "...)
		b = appendJSONString(b, r.Event)
		b = append(b, ",\n    \"files\": ["...)
		for j, f := range r.Files {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n      "...)
			b = appendJSONString(b, f)
		}
		if len(r.Files) > 0 {
			b = append(b, "\n    "...)
		}
		b = append(b, "],\n    \"cards\": "...)
		b = strconv.AppendInt(b, int64(r.Cards), 10)
		b = append(b, ",\n    \"new\": "...)
		b = strconv.AppendInt(b, int64(r.New), 10)
		b = append(b, ",\n    \"due\": "...)
		b = strconv.AppendInt(b, int64(r.Due), 10)
		b = append(b, ",\n    \"retired\": "...)
		b = strconv.AppendInt(b, int64(r.Retired), 10)
		b = append(b, "\n  }"...)
		if i < len(rows)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	bw.WriteString("]\n")
	return bw.Flush() // the first error of any write
}
