package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// TalkCount is a talk with one user's standing on its cards today.
type TalkCount struct {
	Talk
	New int // active cards the user has no state for
	Due int // active cards with a state, not suspended, due today or before
}

// TalkCounts lists every talk as Talks does (by Seq), with the user's new
// and due cards of each. It reads the talk records and, beside them, the
// user's state summary (statesum.go) and due index up to today:
// O(talks + due cards), no card record. A user without a summary (a schema
// 1 file not migrated yet) has their states counted in one sequential pass
// instead (a state names its card's talk), and the note-order index of the
// talks that have retired cards read (a retired card keeps its state,
// taken back out after the pass): O(talks + states). Active and retired
// counts are the talk records' own. An unknown user has every active card
// new.
func (db *DB) TalkCounts(user string, today scheduler.Day) ([]TalkCount, error) {
	var out []TalkCount
	err := db.view(func(tx *bolt.Tx) error {
		ub, err := userBucket(tx, user)
		if err != nil {
			return err
		}
		if ub != nil && ub.Get(kStateSum) != nil {
			out, err = db.talkCountsFromSum(tx, ub, today)
			return err
		}
		states := sub(ub, bState)
		var scan *stateCounts
		var scanErr error
		var wg sync.WaitGroup
		defer wg.Wait() // the transaction must outlive the pass
		if states != nil {
			wg.Go(func() {
				scanErr = db.guard(func() (err error) {
					scan, err = countStates(states, today)
					return err
				})
			})
		}
		if out, err = loadTalkCounts(tx); err != nil {
			return err
		}
		bySeq := talkLines(out)
		maxSeq := len(bySeq) - 1
		retired, hasRetired, err := retiredCards(tx, out, maxSeq)
		if err != nil {
			return err
		}
		wg.Wait()
		if scanErr != nil {
			return scanErr
		}
		seen := make([]int, len(out))
		if scan != nil {
			for k := range retired {
				v := states.Get(k[:])
				if v == nil {
					continue
				}
				s, err := decodeState(v)
				if err != nil {
					return err
				}
				if seq := stateTalk(v); int(seq) <= maxSeq && hasRetired[seq] {
					scan.add(seq, s, today, -1)
				}
			}
			for seq, line := range bySeq {
				if line >= 0 && seq < len(scan.seen) {
					seen[line], out[line].Due = int(scan.seen[seq]), int(scan.due[seq])
				}
			}
		}
		for i := range out {
			out[i].New = out[i].Cards - seen[i]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadTalkCounts reads every talk record into a line, by Seq.
func loadTalkCounts(tx *bolt.Tx) ([]TalkCount, error) {
	n := min(getU64(tx.Bucket(bMeta), kTalks), 1<<20) // a hint: Import keeps the count
	out := make([]TalkCount, 0, n)
	c := tx.Bucket(bTalks).Cursor()
	var t talkRec
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := decodeTalkTo(&t, string(k), v); err != nil {
			return nil, err
		}
		if t.Seq < 0 || t.Seq > maxTalkSeq {
			return nil, fmt.Errorf("talk %s: seq %d: %w", t.Slug, t.Seq, errCorrupt)
		}
		out = append(out, TalkCount{Talk: t.Talk})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, nil
}

// stateCounts are a user's states counted by the talk seq they name: all
// of them (seen) and those due by a day, not suspended.
type stateCounts struct {
	seen, due []int32
}

func (sc *stateCounts) add(seq uint32, s scheduler.State, today scheduler.Day, n int32) {
	sc.seen[seq] += n
	if !s.Suspended && s.Due <= today {
		sc.due[seq] += n
	}
}

// countStates counts the states by talk seq in one pass; seqs beyond any
// talk's (maxTalkSeq) are left out.
func countStates(states *bolt.Bucket, today scheduler.Day) (*stateCounts, error) {
	sc := &stateCounts{}
	c := states.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		s, err := decodeState(v)
		if err != nil {
			return nil, err
		}
		if len(k) != 8 {
			return nil, fmt.Errorf("state key: %w", errCorrupt)
		}
		seq := stateTalk(v)
		if seq > maxTalkSeq {
			continue
		}
		if int(seq) >= len(sc.seen) {
			n := max(int(seq)+1, 2*len(sc.seen), 1024)
			sc.seen = append(sc.seen, make([]int32, n-len(sc.seen))...)
			sc.due = append(sc.due, make([]int32, n-len(sc.due))...)
		}
		sc.add(seq, s, today, 1)
	}
	return sc, nil
}

// retiredCards are the retired cards of the talks given (retired > 0), read
// from the note-order index, and whether each talk seq has any.
func retiredCards(tx *bolt.Tx, talks []TalkCount, maxSeq int) (map[[8]byte]bool, []bool, error) {
	retired := map[[8]byte]bool{}
	hasRetired := make([]bool, maxSeq+1)
	c := tx.Bucket(bOrder).Cursor()
	for i := range talks {
		t := &talks[i]
		if t.Retired == 0 {
			continue
		}
		hasRetired[t.Seq] = true
		if err := addRetired(c, t.Seq, retired); err != nil {
			return nil, nil, err
		}
	}
	return retired, hasRetired, nil
}

// addRetired adds the retired cards of talk seq to into, read from the
// note-order index with cursor c.
func addRetired(c *bolt.Cursor, seq int, into map[[8]byte]bool) error {
	prefix := binary.BigEndian.AppendUint32(nil, uint32(seq))
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != 16 {
			return fmt.Errorf("order index: %w", errCorrupt)
		}
		if bytes.Equal(v, orderRetired) {
			into[[8]byte(k[8:])] = true
		}
	}
	return nil
}

// talkCountsFromSum is TalkCounts from user bucket ub's state summary and
// due index.
func (db *DB) talkCountsFromSum(tx *bolt.Tx, ub *bolt.Bucket, today scheduler.Day) ([]TalkCount, error) {
	hint := int(min(getU64(tx.Bucket(bMeta), kTalks), maxTalkSeq)) + 1
	var sum *stateSum
	var due []int32 // by talk seq
	var early error
	var wg sync.WaitGroup
	defer wg.Wait() // the transaction must outlive the reads beside
	wg.Go(func() {
		early = db.guard(func() (err error) {
			if sum, _, err = readStateSum(ub, hint); err != nil {
				return err
			}
			due, err = dueBySeq(sub(ub, bDue), today)
			return err
		})
	})
	out, err := loadTalkCounts(tx)
	if err != nil {
		return nil, err
	}
	wg.Wait()
	if early != nil {
		return nil, early
	}
	bySeq := talkLines(out)
	seen := make([]int, len(out))
	for _, t := range sum.talks {
		if uint64(t.seq) < uint64(len(bySeq)) && bySeq[t.seq] >= 0 {
			for _, n := range t.counts {
				seen[bySeq[t.seq]] += int(n)
			}
		}
	}
	for i := range out {
		out[i].New = out[i].Cards - seen[i]
		if s := out[i].Seq; s < len(due) && bySeq[s] == int32(i) {
			out[i].Due = int(due[s])
		}
	}
	return out, nil
}

// talkLines is where each talk seq's line is in out (-1: none; the first,
// should damage have given two talks one seq), indexed by seq.
func talkLines(out []TalkCount) []int32 {
	maxSeq := 0
	for i := range out {
		maxSeq = max(maxSeq, out[i].Seq)
	}
	bySeq := make([]int32, maxSeq+1)
	for i := range bySeq {
		bySeq[i] = -1
	}
	for i := len(out) - 1; i >= 0; i-- {
		bySeq[out[i].Seq] = int32(i)
	}
	return bySeq
}

// dueBySeq counts the due index's entries up to today by the talk seq of
// their card (the first half of the note order each holds).
func dueBySeq(due *bolt.Bucket, today scheduler.Day) ([]int32, error) {
	var out []int32
	if due == nil {
		return out, nil
	}
	end := dayKey(today)
	c := due.Cursor()
	for k, v := c.First(); k != nil && bytes.Compare(k[:min(4, len(k))], end[:]) <= 0; k, v = c.Next() {
		if len(k) != 12 || len(v) != 8 {
			return nil, fmt.Errorf("due index: %w", errCorrupt)
		}
		seq := binary.BigEndian.Uint32(v)
		if seq > maxTalkSeq {
			continue
		}
		if int(seq) >= len(out) {
			out = append(out, make([]int32, max(int(seq)+1, 2*len(out), 1024)-len(out))...)
		}
		out[seq]++
	}
	return out, nil
}
