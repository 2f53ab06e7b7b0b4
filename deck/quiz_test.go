package deck

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func card(id, talk string, kind Kind, prompt, answer string) Card {
	return Card{ID: id, Talk: talk, Kind: kind, Prompt: prompt, Answer: answer}
}

// quizPool is two talks: a quiz on "Go" should draw on Go's clozes first.
var quizPool = []Card{
	card("g1", "Go", Cloze, "Goroutines talk over [...].", "channels"),
	card("g2", "Go", Cloze, "Go was made at [...].", "Google"),
	card("g3", "Go", Cloze, "The [...] statement waits on many channels.", "select"),
	card("g4", "Go", Cloze, "A [...] is cheap to start.", "goroutine"),
	card("g5", "Go", Cloze, "Share memory by [...].", "communicating"),
	card("g6", "Go", List, "Name the 2 parts.", "- Concurrency\n- Parallelism"),
	card("g7", "Go", Speaker, "Who gave the talk “Go”?", "Rob Pike"),
	card("g8", "Go", Speaker, "When was “Go” given?", "2012-01-11"),
	card("s1", "Simple", Cloze, "Simple is the opposite of [...].", "complex"),
	card("s2", "Simple", Cloze, "Easy means [...] at hand.", "near"),
	card("s3", "Simple", Speaker, "Who gave the talk “Simple”?", "Rich Hickey"),
	card("s4", "Simple", List, "Name the 2 words.", "- Simple\n- Easy"),
	card("s5", "Simple", Speaker, "Who gave the talk “Simple Made Easy”?", "Rich Hickey"),
}

func TestDistractorsNeverTheRightAnswer(t *testing.T) {
	pool := append(slices.Clone(quizPool),
		card("d1", "Simple", Cloze, "x [...]", "Channels"),          // folded equal
		card("d2", "Simple", Cloze, "x [...]", "channels!"),         // equal but for punctuation
		card("d3", "Simple", Cloze, "x [...]", "chanels"),           // a typo away
		card("d4", "Simple", Cloze, "x [...]", "buffered channels"), // contains it
		card("d5", "Go", Cloze, "y [...]", "Google"),                // duplicate of another distractor
		card("d6", "Go", Cloze, "z [...]", "   "),                   // empty
	)
	right := pool[0]
	for seed := range uint64(200) {
		got := Distractors(right, pool, 3, rand.New(rand.NewPCG(seed, 0)))
		if len(got) != 3 {
			t.Fatalf("seed %d: %d distractors %q, want 3", seed, len(got), got)
		}
		for i, d := range got {
			if SameAnswer(d, right.Answer) {
				t.Errorf("seed %d: distractor %q is the right answer %q", seed, d, right.Answer)
			}
			for _, e := range got[:i] {
				if SameAnswer(d, e) {
					t.Errorf("seed %d: distractors %q and %q are the same answer", seed, d, e)
				}
			}
		}
	}
}

func TestDistractorsPreferSameKindSameTalk(t *testing.T) {
	tests := []struct {
		name  string
		right Card
		n     int
		from  []string // every distractor is one of these
	}{
		{"same talk, same kind first", quizPool[0], 3, []string{"Google", "select", "goroutine", "communicating"}},
		{"then same kind, other talks", quizPool[0], 6, []string{"Google", "select", "goroutine", "communicating", "complex", "near"}},
		{"a speaker is offered speakers, not dates", quizPool[6], 1, []string{"Rich Hickey"}},
		{"lists before short answers", quizPool[5], 1, []string{"- Simple\n- Easy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range uint64(50) {
				got := Distractors(tt.right, quizPool, tt.n, rand.New(rand.NewPCG(seed, 1)))
				if len(got) != tt.n {
					t.Fatalf("seed %d: got %q, want %d distractors", seed, got, tt.n)
				}
				for _, d := range got {
					if !slices.Contains(tt.from, d) {
						t.Errorf("seed %d: distractor %q, want one of %q", seed, d, tt.from)
					}
				}
			}
		})
	}
}

func TestDistractorsDeterministic(t *testing.T) {
	seen := map[string]bool{}
	for seed := range uint64(20) {
		a := Distractors(quizPool[0], quizPool, 3, rand.New(rand.NewPCG(seed, 7)))
		b := Distractors(quizPool[0], quizPool, 3, rand.New(rand.NewPCG(seed, 7)))
		if !slices.Equal(a, b) {
			t.Fatalf("seed %d: %q then %q", seed, a, b)
		}
		seen[fmt.Sprint(a)] = true
	}
	if len(seen) < 2 {
		t.Errorf("20 seeds gave the same distractors every time: %v", seen)
	}
}

func TestDistractorsShortPool(t *testing.T) {
	pool := []Card{
		card("a", "T", Cloze, "x [...]", "alpha"),
		card("b", "T", Cloze, "y [...]", "beta"),
		card("c", "T", Cloze, "z [...]", "Alpha"),
	}
	got := Distractors(pool[0], pool, 3, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(got, []string{"beta"}) {
		t.Errorf("got %q, want [beta]", got)
	}
	if got := Distractors(pool[0], pool[:1], 3, rand.New(rand.NewPCG(1, 1))); len(got) != 0 {
		t.Errorf("alone in the pool: got %q, want none", got)
	}
	if got := Distractors(pool[0], pool, 0, rand.New(rand.NewPCG(1, 1))); len(got) != 0 {
		t.Errorf("n=0: got %q", got)
	}
}

func TestChoices(t *testing.T) {
	positions := map[int]bool{}
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		opts, correct := Choices(quizPool[0], quizPool, 3, rng)
		if len(opts) != 4 || opts[correct] != "channels" {
			t.Fatalf("seed %d: options %q, correct %d", seed, opts, correct)
		}
		positions[correct] = true
	}
	if len(positions) < 4 {
		t.Errorf("the right answer sat only at %v over 40 seeds: not shuffled", positions)
	}
}

func TestSameAnswer(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"resiliência", "Resiliencia", true},
		{"channels", "chanels", true},
		{"channels", "buffered channels", true},
		{"- Simple\n- Easy", "- simple\n- easy", true},
		{"Go", "Google", false},
		{"simple", "easy", false},
		{"Rob Pike", "Rich Hickey", false},
		{":-)", ":-)", true},
		{":-)", ":D", false},
	}
	for _, tt := range tests {
		if got := SameAnswer(tt.a, tt.b); got != tt.want {
			t.Errorf("SameAnswer(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDistractorsKeepTheShape(t *testing.T) {
	pool := []Card{
		card("a", "T", List, "Name the 2 points.", "- alpha\n- beta"),
		card("b", "T", List, "Name the 4 points.", "- one\n- two\n- three\n- four"),
		card("c", "T", Cloze, "Made in [...].", "2010"),
		card("d", "T", Cloze, "The [...] pattern.", "pipeline"),
		card("e", "T", Cloze, "Released in [...].", "2012-01-11"),
	}
	got := Distractors(pool[0], pool, 1, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(got, []string{"- one\n- two"}) {
		t.Errorf("a 2-point list: distractors %q, want the 4-point list cut to 2", got)
	}
	for seed := range uint64(20) {
		got := Distractors(pool[2], pool, 1, rand.New(rand.NewPCG(seed, 1)))
		if !slices.Equal(got, []string{"2012-01-11"}) {
			t.Errorf("seed %d: a year: distractors %q, want the other date first", seed, got)
		}
	}
}
