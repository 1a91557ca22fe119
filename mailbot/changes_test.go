package mailbot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// rawMail builds a mail; headers are "Name: value" lines.
func rawMail(id string, headers []string, body string) []byte {
	h := strings.Join(headers, "\r\n")
	return []byte(h + "\r\nMessage-ID: <" + id + "@test.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n") + "\r\n")
}

// fromLinda is an organiser's mail that passed DMARC at the trusted server.
func fromLinda(id, body string) []byte {
	return rawMail(id, []string{
		"Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example",
		"From: Linda Karlsson <" + organiser + ">", "To: " + botAddr, "Subject: Ändringar"}, body)
}

// register has the people (name, address) register in order, one mail each.
func (e *env) register(at time.Time, people ...string) {
	e.t.Helper()
	for i := 0; i+1 < len(people); i += 2 {
		e.deliver(rawMail(fmt.Sprintf("reg%d-%d", at.Unix(), i), []string{"From: " + people[i] + " <" + people[i+1] + ">", "To: " + botAddr, "Subject: Anmälan segregation"},
			"Hej! Jag vill anmäla mig.\n\n/"+people[i]), at.Add(time.Duration(i)*time.Second))
	}
	e.clock.Set(at.Add(time.Minute))
	e.runOnce()
}

// state lists the event's registrations as "status email".
func (e *env) state() []string {
	e.t.Helper()
	regs, err := e.d.Store().Registrations(context.Background(), "segregation-2018")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, r := range regs {
		s := r.Status + " " + r.Email
		if r.OverCapacity {
			s += " over"
		}
		out = append(out, s)
	}
	return out
}

// last returns the newest reply to addr, failing when there is none.
func (e *env) last(addr string) sent {
	e.t.Helper()
	// The organisers' daily digest may leave in the same round as an
	// answer; it is never the answer.
	rs := slices.DeleteFunc(e.repliesTo(addr), func(s sent) bool { return s.header.Get("X-Anmalan-Kind") == "digest" })
	if len(rs) == 0 {
		e.t.Fatalf("no mail to %s", addr)
	}
	return rs[len(rs)-1]
}

// msgID is the Message-ID of the newest reply to addr.
func (e *env) msgID(addr string) string {
	m := e.last(addr)
	return m.header.Get("Message-Id")
}

func wantState(t *testing.T, e *env, want ...string) {
	t.Helper()
	if got := e.state(); !slices.Equal(got, want) {
		t.Fatalf("registrations:\n got %q\nwant %q", got, want)
	}
}

