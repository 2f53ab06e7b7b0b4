package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

func findBinary(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "talkcards")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("talkcards"); err == nil {
		return filepath.Abs(p)
	}
	return "", errors.New("no talkcards binary: build one (go build -o /tmp/talkcards ./cmd/talkcards) and pass --bin /tmp/talkcards")
}

// sample is one whole-process run.
type sample struct {
	wall   time.Duration
	maxRSS int64 // bytes
}

// timed is what the table prints for one operation.
type timed struct {
	name     string
	median   time.Duration
	p90, max time.Duration
	rss      int64
	target   string
	ok       string
}

// runOnce runs the binary once with stdin from /dev/null, its output read
// through a pipe into out (emptied first). out is kept from run to run:
// a buffer grown afresh for every run would time talkbench's own page
// faults as the command's (stats --json writes 12.9 MB at 1M cards, and
// its writes wait while the reader grows its buffer).
func runOnce(out *bytes.Buffer, bin string, env []string, args ...string) (sample, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out.Reset()
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s %s: %w\n%s", filepath.Base(bin), strings.Join(args, " "), err, out.Bytes())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss * 1024 // Linux reports kilobytes
	}
	return sample{wall, rss}, nil
}

// measure runs a command runs times (after one untimed warm-up run, which
// also grows the output buffer to its size) and summarises: median, 90th percentile, largest peak RSS.
func measure(name string, runs int, prepare func() error, bin string, env []string, args ...string) (timed, error) {
	var ss []sample
	var out bytes.Buffer
	for i := -1; i < runs; i++ {
		if prepare != nil {
			if err := prepare(); err != nil {
				return timed{}, err
			}
		}
		s, err := runOnce(&out, bin, env, args...)
		if err != nil {
			return timed{}, err
		}
		if i >= 0 {
			ss = append(ss, s)
		} else {
			// What was written before the timed runs (the notes, the
			// collection, the warm-up's daily backup of the whole
			// database) goes to disk now: the kernel writing it back
			// during the runs would time the disk's backlog, not the
			// command.
			syscall.Sync()
		}
	}
	return summarise(name, ss), nil
}

