package main

import (
	"fmt"
	"strings"

	"github.com/talkcards/talkcards/deck"
	"github.com/talkcards/talkcards/storage"
)

// findTalk resolves what a person typed to one talk: an exact slug or title
// first, then a unique prefix, then a unique substring, all case- and
// accent-insensitive. Unknown or ambiguous names are usage errors that list
// the candidates.
func findTalk(talks []storage.Talk, query string) (storage.Talk, error) {
	q := deck.Fold(query)
	qs := deck.Slug(query)
	var prefix, substr []storage.Talk
	for _, t := range talks {
		title := deck.Fold(t.Title)
		if t.Slug == query || t.Slug == qs && qs != "" || title == q {
			return t, nil
		}
		switch {
		case strings.HasPrefix(title, q) || qs != "" && strings.HasPrefix(t.Slug, qs):
			prefix = append(prefix, t)
		case strings.Contains(title, q) || qs != "" && strings.Contains(t.Slug, qs):
			substr = append(substr, t)
		}
	}
	for _, set := range [][]storage.Talk{prefix, substr} {
		if len(set) == 1 {
			return set[0], nil
		}
		if len(set) > 1 {
			return storage.Talk{}, usageError{withHint(fmt.Errorf("%q matches %d talks: %s", query, len(set), talkList(set)),
				"name one talk by its slug, as 'talkcards talks' lists them")}
		}
	}
	return storage.Talk{}, usageError{withHint(fmt.Errorf("no talk matches %q", query),
		"'talkcards talks' lists the talks; give a slug, a title or part of one")}
}

func talkList(ts []storage.Talk) string {
	var names []string
	for i, t := range ts {
		if i == 8 {
			names = append(names, fmt.Sprintf("and %d more", len(ts)-i))
			break
		}
		names = append(names, t.Slug)
	}
	return strings.Join(names, ", ")
}
