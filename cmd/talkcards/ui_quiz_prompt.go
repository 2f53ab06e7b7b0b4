package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/manifoldco/promptui"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// promptQuizUI is the quiz on a terminal: one question per screen, answers
// in a keystroke or two, a searchable list to pick the talk. It shares the
// review's prompt plumbing (promptUI: the shared input, the bell filter,
// the painter) and is the only quiz file that knows promptui.
type promptQuizUI struct {
	u     *promptUI
	flash string // shown on the next screen: how the last answer went
}

func newPromptQuizUI(a *app, out io.Writer) *promptQuizUI {
	u := newPromptUI(a)
	u.out = out
	u.p = painter{colour: !a.plain && a.getenv("NO_COLOR") == "" && isTTY(out)}
	return &promptQuizUI{u: u}
}

// errNoTalkPicked ends a quiz whose talk list was left with Ctrl-D.
var errNoTalkPicked = errors.New("no talk picked")

type talkItem struct {
	Title, Slug, Speaker string
	Cards                int
}

// pickTalk shows the talks with their card counts; typing filters them
// (case and accents do not matter), arrows move, Enter picks.
func (q *promptQuizUI) pickTalk(talks []storage.Talk, counts map[string]int) (storage.Talk, error) {
	items := make([]talkItem, len(talks))
	for i, t := range talks {
		items[i] = talkItem{Title: sanitize(plainInline(t.Title)), Slug: t.Slug, Speaker: sanitize(t.Meta.Speaker), Cards: counts[t.Slug]}
	}
	tpl := &promptui.SelectTemplates{
		Label:    "{{ . }}",
		Active:   "▸ {{ .Title }}{{ if .Speaker }} — {{ .Speaker }}{{ end }} ({{ .Cards }} cards)",
		Inactive: "  {{ .Title }}{{ if .Speaker }} — {{ .Speaker }}{{ end }} ({{ .Cards }} cards)",
	}
	if q.u.p.colour {
		tpl.Active = "▸ {{ .Title | cyan | bold }}{{ if .Speaker }} — {{ .Speaker }}{{ end }} {{ printf \"(%d cards)\" .Cards | faint }}"
		tpl.Inactive = "  {{ .Title }}{{ if .Speaker }} — {{ .Speaker }}{{ end }} {{ printf \"(%d cards)\" .Cards | faint }}"
	}
	in := q.u.in.handle()
	defer in.Close()
	sel := promptui.Select{
		Label:             "Quiz on which talk? Type to search, arrows move, Enter picks",
		Items:             items,
		Size:              min(len(items), 12),
		Templates:         tpl,
		StartInSearchMode: true,
		HideHelp:          true,
		HideSelected:      true,
		Searcher: func(input string, i int) bool {
			it := items[i]
			return strings.Contains(deck.Fold(it.Title+" "+it.Speaker+" "+it.Slug), deck.Fold(input))
		},
		Stdin:  in,
		Stdout: bellFilter{q.u.out},
	}
	i, _, err := sel.Run()
	switch {
	case errors.Is(err, promptui.ErrInterrupt):
		return storage.Talk{}, errInterrupted
	case errors.Is(err, promptui.ErrEOF), errors.Is(err, io.EOF):
		return storage.Talk{}, errNoTalkPicked
	case err != nil:
		return storage.Talk{}, fmt.Errorf("pick a talk: %w", err)
	}
	return talks[i], nil
}

func (q *promptQuizUI) start(h quizHeader) {
	fmt.Fprintln(q.u.out, q.u.p.bold(quizHeadline(h)))
}

func (q *promptQuizUI) screen(z quizQuestion) {
	u := q.u
	if u.p.colour && u.shown > 0 {
		fmt.Fprint(u.out, "\x1b[H\x1b[2J")
	}
	u.shown++
	if q.flash != "" {
		fmt.Fprintln(u.out, q.flash)
		q.flash = ""
	}
	fmt.Fprintln(u.out, u.p.dim(quizProgress(z)))
	fmt.Fprintln(u.out, u.p.cyan(truncate(sanitize(z.crumb()), u.width)))
	fmt.Fprintln(u.out)
	fmt.Fprintln(u.out, u.p.wrapMarkdown(z.card.Prompt, u.width, "  "))
	fmt.Fprintln(u.out)
}

// prompt runs one prompt; eof and quit come back as actions.
func (q *promptQuizUI) prompt(label string) (string, action, error) {
	s, err := q.u.run(label, nil)
	// readline echoes typed keys on its own; after fast typing or a paste
	// the cursor may sit a line off. Clear from the line start down, so no
	// half-erased prompt is left under what comes next.
	fmt.Fprint(q.u.out, "\r\x1b[J")
	switch {
	case errors.Is(err, io.EOF):
		return "", actEOF, nil
	case err != nil:
		return "", actQuit, err
	case s == "q":
		return "", actQuit, nil
	}
	return s, actGrade, nil
}

