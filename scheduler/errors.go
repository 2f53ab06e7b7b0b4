package scheduler

import "errors"

// Sentinel errors of the scheduler package. Callers test them with errors.Is.
var (
	// ErrInvalidDay: a day string is not a YYYY-MM-DD calendar date.
	ErrInvalidDay = errors.New("invalid day")

	// ErrInvalidGrade: a grade outside 0–5.
	ErrInvalidGrade = errors.New("invalid grade")

	// ErrNotCurrent: Queue.Answer was called with a card other than the one
	// Queue.Next shows.
	ErrNotCurrent = errors.New("card is not the current card of the queue")
)
