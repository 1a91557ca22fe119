package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestUpgradeFromSchema6 builds a database of schema 6 from the frozen
// migration files 0001–0006, with a registration in it, and opens it: the
// registration is kept and a question can be asked about it.
func TestUpgradeFromSchema7(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:7] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	for _, q := range []string{`PRAGMA user_version = 7`,
		`INSERT INTO events (id, title, starts, ends, seats) VALUES ('w1', 'W', '2030-01-01 10:00:00', '2030-01-01 12:00:00', 1)`,
		`INSERT INTO registrations (event_id, name, email, status, registered_at, updated_at) VALUES
			('w1', 'A', 'a@x.se', 'confirmed', '2029-01-01 10:00:00', '2029-01-01 10:00:00')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a schema 6 database: %v", err)
	}
	defer s.Close()
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(ms) {
		t.Fatalf("user_version = %d, %v; want %d", v, err, len(ms))
	}
	err = s.Update(ctx, func(tx *Tx) error {
		r, ok, err := tx.FindRegistration("w1", "a@x.se")
		if err != nil || !ok {
			return errors.Join(err, errors.New("the old registration is gone"))
		}
		_, err = tx.AskConfirmation(Confirmation{MessageID: "<q1@bot>", Address: "A@x.se", EventID: "w1", RegistrationID: r.ID,
			Action: ConfirmCancel, AskedAt: t0})
		return err
	})
	if err != nil {
		t.Fatalf("asking after the upgrade: %v", err)
	}
}

// TestConfirmationBinding: a question is found only by its own Message-ID
// and only for the address it was sent to; a newer question about the same
// registration supersedes it; a closed question is not found again.
func TestConfirmationBinding(t *testing.T) {
	s := openTest(t)
	mustSync(t, s, workshop("w1", 3))
	reg := register(t, s, "w1", "a@x.se", t0).Registration
	ctx := context.Background()
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.AskConfirmation(Confirmation{MessageID: "q1@bot", Address: "a@x.se", EventID: "w1", RegistrationID: reg.ID,
			Action: ConfirmCancel, Text: "om jag inte hinner", AskedAt: t0}); err != nil {
			return err
		}
		for _, tc := range []struct {
			name string
			ids  []string
			addr string
			want bool
		}{
			{"its own id, its address", []string{"<other@x>", "<q1@bot>"}, "A@X.se", true},
			{"another address", []string{"<q1@bot>"}, "b@x.se", false},
			{"another id", []string{"<q2@bot>"}, "a@x.se", false},
			{"no ids", nil, "a@x.se", false},
		} {
			c, ok, err := tx.OpenConfirmation(tc.ids, tc.addr)
			if err != nil {
				return err
			}
			if ok != tc.want || ok && (c.Action != ConfirmCancel || c.RegistrationID != reg.ID || c.Text != "om jag inte hinner") {
				t.Errorf("%s: OpenConfirmation = %+v, %v; want found %v", tc.name, c, ok, tc.want)
			}
		}
		if _, err := tx.AskConfirmation(Confirmation{MessageID: "q2@bot", Address: "a@x.se", EventID: "w1", RegistrationID: reg.ID,
			Action: ConfirmCancel, AskedAt: t0}); err != nil {
			return err
		}
		if _, ok, _ := tx.OpenConfirmation([]string{"q1@bot"}, "a@x.se"); ok {
			t.Error("the first question is still open after a newer one")
		}
		c, ok, err := tx.OpenConfirmation([]string{"q2@bot"}, "a@x.se")
		if err != nil || !ok {
			t.Fatalf("the newer question is not open: %v", err)
		}
		if err := tx.CloseConfirmation(c.ID, ConfirmDone, t0); err != nil {
			return err
		}
		if err := tx.CloseConfirmation(c.ID, ConfirmDone, t0); !errors.Is(err, ErrConfirmationClosed) {
			t.Errorf("closing twice: %v; want ErrConfirmationClosed", err)
		}
		all, err := tx.Confirmations("w1")
		if err != nil {
			return err
		}
		if len(all) != 2 || all[0].Outcome != ConfirmSuperseded || all[1].Outcome != ConfirmDone {
			t.Errorf("confirmations = %+v; want superseded, done", all)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
