package notes

import (
	"bytes"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// fileMeta is what YAML front matter says about the file's talks.
type fileMeta struct {
	Title string
	Meta  Meta
	// authorOnly: the speaker came from `author:`, which in blog front
	// matter is often the note taker, so it is used for a lone talk only.
	authorOnly bool
}

var yamlKeyLine = regexp.MustCompile(`^[A-Za-z_][\w-]*[ \t]*:`)

// stripFrontMatter finds YAML front matter at the start of src (a `---`
// line, YAML, a closing `---` or `...` line), reads what it can from it and
// blanks its lines in place so they never become content while every later
// line keeps its number. Malformed YAML is ignored but still blanked. A
// leading `---` whose block does not look like YAML (a thematic break in a
// slide deck) is left alone.
func stripFrontMatter(src []byte) fileMeta {
	var fm fileMeta
	first, _, ok := bytes.Cut(src, []byte("\n"))
	if !ok || strings.TrimRight(string(first), " \t") != "---" {
		return fm
	}
	off := len(first) + 1
	end := -1 // offset just after the closing line
	bodyEnd := 0
	for start := off; start < len(src); {
		lineEnd := bytes.IndexByte(src[start:], '\n')
		next := len(src)
		if lineEnd >= 0 {
			lineEnd += start
			next = lineEnd + 1
		} else {
			lineEnd = len(src)
		}
		l := strings.TrimRight(string(src[start:lineEnd]), " \t")
		if l == "---" || l == "..." {
			bodyEnd, end = start, next
			break
		}
		start = next
	}
	if end < 0 {
		return fm
	}
	body := src[off:bodyEnd]
	if !looksLikeYAML(body) {
		return fm
	}
	fm = readFrontMatter(body)
	for i := 0; i < end; i++ {
		if src[i] != '\n' {
			src[i] = ' '
		}
	}
	return fm
}

// looksLikeYAML: the first non-blank line of body is a `key:` line.
func looksLikeYAML(body []byte) bool {
	for _, l := range strings.Split(string(body), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		return yamlKeyLine.MatchString(l)
	}
	return false
}

// maxFrontMatter bounds the YAML we decode: real front matter is a few
// dozen lines, and the YAML decoder's duplicate-key check is quadratic.
const maxFrontMatter = 16 << 10

func readFrontMatter(body []byte) fileMeta {
	var fm fileMeta
	if len(body) > maxFrontMatter || bytes.Count(body, []byte("\n")) > 300 {
		return fm
	}
	var m map[string]yaml.Node
	if err := yaml.Unmarshal(body, &m); err != nil {
		return fm
	}
	scalar := func(keys ...string) string {
		for _, k := range keys {
			if n, ok := m[k]; ok && n.Kind == yaml.ScalarNode {
				if v := strings.TrimSpace(n.Value); v != "" {
					return v
				}
			}
		}
		return ""
	}
	fm.Title = oneLine(scalar("title"))
	fm.Meta.Speaker = oneLine(scalar("speaker", "speakers", "presenter"))
	if fm.Meta.Speaker == "" {
		if n, ok := m["speakers"]; ok && n.Kind == yaml.SequenceNode {
			fm.Meta.Speaker = strings.Join(scalarList(&n), ", ")
		}
	}
	if fm.Meta.Speaker == "" {
		fm.Meta.Speaker = oneLine(scalar("author"))
		fm.authorOnly = fm.Meta.Speaker != ""
	}
	fm.Meta.Event = oneLine(scalar("event", "conference"))
	fm.Meta.Date = oneLine(scalar("date"))
	if n, ok := m["tags"]; ok {
		switch n.Kind {
		case yaml.SequenceNode:
			fm.Meta.Tags = scalarList(&n)
		case yaml.ScalarNode:
			sep := func(r rune) bool { return r == ',' }
			if !strings.Contains(n.Value, ",") {
				sep = func(r rune) bool { return r == ' ' || r == '\t' }
			}
			for _, t := range strings.FieldsFunc(n.Value, sep) {
				if t = strings.TrimSpace(t); t != "" {
					fm.Meta.Tags = append(fm.Meta.Tags, t)
				}
			}
		}
	}
	return fm
}

func scalarList(n *yaml.Node) []string {
	var out []string
	for _, c := range n.Content {
		if c.Kind == yaml.ScalarNode {
			if v := oneLine(c.Value); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// oneLine collapses white space (YAML block scalars keep newlines).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
