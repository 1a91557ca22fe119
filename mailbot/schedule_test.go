package mailbot_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/store"
)

// ofKind returns the mails to addr whose X-Anmalan-Kind is kind.
func (e *env) ofKind(addr, kind string) []sent {
	var out []sent
	for _, s := range e.repliesTo(addr) {
		if s.header.Get("X-Anmalan-Kind") == kind {
			out = append(out, s)
		}
	}
	return out
}

// tickThenRestart queues what the timers decide (without delivering it),
// restarts the daemon on the same database, and runs one round: what was
// queued before the restart must leave once.
func (e *env) tickThenRestart(at time.Time) {
	e.t.Helper()
	e.clock.Set(at)
	if _, err := e.d.Bot().Tick(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.d.Close()
	e.open()
	e.runOnce()
}

func TestReminderIsSentOnceAcrossARestart(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	e.register(time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc), "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example")

	// The event starts 11 December 13:00; reminder_days defaults to 2.
	e.clock.Set(time.Date(2018, 12, 9, 12, 59, 0, 0, e.loc))
	e.runOnce()
	if got := e.ofKind("anna@ale.example", "reminder"); len(got) != 0 {
		t.Fatalf("a reminder before its time: %q", subjects(got))
	}
	e.tickThenRestart(time.Date(2018, 12, 9, 13, 0, 0, 0, e.loc))
	for _, at := range []time.Time{time.Date(2018, 12, 9, 14, 0, 0, 0, e.loc), time.Date(2018, 12, 10, 9, 0, 0, 0, e.loc)} {
		e.clock.Set(at)
		e.runOnce()
	}
	for _, addr := range []string{"anna@ale.example", "bo@ale.example"} {
		got := e.ofKind(addr, "reminder")
		if len(got) != 1 {
			t.Fatalf("%s got %d reminders, want 1", addr, len(got))
		}
		r := got[0]
		for _, want := range []string{"tisdag 11 december 2018, 13.00–15.30", "GR, Anders Personsgatan 8, Göteborg", "avanmäl"} {
			if !strings.Contains(r.text, want) {
				t.Errorf("the reminder does not say %q:\n%s", want, r.text)
			}
		}
		if !strings.HasPrefix(r.subject, "Påminnelse: ") || r.attachments["segregation-2018.ics"] == nil || r.attachments["kartlaggning.pdf"] != nil {
			t.Errorf("reminder %q with %v; want the calendar file and no material", r.subject, keys(r.attachments))
		}
	}
	if got := e.ofKind("cia@lerum.example", "reminder"); len(got) != 0 {
		t.Errorf("the waiting list got a reminder")
	}

	// Cancelling by replying to the reminder works, as it says.
	anna := e.ofKind("anna@ale.example", "reminder")[0]
	e.deliver(rawMail("anna-cancel", []string{"From: Anna Ek <anna@ale.example>", "To: " + botAddr,
		"Subject: Re: " + anna.subject, "In-Reply-To: " + anna.header.Get("Message-Id")}, "Jag kan inte komma, avanmäl mig.\n\n/Anna"),
		time.Date(2018, 12, 10, 10, 0, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 12, 10, 10, 1, 0, 0, e.loc))
	e.runOnce()
	if got := e.state(); !slices.Contains(got, "confirmed cia@lerum.example") || !slices.Contains(got, "cancelled anna@ale.example") {
		t.Errorf("after Anna's answer to the reminder: %q", got)
	}
	// Cia got her seat after the reminder was due: her confirmation said
	// it all, and she gets no reminder.
	e.clock.Set(time.Date(2018, 12, 10, 12, 0, 0, 0, e.loc))
	e.runOnce()
	if got := e.ofKind("cia@lerum.example", "reminder"); len(got) != 0 {
		t.Errorf("Cia, moved up after the reminder time, got a reminder")
	}
}

func TestReminderAfterDowntime(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		want int
	}{
		{"sent late while the event has not started", time.Date(2018, 12, 11, 10, 0, 0, 0, time.UTC), 1},
		{"dropped once the event has started", time.Date(2018, 12, 11, 14, 0, 0, 0, time.UTC), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 2, localmail.Options{})
			e.register(time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc), "Anna Ek", "anna@ale.example")
			// The daemon was down from 28 November until now.
			e.d.Close()
			e.clock.Set(tc.at)
			e.open()
			e.runOnce()
			e.runOnce()
			if got := e.ofKind("anna@ale.example", "reminder"); len(got) != tc.want {
				t.Errorf("%d reminders, want %d", len(got), tc.want)
			}
		})
	}
}

