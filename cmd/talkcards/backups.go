package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/talkcards/talkcards/storage"
)

// Automatic backups (README "Your data is safe").
//
// They live in a backups/ folder beside the database (0700), one file each,
// named <db name>-<UTC time>-<reason>.db, e.g.
// talkcards-20261126T090000.000Z-import.db: byte order is time order. The
// time is the injected clock's (TALKCARDS_NOW in tests); a name already
// taken moves on by a millisecond, so names stay unique and sorted.
//
// When: before every import that writes (import, and review re-importing
// changed notes), before restore and check --repair, and at the day's first
// review session: a review makes a "daily" backup unless the folder already
// holds a backup of this database from the same UTC calendar day (any
// reason counts: it is a copy of that day). A failed backup stops import,
// restore and repair (they would run without a safety net); review warns and
// goes on.
//
// Pruning, after each automatic backup, over the automatic ones only
// (manual `talkcards backup` copies are never deleted): keep the 5 newest,
// the newest backup of each of the last 10 UTC days that have one, and the
// newest of each of the last 8 ISO weeks; delete the rest; never the one
// just written (nor the file being restored).
const (
	backupDirName = "backups"
	backupStamp   = "20060102T150405.000Z"
	keepLast      = 5
	keepDaily     = 10
	keepWeekly    = 8
	reasonManual  = "manual"
	// reasonDamaged marks the byte copy of a damaged database that restore
	// keeps: never offered as "the newest backup", never today's backup.
	reasonDamaged = "damaged"
)

// backupDir is the backups folder beside the database at dbPath.
func backupDir(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), backupDirName)
}

// backupPrefix is how this database's backups start: its file name without
// the extension, then a dash.
func backupPrefix(dbPath string) string {
	base := filepath.Base(dbPath)
	return strings.TrimSuffix(base, filepath.Ext(base)) + "-"
}

type backupFile struct {
	path   string
	at     time.Time
	reason string
}

// listBackups returns this database's backups, oldest first. A missing
// folder is no backups.
func listBackups(dbPath string) ([]backupFile, error) {
	dir := backupDir(dbPath)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	prefix := backupPrefix(dbPath)
	var out []backupFile
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || !e.Type().IsRegular() || !strings.HasSuffix(rest, ".db") || len(rest) < len(backupStamp)+1 {
			continue
		}
		at, err := time.Parse(backupStamp, rest[:len(backupStamp)])
		if err != nil || rest[len(backupStamp)] != '-' {
			continue
		}
		reason := strings.TrimSuffix(rest[len(backupStamp)+1:], ".db")
		out = append(out, backupFile{path: filepath.Join(dir, name), at: at, reason: reason})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// newestBackup is the path of the newest backup of the database, "" if
// there is none.
func newestBackup(dbPath string) string {
	list, _ := listBackups(dbPath)
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].reason != reasonDamaged {
			return list[i].path
		}
	}
	return ""
}

// newBackupPath makes the backups folder and returns a free name for a
// backup taken now.
func (a *app) newBackupPath(dbPath, reason string) (string, error) {
	dir := backupDir(dbPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	at := a.now().UTC().Truncate(time.Millisecond)
	if list, _ := listBackups(dbPath); len(list) > 0 && !list[len(list)-1].at.Before(at) {
		at = list[len(list)-1].at.Add(time.Millisecond) // keep names in time order under a fixed clock
	}
	for {
		p := filepath.Join(dir, backupPrefix(dbPath)+at.Format(backupStamp)+"-"+reason+".db")
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		at = at.Add(time.Millisecond)
	}
}

// autoBackup copies the open database into the backups folder, then prunes
// old automatic backups (never the new one, nor those in keep). It returns
// the new backup's path. The error says the operation was not done.
func (a *app) autoBackup(db *storage.DB, reason string, keep ...string) (string, error) {
	path, err := a.newBackupPath(db.Path(), reason)
	if err == nil {
		err = db.Backup(path)
	}
	if err != nil {
		return "", withHint(fmt.Errorf("automatic backup before %s: %w", reason, err),
			"nothing was changed; free some disk space or make %s writable, then try again", backupDir(db.Path()))
	}
	a.pruneBackups(db.Path(), append(keep, path)...)
	return path, nil
}

// backupBeforeImport is the safety net of an import that writes: skipped
// for a database without talks (nothing to lose).
func (a *app) backupBeforeImport(db *storage.DB) error {
	talks, _, err := db.Count()
	if err != nil || talks == 0 {
		return err
	}
	_, err = a.autoBackup(db, "import")
	return err
}

// dailyBackup makes the day's backup at the first review session of the UTC
// calendar day; a failure is a warning, the review goes on.
func (a *app) dailyBackup(db *storage.DB) {
	today := a.now().UTC().Format("20060102")
	list, _ := listBackups(db.Path())
	for _, b := range list {
		if b.reason != reasonDamaged && b.at.Format("20060102") == today {
			return
		}
	}
	if _, err := a.autoBackup(db, "daily"); err != nil {
		fmt.Fprintf(a.stderr, "talkcards: warning: %s\n", oneLine(err.Error()))
		fmt.Fprintf(a.stderr, "talkcards: hint: the review goes on without today's backup; free some disk space or make %s writable\n", sanitize(backupDir(db.Path())))
	}
}

// pruneBackups deletes automatic backups beyond the retention (see the top
// of this file). Failures to delete are warnings: nothing is lost by keeping.
func (a *app) pruneBackups(dbPath string, keep ...string) {
	list, err := listBackups(dbPath)
	if err != nil {
		return
	}
	for _, p := range prunable(list, keep) {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(a.stderr, "talkcards: warning: prune old backup: %s\n", oneLine(err.Error()))
		}
	}
}

// prunable returns the automatic backups of list (oldest first) that the
// retention does not keep.
func prunable(list []backupFile, keep []string) []string {
	kept := map[string]bool{}
	for _, k := range keep {
		kept[absPath(k)] = true
	}
	days, weeks := map[string]bool{}, map[string]bool{}
	auto := 0 // automatic backups seen, newest first
	var out []string
	for i := len(list) - 1; i >= 0; i-- { // newest first
		b := list[i]
		if b.reason == reasonManual {
			continue
		}
		day := b.at.Format("2006-01-02")
		y, w := b.at.ISOWeek()
		week := fmt.Sprintf("%d-W%02d", y, w)
		keepIt := kept[absPath(b.path)] || auto < keepLast
		auto++
		if !days[day] && len(days) < keepDaily {
			days[day] = true
			keepIt = true
		}
		if !weeks[week] && len(weeks) < keepWeekly {
			weeks[week] = true
			keepIt = true
		}
		if !keepIt {
			out = append(out, b.path)
		}
	}
	return out
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// damagedHint points at the newest backup of a damaged database.
func damagedHint(dbPath string) string {
	if b := newestBackup(dbPath); b != "" {
		return "restore the newest backup: talkcards restore " + shellQuote(b)
	}
	return "nothing was changed and there is no backup in " + backupDir(dbPath) +
		"; move the damaged file away to start a new database, or restore a copy (talkcards restore FILE)"
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:,@%=", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
