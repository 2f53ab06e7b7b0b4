package main

import (
	"errors"
	"fmt"

	"github.com/talkcards/talkcards/storage"
)

// Exit codes (DESIGN "Commands"): documented in the root help.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitBusy        = 3
	exitDamaged     = 4
	exitInterrupted = 130
)

// usageError is a mistake in how the command was called: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// hintError carries the next step to suggest after the error line.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

func withHint(err error, format string, args ...any) error {
	return hintError{err, fmt.Sprintf(format, args...)}
}

// errInterrupted ends a session on Ctrl-C: exit 130, everything saved.
var errInterrupted = errors.New("interrupted")

func exitCode(err error) int {
	var u usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.As(err, &u), errors.Is(err, storage.ErrBadUser):
		return exitUsage
	case errors.Is(err, storage.ErrBusy):
		return exitBusy
	case errors.Is(err, storage.ErrDamaged), errors.Is(err, storage.ErrNewerSchema), errors.Is(err, storage.ErrPendingDamaged):
		return exitDamaged
	}
	return exitError
}

// defaultHint suggests a next step for errors that did not bring their own.
func defaultHint(err error, dbPath string) string {
	var h hintError
	var u usageError
	switch {
	case errors.As(err, &h):
		return h.hint
	case errors.Is(err, storage.ErrBusy):
		return "another talkcards is writing to " + dbPath + "; wait for it to finish and try again"
	case errors.Is(err, storage.ErrPendingDamaged):
		return "the database itself was not changed; 'talkcards check' lists the damaged answers and 'talkcards check --repair' applies the others and drops them (after a backup)"
	case errors.Is(err, storage.ErrDamaged):
		return damagedHint(dbPath)
	case errors.Is(err, storage.ErrNewerSchema):
		return "this database was written by a newer talkcards; upgrade talkcards"
	case errors.Is(err, storage.ErrBadUser):
		return "user names are 1-64 letters, digits, '.', '_' or '-'"
	case errors.As(err, &u):
		return "see 'talkcards --help'"
	}
	return ""
}