func TestMaterialUpdateIsSentOnce(t *testing.T) {
	e := newEnv(t, 3, localmail.Options{})
	e.register(time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc), "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
	ctx := context.Background()
	if plan, err := e.d.Bot().SendMaterial(ctx, "segregation-2018", true); err != nil || len(plan) != 0 {
		t.Fatalf("before any change: %v, %v; want nobody", plan, err)
	}

	// The organiser replaces the material file.
	path := e.cfg.Events[0].Material[0]
	newPDF := []byte("%PDF-1.4\n% version 2, with the statistics of 2018\n")
	if err := os.WriteFile(path, newPDF, 0o600); err != nil {
		t.Fatal(err)
	}
	// Make sure the change shows in the file's time even on a coarse clock.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	before := len(e.srv.Received())
	plan, err := e.d.Bot().SendMaterial(ctx, "segregation-2018", true)
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, p := range plan {
		who = append(who, p.Email+": "+strings.Join(p.Files, ","))
	}
	if want := []string{"anna@ale.example: kartlaggning.pdf", "bo@ale.example: kartlaggning.pdf"}; !slices.Equal(who, want) {
		t.Errorf("dry run: %q, want %q", who, want)
	}
	if ob, err := e.d.Store().OutboxStats(ctx); err != nil || ob.Pending != 0 || len(e.srv.Received()) != before {
		t.Errorf("the dry run queued or sent mail: %+v, %v", ob, err)
	}
	// A restart between queueing and sending sends each once.
	e.tickThenRestart(time.Date(2018, 11, 29, 10, 0, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 11, 30, 10, 0, 0, 0, e.loc))
	e.runOnce()
	for _, addr := range []string{"anna@ale.example", "bo@ale.example"} {
		got := e.ofKind(addr, "material")
		if len(got) != 1 {
			t.Fatalf("%s got %d material updates, want 1", addr, len(got))
		}
		if !bytes.Equal(got[0].attachments["kartlaggning.pdf"], newPDF) || !strings.HasPrefix(got[0].subject, "Nytt underlag:") {
			t.Errorf("%s: %q with %v", addr, got[0].subject, keys(got[0].attachments))
		}
	}
	// Someone registering now gets the new version in the confirmation,
	// and no update.
	e.register(time.Date(2018, 11, 30, 11, 0, 0, 0, e.loc), "Cia Berg", "cia@lerum.example")
	e.clock.Set(time.Date(2018, 12, 1, 11, 0, 0, 0, e.loc))
	e.runOnce()
	cia := e.repliesTo("cia@lerum.example")
	if len(cia) != 1 || !bytes.Equal(cia[0].attachments["kartlaggning.pdf"], newPDF) {
		t.Errorf("Cia got %q", subjects(cia))
	}
	if plan, err := e.d.Bot().SendMaterial(ctx, "segregation-2018", true); err != nil || len(plan) != 0 {
		t.Errorf("after the updates: %v, %v; want nobody", plan, err)
	}
}

