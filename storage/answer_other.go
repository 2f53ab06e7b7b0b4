//go:build !unix

package storage

import (
	"errors"
	"os"
)

var errLockHeld = errors.New("lock held")

// tryLockShared: without flock RecordAnswer takes the bbolt path
// (AnswersShareLock is false), never this one.
func tryLockShared(*os.File) error { return errors.New("no flock here") }
