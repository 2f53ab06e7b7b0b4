package notes

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// normalize checks that src is a text file within the limits and returns a
// copy with the BOM removed and every line ending turned into "\n". Line
// numbers are unchanged: CRLF and a lone CR each end exactly one line.
func normalize(file string, src []byte) ([]byte, error) {
	if len(src) > MaxFileSize {
		return nil, &Error{Pos: Pos{File: file}, Err: ErrTooLarge,
			Msg: fmt.Sprintf("%d bytes, limit %d", len(src), MaxFileSize)}
	}
	src = bytes.TrimPrefix(src, utf8BOM)
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return nil, &Error{Pos: Pos{File: file, Line: lineOfOffset(src, i)}, Err: ErrBinary,
			Msg: "NUL byte"}
	}
	out := make([]byte, 0, len(src)+1)
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\r' {
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			c = '\n'
		}
		out = append(out, c)
	}
	if err := checkLines(file, out); err != nil {
		return nil, err
	}
	return clampIndent(out), nil
}

// checkLines names the first line that is not UTF-8 or is too long.
func checkLines(file string, out []byte) error {
	line := 1
	for start := 0; start < len(out); line++ {
		end := bytes.IndexByte(out[start:], '\n')
		if end < 0 {
			end = len(out)
		} else {
			end += start
		}
		text := out[start:end]
		if !utf8.Valid(text) {
			return &Error{Pos: Pos{File: file, Line: line}, Err: ErrInvalidUTF8}
		}
		if len(text) > MaxLineSize {
			return &Error{Pos: Pos{File: file, Line: line}, Err: ErrLineTooLong,
				Msg: fmt.Sprintf("%d bytes, limit %d", len(text), MaxLineSize)}
		}
		start = end + 1
	}
	return nil
}

// maxIndent is the deepest leading indentation kept, in columns. The
// markdown parser's cost grows with indentation times nesting, so hostile
// input indented thousands of columns would take minutes; real notes stay
// far below this (20-40 columns).
const maxIndent = 128

// clampIndent cuts leading white space wider than maxIndent columns down
// to maxIndent spaces. Line numbers do not change.
func clampIndent(src []byte) []byte {
	var out []byte // allocated on the first line that needs it
	last := 0
	for start := 0; start < len(src); {
		col, i := 0, start
		for ; i < len(src) && (src[i] == ' ' || src[i] == '\t'); i++ {
			if src[i] == '\t' {
				col += 4 - col%4
			} else {
				col++
			}
		}
		if col > maxIndent {
			if out == nil {
				out = make([]byte, 0, len(src))
			}
			out = append(out, src[last:start]...)
			out = append(out, bytes.Repeat([]byte{' '}, maxIndent)...)
			last = i
		}
		end := bytes.IndexByte(src[i:], '\n')
		if end < 0 {
			break
		}
		start = i + end + 1
	}
	if out == nil {
		return src
	}
	return append(out, src[last:]...)
}

// lineOfOffset is the 1-based line of byte offset i in raw (not yet
// normalised) src, counting CRLF, LF and lone CR as line ends.
func lineOfOffset(src []byte, i int) int {
	line := 1
	for j := 0; j < i; j++ {
		switch src[j] {
		case '\n':
			line++
		case '\r':
			if j+1 >= len(src) || src[j+1] != '\n' {
				line++
			}
		}
	}
	return line
}

// lineIndex maps byte offsets of normalised source to 1-based lines.
type lineIndex []int // start offset of each line

func newLineIndex(src []byte) lineIndex {
	// Counted first (a quick scan) so that the index is one allocation.
	idx := make(lineIndex, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, c := range src {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

// line is the 1-based line holding offset off.
func (idx lineIndex) line(off int) int {
	lo, hi := 0, len(idx) // find the last start <= off
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if idx[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}
