package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"path/filepath"
	"slices"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// Bulk loading: the fast way to fill a new database with a large collection
// (the benchmark tool's synthetic one, or a migration). It writes exactly
// the buckets, keys and values Import and Record would write for the same
// input, in large transactions with sorted keys, full pages (FillPercent 1)
// and without fsync until one final Sync. Normal commands never use it:
// they always sync every commit (doc.go).

// bulkBatch is how many keys a bulk transaction writes before it commits.
const bulkBatch = 500_000

// bulkKV is one key and value to write.
type bulkKV struct{ k, v []byte }

// bulkUnsynced runs fn with fsync off, then syncs the file once.
func (db *DB) bulkUnsynced(fn func() error) error {
	if db.readOnly {
		return fmt.Errorf("%s: database opened read-only", db.path)
	}
	db.bolt.NoSync = true
	err := fn()
	db.bolt.NoSync = false
	if serr := db.guard(db.bolt.Sync); err == nil {
		err = serr
	}
	return err
}

// putSorted writes kvs (sorted here) into the bucket at path (created if
// missing), bulkBatch keys per transaction, appending with full pages.
func (db *DB) putSorted(path [][]byte, kvs []bulkKV) error {
	slices.SortFunc(kvs, func(a, b bulkKV) int { return bytes.Compare(a.k, b.k) })
	for start := 0; start == 0 || start < len(kvs); start += bulkBatch {
		chunk := kvs[start:min(start+bulkBatch, len(kvs))]
		err := db.update(func(tx *bolt.Tx) error {
			b, err := bucketPath(tx, path)
			if err != nil {
				return err
			}
			b.FillPercent = 1.0
			for _, kv := range chunk {
				if err := b.Put(kv.k, kv.v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// bucketPath returns the bucket at path, creating it and its parents.
func bucketPath(tx *bolt.Tx, path [][]byte) (*bolt.Bucket, error) {
	b, err := tx.CreateBucketIfNotExists(path[0])
	for _, p := range path[1:] {
		if err != nil {
			return nil, err
		}
		b, err = b.CreateBucketIfNotExists(p)
	}
	return b, err
}

// ErrNotEmpty means a bulk import was asked of a database that already
// holds cards.
var ErrNotEmpty = errors.New("database is not empty")

// BulkImport stores files in a new, empty database exactly as Import would
// (same buckets, keys, values and counters), but fast: sorted keys, full
// pages, large transactions, one fsync at the end. A database that already
// has talks gives ErrNotEmpty.
func (db *DB) BulkImport(files []SourceFile, opt ImportOptions) error {
	var empty bool
	err := db.view(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bCards).Cursor().First()
		empty = getU64(tx.Bucket(bMeta), kTalkSeq) == 0 && k == nil
		return nil
	})
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("bulk import into %s: %w", db.path, ErrNotEmpty)
	}
	talks := map[string]*talkRec{}
	var talkOrder []*talkRec
	seen := map[[8]byte]bool{}
	fileTalks := map[string]map[string]bool{}
	var cards, order, byFile, stamps []bulkKV
	for _, f := range files {
		if f.Path == "" || bytes.IndexByte([]byte(f.Path), 0) >= 0 {
			return fmt.Errorf("bulk import: bad file path %q", f.Path)
		}
		if fileTalks[f.Path] != nil {
			return fmt.Errorf("bulk import %s: file named twice", f.Path)
		}
		fileTalks[f.Path] = map[string]bool{}
		if f.Missing {
			continue
		}
		stamps = append(stamps, bulkKV{[]byte(f.Path), encodeStamp(FileStamp{Hash: f.Hash, Size: f.Size, ModTime: f.ModTime})})
		for _, gt := range f.Talks {
			slug := gt.Slug
			if slug == "" || len(slug) > 200 {
				return fmt.Errorf("bulk import %s: talk %q: bad slug %q", f.Path, gt.Title, slug)
			}
			t := talks[slug]
			if t == nil {
				t = &talkRec{Talk: Talk{Slug: slug, Seq: len(talkOrder) + 1}}
				talks[slug] = t
				talkOrder = append(talkOrder, t)
			}
			for _, dc := range gt.Cards {
				k, err := cardKey(dc.ID)
				if err != nil {
					return fmt.Errorf("bulk import %s: talk %q: bad card ID %q", f.Path, gt.Title, dc.ID)
				}
				if seen[k] {
					continue
				}
				seen[k] = true
				c := Card{Card: dc, TalkSlug: slug, File: f.Path}
				c.Order = uint64(t.Seq)<<32 | uint64(uint32(c.Seq))
				t.Cards++
				t.gen++
				cards = append(cards, bulkKV{slices.Clone(k[:]), encodeCard(&c)})
				order = append(order, bulkKV{orderKey(&c, k), orderActive})
				byFile = append(byFile, bulkKV{byFileKey(f.Path, k), nil})
			}
			t.Title, t.Meta = gt.Title, gt.Meta
			fileTalks[f.Path][slug] = true
		}
	}
	var talkKVs []bulkKV
	for _, t := range talkOrder {
		for f, slugs := range fileTalks {
			if slugs[t.Slug] {
				t.Files = append(t.Files, f)
			}
		}
		sort.Strings(t.Files)
		talkKVs = append(talkKVs, bulkKV{[]byte(t.Slug), encodeTalk(t)})
	}
	var roots []bulkKV
	for _, root := range opt.Roots {
		root = filepath.Clean(root)
		dir := byte(1)
		if fileTalks[root] != nil {
			dir = 0
		}
		roots = append(roots, bulkKV{[]byte(root), []byte{dir}})
	}
	var meta []bulkKV // Import's counters, written as it writes them
	if len(talkOrder) > 0 {
		meta = append(meta, bulkKV{kTalkSeq, u64key(uint64(len(talkOrder)))}, bulkKV{kTalks, u64key(uint64(len(talkOrder)))})
	}
	if len(cards) > 0 {
		meta = append(meta, bulkKV{kActive, u64key(uint64(len(cards)))})
	}
	if opt.DryRun {
		return nil
	}
	return db.bulkUnsynced(func() error {
		for _, w := range []struct {
			name []byte
			kvs  []bulkKV
		}{{bCards, cards}, {bOrder, order}, {bByFile, byFile}, {bTalks, talkKVs}, {bFiles, stamps}, {bRoots, roots}} {
			if len(w.kvs) == 0 {
				continue
			}
			if err := db.putSorted([][]byte{w.name}, w.kvs); err != nil {
				return err
			}
		}
		return db.update(func(tx *bolt.Tx) error {
			m := tx.Bucket(bMeta)
			for _, kv := range meta {
				if err := m.Put(kv.k, kv.v); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// Answer is one answer as Record takes it: the review, the day it counts
// for and the state to store (nil for an answer that leaves the schedule
// alone).
type Answer struct {
	Review Review
	Day    scheduler.Day
	Next   *scheduler.State
}

// BulkHistory stores a user's history, oldest answer first, exactly as that
// many Record calls would — review log, states, due index, day and talk-day
// aggregates, "introduced" markers and counters — but in large unsynced
// transactions with one fsync at the end. The user must have no history yet.
// The last answers (as many as Undo keeps) go through Record's own code, so
// they can be undone as usual.
func (db *DB) BulkHistory(user string, answers iter.Seq[Answer]) error {
	if err := ValidUser(user); err != nil {
		return err
	}
	type cardInfo struct {
		talk   uint32
		order  uint64
		active bool
	}
	cardTalk := map[[8]byte]cardInfo{}
	talkBySeq := map[uint32]*talkRec{}
	err := db.view(func(tx *bolt.Tx) error {
		if ub, _ := userBucket(tx, user); ub != nil && getU64(ub, kInfo) != 0 {
			return fmt.Errorf("bulk history of %s: %w", user, ErrNotEmpty)
		}
		talks, err := loadTalks(tx)
		if err != nil {
			return err
		}
		for _, t := range talks {
			talkBySeq[uint32(t.Seq)] = t
		}
		return tx.Bucket(bOrder).ForEach(func(k, v []byte) error {
			if len(k) != 16 {
				return fmt.Errorf("order index: %w", errCorrupt)
			}
			cardTalk[[8]byte(k[8:])] = cardInfo{binary.BigEndian.Uint32(k), binary.BigEndian.Uint64(k), !bytes.Equal(v, orderRetired)}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if err := db.update(func(tx *bolt.Tx) error {
		ub, err := userBucketRW(tx, user)
		for _, name := range [][]byte{bTalkDays, bTalkSum} {
			if err == nil {
				_, err = ub.CreateBucketIfNotExists(name)
			}
		}
		return err
	}); err != nil {
		return err
	}

	states := map[[8]byte]scheduler.State{}
	introduced := map[uint32]bool{}
	days := map[scheduler.Day]*DayAgg{}
	type tdKey struct {
		talk uint32
		day  scheduler.Day
	}
	talkDays := map[tdKey]*DayAgg{}
	var seq uint64
	var log []bulkKV
	userPath := [][]byte{bUsers, []byte(user)}
	flushLog := func() error {
		if len(log) == 0 {
			return nil
		}
		err := db.putSorted(append(userPath, bLog), log)
		log = log[:0]
		return err
	}
	apply := func(a Answer) error {
		r := a.Review
		k, err := cardKey(r.Card)
		if err != nil {
			return err
		}
		ci, ok := cardTalk[k]
		if !ok {
			return fmt.Errorf("bulk history: card %s: %w", r.Card, ErrNotFound)
		}
		if r.Grade < 0 || r.Grade > 5 || r.Kind >= numKinds {
			return fmt.Errorf("bulk history: bad answer %+v", r)
		}
		ps, had := states[k]
		r.Day, r.PrevInterval = a.Day, ps.Interval
		r.Scheduled, r.Introduced = a.Next != nil, a.Next != nil && !had
		entry := encodeReview(k, r)
		if r, err = decodeReview(entry); err != nil {
			return err
		}
		seq++
		log = append(log, bulkKV{u64key(seq), entry})
		if a.Next != nil {
			states[k] = *a.Next
			if !had {
				introduced[ci.talk] = true
			}
		}
		d := days[r.Day]
		if d == nil {
			d = &DayAgg{Day: r.Day}
			days[r.Day] = d
		}
		d.add(r, 1)
		tk := tdKey{ci.talk, r.Day}
		td := talkDays[tk]
		if td == nil {
			td = &DayAgg{Day: r.Day}
			talkDays[tk] = td
		}
		td.add(r, 1)
		if len(log) == bulkBatch {
			return flushLog()
		}
		return nil
	}

	// Hold the last undoKeep answers back for Record.
	var tail []Answer
	err = db.bulkUnsynced(func() error {
		for a := range answers {
			tail = append(tail, a)
			if len(tail) > 2*undoKeep {
				for _, a := range tail[:undoKeep] {
					if err := apply(a); err != nil {
						return err
					}
				}
				tail = append(tail[:0], tail[undoKeep:]...)
			}
		}
		if len(tail) > undoKeep {
			for _, a := range tail[:len(tail)-undoKeep] {
				if err := apply(a); err != nil {
					return err
				}
			}
			tail = tail[len(tail)-undoKeep:]
		}
		if err := flushLog(); err != nil {
			return err
		}
		var stateKVs, dueKVs, dayKVs, talkDayKVs, talkSumKVs []bulkKV
		for k, s := range states {
			stateKVs = append(stateKVs, bulkKV{slices.Clone(k[:]), encodeState(s, cardTalk[k].talk)})
			if ci := cardTalk[k]; !s.Suspended && ci.active {
				dueKVs = append(dueKVs, bulkKV{dueKey(s.Due, k), dueVal(ci.order)})
			}
		}
		for day, a := range days {
			dayKVs = append(dayKVs, bulkKV{dayKeySlice(day), encodeDayAgg(*a)})
		}
		sums := map[uint32]*talkSum{}
		for tk, a := range talkDays {
			t := talkBySeq[tk.talk]
			if t == nil {
				return fmt.Errorf("order index names talk %d: %w", tk.talk, errCorrupt)
			}
			talkDayKVs = append(talkDayKVs, bulkKV{talkDayKey(t.Slug, tk.day), encodeDayAgg(*a)})
			s := sums[tk.talk]
			if s == nil {
				s = &talkSum{}
				sums[tk.talk] = s
				s.addDay(*a, true)
			} else {
				s.addDay(*a, false)
			}
		}
		for ts, s := range sums {
			talkSumKVs = append(talkSumKVs, bulkKV{[]byte(talkBySeq[ts].Slug), encodeTalkSum(*s)})
		}
		for _, w := range []struct {
			name []byte
			kvs  []bulkKV
		}{{bState, stateKVs}, {bDue, dueKVs}, {bDays, dayKVs}, {bTalkDays, talkDayKVs}, {bTalkSum, talkSumKVs}} {
			if len(w.kvs) == 0 {
				continue
			}
			if err := db.putSorted(append(userPath, w.name), w.kvs); err != nil {
				return err
			}
		}
		err := db.update(func(tx *bolt.Tx) error {
			ub := tx.Bucket(bUsers).Bucket([]byte(user))
			// The states went in without their summary's upkeep.
			retired, err := retiredKeys(tx)
			if err != nil {
				return err
			}
			if err := buildStateSum(ub, retired); err != nil {
				return err
			}
			if seq > 0 {
				if err := ub.Bucket(bLog).SetSequence(seq); err != nil {
					return err
				}
				if err := putU64(ub, kInfo, seq); err != nil {
					return err
				}
			}
			talkSeqs := make([]uint32, 0, len(introduced))
			for ts := range introduced {
				talkSeqs = append(talkSeqs, ts)
			}
			slices.Sort(talkSeqs)
			for _, ts := range talkSeqs {
				if err := advanceIntro(tx, ub, talkBySeq[ts]); err != nil {
					return err
				}
			}
			if len(talkSeqs) > 0 {
				return advanceFirst(tx, ub)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return db.update(func(tx *bolt.Tx) error {
			for _, a := range tail {
				if err := recordTx(tx, user, a.Review, a.Day, a.Next); err != nil {
					return err
				}
			}
			return nil
		})
	})
	return err
}
