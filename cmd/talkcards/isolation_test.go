package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestIsolationUsers guards DESIGN "Storage": cards are shared, but nothing
// one user does (reviews, failed cards, settings) changes another's data.
func TestIsolationUsers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "talkcards.db")
	const now = "2026-11-26T09:00:00Z"
	env := e2eEnv(t, db, "nobody", now)
	mustRun(t, env, "", "talks") // loads the demo deck
	cardsOf := func(user string) string {
		t.Helper()
		return mustRun(t, env, "", "cards", "--json", "--user", user).stdout
	}
	configOf := func(user string) string {
		t.Helper()
		return mustRun(t, env, "", "config", "--json", "--user", user).stdout
	}
	sameAs := func(what, before, after string) {
		t.Helper()
		if before != after {
			t.Errorf("%s changed:\nbefore:\n%s\nafter:\n%s", what, before, after)
		}
	}

	// ana: grades 4, 5, 2 (a lapse; the card comes back), 3 (passes but
	// comes back too), then input ends at the first repeat.
	benCards, benConfig := cardsOf("ben"), configOf("ben")
	out := mustRun(t, env, "\n4\n\n5\n\n2\n\n3\n", "review", "--plain", "--user", "ana").stdout
	if !strings.Contains(out, "4 reviewed (4 new)") {
		t.Fatalf("ana's review: summary does not say 4 reviewed (4 new):\n%s", out)
	}
	sameAs("ben's cards after ana's review", benCards, cardsOf("ben"))
	sameAs("ben's config after ana's review", benConfig, configOf("ben"))

	// ben: two cards of another talk.
	anaCards, anaConfig := cardsOf("ana"), configOf("ana")
	out = mustRun(t, env, "\n5\n\n4\n", "review", "--plain", "--user", "ben", "--talk", "simple-made-easy").stdout
	if !strings.Contains(out, "2 reviewed (2 new)") {
		t.Fatalf("ben's review: summary does not say 2 reviewed (2 new):\n%s", out)
	}
	sameAs("ana's cards after ben's review", anaCards, cardsOf("ana"))
	sameAs("ana's config after ben's review", anaConfig, configOf("ana"))

	slugs := func(user string) map[string]int {
		t.Helper()
		n := map[string]int{}
		for _, c := range decodeCards(t, cardsOf(user)) {
			if c.State != nil {
				n[c.Slug]++
			}
		}
		return n
	}
	if got := slugs("ben"); len(got) != 1 || got["simple-made-easy"] != 2 {
		t.Errorf("ben's cards with a state, by talk = %v, want 2 of simple-made-easy only", got)
	}
	if got := slugs("ana"); got["simple-made-easy"] != 0 || sum(got) != 4 {
		t.Errorf("ana's cards with a state, by talk = %v, want 4, none of simple-made-easy", got)
	}

	users := decodeUsers(t, mustRun(t, env, "", "users", "--json").stdout)
	if len(users) != 2 {
		t.Errorf("users = %v, want ana and ben only", users)
	}
	if u := users["ana"]; u.Reviews != 4 || u.CardsSeen != 4 {
		t.Errorf("users: ana = %+v, want 4 reviews, 4 cards seen", u)
	}
	if u := users["ben"]; u.Reviews != 2 || u.CardsSeen != 2 {
		t.Errorf("users: ben = %+v, want 2 reviews, 2 cards seen", u)
	}

	// Settings are per user too.
	benCards, benConfig = cardsOf("ben"), configOf("ben")
	mustRun(t, env, "", "config", "new-per-day", "5", "--user", "ana")
	if got := strings.TrimSpace(mustRun(t, env, "", "config", "new-per-day", "--user", "ana").stdout); got != "5" {
		t.Errorf("ana's new-per-day = %q, want 5", got)
	}
	sameAs("ben's config after ana's config change", benConfig, configOf("ben"))
	sameAs("ben's cards after ana's config change", benCards, cardsOf("ben"))
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestBusyDatabase guards DESIGN "Storage": a real conflict fails fast (exit
// 3, a clear message) instead of hanging, and the command works once the
// other holder is gone.
func TestBusyDatabase(t *testing.T) {
	bin := talkcardsBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "talkcards.db")
	env := e2eEnv(t, db, "ana", "2026-11-26T09:00:00Z")
	mustRun(t, env, "", "talks") // creates the database (demo deck)
	notes := filepath.Join(dir, "busy.md")
	if err := os.WriteFile(notes, []byte("# Busy talk\n\n## Locks\n\n- flock is advisory\n- bbolt takes it on open\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	holder, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatalf("hold the database: %v", err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			if err := holder.Close(); err != nil {
				t.Errorf("release the database: %v", err)
			}
		}
	}
	defer release()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "import", notes)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("import beside a held database did not fail within 3s (a hang)\nstderr:\n%s", &stderr)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitBusy {
		t.Fatalf("import beside a held database: %v, want exit %d\nstdout:\n%s\nstderr:\n%s", err, exitBusy, &stdout, &stderr)
	}
	if !strings.Contains(stderr.String(), "another talkcards") && !strings.Contains(stderr.String(), "busy") {
		t.Errorf("stderr does not say another talkcards is using the database:\n%s", &stderr)
	}
	if strings.Contains(stdout.String(), "imported") {
		t.Errorf("a failed import reported success:\n%s", &stdout)
	}

	release()
	out := mustRun(t, env, "", "import", notes).stdout
	if !strings.Contains(out, "imported") {
		t.Errorf("import after the release: no report:\n%s", out)
	}
	if !strings.Contains(mustRun(t, env, "", "talks").stdout, "busy-talk") {
		t.Errorf("talks after the import does not list busy-talk")
	}
}
