// Package request reads whether a clause asks for a registration in other
// words than the registration phrases: a modal and a verb of attending, a
// polite question to the desk, putting the writer on the list, a group
// with its size, the writer saying that she comes, choosing a session.
// The clause reader of understand/reading asks it (In) and uses its
// expressions of being able to come and of coming denied.
//
// It imports message only; understand/reading imports it.
package request

import (
	"regexp"
	"strings"

	"github.com/goteborgsregionen/anmalan/message"
)

// Phrases are the words an expression needs.
type Phrases = message.Phrases

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
	attendRequestRe = regexp.MustCompile(`\b(?:vill|ska|skall|önskar|tänker|planerar(?:\s+att)?|avser(?:\s+att)?|skulle(?:\s+(?:gärna|så gärna|verkligen|också))?\s+vilja)\s+(?:(?:jag|vi|gärna|också|även|båda|bägge|alla|nog|mycket|väldigt|två|tre|fyra|fem|själv|själva)\s+)*(?:komma|vara med|delta|deltaga|närvara|medverka|anmäla)\b`)
	// PoliteRe is a question to the desk to register someone.
	PoliteRe = regexp.MustCompile(`\b(?:(?:kan|kunde|skulle|vill)\s+(?:ni|du)\s+(?:(?:snälla|vänligen|också|även|gärna|möjligen)\s+)*(?:kunna\s+)?(?:anmäla|registrera|skriva upp|boka|föra upp|lägga till|ta med)|(?:can|could|would)\s+you\s+(?:please\s+|kindly\s+)?(?:register|sign up|sign|book|add|put down|enrol|enroll|put\s+(?:me|us|my name|our names)\s+down))\b`)
	// PassOnRe is a question to pass on that the writer comes: "kan du
	// föra vidare att jag gärna deltar?", "could you tell them that I will
	// attend?". The clause after "att"/"that" is the writer's statement.
	PassOnRe = regexp.MustCompile(`\b(?:kan|kunde|skulle|can|could|would)\s+(?:ni|du|you)\s+(?:\S+\s+){0,3}?(?:att|that)\s+(?:jag|vi|i|we)\s+(?:(?:gärna|också|även|will|would like to|'ll)\s+)?(?:deltar|kommer|är med|vill delta|vill komma|vill vara med|attend|come|join)\b`)
	// attendStatementRe is the writer, alone or with others, saying in
	// the present that they come: "jag och Stina Järv (…) kommer till
	// Kungälv", "Kim och jag deltar". "Kommer att" and "kommer från" are
	// taken out before it is looked for.
	attendStatementRe = regexp.MustCompile(`(?:^|[^\p{L}])(?:(?:jag|vi) och (?:[^.?!]|\.\S){1,80}?|(?:[^.?!]|\.\S){1,80}? och jag|jag|vi)\s+(?:kommer|deltar|är med|närvarar|medverkar|hänger på|hakar på|(?:hänger|följer)(?:\s+(?:gärna|också|även))?\s+med)(?:$|[^\p{L}])`)
	// ellipticGroupRe is a request without a verb that begins with the
	// writer and her group and ends in a "please": "Me + 2 colleagues
	// from Mölndal for Tuesday please", "Jag och två kollegor till
	// Kungälv, tack". A finite verb in it (finiteVerbs: "jag och min
	// kollega undrar …, tack") makes it a sentence of its own, read by
	// the other rules.
	finiteVerbs     = Phrases{"|har|", "|är|", "|undrar|", "|vill|", "|kan|", "|ska|", "|tackar|", "|have|", "|has|", "|are|", "|am|", "|wonder|", "|would|", "|could|", "|can|", "|will|"}
	ellipticGroupRe = regexp.MustCompile(`^\s*(?:me|mig|jag)(?:\s+själv)?\s*(?:\+|&|plus\s|and\s|och\s|samt\s)\s*(?:\d|two|three|four|två|tre|fyra|my\s|min\s|mina\s)[^.?!]{0,80}?(?:please|tack)\b`)
	// listMeRe is a verb of putting on the list with the writer as its
	// object and a particle: "put us down for …", "pencil me in", "skriv
	// upp mig", "sätt upp oss". The particle keeps "put me through to …"
	// and "skriv till mig" out.
	listMeRe = regexp.MustCompile(`\b(?:(?:put|sign|write|pencil|book|add)\s+(?:me|us|the two of us|both of us)\s+(?:down|up|in|on)|(?:skriv|sätt|för|lägg)\s+(?:(?:gärna|också|även|bara|nu|då)\s+)?(?:upp|in)\s+(?:både\s+|bägge\s+)?(?:mig|oss)|(?:skriv|sätt|för|lägg)\s+(?:mig|oss)\s+(?:på listan|på deltagarlistan)|count\s+(?:me|us)\s+(?:(?:and|&)\s+[^.?!]{1,60}?\s+)?in|(?:boka|book)\s+(?:en\s+|två\s+|a\s+)?(?:plats(?:er)?|seats?|places?|spots?)\s+(?:åt|för|for)\s+(?:mig|oss|me|us))\b`)
	// AbleToAttendRe is a modal of being able with a verb of attending:
	// "kan komma", "kan tyvärr vara med", "can come", "could attend".
	AbleToAttendRe = regexp.MustCompile(`\b(?:kan|kunna|can|could|able to)\s+(?:\S+\s+){0,2}?(?:komma|delta|närvara|vara med|vara där|come|attend|join|make it|be there)\b`)
	// DeniedComingRe is coming, denied: "kommer inte", "kommer tyvärr
	// inte", "won't be coming".
	DeniedComingRe = regexp.MustCompile(`\b(?:kommer|deltar)\s+(?:tyvärr\s+|alltså\s+|därför\s+)?(?:inte|ej)\b|\b(?:won't|will not|are not|aren't|am not|'m not|’m not)\s+(?:be\s+)?(?:coming|attending)\b`)
	// SeatConditionRe is a condition on the seats alone.
	SeatConditionRe = regexp.MustCompile(`\b(?:om|ifall|i fall)\s+det\s+(?:fortfarande\s+|än\s+|ännu\s+|nu\s+)?finns\s+(?:några\s+|någon\s+)?(?:lediga\s+)?plats(?:er)?(?:\s+kvar)?|\bif there (?:is|are) (?:still )?(?:a |any )?(?:seats?|places?|room|space)(?: (?:left|available))?`)
)

