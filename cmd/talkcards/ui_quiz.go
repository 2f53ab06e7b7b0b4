package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"

	"github.com/talkcards/talkcards/scheduler"
)

// plainQuizUI is the quiz in DESIGN's plain mode: no escape codes, line by
// line. Each question prints its progress, breadcrumb and "Q: prompt", then
//
//	choice: the options "1) ..." one per line; reads a number
//	flip:   reads a line (Enter reveals), prints "A: ...", reads a grade 0-5
//	type:   reads one line of answer (points separated by ';'), prints
//	        "A: ...", "right", "partly right" or "wrong", and "missed: ..."
//
// q quits at every prompt, anything invalid asks again, and end of input
// ends the quiz cleanly with the score so far.
type plainQuizUI struct {
	lines *plainUI // the line reader of plain review
	out   io.Writer
}

func newPlainQuizUI(ctx context.Context, in io.Reader, out io.Writer) *plainQuizUI {
	return &plainQuizUI{lines: newPlainUI(ctx, in, out), out: out}
}

func (p *plainQuizUI) start(h quizHeader) {
	fmt.Fprintln(p.out, quizHeadline(h))
}

func (p *plainQuizUI) read(ctx context.Context) (string, action, error) {
	line, ok, err := p.lines.readLine(ctx)
	switch {
	case err != nil:
		return "", actQuit, err
	case !ok:
		return "", actEOF, nil
	case line == "q":
		return "", actQuit, nil
	}
	return line, actGrade, nil
}

func (p *plainQuizUI) ask(ctx context.Context, q quizQuestion) (quizReply, error) {
	fmt.Fprintf(p.out, "\n[%s]\n%s\n", quizProgress(q), sanitize(q.crumb()))
	fmt.Fprintf(p.out, "Q: %s\n", plainBlock(q.card.Prompt))
	switch q.mode {
	case modeChoice:
		for i, o := range q.options {
			fmt.Fprintf(p.out, "%d) %s\n", i+1, oneLineAnswer(o))
		}
		help := fmt.Sprintf("(answer 1-%d, q quits)", len(q.options))
		for {
			fmt.Fprintln(p.out, help)
			line, act, err := p.read(ctx)
			if act != actGrade || err != nil {
				return quizReply{act: act}, err
			}
			if n, ok := optionNumber(line, len(q.options)); ok {
				return quizReply{act: actGrade, choice: n}, nil
			}
			fmt.Fprintf(p.out, "not an option: %q\n", sanitize(line))
		}
	case modeType:
		fmt.Fprintln(p.out, typeHelp(q))
		line, act, err := p.read(ctx)
		return quizReply{act: act, text: line}, err
	}
	fmt.Fprintln(p.out, "(Enter reveals, q quits)")
	if _, act, err := p.read(ctx); act != actGrade || err != nil {
		return quizReply{act: act}, err
	}
	fmt.Fprintf(p.out, "A: %s\n", plainBlock(q.card.Answer))
	for {
		fmt.Fprintln(p.out, "grade 0-5: 0 blackout, 1 wrong, 2 almost, 3 hard, 4 good, 5 easy (q quits)")
		line, act, err := p.read(ctx)
		if act != actGrade || err != nil {
			return quizReply{act: act}, err
		}
		if len(line) == 1 && line[0] >= '0' && line[0] <= '5' {
			return quizReply{act: actGrade, grade: scheduler.Grade(line[0] - '0')}, nil
		}
		fmt.Fprintf(p.out, "not a grade: %q\n", sanitize(line))
	}
}

func (p *plainQuizUI) verdict(_ context.Context, q quizQuestion, v quizVerdict) (action, error) {
	switch q.mode {
	case modeChoice:
		fmt.Fprintf(p.out, "A: %d) %s\n", q.correct+1, oneLineAnswer(q.options[q.correct]))
	case modeType:
		fmt.Fprintf(p.out, "A: %s\n", plainBlock(q.card.Answer))
	default:
		return actGrade, nil
	}
	fmt.Fprintln(p.out, verdictWord(v))
	if len(v.missed) > 0 {
		fmt.Fprintf(p.out, "missed: %s\n", missedPoints(v.missed))
	}
	return actGrade, nil
}

func (p *plainQuizUI) result(r quizResult) {
	fmt.Fprintln(p.out)
	for _, l := range quizSummaryLines(r, painter{}, 100) {
		fmt.Fprintln(p.out, l)
	}
}

// optionNumber reads "2" (or "2)") as the index of option 2 of n.
func optionNumber(s string, n int) (int, bool) {
	v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), ")"))
	if err != nil || v < 1 || v > n {
		return 0, false
	}
	return v - 1, true
}

func quizHeadline(h quizHeader) string {
	qs := "questions"
	if h.questions == 1 {
		qs = "question"
	}
	return fmt.Sprintf("quiz: %s · %d %s · %s · seed %d", sanitize(plainInline(h.talk.Title)), h.questions, qs, h.mode.label(), h.seed)
}

func quizProgress(q quizQuestion) string {
	s := fmt.Sprintf("question %d of %d", q.position, q.total)
	if q.position > 1 {
		s += fmt.Sprintf(" · %d right so far", q.right)
	}
	return s
}

func typeHelp(q quizQuestion) string {
	if n := q.points(); n > 1 {
		return fmt.Sprintf("(type the %d points separated by ';' — Enter alone shows them, q quits)", n)
	}
	return "(type the answer — Enter alone shows it, q quits)"
}

func verdictWord(v quizVerdict) string {
	switch {
	case v.right:
		return "right"
	case v.partly:
		return "partly right"
	}
	return "wrong"
}

func missedPoints(points []string) string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = plainInline(sanitize(p))
	}
	return strings.Join(out, "; ")
}

// quizSummaryLines is the end of a quiz: the score, the cards missed (prompt
// → answer, each on one line of at most width cells) and the next step.
func quizSummaryLines(r quizResult, p painter, width int) []string {
	head := "quiz done"
	switch {
	case r.interrupted:
		head = "quiz interrupted, answers saved"
	case r.total < r.questions:
		head = "quiz ended, answers saved"
	}
	score := fmt.Sprintf("%s: %d of %d right", head, r.right, r.total)
	if r.total > 0 {
		score += fmt.Sprintf(" (%d%%)", r.percent())
	}
	out := []string{p.bold(score)}
	if r.rescheduled > 0 {
		what := "answers to due or new cards counted as reviews: their cards are rescheduled"
		if r.rescheduled == 1 {
			what = "answer to a due or new card counted as a review: its card is rescheduled"
		}
		out = append(out, fmt.Sprintf("%d %s", r.rescheduled, what))
	}
	if len(r.missed) == 0 {
		return out
	}
	out = append(out, "missed:")
	for _, c := range r.missed {
		q := plainInline(sanitize(strings.ReplaceAll(c.Prompt, "\n", " / ")))
		a := oneLineAnswer(c.Answer)
		room := max(width-5, 30) // "- " and " → "
		q = truncate(q, max(room*3/5, room-runewidth.StringWidth(a)))
		a = truncate(a, room-runewidth.StringWidth(q))
		out = append(out, "- "+q+" → "+p.green(a))
	}
	out = append(out, p.dim(fmt.Sprintf("to go over them: talkcards review --talk %s", r.talk.Slug)))
	return out
}
