package mailbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// annasThread is the quoted mail below Linda's answers in these tests: a
// colleague's registration of two people who share a first name.
const annasThread = "\n\n/Linda\n\n________________________________\nFrån: Linnea Bratt <linnea.bratt@partille.example>\n" +
	"Skickat: den 5 december 2018 10:20\nTill: Linda Karlsson <linda.karlsson@goteborgsregionen.example>\nÄmne: Deltagare från Partille\n\n" +
	"Hej Linda,\nFrån Partille kommer Anna Lundqvist (anna.lundqvist@partille.example) och\nAnna Petersson (anna.petersson@partille.example).\n/Linnea"

// TestOrganiserNameOfTwoAsksWhom: "Anna kan inte komma, stryk henne" with
// two Annas in the thread takes no seat from either. Linda gets a question
// naming both, with their registrations; nobody else gets mail; her answer
// with the address does it.
func TestOrganiserNameOfTwoAsksWhom(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Lundqvist", "anna.lundqvist@partille.example", "Anna Petersson", "anna.petersson@partille.example", "Bo Ek", "bo@ale.example")
	wantState(t, e, "confirmed anna.lundqvist@partille.example", "confirmed anna.petersson@partille.example", "waiting bo@ale.example")
	before := map[string]int{}
	for _, a := range []string{"anna.lundqvist@partille.example", "anna.petersson@partille.example", "bo@ale.example"} {
		before[a] = len(e.repliesTo(a))
	}

	day = day.Add(time.Hour)
	e.deliver(fromLinda("amb1", "Hej,\n\nAnna kan inte komma, stryk henne."+annasThread), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, "confirmed anna.lundqvist@partille.example", "confirmed anna.petersson@partille.example", "waiting bo@ale.example")
	for a, n := range before {
		if got := len(e.repliesTo(a)); got != n {
			t.Errorf("%s got %d mails after the ambiguous command, want none", a, got-n)
		}
	}
	q := e.last(organiser)
	for _, want := range []string{"Anna Lundqvist <anna.lundqvist@partille.example> (bekräftad)", "Anna Petersson <anna.petersson@partille.example> (bekräftad)",
		"inte ändrat något", "Skriv ändringen igen med adressen", "Anna kan inte komma, stryk henne."} {
		if !strings.Contains(q.text, want) {
			t.Errorf("the question lacks %q:\n%s", want, q.text)
		}
	}
	if !strings.HasPrefix(q.subject, "Vem menar du?") || !strings.Contains(q.html, "anna.petersson@partille.example") {
		t.Errorf("the question is %q:\n%s", q.subject, q.html)
	}

	// Her answer names one: that one is cancelled and Bo moves up.
	day = day.Add(time.Hour)
	e.deliver(fromLinda("amb2", "Stryk anna.petersson@partille.example, tack."), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, "confirmed anna.lundqvist@partille.example", "confirmed bo@ale.example", "cancelled anna.petersson@partille.example")
}

// TestOrganiserUnsureChangesNothing: a change the organiser makes on a
// condition, or one whose person only a forged mail names, takes no seat.
func TestOrganiserUnsureChangesNothing(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Lundqvist", "anna.lundqvist@partille.example", "Anna Petersson", "anna.petersson@partille.example", "Bo Ek", "bo@ale.example")
	want := []string{"confirmed anna.lundqvist@partille.example", "confirmed anna.petersson@partille.example", "waiting bo@ale.example"}

	day = day.Add(time.Hour)
	e.deliver(fromLinda("cond1", "Hej,\n\nOm Anna Lundqvist (anna.lundqvist@partille.example) inte hör av sig före fredag får du stryka henne.\n\n/Linda"), day)
	// The same question of whom, without the proof that Linda sent it.
	e.deliver(rawMail("forged1", []string{"From: Linda Karlsson <" + organiser + ">", "To: " + botAddr, "Subject: Ändringar"},
		"Hej,\n\nAnna kan inte komma, stryk henne."+annasThread), day.Add(time.Minute))
	e.clock.Set(day.Add(2 * time.Minute))
	e.runOnce()
	wantState(t, e, want...)
	for _, m := range e.repliesTo(organiser) {
		if strings.HasPrefix(m.subject, "Vem menar du?") || strings.HasPrefix(m.subject, "Utfört") {
			t.Errorf("an unsure or forged change was answered as if done or asked: %q\n%s", m.subject, m.text)
		}
	}
}

