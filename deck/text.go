package deck

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ID is a card's stable identity: a short hash of the talk title, heading
// path, kind and normalised source key (DESIGN "Card identity"). 16 hex
// digits (64 bits) keep collisions negligible at millions of cards.
func ID(talk string, path []string, kind Kind, key string) string {
	var buf [512]byte
	return idOf(idPlace(buf[:0], talk, path), kind, key)
}

// idPlace appends the part of an ID's hashed text that names the talk and
// heading path, shared by every card under one heading.
func idPlace(b []byte, talk string, path []string) []byte {
	b = append(appendNormal(b, talk), 0)
	for _, p := range path {
		b = append(appendNormal(b, p), 0)
	}
	return append(b, 1)
}

// idOf is the ID of the card of kind and key at place (see idPlace).
func idOf(place []byte, kind Kind, key string) string {
	return idTexts([]uint64{idSum(place, kind, key)})
}

// idLen is the length of an ID: 16 hex digits.
const idLen = 16

// idSum is the number an ID writes in hex: the first 8 bytes of the hash,
// big-endian. Two IDs are equal exactly when their sums are.
func idSum(place []byte, kind Kind, key string) uint64 {
	return idSumOfNormal(place, Kind(Normalize(string(kind))), Normalize(key))
}

// idSumOfNormal is idSum of a kind and key already in normal form
// (Normalize of a normal form is itself), as every generated card's are:
// it spares reading them again.
func idSumOfNormal(place []byte, kind Kind, key string) uint64 {
	var buf [512]byte
	b := append(buf[:0], place...)
	b = append(append(b, kind...), 0)
	b = append(append(b, key...), 0)
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8])
}

// idTexts writes the IDs of sums one after another, idLen bytes each, in
// one string: the IDs of a talk's cards cost one allocation, not one each.
func idTexts(sums []uint64) string {
	var b strings.Builder
	b.Grow(len(sums) * idLen)
	var sum [8]byte
	var id [idLen]byte
	for _, s := range sums {
		binary.BigEndian.PutUint64(sum[:], s)
		hex.Encode(id[:], sum[:])
		b.Write(id[:])
	}
	return b.String()
}

// Normalize lowercases s and collapses runs of white space to one space, so
// re-indenting or re-wrapping notes does not change card identity.
func Normalize(s string) string {
	if isASCII(s) {
		return foldASCII(s)
	}
	n := normalizer{b: make([]byte, 0, len(s))}
	n.write(s)
	return string(n.b)
}

// normalizer appends the normal form (see Normalize) of the texts written
// to it, as if they were one text: strings.ToLower, Fields and Join in one
// pass, with no copy of the joined text. Pieces must be split between
// whole runes (at an ASCII byte, say), or invalid UTF-8 could decode
// differently.
type normalizer struct {
	b     []byte
	space bool // white space seen since the last rune appended
	wrote bool // a rune appended: white space after it counts
}

func (n *normalizer) write(s string) {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // as below, quicker
			i++
			if isSpaceASCII(c) {
				n.space = true
				continue
			}
			if n.space && n.wrote {
				n.b = append(n.b, ' ')
			}
			n.space, n.wrote = false, true
			// The rest of this run of ASCII bytes, up to white space, at once.
			j := i
			for j < len(s) && s[j] < utf8.RuneSelf && !isSpaceASCII(s[j]) {
				j++
			}
			n.b = appendLowerASCII(append(n.b, lowerASCII(c)), s[i:j])
			i = j
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		l := unicode.ToLower(r)
		if unicode.IsSpace(l) {
			n.space = true
			continue
		}
		if n.space && n.wrote {
			n.b = append(n.b, ' ')
		}
		n.space, n.wrote = false, true
		n.b = utf8.AppendRune(n.b, l)
	}
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	return c
}

// appendLowerASCII appends ASCII s to b, lowercased.
func appendLowerASCII(b []byte, s string) []byte {
	n := len(b)
	b = slices.Grow(b, len(s))[:n+len(s)]
	out := b[n:] // written by index: no append's length update per byte
	for i := range out {
		out[i] = lowerASCII(s[i])
	}
	return b
}

// appendNormal appends the normal form of s to b.
func appendNormal(b []byte, s string) []byte {
	n := normalizer{b: b}
	n.write(s)
	return n.b
}

// normalizeLines is Normalize of parts joined by new lines, written into
// buf (which it returns for reuse) rather than joined first. Like
// foldASCII, it returns a lone part itself when that is in normal form.
func normalizeLines(buf []byte, parts ...string) (string, []byte) {
	if len(parts) == 1 && isASCII(parts[0]) && foldedASCII(parts[0]) {
		return parts[0], buf
	}
	n := normalizer{b: buf[:0]}
	for i, p := range parts {
		if i > 0 {
			n.space = true // the new line between parts
		}
		n.write(p)
	}
	return string(n.b), n.b
}

