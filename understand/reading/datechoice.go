package reading

import (
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"github.com/goteborgsregionen/anmalan/understand/request"
	"strings"

	"github.com/goteborgsregionen/anmalan/message"
)

// DateDenied reports whether the date at pos of text is one the writer
// turns down: in a contrast ("på tisdag, inte torsdag"), in a clause with
// a "not", or put second by a comparison ("hellre än den 11:e").
func DateDenied(text string, pos int) bool {
	return InContrast(text, pos) || lexicon.Neg.FindLower(strings.ToLower(withoutContrast(clauseAt(text, pos)))) != "" || comparedAway(text, pos)
}

// WithdrawsAt reports whether the part of text around pos, between its
// commas, withdraws: the date of "…, så ni kan ta bort mig från tisdagens
// tillfälle" is the one withdrawn from.
func WithdrawsAt(text string, pos int) bool {
	c := message.OtherVerbs.Replace(strings.ToLower(commaPartAt(text, pos)))
	return lexicon.Withdraw.FindLower(c) != "" || lexicon.Cancel.FindLower(c) != "" || seatGivenUp(c) != "" ||
		request.DeniedComingRe.MatchString(c) || lexicon.Neg.FindLower(c) != "" && request.AbleToAttendRe.MatchString(c)
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