// The words each expression needs: looking for them first keeps the
// backtracking regexp engine off the many clauses that hold none.
var (
	modalCues  = Phrases{"|vill|", "|ska|", "|skall|", "|vilja|", "|önskar|", "|tänker|", "|planerar|", "|avser|"}
	PoliteCues = Phrases{"|ni|", "|du|", "|you|"}
	SeatCues   = Phrases{"plats", "seat", "place", "room", "space"}
	listCues   = Phrases{"|put|", "|sign|", "|write|", "|pencil|", "|book|", "|add|", "|skriv|", "|sätt|", "|för|", "|lägg|", "|count|", "|boka|"}
	groupCues  = Phrases{"|vi|", "|we|"}
	AbleCues   = Phrases{"|kan|", "|kunna|", "|can|", "|could|", "able to"}
	attendCues = Phrases{"|kommer|", "|deltar|", "|är med|", "|närvarar|", "|medverkar|", "|hänger|", "|hakar på|", "|följer|"}
)

// In returns the request for a registration the clause lower (in
// lower case) makes with a modal or as a polite question, or "".
func In(lower string) string {
	if PoliteCues.FindLower(lower) != "" {
		if m := PoliteRe.FindString(lower); m != "" {
			return m
		}
		if m := PassOnRe.FindString(lower); m != "" {
			return m
		}
	}
	if listCues.FindLower(lower) != "" {
		if m := listMeRe.FindString(lower); m != "" {
			return m
		}
	}
	if groupCues.FindLower(lower) != "" {
		// "Vi blir tre från Partille den 11/12: …": the size of the
		// writer's group says that it comes.
		if m := GroupCountRe.FindString(lower); m != "" {
			return strings.TrimSpace(m)
		}
	}
	if m := ellipticGroupRe.FindString(lower); m != "" && finiteVerbs.FindLower(m) == "" {
		return strings.TrimSpace(m)
	}
	if attendCues.FindLower(lower) != "" {
		if m := attendStatementRe.FindString(NotAttendRe.ReplaceAllString(lower, " ")); m != "" {
			return strings.TrimSpace(m)
		}
	}
	if m := coordinatedComingRe.FindString(lower); m != "" {
		// "Jag har blockat eftermiddagen … och kommer till seminariet":
		// the writer's second verb is her coming.
		return strings.TrimSpace(m)
	}
	if m := besidesMeRe.FindString(lower); m != "" {
		// "Förutom mig själv kommer även …": the writer and the others.
		return m
	}
	if choiceCues.FindLower(lower) != "" {
		// "Jag väljer tisdagen", "torsdagen passar mig bäst", "I'll take
		// the morning session": choosing a session is the answer the
		// invitation asks for.
		if m := sessionChosen(lower); m != "" {
			return m
		}
	}
	if modalCues.FindLower(lower) == "" {
		return ""
	}
	return attendRequestRe.FindString(lower)
}

