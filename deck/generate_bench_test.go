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
