package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestUpgradeFromSchema1 opens a database written by the first schema, with
// registrations in it, and checks that the upgrade keeps their queue order.
func TestUpgradeFromSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	v1, err := migrationFiles.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(v1), `PRAGMA user_version = 1`,
		`INSERT INTO events (id, title, starts, ends, seats) VALUES ('w1', 'W', '2030-01-01 10:00:00', '2030-01-01 12:00:00', 1)`,
		`INSERT INTO registrations (event_id, name, email, status, registered_at, updated_at) VALUES
			('w1', 'A', 'a@x.se', 'confirmed', '2029-01-01 10:00:00', '2029-01-01 10:00:00'),
			('w1', 'B', 'b@x.se', 'waiting', '2029-01-01 10:01:00', '2029-01-01 10:01:00'),
			('w1', 'C', 'c@x.se', 'waiting', '2029-01-01 10:02:00', '2029-01-01 10:02:00')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a schema 1 database: %v", err)
	}
	defer s.Close()
	// A registration made after the upgrade queues behind the old ones.
	if err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.RegisterLate("w1", Person{Name: "D", Email: "d@x.se"}, t0, 0, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	regs, err := s.Registrations(ctx, "w1")
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(regs); !slices.Equal(got, []string{"confirmed a@x.se 0", "waiting b@x.se 1", "waiting c@x.se 2", "waiting d@x.se 3"}) {
		t.Errorf("after upgrade: %q", got)
	}
}

func describe(regs []Registration) []string {
	var out []string
	for _, r := range regs {
		if r.Status == StatusCancelled {
			continue
		}
		out = append(out, r.Status+" "+r.Email+" "+string(rune('0'+r.Position)))
	}
	return out
}

func update(t *testing.T, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestSubstituteKeepsThePlace(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 1))
	a := register(t, s, "w1", "a@x.se", t0).Registration
	b := register(t, s, "w1", "b@x.se", t0.Add(time.Minute)).Registration
	register(t, s, "w1", "c@x.se", t0.Add(2*time.Minute))

	var ya, yb Registration
	update(t, s, func(tx *Tx) error {
		var err error
		if ya, err = tx.Substitute(a.ID, Person{Name: "Y", Email: "Y@x.se"}, t0.Add(time.Hour), 0, "org@x.se"); err != nil {
			return err
		}
		yb, err = tx.Substitute(b.ID, Person{Name: "Z", Email: "z@x.se"}, t0.Add(time.Hour), 0, "")
		return err
	})
	if ya.Status != StatusConfirmed || ya.Replaces != "a@x.se" || yb.Status != StatusWaiting || yb.Position != 1 {
		t.Errorf("substitutes: %+v / %+v", ya, yb)
	}
	regs, _ := s.Registrations(ctx, "w1")
	if got := describe(regs); !slices.Equal(got, []string{"confirmed y@x.se 0", "waiting z@x.se 1", "waiting c@x.se 2"}) {
		t.Errorf("after substitutions: %q", got)
	}
	for _, r := range regs {
		if r.Email == "a@x.se" && (r.Status != StatusCancelled || r.EndReason != EndSubstituted || r.ReplacedBy != "y@x.se") {
			t.Errorf("the replaced registration: %+v", r)
		}
	}
	ev, _ := s.Event(ctx, "w1")
	if ev.Substituted != 2 || ev.Confirmed != 1 {
		t.Errorf("event counts %+v", ev)
	}

	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Substitute(ya.ID, Person{Email: "c@x.se"}, t0, 0, "")
		return err
	})
	if !errors.Is(err, ErrAlreadyRegistered) {
		t.Errorf("substituting someone already registered: %v", err)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Substitute(a.ID, Person{Email: "q@x.se"}, t0, 0, "")
		return err
	})
	if !errors.Is(err, ErrNotLive) {
		t.Errorf("substituting a cancelled registration: %v", err)
	}
}

func TestPromoteOverCapacity(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 1))
	a := register(t, s, "w1", "a@x.se", t0).Registration
	b := register(t, s, "w1", "b@x.se", t0.Add(time.Minute)).Registration
	c := register(t, s, "w1", "c@x.se", t0.Add(2*time.Minute)).Registration

	var over bool
	update(t, s, func(tx *Tx) error {
		var err error
		_, over, err = tx.Promote(c.ID, t0.Add(time.Hour))
		return err
	})
	ev, _ := s.Event(ctx, "w1")
	if !over || ev.Confirmed != 2 || ev.OverCapacity != 1 || ev.Waiting != 1 {
		t.Fatalf("after promoting c beyond the seats: over %v, %+v", over, ev)
	}
	if err := s.Update(ctx, func(tx *Tx) error { _, _, err := tx.Promote(a.ID, t0); return err }); !errors.Is(err, ErrNotWaiting) {
		t.Errorf("promoting a confirmed registration: %v", err)
	}
	// a cancels: the freed seat absorbs c's over-capacity seat; b still waits.
	update(t, s, func(tx *Tx) error {
		if _, err := tx.Cancel(a.ID, t0.Add(2*time.Hour)); err != nil {
			return err
		}
		_, promoted, err := tx.PromoteNext("w1", t0.Add(2*time.Hour))
		if promoted {
			t.Error("someone was promoted into a seat taken by an over-capacity promotion")
		}
		return err
	})
	ev, _ = s.Event(ctx, "w1")
	if ev.Confirmed != 1 || ev.OverCapacity != 0 || ev.Waiting != 1 {
		t.Errorf("after a cancels: %+v", ev)
	}
	// More seats: b moves up.
	update(t, s, func(tx *Tx) error {
		if err := tx.SetSeats("w1", 2); err != nil {
			return err
		}
		r, ok, err := tx.PromoteNext("w1", t0.Add(3*time.Hour))
		if !ok || r.ID != b.ID {
			t.Errorf("PromoteNext after more seats = %+v, %v", r, ok)
		}
		return err
	})
}

func TestOffers(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 1))
	a := register(t, s, "w1", "a@x.se", t0).Registration
	b := register(t, s, "w1", "b@x.se", t0.Add(time.Minute)).Registration
	update(t, s, func(tx *Tx) error {
		if _, err := tx.Cancel(a.ID, t0.Add(time.Hour)); err != nil {
			return err
		}
		if _, _, err := tx.PromoteNext("w1", t0.Add(time.Hour)); err != nil {
			return err
		}
		return tx.OfferSeat(b.ID, t0.Add(time.Hour), t0.Add(25*time.Hour))
	})
	// The offer is in the database, so a restart (a new Store) still sees it.
	due, err := s.DueOffers(ctx, t0.Add(24*time.Hour))
	if err != nil || len(due) != 0 {
		t.Fatalf("offers due before the deadline: %v, %v", due, err)
	}
	due, err = s.DueOffers(ctx, t0.Add(25*time.Hour))
	if err != nil || len(due) != 1 || due[0].RegistrationID != b.ID {
		t.Fatalf("offers due at the deadline: %v, %v", due, err)
	}
	regs, _ := s.Registrations(ctx, "w1")
	if regs[0].Email != "b@x.se" || !regs[0].OfferUntil.Equal(t0.Add(25*time.Hour)) {
		t.Errorf("the offer is not shown on the registration: %+v", regs[0])
	}
	hasOffer := func(addr string) bool {
		var got bool
		update(t, s, func(tx *Tx) error {
			var err error
			got, err = tx.HasOpenOffer(addr)
			return err
		})
		return got
	}
	// The address is matched as the registration stores it, whatever its case.
	if !hasOffer("B@X.se") || hasOffer("a@x.se") || hasOffer("c@x.se") {
		t.Errorf("HasOpenOffer: b %v (want true), a %v, c %v (want false)", hasOffer("B@X.se"), hasOffer("a@x.se"), hasOffer("c@x.se"))
	}
	update(t, s, func(tx *Tx) error {
		r, err := tx.ExpireOffer(b.ID, t0.Add(25*time.Hour))
		if r.Status != StatusCancelled || r.EndReason != EndOfferExpired {
			t.Errorf("after expiry: %+v", r)
		}
		return err
	})
	if err := s.Update(ctx, func(tx *Tx) error { return tx.AcceptOffer(b.ID, t0) }); !errors.Is(err, ErrNoOffer) {
		t.Errorf("accepting an expired offer: %v", err)
	}
	if hasOffer("b@x.se") {
		t.Error("HasOpenOffer after the offer expired = true")
	}
}

func TestSentToAndAudit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 1))
	update(t, s, func(tx *Tx) error {
		_, err := tx.Enqueue(Outgoing{MessageID: "m1@bot", EnvelopeFrom: "bot@x.se", Recipients: []string{"A@x.se", "boss@x.se"},
			Raw: []byte("x"), Kind: "confirmation"}, t0)
		return err
	})
	for _, tc := range []struct {
		name string
		ids  []string
		addr string
		want int
	}{
		{"reply by the recipient", []string{"<m1@bot>"}, "a@X.se", 1},
		{"reply by someone in Cc", []string{"other@y", "m1@bot"}, "boss@x.se", 1},
		{"someone the mail was not sent to", []string{"m1@bot"}, "mallory@x.se", 0},
		{"a Message-ID we never sent", []string{"m2@bot"}, "a@x.se", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			update(t, s, func(tx *Tx) error {
				got, err := tx.SentTo(tc.ids, tc.addr)
				if len(got) != tc.want {
					t.Errorf("SentTo = %d mails, want %d", len(got), tc.want)
				}
				return err
			})
		})
	}

	update(t, s, func(tx *Tx) error {
		return tx.Audit(AuditEntry{At: t0, EventID: "w1", Action: "seats", Before: "1", After: "5", Sender: "Org@x.se"})
	})
	log, err := s.AuditLog(ctx, "w1")
	if err != nil || len(log) != 1 || log[0].Before != "1" || log[0].After != "5" || log[0].Sender != "org@x.se" || !log[0].At.Equal(t0) {
		t.Errorf("audit log = %+v, %v", log, err)
	}
}