// sessionRef is a session named by its day, date, time of day or order:
// "tisdagen", "den 13:e", "11 december", "förmiddagspasset", "det andra
// tillfället", "the Thursday one", "the 13th".
const sessionRef = `(?:(?:måndag|tisdag|onsdag|torsdag|fredag)(?:en|ens|s\pL+)?|den\s+\d{1,2}(?::e|e)?(?:\s+dec\pL*)?|\d{1,2}(?::e|e)?\s+dec\pL*|` +
	`(?:för|efter)middag(?:en|s\pL+)|(?:det\s+)?(?:första|andra|tidiga|senare)\s+(?:tillfället|passet)|(?:tillfället|passet|träffen)\s+(?:i|på)\s+\pL+|` +
	`(?:the\s+)?(?:monday|tuesday|wednesday|thursday|friday)(?:'s|’s)?(?:\s+(?:one|session|meeting))?|the\s+(?:morning|afternoon|first|second|earlier|later)\s+(?:one|session)|` +
	`the\s+one\s+(?:in|at)\s+\pL+|(?:the\s+)?\d{1,2}(?:st|nd|rd|th)(?:\s+(?:of\s+)?december)?)`

// sessionRefRe finds a session reference; the words around it say
// whether the writer chooses it. Looking for the reference first, and then
// at a few words on either side, keeps the patterns off the rest of the
// clause (one expression with the reference inside each alternative cost a
// third of the reader's time).
var sessionRefRe = regexp.MustCompile(`\b` + sessionRef + `\b`)

var (
	// choiceBeforeRe is the writer choosing, before the reference: "jag
	// väljer", "vi tar", "I'll take".
	choiceBeforeRe = regexp.MustCompile(`(?:^|\s)(?:(?:jag|vi)\s+(?:\pL+\s+)?(?:väljer|tar|föredrar|kör på|satsar på|siktar på)|i(?:'ll|’ll|\s+will|\s+would)?\s+(?:\pL+\s+)?(?:take|choose|pick|prefer|go for))\s+$`)
	// seeYouRe opens the clause before the reference: "ses i stadshuset
	// den 13:e"; "Tack för bekräftelsen! Vi ses den 11:e" is a farewell.
	seeYouRe = regexp.MustCompile(`^\s*(?:ses|see you)\s+(?:\pL+\s+){0,4}?$`)
	// choiceAfterRe is the reference chosen, after it: "… passar mig
	// perfekt", "… blir bra", "… i Kungälv för min del", "… works for
	// me". "Jag väljer att avstå" names no session at all.
	choiceAfterRe = regexp.MustCompile(`^\s+(?:\pL+\s+){0,6}?(?:(?:passar|funkar|fungerar)\s+(?:mig|oss|bäst|bra|perfekt|utmärkt|fint)|(?:blir|går)\s+(?:bra|fint|utmärkt))\b|^(?:\s+(?:i|på|hos)\s+\pL+)?\s+för\s+(?:min|vår)\s+del\b|^\s+(?:works|suits)\s+(?:for\s+)?(?:me|us|best)\b`)
	// sessionCues are the words a session reference needs.
	sessionCues = Phrases{"måndag", "tisdag", "onsdag", "torsdag", "fredag", "dec", "middag", "tillfälle", "passet", "träffen",
		"monday", "tuesday", "wednesday", "thursday", "friday", "morning", "afternoon", "first", "second", "earlier", "later", "the one"}
)

