package storage

import (
	"bytes"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// Keeping unchanged files (SourceFile.Kept): a re-import need not read a
// notes file whose content and generator are those of its last import, as
// long as its cards are still exactly what that import left. One root
// bucket, made by the first Import that has something to put in it:
//
//	generated   file path → uvarint generator (SourceFile.Generator) | name
//	            (SourceFile.Name, the rest of the value): what made the
//	            cards of the file's last import
//
// Import writes it for a file it reads whose cards are all its own (no
// card it makes is held by another file of the import), and deletes it
// when the file goes missing, is imported with generator 0 or shares a
// card, and when another file takes one of its cards (the other file's
// notes now produce it): from then on the file is read again. A file is
// kept only while every talk it makes is made by it alone: in a talk of
// several files, file order decides the title, the metadata and which file
// a shared card belongs to, and only a full import knows that order.
var bGenerated = []byte("generated")

// Keepable is a remembered notes file an import may keep as stored.
type Keepable struct {
	Hash  [32]byte // the content the cards were made of: keep only a file with this hash
	Name  string   // the name they were made under: keep only a file read under this name
	Cards int      // active cards of its talks, as a full import would count them
}

// Keepable returns, by path, the remembered files whose cards an import by
// generator may keep without reading them, if their content is unchanged
// (see SourceFile.Kept).
func (db *DB) Keepable(generator uint64) (map[string]Keepable, error) {
	out := map[string]Keepable{}
	err := db.view(func(tx *bolt.Tx) error {
		gb := tx.Bucket(bGenerated)
		if gb == nil || generator == 0 {
			return nil
		}
		talks, err := loadTalks(tx)
		if err != nil {
			return err
		}
		ki := newKeepIndex(tx, talks)
		return gb.ForEach(func(k, _ []byte) error {
			path := string(k)
			if hash, name, ok := ki.keepable(path, generator); ok {
				out[path] = Keepable{Hash: hash, Name: name, Cards: ki.cards(path)}
			}
			return nil
		})
	})
	return out, err
}

// keepIndex answers whether files can be kept, from the talks' file lists.
type keepIndex struct {
	gens, files *bolt.Bucket
	talksOf     map[string][]*talkRec // file → the talks that list it
}

func newKeepIndex(tx *bolt.Tx, talks map[string]*talkRec) *keepIndex {
	ki := &keepIndex{gens: tx.Bucket(bGenerated), files: tx.Bucket(bFiles), talksOf: map[string][]*talkRec{}}
	for _, t := range talks {
		for _, f := range t.Files {
			ki.talksOf[f] = append(ki.talksOf[f], t)
		}
	}
	return ki
}

// keepable reports whether the cards of the file at path are those its
// last import made with generator and can be kept, with the hash of the
// content and the name they were made of.
func (ki *keepIndex) keepable(path string, generator uint64) (hash [32]byte, name string, ok bool) {
	g, name := generatorOf(ki.gens, path)
	if generator == 0 || g != generator {
		return hash, "", false
	}
	v := ki.files.Get([]byte(path))
	if v == nil {
		return hash, "", false
	}
	st, err := decodeStamp(v)
	if err != nil {
		return hash, "", false
	}
	for _, t := range ki.talksOf[path] {
		if len(t.Files) != 1 {
			return hash, "", false
		}
	}
	return st.Hash, name, true
}

// cards counts the active cards of the talks of the file at path: all of
// them are the file's own while it is keepable.
func (ki *keepIndex) cards(path string) int {
	n := 0
	for _, t := range ki.talksOf[path] {
		n += t.Cards
	}
	return n
}

// generatorOf reads the generator and name remembered for the file at
// path; generator 0 if none.
func generatorOf(gens *bolt.Bucket, path string) (uint64, string) {
	if gens == nil {
		return 0, ""
	}
	v := gens.Get([]byte(path))
	g, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, ""
	}
	return g, string(v[n:])
}

// setGenerator remembers generator and name for the file at path
// (generator 0: forgets it), writing only what changes.
func setGenerator(tx *bolt.Tx, path string, generator uint64, name string) error {
	gens := tx.Bucket(bGenerated)
	if generator == 0 {
		if gens == nil || gens.Get([]byte(path)) == nil {
			return nil
		}
		return gens.Delete([]byte(path))
	}
	v := append(binary.AppendUvarint(nil, generator), name...)
	if gens != nil && bytes.Equal(gens.Get([]byte(path)), v) {
		return nil
	}
	gens, err := tx.CreateBucketIfNotExists(bGenerated)
	if err != nil {
		return err
	}
	return gens.Put([]byte(path), v)
}
