package scheduler

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// refCard is a reference SM-2 written straight from DESIGN's pseudocode in
// exact rational arithmetic, sharing no code with Apply.
type refCard struct {
	n, interval, lapses int
	ef                  *big.Rat
	due, last           Day
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational " + s)
	}
	return r
}

func newRefCard() *refCard { return &refCard{ef: rat("2.5")} }

// roundHalfAway rounds a non-negative rational to the nearest integer, halves
// up.
func roundHalfAway(r *big.Rat) int {
	twice := new(big.Int).Mul(r.Num(), big.NewInt(2))
	twice.Add(twice, r.Denom())
	twice.Quo(twice, new(big.Int).Mul(r.Denom(), big.NewInt(2))) // floor((2x+1)/2)
	return int(twice.Int64())
}

func (c *refCard) review(q int, today Day) {
	if q >= 3 {
		switch c.n {
		case 0:
			c.interval = 1
		case 1:
			c.interval = 6
		default:
			c.interval = roundHalfAway(new(big.Rat).Mul(big.NewRat(int64(c.interval), 1), c.ef))
		}
		c.interval = min(c.interval, MaxInterval)
		c.n++
	} else {
		c.n = 0
		c.interval = 1
		c.lapses++
	}
	// EF + 0.1 - (5-q)*(0.08 + (5-q)*0.02)
	d := big.NewRat(int64(5-q), 1)
	inner := new(big.Rat).Add(rat("0.08"), new(big.Rat).Mul(d, rat("0.02")))
	ef := new(big.Rat).Add(c.ef, rat("0.1"))
	ef.Sub(ef, new(big.Rat).Mul(d, inner))
	if ef.Cmp(rat("1.3")) < 0 {
		ef = rat("1.3")
	}
	c.ef = ef
	c.due = today + Day(c.interval)
	c.last = today
}

func (c *refCard) state() State {
	ef, _ := c.ef.Float64()
	return State{Repetitions: c.n, Easiness: ef, Interval: c.interval, Due: c.due, Lapses: c.lapses, LastReview: c.last}
}

func TestApplyMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 10000 {
		ref := newRefCard()
		var s State
		today := Day(rng.IntN(30000))
		steps := 1 + rng.IntN(40)
		// Skew some sequences to mostly passing grades, so long intervals,
		// high EF and the cap are reached too.
		lowest := 0
		if i%3 == 0 {
			lowest = 3
		}
		var grades []Grade
		for step := range steps {
			q := lowest + rng.IntN(6-lowest)
			grades = append(grades, Grade(q))
			ref.review(q, today)
			s = Apply(s, step == 0, Grade(q), today)
			if want := ref.state(); s != want {
				t.Fatalf("case %d, grades %v: got %+v, reference %+v", i, grades, s, want)
			}
			// Review on the due day or somewhat late.
			today = s.Due + Day(rng.IntN(1+s.Interval/2))
		}
	}
}
