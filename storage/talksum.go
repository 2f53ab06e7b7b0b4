package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/talkcards/talkcards/scheduler"
)

// bTalkSum is users/<name>/talksum: per talk, the all-time figures of the
// talk's line in Stats, so a report on all talks reads one record per talk
// instead of every talk-day aggregate (doc.go). Record creates it.
var bTalkSum = []byte("talksum")

// talkSum is a talk's summary: its talk-day aggregates added up. A talk has
// one exactly when it has a talk-day aggregate.
type talkSum struct {
	Reviews, Quiz Ratio
	Last          scheduler.Day // last day with an answer
}

const talkSumSize = 1 + 4*4 + 4

func encodeTalkSum(s talkSum) []byte {
	b := make([]byte, 0, talkSumSize)
	b = append(b, 1)
	for _, n := range []int{s.Reviews.Answers, s.Reviews.Passed, s.Quiz.Answers, s.Quiz.Passed} {
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	}
	return append(b, dayKeySlice(s.Last)...)
}

func decodeTalkSum(v []byte) (talkSum, error) {
	if len(v) != talkSumSize || v[0] != 1 {
		return talkSum{}, fmt.Errorf("talk summary: %w", errCorrupt)
	}
	n := func(i int) int { return int(int32(binary.BigEndian.Uint32(v[1+4*i:]))) }
	s := talkSum{Reviews: Ratio{n(0), n(1)}, Quiz: Ratio{n(2), n(3)}, Last: keyDay(v[17:])}
	if s.Reviews.Passed < 0 || s.Reviews.Passed > s.Reviews.Answers || s.Quiz.Passed < 0 || s.Quiz.Passed > s.Quiz.Answers {
		return talkSum{}, fmt.Errorf("talk summary: %w", errCorrupt)
	}
	return s, nil
}

// addDay adds a day's aggregate of the talk.
func (s *talkSum) addDay(a DayAgg, first bool) {
	s.Reviews.add(Ratio{a.ByKind[KindReview], a.Passes[KindReview]})
	s.Quiz.add(Ratio{a.ByKind[KindQuiz], a.Passes[KindQuiz]})
	if first || a.Day > s.Last {
		s.Last = a.Day
	}
}

// talkSums adds talk-day aggregates up into encoded summaries by slug.
func talkSums(talkDays map[talkDay]DayAgg) map[string][]byte {
	sums := map[string]*talkSum{}
	for td, a := range talkDays {
		s := sums[td.talk]
		first := s == nil
		if first {
			s = &talkSum{}
			sums[td.talk] = s
		}
		s.addDay(a, first)
	}
	out := make(map[string][]byte, len(sums))
	for slug, s := range sums {
		out[slug] = encodeTalkSum(*s)
	}
	return out
}

// addTalkSum counts (sign 1) or uncounts (sign -1) one answer in the talk's
// summary, after addAgg changed its talk-day aggregate.
func addTalkSum(ub *bolt.Bucket, slug string, r Review, sign int) error {
	sums, talkDays := ub.Bucket(bTalkSum), ub.Bucket(bTalkDays)
	if sums == nil {
		return fmt.Errorf("talk summaries of a user with a review log: %w", errCorrupt)
	}
	var s talkSum
	v := sums.Get([]byte(slug))
	if v != nil {
		var err error
		if s, err = decodeTalkSum(v); err != nil {
			return err
		}
	}
	var one DayAgg
	one.add(r, sign)
	one.Day = r.Day
	if sign > 0 {
		s.addDay(one, v == nil)
	} else {
		s.Reviews.add(Ratio{one.ByKind[KindReview], one.Passes[KindReview]})
		s.Quiz.add(Ratio{one.ByKind[KindQuiz], one.Passes[KindQuiz]})
		// The last day left: the talk's greatest talk-day key.
		prefix := append([]byte(slug), 0)
		c := talkDays.Cursor()
		k, _ := c.Seek(append([]byte(slug), 1))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
		if k == nil || len(k) != len(prefix)+4 || !bytes.HasPrefix(k, prefix) {
			return sums.Delete([]byte(slug))
		}
		s.Last = keyDay(k[len(prefix):])
	}
	if s.Reviews.Passed < 0 || s.Quiz.Passed < 0 || s.Reviews.Passed > s.Reviews.Answers || s.Quiz.Passed > s.Quiz.Answers {
		return fmt.Errorf("talk summary below zero: %w", errCorrupt)
	}
	return sums.Put([]byte(slug), encodeTalkSum(s))
}
