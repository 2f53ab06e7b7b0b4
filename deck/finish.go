package deck

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
)

// finish puts the cards in their final form: reserved slots replaced,
// IDs set and unique, no two cards with the same prompt and different
// answers under one heading, Seq in note order.
func (g *gen) finish() []Card {
	repl := make(map[int][]Card, len(g.pending))
	for _, p := range g.pending {
		repl[p.at] = p.cards
	}
	all := make([]Card, 0, len(g.cards))
	for i, c := range g.cards {
		if r, ok := repl[i]; ok {
			all = append(all, r...)
			continue
		}
		if c.Prompt == "" || c.Answer == "" {
			continue
		}
		all = append(all, c)
	}

	// The same prompt under the same heading with another answer would be
	// unanswerable: say which mention it is.
	for i, n := range mentions(all) {
		if n > 1 {
			all[i].Prompt += fmt.Sprintf(" (mention %d)", n)
		}
	}

	out := all[:0]
	ids := make(map[string]int, len(all))
	next := map[string]int{} // key -> next "#n" to try
	var place []byte         // idPlace of the heading of the card before
	var placeTalk string
	var placePath []string
	for i, c := range all { // out overwrites all as it goes: only c is read
		if i == 0 || c.Talk != placeTalk || !slices.Equal(c.Path, placePath) {
			place, placeTalk, placePath = idPlace(place[:0], c.Talk, c.Path), c.Talk, c.Path
		}
		c.ID = idOfNormal(place, c.Kind, c.Key) // see add
		if j, ok := ids[c.ID]; ok {
			o := out[j]
			if o.Prompt == c.Prompt && o.Answer == c.Answer {
				continue // the same point noted twice
			}
			base := c.Key
			for n := max(2, next[base]); ; n++ {
				k := fmt.Sprintf("%s\n#%d", base, n)
				id := idOf(place, c.Kind, k)
				if _, taken := ids[id]; !taken {
					c.Key, c.ID = k, id
					next[base] = n + 1
					break
				}
			}
		}
		ids[c.ID] = len(out)
		out = append(out, c)
	}
	for i := range out {
		out[i].Seq = i
	}
	return out
}

// mentions numbers each card among the cards under its heading with the
// same prompt, each answer a mention, by their normal forms: the first
// answer is mention 1, the next different one 2, and so on.
//
// Cards are told apart by 64-bit hashes of their normal forms, which are
// never kept; two cards whose hashes match are compared whole, and should
// two different ones ever share a hash, mentionsByText numbers all again.
func mentions(all []Card) []int {
	nums := make([]int, len(all))
	type hashes struct{ prompt, answer uint64 }
	answers := make(map[uint64]int, len(all))  // path+prompt -> answers seen
	mentions := make(map[hashes]int, len(all)) // -> the first card of it
	firsts := make(map[uint64]int, len(all))   // path+prompt -> its first card
	seed := maphash.MakeSeed()
	var lastPath []string
	pathKey := ""
	var prompt, answer, otherPrompt, otherAnswer []byte
	for i := range all {
		if !slices.Equal(all[i].Path, lastPath) || i == 0 {
			lastPath, pathKey = all[i].Path, strings.Join(all[i].Path, "\x00")+"\x00"
		}
		prompt = appendNormal(append(prompt[:0], pathKey...), all[i].Prompt)
		answer = appendNormal(answer[:0], all[i].Answer)
		h := hashes{maphash.Bytes(seed, prompt), maphash.Bytes(seed, answer)}
		// same reports whether card j has the path+prompt of card i (its
		// path the same, so its pathKey too), and its answer when
		// withAnswer.
		same := func(j int, withAnswer bool) bool {
			otherPrompt = appendNormal(append(otherPrompt[:0], pathKey...), all[j].Prompt)
			if !slices.Equal(all[j].Path, all[i].Path) || !bytes.Equal(otherPrompt, prompt) {
				return false
			}
			otherAnswer = appendNormal(otherAnswer[:0], all[j].Answer)
			return !withAnswer || bytes.Equal(otherAnswer, answer)
		}
		if j, ok := mentions[h]; ok {
			if !same(j, true) {
				return mentionsByText(all)
			}
			nums[i] = nums[j]
			continue
		}
		if j, ok := firsts[h.prompt]; !ok {
			firsts[h.prompt] = i
		} else if !same(j, false) {
			return mentionsByText(all)
		}
		answers[h.prompt]++
		nums[i] = answers[h.prompt]
		mentions[h] = i
	}
	return nums
}

// mentionsByText is mentions keyed by the normal forms themselves.
func mentionsByText(all []Card) []int {
	nums := make([]int, len(all))
	type mention struct{ prompt, answer string } // path+prompt, answer
	answers := make(map[string]int, len(all))    // path+prompt -> answers seen
	mentions := make(map[mention]int, len(all))  // -> its mention number
	var lastPath []string
	pathKey := ""
	for i := range all {
		if !slices.Equal(all[i].Path, lastPath) || i == 0 {
			lastPath, pathKey = all[i].Path, strings.Join(all[i].Path, "\x00")+"\x00"
		}
		m := mention{pathKey + Normalize(all[i].Prompt), Normalize(all[i].Answer)}
		n, ok := mentions[m]
		if !ok {
			n = answers[m.prompt] + 1
			answers[m.prompt] = n
			mentions[m] = n
		}
		nums[i] = n
	}
	return nums
}
