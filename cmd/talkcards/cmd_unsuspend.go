package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/storage"
)

func (a *app) unsuspendCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "unsuspend ID...|all",
		Short: "Bring suspended cards back into your reviews",
		Long: `Cards you suspend during a review (s) are left out of every session until you
bring them back. ID is the card ID, or its first 8 characters, as 'talkcards
cards' shows it; "all" brings back every suspended card.

  talkcards cards | grep suspended
  talkcards unsuspend 3fa2c1d0
  talkcards unsuspend all`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("unsuspend needs card IDs, or all")
			}
			return a.runUnsuspend(args)
		},
	}
}

func (a *app) runUnsuspend(args []string) error {
	user, err := a.userName()
	if err != nil {
		return err
	}
	db, err := a.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	states, err := db.States(user)
	if err != nil {
		return err
	}
	var ids []string
	if len(args) == 1 && args[0] == "all" {
		for id, s := range states {
			if s.Suspended {
				ids = append(ids, id)
			}
		}
	} else {
		for _, arg := range args {
			id, err := findCardID(db, arg)
			if err != nil {
				return err
			}
			if s, ok := states[id]; !ok || !s.Suspended {
				return fmt.Errorf("card %s is not suspended", arg)
			}
			ids = append(ids, id)
		}
	}
	for _, id := range ids {
		if err := db.SetSuspended(user, id, false); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "%d cards back in your reviews\n", len(ids))
	return nil
}

// findCardID resolves a full card ID or a unique prefix of one.
func findCardID(db *storage.DB, arg string) (string, error) {
	arg = strings.ToLower(arg)
	if c, err := db.Card(arg); err == nil {
		return c.ID, nil
	}
	cards, err := db.Cards("")
	if err != nil {
		return "", err
	}
	var found []string
	for _, c := range cards {
		if strings.HasPrefix(c.ID, arg) {
			found = append(found, c.ID)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", usageError{withHint(fmt.Errorf("no card has ID %q", arg), "'talkcards cards' lists card IDs")}
	}
	return "", usagef("card ID %q is ambiguous: %s", arg, strings.Join(found, ", "))
}
