package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/storage"
)

func (a *app) usersCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "users",
		Short: "List users with cards seen, reviews and last review",
		Long: `List everyone who has reviewed or kept settings in this database. Cards are shared; each
user's states, review log, settings and statistics are their own.

  talkcards users
  talkcards --user ana review`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runUsers() },
	}
}

type userJSON struct {
	Name       string `json:"name"`
	CardsSeen  int    `json:"cards_seen"`
	Reviews    int    `json:"reviews"`
	LastReview string `json:"last_review"`
}

func (a *app) runUsers() error {
	db, err := a.openDB(true)
	var users []storage.UserInfo
	switch {
	case errors.Is(err, storage.ErrNoDatabase):
	case err != nil:
		return err
	default:
		defer db.Close()
		if users, err = db.Users(); err != nil {
			return err
		}
	}
	rows := make([]userJSON, 0, len(users))
	for _, u := range users {
		last := ""
		if !u.LastReview.IsZero() {
			last = u.LastReview.Local().Format(time.RFC3339)
		}
		rows = append(rows, userJSON{u.Name, u.CardsSeen, u.Reviews, last})
	}
	if a.json {
		return writeJSON(a.stdout, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.stdout, "no users yet: 'talkcards review' starts your first session")
		return nil
	}
	t := &table{header: []string{"USER", "CARDS SEEN", "REVIEWS", "LAST REVIEW"}, right: []bool{false, true, true, false}, flex: []int{0, 0, 0, 0}}
	for _, r := range rows {
		last := "never"
		if r.LastReview != "" {
			last = r.LastReview[:16]
		}
		t.add(r.Name, itoa(r.CardsSeen), itoa(r.Reviews), last)
	}
	return t.render(a.stdout, a.width())
}
