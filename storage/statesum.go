package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// The state summary (doc.go "State summary") is what a report of all talks
// would otherwise count in a pass over every state: per talk, the states
// of active cards by stage; the histograms; and the hardest of them. Every
// write of a state, and every change of whether a state's card is active,
// goes through noteState, so the summary stays what a pass would find.
var (
	bSumTalk  = []byte("sumtalk")  // talk seq (4) → learning, young, mature, suspended, unreviewed (uint32 each)
	bHard     = []byte("hard")     // card key → lapses uint32 | easiness bits uint64 | interval uint32 | talk seq uint32
	bSumDue   = []byte("sumdue")   // day key → uint32: the due index's entries of that day
	kStateSum = []byte("statesum") // the summary's head, in the user bucket
)

const (
	sumVersion  = 1
	sumHeadSize = 1 + 4*(8+6) + 4 + 1 + 4 + 8 + 4
	hardValSize = 4 + 8 + 4 + 4
	// hardKeep is how many hardest states a trimmed hard list keeps at
	// least (a report asks for DefaultHardest); it is trimmed once it
	// holds twice what it held after the last trim, and at least
	// hardTrim. A bounded list whose cards got easier, were suspended or
	// retired until fewer than hardLow are left is rebuilt from the
	// states by the next write transaction (a bound never falls by
	// itself, and a report that cannot tell the hardest from the list
	// makes the pass).
	hardKeep = 256
	hardTrim = 1024
	hardLow  = hardKeep / 4
)

// sumHead is the summary's head: the histograms of the states of active
// cards reviewed and not suspended, and the hard list's bookkeeping. The
// hard list holds every state of an active card not suspended and reviewed
// with lapses or an easiness below the initial one that is strictly harder
// than bound (every such state when unbounded), and maybe a few more.
type sumHead struct {
	hist    [8 + 6]uint32 // intervals, then easiness
	hardN   uint32        // entries in the hard list
	bounded bool
	short   bool     // bounded, and so few left that the next write transaction rebuilds it
	bound   hardCand // lapses and easiness only
	trimAt  uint32   // trim the list when it holds more
}

func decodeSumHead(v []byte) (sumHead, error) {
	var h sumHead
	if len(v) != sumHeadSize || v[0] != sumVersion {
		return h, fmt.Errorf("state summary: %w", errCorrupt)
	}
	p := v[1:]
	for i := range h.hist {
		h.hist[i] = binary.BigEndian.Uint32(p)
		p = p[4:]
	}
	h.hardN = binary.BigEndian.Uint32(p)
	h.bounded, h.short = p[4] != 0, p[4] == 2
	h.bound.lapses = int32(binary.BigEndian.Uint32(p[5:]))
	h.bound.easiness = math.Float64frombits(binary.BigEndian.Uint64(p[9:]))
	h.trimAt = binary.BigEndian.Uint32(p[17:])
	return h, nil
}

func (h *sumHead) encode() []byte {
	b := make([]byte, 0, sumHeadSize)
	b = append(b, sumVersion)
	for _, n := range h.hist {
		b = binary.BigEndian.AppendUint32(b, n)
	}
	b = binary.BigEndian.AppendUint32(b, h.hardN)
	switch {
	case h.short:
		b = append(b, 2)
	case h.bounded:
		b = append(b, 1)
	default:
		b = append(b, 0)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(h.bound.lapses))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(h.bound.easiness))
	return binary.BigEndian.AppendUint32(b, h.trimAt)
}

// stateShare is what one encoded state counts for in the summary.
type stateShare struct {
	seq    uint32
	stage  int // -1 nothing (no talk a report indexes), 0–2 stage, 3 suspended, 4 never reviewed
	iv, ez int // histogram buckets (stage 0–2)
	hard   bool
	cand   hardCand
	// inDue: the state has a due-index entry (it is not suspended; its
	// card is active, or it would not be counted), on day due.
	inDue bool
	due   scheduler.Day
}

