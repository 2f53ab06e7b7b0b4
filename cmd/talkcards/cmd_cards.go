package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

type cardsOptions struct {
	talk    string
	retired bool
}

func (a *app) cardsCmd() *cobra.Command {
	opts := &cardsOptions{}
	cmd := &cobra.Command{
		Use:   "cards [TALK]",
		Short: "List the cards (of one talk) with your state of each",
		Long: `List cards in note order with your state of each: new, due, scheduled (with
the due date), suspended. TALK is a slug, a title, or a unique part of one.
--json prints every field, including the full prompt and answer.

  talkcards cards
  talkcards cards spotify
  talkcards cards "The Spotify Playbook" --json`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.talk = args[0]
			}
			return a.runCards(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.retired, "retired", false, "also list retired cards (their notes are gone)")
	return cmd
}

type stateJSON struct {
	Repetitions int     `json:"repetitions"`
	Easiness    float64 `json:"easiness"`
	Interval    int     `json:"interval"`
	Due         string  `json:"due"`
	Lapses      int     `json:"lapses"`
	Suspended   bool    `json:"suspended"`
}

type cardJSON struct {
	ID      string     `json:"id"`
	Talk    string     `json:"talk"`
	Slug    string     `json:"slug"`
	Path    []string   `json:"path"`
	Kind    string     `json:"kind"`
	Prompt  string     `json:"prompt"`
	Answer  string     `json:"answer"`
	Source  string     `json:"source"`
	Retired bool       `json:"retired"`
	State   *stateJSON `json:"state"`
}

func stateOf(s *scheduler.State) *stateJSON {
	if s == nil {
		return nil
	}
	return &stateJSON{s.Repetitions, s.Easiness, s.Interval, s.Due.String(), s.Lapses, s.Suspended}
}

func (a *app) runCards(opts *cardsOptions) error {
	db, err := a.openWithCards(true)
	if err != nil {
		return err
	}
	defer db.Close()
	view, err := a.userView(db)
	if err != nil {
		return err
	}
	slug := ""
	if opts.talk != "" {
		t, err := resolveTalk(db, opts.talk)
		if err != nil {
			return err
		}
		slug = t.Slug
	}
	cards, err := db.Cards(slug)
	if err != nil {
		return err
	}
	if a.json {
		out := make([]cardJSON, 0, len(cards))
		for _, c := range cards {
			if c.Retired && !opts.retired {
				continue
			}
			_, s := view.status(c)
			path := c.Path
			if path == nil {
				path = []string{}
			}
			out = append(out, cardJSON{c.ID, c.Talk, c.TalkSlug, path, string(c.Kind), c.Prompt, c.Answer, c.Source, c.Retired, stateOf(s)})
		}
		return writeJSON(a.stdout, out)
	}
	t := &table{
		header: []string{"ID", "KIND", "STATE", "QUESTION", "ANSWER"},
		right:  []bool{false, false, false, false, false},
		flex:   []int{0, 0, 0, 3, 2},
	}
	talk := ""
	for _, c := range cards {
		if c.Retired && !opts.retired {
			continue
		}
		st, s := view.status(c)
		if st == "scheduled" {
			st = s.Due.String()
		}
		if slug == "" && c.TalkSlug != talk {
			talk = c.TalkSlug
			t.add("", "", "", "▸ "+c.Talk, "")
		}
		t.add(c.ID[:8], string(c.Kind), st, questionLine(c), answerLine(c.Answer))
	}
	if len(t.rows) == 0 {
		fmt.Fprintln(a.stdout, "no cards")
		return nil
	}
	return t.render(a.stdout, a.width())
}

// questionLine is a card's prompt on one line, led by its section so a row
// reads alone.
func questionLine(c storage.Card) string {
	q := strings.ReplaceAll(c.Prompt, "\n", " / ")
	if n := len(c.Path); n > 0 {
		q = c.Path[n-1] + " › " + q
	}
	return q
}

func answerLine(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "- ")
	}
	return strings.Join(lines, " · ")
}

func itoa(n int) string { return strconv.Itoa(n) }
