package deck

import (
	"slices"
	"testing"
)

func TestMatchAnswer(t *testing.T) {
	list := "- Simplicity\n- Resiliência\n- Observability"
	tests := []struct {
		name     string
		expected string
		typed    string
		right    bool
		score    float64
		missed   []string
	}{
		{"exact", "Rob Pike", "Rob Pike", true, 1, nil},
		{"case", "Rob Pike", "rob pike", true, 1, nil},
		{"accents", "resiliência", "resiliencia", true, 1, nil},
		{"accents typed, none expected", "cafe", "café", true, 1, nil},
		{"punctuation", "Don't panic!", "dont panic", true, 1, nil},
		{"markdown in the answer", "**dealing with** lots of things", "dealing with lots of things", true, 1, nil},
		{"one typo", "parallelism", "paralelism", true, 1, nil},
		{"swapped letters", "concurrency", "concurrnecy", true, 1, nil},
		{"answer inside a longer reply", "channels", "I think it was channels, mostly", true, 1, nil},
		{"different word", "parallelism", "concurrency", false, 0, []string{"parallelism"}},
		{"empty reply", "Rob Pike", "", false, 0, []string{"Rob Pike"}},
		{"list in order", list, "simplicity; resiliencia; observability", true, 1, nil},
		{"list in another order", list, "observability, simplicity; resiliência", true, 1, nil},
		{"list on lines with typos", list, "Observabilty\nsimplicty\nresilience", true, 1, nil},
		{"list missing a point", list, "simplicity; observability", false, 2.0 / 3, []string{"Resiliência"}},
		{"list missing two points", list, "observability", false, 1.0 / 3, []string{"Simplicity", "Resiliência"}},
		{"list with a wrong point", list, "simplicity; speed; observability", false, 2.0 / 3, []string{"Resiliência"}},
		{"list point with a comma", "- Fast, cheap and good\n- Pick two", "pick two; fast, cheap and good", true, 1, nil},
		{"list as one sentence", "- Simple\n- Easy", "simple and easy", true, 1, nil},
		{"list nothing", list, "", false, 0, []string{"Simplicity", "Resiliência", "Observability"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MatchAnswer(tt.expected, tt.typed)
			if got.Right != tt.right || !slices.Equal(got.Missed, tt.missed) {
				t.Errorf("MatchAnswer(%q, %q) = %+v, want right=%v missed=%q", tt.expected, tt.typed, got, tt.right, tt.missed)
			}
			if (tt.right || len(answerPoints(tt.expected)) > 1) && !near(got.Score, tt.score) {
				t.Errorf("MatchAnswer(%q, %q).Score = %.3f, want %.3f", tt.expected, tt.typed, got.Score, tt.score)
			}
			if got.Score < 0 || got.Score > 1 {
				t.Errorf("Score %.3f out of 0..1", got.Score)
			}
		})
	}
}

func TestMatchAnswerSinglePointScoreIsSimilarity(t *testing.T) {
	got := MatchAnswer("Rob Pike", "Rob")
	if got.Right || got.Score <= 0 || got.Score >= PointMatch {
		t.Errorf("MatchAnswer(Rob Pike, Rob) = %+v, want wrong with a partial score", got)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"abc", "abd", 1},
		{"abc", "acb", 1},
		{"abc", "ab", 1},
		{"resiliencia", "resilencia", 1},
		{"concurrency", "concurrnecy", 1},
		{"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, 10); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
