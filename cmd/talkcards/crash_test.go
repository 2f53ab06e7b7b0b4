package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/talkcards/talkcards/storage"
)

// TestCrashKillLosesNoAnswer guards DESIGN "Storage": every answer is its own
// committed transaction before the next card shows, so kill -9 at any moment
// loses at most the answer being typed, and the file opens fine afterwards.
//
// Each round is a new day (so yesterday's cards come back due) with a plain
// review killed at a random moment. Grades are 4 or 5 only, so every stored
// answer adds exactly one repetition: the sum of repetitions over all cards
// is the number of answers stored.
func TestCrashKillLosesNoAnswer(t *testing.T) {
	bin := talkcardsBinary(t)
	db := filepath.Join(t.TempDir(), "talkcards.db")
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	envOn := func(day int) []string {
		return e2eEnv(t, db, "ana", start.AddDate(0, 0, day).Format(time.RFC3339))
	}
	mustRun(t, envOn(0), "", "talks") // loads the demo deck before any kill
	rng := rand.New(rand.NewPCG(20261126, 9))

	stored := 0 // answers in the database after the previous round
	for round := range 8 {
		confirmed, maybe := crashRound(t, bin, envOn(round), rng)
		reps, states := storedAnswers(t, envOn(round))
		t.Logf("round %d: %d answers confirmed, %d maybe; stored %d -> %d (%d cards with a state)", round, confirmed, maybe, stored, reps, states)
		if reps < stored+confirmed || reps > stored+confirmed+maybe {
			t.Fatalf("round %d: %d answers stored, want %d before the round + %d confirmed (+%d that may have made it)", round, reps, stored, confirmed, maybe)
		}
		if users := decodeUsers(t, mustRun(t, envOn(round), "", "users", "--json").stdout); users["ana"].Reviews != reps {
			t.Fatalf("round %d: users says %d reviews, cards say %d answers", round, users["ana"].Reviews, reps)
		}
		mustRun(t, envOn(round), "", "talks")
		stored = reps
	}
	if stored == 0 {
		t.Fatal("no answer was ever stored: the test did not exercise anything")
	}

	d, err := storage.Open(db, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open after the kills: %v", err)
	}
	defer d.Close()
	if err := d.Check(); err != nil {
		t.Fatalf("check after the kills: %v", err)
	}
	logged := 0
	if err := d.Log("ana", func(uint64, storage.Review) error { logged++; return nil }); err != nil {
		t.Fatalf("read the review log: %v", err)
	}
	if logged != stored {
		t.Errorf("review log has %d entries, cards have %d answers", logged, stored)
	}
}

// crashRound runs one review --plain, answers some cards, then kills it with
// SIGKILL at a random point. confirmed counts the answers whose next card
// appeared (so they must be stored); maybe is 1 when a grade was sent but the
// process died before it could show that it was processed.
func crashRound(t *testing.T, bin string, env []string, rng *rand.Rand) (confirmed, maybe int) {
	t.Helper()
	cmd := exec.Command(bin, "review", "--plain")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer outR.Close()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = outW, &stderr
	if err := cmd.Start(); err != nil {
		outW.Close()
		t.Fatal(err)
	}
	outW.Close()
	con := newConsole(outR)
	const wait = 10 * time.Second
	// Writes can fail once the process is killed; the kill is the point.
	send := func(s string) { _, _ = stdin.Write([]byte(s)) }
	grade := func() string { return fmt.Sprint(4 + rng.IntN(2)) }

	con.expect(t, "Q: ", wait)
	for range rng.IntN(6) {
		send("\n")
		con.expect(t, "grade 0-5", wait)
		send(grade() + "\n")
		con.expect(t, "Q: ", wait)
		confirmed++
	}
	switch rng.IntN(4) {
	case 0: // killed while the person thinks about the question
	case 1: // killed right after Enter
		send("\n")
	case 2: // killed right after a grade, before its next card shows
		send("\n")
		con.expect(t, "grade 0-5", wait)
		send(grade() + "\n")
		maybe = 1
	case 3: // a whole answer typed ahead, killed a moment later
		send("\n" + grade() + "\n")
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		maybe = 1
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	if code := waitExit(t, cmd, wait, con.String); code != -1 {
		t.Fatalf("review ended by itself with exit %d before the kill\nstdout:\n%s\nstderr:\n%s", code, con.String(), stderr.String())
	}
	return confirmed, maybe
}

// storedAnswers reads ana's cards: the sum of repetitions (one per stored
// answer, as all grades pass) and how many cards have a state.
func storedAnswers(t *testing.T, env []string) (reps, states int) {
	t.Helper()
	for _, c := range decodeCards(t, mustRun(t, env, "", "cards", "--json").stdout) {
		if c.State == nil {
			continue
		}
		states++
		reps += c.State.Repetitions
		if c.State.Lapses != 0 {
			t.Errorf("card %s: %d lapses after passing grades only", c.ID, c.State.Lapses)
		}
	}
	return reps, states
}
