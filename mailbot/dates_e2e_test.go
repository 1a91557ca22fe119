package mailbot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// twoSessions is the seed's workshop on two dates: Tuesday 11 December in
// Göteborg (two seats) and Thursday 13 December in Kungälv.
const twoSessions = `
[[events]]
id = "goteborg"
title = "På tal om segregation"
starts = "2018-12-11 13:00"
ends = "2018-12-11 15:30"
location = "GR, Anders Personsgatan 8, Göteborg"
seats = 2
closes = "2018-12-04"
material = ["kartlaggning.pdf"]
keywords = ["segregation"]

[[events]]
id = "kungalv"
title = "På tal om segregation"
starts = "2018-12-13 09:00"
ends = "2018-12-13 11:30"
location = "Kungälvs stadshus"
seats = 10
closes = "2018-12-06"
material = ["kartlaggning.pdf"]
keywords = ["segregation"]
`

func plainMail(from, name, id, subject, body string, extra ...string) []byte {
	h := "From: " + name + " <" + from + ">\r\nTo: " + botAddr + "\r\nSubject: " + subject + "\r\n" +
		"Date: Wed, 28 Nov 2018 10:00:00 +0100\r\nMessage-ID: <" + id + ">\r\n"
	for _, x := range extra {
		h += x + "\r\n"
	}
	return []byte(h + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

func (e *env) registered(event string) map[string]string {
	e.t.Helper()
	regs, err := e.d.Store().Registrations(context.Background(), event)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range regs {
		out[r.Email] = r.Status
	}
	return out
}

// TestTheDateNamedChoosesTheSession covers issue 8 end to end: a mail for
// each date, a date not offered followed by the person's answer, a mail
// naming two dates, a weekday alone, and a mail that does not say which.
func TestTheDateNamedChoosesTheSession(t *testing.T) {
	e := newEnvEvents(t, localmail.Options{}, twoSessions)
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	step := func(raw []byte) {
		t.Helper()
		at = at.Add(time.Minute)
		e.deliver(raw, at)
		e.clock.Set(at)
		e.runOnce()
	}

	step(plainMail("anna@ale.example", "Anna Ek", "d1@ale.example", "Anmälan", "Jag vill komma den 11/12. /Anna"))
	step(plainMail("bo@ale.example", "Bo Ek", "d2@ale.example", "Anmälan", "Anmäl mig till 13 december i Kungälv, tack!"))
	if g, k := e.registered("goteborg"), e.registered("kungalv"); g["anna@ale.example"] != "confirmed" || k["bo@ale.example"] != "confirmed" || len(g) != 1 || len(k) != 1 {
		t.Fatalf("after one mail per date: göteborg %v, kungälv %v", g, k)
	}
	bo := e.repliesTo("bo@ale.example")
	if len(bo) != 1 || !strings.Contains(bo[0].text, "torsdag 13 december 2018, 09.00–11.30") || !strings.Contains(bo[0].text, "Kungälvs stadshus") {
		t.Errorf("the confirmation does not restate the date and place:\n%v", subjects(bo))
	}
	if len(bo) == 1 && !strings.Contains(string(bo[0].attachments["kungalv.ics"]), "DTSTART;TZID=Europe/Stockholm:20181213T090000") {
		t.Errorf("calendar of the Kungälv session: %q", bo[0].attachments["kungalv.ics"])
	}

	// A date not offered: nothing is registered, the reply lists the
	// dates with the seats left; the answer naming one registers.
	step(plainMail("cia@ale.example", "Cia Ek", "d3@ale.example", "Anmälan", "Jag vill anmäla mig till den 12 december."))
	cia := e.repliesTo("cia@ale.example")
	if len(cia) != 1 || !strings.HasPrefix(cia[0].subject, "Vilket datum") {
		t.Fatalf("a date not offered: %v", subjects(cia))
	}
	for _, want := range []string{"tisdag 11 december 2018", "1 plats kvar", "torsdag 13 december 2018", "9 platser kvar"} {
		if !strings.Contains(cia[0].text, want) {
			t.Errorf("the question lacks %q:\n%s", want, cia[0].text)
		}
	}
	if _, ok := e.registered("goteborg")["cia@ale.example"]; ok {
		t.Error("registered for a date not offered")
	}
	question := cia[0].header.Get("Message-Id")
	step(plainMail("cia@ale.example", "Cia Ek", "d4@ale.example", "SV: Vilket datum vill du anmäla dig till?",
		"Den 13:e i så fall!\r\n\r\n> Tack för din anmälan.", "In-Reply-To: "+question, "References: "+question))
	if e.registered("kungalv")["cia@ale.example"] != "confirmed" {
		t.Errorf("the answer to the question did not register Cia: %v", e.registered("kungalv"))
	}

	// Two dates, the first preferred one full: the second, and the reply
	// says so. Göteborg has one seat left; Dan takes it first.
	step(plainMail("dan@ale.example", "Dan Ek", "d5@ale.example", "Anmälan", "Anmäl mig gärna den 11 december."))
	step(plainMail("eva@ale.example", "Eva Ek", "d6@ale.example", "Anmälan", "Jag kan 11 eller 13 december, helst 11. Anmäl mig!"))
	if e.registered("kungalv")["eva@ale.example"] != "confirmed" || e.registered("goteborg")["eva@ale.example"] != "" {
		t.Errorf("two dates: göteborg %v, kungälv %v", e.registered("goteborg"), e.registered("kungalv"))
	}
	if eva := e.repliesTo("eva@ale.example"); len(eva) != 1 || !strings.Contains(eva[0].text, "är fullbokat, så du är anmäld till det andra datumet") {
		t.Errorf("Eva is not told why the other date: %v", subjects(eva))
	}

	// Both dates.
	step(plainMail("fia@ale.example", "Fia Ek", "d7@ale.example", "Anmälan", "Jag vill gå på båda, 11 och 13 december."))
	if e.registered("goteborg")["fia@ale.example"] != "waiting" || e.registered("kungalv")["fia@ale.example"] != "confirmed" {
		t.Errorf("both dates: göteborg %v, kungälv %v", e.registered("goteborg"), e.registered("kungalv"))
	}

	// A weekday alone: Thursday is only the Kungälv session.
	step(plainMail("gun@ale.example", "Gun Ek", "d8@ale.example", "Anmälan", "Jag anmäler mig till torsdagens workshop."))
	if e.registered("kungalv")["gun@ale.example"] != "confirmed" {
		t.Errorf("weekday alone: %v", e.registered("kungalv"))
	}

	// No date, and both sessions fit: asked, nothing registered.
	step(plainMail("hans@ale.example", "Hans Ek", "d9@ale.example", "Anmälan", "Jag vill anmäla mig till workshopen om segregation."))
	if h := e.repliesTo("hans@ale.example"); len(h) != 1 || !strings.HasPrefix(h[0].subject, "Vilket datum") {
		t.Errorf("an unclear mail: %v", subjects(h))
	}

	// After Göteborg's deadline (4 December) a mail naming it gets that
	// answer, not a silent seat in Kungälv.
	at = time.Date(2018, 12, 5, 9, 0, 0, 0, e.loc)
	step(plainMail("ida@ale.example", "Ida Ek", "d10@ale.example", "Anmälan", "Anmäl mig till den 11 december."))
	if ida := e.repliesTo("ida@ale.example"); len(ida) != 1 || !strings.HasPrefix(ida[0].subject, "Anmälan har stängt") {
		t.Errorf("a closed date: %v", subjects(ida))
	}
	if _, ok := e.registered("kungalv")["ida@ale.example"]; ok {
		t.Error("a mail for a closed date was put on another date")
	}
}

// TestAReplyInOurThreadKeepsItsEvent: with two sessions open, a reply to
// our confirmation that names no date is about the confirmed session (here
// the organiser's colleague asks to register as well, from the thread).
func TestAReplyInOurThreadKeepsItsEvent(t *testing.T) {
	e := newEnvEvents(t, localmail.Options{}, twoSessions)
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(plainMail("bo@ale.example", "Bo Ek", "t1@ale.example", "Anmälan", "Anmäl mig till 13 december, tack!"), at)
	e.clock.Set(at)
	e.runOnce()
	conf := e.repliesTo("bo@ale.example")
	if len(conf) != 1 {
		t.Fatalf("no confirmation: %v", subjects(conf))
	}
	id := conf[0].header.Get("Message-Id")
	e.deliver(plainMail("bo@ale.example", "Bo Ek", "t2@ale.example", "SV: Bekräftelse", "Min kollega vill också anmäla sig:\r\nNamn: Per Holm\r\nE-post: per.holm@ale.example",
		"In-Reply-To: "+id, "References: "+id), at.Add(time.Hour))
	e.clock.Set(at.Add(time.Hour))
	e.runOnce()
	if e.registered("kungalv")["per.holm@ale.example"] != "confirmed" {
		t.Errorf("the colleague was not registered for the thread's session: göteborg %v, kungälv %v", e.registered("goteborg"), e.registered("kungalv"))
	}
}

// TestOrganiserCommandFindsThePersonsSession: with two sessions to come, a
// command that names no session acts on the one the person is registered
// for; a person in both is not guessed.
func TestOrganiserCommandFindsThePersonsSession(t *testing.T) {
	e := newEnvEvents(t, localmail.Options{}, twoSessions)
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(plainMail("bo@ale.example", "Bo Ek", "c1@ale.example", "Anmälan", "Anmäl mig till 13 december, tack!"), at)
	e.deliver(plainMail("fia@ale.example", "Fia Ek", "c2@ale.example", "Anmälan", "Jag vill gå på båda, 11 och 13 december."), at)
	e.clock.Set(at.Add(time.Minute))
	e.runOnce()

	e.deliver(fromLinda("c3", "Avanmäl bo@ale.example."), at.Add(time.Hour))
	e.clock.Set(at.Add(time.Hour + time.Minute))
	e.runOnce()
	if got := e.registered("kungalv")["bo@ale.example"]; got != "cancelled" {
		t.Errorf("Bo in Kungälv is %q after the organiser cancelled him", got)
	}

	e.deliver(fromLinda("c4", "Avanmäl fia@ale.example."), at.Add(2*time.Hour))
	e.clock.Set(at.Add(2*time.Hour + time.Minute))
	e.runOnce()
	if g, k := e.registered("goteborg")["fia@ale.example"], e.registered("kungalv")["fia@ale.example"]; g != "confirmed" || k != "confirmed" {
		t.Errorf("Fia (in both sessions) was changed by a command that does not say which: göteborg %q, kungälv %q", g, k)
	}
	// Linda is told that nothing was done, and why.
	answers := e.repliesTo(organiser)
	last := answers[len(answers)-1]
	if !strings.HasPrefix(last.subject, "Vilket tillfälle gäller ändringen?") || !strings.Contains(last.text, "Avanmäl fia@ale.example") ||
		!strings.Contains(last.text, "kungalv: torsdag 13 december 2018") {
		t.Errorf("the organiser's answer: %q\n%s", last.subject, last.text)
	}
}
