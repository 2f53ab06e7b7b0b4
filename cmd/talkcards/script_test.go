package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(cleanupAfter{m}, map[string]func(){
		"talkcards": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)) },
	})
}

// cleanupAfter removes the binary the end-to-end tests built once the tests
// have run (testscript.Main owns TestMain and exits itself).
type cleanupAfter struct{ m *testing.M }

func (c cleanupAfter) Run() int {
	code := c.m.Run()
	if builtPath != "" {
		os.RemoveAll(filepath.Dir(builtPath))
	}
	return code
}

// TestScripts runs the end-to-end scripts in testdata/script against the
// real binary: a fixed clock, a temporary database and user.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("TALKCARDS_NOW", "2026-11-26T09:00:00Z")
			env.Setenv("TALKCARDS_DB", filepath.Join(env.WorkDir, "data", "talkcards.db"))
			env.Setenv("TALKCARDS_USER", "ana")
			env.Setenv("TZ", "UTC")
			env.Setenv("NO_COLOR", "")
			shared, _ := filepath.Abs("../../../shared")
			env.Setenv("SHARED", shared)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			case "shared":
				_, err := os.Stat("../../../shared/seed-notes.md")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mkfile":   cmdMkfile,
			"exits":    cmdExits,
			"states":   cmdStates,
			"snapshot": cmdSnapshot,
			"flipbyte": cmdFlipbyte,
			"unchanged": func(ts *testscript.TestScript, neg bool, args []string) {
				cmdUnchanged(ts, neg, args)
			},
		},
	})
}

// mkfile NAME KIND [N] writes hostile input that cannot live in a txtar:
// big (N MiB of bullets), longline (one line of N bytes), badutf8 (an
// invalid byte on line 3), nul (a NUL byte on line 2).
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mkfile NAME big|longline|badutf8|nul [N]")
	}
	n := 0
	if len(args) > 2 {
		var err error
		if n, err = strconv.Atoi(args[2]); err != nil {
			ts.Fatalf("mkfile: %v", err)
		}
	}
	var b bytes.Buffer
	switch args[1] {
	case "big":
		b.WriteString("# Big talk\n\n")
		for b.Len() < n<<20 {
			b.WriteString("- a point that repeats to make the file large\n")
		}
	case "longline":
		b.WriteString("# Long line\n\n- ")
		b.WriteString(strings.Repeat("x", n))
		b.WriteString("\n")
	case "badutf8":
		b.WriteString("# Talk\n\n- caf\xe9 in Latin-1\n")
	case "nul":
		b.WriteString("# Talk\n- a\x00b\n")
	default:
		ts.Fatalf("mkfile: unknown kind %q", args[1])
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644); err != nil {
		ts.Fatalf("mkfile: %v", err)
	}
}

// flipbyte FILE OFFSET inverts the byte at OFFSET of FILE: damage.
func cmdFlipbyte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	off, err := strconv.Atoi(args[1])
	ts.Check(err)
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	if off < 0 || off >= len(b) {
		ts.Fatalf("flipbyte: offset %d outside the %d bytes of %s", off, len(b), args[0])
	}
	b[off] ^= 0xff
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o600))
}

// snapshot FILE records FILE's hash; unchanged FILE checks it is the same,
// byte for byte (a failed command must leave the database as it was).
func cmdSnapshot(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: snapshot FILE")
	}
	ts.Setenv("SNAPSHOT_"+filepath.Base(args[0]), fileHash(ts, args[0]))
}

func cmdUnchanged(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: unchanged FILE")
	}
	want := ts.Getenv("SNAPSHOT_" + filepath.Base(args[0]))
	got := fileHash(ts, args[0])
	if (got == want) == neg {
		ts.Fatalf("%s: changed=%v, want changed=%v", args[0], got != want, neg)
	}
}

func fileHash(ts *testscript.TestScript, name string) string {
	data, err := os.ReadFile(ts.MkAbs(name))
	if os.IsNotExist(err) {
		return "absent"
	}
	ts.Check(err)
	return fmt.Sprintf("%x", sha256.Sum256(data))
}

// exits CODE PROG ARGS... runs PROG and checks its exit code, keeping its
// stdout and stderr for the next assertions (testscript's exec only tells
// zero from non-zero; DESIGN gives each failure its own code).
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Dir = ts.Getenv("WORK")
	env := os.Environ()
	for _, k := range []string{"TALKCARDS_NOW", "TALKCARDS_DB", "TALKCARDS_USER", "TZ", "HOME", "PATH", "NO_COLOR"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	cmd.Env = env
	if in := ts.Getenv("EXITS_STDIN"); in != "" {
		data, err := os.ReadFile(ts.MkAbs(in))
		ts.Check(err)
		cmd.Stdin = bytes.NewReader(data)
	}
	cmd.Stdout, cmd.Stderr = ts.Stdout(), ts.Stderr()
	err = cmd.Run()
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else {
		ts.Check(err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// states FILE prints one line per card of a `cards --json` output:
// "kind n=R ef=E i=I due=D lapses=L" or "kind new", so scripts can check
// SM-2 results without depending on prompt wording.
func cmdStates(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: states FILE")
	}
	var cards []cardJSON
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &cards))
	for _, c := range cards {
		if c.State == nil {
			fmt.Fprintf(ts.Stdout(), "%s new\n", c.Kind)
			continue
		}
		s := c.State
		fmt.Fprintf(ts.Stdout(), "%s n=%d ef=%.2f i=%d due=%s lapses=%d\n", c.Kind, s.Repetitions, s.Easiness, s.Interval, s.Due, s.Lapses)
	}
}
