package reading

import (
	"regexp"
	"strings"
)

// A participant forwards a registration too: a colleague's "kan du anmäla
// mig?" sent on by the one it reached ("Skickar vidare en anmälan som kom
// till mig"). The person who registers is the one who wrote the original,
// with the facts she gave there; the forwarder, whose own words only hand
// the mail on ("en anmälan" is a noun, not her request), registers nobody.
// The original's dates choose the session, since the forwarder's own text
// seldom repeats them.

// handOnNouns are the words for a registration as a thing handed on; they
// are taken out of the forwarder's text before her own intent is read.
var handOnNouns = Phrases{"anmälan", "anmälningen", "anmälningar", "registration", "registreringen"}

// pronounRequestRe is a request about the original's writer by pronoun
// ("kan ni anmäla henne?", "please register him"): it asks for the
// original's registration, not the forwarder's own.
var pronounRequestRe = regexp.MustCompile(`\b(?:anmäla|anmäl|registrera|boka|skriva upp|föra upp|register|sign up|book)\s+(?:henne|honom|dem|her|him|them)\b`)

// ForwarderHandsOn reports whether the forwarder's own text (body) only
// hands the forwarded mail on, asking nothing of its own, or asks for the
// registration of its writer (writer: her name) by pronoun or by name
// without coming herself.
func ForwarderHandsOn(body, writer string) bool {
	own := readIntent(pronounRequestRe.ReplaceAllString(blank(strings.ToLower(body), handOnNouns), ""))
	// "Kan ni registrera Elin enligt nedan?" asks for the original's
	// registration by her name, when the forwarder does not come herself.
	byName := own.Register && !own.cancel && namesWriter(body, writer) && !selfAttends(body)
	return !(own.Register && !byName) && !own.cancel && !own.Hedged && !own.Human && !own.Ask
}

// namesWriter reports whether text names the person called name by her
// full or her first name.
func namesWriter(text, name string) bool {
	words := strings.Fields(name)
	return len(words) > 0 && (len(wordIndexes(text, name)) > 0 || len(wordIndexes(text, words[0])) > 0)
}
