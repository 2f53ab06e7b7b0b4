package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/storage"
)

type importOptions struct {
	paths  []string
	dryRun bool
	demo   bool
}

func (a *app) importCmd() *cobra.Command {
	opts := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import talk notes (files or folders of *.md) as cards",
		Long: `Import reads markdown notes files, or folders of *.md and *.markdown files
(recursively), and turns every talk in them into cards. The import is one
transaction: all files or nothing. Importing the same notes again changes
nothing; an edited point updates only the cards that contain it, keeping their
review history; cards whose notes disappeared are retired, never deleted.
The paths are remembered: review re-imports files that changed.

  talkcards import notes/gophercon.md
  talkcards import ~/notes/conferences --dry-run
  talkcards import --demo`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if len(args) == 0 && !opts.demo {
				return usagef("import needs at least one PATH (a notes file or folder), or --demo")
			}
			if len(args) > 0 && opts.demo {
				return usagef("import takes either PATHs or --demo, not both")
			}
			return a.runImport(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.dryRun, "dry-run", false, "report what would change and write nothing")
	cmd.Flags().BoolVar(&opts.demo, "demo", false, "import the bundled demo deck")
	return cmd
}

func (a *app) runImport(opts *importOptions) error {
	var l *loaded
	var err error
	fresh := a.beginImportNew(opts)
	switch {
	case opts.demo:
		l, err = loadDemo()
	case fresh.n != nil:
		defer fresh.n.Abort()
		l, err = loadNotesTo(opts.paths, nil, func(f storage.SourceFile) error {
			fresh.err = fresh.n.Add(f)
			return fresh.err
		})
	default:
		l, err = loadNotesKeeping(opts.paths, a.keepableNotes())
	}
	if err != nil {
		return err
	}
	for _, s := range l.skipped {
		fmt.Fprintf(a.stderr, "talkcards: warning: skipped %s: no headings or bullet points\n", sanitize(s))
	}
	if l.numCards > 0 {
		for _, s := range l.empty {
			fmt.Fprintf(a.stderr, "talkcards: warning: %s: no cards: its headings have nothing under them to ask\n", sanitize(s))
		}
	} else {
		return withHint(fmt.Errorf("%s: no cards: the notes have headings but no points or statements under them", strings.Join(opts.paths, ", ")),
			"talkcards asks about bullets and lines of text under '#' and '##' headings")
	}
	opt := storage.ImportOptions{DryRun: opts.dryRun, Now: a.now(), Roots: l.roots}
	report, err := a.importInto(l, opt, fresh, opts.paths)
	if err != nil {
		return err
	}
	if a.json {
		return writeJSON(a.stdout, importJSON(report))
	}
	return printImportReport(a.stdout, report)
}

// freshImport is the import of notes into a database that does not exist
// yet, begun before the notes are read (storage.NewImport, fed by
// loadNotesTo as they are read): n is nil when there is a database, or
// when the import cannot start (err says why).
type freshImport struct {
	n   *storage.NewImport
	err error
}

// beginImportNew begins the import of the notes into a new database when
// there is none yet (not for a dry run, nor the demo, which is small).
func (a *app) beginImportNew(opts *importOptions) freshImport {
	if opts.dryRun || opts.demo {
		return freshImport{}
	}
	path, err := a.dbPath()
	if err != nil {
		return freshImport{} // importInto says why
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return freshImport{}
	}
	n, err := storage.BeginImportNew(path, a.now())
	if errors.Is(err, fs.ErrExist) {
		return freshImport{} // made meanwhile: import into it
	}
	return freshImport{n: n, err: err}
}

// importInto imports l into the database, backing it up first, or builds
// the database with l in it when there is none yet: fresh, fed while the
// notes of paths were read, or storage.ImportNew (the same data, several
// times faster than an import; nothing to back up).
func (a *app) importInto(l *loaded, opt storage.ImportOptions, fresh freshImport, paths []string) (storage.ImportReport, error) {
	if fresh.err != nil {
		return storage.ImportReport{}, fmt.Errorf("import: %w", fresh.err)
	}
	if fresh.n != nil {
		report, err := fresh.n.Finish(opt.Roots)
		if !errors.Is(err, fs.ErrExist) {
			if err != nil {
				return report, fmt.Errorf("import: %w", err)
			}
			return report, nil
		}
		// A database was made meanwhile: read the notes whole again (the
		// files of l no longer hold their talks) and import into it.
		var lerr error
		if l, lerr = loadNotesKeeping(paths, nil); lerr != nil {
			return storage.ImportReport{}, lerr
		}
	}
	path, err := a.dbPath()
	if err != nil {
		return storage.ImportReport{}, err
	}
	if _, serr := os.Lstat(path); !opt.DryRun && errors.Is(serr, fs.ErrNotExist) {
		report, err := storage.ImportNew(path, l.files, opt)
		if !errors.Is(err, fs.ErrExist) { // else made meanwhile: import into it
			if err != nil {
				return report, fmt.Errorf("import: %w", err)
			}
			return report, nil
		}
	}
	db, err := a.openForImport()
	if err != nil {
		return storage.ImportReport{}, err
	}
	defer db.Close()
	if !opt.DryRun {
		if err := a.backupUnlessNoop(db, l, opt); err != nil {
			return storage.ImportReport{}, err
		}
	}
	report, err := importLoaded(db, l, opt)
	if err != nil {
		return storage.ImportReport{}, fmt.Errorf("import: %w", err)
	}
	return report, nil
}

