package storage

import (
	"errors"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/deck"
)

// TestSourcesWhere: the sources kept are exactly those Sources lists, with
// the same files and stamps, whatever the others are.
func TestSourcesWhere(t *testing.T) {
	db, _ := openTest(t)
	var files []SourceFile
	for i, p := range []string{"/notes/a.md", "/notes/sub/b.md", "rel/c.md", "rel/d.md", "demo:e.md", "loose.md", "/loose.md", "/elsewhere/x.txt"} {
		f := file(p, talk("T"+p, card("T"+p, nil, deck.QA, "why "+p+"?", 0)))
		f.Hash[0], f.Size = byte(i+1), int64(i+10)
		files = append(files, f)
	}
	_, err := db.Import(files, ImportOptions{Now: t0, Roots: []string{"/notes", "rel", "/elsewhere/x.txt", "/gone"}})
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.Sources()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 7 { // 4 roots, 3 files under none
		t.Fatalf("Sources = %+v", all)
	}
	for _, tt := range []struct {
		name string
		keep func(p []byte) bool
	}{
		{"absolute", func(p []byte) bool { return len(p) > 0 && p[0] == '/' }},
		{"relative", func(p []byte) bool { return len(p) > 0 && p[0] != '/' }},
		{"none", func(p []byte) bool { return false }},
		{"all", func(p []byte) bool { return true }},
		{"nil", nil},
	} {
		var want []Source
		for _, s := range all {
			if tt.keep == nil || tt.keep([]byte(s.Path)) {
				want = append(want, s)
			}
		}
		got, err := db.SourcesWhere(tt.keep)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: SourcesWhere = %+v\nwant %+v", tt.name, got, want)
		}
	}

	// A damaged stamp is an error even when its source is not kept.
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bFiles).Put([]byte("rel/c.md"), []byte{1}) }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SourcesWhere(func(p []byte) bool { return p[0] == '/' }); !errors.Is(err, errCorrupt) {
		t.Errorf("damaged stamp: %v, want errCorrupt", err)
	}
}
