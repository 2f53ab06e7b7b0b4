package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/talkcards/talkcards/scheduler"
)

// plainUI is DESIGN's plain-mode protocol: no escape codes, line by line, for
// scripts, screen readers and CI. For each card: the breadcrumb, "Q: prompt",
// a line (Enter reveals, q quits), "A: answer", then a grade line 0-5 (q
// quits; u undoes; s suspends; anything else asks again). End of input ends
// the session cleanly.
type plainUI struct {
	ctx   context.Context
	lines <-chan string
	out   io.Writer
}

// newPlainUI reads stdin on its own goroutine so Ctrl-C can end a session
// that is waiting for a line.
func newPlainUI(ctx context.Context, in io.Reader, out io.Writer) *plainUI {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return &plainUI{ctx: ctx, lines: lines, out: out}
}

// readLine returns the next trimmed line; ok is false at end of input.
func (p *plainUI) readLine(ctx context.Context) (string, bool, error) {
	select {
	case l, ok := <-p.lines:
		return strings.TrimSpace(l), ok, nil
	case <-ctx.Done():
		return "", false, errInterrupted
	}
}

func breadcrumb(c shownCard) string {
	parts := append([]string{c.card.Talk}, c.card.Path...)
	for i, p := range parts {
		parts[i] = plainInline(p)
	}
	return strings.Join(parts, " › ")
}

func progress(c shownCard) string {
	s := fmt.Sprintf("card %d of %d · %d due, %d new left", c.position, c.total, c.due, c.newLeft)
	if c.repeat {
		s += " · again"
	} else if c.isNew {
		s += " · new"
	}
	return s
}

func (p *plainUI) question(ctx context.Context, c shownCard) (action, error) {
	fmt.Fprintf(p.out, "\n[%s]\n%s\n", progress(c), sanitize(breadcrumb(c)))
	fmt.Fprintf(p.out, "Q: %s\n", plainBlock(c.card.Prompt))
	fmt.Fprintf(p.out, "(Enter reveals, q quits)\n")
	line, ok, err := p.readLine(ctx)
	switch {
	case err != nil:
		return actQuit, err
	case !ok:
		return actEOF, nil
	case line == "q":
		return actQuit, nil
	case line == "u":
		return actUndo, nil
	case line == "s":
		return actSuspend, nil
	}
	return actReveal, nil
}

var gradeHelp = "grade 0-5: 0 blackout, 1 wrong, 2 almost, 3 hard, 4 good, 5 easy (q quits, u undo, s suspend)"

func (p *plainUI) answer(ctx context.Context, c shownCard) (action, scheduler.Grade, error) {
	fmt.Fprintf(p.out, "A: %s\n", plainBlock(c.card.Answer))
	for {
		fmt.Fprintln(p.out, gradeHelp)
		line, ok, err := p.readLine(ctx)
		switch {
		case err != nil:
			return actQuit, 0, err
		case !ok:
			return actEOF, 0, nil
		case line == "q":
			return actQuit, 0, nil
		case line == "u":
			return actUndo, 0, nil
		case line == "s":
			return actSuspend, 0, nil
		case len(line) == 1 && line[0] >= '0' && line[0] <= '5':
			return actGrade, scheduler.Grade(line[0] - '0'), nil
		}
		fmt.Fprintf(p.out, "not a grade: %q\n", sanitize(line))
	}
}

func (p *plainUI) info(msg string) { fmt.Fprintln(p.out, msg) }

func (p *plainUI) summary(s sessionSummary) {
	fmt.Fprintln(p.out)
	for _, l := range summaryLines(s, painter{}) {
		fmt.Fprintln(p.out, l)
	}
}

// plainBlock is card text for plain mode: markdown as plain text, and every
// line after the first indented so a reader sees where the card ends.
func plainBlock(s string) string {
	lines := strings.Split(sanitize(s), "\n")
	for i, l := range lines {
		lines[i] = plainInline(l)
		if i > 0 {
			lines[i] = "   " + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

func summaryLines(s sessionSummary, p painter) []string {
	var out []string
	if s.empty {
		out = append(out, "nothing to review today: no cards are due and no new cards are left for today")
	} else {
		rate := "–"
		if s.reviewed > 0 {
			rate = fmt.Sprintf("%d%%", (s.passed*100+s.reviewed/2)/s.reviewed)
		}
		head := "session done"
		if s.interrupted {
			head = "session interrupted, answers saved"
		}
		out = append(out, fmt.Sprintf("%s: %d reviewed (%d new), %d repeats, pass rate %s, time %s",
			head, s.reviewed, s.newSeen, s.repeats, rate, s.took.Round(1e9)))
	}
	if s.nextCount > 0 {
		out = append(out, fmt.Sprintf("next due: %s (%d cards)", s.nextDue, s.nextCount))
	} else {
		out = append(out, "next due: nothing scheduled yet")
	}
	return out
}
