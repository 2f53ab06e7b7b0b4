package deck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/talkcards/talkcards/notes"
)

func fixtures(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	return files
}

// TestGolden compares the cards of each fixture with its golden dump; run
// `go test ./deck -update` to rewrite them after a deliberate change, and
// read the diff.
func TestGolden(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			talks, decks := generateFile(t, filepath.Base(f), src)
			got := dumpCards(talks, decks)
			golden := strings.TrimSuffix(f, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./deck -update)", err)
			}
			if got != string(want) {
				t.Errorf("cards differ from %s (run go test ./deck -update and read the diff):\n%s", golden, got)
			}
		})
	}
}

// TestFixtureQuality: no fixture card breaks a rule, every point and
// statement is asked.
func TestFixtureQuality(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			talks, decks := generateFile(t, filepath.Base(f), src)
			for i, d := range decks {
				for _, p := range Check(d) {
					t.Errorf("%v", p)
				}
				for _, m := range uncovered(talks[i], d) {
					t.Errorf("not asked: %s", m)
				}
				for j, c := range d {
					if c.Seq != j || c.ID == "" || c.Talk != talks[i].Title || c.Source == "" || c.Key == "" {
						t.Errorf("card %d badly filled: %+v", j, c)
					}
				}
			}
		})
	}
}

func gen1(tb testing.TB, src string) []Card {
	tb.Helper()
	talks, decks := generateFile(tb, "t.md", []byte(src))
	if len(talks) != 1 {
		tb.Fatalf("%d talks, want 1", len(talks))
	}
	return decks[0]
}

func find(cards []Card, kind Kind, promptPart string) *Card {
	for i := range cards {
		if cards[i].Kind == kind && strings.Contains(cards[i].Prompt, promptPart) {
			return &cards[i]
		}
	}
	return nil
}