func summarise(name string, ss []sample) timed {
	walls := make([]time.Duration, len(ss))
	var rss int64
	for i, s := range ss {
		walls[i] = s.wall
		rss = max(rss, s.maxRSS)
	}
	slices.Sort(walls)
	return timed{name: name, median: pct(walls, 50), p90: pct(walls, 90), max: walls[len(walls)-1], rss: rss}
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func bench(o options, bin, dbPath string, c *collection, w io.Writer) error {
	user := c.Users[0]
	env := []string{"TALKCARDS_NOW=" + c.Now.Format(time.RFC3339), "TALKCARDS_USER=" + user, "TALKCARDS_DB=" + dbPath, "NO_COLOR=1"}
	var rows []timed
	fmt.Fprintf(w, "timing %s (%d runs each, medians; warm page cache)\n", bin, o.runs)

	r, err := measure("review --plain < /dev/null", o.runs, nil, bin, env, "review", "--plain")
	if err != nil {
		return err
	}
	r.target = "≤ 50 ms, ≤ 1.5× at 1k; RSS ≤ 64 MB"
	r.ok = okIf(r.median <= 50*time.Millisecond && r.rss <= 64<<20)
	rows = append(rows, r)

	s, err := measure("stats --json", o.runs, nil, bin, env, "stats", "--json")
	if err != nil {
		return err
	}
	s.target = "≤ 150 ms"
	s.ok = okIf(s.median <= 150*time.Millisecond)
	rows = append(rows, s)

	for _, args := range [][]string{{"talks"}, {"--version-probe"}} {
		if args[0] == "--version-probe" {
			// The floor: the process with no database work at all.
			t, err := measure("talkcards --help (process floor)", o.runs, nil, bin, env, "--help")
			if err != nil {
				return err
			}
			rows = append(rows, t)
			continue
		}
		t, err := measure(strings.Join(args, " "), o.runs, nil, bin, env, args...)
		if err != nil {
			return err
		}
		rows = append(rows, t)
	}

	commit, bare, floor, err := commitLatency(dbPath, user, c, o.commits)
	if err != nil {
		return err
	}
	commit.target = "p99 ≤ 2× bare commit p99"
	commit.ok = okIf(commit.max <= 2*bare.max)
	rows = append(rows, commit, bare, floor)

	if o.notesMB > 0 {
		imp, re, err := importTimes(o, bin)
		if err != nil {
			return err
		}
		imp.target, imp.ok = "≤ 3 s", okIf(imp.median <= 3*time.Second)
		re.target, re.ok = "≤ 1 s", okIf(re.median <= time.Second)
		rows = append(rows, imp, re)
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "OPERATION\tMEDIAN\tP90\tMAX\tPEAK RSS\tTARGET\tMET\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.name, ms(r.median), ms(r.p90), ms(r.max), mb(r.rss), r.target, r.ok)
	}
	tw.Flush()
	if commit.max > 0 {
		fmt.Fprintf(w, "commit: answer p99 %s vs bare one-key commit p99 %s: %.2f×; vs the open-per-answer floor p99 %s: %.2f×\n",
			ms(commit.max), ms(bare.max), float64(commit.max)/float64(bare.max), ms(floor.max), float64(commit.max)/float64(floor.max))
	}
	return diskUse(dbPath, c, w)
}

func okIf(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mb(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// commitLatency commits n answers the way a review session does
// (storage.RecordAnswer: the file opened under a shared lock and its pages
// read without mapping it, the answer checked and appended to the answers
// journal beside the database, synced, the file closed; the first answer
// after the journal was applied creates it, and syncs its folder too),
// undoing them in
// groups so the collection is left as it was. Interleaved with each answer,
// so load on the machine hits all three alike, it times a bare one-key
// bbolt commit to a small file on the same disk (handle kept open: the
// issue's baseline) and the same commit with its own open and close on the
// database file (the floor of opening the file per answer). The rows' MAX
// column holds the p99.
func commitLatency(dbPath, user string, c *collection, n int) (answer, bare, floor timed, err error) {
	db, err := storage.Open(dbPath, storage.Options{})
	if err != nil {
		return answer, bare, floor, err
	}
	today := scheduler.DayOf(c.Now, storage.DefaultSettings.DayStartHour)
	due, err := db.Due(user, today, 40)
	db.Close()
	if err != nil {
		return answer, bare, floor, err
	}
	if len(due) == 0 {
		return answer, bare, floor, errors.New("commit latency: nothing due")
	}
	barePath := filepath.Join(filepath.Dir(dbPath), "bare-commit.db")
	defer os.Remove(barePath)
	b, err := bolt.Open(barePath, 0o600, nil)
	if err != nil {
		return answer, bare, floor, err
	}
	defer b.Close()
	scratch := []byte("talkbench-floor")
	oneKey := func(b *bolt.DB, bucket []byte, i int) error {
		return b.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists(bucket)
			if err != nil {
				return err
			}
			return bk.Put([]byte("k"), []byte{byte(i)})
		})
	}
	var answers, bares, floors []time.Duration
	for len(answers) < n {
		done := 0
		for _, d := range due {
			if len(answers) >= n {
				break
			}
			start := time.Now()
			err := storage.RecordAnswer(dbPath, 0, user, d.ID, today, func(prev scheduler.State, had bool) (storage.Review, *scheduler.State) {
				st := scheduler.Apply(prev, !had, scheduler.GradeGood, today)
				return storage.Review{Time: c.Now, Card: d.ID, Grade: scheduler.GradeGood, Kind: storage.KindReview, Took: 4 * time.Second, Interval: st.Interval, Easiness: st.Easiness}, &st
			})
			if err != nil {
				return answer, bare, floor, err
			}
			answers = append(answers, time.Since(start))
			done++

			start = time.Now()
			fb, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				return answer, bare, floor, err
			}
			err = oneKey(fb, scratch, len(floors))
			if cerr := fb.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return answer, bare, floor, err
			}
			floors = append(floors, time.Since(start))

			start = time.Now()
			if err := oneKey(b, []byte("b"), len(bares)); err != nil {
				return answer, bare, floor, err
			}
			bares = append(bares, time.Since(start))
		}
		db, err := storage.Open(dbPath, storage.Options{})
		if err != nil {
			return answer, bare, floor, err
		}
		for range done {
			if _, _, err := db.Undo(user); err != nil {
				db.Close()
				return answer, bare, floor, err
			}
		}
		db.Close()
	}
	fb, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return answer, bare, floor, err
	}
	err = fb.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(scratch) })
	if cerr := fb.Close(); err == nil {
		err = cerr
	}
	return latency("one answer committed (as a review session does it, in-process)", answers),
		latency("bare one-key bbolt commit (small file, kept open)", bares),
		latency("bare commit with open+close, on the database (the open-per-answer floor)", floors), err
}