func TestDigestSaysWhatHappenedOncePerDay(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	ctx := context.Background()
	// The first round of a new database: no digest yet (nothing to report).
	e.clock.Set(time.Date(2018, 11, 26, 9, 0, 0, 0, e.loc))
	e.runOnce()
	e.register(time.Date(2018, 11, 26, 10, 0, 0, 0, e.loc), "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example", "Cia Berg", "cia@lerum.example")
	e.deliver(rawMail("question", []string{"From: Dan Berg <dan@lerum.example>", "To: " + botAddr, "Subject: Fråga"},
		"Hej! Finns det parkering i närheten?\n\n/Dan"), time.Date(2018, 11, 26, 11, 0, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 11, 26, 11, 1, 0, 0, e.loc))
	e.runOnce()
	if err := e.d.Store().Update(ctx, func(tx *store.Tx) error {
		return tx.RecordBounce("old.address@kungalv.example", 0, time.Date(2018, 11, 26, 12, 0, 0, 0, e.loc))
	}); err != nil {
		t.Fatal(err)
	}
	if got := e.ofKind(organiser, "digest"); len(got) != 0 {
		t.Fatalf("a digest on the first day: %q", subjects(got))
	}

	// 07:30 the next day, with a restart between queueing and sending.
	e.clock.Set(time.Date(2018, 11, 27, 7, 29, 0, 0, e.loc))
	e.runOnce()
	e.tickThenRestart(time.Date(2018, 11, 27, 7, 30, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 11, 27, 12, 0, 0, 0, e.loc))
	e.runOnce()
	got := e.ofKind(organiser, "digest")
	if len(got) != 1 {
		t.Fatalf("%d digests, want 1", len(got))
	}
	d := got[0]
	if !slices.Equal(d.env.To, []string{organiser}) || !strings.HasPrefix(d.subject, "Sammanfattning 2018-11-27") {
		t.Errorf("digest %q to %v", d.subject, d.env.To)
	}
	for _, want := range []string{"Bekräftade: 2 av 2 platser; väntelista: 1", "Anna Ek <anna@ale.example>", "Bo Ek <bo@ale.example>",
		"Cia Berg <cia@lerum.example> (väntelista)", "1. Cia Berg <cia@lerum.example>",
		"Mejl som väntar på en människa (flaggade i inkorgen): 1 (1 nya)", "old.address@kungalv.example"} {
		if !strings.Contains(d.text, want) {
			t.Errorf("the digest does not say %q:\n%s", want, d.text)
		}
	}
	if strings.Contains(d.text, "Avanmälda") {
		t.Errorf("the digest reports cancellations that did not happen:\n%s", d.text)
	}

	// A cancellation on the 27th is in the 28th's digest; a quiet day
	// (the 29th) has none.
	anna := e.repliesTo("anna@ale.example")[0]
	e.deliver(rawMail("anna-cancel", []string{"From: Anna Ek <anna@ale.example>", "To: " + botAddr,
		"Subject: Re: " + anna.subject, "In-Reply-To: " + anna.header.Get("Message-Id")}, "Avanmäl mig, tack.\n\n/Anna"),
		time.Date(2018, 11, 27, 13, 0, 0, 0, e.loc))
	for _, at := range []time.Time{time.Date(2018, 11, 27, 13, 1, 0, 0, e.loc), time.Date(2018, 11, 28, 8, 0, 0, 0, e.loc),
		time.Date(2018, 11, 29, 8, 0, 0, 0, e.loc), time.Date(2018, 11, 29, 20, 0, 0, 0, e.loc)} {
		e.clock.Set(at)
		e.runOnce()
	}
	got = e.ofKind(organiser, "digest")
	if len(got) != 2 {
		t.Fatalf("%d digests, want 2 (the 27th and the 28th): %q", len(got), subjects(got))
	}
	for _, want := range []string{"Avanmälda:", "- Anna Ek <anna@ale.example>", "Bekräftade: 2 av 2 platser; väntelista: 0"} {
		if !strings.Contains(got[1].text, want) {
			t.Errorf("the second digest does not say %q:\n%s", want, got[1].text)
		}
	}
	if strings.Contains(got[1].text, "old.address@kungalv.example") || strings.Contains(got[1].text, "Bo Ek") {
		t.Errorf("the second digest repeats the first:\n%s", got[1].text)
	}
}

// dbBytes closes the daemon (which checkpoints the WAL into the file) and
// returns the database file's bytes and those of any WAL left.
func (e *env) dbBytes() []byte {
	e.t.Helper()
	if err := e.d.Close(); err != nil {
		e.t.Fatal(err)
	}
	b, err := os.ReadFile(e.cfg.Database)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-journal"} {
		if w, err := os.ReadFile(e.cfg.Database + suffix); err == nil {
			b = append(b, w...)
		}
	}
	return b
}

