package understand

import (
	"regexp"
	"strings"
)

// A registration is asked for in more ways than the registration phrases
// list: with a modal and a verb of attending ("jag vill gärna vara med",
// "så vill jag gärna komma", "vi ska delta"), or as a polite question to
// the desk to register someone ("kan ni anmäla Johanna Bäck …?", "skulle
// du kunna registrera mig", "could you please sign up …"). The question
// mark of a polite request does not make it a question about the event:
// the writer asks the desk to act. Real hesitation ("jag funderar på att
// komma", "kanske") stays a hedge, and a condition on the seats alone
// ("om det fortfarande finns plats så vill jag …") is the desk's own
// check, not a condition of the writer.

var (
	// attendRequestRe is a modal with a verb of attending, the subject
	// before the modal or after it, adverbs between.
	attendRequestRe = regexp.MustCompile(`\b(?:vill|ska|skall|önskar|skulle(?:\s+(?:gärna|så gärna|verkligen|också))?\s+vilja)\s+(?:(?:jag|vi|gärna|också|även|båda|bägge|alla|nog|mycket|väldigt|två|tre|fyra|fem|själv|själva)\s+)*(?:komma|vara med|delta|deltaga|närvara|medverka|anmäla)\b`)
	// politeRequestRe is a question to the desk to register someone.
	politeRequestRe = regexp.MustCompile(`\b(?:(?:kan|kunde|skulle|vill)\s+(?:ni|du)\s+(?:(?:snälla|vänligen|också|även|gärna|möjligen)\s+)*(?:kunna\s+)?(?:anmäla|registrera|skriva upp|boka|föra upp|lägga till|ta med)|(?:can|could|would)\s+you\s+(?:please\s+|kindly\s+)?(?:register|sign up|sign|book|add|put down|enrol|enroll))\b`)
	// passOnRe is a question to pass on that the writer comes: "kan du
	// föra vidare att jag gärna deltar?", "could you tell them that I will
	// attend?". The clause after "att"/"that" is the writer's statement.
	passOnRe = regexp.MustCompile(`\b(?:kan|kunde|skulle|can|could|would)\s+(?:ni|du|you)\s+(?:\S+\s+){0,3}?(?:att|that)\s+(?:jag|vi|i|we)\s+(?:(?:gärna|också|även|will|would like to|'ll)\s+)?(?:deltar|kommer|är med|vill delta|vill komma|vill vara med|attend|come|join)\b`)
	// attendStatementRe is the writer, alone or with others, saying in
	// the present that they come: "jag och Stina Järv (…) kommer till
	// Kungälv", "Kim och jag deltar". "Kommer att" and "kommer från" are
	// taken out before it is looked for.
	attendStatementRe = regexp.MustCompile(`(?:^|[^\p{L}])(?:(?:jag|vi) och (?:[^.?!]|\.\S){1,80}?|(?:[^.?!]|\.\S){1,80}? och jag|jag|vi)\s+(?:kommer|deltar|är med|närvarar|medverkar)(?:$|[^\p{L}])`)
	// seatConditionRe is a condition on the seats alone.
	seatConditionRe = regexp.MustCompile(`\b(?:om|ifall|i fall)\s+det\s+(?:fortfarande\s+|än\s+|ännu\s+|nu\s+)?finns\s+(?:några\s+|någon\s+)?(?:lediga\s+)?plats(?:er)?(?:\s+kvar)?|\bif there (?:is|are) (?:still )?(?:a |any )?(?:seats?|places?|room|space)(?: (?:left|available))?`)
)

// The words each expression needs: looking for them first keeps the
// backtracking regexp engine off the many clauses that hold none.
var (
	modalCues  = Phrases{"|vill|", "|ska|", "|skall|", "|vilja|", "|önskar|"}
	politeCues = Phrases{"|ni|", "|du|", "|you|"}
	seatCues   = Phrases{"plats", "seat", "place", "room", "space"}
	attendCues = Phrases{"|kommer|", "|deltar|", "|är med|", "|närvarar|", "|medverkar|"}
)

// requestIn returns the request for a registration the clause lower (in
// lower case) makes with a modal or as a polite question, or "".
func requestIn(lower string) string {
	if politeCues.FindLower(lower) != "" {
		if m := politeRequestRe.FindString(lower); m != "" {
			return m
		}
		if m := passOnRe.FindString(lower); m != "" {
			return m
		}
	}
	if attendCues.FindLower(lower) != "" {
		if m := attendStatementRe.FindString(notAttendRe.ReplaceAllString(lower, " ")); m != "" {
			return strings.TrimSpace(m)
		}
	}
	if modalCues.FindLower(lower) == "" {
		return ""
	}
	return attendRequestRe.FindString(lower)
}

// politeRequest reports whether the clause lower asks the desk to register
// someone.
func politeRequest(lower string) bool {
	return politeCues.FindLower(lower) != "" && (politeRequestRe.MatchString(lower) || passOnRe.MatchString(lower))
}

// withoutSeatCondition returns lower with a condition on the seats alone
// blanked out, so that the clause's own mood is read from the rest.
func withoutSeatCondition(lower string) string {
	if seatCues.FindLower(lower) == "" {
		return lower
	}
	return seatConditionRe.ReplaceAllStringFunc(lower, func(s string) string { return strings.Repeat(" ", len(s)) })
}
