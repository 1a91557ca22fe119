package diet

import (
	"strings"
	"testing"
)

func TestDietMentions(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Kalle äter inte fläsk.", "äter inte fläsk"},
		{"Hon tål inte laktos och är vegan.", "tål inte laktos|vegan"},
		{"He does not eat shellfish.", "does not eat shellfish"},
		{"Jag är diabetiker och behöver mat utan socker.", "diabetiker|behöver mat utan socker"},
		{"Jag har inga allergier.", ""},
		{"Kalle äter inget kött, Tom eats no pork.", "äter inget kött|eats no pork"},
		{"Hon vill ha nötfri kost; he needs dairy-free food.", "nötfri kost|dairy-free"},
		{"I am gluten intolerant.", "gluten intolerant"},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range Mentions(tt.text) {
			got = append(got, m.Text)
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("%q: %q, want %q", tt.text, strings.Join(got, "|"), tt.want)
		}
	}
}

// TestIn: the nouns of a diet, and a form's "no" that is none.
func TestIn(t *testing.T) {
	for s, want := range map[string]string{"Jag är vegetarian.": "vegetarian", "Specialkost: nej": "", "Specialkost: laktosfri": "laktosfri",
		"glutenfri kost, tack": "glutenfri", "Inget särskilt.": "", "Hon äter inte fläskkött.": ""} {
		if got := In(s); got != want {
			t.Errorf("In(%q) = %q, want %q", s, got, want)
		}
	}
	if got := Said("Hon äter inte fläskkött."); got != "äter inte fläskkött" {
		t.Errorf("Said: %q", got)
	}
	if !IsNone("Inga allergier") || IsNone("vegan") {
		t.Error("IsNone")
	}
}
