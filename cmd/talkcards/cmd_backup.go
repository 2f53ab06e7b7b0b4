package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/storage"
)

type backupOptions struct {
	file string
}

func (a *app) backupCmd() *cobra.Command {
	opts := &backupOptions{}
	return &cobra.Command{
		Use:   "backup [FILE]",
		Short: "Write a consistent copy of the database",
		Long: `Backup writes a consistent copy of the whole database (every user) to FILE,
while other talkcards may read it. Without FILE, or with a folder, the copy
goes to backups/ beside the database, named by the time
(talkcards-20261126T090000.000Z-manual.db); such manual copies are never
pruned. The copy is written to a temporary file, synced and renamed into
place, so FILE is either the old file or the whole new copy.

talkcards also backs up by itself before every import, restore and
check --repair, and at the day's first review (see 'talkcards restore').

  talkcards backup
  talkcards backup ~/safe/cards-2026-11-26.db

Exit codes: 0 ok, 1 error (FILE not writable, disk full), 3 database busy,
4 database damaged.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.file = args[0]
			}
			return a.runBackup(opts)
		},
	}
}

func (a *app) runBackup(opts *backupOptions) error {
	db, err := a.openDB(true)
	if errors.Is(err, storage.ErrNoDatabase) {
		return withHint(err, "nothing to back up yet: 'talkcards import PATH' or 'talkcards review' creates the database")
	}
	if err != nil {
		return err
	}
	defer db.Close()
	out := opts.file
	if out != "" {
		if st, err := os.Stat(out); err == nil && st.IsDir() {
			out = filepath.Join(out, backupPrefix(db.Path())+a.now().UTC().Format(backupStamp)+"-"+reasonManual+".db")
		}
		if same(out, db.Path()) {
			return usagef("backup: %s is the database itself; name another file", out)
		}
	} else if out, err = a.newBackupPath(db.Path(), reasonManual); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := db.Backup(out); err != nil {
		return withHint(err, "the database was not changed; free some disk space or choose a writable place for FILE")
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	if a.json {
		return writeJSON(a.stdout, map[string]any{"database": db.Path(), "backup": out, "bytes": st.Size()})
	}
	fmt.Fprintf(a.stdout, "backed up %s to %s (%d KiB)\n", sanitize(db.Path()), sanitize(out), (st.Size()+1023)/1024)
	return nil
}

// same reports whether two paths name the same existing file.
func same(p, q string) bool {
	a, err := os.Stat(p)
	if err != nil {
		return false
	}
	b, err := os.Stat(q)
	return err == nil && os.SameFile(a, b)
}
