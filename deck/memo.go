package deck

import (
	"hash/maphash"
	"sync/atomic"
)

// The generator asks the same questions of the same text many times: a
// point is read as a point, as its neighbours' context, inside prompts and
// while hiding words. memoTable remembers the answers of a pure function of
// a string in a small direct-mapped table: lock-free (safe when several
// talks are generated at once), bounded in size, and never wrong, since an
// entry is used only for the very string it was computed for. Values are
// shared: callers must not modify them.
type memoTable[V any] struct {
	seed  maphash.Seed
	slots [memoSlots]atomic.Pointer[memoEntry[V]]
}

type memoEntry[V any] struct {
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
	if e := slot.Load(); e != nil && e.key == s {
		return e.val
	}
	v := f(s)
	slot.Store(&memoEntry[V]{key: s, val: v})
	return v
}

var (
	spansMemo        = newMemo[[]inline]()
	plainMemo        = newMemo[string]()
	contentWordsMemo = newMemo[int]()
)
