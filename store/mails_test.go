package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRecordMail(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	m := MailRecord{Key: "abc@example.se", Mailbox: "INBOX", UIDValidity: 7, UID: 10, Received: t0, Raw: []byte("raw 1")}
	first, err := s.RecordMail(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == 0 || first.Done || first.IMAPDone || first.Attempts != 0 {
		t.Fatalf("first RecordMail = %+v", first)
	}
	if n, err := s.FailMail(ctx, first.ID, "temporary trouble"); err != nil || n != 1 {
		t.Errorf("FailMail = %d, %v; want 1", n, err)
	}
	if refs, err := s.UndecidedMails(ctx, 10); err != nil || len(refs) != 1 || refs[0].ID != first.ID || refs[0].Attempts != 1 {
		t.Errorf("UndecidedMails = %+v, %v", refs, err)
	}
	err = s.Update(ctx, func(tx *Tx) error { return tx.FinishMail(first.ID, "registered", "w1 confirmed", t0) })
	if err != nil {
		t.Fatal(err)
	}
	if refs, err := s.PendingIMAP(ctx, "INBOX"); err != nil || len(refs) != 1 || refs[0] != (MailRef{
		ID: first.ID, Mailbox: "INBOX", UIDValidity: 7, UID: 10, Outcome: "registered", Attempts: 1}) {
		t.Errorf("PendingIMAP = %+v, %v", refs, err)
	}
	if err := s.MarkIMAPDone(ctx, first.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		m    MailRecord
		want MailState
	}{
		{name: "same position", m: m,
			want: MailState{ID: first.ID, Done: true, Outcome: "registered", Detail: "w1 confirmed", Attempts: 1, IMAPDone: true}},
		{name: "moved", m: MailRecord{Key: m.Key, Mailbox: "Processed", UIDValidity: 9, UID: 3, Received: t0, Raw: []byte("other")},
			want: MailState{ID: first.ID, Done: true, Outcome: "registered", Detail: "w1 confirmed", Attempts: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.RecordMail(ctx, tc.m)
			if err != nil || got != tc.want {
				t.Errorf("RecordMail = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if refs, err := s.PendingIMAP(ctx, "Processed"); err != nil || len(refs) != 1 || refs[0].UID != 3 {
		t.Errorf("PendingIMAP after a move = %+v, %v", refs, err)
	}
	var raw []byte
	if err := s.Read(ctx, func(tx *Tx) error { raw, err = tx.MailRaw(first.ID); return err }); err != nil ||
		string(raw) != "raw 1" {
		t.Errorf("MailRaw = %q, %v; want the first bytes kept", raw, err)
	}

	second, err := s.RecordMail(ctx, MailRecord{Key: "sha256:00ff", Mailbox: "INBOX", UIDValidity: 7, UID: 11, Received: t0})
	if err != nil || second.ID == first.ID {
		t.Fatalf("RecordMail of a new key = %+v, %v", second, err)
	}
	counts, err := s.MailCounts(ctx)
	if err != nil || counts["registered"] != 1 || counts[MailUnprocessed] != 1 || len(counts) != 2 {
		t.Errorf("MailCounts = %v, %v", counts, err)
	}

	if err := s.Update(ctx, func(tx *Tx) error { return tx.FinishMail(12345, "x", "", t0) }); !errors.Is(err, ErrNoMail) {
		t.Errorf("FinishMail of an unknown mail = %v, want ErrNoMail", err)
	}
	if _, err := s.FailMail(ctx, 12345, "x"); !errors.Is(err, ErrNoMail) {
		t.Errorf("FailMail of an unknown mail = %v, want ErrNoMail", err)
	}
}

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if v, u, err := s.Checkpoint(ctx, "INBOX"); err != nil || v != 0 || u != 0 {
		t.Fatalf("Checkpoint of a new mailbox = %d %d %v", v, u, err)
	}
	steps := []struct {
		name                  string
		validity, uid         uint32
		wantValidity, wantUID uint32
	}{
		{"first", 5, 10, 5, 10},
		{"forward", 5, 12, 5, 12},
		{"never backward", 5, 3, 5, 12},
		{"new uidvalidity replaces", 6, 2, 6, 2},
		{"forward again", 6, 4, 6, 4},
		{"max uint32", 6, 4294967295, 6, 4294967295},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := s.SetCheckpoint(ctx, "INBOX", st.validity, st.uid); err != nil {
				t.Fatal(err)
			}
			v, u, err := s.Checkpoint(ctx, "INBOX")
			if err != nil || v != st.wantValidity || u != st.wantUID {
				t.Errorf("Checkpoint = %d %d %v; want %d %d", v, u, err, st.wantValidity, st.wantUID)
			}
		})
	}
	if v, u, _ := s.Checkpoint(ctx, "Other"); v != 0 || u != 0 {
		t.Errorf("another mailbox shares the checkpoint: %d %d", v, u)
	}
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	enqueue := func(msgID string, now time.Time) int64 {
		t.Helper()
		var id int64
		err := s.Update(ctx, func(tx *Tx) error {
			var err error
			id, err = tx.Enqueue(Outgoing{MessageID: msgID, EnvelopeFrom: "anmalan@example.se",
				Recipients: []string{"a@example.se", "b@example.se"}, Raw: []byte("mail " + msgID), Kind: "confirmation"}, now)
			return err
		})
		if err != nil {
			t.Fatalf("Enqueue %s: %v", msgID, err)
		}
		return id
	}
	if _, ok, err := s.NextDue(ctx); err != nil || ok {
		t.Errorf("NextDue of an empty outbox = %v, %v", ok, err)
	}
	a := enqueue("<a@anmalan.example>", t0)
	b := enqueue("b@anmalan.example", t0.Add(time.Minute))
	c := enqueue("c@anmalan.example", t0.Add(2*time.Minute))

	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Enqueue(Outgoing{MessageID: "a@anmalan.example", Recipients: []string{"x@example.se"}, Raw: []byte("x")}, t0)
		return err
	})
	if !errors.Is(err, ErrDuplicateMessageID) {
		t.Errorf("Enqueue of a duplicate Message-ID = %v, want ErrDuplicateMessageID", err)
	}

	due, err := s.DueOutgoing(ctx, t0.Add(time.Minute), 10)
	if err != nil || len(due) != 2 || due[0].ID != a || due[1].ID != b {
		t.Fatalf("DueOutgoing = %+v, %v; want a and b", due, err)
	}
	if o := due[0]; o.MessageID != "a@anmalan.example" || string(o.Raw) != "mail <a@anmalan.example>" ||
		len(o.Recipients) != 2 || o.Recipients[1] != "b@example.se" || o.Status != OutboxPending ||
		!o.NextAttempt.Equal(t0) || !o.CreatedAt.Equal(t0) || !o.SentAt.IsZero() {
		t.Errorf("due mail = %+v", o)
	}
	if due, _ := s.DueOutgoing(ctx, t0.Add(time.Hour), 1); len(due) != 1 || due[0].ID != a {
		t.Errorf("DueOutgoing with limit 1 = %+v", due)
	}

	if err := s.MarkSent(ctx, a, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, b, t0.Add(10*time.Minute), "450 try later"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, c, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueOutgoing(ctx, t0.Add(5*time.Minute), 10); len(due) != 0 {
		t.Errorf("DueOutgoing before the retry = %+v; want none", due)
	}
	if due, _ := s.DueOutgoing(ctx, t0.Add(10*time.Minute), 10); len(due) != 1 || due[0].ID != b ||
		due[0].Attempts != 1 || due[0].LastError != "450 try later" {
		t.Errorf("DueOutgoing at the retry = %+v", due)
	}
	if next, ok, err := s.NextDue(ctx); err != nil || !ok || !next.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("NextDue = %v, %v, %v", next, ok, err)
	}
	st, err := s.OutboxStats(ctx)
	want := OutboxStats{Pending: 1, Failed: 1, Sent: 1, OldestPending: t0.Add(time.Minute), NextAttempt: t0.Add(10 * time.Minute)}
	if err != nil || st != want {
		t.Errorf("OutboxStats = %+v, %v; want %+v", st, err, want)
	}
	failed, err := s.Outgoing(ctx, OutboxFailed)
	if err != nil || len(failed) != 1 || failed[0].ID != c || failed[0].Attempts != 1 || failed[0].Raw != nil {
		t.Errorf("Outgoing(failed) = %+v, %v", failed, err)
	}
	sent, err := s.Outgoing(ctx, OutboxSent)
	if err != nil || len(sent) != 1 || !sent[0].SentAt.Equal(t0.Add(time.Second)) {
		t.Errorf("Outgoing(sent) = %+v, %v", sent, err)
	}
	if err := s.MarkSent(ctx, 999, t0); !errors.Is(err, ErrNoOutgoing) {
		t.Errorf("MarkSent of an unknown id = %v, want ErrNoOutgoing", err)
	}
}

