package storage

import (
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
func (db *DB) Sources() ([]Source, error) {
	var out []Source
	err := db.view(func(tx *bolt.Tx) error {
		files, err := fileStamps(tx)
		if err != nil {
			return err
		}
		placed := map[string]bool{}
		err = tx.Bucket(bRoots).ForEach(func(k, v []byte) error {
			s := Source{Path: string(k), Dir: len(v) == 1 && v[0] == 1, Files: map[string]FileStamp{}}
			for p, st := range files {
				if p == s.Path || (s.Dir && strings.HasPrefix(p, strings.TrimSuffix(s.Path, string(filepath.Separator))+string(filepath.Separator))) {
					s.Files[p] = st
					placed[p] = true
				}
			}
			out = append(out, s)
			return nil
		})
		for p, st := range files {
			if !placed[p] {
				out = append(out, Source{Path: p, Files: map[string]FileStamp{p: st}})
			}
		}
		return err
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
