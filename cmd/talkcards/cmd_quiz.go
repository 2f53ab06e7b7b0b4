package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

type quizOptions struct {
	talk       string
	mode       string
	count      int
	seed       uint64
	seedSet    bool
	inOrder    bool
	reschedule bool
}

// choiceOptions is how many wrong answers a multiple-choice question offers.
const choiceOptions = 3

func (a *app) quizCmd() *cobra.Command {
	opts := &quizOptions{}
	cmd := &cobra.Command{
		Use:   "quiz [TALK]",
		Short: "Test yourself on one talk now, whatever the schedule says",
		Long: `Quiz yourself on the cards of one talk, due or not. TALK is a slug, a title,
or a unique part of one; without it, a terminal shows a searchable list.

Modes (--mode):
  choice  pick the right answer among four (the default when the talk has
          enough different answers to offer)
  flip    Enter reveals the answer, then grade yourself 0-5
  type    type the answer; case, accents, punctuation, small typos and the
          order of points do not matter. For an answer of several points,
          separate them with ';' (or ',' or new lines). Enter alone gives up
          and shows the answer.

The quiz ends with your score and the cards you missed. Every answer is
saved in your review log before the next question, but quiz answers leave
the SM-2 schedule alone; with --reschedule, an answer to a card that is due
(or new) counts as its review and schedules it. q or Ctrl-C ends the quiz
early with the score so far (Ctrl-C exits 130).

Without a terminal, or with --plain, the quiz is line by line: "Q: ...",
then for choice the options "1) ..." one per line and a number; for flip
Enter, "A: ..." and a grade line 0-5; for type one line of answer, then
"A: ...", "right", "partly right" or "wrong", and "missed: ..." points.
--json prints the result as JSON on stdout (the questions go to stderr).

Exit codes: 0 ok (also when q or end of input ends the quiz), 1 error,
2 usage (unknown or ambiguous talk, bad flag), 3 database busy,
130 interrupted.

  talkcards quiz spotify
  talkcards quiz "simple made easy" --mode type --count 5
  talkcards quiz wat --seed 7 --plain < answers.txt`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.talk = args[0]
			}
			switch quizMode(opts.mode) {
			case "", modeFlip, modeChoice, modeType:
			default:
				return usagef("--mode must be flip, choice or type, got %q", opts.mode)
			}
			if cmd.Flags().Changed("count") && opts.count <= 0 {
				return usagef("--count must be 1 or more, got %d", opts.count)
			}
			opts.seedSet = cmd.Flags().Changed("seed")
			return a.runQuiz(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.mode, "mode", "", "flip, choice or type (default: choice when the talk has enough answers, else flip)")
	f.IntVar(&opts.count, "count", 0, "ask this many cards (default: every card of the talk)")
	f.Uint64Var(&opts.seed, "seed", 0, "seed for the order and the wrong answers offered: the same seed, the same quiz (default: from the clock)")
	f.BoolVar(&opts.inOrder, "in-order", false, "ask in note order instead of shuffled")
	f.BoolVar(&opts.reschedule, "reschedule", false, "count answers to due or new cards as their reviews")
	return cmd
}

// quizData is what a quiz reads from the database up front, so the file is
// closed while the person picks a talk and answers.
type quizData struct {
	talks  []storage.Talk            // every talk, for findTalk
	listed []storage.Talk            // the talks with cards to quiz on, for lists
	cards  map[string][]storage.Card // active, not suspended, by talk slug
	pool   []deck.Card               // every active card: wrong answers come from here
	today  scheduler.Day
	counts map[string]int
}

