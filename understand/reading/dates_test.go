package reading

import (
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"testing"
)

// TestContrastNegation: the negation of a clause with its own verb after
// the comma is no contrast.
func TestContrastNegation(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"jag kommer gärna till göteborg, inte till kungälv.", false},
		{"vi kommer båda, men inte till lunchen", false},
		{"tyvärr, inte kan jag komma", true},
		{"jag kommer inte", true},
	} {
		if got := lexicon.Neg.FindLower(withoutContrast(tc.text)) != ""; got != tc.want {
			t.Errorf("%q: negated %v, want %v", tc.text, got, tc.want)
		}
	}
}