// TestOrganiserCommandsEndToEnd sends one command at a time and checks
// the database, every mail sent, and Linda's answer.
func TestOrganiserCommandsEndToEnd(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example", "Dan Berg", "dan@lerum.example")
	wantState(t, e, "confirmed anna@ale.example", "confirmed bo@ale.example", "waiting cia@lerum.example", "waiting dan@lerum.example")

	step := func(id, body string) sent {
		t.Helper()
		before := len(e.srv.Received())
		day = day.Add(time.Hour)
		e.deliver(fromLinda(id, body), day)
		e.clock.Set(day.Add(time.Minute))
		e.runOnce()
		answer := e.last(organiser)
		if !slices.Equal(answer.env.To, []string{organiser}) {
			t.Errorf("the answer went to %v", answer.env.To)
		}
		t.Logf("%s: %d mails; answer:\n%s", id, len(e.srv.Received())-before, answer.text)
		return answer
	}

	t.Run("cancel frees a seat for the first waiting", func(t *testing.T) {
		a := step("c1", "Hej!\n\nAvanmäl anna@ale.example.\n\n/Linda")
		wantState(t, e, "confirmed bo@ale.example", "confirmed cia@lerum.example", "waiting dan@lerum.example", "cancelled anna@ale.example")
		if m := e.last("anna@ale.example"); !strings.HasPrefix(m.subject, "Avanmäld:") || !strings.Contains(m.text, "Linda Karlsson har avanmält dig") {
			t.Errorf("Anna got %q:\n%s", m.subject, m.text)
		}
		if m := e.last("cia@lerum.example"); !strings.HasPrefix(m.subject, "Du har fått en plats:") || m.attachments["kartlaggning.pdf"] == nil || m.attachments["segregation-2018.ics"] == nil {
			t.Errorf("Cia got %q with %v", m.subject, keys(m.attachments))
		}
		for _, want := range []string{"Anna Ek <anna@ale.example> (bekräftad) → avanmäld", "Cia Berg <cia@lerum.example> (väntelista plats 1) → bekräftad (flyttad upp från väntelistan)",
			"Lediga platser: 0", "På väntelistan: 1", "1. Dan Berg <dan@lerum.example>"} {
			if !strings.Contains(a.text, want) {
				t.Errorf("answer lacks %q", want)
			}
		}
	})
	t.Run("substitute on the waiting list keeps the place", func(t *testing.T) {
		a := step("c2", "Byt dan@lerum.example mot Eva Strand, eva.strand@stenungsund.example.")
		wantState(t, e, "confirmed bo@ale.example", "confirmed cia@lerum.example", "waiting eva.strand@stenungsund.example", "cancelled anna@ale.example", "cancelled dan@lerum.example")
		if m := e.last("dan@lerum.example"); !strings.Contains(m.subject, "Din plats har gått till Eva Strand") {
			t.Errorf("Dan got %q", m.subject)
		}
		if m := e.last("eva.strand@stenungsund.example"); !strings.HasPrefix(m.subject, "Väntelista:") || !strings.Contains(m.text, "plats 1 på väntelistan") {
			t.Errorf("Eva got %q:\n%s", m.subject, m.text)
		}
		if !strings.Contains(a.text, "Dan Berg <dan@lerum.example> (väntelista plats 1) → Eva Strand <eva.strand@stenungsund.example> (väntelista plats 1)") {
			t.Errorf("answer:\n%s", a.text)
		}
	})
	t.Run("promote beyond the seats", func(t *testing.T) {
		a := step("c3", "Flytta upp Eva Strand.")
		wantState(t, e, "confirmed bo@ale.example", "confirmed cia@lerum.example", "confirmed eva.strand@stenungsund.example over", "cancelled anna@ale.example", "cancelled dan@lerum.example")
		if m := e.last("eva.strand@stenungsund.example"); !strings.HasPrefix(m.subject, "Du har fått en plats:") || m.attachments["kartlaggning.pdf"] == nil {
			t.Errorf("Eva got %q", m.subject)
		}
		if !strings.Contains(a.text, "→ bekräftad, utöver antalet platser") || strings.Contains(a.text, "alla platser var tagna") || !strings.Contains(a.text, "varav 1 utöver antalet platser") {
			t.Errorf("answer does not say the seat is over capacity:\n%s", a.text)
		}
		// Said once in the line, not twice.
		if strings.Count(a.text, "utöver antalet") != 2 {
			t.Errorf("answer says over capacity more than once a line:\n%s", a.text)
		}
	})
	t.Run("register after closes, a name that is not guessed, more seats", func(t *testing.T) {
		day = time.Date(2018, 12, 6, 9, 0, 0, 0, e.loc) // after closes (4 December)
		a := step("c4", "Anmäl Fia Holm, fia.holm@partille.example, Partille kommun. Anmäl Cia Berg, cia.berg@ale.example. Stryk Cia Berg. Platser 4. Kan du ordna kaffe också?")
		wantState(t, e, "confirmed bo@ale.example", "confirmed cia@lerum.example", "confirmed eva.strand@stenungsund.example", "confirmed fia.holm@partille.example",
			"waiting cia.berg@ale.example", "cancelled anna@ale.example", "cancelled dan@lerum.example")
		if got := subjects(e.repliesTo("fia.holm@partille.example")); len(got) != 2 || !strings.HasPrefix(got[0], "Väntelista:") || !strings.HasPrefix(got[1], "Du har fått en plats:") {
			t.Errorf("Fia got %q", got)
		}
		for _, want := range []string{"ny → Fia Holm <fia.holm@partille.example> (väntelista plats 1)",
			"Cia Berg: flera anmälningar har det namnet (cia@lerum.example, cia.berg@ale.example); skriv adressen, inget gjort",
			"platser: 2 → 4", "Fia Holm <fia.holm@partille.example> (väntelista plats 1) → bekräftad (flyttad upp från väntelistan)",
			"> Kan du ordna kaffe också?", "inget gjordes för det"} {
			if !strings.Contains(a.text, want) {
				t.Errorf("answer lacks %q:\n%s", want, a.text)
			}
		}
		if strings.Contains(a.text, "utöver antalet platser") {
			t.Errorf("with 4 seats, nobody is beyond the seats:\n%s", a.text)
		}
	})
	t.Run("list", func(t *testing.T) {
		a := step("c5", "lista")
		if !strings.HasPrefix(a.subject, "Deltagarlista:") || len(a.attachments["segregation-2018.xlsx"]) == 0 || !strings.Contains(a.text, "Bekräftade: 4") {
			t.Errorf("list answer %q with %v:\n%s", a.subject, keys(a.attachments), a.text)
		}
	})
	t.Run("status", func(t *testing.T) {
		a := step("c6", "status")
		if !strings.HasPrefix(a.subject, "Status:") || !strings.Contains(a.text, "Avanmälda: 2") || !strings.Contains(a.text, "1. Cia Berg <cia.berg@ale.example>") || !strings.Contains(a.text, "Mejl som väntar på en människa: 0") {
			t.Errorf("status answer %q:\n%s", a.subject, a.text)
		}
	})

	log, err := e.d.Store().AuditLog(context.Background(), "segregation-2018")
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range log {
		actions = append(actions, l.Action)
	}
	if want := []string{"register", "register", "register", "register", "cancel", "move-up", "substitute", "promote", "register", "register", "seats", "move-up"}; !slices.Equal(actions, want) {
		t.Errorf("audit actions %q, want %q", actions, want)
	}
}

