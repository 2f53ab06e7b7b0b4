package main

import (
	"crypto/sha256"
	"embed"
	"io/fs"
	"path"

	"github.com/talkcards/talkcards/storage"
)

// demoFS is the bundled demo deck: our own notes of well-known talks, each
// file in a different markdown style.
//
//go:embed demo/*.md
var demoFS embed.FS

// demoPrefix marks demo files in the database: they are not on disk, so
// review's re-import of changed files skips them.
const demoPrefix = "demo:"

func loadDemo() (*loaded, error) {
	l := &loaded{}
	names, err := fs.Glob(demoFS, "demo/*.md")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		src, err := demoFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		display := demoPrefix + path.Base(name)
		talks, err := generate(display, src)
		if err != nil {
			return nil, err
		}
		for _, t := range talks {
			l.numCards += len(t.Cards)
		}
		l.files = append(l.files, storage.SourceFile{Path: display, Hash: sha256.Sum256(src), Size: int64(len(src)), Talks: talks})
	}
	return l, nil
}
