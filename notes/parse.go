package notes

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// markdown is the CommonMark parser with GFM tables and bare-URL links.
// goldmark parsers are safe for concurrent use.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Linkify))

// Parse reads one notes file (file names it in positions and errors) into
// its talks, in note order. Errors are *Error values wrapping ErrTooLarge,
// ErrBinary, ErrInvalidUTF8, ErrLineTooLong or ErrNoNotes.
//
// Talks: each `#` heading starts one; in a file with no `#`, each `##`
// does, unless front matter gives a `title:`, which then stands for the
// page's `#` and the `##` are its sections (blog posts). In a file whose
// headings are all `###` or deeper, the whole file is one talk. Content
// before the first talk heading is a talk named by the front matter
// title, else by the file name. An empty `#` is not a heading.
//
// In a file with no heading at all, a paragraph that is one line wholly in
// bold (`**Lambda basics**`) with content after it is read as a level-2
// section title; anywhere else a bold line stays a paragraph.
//
// Speakers: see findSpeaker. Front matter `speaker:` fills every talk that
// names none; `author:` (often the note taker) only a file's lone talk.
func Parse(file string, src []byte) ([]*Talk, error) {
	norm, err := normalize(file, src)
	if err != nil {
		return nil, err
	}
	fm := stripFrontMatter(norm)
	if len(bytes.TrimSpace(norm)) == 0 {
		return nil, &Error{Pos: Pos{File: file}, Err: ErrNoNotes, Msg: "empty file"}
	}
	doc := markdown.Parser().Parse(text.NewReader(norm), parser.WithContext(parser.NewContext()))
	c := &converter{file: file, src: norm, text: string(norm), idx: newLineIndex(norm)}
	events := pseudoHeadings(c.events(doc))
	headings := 0
	for _, e := range events {
		if e.heading {
			headings++
		}
	}
	if headings == 0 && c.points == 0 {
		return nil, &Error{Pos: Pos{File: file}, Err: ErrNoNotes, Msg: "no heading and no list"}
	}
	fileTitle := fm.Title
	if fileTitle == "" {
		fileTitle = titleFromFile(file)
	}
	level := talkLevel(events)
	if level == 2 && fm.Title != "" {
		// the front matter title is the page's `#`: `##` are its sections
		level = 0
	}
	talks, headed := buildTalks(file, events, level, fileTitle)
	if fm.Title != "" && len(headed) > 0 && !headed[0] {
		headed[0] = true // speaker lines may follow the front matter title
	}
	for i, t := range talks {
		findSpeaker(t, headed[i])
		applyFileMeta(t, fm, len(talks))
	}
	return talks, nil
}

// applyFileMeta fills what a talk did not say itself from front matter.
// An `author:` is taken as the speaker only when the file holds one talk.
func applyFileMeta(t *Talk, fm fileMeta, talks int) {
	if t.Meta.Speaker == "" && (!fm.authorOnly || talks == 1) {
		t.Meta.Speaker = fm.Meta.Speaker
	}
	if t.Meta.Event == "" {
		t.Meta.Event = fm.Meta.Event
	}
	if t.Meta.Date == "" {
		t.Meta.Date = fm.Meta.Date
	}
	if len(t.Meta.Tags) == 0 && len(fm.Meta.Tags) > 0 {
		t.Meta.Tags = append([]string(nil), fm.Meta.Tags...)
	}
}
