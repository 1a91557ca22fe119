package understand

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
	"github.com/goteborgsregionen/anmalan/understand/session"
	"github.com/goteborgsregionen/anmalan/understand/stem"
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
	inner, how, ok := ForwardedView(m, m.Split, m.Body, cfg)
	if !ok || strings.EqualFold(inner.From.Address, v.From.Address) || cfg.IsOrganiser(inner.From.Address) ||
		strings.EqualFold(inner.From.Address, cfg.BotAddress()) {
		return reading.Understanding{}, false
	}
	if !reading.ForwarderHandsOn(v.Body, reading.SenderPerson(inner, cfg).Name) {
		return reading.Understanding{}, false
	}
	kind, people, reason := reading.UnderstandParticipant(subjectIfReadable(inner), cfg)
	people = withAddress(people)
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
	session.ApplyDates(u, orig, cfg, arrived)
}

// ForwardedView finds the mail an organiser forwarded: an inline forward
// (Outlook "Från:/Skickat:", Gmail "Forwarded message", Apple "Begin
// forwarded message:") or an attached message/rfc822. It returns the
// original as a view and how it was found.
func ForwardedView(m *message.Message, split message.QuoteSplit, body string, cfg *config.Config) (reading.View, string, bool) {
	subjFwd := forwardSubjectRe.MatchString(m.Subject)
	inline := split.Kind == message.QuoteForward || (split.Kind == message.QuoteHeader && (subjFwd || strings.TrimSpace(body) == ""))
	if inline {
		if f, ok := message.ParseForwarded(split.Quoted); ok {
			from := parseOneAddress(f.From)
			fs := message.SplitQuote(f.Text)
			b, s := message.SplitSignature(fs.Own)
			v := reading.View{From: from, Subject: f.Subject, Own: fs.Own, Body: b, Sig: s}
			if to := parseOneAddress(f.To); to.Address != "" {
				v.To = []*mail.Address{&to}
			}
			if from.Address != "" {
				return v, "inline, " + split.Marker, true
			}
		}
	}
	for _, a := range m.Attachments {
		if a.Message != nil && a.Message.From.Address != "" {
			in := a.Message
			fs := message.SplitQuote(in.Text)
			b, s := message.SplitSignature(fs.Own)
			return reading.View{From: in.From, To: in.To, Cc: in.Cc, Subject: in.Subject, Own: fs.Own, Body: b, Sig: s}, "as an attached message", true
		}
	}
	return reading.View{}, "", false
}

// parseOneAddress reads "Name <addr>" or "addr" as written in a forwarded
// header block; Outlook also writes "Name [mailto:addr]".
func parseOneAddress(s string) mail.Address {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(strings.ReplaceAll(s, "[mailto:", "<"), "]", ">")
	if a, err := mail.ParseAddress(s); err == nil {
		a.Name = reading.NormaliseName(a.Name)
		return *a
	}
	if l := message.LooseAddresses(s); len(l) > 0 {
		return mail.Address{Name: reading.NormaliseName(l[0].Name), Address: l[0].Address}
	}
	return mail.Address{}
}

var forwardSubjectRe = regexp.MustCompile(`(?i)^\s*(fwd?|vb|vs|wg|tr|i|rv|fw)\s*:`)

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

// subjectIfReadable is v for the participant reader, without its subject
// when the text is in a language the reader cannot read (an out-of-office
// in Icelandic under "SV: Anmälan …"): the reader takes a subject's
// "Anmälan" for the request only when the text says nothing of its own,
// and such a text may say anything.
func subjectIfReadable(v reading.View) reading.View {
	if !stem.Readable(v.Body) {
		v.Subject = ""
	}
	return v
}
