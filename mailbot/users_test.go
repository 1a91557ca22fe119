package mailbot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/mailbot"
)

// TestCancellationByReplyIsThreaded: a participant who cancels by replying
// to the confirmation gets an answer in that thread, which says the seat
// goes on only when someone waits for it.
func TestCancellationByReplyIsThreaded(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@ale.example")
	cancelByReply := func(name, addr, id string, at time.Time) sent {
		t.Helper()
		conf := e.last(addr)
		e.deliver(rawMail(id, []string{"From: " + name + " <" + addr + ">", "To: " + botAddr,
			"Subject: Re: " + conf.subject, "In-Reply-To: " + conf.header.Get("Message-Id"), "References: " + conf.header.Get("Message-Id")},
			"Jag kan tyvärr inte komma, avanmäl mig.\n\n/"+name), at)
		e.clock.Set(at.Add(time.Minute))
		e.runOnce()
		ack := e.last(addr)
		if ack.header.Get("X-Anmalan-Kind") != "cancelled" {
			t.Fatalf("%s got %q", addr, ack.subject)
		}
		if got := ack.header.Get("In-Reply-To"); got != "<"+id+"@test.example>" {
			t.Errorf("the acknowledgement's In-Reply-To is %q, want the cancellation's Message-ID", got)
		}
		if refs := ack.header.Get("References"); !strings.Contains(refs, conf.header.Get("Message-Id")) || !strings.Contains(refs, id+"@test.example") {
			t.Errorf("the acknowledgement's References %q miss the thread", refs)
		}
		return ack
	}
	// Anna has the seat and two wait: hers goes to Bo.
	ack := cancelByReply("Anna Ek", "anna@ale.example", "anna-cancel", day.Add(time.Hour))
	if !strings.Contains(ack.text, "Platsen går till nästa person på väntelistan") {
		t.Errorf("someone waits, but the acknowledgement does not say the seat goes on:\n%s", ack.text)
	}
	// Cia waits: her cancellation frees no seat.
	ack = cancelByReply("Cia Berg", "cia@ale.example", "cia-cancel", day.Add(2*time.Hour))
	if strings.Contains(ack.text, "väntelistan") {
		t.Errorf("a waiting-list cancellation says the seat goes to the next:\n%s", ack.text)
	}
	// Bo has the seat and nobody waits.
	ack = cancelByReply("Bo Ek", "bo@ale.example", "bo-cancel", day.Add(3*time.Hour))
	if strings.Contains(ack.text, "väntelistan") {
		t.Errorf("nobody waits, but the acknowledgement says the seat goes to the next:\n%s", ack.text)
	}
}

// TestOrganiserHelp: "hjälp" or a command the bot does not know gets the
// command list in the organiser's language.
func TestOrganiserHelp(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	for i, tc := range []struct{ subject, body, want string }{
		{"Ändringar", "Hjälp!\n\n/Linda", "Det här kan du skriva till mig"},
		{"Commands", "Help\n\nThank you,\nLinda", "This is what you can write to me"},
	} {
		at := day.Add(time.Duration(i) * time.Hour)
		e.deliver(rawMail("help"+string(rune('a'+i)), []string{
			"Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example",
			"From: Linda Karlsson <" + organiser + ">", "To: " + botAddr, "Subject: " + tc.subject}, tc.body), at)
		e.clock.Set(at.Add(time.Minute))
		e.runOnce()
		a := e.last(organiser)
		if !strings.Contains(a.text, tc.want) {
			t.Errorf("%q: the answer lacks the command list:\n%s", tc.body, a.text)
		}
	}
}

// TestAuditNamesThePeople: a move-up entry names who moved up, and an
// erasure says who asked for it, not "(timer)".
func TestAuditNamesThePeople(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@ale.example")
	e.deliver(fromLinda("cancel-anna", "Avanmäl anna@ale.example."), day.Add(time.Hour))
	e.clock.Set(day.Add(time.Hour + time.Minute))
	e.runOnce()
	if _, err := e.d.Bot().Forget(context.Background(), "cia@ale.example"); err != nil {
		t.Fatal(err)
	}
	log, err := e.d.Store().AuditLog(context.Background(), "segregation-2018")
	if err != nil {
		t.Fatal(err)
	}
	var moveUp, forget bool
	for _, a := range log {
		switch a.Action {
		case "move-up":
			moveUp = true
			if !strings.Contains(a.Before, "Bo Ek <bo@ale.example>") {
				t.Errorf("the move-up entry does not name the person: before %q after %q", a.Before, a.After)
			}
		case "forget":
			forget = true
			if a.Sender != mailbot.ActorForgetCommand {
				t.Errorf("the erasure by anmalan forget is attributed to %q", a.Sender)
			}
		}
	}
	if !moveUp || !forget {
		t.Errorf("audit log lacks move-up (%v) or forget (%v): %+v", moveUp, forget, log)
	}
}
