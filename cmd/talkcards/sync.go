package main

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/talkcards/talkcards/storage"
)

// notesChanges is what changed on disk since the last import of the
// remembered paths.
type notesChanges struct {
	roots    []string // remembered paths that still exist, to re-import
	vanished []string // files imported before that are gone now
	changed  bool
}

// changedSources compares the remembered notes paths with the disk: a file
// whose size or time changed is hashed; new files under a remembered folder
// count too. Demo files (not on disk) and relative paths (test and
// benchmark collections) are skipped, without reading their stamps.
func changedSources(db *storage.DB) (notesChanges, error) {
	var nc notesChanges
	sources, err := db.SourcesWhere(onDisk)
	if err != nil {
		return nc, err
	}
	for _, src := range sources {
		info, err := os.Stat(src.Path)
		if err != nil {
			nc.changed = true
			for f := range src.Files {
				nc.vanished = append(nc.vanished, f)
			}
			continue
		}
		nc.roots = append(nc.roots, src.Path)
		onDisk := map[string]bool{}
		if info.IsDir() {
			_ = filepath.WalkDir(src.Path, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				if d.IsDir() && p != src.Path && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if !d.IsDir() && isNotesFile(d.Name()) {
					onDisk[p] = true
				}
				return nil
			})
		} else {
			onDisk[src.Path] = true
		}
		for f, stamp := range src.Files {
			if !onDisk[f] {
				nc.changed = true
				nc.vanished = append(nc.vanished, f)
				continue
			}
			delete(onDisk, f)
			if fileChanged(f, stamp) {
				nc.changed = true
			}
		}
		if len(onDisk) > 0 { // new files in a remembered folder
			nc.changed = true
		}
	}
	return nc, nil
}

// onDisk tells the remembered paths changedSources looks at.
func onDisk(path []byte) bool {
	return !bytes.HasPrefix(path, []byte(demoPrefix)) && filepath.IsAbs(string(path))
}

func fileChanged(path string, stamp storage.FileStamp) bool {
	info, err := os.Stat(path)
	if err != nil {
		return true
	}
	if info.Size() == stamp.Size && info.ModTime().Equal(stamp.ModTime) {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return true
	}
	sum := sha256.Sum256(data)
	return !bytes.Equal(sum[:], stamp.Hash[:])
}
