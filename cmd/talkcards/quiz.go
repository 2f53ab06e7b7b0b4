package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/scheduler"
	"github.com/talkcards/talkcards/storage"
)

// quizMode is how a quiz asks: reveal and self-grade, pick one of four, or
// type the answer.
type quizMode string

const (
	modeFlip   quizMode = "flip"
	modeChoice quizMode = "choice"
	modeType   quizMode = "type"
)

func (m quizMode) label() string {
	switch m {
	case modeChoice:
		return "multiple choice"
	case modeType:
		return "type the answer"
	}
	return "flip and grade yourself"
}

// quizQuestion is one card as the quiz asks it.
type quizQuestion struct {
	card     storage.Card
	mode     quizMode // a choice question with nothing to choose between is asked as flip
	options  []string // choice: the answers offered, the right one among them
	correct  int      // choice: index of the right option
	position int      // 1-based
	total    int
	right    int // right answers so far
}

// crumb is the card's place: Talk › Section › Subsection.
func (q quizQuestion) crumb() string { return breadcrumb(shownCard{card: q.card}) }

// points is the number of points a card's answer has (1 for a plain answer).
func (q quizQuestion) points() int {
	n := 0
	for _, l := range strings.Split(q.card.Answer, "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return max(n, 1)
}

// quizReply is what the person did at a question.
type quizReply struct {
	act    action          // actGrade: answered; actQuit; actEOF
	grade  scheduler.Grade // flip: the self-grade
	choice int             // choice: the option picked
	text   string          // type: what was typed ("" gives up)
}

// quizVerdict is how an answer was judged.
type quizVerdict struct {
	right  bool
	partly bool // type: some points given, graded 3
	grade  scheduler.Grade
	typed  string   // type: what was typed
	chosen int      // choice: the option picked
	missed []string // type, several points: the ones not given
}

// quizUI is the face of a quiz: promptui on a terminal, plain lines
// elsewhere. Both drive the same engine.
type quizUI interface {
	// start introduces the quiz.
	start(h quizHeader)
	// ask shows a question and collects the reply for its mode.
	ask(ctx context.Context, q quizQuestion) (quizReply, error)
	// verdict shows how the (already saved) answer was judged; the person
	// may quit there.
	verdict(ctx context.Context, q quizQuestion, v quizVerdict) (action, error)
	result(r quizResult)
}

type quizHeader struct {
	talk      storage.Talk
	mode      quizMode
	questions int
	seed      uint64
}

// quizResult is the score of a quiz, so far or at its end.
type quizResult struct {
	talk         storage.Talk
	mode         quizMode
	seed         uint64
	questions    int // asked or not
	right, total int // total: answered
	missed       []storage.Card
	rescheduled  int
	interrupted  bool
}

func (r quizResult) percent() int {
	if r.total == 0 {
		return 0
	}
	return (r.right*100 + r.total/2) / r.total
}

// quiz runs the questions in order. Each answer is committed, in a database
// opened for that answer alone, before its verdict and the next question
// show; nothing holds the database while a person thinks.
type quiz struct {
	a          *app
	user       string
	today      scheduler.Day
	questions  []quizQuestion
	ui         quizUI
	reschedule bool
	result     quizResult
}

// run asks every question until the end, q, end of input or Ctrl-C
// (errInterrupted). The result holds what was answered either way.
func (z *quiz) run(ctx context.Context) error {
	for _, q := range z.questions {
		if ctx.Err() != nil {
			return errInterrupted
		}
		q.right = z.result.right
		shownAt := z.a.now()
		reply, err := z.ui.ask(ctx, q)
		if err != nil {
			return err
		}
		if reply.act != actGrade {
			return nil
		}
		v := judge(q, reply)
		if err := z.record(q, v, z.a.now().Sub(shownAt)); err != nil {
			return err
		}
		act, err := z.ui.verdict(ctx, q, v)
		if err != nil {
			return err
		}
		if act == actQuit || act == actEOF {
			return nil
		}
	}
	return nil
}

// judge grades a reply: choice right 5, wrong 1; type every point 5, at
// least half 3, less 1; flip the person's own grade.
func judge(q quizQuestion, r quizReply) quizVerdict {
	switch q.mode {
	case modeChoice:
		if r.choice == q.correct {
			return quizVerdict{right: true, grade: scheduler.GradeEasy, chosen: r.choice}
		}
		return quizVerdict{grade: scheduler.GradeWrong, chosen: r.choice}
	case modeType:
		v := quizVerdict{typed: r.text, grade: scheduler.GradeWrong}
		m := deck.MatchAnswer(q.card.Answer, r.text)
		switch {
		case m.Right:
			v.right, v.grade = true, scheduler.GradeEasy
		case m.Score >= 0.5:
			v.partly, v.grade = true, scheduler.GradeHard
		}
		if q.points() > 1 {
			v.missed = m.Missed
		}
		return v
	}
	return quizVerdict{right: r.grade.Passed(), grade: r.grade}
}

// record commits one answer. It is a quiz answer that leaves the schedule
// alone, unless --reschedule is on and the card is due or new: then it is
// the card's review, scheduled by SM-2 as a review session would.
func (z *quiz) record(q quizQuestion, v quizVerdict, took time.Duration) error {
	id := q.card.ID
	r := storage.Review{Time: z.a.now(), Card: id, Grade: v.grade, Kind: storage.KindQuiz, Took: took}
	rescheduled := false
	// As a review session records an answer (storage.RecordAnswer).
	path, err := z.a.dbPath()
	if err == nil {
		err = storage.RecordAnswer(path, 0, z.user, id, z.today, func(prev scheduler.State, had bool) (storage.Review, *scheduler.State) {
			r := r
			rescheduled = false
			if z.reschedule && (!had || !prev.Suspended && prev.Due <= z.today) {
				st := scheduler.Apply(prev, !had, v.grade, z.today)
				r.Kind = storage.KindReview
				r.Interval, r.Easiness = st.Interval, st.Easiness
				rescheduled = true
				return r, &st
			}
			if had {
				r.Interval, r.Easiness = prev.Interval, prev.Easiness
			}
			return r, nil
		})
	}
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	z.result.total++
	if v.right {
		z.result.right++
	} else {
		z.result.missed = append(z.result.missed, q.card)
	}
	if rescheduled {
		z.result.rescheduled++
	}
	return nil
}

type quizMissJSON struct {
	ID     string `json:"id"`
	Prompt string `json:"prompt"`
	Answer string `json:"answer"`
}

type quizJSON struct {
	Talk        string         `json:"talk"`
	Slug        string         `json:"slug"`
	Mode        string         `json:"mode"`
	Seed        uint64         `json:"seed"`
	Right       int            `json:"right"`
	Total       int            `json:"total"`
	Percent     int            `json:"percent"`
	Rescheduled int            `json:"rescheduled"`
	Interrupted bool           `json:"interrupted"`
	Missed      []quizMissJSON `json:"missed"`
}

func (r quizResult) json() quizJSON {
	out := quizJSON{Talk: r.talk.Title, Slug: r.talk.Slug, Mode: string(r.mode), Seed: r.seed,
		Right: r.right, Total: r.total, Percent: r.percent(), Rescheduled: r.rescheduled,
		Interrupted: r.interrupted, Missed: []quizMissJSON{}}
	for _, c := range r.missed {
		out.Missed = append(out.Missed, quizMissJSON{c.ID, c.Prompt, c.Answer})
	}
	return out
}
