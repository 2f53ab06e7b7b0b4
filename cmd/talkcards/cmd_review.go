package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

type reviewOptions struct {
	talk   string
	limit  int
	newMax int
	noSync bool
}

func (a *app) reviewCmd() *cobra.Command {
	opts := &reviewOptions{}
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Today's review: due cards first, then new ones (SM-2)",
		Long: `Review the cards SM-2 says are due today, most overdue first, then new cards
in note order (at most the per-day new limit, counted across the day's
sessions). A card graded below 4 comes back later in the session until you
score 4 or more. Every answer is saved before the next card shows.

Keys: Enter reveals the answer; grade 0-5 (0 blackout, 1 wrong, 2 almost —
wrong but easy once seen, 3 hard, 4 good, 5 easy); u undoes the last answer;
s suspends the card; q or Ctrl-C ends the session with a summary.

Notes files that changed since they were imported are re-imported first
(--no-sync skips that). Without a terminal, or with --plain, review speaks the
line-by-line plain protocol: "Q: ..." then a line (Enter reveals, q quits),
"A: ..." then a grade line 0-5.

  talkcards review
  talkcards review --talk spotify --limit 20
  talkcards review --plain < answers.txt`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.limit < 0 {
				return usagef("--limit must be 0 (no limit) or more, got %d", opts.limit)
			}
			if cmd.Flags().Changed("new") && opts.newMax < 0 {
				return usagef("--new must be 0 or more, got %d", opts.newMax)
			}
			if !cmd.Flags().Changed("new") {
				opts.newMax = -1
			}
			return a.runReview(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.talk, "talk", "", "review only this talk (slug, title or a unique part)")
	cmd.Flags().IntVar(&opts.limit, "limit", 0, "at most this many cards (0: your session limit setting)")
	cmd.Flags().IntVar(&opts.newMax, "new", 0, "at most this many new cards today (default: your new-per-day setting)")
	cmd.Flags().BoolVar(&opts.noSync, "no-sync", false, "do not re-import notes files that changed")
	return cmd
}

func (a *app) runReview(ctx context.Context, opts *reviewOptions) error {
	user, err := a.userName()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	s := &session{a: a, user: user, cards: map[string]storage.Card{}, newIDs: map[storage.CardKey]bool{}, started: a.now()}
	// In the session the file is opened for each step (never held while a
	// person thinks): an answer is written to the answers journal beside
	// the database and synced, the file read without bbolt
	// (storage.RecordAnswer), instead of a bbolt commit of ~25 pages
	// (storage doc "Pending answers"); the next write (an undo, a suspend,
	// through withDB) or finish's ordinary open applies them.
	s.withDB = func(readOnly bool, fn func(*storage.DB) error) error {
		db, err := a.openDBWith(storage.Options{ReadOnly: readOnly, KeepPending: true})
		if err != nil {
			return err
		}
		defer db.Close()
		return fn(db)
	}
	// Planning only reads (the backup too): a shared lock, so a stats or
	// listing in another terminal is not held up.
	db, err := a.openSynced(opts.noSync)
	if err != nil {
		return err
	}
	a.dailyBackup(db)
	err = a.plan(db, s, opts)
	db.Close()
	if err != nil {
		return err
	}
	s.queue = s.plan.Queue()
	if a.plain || !a.isTerminal() {
		s.ui = newPlainUI(ctx, a.stdin, a.stdout)
	} else {
		s.ui = newPromptUI(a)
	}
	if s.plan.Len() == 0 {
		sum := s.finish(false)
		sum.empty = true
		s.ui.summary(sum)
		return nil
	}
	err = s.run(ctx)
	interrupted := errors.Is(err, errInterrupted)
	if err != nil && !interrupted {
		return err
	}
	s.ui.summary(s.finish(interrupted))
	return err
}

// openSynced re-imports the notes files that changed (see syncNotes; not
// with noSync), then opens the database read-only as openWithCards does.
// When nothing changed, the handle that checked is the one returned: one
// open of the file before the first card, not two.
func (a *app) openSynced(noSync bool) (*storage.DB, error) {
	if noSync {
		return a.openWithCards(true)
	}
	db, err := a.openDB(true)
	if errors.Is(err, storage.ErrNoDatabase) {
		return a.openWithCards(true)
	}
	if err != nil {
		return nil, err
	}
	nc, err := changedSources(db)
	if err == nil && !nc.changed {
		var talks int
		if talks, _, err = db.Count(); err == nil && talks > 0 {
			return db, nil
		}
	}
	db.Close()
	if err != nil {
		return nil, err
	}
	if nc.changed {
		if err := a.syncNotes(nc); err != nil {
			return nil, err
		}
	}
	return a.openWithCards(true) // with no talks, it loads the demo deck
}