// latency summarises in-process latencies: median, p90 and p99 (in MAX).
func latency(name string, ds []time.Duration) timed {
	slices.Sort(ds)
	return timed{name: name + " [MAX = p99]", median: pct(ds, 50), p90: pct(ds, 90), max: pct(ds, 99)}
}

// importTimes writes notesMB of notes and times a first import into a new
// database and a re-import of the unchanged notes.
func importTimes(o options, bin string) (timed, timed, error) {
	dir := filepath.Join(o.dir, "import")
	notesDir := filepath.Join(dir, "notes")
	if err := writeNotes(notesDir, o.notesMB<<20, o.seed); err != nil {
		return timed{}, timed{}, err
	}
	dbPath := filepath.Join(dir, "import.db")
	env := []string{"TALKCARDS_NOW=" + now.Format(time.RFC3339), "TALKCARDS_USER=bench", "TALKCARDS_DB=" + dbPath, "NO_COLOR=1"}
	fresh := func() error {
		if err := os.Remove(dbPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return os.RemoveAll(filepath.Join(dir, "backups"))
	}
	name := fmt.Sprintf("import %d MB of notes (new db)", o.notesMB)
	first, err := measure(name, o.importRuns, fresh, bin, env, "import", notesDir)
	if err != nil {
		return timed{}, timed{}, err
	}
	again, err := measure("re-import unchanged", o.importRuns, nil, bin, env, "import", notesDir)
	return first, again, err
}

// writeNotes writes about size bytes of synthetic notes, 20 talks a file.
func writeNotes(dir string, size int, seed uint64) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	written := 0
	for i := 0; written < size; i++ {
		var b strings.Builder
		rng := newRand(seed, i)
		for t := range talksPerFile {
			talkText(&b, rng, i*talksPerFile+t, 20+rng.IntN(41))
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("conf-%04d.md", i)), []byte(b.String()), 0o600); err != nil {
			return err
		}
		written += b.Len()
	}
	return nil
}

// diskUse prints the review log's bytes on disk per review (leaf and branch
// pages of the log buckets over their entries) and the file size.
func diskUse(dbPath string, c *collection, w io.Writer) error {
	b, err := bolt.Open(dbPath, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer b.Close()
	var alloc, keys int
	err = b.View(func(tx *bolt.Tx) error {
		users := tx.Bucket([]byte("users"))
		return users.ForEachBucket(func(name []byte) error {
			if lb := users.Bucket(name).Bucket([]byte("log")); lb != nil {
				st := lb.Stats()
				alloc += st.BranchAlloc + st.LeafAlloc
				keys += st.KeyN
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	info, err := os.Stat(dbPath)
	if err != nil {
		return err
	}
	if keys > 0 {
		per := float64(alloc) / float64(keys)
		fmt.Fprintf(w, "review log on disk: %.1f bytes per review (%d entries, %.1f MB); target ≤ 64: %s\n", per, keys, float64(alloc)/(1<<20), okIf(per <= 64))
	}
	fmt.Fprintf(w, "database file: %.1f MB for %d cards and %d reviews\n", float64(info.Size())/(1<<20), c.Cards, c.Reviews)
	return nil
}