// sessionChosen returns the words by which the clause lower chooses a
// session (see choiceBeforeRe and choiceAfterRe), or "".
func sessionChosen(lower string) string {
	if sessionCues.FindLower(lower) == "" && !strings.ContainsAny(lower, "0123456789") {
		return "" // a date written in digits ("den 13:e", "the 11th") has a digit
	}
	for _, loc := range sessionRefRe.FindAllStringIndex(lower, 4) {
		// A few words on either side, cut at spaces so that no rune is
		// split.
		start := 0
		if loc[0] > 48 {
			start = loc[0] - 48
			if i := strings.IndexByte(lower[start:loc[0]], ' '); i >= 0 {
				start += i
			} else {
				start = loc[0]
			}
		}
		end := len(lower)
		if loc[1]+72 < end {
			end = loc[1] + 72
			if i := strings.LastIndexByte(lower[loc[1]:end], ' '); i >= 0 {
				end = loc[1] + i
			} else {
				end = loc[1]
			}
		}
		before, after := lower[start:loc[0]], lower[loc[1]:end]
		if choiceBeforeRe.MatchString(before) || start == 0 && seeYouRe.MatchString(before) || choiceAfterRe.MatchString(after) {
			return strings.TrimSpace(before + lower[loc[0]:loc[1]])
		}
	}
	return ""
}

var (
	// coordinatedComingRe is coming as the second verb of a clause whose
	// subject is the writer: "jag har bokat tåget och kommer till
	// seminariet"; "… och kommer inte" is no coming.
	coordinatedComingRe = regexp.MustCompile(`^\s*(?:jag|vi)\s[^.?!]{0,120}?\soch\s+(?:kommer|deltar)\s+(?:gärna\s+|också\s+)?(?:till|på)\s`)
	// besidesMeRe is the writer counted in before the others who come:
	// "förutom mig själv kommer även", "besides myself, … will come".
	besidesMeRe = regexp.MustCompile(`\b(?:förutom|utöver)\s+mig(?:\s+själv)?,?\s+(?:så\s+)?(?:kommer|deltar)\b|\b(?:besides|apart from)\s+(?:me|myself),?\s+(?:\pL+\s+){0,8}?(?:will|are)\s+(?:\pL+\s+)?(?:come|coming|attend|attending|join|joining)\b`)
	// choiceCues are the words a choice of a session needs.
	choiceCues = Phrases{"väljer", "jag tar", "vi tar", "föredrar", "kör på", "satsar på", "siktar på", "passar", "funkar", "fungerar",
		"blir bra", "blir fint", "går bra", "går fint", "utmärkt", "min del", "vår del", "|ses|", "see you", "take", "choose", "pick",
		"prefer", "go for", "works", "suits"}
)

var (
	// GroupCountRe is the writer's group with its size: "vi blir tre",
	// "vi är två", "vi kommer tre stycken", "we are three".
	GroupCountRe = regexp.MustCompile(`(?i)\b(?:vi|we)\s+(?:är|blir|kommer(?: att vara)?|will be|are|'ll be)\s+(\d|två|tre|fyra|fem|sex|sju|åtta|two|three|four|five|six|seven|eight)(?:$|[^\p{L}])`)
	// NotAttendRe is "kommer" that is no coming: "kommer att", "kommer från",
	// "come back".
	NotAttendRe = regexp.MustCompile(`(?:kommer|komma|come)\s+(?:att|från|from|to the|tillbaka|back|ihåg)(?:$|[^\p{L}])`)
)
