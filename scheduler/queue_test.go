package scheduler

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// step is one showing: the card the queue shows, whether it is a repeat, and
// the grade the test gives it.
type step struct {
	id     string
	repeat bool
	q      Grade
}

// run plays steps against q, failing on the first showing that differs.
func run(t testing.TB, q *Queue[string], steps []step) {
	t.Helper()
	for i, s := range steps {
		id, repeat, ok := q.Next()
		if !ok || id != s.id || repeat != s.repeat {
			t.Fatalf("step %d: Next = %q repeat %v ok %v, want %q repeat %v", i, id, repeat, ok, s.id, s.repeat)
		}
		if err := q.Answer(id, s.q); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
}

// order is the queue from its current card on, repeats starred.
func order(q *Queue[string]) string {
	var b strings.Builder
	for _, c := range q.cards {
		b.WriteString(c.id)
		if c.repeat {
			b.WriteString("*")
		}
		b.WriteString(" ")
	}
	for i := q.next; i < q.plan.Len(); i++ {
		id, _ := q.plan.At(i)
		b.WriteString(id + " ")
	}
	return strings.TrimSpace(b.String())
}

func TestQueueRepeats(t *testing.T) {
	tests := []struct {
		name  string
		ids   []string
		steps []step
	}{
		{
			name: "all good: each card once",
			ids:  []string{"a", "b", "c"},
			steps: []step{
				{"a", false, 4}, {"b", false, 5}, {"c", false, 4},
			},
		},
		{
			// a fails (3 is a pass for SM-2 but below 4 for step 7): it comes
			// back after b, c, d; then passes.
			name: "below 4 comes back three cards later",
			ids:  []string{"a", "b", "c", "d", "e"},
			steps: []step{
				{"a", false, 3}, {"b", false, 4}, {"c", false, 4}, {"d", false, 4},
				{"a", true, 4}, {"e", false, 4},
			},
		},
		{
			// A repeat graded below 4 comes back again, still as a repeat.
			name: "repeats until 4 or more",
			ids:  []string{"a", "b"},
			steps: []step{
				{"a", false, 0}, {"b", false, 5}, {"a", true, 2}, {"a", true, 3}, {"a", true, 5},
			},
		},
		{
			// With fewer than three others left, the repeat goes to the end.
			name: "end of the queue when few remain",
			ids:  []string{"a", "b", "c"},
			steps: []step{
				{"a", false, 5}, {"b", false, 1}, {"c", false, 4}, {"b", true, 4},
			},
		},
		{
			// Two failing cards interleave with the rest.
			name: "two failing cards",
			ids:  []string{"a", "b", "c", "d", "e", "f"},
			steps: []step{
				{"a", false, 1}, // b c d a* e f
				{"b", false, 2}, // c d a* b* e f
				{"c", false, 4}, // d a* b* e f
				{"d", false, 4}, // a* b* e f
				{"a", true, 3},  // b* e f a*
				{"b", true, 4},  // e f a*
				{"e", false, 5}, // f a*
				{"f", false, 4}, // a*
				{"a", true, 4},
			},
		},
		{
			// The only card left keeps coming back while it fails; the
			// user ends the session.
			name: "single failing card",
			ids:  []string{"a"},
			steps: []step{
				{"a", false, 0}, {"a", true, 0}, {"a", true, 1}, {"a", true, 2}, {"a", true, 3}, {"a", true, 4},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewQueue(tt.ids, nil)
			run(t, q, tt.steps)
			if id, _, ok := q.Next(); ok {
				t.Errorf("queue not done: next %q, left %s", id, order(q))
			}
			if q.Len() != 0 {
				t.Errorf("Len = %d after the session", q.Len())
			}
		})
	}
}

func TestQueueSingleFailingCardNeverEnds(t *testing.T) {
	q := NewQueue([]string{"a"}, nil)
	for i := range 1000 {
		id, repeat, ok := q.Next()
		if !ok || id != "a" || repeat != (i > 0) {
			t.Fatalf("showing %d: %q repeat %v ok %v", i, id, repeat, ok)
		}
		if err := q.Answer(id, GradeBlackout); err != nil {
			t.Fatal(err)
		}
	}
	if q.Len() != 1 {
		t.Errorf("Len = %d, want 1", q.Len())
	}
}

func TestQueueUndo(t *testing.T) {
	q := NewQueue([]string{"a", "b", "c", "d", "e"}, nil)
	snapshots := []string{order(q)}
	run(t, q, []step{{"a", false, 1}}) // b c d a* e
	snapshots = append(snapshots, order(q))
	run(t, q, []step{{"b", false, 4}}) // c d a* e
	snapshots = append(snapshots, order(q))
	run(t, q, []step{{"c", false, 0}}) // d a* e c*
	snapshots = append(snapshots, order(q))
	run(t, q, []step{{"d", false, 5}, {"a", true, 2}}) // e c* a*
	if got, want := order(q), "e c* a*"; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}

	// Undo the repeat of a: a* is current again, as a repeat, and its second
	// repeat is gone.
	if id, ok := q.Undo(); !ok || id != "a" {
		t.Fatalf("Undo = %q %v, want a", id, ok)
	}
	if id, repeat, _ := q.Next(); id != "a" || !repeat {
		t.Fatalf("after undo Next = %q repeat %v, want a repeat", id, repeat)
	}
	if got, want := order(q), "a* e c*"; got != want {
		t.Errorf("after undo order %q, want %q", got, want)
	}
	// Undo d, c, b, a: each restores the queue exactly as before the answer.
	for i, id := range []string{"d", "c", "b", "a"} {
		got, ok := q.Undo()
		if !ok || got != id {
			t.Fatalf("undo %d = %q %v, want %q", i, got, ok, id)
		}
		if want := snapshots[len(snapshots)-1-i]; order(q) != want {
			t.Errorf("after undoing %s: %q, want %q", id, order(q), want)
		}
	}
	if got, want := order(q), snapshots[0]; got != want {
		t.Errorf("after undoing everything %q, want %q", got, want)
	}
	if id, ok := q.Undo(); ok {
		t.Errorf("Undo with no history = %q", id)
	}

	// Answering again after undo uses the new grade: a passes now, no repeat.
	run(t, q, []step{{"a", false, 5}, {"b", false, 4}, {"c", false, 4}, {"d", false, 4}, {"e", false, 4}})
	if q.Len() != 0 {
		t.Errorf("left %s", order(q))
	}
}

