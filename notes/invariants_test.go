package notes

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// checkInvariants asserts what must hold for any parsed file: positions
// inside the file, no empty text, no heading read as a point, spans inside
// their line; for real notes (not fuzz input, where "x@Metadata" is plain
// text) also no DocC directive left as content.
func checkInvariants(tb testing.TB, file string, src []byte, talks []*Talk, realNotes bool) {
	tb.Helper()
	lines := bytes.Count(src, []byte("\n")) + bytes.Count(src, []byte("\r")) + 1
	heads := map[Pos]string{}
	checkPos := func(what string, p Pos) {
		if p.File != file || p.Line < 1 || p.Line > lines {
			tb.Errorf("%s: position %v outside %s (%d lines)", what, p, file, lines)
		}
	}
	checkText := func(what, s string) {
		if realNotes && strings.Contains(s, "@Metadata") {
			tb.Errorf("%s: DocC directive kept: %q", what, s)
		}
	}
	checkLine := func(what string, l Line) {
		checkPos(what, l.Pos)
		checkText(what, l.Text)
		if strings.TrimSpace(l.Text) == "" || l.Text != strings.TrimSpace(l.Text) {
			tb.Errorf("%s at %v: empty or untrimmed text %q", what, l.Pos, l.Text)
		}
		for _, s := range l.Spans {
			if s.Start < 0 || s.End > len(l.Text) || s.Start >= s.End {
				tb.Errorf("%s at %v: span %+v outside %q", what, l.Pos, s, l.Text)
				continue
			}
			m := l.Text[s.Start:s.End]
			ok := true
			switch s.Kind {
			case Strong:
				ok = strings.HasPrefix(m, "**") || strings.HasPrefix(m, "__")
			case CodeSpan:
				ok = strings.HasPrefix(m, "`") && strings.HasSuffix(m, "`")
			}
			if !ok {
				tb.Errorf("%s at %v: span %v does not cover its markup: %q", what, l.Pos, s.Kind, m)
			}
		}
	}
	var points func([]*Point, int)
	points = func(ps []*Point, depth int) {
		if depth > maxListDepth+1 {
			tb.Errorf("points nested %d deep", depth)
			return
		}
		for _, p := range ps {
			checkLine("point", p.Line)
			if h, ok := heads[p.Pos]; ok && h == p.Text {
				tb.Errorf("heading %q at %v also read as a point", h, p.Pos)
			}
			for _, m := range p.More {
				checkLine("point paragraph", m)
			}
			points(p.Children, depth+1)
		}
	}
	body := func(bs []Block) {
		for _, b := range bs {
			checkPos("block", b.Pos)
			for _, l := range b.Lines {
				checkLine("line", l)
			}
			if b.Kind == Paragraph && len(b.Lines) == 0 || b.Kind == Quote && len(b.Lines) == 0 {
				tb.Errorf("empty block at %v", b.Pos)
			}
			if b.Intro != nil {
				checkLine("intro", *b.Intro)
			}
			if b.Kind == List && len(b.Points) == 0 {
				tb.Errorf("empty list at %v", b.Pos)
			}
			points(b.Points, 0)
		}
	}
	var section func(*Section)
	section = func(s *Section) {
		checkPos("section", s.Pos)
		checkText("section", s.Title)
		if s.Title == "" {
			tb.Errorf("empty section title at %v", s.Pos)
		}
		heads[s.Pos] = s.Title
		body(s.Body)
		for _, c := range s.Sub {
			section(c)
		}
	}
	for _, t := range talks {
		checkPos("talk", t.Pos)
		checkText("talk", t.Title)
		if t.Title == "" {
			tb.Errorf("empty talk title at %v", t.Pos)
		}
		heads[t.Pos] = t.Title
		for _, s := range t.Sub {
			section(s)
		}
		body(t.Body)
	}
}

// checkErr asserts err is an *Error wrapping one of the sentinels.
func checkErr(tb testing.TB, err error) {
	tb.Helper()
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v (%T) is not a *notes.Error", err, err)
	}
	for _, s := range []error{ErrInvalidUTF8, ErrBinary, ErrTooLarge, ErrLineTooLong, ErrNoNotes} {
		if errors.Is(err, s) {
			return
		}
	}
	tb.Fatalf("error %v wraps no sentinel", err)
}
