package main

import (
	"context"
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
	a       *app
	user    string
	today   scheduler.Day
	plan    *scheduler.Plan[storage.CardKey]
	queue   *scheduler.Queue[storage.CardKey]
	cards   map[string]storage.Card // by ID: the records of the cards about to show
	newIDs  map[storage.CardKey]bool
	ui      reviewUI
	done    []answered
	started time.Time
	withDB  func(readOnly bool, fn func(db *storage.DB) error) error

	// loaded is how far in the plan the records are read, cardBatch at a
	// time (see card): the queue shows the planned cards in plan order.
	loaded int
}

// cardBatch is how many planned cards one database read loads: the plan of
// a large collection lists thousands, and most sessions end long before.
const cardBatch = 64

// card returns the record of a planned card, reading it and the cards
// planned after it when it is not loaded yet.
func (s *session) card(key storage.CardKey) (storage.Card, error) {
	id := key.ID()
	if c, ok := s.cards[id]; ok {
		return c, nil
	}
	err := s.withDB(true, func(db *storage.DB) error {
		if err := s.loadCards(db, cardBatch); err != nil {
			return err
		}
		if _, ok := s.cards[id]; !ok { // not next in the plan (never happens): read it alone
			return s.addCards(db, []string{id})
		}
		return nil
	})
	return s.cards[id], err
}

// loadCards reads the records of the next n planned cards not loaded yet.
func (s *session) loadCards(db *storage.DB, n int) error {
	var ids []string
	for ; s.loaded < s.plan.Len() && len(ids) < n; s.loaded++ {
		k, _ := s.plan.At(s.loaded)
		if _, ok := s.cards[k.ID()]; !ok {
			ids = append(ids, k.ID())
		}
	}
	return s.addCards(db, ids)
}

func (s *session) addCards(db *storage.DB, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	cards, err := db.CardsByID(ids)
	if err != nil {
		return err
	}
	for _, c := range cards {
		s.cards[c.ID] = c
	}
	return nil
}

func (s *session) run(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return errInterrupted
		}
		key, repeat, ok := s.queue.Next()
		if !ok {
			return nil
		}
		due, newLeft, repeats := s.queue.Remaining()
		card, err := s.card(key)
		if err != nil {
			return err
		}
		c := shownCard{card: card, repeat: repeat, isNew: s.newIDs[key] && !repeat,
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
			if err := s.withDB(false, func(db *storage.DB) error { return db.SetSuspended(s.user, key.ID(), true) }); err != nil {
				return err
			}
			s.queue.Drop()
			s.ui.info("suspended: this card will not be shown until you unsuspend it")
		case actGrade:
			if err := s.record(c, key, grade, s.a.now().Sub(shownAt)); err != nil {
				return err
			}
		}
	}
}

// record commits one answer before the next card shows.
func (s *session) record(c shownCard, key storage.CardKey, g scheduler.Grade, took time.Duration) error {
	id := c.card.ID
	r := storage.Review{Time: s.a.now(), Card: id, Grade: g, Kind: storage.KindReview, Took: took}
	// Appended to the answers journal under a shared lock, the file read
	// without mapping it (storage.RecordAnswer: as withDB's KeepPending
	// open and RecordWith, a fraction of the time on a large database).
	path, err := s.a.dbPath()
	if err == nil {
		err = storage.RecordAnswer(path, 0, s.user, id, s.today, func(prev scheduler.State, had bool) (storage.Review, *scheduler.State) {
			r := r
			if c.repeat {
				r.Kind = storage.KindRepeat
				r.Interval, r.Easiness = prev.Interval, prev.Easiness
				return r, nil
			}
			st := scheduler.Apply(prev, !had, g, s.today)
			r.Interval, r.Easiness = st.Interval, st.Easiness
			return r, &st
		})
	}
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	if err := s.queue.Answer(key, g); err != nil {
		return err
	}
	s.done = append(s.done, answered{id: id, repeat: c.repeat, isNew: c.isNew, passed: g.Passed()})
	return nil
}

func (s *session) undo() error {
	if _, ok := s.queue.Undo(); !ok {
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
	// An ordinary open: it applies the session's pending answers (in place
	// when it may write, so after answers it opens for writing) before
	// NextDue reads. Should it fail, the next command applies them.
	db, err := s.a.openDB(len(s.done) == 0)
	if err != nil {
		return sum
	}
	defer db.Close()
	if day, n, err := db.NextDue(s.user, s.today+1); err == nil {
		sum.nextDue, sum.nextCount = day, n
	}
	return sum
}
