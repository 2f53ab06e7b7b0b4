package main

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// talksPerFile is how many talks one synthetic notes file (a conference)
// holds.
const talksPerFile = 20

// synthFile makes the cards of one synthetic notes file, as deck would make
// them from notes: talks of 20–60 points, sections of a few points, every
// kind of card. edited gives the file as the user later edited it: a few
// points deleted (their cards retire) and a few reworded (their history
// carries to the new card).
func synthFile(seed uint64, index int, edited bool) storage.SourceFile {
	rng := rand.New(rand.NewPCG(seed, uint64(index)))
	path := fmt.Sprintf("conferences/conf-%05d.md", index)
	f := storage.SourceFile{Path: path, Size: 1, ModTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.Hash[0], f.Hash[1], f.Hash[2] = byte(index), byte(index>>8), byte(index>>16)
	if edited {
		f.Hash[3] = 1
	}
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(w, " ")
	}
	line := 1
	for ti := range talksPerFile {
		title := fmt.Sprintf("Talk %d.%d: %s", index, ti, words(3))
		gt := storage.GeneratedTalk{Slug: deck.Slug(title), Title: title}
		gt.Meta.Speaker = speakers[rng.IntN(len(speakers))] + " " + speakers[rng.IntN(len(speakers))]
		points := 20 + rng.IntN(41)
		seq := 0
		add := func(path []string, kind deck.Kind, key, prompt, answer string) {
			if edited && seq%17 == 5 {
				seq++
				return // deleted point
			}
			if edited && seq%23 == 7 {
				key += " (revised)"
				answer += " (revised)"
			}
			gt.Cards = append(gt.Cards, deck.Card{
				ID: deck.ID(title, path, kind, key), Talk: title, Path: path, Kind: kind,
				Prompt: prompt, Answer: answer, Source: fmt.Sprintf("%s:%d", path[0], line), Seq: seq, Key: key,
			})
			seq++
			line++
		}
		var sections []string
		for sec := 1; points > 0; sec++ {
			name := fmt.Sprintf("Part %d %s", sec, words(2))
			sections = append(sections, name)
			path := []string{name}
			n := min(points, 2+rng.IntN(7))
			points -= n
			var pts []string
			for range n {
				pts = append(pts, words(3+rng.IntN(7)))
			}
			switch {
			case rng.IntN(6) == 0:
				for _, p := range pts {
					term, def, _ := strings.Cut(p, " ")
					add(path, deck.Definition, p, "In "+name+", what is "+term+"?", def)
				}
			case n <= 5:
				add(path, deck.List, strings.Join(pts, " "), fmt.Sprintf("Name the %d points of %s", n, name), "- "+strings.Join(pts, "\n- "))
			default:
				for _, p := range pts {
					w := strings.Fields(p)
					hide := rng.IntN(len(w))
					ans := w[hide]
					w[hide] = "____"
					add(path, deck.Cloze, p, strings.Join(w, " "), ans)
				}
			}
		}
		if len(sections) >= 2 {
			add([]string{title}, deck.Outline, strings.Join(sections, " "), "What are the parts of the talk?", "- "+strings.Join(sections, "\n- "))
		}
		add([]string{title}, deck.Speaker, "speaker", "Who gave the talk?", gt.Meta.Speaker)
		f.Talks = append(f.Talks, gt)
	}
	return f
}

// history simulates one user's reviews with SM-2 from day start, following
// the card order given (note order): newPerDay new cards a day, every due
// card reviewed on its day, a card graded below 4 repeated in the session
// until it scores 4 or more, now and then a quiz answer. It stops after
// reviews answers and returns the answers through the sequence; last is
// the day after the last answer's.
type history struct {
	ids       []string
	reviews   int
	newPerDay int
	start     scheduler.Day
	seed      uint64
}

// run calls yield for each answer; it returns the number of days simulated.
func (h *history) run(yield func(storage.Answer) bool) int {
	rng := rand.New(rand.NewPCG(h.seed, 99))
	type cardState struct {
		s   scheduler.State
		had bool
	}
	states := make([]cardState, len(h.ids))
	due := map[scheduler.Day][]int32{}
	next := 0
	n := 0
	day := h.start
	for ; n < h.reviews; day++ {
		if day-h.start > 365*40 {
			break
		}
		today := append(due[day], []int32{}...)
		delete(due, day)
		for i := 0; i < h.newPerDay && next < len(h.ids); i++ {
			today = append(today, int32(next))
			next++
		}
		at := day.Time(nil).Add(9 * time.Hour)
		var repeats []int32
		answer := func(ci int32, kind storage.ReviewKind) scheduler.Grade {
			cs := &states[ci]
			failP := 0.08
			if !cs.had {
				failP = 0.25
			} else if cs.s.Repetitions < 3 {
				failP = 0.15
			}
			var g scheduler.Grade
			if rng.Float64() < failP {
				g = scheduler.Grade([]int{0, 1, 1, 2, 2}[rng.IntN(5)])
			} else {
				g = scheduler.Grade([]int{3, 4, 4, 4, 4, 5, 5, 5}[rng.IntN(8)])
			}
			took := time.Duration(1500+rng.IntN(25000)) * time.Millisecond
			at = at.Add(took + time.Second)
			r := storage.Review{Time: at, Card: h.ids[ci], Grade: g, Kind: kind, Took: took}
			a := storage.Answer{Review: r, Day: day}
			if kind == storage.KindReview {
				st := scheduler.Apply(cs.s, !cs.had, g, day)
				cs.s, cs.had = st, true
				a.Next = &st
				due[st.Due] = append(due[st.Due], ci)
			}
			a.Review.Interval, a.Review.Easiness = cs.s.Interval, cs.s.Easiness
			n++
			if !yield(a) {
				n = h.reviews + 1
			}
			return g
		}
		for _, ci := range today {
			if n >= h.reviews {
				break
			}
			if answer(ci, storage.KindReview) < 4 {
				repeats = append(repeats, ci)
			}
		}
		for i := 0; i < len(repeats) && n < h.reviews; i++ {
			if answer(repeats[i], storage.KindRepeat) < 4 && rng.IntN(3) > 0 {
				repeats = append(repeats, repeats[i])
			}
		}
		if rng.IntN(20) == 0 && next > 0 && n < h.reviews { // a short quiz
			for range 10 {
				ci := int32(rng.IntN(next))
				if states[ci].had && n < h.reviews {
					answer(ci, storage.KindQuiz)
				}
			}
		}
	}
	return int(day - h.start)
}

// answers is the simulation as a sequence, for storage.BulkHistory.
func (h *history) answers() iter.Seq[storage.Answer] {
	return func(yield func(storage.Answer) bool) { h.run(yield) }
}
