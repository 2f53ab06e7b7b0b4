package notes

import (
	"fmt"
	"strings"
	"testing"
)

// benchNotes is about size bytes of notes shaped like real ones: talks with
// a speaker line, sections of bullets (some nested, some bold), a
// definition and a question.
func benchNotes(size int) []byte {
	var b strings.Builder
	for t := 0; b.Len() < size; t++ {
		fmt.Fprintf(&b, "# Talk %d about caches and queues\n\nSpeaker: Ada Lovelace\n\n", t)
		for s := range 8 {
			fmt.Fprintf(&b, "## Part %d of the story\n\n", s)
			for p := range 5 {
				fmt.Fprintf(&b, "- point %d.%d: latency budget for **replica %d** reads\n", s, p, p)
				if p == 2 {
					b.WriteString("  - nested detail one\n  - nested detail two\n")
				}
			}
			b.WriteString("\nBackpressure: slowing the producer when the queue is full\n\n")
		}
		b.WriteString("### Why does it matter?\n\nBecause tail latency compounds.\n\n")
	}
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	for _, size := range []int{10 << 10, 1 << 20} {
		src := benchNotes(size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse("bench.md", src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
