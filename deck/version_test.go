package deck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// goldenSums is, for each GeneratorVersion, the sha256 of the golden
// outputs of notes and deck (testdata/*.golden, by name then content).
var goldenSums = map[int]string{
	1: "22cd5a900d9cf7c05e58c16902f18379be5e2b7bdf5d66d164672bc93875caa3",
}

// TestGeneratorVersionBumped fails when the goldens change under the same
// GeneratorVersion: output that changes without a bump never reaches the
// cards of notes files an import keeps unread (storage.SourceFile.Kept).
// Bump GeneratorVersion and add the new sum here.
func TestGeneratorVersionBumped(t *testing.T) {
	h := sha256.New()
	for _, pattern := range []string{"../notes/testdata/*.golden", "testdata/*.golden"} {
		names, err := filepath.Glob(pattern)
		if err != nil || len(names) == 0 {
			t.Fatalf("no goldens at %s: %v", pattern, err)
		}
		for _, name := range names { // Glob sorts
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			h.Write([]byte(filepath.ToSlash(name) + "\x00"))
			h.Write(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))) // as checked out anywhere
			h.Write([]byte{0})
		}
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want := goldenSums[GeneratorVersion]; got != want {
		t.Errorf("generator output (the goldens) changed under GeneratorVersion %d: bump it and record goldenSums[%d] = %q", GeneratorVersion, GeneratorVersion+1, got)
	}
}