// TestOrganiserCommandsInHerOwnWords: the organiser's changes said the way
// she writes ("stryk följande:" with one address a line, "har fått
// förhinder, kan du ta bort henne?", "får den lediga platsen") are done,
// and her answer quotes none of those sentences as not understood.
func TestOrganiserCommandsInHerOwnWords(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example", "Dan Berg", "dan@lerum.example")
	wantState(t, e, "confirmed anna@ale.example", "confirmed bo@ale.example", "waiting cia@lerum.example", "waiting dan@lerum.example")

	day = day.Add(time.Hour)
	e.deliver(fromLinda("own1", "Hej, stryk följande från tisdagen:\nanna@ale.example\nbo@ale.example\n\n/Linda"), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, "confirmed cia@lerum.example", "confirmed dan@lerum.example", "cancelled anna@ale.example", "cancelled bo@ale.example")
	a := e.last(organiser)
	if strings.Contains(a.text, "förstod jag inte") {
		t.Errorf("the list under the colon is quoted as not understood:\n%s", a.text)
	}

	day = day.Add(time.Hour)
	e.deliver(fromLinda("own2", "Hej,\n\nCia Berg (cia@lerum.example) har fått förhinder. Kan du ta bort henne?\n\n/Linda"), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, "confirmed dan@lerum.example", "cancelled anna@ale.example", "cancelled bo@ale.example", "cancelled cia@lerum.example")
	if a := e.last(organiser); !strings.Contains(a.text, "Cia Berg <cia@lerum.example> (bekräftad) → avanmäld") || strings.Contains(a.text, "förstod jag inte") {
		t.Errorf("answer:\n%s", a.text)
	}
}

// TestOrganiserAnswersWhomWithTheAddressAlone: to the bot's "Vem menar
// du?" Linda answers with nothing but an address, above the question she
// got. One of those the question listed is cancelled (and the waiting list
// moves up); an address the question did not list changes nothing.
func TestOrganiserAnswersWhomWithTheAddressAlone(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Lundqvist", "anna.lundqvist@partille.example", "Anna Petersson", "anna.petersson@partille.example", "Bo Ek", "bo@ale.example")

	day = day.Add(time.Hour)
	e.deliver(fromLinda("whom1", "Hej,\n\nAnna kan inte komma, stryk henne."+annasThread), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	q := e.last(organiser)
	if !strings.HasPrefix(q.subject, "Vem menar du?") {
		t.Fatalf("no question of whom: %q\n%s", q.subject, q.text)
	}
	quote := "\n\n/Linda\n\n> " + strings.ReplaceAll(strings.TrimSpace(q.text), "\n", "\n> ")

	// An address the question did not list settles nothing.
	day = day.Add(time.Hour)
	e.deliver(fromLinda("whom2", "bo@ale.example"+quote), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, "confirmed anna.lundqvist@partille.example", "confirmed anna.petersson@partille.example", "waiting bo@ale.example")

	day = day.Add(time.Hour)
	e.deliver(fromLinda("whom3", "anna.petersson@partille.example"+quote), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, "confirmed anna.lundqvist@partille.example", "confirmed bo@ale.example", "cancelled anna.petersson@partille.example")
}

// TestOrganiserChangeNamingNobodyAsks: "Nils kan inte komma, stryk honom"
// above a colleague's registration whose only person with an address is
// the colleague herself takes no seat (it cancelled the colleague before):
// Linda is told that nothing changed and asked to write the change again
// with the name and address, quoting her words.
func TestOrganiserChangeNamingNobodyAsks(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Linnea Bratt", "linnea.bratt@partille.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example")
	want := []string{"confirmed linnea.bratt@partille.example", "confirmed bo@ale.example", "waiting cia@lerum.example"}
	wantState(t, e, want...)
	before := len(e.repliesTo("linnea.bratt@partille.example"))

	day = day.Add(time.Hour)
	thread := "\n\n/Linda\n\n________________________________\nFrån: Linnea Bratt <linnea.bratt@partille.example>\n" +
		"Skickat: den 27 november 2018 10:20\nTill: Linda Karlsson <linda.karlsson@goteborgsregionen.example>\nÄmne: Anmälan\n\n" +
		"Hej Linda,\nJag och Nils kommer gärna på tisdag.\n/Linnea"
	e.deliver(fromLinda("nobody1", "Hej,\n\nNils kan inte komma, stryk honom."+thread), day)
	e.clock.Set(day.Add(time.Minute))
	e.runOnce()
	wantState(t, e, want...)
	if got := len(e.repliesTo("linnea.bratt@partille.example")); got != before {
		t.Errorf("Linnea got %d mails after a change about Nils", got-before)
	}
	q := e.last(organiser)
	for _, w := range []string{"Nils kan inte komma, stryk honom.", "inte ändrat något", "Jag hittar ingen i ditt mejl", "namnet och adressen"} {
		if !strings.Contains(q.text, w) {
			t.Errorf("the question lacks %q:\n%s", w, q.text)
		}
	}
	if !strings.HasPrefix(q.subject, "Vem menar du?") || !strings.Contains(q.html, "Jag hittar ingen i ditt mejl") {
		t.Errorf("the question is %q:\n%s", q.subject, q.html)
	}
}
