package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/notes"
	"github.com/talkcards/talkcards/scheduler"
)

// CarryThreshold is the least deck.Similarity between the keys of a retired
// card and a new card for the history to be carried.
const CarryThreshold = 0.6

// SourceFile is one notes file as parsed and generated for Import.
type SourceFile struct {
	Path    string // absolute
	Hash    [32]byte
	Size    int64
	ModTime time.Time
	Talks   []GeneratedTalk
	// Missing means the file is gone: its cards are retired and its stamp
	// forgotten.
	Missing bool
	// Generator is the deck.GeneratorVersion that made Talks and Name the
	// file name it read the notes under (positions and fallback titles
	// come from it), remembered with the stamp; generator 0 (cards made
	// some other way) is never remembered, so the file is never Kept later.
	Generator uint64
	Name      string
	// Kept means the caller did not read the notes again: Hash, Generator
	// and Name are those remembered, as Keepable offered (keep.go). Import
	// leaves the file's cards exactly as stored and counts them Unchanged,
	// as a full import would, or, when the database no longer allows that,
	// fails with a *StaleError naming the file (read it whole and import
	// again). Talks is ignored.
	Kept bool
}

// StaleError is Import's answer when files given as Kept can no longer be
// kept as stored (the database changed since Keepable, or a file read in
// the same import makes cards of their talks). Nothing was written: read
// Paths whole and import again.
type StaleError struct{ Paths []string }

func (e *StaleError) Error() string {
	return fmt.Sprintf("%d unchanged notes files must be read again (first %s)", len(e.Paths), e.Paths[0])
}

// GeneratedTalk is one talk of a file with the cards deck generated for it.
type GeneratedTalk struct {
	Slug, Title string
	Meta        notes.Meta
	Cards       []deck.Card
}

// ImportOptions tune Import.
type ImportOptions struct {
	DryRun bool      // compute the report, write nothing
	Now    time.Time // RetiredAt of the cards retired
	Roots  []string  // the paths the user named, remembered for Sources
}

// ImportReport says what an import changed (or would change), per talk.
type ImportReport struct {
	DryRun bool
	Talks  []TalkReport // in talk order
}

// TalkReport counts one talk's cards. New+Updated+Unchanged is the number
// of cards the talk's files now produce; New includes Restored, retired
// cards that reappeared; a carried pair counts once, as Updated.
type TalkReport struct {
	Slug, Title                      string
	New, Updated, Retired, Unchanged int
	Restored                         int
	Carried                          []Carry
}

