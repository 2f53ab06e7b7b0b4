package deck

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/talkcards/talkcards/notes"
)

// Blank is what a cloze prompt shows in place of the hidden span.
const Blank = "[...]"

type tokKind int

const (
	tokWord tokKind = iota
	tokCode
	tokStrong
	tokURL
	tokEmoticon
)

// token is a word or an atomic piece of inline markup of a statement.
type token struct {
	kind       tokKind
	start, end int
	text       string
	first      bool // starts a sentence or a clause after ':'
	inParen    bool
	inBold     bool // a word inside a bold span, offered whole as tokStrong
}

// appendTokens appends the tokens of inline markdown s to dst: its words
// and atomic spans. Words inside bold text and link text are also returned
// as words; code, URLs and emoticons are single tokens.
func (m *memos) appendTokens(dst []token, s string) []token {
	m.eachToken(s, func(t token) bool { dst = append(dst, t); return true })
	return dst
}

// eachToken calls visit with each token of s, in order, as tokens lists
// them.
func (m *memos) eachToken(s string, visit func(token) bool) {
	eachTokenOf(s, m.scanInline(s), visit)
}

// eachTokenOf is eachToken with the inline spans of s given.
func eachTokenOf(s string, spans []inline, visit func(token) bool) {
	var at []int32 // nil: no spans
	if len(spans) > 0 {
		var buf [256]int32
		at = spanIndex(buf[:0], len(s), spans)
	}
	depth := 0
	first := true
	i := 0
	for i < len(s) {
		if at != nil && at[i] >= 0 {
			sp := spans[at[i]]
			switch sp.kind {
			case inCode:
				if !visit(token{kind: tokCode, start: sp.start, end: sp.end, text: s[sp.start:sp.end], first: first, inParen: depth > 0}) {
					return
				}
				first = false
				i = sp.end
				continue
			case inURL:
				if !visit(token{kind: tokURL, start: sp.start, end: sp.end, text: s[sp.start:sp.end], inParen: depth > 0}) {
					return
				}
				first = false
				i = sp.end
				continue
			case inEmoticon:
				if !visit(token{kind: tokEmoticon, start: sp.start, end: sp.end, text: s[sp.start:sp.end]}) {
					return
				}
				i = sp.end
				continue
			case inStrong:
				if i != sp.start {
					break
				}
				if !visit(token{kind: tokStrong, start: sp.start, end: sp.end, text: s[sp.start:sp.end], first: first, inParen: depth > 0}) {
					return
				}
			case inLink:
				if i < sp.innerStart {
					i = sp.innerStart
					continue
				}
				if i >= sp.innerEnd {
					i = sp.end
					continue
				}
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isWordRune(r):
			j := i + size
			for j < len(s) {
				if isAlnumASCII(s[j]) { // most bytes of a word: no decoding
					j++
					continue
				}
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) {
					j += n2
					continue
				}
				// joiners inside a token: my.sql, node.js, e-mail, CI/CD, don't
				if r2 != ' ' && strings.ContainsRune(".'’_-/@&", r2) && j+n2 < len(s) { // most words end at a space
					r3, _ := utf8.DecodeRuneInString(s[j+n2:])
					if isWordRune(r3) && !startsSpan(at, spans, j+n2) && (r2 != '/' || shortSides(s, i, j, j+n2)) {
						j += n2
						continue
					}
				}
				if r2 == '+' || r2 == '#' { // C++, C#
					for j < len(s) && (s[j] == '+' || s[j] == '#') {
						j++
					}
				}
				break
			}
			bold := at != nil && at[i] >= 0 && spans[at[i]].kind == inStrong
			if !visit(token{kind: tokWord, start: i, end: j, text: s[i:j], first: first, inParen: depth > 0, inBold: bold}) {
				return
			}
			first = false
			i = j
			continue
		case r == '(' || r == '[':
			depth++
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
		case r == '.' || r == '!' || r == '?' || r == ':' || r == ';' || r == '=' || r == '—' || r == '–':
			first = true
		}
		i += size
	}
}

