package session

import (
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/understand/dates"
)

// TestComparedAway: of two dates, the one after "än" or "than" is the one
// the writer does not pick, wherever it stands.
func TestComparedAway(t *testing.T) {
	arrived := time.Date(2018, 11, 28, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ text, want string }{
		{"Hellre än den 11 december tar jag den 13 december.", "2018-12-13"},
		{"Rather than Dec 11, I would come on Dec 13.", "2018-12-13"},
		{"Den 13 december passar bättre än den 11 december.", "2018-12-13"},
		{"Jag kommer den 11 december eller den 13 december.", "2018-12-11"},
	} {
		dates, _ := dates.Find(tc.text, arrived)
		dates = PreferUnnegated(tc.text, dates)
		if len(dates) != 2 || dates[0].Read != tc.want {
			t.Errorf("%q: %+v, want %s first", tc.text, dates, tc.want)
		}
	}
}

// TestContrast: the date named in a contrast after a comma ("…, inte den
// 11 december") is the one turned down.
func TestContrast(t *testing.T) {
	arrived := time.Date(2018, 11, 28, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ text, want string }{
		{"Den 11 december, inte den 13 december.", "2018-12-11"},
		{"Jag tar den 13 december, inte den 11 december.", "2018-12-13"},
		{"I'll come on Dec 13, not on Dec 11.", "2018-12-13"},
	} {
		dates, _ := dates.Find(tc.text, arrived)
		dates = PreferUnnegated(tc.text, dates)
		if len(dates) != 2 || dates[0].Read != tc.want {
			t.Errorf("%q: %+v, want %s first", tc.text, dates, tc.want)
		}
	}
}
