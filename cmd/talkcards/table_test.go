package main

import (
	"math/rand/v2"
	"testing"

	"github.com/mattn/go-runewidth"
)

// TestPlainNarrowAsRunewidth: the fast width and truncation of a big
// table's cells give what runewidth gives, for every rune the fast path
// takes and strings of them, and leave the others to runewidth.
func TestPlainNarrowAsRunewidth(t *testing.T) {
	var narrow []rune
	for r := rune(0x20); r < 0x3000; r++ {
		if r < 0x7f || isNarrow(r) {
			narrow = append(narrow, r)
		}
	}
	var cases []string
	for _, r := range narrow {
		if r != ' ' {
			cases = append(cases, string(r), "a"+string(r)+"b")
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + rng.IntN(40)
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = narrow[rng.IntN(len(narrow))]
		}
		cases = append(cases, string(rs))
	}
	cases = append(cases, "Talk 0.1: container heartbeat failover — Bret Russ", "Programação concorrente — “Ana” …", "naïve café")
	fast := 0
	for _, s := range cases {
		w, ok := plainNarrow(s)
		if !ok {
			if oneLine(s) == s && s != "" && isNarrowText(s) {
				t.Errorf("%q: narrow runes, single spaces, yet not plainNarrow", s)
			}
			continue
		}
		fast++
		if oneLine(s) != s {
			t.Errorf("%q: plainNarrow, but oneLine makes it %q", s, oneLine(s))
		}
		if want := runewidth.StringWidth(s); w != want {
			t.Errorf("%q: width %d, runewidth %d", s, w, want)
		}
		for cut := 1; cut <= w+1; cut++ {
			if got, want := truncateCell(s, cut), runewidth.Truncate(s, cut, "…"); got != want {
				t.Errorf("%q cut to %d: %q, runewidth %q", s, cut, got, want)
			}
		}
	}
	if fast < len(cases)/2 {
		t.Fatalf("only %d of %d cases took the fast path", fast, len(cases))
	}
	// Wide, combining or East Asian: runewidth's to count.
	for _, s := range []string{"漢字", "e\u0301", "a\u200db", "🙂", "a\u00a0b", "soft\u00adhyphen", "a  b", " a", "tab\there"} {
		if _, ok := plainNarrow(s); ok {
			t.Errorf("%q took the fast path", s)
		}
	}
	old := runewidth.DefaultCondition.EastAsianWidth
	runewidth.DefaultCondition.EastAsianWidth = true
	defer func() { runewidth.DefaultCondition.EastAsianWidth = old }()
	if _, ok := plainNarrow("a — b"); ok {
		t.Error("with East Asian widths, an ambiguous dash took the fast path")
	}
	if w, ok := plainNarrow("plain ascii"); !ok || w != 11 {
		t.Errorf("with East Asian widths, plain ASCII: %d %v", w, ok)
	}
}

// isNarrowText: every rune printable ASCII or isNarrow.
func isNarrowText(s string) bool {
	for _, r := range s {
		if !(r >= 0x20 && r < 0x7f || isNarrow(r)) {
			return false
		}
	}
	return true
}