// shareOf is what scanStates counts of state v (of card key).
func shareOf(key, v []byte) (stateShare, error) {
	if len(v) != stateSize || v[0] != 1 || len(key) != 8 {
		return stateShare{}, fmt.Errorf("card state: %w", errCorrupt)
	}
	s := stateShare{seq: stateTalk(v), stage: -1}
	s.inDue, s.due = v[25]&1 == 0, scheduler.Day(int32(binary.BigEndian.Uint32(v[17:])))
	switch {
	case s.seq > maxTalkSeq:
		return s, nil
	case v[25]&1 != 0:
		s.stage = 3
		return s, nil
	}
	interval := int32(binary.BigEndian.Uint32(v[13:]))
	lapses := int32(binary.BigEndian.Uint32(v[21:]))
	if interval == 0 && lapses == 0 &&
		binary.BigEndian.Uint32(v[1:])|binary.BigEndian.Uint32(v[17:])|binary.BigEndian.Uint32(v[26:]) == 0 {
		s.stage = 4 // never reviewed: new to a report
		return s, nil
	}
	easiness := math.Float64frombits(binary.BigEndian.Uint64(v[5:]))
	s.stage = stage(int(interval))
	s.iv, s.ez = intervalIndex(int(interval)), easinessFast(easiness)
	s.hard = lapses > 0 || easiness < scheduler.InitialEasiness
	s.cand = hardCand{key: [8]byte(key), seq: s.seq, lapses: lapses, interval: interval, easiness: easiness}
	return s, nil
}

func encodeHard(cd *hardCand) []byte {
	b := make([]byte, 0, hardValSize)
	b = binary.BigEndian.AppendUint32(b, uint32(cd.lapses))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(cd.easiness))
	b = binary.BigEndian.AppendUint32(b, uint32(cd.interval))
	return binary.BigEndian.AppendUint32(b, cd.seq)
}

func decodeHard(k, v []byte) (hardCand, error) {
	if len(k) != 8 || len(v) != hardValSize {
		return hardCand{}, fmt.Errorf("hard list: %w", errCorrupt)
	}
	return hardCand{
		key:      [8]byte(k),
		lapses:   int32(binary.BigEndian.Uint32(v)),
		easiness: math.Float64frombits(binary.BigEndian.Uint64(v[4:])),
		interval: int32(binary.BigEndian.Uint32(v[12:])),
		seq:      binary.BigEndian.Uint32(v[16:]),
	}, nil
}

// noteState keeps user bucket ub's summary: card key's state counted so
// far was old and is now new (nil: none counted, as for a retired card's).
// A user bucket without a summary head keeps none (a schema 1 file read
// before its migration, or a bulk load that builds it at its end).
func noteState(ub *bolt.Bucket, key, old, new []byte) error {
	hv := ub.Get(kStateSum)
	if hv == nil || bytes.Equal(old, new) {
		return nil
	}
	h, err := decodeSumHead(hv)
	if err != nil {
		return err
	}
	var was, now stateShare
	was.stage, now.stage = -1, -1
	if old != nil {
		if was, err = shareOf(key, old); err != nil {
			return err
		}
	}
	if new != nil {
		if now, err = shareOf(key, new); err != nil {
			return err
		}
	}
	talks, hard := ub.Bucket(bSumTalk), ub.Bucket(bHard)
	if talks == nil || hard == nil {
		return fmt.Errorf("state summary: %w", errCorrupt)
	}
	if err := shareTalk(talks, was, -1); err != nil {
		return err
	}
	if err := shareTalk(talks, now, 1); err != nil {
		return err
	}
	if due := ub.Bucket(bSumDue); due == nil {
		h.short = true // a summary from before the due counts: the next write rebuilds it
	} else if err := shareDue(due, was, now); err != nil {
		return err
	}
	if was.stage >= 0 && was.stage < 3 {
		h.hist[was.iv]--
		h.hist[8+was.ez]--
	}
	if now.stage >= 0 && now.stage < 3 {
		h.hist[now.iv]++
		h.hist[8+now.ez]++
	}
	if hard.Get(key) != nil {
		if err := hard.Delete(key); err != nil {
			return err
		}
		h.hardN--
		h.short = h.short || h.bounded && h.hardN < hardLow
	}
	if now.stage >= 0 && now.stage < 3 && now.hard && (!h.bounded || harder(&now.cand, &h.bound) < 0) {
		if err := hard.Put(key, encodeHard(&now.cand)); err != nil {
			return err
		}
		h.hardN++
		if h.hardN > h.trimAt {
			if err := trimHard(hard, &h); err != nil {
				return err
			}
		}
	}
	return ub.Put(kStateSum, h.encode())
}