func (q *promptQuizUI) ask(_ context.Context, z quizQuestion) (quizReply, error) {
	u := q.u
	q.screen(z)
	switch z.mode {
	case modeChoice:
		for i, o := range z.options {
			runs := append([]textRun{{fmt.Sprintf("%d) ", i+1), boldText}}, parseInline(sanitize(answerLine(o)))...)
			fmt.Fprintln(u.out, strings.Join(u.p.wrapRuns(runs, u.width-2, "  ", "   "), "\n"))
		}
		fmt.Fprintln(u.out)
		label := u.p.dim(fmt.Sprintf("1-%d answers · q quit", len(z.options))) + " ›"
		for {
			s, act, err := q.prompt(label)
			if act != actGrade || err != nil {
				return quizReply{act: act}, err
			}
			if n, ok := optionNumber(s, len(z.options)); ok {
				return quizReply{act: actGrade, choice: n}, nil
			}
			label = u.p.yellow(fmt.Sprintf("type a number 1-%d (or q)", len(z.options))) + " ›"
		}
	case modeType:
		fmt.Fprintln(u.out, u.p.dim(strings.Trim(typeHelp(z), "()")))
		s, act, err := q.prompt("Your answer ›")
		return quizReply{act: act, text: s}, err
	}
	if _, act, err := q.prompt(u.p.dim("Enter reveals · q quit") + " ›"); act != actGrade || err != nil {
		return quizReply{act: act}, err
	}
	fmt.Fprintln(u.out, u.p.wrapMarkdown(z.card.Answer, u.width, "  "))
	fmt.Fprintln(u.out)
	fmt.Fprintln(u.out, u.gradeLegend())
	label := "Grade 0-5 ›"
	for {
		s, act, err := q.prompt(label)
		if act != actGrade || err != nil {
			return quizReply{act: act}, err
		}
		if len(s) == 1 && s[0] >= '0' && s[0] <= '5' {
			return quizReply{act: actGrade, grade: scheduler.Grade(s[0] - '0')}, nil
		}
		label = u.p.yellow("type a grade 0-5 (or q)") + " ›"
	}
}

// verdict shows how the answer went. A right answer goes straight on, with
// "✓ right" on the next screen; otherwise the right answer stays on screen
// until Enter.
func (q *promptQuizUI) verdict(_ context.Context, z quizQuestion, v quizVerdict) (action, error) {
	u := q.u
	if z.mode == modeFlip {
		return actGrade, nil
	}
	if v.right {
		q.flash = u.p.green("✓ right: ") + truncate(oneLineAnswer(z.card.Answer), u.width-9)
		return actGrade, nil
	}
	if z.mode == modeType {
		typed := v.typed
		if typed == "" {
			typed = "(nothing)"
		}
		fmt.Fprintln(u.out, u.p.dim("  you: ")+sanitize(typed))
	}
	switch {
	case v.partly:
		fmt.Fprintln(u.out, u.p.yellow("~ partly right")+" — the answer:")
	case z.mode == modeChoice:
		fmt.Fprintf(u.out, "%s (you chose %d) — the answer:\n", u.p.red("✗ wrong"), v.chosen+1)
	default:
		fmt.Fprintln(u.out, u.p.red("✗ wrong")+" — the answer:")
	}
	if z.mode == modeChoice {
		runs := append([]textRun{{fmt.Sprintf("%d) ", z.correct+1), boldText}}, parseInline(sanitize(answerLine(z.card.Answer)))...)
		fmt.Fprintln(u.out, strings.Join(u.p.wrapRuns(runs, u.width-2, "  ", "   "), "\n"))
	} else {
		fmt.Fprintln(u.out, u.p.wrapMarkdown(z.card.Answer, u.width, "  "))
	}
	if len(v.missed) > 0 && v.partly {
		fmt.Fprintln(u.out, u.p.yellow("  missed: ")+missedPoints(v.missed))
	}
	fmt.Fprintln(u.out)
	next := "Enter: next question · q quit"
	if z.position == z.total {
		next = "Enter: see the score"
	}
	_, act, err := q.prompt(u.p.dim(next) + " ›")
	return act, err
}

func (q *promptQuizUI) result(r quizResult) {
	fmt.Fprintln(q.u.out)
	if q.flash != "" {
		fmt.Fprintln(q.u.out, q.flash)
	}
	for _, l := range quizSummaryLines(r, q.u.p, q.u.width) {
		fmt.Fprintln(q.u.out, l)
	}
}
