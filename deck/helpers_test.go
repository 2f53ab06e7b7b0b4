package deck

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/talkcards/talkcards/notes"
)

var (
	update    = flag.Bool("update", false, "rewrite testdata/*.golden")
	showCards = flag.String("cards", "", "print the cards of this notes file (go test ./deck -run TestShowCards -cards FILE)")
)

// shared is the folder with the user's seed notes and the corpus of real
// notes, outside the repository.
const shared = "../../shared"

// generateFile parses a notes file and generates the cards of every talk.
func generateFile(tb testing.TB, name string, src []byte) ([]*notes.Talk, [][]Card) {
	tb.Helper()
	talks, err := notes.Parse(name, src)
	if errors.Is(err, notes.ErrNoNotes) {
		tb.Skipf("parse %s: %v", name, err)
	}
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	var all [][]Card
	for _, t := range talks {
		all = append(all, Generate(t))
	}
	return talks, all
}

// dumpCards is the readable form of cards used by golden files and
// -cards: one block per card.
func dumpCards(talks []*notes.Talk, decks [][]Card) string {
	var b strings.Builder
	for i, t := range talks {
		fmt.Fprintf(&b, "=== talk %q (%d cards)\n", t.Title, len(decks[i]))
		for _, c := range decks[i] {
			crumb := append([]string{c.Talk}, c.Path...)
			fmt.Fprintf(&b, "\n[%d] %s  %s  @%s\n", c.Seq, c.Kind, strings.Join(crumb, " › "), c.Source)
			fmt.Fprintf(&b, "Q: %s\n", strings.ReplaceAll(c.Prompt, "\n", "\n   "))
			fmt.Fprintf(&b, "A: %s\n", strings.ReplaceAll(c.Answer, "\n", "\n   "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestShowCards(t *testing.T) {
	if *showCards == "" {
		t.Skip("no -cards FILE")
	}
	for _, f := range strings.Split(*showCards, ",") {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		talks, decks := generateFile(t, filepath.Base(f), src)
		fmt.Print(dumpCards(talks, decks))
		for _, d := range decks {
			for _, p := range Check(d) {
				fmt.Println("PROBLEM:", p)
			}
		}
	}
}
