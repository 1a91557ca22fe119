package understand

import (
	"regexp"
	"strings"

	"github.com/goteborgsregionen/anmalan/config"
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
	if reading.HedgeMarks.FindLower(strings.ToLower(reading.SentenceAround(v.Body, loc[0]))) != "" || reading.CondMarks.FindLower(strings.ToLower(reading.SentenceAround(v.Body, loc[0]))) != "" {
		// The sentence is kept, so that its hedge is seen and quoted.
		m = reading.SentenceAround(v.Body, loc[0])
	}
	for _, p := range reading.ListedPeople(v, cfg) {
		if strings.EqualFold(p.Email, v.From.Address) {
			continue
		}
		p.Diet = ""
		// A name made from the address ("Asmund Sjoqvist") is the one the
		// text writes with å/ä/ö, as for the people of a registration.
		p.Name = reading.RestoreName(p.Name, v.Body)
		return reading.Change{Action: reading.ActionSubstitute, Who: strings.ToLower(v.From.Address), By: &p, Text: strings.TrimSpace(m)}, true
	}
	return reading.Change{}, false
}
