//go:build unix

package storage

import (
	"os"
	"syscall"
)

// AnswersShareLock says whether a KeepPending handle may be read-only when
// it records answers: the journal's appenders then order themselves with
// a lock on the journal file, and the database's lock may be shared (so a
// stats in another terminal never waits for an answer, and an answer's
// open skips loading bbolt's freelist). Elsewhere open for writing.
const AnswersShareLock = true

// lockFile takes an exclusive lock on f, released when f is closed.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}
