package notes

import (
	"path/filepath"
	"regexp"
	"strings"
)

// talkLevel is the heading level that starts talks (DESIGN "Notes →
// outline"): 1 when the file has a `#`, else 2 when it has a `##`, else 0:
// the whole file is one talk and every heading is a section of it.
func talkLevel(events []event) int {
	min := 0
	for _, e := range events {
		if e.heading && !e.pseudo && (min == 0 || e.level < min) {
			min = e.level
		}
	}
	if min > 2 {
		return 0
	}
	return min
}

// pseudoHeadings turns bold-only lines into headings in a file that has no
// heading at all (some people write `**Lambda expressions**` as a title):
// a paragraph that is one line entirely in bold, optionally followed by
// ':', with more content after it, becomes a level-2 section.
func pseudoHeadings(events []event) []event {
	for _, e := range events {
		if e.heading {
			return events
		}
	}
	for i := range events {
		if i+1 == len(events) {
			break
		}
		if title, ok := boldTitle(&events[i].block); ok {
			events[i] = event{heading: true, pseudo: true, level: 2, title: title, pos: events[i].block.Pos, seq: events[i].seq}
		}
	}
	return events
}

// boldTitle reports whether b is a paragraph of one line wholly in bold,
// and returns the text inside the bold markup.
func boldTitle(b *Block) (string, bool) {
	if b == nil || b.Kind != Paragraph || len(b.Lines) != 1 {
		return "", false
	}
	l := b.Lines[0]
	text := strings.TrimSuffix(l.Text, ":")
	if len(l.Spans) == 0 || len(text) > 120 {
		return "", false
	}
	s := l.Spans[0]
	if s.Kind != Strong || s.Start != 0 || s.End != len(text) || s.End-s.Start < 5 {
		return "", false
	}
	title := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text[2:len(text)-2]), ":"))
	return title, title != ""
}

// buildTalks splits events into talks and section trees. headed[i] says
// talks[i] began at a heading (not the file's own talk).
func buildTalks(file string, events []event, level int, fileTitle string) (talks []*Talk, headed []bool) {
	var cur *Talk
	var stack []*Section
	lastSeq := -1 // seq of the last block appended, for list intros
	ensureTalk := func() {
		if cur == nil {
			cur = &Talk{Title: fileTitle, Pos: Pos{File: file, Line: 1}}
			talks = append(talks, cur)
			headed = append(headed, false)
		}
	}
	for _, e := range events {
		if e.heading {
			lastSeq = -1
			if e.level <= level {
				cur = &Talk{Title: e.title, Pos: e.pos}
				talks = append(talks, cur)
				headed = append(headed, true)
				stack = stack[:0]
				continue
			}
			ensureTalk()
			for len(stack) > 0 && stack[len(stack)-1].Level >= e.level {
				stack = stack[:len(stack)-1]
			}
			s := &Section{Title: e.title, Level: e.level, Pos: e.pos}
			if len(stack) == 0 {
				cur.Sub = append(cur.Sub, s)
			} else {
				top := stack[len(stack)-1]
				top.Sub = append(top.Sub, s)
			}
			stack = append(stack, s)
			continue
		}
		ensureTalk()
		body := &cur.Body
		if len(stack) > 0 {
			body = &stack[len(stack)-1].Body
		}
		appendBlock(body, e.block, lastSeq == e.seq-1)
		lastSeq = e.seq
	}
	return talks, headed
}

// emojiShortcodeEnd matches a line ending in an emoji shortcode (`:joy:`),
// whose final ':' does not introduce anything.
var emojiShortcodeEnd = regexp.MustCompile(`(^|\s):[a-z0-9_+\-]+:$`)

// appendBlock adds b to body; a list right after a paragraph whose last
// line ends in ':' takes that line as its intro ("Some cons:"), and so does
// a question right before a list ("Why should you care?"): the list is its
// answer, so the question is asked rather than left as an unanswered one.
func appendBlock(body *[]Block, b Block, adjacent bool) {
	if b.Kind == List && adjacent && len(*body) > 0 {
		prev := &(*body)[len(*body)-1]
		if prev.Kind == Paragraph {
			last := prev.Lines[len(prev.Lines)-1]
			if (strings.HasSuffix(last.Text, ":") && !emojiShortcodeEnd.MatchString(last.Text)) || strings.HasSuffix(last.Text, "?") {
				b.Intro = &last
				prev.Lines = prev.Lines[:len(prev.Lines)-1]
				if len(prev.Lines) == 0 {
					*body = (*body)[:len(*body)-1]
				}
			}
		}
	}
	*body = append(*body, b)
}

// titleFromFile makes a talk title from a file name: the base name without
// extension, with '-' and '_' read as spaces.
func titleFromFile(file string) string {
	base := filepath.Base(file)
	if ext := filepath.Ext(base); ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	t := strings.Join(strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(base)), " ")
	if t == "" || t == "." {
		return "notes"
	}
	return t
}
