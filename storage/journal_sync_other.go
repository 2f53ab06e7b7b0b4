//go:build !linux

package storage

import "os"

// syncData makes what was written to f durable (fsync where there is no
// fdatasync).
func syncData(f *os.File) error { return f.Sync() }
