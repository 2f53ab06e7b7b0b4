// Package deck turns a notes outline into question/answer cards under the
// quality rules of DESIGN.md. It owns card kinds, prompts, answers and card
// identity; it knows nothing of storage, scheduling or terminals.
package deck

// Kind is a card kind (DESIGN "Outline → cards").
type Kind string

const (
	Outline    Kind = "outline"
	List       Kind = "list"
	Cloze      Kind = "cloze"
	Definition Kind = "definition"
	QA         Kind = "qa"
	Detail     Kind = "detail"
	Speaker    Kind = "speaker"
)

// Card is one generated question/answer card. Prompt and Answer keep inline
// markdown so the UI can render it; an answer of several points has one
// point per line, each starting with "- " (quality rule 7).
type Card struct {
	ID     string   // stable short hash, see ID
	Talk   string   // talk title
	Path   []string // heading titles below the talk, outermost first
	Kind   Kind
	Prompt string
	Answer string
	Source string // file:line of the node the card asks about
	Seq    int    // note order within the talk, 0-based
	// Key is the normalised source text the ID hashes; storage uses it to
	// find the card an edited point most resembles.
	Key string
}
