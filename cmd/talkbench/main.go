// Command talkbench builds a large synthetic talkcards collection in a
// database file and times talkcards on it, whole processes, printing a
// table. BENCHMARKS.md says how to run it and what it found.
//
//	go build -o /tmp/talkcards ./cmd/talkcards
//	go run ./cmd/talkbench --dir /tmp/tb1m --cards 1000000 --reviews 10000000 --bin /tmp/talkcards
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"
)

type options struct {
	dir                   string
	cards, reviews, users int
	years                 int
	seed                  uint64
	bin                   string
	runs                  int
	commits               int
	notesMB               int
	importRuns            int
	reuse                 bool
	buildOnly             bool
	cpuProfile            string
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "talkbench-data", "folder for the database, notes and backups (created)")
	flag.IntVar(&o.cards, "cards", 1_000_000, "cards in the collection (about: whole talks)")
	flag.IntVar(&o.reviews, "reviews", 10_000_000, "review log entries, over all users")
	flag.IntVar(&o.users, "users", 1, "users sharing the cards")
	flag.IntVar(&o.years, "years", 3, "years the history spans (about)")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed gives the same collection")
	flag.StringVar(&o.bin, "bin", "", "talkcards binary to time (default: beside talkbench, else $PATH)")
	flag.IntVar(&o.runs, "runs", 21, "runs of each timed command (median reported)")
	flag.IntVar(&o.commits, "commits", 200, "answers committed for the commit latency (p99 reported)")
	flag.IntVar(&o.notesMB, "notes-mb", 10, "megabytes of notes for the import timing (0: skip)")
	flag.IntVar(&o.importRuns, "import-runs", 3, "runs of each import timing")
	flag.BoolVar(&o.reuse, "reuse", false, "time the collection already in --dir instead of building it")
	flag.BoolVar(&o.buildOnly, "build-only", false, "build the collection, time nothing")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of talkbench itself (the build) to this file")
	flag.Parse()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "talkbench: error: %v\n", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(o, os.Stdout); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintf(os.Stderr, "talkbench: error: %v\n", err)
		os.Exit(1)
	}
}

func run(o options, w io.Writer) error {
	if o.cards < 1 || o.reviews < 0 || o.users < 1 || o.runs < 1 {
		return fmt.Errorf("--cards, --users and --runs must be 1 or more, --reviews 0 or more")
	}
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return err
	}
	dbPath := filepath.Join(o.dir, "talkcards.db")
	var c *collection
	if o.reuse {
		var err error
		if c, err = readCollection(o.dir); err != nil {
			return err
		}
	} else {
		start := time.Now()
		var err error
		if c, err = build(o, dbPath, w); err != nil {
			return err
		}
		fmt.Fprintf(w, "built %s: %d talks, %d cards (%d retired), %d reviews, %d users, in %v\n",
			dbPath, c.Talks, c.Cards, c.Retired, c.Reviews, len(c.Users), time.Since(start).Round(time.Millisecond))
	}
	if o.buildOnly {
		return nil
	}
	bin, err := findBinary(o.bin)
	if err != nil {
		return err
	}
	return bench(o, bin, dbPath, c, w)
}
