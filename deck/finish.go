package deck

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
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
	for i, n := range mentions(all, &g.scratch.mentions) {
		if n > 1 {
			all[i].Prompt += fmt.Sprintf(" (mention %d)", n)
		}
	}

	// Cards are told apart by their IDs' hashes, as numbers: equal exactly
	// when the IDs are. The IDs are written out at the end, all in one
	// string.
	out := all[:0]
	if g.scratch.ids == nil || len(g.scratch.ids) > maxKeptMap {
		g.scratch.ids = make(map[uint64]int, len(all))
	}
	ids := g.scratch.ids
	clear(ids)
	sums := g.scratch.sums[:0] // the ID of each card of out
	next := map[string]int{}   // key -> next "#n" to try
	var place []byte           // idPlace of the heading of the card before
	var placeTalk string
	var placePath []string
	for i, c := range all { // out overwrites all as it goes: only c is read
		if i == 0 || c.Talk != placeTalk || !slices.Equal(c.Path, placePath) {
			place, placeTalk, placePath = idPlace(place[:0], c.Talk, c.Path), c.Talk, c.Path
		}
		sum := idSumOfNormal(place, c.Kind, c.Key) // see add
		if j, ok := ids[sum]; ok {
			o := out[j]
			if o.Prompt == c.Prompt && o.Answer == c.Answer {
				continue // the same point noted twice
			}
			base := c.Key
			for n := max(2, next[base]); ; n++ {
				k := fmt.Sprintf("%s\n#%d", base, n)
				s := idSum(place, c.Kind, k)
				if _, taken := ids[s]; !taken {
					c.Key, sum = k, s
					next[base] = n + 1
					break
				}
			}
		}
		ids[sum] = len(out)
		out = append(out, c)
		sums = append(sums, sum)
	}
	g.scratch.sums = sums
	text := idTexts(sums)
	for i := range out {
		out[i].ID = text[i*idLen : (i+1)*idLen]
		out[i].Seq = i
	}
	return out
}

// mentions numbers each card among the cards under its heading with the
// same prompt, each answer a mention, by their normal forms: the first
// answer is mention 1, the next different one 2, and so on.
//
// Nearly every prompt is said once under its heading, and is mention 1.
// Only the cards whose heading and prompt share a fingerprint (see
// normalPrint) with another card's can be more, and only those are
// normalised and numbered, by mentionsAmong. bufs may be nil.
func mentions(all []Card, bufs *mentionBufs) []int {
	if bufs == nil {
		bufs = &mentionBufs{}
	}
	if bufs.count == nil || len(bufs.count) > maxKeptMap {
		bufs.count = make(map[uint64]int, len(all))
	}
	count := bufs.count
	clear(count)
	prints := bufs.prints[:0]
	var lastPath []string
	var pathPrint uint64
	for i := range all {
		if !slices.Equal(all[i].Path, lastPath) || i == 0 {
			lastPath, pathPrint = all[i].Path, printPath(all[i].Path)
		}
		p := normalPrint(pathPrint, all[i].Prompt)
		prints = append(prints, p)
		count[p]++
	}
	bufs.prints = prints
	nums := make([]int, len(all))
	var alike []int
	for i, p := range prints {
		if count[p] > 1 {
			alike = append(alike, i)
		}
		nums[i] = 1
	}
	if len(alike) > 0 {
		mentionsAmong(all, alike, nums)
	}
	return nums
}

// mentionBufs are the table and slice mentions works in, kept from one
// talk to the next.
type mentionBufs struct {
	count  map[uint64]int // cards by fingerprint
	prints []uint64       // the fingerprint of each card
}

// printPath is the start of the fingerprint of a prompt under path: the
// path as mentions compares it, byte for byte.
func printPath(path []string) uint64 {
	h := uint64(printOffset)
	for _, p := range path {
		for i := 0; i < len(p); i++ {
			h = (h ^ uint64(p[i])) * printPrime
		}
		h = (h ^ 0x100) * printPrime // no byte: ends an element
	}
	return h
}

// normalPrint continues fingerprint h with the runes of the normal form of
// s (see Normalize) but its spaces, read from s itself: its ASCII bytes
// lowercased, white space skipped, any other rune as normalizer writes it.
// So texts of one normal form share a fingerprint: texts that share one
// need not have one normal form (nor one spacing), and are compared whole.
//
// ASCII is gathered eight bytes to a word and mixed in a word at a time:
// one multiplication for eight bytes.
func normalPrint(h uint64, s string) uint64 {
	var word uint64 // the ASCII bytes not yet mixed in, n of them
	n := 0
	ascii := func(c byte) {
		word = word<<8 | uint64(c)
		if n++; n == 8 {
			h = (h ^ word) * printPrime
			word, n = 0, 0
		}
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			if !isSpaceASCII(c) {
				ascii(lowerASCII(c))
			}
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch l := unicode.ToLower(r); {
		case unicode.IsSpace(l):
		case l < utf8.RuneSelf: // the Kelvin sign is a 'k' like any other
			ascii(byte(l))
		default:
			h = (h ^ word) * printPrime
			h = (h ^ uint64(l) ^ 1<<63) * printPrime
			word, n = 0, 0
		}
	}
	return (h ^ word) * printPrime
}

// The FNV-1a constants: a fingerprint need not be a strong hash, only a
// quick one that rarely puts two prompts together.
const (
	printOffset = 14695981039346656037
	printPrime  = 1099511628211
)

// mentionsAmong numbers the cards of all at indices alike (in order) as
// mentions does, into nums: it sees no other card, so alike must hold
// every card that may share a heading and prompt with one of them.
//
// Cards are told apart by 64-bit hashes of their normal forms, which are
// never kept; two cards whose hashes match are compared whole, and should
// two different ones ever share a hash, mentionsByText numbers all again.
func mentionsAmong(all []Card, alike []int, nums []int) {
	type hashes struct{ prompt, answer uint64 }
	answers := make(map[uint64]int, len(alike))  // path+prompt -> answers seen
	mentions := make(map[hashes]int, len(alike)) // -> the first card of it
	firsts := make(map[uint64]int, len(alike))   // path+prompt -> its first card
	seed := maphash.MakeSeed()
	var lastPath []string
	pathKey := ""
	var prompt, answer, otherPrompt, otherAnswer []byte
	for k, i := range alike {
		if !slices.Equal(all[i].Path, lastPath) || k == 0 {
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
				copy(nums, mentionsByText(all))
				return
			}
			nums[i] = nums[j]
			continue
		}
		if j, ok := firsts[h.prompt]; !ok {
			firsts[h.prompt] = i
		} else if !same(j, false) {
			copy(nums, mentionsByText(all))
			return
		}
		answers[h.prompt]++
		nums[i] = answers[h.prompt]
		mentions[h] = i
	}
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
