package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// now is the benchmark's "now" (TALKCARDS_NOW): the day after the history.
var now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

// collection describes a built database; it is saved beside it for --reuse.
type collection struct {
	Talks, Cards, Retired, Reviews int
	Users                          []string
	Now                            time.Time
}

func readCollection(dir string) (*collection, error) {
	b, err := os.ReadFile(filepath.Join(dir, "collection.json"))
	if err != nil {
		return nil, fmt.Errorf("--reuse: %w (build the collection first)", err)
	}
	c := &collection{}
	return c, json.Unmarshal(b, c)
}

// build writes the synthetic collection into a new database at dbPath:
// cards and histories through the bulk loader, then an edit of 1% of the
// notes files through the normal import (retiring and carrying cards).
func build(o options, dbPath string, w io.Writer) (*collection, error) {
	for _, p := range []string{dbPath, filepath.Join(o.dir, "backups"), filepath.Join(o.dir, "collection.json")} {
		if err := os.RemoveAll(p); err != nil {
			return nil, err
		}
	}
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	c := &collection{Now: now}
	step := time.Now()
	var files []storage.SourceFile
	var ids []string
	seen := map[string]bool{}
	for i := 0; len(ids) < o.cards; i++ {
		f := synthFile(o.seed, i, false)
		for ti := range f.Talks {
			c.Talks++
			for _, card := range f.Talks[ti].Cards {
				if !seen[card.ID] {
					seen[card.ID] = true
					ids = append(ids, card.ID)
				}
			}
		}
		files = append(files, f)
	}
	c.Cards = len(ids)
	if err := db.BulkImport(files, storage.ImportOptions{Now: now}); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "  cards: %d files, %d talks, %d cards in %v\n", len(files), c.Talks, c.Cards, time.Since(step).Round(time.Millisecond))

	today := scheduler.DayOf(now, storage.DefaultSettings.DayStartHour)
	perUser := o.reviews / o.users
	for u := range o.users {
		step = time.Now()
		user := fmt.Sprintf("user%d", u+1)
		c.Users = append(c.Users, user)
		n := perUser
		if u == 0 {
			n += o.reviews % o.users
		}
		// About 8 answers a card over the years (reviews, repeats, quizzes).
		h := &history{ids: ids, reviews: n, newPerDay: max(1, n/(o.years*365*8)), seed: o.seed*1000 + uint64(u)}
		days := h.run(func(storage.Answer) bool { return true })
		h.start = today - scheduler.Day(days)
		if err := db.BulkHistory(user, h.answers()); err != nil {
			return nil, err
		}
		c.Reviews += n
		fmt.Fprintf(w, "  %s: %d reviews over %d days in %v\n", user, n, days, time.Since(step).Round(time.Millisecond))
	}

	step = time.Now()
	var edited []storage.SourceFile
	for i := 0; i < len(files); i += 100 {
		edited = append(edited, synthFile(o.seed, i, true))
	}
	rep, err := db.Import(edited, storage.ImportOptions{Now: now})
	if err != nil {
		return nil, err
	}
	for _, t := range rep.Talks {
		c.Retired += t.Retired + len(t.Carried)
		c.Cards += t.New
	}
	fmt.Fprintf(w, "  edit of %d files (normal import): %d cards retired in %v\n", len(edited), c.Retired, time.Since(step).Round(time.Millisecond))
	if err := db.Close(); err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(c, "", "  ")
	return c, os.WriteFile(filepath.Join(o.dir, "collection.json"), b, 0o600)
}
