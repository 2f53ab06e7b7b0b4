package main

import (
	"os"
	"syscall"
	"testing"
)

// TestWidenPipe: a pipe given to a large report gets a 1 MiB buffer; a
// regular file is left alone.
func TestWidenPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	size := func(f *os.File) int {
		n, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETPIPE_SZ, 0)
		if errno != 0 {
			t.Fatalf("F_GETPIPE_SZ: %v", errno)
		}
		return int(n)
	}
	before := size(w)
	widenPipe(w)
	if got := size(w); got < 1<<20 {
		t.Fatalf("pipe buffer %d bytes after widenPipe (was %d), want 1 MiB", got, before)
	}
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	widenPipe(f) // must not fail or panic on a regular file
	if _, err := f.WriteString("ok"); err != nil {
		t.Fatal(err)
	}
}