// trimApostrophe is strings.Trim(s, ascii+"’"), for ASCII bytes ascii:
// strings.Trim decodes and looks up every rune of a cutset not all ASCII.
func trimApostrophe(s, ascii string) string {
	for len(s) > 0 {
		if strings.IndexByte(ascii, s[0]) >= 0 {
			s = s[1:]
		} else if strings.HasPrefix(s, "’") {
			s = s[len("’"):]
		} else {
			break
		}
	}
	for len(s) > 0 {
		if strings.IndexByte(ascii, s[len(s)-1]) >= 0 {
			s = s[:len(s)-1]
		} else if strings.HasSuffix(s, "’") {
			s = s[:len(s)-len("’")]
		} else {
			break
		}
	}
	return s
}

// shortSides allows "CI/CD" and "prod/dev" as one token but keeps
// "projects/budgets" apart.
func shortSides(s string, start, slash, after int) bool {
	end := after
	for end < len(s) {
		r, n := utf8.DecodeRuneInString(s[end:])
		if !isWordRune(r) {
			break
		}
		end += n
	}
	return slash-start <= 4 && end-after <= 4
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf { // most runes: skip the Unicode tables
		return isAlnumASCII(byte(r))
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func startsSpan(at []int32, spans []inline, i int) bool {
	return at != nil && at[i] >= 0 && spans[at[i]].start == i
}

// candidate is a span of a statement that a cloze may hide.
type candidate struct {
	start, end int
	text       string
	score      int // for plain words: how informative (see wordScore)
	group      candidateGroup
}

// candidateGroup is where a candidate comes in the order candidates gives.
type candidateGroup uint8

const (
	groupSpan   candidateGroup = iota // bold and code
	groupNumber                       // "5m", "two"
	groupName                         // proper nouns and technical tokens
	groupWord                         // content words, by score
	groupLate                         // in parentheses, or said by the breadcrumb
)

// candidateBuffers are the slices candidates works in, kept by a generator
// so that the clozes of a talk reuse them rather than grow new ones each:
// what candidates returns is valid until it is called again.
type candidateBuffers struct {
	toks      []token
	found     []candidate // in statement order, each tagged with its group
	ordered   []candidate // what candidates returns
	reordered []candidate // what commonLast returns when it reorders
}

// candidates lists what a cloze of s may hide, best first: bold and code
// spans, numbers, proper nouns and technical tokens, then content words
// (longest first, main clause before parentheses). Words also found in
// avoid (the breadcrumb) come last: the UI would show them anyway.
func candidates(s string, avoid, names map[string]bool) []candidate {
	var bufs candidateBuffers
	return bufs.candidates(sharedMemos, s, avoid, names)
}

// candidates is candidates in the buffers of b, asking the memo tables m.
func (b *candidateBuffers) candidates(m *memos, s string, avoid, names map[string]bool) []candidate {
	toks := m.appendTokens(b.toks[:0], s)
	b.toks = toks
	found := b.found[:0]
	var buf [64]byte
	var lbuf [32]byte
	add := func(group candidateGroup, c candidate) {
		if len(avoid) > 0 && group != groupLate {
			r := wordReader{s: c.text}
			for w, ok := r.next(buf[:0]); ok; w, ok = r.next(w) {
				if avoid[string(w)] {
					group = groupLate
					break
				}
			}
		}
		c.group = group
		found = append(found, c)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokCode, tokStrong:
			add(groupSpan, candidate{start: t.start, end: t.end, text: t.text})
			continue
		case tokURL, tokEmoticon:
			continue
		}
		if insideSpan(t) {
			continue
		}
		w := trimApostrophe(t.text, ".'-_/@&") // the joiners a word token may hold
		if utf8.RuneCountInString(w) < 2 {
			continue
		}
		// w lowercased, made once for the tests below: w has no '.' or
		// apostrophe at either end, so it is what isStopword would lower.
		// A capitalised ASCII word is lowered on the stack (see caseASCII).
		lw := w
		switch ascii, upper := caseASCII(w); {
		case !ascii || len(w) > len(lbuf):
			lw = strings.ToLower(w)
		case upper:
			lw = string(appendLowerASCII(lbuf[:0], w)) // lw does not outlive the loop
		}
		cls := classes[lw]
		switch {
		case isNumber(w, cls):
			add(groupNumber, candidate{start: t.start, end: t.end, text: t.text})
		case nameShaped(t, w) && !isStopwordOf(lw, cls) || t.first && names[w] && !isStopwordOf(lw, cls):
			// join a run of names: "Apache Solr", "Humble Leadership"
			end, j := t.end, i+1
			for j < len(toks) && toks[j].kind == tokWord && !insideSpan(toks[j]) &&
				s[end:toks[j].start] == " " && (isName(toks[j], toks[j].text) || names[toks[j].text]) {
				end = toks[j].end
				j++
			}
			start := t.start
			// "Root Cause Analysis": a capitalised first word joins the run
			if i > 0 && toks[i-1].kind == tokWord && toks[i-1].first && !isStopword(toks[i-1].text) &&
				s[toks[i-1].end:t.start] == " " && unicode.IsUpper([]rune(toks[i-1].text)[0]) {
				start = toks[i-1].start
			}
			add(groupName, candidate{start: start, end: end, text: s[start:end]})
			i = j - 1
		case !isStopwordOf(lw, cls) && utf8.RuneCountInString(w) >= 3:
			c := candidate{start: t.start, end: t.end, text: t.text, score: wordScore(toks, i, w, lw, cls)}
			if t.inParen {
				add(groupLate, c) // never looked up in avoid: late already
			} else {
				add(groupWord, c)
			}
		}
	}
	b.found = found
	// Group by group, each in statement order but the words.
	out := b.ordered[:0]
	words := 0
	for g := groupSpan; g <= groupLate; g++ {
		if g == groupWord {
			words = len(out)
		}
		for _, c := range found {
			if c.group == g {
				out = append(out, c)
			}
		}
		if g == groupWord {
			// Best score first; on a tie the later word wins, as English
			// puts the head of a phrase last ("take risks", "give feedback").
			slices.SortStableFunc(out[words:], func(a, b candidate) int {
				if a.score != b.score {
					return cmp.Compare(b.score, a.score)
				}
				return cmp.Compare(b.start, a.start)
			})
		}
	}
	b.ordered = out
	return out
}

// anyWords is the last resort of a statement made of vague words only:
// its longest words, stopwords or not.
func (m *memos) anyWords(s string) []candidate {
	var out []candidate
	m.eachToken(s, func(t token) bool {
		if t.kind == tokWord && utf8.RuneCountInString(t.text) >= 3 {
			out = append(out, candidate{start: t.start, end: t.end, text: t.text})
		}
		return true
	})
	sort.SliceStable(out, func(a, b int) bool { return len(out[a].text) > len(out[b].text) })
	return out
}

// insideSpan reports whether a word token lies inside a bold span already
// offered as a whole.
func insideSpan(t token) bool { return t.kind == tokWord && t.inBold }

var numberWords = map[string]bool{
	"two": true, "three": true, "four": true, "five": true, "six": true, "seven": true,
	"eight": true, "nine": true, "ten": true, "eleven": true, "twelve": true, "twenty": true,
	"thirty": true, "forty": true, "fifty": true, "hundred": true, "hundreds": true,
	"thousand": true, "thousands": true, "million": true, "millions": true, "billion": true,
	"billions": true, "dozen": true, "dozens": true, "half": true, "twice": true, "once": true,
	"dois": true, "duas": true, "três": true, "quatro": true, "cinco": true, "dez": true,
	"cem": true, "mil": true, "milhões": true,
}

// isNumber reports a word that is or holds a number; cls are the classes
// of w lowercased.
func isNumber(w string, cls wordClass) bool {
	for _, r := range w {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return cls&classNumber != 0
}

// isName spots proper nouns and technical tokens: capitalised words not at
// the start of a sentence, ALLCAPS, camelCase, dotted names like my.sql.
func isName(t token, w string) bool {
	// The costlier stopword test last: most words are lowercase.
	return nameShaped(t, w) && !isStopword(w)
}

// nameShaped is isName but for the stopword test.
func nameShaped(t token, w string) bool {
	upper, lower, inner, n := 0, 0, false, 0
	var first, prev rune
	for _, c := range w {
		if n == 0 {
			first = c
		}
		switch {
		case unicode.IsUpper(c):
			upper++
			if n > 0 && unicode.IsLower(prev) {
				inner = true // camelCase, iTunes
			}
		case unicode.IsLower(c):
			lower++
		}
		prev = c
		n++
	}
	return inner || // camelCase
		upper >= 2 && lower == 0 || // SQL
		strings.ContainsAny(w, ".") && n > 3 || // node.js
		n > 0 && unicode.IsUpper(first) && !t.first // Erlang mid-sentence
}

// lowerWordASCII reports a word of lowercase ASCII letters, digits and
// joiners but '.': as most are. nameShaped finds no such word a name but
// at the start of a sentence: each of its tests wants a capital or a '.'.
func lowerWordASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || c == '.' {
			return false
		}
	}
	return true
}

