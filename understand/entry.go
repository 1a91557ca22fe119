package understand

import (
	"fmt"
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"slices"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/automatic"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/mailauth"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
	"github.com/goteborgsregionen/anmalan/understand/session"
)

// Understand tells what a decoded mail asks of the bot: whether it is
// automatic, a registration (and of whom), a cancellation, an organiser's
// command, or something for a human. cfg may be nil: then there are no
// organisers and no events, so no mail counts as a command and Event stays
// empty. It never fails; what it could not make out is "other".
//
// Dates the mail names are read against its Date header; the bot uses
// UnderstandAt with the mail's arrival instead.
func Understand(m *message.Message, cfg *config.Config) reading.Understanding {
	var at time.Time
	if m != nil {
		at = m.Date
	}
	return UnderstandAt(m, cfg, at)
}

// UnderstandAt is Understand for a mail that arrived at arrived: a date it
// names without a year is the next such date after arrived, and a weekday
// is matched among the events open at arrived. The organiser is
// authenticated under cfg.AuthPolicy().
func UnderstandAt(m *message.Message, cfg *config.Config, arrived time.Time) reading.Understanding {
	return UnderstandWith(m, cfg, arrived, cfg.AuthPolicy())
}

// UnderstandWith is UnderstandAt with the organiser authenticated under
// auth instead of cfg.AuthPolicy(): the bot passes its own, with the DNS
// lookup it was given.
func UnderstandWith(m *message.Message, cfg *config.Config, arrived time.Time, auth mailauth.Policy) reading.Understanding {
	u := understand(m, cfg, auth, arrived)
	if m != nil && u.Kind != reading.KindAutomatic {
		session.ApplyDates(&u, m, cfg, arrived)
	}
	// A Message built by hand (not by ReadMessage) may hold invalid UTF-8;
	// what is recorded and printed must not.
	for i := range u.People {
		validPerson(&u.People[i])
	}
	for i := range u.Changes {
		u.Changes[i].Who = strings.ToValidUTF8(u.Changes[i].Who, "\uFFFD")
		u.Changes[i].Text = strings.ToValidUTF8(u.Changes[i].Text, "\uFFFD")
		if u.Changes[i].By != nil {
			validPerson(u.Changes[i].By)
		}
		for j := range u.Changes[i].Candidates {
			validPerson(&u.Changes[i].Candidates[j])
		}
	}
	u.Reason = strings.ToValidUTF8(u.Reason, "\uFFFD")
	return u
}

// registersOnly reports whether every change is a registration.
func registersOnly(cs []reading.Change) bool {
	for _, c := range cs {
		if c.Action != reading.ActionRegister {
			return false
		}
	}
	return len(cs) > 0
}

// onlyWriterRegistered reports whether the changes register the address
// writer alone.
func onlyWriterRegistered(cs []reading.Change, writer string) bool {
	for _, c := range cs {
		if c.By == nil || !strings.EqualFold(c.By.Email, writer) {
			return false
		}
	}
	return len(cs) > 0 && writer != ""
}

func validPerson(p *reading.Person) {
	p.Name = strings.ToValidUTF8(p.Name, "\uFFFD")
	p.Email = strings.ToValidUTF8(p.Email, "\uFFFD")
	p.Organisation = strings.ToValidUTF8(p.Organisation, "\uFFFD")
	p.Diet = strings.ToValidUTF8(p.Diet, "\uFFFD")
}

