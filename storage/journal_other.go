//go:build !unix

package storage

import "os"

// AnswersShareLock: without flock the journal's appenders rely on the
// database's exclusive lock, so answers need a handle open for writing.
const AnswersShareLock = false

func lockFile(*os.File) error { return nil }