// talkNames collects the words written capitalised in the middle of a
// sentence somewhere in the talk: "Erlang" at the start of a point is then
// known to be a name too.
func (m *memos) talkNames(t *notes.Talk) map[string]bool {
	names := map[string]bool{}
	see := func(s string) {
		// Nearly every text read here is asked its contentWords later: the
		// count is made in the same pass (as countContentWords makes it)
		// and kept in the memo, rather than reading the text again.
		words := 0
		m.eachToken(s, func(tok token) bool {
			if tok.kind != tokEmoticon {
				words++
			}
			if tok.kind == tokWord && !tok.first && !lowerWordASCII(tok.text) && isName(tok, tok.text) {
				names[tok.text] = true
			}
			return true
		})
		m.wordsOf.put(s, words)
	}
	var points func(pts []*notes.Point)
	points = func(pts []*notes.Point) {
		for _, p := range pts {
			see(p.Text)
			for _, m := range p.More {
				see(m.Text)
			}
			points(p.Children)
		}
	}
	body := func(blocks []notes.Block) {
		for _, b := range blocks {
			for _, l := range b.Lines {
				see(l.Text)
			}
			if b.Intro != nil {
				see(b.Intro.Text)
			}
			points(b.Points)
		}
	}
	var section func(s *notes.Section)
	section = func(s *notes.Section) {
		see(s.Title)
		body(s.Body)
		for _, sub := range s.Sub {
			section(sub)
		}
	}
	see(t.Title)
	body(t.Body)
	for _, s := range t.Sub {
		section(s)
	}
	return names
}

