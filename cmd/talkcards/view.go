package main

import (
	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// userView is one user's look at the collection today: their states and the
// day SM-2 counts from.
type userView struct {
	user   string
	today  scheduler.Day
	states map[string]scheduler.State
}

func (a *app) userView(db *storage.DB) (*userView, error) {
	user, err := a.userName()
	if err != nil {
		return nil, err
	}
	settings, err := db.Settings(user)
	if err != nil {
		return nil, err
	}
	states, err := db.States(user)
	if err != nil {
		return nil, err
	}
	return &userView{user: user, today: scheduler.DayOf(a.now(), settings.DayStartHour), states: states}, nil
}

// status is a card's standing for this user: new, due, suspended, retired or
// scheduled.
func (v *userView) status(c storage.Card) (string, *scheduler.State) {
	s, ok := v.states[c.ID]
	switch {
	case c.Retired:
		if ok {
			return "retired", &s
		}
		return "retired", nil
	case !ok:
		return "new", nil
	case s.Suspended:
		return "suspended", &s
	case s.Due <= v.today:
		return "due", &s
	}
	return "scheduled", &s
}
