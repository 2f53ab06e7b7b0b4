package main

import (
	"io"
	"os"
	"syscall"
)

// widenPipe asks for a 1 MiB pipe buffer when w is a pipe, before a large
// report (stats --json on a big collection is ~13 MB): with the default
// 64 KiB the writer waits for the reader after every 64 KiB.
func widenPipe(w io.Writer) {
	f, ok := w.(*os.File)
	if !ok {
		return
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_SETPIPE_SZ, 1<<20)
}