// shareTalk adds (d 1) or takes away (d -1) a state's share of its talk's
// counts; a talk whose counts fall to zero loses its key.
func shareTalk(talks *bolt.Bucket, s stateShare, d int) error {
	if s.stage < 0 {
		return nil
	}
	k := binary.BigEndian.AppendUint32(nil, s.seq)
	var c [talkShareN]uint32
	if v := talks.Get(k); v != nil {
		if len(v) != 4*talkShareN {
			return fmt.Errorf("state summary of talk %d: %w", s.seq, errCorrupt)
		}
		for i := range c {
			c[i] = binary.BigEndian.Uint32(v[4*i:])
		}
	}
	c[s.stage] += uint32(d)
	if c == [talkShareN]uint32{} {
		return talks.Delete(k)
	}
	return talks.Put(k, encodeTalkShare(c))
}

// shareDue moves a state's due-index entry in the due counts by day, from
// what it was to what it is now.
func shareDue(due *bolt.Bucket, was, now stateShare) error {
	if was.inDue == now.inDue && (!now.inDue || was.due == now.due) {
		return nil
	}
	for _, s := range []struct {
		share stateShare
		d     uint32
	}{{was, ^uint32(0)}, {now, 1}} {
		if !s.share.inDue {
			continue
		}
		k := dayKey(s.share.due)
		var n uint32
		if v := due.Get(k[:]); len(v) == 4 {
			n = binary.BigEndian.Uint32(v)
		} else if v != nil {
			return fmt.Errorf("due counts: %w", errCorrupt)
		}
		if n += s.d; n == 0 {
			if err := due.Delete(k[:]); err != nil {
				return err
			}
		} else if err := due.Put(k[:], binary.BigEndian.AppendUint32(nil, n)); err != nil {
			return err
		}
	}
	return nil
}

// talkShareN is how many counts a talk's summary holds.
const talkShareN = 5

func encodeTalkShare(c [talkShareN]uint32) []byte {
	b := make([]byte, 0, 4*talkShareN)
	for _, n := range c {
		b = binary.BigEndian.AppendUint32(b, n)
	}
	return b
}

// hardOrder sorts hard candidates hardest first, ties by card key (so a
// trim or a build picks the same bound from the same states).
func hardOrder(a, b hardCand) int {
	return cmp.Or(harder(&a, &b), bytes.Compare(a.key[:], b.key[:]))
}

// cutHard picks the bound for a sorted hard list: the first value past the
// hardKeep-th entry that is strictly easier than it, and how many entries
// are strictly harder than that (all of them kept). ok is false when no
// such value exists: the list cannot shrink.
func cutHard(list []hardCand) (bound hardCand, keep int, ok bool) {
	if len(list) <= hardKeep {
		return hardCand{}, len(list), false
	}
	last := &list[hardKeep-1]
	for j := hardKeep; j < len(list); j++ {
		if harder(&list[j], last) > 0 {
			return hardCand{lapses: list[j].lapses, easiness: list[j].easiness}, j, true
		}
	}
	return hardCand{}, len(list), false
}

// trimHard shrinks the hard list to about hardKeep entries, raising the
// bound; it leaves it as it is when ties make that impossible, and tries
// again once it has doubled.
func trimHard(hard *bolt.Bucket, h *sumHead) error {
	var list []hardCand
	err := hard.ForEach(func(k, v []byte) error {
		cd, err := decodeHard(k, v)
		list = append(list, cd)
		return err
	})
	if err != nil {
		return err
	}
	slices.SortFunc(list, hardOrder)
	if bound, keep, ok := cutHard(list); ok {
		for i := keep; i < len(list); i++ {
			if err := hard.Delete(list[i].key[:]); err != nil {
				return err
			}
		}
		h.bounded, h.bound, h.hardN = true, bound, uint32(keep)
	}
	h.trimAt = max(hardTrim, 2*h.hardN)
	return nil
}

// retiredKeys is the set of retired cards (read from the note-order index
// of the talks whose records count any).
func retiredKeys(tx *bolt.Tx) (map[[8]byte]bool, error) {
	out := map[[8]byte]bool{}
	c := tx.Bucket(bOrder).Cursor()
	err := tx.Bucket(bTalks).ForEach(func(slug, v []byte) error {
		t, err := decodeTalk(string(slug), v)
		if err != nil || t.Retired == 0 {
			return err
		}
		return addRetired(c, t.Seq, out)
	})
	return out, err
}

