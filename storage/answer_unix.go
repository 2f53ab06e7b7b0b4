//go:build unix

package storage

import (
	"errors"
	"os"
	"syscall"
)

// errLockHeld: another process holds a lock that excludes the one asked for.
var errLockHeld = errors.New("lock held")

// tryLockShared takes a shared lock on f without waiting, released when f
// is closed: bbolt's read-only lock (flock), so that the two exclude the
// same writers.
func tryLockShared(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == syscall.EWOULDBLOCK {
		return errLockHeld
	}
	return err
}
