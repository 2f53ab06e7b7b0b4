package deck

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
)

// ID is a card's stable identity: a short hash of the talk title, heading
// path, kind and normalised source key (DESIGN "Card identity"). 16 hex
// digits (64 bits) keep collisions negligible at millions of cards.
func ID(talk string, path []string, kind Kind, key string) string {
	h := sha256.New()
	write := func(s string) {
		h.Write([]byte(Normalize(s)))
		h.Write([]byte{0})
	}
	write(talk)
	for _, p := range path {
		write(p)
	}
	h.Write([]byte{1})
	write(string(kind))
	write(key)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Normalize lowercases s and collapses runs of white space to one space, so
// re-indenting or re-wrapping notes does not change card identity.
func Normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// foldTable maps accented Latin letters to their base letter.
var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'ç': "c", 'ć': "c", 'č': "c", 'ĉ': "c", 'ċ': "c",
	'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ğ': "g", 'ĝ': "g", 'ġ': "g", 'ģ': "g",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ł': "l", 'ľ': "l", 'ĺ': "l", 'ļ': "l",
	'ñ': "n", 'ń': "n", 'ň': "n", 'ņ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o",
	'ř': "r", 'ŕ': "r",
	'ś': "s", 'š': "s", 'ş': "s", 'ș': "s", 'ß': "ss",
	'ť': "t", 'ţ': "t", 'ț': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'ý': "y", 'ÿ': "y",
	'ź': "z", 'ż': "z", 'ž': "z",
	'æ': "ae", 'œ': "oe",
}

// Fold lowercases s, strips accents from Latin letters and collapses white
// space: the form used to match talk names and typed answers.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if f, ok := foldTable[r]; ok {
			b.WriteString(f)
			continue
		}
		if unicode.Is(unicode.Mn, r) { // combining marks of decomposed text
			continue
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// Slug is a talk's short name for the command line: folded, ASCII letters and
// digits, words joined by '-'. It may be empty for a title with no letters.
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(title) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

// Words splits folded s into its letter/digit tokens.
func Words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Similarity is a 0..1 score of how alike two texts are: the Dice
// coefficient of their character bigrams after folding. It tolerates small
// typos, case, accents and punctuation; order of words matters little.
func Similarity(a, b string) float64 {
	ba, bb := bigrams(a), bigrams(b)
	if len(ba) == 0 && len(bb) == 0 {
		return 1
	}
	if len(ba) == 0 || len(bb) == 0 {
		return 0
	}
	count := make(map[string]int, len(ba))
	for _, g := range ba {
		count[g]++
	}
	common := 0
	for _, g := range bb {
		if count[g] > 0 {
			count[g]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(ba)+len(bb))
}

func bigrams(s string) []string {
	var out []string
	for _, w := range Words(s) {
		r := []rune(w)
		if len(r) == 1 {
			out = append(out, w)
			continue
		}
		for i := 0; i+1 < len(r); i++ {
			out = append(out, string(r[i:i+2]))
		}
	}
	return out
}
