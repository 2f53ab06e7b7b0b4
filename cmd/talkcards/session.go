package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// action is what the person chose at a prompt.
type action int

const (
	actReveal action = iota
	actGrade
	actQuit
	actUndo
	actSuspend
	actEOF
)

// shownCard is what a UI needs to show one card.
type shownCard struct {
	card     storage.Card
	repeat   bool
	isNew    bool
	position int // 1-based showing number in this session
	total    int // showings so far plus those left
	due      int // due reviews left, this one included
	newLeft  int
	repeats  int
}

// reviewUI is the face of a session: the promptui one on a terminal, the
// line-based plain one elsewhere. Both drive the same engine.
type reviewUI interface {
	// question shows the card's question and waits: reveal, quit, undo or suspend.
	question(ctx context.Context, c shownCard) (action, error)
	// answer shows the answer and asks for a grade (or quit, undo, suspend).
	answer(ctx context.Context, c shownCard) (action, scheduler.Grade, error)
	info(msg string)
	summary(s sessionSummary)
}

type sessionSummary struct {
	reviewed, newSeen, passed, repeats int
	took                               time.Duration
	nextDue                            scheduler.Day
	nextCount                          int
	empty                              bool // nothing was due
	interrupted                        bool
}

type answered struct {
	id     string
	repeat bool
	isNew  bool
	passed bool
}

// session runs one review: the queue, the cards and what was answered. The
// database is opened for each write and closed again, never held while the
// person thinks.
type session struct {
	a        *app
	user     string
	today    scheduler.Day
	queue    *scheduler.Queue
	cards    map[string]storage.Card
	newIDs   map[string]bool
	ui       reviewUI
	done     []answered
	started  time.Time
	shown    int
	summary  sessionSummary
	withDB   func(readOnly bool, fn func(db *storage.DB) error) error
	isRepeat map[string]bool
}

func (s *session) run(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return errInterrupted
		}
		id, repeat, ok := s.queue.Next()
		if !ok {
			return nil
		}
		due, newLeft, repeats := s.queue.Remaining()
		c := shownCard{card: s.cards[id], repeat: repeat, isNew: s.newIDs[id] && !repeat,
			position: len(s.done) + 1, total: len(s.done) + s.queue.Len(), due: due, newLeft: newLeft, repeats: repeats}
		shownAt := s.a.now()
		act, err := s.ui.question(ctx, c)
		if err != nil {
			return err
		}
		var grade scheduler.Grade
		if act == actReveal {
			act, grade, err = s.ui.answer(ctx, c)
			if err != nil {
				return err
			}
		}
		switch act {
		case actQuit, actEOF:
			return nil
		case actUndo:
			if err := s.undo(); err != nil {
				return err
			}
		case actSuspend:
			if err := s.withDB(false, func(db *storage.DB) error { return db.SetSuspended(s.user, id, true) }); err != nil {
				return err
			}
			s.queue.Drop()
			s.ui.info("suspended: this card will not be shown until you unsuspend it")
		case actGrade:
			if err := s.record(c, grade, s.a.now().Sub(shownAt)); err != nil {
				return err
			}
		}
	}
}

// record commits one answer before the next card shows.
func (s *session) record(c shownCard, g scheduler.Grade, took time.Duration) error {
	id := c.card.ID
	r := storage.Review{Time: s.a.now(), Card: id, Grade: g, Kind: storage.KindReview, Took: took}
	err := s.withDB(false, func(db *storage.DB) error {
		prev, had, err := db.State(s.user, id)
		if err != nil {
			return err
		}
		var next *scheduler.State
		if c.repeat {
			r.Kind = storage.KindRepeat
			r.Interval, r.Easiness = prev.Interval, prev.Easiness
		} else {
			st := scheduler.Apply(prev, !had, g, s.today)
			next = &st
			r.Interval, r.Easiness = st.Interval, st.Easiness
		}
		return db.Record(s.user, r, s.today, next)
	})
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	if err := s.queue.Answer(id, g); err != nil {
		return err
	}
	s.done = append(s.done, answered{id: id, repeat: c.repeat, isNew: c.isNew, passed: g.Passed()})
	return nil
}

func (s *session) undo() error {
	id, ok := s.queue.Undo()
	if !ok {
		s.ui.info("nothing to undo")
		return nil
	}
	err := s.withDB(false, func(db *storage.DB) error {
		_, _, err := db.Undo(s.user)
		return err
	})
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	s.done = s.done[:len(s.done)-1]
	s.ui.info("undone: the last answer is taken back")
	_ = id
	return nil
}

// finish computes the summary: what was reviewed and when cards are due next.
func (s *session) finish(interrupted bool) sessionSummary {
	sum := sessionSummary{interrupted: interrupted, took: s.a.now().Sub(s.started)}
	for _, d := range s.done {
		if d.repeat {
			sum.repeats++
			continue
		}
		sum.reviewed++
		if d.isNew {
			sum.newSeen++
		}
		if d.passed {
			sum.passed++
		}
	}
	_ = s.withDB(true, func(db *storage.DB) error {
		day, n, err := db.NextDue(s.user, s.today+1)
		if err == nil {
			sum.nextDue, sum.nextCount = day, n
		}
		return err
	})
	return sum
}

var errNothingDue = errors.New("nothing due")