// TestForgedCommandChangesNothing: an organiser's command without
// authentication changes nothing, warns her, and waits for a human.
func TestForgedCommandChangesNothing(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example")
	uid := e.deliver(rawMail("forged", []string{"From: Linda Karlsson <" + organiser + ">", "To: " + botAddr, "Subject: x"}, "Avanmäl anna@ale.example."), day.Add(time.Hour))
	e.clock.Set(day.Add(2 * time.Hour))
	e.runOnce()
	wantState(t, e, "confirmed anna@ale.example")
	if len(e.repliesTo("anna@ale.example")) != 1 {
		t.Error("Anna was told something")
	}
	if m := e.last(organiser); !strings.HasPrefix(m.subject, "VARNING") || !strings.Contains(m.text, "(saknas)") {
		t.Errorf("Linda got %q:\n%s", m.subject, m.text)
	}
	if flags := e.mailbox("INBOX")[uid]; !hasFlag(flags, "$AnmalanManual") {
		t.Errorf("the forged mail is not flagged for a human: %v", flags)
	}
}

// TestParticipantChanges: cancelling and sending a colleague by replying
// to the bot's mail, and what happens otherwise.
func TestParticipantChanges(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example")
	rp := func(id, from, name, inReplyTo, body string, at time.Time) {
		t.Helper()
		h := []string{"From: " + name + " <" + from + ">", "To: " + botAddr, "Subject: Re: Bekräftelse"}
		if inReplyTo != "" {
			h = append(h, "In-Reply-To: "+inReplyTo, "References: "+inReplyTo)
		}
		e.deliver(rawMail(id, h, body), at)
		e.clock.Set(at.Add(time.Minute))
		e.runOnce()
	}
	annaConf := e.msgID("anna@ale.example")

	// Someone else replying to Anna's confirmation cannot cancel her.
	rp("p0", "mallory@evil.example", "Anna Ek", annaConf, "Jag kan inte komma.", day.Add(time.Hour))
	wantState(t, e, "confirmed anna@ale.example", "waiting bo@ale.example", "waiting cia@lerum.example")
	if m := e.last("mallory@evil.example"); !strings.HasPrefix(m.subject, "Svara på din bekräftelse") {
		t.Errorf("the stranger got %q", m.subject)
	}
	// Anna, not in reply: nothing changes.
	rp("p1", "anna@ale.example", "Anna Ek", "", "Jag kan tyvärr inte komma.", day.Add(2*time.Hour))
	wantState(t, e, "confirmed anna@ale.example", "waiting bo@ale.example", "waiting cia@lerum.example")
	// Anna sends a colleague in reply to her confirmation.
	rp("p2", "anna@ale.example", "Anna Ek", annaConf, "Jag kan tyvärr inte komma. Min kollega Per Ström (per.strom@ale.example) går i stället.\n\n/Anna", day.Add(3*time.Hour))
	wantState(t, e, "confirmed per.strom@ale.example", "waiting bo@ale.example", "waiting cia@lerum.example", "cancelled anna@ale.example")
	if m := e.last("per.strom@ale.example"); !strings.HasPrefix(m.subject, "Bekräftelse:") || !strings.Contains(m.text, "Anna Ek har anmält dig") {
		t.Errorf("Per got %q:\n%s", m.subject, m.text)
	}
	if m := e.last("anna@ale.example"); !strings.Contains(m.subject, "Din plats har gått till Per Ström") {
		t.Errorf("Anna got %q", m.subject)
	}
	// Bo cancels his waiting-list place in reply to his waiting-list mail.
	boWait := e.msgID("bo@ale.example")
	rp("p3", "bo@ale.example", "Bo Ek", boWait, "Please cancel my registration.", day.Add(4*time.Hour))
	wantState(t, e, "confirmed per.strom@ale.example", "waiting cia@lerum.example", "cancelled anna@ale.example", "cancelled bo@ale.example")
	if m := e.last("bo@ale.example"); !strings.HasPrefix(m.subject, "Cancelled:") {
		t.Errorf("Bo got %q", m.subject)
	}
	// Per cancels: Cia moves up and gets the material.
	perConf := e.msgID("per.strom@ale.example")
	rp("p4", "per.strom@ale.example", "Per Ström", perConf, "Jag måste tyvärr avanmäla mig.", day.Add(5*time.Hour))
	wantState(t, e, "confirmed cia@lerum.example", "cancelled anna@ale.example", "cancelled per.strom@ale.example", "cancelled bo@ale.example")
	if m := e.last("cia@lerum.example"); !strings.HasPrefix(m.subject, "Du har fått en plats") || m.attachments["kartlaggning.pdf"] == nil {
		t.Errorf("Cia got %q", m.subject)
	}
	// After changes_close (the start), a reply changes nothing.
	ciaConf := e.msgID("cia@lerum.example")
	rp("p5", "cia@lerum.example", "Cia Berg", ciaConf, "Jag kan inte komma.", time.Date(2018, 12, 11, 13, 30, 0, 0, e.loc))
	wantState(t, e, "confirmed cia@lerum.example", "cancelled anna@ale.example", "cancelled per.strom@ale.example", "cancelled bo@ale.example")
	if m := e.last("cia@lerum.example"); !strings.HasPrefix(m.subject, "Ändringar tas inte längre emot") || !strings.Contains(m.text, organiser) {
		t.Errorf("Cia got %q:\n%s", m.subject, m.text)
	}
}