func understand(m *message.Message, cfg *config.Config, auth mailauth.Policy, arrived time.Time) reading.Understanding {
	if m == nil {
		return reading.Understanding{Kind: reading.KindOther, Reason: "there is no mail"}
	}
	if kind, reason := automatic.Classify(m, cfg); kind != "" {
		u := reading.Understanding{Kind: reading.KindAutomatic, Automatic: kind, Reason: reason}
		if kind == automatic.Bounce {
			u.Bounced = automatic.BouncedAddresses(m, cfg)
		}
		return u
	}

	// A registration is never long: the message package split only the
	// start of a huge text, which keeps the time per mail bounded.
	split, body, sig := m.Split, m.Body, m.Signature
	u := reading.Understanding{
		Language: Language(split.Own, m.Subject, cfg),
		Event:    session.EventFor(m, split.Own, cfg),
	}
	var authReason string
	u.SenderAuthenticated, authReason = senderAuthenticated(m, auth, arrived)

	v := reading.View{From: m.From, To: m.To, Cc: m.Cc, Subject: m.Subject, Body: body, Sig: sig, Own: split.Own}
	if cfg.IsOrganiser(m.From.Address) {
		cr := readCommands(v, split.Quoted, cfg)
		cu, ok := commandUnderstanding(u, cr, m.From.Address, authReason)
		if ok && !registersOnly(cu.Changes) || cr.withheld {
			// A change of hers set aside as unsure ("Nils har fått
			// förhinder, stryk honom" above a forwarded registration that
			// names two) is not made into the forwarded mail's own.
			return cu
		}
		if inner, how, fwd := ForwardedView(m, split, body, cfg); fwd {
			kind, people, reason := reading.UnderstandParticipant(subjectIfReadable(inner), cfg)
			if ok && (kind != reading.KindRegistration || !onlyWriterRegistered(cu.Changes, inner.From.Address)) {
				// Her command registers someone else than the writer of
				// the mail she forwards, or a writer who did not herself
				// ask to register ("Kan jag fortfarande komma?" — "Kan du
				// skriva in henne?"): the command is her decision.
				return cu
			}
			// "Den här kom till mig, kan du lägga in honom?" above a
			// forwarded registration registers its writer: read as her
			// forward of that registration, it keeps the writer's own
			// diet, date and companions, which the command alone would
			// lose.
			if kind != reading.KindCancellation {
				kind = reading.KindRegistration
			}
			if len(people) == 0 {
				people = []reading.Person{reading.SenderPerson(inner, cfg)}
			}
			people = withAddress(people)
			if kind == reading.KindRegistration {
				forwarderFacts(body, people)
			}
			u.Kind, u.People = kind, people
			u.Language = Language(inner.Own, inner.Subject, cfg)
			u.Reason = fmt.Sprintf("the organiser forwarded (%s) a mail from %s: %s", how, inner.From.Address, reason)
			ForwardedDates(&u, inner, cfg, arrived)
			return u
		}
		return cu
	}
	if fu, ok := ParticipantForward(m, v, cfg, arrived); ok {
		fu.SenderAuthenticated = u.SenderAuthenticated
		if fu.Event == "" {
			fu.Event = u.Event
		}
		return fu
	}
	var in reading.Intent
	u.Kind, u.People, u.Reason, in = reading.ReadParticipant(subjectIfReadable(v), cfg)
	u.Alternatives = in.WhyNot
	if (u.Kind == reading.KindRegistration || u.Kind == reading.KindOther) && !in.Human && !in.Ask {
		// "I registered my colleague … (…). … please take her
		// registration out": the registration noun is hers, not a request
		// of the writer's own.
		if p, said, ok, about := ColleagueWithdrawn(v, cfg); ok {
			u.Kind, u.People = reading.KindCancellation, []reading.Person{p}
			u.Reason = fmt.Sprintf("the text says %q about %s, whom the writer registered", said, p.Email)
		} else if about && u.Kind == reading.KindRegistration {
			// Whose registration it is cannot be read, but it is not the
			// writer's: a human settles it.
			u.Kind, u.People = reading.KindOther, nil
			u.Reason = fmt.Sprintf("the text says %q about someone else's registration, which cannot be read: for a human", said)
		}
	}
	if u.Kind == reading.KindRegistration {
		if more := unaddressedCompanions(v.Body, u.People); len(more) > 0 {
			u.People = append(u.People, more...)
			rebindDiets(v.Body, u.People, m.From.Address)
		}
	}
	u.Hedged = u.Kind == reading.KindOther && in.Hedged
	if u.Kind == reading.KindCancellation || u.Kind == reading.KindRegistration {
		// A colleague withdrawn by name alone ("Amir Haddad and I can
		// no longer come") stays: the decision looks for her among the
		// registrations the writer made. One registered by name alone
		// beside the writer ("jag och Gillis Jarl kommer") stays too: the
		// decision registers those with an address and leaves the mail
		// for a human, who must not miss the others (all of it when nobody
		// has one: "Här kommer anmälningar: 1. Agda Ekholm …"). One the
		// writer registered, withdrawn by name alone ("Kim Berglöv, som
		// jag anmälde, kommer inte"), is looked for the same way.
		u.People = slices.DeleteFunc(u.People, func(p reading.Person) bool { return p.Email == "" && p.Name == "" })
		if u.Kind == reading.KindCancellation && len(withAddress(slices.Clone(u.People))) == 0 && in.OtherName == "" {
			u.People = nil
		}
	} else {
		u.People = withAddress(u.People)
	}
	if u.Kind != reading.KindOther && len(u.People) == 0 {
		u.Kind, u.Reason = "other", u.Reason+", but there is no address to answer"
	}
	if u.Kind == reading.KindOther {
		u.People = nil
	}
	if u.Kind == reading.KindOther && in.OneOf && !in.Register {
		// "Stryk en av våra två platser": which one is the writer's to
		// say, so nothing changes and she is asked; with no change to
		// confirm, the question is a human's.
		u.Ask = true
	} else if u.Kind == reading.KindOther && in.Ask && !in.Human && !in.Register && m.From.Address != "" {
		// One reading, the writer's own withdrawal, said on a condition
		// or as a maybe: the bot asks her to confirm it.
		u.Ask = true
		u.People = []reading.Person{reading.SenderPerson(v, cfg)}
		u.People[0].Diet = ""
		u.Changes = []reading.Change{{Action: reading.ActionCancel, Who: strings.ToLower(m.From.Address), Text: strings.TrimSpace(in.Asked)}}
	}
	// Checked after the participant's own reading: "min kollega Y går i
	// stället" reads as a cancellation, a registration of Y, or nothing.
	// A mail that only a human can settle stays with the human.
	if u.Kind != reading.KindAutomatic && !in.Human {
		if c, ok := ColleagueInstead(v, cfg); ok {
			u.People = []reading.Person{reading.SenderPerson(v, cfg)}
			u.People[0].Diet = ""
			u.Changes = []reading.Change{c}
			if lexicon.Hedge.FindLower(strings.ToLower(c.Text)) != "" || lexicon.Cond.FindLower(strings.ToLower(c.Text)) != "" {
				// "Kanske kan min kollega Y gå i stället": asked, not done.
				u.Kind, u.Ask = reading.KindOther, true
				u.Alternatives = append(u.Alternatives, reading.Alternative{Kind: reading.KindCancellation, Why: c.By.Email + " going instead is said on a condition or as a maybe: " + reading.Clip(c.Text)})
				u.Reason += fmt.Sprintf("; %s may go instead: to confirm before it is done", c.By.Email)
			} else {
				u.Kind, u.Ask = reading.KindCancellation, false
				u.Reason += fmt.Sprintf("; %s goes instead", c.By.Email)
			}
		}
	}
	return u
}

// rebindDiets binds the diets of text again once companions without an
// address have joined people: "Maja saknar e-postadress, hon äter
// glutenfritt" is Maja's, though the first binding, without her, gave it
// to the person named before. A diet a person had that the text does not
// now give to someone else (a form's field) stays hers.
func rebindDiets(text string, people []reading.Person, sender string) {
	before := make([]string, len(people))
	for i := range people {
		before[i], people[i].Diet = people[i].Diet, ""
	}
	reading.BindDiets(text, people, slices.IndexFunc(people, func(p reading.Person) bool { return strings.EqualFold(p.Email, sender) }))
	for i := range people {
		if people[i].Diet == "" && before[i] != "" && !slices.ContainsFunc(people, func(p reading.Person) bool { return p.Diet == before[i] }) {
			people[i].Diet = before[i]
		}
	}
}