// caseASCII reports whether s is ASCII and whether it holds a capital.
// For ASCII s, strings.ToLower(s) is s when it holds none, else
// appendLowerASCII(nil, s): ToLower maps ASCII byte by byte, 'A'-'Z' to
// 'a'-'z', as lowerASCII does. Lowering into a stack buffer of 32 bytes
// and converting keeps the string on the stack when it does not outlive
// its function (the compiler's own buffer is 32 bytes too): no allocation,
// where ToLower makes one for every capitalised word.
func caseASCII(s string) (ascii, upper bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false, false
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	return true, upper
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isSpaceASCII(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// foldASCII is Normalize and Fold of an ASCII text: lower case, runs of
// white space as one space, none at either end. It returns s itself when
// there is nothing to change.
func foldASCII(s string) string {
	if foldedASCII(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpaceASCII(c) {
			space = true
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// foldedASCII reports whether ASCII s is its own foldASCII.
func foldedASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			return false
		case isSpaceASCII(c):
			if c != ' ' || i == 0 || i+1 == len(s) || isSpaceASCII(s[i+1]) {
				return false
			}
		}
	}
	return true
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
	if isASCII(s) {
		return foldASCII(s)
	}
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
	if out := appendWords(nil, s); out != nil {
		return out
	}
	return []string{} // as strings.FieldsFunc
}

// appendWords appends Words(s) to dst, so that a caller may reuse one
// slice (or an array on its stack) for the words of many texts.
func appendWords(dst []string, s string) []string {
	if isASCII(s) {
		return appendWordsASCII(dst, s)
	}
	// Fold and split in one pass: each rune lowercased, then replaced by
	// foldTable or dropped as a combining mark, as Fold does; white space
	// is a separator like any other non-letter.
	buf := make([]byte, 0, len(s))
	var endsBuf [32]int
	ends := endsBuf[:0] // the end in buf of each word
	in := false
	for _, r := range s {
		if r < utf8.RuneSelf { // as below, quicker
			c := byte(r)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if isAlnumASCII(c) {
				buf = append(buf, c)
				in = true
				continue
			}
			if in {
				ends = append(ends, len(buf))
				in = false
			}
			buf = append(buf, ' ')
			continue
		}
		l := unicode.ToLower(r)
		if f, ok := foldTable[l]; ok {
			buf = append(buf, f...)
			in = true
			continue
		}
		if unicode.Is(unicode.Mn, l) {
			continue
		}
		if unicode.IsLetter(l) || unicode.IsDigit(l) {
			buf = utf8.AppendRune(buf, l)
			in = true
			continue
		}
		if in {
			ends = append(ends, len(buf))
			in = false
		}
		buf = append(buf, ' ')
	}
	if in {
		ends = append(ends, len(buf))
	}
	if len(ends) == 0 {
		return dst
	}
	folded := string(buf)
	dst = slices.Grow(dst, len(ends))
	start := 0
	for _, e := range ends {
		for folded[start] == ' ' {
			start++
		}
		dst = append(dst, folded[start:e])
		start = e
	}
	return dst
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

// appendWordsASCII is appendWords of an ASCII text: its runs of letters
// and digits, lowercased.
func appendWordsASCII(dst []string, s string) []string {
	n, upper := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnumASCII(c) && (i == 0 || !isAlnumASCII(s[i-1])) {
			n++
		}
		upper = upper || 'A' <= c && c <= 'Z'
	}
	if n == 0 {
		return dst
	}
	if upper {
		s = strings.ToLower(s)
	}
	dst = slices.Grow(dst, n)
	for i, j := wordASCII(s, 0); i < len(s); i, j = wordASCII(s, j) {
		dst = append(dst, s[i:j])
	}
	return dst
}

// wordASCII is the first run of letters and digits of ASCII s at or after
// byte i: s[start:end], or start == end == len(s) when there is none.
func wordASCII(s string, i int) (start, end int) {
	for i < len(s) && !isAlnumASCII(s[i]) {
		i++
	}
	end = i
	for end < len(s) && isAlnumASCII(s[end]) {
		end++
	}
	return i, end
}

// wordReader reads the words of a text one at a time, as Words splits and
// folds them, into a buffer rather than new strings: for looking words up
// (a map index m[string(w)] does not copy w) without allocating.
type wordReader struct {
	s string
	i int // where in s the next word is looked for
}

// next puts the next word in buf, from its start, and returns it, or
// false at the end of the text.
func (r *wordReader) next(buf []byte) ([]byte, bool) {
	buf = buf[:0]
	for r.i < len(r.s) {
		if c := r.s[r.i]; c < utf8.RuneSelf {
			r.i++
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if isAlnumASCII(c) {
				buf = append(buf, c)
				continue
			}
			if len(buf) > 0 {
				return buf, true
			}
			continue
		}
		// as appendWords: lowercased, folded, combining marks dropped
		rn, w := utf8.DecodeRuneInString(r.s[r.i:])
		r.i += w
		l := unicode.ToLower(rn)
		if f, ok := foldTable[l]; ok {
			buf = append(buf, f...)
			continue
		}
		if unicode.Is(unicode.Mn, l) {
			continue
		}
		if unicode.IsLetter(l) || unicode.IsDigit(l) {
			buf = utf8.AppendRune(buf, l)
			continue
		}
		if len(buf) > 0 {
			return buf, true
		}
	}
	return buf, len(buf) > 0
}

func isAlnumASCII(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
