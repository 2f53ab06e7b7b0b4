package storage

import (
	"os"
	"syscall"
)

// syncData makes what was written to f durable, with the metadata needed
// to read it back (its size) but not its times: fdatasync, which skips a
// journal commit that only a timestamp would need.
func syncData(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
