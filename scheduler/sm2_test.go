package scheduler

import (
	"strconv"
	"testing"
)

// review is one grade given on one day.
type review struct {
	q   Grade
	day Day
}

// Each vector is worked by hand from DESIGN's formula. EF deltas per grade,
// 0.1-(5-q)*(0.08+(5-q)*0.02):
//
//	q=5: 0.1-0*(0.08)      = +0.10
//	q=4: 0.1-1*(0.08+0.02) =  0.00
//	q=3: 0.1-2*(0.08+0.04) = -0.14
//	q=2: 0.1-3*(0.08+0.06) = -0.32
//	q=1: 0.1-4*(0.08+0.08) = -0.54
//	q=0: 0.1-5*(0.08+0.10) = -0.80
func TestApplyVectors(t *testing.T) {
	tests := []struct {
		name    string
		start   *State // nil: a new card
		reviews []review
		want    State
	}{
		{
			// n=0 → I=1, n=1; EF 2.5+0.10=2.6; due 100+1.
			name:    "new card perfect",
			reviews: []review{{5, 100}},
			want:    State{Repetitions: 1, Easiness: 2.6, Interval: 1, Due: 101, LastReview: 100},
		},
		{
			// n=0 → I=1, n=1; EF 2.5+0=2.5.
			name:    "new card good",
			reviews: []review{{4, 100}},
			want:    State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 101, LastReview: 100},
		},
		{
			// 3 is a pass: n=0 → I=1, n=1; EF 2.5-0.14=2.36 (not 2.3600000000000003).
			name:    "new card hard still passes",
			reviews: []review{{3, 100}},
			want:    State{Repetitions: 1, Easiness: 2.36, Interval: 1, Due: 101, LastReview: 100},
		},
		{
			// fail: n=0, I=1, lapses 0+1=1; EF 2.5-0.32=2.18.
			name:    "new card almost",
			reviews: []review{{2, 100}},
			want:    State{Repetitions: 0, Easiness: 2.18, Interval: 1, Due: 101, Lapses: 1, LastReview: 100},
		},
		{
			// fail: lapses 1; EF 2.5-0.54=1.96.
			name:    "new card wrong",
			reviews: []review{{1, 100}},
			want:    State{Repetitions: 0, Easiness: 1.96, Interval: 1, Due: 101, Lapses: 1, LastReview: 100},
		},
		{
			// fail: lapses 1; EF 2.5-0.80=1.7.
			name:    "new card blackout",
			reviews: []review{{0, 100}},
			want:    State{Repetitions: 0, Easiness: 1.7, Interval: 1, Due: 101, Lapses: 1, LastReview: 100},
		},
		{
			// EF 2.5 → 1.7 → 0.9 floored to 1.3 → 0.5 floored to 1.3; lapses 3;
			// each time I=1, n=0; last review day 102 → due 103.
			name:    "EF floor after repeated blackouts",
			reviews: []review{{0, 100}, {0, 101}, {0, 102}},
			want:    State{Repetitions: 0, Easiness: 1.3, Interval: 1, Due: 103, Lapses: 3, LastReview: 102},
		},
		{
			// 1st: n=0 → I=1, n=1, EF 2.6, due 101.
			// 2nd: n=1 → I=6, n=2, EF 2.7, due 107.
			// 3rd: I=round(6*2.7 old EF)=round(16.2)=16, n=3, EF 2.8, due 107+16=123.
			name:    "perfect three times",
			reviews: []review{{5, 100}, {5, 101}, {5, 107}},
			want:    State{Repetitions: 3, Easiness: 2.8, Interval: 16, Due: 123, LastReview: 107},
		},
		{
			// 1st q=3: I=1, n=1, EF 2.36, due 101.
			// 2nd q=4: I=6, n=2, EF 2.36, due 107.
			// 3rd q=4: I=round(6*2.36)=round(14.16)=14, n=3, EF 2.36, due 121.
			name:    "rounding with EF 2.36",
			reviews: []review{{3, 100}, {4, 101}, {4, 107}},
			want:    State{Repetitions: 3, Easiness: 2.36, Interval: 14, Due: 121, LastReview: 107},
		},
		{
			// I=round(5*2.3)=round(11.5)=12 (half away from zero); EF 2.3+0=2.3.
			name:    "half rounds up",
			start:   &State{Repetitions: 3, Easiness: 2.3, Interval: 5, Due: 200, LastReview: 195},
			reviews: []review{{4, 200}},
			want:    State{Repetitions: 4, Easiness: 2.3, Interval: 12, Due: 212, LastReview: 200},
		},
		{
			// I=round(15*2.7)=round(40.5)=41 with the old EF; EF 2.7+0.1=2.8.
			name:    "half rounds up with old EF",
			start:   &State{Repetitions: 4, Easiness: 2.7, Interval: 15, Due: 300, LastReview: 285},
			reviews: []review{{5, 300}},
			want:    State{Repetitions: 5, Easiness: 2.8, Interval: 41, Due: 341, LastReview: 300},
		},
		{
			// Failure after a long interval: n=0, I=1, lapses 1+1=2; EF still
			// drops, 2.4-0.54=1.86; due 1000+1.
			name:    "lapse after long interval",
			start:   &State{Repetitions: 6, Easiness: 2.4, Interval: 120, Due: 1000, Lapses: 1, LastReview: 880},
			reviews: []review{{1, 1000}},
			want:    State{Repetitions: 0, Easiness: 1.86, Interval: 1, Due: 1001, Lapses: 2, LastReview: 1000},
		},
		{
			// After the lapse above: q=4 with n=0 → I=1, n=1, EF 1.86;
			// q=4 with n=1 → I=6, n=2; q=4 → I=round(6*1.86)=round(11.16)=11.
			name:    "relearning after a lapse",
			start:   &State{Repetitions: 0, Easiness: 1.86, Interval: 1, Due: 1001, Lapses: 2, LastReview: 1000},
			reviews: []review{{4, 1001}, {4, 1002}, {4, 1008}},
			want:    State{Repetitions: 3, Easiness: 1.86, Interval: 11, Due: 1019, Lapses: 2, LastReview: 1008},
		},
		{
			// q=3 on a mature card: I=round(10*1.4)=14, n=5; EF 1.4-0.14=1.26 → 1.3.
			name:    "hard pass reaches the floor",
			start:   &State{Repetitions: 4, Easiness: 1.4, Interval: 10, Due: 50, LastReview: 40},
			reviews: []review{{3, 50}},
			want:    State{Repetitions: 5, Easiness: 1.3, Interval: 14, Due: 64, LastReview: 50},
		},
		{
			// At the floor: I=round(10*1.3)=13; EF 1.3-0.14 → 1.3. Then q=5:
			// I=round(13*1.3)=round(16.9)=17, EF 1.3+0.1=1.4.
			name:    "climbing off the floor",
			start:   &State{Repetitions: 3, Easiness: 1.3, Interval: 10, Due: 50, LastReview: 40},
			reviews: []review{{3, 50}, {5, 63}},
			want:    State{Repetitions: 5, Easiness: 1.4, Interval: 17, Due: 80, LastReview: 63},
		},
		{
			// A stored EF with float drift reads as 2.36: I=round(6*2.36)=14.
			name:    "drifted stored EF",
			start:   &State{Repetitions: 2, Easiness: 2.3600000000000003, Interval: 6, Due: 10, LastReview: 4},
			reviews: []review{{4, 10}},
			want:    State{Repetitions: 3, Easiness: 2.36, Interval: 14, Due: 24, LastReview: 10},
		},
		{
			// round(30000*2.5)=75000, capped at MaxInterval 36500.
			name:    "interval cap",
			start:   &State{Repetitions: 10, Easiness: 2.5, Interval: 30000, Due: 40000, LastReview: 10000},
			reviews: []review{{4, 40000}},
			want:    State{Repetitions: 11, Easiness: 2.5, Interval: MaxInterval, Due: 40000 + MaxInterval, LastReview: 40000},
		},
		{
			// Suspended is not SM-2's business: kept as is.
			name:    "suspension kept",
			start:   &State{Repetitions: 1, Easiness: 2.5, Interval: 1, Due: 5, Suspended: true, LastReview: 4},
			reviews: []review{{4, 5}},
			want:    State{Repetitions: 2, Easiness: 2.5, Interval: 6, Due: 11, Suspended: true, LastReview: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			isNew := tt.start == nil
			if !isNew {
				s = *tt.start
			}
			for _, r := range tt.reviews {
				s = Apply(s, isNew, r.q, r.day)
				isNew = false
			}
			if s != tt.want {
				t.Errorf("got  %+v\nwant %+v", s, tt.want)
			}
		})
	}
}