// keepableNotes is what the database allows an import to keep without
// reading it again (storage.Keepable), read before the notes are parsed so
// that the write lock is not held meanwhile. Any failure (no database yet,
// busy, damaged) is no keeping: the import then opens the database for
// writing and reports it; so a busy database is not waited for twice.
func (a *app) keepableNotes() map[string]storage.Keepable {
	path, err := a.dbPath()
	if err != nil {
		return nil
	}
	db, err := storage.Open(path, storage.Options{ReadOnly: true, Timeout: 50 * time.Millisecond})
	if err != nil {
		return nil
	}
	defer db.Close()
	keep, err := db.Keepable(deck.GeneratorVersion)
	if err != nil {
		return nil
	}
	return keep
}

// backupUnlessNoop backs the database up before an import, unless every
// file is kept unread and a dry run shows that the import changes no card:
// it then only refreshes file stamps and remembered paths, nothing a
// backup would be needed to undo, and a backup of a large collection takes
// seconds (4.6 s at 1.6 GB), longer than the whole re-import.
func (a *app) backupUnlessNoop(db *storage.DB, l *loaded, opt storage.ImportOptions) error {
	if l.allKept() {
		opt.DryRun = true
		if report, err := importLoaded(db, l, opt); err == nil && !changesCards(report) {
			return nil
		}
	}
	return a.backupBeforeImport(db)
}

// changesCards reports whether an import's report adds, changes, retires
// or carries any card.
func changesCards(r storage.ImportReport) bool {
	for _, t := range r.Talks {
		if t.New+t.Updated+t.Retired+t.Restored > 0 || len(t.Carried) > 0 {
			return true
		}
	}
	return false
}

// importLoaded imports l into db. Import checks the kept files again in its
// own transaction; those it can no longer keep (another import ran since
// keepableNotes) are read whole and the import runs again.
func importLoaded(db *storage.DB, l *loaded, opt storage.ImportOptions) (storage.ImportReport, error) {
	for {
		report, err := db.Import(l.files, opt)
		var stale *storage.StaleError
		if !errors.As(err, &stale) {
			return report, err
		}
		if n, err := l.reload(stale.Paths); err != nil || n == 0 {
			return storage.ImportReport{}, cmp.Or(err, error(stale))
		}
	}
}

type importTalkJSON struct {
	Slug      string          `json:"slug"`
	Title     string          `json:"title"`
	New       int             `json:"new"`
	Updated   int             `json:"updated"`
	Retired   int             `json:"retired"`
	Unchanged int             `json:"unchanged"`
	Carried   []storage.Carry `json:"carried"`
}

func importJSON(r storage.ImportReport) any {
	talks := []importTalkJSON{}
	for _, t := range r.Talks {
		c := t.Carried
		if c == nil {
			c = []storage.Carry{}
		}
		talks = append(talks, importTalkJSON{t.Slug, t.Title, t.New, t.Updated, t.Retired, t.Unchanged, c})
	}
	return map[string]any{"dry_run": r.DryRun, "talks": talks}
}

// printImportReport prints an import's report, a line a talk, and returns
// the first write error. The lines go through one buffer: tabwriter writes
// a cell at a time, and 10 MB of notes make thousands of talks.
func printImportReport(out io.Writer, r storage.ImportReport) error {
	w := bufio.NewWriterSize(out, 64<<10)
	var n, u, rt, un int
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "TALK\tNEW\tUPDATED\tRETIRED\tUNCHANGED\n")
	for _, t := range r.Talks {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", truncate(sanitize(t.Title), 50), t.New, t.Updated, t.Retired, t.Unchanged)
		n, u, rt, un = n+t.New, u+t.Updated, rt+t.Retired, un+t.Unchanged
	}
	tw.Flush()
	verb := "imported"
	if r.DryRun {
		verb = "dry run, nothing written: would import"
	}
	fmt.Fprintf(w, "%s %d talks: %d new, %d updated, %d retired, %d unchanged cards\n", verb, len(r.Talks), n, u, rt, un)
	for _, t := range r.Talks {
		if len(t.Carried) == 0 {
			continue
		}
		users := 0
		for _, c := range t.Carried {
			users += c.Users
		}
		fmt.Fprintf(w, "%s: %d edited cards keep their review history (%d user states moved)\n", truncate(sanitize(t.Title), 50), len(t.Carried), users)
	}
	return w.Flush()
}

func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeC1(buf.Bytes()))
	return err
}

// escapeC1 escapes the C1 control characters (U+0080–U+009F) that
// encoding/json leaves raw: U+009B is a terminal escape on its own, and
// JSON printed to a terminal must not act on it.
func escapeC1(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xc2}) {
		return b
	}
	var out bytes.Buffer
	for i := 0; i < len(b); i++ {
		if b[i] == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f {
			fmt.Fprintf(&out, "\\u%04x", b[i+1])
			i++
			continue
		}
		out.WriteByte(b[i])
	}
	return out.Bytes()
}
