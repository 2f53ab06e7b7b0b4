package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Review's notes sync used to re-import every remembered file when one
// changed: it must parse only the edited one, keep the others, and the
// session after it must show the edited card.
func TestReviewSyncParsesOnlyChangedFiles(t *testing.T) {
	dir := t.TempDir()
	writeNotes(t, dir, threeTalks())
	env := map[string]string{
		"TALKCARDS_DB":   filepath.Join(t.TempDir(), "t.db"),
		"TALKCARDS_USER": "ada",
		"TALKCARDS_NOW":  "2026-06-01T10:00:00Z",
	}
	talkcards := func(stdin string, args ...string) (string, string) {
		t.Helper()
		var out, errb strings.Builder
		if code := run(args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] }); code != 0 {
			t.Fatalf("talkcards %v: exit %d: %s", args, code, errb.String())
		}
		return out.String(), errb.String()
	}
	var mu sync.Mutex
	var parsed []string
	parsing = func(path string) {
		mu.Lock()
		defer mu.Unlock()
		parsed = append(parsed, filepath.Base(path))
	}
	t.Cleanup(func() { parsing = nil })
	parsedNow := func() []string {
		mu.Lock()
		defer mu.Unlock()
		p := slices.Sorted(slices.Values(parsed))
		parsed = nil
		return p
	}

	talkcards("", "import", dir)
	if got := parsedNow(); !slices.Equal(got, []string{"a.md", "b.md", "c.md"}) {
		t.Fatalf("first import parsed %v", got)
	}
	edited := talkNotes("Queues in Practice", "queues absorb bursts", "a bounded queue sheds load")
	writeNotes(t, dir, map[string]string{"b.md": edited})
	later := time.Now().Add(time.Hour) // a new mtime, whatever the clock's resolution
	if err := os.Chtimes(filepath.Join(dir, "b.md"), later, later); err != nil {
		t.Fatal(err)
	}

	_, stderr := talkcards("", "review", "--plain", "--limit", "1")
	if got := parsedNow(); !slices.Equal(got, []string{"b.md"}) {
		t.Errorf("sync parsed %v, want only the edited b.md", got)
	}
	if !strings.Contains(stderr, "notes changed: Queues in Practice: ") || strings.Count(stderr, "notes changed") != 1 {
		t.Errorf("sync said:\n%s", stderr)
	}
	cards, _ := talkcards("", "cards", "--json")
	if !strings.Contains(cards, "bounded queue sheds load") || strings.Contains(cards, "backpressure protects the consumer") {
		t.Errorf("active cards after the sync do not follow the edit:\n%s", cards)
	}
	for _, p := range []string{"caches hide latency", "raft elects a leader"} {
		if !strings.Contains(cards, p) {
			t.Errorf("active cards lost %q", p)
		}
	}

	// Nothing changed since: no sync, nothing parsed.
	if _, stderr := talkcards("", "review", "--plain", "--limit", "1"); strings.Contains(stderr, "notes changed") {
		t.Errorf("second review synced again:\n%s", stderr)
	}
	if got := parsedNow(); got != nil {
		t.Errorf("second review parsed %v", got)
	}
}
