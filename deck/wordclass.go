package deck

import (
	"strings"
	"unicode/utf8"
)

// Without a part-of-speech tagger, a cloze guesses which plain word of a
// statement is worth hiding from its shape and place: nouns, and the head
// of a phrase (the last word), carry what a person remembers; a verb or an
// adjective opening a note ("Favors people that take risks", "Deliberate
// focus on culture") rarely does. A capitalised first word is just a word:
// notes capitalise whatever comes first.

// vagueWords are common English verbs, adjectives and adverbs that say
// little on their own, wherever they stand.
var vagueWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
happen happens happened take takes took taken give gives gave given allow allows allowed
help helps helped provide provides provided work works worked start starts started keep
keeps kept show shows showed shown bring brings brought seem seems seemed become becomes
became try tries tried put puts come comes came see sees saw seen know knows knew find
finds found think thinks thought look looks looked call calls called move moves feel
feels tell tells told ask asks asked leave leaves left mean means meant turn turns
run runs ran set sets
easy easier easiest hard harder hardest simple simpler simplest different important
possible impossible whole several main certain similar specific general various entire
deliberate real true false little large larger small smaller big bigger huge fast faster
slow slower old older young newer full free last next first second own other
benefit benefits advantage advantages example examples time times part
parts idea ideas point points case cases problem problems issue issues
however therefore instead otherwise anyway meanwhile
`) {
		m[w] = true
	}
	return m
}()

// wordClass says which of the lists of words (stopwords, numberWords,
// vagueWords) a lowercase word is on.
type wordClass uint8

const (
	classStop wordClass = 1 << iota
	classNumber
	classVague
)

// classes are the lists of words in one map, so that a plain word of a
// cloze is looked up once for all three.
var classes = func() map[string]wordClass {
	m := map[string]wordClass{}
	for _, l := range []struct {
		words map[string]bool
		class wordClass
	}{{stopwords, classStop}, {numberWords, classNumber}, {vagueWords, classVague}} {
		for w, on := range l.words {
			if on {
				m[w] |= l.class
			}
		}
	}
	return m
}()

// determiners come before a noun: the word after one is a noun or the
// adjective of one.
var determiners = map[string]bool{
	"the": true, "a": true, "an": true, "our": true, "your": true, "their": true, "its": true,
	"his": true, "her": true, "my": true, "this": true, "that": true, "these": true, "those": true,
	"each": true, "every": true, "any": true, "all": true, "some": true,
	"o": true, "os": true, "um": true, "uma": true,
}

// verbish are words that, right after a sentence's first word, make that
// first word the subject (a noun) rather than a verb: "Containers are".
var verbish = map[string]bool{
	"is": true, "are": true, "was": true, "were": true, "has": true, "have": true, "had": true,
	"can": true, "will": true, "would": true, "should": true, "must": true, "may": true,
	"might": true, "do": true, "does": true, "did": true, "need": true, "needs": true,
}

// wordScore rates plain word i of toks for hiding: longer words are more
// specific (up to a point), vague verbs, adjectives and adverbs lose, a
// first word loses, more when shaped like a verb or adjective, and the last
// word and a word right after a determiner ("the team", "a startup") gain.
// l is w lowercased, cls its classes.
func wordScore(toks []token, i int, w, l string, cls wordClass) int {
	n := min(utf8.RuneCountInString(w), 9)
	if n == 3 {
		n-- // "law", "use": short words are rarely the point
	}
	if cls&classVague != 0 {
		n -= 4
	}
	// "fixing flaky tests" is a verb; "handles autoscaling" a noun
	gerund := strings.HasSuffix(l, "ing") && i+1 < len(toks) && toks[i+1].kind == tokWord && !toks[i+1].first
	switch {
	case strings.HasSuffix(l, "ly") || gerund:
		n -= 3
	case strings.HasSuffix(l, "ed") && len(l) > 4:
		n -= 2
	}
	if toks[i].first {
		n -= 3
		if verbFirst(toks, i, l) || adjectiveShaped(l) {
			n -= 3
		}
	}
	if last := i == len(toks)-1 || toks[i+1].kind == tokEmoticon; last && !toks[i].inParen {
		n++ // end focus: English puts the new information last
	}
	if i > 0 && toks[i-1].kind == tokWord {
		// Lowered on the stack when a capitalised ASCII word (see caseASCII).
		prev := toks[i-1].text
		var buf [32]byte
		switch ascii, upper := caseASCII(prev); {
		case !ascii || len(prev) > len(buf):
			prev = strings.ToLower(prev)
		case upper:
			prev = string(appendLowerASCII(buf[:0], prev))
		}
		switch {
		case determiners[prev] && utf8.RuneCountInString(w) >= 4:
			n += 2
		case prev == "like" || prev == "called" || prev == "named":
			n += 2 // "a tool like toxyproxy": the example is the point
		}
	}
	return n
}

// verbFirst reports a first word that reads as a verb in the third person,
// "Favors people", "Celebrates failure", "Builds trust": it ends in -s and
// is not followed by a verb of its own ("Containers are cheap").
func verbFirst(toks []token, i int, l string) bool {
	if !strings.HasSuffix(l, "s") || strings.HasSuffix(l, "ss") || strings.HasSuffix(l, "us") ||
		strings.HasSuffix(l, "is") || strings.HasSuffix(l, "ics") || utf8.RuneCountInString(l) < 4 {
		return false
	}
	if i+1 >= len(toks) || toks[i+1].kind != tokWord || toks[i+1].first {
		return false // "Fallbacks: …", a lone word
	}
	next := strings.ToLower(toks[i+1].text)
	return !verbish[next] && !strings.HasSuffix(next, "ed")
}

// adjectiveShaped reports the suffixes of English adjectives: "Radical",
// "incremental", "Massive", "Dangerous", "Scalable".
func adjectiveShaped(l string) bool {
	for _, suf := range []string{"al", "ive", "ous", "ful", "ible", "able", "less", "ant", "ent"} {
		if strings.HasSuffix(l, suf) && len(l) > len(suf)+3 && !strings.HasSuffix(l, "ment") {
			return true
		}
	}
	return false
}
