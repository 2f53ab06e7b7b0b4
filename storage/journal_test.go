package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/talkcards/talkcards/scheduler"
)

// recordOffsets is where each record of the journal file b starts.
func recordOffsets(b []byte) []int {
	var offs []int
	for off := len(journalMagic); off+recHead <= len(b); {
		n := int(binary.BigEndian.Uint32(b[off:]))
		if n == 0 {
			break
		}
		offs = append(offs, off)
		off += recHead + n + recTail
	}
	return offs
}

// rawAnswer is a journal record of user's answer to card k: a review that
// writes a state (long) or a quiz answer (short).
func rawAnswer(seq uint64, user string, k [8]byte, long bool) []byte {
	kind := KindQuiz
	if long {
		kind = KindReview
	}
	r, next := answerFn("0000000000000000", 4, kind, 10)(scheduler.State{}, false)
	return appendRecord(nil, seq, encodePending(user, 10, k, r, next))
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func zeroBytes(n int) []byte { return make([]byte, n) }

// TestParseJournal guards the format's reading rules (doc.go "Pending
// answers"): where the records end, which leftovers are a torn write
// (dropped) and which are damage.
func TestParseJournal(t *testing.T) {
	k := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	r1, r2 := rawAnswer(1, "ann", k, true), rawAnswer(2, "ann", k, false)
	flipped := bytes.Clone(r1)
	flipped[recHead+3] ^= 0xff
	torn := bytes.Clone(r2)
	clear(torn[len(torn)-6:]) // its last sector never made it
	good := len(journalMagic) + len(r1)
	stray := func(at int) []byte {
		b := cat(journalMagic, r1, zeroBytes(journalChunk-good))
		b[at] = 7
		return b
	}
	tests := []struct {
		name string
		file []byte
		recs int
		good int    // end of the records
		torn int    // end of a torn write's bytes; 0: good; -1: the file's last nonzero byte's
		bad  string // part of the error; "": none
		v1   bool
	}{
		{name: "no file", file: nil},
		{name: "clean end", file: cat(journalMagic, r1, r2, zeroBytes(1000)), recs: 2, good: good + len(r2)},
		{name: "records to the end of the file", file: cat(journalMagic, r1, r2), recs: 2, good: good + len(r2)},
		{name: "torn record in the padding", file: cat(journalMagic, r1, torn, zeroBytes(1000)), recs: 1, good: good, torn: -1},
		{name: "torn record at the end of the file", file: cat(journalMagic, r1, r2[:20]), recs: 1, good: good, torn: -1},
		{name: "torn first record", file: cat(journalMagic, torn, zeroBytes(100)), good: 8, torn: -1},
		{name: "torn write reaching as far as one can", file: stray(good + tornWindow - 1), recs: 1, good: good, torn: good + tornWindow},
		{name: "stray data past a torn write's reach", file: stray(good + tornWindow), recs: 1, good: good, bad: fmt.Sprintf("stray data at byte %d, after the records", good+tornWindow)},
		{name: "bad record before a good one", file: cat(journalMagic, flipped, r2, zeroBytes(100)), bad: "record at byte 8: checksum mismatch"},
		{name: "bad length before a good one", file: cat(journalMagic, []byte{0, 0, 0x20, 0}, r1[4:], r2), bad: "record at byte 8: bad length 8192"},
		{name: "sequence going back", file: cat(journalMagic, r2, r1), bad: "sequence 1 after 2"},
		{name: "all-zero header", file: zeroBytes(journalChunk)},
		{name: "header cut short", file: []byte("tcpen"), torn: -1},
		{name: "torn header and record", file: cat([]byte("tc\x00\x00nd2\x00"), r1, zeroBytes(100)), torn: -1},
		{name: "zero header, then data past a torn write's reach", file: cat(zeroBytes(8), zeroBytes(tornWindow), []byte{1}), bad: "not a talkcards answers journal"},
		{name: "zero header, then two records", file: cat(zeroBytes(8), r1, r2), bad: "not a talkcards answers journal"},
		{name: "not a journal", file: []byte("hello, world, not ours"), bad: "not a talkcards answers journal"},
		{name: "v1", file: cat(journalMagicV1, r1, r2), recs: 2, good: good + len(r2), v1: true},
		{name: "v1 torn last record", file: cat(journalMagicV1, r1, r2[:len(r2)-1]), recs: 1, good: good, v1: true},
		{name: "v1 bad record before the end", file: cat(journalMagicV1, flipped, r2), bad: "record at byte 8: checksum mismatch", v1: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := parseJournal(tt.file)
			if tt.bad != "" {
				if j.bad == nil || !strings.Contains(j.bad.Error(), tt.bad) {
					t.Fatalf("bad = %v, want %q", j.bad, tt.bad)
				}
				return
			}
			if j.bad != nil {
				t.Fatalf("bad = %v, want none", j.bad)
			}
			switch tt.torn {
			case 0:
				tt.torn = tt.good
			case -1:
				tt.torn = len(bytes.TrimRight(tt.file, "\x00"))
			}
			if len(j.recs) != tt.recs || int(j.good) != tt.good || int(j.torn) != tt.torn || j.v1 != tt.v1 || j.size != int64(len(tt.file)) {
				t.Fatalf("%d records, good %d, torn %d, v1 %v, size %d; want %d, %d, %d, %v, %d",
					len(j.recs), j.good, j.torn, j.v1, j.size, tt.recs, tt.good, tt.torn, tt.v1, len(tt.file))
			}
			for i, r := range j.recs {
				if r.seq != uint64(i+1) {
					t.Errorf("record %d: sequence %d", i, r.seq)
				}
			}
		})
	}
}

