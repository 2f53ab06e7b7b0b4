package main

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Fault tests of README "Your data is safe" against the real binary: each
// fault gives its documented exit code and message, loses nothing, and
// never hangs (every run has a deadline).

const faultNow = "2026-11-26T09:00:00Z"

// faultDB makes a database with the demo deck and two answers, in its own
// folder, and returns its path and environment.
func faultDB(t *testing.T) (string, []string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "data", "talkcards.db")
	env := e2eEnv(t, db, "ana", faultNow)
	mustRun(t, env, "\n4\n\n5\n", "review", "--plain", "--limit", "2")
	return db, env
}

func hash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustCheck(t *testing.T, env []string) {
	t.Helper()
	if r := runTalkcards(t, env, "", "check"); r.code != 0 {
		t.Fatalf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestFaultKillDuringReviewThenCheck: kill -9 a review again and again at
// random moments (crash_test.go's rounds, another seed, the same day and
// later days); every confirmed answer is stored and `check` passes after
// each kill.
func TestFaultKillDuringReviewThenCheck(t *testing.T) {
	bin := talkcardsBinary(t)
	db := filepath.Join(t.TempDir(), "talkcards.db")
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	envOn := func(day int) []string {
		return e2eEnv(t, db, "ana", start.AddDate(0, 0, day).Format(time.RFC3339))
	}
	mustRun(t, envOn(0), "", "talks")
	rng := rand.New(rand.NewPCG(4, 42))
	stored := 0
	for round := range 12 {
		env := envOn(round / 2) // two kills a day: the daily backup is made once
		confirmed, maybe := crashRound(t, bin, env, rng)
		mustCheck(t, env)
		reps, _ := storedAnswers(t, env)
		if reps < stored+confirmed || reps > stored+confirmed+maybe {
			t.Fatalf("round %d: %d answers stored, want %d + %d confirmed (+%d maybe)", round, reps, stored, confirmed, maybe)
		}
		stored = reps
	}
	if stored == 0 {
		t.Fatal("no answer stored: the test exercised nothing")
	}
	if newestBackup(db) == "" {
		t.Error("no daily backup after six days of reviews")
	}
}

// TestFaultBusyEveryCommand: while another process holds the database,
// every command that opens it exits 3 within its deadline, changing
// nothing.
func TestFaultBusyEveryCommand(t *testing.T) {
	db, env := faultDB(t)
	backup := filepath.Join(filepath.Dir(db), "copy.db")
	mustRun(t, env, "", "backup", backup)
	notes := filepath.Join(filepath.Dir(db), "n.md")
	if err := os.WriteFile(notes, []byte("# N\n\n- a\n- b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	holder, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	before := hash(t, db)
	for _, args := range [][]string{
		{"talks"}, {"cards"}, {"users"}, {"review", "--plain"}, {"import", notes},
		{"backup"}, {"check"}, {"check", "--repair"}, {"restore", backup},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		cmd := exec.CommandContext(ctx, talkcardsBinary(t), args...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("%v: no answer within 10s beside a held database (a hang)", args)
		}
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitBusy {
			t.Errorf("%v: %v, want exit %d\n%s", args, err, exitBusy, &stderr)
		} else if !strings.Contains(stderr.String(), "another talkcards") {
			t.Errorf("%v: stderr does not say why:\n%s", args, &stderr)
		}
	}
	if hash(t, db) != before {
		t.Error("the database changed while another process held it")
	}
}

// TestFaultHalfWritten: a copy cut at exactly half its size exits 4 on
// every command, names the newest backup, is left as it is, and restore
// brings everything back.
func TestFaultHalfWritten(t *testing.T) {
	db, env := faultDB(t)
	mustRun(t, env, "", "backup")
	good, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, good[:len(good)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"talks"}, {"review", "--plain"}, {"import", "--demo"}, {"check"}, {"backup"}} {
		r := runTalkcards(t, env, "", args...)
		if r.code != exitDamaged || !strings.Contains(r.stderr, "not a valid talkcards database") ||
			!strings.Contains(r.stderr, "hint: restore the newest backup: talkcards restore "+newestBackup(db)) {
			t.Errorf("%v: exit %d, want %d with the newest backup named\n%s", args, r.code, exitDamaged, r.stderr)
		}
	}
	if b, _ := os.ReadFile(db); !bytes.Equal(b, good[:len(good)/2]) {
		t.Fatal("a command changed the damaged file")
	}
	mustRun(t, env, "", "restore", newestBackup(db))
	mustCheck(t, env)
	if users := decodeUsers(t, mustRun(t, env, "", "users", "--json").stdout); users["ana"].Reviews != 2 {
		t.Errorf("after restore: %d reviews, want 2", users["ana"].Reviews)
	}
}

// TestFaultCheckRepair: a broken due index is reported (exit 1, one line a
// problem, nothing written), and --repair backs up and rebuilds it.
func TestFaultCheckRepair(t *testing.T) {
	db, env := faultDB(t)
	b, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		due := tx.Bucket([]byte("users")).Bucket([]byte("ana")).Bucket([]byte("due"))
		k, _ := due.Cursor().First()
		if k == nil {
			return errors.New("no due entry")
		}
		if err := due.Delete(k); err != nil {
			return err
		}
		stray := append([]byte{0x80, 0, 0, 1}, 1, 2, 3, 4, 5, 6, 7, 8)
		return due.Put(stray, nil)
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	before := hash(t, db)
	r := runTalkcards(t, env, "", "check")
	if r.code != exitError || strings.Count(r.stdout, "problem: user ana: card ") != 2 ||
		!strings.Contains(r.stdout, "not in the due index") || !strings.Contains(r.stdout, "without a state") ||
		!strings.Contains(r.stderr, "talkcards check --repair") {
		t.Fatalf("check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if hash(t, db) != before {
		t.Fatal("check changed the database")
	}
	r = mustRun(t, env, "", "check", "--repair")
	if !strings.Contains(r.stdout, "repaired: ") || !strings.Contains(r.stdout, "0 problem(s) left") {
		t.Errorf("repair:\n%s", r.stdout)
	}
	mustCheck(t, env)
	if !strings.HasSuffix(newestBackup(db), "-repair.db") {
		t.Errorf("no backup before the repair: newest is %q", newestBackup(db))
	}
}

// TestFaultReadOnlyAndPermission: a folder that cannot be written and a
// database that cannot be read give a clear error (exit 1) and leave the
// data as it was. As root, permissions do not apply: a read-only tmpfs
// stands in for the folder, when one can be mounted.
func TestFaultReadOnlyAndPermission(t *testing.T) {
	db, env := faultDB(t)
	dir := filepath.Dir(db)
	notes := filepath.Join(t.TempDir(), "n.md")
	if err := os.WriteFile(notes, []byte("# N\n\n- a\n- b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		mnt := mountTmpfs(t, "4m")
		copyFile(t, db, filepath.Join(mnt, "talkcards.db"))
		if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
			t.Skipf("remount read-only: %v %s", err, out)
		}
		db, dir = filepath.Join(mnt, "talkcards.db"), mnt
		env = e2eEnv(t, db, "ana", faultNow)
	} else {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o700)
	}
	before := hash(t, db)
	r := runTalkcards(t, env, "", "import", notes)
	if r.code != exitError || !strings.HasPrefix(r.stderr, "talkcards: error: ") {
		t.Errorf("import into a read-only folder: exit %d\n%s", r.code, r.stderr)
	}
	if r := runTalkcards(t, env, "", "backup"); r.code != exitError {
		t.Errorf("backup into a read-only folder: exit %d\n%s", r.code, r.stderr)
	}
	if hash(t, db) != before {
		t.Error("the database changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the folder, want only the database", len(entries))
	}
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o700)
		if err := os.Chmod(db, 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(db, 0o600)
		for _, args := range [][]string{{"talks"}, {"check"}, {"backup"}} {
			if r := runTalkcards(t, env, "", args...); r.code != exitError || !strings.Contains(r.stderr, "permission denied") {
				t.Errorf("%v on an unreadable database: exit %d\n%s", args, r.code, r.stderr)
			}
		}
	}
}

// TestFaultDiskFull: with the database on a full file system, import
// refuses (its backup cannot be written: exit 1, a clear message), review
// warns about the backup and saves answers only if it can, and nothing
// stored before is lost. Needs root to mount a small tmpfs.
func TestFaultDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs; the write-failure path is covered by storage's TestWriteFailureKeepsOldFile and TestFaultReadOnlyAndPermission")
	}
	src, _ := faultDB(t)
	mnt := mountTmpfs(t, "1m")
	db := filepath.Join(mnt, "talkcards.db")
	copyFile(t, src, db)
	env := e2eEnv(t, db, "ana", "2026-11-27T09:00:00Z")
	fill := filepath.Join(mnt, "fill")
	f, err := os.Create(fill)
	if err != nil {
		t.Fatal(err)
	}
	for _, err = f.Write(make([]byte, 64<<10)); err == nil; _, err = f.Write(make([]byte, 4<<10)) {
	}
	f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the tmpfs: %v", err)
	}
	before := hash(t, db)
	r := runTalkcards(t, env, "", "import", "--demo")
	if r.code != exitError || !strings.Contains(r.stderr, "no space left on device") || !strings.Contains(r.stderr, "free some disk space") {
		t.Errorf("import on a full disk: exit %d\n%s", r.code, r.stderr)
	}
	if hash(t, db) != before {
		t.Error("a refused import changed the database")
	}
	r = runTalkcards(t, env, "\n4\n\n4\n\n4\n", "review", "--plain")
	if !strings.Contains(r.stderr, "warning: automatic backup before daily") {
		t.Errorf("review on a full disk: no backup warning\n%s", r.stderr)
	}
	if r.code != 0 && r.code != exitError {
		t.Errorf("review on a full disk: exit %d\n%s", r.code, r.stderr)
	}
	if r.code == exitError && !strings.Contains(r.stderr, "no space left") {
		t.Errorf("review failed without saying why:\n%s", r.stderr)
	}
	os.Remove(fill)
	mustCheck(t, env)
	if users := decodeUsers(t, mustRun(t, env, "", "users", "--json").stdout); users["ana"].Reviews < 2 {
		t.Errorf("after the full disk: %d reviews, want the 2 from before at least", users["ana"].Reviews)
	}
	if entries, _ := os.ReadDir(mnt); len(entries) > 2 { // the database and maybe backups/
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// mountTmpfs mounts a tmpfs of the given size for the test, or skips.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", mnt).Run() })
	return mnt
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
