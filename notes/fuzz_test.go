package notes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.md")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	for _, s := range []string{
		"", "#", "# \n", "---\n---\n", "---\ntitle: x\n---", "\xEF\xBB\xBF# t\r\n* a",
		"* a\r* b\r", "# t\n\x00", "# t\n\xff", strings.Repeat("- ", 500) + "x",
		strings.Repeat("> ", 500) + "- x", "# t\n" + strings.Repeat("*", 1000),
		"# t\n[a](b){:x}{:y}", "# t\n**a**:", "**a**\n\n**b**\n\n* c",
		"# t\n@Metadata {\n}\n@X(\"y\")\n* a", "# t\n| a |\n|---|\n| `x|` |",
		"# t\n* ![i](x)\n* [![i](x)](y)", "## @h\n### a\n* b", "#\t#\n* a\\",
		"Setext\n===\n* a\n\n  ```\n  code", "1) a\n   1) b\n      - c",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		talks, err := Parse("f.md", src)
		if err != nil {
			checkErr(t, err)
			return
		}
		checkInvariants(t, "f.md", src, talks, false)
		_ = Dump(talks)
	})
}
