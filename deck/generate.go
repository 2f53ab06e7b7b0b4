package deck

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/talkcards/talkcards/notes"
)

// Generate turns one talk into cards, in note order. It is deterministic:
// the same outline always gives the same cards with the same IDs. Every point
// and statement of the talk is asked by at least one card, except questions
// with nothing under them (an audience question nobody answered).
func Generate(t *notes.Talk) []Card {
	if t == nil {
		return nil
	}
	// The generation's own memo tables: one goroutine runs it, so its
	// lookups need no lock (see memos).
	m := genMemos.Get().(*memos)
	defer genMemos.Put(m)
	// finish copies the cards out: the slice they are gathered in is
	// scratch, handed on to the next generation.
	s := scratches.Get().(*scratch)
	g := &gen{memos: m, scratch: s, talk: t, title: m.plain(t.Title), names: m.talkNames(t), cards: s.cards[:0]}
	g.meta()
	at := g.reserve()
	g.body(scope{talk: true}, t.Body)
	g.outline(at, nil, "", g.sections(nil, t.Sub), t.Pos)
	out := g.finish()
	s.done(g.cards)
	scratches.Put(s)
	return out
}

// scratch is what a generation works in and keeps nothing of: handed on
// to the next generation rather than made again for each talk.
type scratch struct {
	cards    []Card // gathered, before finish
	mentions mentionBufs
	ids      map[uint64]int // finish: ID sum -> card
	sums     []uint64       // finish: the ID sums of its cards
	// commonWords: each word's tally in words, the common ones, the
	// words of a text beyond ASCII
	wordAt map[string]int
	words  []wordCount
	common map[string]bool
	folded []string
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// done readies s for the next generation, its cards slice the one the
// cards were gathered in: it keeps no texts of this one alive.
func (s *scratch) done(cards []Card) {
	clear(cards)
	s.cards = cards[:0]
	clear(s.wordAt)
	clear(s.common)
}

// maxKeptMap is the size above which a scratch map is let go rather than
// cleared: clearing costs what the map once held, and one grown large for
// a long talk would cost that again for each small talk after it.
const maxKeptMap = 1 << 14

type gen struct {
	*memos  // this generation's, unshared
	scratch *scratch
	talk    *notes.Talk
	title   string
	names   map[string]bool // words the talk writes as names (see talkNames)
	// common are the words found in three or more statements under the
	// current heading ("WASM" in every sentence): hidden last, so clozes
	// vary. Counted, not remembered card by card, so that editing one point
	// never changes what another point's cloze hides.
	common map[string]bool
	// avoid are the breadcrumb words of avoidPath (see breadcrumbWords).
	avoid     map[string]bool
	avoidPath []string
	cards     []Card
	defs      []*defGroup // definitions of the body being read, merged by term
	// defTerms finds the group of defs by its folded term.
	defTerms map[string]*defGroup
	// pending replaces a reserved definition card by clozes when the
	// merged definition would not make a good card.
	pending []pendingCards

	cands candidateBuffers // scratch for the candidates of a cloze
	// shown are the context lines of the points of shownOf, the list
	// pointCloze last read, made as it needs them (see shownLine).
	shownOf     []*notes.Point
	shownBullet string
	shown       []string
	// lead is the leadLine of the list pointCloze last read.
	lead struct {
		set        bool
		kind       leadKind
		text, line string
	}
	normBuf    []byte    // scratch for card keys
	lastPos    notes.Pos // the position of the last source made
	lastSource string
}

// scope is the heading a body belongs to.
type scope struct {
	path    []string
	heading string // raw title; "" for the talk's own body
	talk    bool
}

// add appends a card whose key is the key parts joined by new lines.
func (g *gen) add(sc scope, kind Kind, prompt, answer string, pos notes.Pos, key ...string) {
	g.cards = append(g.cards, Card{
		Talk:   g.talk.Title,
		Path:   sc.path,
		Kind:   kind,
		Prompt: prompt,
		Answer: answer,
		Source: g.source(pos),
		Key:    g.normalKey(key...),
	})
}

// normalKey is Normalize of the key parts joined by new lines.
func (g *gen) normalKey(parts ...string) string {
	var k string
	k, g.normBuf = normalizeLines(g.normBuf, parts...)
	return k
}

// source is pos.String(), made once for the cards that share a position
// (the clozes of one point, say).
func (g *gen) source(pos notes.Pos) string {
	if pos != g.lastPos || g.lastSource == "" {
		g.lastPos, g.lastSource = pos, pos.String()
	}
	return g.lastSource
}

// fits reports whether an answer is within the limits of rule 3.
func fits(answer string) bool {
	return strings.Count(answer, "\n") < MaxAnswerLines && !runesOver(answer, MaxAnswerChars)
}

// runesOver reports whether s has more than n runes, counting them only
// when it has more than n bytes: most texts are well within the limits.
func runesOver(s string, n int) bool {
	return len(s) > n && utf8.RuneCountInString(s) > n
}

// usable is the last check before a card is added: nothing empty, nothing
// given away, nothing oversized.
func usable(prompt, answer string) bool {
	if strings.TrimSpace(prompt) == "" || strings.TrimSpace(answer) == "" || !fits(answer) {
		return false
	}
	if runesOver(prompt, MaxPromptChars) {
		return false
	}
	_, leaked := leak(prompt, answer)
	return !leaked
}

func bullets(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	n := 0
	for _, it := range items {
		n += len(it) + 3
	}
	var b strings.Builder
	b.Grow(n)
	for i, it := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- ")
		b.WriteString(it)
	}
	return b.String()
}

func (m *memos) quote(s string) string { return "“" + m.plain(s) + "”" }

// meta asks who gave the talk, where and when.
func (g *gen) meta() {
	m := g.talk.Meta
	sc := scope{talk: true}
	name := g.quote(g.talk.Title)
	ask := func(prompt, value, what string) {
		value = strings.TrimSpace(value)
		if value == "" || containsRun(Words(g.title), Words(value)) {
			return // "Loop Better by Trey Hunner" needs no speaker card
		}
		if usable(prompt, value) {
			g.add(sc, Speaker, prompt, value, g.talk.Pos, what+": "+value)
		}
	}
	ask("Who gave the talk "+name+"?", m.Speaker, "speaker")
	ask("At which event was "+name+" given?", m.Event, "event")
	ask("When was "+name+" given?", m.Date, "date")
}

var ordinals = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}

// reserve keeps a place in note order for a card made later (an outline,
// known only once its sections are read); finish drops it if unused.
func (g *gen) reserve() int {
	g.cards = append(g.cards, Card{})
	return len(g.cards) - 1
}

// sections reads the sections under a heading and returns those that gave
// at least one card: a placeholder heading ("(missed Mark's talk)"), an
// empty one or one holding only unanswered audience questions is not a
// part worth reciting.
func (g *gen) sections(parent []string, subs []*notes.Section) []*notes.Section {
	var out []*notes.Section
	for _, s := range subs {
		from, fromPending := len(g.cards), len(g.pending)
		g.section(parent, s)
		if g.produced(from, fromPending) {
			out = append(out, s)
		}
	}
	return out
}

// produced reports whether a card was made from g.cards[from:] on, or is
// pending in g.pending[fromPending:] (those before are for earlier places).
func (g *gen) produced(from, fromPending int) bool {
	for _, c := range g.cards[from:] {
		if c.Prompt != "" && c.Answer != "" {
			return true
		}
	}
	for _, p := range g.pending[fromPending:] {
		if p.at >= from && len(p.cards) > 0 {
			return true
		}
	}
	return false
}

// outline asks for the parts of a talk or section, in the place reserved
// at: up to five at once, else one card per position ("which part comes
// after X?").
func (g *gen) outline(at int, path []string, title string, subs []*notes.Section, pos notes.Pos) {
	var titles []string
	var subPos []notes.Pos
	for _, s := range subs {
		if g.contentWords(s.Title) > 0 {
			titles = append(titles, tidyQuestion(s.Title))
			subPos = append(subPos, s.Pos)
		}
	}
	if len(titles) < 2 {
		return
	}
	saved := g.cards
	// One card for all parts, or one a part: room made for what is likely.
	g.cards = make([]Card, 0, 1)
	if len(titles) > MaxAnswerLines {
		g.cards = make([]Card, 0, len(titles))
	}
	defer func() {
		g.pending = append(g.pending, pendingCards{at: at, cards: g.cards})
		g.cards = saved
	}()
	sc := scope{path: path, heading: title, talk: path == nil}
	of := "this talk"
	if path != nil {
		of = g.quote(title)
	}
	answer := bullets(titles)
	prompt := fmt.Sprintf("What are the %d parts of %s, in order?", len(titles), of)
	if len(titles) <= MaxAnswerLines && usable(prompt, answer) {
		g.add(sc, Outline, prompt, answer, pos, append([]string{title}, titles...)...)
		return
	}
	for i, t := range titles {
		var p string
		if i == 0 {
			p = fmt.Sprintf("What is the first of the %d parts of %s?", len(titles), of)
		} else {
			p = fmt.Sprintf("In %s, which part comes after %s?", of, g.quote(titles[i-1]))
		}
		if usable(p, t) {
			g.add(sc, Outline, p, t, subPos[i], "part", t)
		}
	}
}

func (g *gen) section(parent []string, s *notes.Section) {
	path := append(append([]string(nil), parent...), s.Title)
	at := g.reserve()
	g.body(scope{path: path, heading: s.Title}, s.Body)
	g.outline(at, path, s.Title, g.sections(path, s.Sub), s.Pos)
}

// body reads the blocks under one heading.
func (g *gen) body(sc scope, blocks []notes.Block) {
	g.defs, g.defTerms = nil, nil
	g.common = g.commonWords(blocks)
	defer g.flushDefs()

	// Prose of the whole body, so a cloze can show the statement before and
	// after it even across paragraphs.
	var prose []statement
	proseOf := make([][2]int, len(blocks))
	var nLists, nTables, nOther int
	for i, b := range blocks {
		switch b.Kind {
		case notes.Paragraph, notes.Quote:
			st := g.statements(b.Lines)
			proseOf[i] = [2]int{len(prose), len(prose) + len(st)}
			prose = append(prose, st...)
		case notes.List:
			nLists++
		case notes.Table:
			nTables++
		default:
			nOther++
		}
	}
	done := make([]bool, len(prose))

	// A first short line under the talk title is its subtitle.
	if sc.talk && len(blocks) > 0 && blocks[0].Kind == notes.Paragraph && proseOf[0][1]-proseOf[0][0] == 1 && !g.bareURL(prose[0].text) {
		s := prose[0]
		p := g.plain(s.text)
		if by, ok := g.byLine(s.text); ok && g.talk.Meta.Speaker == "" {
			// "By Jane Doe, Dev Rel @ Example": the speaker
			if prompt := "Who gave the talk " + g.quote(g.talk.Title) + "?"; usable(prompt, by) {
				g.add(sc, Speaker, prompt, by, s.pos, s.text)
				done[0] = true
			}
		} else if _, def := g.parseDefinition(s.text); !def && len(strings.Fields(p)) <= 12 && len(p) <= 90 &&
			!strings.HasSuffix(p, ".") && !g.isQuestion(p) && !g.isLabel(p) {
			if prompt := "What was this talk about?"; usable(prompt, s.text) {
				g.add(sc, QA, prompt, s.text, s.pos, s.text)
				done[0] = true
			}
		}
	}

	// Under a heading with nothing but prose: a question heading is answered
	// by the prose when it is short; a lone statement is asked as the
	// heading's content.
	if !sc.talk && nLists == 0 && nTables == 0 && len(prose) > 0 {
		var texts []string
		for _, s := range prose {
			texts = append(texts, s.text)
		}
		answer := bullets(texts)
		key := sc.heading + "\n" + strings.Join(texts, "\n")
		if g.isQuestion(sc.heading) && len(texts) <= MaxAnswerLines {
			if prompt := tidyQuestion(sc.heading) + count(len(texts)); usable(prompt, answer) {
				g.add(sc, QA, prompt, answer, prose[0].pos, key)
				return
			}
		}
		if len(prose) == 1 && utf8.RuneCountInString(prose[0].text) <= 200 && g.lonely(prose[0].text) && !g.linkOnly(prose[0].text) && !g.bareURL(prose[0].text) {
			prompt := "What was noted under " + g.quote(sc.heading) + "?"
			if usable(prompt, answer) {
				g.add(sc, Detail, prompt, answer, prose[0].pos, key)
				return
			}
		}
	}

	listNo := 0
	for i, b := range blocks {
		switch b.Kind {
		case notes.Paragraph, notes.Quote:
			g.prose(sc, prose, done, proseOf[i][0], proseOf[i][1])
		case notes.List:
			listNo++
			c := listCtx{sc: sc, kind: leadHeading, lead: sc.heading, pos: b.Pos}
			if sc.talk {
				c.kind = leadTalk
			}
			switch {
			case b.Intro != nil && g.contentWords(b.Intro.Text) > 0:
				c.kind, c.lead, c.pos = leadIntro, b.Intro.Text, b.Intro.Pos
			case i > 0 && proseOf[i-1][1] > proseOf[i-1][0] && g.isLabel(prose[proseOf[i-1][1]-1].text):
				// "Pros:" as a paragraph of its own, right before the list
				l := prose[proseOf[i-1][1]-1]
				c.kind, c.lead, c.pos = leadIntro, l.text, l.pos
			case nLists > 1:
				c.ordinal = listNo
			}
			g.list(c, b.Points)
		case notes.Table:
			g.table(sc, b)
		}
	}
}

// commonWords finds the words said in three or more texts of blocks (see
// gen.common). The map it returns is the generator's, cleared and reused
// from one heading to the next: it is valid until it is called again.
func (g *gen) commonWords(blocks []notes.Block) map[string]bool {
	if countTexts(blocks, 3) < 3 {
		return nil // no word can be in three texts
	}
	s := g.scratch
	// Clearing costs what the map once held: one grown large under a long
	// heading is let go rather than cleared for each small heading after.
	if s.wordAt == nil || len(s.wordAt) > 1024 {
		s.wordAt, s.common = map[string]int{}, map[string]bool{}
	}
	at, out := s.wordAt, s.common
	clear(at)
	clear(out)
	words := s.words[:0]
	text := 0 // the number of the text being read, from 1
	// tally counts words[k] for the text being read, once per text.
	tally := func(k int) {
		if c := &words[k]; c.last != text {
			c.texts, c.last = c.texts+1, text
		}
	}
	add := func(w string) { // a word new under this heading
		at[w] = len(words)
		words = append(words, wordCount{word: w, texts: 1, last: text})
	}
	count := func(w string) {
		if k, ok := at[w]; ok {
			tally(k)
		} else {
			add(w)
		}
	}
	var lower [64]byte
	see := func(t string) {
		text++
		if !isASCII(t) {
			ws := appendWords(s.folded[:0], t)
			for _, w := range ws {
				count(w)
			}
			clear(ws)
			s.folded = ws[:0]
			return
		}
		// The words of appendWordsASCII, read where they stand: a word
		// in lower case already is its own key, and only a word with a
		// capital is lowercased, on the stack, and copied when new.
		for i, j := wordASCII(t, 0); i < len(t); i, j = wordASCII(t, j) {
			w := t[i:j]
			_, upper := caseASCII(w)
			switch {
			case !upper:
				count(w)
			case len(w) > len(lower):
				count(strings.ToLower(w))
			default:
				lw := appendLowerASCII(lower[:0], w)
				if k, ok := at[string(lw)]; ok {
					tally(k)
				} else {
					add(string(lw))
				}
			}
		}
	}
	var points func(pts []*notes.Point)
	points = func(pts []*notes.Point) {
		for _, p := range pts {
			see(p.Text)
			points(p.Children)
		}
	}
	for _, b := range blocks {
		for _, l := range b.Lines {
			see(l.Text)
		}
		points(b.Points)
	}
	for _, c := range words {
		if c.texts >= 3 {
			out[c.word] = true
		}
	}
	clear(words) // keep no texts alive
	s.words = words[:0]
	return out
}

// wordCount is how many texts under a heading say a word (see
// commonWords).
type wordCount struct {
	word  string
	texts int
	last  int // the text that counted it last: each counts it once
}

// countTexts counts the texts commonWords reads in blocks, up to limit.
func countTexts(blocks []notes.Block, limit int) int {
	n := 0
	var points func(pts []*notes.Point)
	points = func(pts []*notes.Point) {
		for _, p := range pts {
			if n >= limit {
				return
			}
			n++
			points(p.Children)
		}
	}
	for _, b := range blocks {
		n += len(b.Lines)
		points(b.Points)
		if n >= limit {
			break
		}
	}
	return n
}

// byLine reads a "By Jane Doe" line under a talk title.
func (m *memos) byLine(s string) (string, bool) {
	for _, p := range []string{"By ", "by ", "Presented by ", "presented by "} {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s), p); ok && m.contentWords(rest) > 0 && len(rest) < 120 {
			return strings.TrimSpace(strings.Replace(rest, " ,", ",", -1)), true
		}
	}
	return "", false
}

// lonely reports a statement that is not asked by a card of its own kind
// (definition, question) and so may be asked as its heading's content.
func (m *memos) lonely(s string) bool {
	if _, ok := m.parseDefinition(s); ok {
		return false
	}
	if _, ok := questionLine(s); ok {
		return false
	}
	return !m.isQuestion(s)
}

func count(n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf(" (%d points)", n)
}

// prose asks the statements prose[from:to] of one paragraph or quote.
func (g *gen) prose(sc scope, prose []statement, done []bool, from, to int) {
	for i := from; i < to; i++ {
		if done[i] {
			continue
		}
		s := prose[i]
		text := s.text
		if g.bareURL(text) {
			continue // exempt, see bareURL
		}
		if g.linkOnly(text) {
			g.links(sc, prose, done, i)
			continue
		}
		if q, ok := questionLine(text); ok {
			// Q: ... followed by A: / A1: / A2: lines
			var answers []string
			j := i + 1
			for ; j < to; j++ {
				a, ok := answerLine(prose[j].text)
				if !ok {
					break
				}
				answers = append(answers, a)
			}
			if len(answers) > 0 {
				key := text
				for k := i + 1; k < j; k++ {
					key += "\n" + prose[k].text
					done[k] = true
				}
				if q == "" {
					q = "What was the question?"
				}
				g.qa(sc, tidyQuestion(q), answers, s.pos, key)
				continue
			}
			continue // an unanswered question
		}
		if f, b, ok := g.frontBack(text); ok {
			g.qa(sc, f, []string{b}, s.pos, text)
			continue
		}
		if g.isQuestion(text) {
			// A question answered by the lines after it in the same paragraph.
			var answers []string
			j := i + 1
			for ; j < to && j < i+1+3 && !g.isQuestion(prose[j].text); j++ {
				answers = append(answers, prose[j].text)
			}
			if len(answers) > 0 && fits(bullets(answers)) {
				if g.qa(sc, tidyQuestion(text), answers, s.pos, text+"\n"+strings.Join(answers, "\n")) {
					for k := i + 1; k < j; k++ {
						done[k] = true
					}
				}
			}
			continue // answered here or by nobody: exempt
		}
		if g.isLabel(text) {
			// "Pros:" followed by its items as lines of the same paragraph
			j := i + 1
			var pts []*notes.Point
			for ; j < to && !g.isLabel(prose[j].text); j++ {
				pts = append(pts, &notes.Point{Line: notes.Line{Text: prose[j].text, Pos: prose[j].pos}})
				done[j] = true
			}
			if len(pts) > 0 {
				g.list(listCtx{sc: sc, kind: leadIntro, lead: text, pos: s.pos, prose: true}, pts)
			}
			continue
		}
		if d, ok := g.parseDefinition(text); ok {
			g.addDef(sc, d, s.pos, text)
			if g.hasMarkSpan(text) {
				g.proseCloze(sc, prose, i, true)
			}
			continue
		}
		g.proseCloze(sc, prose, i, false)
	}
}

// proseCloze hides one span of prose statement i, with the statements
// before and after it as context.
func (g *gen) proseCloze(sc scope, prose []statement, i int, marked bool) {
	var before, after []string
	if i > 0 {
		before = []string{clip(g.withoutURLs(prose[i-1].text), 120)}
	}
	if i+1 < len(prose) {
		after = []string{clip(g.withoutURLs(prose[i+1].text), 120)}
	}
	lead := ""
	if g.isQuestion(sc.heading) {
		lead = tidyQuestion(sc.heading)
	}
	text := prose[i].text
	alone := lead == "" && before == nil && after == nil && !marked
	if alone && utf8.RuneCountInString(text) <= 200 && g.contentWords(text) <= 2 {
		// Nothing around it to make a cloze answerable: ask for it whole.
		if g.noted(sc, text, prose[i].pos) {
			return
		}
	}
	if !g.cloze(sc, clozeSpec{lead: lead, target: prose[i].text, pos: prose[i].pos, marked: marked}, contextLines{before, after}) &&
		alone && utf8.RuneCountInString(text) <= 200 {
		g.noted(sc, text, prose[i].pos)
	}
}

// noted asks for a statement whole: "What was noted under “Heading”?".
func (g *gen) noted(sc scope, text string, pos notes.Pos) bool {
	prompt := "What was noted about this talk?"
	if !sc.talk {
		prompt = "What was noted under " + g.quote(sc.heading) + "?"
	}
	if !usable(prompt, text) {
		return false
	}
	g.add(sc, Detail, prompt, text, pos, text)
	return true
}

// links asks for the labelled links of prose[i:] that follow each other,
// up to MaxAnswerLines at once: "Which 2 resources were linked under
// “Client API”?". A link's label says what it is; hiding a word of it would
// ask nothing worth remembering.
func (g *gen) links(sc scope, prose []statement, done []bool, i int) {
	var texts []string
	for j := i; j < len(prose) && len(texts) < MaxAnswerLines && !done[j] && g.linkOnly(prose[j].text) && !g.bareURL(prose[j].text); j++ {
		texts = append(texts, prose[j].text)
		done[j] = true
	}
	where := "in this talk"
	if !sc.talk {
		where = "under " + g.quote(sc.heading)
	}
	prompt := "Which resource was linked " + where + "?"
	if len(texts) > 1 {
		prompt = fmt.Sprintf("Which %d resources were linked %s?", len(texts), where)
	}
	answer := bullets(texts)
	if !usable(prompt, answer) {
		for _, t := range texts {
			if usable(prompt, t) {
				g.add(sc, Detail, prompt, t, prose[i].pos, t)
			}
		}
		return
	}
	g.add(sc, Detail, prompt, answer, prose[i].pos, strings.Join(texts, "\n"))
}

func (g *gen) qa(sc scope, q string, answers []string, pos notes.Pos, key string) bool {
	answer := bullets(answers)
	prompt := q + count(len(answers))
	if len(answers) > MaxAnswerLines || !usable(prompt, answer) {
		return false
	}
	g.add(sc, QA, prompt, answer, pos, key)
	return true
}

type leadKind int

const (
	leadTalk    leadKind = iota // points right under the talk title
	leadHeading                 // points under a heading
	leadIntro                   // points after a "Some cons:" line
	leadPoint                   // sub-points of a point
)

// listCtx says what a list of points hangs from.
type listCtx struct {
	sc      scope
	kind    leadKind
	lead    string // heading, intro or parent point text
	pos     notes.Pos
	ordinal int    // n-th of several lists under one heading
	parent  string // for sub-points: the point above the lead
	prose   bool   // the "points" are lines of a paragraph: no bullets
}

// answered reports whether a point is worth asking: it has words and is
// not a question left without an answer.
func (g *gen) answered(p *notes.Point) bool {
	if len(p.Children) == 0 && (g.contentWords(p.Text) == 0 || g.bareURL(p.Text)) {
		return false // no words, or only a web address (see bareURL)
	}
	if len(p.Children) == 0 && len(p.More) == 0 && (g.isQuestion(p.Text) || isQLine(p.Text)) {
		return false
	}
	return true
}

func isQLine(s string) bool {
	_, ok := questionLine(s)
	return ok
}

func (g *gen) list(c listCtx, points []*notes.Point) {
	var asked []*notes.Point
	for i := 0; i < len(points); i++ {
		p := points[i]
		// Q: / A: as sibling points
		if q, ok := questionLine(p.Text); ok && q != "" && len(p.Children) == 0 {
			var answers []string
			key := p.Text
			j := i + 1
			for ; j < len(points); j++ {
				a, ok := answerLine(points[j].Text)
				if !ok {
					break
				}
				answers = append(answers, a)
				key += "\n" + points[j].Text
			}
			if len(answers) > 0 && g.qa(c.sc, tidyQuestion(q), answers, p.Pos, key) {
				i = j - 1
				continue
			}
		}
		if g.answered(p) {
			asked = append(asked, p)
		}
	}
	if len(asked) == 0 {
		return
	}
	covered := false
	if n := len(asked); n >= 2 && n <= MaxAnswerLines || n == 1 && c.kind != leadTalk {
		covered = g.group(c, asked)
	}
	for i := range asked {
		g.point(c, asked, i, covered)
	}
}

// group asks for all the points of a short list at once.
func (g *gen) group(c listCtx, pts []*notes.Point) bool {
	var texts []string
	for _, p := range pts {
		texts = append(texts, p.Text)
	}
	n := len(pts)
	answer := bullets(texts)
	if !fits(answer) {
		return false
	}
	kind := List
	var prompt string
	things := "points"
	if pts[0].Ordered {
		things = "steps"
	}
	switch {
	case g.isQuestion(c.lead) && c.kind != leadTalk:
		kind = QA
		prompt = tidyQuestion(c.lead) + count(n)
	case c.kind == leadTalk:
		prompt = fmt.Sprintf("Name the %d %s noted about this talk.", n, things)
	case c.kind == leadHeading && n == 1:
		kind, prompt = Detail, "What was noted under "+g.quote(c.lead)+"?"
	case c.kind == leadHeading:
		which := ""
		if c.ordinal > 0 && c.ordinal <= len(ordinals) {
			which = " of the " + ordinals[c.ordinal-1] + " list"
		}
		prompt = fmt.Sprintf("Name the %d %s%s under %s.", n, things, which, g.quote(c.lead))
	case c.kind == leadIntro && n == 1:
		kind, prompt = Detail, g.plain(trimLabel(c.lead))+": what was noted?"
	case c.kind == leadIntro:
		prompt = fmt.Sprintf("%s — name all %d.", g.plain(trimLabel(c.lead)), n)
	case g.isLabel(c.lead): // a point "Depends on:" with sub-points
		kind = Detail
		if n == 1 {
			prompt = g.plain(trimLabel(c.lead)) + g.under(c) + ": what was noted?"
		} else {
			prompt = fmt.Sprintf("%s%s — name all %d.", g.plain(trimLabel(c.lead)), g.under(c), n)
		}
	default:
		kind = Detail
		prompt = "What was noted about " + g.quote(clip(c.lead, 120)) + g.under(c) + "?" + count(n)
	}
	if !usable(prompt, answer) {
		return false
	}
	pos := c.pos
	if c.kind == leadHeading || c.kind == leadTalk {
		pos = pts[0].Pos
	}
	g.add(c.sc, kind, prompt, answer, pos, append([]string{c.lead}, texts...)...)
	return true
}

// under names the parent of a short sub-point lead, which alone would not
// say enough ("Blame" under "Root Cause Analysis").
func (g *gen) under(c listCtx) string {
	if c.parent == "" || g.contentWords(c.lead) > 3 {
		return ""
	}
	return " (under " + g.quote(clip(g.plain(c.parent), 80)) + ")"
}

// point asks one point of a list beyond the group card: its definition, a
// cloze (when the group card does not cover it, or for bold/code), and its
// sub-points.
func (g *gen) point(c listCtx, pts []*notes.Point, i int, covered bool) {
	p := pts[i]
	text := p.Text
	kids := p.Children
	if len(p.More) > 0 {
		var more []*notes.Point
		for _, m := range p.More {
			for _, s := range g.statements([]notes.Line{m}) {
				more = append(more, &notes.Point{Line: notes.Line{Text: s.text, Pos: s.pos}})
			}
		}
		kids = append(more, kids...)
	}
	handled := covered
	if f, b, ok := g.frontBack(text); ok && g.qa(c.sc, f, []string{b}, p.Pos, text) {
		handled = true
	} else if d, ok := g.parseDefinition(text); ok && len(kids) == 0 {
		// With sub-points, "Term: the basics" is a heading, asked with them.
		g.addDef(c.sc, d, p.Pos, text)
		handled = true
	}
	if (g.isQuestion(text) || g.isLabel(text)) && len(kids) > 0 {
		handled = true // asked by the card of its sub-points, or their lead
	}
	if !handled || g.hasMarkSpan(text) {
		g.pointCloze(c, pts, i, handled)
	}
	if len(kids) > 0 {
		sub := listCtx{sc: c.sc, kind: leadPoint, lead: text, pos: p.Pos}
		if c.kind == leadPoint {
			sub.parent = c.lead
		}
		g.list(sub, kids)
	}
}

// linkOnly reports a statement that is nothing but links.
func (m *memos) linkOnly(s string) bool {
	if !mayHoldURL(s) && !hasLinkSyntax(s) {
		return false // no link to find: rest would be s
	}
	rest := s
	for _, x := range m.scanInline(s) {
		if x.kind == inLink || x.kind == inURL {
			rest = strings.Replace(rest, s[x.start:x.end], "", 1)
		}
	}
	return rest != s && strings.TrimSpace(strings.Trim(rest, " ,;-–—|·")) == ""
}

func (m *memos) hasMarkSpan(s string) bool {
	for _, x := range m.scanInline(s) {
		if x.kind == inStrong || x.kind == inCode {
			return true
		}
	}
	return false
}

// leadLine is the line a cloze shows above the points: the intro, a
// question heading or the parent point. A plain heading is already in the
// breadcrumb.
func (m *memos) leadLine(c listCtx) string {
	switch c.kind {
	case leadIntro:
		return clip(m.withoutURLs(c.lead), 160)
	case leadPoint:
		l := clip(m.withoutURLs(c.lead), 160)
		if !strings.HasSuffix(l, ":") && !strings.HasSuffix(l, "?") {
			l += ":"
		}
		return l
	case leadHeading:
		if m.isQuestion(c.lead) {
			return tidyQuestion(c.lead)
		}
	}
	return ""
}

// listLead is leadLine(c), made once for the points of a list.
func (g *gen) listLead(c listCtx) string {
	if !g.lead.set || g.lead.kind != c.kind || g.lead.text != c.lead {
		g.lead.set, g.lead.kind, g.lead.text, g.lead.line = true, c.kind, c.lead, g.leadLine(c)
	}
	return g.lead.line
}

// pointCloze hides a span of point i, showing the list's lead and the
// points around it. marked: only a bold or code span may be hidden (the
// point is already asked elsewhere).
func (g *gen) pointCloze(c listCtx, pts []*notes.Point, i int, marked bool) {
	bullet := "- "
	more := "- …" // bullet+"…", without making it again for every point
	if c.prose {
		bullet, more = "", "…"
	}
	// At most two lines either side, in one array: appending to before
	// copies it (its capacity is its length), and after is never appended to.
	var around [4]string
	before, after := around[:0:2], around[2:2:4]
	if i > 0 {
		if i > 1 {
			before = append(before, more)
		}
		before = append(before, g.shownLine(pts, i-1, bullet))
	}
	if i+1 < len(pts) {
		after = append(after, g.shownLine(pts, i+1, bullet))
		if i+2 < len(pts) {
			after = append(after, more)
		}
	}
	text := pts[i].Text
	var sents []sentence
	// A text of up to maxSentence bytes is one sentence: no need to ask.
	if !marked && len(strings.TrimSpace(text)) > maxSentence {
		sents = g.sentences(text)
	}
	if len(sents) <= 1 || marked {
		g.cloze(c.sc, clozeSpec{lead: g.listLead(c), target: text, bullet: bullet, pos: pts[i].Pos, marked: marked}, contextLines{before, after})
		return
	}
	// A long point of several sentences: one cloze per sentence, the
	// sentences around it as context.
	// The point reads as one item over several lines:
	//   - …the end of the sentence before.
	//     The sentence asked, with a [...].
	//     The start of the next…
	indent := strings.Repeat(" ", len(bullet))
	for k, s := range sents {
		b, a, lead := before, after, indent
		if k > 0 {
			b = append(append([]string(nil), before...), bullet+tailClip(g.withoutURLs(sents[k-1].text), 80))
		} else {
			lead = bullet
		}
		if k+1 < len(sents) {
			a = append([]string{indent + clip(g.withoutURLs(sents[k+1].text), 80)}, after...)
		}
		g.cloze(c.sc, clozeSpec{lead: g.listLead(c), target: s.text, bullet: lead, pos: pts[i].Pos, keyText: s.text}, contextLines{b, a})
	}
}

// shownLine is how pointCloze shows point k of pts as context: made once
// for the points of a list, each of which is shown by its neighbours.
func (g *gen) shownLine(pts []*notes.Point, k int, bullet string) string {
	if len(g.shownOf) != len(pts) || &g.shownOf[0] != &pts[0] || g.shownBullet != bullet {
		g.shownOf, g.shownBullet = pts, bullet
		g.shown = append(g.shown[:0], make([]string, len(pts))...)
	}
	if g.shown[k] == "" {
		g.shown[k] = bullet + clip(g.withoutURLs(pts[k].Text), 100)
	}
	return g.shown[k]
}

// table asks each cell of a row by the row's first cell and its column.
func (g *gen) table(sc scope, b notes.Block) {
	labelsOnly := len(b.Rows) > 0
	for _, row := range b.Rows {
		for j := 1; j < len(row); j++ {
			if g.contentWords(row[j]) > 0 {
				labelsOnly = false
			}
		}
	}
	if labelsOnly {
		// A grid to fill in: only its row labels carry notes.
		var pts []*notes.Point
		for _, row := range b.Rows {
			if len(row) > 0 && g.contentWords(row[0]) > 0 {
				pts = append(pts, &notes.Point{Line: notes.Line{Text: strings.TrimSpace(row[0]), Pos: b.Pos}})
			}
		}
		var head []string
		for _, h := range b.Header {
			if g.contentWords(h) > 0 {
				head = append(head, g.plain(h))
			}
		}
		lead := "Rows of the table"
		if len(head) > 0 {
			lead += " " + g.quote(strings.Join(head, " | "))
		}
		g.list(listCtx{sc: sc, kind: leadIntro, lead: lead + ":", pos: b.Pos}, pts)
		return
	}
	for _, row := range b.Rows {
		if len(row) == 0 {
			continue
		}
		first := strings.TrimSpace(row[0])
		if len(row) == 1 || g.contentWords(first) == 0 {
			var pts []*notes.Point
			for _, cell := range row {
				if g.contentWords(cell) > 0 {
					pts = append(pts, &notes.Point{Line: notes.Line{Text: cell, Pos: b.Pos}})
				}
			}
			for i := range pts {
				g.pointCloze(listCtx{sc: sc, prose: true}, pts, i, false)
			}
			continue
		}
		for j := 1; j < len(row); j++ {
			cell := strings.TrimSpace(row[j])
			if g.contentWords(cell) == 0 && strings.TrimSpace(g.plain(cell)) == "" {
				continue
			}
			col := ""
			if j < len(b.Header) {
				col = g.plain(b.Header[j])
			}
			var prompt string
			if col != "" {
				prompt = col + " for " + g.quote(first) + "?"
			} else {
				prompt = g.quote(first) + " — which value?"
			}
			if usable(prompt, cell) {
				g.add(sc, Definition, prompt, cell, b.Pos, first, col, cell)
			} else {
				g.cloze(sc, clozeSpec{lead: g.plain(first) + ":", target: cell, pos: b.Pos}, contextLines{})
			}
		}
	}
}

// defGroup is one term defined under a heading, maybe several times
// ("monitoring: sentry" ... "monitoring: statsd, graphite"): one card.
type defGroup struct {
	sc     scope
	term   string
	sep    string
	bodies []string
	keys   []string
	pos    notes.Pos
	at     int // index of the card reserved for it, keeping note order
}

func (g *gen) addDef(sc scope, d definition, pos notes.Pos, key string) {
	fold := Fold(g.plain(d.term))
	if dg, ok := g.defTerms[fold]; ok {
		dg.bodies = append(dg.bodies, d.body)
		dg.keys = append(dg.keys, key)
		return
	}
	dg := &defGroup{sc: sc, term: d.term, sep: d.sep, bodies: []string{d.body}, keys: []string{key}, pos: pos, at: len(g.cards)}
	if g.defTerms == nil {
		g.defTerms = map[string]*defGroup{}
	}
	g.defTerms[fold] = dg
	g.defs = append(g.defs, dg)
	g.cards = append(g.cards, Card{}) // filled by flushDefs
}

func (g *gen) flushDefs() {
	for _, dg := range g.defs {
		answer := bullets(dg.bodies)
		prompt := ""
		if len(dg.bodies) > 1 || !g.listLike(dg.bodies[0]) {
			for _, p := range g.defPrompts(dg.sc, dg.term, dg.sep, dg.bodies[0], g.allBareURL(dg.bodies)) {
				if usable(p, answer) {
					prompt = p
					break
				}
			}
		}
		if prompt != "" {
			g.cards[dg.at] = Card{Talk: g.talk.Title, Path: dg.sc.path, Kind: Definition, Prompt: prompt, Answer: answer,
				Source: g.source(dg.pos), Key: g.normalKey(dg.keys...)}
			continue
		}
		// Too long, a long list, or given away: ask each definition as a
		// cloze instead.
		var extra []Card
		saved := g.cards
		g.cards = nil
		for k, body := range dg.bodies {
			g.cloze(dg.sc, clozeSpec{lead: g.plain(dg.term) + " " + dg.sep, target: body, pos: dg.pos, keyText: dg.keys[k]}, contextLines{})
		}
		extra, g.cards = g.cards, saved
		g.cards[dg.at].Key = "\x00merge"
		g.cards[dg.at].Answer = ""
		g.pending = append(g.pending, pendingCards{at: dg.at, cards: extra})
	}
	g.defs, g.defTerms = nil, nil
}

// listLike reports an explanation that is a list of five or more comma
// items ("Tools: a, b, c, d, e"): recalled whole it asks too much (rule 3),
// so each is asked as a cloze.
func (m *memos) listLike(body string) bool {
	depth, commas := 0, 0
	for _, r := range m.plain(body) {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth = max(0, depth-1)
		case ',':
			if depth == 0 {
				commas++
			}
		}
	}
	return commas >= 4
}

// defPrompts are the ways to ask for a term, best first. A glossary entry
// reads "What is Spotlight?". A labelled note ("monitoring: sentry",
// "Problem: …") would read "monitoring?" and lean on the breadcrumb, so the
// prompt names the heading it was said under: "In “Challenges”, what was
// said about monitoring?"; a term that is itself a question word reads
// "In “Chaos patterns”, how to fix?". The bare form is the last resort,
// when the heading gives the answer away.
func (g *gen) defPrompts(sc scope, term, sep, body string, link bool) []string {
	p := strings.Trim(g.plain(term), "*_ ") // "**Title: subtitle**" splits the bold
	r, _ := utf8.DecodeRuneInString(p)
	// "Kafka = a distributed log" is a glossary entry; "China - Shanghai"
	// is not a definition of China.
	glossary := sep == "=" || strings.ContainsAny(sep, "—–-") && g.hasArticle(body)
	if !link && glossary && len(strings.Fields(p)) <= 3 && (sep == "=" || unicode.IsUpper(r)) {
		return []string{"What is " + p + "?"}
	}
	where := "In this talk, "
	if h := g.plain(sc.heading); !sc.talk && Fold(h) != Fold(p) {
		where = "In " + g.quote(tidyQuestion(h)) + ", "
	}
	var ask string
	if link {
		// "Slides: https://…": the label says what the address is for
		ask = "which resource was linked for " + g.asWritten(p) + "?"
	} else if first := strings.ToLower(strings.Fields(p)[0]); whWords[first] {
		ask = g.asWritten(p) + "?"
	} else {
		ask = "what was said about " + g.asWritten(p) + "?"
	}
	return []string{where + ask, upperFirst(ask), p + "?"}
}

func (m *memos) hasArticle(body string) bool {
	f := strings.Fields(strings.ToLower(m.plain(body)))
	return len(f) > 1 && (f[0] == "a" || f[0] == "an" || f[0] == "the")
}

func (m *memos) allBareURL(bodies []string) bool {
	for _, b := range bodies {
		if !m.bareURL(b) {
			return false
		}
	}
	return true
}

var whWords = map[string]bool{"how": true, "why": true, "what": true, "when": true, "where": true, "who": true, "which": true}

// asWritten lowercases the capital a note puts on its first word
// ("Fallbacks" → "fallbacks") so the term reads inside a sentence, but
// keeps names, acronyms and titles ("Abby Fuller", "SLO", "Kafka").
func (g *gen) asWritten(term string) string {
	ws := strings.Fields(term)
	first := ws[0]
	rs := []rune(first)
	if !unicode.IsUpper(rs[0]) || g.names[first] {
		return term
	}
	for _, r := range rs[1:] {
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			return term // SLO, iOS-like, K8s
		}
	}
	for _, w := range ws[1:] {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
			return term // "Abby Fuller", "Load Balancer"
		}
	}
	if len(ws) == 1 && len(rs) <= 3 {
		return term
	}
	_, n := utf8.DecodeRuneInString(term)
	return string(unicode.ToLower(rs[0])) + term[n:]
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

type pendingCards struct {
	at    int
	cards []Card
}

// bareURL reports a statement that is nothing but web addresses: bare
// URLs, <autolinks>, links whose text is the address itself or empty. A
// person does not study an address, so such a statement gets no card of
// its own and is exempt from coverage, like an unanswered question. A
// link with a text label ("[slides](…)") is not bare.
func bareURL(s string) bool { return sharedMemos.bareURL(s) }

func (m *memos) bareURL(s string) bool {
	if !mayHoldURL(s) && !hasLinkSyntax(s) {
		// No web address or link to find, as in most statements: what
		// the loop below would leave, with nothing found.
		rest := strings.TrimSpace(strings.Trim(s, bareURLTrim))
		return mayBeDomain(rest) && reDomain.MatchString(rest)
	}
	rest := s
	found := false
	for _, x := range m.scanInline(s) {
		switch x.kind {
		case inURL:
		case inLink:
			if label := m.plain(s[x.innerStart:x.innerEnd]); label != "" && firstURL(label) != label && !(mayBeDomain(label) && reDomain.MatchString(label)) {
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

// bareURLTrim is what may stand around the addresses of a bare URL
// statement.
const bareURLTrim = " ,;-–—|·*_()[]<>"

// mayBeDomain is false for a text reDomain cannot match: one without a dot
// or with white space. Most statements are so, and need no regexp.
func mayBeDomain(s string) bool {
	return strings.IndexByte(s, '.') >= 0 && !strings.ContainsAny(s, " \t\n\f\r")
}

// reDomain is a web address written without its scheme: "appium.io".
var reDomain = regexp.MustCompile(`^(?:[\w-]+\.)+(?:com|org|net|io|edu|gov|dev|co|me|info|ai|app|ly|us|uk|de|fr|br)(?:/\S*)?$`)
