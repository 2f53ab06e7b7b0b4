package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
)

// bulkFixture is a small collection: three files, talks of several
// sections, one card produced twice, and a history of n answers (reviews,
// same-session repeats, quiz answers, new cards out of note order).
func bulkFixture(n int) ([]SourceFile, []Answer) {
	var files []SourceFile
	var ids []string
	for fi := range 3 {
		var talks []GeneratedTalk
		for ti := range 3 {
			title := fmt.Sprintf("Talk %d.%d", fi, ti)
			var cards []deck.Card
			for ci := range 12 {
				kind := []deck.Kind{deck.Cloze, deck.List, deck.Definition}[ci%3]
				c := card(title, []string{fmt.Sprintf("Part %d", ci/4)}, kind, fmt.Sprintf("point %d of %s", ci, title), ci)
				cards, ids = append(cards, c), append(ids, c.ID)
			}
			cards = append(cards, cards[0]) // the same point twice
			talks = append(talks, talk(title, cards...))
		}
		f := file(fmt.Sprintf("/notes/f%d.md", fi), talks...)
		f.Hash[0] = byte(fi)
		files = append(files, f)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	states := map[string]scheduler.State{}
	var answers []Answer
	day := scheduler.Day(20000)
	for len(answers) < n {
		day += scheduler.Day(1 + rng.IntN(3))
		for range 1 + rng.IntN(8) {
			id := ids[rng.IntN(len(ids))]
			if rng.IntN(3) == 0 { // mostly in note order, as review introduces them
				for _, c := range ids {
					if _, ok := states[c]; !ok {
						id = c
						break
					}
				}
			}
			prev, had := states[id]
			g := scheduler.Grade(rng.IntN(6))
			r := Review{Time: day.Time(nil).Add(time.Duration(len(answers)) * time.Minute), Card: id, Grade: g, Took: time.Duration(rng.IntN(20000)) * time.Millisecond}
			var next *scheduler.State
			switch rng.IntN(10) {
			case 0:
				r.Kind = KindQuiz
			case 1:
				if !had {
					continue
				}
				r.Kind = KindRepeat
			default:
				s := scheduler.Apply(prev, !had, g, day)
				states[id], next = s, &s
			}
			answers = append(answers, Answer{Review: r, Day: day, Next: next})
		}
	}
	return files, answers
}

// TestBulkSameAsNormal builds the same collection through Import and Record
// and through BulkImport and BulkHistory: every bucket, key, value and
// sequence must be equal, and the bulk file must pass bbolt's check and
// Verify.
func TestBulkSameAsNormal(t *testing.T) {
	for _, n := range []int{0, 30, 250} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			files, answers := bulkFixture(n)
			opt := ImportOptions{Now: t0, Roots: []string{"/notes"}}

			normal, _ := openTest(t)
			if _, err := normal.Import(files, opt); err != nil {
				t.Fatal(err)
			}
			for _, user := range []string{"ann", "bob"} {
				for _, a := range answers {
					if err := normal.Record(user, a.Review, a.Day, a.Next); err != nil {
						t.Fatal(err)
					}
				}
			}

			bulk, _ := openTest(t)
			if err := bulk.BulkImport(files, opt); err != nil {
				t.Fatal(err)
			}
			for _, user := range []string{"ann", "bob"} {
				if err := bulk.BulkHistory(user, slices.Values(answers)); err != nil {
					t.Fatal(err)
				}
			}
			if n == 0 {
				// Record never ran: no user buckets in the normal file.
				if got := dump(t, bulk, "cards") + dump(t, bulk, "order") + dump(t, bulk, "talks") + dump(t, bulk, "meta"); got != dump(t, normal, "cards")+dump(t, normal, "order")+dump(t, normal, "talks")+dump(t, normal, "meta") {
					t.Errorf("bulk import differs from import")
				}
				return
			}
			if got, want := dump(t, bulk), dump(t, normal); got != want {
				t.Errorf("bulk database differs from the normal one:\n%s", firstDiff(got, want))
			}
			if probs, err := bulk.Verify(); err != nil || len(probs) > 0 {
				t.Errorf("verify: %v %v", probs, err)
			}
			if err := bulk.Check(); err != nil {
				t.Error(err)
			}
			// Both undo the last answer alike.
			r1, ok1, err1 := normal.Undo("ann")
			r2, ok2, err2 := bulk.Undo("ann")
			if err1 != nil || err2 != nil || ok1 != ok2 || r1 != r2 {
				t.Errorf("undo: normal %v %v %v, bulk %v %v %v", r1, ok1, err1, r2, ok2, err2)
			}
		})
	}
}

func TestBulkImportRefusesNonEmpty(t *testing.T) {
	db, _ := openTest(t)
	files, _ := bulkFixture(0)
	mustImport(t, db, files...)
	if err := db.BulkImport(files, ImportOptions{Now: t0}); err == nil {
		t.Fatal("bulk import into a database with cards: want an error")
	}
	if err := db.BulkHistory("ann", slices.Values([]Answer{{Review: Review{Card: files[0].Talks[0].Cards[0].ID, Grade: 4}, Day: 1, Next: &scheduler.State{Easiness: 2.5, Due: 2}}})); err != nil {
		t.Fatal(err)
	}
	if err := db.BulkHistory("ann", slices.Values([]Answer(nil))); err == nil {
		t.Fatal("bulk history of a user with a history: want an error")
	}
}

func firstDiff(got, want string) string {
	g, w := splitLines(got), splitLines(want)
	for i := range max(len(g), len(w)) {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n bulk:   %s\n normal: %s", i, a, b)
		}
	}
	return ""
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}
