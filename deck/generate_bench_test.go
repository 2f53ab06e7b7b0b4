package deck

import (
	"fmt"
	"strings"
	"testing"

	"github.com/talkcards/talkcards/notes"
)

// BenchmarkGenerateMiB makes the cards of 1 MiB of typical notes (parsed
// once, outside the loop); cards/op says how many.
func BenchmarkGenerateMiB(b *testing.B) {
	var sb strings.Builder
	for t := 0; sb.Len() < 1<<20; t++ {
		fmt.Fprintf(&sb, "# Talk %d about caches and queues\n\nSpeaker: Ada Lovelace\n\n", t)
		for s := range 8 {
			fmt.Fprintf(&sb, "## Part %d of the story\n\n", s)
			for p := range 3 + s%5 {
				fmt.Fprintf(&sb, "- point %d.%d: latency budget for **replica %d** reads\n", s, p, p)
			}
			sb.WriteString("\nBackpressure: slowing the producer when the queue is full\n\n")
		}
	}
	src := []byte(sb.String())
	talks, err := notes.Parse("bench.md", src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for _, t := range talks {
			n += len(Generate(t))
		}
	}
	b.ReportMetric(float64(n), "cards/op")
}

// BenchmarkGenerateLongSection: 50 000 points under one heading. Nothing
// the generator does for a point may depend on how many points its heading
// holds: this runs in a fraction of a second, not minutes.
func BenchmarkGenerateLongSection(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("# One long talk\n\n## Everything\n\n")
	for p := range 50000 {
		switch p % 4 {
		case 0:
			fmt.Fprintf(&sb, "- Term %d: latency budget for **replica %d** reads\n", p, p)
		case 1:
			fmt.Fprintf(&sb, "- point %d about backpressure and queues\n", p)
		case 2:
			fmt.Fprintf(&sb, "- Why does queue %d grow?\n  - producers outrun consumer %d\n", p, p)
		default:
			fmt.Fprintf(&sb, "- WASM module %d loads in `init()` from https://example.com/%d\n", p, p)
		}
	}
	benchGenerate(b, sb.String())
}

// BenchmarkGenerateManyHeadings: 20 000 headings in one talk, each with a
// point or two, some with sub-headings.
func BenchmarkGenerateManyHeadings(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("# One wide talk\n\n")
	for h := range 20000 {
		if h%5 == 4 {
			fmt.Fprintf(&sb, "### Detail %d of the part\n\n", h)
		} else {
			fmt.Fprintf(&sb, "## Part %d of the story\n\n", h)
		}
		fmt.Fprintf(&sb, "- Term %d: what part %d says\n", h, h)
		if h%2 == 0 {
			fmt.Fprintf(&sb, "- another point %d with more words\n", h)
		}
		sb.WriteString("\n")
	}
	benchGenerate(b, sb.String())
}

func benchGenerate(b *testing.B, src string) {
	talks, err := notes.Parse("bench.md", []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = 0
		for _, t := range talks {
			n += len(Generate(t))
		}
	}
	b.ReportMetric(float64(n), "cards/op")
}
