package reading

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
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

// participantForward reads the original of a mail a participant forwarded.
// It returns the original's registration when the forwarder's own text
// asks nothing of its own, and false otherwise.
func ParticipantForward(m *message.Message, v View, cfg *config.Config, arrived time.Time) (Understanding, bool) {
	inner, how, ok := ForwardedView(m, m.Split, m.Body, cfg)
	if !ok || strings.EqualFold(inner.From.Address, v.From.Address) || cfg.IsOrganiser(inner.From.Address) ||
		strings.EqualFold(inner.From.Address, cfg.BotAddress()) {
		return Understanding{}, false
	}
	own := readIntent(pronounRequestRe.ReplaceAllString(blank(strings.ToLower(v.Body), handOnNouns), ""))
	// "Kan ni registrera Elin enligt nedan?" asks for the original's
	// registration by her name, when the forwarder does not come herself.
	byName := own.Register && !own.cancel && namesWriter(v.Body, SenderPerson(inner, cfg).Name) && !selfAttends(v.Body)
	if (own.Register && !byName) || own.cancel || own.Hedged || own.Human || own.Ask {
		return Understanding{}, false
	}
	kind, people, reason := UnderstandParticipant(inner, cfg)
	people = WithAddress(people)
	if kind != KindRegistration || len(people) == 0 {
		return Understanding{}, false
	}
	ForwarderFacts(v.Body, people)
	u := Understanding{Kind: kind, People: people, Language: Language(inner.Own, inner.Subject, cfg)}
	u.Reason = fmt.Sprintf("%s forwarded (%s) a mail from %s: %s", v.From.Address, how, inner.From.Address, reason)
	ForwardedDates(&u, inner, cfg, arrived)
	return u, true
}

// forwardedDates sets the event from the dates the original of a forward
// names, for a forwarder's text that names none (applyDates, run on her own
// text afterwards, then leaves them).
func ForwardedDates(u *Understanding, inner View, cfg *config.Config, arrived time.Time) {
	orig := &message.Message{Subject: inner.Subject, Split: message.QuoteSplit{Own: inner.Own}}
	ApplyDates(u, orig, cfg, arrived)
}

// namesWriter reports whether text names the person called name by her
// full or her first name.
func namesWriter(text, name string) bool {
	words := strings.Fields(name)
	return len(words) > 0 && (len(wordIndexes(text, name)) > 0 || len(wordIndexes(text, words[0])) > 0)
}
