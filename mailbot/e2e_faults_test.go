package mailbot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/outbox"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
)

func registration(from, name, id string) []byte {
	return []byte("From: " + name + " <" + from + ">\r\n" +
		"To: " + botAddr + "\r\n" +
		"Subject: =?utf-8?Q?Anm=C3=A4lan?=\r\n" +
		"Date: Wed, 28 Nov 2018 10:00:00 +0100\r\n" +
		"Message-ID: <" + id + ">\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Hej! Jag vill anmäla mig till workshopen.\r\n\r\n/" + name + "\r\n")
}

// TestBadMailIsFlaggedAndTheBotGoesOn: a mail that cannot be read is
// recorded and flagged for a human, and the mail after it is answered.
func TestBadMailIsFlaggedAndTheBotGoesOn(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	empty := e.deliver([]byte("\r\n\r\n"), at)
	garbage := e.deliver([]byte("\x00\x01\xff\xfe binary \x00 noise without any header\r\n"), at)
	good := e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "good-1@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("replies: %+v, want the good mail answered", rep)
	}
	inbox := e.mailbox("INBOX")
	for name, uid := range map[string]imap.UID{"empty": empty, "garbage": garbage} {
		if !hasFlag(inbox[uid], "$AnmalanManual") || !hasFlag(inbox[uid], imap.FlagFlagged) {
			t.Errorf("%s mail not flagged for a human: %v", name, inbox[uid])
		}
	}
	if _, ok := inbox[good]; ok {
		t.Error("the good mail was not filed")
	}
	counts, err := e.d.Store().MailCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[string(intake.OutcomeUnreadable)]+counts[string(intake.OutcomeManual)] != 2 || counts[string(intake.OutcomeRegistered)] != 1 {
		t.Errorf("mail outcomes %v", counts)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.seen) != 3 || !strings.HasPrefix(e.seen[0].Key, "sha256:") {
		t.Errorf("the unreadable mail was not recorded under a hash of its bytes: %+v", e.seen)
	}
}

// TestReplyWaitsForTheSMTPServerAndSurvivesARestart: the SMTP server
// answers "try later"; the reply stays in the outbox across a restart of
// the daemon and leaves, with the Message-ID it was given, once the server
// takes mail again.
func TestReplyWaitsForTheSMTPServerAndSurvivesARestart(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	e := newEnv(t, 10, localmail.Options{Rcpt: func(string) error {
		if refuse.Load() {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "try again later"}
		}
		return nil
	}})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "r-1@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Retry != 1 || rep.Sent != 0 {
		t.Fatalf("first round: %+v, want one reply to retry", rep)
	}
	pending, err := e.d.Store().Outgoing(context.Background(), store.OutboxPending)
	if err != nil || len(pending) != 1 {
		t.Fatalf("outbox: %v %v", pending, err)
	}
	id := pending[0].MessageID

	// Not due yet: nothing is tried.
	if rep := e.runOnce(); rep != (outbox.DeliveryReport{}) {
		t.Errorf("retried before its time: %+v", rep)
	}
	// Restart the daemon, as after a crash, and let the server recover.
	e.d.Close()
	e.open()
	refuse.Store(false)
	e.clock.Set(at.Add(10 * time.Minute))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("after restart: %+v, want the reply sent", rep)
	}
	got := e.repliesTo("sara.nilsson@ale.example")
	if len(got) != 1 || got[0].header.Get("Message-Id") != "<"+id+">" {
		t.Errorf("delivered %d replies; Message-ID %q, want <%s>", len(got), got[0].header.Get("Message-Id"), id)
	}
}

// TestPermanentRefusalIsRecorded: a 5xx for one reply marks it failed and
// the others still leave.
func TestPermanentRefusalIsRecorded(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{Rcpt: func(to string) error {
		if to == "karl.berg@ale.example" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(registration("karl.berg@ale.example", "Karl Berg", "r-2@ale.example"), at)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "r-3@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	rep := e.runOnce()
	if rep.Failed != 1 || rep.Sent != 1 {
		t.Fatalf("delivery %+v, want one failed and one sent", rep)
	}
	failed, err := e.d.Store().Outgoing(context.Background(), store.OutboxFailed)
	if err != nil || len(failed) != 1 || !slices.Contains(failed[0].Recipients, "karl.berg@ale.example") || !strings.Contains(failed[0].LastError, "550") {
		t.Errorf("failed replies: %+v %v", failed, err)
	}
	// The organisers are told, once, in a mail of its own.
	e.runOnce()
	notices := e.repliesTo(organiser)
	if len(notices) != 1 || notices[0].header.Get("X-Anmalan-Kind") != string(reply.KindUndeliverable) ||
		!strings.Contains(notices[0].text, "karl.berg@ale.example") || !strings.Contains(notices[0].text, "550") {
		t.Errorf("organiser got %d mails, want one undeliverable notice naming karl.berg@ale.example and the 550: %+v", len(notices), notices)
	}
}

// TestReplyCapStopsALoop: an address that keeps writing (an auto-responder
// that does not say it is one) gets max_replies_per_address (default 10)
// answers in 24 hours; the mail beyond is recorded and left for a human,
// and the count starts again a day later.
func TestReplyCapStopsALoop(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	for i := range 12 {
		e.clock.Set(at.Add(time.Duration(i) * time.Minute))
		e.deliver(registration("auto@ale.example", "Auto Svar", fmt.Sprintf("loop-%d@ale.example", i)), e.clock.Now())
		e.runOnce()
	}
	if got := len(e.repliesTo("auto@ale.example")); got != 10 {
		t.Errorf("%d replies to the looping address, want 10", got)
	}
	if n := len(e.mailbox("INBOX")); n != 2 {
		t.Errorf("%d mails left in INBOX for a human, want the 2 beyond the cap", n)
	}
	// A day after the first reply the address may be answered again.
	e.clock.Set(at.Add(24*time.Hour + time.Minute))
	e.deliver(registration("auto@ale.example", "Auto Svar", "loop-next-day@ale.example"), e.clock.Now())
	e.runOnce()
	if got := len(e.repliesTo("auto@ale.example")); got != 11 {
		t.Errorf("%d replies after a day, want 11", got)
	}
}

// TestReplyCapStopsACancellationLoop: an auto-responder whose text reads as
// a cancellation ("I cannot attend to your mail") and that answers every
// answer gets no more than max_replies_per_address answers either.
func TestReplyCapStopsACancellationLoop(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	for i := range 12 {
		e.clock.Set(at.Add(time.Duration(i) * time.Minute))
		e.deliver(rawMail(fmt.Sprintf("away-%d", i), []string{"From: Away <away@ale.example>", "To: " + botAddr, "Subject: Re: Ditt svar"},
			"I am away this week and cannot attend to your mail."), e.clock.Now())
		e.runOnce()
	}
	if got := len(e.repliesTo("away@ale.example")); got != 10 {
		t.Errorf("%d replies to the looping address, want 10", got)
	}
}
