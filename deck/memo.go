package deck

import (
	"hash/maphash"
	"sync"
)

// The generator asks the same questions of the same text many times: a
// point is read as a point, as its neighbours' context, inside prompts and
// while hiding words. memoTable remembers the answers of a pure function of
// a string in a small direct-mapped table: bounded in size, and never wrong,
// since an entry is used only for the very string it was computed for.
// Values are shared: callers must not modify them.
//
// A generation owns a set of tables of its own (see memos), so its
// lookups take no lock and the two workers of an import do not fight over
// the cache lines of one table. Only the set used outside a generation is
// shared, and locks each slot: entries live in the table itself rather than
// behind atomic pointers, so a miss stores its answer in place instead of
// allocating an entry.
type memoTable[V any] struct {
	seed   maphash.Seed
	shared bool // used by several goroutines at once: lock each slot
	slots  [memoSlots]memoSlot[V]
}

type memoSlot[V any] struct {
	mu  sync.Mutex // only when shared
	set bool       // key and val hold an answer
	key string
	val V
}

const (
	memoSlots  = 1 << 12
	memoMaxLen = 4 << 10 // longer texts are rare and not kept
)

func (t *memoTable[V]) get(s string, f func(string) V) V {
	if len(s) > memoMaxLen {
		return f(s)
	}
	slot := &t.slots[maphash.String(t.seed, s)&(memoSlots-1)]
	if !t.shared {
		if slot.set && slot.key == s {
			return slot.val
		}
		v := f(s)
		slot.set, slot.key, slot.val = true, s, v
		return v
	}
	slot.mu.Lock()
	if slot.set && slot.key == s {
		v := slot.val
		slot.mu.Unlock()
		return v
	}
	slot.mu.Unlock()
	// f runs unlocked: it may ask the table again (plain of a link's text).
	v := f(s)
	slot.mu.Lock()
	slot.set, slot.key, slot.val = true, s, v
	slot.mu.Unlock()
	return v
}

// put stores v as the answer for s, computed by the caller along with
// other work: s will be asked of the table later.
func (t *memoTable[V]) put(s string, v V) {
	if len(s) > memoMaxLen {
		return
	}
	slot := &t.slots[maphash.String(t.seed, s)&(memoSlots-1)]
	if t.shared {
		slot.mu.Lock()
		defer slot.mu.Unlock()
	}
	slot.set, slot.key, slot.val = true, s, v
}

// memos are the memo tables of the questions asked most often of a text.
type memos struct {
	spansOf memoTable[[]inline]
	plainOf memoTable[string]
	wordsOf memoTable[int]
}

func newMemos(shared bool) *memos {
	m := &memos{}
	m.spansOf.seed, m.spansOf.shared = maphash.MakeSeed(), shared
	m.plainOf.seed, m.plainOf.shared = maphash.MakeSeed(), shared
	m.wordsOf.seed, m.wordsOf.shared = maphash.MakeSeed(), shared
	return m
}

// sharedMemos serve the helpers called outside a generation (tests, the
// quiz) and from any goroutine.
var sharedMemos = newMemos(true)

// genMemos hands each generation a set of tables to itself. A set keeps its
// entries from one generation to the next, which is safe (an entry is only
// ever the answer for its own key) and keeps them warm: talks of one
// import share names and phrases.
var genMemos = sync.Pool{New: func() any { return newMemos(false) }}
