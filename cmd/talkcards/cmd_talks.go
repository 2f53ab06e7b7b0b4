package main

import (
	"github.com/spf13/cobra"
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
	db, err := a.openWithCards(true)
	if err != nil {
		return err
	}
	defer db.Close()
	view, err := a.userView(db)
	if err != nil {
		return err
	}
	talks, err := db.Talks()
	if err != nil {
		return err
	}
	rows := make([]talkJSON, 0, len(talks))
	for _, t := range talks {
		cards, err := db.Cards(t.Slug)
		if err != nil {
			return err
		}
		r := talkJSON{Slug: t.Slug, Title: t.Title, Speaker: t.Meta.Speaker, Event: t.Meta.Event, Files: t.Files}
		if r.Files == nil {
			r.Files = []string{}
		}
		for _, c := range cards {
			st, _ := view.status(c)
			switch st {
			case "retired":
				r.Retired++
				continue
			case "new":
				r.New++
			case "due":
				r.Due++
			}
			r.Cards++
		}
		rows = append(rows, r)
	}
	if a.json {
		return writeJSON(a.stdout, rows)
	}
	t := &table{
		header: []string{"SLUG", "CARDS", "NEW", "DUE", "TITLE"},
		right:  []bool{false, true, true, true, false},
		flex:   []int{0, 0, 0, 0, 1},
	}
	for _, r := range rows {
		title := r.Title
		if r.Speaker != "" {
			title += " — " + r.Speaker
		}
		t.add(r.Slug, itoa(r.Cards), itoa(r.New), itoa(r.Due), title)
	}
	return t.render(a.stdout, a.width())
}