// TestTimeOrdering checks that stored times compare as times, including
// fractions of a second, which the text format trims.
func TestTimeOrdering(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	base := t0.Add(500 * time.Millisecond)
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Enqueue(Outgoing{MessageID: "f@x", Recipients: []string{"a@x"}, Raw: []byte("x")}, base)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  time.Time
		want int
	}{
		{t0, 0}, {base.Add(-time.Nanosecond), 0}, {base, 1}, {base.Add(time.Nanosecond), 1}, {t0.Add(time.Second), 1},
	} {
		due, err := s.DueOutgoing(ctx, tc.now.In(time.FixedZone("X", -5*3600)), 10)
		if err != nil || len(due) != tc.want {
			t.Errorf("DueOutgoing(%v) = %d, %v; want %d", tc.now, len(due), err, tc.want)
		}
	}
}

func TestSentByUsFindsOurMailByMessageID(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	now := time.Date(2018, 11, 28, 9, 0, 0, 0, time.UTC)
	err := s.Update(ctx, func(tx *Tx) error {
		for _, id := range []string{"a@bot.example", "b@bot.example"} {
			if _, err := tx.Enqueue(Outgoing{MessageID: id, EnvelopeFrom: "bot@bot.example", Recipients: []string{"x@example.org"}, Raw: []byte("x"), Kind: "which"}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Read(ctx, func(tx *Tx) error {
		got, err := tx.SentByUs([]string{"<other@example.org>", "<b@bot.example>"})
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].MessageID != "b@bot.example" || got[0].Kind != "which" || got[0].Recipients[0] != "x@example.org" {
			t.Errorf("SentByUs = %+v", got)
		}
		if none, err := tx.SentByUs(nil); err != nil || none != nil {
			t.Errorf("SentByUs(nil) = %v, %v", none, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
