package scheduler

import (
	"errors"
	"testing"
	"time"
)

func loadLocation(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no tzdata for %s: %v", name, err)
	}
	return loc
}

func mustParseDay(t testing.TB, s string) Day {
	t.Helper()
	d, err := ParseDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDayOf(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		name      string
		t         time.Time
		startHour int
		want      string
	}{
		{"epoch", time.Date(1970, 1, 1, 12, 0, 0, 0, utc), 0, "1970-01-01"},
		{"midnight start", time.Date(2025, 3, 1, 0, 0, 0, 0, utc), 0, "2025-03-01"},
		{"before 4am is yesterday", time.Date(2025, 3, 1, 3, 59, 59, 999, utc), 4, "2025-02-28"},
		{"4am starts the day", time.Date(2025, 3, 1, 4, 0, 0, 0, utc), 4, "2025-03-01"},
		{"leap day back", time.Date(2024, 3, 1, 2, 0, 0, 0, utc), 4, "2024-02-29"},
		{"new year back", time.Date(2025, 1, 1, 1, 0, 0, 0, utc), 4, "2024-12-31"},
		{"late start hour", time.Date(2025, 6, 10, 22, 59, 0, 0, utc), 23, "2025-06-09"},
		{"late start hour reached", time.Date(2025, 6, 10, 23, 0, 0, 0, utc), 23, "2025-06-10"},
		{"before epoch", time.Date(1969, 12, 31, 12, 0, 0, 0, utc), 4, "1969-12-31"},
		{"negative start hour clamped", time.Date(2025, 6, 10, 0, 30, 0, 0, utc), -3, "2025-06-10"},
		{"large start hour clamped", time.Date(2025, 6, 10, 22, 30, 0, 0, utc), 30, "2025-06-09"},
		// The location is t's own: 01:00 UTC is still the previous evening in
		// a zone five hours behind.
		{"own location", time.Date(2025, 6, 10, 23, 0, 0, 0, time.FixedZone("X", -5*3600)), 0, "2025-06-10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DayOf(tt.t, tt.startHour)
			if got.String() != tt.want {
				t.Errorf("DayOf(%v, %d) = %s, want %s", tt.t, tt.startHour, got, tt.want)
			}
		})
	}
}

func TestDayOfAcrossDST(t *testing.T) {
	// New York: 2025-03-09 02:00 EST jumps to 03:00 EDT (a 23-hour day);
	// 2025-11-02 02:00 EDT falls back to 01:00 EST (a 25-hour day).
	ny := loadLocation(t, "America/New_York")
	tests := []struct {
		name      string
		t         time.Time
		startHour int
		want      string
	}{
		{"spring: before start", time.Date(2025, 3, 9, 1, 59, 0, 0, ny), 4, "2025-03-08"},
		{"spring: just after the jump, before start", time.Date(2025, 3, 9, 3, 30, 0, 0, ny), 4, "2025-03-08"},
		{"spring: start hour", time.Date(2025, 3, 9, 4, 0, 0, 0, ny), 4, "2025-03-09"},
		{"spring: evening of the short day", time.Date(2025, 3, 9, 23, 59, 0, 0, ny), 4, "2025-03-09"},
		{"spring: next morning before start", time.Date(2025, 3, 10, 3, 59, 0, 0, ny), 4, "2025-03-09"},
		{"spring: next day", time.Date(2025, 3, 10, 4, 0, 0, 0, ny), 4, "2025-03-10"},
		{"spring: start hour skipped by the jump", time.Date(2025, 3, 9, 3, 0, 0, 0, ny), 2, "2025-03-09"},
		{"fall: first 01:30", time.Date(2025, 11, 2, 5, 30, 0, 0, time.UTC).In(ny), 4, "2025-11-01"},
		{"fall: second 01:30", time.Date(2025, 11, 2, 6, 30, 0, 0, time.UTC).In(ny), 4, "2025-11-01"},
		{"fall: second 01:30 at start hour 1", time.Date(2025, 11, 2, 6, 30, 0, 0, time.UTC).In(ny), 1, "2025-11-02"},
		{"fall: 03:59 after the long night", time.Date(2025, 11, 2, 3, 59, 0, 0, ny), 4, "2025-11-01"},
		{"fall: start hour", time.Date(2025, 11, 2, 4, 0, 0, 0, ny), 4, "2025-11-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DayOf(tt.t, tt.startHour)
			if got.String() != tt.want {
				t.Errorf("DayOf(%v, %d) = %s, want %s", tt.t, tt.startHour, got, tt.want)
			}
		})
	}
}

func TestDayOfHourByHourAcrossDST(t *testing.T) {
	// Walking real time an hour at a time across both changes, the day must
	// advance by exactly one at each start hour and never otherwise; a
	// duration-based day (24h from a start) would drift by an hour.
	for _, name := range []string{"America/New_York", "Europe/Lisbon"} {
		loc := loadLocation(t, name)
		for _, startHour := range []int{0, 1, 2, 3, 4, 12, 23} {
			start := time.Date(2025, 1, 1, 12, 0, 0, 0, loc)
			prev := DayOf(start, startHour)
			for at := start; at.Year() == 2025; at = at.Add(time.Hour) {
				d := DayOf(at, startHour)
				local := at.Format("2006-01-02 15:04 MST")
				switch {
				case d == prev:
				case d == prev+1 && at.Hour() >= startHour:
				default:
					t.Fatalf("%s start %d: %s is day %s after %s", name, startHour, local, d, prev)
				}
				prev = d
			}
			if want := mustParseDay(t, "2025-12-31"); prev != want {
				t.Errorf("%s start %d: year ends on %s, want %s", name, startHour, prev, want)
			}
		}
	}
}

func TestDayTime(t *testing.T) {
	ny := loadLocation(t, "America/New_York")
	d := mustParseDay(t, "2025-03-09")
	if got, want := d.Time(ny), time.Date(2025, 3, 9, 0, 0, 0, 0, ny); !got.Equal(want) {
		t.Errorf("Time = %v, want %v", got, want)
	}
	if got := DayOf(d.Time(ny), 0); got != d {
		t.Errorf("DayOf(Time) = %s, want %s", got, d)
	}
	if got, want := d.Time(nil), time.Date(2025, 3, 9, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Time(nil) = %v, want %v", got, want)
	}
}

func TestDayStringParse(t *testing.T) {
	for _, s := range []string{"1970-01-01", "1969-12-31", "2000-02-29", "2024-12-31", "2100-03-01", "0001-01-01", "9999-12-31"} {
		d := mustParseDay(t, s)
		if d.String() != s {
			t.Errorf("ParseDay(%q).String() = %q", s, d.String())
		}
	}
	if d := mustParseDay(t, "1970-01-02"); d != 1 {
		t.Errorf("1970-01-02 is day %d, want 1", d)
	}
	for _, s := range []string{"", "2025-1-02", "2025-02-30", "2025-13-01", "25-01-01", "2025-01-01T00:00:00Z", "2025/01/01", " 2025-01-01"} {
		if _, err := ParseDay(s); !errors.Is(err, ErrInvalidDay) {
			t.Errorf("ParseDay(%q) error = %v, want ErrInvalidDay", s, err)
		}
	}
}