// buildStateSum makes user bucket ub's summary afresh from its states
// (retired names the retired cards, whose states it leaves out).
func buildStateSum(ub *bolt.Bucket, retired map[[8]byte]bool) error {
	for _, name := range [][]byte{bSumTalk, bHard, bSumDue} {
		if ub.Bucket(name) != nil {
			if err := ub.DeleteBucket(name); err != nil {
				return err
			}
		}
	}
	talks, err := ub.CreateBucket(bSumTalk)
	if err != nil {
		return err
	}
	hard, err := ub.CreateBucket(bHard)
	if err != nil {
		return err
	}
	dueB, err := ub.CreateBucket(bSumDue)
	if err != nil {
		return err
	}
	sh := countShares(ub, retired)
	h := sumHead{hist: sh.hist}
	list := sh.hard
	seqs := make([]uint32, 0, len(sh.talks))
	for s := range sh.talks {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	talks.FillPercent = 1
	for _, s := range seqs {
		if err := talks.Put(binary.BigEndian.AppendUint32(nil, s), encodeTalkShare(*sh.talks[s])); err != nil {
			return err
		}
	}
	days := make([]scheduler.Day, 0, len(sh.due))
	for d := range sh.due {
		days = append(days, d)
	}
	slices.Sort(days)
	dueB.FillPercent = 1
	for _, d := range days {
		k := dayKey(d)
		if err := dueB.Put(k[:], binary.BigEndian.AppendUint32(nil, sh.due[d])); err != nil {
			return err
		}
	}
	slices.SortFunc(list, hardOrder)
	bound, keep, ok := cutHard(list)
	h.bounded, h.bound = ok, bound
	list = list[:keep]
	slices.SortFunc(list, func(a, b hardCand) int { return bytes.Compare(a.key[:], b.key[:]) })
	for i := range list {
		if err := hard.Put(list[i].key[:], encodeHard(&list[i])); err != nil {
			return err
		}
	}
	h.hardN = uint32(len(list))
	h.trimAt = max(hardTrim, 2*h.hardN)
	return ub.Put(kStateSum, h.encode())
}

// shares are a user's states counted as the summary counts them.
type shares struct {
	talks map[uint32]*[talkShareN]uint32
	hist  [8 + 6]uint32
	hard  []hardCand
	due   map[scheduler.Day]uint32
}

// countShares counts user bucket ub's states as its summary does (those of
// the retired cards left out).
func countShares(ub *bolt.Bucket, retired map[[8]byte]bool) *shares {
	sh := &shares{talks: map[uint32]*[talkShareN]uint32{}, due: map[scheduler.Day]uint32{}}
	sb := ub.Bucket(bState)
	if sb == nil {
		return sh
	}
	_ = sb.ForEach(func(k, v []byte) error {
		s, err := shareOf(k, v)
		if err != nil || retired[[8]byte(k)] {
			return nil // a bad state is Verify's to report
		}
		if s.inDue {
			sh.due[s.due]++
		}
		if s.stage < 0 {
			return nil
		}
		c := sh.talks[s.seq]
		if c == nil {
			c = new([talkShareN]uint32)
			sh.talks[s.seq] = c
		}
		c[s.stage]++
		if s.stage < 3 {
			sh.hist[s.iv]++
			sh.hist[8+s.ez]++
			if s.hard {
				sh.hard = append(sh.hard, s.cand)
			}
		}
		return nil
	})
	return sh
}

// buildStateSums builds every user's summary that is missing or whose hard
// list ran short (all = false), or every user's (all = true: Repair).
func buildStateSums(tx *bolt.Tx, all bool) error {
	users := tx.Bucket(bUsers)
	var todo [][]byte
	for _, name := range userNames(tx) {
		ub := users.Bucket(name)
		v := ub.Get(kStateSum)
		h, err := decodeSumHead(v)
		if all || v == nil || err == nil && h.short || ub.Bucket(bSumDue) == nil {
			todo = append(todo, name)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	retired, err := retiredKeys(tx)
	if err != nil {
		return err
	}
	for _, name := range todo {
		if err := buildStateSum(users.Bucket(name), retired); err != nil {
			return err
		}
	}
	return nil
}

// stateSum is a user's summary as a report reads it.
type stateSum struct {
	talks   []talkShare // by talk seq
	hist    stateHist
	hard    []hardCand // sorted hardest first
	bounded bool
	bound   hardCand
}

// talkShare is one talk's counts in a summary: learning, young, mature,
// suspended, never reviewed.
type talkShare struct {
	seq    uint32
	counts [talkShareN]int32
}

// readStateSum reads ub's summary (hint: about how many talks); ok is
// false when it keeps none.
func readStateSum(ub *bolt.Bucket, hint int) (sum *stateSum, ok bool, err error) {
	if ub == nil {
		return nil, false, nil
	}
	v := ub.Get(kStateSum)
	if v == nil {
		return nil, false, nil
	}
	h, err := decodeSumHead(v)
	if err != nil {
		return nil, false, err
	}
	talks, hard := ub.Bucket(bSumTalk), ub.Bucket(bHard)
	if talks == nil || hard == nil {
		return nil, false, fmt.Errorf("state summary: %w", errCorrupt)
	}
	sum = &stateSum{talks: make([]talkShare, 0, hint), bounded: h.bounded, bound: h.bound}
	for i := range sum.hist.intervals {
		sum.hist.intervals[i] = int(int32(h.hist[i]))
	}
	for i := range sum.hist.easiness {
		sum.hist.easiness[i] = int(int32(h.hist[8+i]))
	}
	err = talks.ForEach(func(k, v []byte) error {
		if len(k) != 4 || len(v) != 4*talkShareN {
			return fmt.Errorf("state summary: %w", errCorrupt)
		}
		var c [talkShareN]int32
		for i := range c {
			c[i] = int32(binary.BigEndian.Uint32(v[4*i:]))
		}
		sum.talks = append(sum.talks, talkShare{binary.BigEndian.Uint32(k), c})
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	err = hard.ForEach(func(k, v []byte) error {
		cd, err := decodeHard(k, v)
		sum.hard = append(sum.hard, cd)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	slices.SortFunc(sum.hard, hardOrder)
	return sum, true, nil
}

// verifyStateSum checks user bucket ub's summary against its states (the
// retired cards' left out): the talks' counts and the histograms exactly,
// and the hard list holding the states it must and no others.
func verifyStateSum(user string, ub *bolt.Bucket, retired map[[8]byte]bool, add func(user string, repairable bool, format string, args ...any)) {
	got, ok, err := readStateSum(ub, 0)
	switch {
	case err != nil:
		add(user, true, "state summary: %v", err)
		return
	case !ok:
		add(user, true, "no state summary")
		return
	}
	h, _ := decodeSumHead(ub.Get(kStateSum)) // readStateSum decoded it
	sh := countShares(ub, retired)
	counts := sh.talks
	hardest := map[[8]byte]hardCand{}
	for _, cd := range sh.hard {
		hardest[cd.key] = cd
	}
	bad := 0
	for _, t := range got.talks {
		var n [talkShareN]int32
		if c := counts[t.seq]; c != nil {
			for i := range c {
				n[i] = int32(c[i])
			}
		}
		if n != t.counts {
			bad++
		}
		delete(counts, t.seq)
	}
	if bad += len(counts); bad > 0 {
		add(user, true, "state summary: the counts of %d talks do not match the states", bad)
	}
	if h.hist != sh.hist {
		add(user, true, "state summary: the histograms do not match the states")
	}
	if due := ub.Bucket(bSumDue); due == nil {
		add(user, true, "state summary: no due counts")
	} else {
		bad := 0
		_ = due.ForEach(func(k, v []byte) error {
			if len(k) != 4 || len(v) != 4 || binary.BigEndian.Uint32(v) != sh.due[keyDay(k)] {
				bad++
			}
			if len(k) == 4 {
				delete(sh.due, keyDay(k))
			}
			return nil
		})
		if bad += len(sh.due); bad > 0 {
			add(user, true, "state summary: the due counts of %d days do not match the states", bad)
		}
	}
	extra, missing := 0, 0
	listed := map[[8]byte]bool{}
	for _, cd := range got.hard {
		if w, ok := hardest[cd.key]; !ok || w != cd {
			extra++
		}
		listed[cd.key] = true
	}
	for _, cd := range hardest {
		if !listed[cd.key] && (!got.bounded || harder(&cd, &got.bound) < 0) {
			missing++
		}
	}
	if extra+missing > 0 {
		add(user, true, "state summary: the hardest cards' list has %d stale and lacks %d entries", extra, missing)
	}
	if int(h.hardN) != len(got.hard) {
		add(user, true, "state summary: the hardest cards' list counts %d entries, it has %d", h.hardN, len(got.hard))
	}
}