// Carry is one retired card whose history moved to a new card.
type Carry struct {
	From, To string
	Users    int // users whose state moved
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import stores the cards of files in one transaction (see doc.go "Import"):
// new IDs are added, IDs no longer produced by their file are retired
// (never deleted), a retired card's history is carried to the new card it
// most resembles, and the files' stamps and opt.Roots are remembered. Cards
// of files not named are untouched. With DryRun nothing is written.
func (db *DB) Import(files []SourceFile, opt ImportOptions) (ImportReport, error) {
	var rep ImportReport
	err := db.update(func(tx *bolt.Tx) error {
		im := &importer{tx: tx, opt: opt, reports: map[string]*TalkReport{}}
		if err := im.run(files); err != nil {
			return err
		}
		rep = im.report()
		if opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return ImportReport{}, err
	}
	rep.DryRun = opt.DryRun
	return rep, nil
}

type produced struct {
	key  [8]byte
	card Card
	n    int // production order, for deterministic matching
}

type stored struct {
	key  [8]byte
	card Card
	n    int
}

type importer struct {
	tx      *bolt.Tx
	opt     ImportOptions
	talks   map[string]*talkRec
	dirty   map[string]bool // talks to write
	newTalk int
	active  int // change of the active-card counter
	reports map[string]*TalkReport
	cards   *bolt.Bucket
	order   *bolt.Bucket
	byFile  *bolt.Bucket
	// touched are the order keys of the cards this import made active or
	// moved: new to a user without a state, even before their marker.
	touched [][]byte
	// pending holds the new keys add writes, per bucket, until flush: bbolt
	// splits nodes only at commit, so inserting many keys in random order
	// into one transaction is quadratic (each insert moves the rest of a
	// huge node); written sorted, each insert appends.
	pending map[*bolt.Bucket][]kv
	adding  int // cards add will write, to size pending
	// Keeping unchanged files (keep.go): the files kept as stored, the
	// files read that make a card another file of the import holds, and
	// the files another file took a card from.
	keeps  *keepIndex
	kept   map[string]bool
	shared map[string]bool
	taken  map[string]bool
	// later, when set (a new database, import_new.go), takes the sorted
	// lists of flush instead of writing them in this transaction.
	later func(name []byte, list []kv)
	// stream (a new database, NewImport) adds each new card as its file
	// comes and encodes its record at once, into blocks: nothing of the
	// file need stay in memory after it.
	stream  bool
	blocks  cardBlocks
	current produced // the card add takes, streaming

	// What the files named produce: the cards (not streaming), the file
	// each card ID came from first (by its place in the import: a map
	// without pointers, which the collector need not scan), the files
	// named and the talks of each, the kept files found stale.
	prod      []produced
	from      map[[8]byte]int32
	inImport  map[string]bool
	fileTalks map[string]map[string]bool
	stale     []string
}

// kv is a key to write and its value, or the card to encode as its value
// (flush encodes them all at once, on every core; a streamed import has
// encoded each as it came).
type kv struct {
	k, v []byte
	card *Card
}

func (im *importer) put(b *bolt.Bucket, k, v []byte) {
	if im.pending == nil {
		im.pending = map[*bolt.Bucket][]kv{}
	}
	list := im.pending[b]
	if list == nil {
		list = make([]kv, 0, im.adding)
	}
	im.pending[b] = append(list, kv{k: k, v: v})
}

// putNewCard is put of a new card's record, encoded in flush, or at once
// when streaming.
func (im *importer) putNewCard(k []byte, c *Card) {
	if im.stream { // k is in the produced card, not kept: copy it
		im.put(im.cards, im.blocks.copy(k), im.blocks.encode(c))
		return
	}
	im.put(im.cards, k, nil)
	list := im.pending[im.cards]
	list[len(list)-1].card = c
}

// flush writes the pending keys of each bucket in key order. Keys that
// all go after the bucket's last (a new database, a new talk's order keys)
// fill their pages, as the bulk loader's do: the default half-full split
// suits inserts between keys, and would double the file and the writing.
func (im *importer) flush() error {
	buckets := []*bolt.Bucket{im.cards, im.order, im.byFile}
	names := [][]byte{bCards, bOrder, bByFile}
	// Encoding and sorting are plain CPU work on our own slices and run
	// in parallel; the writes stay on this goroutine, one bucket after the
	// other: a bbolt transaction is not safe for concurrent use, even on
	// different buckets. A panic in a worker is raised again here, where
	// the caller's guard turns it into an error.
	panics := make([]any, len(buckets))
	var wg sync.WaitGroup
	for i, b := range buckets {
		list := im.pending[b]
		if len(list) == 0 {
			continue
		}
		isCards := b == im.cards && !im.stream
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			if isCards {
				encodeCards(list)
			}
			sortKV(list)
		})
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
	for i, b := range buckets {
		list := im.pending[b]
		if len(list) == 0 {
			continue
		}
		if im.later != nil {
			im.later(names[i], list)
			continue
		}
		if last, _ := b.Cursor().Last(); last == nil || bytes.Compare(list[0].k, last) > 0 {
			b.FillPercent = 1 // all appended: fill the pages
		}
		for _, e := range list {
			if err := b.Put(e.k, e.v); err != nil {
				return err
			}
		}
	}
	clear(im.pending)
	return nil
}

// sortKV sorts list by key. When every key is 8 bytes (the cards bucket:
// card keys are hashes, in no order) it sorts (key as uint64, index)
// pairs and then moves each kv once, instead of moving the kvs themselves
// through bytes.Compare: a third of the storage side of a large import.
func sortKV(list []kv) {
	for _, e := range list {
		if len(e.k) != 8 {
			if !sortRuns(list) {
				slices.SortFunc(list, func(x, y kv) int { return bytes.Compare(x.k, y.k) })
			}
			return
		}
	}
	idx := make([]keyIndex, len(list))
	for i, e := range list {
		idx[i] = keyIndex{binary.BigEndian.Uint64(e.k), i}
	}
	radixSort(idx, make([]keyIndex, len(list)))
	permute(list, idx)
}

// permute puts list in the order of idx, in place: list[j] becomes what
// was at idx[j].i (idx is a permutation; its indexes are used up). Moving
// each element once along the permutation's cycles needs no second list:
// on a large import, fresh memory costs more than the moves.
func permute(list []kv, idx []keyIndex) {
	for j := range idx {
		if idx[j].i < 0 {
			continue // placed
		}
		first, k := list[j], j
		for {
			from := idx[k].i
			idx[k].i = -1
			if from == j {
				list[k] = first
				break
			}
			list[k] = list[from]
			k = from
		}
	}
}

// sortRuns sorts list when its keys come in runs, each run a prefix of
// its own followed by 8 bytes (the file index of an import: path, 0, card
// key; a file's keys together): the runs by prefix, each run by its last 8
// bytes as a number. That is key order when no run's prefix begins
// another's; otherwise, or when the runs are short, it reports false and
// leaves list as it was. The file index of a large import sorts several
// times faster so than by comparing whole keys, which share long paths.
func sortRuns(list []kv) bool {
	type run struct{ start, end int }
	var runs []run
	for i, e := range list {
		if len(e.k) < 8 {
			return false
		}
		if i == 0 || !bytes.Equal(e.k[:len(e.k)-8], list[i-1].k[:len(list[i-1].k)-8]) {
			if len(runs) > len(list)/8 {
				return false // runs too short to gain
			}
			runs = append(runs, run{start: i})
		}
		runs[len(runs)-1].end = i + 1
	}
	prefix := func(r run) []byte { k := list[r.start].k; return k[:len(k)-8] }
	slices.SortFunc(runs, func(a, b run) int { return bytes.Compare(prefix(a), prefix(b)) })
	for i := 1; i < len(runs); i++ {
		if bytes.HasPrefix(prefix(runs[i]), prefix(runs[i-1])) {
			return false // a prefix twice, or one beginning another
		}
	}
	idx, tmp := make([]keyIndex, 0, len(list)), make([]keyIndex, len(list))
	for _, r := range runs {
		from := len(idx)
		for i := r.start; i < r.end; i++ {
			k := list[i].k
			idx = append(idx, keyIndex{binary.BigEndian.Uint64(k[len(k)-8:]), i})
		}
		radixSort(idx[from:], tmp)
	}
	permute(list, idx)
	return true
}

// keyIndex is a key read as a number and where it was.
type keyIndex struct {
	k uint64
	i int
}

// radixSort sorts s by k, a byte at a time from the last (LSD radix sort,
// stable), through tmp (at least as long as s): eight linear passes,
// several times faster than a comparison sort of the hundreds of
// thousands of keys of a large import.
func radixSort(s, tmp []keyIndex) {
	if len(s) < 256 {
		slices.SortFunc(s, func(a, b keyIndex) int { return cmp.Compare(a.k, b.k) })
		return
	}
	from, to := s, tmp[:len(s)]
	for shift := 0; shift < 64; shift += 8 {
		var count [256]int
		for _, e := range from {
			count[byte(e.k>>shift)]++
		}
		if count[byte(from[0].k>>shift)] == len(from) {
			continue // every key has this byte alike
		}
		pos := 0
		for b, n := range count {
			count[b] = pos
			pos += n
		}
		for _, e := range from {
			b := byte(e.k >> shift)
			to[count[b]] = e
			count[b]++
		}
		from, to = to, from
	}
	if &from[0] != &s[0] {
		copy(s, from)
	}
}

// encodeCards encodes the cards of list as their values, on GOMAXPROCS
// goroutines, each into its own cardBlocks.
func encodeCards(list []kv) {
	n := min(runtime.GOMAXPROCS(0), len(list)/1024+1)
	var wg sync.WaitGroup
	for w := range n {
		part := list[w*len(list)/n : (w+1)*len(list)/n]
		wg.Go(func() {
			var blocks cardBlocks
			for i := range part {
				if e := &part[i]; e.card != nil {
					e.v = blocks.encode(e.card)
				}
			}
		})
	}
	wg.Wait()
}

// cardBlocks encodes card records packed in shared blocks: one allocation
// per block rather than one per card, and no slack after each record
// (they stay in memory until the commit).
type cardBlocks struct{ buf []byte }

func (b *cardBlocks) encode(c *Card) []byte {
	b.room(maxCardSize(c))
	start := len(b.buf)
	b.buf = appendCard(b.buf, c)
	return b.buf[start:len(b.buf):len(b.buf)]
}

// copy copies p into the block.
func (b *cardBlocks) copy(p []byte) []byte {
	b.room(len(p))
	start := len(b.buf)
	b.buf = append(b.buf, p...)
	return b.buf[start:len(b.buf):len(b.buf)]
}

// room makes room for n bytes in the block, starting another if needed.
func (b *cardBlocks) room(n int) {
	const block = 1 << 20
	if cap(b.buf)-len(b.buf) < n {
		b.buf = make([]byte, 0, max(block, n))
	}
}

// touch notes that the card at order key k became active or moved.
func (im *importer) touch(k []byte) { im.touched = append(im.touched, k) }

// eachUser calls fn with every user's bucket.
func (im *importer) eachUser(fn func(ub *bolt.Bucket) error) error {
	users := im.tx.Bucket(bUsers)
	return users.ForEachBucket(func(name []byte) error { return fn(users.Bucket(name)) })
}

// putDue gives card k a due-index entry (with its note order) for every user
// whose state of it is not suspended, and the state the card's talk: the
// card is active again (wasActive false) or moved. The summary counts the
// state (again, or under its new talk).
func (im *importer) putDue(k [8]byte, order uint64, wasActive bool) error {
	return im.eachUser(func(ub *bolt.Bucket) error {
		s, ok, err := userState(ub, k)
		if err != nil || !ok {
			return err
		}
		v := slices.Clone(ub.Bucket(bState).Get(k[:]))
		nv := v
		if stateTalk(v) != uint32(order>>32) {
			nv = encodeState(s, uint32(order>>32))
			if err := ub.Bucket(bState).Put(k[:], nv); err != nil {
				return err
			}
		}
		if !wasActive {
			v = nil
		}
		if err := noteState(ub, k[:], v, nv); err != nil {
			return err
		}
		if s.Suspended {
			return nil
		}
		return ub.Bucket(bDue).Put(dueKey(s.Due, k), dueVal(order))
	})
}

// dropDue removes every user's due-index entry of card k, and its state
// from the summary: it is retired.
func (im *importer) dropDue(k [8]byte) error {
	return im.eachUser(func(ub *bolt.Bucket) error {
		s, ok, err := userState(ub, k)
		if err != nil || !ok {
			return err
		}
		if err := noteState(ub, k[:], ub.Bucket(bState).Get(k[:]), nil); err != nil {
			return err
		}
		if s.Suspended {
			return nil
		}
		return ub.Bucket(bDue).Delete(dueKey(s.Due, k))
	})
}

// userState reads a user's state of card k; none when the user (nil ub)
// or their state bucket does not exist yet.
func userState(ub *bolt.Bucket, k [8]byte) (scheduler.State, bool, error) {
	sb := sub(ub, bState)
	if sb == nil {
		return scheduler.State{}, false, nil
	}
	v := sb.Get(k[:])
	if v == nil {
		return scheduler.State{}, false, nil
	}
	s, err := decodeState(v)
	return s, err == nil, err
}

func (im *importer) rep(t *talkRec) *TalkReport {
	r := im.reports[t.Slug]
	if r == nil {
		r = &TalkReport{Slug: t.Slug}
		im.reports[t.Slug] = r
	}
	return r
}

func (im *importer) report() ImportReport {
	var rep ImportReport
	for _, r := range im.reports {
		r.Title = im.talks[r.Slug].Title // the last file's
		if r.Carried == nil {
			r.Carried = []Carry{}
		}
		rep.Talks = append(rep.Talks, *r)
	}
	sort.Slice(rep.Talks, func(i, j int) bool {
		return im.talks[rep.Talks[i].Slug].Seq < im.talks[rep.Talks[j].Slug].Seq
	})
	return rep
}

func (im *importer) talk(slug, title string) *talkRec {
	t := im.talks[slug]
	if t == nil {
		seq := int(getU64(im.tx.Bucket(bMeta), kTalkSeq)) + 1 + im.newTalk
		t = &talkRec{Talk: Talk{Slug: slug, Title: title, Seq: seq}}
		im.talks[slug] = t
		im.newTalk++
	}
	im.dirty[slug] = true
	return t
}

func (im *importer) run(files []SourceFile) error {
	// The cards are counted first, so that the produced cards are one
	// allocation and the map is made once at its size.
	total := 0
	for _, f := range files {
		if !f.Missing && !f.Kept {
			for _, gt := range f.Talks {
				total += len(gt.Cards)
			}
		}
	}
	if err := im.begin(total); err != nil {
		return err
	}
	for _, f := range files {
		if err := im.file(f); err != nil {
			return err
		}
	}
	return im.end(files)
}

// begin readies an import of about cards cards: run, or a new database's
// files one at a time (NewImport).
func (im *importer) begin(cards int) error {
	var err error
	if im.talks, err = loadTalks(im.tx); err != nil {
		return err
	}
	im.dirty = map[string]bool{}
	im.cards = im.tx.Bucket(bCards)
	im.order = im.tx.Bucket(bOrder)
	im.byFile = im.tx.Bucket(bByFile)
	if !im.stream {
		im.prod = make([]produced, 0, cards)
	}
	im.from = make(map[[8]byte]int32, cards)
	im.inImport = map[string]bool{}
	im.fileTalks = map[string]map[string]bool{}
	im.kept, im.shared, im.taken = map[string]bool{}, map[string]bool{}, map[string]bool{}
	return nil
}

// file takes what one named file produces now: its talks, and its cards,
// of which each ID's first is kept (the same point twice gives the same
// card). When streaming (a new database), a new card is added at once.
func (im *importer) file(f SourceFile) error {
	if f.Path == "" || strings.IndexByte(f.Path, 0) >= 0 {
		return fmt.Errorf("import: bad file path %q", f.Path)
	}
	if im.inImport[f.Path] {
		return fmt.Errorf("import %s: file named twice", f.Path)
	}
	im.inImport[f.Path] = true
	file := int32(len(im.inImport)) // f's place in the import
	talks := map[string]bool{}      // the talk slugs the file produces
	im.fileTalks[f.Path] = talks
	if f.Missing {
		return nil
	}
	if f.Kept {
		if im.keeps == nil {
			im.keeps = newKeepIndex(im.tx, im.talks)
		}
		if hash, name, ok := im.keeps.keepable(f.Path, f.Generator); !ok || hash != f.Hash || name != f.Name {
			im.stale = append(im.stale, f.Path)
			return nil
		}
		im.kept[f.Path] = true
		for _, t := range im.keeps.talksOf[f.Path] {
			talks[t.Slug] = true
		}
		return nil
	}
	for _, gt := range f.Talks {
		slug := gt.Slug
		if slug == "" {
			slug = deck.Slug(gt.Title)
		}
		if slug == "" {
			return fmt.Errorf("import %s: talk %q has no usable name", f.Path, gt.Title)
		}
		if len(slug) > 200 {
			return fmt.Errorf("import %s: talk slug too long", f.Path)
		}
		t := im.talk(slug, gt.Title)
		t.Title, t.Meta = gt.Title, gt.Meta
		talks[slug] = true
		for _, dc := range gt.Cards {
			k, err := cardKey(dc.ID)
			if err != nil {
				return fmt.Errorf("import %s: talk %q: bad card ID %q", f.Path, gt.Title, dc.ID)
			}
			if from, ok := im.from[k]; ok {
				if from != file {
					im.shared[f.Path] = true
				}
				continue
			}
			im.from[k] = file
			p := produced{key: k, n: len(im.prod), card: Card{Card: dc, TalkSlug: slug, File: f.Path}}
			if im.stream {
				// add keeps nothing of p: one produced card serves them
				// all, rather than one on the heap each.
				im.current = p
				if err := im.add(&im.current, nil); err != nil {
					return err
				}
				continue
			}
			im.prod = append(im.prod, p)
		}
	}
	return nil
}

// end compares what the files produce with what is stored, and writes the
// changes.
func (im *importer) end(files []SourceFile) error {
	if err := im.keep(files); err != nil {
		return err
	}
	var gone []*stored
	var successor map[*stored][8]byte
	if !im.stream { // streaming, every card was new and is added
		var err error
		if gone, successor, err = im.compare(files); err != nil {
			return err
		}
	}
	if err := im.flush(); err != nil {
		return err
	}
	for _, s := range gone {
		to, carried := successor[s]
		if err := im.retire(s, to, carried); err != nil {
			return err
		}
	}

	// Talk file lists, then counters, sources.
	for _, t := range im.talks {
		var keep []string
		for _, f := range t.Files {
			if !im.inImport[f] || im.fileTalks[f][t.Slug] {
				keep = append(keep, f)
			}
		}
		for f, slugs := range im.fileTalks {
			if slugs[t.Slug] && !slices.Contains(keep, f) {
				keep = append(keep, f)
			}
		}
		sort.Strings(keep)
		if !slices.Equal(keep, t.Files) {
			t.Files = keep
			im.dirty[t.Slug] = true
		}
	}
	return im.finish(files)
}

// compare refreshes the stored cards produced again (same ID, from any
// file), adds the new ones, and returns the cards of the files no longer
// produced, with the fresh card that each carries its history to, if any.
func (im *importer) compare(files []SourceFile) ([]*stored, map[*stored][8]byte, error) {
	var old []*stored
	for _, f := range files {
		if im.kept[f.Path] {
			continue
		}
		prefix := byFileKey(f.Path, [8]byte{})[:len(f.Path)+1]
		c := im.byFile.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var key [8]byte
			if copy(key[:], k[len(prefix):]) != 8 || len(k) != len(prefix)+8 {
				return nil, nil, fmt.Errorf("file index: %w", errCorrupt)
			}
			v := im.cards.Get(key[:])
			if v == nil {
				return nil, nil, fmt.Errorf("file index names card %x: %w", key, errCorrupt)
			}
			card, err := decodeCard(key[:], v)
			if err != nil {
				return nil, nil, err
			}
			old = append(old, &stored{key: key, card: card, n: len(old)})
		}
	}

	// Cards produced again and new ones (all of them in a new database:
	// no lookups then).
	fresh := make([]*produced, 0, len(im.prod))
	first, _ := im.cards.Cursor().First()
	noCards := first == nil
	for i := range im.prod {
		p := &im.prod[i]
		if noCards {
			fresh = append(fresh, p)
			continue
		}
		v := im.cards.Get(p.key[:])
		if v == nil {
			fresh = append(fresh, p)
			continue
		}
		cur, err := decodeCard(p.key[:], v)
		if err != nil {
			return nil, nil, err
		}
		if err := im.refresh(cur, p); err != nil {
			return nil, nil, err
		}
	}

	// Cards of these files no longer produced: retired, carrying history
	// to the most similar fresh card.
	var gone []*stored
	for _, s := range old {
		if _, ok := im.from[s.key]; !s.card.Retired && !ok {
			gone = append(gone, s)
		}
	}
	carry := matchCarries(gone, fresh)
	successor := map[*stored][8]byte{}
	for to, from := range carry {
		successor[from] = to
	}
	im.adding = len(fresh)
	im.touched = slices.Grow(im.touched, len(fresh))
	for _, p := range fresh {
		if err := im.add(p, carry[p.key]); err != nil {
			return nil, nil, err
		}
	}
	return gone, successor, nil
}

