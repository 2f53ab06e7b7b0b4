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
//
// The queue takes cards from its plan only as it needs them (the card to
// show, the cards a repeat goes behind): a plan of thousands of cards costs
// nothing per card until it shows.
type Queue[K comparable] struct {
	cards   []queued[K] // the front of the queue; then plan.At(next) on
	plan    source[K]
	next    int
	history []answer[K]
}

// source is the cards a queue starts with, in order, each once.
type source[K comparable] interface {
	Len() int
	At(i int) (id K, isNew bool)
	newFrom(i int) int // new cards among At(i) and after
}

type queued[K comparable] struct {
	id     K
	isNew  bool
	repeat bool
}

// answer is what Undo needs to reverse one Answer: the card taken from the
// front and where its repeat went (-1 for none).
type answer[K comparable] struct {
	card       queued[K]
	repeatedAt int
}

// Queue is a queue of the plan's cards, in the plan's order.
func (p *Plan[K]) Queue() *Queue[K] { return &Queue[K]{plan: p} }

// NewQueue makes a queue of the IDs in order. isNew tells which are new
// cards, for Remaining; nil means none. An ID listed twice is queued once.
func NewQueue[K comparable](ids []K, isNew func(id K) bool) *Queue[K] {
	l := &list[K]{cards: make([]queued[K], 0, len(ids))}
	seen := make(map[K]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		l.cards = append(l.cards, queued[K]{id: id, isNew: isNew != nil && isNew(id)})
	}
	return &Queue[K]{plan: l}
}

// list is the source of NewQueue.
type list[K comparable] struct{ cards []queued[K] }

func (l *list[K]) Len() int                    { return len(l.cards) }
func (l *list[K]) At(i int) (id K, isNew bool) { return l.cards[i].id, l.cards[i].isNew }
func (l *list[K]) newFrom(i int) int {
	n := 0
	for _, c := range l.cards[i:] {
		if c.isNew {
			n++
		}
	}
	return n
}

// fill takes cards from the plan until the front holds n, or the plan is
// used up.
func (q *Queue[K]) fill(n int) {
	for len(q.cards) < n && q.next < q.plan.Len() {
		id, isNew := q.plan.At(q.next)
		q.next++
		q.cards = append(q.cards, queued[K]{id: id, isNew: isNew})
	}
}

// Next is the card to show now, without taking it: it stays current until
// Answer. repeat tells that it is a same-day repeat, not an SM-2 review. ok
// is false when the session is done.
func (q *Queue[K]) Next() (id K, repeat bool, ok bool) {
	q.fill(1)
	if len(q.cards) == 0 {
		return id, false, false
	}
	c := q.cards[0]
	return c.id, c.repeat, true
}

// Answer records grade g for the current card id, which must be the one Next
// shows (else ErrNotCurrent). Below 4 the card is queued again as a repeat.
func (q *Queue[K]) Answer(id K, g Grade) error {
	if !g.Valid() {
		return fmt.Errorf("answer %v: %w %d", id, ErrInvalidGrade, g)
	}
	q.fill(1)
	if len(q.cards) == 0 || q.cards[0].id != id {
		return fmt.Errorf("answer %v: %w", id, ErrNotCurrent)
	}
	c := q.cards[0]
	q.cards = q.cards[1:]
	a := answer[K]{card: c, repeatedAt: -1}
	if g < GradeGood {
		a.repeatedAt = min(RepeatGap, q.Len())
		q.fill(a.repeatedAt)
		q.cards = slices.Insert(q.cards, a.repeatedAt, queued[K]{id: c.id, isNew: c.isNew, repeat: true})
	}
	q.history = append(q.history, a)
	return nil
}

// Undo takes back the last answer not yet undone: the queue is as it was
// before that answer, with its card current again. It returns that card, or
// ok false when there is nothing to undo. Undo can go back through the whole
// session; the caller restores the card's state and log itself.
func (q *Queue[K]) Undo() (id K, ok bool) {
	if len(q.history) == 0 {
		return id, false
	}
	a := q.history[len(q.history)-1]
	q.history = q.history[:len(q.history)-1]
	if a.repeatedAt >= 0 { // still in the front: cards taken since went behind it
		q.cards = slices.Delete(q.cards, a.repeatedAt, a.repeatedAt+1)
	}
	q.cards = slices.Insert(q.cards, 0, a.card)
	return a.card.id, true
}

// Remaining counts the showings left, for progress: due reviews, new cards
// and repeats of cards graded below 4.
func (q *Queue[K]) Remaining() (due, newCards, repeats int) {
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
	rest, fresh := q.plan.Len()-q.next, q.plan.newFrom(q.next)
	return due + rest - fresh, newCards + fresh, repeats
}

// Len is the number of showings left.
func (q *Queue[K]) Len() int { return len(q.cards) + q.plan.Len() - q.next }

// Drop takes the current card out of the session with any of its queued
// repeats (the user suspended it). Undo cannot go back past a Drop: the
// suspension is its own decision, reversed by unsuspending the card.
func (q *Queue[K]) Drop() {
	q.fill(1)
	if len(q.cards) == 0 {
		return
	}
	id := q.cards[0].id // in the front, so not in the plan's rest: the plan lists a card once
	q.cards = slices.DeleteFunc(q.cards, func(c queued[K]) bool { return c.id == id })
	q.history = nil
}
