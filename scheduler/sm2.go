package scheduler

import "math"

// SM-2 constants from DESIGN.md.
const (
	// InitialEasiness is EF of a card never reviewed.
	InitialEasiness = 2.5
	// MinEasiness is the floor of EF.
	MinEasiness = 1.3
	// MaxInterval caps the interval at about a century. SM-2 has no cap, but
	// EF has no ceiling either: about 18 perfect grades in a row make I*EF
	// overflow the Day type and wrap the due date into the past. No real
	// schedule comes near the cap, so below it Apply is SM-2 exactly.
	MaxInterval = 36500
)

// Easiness is kept in exact hundredths. Every SM-2 step changes EF by a whole
// number of hundredths (+0.10, 0, -0.14, -0.32, -0.54, -0.80), but in float64
// 2.5+0.1-0.24 is 2.3600000000000003, and such drift would show in the stored
// value and could tip round(I*EF) at a .5 boundary (5*2.3 must be 11.5 → 12).
// So EF is read as hundredths, updated and multiplied in integers, and stored
// as the float64 nearest to the 2-decimal value: what a reference
// implementation computing in exact decimals stores, and what prints as 2.36.
const (
	initialEasinessHundredths = 250
	minEasinessHundredths     = 130
)

// NewState is the state of a card before its first review: n=0, EF=2.5, I=0.
func NewState() State {
	return State{Easiness: InitialEasiness}
}

// Apply returns the state after grading a card q on day today, by SM-2 as
// DESIGN.md states it:
//
//	if q >= 3: I = 1 if n == 0; 6 if n == 1; else round(I * EF)   # old EF
//	           n = n + 1
//	else:      n = 0; I = 1; lapses++
//	EF = max(1.3, EF + 0.1 - (5-q)*(0.08 + (5-q)*0.02))          # every grade
//	due = today + I
//
// round is half away from zero. For a new card (isNew) s is ignored and the
// review starts from NewState. Suspended is kept. An invalid q (see
// Grade.Valid) returns s unchanged: callers validate input first. Same-day
// repeats of SM-2 step 7 must not be applied (see Queue).
func Apply(s State, isNew bool, q Grade, today Day) State {
	if !q.Valid() {
		return s
	}
	if isNew {
		suspended := s.Suspended
		s = NewState()
		s.Suspended = suspended
	}
	ef := easinessHundredths(s.Easiness)
	if q.Passed() {
		switch s.Repetitions {
		case 0:
			s.Interval = 1
		case 1:
			s.Interval = 6
		default:
			s.Interval = nextInterval(s.Interval, ef)
		}
		s.Repetitions++
	} else {
		s.Repetitions = 0
		s.Interval = 1
		s.Lapses++
	}
	d := int64(GradeEasy - q)
	ef += 10 - d*(8+d*2) // 0.1 - (5-q)*(0.08+(5-q)*0.02), in hundredths
	ef = max(ef, minEasinessHundredths)
	s.Easiness = float64(ef) / 100
	s.Due = today + Day(s.Interval)
	s.LastReview = today
	return s
}

// easinessHundredths reads a stored EF as whole hundredths, absorbing any
// float drift in a value not written by Apply. A damaged value is clamped so
// that the integer arithmetic cannot overflow.
func easinessHundredths(ef float64) int64 {
	if math.IsNaN(ef) || ef < MinEasiness {
		return minEasinessHundredths
	}
	return int64(math.Round(min(ef, 1e9) * 100))
}

// nextInterval is round(interval*EF) with EF in hundredths, half away from
// zero, kept within 1..MaxInterval (below 1 only for a damaged state).
func nextInterval(interval int, efHundredths int64) int {
	i := min(max(int64(interval), 1), MaxInterval)
	next := (i*efHundredths + 50) / 100
	return int(min(max(next, 1), MaxInterval))
}