// keep checks the kept files and counts their cards Unchanged, as a full
// import would: every active card of their talks is theirs and would be
// made again unchanged. im.stale are the kept files found not keepable; a
// talk of a kept file made by a file read now makes the kept file stale too.
func (im *importer) keep(files []SourceFile) error {
	keptTalk := map[string]string{} // slug → kept file
	stale := im.stale
	for path := range im.kept {
		for slug := range im.fileTalks[path] {
			keptTalk[slug] = path
		}
	}
	for path, slugs := range im.fileTalks {
		if im.kept[path] {
			continue
		}
		for slug := range slugs {
			if k, ok := keptTalk[slug]; ok {
				stale = append(stale, k)
			}
		}
	}
	if len(stale) > 0 {
		slices.Sort(stale)
		return &StaleError{Paths: slices.Compact(stale)}
	}
	for _, f := range files {
		if !im.kept[f.Path] {
			continue
		}
		for _, t := range im.keeps.talksOf[f.Path] {
			if t.Cards > 0 {
				im.rep(t).Unchanged += t.Cards
			}
		}
	}
	return nil
}

// refresh updates a stored card produced again under the same ID.
func (im *importer) refresh(cur Card, p *produced) error {
	t := im.talks[p.card.TalkSlug]
	r := im.rep(t)
	next := p.card
	next.Order = uint64(t.Seq)<<32 | uint64(uint32(next.Seq))
	switch {
	case cur.Retired:
		r.New++
		r.Restored++
		im.active++
		t.gen++
		im.countMove(cur, false, t, true)
	case cur.Prompt != next.Prompt || cur.Answer != next.Answer:
		r.Updated++
		im.countMove(cur, true, t, true)
	default:
		r.Unchanged++
		im.countMove(cur, true, t, true)
	}
	next.Successor = ""
	if cur.Order != next.Order {
		if err := im.order.Delete(orderKey(&cur, p.key)); err != nil {
			return err
		}
		t.gen++
		im.dirty[t.Slug] = true
	}
	if err := im.order.Put(orderKey(&next, p.key), orderActive); err != nil {
		return err
	}
	if cur.Retired || cur.Order != next.Order {
		im.touch(orderKey(&next, p.key))
		if err := im.putDue(p.key, next.Order, !cur.Retired); err != nil {
			return err
		}
	}
	if cur.File != next.File {
		if err := im.byFile.Delete(byFileKey(cur.File, p.key)); err != nil {
			return err
		}
		if !cur.Retired {
			im.taken[cur.File] = true // one of the cards it makes
		}
	}
	if err := im.byFile.Put(byFileKey(next.File, p.key), nil); err != nil {
		return err
	}
	return im.putCard(p.key, &next)
}