func TestApplyNewIgnoresGivenState(t *testing.T) {
	stale := State{Repetitions: 7, Easiness: 1.5, Interval: 90, Lapses: 4}
	got := Apply(stale, true, GradeEasy, 10)
	want := Apply(NewState(), false, GradeEasy, 10)
	if got != want {
		t.Errorf("new card from stale state: got %+v, want %+v", got, want)
	}
}

func TestApplyInvalidGrade(t *testing.T) {
	s := State{Repetitions: 2, Easiness: 2.5, Interval: 6, Due: 10, LastReview: 4}
	for _, q := range []Grade{-1, 6, 100} {
		if got := Apply(s, false, q, 10); got != s {
			t.Errorf("grade %d changed the state: %+v", q, got)
		}
	}
}

func TestEasinessPrintsTwoDecimals(t *testing.T) {
	// Every reachable EF must print as its 2-decimal value, the way storage
	// and --json show it.
	s := Apply(NewState(), true, GradeHard, 0)
	for i := range 200 {
		s = Apply(s, false, Grade(i%6), Day(i))
		got := strconv.FormatFloat(s.Easiness, 'f', -1, 64)
		if want := strconv.FormatFloat(s.Easiness, 'f', 2, 64); len(got) > len(want) {
			t.Fatalf("step %d: EF %s has more than 2 decimals", i, got)
		}
	}
}

func TestGradeLabels(t *testing.T) {
	short := []string{"blackout", "wrong", "almost", "hard", "good", "easy"}
	for q := GradeBlackout; q <= GradeEasy; q++ {
		if !q.Valid() {
			t.Errorf("grade %d not valid", q)
		}
		if q.ShortLabel() != short[q] {
			t.Errorf("grade %d short label %q, want %q", q, q.ShortLabel(), short[q])
		}
		if q.Label() == "" {
			t.Errorf("grade %d has no label", q)
		}
		if q.Passed() != (q >= 3) {
			t.Errorf("grade %d Passed %v", q, q.Passed())
		}
	}
	for _, q := range []Grade{-1, 6} {
		if q.Valid() || q.Passed() {
			t.Errorf("grade %d valid", q)
		}
		if q.Label() == "" || q.ShortLabel() == "" {
			t.Errorf("grade %d has an empty label", q)
		}
	}
}
