package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FileStamp is what Import remembers of a notes file, to tell later whether
// it changed.
type FileStamp struct {
	Hash    [32]byte
	Size    int64
	ModTime time.Time
}

func encodeStamp(s FileStamp) []byte {
	b := make([]byte, 0, 48)
	b = append(b, s.Hash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(s.Size))
	var ns int64
	if !s.ModTime.IsZero() {
		ns = s.ModTime.UnixNano()
	}
	return binary.BigEndian.AppendUint64(b, uint64(ns))
}

func decodeStamp(v []byte) (FileStamp, error) {
	var s FileStamp
	if len(v) != 48 {
		return s, fmt.Errorf("file stamp: %w", errCorrupt)
	}
	copy(s.Hash[:], v)
	s.Size = int64(binary.BigEndian.Uint64(v[32:]))
	if ns := int64(binary.BigEndian.Uint64(v[40:])); ns != 0 {
		s.ModTime = time.Unix(0, ns).UTC()
	}
	return s, nil
}

// Source is a path the user named to import: a folder (Dir) or a file, with
// the stamps of the remembered files under it.
type Source struct {
	Path  string
	Dir   bool
	Files map[string]FileStamp
}

// Sources lists the remembered roots with their files' stamps, by path.
// Files imported that lie under no root are listed under their own path.
func (db *DB) Sources() ([]Source, error) { return db.SourcesWhere(nil) }

// SourcesWhere is Sources without the sources whose path keep refuses (nil
// keeps all); keep sees the path's bytes for the call only. The stamps of
// the files of refused sources are checked for size but not decoded, and
// nothing is allocated for them: review asks only for the sources on disk
// before every session, and a collection may remember thousands of files.
func (db *DB) SourcesWhere(keep func(path []byte) bool) ([]Source, error) {
	var out []Source
	err := db.view(func(tx *bolt.Tx) error {
		type root struct {
			src    *Source
			prefix []byte // a folder's path and a separator, nil for a file
			keep   bool
		}
		var roots []root
		err := tx.Bucket(bRoots).ForEach(func(k, v []byte) error {
			r := root{src: &Source{Path: string(k), Dir: len(v) == 1 && v[0] == 1}, keep: keep == nil || keep(k)}
			if r.src.Dir {
				r.prefix = []byte(strings.TrimSuffix(r.src.Path, string(filepath.Separator)) + string(filepath.Separator))
			}
			if r.keep {
				r.src.Files = map[string]FileStamp{}
			}
			roots = append(roots, r)
			return nil
		})
		if err != nil {
			return err
		}
		var files []Source // files under no root
		err = tx.Bucket(bFiles).ForEach(func(k, v []byte) error {
			if len(v) != 48 {
				return fmt.Errorf("file stamp: %w", errCorrupt)
			}
			placed := false
			for _, r := range roots {
				if string(k) == r.src.Path || (r.prefix != nil && bytes.HasPrefix(k, r.prefix)) {
					placed = true
					if r.keep {
						st, _ := decodeStamp(v)
						r.src.Files[string(k)] = st
					}
				}
			}
			if !placed && (keep == nil || keep(k)) {
				st, _ := decodeStamp(v)
				files = append(files, Source{Path: string(k), Files: map[string]FileStamp{string(k): st}})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range roots {
			if r.keep {
				out = append(out, *r.src)
			}
		}
		out = append(out, files...)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

// Files returns every remembered notes file with its stamp: what review
// compares with the disk to tell which files changed or vanished.
func (db *DB) Files() (map[string]FileStamp, error) {
	var files map[string]FileStamp
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		files, err = fileStamps(tx)
		return err
	})
	return files, err
}

func fileStamps(tx *bolt.Tx) (map[string]FileStamp, error) {
	files := map[string]FileStamp{}
	err := tx.Bucket(bFiles).ForEach(func(k, v []byte) error {
		s, err := decodeStamp(v)
		files[string(k)] = s
		return err
	})
	return files, err
}