// hide blanks every occurrence of the hidden text in s: its exact markup
// and, case-insensitively, its words as a whole-word phrase.
func hide(s, hidden string) string { return sharedMemos.hide(s, hidden) }

func (m *memos) hide(s, hidden string) string { return m.hiderOf(hidden).hide(s) }

// hider blanks one hidden text in the lines of a prompt. What it needs of
// the hidden text (its plain form, a memo lookup, and whether that is valid
// UTF-8) depends on the text alone, so it is found once for all the lines,
// not once a line.
type hider struct {
	hidden, plain string
	valid         bool // plain is valid UTF-8
	skip          bool // plain starts with an ASCII byte that folds only to ASCII bytes
}

func (m *memos) hiderOf(hidden string) hider {
	p := m.plain(hidden)
	h := hider{hidden: hidden, plain: p, valid: utf8.ValidString(p)}
	h.skip = p != "" && p[0] < utf8.RuneSelf && asciiFoldOnly(rune(p[0]))
	return h
}

// hide is hide(s, h.hidden).
func (h hider) hide(s string) string {
	p := h.plain
	if h.hidden != p { // markup: **x**, `x`
		s = strings.ReplaceAll(s, h.hidden, Blank)
	}
	if p == "" {
		return s
	}
	if !h.valid {
		return s // as regexp.Compile would refuse it
	}
	// Where p starts with an ASCII byte that folds only to ASCII bytes, a
	// match can start only at such a byte of s: skip to the next one.
	first, skip := p[0], h.skip
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if skip {
			k := indexFoldByte(s[i:], first)
			if k < 0 {
				break
			}
			i += k
		}
		e := foldMatchAt(s, i, p)
		if e < 0 {
			_, w := runeAt(s, i)
			i += w
			continue
		}
		if i >= last && wordBoundary(s, i, e) {
			b.WriteString(s[last:i])
			b.WriteString(Blank)
			last = e
		}
		i = e
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// foldMatchAt matches p at s[i:] the way the regexp (?i)p would (each rune
// against its simple case-folding orbit) and returns the end of the match,
// or -1.
func foldMatchAt(s string, i int, p string) int {
	for _, pr := range p {
		if i >= len(s) {
			return -1
		}
		r, w := runeAt(s, i)
		if r != pr && !sameFold(r, pr) {
			return -1
		}
		i += w
	}
	return i
}

// asciiFoldOnly reports whether every rune of the case-folding orbit of
// ASCII r is ASCII (not so for 'k', 's': the Kelvin sign, the long s).
func asciiFoldOnly(r rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// indexFoldByte is the index of the first byte of s that sameFold matches
// to ASCII c (c itself, or its other case for a letter), or -1.
func indexFoldByte(s string, c byte) int {
	lc := c | 0x20
	if lc < 'a' || lc > 'z' {
		return strings.IndexByte(s, c)
	}
	for i := 0; i < len(s); i++ {
		if s[i]|0x20 == lc {
			return i
		}
	}
	return -1
}

func sameFold(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return a|0x20 == b|0x20 && a|0x20 >= 'a' && a|0x20 <= 'z'
	}
	for f := unicode.SimpleFold(b); f != b; f = unicode.SimpleFold(f) {
		if f == a {
			return true
		}
	}
	return false
}

func wordBoundary(s string, a, b int) bool {
	if a > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:a])
		first, _ := utf8.DecodeRuneInString(s[a:])
		if isWordRune(r) && isWordRune(first) {
			return false
		}
	}
	if b < len(s) {
		r, _ := utf8.DecodeRuneInString(s[b:])
		last, _ := utf8.DecodeLastRuneInString(s[:b])
		if isWordRune(r) && isWordRune(last) {
			return false
		}
	}
	return true
}

