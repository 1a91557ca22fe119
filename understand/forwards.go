package understand

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
func participantForward(m *message.Message, v view, cfg *config.Config, arrived time.Time) (Understanding, bool) {
	inner, how, ok := forwardedView(m, m.Split, m.Body, cfg)
	if !ok || strings.EqualFold(inner.from.Address, v.from.Address) || cfg.IsOrganiser(inner.from.Address) ||
		strings.EqualFold(inner.from.Address, cfg.BotAddress()) {
		return Understanding{}, false
	}
	own := readIntent(pronounRequestRe.ReplaceAllString(blank(strings.ToLower(v.body), handOnNouns), ""))
	// "Kan ni registrera Elin enligt nedan?" asks for the original's
	// registration by her name, when the forwarder does not come herself.
	byName := own.register && !own.cancel && namesWriter(v.body, senderPerson(inner, cfg).Name) && !selfAttends(v.body)
	if (own.register && !byName) || own.cancel || own.hedged || own.human || own.ask {
		return Understanding{}, false
	}
	kind, people, reason := understandParticipant(inner, cfg)
	people = withAddress(people)
	if kind != KindRegistration || len(people) == 0 {
		return Understanding{}, false
	}
	forwarderFacts(v.body, people)
	u := Understanding{Kind: kind, People: people, Language: Language(inner.own, inner.subject, cfg)}
	u.Reason = fmt.Sprintf("%s forwarded (%s) a mail from %s: %s", v.from.Address, how, inner.from.Address, reason)
	forwardedDates(&u, inner, cfg, arrived)
	return u, true
}

// forwardedDates sets the event from the dates the original of a forward
// names, for a forwarder's text that names none (applyDates, run on her own
// text afterwards, then leaves them).
func forwardedDates(u *Understanding, inner view, cfg *config.Config, arrived time.Time) {
	orig := &message.Message{Subject: inner.subject, Split: message.QuoteSplit{Own: inner.own}}
	applyDates(u, orig, cfg, arrived)
}

// namesWriter reports whether text names the person called name by her
// full or her first name.
func namesWriter(text, name string) bool {
	words := strings.Fields(name)
	return len(words) > 0 && (len(wordIndexes(text, name)) > 0 || len(wordIndexes(text, words[0])) > 0)
}
