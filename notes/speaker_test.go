package notes

import "testing"

func TestSpeakerLabel(t *testing.T) {
	tests := []struct {
		line, want string
	}{
		{"Speaker: Ada Lovelace", "Ada Lovelace"},
		{"Speakers: Ada Lovelace, Alan Turing", "Ada Lovelace, Alan Turing"},
		{"presenter:  Grace Hopper ", "Grace Hopper"},
		{"By: Linus", "Linus"},
		{"**Speaker:** _Carla Mendes_", "Carla Mendes"},
		{"Speaker notes are useful", ""},
		{"Bye: nope", ""},
		{"Speaker:", ""},
	}
	for _, tt := range tests {
		got, ok := speakerLabel(tt.line)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("speakerLabel(%q) = %q, %v; want %q", tt.line, got, ok, tt.want)
		}
	}
}

func TestLooksLikeNames(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Thomi Richards", true},
		{"Kresten Krab Thorup", true},
		{"Jane Q. Doe", true},
		{"Ludwig van Beethoven", true},
		{"Rebecca Stone (ThoughtWorks)", true},
		{"Brendan Enrick & Michael Richardson", true},
		{"Taylor Poindexter and Scott Hanselman", true},
		{"José Álvarez", true},
		{"Key Takeaways", false},
		{"Elixir Highlights", false},
		{"Google News", false},
		{"Infrastructure and development platform", false},
		{"Abstract", false},
		{"AWS Lambda", false},
		{"The Spotify Playbook", false},
		{"Why different ?", false},
		{"One Two Three Four Five", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := looksLikeNames(tt.s); got != tt.want {
			t.Errorf("looksLikeNames(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