// countMove moves a card's count from its stored talk and status to talk t
// as active or not.
func (im *importer) countMove(cur Card, wasActive bool, t *talkRec, active bool) {
	if ot := im.talks[cur.TalkSlug]; ot != nil {
		if wasActive {
			ot.Cards--
		} else {
			ot.Retired--
		}
		im.dirty[ot.Slug] = true
	}
	if active {
		t.Cards++
	} else {
		t.Retired++
	}
	im.dirty[t.Slug] = true
}

// putCard writes c only if its encoding changed, so an unchanged re-import
// writes no card.
func (im *importer) putCard(k [8]byte, c *Card) error {
	v := encodeCard(c)
	if bytes.Equal(im.cards.Get(k[:]), v) {
		return nil
	}
	return im.cards.Put(k[:], v)
}

// add stores a card with a new ID; from is the retired card whose history
// it takes, if any.
func (im *importer) add(p *produced, from *stored) error {
	t := im.talks[p.card.TalkSlug]
	p.card.Order = uint64(t.Seq)<<32 | uint64(uint32(p.card.Seq))
	c := &p.card
	t.Cards++
	t.gen++
	im.active++
	im.dirty[t.Slug] = true
	r := im.rep(t)
	if from == nil {
		r.New++
	} else {
		r.Updated++
		users, err := im.moveHistory(from.key, p.key, c.Order, !from.card.Retired)
		if err != nil {
			return err
		}
		r.Carried = append(r.Carried, Carry{From: from.card.ID, To: c.ID, Users: users})
	}
	ok := orderKey(c, p.key) // Put copies keys: one slice for both
	im.put(im.order, ok, orderActive)
	if !im.stream { // a new database has no users whose new cards to list
		im.touch(ok)
	}
	im.put(im.byFile, byFileKey(c.File, p.key), nil)
	im.putNewCard(p.key[:], c)
	return nil
}