// journalAfter answers on path through a review session's handle and
// returns the journal file.
func journalAfter(t *testing.T, path, user, id string, kind ReviewKind) []byte {
	t.Helper()
	w := openKeep(t, path)
	defer w.Close()
	if err := w.RecordWith(user, id, 10, answerFn(id, 4, kind, 10)); err != nil {
		t.Fatal(err)
	}
	return fileBytes(t, JournalPath(path))
}

func logOf(t *testing.T, path, user string) int {
	t.Helper()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n := 0
	if err := r.Log(user, func(uint64, Review) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// fillJournal adds answers of user ann to card k, all waiting, to the
// journal of the database at path until the next would pass size, then
// zeros up to size. It returns the number of records and where they end.
func fillJournal(t *testing.T, path string, k [8]byte, size int) (recs, end int) {
	t.Helper()
	jpath := JournalPath(path)
	b := fileBytes(t, jpath)
	j := parseJournal(b)
	b, seq := b[:j.good], j.last
	for {
		r := rawAnswer(seq+1, "ann", k, true)
		if len(b)+len(r) > size {
			break
		}
		b = append(b, r...)
		seq++
	}
	end = len(b)
	if err := os.WriteFile(jpath, append(b, zeroBytes(size-end)...), 0o600); err != nil {
		t.Fatal(err)
	}
	return int(seq), end
}

// TestJournalWritesInPlace: an answer overwrites the zero padding after
// the records, leaving the size and every byte before it as they were;
// only the answer that needs more room grows the file: by one block at
// first, then by about its size, by a chunk at most.
func TestJournalWritesInPlace(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 3)
	db.Close()
	jpath := JournalPath(path)
	prev := journalAfter(t, path, "ann", ids[0], KindReview)
	if len(prev) != journalBlock {
		t.Fatalf("first answer: journal of %d bytes, want %d", len(prev), journalBlock)
	}
	for i := range 20 {
		b := journalAfter(t, path, "ann", ids[i%3], []ReviewKind{KindReview, KindQuiz}[i%2])
		j, was := parseJournal(b), parseJournal(prev)
		if len(b) != journalBlock || !bytes.Equal(b[:was.good], prev[:was.good]) || len(j.recs) != i+2 || j.torn != j.good || j.bad != nil {
			t.Fatalf("answer %d: %d bytes, %d records, %v: not written in place after the records", i+2, len(b), len(j.recs), j.bad)
		}
		prev = b
	}
	k := keyOf(t, ids[0])
	for _, step := range []struct{ full, grown int }{
		{journalBlock, 2 * journalBlock},
		{journalChunk / 2, journalChunk},
		{journalChunk, 2 * journalChunk},
	} {
		waiting, end := fillJournal(t, path, k, step.full)
		full := fileBytes(t, jpath)
		b := journalAfter(t, path, "ann", ids[1], KindReview)
		j := parseJournal(b)
		if len(b) != step.grown || !bytes.Equal(b[:end], full[:end]) || len(j.recs) != waiting+1 || j.torn != j.good {
			t.Fatalf("answer past %d bytes: %d bytes, %d records; want %d bytes, %d records", step.full, len(b), len(j.recs), step.grown, waiting+1)
		}
	}
	b := fileBytes(t, jpath)
	waiting := len(parseJournal(b).recs)
	if n := logOf(t, path, "ann"); n != waiting {
		t.Fatalf("log has %d answers, want %d", n, waiting)
	}
	// A crash before the emptying leaves the two chunks, all applied: the
	// next answer starts afresh.
	if err := os.WriteFile(jpath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	b = journalAfter(t, path, "ann", ids[2], KindQuiz)
	if j := parseJournal(b); len(b) != journalBlock || len(j.recs) != 1 || j.recs[0].seq != uint64(waiting+1) {
		t.Fatalf("answer after two applied chunks: %d bytes, %d records; want one block with the new one alone", len(b), len(j.recs))
	}
	if n := logOf(t, path, "ann"); n != waiting+1 {
		t.Fatalf("log has %d answers, want %d", n, waiting+1)
	}
	// Applying empties it to a chunk of zeros: the next session's first
	// answer writes in place, the file keeps its size.
	if b := fileBytes(t, jpath); len(b) != journalChunk || !allZero(b) {
		t.Fatalf("journal after applying: %d bytes, want a chunk of zeros", len(b))
	}
	b = journalAfter(t, path, "ann", ids[0], KindReview)
	if j := parseJournal(b); len(b) != journalChunk || len(j.recs) != 1 || j.torn != j.good || j.bad != nil {
		t.Fatalf("first answer after applying: %d bytes, %d records; want the chunk, one record", len(b), len(j.recs))
	}
}

// TestJournalTornRecordOverwritten: a torn record in the padding is
// dropped, and the next answer, shorter than it, zeroes what is left of
// it in the same write.
func TestJournalTornRecordOverwritten(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 2)
	db.Close()
	jpath := JournalPath(path)
	b := journalAfter(t, path, "ann", ids[0], KindReview)
	j := parseJournal(b)
	long := rawAnswer(2, "bartholomew-the-long-named", keyOf(t, ids[1]), true)
	copy(b[j.good:], long[:len(long)-10]) // the last bytes never made it
	if err := os.WriteFile(jpath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	w := openKeep(t, path)
	if n := pendingN(t, w); n != 1 {
		t.Fatalf("Pending = %d with a torn record, want 1", n)
	}
	w.Close()

	b = journalAfter(t, path, "ann", ids[1], KindQuiz)
	j = parseJournal(b)
	if len(b) != journalBlock || len(j.recs) != 2 || j.bad != nil {
		t.Fatalf("after the torn record: %d bytes, %d records, %v; want one block, 2 records", len(b), len(j.recs), j.bad)
	}
	if short := recHead + len(j.recs[1].payload) + recTail; short >= len(long) {
		t.Fatalf("the new record (%d bytes) is not shorter than the torn one (%d)", short, len(long))
	}
	if !allZero(b[j.good:]) {
		t.Fatalf("bytes of the torn record left at %d after the new one", j.good+int64(firstNonzero(b[j.good:])))
	}
	if n := logOf(t, path, "ann"); n != 2 {
		t.Fatalf("log has %d answers, want 2", n)
	}
	if n := logOf(t, path, "bartholomew-the-long-named"); n != 0 {
		t.Fatalf("the torn answer was applied (%d)", n)
	}
}

// TestJournalStrayData: nonzero bytes past a torn write's reach fail the
// open (nothing applied, nothing written); check reports them, and repair
// applies the records before them and empties the journal.
func TestJournalStrayData(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 2)
	db.Close()
	jpath := JournalPath(path)
	journalAfter(t, path, "ann", ids[0], KindReview)
	b := journalAfter(t, path, "ann", ids[1], KindReview)
	j := parseJournal(b)
	b = append(b, zeroBytes(journalChunk-len(b))...)
	b[j.good+tornWindow] = 1
	if err := os.WriteFile(jpath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, path)
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrPendingDamaged) {
		t.Fatalf("open with stray data in the journal: %v, want ErrPendingDamaged", err)
	}
	w := openKeep(t, path)
	if err := w.RecordWith("ann", ids[0], 10, answerFn(ids[0], 4, KindQuiz, 10)); !errors.Is(err, ErrPendingDamaged) {
		t.Fatalf("answer with stray data in the journal: %v, want ErrPendingDamaged", err)
	}
	w.Close()
	sameBytes(t, path, before)
	sameBytes(t, jpath, b)

	c := openKeepRW(t, path)
	defer c.Close()
	problems, err := c.Verify()
	if err != nil || len(problems) != 1 || !problems[0].Repairable || !strings.Contains(problems[0].Msg, "stray data") {
		t.Fatalf("verify: %v %v, want the stray data, repairable", problems, err)
	}
	if rep, err := c.Repair(); err != nil || rep.Dropped != 1 {
		t.Fatalf("repair: %+v %v, want 1 dropped", rep, err)
	}
	n := 0
	if err := c.Log("ann", func(uint64, Review) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("log %d (%v) after repair, want the 2 answers before the stray data", n, err)
	}
	if b, err := os.ReadFile(jpath); err != nil || len(b) != journalChunk || !allZero(b) {
		t.Fatalf("journal after repair: %d bytes %v, want a chunk of zeros", len(b), err)
	}
}

