package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// Problem is one broken invariant found by Verify.
type Problem struct {
	User string // "" for the shared data
	Msg  string
	// Repairable means Repair rebuilds what is wrong from the primary
	// data (a derived index or counter).
	Repairable bool
}

func (p Problem) String() string {
	if p.User == "" {
		return p.Msg
	}
	return "user " + p.User + ": " + p.Msg
}

// maxProblems bounds what Verify reports, so a wrecked file gives a
// readable report.
const maxProblems = 1000

// Verify checks the whole file: bbolt's page-level consistency (tx.Check;
// any finding is ErrDamaged, as the file cannot be trusted) and then the
// talkcards invariants, reported as Problems:
//   - every record decodes; meta counters match the talks and cards;
//   - every card state belongs to a card;
//   - the due index matches the states: each state of an active card not
//     suspended has exactly one due entry, at its due day, holding the
//     card's note order; a retired card's state has none; no other entries;
//   - the per-user review count matches the log.
//
// It never writes. O(file size).
func (db *DB) Verify() ([]Problem, error) {
	if err := db.Check(); err != nil {
		return nil, err
	}
	var problems []Problem
	err := db.view(func(tx *bolt.Tx) error {
		problems = verifyTx(tx)
		if len(problems) < maxProblems {
			problems = append(problems, journalProblems(tx, db.path)...)
		}
		return nil
	})
	return problems, err
}

func verifyTx(tx *bolt.Tx) []Problem {
	var out []Problem
	add := func(user string, repairable bool, format string, args ...any) {
		if len(out) < maxProblems {
			out = append(out, Problem{User: user, Msg: fmt.Sprintf(format, args...), Repairable: repairable})
		}
	}
	for _, name := range [][]byte{bMeta, bTalks, bCards, bOrder, bByFile, bFiles, bRoots, bLinks, bUsers} {
		if tx.Bucket(name) == nil {
			add("", false, "bucket %q is missing", name)
		}
	}
	if len(out) > 0 {
		return out
	}
	if pb := tx.Bucket(bPending); pb != nil {
		n := 0
		_ = pb.ForEach(func(_, v []byte) error {
			n++
			p, err := decodePending(v)
			if err == nil {
				err = checkAnswer(tx, p.r)
			}
			if err != nil {
				add(p.user, true, "pending answer %d: %v (repair drops it)", n, err)
			}
			return nil
		})
	}
	cards := tx.Bucket(bCards)
	active := 0
	_ = cards.ForEach(func(k, v []byte) error {
		c, err := decodeCard(k, v)
		switch {
		case len(k) != 8:
			add("", false, "card key %x: not 8 bytes", k)
		case err != nil:
			add("", false, "%v", err)
		case !c.Retired:
			active++
		}
		return nil
	})
	meta := tx.Bucket(bMeta)
	if got, want := getU64(meta, kTalks), tx.Bucket(bTalks).Stats().KeyN; got != uint64(want) {
		add("", true, "talk counter says %d, there are %d talks", got, want)
	}
	if got := getU64(meta, kActive); got != uint64(active) {
		add("", true, "active card counter says %d, there are %d active cards", got, active)
	}
	users := tx.Bucket(bUsers)
	retired, retiredErr := retiredKeys(tx)
	_ = users.ForEach(func(name, v []byte) error {
		if v != nil {
			add("", false, "users: stray key %q", name)
			return nil
		}
		verifyUser(cards, string(name), users.Bucket(name), add)
		if retiredErr == nil && schemaOf(tx) >= 2 { // schema 1 has no summary
			verifyStateSum(string(name), users.Bucket(name), retired, add)
		}
		verifyNewCards(tx, string(name), users.Bucket(name), add)
		verifyAggregates(tx, string(name), add)
		return nil
	})
	return out
}

// verifyNewCards checks the global "introduced" marker: every active card
// before it without a state is listed in early.
func verifyNewCards(tx *bolt.Tx, user string, ub *bolt.Bucket, add func(user string, repairable bool, format string, args ...any)) {
	if missed := newCardsMissed(tx, ub); missed > 0 {
		add(user, true, "%d new cards before the introduced marker are not listed", missed)
	}
}

