package session

import (
	"slices"
	"sort"
	"strings"

	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// A mail that names two dates often turns one down: "jag kan inte den 11
// december men den 13 december går bra", "Den 11 december fungerar inte
// för mig, men torsdagen den 13 passar". The date the writer picks is the
// one her clause does not negate; the dates are read in their clauses, so
// that the order of mention does not decide.

// PreferUnnegated returns dates with those named in a negated clause of
// text moved behind the others (a stable sort: when all or none are
// negated, the order stays). text is the text the dates were found in.
func PreferUnnegated(text string, dates []reading.NamedDate) []reading.NamedDate {
	if len(dates) < 2 {
		return dates
	}
	// Each date is judged once, before the sort.
	negated := map[int]bool{}
	for _, d := range dates {
		negated[d.Pos()] = reading.DateDenied(text, d.Pos())
	}
	out := slices.Clone(dates)
	sort.SliceStable(out, func(i, j int) bool { return !negated[out[i].Pos()] && negated[out[j].Pos()] })
	return out
}

// PreferWithdrawn returns dates with those named in a clause of text that
// withdraws moved before the others, for a cancellation: "ta bort mig från
// tisdagens tillfälle … Torsdagen står kvar" withdraws from Tuesday, and
// "jag kan inte komma på tisdag, men torsdag går bra" too, though its
// Tuesday is negated. A stable sort: when all or none withdraw, the order
// stays.
func PreferWithdrawn(text string, dates []reading.NamedDate) []reading.NamedDate {
	if len(dates) < 2 {
		return dates
	}
	withdraws := map[int]bool{}
	lower := strings.ToLower(text)
	for _, d := range dates {
		withdraws[d.Pos()] = reading.WithdrawsAt(text, d.Pos()) || withdrawnLater(text, lower, d)
	}
	out := slices.Clone(dates)
	sort.SliceStable(out, func(i, j int) bool { return withdraws[out[i].Pos()] && !withdraws[out[j].Pos()] })
	return out
}

// withdrawnLater reports whether a later mention of d's weekday withdraws:
// the dates reader keeps a weekday's first mention only, and in "två
// anmälningar, både till tisdagen och torsdagen. Torsdagens plats kan ni
// släppa" the second one is the withdrawal's.
func withdrawnLater(text, lower string, d reading.NamedDate) bool {
	w := strings.ToLower(d.Written)
	for _, end := range []string{"ens", "en", "s"} {
		if strings.HasSuffix(w, end) && len(w) > len(end)+4 {
			w = strings.TrimSuffix(w, end)
			break
		}
	}
	if strings.ContainsAny(w, "0123456789") {
		return false
	}
	for from := d.Pos() + 1; from < len(lower); {
		i := strings.Index(lower[from:], w)
		if i < 0 {
			return false
		}
		if reading.WithdrawsAt(text, from+i) {
			return true
		}
		from += i + len(w)
	}
	return false
}
