package storage

import "errors"

// Sentinel errors. Match them with errors.Is; the returned errors wrap them
// with the path or name they concern.
var (
	// ErrBusy means the database lock was not obtained within
	// Options.Timeout: another talkcards is using the database.
	ErrBusy = errors.New("another talkcards is using the database")

	// ErrDamaged means the file is not a valid talkcards database: empty,
	// truncated, garbage, a broken bbolt meta page, a bbolt file without the
	// talkcards schema, or a bbolt panic while reading it. The error wraps
	// the cause and names the path. The file is never modified.
	ErrDamaged = errors.New("not a valid talkcards database")

	// ErrPendingDamaged means a review session's answers waiting in the
	// journal beside the database (doc.go "Pending answers") cannot be
	// applied: a record does not check out, or names a card that is gone.
	// The database itself is sound; check --repair drops such answers.
	ErrPendingDamaged = errors.New("answers waiting to be applied are damaged")

	// ErrNoDatabase means a ReadOnly open found no file; none is created.
	ErrNoDatabase = errors.New("no database")

	// ErrNewerSchema means the database was written by a newer talkcards
	// whose schema this version does not know.
	ErrNewerSchema = errors.New("database schema is newer than this talkcards")

	// ErrBadUser means a user name is not [A-Za-z0-9._-]{1,64}.
	ErrBadUser = errors.New("user names are 1 to 64 letters, digits, '.', '_' or '-'")

	// ErrNotFound means a card (or talk) does not exist.
	ErrNotFound = errors.New("not found")
)
