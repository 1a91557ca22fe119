package mailbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// replier sends one participant's mail (in reply to inReplyTo, when set)
// and runs the bot once; it returns the mail's IMAP UID.
type replier struct {
	t *testing.T
	e *env
}

func (r replier) send(id, from, name, inReplyTo, body string, at time.Time) imap.UID {
	r.t.Helper()
	h := []string{"From: " + name + " <" + from + ">", "To: " + botAddr, "Subject: Re: Bekräftelse"}
	if inReplyTo != "" {
		h = append(h, "In-Reply-To: "+inReplyTo, "References: "+inReplyTo)
	}
	uid := r.e.deliver(rawMail(id, h, body), at)
	r.e.clock.Set(at.Add(time.Minute))
	r.e.runOnce()
	return uid
}

// TestUnsureCancellationAsksFirst: a withdrawal said on a condition takes
// no seat; the writer is asked to reply YES, and only her YES to that very
// question, from her address, cancels and moves the waiting list up.
func TestUnsureCancellationAsksFirst(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
	r := replier{t, e}
	annaConf := e.msgID("anna@ale.example")

	r.send("u1", "anna@ale.example", "Anna Ek", annaConf, "Hej!\n\nOm jag inte hinner klart med rapporten får ni stryka mig, jag hör av mig.\n\n/Anna", day.Add(time.Hour))
	wantState(t, e, "confirmed anna@ale.example", "waiting bo@ale.example")
	q := e.last("anna@ale.example")
	if !strings.HasPrefix(q.subject, "Svara JA om du vill det:") || !strings.Contains(q.text, "Svara JA så avanmäler jag dig från:") ||
		!strings.Contains(q.text, "Om jag inte hinner klart med rapporten får ni stryka mig") || !strings.Contains(q.html, "Svara JA så avanmäler jag dig") {
		t.Fatalf("Anna was not asked; she got %q:\n%s", q.subject, q.text)
	}
	question := q.header.Get("Message-Id")

	// A YES to the question from someone else changes nothing.
	r.send("u2", "mallory@evil.example", "Anna Ek", question, "JA", day.Add(2*time.Hour))
	// Her YES not in reply, or in reply to her confirmation, neither.
	r.send("u3", "anna@ale.example", "Anna Ek", "", "JA", day.Add(3*time.Hour))
	r.send("u4", "anna@ale.example", "Anna Ek", annaConf, "JA", day.Add(4*time.Hour))
	wantState(t, e, "confirmed anna@ale.example", "waiting bo@ale.example")
	if m := e.last("bo@ale.example"); strings.Contains(m.subject, "plats") {
		t.Fatalf("Bo was told %q before Anna said yes", m.subject)
	}

	// Her YES to the question: cancelled, and Bo gets the seat.
	r.send("u5", "anna@ale.example", "Anna Ek", question, "JA\n\n/Anna", day.Add(5*time.Hour))
	wantState(t, e, "confirmed bo@ale.example", "cancelled anna@ale.example")
	if m := e.last("anna@ale.example"); !strings.HasPrefix(m.subject, "Avanmäld:") {
		t.Errorf("Anna got %q after her YES", m.subject)
	}
	if m := e.last("bo@ale.example"); !strings.HasPrefix(m.subject, "Du har fått en plats") {
		t.Errorf("Bo got %q", m.subject)
	}
}

// TestUnsureAnswersChangeNothing: an answer to the question that is not a
// plain YES changes nothing and ends the question; a question in English
// is asked in English.
func TestUnsureAnswersChangeNothing(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Olivia Hart", "olivia@ri.example")
	r := replier{t, e}
	conf := e.msgID("olivia@ri.example")
	r.send("e1", "olivia@ri.example", "Olivia Hart", conf, "If my train is delayed I may have to cancel, but for now I plan to come.", day.Add(time.Hour))
	q := e.last("olivia@ri.example")
	if !strings.HasPrefix(q.subject, "Reply YES if you want this:") || !strings.Contains(q.text, "Reply YES to cancel your registration for:") {
		t.Fatalf("Olivia got %q:\n%s", q.subject, q.text)
	}
	question := q.header.Get("Message-Id")
	r.send("e2", "olivia@ri.example", "Olivia Hart", question, "Yes, maybe? I will know on Monday.", day.Add(2*time.Hour))
	r.send("e3", "olivia@ri.example", "Olivia Hart", question, "Yes", day.Add(3*time.Hour))
	wantState(t, e, "confirmed olivia@ri.example")
}

