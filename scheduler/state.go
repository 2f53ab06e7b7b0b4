// Package scheduler owns SM-2: the per-card review state, how a grade changes
// it, which cards are due on a day, and the in-session queue that brings a
// failed card back (SM-2 step 7). It is pure: no I/O, no clock of its own.
package scheduler

// Day is a calendar day counted from 1970-01-01 (day 0) in the user's local
// time, shifted by the user's day-start hour (a review at 02:00 belongs to
// the previous day when the day starts at 04:00). Storage keys due dates by it.
type Day int32

// State is one user's SM-2 state of one card. The zero value is not a valid
// state: a card without a State is new.
type State struct {
	Repetitions int     // n: successful reviews in a row
	Easiness    float64 // EF, starts at 2.5, never below 1.3
	Interval    int     // I in days
	Due         Day     // day the card is next due
	Lapses      int     // grades below 3, a new card's included (DESIGN's pseudocode)
	Suspended   bool
	LastReview  Day
}

// Grade is an SM-2 quality of response, 0 to 5. Grades of 3 and up are
// successful recalls; below 3 is a lapse.
type Grade int

// The six SM-2 grades.
const (
	GradeBlackout Grade = iota // complete blackout
	GradeWrong                 // wrong, but recognised after seeing the answer
	GradeAlmost                // wrong, but the answer seemed easy once seen
	GradeHard                  // right, with serious difficulty
	GradeGood                  // right, after some hesitation
	GradeEasy                  // perfect
)
