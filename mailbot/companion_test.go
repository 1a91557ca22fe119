package mailbot_test

import (
	"context"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
)

// TestCompanionWithoutAddressIsLeftForAHuman: "Jag och Gillis Jarl kommer"
// registers the writer, who has an address, and leaves the mail flagged
// for a human, who must add Gillis: before, Gillis was silently dropped
// and the mail counted as done.
func TestCompanionWithoutAddressIsLeftForAHuman(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.command(&day, rawMail("tekla1", []string{"From: Tekla Ståhlberg <tekla.stahlberg@ockero.example>", "To: " + botAddr, "Subject: Anmälan"},
		"Hej!\nJag och Gillis Jarl kommer båda två den 11 december. Ingen av oss har några allergier.\n/Tekla"))
	wantState(t, e, "confirmed tekla.stahlberg@ockero.example")
	regs, err := e.d.Store().Registrations(context.Background(), "segregation-2018")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range regs {
		if r.Diet != "" {
			t.Errorf("%s has the diet %q: nobody said one", r.Email, r.Diet)
		}
	}
	counts, err := e.d.Store().MailCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[string(intake.OutcomeManual)] != 1 {
		t.Errorf("mail outcomes %v, want the mail left for a human", counts)
	}
}

// TestNotInTheClauseBeforeKeepsTheSeat: a reply to the confirmation whose
// "not" belongs to the clause before the writer's "jag kommer" ("Ta inte
// bort mig från listan, jag kommer ändå") keeps her seat; it was read as
// her withdrawal.
func TestNotInTheClauseBeforeKeepsTheSeat(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Fanny Hallin", "fanny.hallin@kungsbacka.example")
	conf := e.msgID("fanny.hallin@kungsbacka.example")
	e.command(&day, rawMail("fanny2", []string{"From: Fanny Hallin <fanny.hallin@kungsbacka.example>", "To: " + botAddr, "Subject: SV: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hej,\n\nJag såg att ni rensar i listan. Ta inte bort mig från listan, jag kommer ändå.\n\n/Fanny"))
	wantState(t, e, "confirmed fanny.hallin@kungsbacka.example")
}