// plan picks today's cards: due first (most overdue first), then new cards in
// note order within the new-per-day allowance left today.
func (a *app) plan(db *storage.DB, s *session, opts *reviewOptions) error {
	settings, err := db.Settings(s.user)
	if err != nil {
		return err
	}
	s.today = scheduler.DayOf(a.now(), settings.DayStartHour)
	slug, talkSeq := "", 0
	if opts.talk != "" {
		t, err := resolveTalk(db, opts.talk)
		if err != nil {
			return err
		}
		slug, talkSeq = t.Slug, t.Seq
	}
	limit := opts.limit
	if limit == 0 {
		limit = settings.SessionLimit
	}
	newPerDay := settings.NewPerDay
	if opts.newMax >= 0 {
		newPerDay = opts.newMax
	}
	agg, err := db.Day(s.user, s.today)
	if err != nil {
		return err
	}
	// The due index gives each card's key and note order (talk Seq << 32 |
	// card Seq), so the plan needs no card record and no string per card:
	// cards load as they show. Counting first sizes the list (a large
	// collection has thousands due; growing the list would copy it again
	// and again).
	n, err := db.DueCount(s.user, s.today)
	if err != nil {
		return err
	}
	cands := make([]scheduler.Candidate[storage.CardKey], 0, n)
	err = db.EachDue(s.user, s.today, func(k storage.CardKey, due scheduler.Day, order uint64) bool {
		if slug == "" || int(order>>32) == talkSeq {
			cands = append(cands, scheduler.Candidate[storage.CardKey]{ID: k, Due: due, Seq: int32(uint32(order))})
		}
		return true
	})
	if err != nil {
		return err
	}
	var newIDs []string
	if newLeft := max(0, newPerDay-agg.New); newLeft > 0 {
		if newIDs, err = db.NewCards(s.user, slug, newLeft); err != nil {
			return err
		}
	}
	newKeys := make([]storage.CardKey, len(newIDs))
	for i, id := range newIDs {
		if newKeys[i], err = storage.ParseCardKey(id); err != nil {
			return err
		}
		s.newIDs[newKeys[i]] = true
	}
	s.plan = scheduler.NewPlan(cands, newKeys, s.today, scheduler.PlanOptions{Limit: limit, NewPerDay: newPerDay, NewSeenToday: agg.New})
	// Only the first card is needed before the first screen; the next ones
	// load cardBatch at a time as they show (each card a random page read).
	return s.loadCards(db, 1)
}

// syncNotes re-imports the remembered notes files that changed or vanished
// since their import (nc, from changedSources), and reports what changed. A
// file that cannot be read now is reported and left as it was; the session
// goes on. As an import does, it parses only the files whose content
// changed: the others are kept as stored (storage.Keepable).
func (a *app) syncNotes(nc notesChanges) error {
	var err error
	l := &loaded{}
	if len(nc.roots) > 0 {
		if l, err = loadNotesKeeping(nc.roots, a.keepableNotes()); err != nil {
			fmt.Fprintf(a.stderr, "talkcards: warning: notes changed but could not be re-imported, reviewing the cards as they were: %s\n", oneLine(err.Error()))
			return nil
		}
	}
	for _, f := range nc.vanished {
		l.files = append(l.files, storage.SourceFile{Path: f, Missing: true})
	}
	wdb, err := a.openForImport()
	if err != nil {
		return err
	}
	defer wdb.Close()
	if err := a.backupBeforeImport(wdb); err != nil {
		return err
	}
	report, err := importLoaded(wdb, l, storage.ImportOptions{Now: a.now(), Roots: l.roots})
	if err != nil {
		return fmt.Errorf("re-import changed notes: %w", err)
	}
	for _, t := range report.Talks {
		if t.New+t.Updated+t.Retired == 0 {
			continue
		}
		fmt.Fprintf(a.stderr, "talkcards: notes changed: %s: %d new, %d updated, %d retired cards\n", sanitize(t.Title), t.New, t.Updated, t.Retired)
	}
	return nil
}
