package dates

import (
	"slices"
	"testing"
	"time"
)

func TestFind(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Stockholm")
	arrived := time.Date(2018, 11, 28, 10, 0, 0, 0, loc)
	lateDecember := time.Date(2018, 12, 28, 10, 0, 0, 0, loc)
	for _, tc := range []struct {
		name    string
		text    string
		arrived time.Time
		want    []string // Read, or "Written" for a weekday or a day alone
		both    bool
	}{
		{"swedish day and month", "Jag vill komma den 11 december.", arrived, []string{"2018-12-11"}, false},
		{"day with ordinal", "Jag kommer den 11:e december", arrived, []string{"2018-12-11"}, false},
		{"day alone with ordinal", "Jag kan komma den 11:e!", arrived, []string{"den 11:e"}, false},
		{"slash, day first", "Jag vill komma den 13/12", arrived, []string{"2018-12-13"}, false},
		{"dot, day first", "Anmäler mig till 13.12.", arrived, []string{"2018-12-13"}, false},
		{"iso", "Datum: 2018-12-11", arrived, []string{"2018-12-11"}, false},
		{"weekday and abbreviated month", "tisdag 11 dec passar bra", arrived, []string{"2018-12-11"}, false},
		{"english month first", "I'd like to attend on Dec 13", arrived, []string{"2018-12-13"}, false},
		{"english ordinal", "December 11th works for me", arrived, []string{"2018-12-11"}, false},
		{"english day of month", "on the 11th of December", arrived, []string{"2018-12-11"}, false},
		{"english day alone", "I can come on the 11th", arrived, []string{"the 11th"}, false},
		{"a short weekday before the day", "Could you put me down for Thu 13th, please?", arrived, []string{"Thu 13th"}, false},
		{"weekday alone", "Jag anmäler mig till tisdagens workshop", arrived, []string{"tisdagens"}, false},
		{"weekday with på", "Jag kommer på torsdag", arrived, []string{"torsdag"}, false},
		{"weekday in a compound", "Anmäl mig till torsdagsmötet i Kungälv", arrived, []string{"torsdagsmötet"}, false},
		{"a compound naming something else", "Anmäl mig, tisdagsgruppen vill ha en rapport och vi ses på fredagsfikat", arrived, nil, false},

		{"two dates, preferred second", "13 eller 11 december, helst 11", arrived, []string{"2018-12-11", "2018-12-13"}, false},
		{"two dates, both", "Jag vill gå på båda: 11 och 13 december", arrived, []string{"2018-12-11", "2018-12-13"}, true},
		{"year roll-over", "Kan jag komma den 8 januari?", lateDecember, []string{"2019-01-08"}, false},
		{"year roll-over numeric", "Jag väljer 8/1", lateDecember, []string{"2019-01-08"}, false},
		{"explicit year", "11/12/2018", arrived, []string{"2018-12-11"}, false},
		{"phone number is not a date", "Tel: 031-315 10 00, mobil 070-123 45 67", arrived, nil, false},
		{"a count is not a date", "Vi är 11/12 deltagare från Ale", arrived, nil, false},
		{"a time is not a date", "Jag kan komma efter lunch, kl 11.30 ungefär", arrived, nil, false},
		{"times of the day are not dates", "13.00–15.30", arrived, nil, false},
		{"impossible date", "31/11 och 45 december", arrived, nil, false},
		{"no date", "Anmäl mig gärna! /Sara", arrived, nil, false},
		{"same date twice", "11 december, alltså 11/12", arrived, []string{"2018-12-11"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, both := Find(tc.text, tc.arrived)
			var reads []string
			for _, d := range got {
				if d.Read != "" {
					reads = append(reads, d.Read)
				} else {
					reads = append(reads, d.Written)
				}
			}
			if !slices.Equal(reads, tc.want) || both != tc.both {
				t.Errorf("findDates(%q) = %q both=%v, want %q both=%v", tc.text, reads, both, tc.want, tc.both)
			}
		})
	}
}

// FuzzFind: any text, whatever its bytes and case, is read without a
// panic, and every date read is a real calendar date.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"den 11/12", "İİİ 11 december", "\xff\xfe13.12.", "Dec 11th, 2018", "11 eller 13 december, helst 11", "på tisdag"} {
		f.Add(s)
	}
	arrived := time.Date(2018, 11, 28, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		dates, _ := Find(text, arrived)
		for _, d := range dates {
			if d.Read == "" {
				continue
			}
			if _, err := time.Parse("2006-01-02", d.Read); err != nil {
				t.Errorf("read %q from %q: %v", d.Read, text, err)
			}
		}
	})
}
