package stem

import "testing"

// TestStem holds the forms of the lexicon's verbs to one stem each.
func TestStem(t *testing.T) {
	for _, forms := range [][]string{
		{"stryk", "stryka", "stryks", "stryker", "strykas"},
		{"avanmäl", "avanmäla", "avanmäler", "avanmälas"},
		{"ersätt", "ersätta", "ersätter", "ersätts"},
		{"remove", "removed", "removing", "removes"},
		{"registrera", "registreras", "registrerad"},
		{"backa", "backar", "backade"},
		{"give", "giving", "given"},
	} {
		for _, f := range forms[1:] {
			if Word(f) != Word(forms[0]) {
				t.Errorf("Word(%q) = %q, Word(%q) = %q", f, Word(f), forms[0], Word(forms[0]))
			}
		}
	}
}