// stopwords are never hidden: English and Portuguese function words, plus
// words too vague to be worth remembering on their own.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a an the and or but nor not no yes so if then than that this these those there here
is are was were be been being am do does did done doing have has had having will would
shall should can could may might must to of in on at by for with from into onto about
as it its it's he she they them their his her we us our you your i me my mine who whom
whose which what when where why how all any both each few more most other some such
only own same too very just also still even ever again once out up down over under
off via per vs etc eg ie e.g i.e one ones lot lots thing things stuff way really much many
get gets got make makes made use used uses using like well good new bit kind sort
because while during before after above below between through against within without
let lets going go goes went being don't doesn't didn't isn't aren't can't cant dont
won't wasn't it's that's there's they're we're you're i'm i've we've
de do da dos das em no na nos nas um uma uns umas para pra por pelo pela pelos pelas
com sem que se os as o e é ao aos à às ou mas mais menos muito muita muitos muitas
ser são foi era está estão tem têm ter fazem faz fazer como quando onde qual quais
seu sua seus suas ele ela eles elas isso isto esse essa este esta aquele aquela
here's what's who's let's how's where's
nao não sim já também só entre sobre até depois antes
around across along toward towards upon onto among pretty quite rather already always
never often sometimes usually longer actually basically probably maybe perhaps something
anything nothing someone anyone everyone everybody somebody able need needs want wants
wanted lot lots tons better best worse worst great nice cool awesome thing's said says say
talk talks talked talking speaker slide slides
`) {
		m[w] = true
	}
	return m
}()

func isStopword(w string) bool {
	return isLowerStopword(strings.ToLower(trimApostrophe(w, ".'")))
}

// isLowerStopword is isStopword of a word already trimmed and lowercased.
func isLowerStopword(w string) bool { return isStopwordOf(w, classes[w]) }

// isStopwordOf is isLowerStopword of w, whose classes are cls.
func isStopwordOf(w string, cls wordClass) bool {
	if cls&classStop != 0 {
		return true
	}
	// strings.ContainsAny(w, "'’"), without decoding every rune
	if strings.IndexByte(w, '\'') < 0 && !strings.Contains(w, "’") {
		return false // every suffix below has an apostrophe
	}
	for _, suffix := range []string{"'s", "’s", "'re", "’re", "'ll", "’ll", "'ve", "’ve", "'d", "’d", "n't", "n’t"} {
		if base, ok := strings.CutSuffix(w, suffix); ok && stopwords[base] {
			return true
		}
	}
	return false
}

// clozeSpec is a statement to hide a span of, with what to show around it.
type clozeSpec struct {
	lead    string // intro, question heading or parent point
	target  string // the statement, inline markdown
	bullet  string // "- " when the target is a point of a list
	pos     notes.Pos
	marked  bool   // hide only a bold or code span
	keyText string // source text for the key when not target
}

// contextLines are the neighbouring points or sentences of a cloze's
// statement, ready to show. They are not in clozeSpec, whose strings end
// up in the card: escape analysis follows a struct argument as a whole, so
// there the lines' backing array (pointCloze's, on its stack) would move
// to the heap with them. Apart, the lines are only read.
type contextLines struct{ before, after []string }

// cloze adds a cloze card for s, trying candidates in order until one
// gives a usable card. It reports whether a card was added.
func (g *gen) cloze(sc scope, s clozeSpec, ctx contextLines) bool {
	disp := g.withoutURLs(s.target)
	avoid := g.breadcrumbWords(sc.path)
	hasContext := s.lead != "" || len(ctx.before)+len(ctx.after) > 0
	key := s.keyText
	if key == "" {
		key = s.target
	}
	lead := s.lead
	if g.bareURL(lead) {
		lead = ""
	}
	before, after := g.readable(ctx.before), g.readable(ctx.after)
	// The candidates in order; the later, costlier ones only when no
	// earlier one makes a card, which is rare.
	tryOne := func(c candidate) bool { return g.tryCloze(sc, s, c, disp, lead, before, after, key) }
	try := func(cands []candidate) bool {
		for _, c := range cands {
			if tryOne(c) {
				return true
			}
		}
		return false
	}
	whole := candidate{start: 0, end: len(disp), text: disp}
	switch {
	case s.marked:
		// The first bold or code span: what candidates puts first.
		var first candidate
		found := false
		g.eachToken(disp, func(t token) bool {
			if t.kind == tokCode || t.kind == tokStrong {
				first, found = candidate{start: t.start, end: t.end, text: t.text}, true
			}
			return !found
		})
		return found && tryOne(first)
	case g.contentWords(disp) <= 2 && hasContext:
		return tryOne(whole)
	}
	// Vary what is hidden: a word said all over this heading comes after
	// the others.
	if try(g.commonLast(g.cands.candidates(g.memos, disp, avoid, g.names))) {
		return true
	}
	if hasContext && tryOne(whole) {
		return true
	}
	return try(g.anyWords(disp))
}

// tryCloze adds the cloze card of s that hides candidate c of disp (the
// target without its URLs), if it makes a usable card.
func (g *gen) tryCloze(sc scope, s clozeSpec, c candidate, disp, lead string, before, after []string, key string) bool {
	hidden := strings.TrimSpace(c.text)
	if hidden == "" || g.contentWords(hidden) == 0 && !strings.HasPrefix(hidden, "`") || g.bareURL(hidden) {
		return false // never hide a web address
	}
	// One blank per prompt: a span said again in the statement or in
	// its lead would need a second blank, so another span is hidden;
	// a neighbour saying it is left out of the context instead.
	bulleted := s.bullet + disp[:c.start] + Blank + disp[c.end:]
	h := g.hiderOf(hidden)
	if shown := bulleted[len(s.bullet):]; h.hide(shown) != shown || lead != "" && h.hide(lead) != lead {
		return false
	}
	shown := bulleted
	// lines joins lead, the context lines and shown, one a line. A context
	// line that says the hidden span is left out, so that the prompt keeps
	// a single blank and gives nothing away. A "…" marker whose neighbour
	// goes stays: there is still more above or below.
	lines := func(lead string, before, after []string) string {
		n := len(lead) + len(shown)
		for _, l := range before {
			n += len(l) + 1
		}
		for _, l := range after {
			n += len(l) + 1
		}
		var b strings.Builder
		b.Grow(n + 1)
		line := func(l string) {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(l)
		}
		if lead != "" {
			line(lead)
		}
		for _, l := range before {
			if h.hide(l) == l {
				line(l)
			}
		}
		line(shown)
		for _, l := range after {
			if h.hide(l) == l {
				line(l)
			}
		}
		return b.String()
	}
	prompt := lines(lead, before, after)
	if runesOver(prompt, MaxPromptChars) {
		prompt = lines(lead, nil, nil)
	}
	if runesOver(prompt, MaxPromptChars) {
		prompt = window(shown, MaxPromptChars-10)
	}
	// What is left around the blank must be enough to answer from.
	if !usable(prompt, hidden) || strings.Count(prompt, Blank) != 1 || !answerable(prompt) {
		return false
	}
	g.add(sc, Cloze, prompt, hidden, s.pos, key, hidden)
	return true
}

