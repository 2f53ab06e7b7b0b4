package main

import (
	"errors"
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

// resolveTalk is findTalk over the talks of db, with a quick path for
// what scripts and completions pass: a talk's exact slug is looked up
// alone, and wins over a title that folds to the same text (slugs are
// unique), without reading every talk (tens of thousands on a big
// collection: ~150 ms at a million cards).
func resolveTalk(db *storage.DB, query string) (storage.Talk, error) {
	if t, err := db.Talk(query); err == nil {
		return t, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return storage.Talk{}, err
	}
	talks, err := db.Talks()
	if err != nil {
		return storage.Talk{}, err
	}
	return findTalk(talks, query)
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