// newCardsMissed counts the active cards before the user's global marker
// without a state and not listed in early (0: the marker is sound).
func newCardsMissed(tx *bolt.Tx, ub *bolt.Bucket) int {
	first := sub(ub, bIntro).Get(kFirst)
	if first == nil {
		return 0
	}
	early, states := ub.Bucket(bEarly), ub.Bucket(bState)
	missed := 0
	c := tx.Bucket(bOrder).Cursor()
	for k, v := c.First(); k != nil && bytes.Compare(k, first) < 0; k, v = c.Next() {
		if bytes.Equal(v, orderActive) && (states == nil || states.Get(k[8:]) == nil) && (early == nil || early.Get(k) == nil) {
			missed++
		}
	}
	return missed
}

func verifyUser(cards *bolt.Bucket, user string, ub *bolt.Bucket, add func(user string, repairable bool, format string, args ...any)) {
	// due entries by card key
	dueDays := map[[8]byte][]scheduler.Day{}
	badOrder := map[[8]byte]bool{} // entries not holding the card's note order
	if due := ub.Bucket(bDue); due != nil {
		_ = due.ForEach(func(k, v []byte) error {
			if len(k) != 12 {
				add(user, true, "due index: key %x is not 12 bytes", k)
				return nil
			}
			ck := [8]byte(k[4:])
			if len(v) != 8 {
				badOrder[ck] = true
			} else if cv := cards.Get(k[4:]); cv != nil {
				if order, _, err := cardBrief(cv); err == nil && binary.BigEndian.Uint64(v) != order {
					badOrder[ck] = true
				}
			}
			dueDays[ck] = append(dueDays[ck], keyDay(k[:4]))
			return nil
		})
	}
	if sb := ub.Bucket(bState); sb != nil {
		_ = sb.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				add(user, false, "state key %x: not 8 bytes", k)
				return nil
			}
			id := cardID(k)
			ck := [8]byte(k)
			days := dueDays[ck]
			delete(dueDays, ck)
			s, err := decodeState(v)
			if err != nil {
				add(user, false, "card %s: %v", id, err)
				return nil
			}
			retired := false // or missing: never reviewed, so never due
			if cv := cards.Get(k); cv == nil {
				add(user, false, "card %s: has a state but no such card", id)
				return nil
			} else if order, r, err := cardBrief(cv); err == nil {
				retired = r
				if stateTalk(v) != uint32(order>>32) {
					add(user, true, "card %s: its state names talk %d, the card is of talk %d", id, stateTalk(v), order>>32)
				}
			}
			switch {
			case s.Suspended && len(days) > 0:
				add(user, true, "card %s: suspended but in the due index (%s)", id, dayList(days))
			case retired && len(days) > 0:
				add(user, true, "card %s: retired but in the due index (%s)", id, dayList(days))
			case retired:
			case !s.Suspended && len(days) == 0:
				add(user, true, "card %s: due %s but not in the due index", id, s.Due)
			case !s.Suspended && (len(days) > 1 || days[0] != s.Due):
				add(user, true, "card %s: due %s but in the due index at %s", id, s.Due, dayList(days))
			case badOrder[ck]:
				add(user, true, "card %s: its due entry does not hold the card's note order", id)
			}
			return nil
		})
	}
	stray := make([][8]byte, 0, len(dueDays))
	for ck := range dueDays {
		stray = append(stray, ck)
	}
	slices.SortFunc(stray, func(a, b [8]byte) int { return bytes.Compare(a[:], b[:]) })
	for _, ck := range stray {
		add(user, true, "card %s: in the due index (%s) without a state", cardID(ck[:]), dayList(dueDays[ck]))
	}
	logged := 0
	if lb := ub.Bucket(bLog); lb != nil {
		_ = lb.ForEach(func(k, v []byte) error {
			logged++
			if len(k) != 8 {
				add(user, false, "review log: key %x is not 8 bytes", k)
				return nil
			}
			seq := binary.BigEndian.Uint64(k)
			r, err := decodeReview(v)
			if err != nil {
				add(user, false, "review log entry %d: %v", seq, err)
				return nil
			}
			if ck, err := cardKey(r.Card); err != nil || cards.Get(ck[:]) == nil {
				add(user, false, "review log entry %d: card %s does not exist", seq, r.Card)
			}
			return nil
		})
	}
	if got := getU64(ub, kInfo); got != uint64(logged) {
		add(user, true, "review counter says %d, the log has %d entries", got, logged)
	}
}