func (im *importer) retire(s *stored, to [8]byte, carried bool) error {
	t := im.talks[s.card.TalkSlug]
	if t == nil {
		return fmt.Errorf("card %s names unknown talk %q: %w", s.card.ID, s.card.TalkSlug, errCorrupt)
	}
	c := s.card
	c.Retired = true
	c.RetiredAt = im.opt.Now.UTC()
	if carried {
		c.Successor = cardID(to[:])
		if err := im.tx.Bucket(bLinks).Put(s.key[:], to[:]); err != nil {
			return err
		}
	} else {
		im.rep(t).Retired++
	}
	if err := im.order.Put(orderKey(&c, s.key), orderRetired); err != nil {
		return err
	}
	if err := im.dropDue(s.key); err != nil {
		return err
	}
	t.Cards--
	t.Retired++
	im.active--
	im.dirty[t.Slug] = true
	return im.putCard(s.key, &c)
}

// moveHistory moves every user's state of card from (active or not) to the
// active card to, with its due-index entry (with to's note order) and its
// share of the summary. The review log keeps naming from.
func (im *importer) moveHistory(from, to [8]byte, order uint64, active bool) (int, error) {
	users := im.tx.Bucket(bUsers)
	n := 0
	err := users.ForEachBucket(func(name []byte) error {
		ub := users.Bucket(name)
		sb := ub.Bucket(bState)
		if sb == nil {
			return nil
		}
		v := sb.Get(from[:])
		if v == nil || sb.Get(to[:]) != nil {
			return nil
		}
		st, err := decodeState(v)
		if err != nil {
			return err
		}
		old := slices.Clone(v)
		v = encodeState(st, uint32(order>>32))
		if err := sb.Delete(from[:]); err != nil {
			return err
		}
		if err := sb.Put(to[:], v); err != nil {
			return err
		}
		if !active {
			old = nil
		}
		if err := noteState(ub, from[:], old, nil); err != nil {
			return err
		}
		if err := noteState(ub, to[:], nil, v); err != nil {
			return err
		}
		if due := ub.Bucket(bDue); due != nil && due.Get(dueKey(st.Due, from)) != nil {
			if err := due.Delete(dueKey(st.Due, from)); err != nil {
				return err
			}
			if err := due.Put(dueKey(st.Due, to), dueVal(order)); err != nil {
				return err
			}
		}
		n++
		return nil
	})
	return n, err
}