// TestOffers: with offer_hours, the one moved up must say yes in time;
// the deadline survives a restart, and an expired seat passes on.
func TestOffers(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	e.cfg.Events[0].OfferHours = 24
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example")
	e.deliver(fromLinda("o1", "Avanmäl anna@ale.example."), day.Add(time.Hour))
	e.clock.Set(day.Add(time.Hour + time.Minute))
	e.runOnce()
	offer := e.last("bo@ale.example")
	if !strings.HasPrefix(offer.subject, "En plats har blivit ledig – svara JA senast torsdag 29 november 2018 kl. 11.01") || len(offer.attachments) != 0 {
		t.Fatalf("Bo got %q with %v", offer.subject, keys(offer.attachments))
	}

	// A restart: the offer is in the database.
	e.d.Close()
	e.open()
	e.clock.Set(day.Add(24 * time.Hour))
	e.runOnce()
	wantState(t, e, "confirmed bo@ale.example", "waiting cia@lerum.example", "cancelled anna@ale.example")

	// Bo does not answer in time: the seat passes to Cia, who says yes.
	e.clock.Set(day.Add(26 * time.Hour))
	e.runOnce()
	wantState(t, e, "confirmed cia@lerum.example", "cancelled anna@ale.example", "cancelled bo@ale.example")
	if m := e.last("bo@ale.example"); !strings.HasPrefix(m.subject, "Platsen har gått vidare") {
		t.Errorf("Bo got %q", m.subject)
	}
	ciaOfferID := e.msgID("cia@lerum.example")
	e.deliver(rawMail("yes", []string{"From: Cia Berg <cia@lerum.example>", "To: " + botAddr, "Subject: Re: plats",
		"In-Reply-To: " + ciaOfferID}, "JA!\n\n/Cia"), day.Add(27*time.Hour))
	e.clock.Set(day.Add(27*time.Hour + time.Minute))
	e.runOnce()
	if m := e.last("cia@lerum.example"); !strings.HasPrefix(m.subject, "Du har fått en plats") || m.attachments["kartlaggning.pdf"] == nil {
		t.Errorf("Cia got %q", m.subject)
	}
	// Accepted: no later tick takes the seat away.
	e.clock.Set(day.Add(80 * time.Hour))
	e.runOnce()
	wantState(t, e, "confirmed cia@lerum.example", "cancelled anna@ale.example", "cancelled bo@ale.example")
}

// TestOfferExpiresInTheRunningDaemon: the daemon as `anmalan run` runs it
// (not --once) passes an unanswered offer on when its deadline passes.
func TestOfferExpiresInTheRunningDaemon(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	e.cfg.Events[0].OfferHours = 24
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example")
	e.deliver(fromLinda("r1", "Avanmäl anna@ale.example."), day.Add(time.Hour))
	e.clock.Set(day.Add(time.Hour + time.Minute))
	e.runOnce()

	e.clock.Set(day.Add(26 * time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.d.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	// The test gives up after a minute; the first round expires the offer.
	for give := time.Now().Add(time.Minute); time.Now().Before(give); time.Sleep(20 * time.Millisecond) {
		if got := e.repliesTo("bo@ale.example"); len(got) > 0 && strings.HasPrefix(got[len(got)-1].subject, "Platsen har gått vidare") {
			return
		}
	}
	t.Fatalf("the running daemon did not pass the expired offer on; Bo got %v", subjects(e.repliesTo("bo@ale.example")))
}
