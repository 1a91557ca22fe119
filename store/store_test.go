package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// t0 is a fixed reference time; the store has no clock, so tests pass times.
var t0 = time.Date(2025, 11, 20, 9, 0, 0, 0, time.UTC)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "anmalan.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// workshop is an event opening a week before t0 and closing a week after.
func workshop(id string, seats int) Event {
	return Event{
		ID: id, Title: "Workshop " + id, Location: "Göteborg",
		Starts: t0.Add(30 * 24 * time.Hour), Ends: t0.Add(30*24*time.Hour + 3*time.Hour),
		Opens: t0.Add(-7 * 24 * time.Hour), Closes: t0.Add(7 * 24 * time.Hour),
		Seats: seats,
	}
}

func mustSync(t *testing.T, s *Store, evs ...Event) {
	t.Helper()
	if err := s.SyncEvents(context.Background(), evs); err != nil {
		t.Fatalf("SyncEvents: %v", err)
	}
}

func register(t *testing.T, s *Store, eventID, email string, at time.Time) RegisterResult {
	t.Helper()
	var res RegisterResult
	err := s.Update(context.Background(), func(tx *Tx) error {
		var err error
		res, err = tx.Register(eventID, Person{Name: email, Email: email}, at, 0, "")
		return err
	})
	if err != nil {
		t.Fatalf("Register %s: %v", email, err)
	}
	return res
}

func TestOpenMigrates(t *testing.T) {
	ctx := context.Background()
	// A path with characters that mean something in a URI must still work.
	path := filepath.Join(t.TempDir(), "a dir?#%", "db file.sqlite")
	if err := mkdirAll(filepath.Dir(path)); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	mustSync(t, s, workshop("w1", 3))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at the path given: %v", err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer s.Close()
	evs, err := s.Events(ctx)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Events after reopen = %v, %v; want the one event", evs, err)
	}
	var v int
	var mode string
	if ms, _ := migrations(); s.db.QueryRow("PRAGMA user_version").Scan(&v) != nil || v != len(ms) {
		t.Errorf("user_version = %d; want %d, the number of migrations", v, len(ms))
	}
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "anmalan.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	ms, merr := migrations()
	if merr != nil {
		t.Fatal(merr)
	}
	var sv *SchemaVersionError
	if !errors.As(err, &sv) || sv.Have != 99 || sv.Supported != len(ms) {
		t.Errorf("error %v is not a SchemaVersionError{99, %d}", err, len(ms))
	}
	want := fmt.Sprintf("database schema version 99 is newer than this anmalan supports (%d); upgrade anmalan", len(ms))
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

func TestUpdateRollback(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 3))
	errBoom := errors.New("boom")
	err := s.Update(ctx, func(tx *Tx) error {
		res, err := tx.Register("w1", Person{Name: "Sara", Email: "sara@example.se"}, t0, 0, "")
		if err != nil {
			return err
		}
		if _, err := tx.Enqueue(Outgoing{MessageID: "x@anmalan.example", Recipients: []string{"sara@example.se"},
			Raw: []byte("hi"), Kind: "confirmation", RegistrationID: res.Registration.ID}, t0); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	regs, err := s.Registrations(ctx, "w1")
	if err != nil || len(regs) != 0 {
		t.Errorf("Registrations after rollback = %v, %v; want none", regs, err)
	}
	out, err := s.Outgoing(ctx, "")
	if err != nil || len(out) != 0 {
		t.Errorf("Outgoing after rollback = %v, %v; want none", out, err)
	}
}

func TestUpdateCanceledContext(t *testing.T) {
	s := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Update(ctx, func(*Tx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context = %v, want context.Canceled", err)
	}
}