// matchCarries pairs retired cards with fresh ones: same talk, heading path
// and kind, key similarity at least CarryThreshold, best pair first, each
// card in at most one pair. It returns fresh key → retired card.
func matchCarries(gone []*stored, fresh []*produced) map[[8]byte]*stored {
	if len(gone) == 0 {
		return map[[8]byte]*stored{} // nothing retired (a first import)
	}
	type pair struct {
		g   *stored
		p   *produced
		sim float64
	}
	group := func(c *Card) string {
		return c.TalkSlug + "\x00" + string(c.Kind) + "\x00" + strings.Join(c.Path, "\x00")
	}
	byGroup := map[string][]*produced{}
	for _, p := range fresh {
		g := group(&p.card)
		byGroup[g] = append(byGroup[g], p)
	}
	var pairs []pair
	for _, g := range gone {
		for _, p := range byGroup[group(&g.card)] {
			if !slices.Equal(g.card.Path, p.card.Path) {
				continue
			}
			if sim := deck.Similarity(g.card.Key, p.card.Key); sim >= CarryThreshold {
				pairs = append(pairs, pair{g, p, sim})
			}
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i], pairs[j]
		if a.sim != b.sim {
			return a.sim > b.sim
		}
		if a.p.n != b.p.n {
			return a.p.n < b.p.n
		}
		return a.g.n < b.g.n
	})
	out := map[[8]byte]*stored{}
	used := map[*stored]bool{}
	for _, pr := range pairs {
		if out[pr.p.key] != nil || used[pr.g] {
			continue
		}
		out[pr.p.key] = pr.g
		used[pr.g] = true
	}
	return out
}

