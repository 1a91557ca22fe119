package mailbot_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
)

// TestAFailureInsideARunOfDecisionsKeepsTheMailsBeforeIt: three mails are
// decided in one transaction, and the database refuses the second one's
// registration. The first is decided and answered once (its decision is
// made again without the failing mail, never twice), the second is
// retried and then left for a human, and the third is answered after it.
func TestAFailureInsideARunOfDecisionsKeepsTheMailsBeforeIt(t *testing.T) {
	e := newEnvWith(t, 10, localmail.Options{}, withIMAP(`poll_interval = "1h"`, `manual_mailbox = "Manuellt"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	// A trigger of the test's own makes the database fail the way a full
	// disk or a broken constraint would, inside the run's transaction.
	db, err := sql.Open("sqlite", "file:"+e.cfg.Database+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER test_poison BEFORE INSERT ON registrations
		WHEN NEW.email = 'gift@ale.example' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	first := registration("anna.ek@ale.example", "Anna Ek", "run-1@ale.example")
	e.deliver(first, at)
	e.deliver(registration("gift@ale.example", "Gift Giftsson", "run-2@ale.example"), at)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "run-3@ale.example"), at)
	e.start()
	e.answered("sara.nilsson@ale.example")
	e.answered(organiser)
	e.onceEach("anna.ek@ale.example", "sara.nilsson@ale.example")
	if got := e.repliesTo("gift@ale.example"); len(got) != 0 {
		t.Errorf("the mail whose decision failed was answered: %v", subjects(got))
	}
	counts, err := e.d.Store().MailCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[string(intake.OutcomeFailed)] != 1 || counts[string(intake.OutcomeRegistered)] != 2 {
		t.Errorf("mail outcomes %v, want one failed and two registered", counts)
	}
	var regs int
	if err := db.QueryRow(`SELECT COUNT(*) FROM registrations WHERE email = 'anna.ek@ale.example'`).Scan(&regs); err != nil || regs != 1 {
		t.Errorf("registrations of the first mail's sender: %d, %v; want 1", regs, err)
	}
	// The first mail's decision is reported once: the attempt that was
	// rolled back with the failing mail is not.
	e.mu.Lock()
	defer e.mu.Unlock()
	reported := 0
	for _, r := range e.seen {
		if r.Key == "<run-1@ale.example>" || r.Key == "run-1@ale.example" {
			reported++
		}
	}
	if reported != 1 {
		t.Errorf("the first mail was reported decided %d times, want once", reported)
	}
}
