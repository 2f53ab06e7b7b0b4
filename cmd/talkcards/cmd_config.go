package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/storage"
)

// setting is one per-user setting that config can show and change.
type setting struct {
	key      string
	help     string
	min, max int
	get      func(*storage.Settings) *int
}

var settingsTable = []setting{
	{"new-per-day", "new cards introduced per day, across all sessions", 0, 9999, func(s *storage.Settings) *int { return &s.NewPerDay }},
	{"day-start", "hour (0-23, local time) when a new review day starts", 0, 23, func(s *storage.Settings) *int { return &s.DayStartHour }},
	{"session-limit", "cards per review session (0: no limit)", 0, 99999, func(s *storage.Settings) *int { return &s.SessionLimit }},
}

func (a *app) configCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "config [KEY [VALUE]]",
		Short: "Show or change your settings (new cards per day, day start, session limit)",
		Long: `Show or change the settings of the current user (--user). With no argument,
list them all; with KEY, print one; with KEY VALUE, change it.

Keys:
  new-per-day    new cards introduced per day, across all sessions (default 20)
  day-start      hour, local time, when a new review day starts (default 4)
  session-limit  cards per review session, 0 for no limit (default 0)

  talkcards config
  talkcards config new-per-day 10`,
		Args: maxArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runConfig(args) },
	}
}

func findSetting(key string) (setting, error) {
	var keys []string
	for _, s := range settingsTable {
		if s.key == key {
			return s, nil
		}
		keys = append(keys, s.key)
	}
	return setting{}, usagef("unknown setting %q; settings are %s", key, strings.Join(keys, ", "))
}

func (a *app) runConfig(args []string) error {
	user, err := a.userName()
	if err != nil {
		return err
	}
	var st setting
	if len(args) > 0 {
		if st, err = findSetting(args[0]); err != nil {
			return err
		}
	}
	var value int
	if len(args) == 2 {
		value, err = strconv.Atoi(args[1])
		if err != nil || value < st.min || value > st.max {
			return usagef("%s must be a whole number from %d to %d, got %q", st.key, st.min, st.max, args[1])
		}
	}
	readOnly := len(args) < 2
	db, err := a.openDB(readOnly)
	settings := storage.DefaultSettings
	switch {
	case readOnly && errors.Is(err, storage.ErrNoDatabase):
	case err != nil:
		return err
	default:
		defer db.Close()
		if settings, err = db.Settings(user); err != nil {
			return err
		}
	}
	if len(args) == 2 {
		*st.get(&settings) = value
		if err := db.SetSettings(user, settings); err != nil {
			return err
		}
	}
	if len(args) >= 1 {
		if a.json {
			return writeJSON(a.stdout, map[string]int{st.key: *st.get(&settings)})
		}
		fmt.Fprintf(a.stdout, "%d\n", *st.get(&settings))
		return nil
	}
	if a.json {
		out := map[string]any{"user": user}
		for _, s := range settingsTable {
			out[s.key] = *s.get(&settings)
		}
		return writeJSON(a.stdout, out)
	}
	t := &table{header: []string{"KEY", "VALUE", "MEANING"}, right: []bool{false, true, false}, flex: []int{0, 0, 1}}
	for _, s := range settingsTable {
		t.add(s.key, itoa(*s.get(&settings)), s.help)
	}
	fmt.Fprintf(a.stdout, "settings of %s\n", user)
	return t.render(a.stdout, a.width())
}
