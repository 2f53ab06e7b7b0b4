package scheduler

import (
	"fmt"
	"time"
)

const (
	dayLayout  = "2006-01-02"
	secondsDay = 24 * 60 * 60
)

// DayOf is the day t belongs to, read in t's own location, when a day starts
// at startHour local time: with startHour 4, 03:59 belongs to the previous
// day. It works on the wall-clock date and hour, not on durations, so a day
// of 23 or 25 hours around a DST change is still one day. startHour outside
// 0–23 is clamped.
func DayOf(t time.Time, startHour int) Day {
	startHour = min(max(startHour, 0), 23)
	y, m, d := t.Date()
	if t.Hour() < startHour {
		d-- // time.Date normalises day 0 to the last day of the month before
	}
	return dayOfDate(y, m, d)
}

// dayOfDate counts days from 1970-01-01 to a calendar date; UTC has no DST,
// so the division is exact.
func dayOfDate(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsDay)
}

// Time is midnight at the start of d's date in loc (nil means UTC), or the
// first instant after it where a DST change skips midnight.
func (d Day) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, dd := d.date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

func (d Day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*secondsDay, 0).UTC().Date()
}

// String is d as YYYY-MM-DD.
func (d Day) String() string {
	return time.Unix(int64(d)*secondsDay, 0).UTC().Format(dayLayout)
}

// ParseDay reads a YYYY-MM-DD date, as String writes it.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(dayLayout, s)
	if err != nil {
		return 0, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrInvalidDay, s)
	}
	return dayOfDate(t.Date()), nil
}