// readable drops the context lines that are bare web addresses: they help
// nobody recall the statement.
func (m *memos) readable(lines []string) []string {
	for i, l := range lines {
		if m.bareURL(strings.TrimLeft(l, "- ")) {
			out := slices.Clip(lines[:i]) // appending must not write over lines
			for _, l := range lines[i+1:] {
				if !m.bareURL(strings.TrimLeft(l, "- ")) {
					out = append(out, l)
				}
			}
			return out
		}
	}
	return lines // all readable, as most are: no copy
}

// breadcrumbWords are the words of the talk title and of path, which the
// UI shows above every card: the words a cloze hides last. Kept for the
// heading being read, so its points share one set.
func (g *gen) breadcrumbWords(path []string) map[string]bool {
	if g.avoid != nil && slices.Equal(g.avoidPath, path) {
		return g.avoid
	}
	// The map of the heading before is no longer asked: refilled, not
	// made again.
	avoid := g.avoid
	if avoid == nil {
		avoid = map[string]bool{}
	}
	clear(avoid)
	for _, w := range Words(g.title) {
		avoid[w] = true
	}
	for _, p := range path {
		for _, w := range Words(p) {
			avoid[w] = true
		}
	}
	g.avoid, g.avoidPath = avoid, path
	return avoid
}

