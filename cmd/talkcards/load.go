package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/notes"
	"github.com/talkcards/talkcards/storage"
)

// loaded is the result of reading and generating cards from notes paths.
type loaded struct {
	files    []storage.SourceFile
	roots    []string // absolute forms of the paths the user named
	skipped  []string // files found in folders that hold no notes
	empty    []string // files whose notes gave no card
	numCards int
}

func isNotesFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".md" || ext == ".markdown"
}

// loadNotes reads every named file (any name) and every *.md/*.markdown file
// below every named folder, parses and generates cards. Any unreadable,
// oversized, binary or invalid file fails the whole load: import is all or
// nothing. Files found in folders that hold no notes are skipped with a
// warning; a named file without notes is an error.
func loadNotes(paths []string) (*loaded, error) {
	l := &loaded{}
	type job struct {
		path, display string
		named         bool
	}
	var jobs []job
	seen := map[string]bool{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		info, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, withHint(fmt.Errorf("%s: no such file or folder", p), "check the path; import takes notes files or folders of *.md files")
			}
			return nil, fmt.Errorf("%s: %w", p, unwrapPath(err))
		}
		l.roots = append(l.roots, abs)
		if !info.IsDir() {
			if !seen[abs] {
				seen[abs] = true
				jobs = append(jobs, job{abs, p, true})
			}
			continue
		}
		var found []job
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("%s: %w", path, unwrapPath(err))
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if !isNotesFile(d.Name()) || !d.Type().IsRegular() {
				return nil
			}
			a, err := filepath.Abs(path)
			if err != nil {
				return err
			}
			if !seen[a] {
				seen[a] = true
				found = append(found, job{a, path, false})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, withHint(fmt.Errorf("%s: folder has no notes files (*.md, *.markdown)", p), "name a folder that holds markdown notes, or the notes file itself")
		}
		jobs = append(jobs, found...)
	}

	for _, j := range jobs {
		sf, err := loadFile(j.path, j.display)
		if errors.Is(err, notes.ErrNoNotes) && !j.named {
			l.skipped = append(l.skipped, j.display)
			continue
		}
		if err != nil {
			return nil, err
		}
		n := 0
		for _, t := range sf.Talks {
			n += len(t.Cards)
		}
		if n == 0 {
			l.empty = append(l.empty, j.display)
		}
		l.numCards += n
		l.files = append(l.files, sf)
	}
	if len(l.files) == 0 {
		return nil, withHint(fmt.Errorf("%s: no notes found: no file has a heading or a bullet point", strings.Join(paths, ", ")),
			"talkcards reads markdown: '#' a talk, '##' its sections, '-' bullets under them")
	}
	return l, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loadFile reads, parses and generates one notes file.
func loadFile(path, display string) (storage.SourceFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return storage.SourceFile{}, withHint(fmt.Errorf("%s: %w", display, unwrapPath(err)), "check that the file exists and that you may read it")
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return storage.SourceFile{}, fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	if info.Size() > notes.MaxFileSize {
		return storage.SourceFile{}, withHint(fmt.Errorf("%s: file is %d MiB, over the %d MiB limit for a notes file", display, info.Size()>>20, notes.MaxFileSize>>20),
			"split the notes into smaller files")
	}
	src, err := io.ReadAll(io.LimitReader(f, notes.MaxFileSize+1))
	if err != nil {
		return storage.SourceFile{}, withHint(fmt.Errorf("%s: %w", display, unwrapPath(err)), "check that the file is readable")
	}
	talks, err := generate(display, src)
	if err != nil {
		return storage.SourceFile{}, withHint(err, "%s", notesHint(err))
	}
	sf := storage.SourceFile{Path: path, Hash: sha256.Sum256(src), Size: info.Size(), ModTime: info.ModTime(), Talks: talks}
	return sf, nil
}

// generate parses one notes file and makes the cards of each of its talks.
func generate(display string, src []byte) ([]storage.GeneratedTalk, error) {
	talks, err := notes.Parse(display, src)
	if err != nil {
		return nil, err
	}
	var out []storage.GeneratedTalk
	for _, t := range talks {
		slug := deck.Slug(t.Title)
		if slug == "" {
			slug = "talk-" + deck.ID(t.Title, nil, "", "")[:8]
		}
		out = append(out, storage.GeneratedTalk{Slug: slug, Title: t.Title, Meta: t.Meta, Cards: deck.Generate(t)})
	}
	return out, nil
}

func notesHint(err error) string {
	switch {
	case errors.Is(err, notes.ErrInvalidUTF8):
		return "save the file as UTF-8 and import again"
	case errors.Is(err, notes.ErrBinary):
		return "this looks like a binary file, not markdown notes"
	case errors.Is(err, notes.ErrTooLarge), errors.Is(err, notes.ErrLineTooLong):
		return "split the notes into smaller files or shorter lines"
	case errors.Is(err, notes.ErrNoNotes):
		return "talkcards reads markdown: '#' a talk, '##' its sections, '-' bullets under them"
	}
	return "fix the file and import again; nothing was imported"
}
