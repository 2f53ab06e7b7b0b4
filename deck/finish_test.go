package deck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// mentions numbers cards by hashes of their normal forms; mentionsByText,
// its fallback, by the forms themselves. They must agree.
func TestMentionsByHashAsByText(t *testing.T) {
	cards := []Card{
		{Path: []string{"A"}, Prompt: "What?", Answer: "one"},
		{Path: []string{"A"}, Prompt: "what?  ", Answer: "One"}, // the same mention
		{Path: []string{"A"}, Prompt: "WHAT?", Answer: "two"},
		{Path: []string{"B"}, Prompt: "What?", Answer: "three"},
		{Path: []string{"A"}, Prompt: "What?", Answer: "two"},
		{Path: []string{"A"}, Prompt: " Qué\tpasó?", Answer: "é"},
		{Path: []string{"A"}, Prompt: "qué pasó?", Answer: "É"},
	}
	want := []int{1, 1, 2, 1, 2, 1, 1}
	if got := mentions(cards, nil); !slices.Equal(got, want) {
		t.Errorf("mentions = %v, want %v", got, want)
	}
	if got := mentionsByText(cards); !slices.Equal(got, want) {
		t.Errorf("mentionsByText = %v, want %v", got, want)
	}
	files, _ := filepath.Glob("testdata/*.md")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, all := generateFile(t, f, src)
		for _, cards := range all {
			for i := range cards {
				cards[i].Prompt = cards[i].Prompt[:len(cards[i].Prompt)/2] // make some alike
			}
			if a, b := mentions(cards, nil), mentionsByText(cards); !slices.Equal(a, b) {
				t.Errorf("%s: mentions = %v, by text %v", f, a, b)
			}
		}
	}
}

// normalizeLines is Normalize of the parts joined by new lines.
func TestNormalizeLines(t *testing.T) {
	for _, parts := range [][]string{
		{"plain words"}, {"Two\n words"}, {" lead", "Ünïcode  Text\u00a0here "}, {"", "", "x"},
		{"a", ""}, {"\xe2\x80", "tail"}, {"K\u212a", "ſ"},
	} {
		want := Normalize(strings.Join(parts, "\n"))
		if got, _ := normalizeLines(nil, parts...); got != want {
			t.Errorf("normalizeLines(%q) = %q, want %q", parts, got, want)
		}
	}
}
