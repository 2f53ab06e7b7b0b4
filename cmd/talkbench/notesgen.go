package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Words the synthetic notes are made of: plain, technical, a few accents.
var vocab = strings.Fields(`latency throughput cache queue shard replica leader follower quorum
consensus raft paxos index btree page commit rollback snapshot isolation lock mutex channel
goroutine scheduler kernel syscall buffer stream batch pipeline backpressure retry timeout
deadline context tracing metrics logging alert oncall incident postmortem rollout canary
feature flag migration schema backup restore latency budget error budget SLO SLA capacity
autoscaling container pod node cluster region zone failover chaos resilience idempotent
monotonic clock skew vector hash ring gossip membership heartbeat lease fencing token
compaction tombstone bloom filter merge tree journal checkpoint café naïve résumé déjà vu`)

var speakers = strings.Fields("Ada Grace Linus Barbara Ken Rob Russ Rich Bret Gary Joe Kelsey Liz Bryan Katie Julia")

// talkText writes one talk of about points points in the shape real notes
// have: a title, a speaker line, sections of short lists, a longer list,
// definitions and a question.
func talkText(b *strings.Builder, rng *rand.Rand, id, points int) {
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(w, " ")
	}
	fmt.Fprintf(b, "# Talk %d: %s\n\nSpeaker: %s %s\n\n", id, words(3), speakers[rng.IntN(len(speakers))], speakers[rng.IntN(len(speakers))])
	sec := 0
	for points > 0 {
		sec++
		fmt.Fprintf(b, "## Part %d %s\n\n", sec, words(2))
		switch n := min(points, 2+rng.IntN(7)); {
		case rng.IntN(6) == 0 && n >= 2:
			for i := range n {
				fmt.Fprintf(b, "%s %d: %s\n\n", strings.ToUpper(words(1)[:1])+words(1)[1:], i, words(4+rng.IntN(6)))
			}
			points -= n
		case rng.IntN(8) == 0:
			fmt.Fprintf(b, "### Why %s %d?\n\n%s.\n\n", words(2), sec, words(8))
			points--
		default:
			for i := range n {
				line := words(3 + rng.IntN(7))
				if rng.IntN(5) == 0 {
					line += " **" + words(1) + "**"
				}
				fmt.Fprintf(b, "- %s %d.%d\n", line, sec, i)
				if rng.IntN(12) == 0 {
					fmt.Fprintf(b, "  - %s\n  - %s\n", words(3), words(3))
				}
			}
			b.WriteString("\n")
			points -= n
		}
	}
}

func newRand(seed uint64, i int) *rand.Rand { return rand.New(rand.NewPCG(seed, uint64(i)+1<<32)) }
