package deck

import (
	"os"
	"testing"

	"github.com/talkcards/talkcards/notes"
)

func TestCheck(t *testing.T) {
	ok := Card{ID: "a", Prompt: "Name the 2 points under “S”.", Answer: "- one thing\n- other thing"}
	tests := []struct {
		name  string
		cards []Card
		rule  string // "" means no problem
	}{
		{"good", []Card{ok}, ""},
		{"empty prompt", []Card{{ID: "a", Answer: "x"}}, "empty"},
		{"empty answer", []Card{{ID: "a", Prompt: "x?"}}, "empty"},
		{"leak", []Card{{ID: "a", Prompt: "Deploys take 10m from merge", Answer: "10m"}}, "leak"},
		{"leak of one point", []Card{{ID: "a", Prompt: "What about cache?", Answer: "- cache\n- disk"}}, "leak"},
		{"cloze blank is no leak", []Card{{ID: "a", Prompt: "Deploys take [...] from merge", Answer: "10m"}}, ""},
		{"word inside another is no leak", []Card{{ID: "a", Prompt: "alertas [...]", Answer: "alerta"}}, ""},
		{"emoticon answer cannot leak", []Card{{ID: "a", Prompt: "fine :-)", Answer: ":-)"}}, ""},
		{"six points", []Card{{ID: "a", Prompt: "p", Answer: "- a\n- b\n- c\n- d\n- e\n- f"}}, "points"},
		{"no dash", []Card{{ID: "a", Prompt: "p", Answer: "- a\nb"}}, "format"},
		{"long answer", []Card{{ID: "a", Prompt: "p", Answer: string(make([]byte, 401))}}, "size"},
		{"duplicate id", []Card{ok, ok}, "duplicate-id"},
		{"ambiguous", []Card{ok, {ID: "b", Prompt: ok.Prompt, Answer: "- x\n- y"}}, "ambiguous"},
		{"same prompt other heading", []Card{ok, {ID: "b", Path: []string{"T"}, Prompt: ok.Prompt, Answer: "- x\n- y"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Check(tt.cards)
			if tt.rule == "" {
				for _, p := range ps {
					t.Errorf("unexpected %v", p)
				}
				return
			}
			found := false
			for _, p := range ps {
				found = found || p.Rule == tt.rule
			}
			if !found {
				t.Errorf("want a %q problem, got %v", tt.rule, ps)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Three releases per month", "Three"},
		{"5m from commit to staging", "5m"},
		{"keeps sessions in redis.cluster and files on disk", "redis.cluster"},
		{"a very different model than iPhone apps", "iPhone"},
		{"We moved everything to Apache Kafka last year", "Apache Kafka"},
		{"uses **sharding** per tenant", "**sharding**"},
		{"call `flush()` before exit", "`flush()`"},
		{"the team owns their own dashboards", "dashboards"},
		{"cada time cuida dos seus alertas", "alertas"},
		{"devs fazem deploy em PRODUCAO", "PRODUCAO"},
	}
	for _, tt := range tests {
		c := candidates(tt.text, nil, nil)
		if len(c) == 0 || c[0].text != tt.want {
			t.Errorf("candidates(%q) = %v, want %q first", tt.text, c, tt.want)
		}
	}
}

func TestHide(t *testing.T) {
	tests := []struct{ s, hidden, want string }{
		{"Alerts page alerts", "alerts", "[...] page [...]"},
		{"alertas e alerta", "alerta", "alertas e [...]"},
		{"run `go vet` with go", "`go vet`", "run [...] with go"},
	}
	for _, tt := range tests {
		if got := hide(tt.s, tt.hidden); got != tt.want {
			t.Errorf("hide(%q, %q) = %q, want %q", tt.s, tt.hidden, got, tt.want)
		}
	}
}

// FuzzGenerate: any markdown the parser accepts gives cards without a
// panic and without breaking a checkable rule.
func FuzzGenerate(f *testing.F) {
	for _, name := range []string{"bullets.md", "prose.md", "portugues.md", "meetup.md"} {
		if src, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("# T\n- a: b\n- a: c\n- :D\n- x :: y\n"))
	f.Add([]byte("## Q?\nQ:\nA:\n| a |\n|---|\n| |\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		talks, err := notes.Parse("fuzz.md", src)
		if err != nil {
			return
		}
		for _, tk := range talks {
			cards := Generate(tk)
			for _, p := range Check(cards) {
				t.Errorf("%v\n%s", p, dumpCards([]*notes.Talk{tk}, [][]Card{cards}))
			}
		}
	})
}

// BenchmarkGenerate: all fixtures, parsed once, generated per iteration.
func BenchmarkGenerate(b *testing.B) {
	var talks []*notes.Talk
	for _, f := range fixtures(b) {
		src, _ := os.ReadFile(f)
		ts, err := notes.Parse(f, src)
		if err != nil {
			b.Fatal(err)
		}
		talks = append(talks, ts...)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range talks {
			Generate(t)
		}
	}
}
