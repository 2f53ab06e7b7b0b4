package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

type statsOptions struct {
	talk     string
	allUsers bool
}

func (a *app) statsCmd() *cobra.Command {
	opts := &statsOptions{}
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Retention, workload and weak spots: are you remembering, what is coming",
		Long: `Show how your reviews are going: true retention, cards by state, activity and
time spent, the cards due in the coming days, your streak, a heatmap of the
last 52 weeks, interval and easiness histograms, each talk's standing, the
hardest cards and quiz scores.

True retention is the share of scheduled reviews graded 3 or more; same-day
repeats and quiz answers are left out. A review is of a mature card when the
card's interval before it was 21 days or more, else of a young one (a new
card's first review is young). Cards are learning (interval of 1 day or
less), young (2-20 days) or mature (21 days or more) by their interval now.

--all-users puts every user's headline figures side by side. --json prints
the figures with stable names: "reviews" (scheduled reviews, all time) and
"retention" (their share graded 3+, null when there are none) come first.

Exit codes: 1 for an unknown user or talk.

  talkcards stats
  talkcards stats --talk simple-made-easy
  talkcards stats --all-users
  talkcards stats --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.allUsers && (opts.talk != "" || a.userFlag != "") {
				return usagef("--all-users shows every user on all talks: drop --talk and --user")
			}
			return a.runStats(opts)
		},
	}
	cmd.Flags().StringVar(&opts.talk, "talk", "", "only this talk (slug, title or a unique part)")
	cmd.Flags().BoolVar(&opts.allUsers, "all-users", false, "every user side by side")
	return cmd
}

func (a *app) runStats(opts *statsOptions) error {
	defer quietGC()() // a report keeps what it allocates to its end
	db, err := a.openDB(true)
	if err != nil && !errors.Is(err, storage.ErrNoDatabase) {
		return err
	}
	if db != nil {
		defer db.Close()
	}
	// Users reads every user's states: only --all-users and an unknown user
	// need the list.
	users := func() ([]storage.UserInfo, error) {
		if db == nil {
			return nil, nil
		}
		return db.Users()
	}
	if opts.allUsers {
		all, err := users()
		if err != nil {
			return err
		}
		return a.runStatsAllUsers(db, all)
	}
	user, err := a.userName()
	if err != nil {
		return err
	}
	slug := ""
	if opts.talk != "" {
		if slug, err = statsTalk(db, opts.talk); err != nil {
			return err
		}
	}
	st, err := a.userStats(db, user, slug)
	if err != nil {
		return err
	}
	var known []storage.UserInfo
	if !st.Known {
		if known, err = users(); err != nil {
			return err
		}
	}
	if len(known) > 0 {
		var names []string
		for _, u := range known {
			names = append(names, u.Name)
		}
		sort.Strings(names)
		return withHint(fmt.Errorf("no reviews by user %q in %s", user, db.Path()),
			"known users: %s; pass --user NAME, or review first with 'talkcards --user %s review'", strings.Join(names, ", "), user)
	}
	if a.json {
		return writeStatsJSON(a.stdout, st)
	}
	return a.newStatsPrinter().report(st)
}

// statsTalk resolves --talk. An unknown or ambiguous talk is an error (exit
// 1), not a usage error: the command was well formed, the talk is missing.
func statsTalk(db *storage.DB, query string) (string, error) {
	var t storage.Talk
	var err error
	if db != nil {
		t, err = resolveTalk(db, query)
	} else {
		t, err = findTalk(nil, query)
	}
	var u usageError
	if errors.As(err, &u) {
		return "", u.err
	}
	return t.Slug, err
}

// userStats computes one user's report on the user's today; with no
// database, an empty one.
func (a *app) userStats(db *storage.DB, user, slug string) (*storage.Stats, error) {
	if db == nil {
		return &storage.Stats{User: user, Today: scheduler.DayOf(a.now(), storage.DefaultSettings.DayStartHour)}, nil
	}
	settings, err := db.Settings(user)
	if err != nil {
		return nil, err
	}
	return db.Stats(user, storage.StatsOptions{Talk: slug, Today: scheduler.DayOf(a.now(), settings.DayStartHour)})
}

func (a *app) runStatsAllUsers(db *storage.DB, users []storage.UserInfo) error {
	sort.Slice(users, func(i, j int) bool { return users[i].Name < users[j].Name })
	var all []*storage.Stats
	for _, u := range users {
		st, err := a.userStats(db, u.Name, "")
		if err != nil {
			return err
		}
		all = append(all, st)
	}
	if a.json {
		return writeAllUsersJSON(a.stdout, all)
	}
	return a.newStatsPrinter().allUsers(all)
}
