package storage

import (
	"encoding/binary"
	"hash/fnv"
	"os"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// writeBoltFile writes, without bbolt, a complete bbolt file at path (a
// new file, created 0600) holding buckets as top-level buckets: their keys
// in order on leaf pages filled as bbolt's FillPercent 1 fills them,
// branch pages above, the small ones inline as bbolt keeps them, an empty
// freelist and two valid meta pages (transactions 0 and 1, as bbolt
// initialises a file). The file is written front to back in large writes
// and synced once. buckets must be sorted by name with unique names, each
// list sorted by key with unique keys within bbolt's key and value limits
// (checkBoltList); bbolt opens the result like any file of its own.
//
// The layout is bbolt 1.x's version 2 format (go.etcd.io/bbolt
// internal/common), in the machine's byte order as bbolt casts it:
//
//	page        id uint64 | flags uint16 | count uint16 | overflow uint32 (pages after this one)
//	leaf elem   flags uint32 (1: bucket) | pos uint32 (from the element to its key) | ksize | vsize
//	branch elem pos uint32 | ksize uint32 | child page id uint64; key = the child's first key
//	bucket      root page id uint64 (0: inline, a leaf page follows) | sequence uint64
//	meta        magic | version | page size | flags uint32 | root bucket (16) | freelist page id |
//	            high water page id | txid uint64 | FNV-64a of the 56 bytes before it
func writeBoltFile(path string, pageSize int, buckets []newBucket) (err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := &pageFile{f: f, pageSize: pageSize, buf: make([]byte, 0, 4<<20)}
	// Pages 0 and 1 (the metas, written last, once the root is known)
	// and 2, the empty freelist.
	_, head := w.alloc(3)
	clear(head)
	putPageHeader(head[2*pageSize:], boltFreelistPageID, boltFreelistPage, 0, 0)
	root := make([]kv, len(buckets))
	for i, b := range buckets {
		root[i] = kv{k: b.name, v: w.bucket(b)}
	}
	rootID := w.tree(root, boltBucketLeaf)
	if err := w.flush(); err != nil {
		return err
	}
	metas := make([]byte, 2*pageSize)
	for txid := range uint64(2) {
		putMeta(metas[txid*uint64(pageSize):], pageSize, rootID, w.next, txid)
	}
	if _, err := f.WriteAt(metas, 0); err != nil {
		return err
	}
	return f.Sync()
}

// newBucket is a top-level bucket for writeBoltFile.
type newBucket struct {
	name []byte
	seq  uint64
	list []kv
}

// bbolt format constants beside those in open.go (pageHeaderSize, boltMagic,
// boltVersion, metaSumSize).
const (
	boltElemSize       = 16 // leaf and branch elements alike
	boltBucketHeader   = 16
	boltBranchPage     = 0x01
	boltLeafPage       = 0x02
	boltMetaPage       = 0x04
	boltFreelistPage   = 0x10
	boltBucketLeaf     = 0x01
	boltMaxCount       = 0xffff // a page's count is a uint16
	boltFreelistPageID = 2
)

var native = binary.NativeEndian

// pageFile hands out page ids in order and writes the pages through a
// large buffer. (Writing one buffer on another goroutine while the next
// is filled was no faster: BenchmarkWriteBoltFile.)
type pageFile struct {
	f        *os.File
	pageSize int
	buf      []byte // pages from id next-len(buf)/pageSize on, not written yet
	next     uint64 // the next page id (at the end: the high water mark)
	err      error  // the first write error
}

// alloc returns the next n pages (one page and n-1 overflow pages) and
// the id of the first. Their bytes are stale: the caller writes or clears
// every one.
func (w *pageFile) alloc(n int) (uint64, []byte) {
	size := n * w.pageSize
	if len(w.buf)+size > cap(w.buf) {
		_ = w.flush() // an error stays in w.err
		if size > cap(w.buf) {
			w.buf = make([]byte, 0, size)
		}
	}
	p := w.buf[len(w.buf) : len(w.buf)+size]
	w.buf = w.buf[:len(w.buf)+size]
	id := w.next
	w.next += uint64(n)
	return id, p
}

// flush writes the pages filled, unless a write failed before.
func (w *pageFile) flush() error {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.f.Write(w.buf)
	}
	w.buf = w.buf[:0]
	return w.err
}

// bucket writes b's pages unless it is small enough to be inline, and
// returns its value in the root bucket.
func (w *pageFile) bucket(b newBucket) []byte {
	if size := leafSize(b.list); size <= w.pageSize/4 {
		v := make([]byte, boltBucketHeader+size)
		native.PutUint64(v[8:], b.seq)
		fillLeaf(v[boltBucketHeader:], 0, b.list, 0, 0)
		return v
	}
	v := make([]byte, boltBucketHeader)
	native.PutUint64(v, w.tree(b.list, 0))
	native.PutUint64(v[8:], b.seq)
	return v
}

// leafSize is the bytes of a leaf page holding list.
func leafSize(list []kv) int {
	size := pageHeaderSize
	for _, e := range list {
		size += boltElemSize + len(e.k) + len(e.v)
	}
	return size
}

