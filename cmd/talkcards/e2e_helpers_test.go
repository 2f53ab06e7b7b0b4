package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The end-to-end tests in pty_test.go, crash_test.go and isolation_test.go
// drive the real binary: TestMain belongs to testscript, so the test binary
// is not the CLI. It is built once per test run.

var (
	buildOnce sync.Once
	builtPath string
	buildErr  error
)

// talkcardsBinary builds the CLI once per test run and returns its path. It
// skips the test in -short mode or when the go tool is not available.
func talkcardsBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped in -short mode")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("end-to-end test: the go tool is not available to build talkcards")
	}
	buildOnce.Do(func() {
		// One directory per test run, removed by cleanupAfter.
		dir, err := os.MkdirTemp("", "talkcards-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtPath = filepath.Join(dir, "talkcards")
		out, err := exec.Command(goTool, "build", "-o", builtPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build talkcards: %v", buildErr)
	}
	return builtPath
}

// e2eEnv is the environment of one talkcards run: the caller's environment
// without any TALKCARDS_* or colour setting, plus a fixed clock, database
// and user. extra entries (KEY=VALUE) come last and win.
func e2eEnv(t testing.TB, db, user, now string, extra ...string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TALKCARDS_") || k == "NO_COLOR" || k == "TERM" || k == "TZ" || k == "XDG_DATA_HOME" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TZ=UTC",
		"TALKCARDS_DB="+db,
		"TALKCARDS_USER="+user,
		"TALKCARDS_NOW="+now,
		"XDG_DATA_HOME="+filepath.Join(filepath.Dir(db), "xdg"),
	)
	return append(env, extra...)
}

// result is what one finished talkcards run left behind.
type result struct {
	stdout, stderr string
	code           int
}

// runTalkcards runs the binary to completion with stdin as input; a run that
// takes longer than 30 s is killed and fails the test.
func runTalkcards(t testing.TB, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, talkcardsBinary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("talkcards %s: did not finish in 30s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), &stdout, &stderr)
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("talkcards %s: %v", strings.Join(args, " "), err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// mustRun is runTalkcards for a run that must exit 0.
func mustRun(t testing.TB, env []string, stdin string, args ...string) result {
	t.Helper()
	r := runTalkcards(t, env, stdin, args...)
	if r.code != 0 {
		t.Fatalf("talkcards %s: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// cardEntry is the part of `cards --json` these tests look at.
type cardEntry struct {
	ID    string `json:"id"`
	Slug  string `json:"slug"`
	State *struct {
		Repetitions int    `json:"repetitions"`
		Interval    int    `json:"interval"`
		Due         string `json:"due"`
		Lapses      int    `json:"lapses"`
	} `json:"state"`
}

func decodeCards(t testing.TB, out string) []cardEntry {
	t.Helper()
	var cards []cardEntry
	if err := json.Unmarshal([]byte(out), &cards); err != nil {
		t.Fatalf("cards --json: %v\n%s", err, out)
	}
	return cards
}

// userEntry is one row of `users --json`.
type userEntry struct {
	Name      string `json:"name"`
	CardsSeen int    `json:"cards_seen"`
	Reviews   int    `json:"reviews"`
}

func decodeUsers(t testing.TB, out string) map[string]userEntry {
	t.Helper()
	var rows []userEntry
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("users --json: %v\n%s", err, out)
	}
	users := map[string]userEntry{}
	for _, u := range rows {
		users[u.Name] = u
	}
	return users
}

// console collects what a running talkcards writes (a pipe or a pty) so a
// test can wait for a piece of text. Each wait searches from where the last
// match ended, so the same text on the next card is a new match.
type console struct {
	mu      sync.Mutex
	buf     []byte
	mark    int
	closed  bool
	changed chan struct{} // closed and replaced whenever buf grows or input ends
}

func newConsole(r io.Reader) *console {
	c := &console{changed: make(chan struct{})}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			c.mu.Lock()
			c.buf = append(c.buf, b[:n]...)
			if err != nil {
				c.closed = true
			}
			close(c.changed)
			c.changed = make(chan struct{})
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return c
}

// expect waits up to timeout for want to appear after the last match and
// fails the test, with the output so far, when it does not.
func (c *console) expect(t testing.TB, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		if i := bytes.Index(c.buf[c.mark:], []byte(want)); i >= 0 {
			c.mark += i + len(want)
			c.mu.Unlock()
			return
		}
		closed, changed := c.closed, c.changed
		c.mu.Unlock()
		if closed {
			t.Fatalf("output ended before %q appeared; output so far:\n%s", want, c.String())
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %q; output so far:\n%s", timeout, want, c.String())
		}
	}
}

// waitClosed waits for the end of the output (the process is gone).
func (c *console) waitClosed(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		closed, changed := c.closed, c.changed
		c.mu.Unlock()
		if closed {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for the output to end; output so far:\n%s", timeout, c.String())
		}
	}
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}

// waitExit waits up to timeout for a started command to end and returns its
// exit code (-1 when a signal ended it).
func waitExit(t testing.TB, cmd *exec.Cmd, timeout time.Duration, output func() string) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.ExitCode()
		default:
			t.Fatalf("wait: %v", err)
		}
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("process did not exit within %v; output so far:\n%s", timeout, output())
	}
	return -1
}
