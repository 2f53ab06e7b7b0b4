package deck

import (
	"fmt"
	"strings"
)

// finish puts the cards in their final form: reserved slots replaced,
// IDs set and unique, no two cards with the same prompt and different
// answers under one heading, Seq in note order.
func (g *gen) finish() []Card {
	repl := map[int][]Card{}
	for _, p := range g.pending {
		repl[p.at] = p.cards
	}
	var all []Card
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
	// mention numbers: path+prompt -> answer -> its mention number
	mentions := map[string]map[string]int{}
	for i := range all {
		k := strings.Join(all[i].Path, "\x00") + "\x00" + Normalize(all[i].Prompt)
		a := Normalize(all[i].Answer)
		seen := mentions[k]
		if seen == nil {
			seen = map[string]int{}
			mentions[k] = seen
		}
		n, ok := seen[a]
		if !ok {
			n = len(seen) + 1
			seen[a] = n
		}
		if n > 1 {
			all[i].Prompt += fmt.Sprintf(" (mention %d)", n)
		}
	}

	out := all[:0]
	ids := map[string]int{}
	next := map[string]int{} // key -> next "#n" to try
	for _, c := range all {
		c.ID = ID(c.Talk, c.Path, c.Kind, c.Key)
		if j, ok := ids[c.ID]; ok {
			o := out[j]
			if o.Prompt == c.Prompt && o.Answer == c.Answer {
				continue // the same point noted twice
			}
			base := c.Key
			for n := max(2, next[base]); ; n++ {
				k := fmt.Sprintf("%s\n#%d", base, n)
				id := ID(c.Talk, c.Path, c.Kind, k)
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
