package scheduler

import "strconv"

var gradeLabels = [...]string{
	GradeBlackout: "complete blackout",
	GradeWrong:    "wrong, recognised after seeing the answer",
	GradeAlmost:   "wrong, but easy once seen",
	GradeHard:     "right with serious difficulty",
	GradeGood:     "right after hesitation",
	GradeEasy:     "perfect",
}

var gradeShortLabels = [...]string{
	GradeBlackout: "blackout",
	GradeWrong:    "wrong",
	GradeAlmost:   "almost",
	GradeHard:     "hard",
	GradeGood:     "good",
	GradeEasy:     "easy",
}

// Valid reports whether g is one of the six SM-2 grades.
func (g Grade) Valid() bool { return g >= GradeBlackout && g <= GradeEasy }

// Passed reports whether g counts as a successful recall (3 or more).
func (g Grade) Passed() bool { return g >= GradeHard && g <= GradeEasy }

// Label is the SM-2 description of g, for help text.
func (g Grade) Label() string {
	if !g.Valid() {
		return "invalid grade " + strconv.Itoa(int(g))
	}
	return gradeLabels[g]
}

// ShortLabel is a one-word name of g, for a grade prompt.
func (g Grade) ShortLabel() string {
	if !g.Valid() {
		return "grade" + strconv.Itoa(int(g))
	}
	return gradeShortLabels[g]
}