// TestKinds: one small outline per kind, and what its card must say.
func TestKinds(t *testing.T) {
	tests := []struct {
		name, src  string
		kind       Kind
		prompt     string // part of the prompt
		answer     string // the whole answer
		path       string // joined with " › "
		wantAbsent bool
	}{
		{"outline", "# T\n## A\n- x y\n## B\n- z w\n", Outline, "What are the 2 parts of this talk", "- A\n- B", "", false},
		{"outline per position", "# T\n## A\n- a1\n## B\n- b1\n## C\n- c1\n## D\n- d1\n## E\n- e1\n## F\n- f1\n", Outline, "comes after “C”", "D", "", false},
		{"list under heading", "# T\n## Costs\n- compute bills\n- storage bills\n- egress fees\n", List, "Name the 3 points under “Costs”", "- compute bills\n- storage bills\n- egress fees", "Costs", false},
		{"list with intro", "# T\n## S\nSome risks:\n\n- data loss\n- downtime\n", List, "Some risks — name all 2", "- data loss\n- downtime", "S", false},
		{"numbered steps", "# T\n## Setup\n1. install\n2. configure\n3. run\n", List, "Name the 3 steps under “Setup”", "- install\n- configure\n- run", "Setup", false},
		{"question heading", "# T\n## Why rewrite ?\n- old stack unmaintained\n- hiring\n", QA, "Why rewrite? (2 points)", "- old stack unmaintained\n- hiring", "Why rewrite ?", false},
		{"question line before a list", "# T\n## S\nWhy should you care?\n- faster programs\n- less GC time\n", QA, "Why should you care? (2 points)", "- faster programs\n- less GC time", "S", false},
		{"question point", "# T\n## S\n- plain point here\n- Does it scale?\n  - yes, to ten nodes\n", QA, "Does it scale?", "yes, to ten nodes", "S", false},
		{"unanswered question", "# T\n## Questions\n- How long did it take ?\n- Was it worth it?\n", List, "", "", "", true},
		{"detail", "# T\n## S\n- Caching\n  - per user\n  - per route\n- Logging\n", Detail, "What was noted about “Caching”? (2 points)", "- per user\n- per route", "S", false},
		{"heading with one point", "# T\n## Culture\n- blameless reviews\n", Detail, "What was noted under “Culture”?", "blameless reviews", "Culture", false},
		{"definition colon", "# T\n## S\n- tracing: jaeger\n- other point words\n", Definition, "In “S”, what was said about tracing?", "jaeger", "S", false},
		{"definition equals", "# T\n## S\nKafka = a distributed log\n", Definition, "What is Kafka?", "a distributed log", "S", false},
		{"merged definition", "# T\n## S\n- queue: sqs\n- cache words here\n- queue: rabbitmq\n", Definition, "In “S”, what was said about queue?", "- sqs\n- rabbitmq", "S", false},
		{"cloze bold", "# T\n## S\n- uses **gRPC** inside\n- plain\n", Cloze, "uses [...] inside", "**gRPC**", "S", false},
		{"cloze number", "# T\n## S\n- a\n- b\n- c\n- d\n- e\n- Four deploys per day\n", Cloze, "[...] deploys per day", "Four", "S", false},
		{"cloze name", "# T\n## S\n- a1\n- b1\n- c1\n- d1\n- e1\n- runs everything on postgreSQL today\n", Cloze, "on [...] today", "postgreSQL", "S", false},
		{"QA lines", "# T\n## S\nQ: Why queues?\nA: to absorb spikes\n", QA, "Why queues?", "to absorb spikes", "S", false},
		{"front back", "# T\n## S\nidempotent :: safe to retry\n", QA, "idempotent", "safe to retry", "S", false},
		{"speaker", "---\nspeaker: Ana Lima\n---\n# Talk title\n- a point\n", Speaker, "Who gave the talk “Talk title”?", "Ana Lima", "", false},
		{"subtitle", "# T\n\nEvent sourcing in practice\n\n## A\n- x\n## B\n- y\n", QA, "What was this talk about?", "Event sourcing in practice", "", false},
		{"table", "# T\n## S\n| Tool | Use |\n|---|---|\n| Vault | secrets |\n", Definition, "Use for “Vault”?", "secrets", "S", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards := gen1(t, tt.src)
			if tt.wantAbsent {
				if len(cards) != 0 {
					t.Errorf("want no card, got %+v", cards)
				}
				return
			}
			c := find(cards, tt.kind, tt.prompt)
			if c == nil {
				t.Fatalf("no %s card with %q in:\n%s", tt.kind, tt.prompt, dumpCards([]*notes.Talk{{Title: "T"}}, [][]Card{cards}))
			}
			if c.Answer != tt.answer {
				t.Errorf("answer %q, want %q", c.Answer, tt.answer)
			}
			if got := strings.Join(c.Path, " › "); got != tt.path {
				t.Errorf("path %q, want %q", got, tt.path)
			}
			for _, p := range Check(cards) {
				t.Errorf("%v", p)
			}
		})
	}
}

// TestEmoticons: emoticons are never separators and never hidden (rule 6).
func TestEmoticons(t *testing.T) {
	notDefs := []string{
		"Redis cache layer :D",
		"Queue scheme like kafka :-), but per tenant",
		"(no python :-()",
		"shipped it :tada: finally",
		"works on my machine :P",
		"see http://example.org/x",
		"standup at 10:30 every day",
		"well :-( that hurt",
	}
	for _, s := range notDefs {
		if d, ok := parseDefinition(s); ok {
			t.Errorf("%q read as a definition %+v", s, d)
		}
	}
	if d, ok := parseDefinition("cache: redis :D"); !ok || d.term != "cache" || d.body != "redis :D" {
		t.Errorf("cache: redis :D -> %+v %v", d, ok)
	}
	var md strings.Builder
	md.WriteString("# T\n## S\n")
	for _, s := range append(notDefs, "a", "b", "c :-)", ":D", "fine :joy: really") {
		md.WriteString("- " + s + "\n")
	}
	cards := gen1(t, md.String())
	for _, c := range cards {
		if c.Kind == Definition {
			t.Errorf("definition from emoticon: %+v", c)
		}
		if c.Kind == Cloze && contentWords(c.Answer) == 0 {
			t.Errorf("cloze hides an emoticon: %+v", c)
		}
		for _, e := range []string{":-)", ":D", ":-()", ":P", ":tada:", ":joy:"} {
			if strings.Contains(c.Answer, e[:2]) && !strings.Contains(c.Answer, e) && strings.HasSuffix(c.Answer, e[:2]) {
				t.Errorf("emoticon %s split: %q", e, c.Answer)
			}
		}
	}
	for _, p := range Check(cards) {
		t.Errorf("%v", p)
	}
}

