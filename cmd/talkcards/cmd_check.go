package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/storage"
)

type checkOptions struct {
	repair bool
}

func (a *app) checkCmd() *cobra.Command {
	opts := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the database for damage and broken indexes",
		Long: `Check reads the whole database: bbolt's own consistency check, then
talkcards' invariants (every card state belongs to a card; the due index
matches the states; the review counters match the review logs). It prints
each problem on its own line and never changes anything.

--repair rebuilds what is derived — every user's due index from their card
states, and the counters — after backing the database up to backups/. It
deletes no card, state or review. Damage bbolt finds (broken pages) cannot
be repaired: restore a backup.

  talkcards check
  talkcards check --repair

Exit codes: 0 no problem, 1 problems found (or left after --repair),
3 database busy, 4 database damaged (restore a backup).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runCheck(opts) },
	}
	cmd.Flags().BoolVar(&opts.repair, "repair", false, "back up, then rebuild the due indexes and counters")
	return cmd
}

func (a *app) runCheck(opts *checkOptions) error {
	// KeepPending: check reads the file as it is, answers a review session
	// has not applied yet included (Verify checks them; only --repair
	// writes, and applies them).
	db, err := a.openDBWith(storage.Options{ReadOnly: !opts.repair, KeepPending: true})
	if errors.Is(err, storage.ErrNoDatabase) {
		return withHint(err, "nothing to check yet: 'talkcards import PATH' or 'talkcards review' creates the database")
	}
	if err != nil {
		return err
	}
	defer db.Close()
	problems, err := db.Verify()
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	var backup string
	var rep storage.RepairReport
	found := problems
	if opts.repair && len(problems) > 0 {
		if backup, err = a.autoBackup(db, "repair"); err != nil {
			return err
		}
		if rep, err = db.Repair(); err != nil {
			return fmt.Errorf("check --repair: %w", err)
		}
		if problems, err = db.Verify(); err != nil {
			return fmt.Errorf("check --repair: %w", err)
		}
	}
	if a.json {
		if err := writeJSON(a.stdout, checkJSON(db.Path(), found, problems, opts.repair, backup)); err != nil {
			return err
		}
	} else {
		a.printCheck(db, found, problems, opts.repair, backup, rep)
	}
	if len(problems) == 0 {
		return nil
	}
	repairable := true
	for _, p := range problems {
		repairable = repairable && p.Repairable
	}
	err = fmt.Errorf("check: %d problem(s) in %s", len(problems), db.Path())
	switch {
	case repairable && !opts.repair:
		return withHint(err, "nothing was changed; 'talkcards check --repair' fixes them (after a backup)")
	case opts.repair:
		return withHint(err, "these need the data itself, which repair never deletes; %s", damagedHint(db.Path()))
	}
	return withHint(err, "nothing was changed; some problems need the data itself: %s", damagedHint(db.Path()))
}

func (a *app) printCheck(db *storage.DB, found, left []storage.Problem, repair bool, backup string, rep storage.RepairReport) {
	if len(found) == 0 {
		talks, cards, _ := db.Count()
		users, _ := db.Users()
		fmt.Fprintf(a.stdout, "ok: %s: no problems (%s, %s, %s)\n", sanitize(db.Path()), plural(talks, "talk", "talks"), plural(cards, "active card", "active cards"), plural(len(users), "user", "users"))
		if n, _ := db.Pending(); n > 0 {
			fmt.Fprintf(a.stdout, "pending: %s of a review or quiz, not counted above yet: the next command applies them\n", plural(n, "answer", "answers"))
		}
		return
	}
	for _, p := range found {
		fmt.Fprintf(a.stdout, "problem: %s\n", sanitize(p.String()))
	}
	if !repair {
		return
	}
	fmt.Fprintf(a.stdout, "backed up to %s\n", sanitize(backup))
	if rep.Dropped > 0 {
		fmt.Fprintf(a.stdout, "repaired: %d damaged pending answer(s) dropped\n", rep.Dropped)
	}
	fmt.Fprintf(a.stdout, "repaired: due indexes rebuilt (%d entries), %d counters corrected; %d problem(s) left\n", rep.DueEntries, rep.Counters, len(left))
	for _, p := range left {
		fmt.Fprintf(a.stdout, "left: %s\n", sanitize(p.String()))
	}
}

type checkReport struct {
	Database string   `json:"database"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"`
	Repaired bool     `json:"repaired"`
	Left     []string `json:"left"`
	Backup   string   `json:"backup,omitempty"`
}

func checkJSON(path string, found, left []storage.Problem, repair bool, backup string) checkReport {
	r := checkReport{Database: path, OK: len(left) == 0, Problems: []string{}, Left: []string{}, Backup: backup}
	for _, p := range found {
		r.Problems = append(r.Problems, p.String())
	}
	for _, p := range left {
		r.Left = append(r.Left, p.String())
	}
	r.Repaired = repair && len(found) > 0
	return r
}