// childRef is a page as its parent branch element names it.
type childRef struct {
	key []byte
	id  uint64
}

// tree writes list (elements flagged flags) as leaf pages, filled up to
// a page each (an element larger than a page gets one of its own, with
// overflow pages), then the branch pages above them level by level, and
// returns the root's page id. An empty list is one empty leaf.
func (w *pageFile) tree(list []kv, flags uint32) uint64 {
	var level []childRef
	for i := 0; ; {
		j, size := i, pageHeaderSize
		for ; j < len(list) && j-i < boltMaxCount; j++ {
			el := boltElemSize + len(list[j].k) + len(list[j].v)
			if j > i && size+el > w.pageSize {
				break
			}
			size += el
		}
		n := (size + w.pageSize - 1) / w.pageSize
		id, p := w.alloc(n)
		fillLeaf(p, id, list[i:j], flags, n-1)
		var first []byte
		if i < j {
			first = list[i].k
		}
		level = append(level, childRef{key: first, id: id})
		if i = j; i == len(list) {
			break
		}
	}
	for len(level) > 1 {
		level = w.branches(level)
	}
	return level[0].id
}

// branches writes the branch pages over children, filled like leaves but
// with two children a page at least, as bbolt splits them (so each level
// has fewer pages than the one below), and returns them as the next level.
func (w *pageFile) branches(children []childRef) []childRef {
	var level []childRef
	for i := 0; i < len(children); {
		j, size := i, pageHeaderSize
		for ; j < len(children) && j-i < boltMaxCount; j++ {
			if j-i >= 2 && size+boltElemSize+len(children[j].key) > w.pageSize {
				break
			}
			size += boltElemSize + len(children[j].key)
		}
		if len(children)-j == 1 { // not one child alone on the last page
			if j-i > 2 {
				j--
				size -= boltElemSize + len(children[j].key)
			} else {
				size += boltElemSize + len(children[j].key)
				j++
			}
		}
		n := (size + w.pageSize - 1) / w.pageSize
		id, p := w.alloc(n)
		putPageHeader(p, id, boltBranchPage, j-i, n-1)
		data := pageHeaderSize + (j-i)*boltElemSize
		for x, c := range children[i:j] {
			at := pageHeaderSize + x*boltElemSize
			native.PutUint32(p[at:], uint32(data-at))
			native.PutUint32(p[at+4:], uint32(len(c.key)))
			native.PutUint64(p[at+8:], c.id)
			data += copy(p[data:], c.key)
		}
		clear(p[data:])
		level = append(level, childRef{key: children[i].key, id: id})
		i = j
	}
	return level
}

// fillLeaf writes list as leaf page id into p (cleared after the last
// value).
func fillLeaf(p []byte, id uint64, list []kv, flags uint32, overflow int) {
	putPageHeader(p, id, boltLeafPage, len(list), overflow)
	data := pageHeaderSize + len(list)*boltElemSize
	for x, e := range list {
		at := pageHeaderSize + x*boltElemSize
		native.PutUint32(p[at:], flags)
		native.PutUint32(p[at+4:], uint32(data-at))
		native.PutUint32(p[at+8:], uint32(len(e.k)))
		native.PutUint32(p[at+12:], uint32(len(e.v)))
		data += copy(p[data:], e.k)
		data += copy(p[data:], e.v)
	}
	clear(p[data:])
}

func putPageHeader(p []byte, id uint64, flags uint16, count, overflow int) {
	native.PutUint64(p, id)
	native.PutUint16(p[8:], flags)
	native.PutUint16(p[10:], uint16(count))
	native.PutUint32(p[12:], uint32(overflow))
}

// putMeta writes meta page txid%2 into p: the root bucket at page root
// (sequence 0), the freelist at page 2, high water mark hwm.
func putMeta(p []byte, pageSize int, root, hwm, txid uint64) {
	clear(p[:pageSize])
	putPageHeader(p, txid%2, boltMetaPage, 0, 0)
	m := p[pageHeaderSize:]
	native.PutUint32(m, boltMagic)
	native.PutUint32(m[4:], boltVersion)
	native.PutUint32(m[8:], uint32(pageSize))
	native.PutUint64(m[16:], root)
	native.PutUint64(m[32:], boltFreelistPageID)
	native.PutUint64(m[40:], hwm)
	native.PutUint64(m[48:], txid)
	h := fnv.New64a()
	h.Write(m[:metaSumSize])
	native.PutUint64(m[metaSumSize:], h.Sum64())
}

// checkBoltList reports whether list is strictly sorted by key, and fails
// as bbolt's Put would on a key or value out of its limits.
func checkBoltList(list []kv) (sorted bool, err error) {
	for i, e := range list {
		switch {
		case len(e.k) == 0:
			return false, berrors.ErrKeyRequired
		case len(e.k) > bolt.MaxKeySize:
			return false, berrors.ErrKeyTooLarge
		case len(e.v) > bolt.MaxValueSize:
			return false, berrors.ErrValueTooLarge
		}
		if i > 0 && string(list[i-1].k) >= string(e.k) {
			return false, nil
		}
	}
	return true, nil
}
