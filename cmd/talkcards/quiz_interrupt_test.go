package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestQuizInterrupt: Ctrl-C (SIGINT) while a plain quiz waits for an answer
// ends it with exit 130 and the score so far; the answer given is kept.
func TestQuizInterrupt(t *testing.T) {
	bin := talkcardsBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "talkcards.db")
	env := e2eEnv(t, db, "ana", "2026-11-26T09:00:00Z")
	notes := filepath.Join(dir, "notes.md")
	src := "# Capitals\n\nQ: Capital of France?\nA: Paris\n\nQ: Capital of Japan?\nA: Tokyo\n"
	if err := os.WriteFile(notes, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, env, "", "import", notes)

	cmd := exec.Command(bin, "quiz", "capitals", "--mode", "type", "--plain", "--reschedule")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	con := newConsole(stdout)
	const wait = 10 * time.Second
	con.expect(t, "question 1 of 2", wait)
	con.expect(t, "Enter alone shows it", wait)
	if _, err := stdin.Write([]byte("paris tokyo\n")); err != nil {
		t.Fatal(err)
	}
	con.expect(t, "question 2 of 2", wait)
	con.expect(t, "Enter alone shows it", wait)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, wait, con.String); code != exitInterrupted {
		t.Errorf("exit code after SIGINT = %d, want %d; output:\n%s", code, exitInterrupted, con.String())
	}
	con.waitClosed(t, wait)
	if out := con.String(); !strings.Contains(out, "quiz interrupted, answers saved: 1 of 1 right (100%)") {
		t.Errorf("no score so far after SIGINT; output:\n%s", out)
	}
	seen := 0
	for _, c := range decodeCards(t, mustRun(t, env, "", "cards", "--json").stdout) {
		if c.State != nil {
			seen++
		}
	}
	if seen != 1 {
		t.Errorf("cards with a state after the interrupted quiz = %d, want 1 (the answer given)", seen)
	}
}
