package deck

import (
	"strings"
	"testing"
)

// TestClozeTarget: a cloze hides the informative word of a point, not the
// verb or adjective a note happens to start with.
func TestClozeTarget(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Favors people that take risks", "risks"},
		{"Deliberate focus on culture (workshops, talks)", "culture"},
		{"Celebrates failure (blog posts about it :-)", "failure"},
		{"Management happens within the team", "team"},
		{"incremental approach, one service at a time being extracted from the monolith", "monolith"},
		{"easier to test", "test"},
		{"Builds trust with customers", "customers"},
		{"already handles autoscaling", "autoscaling"},
		{"Talked a lot about the benefits of using a tool like toxyproxy", "toxyproxy"},
		{"each green thread has its own independent garbage collector", "collector"},
		// still first: numbers, code, names written as names
		{"Two hackweeks per year", "Two"},
		{"runs on Postgres today", "Postgres"},
	}
	for _, tt := range tests {
		c := candidates(tt.text, nil, nil)
		if len(c) == 0 || c[0].text != tt.want {
			var got []string
			for _, x := range c {
				got = append(got, x.text)
			}
			t.Errorf("candidates(%q) = %q, want %q first", tt.text, got, tt.want)
		}
	}
}

// TestSingleBlank: a prompt has exactly one blank; a neighbour saying the
// hidden word is left out, and no web address is shown or hidden.
func TestSingleBlank(t *testing.T) {
	tests := []struct {
		name, src string
		answer    string // the clozes to look at
	}{
		{"neighbour says the word", "# T\n## S\n- a1 b\n- b1 c\n- c1 d\n- d1 e\n- e1 f\n- Handling eventual consistency\n- Use sampling to check for consistency\n", "consistency"},
		{"URL neighbours dropped", "# T\n## S\n### ZVAL\nZend value `zval`\nhttps://example.org/zval-part-1.html\n\nMapping c types from ZVAL\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards := gen1(t, tt.src)
			n := 0
			for _, c := range cards {
				if c.Kind != Cloze || tt.answer != "" && c.Answer != tt.answer {
					continue
				}
				n++
				if k := strings.Count(c.Prompt, Blank); k != 1 {
					t.Errorf("%d blanks in %q", k, c.Prompt)
				}
				if strings.Contains(strings.ToLower(c.Prompt), strings.ToLower(c.Answer)) || strings.Contains(c.Prompt, "https://") {
					t.Errorf("prompt %q shows the answer %q or an address", c.Prompt, c.Answer)
				}
			}
			if n == 0 {
				t.Errorf("no cloze in:\n%s", dump(cards))
			}
			for _, p := range Check(cards) {
				t.Errorf("%v", p)
			}
		})
	}
	if ps := Check([]Card{{ID: "a", Kind: Cloze, Prompt: "[...] and [...]", Answer: "x"}}); len(ps) == 0 || ps[0].Rule != "blanks" {
		t.Errorf("two blanks not reported: %v", ps)
	}
}

// TestBareURL: a statement that is only a web address gets no card and
// is exempt from coverage; a labelled link is asked as a resource.
func TestBareURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://example.org/a":                          true,
		"<https://example.org/a>":                        true,
		"[https://example.org/a]()":                      true,
		"[example.org](https://example.org)":             true,
		"appium.io":                                      true,
		"https://a.org/x, https://b.org/y":               true,
		"[Forgetting curve](https://example.org/curve)":  false,
		"see https://example.org/a":                      false,
		"node.js":                                        false,
		"Other talks by Jane: https://example.org/talks": false,
	} {
		if got := bareURL(s); got != want {
			t.Errorf("bareURL(%q) = %v, want %v", s, got, want)
		}
	}
	src := "# T\n## Resources\n- https://example.org/code\n- https://example.org/slides\n- Mentoring channel on IRC\n" +
		"## Links\n[Discussion](https://example.org/d)\n\n[Workshop repo](https://example.org/w)\n" +
		"## Slides\n- deck: https://example.org/deck\n- other point here\n"
	talks, decks := generateFile(t, "t.md", []byte(src))
	cards := decks[0]
	for _, c := range cards {
		if c.Kind == Cloze && (strings.Contains(c.Answer, "://") || strings.Contains(c.Prompt, "://")) {
			t.Errorf("cloze shows or hides an address: %+v", c)
		}
		if strings.Contains(c.Answer, "example.org/code") {
			t.Errorf("bare address asked: %+v", c)
		}
	}
	if c := find(cards, Detail, "Which 2 resources were linked under “Links”?"); c == nil {
		t.Errorf("labelled links not asked as resources:\n%s", dump(cards))
	}
	if c := find(cards, Definition, "which resource was linked for deck?"); c == nil {
		t.Errorf("labelled address not asked as a resource:\n%s", dump(cards))
	}
	if m := uncovered(talks[0], cards); len(m) > 0 {
		t.Errorf("not asked: %v", m)
	}
	for _, p := range Check(cards) {
		t.Errorf("%v", p)
	}
}