// TestAboutSomeoneElseIsLeftForAHuman: "en av oss kan inte komma" names
// nobody: no question could settle it, so nothing changes, nobody is
// answered, and the mail is flagged for a human.
func TestAboutSomeoneElseIsLeftForAHuman(t *testing.T) {
	e := newEnv(t, 3, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
	r := replier{t, e}
	before := len(e.repliesTo("anna@ale.example"))
	uid := r.send("h1", "anna@ale.example", "Anna Ek", e.msgID("anna@ale.example"), "Hej, en av oss kan inte komma ändå. /Anna", day.Add(time.Hour))
	wantState(t, e, "confirmed anna@ale.example", "confirmed bo@ale.example")
	if n := len(e.repliesTo("anna@ale.example")); n != before {
		t.Errorf("Anna got %d more mails; a human should answer", n-before)
	}
	if flags := e.mailbox("INBOX")[uid]; !hasFlag(flags, "$AnmalanManual") {
		t.Errorf("the mail is not flagged for a human: %v", flags)
	}
}

// TestOneOfOurSeatsAsksWhich: "avboka en av våra två platser" from a
// writer who registered herself and a colleague names neither: nothing
// changes, and she is asked which, with both listed; her answer naming one
// by address cancels that one alone.
func TestOneOfOurSeatsAsksWhich(t *testing.T) {
	e := newEnv(t, 3, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(rawMail("w0", []string{"From: Anna Ek <anna@ale.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag vill anmäla mig och min kollega Bo Ek (bo@ale.example) till seminariet.\n\n/Anna"), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, "confirmed anna@ale.example", "confirmed bo@ale.example")
	r := replier{t, e}
	uid := r.send("w1", "anna@ale.example", "Anna Ek", e.msgID("anna@ale.example"),
		"Hej! Vi kan tyvärr bara skicka en person. Kan ni avboka en av våra två platser?\n\n/Anna", day.Add(time.Hour))
	wantState(t, e, "confirmed anna@ale.example", "confirmed bo@ale.example")
	q := e.last("anna@ale.example")
	if !strings.HasPrefix(q.subject, "Vem menar du?") || !strings.Contains(q.text, "Anna Ek <anna@ale.example>") || !strings.Contains(q.text, "Bo Ek <bo@ale.example>") {
		t.Fatalf("Anna was not asked which seat; she got %q:\n%s", q.subject, q.text)
	}
	if flags := e.mailbox("INBOX")[uid]; hasFlag(flags, "$AnmalanManual") {
		t.Errorf("the mail was answered, yet flagged for a human: %v", flags)
	}
	r.send("w2", "anna@ale.example", "Anna Ek", q.header.Get("Message-Id"), "Avboka Bo Ek (bo@ale.example), tack.\n\n/Anna", day.Add(2*time.Hour))
	wantState(t, e, "confirmed anna@ale.example", "cancelled bo@ale.example")
}

// TestUnsureColleagueAsksFirst: "kanske kan min kollega gå i stället" is
// asked; the YES gives the seat to the colleague.
func TestUnsureColleagueAsksFirst(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example")
	r := replier{t, e}
	r.send("s1", "anna@ale.example", "Anna Ek", e.msgID("anna@ale.example"),
		"Hej, jag kanske inte kan komma. Kanske kan min kollega Per Ström (per.strom@ale.example) gå i stället?\n\n/Anna", day.Add(time.Hour))
	wantState(t, e, "confirmed anna@ale.example")
	q := e.last("anna@ale.example")
	if !strings.Contains(q.text, "Svara JA så tar Per Ström din plats på:") {
		t.Fatalf("Anna got %q:\n%s", q.subject, q.text)
	}
	r.send("s2", "anna@ale.example", "Anna Ek", q.header.Get("Message-Id"), "Ja", day.Add(2*time.Hour))
	wantState(t, e, "confirmed per.strom@ale.example", "cancelled anna@ale.example")
	if m := e.last("per.strom@ale.example"); !strings.HasPrefix(m.subject, "Bekräftelse:") {
		t.Errorf("Per got %q", m.subject)
	}
}

// TestUnsureYesToAnOffer: "Ja, om jag får ledigt" to an offer of a seat
// does not take it; a plain YES to the question that follows does.
func TestUnsureYesToAnOffer(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	e.cfg.Events[0].OfferHours = 24
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
	e.deliver(fromLinda("o1", "Avanmäl anna@ale.example."), day.Add(time.Hour))
	e.clock.Set(day.Add(time.Hour + time.Minute))
	e.runOnce()
	offer := e.msgID("bo@ale.example")
	r := replier{t, e}
	r.send("y1", "bo@ale.example", "Bo Ek", offer, "Ja, om jag får ledigt den dagen.\n\n/Bo", day.Add(2*time.Hour))
	q := e.last("bo@ale.example")
	if !strings.Contains(q.text, "Svara JA så tar du platsen du erbjöds på:") {
		t.Fatalf("Bo got %q:\n%s", q.subject, q.text)
	}
	r.send("y2", "bo@ale.example", "Bo Ek", q.header.Get("Message-Id"), "JA", day.Add(3*time.Hour))
	if m := e.last("bo@ale.example"); !strings.HasPrefix(m.subject, "Du har fått en plats") {
		t.Errorf("Bo got %q after his YES", m.subject)
	}
	// Accepted: the deadline passing takes nothing away.
	e.clock.Set(day.Add(80 * time.Hour))
	e.runOnce()
	wantState(t, e, "confirmed bo@ale.example", "cancelled anna@ale.example")
}