// TestJournalZeroHeader: a journal whose magic never reached the disk (a
// fresh start cut short by a crash) holds nothing; the next answer writes
// over it in place. An empty journal longer than a chunk is cut back.
func TestJournalZeroHeader(t *testing.T) {
	db, path := openTest(t)
	ids := deckOf(t, db, 1)
	db.Close()
	jpath := JournalPath(path)
	if err := os.WriteFile(jpath, zeroBytes(journalChunk), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := logOf(t, path, "ann"); n != 0 {
		t.Fatalf("log %d from an all-zero journal", n)
	}
	if err := os.WriteFile(jpath, zeroBytes(journalChunk), 0o600); err != nil {
		t.Fatal(err)
	}
	w := openKeep(t, path)
	if n := pendingN(t, w); n != 0 {
		t.Fatalf("Pending = %d from an all-zero journal", n)
	}
	w.Close()
	b := journalAfter(t, path, "ann", ids[0], KindReview)
	if j := parseJournal(b); len(b) != journalChunk || !bytes.HasPrefix(b, journalMagic) || len(j.recs) != 1 || j.torn != j.good {
		t.Fatalf("answer over an all-zero journal: %d bytes, %d records", len(b), len(j.recs))
	}
	if n := logOf(t, path, "ann"); n != 1 {
		t.Fatalf("log %d, want 1", n)
	}
	// No records in a file longer than a chunk: it goes back to one.
	if err := os.WriteFile(jpath, cat(journalMagic, zeroBytes(3*journalChunk-len(journalMagic))), 0o600); err != nil {
		t.Fatal(err)
	}
	if b := journalAfter(t, path, "ann", ids[0], KindQuiz); len(b) != journalBlock {
		t.Fatalf("answer on an empty journal of 3 chunks: %d bytes, want one block", len(b))
	}
}

// TestJournalV1: an older talkcards' journal is applied; while it holds
// answers waiting, an answer is appended to it as that talkcards did;
// with none waiting, the next answer starts the file afresh in this
// format.
func TestJournalV1(t *testing.T) {
	direct, _ := openTest(t)
	db, path := openTest(t)
	ids := deckOf(t, db, 3)
	deckOf(t, direct, 3)
	db.Close()
	jpath := JournalPath(path)
	v1 := bytes.Clone(journalMagicV1)
	for i, id := range ids[:2] {
		r, next := answerFn(id, 4, KindReview, 10)(scheduler.State{}, false)
		v1 = append(v1, appendRecord(nil, uint64(i+1), encodePending("ann", 10, keyOf(t, id), r, next))...)
		if err := direct.Record("ann", r, 10, next); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(jpath, v1, 0o600); err != nil {
		t.Fatal(err)
	}
	b := journalAfter(t, path, "ann", ids[2], KindReview)
	if j := parseJournal(b); !j.v1 || len(j.recs) != 3 || j.good != int64(len(b)) || !bytes.HasPrefix(b, v1) {
		t.Fatalf("answer on a v1 journal: v1 %v, %d records, %d of %d bytes; want it appended as v1", j.v1, len(j.recs), j.good, len(b))
	}
	if err := direct.RecordWith("ann", ids[2], 10, answerFn(ids[2], 4, KindReview, 10)); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, r, "users"), dump(t, direct, "users"); got != want {
		t.Fatalf("v1 journal applied differs from direct:\n%s", firstDiff(got, want))
	}
	r.Close()

	// All applied, left by a crash before the emptying.
	if err := os.WriteFile(jpath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	b = journalAfter(t, path, "ann", ids[0], KindQuiz)
	if j := parseJournal(b); j.v1 || len(b) != journalBlock || len(j.recs) != 1 || j.recs[0].seq != 4 {
		t.Fatalf("answer on an applied v1 journal: v1 %v, %d bytes, %d records; want a fresh start", j.v1, len(b), len(j.recs))
	}
	if n := logOf(t, path, "ann"); n != 4 {
		t.Fatalf("log %d, want 4", n)
	}
}

// BenchmarkParseJournal: what an answer reads back before writing, a
// chunk with 40 answers waiting.
func BenchmarkParseJournal(b *testing.B) {
	f := bytes.Clone(journalMagic)
	for i := range 40 {
		f = append(f, rawAnswer(uint64(i+1), "ann", [8]byte{byte(i)}, true)...)
	}
	f = append(f, zeroBytes(journalChunk-len(f))...)
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		if j := parseJournal(f); len(j.recs) != 40 || j.bad != nil {
			b.Fatal(j.bad)
		}
	}
}