// finish writes talks, counters, file stamps and roots, and lists the
// cards that became active or moved in the early new cards of each user
// without a state for them.
func (im *importer) finish(files []SourceFile) error {
	if len(im.touched) > 0 {
		err := im.eachUser(func(ub *bolt.Bucket) error {
			if err := pruneEarly(im.tx, ub); err != nil {
				return err
			}
			states := ub.Bucket(bState)
			for _, k := range im.touched {
				if states != nil && states.Get(k[8:]) != nil {
					continue
				}
				if err := markEarly(ub, k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	tb := im.tx.Bucket(bTalks)
	for slug := range im.dirty {
		t := im.talks[slug]
		v := encodeTalk(t)
		if bytes.Equal(tb.Get([]byte(slug)), v) {
			continue
		}
		if err := tb.Put([]byte(slug), v); err != nil {
			return err
		}
	}
	meta := im.tx.Bucket(bMeta)
	if im.newTalk > 0 {
		if err := putU64(meta, kTalkSeq, getU64(meta, kTalkSeq)+uint64(im.newTalk)); err != nil {
			return err
		}
		if err := putU64(meta, kTalks, getU64(meta, kTalks)+uint64(im.newTalk)); err != nil {
			return err
		}
	}
	if im.active != 0 {
		if err := putU64(meta, kActive, uint64(int64(getU64(meta, kActive))+int64(im.active))); err != nil {
			return err
		}
	}
	// Generators: forgotten for the files a card was taken from, then
	// remembered for the files read whose cards are all their own.
	for path := range im.taken {
		if err := setGenerator(im.tx, path, 0, ""); err != nil {
			return err
		}
	}
	for _, f := range files {
		if im.kept[f.Path] {
			continue
		}
		g := f.Generator
		if f.Missing || im.shared[f.Path] {
			g = 0
		}
		if err := setGenerator(im.tx, f.Path, g, f.Name); err != nil {
			return err
		}
	}
	fb := im.tx.Bucket(bFiles)
	for _, f := range files {
		if f.Missing {
			if err := fb.Delete([]byte(f.Path)); err != nil {
				return err
			}
			continue
		}
		v := encodeStamp(FileStamp{Hash: f.Hash, Size: f.Size, ModTime: f.ModTime})
		if !bytes.Equal(fb.Get([]byte(f.Path)), v) {
			if err := fb.Put([]byte(f.Path), v); err != nil {
				return err
			}
		}
	}
	rb := im.tx.Bucket(bRoots)
	for _, root := range im.opt.Roots {
		root = filepath.Clean(root)
		dir := byte(1)
		for _, f := range files {
			if f.Path == root {
				dir = 0
			}
		}
		if v := rb.Get([]byte(root)); len(v) == 1 && v[0] == dir {
			continue
		}
		if err := rb.Put([]byte(root), []byte{dir}); err != nil {
			return err
		}
	}
	return nil
}
