package scheduler

import (
	"fmt"
	"slices"
)

// RepeatGap is how many other cards show before a card graded below 4 comes
// back in the same session.
const RepeatGap = 3

// Queue is one session's order of cards with SM-2 step 7: a card graded
// below 4 comes back RepeatGap cards later (at the end if fewer remain) until
// it is graded 4 or more. A card's first showing in the session is its SM-2
// review (repeat false): the caller applies the grade with Apply. Later
// showings are repeats (repeat true): the caller logs them but leaves the
// state alone.
//
// A card that keeps failing when it is the only one left comes straight
// back, again and again: the queue never drops it, and the user ends the
// session (q in the UI). The queue is deterministic: the same answers give
// the same order.
type Queue struct {
	cards   []queued
	history []answer
}

type queued struct {
	id     string
	isNew  bool
	repeat bool
}

// answer is what Undo needs to reverse one Answer: the card taken from the
// front and where its repeat went (-1 for none).
type answer struct {
	card       queued
	repeatedAt int
}

// NewQueue makes a queue of the planned IDs in order (see Plan). isNew tells
// which are new cards, for Remaining; nil means none. An ID listed twice is
// queued once.
func NewQueue(ids []string, isNew func(id string) bool) *Queue {
	q := &Queue{cards: make([]queued, 0, len(ids))}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		q.cards = append(q.cards, queued{id: id, isNew: isNew != nil && isNew(id)})
	}
	return q
}

// Next is the card to show now, without taking it: it stays current until
// Answer. repeat tells that it is a same-day repeat, not an SM-2 review. ok
// is false when the session is done.
func (q *Queue) Next() (id string, repeat bool, ok bool) {
	if len(q.cards) == 0 {
		return "", false, false
	}
	c := q.cards[0]
	return c.id, c.repeat, true
}

// Answer records grade g for the current card id, which must be the one Next
// shows (else ErrNotCurrent). Below 4 the card is queued again as a repeat.
func (q *Queue) Answer(id string, g Grade) error {
	if !g.Valid() {
		return fmt.Errorf("answer %s: %w %d", id, ErrInvalidGrade, g)
	}
	if len(q.cards) == 0 || q.cards[0].id != id {
		return fmt.Errorf("answer %s: %w", id, ErrNotCurrent)
	}
	c := q.cards[0]
	q.cards = q.cards[1:]
	a := answer{card: c, repeatedAt: -1}
	if g < GradeGood {
		a.repeatedAt = min(RepeatGap, len(q.cards))
		q.cards = slices.Insert(q.cards, a.repeatedAt, queued{id: c.id, isNew: c.isNew, repeat: true})
	}
	q.history = append(q.history, a)
	return nil
}

// Undo takes back the last answer not yet undone: the queue is as it was
// before that answer, with its card current again. It returns that card, or
// ok false when there is nothing to undo. Undo can go back through the whole
// session; the caller restores the card's state and log itself.
func (q *Queue) Undo() (id string, ok bool) {
	if len(q.history) == 0 {
		return "", false
	}
	a := q.history[len(q.history)-1]
	q.history = q.history[:len(q.history)-1]
	if a.repeatedAt >= 0 {
		q.cards = slices.Delete(q.cards, a.repeatedAt, a.repeatedAt+1)
	}
	q.cards = slices.Insert(q.cards, 0, a.card)
	return a.card.id, true
}

// Remaining counts the showings left, for progress: due reviews, new cards
// and repeats of cards graded below 4.
func (q *Queue) Remaining() (due, newCards, repeats int) {
	for _, c := range q.cards {
		switch {
		case c.repeat:
			repeats++
		case c.isNew:
			newCards++
		default:
			due++
		}
	}
	return due, newCards, repeats
}

// Len is the number of showings left.
func (q *Queue) Len() int { return len(q.cards) }

// Drop takes the current card out of the session with any of its queued
// repeats (the user suspended it). Undo cannot go back past a Drop: the
// suspension is its own decision, reversed by unsuspending the card.
func (q *Queue) Drop() {
	if len(q.cards) == 0 {
		return
	}
	id := q.cards[0].id
	q.cards = slices.DeleteFunc(q.cards, func(c queued) bool { return c.id == id })
	q.history = nil
}