func TestPersonalDataIsErasedAfterTheRetentionTime(t *testing.T) {
	e := newEnv(t, 2, localmail.Options{})
	e.clock.Set(time.Date(2018, 11, 26, 9, 0, 0, 0, e.loc))
	e.runOnce()
	e.register(time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc), "Anna Ek", "anna@ale.example", "Bo Strömberg", "bo@ale.example", "Cia Berg", "cia@lerum.example")
	// Linda cancels Bo; the digest and the audit log mention everyone.
	e.deliver(fromLinda("c1", "Avanmäl bo@ale.example."), time.Date(2018, 11, 28, 12, 0, 0, 0, e.loc))
	// And she asks for the list: a spreadsheet, compressed, where no
	// search for an address finds anyone.
	e.deliver(fromLinda("c2", "lista"), time.Date(2018, 11, 28, 12, 0, 30, 0, e.loc))
	for _, at := range []time.Time{time.Date(2018, 11, 28, 12, 1, 0, 0, e.loc), time.Date(2018, 11, 29, 8, 0, 0, 0, e.loc),
		time.Date(2018, 12, 10, 8, 0, 0, 0, e.loc), time.Date(2019, 3, 11, 15, 0, 0, 0, e.loc)} {
		e.clock.Set(at)
		e.runOnce()
	}
	xlsx := e.last(organiser).attachments["segregation-2018.xlsx"]
	if len(xlsx) == 0 {
		t.Fatalf("the organiser got no list: %q", subjects(e.repliesTo(organiser)))
	}
	// The spreadsheet as it lies in the stored mail: base64 in lines of 76.
	xlsxLine := []byte(base64.StdEncoding.EncodeToString(xlsx)[:76])
	ctx := context.Background()
	if p, _ := e.d.Store().Purges(ctx); len(p) != 0 {
		t.Fatalf("erased before the retention time: %v", p)
	}
	// 90 days after the event ended (11 December 15:30).
	e.clock.Set(time.Date(2019, 3, 11, 15, 31, 0, 0, e.loc))
	e.runOnce()
	p, err := e.d.Store().Purges(ctx)
	if err != nil || p["segregation-2018"].Registrations != 3 {
		t.Fatalf("purges %v, %v", p, err)
	}
	ev, err := e.d.Store().Event(ctx, "segregation-2018")
	if err != nil || ev.Confirmed != 2 || ev.Cancelled != 1 {
		t.Errorf("counts after erasure: %+v, %v; want 2 confirmed, 1 cancelled", ev, err)
	}
	log, err := e.d.Store().AuditLog(ctx, "segregation-2018")
	if err != nil || len(log) < 4 {
		t.Errorf("audit log: %d entries, %v; want them kept", len(log), err)
	}
	b := e.dbBytes()
	for _, s := range []string{"anna@ale.example", "bo@ale.example", "cia@lerum.example", "Anna Ek", "Bo Str", "Cia Berg", "Stromberg", "Strömberg"} {
		if bytes.Contains(asciiLower(b), bytes.ToLower([]byte(s))) {
			t.Errorf("the database file still holds %q", s)
		}
	}
	if bytes.Contains(b, xlsxLine) {
		t.Error("the database file still holds the participant list sent to the organiser")
	}
	if !bytes.Contains(b, []byte("segregation-2018")) {
		t.Error("the test reads the wrong file: the event's id is not in it")
	}
}

