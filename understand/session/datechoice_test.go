package session

import (
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/understand/dates"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// TestDateChoice: of two dates, the one a comparison ("hellre än", "rather
// than") or a contrast after a comma ("…, inte den 11 december") puts
// second is the one the writer does not pick, wherever it stands; for a
// cancellation, the one its withdrawing words name comes first, though
// they negate it.
func TestDateChoice(t *testing.T) {
	arrived := time.Date(2018, 11, 28, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		text, want string
		prefer     func(string, []reading.NamedDate) []reading.NamedDate
	}{
		{"Hellre än den 11 december tar jag den 13 december.", "2018-12-13", PreferUnnegated},
		{"Rather than Dec 11, I would come on Dec 13.", "2018-12-13", PreferUnnegated},
		{"Den 13 december passar bättre än den 11 december.", "2018-12-13", PreferUnnegated},
		{"Jag kommer den 11 december eller den 13 december.", "2018-12-11", PreferUnnegated},
		{"Den 11 december, inte den 13 december.", "2018-12-11", PreferUnnegated},
		{"Jag tar den 13 december, inte den 11 december.", "2018-12-13", PreferUnnegated},
		{"I'll come on Dec 13, not on Dec 11.", "2018-12-13", PreferUnnegated},
		{"Jag kan inte komma den 11 december, men den 13 december står kvar.", "2018-12-11", PreferWithdrawn},
		{"Jag åker till Kungälv den 13 december, så ta bort mig från den 11 december.", "2018-12-11", PreferWithdrawn},
	} {
		found, _ := dates.Find(tc.text, arrived)
		found = tc.prefer(tc.text, found)
		if len(found) != 2 || found[0].Read != tc.want {
			t.Errorf("%q: %+v, want %s first", tc.text, found, tc.want)
		}
	}
}
