package reading

import (
	"slices"
	"sort"
	"strings"

	"github.com/goteborgsregionen/anmalan/message"
)

// A mail that names two dates often turns one down: "jag kan inte den 11
// december men den 13 december går bra", "Den 11 december fungerar inte
// för mig, men torsdagen den 13 passar". The date the writer picks is the
// one her clause does not negate; the dates are read in their clauses, so
// that the order of mention does not decide.

// PreferUnnegated returns dates with those named in a negated clause of
// text moved behind the others (a stable sort: when all or none are
// negated, the order stays). text is the text the dates were found in.
func PreferUnnegated(text string, dates []NamedDate) []NamedDate {
	if len(dates) < 2 {
		return dates
	}
	// Each date is judged once, before the sort: the contrasts are found
	// by a pattern over the whole text.
	spans := contrastSpans(text)
	negated := map[int]bool{}
	for _, d := range dates {
		p := d.Pos()
		inContrast := slices.ContainsFunc(spans, func(s [2]int) bool { return p >= s[0] && p < s[1] }) // "på tisdag, inte torsdag"
		negated[p] = inContrast || negMarks.FindLower(strings.ToLower(withoutContrast(clauseAt(text, p)))) != "" || comparedAway(text, p)
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
func PreferWithdrawn(text string, dates []NamedDate) []NamedDate {
	if len(dates) < 2 {
		return dates
	}
	withdraws := map[int]bool{}
	for _, d := range dates {
		c := message.OtherVerbs.Replace(strings.ToLower(commaPartAt(text, d.Pos())))
		withdraws[d.Pos()] = withdrawMarks.FindLower(c) != "" || CancelPhrases.FindLower(c) != "" || seatGivenUp(c) != "" ||
			deniedComingRe.MatchString(c) || negMarks.FindLower(c) != "" && ableToAttendRe.MatchString(c)
	}
	out := slices.Clone(dates)
	sort.SliceStable(out, func(i, j int) bool { return withdraws[out[i].Pos()] && !withdraws[out[j].Pos()] })
	return out
}

// commaPartAt is the part of the clause at pos between its commas: the
// withdrawal and its date stand together ("…, så ni kan ta bort mig från
// tisdagens tillfälle"), apart from the news beside them ("jag åker till
// Kungälv på torsdagen, …").
func commaPartAt(text string, pos int) string {
	if pos < 0 || pos > len(text) {
		return ""
	}
	start := strings.LastIndexAny(text[:pos], ",.!?;\n") + 1
	end := len(text)
	if i := strings.IndexAny(text[pos:], ",.!?;\n"); i >= 0 {
		end = pos + i
	}
	return text[start:end]
}

// comparedAway reports whether the date at pos is the one a comparison
// puts second: "det passar bättre än tisdagen", "rather the 13th than the
// 11th".
func comparedAway(text string, pos int) bool {
	before := strings.ToLower(strings.TrimRight(text[max(0, pos-16):pos], " "))
	for _, w := range []string{" än", " än den", " than", " than the", " than on", " than on the"} {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

// clauseAt returns the clause of text that holds the byte at pos: its
// sentence, cut at the clause breaks ("men", "but", a semicolon).
func clauseAt(text string, pos int) string {
	if pos < 0 || pos > len(text) {
		return ""
	}
	start, end := 0, len(text)
	for _, loc := range sentenceBreakRe.FindAllStringIndex(text, -1) {
		if loc[1] <= pos {
			start = loc[1]
		} else if loc[0] >= pos {
			end = loc[0]
			break
		}
	}
	sentence := text[start:end]
	at := pos - start
	lower := strings.ToLower(sentence)
	if len(lower) != len(sentence) {
		return sentence
	}
	from, to := 0, len(sentence)
	for _, loc := range clauseBreakRe.FindAllStringIndex(lower, -1) {
		if loc[1] <= at {
			from = loc[1]
		} else if loc[0] >= at {
			to = loc[0]
			break
		}
	}
	return sentence[from:to]
}