// verifyAggregates checks the "aggregates match the log" invariant: the
// user's day and talk-day aggregates equal what the review log implies.
// Stats read only the aggregates, so a mismatch would show wrong figures;
// Repair rebuilds them from the log.
func verifyAggregates(tx *bolt.Tx, user string, add func(user string, repairable bool, format string, args ...any)) {
	days, talkDays, err := recomputeTx(tx, user)
	if err != nil {
		add(user, false, "aggregates: cannot recompute from the review log: %v", err)
		return
	}
	ub, err := userBucket(tx, user)
	if err != nil {
		return
	}
	want := map[string][]byte{}
	for d, a := range days {
		want[string(dayKeySlice(d))] = encodeDayAgg(a)
	}
	compareAggs(sub(ub, bDays), want, user, "day", add)
	want = map[string][]byte{}
	for td, a := range talkDays {
		want[string(talkDayKey(td.talk, td.day))] = encodeDayAgg(a)
	}
	compareAggs(sub(ub, bTalkDays), want, user, "talk-day", add)
	compareAggs(sub(ub, bTalkSum), talkSums(talkDays), user, "talk summary", add)
}

func compareAggs(b *bolt.Bucket, want map[string][]byte, user, what string, add func(user string, repairable bool, format string, args ...any)) {
	bad := 0
	if b != nil {
		_ = b.ForEach(func(k, v []byte) error {
			w, ok := want[string(k)]
			if !ok || !bytes.Equal(w, v) {
				bad++
			}
			delete(want, string(k))
			return nil
		})
	}
	bad += len(want)
	if bad > 0 {
		add(user, true, "%d %s aggregates do not match the review log", bad, what)
	}
}

// rebuildAggregates replaces the user's day and talk-day aggregates with
// those recomputed from the review log.
func rebuildAggregates(tx *bolt.Tx, ub *bolt.Bucket, user string) error {
	days, talkDays, err := recomputeTx(tx, user)
	if err != nil {
		return err
	}
	for _, name := range [][]byte{bDays, bTalkDays, bTalkSum} {
		if ub.Bucket(name) != nil {
			if err := ub.DeleteBucket(name); err != nil {
				return err
			}
		}
		if _, err := ub.CreateBucket(name); err != nil {
			return err
		}
	}
	for d, a := range days {
		if err := ub.Bucket(bDays).Put(dayKeySlice(d), encodeDayAgg(a)); err != nil {
			return err
		}
	}
	for td, a := range talkDays {
		if err := ub.Bucket(bTalkDays).Put(talkDayKey(td.talk, td.day), encodeDayAgg(a)); err != nil {
			return err
		}
	}
	for slug, v := range talkSums(talkDays) {
		if err := ub.Bucket(bTalkSum).Put([]byte(slug), v); err != nil {
			return err
		}
	}
	return nil
}

