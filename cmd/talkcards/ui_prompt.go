package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/manifoldco/promptui"

	"github.com/talkcards/talkcards/scheduler"
)

// promptUI is the terminal face of a review: one card per screen, the
// breadcrumb, the question, Enter reveals, a grade in two keystrokes (digit,
// Enter) with the six SM-2 labels on screen. It is the only file that knows
// promptui.
type promptUI struct {
	a     *app
	in    *sharedInput
	out   io.Writer
	p     painter
	width int
	flash string // shown under the next header: undone, suspended, …
	shown int
}

func newPromptUI(a *app) *promptUI {
	return &promptUI{a: a, in: newSharedInput(a.stdin), out: a.stdout, p: painter{colour: a.colour()}, width: min(a.width(), 100)}
}

func (u *promptUI) run(label string, validate promptui.ValidateFunc) (string, error) {
	in := u.in.handle()
	defer in.Close()
	pr := promptui.Prompt{
		Label:       label,
		Validate:    validate,
		HideEntered: true,
		Stdin:       in,
		Stdout:      bellFilter{u.out},
		Templates: &promptui.PromptTemplates{
			Prompt:  "{{ . }} ",
			Valid:   "{{ . }} ",
			Invalid: "{{ . }} ",
			Success: "",
		},
	}
	if !u.p.colour {
		pr.Templates.Prompt, pr.Templates.Valid, pr.Templates.Invalid = "{{ . }} ", "{{ . }} ", "{{ . }} "
	}
	s, err := pr.Run()
	switch {
	case errors.Is(err, promptui.ErrInterrupt):
		return "", errInterrupted
	case errors.Is(err, promptui.ErrEOF), errors.Is(err, io.EOF):
		return "", io.EOF
	}
	return strings.TrimSpace(s), err
}

func (u *promptUI) header(c shownCard) {
	// The first card keeps what came before it on screen (sync and demo
	// messages); later cards each get a clean screen.
	if u.p.colour && u.shown > 0 {
		fmt.Fprint(u.out, "\x1b[H\x1b[2J")
	}
	u.shown++
	if u.flash != "" {
		fmt.Fprintln(u.out, u.p.yellow(u.flash))
		u.flash = ""
	}
	fmt.Fprintln(u.out, u.p.dim(progress(c)))
	fmt.Fprintln(u.out, u.p.cyan(truncate(sanitize(breadcrumb(c)), u.width)))
	fmt.Fprintln(u.out)
	fmt.Fprintln(u.out, u.p.wrapMarkdown(c.card.Prompt, u.width, "  "))
	fmt.Fprintln(u.out)
}

func (u *promptUI) question(ctx context.Context, c shownCard) (action, error) {
	u.header(c)
	s, err := u.run(u.p.dim("Enter reveals · u undo · s suspend · q quit")+" ›", nil)
	if errors.Is(err, io.EOF) {
		return actEOF, nil
	}
	if err != nil {
		return actQuit, err
	}
	switch s {
	case "q":
		return actQuit, nil
	case "u":
		return actUndo, nil
	case "s":
		return actSuspend, nil
	}
	return actReveal, nil
}

func (u *promptUI) gradeLegend() string {
	var parts []string
	for g := scheduler.GradeBlackout; g <= scheduler.GradeEasy; g++ {
		key := fmt.Sprintf("%d", g)
		if g < scheduler.GradeHard {
			key = u.p.red(key)
		} else {
			key = u.p.green(key)
		}
		parts = append(parts, key+" "+g.ShortLabel())
	}
	return strings.Join(parts, "  ")
}

func (u *promptUI) answer(ctx context.Context, c shownCard) (action, scheduler.Grade, error) {
	u.header(c)
	fmt.Fprintln(u.out, u.p.wrapMarkdown(c.card.Answer, u.width, "  "))
	fmt.Fprintln(u.out)
	fmt.Fprintln(u.out, u.gradeLegend())
	label := "Grade 0-5 ›"
	for {
		s, err := u.run(label, nil)
		if errors.Is(err, io.EOF) {
			return actEOF, 0, nil
		}
		if err != nil {
			return actQuit, 0, err
		}
		switch s {
		case "q":
			return actQuit, 0, nil
		case "u":
			return actUndo, 0, nil
		case "s":
			return actSuspend, 0, nil
		}
		if len(s) == 1 && s[0] >= '0' && s[0] <= '5' {
			return actGrade, scheduler.Grade(s[0] - '0'), nil
		}
		label = u.p.yellow("type a grade 0-5 (or u, s, q)") + " ›"
	}
}

func (u *promptUI) info(msg string) { u.flash = msg }

func (u *promptUI) summary(s sessionSummary) {
	fmt.Fprintln(u.out)
	if u.flash != "" {
		fmt.Fprintln(u.out, u.p.yellow(u.flash))
	}
	for i, l := range summaryLines(s, u.p) {
		if i == 0 {
			l = u.p.bold(l)
		}
		fmt.Fprintln(u.out, l)
	}
}

// bellFilter drops the BEL that readline rings on every refused key.
type bellFilter struct{ w io.Writer }

func (b bellFilter) Write(p []byte) (int, error) {
	if bytes.IndexByte(p, '\a') >= 0 {
		if _, err := b.w.Write(bytes.ReplaceAll(p, []byte{'\a'}, nil)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return b.w.Write(p)
}

func (b bellFilter) Close() error { return nil }

// sharedInput reads the real input on one goroutine for the whole session.
// promptui's readline keeps reading after a prompt returns; each prompt gets
// its own handle, and a handle closed after its prompt gives back any byte it
// was still waiting for, so no keystroke meant for the next card is lost.
type sharedInput struct {
	ch      chan byte
	mu      sync.Mutex
	pending []byte
}

func newSharedInput(r io.Reader) *sharedInput {
	s := &sharedInput{ch: make(chan byte, 1)}
	if f, ok := r.(*os.File); ok {
		r = f
	}
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := r.Read(buf)
			for _, b := range buf[:n] {
				s.ch <- b
			}
			if err != nil {
				close(s.ch)
				return
			}
		}
	}()
	return s
}

func (s *sharedInput) handle() *inputHandle {
	return &inputHandle{s: s, done: make(chan struct{})}
}

type inputHandle struct {
	s    *sharedInput
	done chan struct{}
	once sync.Once
}

func (h *inputHandle) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	h.s.mu.Lock()
	if len(h.s.pending) > 0 {
		n := copy(p, h.s.pending)
		h.s.pending = h.s.pending[n:]
		h.s.mu.Unlock()
		return n, nil
	}
	h.s.mu.Unlock()
	select {
	case b, ok := <-h.s.ch:
		if !ok {
			return 0, io.EOF
		}
		select {
		case <-h.done:
			h.s.mu.Lock()
			h.s.pending = append(h.s.pending, b)
			h.s.mu.Unlock()
			return 0, io.EOF
		default:
		}
		p[0] = b
		return 1, nil
	case <-h.done:
		return 0, io.EOF
	}
}

func (h *inputHandle) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}
