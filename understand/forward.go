package understand

import (
	"fmt"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// A participant forwards a registration too: a colleague's "kan du anmäla
// mig?" sent on by the one it reached. The person who registers is the one
// who wrote the original, with the facts she gave there; the forwarder,
// whose own words only hand the mail on, registers nobody (see
// reading.ForwarderHandsOn). The original's dates choose the session.

// ParticipantForward reads the original of a mail a participant forwarded.
// It returns the original's registration when the forwarder's own text
// asks nothing of its own, and false otherwise.
func ParticipantForward(m *message.Message, v reading.View, cfg *config.Config, arrived time.Time) (reading.Understanding, bool) {
	inner, how, ok := reading.ForwardedView(m, m.Split, m.Body, cfg)
	if !ok || strings.EqualFold(inner.From.Address, v.From.Address) || cfg.IsOrganiser(inner.From.Address) ||
		strings.EqualFold(inner.From.Address, cfg.BotAddress()) {
		return reading.Understanding{}, false
	}
	if !reading.ForwarderHandsOn(v.Body, reading.SenderPerson(inner, cfg).Name) {
		return reading.Understanding{}, false
	}
	kind, people, reason := reading.UnderstandParticipant(inner, cfg)
	people = reading.WithAddress(people)
	if kind != reading.KindRegistration || len(people) == 0 {
		return reading.Understanding{}, false
	}
	forwarderFacts(v.Body, people)
	u := reading.Understanding{Kind: kind, People: people, Language: Language(inner.Own, inner.Subject, cfg)}
	u.Reason = fmt.Sprintf("%s forwarded (%s) a mail from %s: %s", v.From.Address, how, inner.From.Address, reason)
	ForwardedDates(&u, inner, cfg, arrived)
	return u, true
}

// ForwardedDates sets the event from the dates the original of a forward
// names, for a forwarder's text that names none (applyDates, run on her own
// text afterwards, then leaves them).
func ForwardedDates(u *reading.Understanding, inner reading.View, cfg *config.Config, arrived time.Time) {
	orig := &message.Message{Subject: inner.Subject, Split: message.QuoteSplit{Own: inner.Own}}
	reading.ApplyDates(u, orig, cfg, arrived)
}

// forwarderFacts binds the diets a forwarder's own text says about the
// people of the mail she forwards ("Hon har ringt och sagt att hon är
// glutenintolerant"): her "jag" is herself, none of them. A diet the
// original gave is kept.
func forwarderFacts(text string, people []reading.Person) {
	given := make([]string, len(people))
	for i, p := range people {
		given[i] = p.Diet
	}
	reading.BindDiets(text, people, -1)
	for i := range people {
		if given[i] != "" {
			people[i].Diet = given[i]
		}
	}
}
