package main

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestPtyReview drives the promptui review on a real pseudo-terminal: Enter
// reveals, digit + Enter grades, u undoes the last answer (which must not be
// stored), and Ctrl-C ends with exit 130 and "answers saved".
func TestPtyReview(t *testing.T) {
	bin := talkcardsBinary(t)
	db := filepath.Join(t.TempDir(), "talkcards.db")
	env := e2eEnv(t, db, "ana", "2026-11-26T09:00:00Z", "TERM=xterm", "NO_COLOR=1")

	cmd := exec.Command(bin, "review")
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = ptmx.Close()
	})
	con := newConsole(ptmx)
	const wait = 10 * time.Second
	send := func(s string) {
		t.Helper()
		if _, err := ptmx.Write([]byte(s)); err != nil {
			t.Fatalf("write %q to the pty: %v\noutput so far:\n%s", s, err, con.String())
		}
	}
	gradeLegend := func() {
		t.Helper()
		con.expect(t, "0 blackout", wait)
		con.expect(t, "5 easy", wait)
		con.expect(t, "Grade 0-5", wait)
	}

	con.expect(t, "card 1 of", wait)
	con.expect(t, "Enter reveals", wait)
	send("\r")
	gradeLegend()
	send("4\r")
	con.expect(t, "card 2 of", wait)
	con.expect(t, "Enter reveals", wait)

	send("u\r")
	con.expect(t, "undone", wait)
	con.expect(t, "card 1 of", wait)
	con.expect(t, "Enter reveals", wait)
	send("\r")
	gradeLegend()
	send("5\r")
	con.expect(t, "card 2 of", wait)
	con.expect(t, "Enter reveals", wait)

	send("\x03")
	code := waitExit(t, cmd, wait, con.String)
	con.waitClosed(t, wait)
	if code != exitInterrupted {
		t.Errorf("exit code after Ctrl-C = %d, want %d; output:\n%s", code, exitInterrupted, con.String())
	}
	con.expect(t, "answers saved", 0)

	cards := decodeCards(t, mustRun(t, e2eEnv(t, db, "ana", "2026-11-26T09:00:00Z"), "", "cards", "--json").stdout)
	var seen []cardEntry
	for _, c := range cards {
		if c.State != nil {
			seen = append(seen, c)
		}
	}
	if len(seen) != 1 {
		t.Fatalf("cards with a state = %d, want 1 (the undone answer is not stored, the re-answer is): %+v", len(seen), seen)
	}
	if got := seen[0].State.Repetitions; got != 1 {
		t.Errorf("card %s: repetitions = %d, want 1", seen[0].ID, got)
	}
	if seen[0].ID != cards[0].ID {
		t.Errorf("answered card = %s, want the first card %s", seen[0].ID, cards[0].ID)
	}
}