// TestOutlineSkipsEmptySections: placeholder, empty and unanswered-question
// sections are not parts of the talk; under two parts left, no outline.
func TestOutlineSkipsEmptySections(t *testing.T) {
	tests := []struct {
		name, src, want string // want: the outline answer, "" for none
	}{
		{"placeholders", "# T\n## Keynote\n- a point here\n## (missed Mark’s talk)\n## Panel\n- another point\n## (missed Ana’s talk)\n",
			"- Keynote\n- Panel"},
		{"unanswered questions", "# T\n## Challenges\n- failures\n- latency\n## Questions\n- How long did the migration take ?\n",
			""},
		{"nested empty", "# T\n## A\n### A1\n### A2\n## B\n- b point\n## C\n- c point\n",
			"- B\n- C"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards := gen1(t, tt.src)
			var got []string
			for _, c := range cards {
				if c.Kind == Outline {
					got = append(got, c.Answer)
				}
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("want no outline, got %q", got)
			case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
				t.Errorf("outline %q, want %q", got, tt.want)
			}
			for _, p := range Check(cards) {
				t.Errorf("%v", p)
			}
		})
	}
}

// TestDefinitionPrompt: a labelled note's prompt names where it was said,
// so it reads alone; the answer is the explanation, unchanged.
func TestDefinitionPrompt(t *testing.T) {
	tests := []struct{ name, src, prompt, answer string }{
		{"generic term", "# T\n## Challenges\n- monitoring: sentry\n- other point here\n",
			"In “Challenges”, what was said about monitoring?", "sentry"},
		{"capital lowered", "# T\n## Development\n- Fallbacks: go to a degraded mode\n- other point here\n",
			"In “Development”, what was said about fallbacks?", "go to a degraded mode"},
		{"name kept", "# T\n## Panel\n- Abby Fuller: containers at scale\n- other point here\n",
			"In “Panel”, what was said about Abby Fuller?", "containers at scale"},
		{"question word", "# T\n## Chaos patterns\n- How to fix: retry with backoff\n- other point here\n",
			"In “Chaos patterns”, how to fix?", "retry with backoff"},
		{"talk level", "# T\n\n- Problem: too many pages\n- other point here\n",
			"In this talk, what was said about problem?", "too many pages"},
		{"glossary entry", "# T\n## S\nKafka = a distributed log\n",
			"What is Kafka?", "a distributed log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards := gen1(t, tt.src)
			c := find(cards, Definition, "")
			if c == nil {
				t.Fatalf("no definition in:\n%s", dump(cards))
			}
			if c.Prompt != tt.prompt || c.Answer != tt.answer {
				t.Errorf("got %q → %q, want %q → %q", c.Prompt, c.Answer, tt.prompt, tt.answer)
			}
		})
	}
	// Five or more comma items: a cloze per item reads better than a list
	// to recall whole; a clause cut at ':' is not a term.
	cards := gen1(t, "# T\n## S\n- monitoring: statsd, graphite, librato, ELK, sentry\n- other point here\n")
	if find(cards, Definition, "") != nil || find(cards, Cloze, "monitoring :") == nil {
		t.Errorf("long list definition not asked as a cloze:\n%s", dump(cards))
	}
	for _, s := range []string{"starting with: your own discovery", "not looking for: skills"} {
		if d, ok := parseDefinition(s); ok {
			t.Errorf("%q read as definition %+v", s, d)
		}
	}
}

func dump(cards []Card) string {
	var b strings.Builder
	for _, c := range cards {
		b.WriteString(string(c.Kind) + " | " + strings.ReplaceAll(c.Prompt, "\n", " ⏎ ") + " → " + strings.ReplaceAll(c.Answer, "\n", " ⏎ ") + "\n")
	}
	return b.String()
}