func TestForgetMeByReply(t *testing.T) {
	e := newEnv(t, 1, localmail.Options{})
	e.register(time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc), "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
	conf := e.repliesTo("anna@ale.example")[0]
	if !strings.Contains(conf.text, `skriv "glöm mig"`) || !strings.Contains(conf.text, "90 dagar efter träffen") {
		t.Errorf("the confirmation does not say what is kept and how to be forgotten:\n%s", conf.text)
	}

	// The organiser's list holds Anna in a compressed spreadsheet.
	e.deliver(fromLinda("list-1", "lista"), time.Date(2018, 11, 28, 10, 30, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 11, 28, 10, 31, 0, 0, e.loc))
	e.runOnce()
	xlsx := e.last(organiser).attachments["segregation-2018.xlsx"]
	if len(xlsx) == 0 {
		t.Fatalf("the organiser got no list: %q", subjects(e.repliesTo(organiser)))
	}
	xlsxLine := []byte(base64.StdEncoding.EncodeToString(xlsx)[:76])

	// Not a reply, not authenticated: nothing happens; left for a human.
	e.deliver(rawMail("bo-forget", []string{"From: Bo Ek <bo@ale.example>", "To: " + botAddr, "Subject: GDPR"}, "Glöm mig!\n\n/Bo"),
		time.Date(2018, 11, 28, 11, 0, 0, 0, e.loc))
	// A reply to her confirmation: Anna is forgotten, and Bo gets her seat.
	e.deliver(rawMail("anna-forget", []string{"From: Anna Ek <anna@ale.example>", "To: " + botAddr,
		"Subject: Re: " + conf.subject, "In-Reply-To: " + conf.header.Get("Message-Id")}, "Glöm mig, tack.\n\n/Anna"),
		time.Date(2018, 11, 28, 11, 1, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 11, 28, 11, 2, 0, 0, e.loc))
	e.runOnce()
	e.runOnce()
	if got := e.state(); !slices.Equal(got, []string{"confirmed bo@ale.example", "cancelled erased-1"}) {
		t.Errorf("registrations %q", got)
	}
	anna := e.repliesTo("anna@ale.example")
	if len(anna) != 2 || !strings.HasPrefix(anna[1].subject, "Dina uppgifter är raderade") {
		t.Fatalf("Anna got %q", subjects(anna))
	}
	if bo := e.repliesTo("bo@ale.example"); len(bo) != 2 || !strings.HasPrefix(bo[1].subject, "Du har fått en plats:") {
		t.Errorf("Bo got %q", subjects(bo))
	}
	b := e.dbBytes()
	if bytes.Contains(b, xlsxLine) {
		t.Error("the database file still holds the participant list with Anna in it")
	}
	if bytes.Contains(asciiLower(b), []byte("anna@ale.example")) || bytes.Contains(b, []byte("Anna Ek")) {
		for _, s := range []string{"anna@ale.example", "Anna Ek"} {
			if i := bytes.Index(asciiLower(b), bytes.ToLower([]byte(s))); i >= 0 {
				t.Errorf("the database file still holds Anna: %q", b[max(0, i-60):min(len(b), i+40)])
			}
		}
	} else if !bytes.Contains(b, []byte("bo@ale.example")) {
		t.Error("Bo, who was not verified, was erased too")
	}
}

// asciiLower lower-cases the ASCII letters of b, keeping every other byte
// (bytes.ToLower would turn invalid UTF-8 into U+FFFD and move offsets).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// TestDigestMissesNothingHandled checks the two ways a registration used
// to fall between digests: mail waiting in the inbox when a new database
// first starts (after digest_time) is answered in that first round, and
// mail that arrived before a digest but was decided after it (the daemon
// was down) is in the next one. The organiser is told about each once.
func TestDigestMissesNothingHandled(t *testing.T) {
	e := newEnv(t, 5, localmail.Options{})
	// Anna's mail arrives at 06:00; the daemon first starts at 09:00.
	e.deliver(rawMail("anna", []string{"From: Anna Ek <anna@ale.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag vill anmäla mig.\n\n/Anna Ek"), time.Date(2018, 11, 26, 6, 0, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 11, 26, 9, 0, 0, 0, e.loc))
	e.runOnce()
	if got := e.repliesTo("anna@ale.example"); len(got) != 1 {
		t.Fatalf("Anna got %q, want her confirmation", subjects(got))
	}
	// The 27th's digest leaves at 07:30; Bo's mail arrived at 07:00 but
	// is read only at 08:00 (the server was down).
	e.clock.Set(time.Date(2018, 11, 27, 7, 30, 0, 0, e.loc))
	e.runOnce()
	e.deliver(rawMail("bo", []string{"From: Bo Ek <bo@ale.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag vill anmäla mig.\n\n/Bo Ek"), time.Date(2018, 11, 27, 7, 0, 0, 0, e.loc))
	e.clock.Set(time.Date(2018, 11, 27, 8, 0, 0, 0, e.loc))
	e.runOnce()
	e.clock.Set(time.Date(2018, 11, 28, 7, 30, 0, 0, e.loc))
	e.runOnce()

	got := e.ofKind(organiser, "digest")
	if len(got) != 2 {
		t.Fatalf("%d digests, want 2 (the 27th and the 28th): %q", len(got), subjects(got))
	}
	if !strings.Contains(got[0].text, "Anna Ek <anna@ale.example>") {
		t.Errorf("the first digest does not name Anna, registered in the database's first round:\n%s", got[0].text)
	}
	if !strings.Contains(got[1].text, "Bo Ek <bo@ale.example>") {
		t.Errorf("the second digest does not name Bo, whose mail arrived before the first digest and was decided after it:\n%s", got[1].text)
	}
	if strings.Contains(got[0].text, "Bo Ek") || strings.Contains(got[1].text, "Anna Ek <anna@ale.example>") {
		t.Errorf("a registration is in both digests:\n%s\n---\n%s", got[0].text, got[1].text)
	}
}