// TestDeterministic: the same notes give the same cards every time (rule 5).
func TestDeterministic(t *testing.T) {
	for _, f := range fixtures(t) {
		src, _ := os.ReadFile(f)
		_, first := generateFile(t, f, src)
		for range 10 {
			_, again := generateFile(t, f, src)
			if !reflect.DeepEqual(first, again) {
				t.Fatalf("%s: cards differ between runs", f)
			}
		}
	}
}

func ids(decks [][]Card) map[string]Card {
	m := map[string]Card{}
	for _, d := range decks {
		for _, c := range d {
			m[c.ID] = c
		}
	}
	return m
}

// TestIdentityEdit: editing one point changes the IDs of the cards about
// it and of no other card.
func TestIdentityEdit(t *testing.T) {
	edits := []struct{ file, old, new string }{
		{"bullets.md", "Feature flags for every release", "Feature flags for every deploy"},
		{"bullets.md", "Redis for carts :D", "Redis for sessions :D"},
		{"bullets.md", "One deploy pipeline", "One build pipeline"},
		{"prose.md", "Cornell notes split the page into cues and a summary", "Cornell notes split the page in two"},
		{"portugues.md", "Dois dashboards por time, no máximo", "Três dashboards por time"},
	}
	for _, e := range edits {
		t.Run(e.old, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", e.file))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), e.old) {
				t.Fatalf("%q not in %s", e.old, e.file)
			}
			_, before := generateFile(t, e.file, src)
			_, after := generateFile(t, e.file, []byte(strings.Replace(string(src), e.old, e.new, 1)))
			oldIDs, newIDs := ids(before), ids(after)
			changed := 0
			for id, c := range oldIDs {
				_, kept := newIDs[id]
				about := strings.Contains(c.Key, Normalize(e.old))
				switch {
				case about && kept:
					t.Errorf("card about the edited point kept its ID: %+v", c)
				case !about && !kept:
					t.Errorf("card not about the edited point changed ID: %s %q", c.Kind, c.Prompt)
				case about:
					changed++
				}
			}
			if changed == 0 {
				t.Errorf("no card was about %q", e.old)
			}
		})
	}
}

// TestIdentityLayout: re-indenting lists, changing bullet markers and
// re-wrapping prose change no ID.
func TestIdentityLayout(t *testing.T) {
	a := `# Caching talk

## Layers

- Browser cache
  - honours cache-control headers
  - cheap to get right
- CDN edge
- App cache in memory
- Database buffer pool
- Disk page cache
- Object store tier

## Story

The team first added a cache in front of every service, and the hit rate
looked great until the invalidation bugs started to pile up in production.
They then moved to caching only at the edge, which cut the bugs in half.
`
	b := `# Caching talk

## Layers

* Browser cache
    * honours cache-control headers
    * cheap to get right
* CDN edge
* App cache in memory
* Database buffer pool
* Disk page cache
* Object store tier

## Story

The team first added a cache in front of every service,
and the hit rate looked great until the invalidation bugs
started to pile up in production. They then moved to caching
only at the edge, which cut the bugs in half.
`
	_, da := generateFile(t, "a.md", []byte(a))
	_, db := generateFile(t, "a.md", []byte(b))
	ia, ib := ids(da), ids(db)
	if len(ia) != len(ib) {
		t.Errorf("%d cards, then %d", len(ia), len(ib))
	}
	for id, c := range ia {
		if _, ok := ib[id]; !ok {
			t.Errorf("ID of %s card %q changed with layout", c.Kind, c.Prompt)
		}
	}
}