func dayList(days []scheduler.Day) string {
	var b bytes.Buffer
	for i, d := range days {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// RepairReport says what Repair rebuilt.
type RepairReport struct {
	DueEntries int // due-index entries written (users' indexes rebuilt from their states)
	Counters   int // counters corrected
	Dropped    int // pending answers that could not be applied (damaged, or their card gone)
}

// Repair rebuilds the derived data from the primary data, in one
// transaction: every user's due index from their states (none for states of
// retired or missing cards, which are never reviewed), their day and talk-day
// aggregates and talk summaries from their review log, the talk, active
// card and per-user review counters, the talk named in each card state, and
// (if it skips a new card) the global "introduced" marker. It deletes no
// card, state or log entry. Callers back the file up first. A file bbolt's check finds damaged
// is refused (ErrDamaged): restore a backup instead.
func (db *DB) Repair() (RepairReport, error) {
	var rep RepairReport
	if err := db.Check(); err != nil {
		return rep, err
	}
	// Apply the pending answers that can be, dropping the others, before
	// update would insist on applying all of them.
	dropped, err := db.updateFolding(true, func(*bolt.Tx) error { return nil })
	if err != nil {
		return rep, err
	}
	err = db.update(func(tx *bolt.Tx) error {
		rep = RepairReport{Dropped: dropped}
		active := uint64(0)
		if err := tx.Bucket(bCards).ForEach(func(k, v []byte) error {
			c, err := decodeCard(k, v)
			if err == nil && !c.Retired {
				active++
			}
			return nil
		}); err != nil {
			return err
		}
		meta := tx.Bucket(bMeta)
		fix := func(b *bolt.Bucket, key []byte, want uint64) error {
			if getU64(b, key) == want {
				return nil
			}
			rep.Counters++
			return putU64(b, key, want)
		}
		if err := fix(meta, kTalks, uint64(tx.Bucket(bTalks).Stats().KeyN)); err != nil {
			return err
		}
		if err := fix(meta, kActive, active); err != nil {
			return err
		}
		for _, name := range userNames(tx) {
			ub, err := userBucketRW(tx, string(name))
			if err != nil {
				return err
			}
			// The marker is an optimisation: without it new cards are
			// looked for from the start.
			if newCardsMissed(tx, ub) > 0 {
				if err := ub.Bucket(bIntro).Delete(kFirst); err != nil {
					return err
				}
			}
			fixed, err := fixStateTalks(tx, ub)
			if err != nil {
				return err
			}
			rep.Counters += fixed
			n, err := rebuildDue(tx, ub)
			if err != nil {
				return err
			}
			rep.DueEntries += n
			if err := fix(ub, kInfo, uint64(ub.Bucket(bLog).Stats().KeyN)); err != nil {
				return err
			}
			if err := rebuildAggregates(tx, ub, string(name)); err != nil {
				return err
			}
		}
		return buildStateSums(tx, true)
	})
	return rep, err
}

// fixStateTalks rewrites the talk seq of the user's states whose card is of
// another talk (a derived field, like a counter); it returns how many.
func fixStateTalks(tx *bolt.Tx, ub *bolt.Bucket) (int, error) {
	cards := tx.Bucket(bCards)
	type fix struct{ k, v []byte }
	var fixes []fix
	_ = ub.Bucket(bState).ForEach(func(k, v []byte) error {
		s, err := decodeState(v)
		cv := cards.Get(k)
		if err != nil || cv == nil {
			return nil // reported by Verify
		}
		if order, _, err := cardBrief(cv); err == nil && stateTalk(v) != uint32(order>>32) {
			fixes = append(fixes, fix{slices.Clone(k), encodeState(s, uint32(order>>32))})
		}
		return nil
	})
	for _, f := range fixes {
		if err := ub.Bucket(bState).Put(f.k, f.v); err != nil {
			return 0, err
		}
	}
	return len(fixes), nil
}

// rebuildDue replaces the user's due index by one entry per state of an
// active card not suspended, at its due day, with the card's note order.
func rebuildDue(tx *bolt.Tx, ub *bolt.Bucket) (int, error) {
	if err := ub.DeleteBucket(bDue); err != nil {
		return 0, err
	}
	due, err := ub.CreateBucket(bDue)
	if err != nil {
		return 0, err
	}
	n := 0
	cards := tx.Bucket(bCards)
	err = ub.Bucket(bState).ForEach(func(k, v []byte) error {
		s, err := decodeState(v)
		if err != nil || len(k) != 8 {
			return nil // reported by Verify; nothing to index
		}
		if s.Suspended {
			return nil
		}
		cv := cards.Get(k)
		if cv == nil {
			return nil // reported by Verify; a missing card is never reviewed
		}
		order, retired, err := cardBrief(cv)
		if err != nil || retired {
			return nil // reported by Verify, or retired: never reviewed
		}
		n++
		return due.Put(dueKey(s.Due, [8]byte(k)), dueVal(order))
	})
	return n, err
}
