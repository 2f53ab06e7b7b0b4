package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/storage"
)

func (a *app) restoreCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the database by a backup (the current one is backed up first)",
		Long: `Restore replaces the database by the backup FILE. FILE is checked first
(bbolt's consistency check and talkcards' own invariants, read-only); a bad
FILE changes nothing. Then the current database is backed up to backups/
beside it (a damaged one is copied there byte for byte, as *-damaged.db), and
FILE's data takes its place in one rename: the database is either the old one
or the restored one, never half of each.

Backups are in backups/ beside the database, newest last:
  ls ~/.local/share/talkcards/backups/
  talkcards restore ~/.local/share/talkcards/backups/talkcards-20261126T090000.000Z-daily.db

Exit codes: 0 ok, 1 error (FILE missing or unreadable, disk full), 2 usage,
3 database busy, 4 FILE is damaged or not a talkcards database.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("restore needs one FILE, the backup to restore")
			}
			return a.runRestore(args[0])
		},
	}
}

func (a *app) runRestore(file string) error {
	dbPath, err := a.dbPath()
	if err != nil {
		return err
	}
	if same(file, dbPath) {
		return usagef("restore: %s is the database itself; name a backup", file)
	}
	notUsable := func(err error) error {
		return withHint(fmt.Errorf("restore: %s is not a usable backup: %w", file, err),
			"the database was not changed; pick another backup in %s", backupDir(dbPath))
	}
	if st, err := os.Stat(file); err != nil {
		return notUsable(err)
	} else if !st.Mode().IsRegular() {
		return notUsable(errors.New("not a regular file"))
	}
	if err := storage.VerifyFile(file); err != nil {
		return notUsable(err)
	}

	// Keep the current database: a hot backup while we hold its lock, or a
	// byte copy of a damaged file (no talkcards can use it anyway).
	var kept string
	var cur *storage.DB
	if _, err = os.Lstat(dbPath); errors.Is(err, fs.ErrNotExist) {
		err = storage.ErrNoDatabase // Open would create one
	} else {
		cur, err = storage.Open(dbPath, storage.Options{ReadOnly: false})
	}
	switch {
	case errors.Is(err, storage.ErrNoDatabase): // nothing to keep
	case err == nil:
		defer cur.Close()
		if kept, err = a.autoBackup(cur, "restore", file); err != nil {
			return err
		}
	case errors.Is(err, storage.ErrDamaged), errors.Is(err, storage.ErrNewerSchema):
		if kept, err = a.newBackupPath(dbPath, reasonDamaged); err == nil {
			err = storage.CopyFile(kept, dbPath)
		}
		if err != nil {
			return withHint(fmt.Errorf("restore: keep the damaged database: %w", err),
				"nothing was changed; free some disk space or make %s writable", backupDir(dbPath))
		}
	default:
		return fmt.Errorf("restore: open %s: %w", dbPath, err)
	}

	src, err := storage.Open(file, storage.Options{ReadOnly: true})
	if err != nil {
		return notUsable(err)
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := src.Backup(dbPath); err != nil {
		return withHint(fmt.Errorf("restore: %w", err), "the database was not changed")
	}
	if a.json {
		return writeJSON(a.stdout, map[string]any{"database": dbPath, "restored_from": file, "previous": kept})
	}
	fmt.Fprintf(a.stdout, "restored %s from %s\n", sanitize(dbPath), sanitize(file))
	if kept != "" {
		fmt.Fprintf(a.stdout, "the previous database is kept in %s\n", sanitize(kept))
	}
	return nil
}
