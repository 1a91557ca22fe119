package understand

import (
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"github.com/goteborgsregionen/anmalan/understand/names"
	"regexp"
	"strings"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// insteadRe finds a participant sending someone in their place: "min
// kollega Y går i stället", "Y kommer i mitt ställe", "my colleague Y will
// come instead".
// insteadWords are parts of every phrase insteadRe matches.
// Taking over the writer's registration is the same: "min kollega Y tar
// över min anmälan", "Y will take over my booking".
var insteadWords = reading.Phrases{"ställe", "plats", "instead", "in my", "take", "över min", "over my"}

var insteadRe = regexp.MustCompile(`(?i)(i stället|istället|i mitt ställe|i min plats|tar min plats|instead|in my place|in my stead|takes? my (place|seat|spot)|(?:tar|ta|tagit) över min (?:anmälan|plats|registrering|bokning)|takes? over my (?:place|seat|spot|registration|booking))`)

// ColleagueInstead reads a participant's "min kollega Y går i stället" as
// a substitution of the sender by Y. Y needs an address in the sender's own
// text: a name alone cannot be registered.
func ColleagueInstead(v reading.View, cfg *config.Config) (reading.Change, bool) {
	if v.From.Address == "" {
		// Without a sender there is nobody whose place the colleague takes.
		return reading.Change{}, false
	}
	// The pattern is run only where one of its words can be: a
	// case-insensitive alternation is slow on every mail's whole text.
	if insteadWords.Find(v.Body) == "" {
		return reading.Change{}, false
	}
	loc := insteadRe.FindStringIndex(v.Body)
	if loc == nil {
		return reading.Change{}, false
	}
	m := v.Body[loc[0]:loc[1]]
	if lexicon.Hedge.FindLower(strings.ToLower(reading.SentenceAround(v.Body, loc[0]))) != "" || lexicon.Cond.FindLower(strings.ToLower(reading.SentenceAround(v.Body, loc[0]))) != "" {
		// The sentence is kept, so that its hedge is seen and quoted.
		m = reading.SentenceAround(v.Body, loc[0])
	}
	for _, p := range reading.ListedPeople(v, cfg) {
		if strings.EqualFold(p.Email, v.From.Address) {
			continue
		}
		// The writer's diet is not hers; one said of her is ("… går i mitt
		// ställe. Hon äter vegetariskt"), bound as every diet is.
		p.Diet = ""
		both := []reading.Person{reading.SenderPerson(v, cfg), p}
		reading.BindDiets(v.Body, both, 0)
		p.Diet = both[1].Diet
		// A name made from the address ("Asmund Sjoqvist") is the one the
		// text writes with å/ä/ö, as for the people of a registration.
		p.Name = names.Restore(p.Name, v.Body)
		return reading.Change{Action: reading.ActionSubstitute, Who: strings.ToLower(v.From.Address), By: &p, Text: strings.TrimSpace(m)}, true
	}
	return reading.Change{}, false
}

// theirRegistrationRe is a request to end a third person's registration:
// "please take her registration out", "cancel his place", "ta bort
// hennes anmälan", "avboka hans plats". "Take" counts only with the
// registration itself: "I'll take her place" is going instead of her.
var theirRegistrationRe = regexp.MustCompile(`(?i)\b(?:cancel|remove|withdraw|delete|drop)\s+(?:her|his)\s+(?:registration|booking|place|seat|spot)\b|\btake\s+(?:her|his)\s+(?:registration|booking)\b|\b(?:ta\s+bort|avboka|stryk|stryka|avregistrera|annullera)\s+(?:hennes|hans)\s+(?:anmälan|registrering|bokning|plats)\b`)

// theirRegistrationWords are in every match of theirRegistrationRe, which
// (case-insensitive) is slow on Go's engine and runs only where they are.
var theirRegistrationWords = reading.Phrases{"her registration", "his registration", "her booking", "his booking", "her place", "his place",
	"her seat", "his seat", "her spot", "his spot", "hennes anmälan", "hans anmälan", "hennes registrering", "hans registrering",
	"hennes bokning", "hans bokning", "hennes plats", "hans plats"}

// thirdPersonCondition are the conditions on the colleague rather than
// the writer ("if she is still ill on Monday", "om hon inte blir frisk"),
// which lexicon.Cond, written for the writer's own, leave out.
var thirdPersonCondition = reading.Phrases{"|if|", "|unless|", "|ifall|", "|om hon|", "|om han|", "|om hen|", "|såvida|", "|in case|"}

// registeredByWriterRe is the writer telling that she registered someone:
// "I registered my colleague …", "jag anmälde vår nya …".
var registeredByWriterRe = regexp.MustCompile(`(?i)\b(?:i|we|jag|vi)\s+(?:have\s+|har\s+)?(?:registered|signed up|booked|anmälde|anmält|registrerade|bokade)\b`)

// ColleagueWithdrawn reads "I registered my colleague Theodora … (…) for
// Tuesday. She has now left us, so please take her registration out": the
// "her" of the request is the one person the writer says she registered,
// named there by address, and the withdrawal is that person's. Without
// exactly one such sentence with exactly one address (not the writer's),
// or under a condition or a maybe, nothing is read: the pronoun could be
// anyone's. The decision checks that the writer made that registration.
// about is true whenever the mail asks to end a third person's
// registration, read or not: its registration noun is then no request of
// the writer's own.
func ColleagueWithdrawn(v reading.View, cfg *config.Config) (p reading.Person, said string, ok, about bool) {
	if !strings.Contains(v.Body, "@") || theirRegistrationWords.Find(v.Body) == "" {
		return p, "", false, false
	}
	loc := theirRegistrationRe.FindStringIndex(v.Body)
	if loc == nil {
		return p, "", false, false
	}
	said = v.Body[loc[0]:loc[1]]
	around := strings.ToLower(reading.SentenceAround(v.Body, loc[0]))
	if lexicon.Hedge.FindLower(around) != "" || lexicon.Cond.FindLower(around) != "" || thirdPersonCondition.FindLower(around) != "" {
		return p, said, false, true
	}
	email := ""
	for _, s := range sentenceEndRe.Split(message.Head(v.Body, 4000), -1) {
		if !registeredByWriterRe.MatchString(s) {
			continue
		}
		addrs := message.AddrSpecRe.FindAllString(s, 2)
		if len(addrs) != 1 || strings.EqualFold(addrs[0], v.From.Address) || email != "" {
			return p, said, false, true
		}
		email = addrs[0]
	}
	for _, l := range reading.ListedPeople(v, cfg) {
		if email != "" && strings.EqualFold(l.Email, email) {
			l.Diet = ""
			l.Name = names.Restore(l.Name, v.Body)
			return l, said, true, true
		}
	}
	return p, said, false, true
}