func (a *app) runQuiz(ctx context.Context, opts *quizOptions) error {
	user, err := a.userName()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	data, err := a.loadQuizData()
	if err != nil {
		return err
	}
	// With --json, stdout is for the result alone: the quiz talks on stderr.
	out := a.stdout
	if a.json {
		out = a.stderr
	}
	var ui quizUI
	var prompt *promptQuizUI
	if a.plain || !isTTY(a.stdin) || !isTTY(out) {
		ui = newPlainQuizUI(ctx, a.stdin, out)
	} else {
		prompt = newPromptQuizUI(a, out)
		ui = prompt
	}

	var talk storage.Talk
	switch {
	case opts.talk != "":
		if talk, err = findTalk(data.talks, opts.talk); err != nil {
			return err
		}
	case prompt != nil:
		talk, err = prompt.pickTalk(data.listed, data.counts)
		if errors.Is(err, errNoTalkPicked) {
			return nil
		}
		if err != nil {
			return err
		}
	default:
		return usageError{withHint(fmt.Errorf("quiz needs a talk when not on a terminal; the talks are: %s", talkList(data.listed)),
			"name one: talkcards quiz SLUG")}
	}
	cards := data.cards[talk.Slug]
	if len(cards) == 0 {
		return withHint(fmt.Errorf("talk %q has no cards to quiz on", talk.Title),
			"its cards are retired or suspended; 'talkcards cards %s' shows them", talk.Slug)
	}

	mode := a.quizMode(opts, talk, cards)
	seed := opts.seed
	if !opts.seedSet {
		seed = uint64(a.now().UnixNano()) % 1_000_000 // short enough to type again
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	cards = append([]storage.Card(nil), cards...)
	if !opts.inOrder {
		rng.Shuffle(len(cards), func(i, j int) { cards[i], cards[j] = cards[j], cards[i] })
	}
	if opts.count > 0 && opts.count < len(cards) {
		cards = cards[:opts.count]
	}
	z := &quiz{a: a, user: user, today: data.today, ui: ui, reschedule: opts.reschedule,
		result: quizResult{talk: talk, mode: mode, seed: seed, questions: len(cards)}}
	for i, c := range cards {
		q := quizQuestion{card: c, mode: mode, position: i + 1, total: len(cards)}
		if mode == modeChoice {
			q.options, q.correct = deck.Choices(c.Card, data.pool, choiceOptions, rng)
			if len(q.options) < 2 {
				q.mode, q.options = modeFlip, nil
			}
		}
		z.questions = append(z.questions, q)
	}

	ui.start(quizHeader{talk: talk, mode: mode, questions: len(cards), seed: seed})
	err = z.run(ctx)
	z.result.interrupted = errors.Is(err, errInterrupted)
	if err != nil && !z.result.interrupted {
		return err
	}
	ui.result(z.result)
	if a.json {
		if jerr := writeJSON(a.stdout, z.result.json()); jerr != nil {
			return jerr
		}
	}
	return err
}

// quizMode picks the mode: --mode, else choice when the talk has at least
// four different answers (the right one and three wrong ones of its own),
// else flip. Choice on a talk with one card falls back to flip and says so.
func (a *app) quizMode(opts *quizOptions, talk storage.Talk, cards []storage.Card) quizMode {
	distinct := distinctAnswers(cards)
	switch m := quizMode(opts.mode); {
	case m == "":
		if distinct > choiceOptions {
			return modeChoice
		}
		return modeFlip
	case m == modeChoice && distinct < 2:
		what := "has one card"
		if len(cards) > 1 {
			what = "has one answer to all its cards"
		}
		fmt.Fprintf(a.stderr, "talkcards: %q %s: nothing to choose between, asking as flip instead\n", sanitize(talk.Title), what)
		return modeFlip
	default:
		return m
	}
}

// distinctAnswers counts the answers that are not the same answer as an
// earlier one (deck.SameAnswer).
func distinctAnswers(cards []storage.Card) int {
	var seen []string
	for _, c := range cards {
		dup := false
		for _, s := range seen {
			if deck.SameAnswer(s, c.Answer) {
				dup = true
				break
			}
		}
		if !dup {
			seen = append(seen, c.Answer)
		}
	}
	return len(seen)
}

func (a *app) loadQuizData() (*quizData, error) {
	db, err := a.openWithCards(true)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	view, err := a.userView(db)
	if err != nil {
		return nil, err
	}
	talks, err := db.Talks()
	if err != nil {
		return nil, err
	}
	all, err := db.Cards("")
	if err != nil {
		return nil, err
	}
	d := &quizData{cards: map[string][]storage.Card{}, counts: map[string]int{},
		today: view.today}
	for _, c := range all {
		if c.Retired {
			continue
		}
		d.pool = append(d.pool, c.Card)
		if s, ok := view.states[c.ID]; ok && s.Suspended {
			continue
		}
		d.cards[c.TalkSlug] = append(d.cards[c.TalkSlug], c)
		d.counts[c.TalkSlug]++
	}
	d.talks = talks
	for _, t := range talks {
		if d.counts[t.Slug] > 0 {
			d.listed = append(d.listed, t)
		}
	}
	if len(d.listed) == 0 {
		return nil, withHint(errors.New("no talk has cards to quiz on"), "import notes with 'talkcards import PATH'")
	}
	return d, nil
}

// oneLineAnswer is a card answer on one line: points joined by " · ",
// markdown as plain text.
func oneLineAnswer(s string) string {
	return plainInline(sanitize(strings.ReplaceAll(answerLine(s), "\n", " ")))
}
