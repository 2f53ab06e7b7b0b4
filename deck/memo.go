package deck

import (
	"hash/maphash"
	"sync"
)

// The generator asks the same questions of the same text many times: a
// point is read as a point, as its neighbours' context, inside prompts and
// while hiding words. memoTable remembers the answers of a pure function of
// a string in a small direct-mapped table: safe when several talks are
// generated at once, bounded in size, and never wrong, since an entry is
// used only for the very string it was computed for. Values are shared:
// callers must not modify them.
//
// Entries live in the table itself, each behind a lock of its own, rather
// than behind atomic pointers: a miss then stores its answer in place
// instead of allocating an entry, and the locks are almost never
// contended (two talks rarely ask about texts in the same slot at once).
type memoTable[V any] struct {
	seed  maphash.Seed
	slots [memoSlots]memoSlot[V]
}

type memoSlot[V any] struct {
	mu  sync.Mutex
	set bool // key and val hold an answer
	key string
	val V
}

const (
	memoSlots  = 1 << 12
	memoMaxLen = 4 << 10 // longer texts are rare and not kept
)

func newMemo[V any]() *memoTable[V] { return &memoTable[V]{seed: maphash.MakeSeed()} }

func (t *memoTable[V]) get(s string, f func(string) V) V {
	if len(s) > memoMaxLen {
		return f(s)
	}
	slot := &t.slots[maphash.String(t.seed, s)&(memoSlots-1)]
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

var (
	spansMemo        = newMemo[[]inline]()
	plainMemo        = newMemo[string]()
	contentWordsMemo = newMemo[int]()
)