func TestQueueUndoMatchesReplay(t *testing.T) {
	// Undoing the last answer must give the same queue as never giving it:
	// replay every prefix of a session and compare.
	ids := []string{"a", "b", "c", "d", "e", "f", "g"}
	grades := []Grade{0, 4, 3, 5, 2, 1, 4, 4, 0, 5, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5}
	for n := 1; n <= len(grades); n++ {
		played := NewQueue(ids, nil)
		before := ""
		for i, g := range grades[:n] {
			id, _, ok := played.Next()
			if !ok {
				break
			}
			if i == n-1 {
				before = order(played)
			}
			if err := played.Answer(id, g); err != nil {
				t.Fatal(err)
			}
		}
		if before == "" {
			break
		}
		played.Undo()
		if got := order(played); got != before {
			t.Errorf("after %d answers, undo gives %q, want %q", n, got, before)
		}
	}
}

func TestQueueRemaining(t *testing.T) {
	isNew := func(id string) bool { return strings.HasPrefix(id, "n") }
	q := NewQueue([]string{"d1", "d2", "n1", "n2", "n3"}, isNew)
	check := func(due, fresh, repeats int) {
		t.Helper()
		d, n, r := q.Remaining()
		if d != due || n != fresh || r != repeats {
			t.Errorf("Remaining = %d %d %d, want %d %d %d (%s)", d, n, r, due, fresh, repeats, order(q))
		}
		if q.Len() != due+fresh+repeats {
			t.Errorf("Len = %d, want %d", q.Len(), due+fresh+repeats)
		}
	}
	check(2, 3, 0)
	run(t, q, []step{{"d1", false, 1}})
	check(1, 3, 1)
	run(t, q, []step{{"d2", false, 4}, {"n1", false, 0}})
	check(0, 2, 2)
	q.Undo()
	check(0, 3, 1)
}

func TestQueueAnswerErrors(t *testing.T) {
	q := NewQueue([]string{"a", "b"}, nil)
	if err := q.Answer("b", GradeGood); !errors.Is(err, ErrNotCurrent) {
		t.Errorf("answering b first: %v, want ErrNotCurrent", err)
	}
	for _, g := range []Grade{-1, 6} {
		if err := q.Answer("a", g); !errors.Is(err, ErrInvalidGrade) {
			t.Errorf("grade %d: %v, want ErrInvalidGrade", g, err)
		}
	}
	if got := order(q); got != "a b" {
		t.Errorf("failed answers changed the queue: %q", got)
	}
	run(t, q, []step{{"a", false, 4}, {"b", false, 4}})
	if err := q.Answer("b", GradeGood); !errors.Is(err, ErrNotCurrent) {
		t.Errorf("answering an empty queue: %v, want ErrNotCurrent", err)
	}
}

func TestQueueDuplicateIDs(t *testing.T) {
	q := NewQueue([]string{"a", "b", "a"}, nil)
	if got := order(q); got != "a b" {
		t.Errorf("order %q, want %q", got, "a b")
	}
}

func TestQueueDeterministic(t *testing.T) {
	ids := make([]string, 30)
	for i := range ids {
		ids[i] = fmt.Sprint("c", i)
	}
	play := func() []string {
		q := NewQueue(ids, nil)
		var shown []string
		for i := 0; ; i++ {
			id, _, ok := q.Next()
			if !ok {
				return shown
			}
			shown = append(shown, id)
			if err := q.Answer(id, Grade((i*7)%6)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if a, b := play(), play(); !slices.Equal(a, b) {
		t.Errorf("two runs differ:\n%q\n%q", a, b)
	}
}

func TestQueueDropRemovesCardAndRepeats(t *testing.T) {
	q := NewQueue([]string{"a", "b", "c"}, nil)
	if err := q.Answer("a", GradeWrong); err != nil { // a comes back as a repeat
		t.Fatal(err)
	}
	if err := q.Answer("b", GradeEasy); err != nil {
		t.Fatal(err)
	}
	// c is current; a's repeat is queued after it
	q.Drop()
	if id, _, _ := q.Next(); id != "a" {
		t.Fatalf("after dropping c, next = %q, want the repeat of a", id)
	}
	q.Drop()
	if _, _, ok := q.Next(); ok {
		t.Fatalf("queue not empty after dropping every card: %d left", q.Len())
	}
	if _, ok := q.Undo(); ok {
		t.Fatal("undo went back past a drop")
	}
}
