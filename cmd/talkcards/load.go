package main

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	return loadNotesKeeping(paths, nil)
}

// loadNotesKeeping is loadNotes that does not parse a file whose content
// hash is the one keep remembers for it: the file is given to Import as
// Kept (its cards stay as stored), counted with the cards keep says it has.
// Files are parsed and generated in parallel; the result is in file order,
// and the error is the first file's in that order, as if read one by one.
func loadNotesKeeping(paths []string, keep map[string]storage.Keepable) (*loaded, error) {
	return loadNotesTo(paths, keep, nil)
}

// loadNotesTo is loadNotesKeeping that also gives each file read, in
// order, to sink (when not nil) as soon as it and the files before it are
// read, and then forgets the file's talks (the files of the result have
// none): an import into a new database (storage.NewImport) runs beside
// the reading, and holds only what it made of the files. sink is not
// called for files skipped, nor from the first file that failed to load
// on; once sink returns an error it is not called again (the caller keeps
// that error).
func loadNotesTo(paths []string, keep map[string]storage.Keepable, sink func(storage.SourceFile) error) (*loaded, error) {
	l := &loaded{}
	var jobs []loadJob
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
				jobs = append(jobs, loadJob{abs, p, true})
			}
			continue
		}
		var found []loadJob
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
				found = append(found, loadJob{a, path, false})
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

	var deliver func(i int, r *loadResult)
	if sink != nil {
		sinking := true
		deliver = func(i int, r *loadResult) {
			if !sinking || errors.Is(r.err, notes.ErrNoNotes) && !jobs[i].named {
				return
			}
			sinking = r.err == nil && sink(r.file) == nil
			r.file.Talks = nil
		}
	}
	results := loadAll(jobs, keep, deliver)
	for i, j := range jobs {
		r := results[i]
		if errors.Is(r.err, notes.ErrNoNotes) && !j.named {
			l.skipped = append(l.skipped, j.display)
			continue
		}
		if r.err != nil {
			return nil, r.err
		}
		if r.cards == 0 {
			l.empty = append(l.empty, j.display)
		}
		l.numCards += r.cards
		l.files = append(l.files, r.file)
	}
	if len(l.files) == 0 {
		return nil, withHint(fmt.Errorf("%s: no notes found: no file has a heading or a bullet point", strings.Join(paths, ", ")),
			"talkcards reads markdown: '#' a talk, '##' its sections, '-' bullets under them")
	}
	return l, nil
}

// loadJob is one notes file to read: absolute path, the path as the user
// will know it, and whether the user named it.
type loadJob struct {
	path, display string
	named         bool
}

type loadResult struct {
	file  storage.SourceFile
	cards int
	err   error
}

// loadAll loads the files of jobs on GOMAXPROCS workers. Results are by
// job; once a file fails, the files after it in job order are not read
// (their results are never looked at). deliver, when not nil, is called on
// this goroutine with each result in job order, as soon as it and those
// before it are in, up to the first job not read.
func loadAll(jobs []loadJob, keep map[string]storage.Keepable, deliver func(i int, r *loadResult)) []loadResult {
	results := make([]loadResult, len(jobs))
	done := make(chan int, len(jobs)) // jobs read, in the order read
	var next atomic.Int64
	var failed atomic.Int64 // the first failed job known, len(jobs) if none
	failed.Store(int64(len(jobs)))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) || int64(i) > failed.Load() {
					return
				}
				j := jobs[i]
				r := &results[i]
				var k *storage.Keepable
				if kk, ok := keep[j.path]; ok {
					k = &kk
				}
				r.file, r.cards, r.err = loadFile(j.path, j.display, k)
				if r.err != nil && (j.named || !errors.Is(r.err, notes.ErrNoNotes)) {
					for { // failed = min(failed, i)
						f := failed.Load()
						if int64(i) >= f || failed.CompareAndSwap(f, int64(i)) {
							break
						}
					}
				}
				done <- i
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	in := make([]bool, len(jobs))
	delivered := 0
	for i := range done {
		in[i] = true
		for ; delivered < len(jobs) && in[delivered]; delivered++ {
			if deliver != nil {
				deliver(delivered, &results[delivered])
			}
		}
	}
	return results
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loadFile reads, parses and generates one notes file, and counts its
// cards. A file that keep (if not nil) allows to keep, same content read
// under the same name, is not parsed: it comes back Kept, without talks,
// with the cards keep counts.
func loadFile(path, display string, keep *storage.Keepable) (storage.SourceFile, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return storage.SourceFile{}, 0, withHint(fmt.Errorf("%s: %w", display, unwrapPath(err)), "check that the file exists and that you may read it")
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return storage.SourceFile{}, 0, fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	if info.Size() > notes.MaxFileSize {
		return storage.SourceFile{}, 0, withHint(fmt.Errorf("%s: file is %d MiB, over the %d MiB limit for a notes file", display, info.Size()>>20, notes.MaxFileSize>>20),
			"split the notes into smaller files")
	}
	src, err := io.ReadAll(io.LimitReader(f, notes.MaxFileSize+1))
	if err != nil {
		return storage.SourceFile{}, 0, withHint(fmt.Errorf("%s: %w", display, unwrapPath(err)), "check that the file is readable")
	}
	sf := storage.SourceFile{Path: path, Hash: sha256.Sum256(src), Size: info.Size(), ModTime: info.ModTime(),
		Generator: deck.GeneratorVersion, Name: display}
	if keep != nil && sf.Hash == keep.Hash && display == keep.Name {
		sf.Kept = true
		return sf, keep.Cards, nil
	}
	if parsing != nil {
		parsing(path)
	}
	talks, err := generate(display, src)
	if err != nil {
		return storage.SourceFile{}, 0, withHint(err, "%s", notesHint(err))
	}
	sf.Talks = talks
	n := 0
	for _, t := range talks {
		n += len(t.Cards)
	}
	return sf, n, nil
}

// parsing, when set (by tests), is called with the absolute path of every
// file loadFile parses, from the loading goroutines.
var parsing func(path string)

// allKept reports whether no file of l was read: every one is kept as
// stored (none is missing, none new or changed).
func (l *loaded) allKept() bool {
	for _, f := range l.files {
		if !f.Kept {
			return false
		}
	}
	return len(l.files) > 0
}

// reload reads whole the kept files of l that paths name (an import found
// them stale), so that they can be imported again, and says how many.
func (l *loaded) reload(paths []string) (int, error) {
	n := 0
	for i, f := range l.files {
		if !f.Kept || !slices.Contains(paths, f.Path) {
			continue
		}
		sf, _, err := loadFile(f.Path, f.Name, nil)
		if err != nil {
			return n, err
		}
		l.files[i] = sf
		n++
	}
	return n, nil
}

// generate parses one notes file and makes the cards of each of its talks.
// What it makes of a file is part of deck.GeneratorVersion: bump that with
// any change here that alters the talks or cards.
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
