package intake_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/config/configtest"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/mailbot"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
	"github.com/goteborgsregionen/anmalan/store"
)

// These tests run the intake with the real Bot deciding, on the
// in-process IMAP server and a real SQLite file, without the outbox: what
// the intake lists, records, hands over and marks. mailbot's end-to-end
// tests run the same path through the whole daemon.

const (
	bot      = "bot@example.org"
	password = "secret"
)

type rig struct {
	srv   *localmail.Servers
	st    *store.Store
	inbox *intake.Inbox
	now   time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{now: time.Date(2030, 4, 1, 9, 0, 0, 0, time.UTC)}
	var err error
	r.srv, err = localmail.Start(localmail.Options{Password: password, Quiet: true, Now: func() time.Time { return r.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.srv.Close() })
	r.srv.AddUser(bot)
	dir := configtest.Dir(t)
	text := configtest.Edit(t, configtest.Base, `address = "127.0.0.1:1143"`, `address = "`+r.srv.IMAPAddr()+`"`)
	text = configtest.Edit(t, text, `address = "127.0.0.1:1025"`, `address = "`+r.srv.SMTPAddr()+`"`)
	text = configtest.Edit(t, text, `username = "bot"`, `username = "`+bot+`"`)
	t.Setenv("ANMALAN_TEST_IMAP_PASSWORD", password)
	path := filepath.Join(dir, "anmalan.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r.st, err = store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := mailbot.NewBot(cfg, r.st, func() time.Time { return r.now }, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SyncEvents(ctx); err != nil {
		t.Fatal(err)
	}
	r.inbox, err = intake.New(cfg.IMAP, b.Decider(), r.st, log)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) deliver(t *testing.T, id, from, subject, body string) imap.UID {
	t.Helper()
	raw := messagetest.Mail("From: "+from, "To: "+bot, "Subject: "+subject, "Message-ID: <"+id+"@example.org>",
		"Date: Mon, 1 Apr 2030 08:00:00 +0000", "", body)
	uid, err := r.srv.Append(bot, "INBOX", raw, r.now)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// flags reads the flags of every mail in the bot's inbox.
func (r *rig) flags(t *testing.T) map[imap.UID][]imap.Flag {
	t.Helper()
	c, err := imapclient.DialInsecure(r.srv.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(bot, password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[imap.UID][]imap.Flag{}
	for _, m := range msgs {
		out[m.UID] = m.Flags
	}
	return out
}

func has(flags []imap.Flag, f imap.Flag) bool {
	for _, g := range flags {
		if strings.EqualFold(string(g), string(f)) {
			return true
		}
	}
	return false
}

func counts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	c, err := st.MailCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestIntakeDecidesEachMailOnce: a registration, an out-of-office answer
// and a question are each recorded and decided once, the question flagged
// for a human and the others marked handled; a second poll finds nothing.
func TestIntakeDecidesEachMailOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	reg := r.deliver(t, "a1", "Anna Ek <anna@example.org>", "Anmälan Workshop", "Hej! Jag vill anmäla mig till workshopen.\n\nAnna Ek")
	ooo := r.deliver(t, "a2", "Bo Ek <bo@example.org>", "Automatiskt svar: Workshop", "Jag är på semester till 10 april.")
	ask := r.deliver(t, "a3", "Cia Berg <cia@example.org>", "Fråga", "Finns det parkering vid lokalen?")
	n, err := r.inbox.PollOnce(ctx)
	if err != nil || n != 3 {
		t.Fatalf("first poll handled %d (%v), want 3", n, err)
	}
	c := counts(t, r.st)
	if c[string(intake.OutcomeRegistered)] != 1 || c[string(intake.OutcomeAutomatic)] != 1 || c[string(intake.OutcomeManual)] != 1 || c[store.MailUnprocessed] != 0 {
		t.Errorf("outcomes %v", c)
	}
	regs, err := r.st.Registrations(ctx, "ev-1")
	if err != nil || len(regs) != 1 || regs[0].Email != "anna@example.org" {
		t.Errorf("registrations %+v (%v)", regs, err)
	}
	f := r.flags(t)
	for _, uid := range []imap.UID{reg, ooo} {
		if !has(f[uid], imap.FlagSeen) || has(f[uid], intake.KeywordManual) {
			t.Errorf("mail %d flags %v: want it marked handled", uid, f[uid])
		}
	}
	if !has(f[ask], intake.KeywordManual) || !has(f[ask], imap.FlagFlagged) || has(f[ask], imap.FlagSeen) {
		t.Errorf("the question's flags %v: want it flagged for a human and left unread", f[ask])
	}
	if n, err := r.inbox.PollOnce(ctx); err != nil || n != 0 {
		t.Errorf("second poll handled %d (%v), want 0", n, err)
	}
}

// TestIntakeFailedDecisionIsTriedAgain: a decision that fails leaves the
// mail recorded but undecided and unmarked; the next poll decides it.
func TestIntakeFailedDecisionIsTriedAgain(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	uid := r.deliver(t, "b1", "Anna Ek <anna@example.org>", "Anmälan Workshop", "Anmäl mig, tack!\n\nAnna Ek")
	r.inbox.BeforeDecide = func(intake.Incoming) error { return errors.New("the database is busy") }
	if n, err := r.inbox.PollOnce(ctx); n != 0 {
		t.Fatalf("a poll whose one decision failed handled %d (%v)", n, err)
	}
	if c := counts(t, r.st); c[store.MailUnprocessed] != 1 {
		t.Fatalf("after a failed decision: %v, want the mail recorded and unprocessed", c)
	}
	if f := r.flags(t)[uid]; has(f, imap.FlagSeen) || has(f, intake.KeywordManual) {
		t.Fatalf("a mail whose decision failed is marked: %v", f)
	}
	r.inbox.BeforeDecide = nil
	if _, err := r.inbox.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if c := counts(t, r.st); c[string(intake.OutcomeRegistered)] != 1 || c[store.MailUnprocessed] != 0 {
		t.Errorf("after the retry: %v", c)
	}
	if f := r.flags(t)[uid]; !has(f, imap.FlagSeen) {
		t.Errorf("flags after the retry %v", f)
	}
}

// TestIntakeMarksEveryCopy: the same mail delivered twice in one batch is
// decided once, and both copies are marked.
func TestIntakeMarksEveryCopy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	first := r.deliver(t, "c1", "Anna Ek <anna@example.org>", "Anmälan Workshop", "Anmäl mig, tack!\n\nAnna Ek")
	second := r.deliver(t, "c1", "Anna Ek <anna@example.org>", "Anmälan Workshop", "Anmäl mig, tack!\n\nAnna Ek")
	if _, err := r.inbox.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	regs, err := r.st.Registrations(ctx, "ev-1")
	if err != nil || len(regs) != 1 {
		t.Fatalf("registrations %+v (%v), want one", regs, err)
	}
	f := r.flags(t)
	for _, uid := range []imap.UID{first, second} {
		if !has(f[uid], imap.FlagSeen) {
			t.Errorf("copy %d flags %v: want it marked like the first", uid, f[uid])
		}
	}
}
