package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/talkcards/talkcards/storage"
)

// app is what every command shares: I/O streams, environment, clock and the
// global flags. Commands read time and I/O only through it.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time

	dbFlag   string
	userFlag string
	json     bool
	plain    bool
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	err := a.setClock()
	if err == nil {
		root := a.rootCmd()
		root.SetArgs(args)
		err = root.ExecuteContext(context.Background())
	}
	if err != nil {
		a.printError(err)
	}
	return exitCode(err)
}

// setClock honours TALKCARDS_NOW (RFC 3339) so tests, demos and simulations
// control "today" in every command.
func (a *app) setClock() error {
	v := a.getenv("TALKCARDS_NOW")
	if v == "" {
		a.now = time.Now
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return usageError{withHint(fmt.Errorf("TALKCARDS_NOW=%q is not an RFC 3339 time", v),
			"use a time like 2026-11-26T09:00:00Z, or unset TALKCARDS_NOW")}
	}
	a.now = func() time.Time { return t }
	return nil
}

func (a *app) printError(err error) {
	msg := err.Error()
	if errors.Is(err, errInterrupted) {
		return
	}
	fmt.Fprintf(a.stderr, "talkcards: error: %s\n", oneLine(msg))
	if h := defaultHint(err, a.dbPathOrDefault()); h != "" {
		fmt.Fprintf(a.stderr, "talkcards: hint: %s\n", h)
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(sanitize(s)), " ")
}

const rootLong = `talkcards turns conference talk notes — plain markdown, '#' a talk, '##'/'###'
its sections, bullets under them — into question/answer cards, schedules them
with SM-2 and keeps every user's review history in one local database.

Start with the bundled demo deck:
  talkcards review
or import your own notes:
  talkcards import ~/notes/conferences

Environment:
  TALKCARDS_DB    database file (default $XDG_DATA_HOME/talkcards/talkcards.db)
  TALKCARDS_USER  user name (default: your login name)
  TALKCARDS_NOW   RFC 3339 time used as "now" (tests, demos)
  NO_COLOR        disable colours

Exit codes:
  0 ok, 1 error, 2 usage, 3 database busy, 4 database damaged, 130 interrupted`

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "talkcards",
		Short:         "Spaced-repetition cards from your conference talk notes",
		Long:          rootLong,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetIn(a.stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.dbFlag, "db", "", "database file (default $TALKCARDS_DB, else $XDG_DATA_HOME/talkcards/talkcards.db)")
	pf.StringVar(&a.userFlag, "user", "", "user whose reviews to use (default $TALKCARDS_USER, else your login name)")
	pf.BoolVar(&a.json, "json", false, "print machine-readable JSON")
	pf.BoolVar(&a.plain, "plain", false, "line-by-line mode without colours or escape codes")
	root.CompletionOptions.DisableDefaultCmd = true

	root.AddCommand(
		a.importCmd(),
		a.talksCmd(),
		a.cardsCmd(),
		a.reviewCmd(),
		a.quizCmd(),
		a.usersCmd(),
		a.configCmd(),
		a.statsCmd(),
		a.unsuspendCmd(),
		a.backupCmd(),
		a.restoreCmd(),
		a.checkCmd(),
	)
	for _, c := range root.Commands() {
		c.SilenceErrors = true
		c.SilenceUsage = true
	}
	return root
}

// noArgs rejects stray arguments, including unknown subcommands, as usage errors.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if !cmd.HasParent() {
			return usagef("unknown command %q", args[0])
		}
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%s takes at most %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

func (a *app) dbPath() (string, error) {
	if a.dbFlag != "" {
		return a.dbFlag, nil
	}
	p, err := storage.DefaultPath(a.getenv)
	if err != nil {
		return "", withHint(err, "pass --db FILE or set TALKCARDS_DB")
	}
	return p, nil
}

func (a *app) dbPathOrDefault() string {
	p, err := a.dbPath()
	if err != nil {
		return "the database"
	}
	return p
}

// userName resolves --user, $TALKCARDS_USER, then the OS user.
func (a *app) userName() (string, error) {
	name, from := a.userFlag, "--user"
	if name == "" {
		name, from = a.getenv("TALKCARDS_USER"), "TALKCARDS_USER"
	}
	if name == "" {
		from = "your login name"
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		if name == "" {
			name = a.getenv("USER")
		}
		if name == "" || storage.ValidUser(name) != nil {
			name = "default"
		}
	}
	if err := storage.ValidUser(name); err != nil {
		return "", fmt.Errorf("%s: bad user name %q: %w", from, name, err)
	}
	return name, nil
}

// isTerminal reports whether both stdin and stdout are terminals: only then
// may talkcards prompt or draw (gh's rule).
func (a *app) isTerminal() bool {
	return isTTY(a.stdin) && isTTY(a.stdout)
}

func isTTY(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *app) width() int {
	if f, ok := a.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			return w
		}
	}
	return 100
}

func (a *app) colour() bool {
	return !a.plain && a.getenv("NO_COLOR") == "" && isTTY(a.stdout)
}

// sanitize drops control characters (terminal escape sequences among them)
// so text from notes files is never echoed raw to a terminal.
func sanitize(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0)
}
