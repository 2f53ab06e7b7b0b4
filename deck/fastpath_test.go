package deck

import (
	"math/rand"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The regexps the hand-written finders of inlinescan.go stand for.
var (
	specCode     = regexp.MustCompile("`+[^`]+?`+")
	specStrong   = regexp.MustCompile(`\*\*[^*\s][^*]*?\*\*|__[^_\s][^_]*?__`)
	specEmph     = regexp.MustCompile(`(^|[^*\w])\*[^*\s][^*]*?\*|(^|[^_\w])_[^_\s][^_]*?_([^_\w]|$)`)
	specURL      = regexp.MustCompile(`<?\b(?:https?://|ftp://|www\.)[^\s<>]*[^\s<>.,;:!?)\]'"]>?`)
	specShort    = regexp.MustCompile(`:[a-z0-9_+-]{2,}:`)
	specEmoticon = regexp.MustCompile(`(?:[:;=8xX][-o^']?[)(\]\[DPpOo3/\\|*@$}{]+|\^[_.-]?\^|<3|[(][:;][-']?|:'\(|\\o/|¯\\_\(ツ\)_/¯)`)
)

// markupText makes a random text dense in the characters inline markup is
// made of, with multi-byte and invalid UTF-8 among them.
func markupText(r *rand.Rand) string {
	pieces := []string{"*", "**", "_", "__", "`", "``", ":", ";", "=", "8", "x", "X", "-", "o", "O", "^", "'", ")", "(", "]", "[",
		"D", "P", "p", "3", "/", "\\", "|", "@", "$", "}", "{", "<", ">", ".", ",", "!", "?", "\"", " ", " ", " ", "\t", "\n",
		"a", "b", "k", "s", "Q", "é", "ツ", "¯", "\xff", "\xc3", "K", "ſ", "http://", "https://", "ftp://", "www.", "ab", "joy",
		"<3", "\\o/", shrug, "_(", "word", "1", "0"}
	var b strings.Builder
	for n := r.Intn(24); n >= 0; n-- {
		b.WriteString(pieces[r.Intn(len(pieces))])
	}
	return b.String()
}

func asPairs(m [][]int) [][2]int {
	var out [][2]int
	for _, x := range m {
		out = append(out, [2]int{x[0], x[1]})
	}
	return out
}

func TestFindersMatchRegexps(t *testing.T) {
	finders := []struct {
		name string
		re   *regexp.Regexp
		find func([][2]int, string) [][2]int
	}{
		{"code", specCode, findCode},
		{"strong", specStrong, findStrong},
		{"emph", specEmph, findEmph},
		{"url", specURL, findURL},
		{"shortcode", specShort, findShortcode},
		{"emoticon", specEmoticon, findEmoticon},
	}
	r := rand.New(rand.NewSource(1))
	// 20,000 random strings per finder keep the suite fast under -race;
	// run with -count or a fuzz target for more.
	n := 20000
	for range n {
		s := markupText(r)
		for _, f := range finders {
			if want, got := asPairs(f.re.FindAllStringIndex(s, -1)), f.find(nil, s); !reflect.DeepEqual(want, got) {
				t.Fatalf("%s(%q) = %v, regexp %v", f.name, s, got, want)
			}
		}
		if want, got := specURL.FindString(s), firstURL(s); want != got {
			t.Fatalf("firstURL(%q) = %q, regexp %q", s, got, want)
		}
		if want, got := specURL.MatchString(s), hasURL(s); want != got {
			t.Fatalf("hasURL(%q) = %v, regexp %v", s, got, want)
		}
		if want, got := reLink.MatchString(s), hasLinkSyntax(s); want && !got {
			t.Fatalf("hasLinkSyntax(%q) = false, but reLink matches", s)
		}
	}
}

// specHide is hide as a case-insensitive regexp.
func specHide(s, hidden string) string {
	if hidden != plain(hidden) {
		s = strings.ReplaceAll(s, hidden, Blank)
	}
	p := plain(hidden)
	if p == "" {
		return s
	}
	re, err := regexp.Compile(`(?i)` + regexp.QuoteMeta(p))
	if err != nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[0] < last || !wordBoundary(s, m[0], m[1]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(Blank)
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

func TestHideMatchesRegexp(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	words := []string{"k", "K", "\u212a", "s", "S", "ſ", "ß", "ẞ", "é", "É", "ab", "AB", "aB", " ", "-", "**", "`", "\xff", "\ufffd", "σ", "ς", "Σ", "1", "a1", "[", "]", "(", ")", "x"}
	text := func(n int) string {
		var b strings.Builder
		for range r.Intn(n) + 1 {
			b.WriteString(words[r.Intn(len(words))])
		}
		return b.String()
	}
	// 20,000 random strings per finder keep the suite fast under -race;
	// run with -count or a fuzz target for more.
	n := 20000
	for range n {
		s, h := text(16), text(3)
		if want, got := specHide(s, h), hide(s, h); want != got {
			t.Fatalf("hide(%q, %q) = %q, regexp %q", s, h, got, want)
		}
	}
}

func TestTextFastPathsMatchGeneral(t *testing.T) {
	general := func(s string) (norm, fold string, words []string) {
		norm = strings.Join(strings.Fields(strings.ToLower(s)), " ")
		var b strings.Builder
		for _, r := range strings.ToLower(s) {
			if f, ok := foldTable[r]; ok {
				b.WriteString(f)
			} else if !unicode.Is(unicode.Mn, r) {
				b.WriteRune(r)
			}
		}
		fold = strings.Join(strings.Fields(b.String()), " ")
		words = strings.FieldsFunc(fold, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		return norm, fold, words
	}
	r := rand.New(rand.NewSource(3))
	pieces := []string{" ", "  ", "\t", "\n", "\v", "\f", "\r", "a", "B", "z", "Z", "0", "9", "-", "'", "_", "@", "[", "`", "{", "é", "\u00a0", "\u0085", "e\u0301", "\u0301", "ß", "Σ", "ς", "\xff", "\xe2\x82", "İ", "\u212a", "Ⅻ", "٣", "…", "“", "æ", "Æ", "Ł", "ǅ"}
	for range 100000 {
		var b strings.Builder
		for range r.Intn(12) {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		s := b.String()
		norm, fold, words := general(s)
		if got := Normalize(s); got != norm {
			t.Fatalf("Normalize(%q) = %q, want %q", s, got, norm)
		}
		// Texts of one normal form share a fingerprint: each has that of
		// the normal form itself.
		if got, want := normalPrint(printOffset, s), normalPrint(printOffset, norm); got != want {
			t.Fatalf("normalPrint(%q) = %x, of its normal form %q %x", s, got, norm, want)
		}
		if got := Fold(s); got != fold {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, fold)
		}
		if got := Words(s); !reflect.DeepEqual(got, words) {
			t.Fatalf("Words(%q) = %q, want %q", s, got, words)
		}
		if spans, ok := wordSpans(nil, s); ok {
			var got []string
			for _, sp := range spans {
				got = append(got, strings.ToLower(s[sp[0]:sp[1]]))
			}
			if len(got) != len(words) || len(words) > 0 && !reflect.DeepEqual(got, words) {
				t.Fatalf("wordSpans(%q) = %q, want %q", s, got, words)
			}
		}
	}
}

// answerable is hasContentWord of the prompt without its blank, however
// markup falls around the blank.
func TestAnswerableAsHasContentWord(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	leads := []string{"", "- ", "- …\n- ", " \n", "…", "-- ", "x", "8", "w", "h"}
	for range 50000 {
		a, b := markupText(r), markupText(r)
		if r.Intn(2) == 0 {
			a = leads[r.Intn(len(leads))] + a
		}
		if r.Intn(4) == 0 {
			a = leads[r.Intn(len(leads))]
		}
		prompt := a + Blank + b
		if strings.Count(prompt, Blank) != 1 {
			continue
		}
		if want, got := hasContentWord(strings.Replace(prompt, Blank, "", 1)), answerable(prompt); got != want {
			t.Fatalf("answerable(%q) = %v, want %v", prompt, got, want)
		}
	}
}

// mayLeak is false only where leakWords finds no leak.
func TestMayLeakAsLeakWords(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	words := []string{"a", "B", "cache", "Cache", "CACHE", "k", "\u212a", "é", "e\u0301", "ß", "ss", "“", "”", "…", "1", "a1", "x-y", "-", " ", "\n", "\n- ", "**", "`", ".", "\xff", "σ"}
	text := func(n int) string {
		var b strings.Builder
		for range r.Intn(n) + 1 {
			b.WriteString(words[r.Intn(len(words))])
			if r.Intn(2) == 0 {
				b.WriteByte(' ')
			}
		}
		return b.String()
	}
	for range 100000 {
		prompt, answer := text(16), text(4)
		_, leaked := leakWords(prompt, answer)
		if leaked && !mayLeak(prompt, answer) {
			t.Fatalf("mayLeak(%q, %q) = false, but %q leaks", prompt, answer, answer)
		}
	}
}

// A lowercase ASCII word is no name but at the start of a sentence.
func TestLowerWordIsNoName(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	pieces := []string{"a", "z", "0", "9", "-", "'", "_", "/", "@", "&", "+", "#", ".", "A", "Z", "é", "É", "ǅ", "\xff"}
	for range 50000 {
		var b strings.Builder
		for range r.Intn(8) + 1 {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		w := b.String()
		if lowerWordASCII(w) && nameShaped(token{kind: tokWord, text: w}, w) {
			t.Fatalf("nameShaped(%q) mid-sentence, but lowerWordASCII", w)
		}
	}
}

// trimApostrophe and hasSentencePunct are strings.Trim and ContainsAny.
func TestTrimApostropheAsTrim(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	pieces := []string{".", "'", "’", "-", "_", "/", "@", "&", "a", "Z", "é", "\xe2", "\x80", "\x99", "\xe2\x80", "\xff", " ", "“", "”", "\x9c", ",", "?", "\""}
	for range 50000 {
		var b strings.Builder
		for range r.Intn(8) {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		s := b.String()
		if want, got := strings.Trim(s, ".'’-_/@&"), trimApostrophe(s, ".'-_/@&"); got != want {
			t.Fatalf("trimApostrophe(%q) = %q, want %q", s, got, want)
		}
		if want, got := strings.Trim(s, ".'’"), trimApostrophe(s, ".'"); got != want {
			t.Fatalf("trimApostrophe(%q) = %q, want %q", s, got, want)
		}
		if want, got := strings.ContainsAny(s, ".,;!?()\"“”"), hasSentencePunct(s); got != want {
			t.Fatalf("hasSentencePunct(%q) = %v, want %v", s, got, want)
		}
	}
}

// bareURL and linkOnly skip reading the markup of a text with no web
// address or link syntax: as their loops, which find nothing to take out.
func TestBareURLWithoutSpans(t *testing.T) {
	slowBare := func(s string) bool {
		rest, found := s, false
		for _, x := range findInline(s) {
			switch x.kind {
			case inURL:
			case inLink:
				if label := plain(s[x.innerStart:x.innerEnd]); label != "" && firstURL(label) != label && !(mayBeDomain(label) && reDomain.MatchString(label)) {
					return false
				}
			default:
				continue
			}
			found = true
			rest = strings.Replace(rest, s[x.start:x.end], "", 1)
		}
		rest = strings.TrimSpace(strings.Trim(rest, bareURLTrim))
		return found && rest == "" || !found && mayBeDomain(rest) && reDomain.MatchString(rest)
	}
	slowLinkOnly := func(s string) bool {
		rest := s
		for _, x := range findInline(s) {
			if x.kind == inLink || x.kind == inURL {
				rest = strings.Replace(rest, s[x.start:x.end], "", 1)
			}
		}
		return rest != s && strings.TrimSpace(strings.Trim(rest, " ,;-–—|·")) == ""
	}
	r := rand.New(rand.NewSource(8))
	extra := []string{"example.com", "a.io/x", "x.org", "[l](u)", "](", "<", "> ", "·", "—"}
	for range 50000 {
		s := markupText(r)
		if r.Intn(3) == 0 {
			s += extra[r.Intn(len(extra))]
		}
		if want, got := slowBare(s), bareURL(s); got != want {
			t.Fatalf("bareURL(%q) = %v, want %v", s, got, want)
		}
		if want, got := slowLinkOnly(s), sharedMemos.linkOnly(s); got != want {
			t.Fatalf("linkOnly(%q) = %v, want %v", s, got, want)
		}
	}
}

// defSeparator reads a text once; the general code scans it per separator
// and keeps the earliest first match outside protected spans.
func TestDefSeparatorOnePass(t *testing.T) {
	general := func(s string, spans []inline) (int, string) {
		best, sep := -1, ""
		for _, cand := range definitionSeps {
			for from := 0; ; {
				i := strings.Index(s[from:], cand)
				if i < 0 {
					break
				}
				i += from
				from = i + 1
				at := i
				if cand[0] == ' ' {
					at = i + 1
				}
				if protectedAt(spans, at) {
					continue
				}
				if best < 0 || i < best {
					best, sep = i, cand
				}
				break
			}
		}
		return best, sep
	}
	r := rand.New(rand.NewSource(9))
	extra := []string{": ", " = ", " — ", " – ", " - ", " -> ", " => ", "=", ">", "—", "–", "`x: y`", "[a - b](c: d)", "http://a: b", ":-)", " -"}
	for range 50000 {
		var b strings.Builder
		for n := r.Intn(6); n >= 0; n-- {
			if r.Intn(2) == 0 {
				b.WriteString(markupText(r))
			} else {
				b.WriteString(extra[r.Intn(len(extra))])
			}
		}
		s := b.String()
		spans := findInline(s)
		wi, ws := general(s, spans)
		if gi, gs := defSeparator(s, spans); gi != wi || gs != ws {
			t.Fatalf("defSeparator(%q) = %d %q, want %d %q", s, gi, gs, wi, ws)
		}
	}
}

// caseASCII and appendLowerASCII stand for strings.ToLower on ASCII words.
func TestCaseASCIILowers(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	for range 50000 {
		s := markupText(r)
		ascii, upper := caseASCII(s)
		if ascii != isASCII(s) {
			t.Fatalf("caseASCII(%q) ascii = %v", s, ascii)
		}
		if !ascii {
			continue
		}
		want := strings.ToLower(s)
		if upper != (want != s) {
			t.Fatalf("caseASCII(%q) upper = %v", s, upper)
		}
		if got := string(appendLowerASCII(nil, s)); got != want {
			t.Fatalf("appendLowerASCII(%q) = %q, want %q", s, got, want)
		}
	}
}

// One hider blanks each of several lines as hide does line by line.
func TestHiderReused(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	m := newMemos(false)
	hiddens := []string{"word", "**ab**", "`x`", "joy", "é", "K", "ſ", "", "\xff", "a b", "k s"}
	for range 5000 {
		hidden := hiddens[r.Intn(len(hiddens))]
		if r.Intn(2) == 0 {
			hidden = markupText(r)
		}
		h := m.hiderOf(hidden)
		for range 4 {
			s := markupText(r) + hidden + markupText(r)
			if got, want := h.hide(s), hide(s, hidden); got != want {
				t.Fatalf("hider(%q).hide(%q) = %q, want %q", hidden, s, got, want)
			}
		}
	}
}
