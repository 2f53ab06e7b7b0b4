package notes

import (
	"errors"
	"strconv"
)

// Limits on a notes file. Notes are hand-written text; anything bigger is a
// mistake (a log, a dump, a binary) and is refused before parsing.
const (
	MaxFileSize = 16 << 20 // bytes in one file
	MaxLineSize = 64 << 10 // bytes in one line
)

// Sentinel errors returned (wrapped in *Error) by Parse. Test with errors.Is.
var (
	// ErrInvalidUTF8: the file is not UTF-8 text; the Error names the line.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrBinary: the file holds a NUL byte, so it is not text; the Error
	// names the line.
	ErrBinary = errors.New("binary file")
	// ErrTooLarge: the file is larger than MaxFileSize.
	ErrTooLarge = errors.New("file too large")
	// ErrLineTooLong: a line is longer than MaxLineSize; the Error names it.
	ErrLineTooLong = errors.New("line too long")
	// ErrNoNotes: the file is empty or holds neither a heading nor a list
	// point (only prose, only code, only front matter, only comments).
	ErrNoNotes = errors.New("no notes found")
)

// Error is a problem with a notes file, at a position when one is known
// (Pos.Line 0 means the whole file). It unwraps to one of the sentinels.
type Error struct {
	Pos Pos
	Err error  // a sentinel above
	Msg string // optional detail, lowercase
}

func (e *Error) Error() string {
	s := e.Pos.File
	if e.Pos.Line > 0 {
		s += ":" + strconv.Itoa(e.Pos.Line)
	}
	s += ": " + e.Err.Error()
	if e.Msg != "" {
		s += " (" + e.Msg + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }
