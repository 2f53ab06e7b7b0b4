package notes

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// findSpeaker moves a speaker written in the notes into t.Meta.Speaker.
// Tried in order, each only right after the talk heading:
//  1. a `Speaker: X` line (also Speakers, Presenter, By);
//  2. a sub-heading with nothing before it that is a person's name or an
//     @handle (`# Title` / `## Thomi Richards`): its content is lifted
//     into the talk;
//  3. a line that is only `_Name_`, `*Name*`, `**Name (Company)**` (links
//     may follow), or a one-line paragraph that is a bare name.
//
// A false speaker is worse than a missed one, so names must look like
// names: 2–4 capitalised words each, no common heading words.
func findSpeaker(t *Talk, isHeading bool) {
	if len(t.Body) > 0 && t.Body[0].Kind == Paragraph {
		p := &t.Body[0]
		if name, ok := speakerLabel(p.Lines[0].Text); ok {
			t.Meta.Speaker = name
			dropFirstLine(t)
			return
		}
	}
	if !isHeading {
		return
	}
	if len(t.Body) == 0 && len(t.Sub) > 0 {
		s := t.Sub[0]
		if (looksLikeHandle(s.Title) || looksLikeNames(s.Title)) && !namesAmong(t.Sub[1:]) {
			t.Meta.Speaker = s.Title
			t.Body = s.Body
			t.Sub = append(s.Sub, t.Sub[1:]...)
			return
		}
	}
	if len(t.Body) > 0 && t.Body[0].Kind == Paragraph {
		p := &t.Body[0]
		if name, ok := markedName(p.Lines[0]); ok {
			t.Meta.Speaker = name
			dropFirstLine(t)
			return
		}
		if l := p.Lines[0]; len(p.Lines) == 1 && len(l.Spans) == 0 && looksLikeNames(l.Text) {
			t.Meta.Speaker = l.Text
			dropFirstLine(t)
		}
	}
}

// namesAmong: some other sub-heading is a name too, so the names are the
// sections of the talk (one per speaker), not its speaker.
func namesAmong(subs []*Section) bool {
	for _, s := range subs {
		if looksLikeHandle(s.Title) || looksLikeNames(s.Title) {
			return true
		}
	}
	return false
}

func dropFirstLine(t *Talk) {
	p := &t.Body[0]
	p.Lines = p.Lines[1:]
	if len(p.Lines) == 0 {
		t.Body = t.Body[1:]
		return
	}
	p.Pos = p.Lines[0].Pos
}

var speakerLabelRE = regexp.MustCompile(`(?i)^[*_]{0,2}(?:speakers?|presenters?|presented by|by)[*_]{0,2}\s*:\s*(.+)$`)

// speakerLabel reads a `Speaker: X` line.
func speakerLabel(text string) (string, bool) {
	m := speakerLabelRE.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	name := strings.TrimSpace(strings.Trim(m[1], "*_ "))
	return name, name != "" && utf8.RuneCountInString(name) <= 120
}

// markedName reads a line that is only an emphasised or bold name,
// possibly followed by links (a video link beside the speaker).
func markedName(l Line) (string, bool) {
	if len(l.Spans) == 0 {
		return "", false
	}
	s := l.Spans[0]
	if s.Start != 0 || (s.Kind != Emph && s.Kind != Strong) {
		return "", false
	}
	end := s.End
	for _, o := range l.Spans[1:] {
		if o.Start < end {
			continue // inside the name
		}
		if o.Kind != Link || strings.TrimSpace(l.Text[end:o.Start]) != "" {
			return "", false
		}
		end = o.End
	}
	if strings.TrimSpace(l.Text[end:]) != "" {
		return "", false
	}
	name := strings.TrimSpace(l.Text[s.Start:s.End])
	name = strings.TrimSpace(strings.Trim(name, "*_"))
	if looksLikeHandle(name) || looksLikeNames(name) {
		return name, true
	}
	return "", false
}

var handleRE = regexp.MustCompile(`^@[A-Za-z0-9_]{1,30}$`)

func looksLikeHandle(s string) bool { return handleRE.MatchString(strings.TrimSpace(s)) }

var (
	trailingParen = regexp.MustCompile(`\s*\([^()]{1,60}\)$`)
	nameSep       = regexp.MustCompile(`\s*(?:,|&|\band\b)\s*`)
)

// looksLikeNames: one to three person names joined by ',', '&' or 'and',
// optionally followed by a (Company) or (@handle).
func looksLikeNames(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 80 {
		return false
	}
	s = trailingParen.ReplaceAllString(s, "")
	parts := nameSep.Split(s, -1)
	if len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if !looksLikeName(p) {
			return false
		}
	}
	return true
}

var nameParticles = map[string]bool{
	"van": true, "von": true, "de": true, "da": true, "der": true, "den": true,
	"del": true, "della": true, "di": true, "du": true, "dos": true, "das": true,
	"la": true, "le": true, "bin": true, "al": true, "ter": true,
}

// notNameWords are capitalised words common in headings but not in names.
var notNameWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the a an of to for in on at with from by is are be my our your
		key takeaways takeaway abstract introduction intro overview summary notes note questions question answers
		q&a day session keynote agenda background conclusion conclusions resources links slides video videos
		highlights ideas lessons learned what why how who when where getting started news part talk talks
		workshop panel tips tricks best practices opening closing remarks general thoughts final main points
		demo live coding future history problem problems solution solutions goals pros cons references further
		reading tldr welcome update updates new features lightning track room morning afternoon lunch break
		breakfast dinner evening monday tuesday wednesday thursday friday saturday sunday speaker speakers
		presenter about details description bio contents examples example setup testing security deployment
		data design architecture performance api apis web cloud open source code software system systems
		team teams culture community conference meetup intro wins struggles challenges deadlines infrastructure
		development production serverless microservices containers docker kubernetes python java go rust ruby
		javascript swift kotlin elixir django rails react node agile scrum devops`) {
		notNameWords[w] = true
	}
}

// looksLikeName: 2–4 words, each capitalised (initials like "J." too),
// lowercase particles (van, de) allowed inside, no common heading words.
func looksLikeName(s string) bool {
	words := strings.Fields(s)
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	for i, w := range words {
		lw := strings.ToLower(w)
		if notNameWords[lw] {
			return false
		}
		if nameParticles[lw] && i > 0 && i < len(words)-1 && w == lw {
			continue
		}
		if !nameWord(w) {
			return false
		}
	}
	return true
}

func nameWord(w string) bool {
	first, size := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(first) {
		return false
	}
	rest := w[size:]
	upper := 0
	letters := 0
	for _, r := range rest {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		case r == '.' || r == '\'' || r == '’' || r == '-':
		default:
			return false
		}
	}
	// all caps (API, AWS) is an acronym, not a name; McDonald is fine
	return letters == 0 || upper < letters
}