// commonLast moves the candidates that are a word common under this
// heading after the others, keeping the order within each group. What it
// returns, like what candidates returns, is valid until the next cloze.
func (g *gen) commonLast(cands []candidate) []candidate {
	common := make([]bool, len(cands))
	n := 0
	for i, c := range cands {
		if common[i] = g.isCommon(c.text); common[i] {
			n++
		}
	}
	if n == 0 || n == len(cands) {
		return cands
	}
	out := g.cands.reordered[:0]
	for i, c := range cands {
		if !common[i] {
			out = append(out, c)
		}
	}
	for i, c := range cands {
		if common[i] {
			out = append(out, c)
		}
	}
	g.cands.reordered = out
	return out
}

// isCommon reports whether s is one word, common under this heading.
func (g *gen) isCommon(s string) bool {
	if len(g.common) == 0 {
		return false
	}
	var buf [64]byte
	r := wordReader{s: s}
	w, ok := r.next(buf[:0])
	if !ok || !g.common[string(w)] {
		return false
	}
	_, more := r.next(w)
	return !more
}

// window cuts a very long statement down to about n runes around its blank.
func window(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	at := utf8.RuneCountInString(s[:strings.Index(s, Blank)])
	from := max(0, at-n/2)
	to := min(len(r), from+n)
	from = max(0, to-n)
	out := string(r[from:to])
	if from > 0 {
		out = "…" + out
	}
	if to < len(r) {
		out += "…"
	}
	return out
}
