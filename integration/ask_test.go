package integration

import (
	"strings"
	"testing"
	"time"
)

// TestAskBeforeUnsureCancellation runs the daemon on the real stack: a
// participant's withdrawal said on a condition cancels nothing and is
// answered with a question; a stranger's YES to that question changes
// nothing; her own YES to it cancels her and gives the seat to the first
// on the waiting list.
func TestAskBeforeUnsureCancellation(t *testing.T) {
	t.Parallel()
	c := startConversation(t, "ask", 1)
	anna, bo, mallory := randomLocal("anna")+"@deltagare.example", randomLocal("bo")+"@deltagare.example", randomLocal("mallory")+"@deltagare.example"
	answer, send, got, logPath := c.answer, c.send, c.received, c.logPath

	regA := send(anna, "Hej! Jag vill anmäla mig.\n\n/Anna\n", "")
	conf := answer(anna, regA, "confirmation")
	regB := send(bo, "Hej! Jag vill anmäla mig.\n\n/Bo\n", "")
	answer(bo, regB, "waiting")

	unsure := send(anna, "Hej!\n\nOm jag inte hinner klart med rapporten får ni stryka mig.\n\n/Anna\n", conf.MessageID)
	q := answer(anna, unsure, "confirm")
	if !strings.HasPrefix(q.Subject, "Svara JA om du vill det") {
		t.Errorf("the question's subject is %q", q.Subject)
	}

	// A stranger's YES to the question: handled (left for a human), and
	// nothing cancelled.
	stranger := send(mallory, "JA\n", q.MessageID)
	waitFor(t, 2*time.Minute, func() string { return "the stranger's YES was not handled: " + logTail(logPath, 20) }, func() bool {
		return strings.Contains(logTail(logPath, 50), `"message_id":"`+stranger+`"`)
	})
	if got(anna, "cancelled") || got(bo, "promoted") {
		t.Fatal("Anna was cancelled on a stranger's YES")
	}

	// Her own YES to the question.
	send(anna, "JA\n\n/Anna\n", q.MessageID)
	waitFor(t, 2*time.Minute, func() string { return "Anna was not cancelled, or Bo got no seat: " + logTail(logPath, 20) }, func() bool {
		return got(anna, "cancelled") && got(bo, "promoted")
	})
}

// TestAskWhichOfOurSeats runs the daemon on the real stack: a participant
// who registered herself and a colleague asks to cancel "en av våra två
// platser". Nothing is cancelled; she is asked which, with both listed;
// her answer naming the colleague by address cancels the colleague alone.
func TestAskWhichOfOurSeats(t *testing.T) {
	t.Parallel()
	c := startConversation(t, "which", 5)
	anna, bo := randomLocal("anna")+"@deltagare.example", randomLocal("bo")+"@deltagare.example"
	answer, send, logPath := c.answer, c.send, c.logPath
	cancelled := func(addr string) bool { return c.received(addr, "cancelled") }

	reg := send(anna, "Hej! Jag vill anmäla mig och min kollega Bo Ek ("+bo+").\n\n/Anna\n", "")
	conf := answer(anna, reg, "confirmation")
	one := send(anna, "Hej! Vi kan tyvärr bara skicka en person. Kan ni avboka en av våra två platser?\n\n/Anna\n", conf.MessageID)
	q := answer(anna, one, "confirm")
	if !strings.HasPrefix(q.Subject, "Vem menar du?") {
		t.Errorf("the question's subject is %q", q.Subject)
	}
	if cancelled(anna) || cancelled(bo) {
		t.Fatal("a seat was cancelled on \"en av våra två platser\"")
	}
	send(anna, "Avboka Bo Ek ("+bo+"), tack.\n\n/Anna\n", q.MessageID)
	waitFor(t, 2*time.Minute, func() string { return "Bo was not cancelled: " + logTail(logPath, 20) }, func() bool { return cancelled(bo) })
	if cancelled(anna) {
		t.Error("Anna was cancelled as well as Bo")
	}
}

// conversation is a participant's exchange with the daemon on the real
// stack: mails sent to the bot and the bot's replies waited for.
type conversation struct {
	t            *testing.T
	s            Stack
	sender       *Sender
	bot, logPath string
}

// startConversation runs a daemon on the real stack for one event of
// that id and seats, stopped when the test ends.
func startConversation(t *testing.T, id string, seats int) conversation {
	t.Helper()
	s := needStack(t)
	bot := randomLocal("bot-"+id) + "@" + botDomain
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, Events: []EventSpec{{ID: id, Title: "Workshop", Seats: seats}}})
	logPath := t.TempDir() + "/anmalan.log"
	d := startDaemon(t, cfg, logPath)
	t.Cleanup(func() { d.Stop(t) })
	return conversation{t: t, s: s, sender: s.sender(t), bot: bot, logPath: logPath}
}

// received reports whether the bot has sent addr a mail of that kind
// (its X-Anmalan-Kind).
func (c conversation) received(addr, kind string) bool {
	c.t.Helper()
	for _, f := range c.s.fetchAll(c.t, addr, "INBOX", false) {
		if f.Header.Get("X-Anmalan-Kind") == kind {
			return true
		}
	}
	return false
}

// send sends body from the address, in reply to the Message-ID inReplyTo
// when it is set, and returns the mail's Message-ID.
func (c conversation) send(from, body, inReplyTo string) string {
	c.t.Helper()
	var extra []string
	if inReplyTo != "" {
		extra = []string{"In-Reply-To: <" + inReplyTo + ">", "References: <" + inReplyTo + ">"}
	}
	raw, id := simpleMail(from, c.bot, "Re: Workshop", body, extra...)
	c.sender.Send(c.t, from, raw, c.bot)
	return id
}

// answer waits for the bot's reply of kind to the mail id in addr's
// mailbox and returns it.
func (c conversation) answer(addr, id, kind string) Reply {
	c.t.Helper()
	var found Reply
	waitFor(c.t, 2*time.Minute, func() string { return addr + " got no " + kind + ": " + logTail(c.logPath, 20) }, func() bool {
		for _, r := range c.s.repliesTo(c.t, addr, map[string]bool{id: true}) {
			if r.Kind == kind {
				found = r
				return true
			}
		}
		return false
	})
	return found
}
