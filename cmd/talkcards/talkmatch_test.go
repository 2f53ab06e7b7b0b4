package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/talkcards/talkcards/storage"
)

func TestFindTalk(t *testing.T) {
	talks := []storage.Talk{
		{Slug: "microservices-aumentando-a-resiliencia-na-moip", Title: "Microservices: aumentando a resiliência na moip"},
		{Slug: "the-spotify-playbook", Title: "The Spotify Playbook"},
		{Slug: "shopify-at-scale", Title: "Shopify at scale"},
		{Slug: "elixir-tolerancia-a-falhas", Title: "Elixir: tolerância a falhas"},
	}
	tests := []struct {
		query, want string
		ambiguous   bool
	}{
		{"the-spotify-playbook", "the-spotify-playbook", false},
		{"THE SPOTIFY PLAYBOOK", "the-spotify-playbook", false},
		{"the spot", "the-spotify-playbook", false},                              // prefix
		{"resiliencia", "microservices-aumentando-a-resiliencia-na-moip", false}, // accents folded
		{"RESILIÊNCIA", "microservices-aumentando-a-resiliencia-na-moip", false},
		{"tolerância", "elixir-tolerancia-a-falhas", false},
		{"shopify", "shopify-at-scale", false},
		{"ify", "", true}, // inside two titles: ambiguous
		{"kubernetes", "", false},
	}
	for _, tt := range tests {
		got, err := findTalk(talks, tt.query)
		var u usageError
		switch {
		case tt.want != "":
			if err != nil || got.Slug != tt.want {
				t.Errorf("findTalk(%q) = %q, %v; want %q", tt.query, got.Slug, err, tt.want)
			}
		case !errors.As(err, &u):
			t.Errorf("findTalk(%q) = %q, %v; want a usage error", tt.query, got.Slug, err)
		case tt.ambiguous && !strings.Contains(err.Error(), "matches 2 talks"):
			t.Errorf("findTalk(%q): %v; want the candidates listed", tt.query, err)
		}
	}
}
