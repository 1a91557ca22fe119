package store

import (
	"context"
	"testing"
	"time"
)

// TestOutboxOrderPerRecipient checks that a reply never becomes due before
// an earlier pending reply to one of its recipients, whether it is queued
// while the earlier one waits or retried sooner than it.
func TestOutboxOrderPerRecipient(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	enqueue := func(id string, at time.Time, rcpts ...string) int64 {
		t.Helper()
		var n int64
		err := s.Update(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.Enqueue(Outgoing{MessageID: id, EnvelopeFrom: "bot@x", Recipients: rcpts, Raw: []byte("x")}, at)
			return err
		})
		if err != nil {
			t.Fatalf("Enqueue %s: %v", id, err)
		}
		return n
	}
	dueIDs := func(at time.Time) []string {
		t.Helper()
		due, err := s.DueOutgoing(ctx, at, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, o := range due {
			ids = append(ids, o.MessageID)
		}
		return ids
	}

	a := enqueue("a@x", t0, "Sara@Example.se")
	if err := s.MarkRetry(ctx, a, t0.Add(time.Minute), "450"); err != nil {
		t.Fatal(err)
	}
	// b is queued while a waits: it waits for a.
	b := enqueue("b@x", t0.Add(10*time.Second), "sara@example.se", "boss@example.se")
	other := enqueue("c@x", t0.Add(10*time.Second), "per@example.se")
	if got := dueIDs(t0.Add(20 * time.Second)); len(got) != 1 || got[0] != "c@x" {
		t.Errorf("due while a waits = %v, want only c@x", got)
	}
	// a fails again and waits longer: b, which shares Sara, waits with it;
	// a later retry of b itself cannot make it due sooner than a.
	if err := s.MarkRetry(ctx, a, t0.Add(3*time.Minute), "450"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, b, t0.Add(90*time.Second), "450"); err != nil {
		t.Fatal(err)
	}
	if got := dueIDs(t0.Add(2 * time.Minute)); len(got) != 1 || got[0] != "c@x" {
		t.Errorf("due at +2m = %v, want only c@x", got)
	}
	if got := dueIDs(t0.Add(3 * time.Minute)); len(got) != 3 || got[0] != "a@x" || got[1] != "b@x" {
		t.Errorf("due at +3m = %v, want a@x, b@x, c@x", got)
	}
	_ = other

	// Replies are counted per address, any case, from a given time on.
	err := s.Read(ctx, func(tx *Tx) error {
		for _, c := range []struct {
			addr  string
			since time.Time
			want  int
		}{
			{"SARA@example.se", t0, 2},
			{"sara@example.se", t0.Add(5 * time.Second), 1},
			{"boss@example.se", t0, 1},
			{"nobody@example.se", t0, 0},
		} {
			n, err := tx.RepliesTo(c.addr, c.since)
			if err != nil {
				return err
			}
			if n != c.want {
				t.Errorf("RepliesTo(%s, %v) = %d, want %d", c.addr, c.since, n, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
