package mailbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// TestEveryCopyOfADuplicateIsMarked: the same mail delivered three times,
// all copies fetched in one batch, is answered once, and every copy is
// flagged (and moved, when a processed mailbox is configured) like the
// one decided; none stays in the inbox looking unhandled.
func TestEveryCopyOfADuplicateIsMarked(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		// moved says whether handled mail leaves INBOX for Behandlat.
		moved bool
	}{
		{name: "moved", edit: func(s string) string { return s }, moved: true},
		{name: "flagged in place", edit: func(s string) string {
			return strings.Replace(s, "processed_mailbox = \"Behandlat\"\n", "", 1)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvWith(t, 10, localmail.Options{}, tc.edit)
			at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
			dup := registration("sara.nilsson@ale.example", "Sara Nilsson", "dup-1@ale.example")
			for i := range 3 {
				e.deliver(dup, at.Add(time.Duration(i)*time.Second))
			}
			e.deliver(registration("karl.berg@ale.example", "Karl Berg", "dup-2@ale.example"), at.Add(5*time.Second))
			e.clock.Set(at.Add(time.Minute))
			if rep := e.runOnce(); rep.Sent != 2 {
				t.Fatalf("sent %d replies, want 2 (one per distinct mail)", rep.Sent)
			}
			e.onceEach("sara.nilsson@ale.example", "karl.berg@ale.example")
			inbox, done := e.mailbox("INBOX"), e.mailbox("INBOX")
			if tc.moved {
				if len(inbox) != 0 {
					t.Errorf("INBOX still holds %d mails: %v", len(inbox), inbox)
				}
				done = e.mailbox("Behandlat")
			}
			if len(done) != 4 {
				t.Errorf("%d marked mails, want all 4 copies: %v", len(done), done)
			}
			for uid, flags := range done {
				if !hasFlag(flags, "$Anmalan") {
					t.Errorf("mail %d not flagged as handled: %v", uid, flags)
				}
			}
			// A later round finds nothing left to mark or answer.
			if rep := e.runOnce(); rep.Sent != 0 {
				t.Errorf("second round sent %d", rep.Sent)
			}
		})
	}
}
