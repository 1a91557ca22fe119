package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func TestRegisterConcurrent(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 30))

	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx *Tx) error {
				p := Person{Name: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@example.se", i)}
				_, err := tx.Register("w1", p, t0.Add(time.Duration(i)*time.Second), 0, "")
				return err
			})
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Register: %v", err)
	}

	regs, err := s.Registrations(ctx, "w1")
	if err != nil {
		t.Fatal(err)
	}
	var confirmed int
	var positions []int
	for _, r := range regs {
		switch r.Status {
		case StatusConfirmed:
			confirmed++
		case StatusWaiting:
			positions = append(positions, r.Position)
		default:
			t.Errorf("unexpected status %q", r.Status)
		}
	}
	if confirmed != 30 || len(positions) != 170 {
		t.Fatalf("confirmed %d, waiting %d; want 30 and 170", confirmed, len(positions))
	}
	sort.Ints(positions)
	for i, p := range positions {
		if p != i+1 {
			t.Fatalf("sorted positions[%d] = %d; want 1..170 without gap or repeat", i, p)
		}
	}
	ev, err := s.Event(ctx, "w1")
	if err != nil || ev.Confirmed != 30 || ev.Waiting != 170 {
		t.Errorf("Event counts = %+v, %v", ev, err)
	}
}

func TestRegisterRules(t *testing.T) {
	ev := workshop("w1", 2)
	tests := []struct {
		name  string
		prior []string // addresses registered before, at t0, in order
		// cancel is an address among prior to cancel before registering.
		cancel       string
		email        string
		at           time.Time
		want         Outcome
		wantStatus   string
		wantPosition int
	}{
		{name: "open", email: "a@example.se", at: t0, want: Confirmed, wantStatus: StatusConfirmed},
		{name: "no bound open", email: "a@example.se", at: ev.Opens, want: Confirmed, wantStatus: StatusConfirmed},
		{name: "not yet open", email: "a@example.se", at: ev.Opens.Add(-time.Second), want: NotOpen},
		{name: "after closes", email: "a@example.se", at: ev.Closes.Add(time.Nanosecond), want: Closed},
		{name: "exactly at closes", email: "a@example.se", at: ev.Closes, want: Confirmed, wantStatus: StatusConfirmed},
		{name: "at start", email: "a@example.se", at: ev.Starts, want: Past},
		{name: "after the event", email: "a@example.se", at: ev.Ends.Add(time.Hour), want: Past},
		{name: "duplicate other case", prior: []string{"a@example.se"}, email: "A@Example.SE", at: t0,
			want: AlreadyRegistered, wantStatus: StatusConfirmed},
		{name: "duplicate waiting", prior: []string{"a@example.se", "b@example.se", "c@example.se", "d@example.se"},
			email: " D@example.se", at: t0, want: AlreadyRegistered, wantStatus: StatusWaiting, wantPosition: 2},
		{name: "full", prior: []string{"a@example.se", "b@example.se"}, email: "c@example.se", at: t0,
			want: Waiting, wantStatus: StatusWaiting, wantPosition: 1},
		{name: "full second", prior: []string{"a@example.se", "b@example.se", "c@example.se"}, email: "d@example.se",
			at: t0, want: Waiting, wantStatus: StatusWaiting, wantPosition: 2},
		{name: "re-register after cancel", prior: []string{"a@example.se"}, cancel: "a@example.se",
			email: "a@example.se", at: t0, want: Confirmed, wantStatus: StatusConfirmed},
		{name: "freed seat goes to the waiting list first",
			prior:  []string{"a@example.se", "b@example.se", "c@example.se"},
			cancel: "a@example.se", email: "d@example.se", at: t0,
			want: Waiting, wantStatus: StatusWaiting, wantPosition: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t)
			e := ev
			if tc.name == "no bound open" {
				e.Opens, e.Closes = time.Time{}, time.Time{}
			}
			mustSync(t, s, e)
			for _, addr := range tc.prior {
				register(t, s, "w1", addr, t0)
			}
			if tc.cancel != "" {
				err := s.Update(ctx, func(tx *Tx) error {
					r, ok, err := tx.FindRegistration("w1", tc.cancel)
					if err != nil || !ok {
						return fmt.Errorf("find %s: %v %v", tc.cancel, ok, err)
					}
					_, err = tx.Cancel(r.ID, t0)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			at := tc.at
			if tc.name == "no bound open" {
				at = t0.Add(-365 * 24 * time.Hour)
			}
			got := register(t, s, "w1", tc.email, at)
			if got.Outcome != tc.want {
				t.Fatalf("Outcome = %q, want %q", got.Outcome, tc.want)
			}
			r := got.Registration
			if tc.wantStatus == "" {
				if r != (Registration{}) {
					t.Errorf("Registration = %+v, want zero", r)
				}
				return
			}
			if r.Status != tc.wantStatus || r.Position != tc.wantPosition {
				t.Errorf("status %q position %d; want %q %d", r.Status, r.Position, tc.wantStatus, tc.wantPosition)
			}
			if r.Email != strings.ToLower(strings.TrimSpace(tc.email)) || r.ID == 0 || r.EventID != "w1" {
				t.Errorf("Registration = %+v", r)
			}
		})
	}
}

func TestRegisterKeepsDetails(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 2))
	st, err := s.RecordMail(ctx, MailRecord{Key: "m1@example.se", Mailbox: "INBOX", UIDValidity: 1, UID: 1,
		Received: t0, Raw: []byte("raw")})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 11, 20, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	var res RegisterResult
	err = s.Update(ctx, func(tx *Tx) error {
		res, err = tx.Register("w1", Person{Name: "Åsa Öberg", Email: "Asa.Oberg@Example.se",
			Organisation: "Göteborgs Stad", Diet: "vegan"}, at, st.ID, "Chef@Example.se")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Registration{ID: res.Registration.ID, EventID: "w1",
		Person: Person{Name: "Åsa Öberg", Email: "asa.oberg@example.se", Organisation: "Göteborgs Stad", Diet: "vegan"},
		Status: StatusConfirmed, RegisteredAt: at.UTC(), MailID: st.ID, RegisteredBy: "chef@example.se"}
	regs, err := s.Registrations(ctx, "w1")
	if err != nil || len(regs) != 1 {
		t.Fatalf("Registrations = %v, %v", regs, err)
	}
	if regs[0] != want || res.Registration != want {
		t.Errorf("stored %+v\nreturned %+v\nwant %+v", regs[0], res.Registration, want)
	}
	if loc := regs[0].RegisteredAt.Location(); loc != time.UTC {
		t.Errorf("RegisteredAt location %v, want UTC", loc)
	}
}

func TestRegisterUnknownEvent(t *testing.T) {
	s := openTest(t)
	err := s.Update(context.Background(), func(tx *Tx) error {
		_, err := tx.Register("nope", Person{Email: "a@example.se"}, t0, 0, "")
		return err
	})
	if !errors.Is(err, ErrNoEvent) {
		t.Errorf("Register for an unknown event = %v, want ErrNoEvent", err)
	}
	if _, err := s.Event(context.Background(), "nope"); !errors.Is(err, ErrNoEvent) {
		t.Errorf("Event(nope) = %v, want ErrNoEvent", err)
	}
}

func TestCancelAndPromote(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("w1", 2))
	ids := map[string]int64{}
	for _, a := range []string{"a", "b", "c", "d", "e"} {
		ids[a] = register(t, s, "w1", a+"@example.se", t0).Registration.ID
	}
	// A waiting registration leaving renumbers the ones behind it.
	var promoted Registration
	var ok bool
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.Cancel(ids["d"], t0.Add(time.Hour)); err != nil {
			return err
		}
		c, err := tx.Cancel(ids["a"], t0.Add(time.Hour))
		if err != nil {
			return err
		}
		if c.Status != StatusCancelled || c.Position != 0 {
			return fmt.Errorf("cancelled registration = %+v", c)
		}
		promoted, ok, err = tx.PromoteNext("w1", t0.Add(time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !ok || promoted.ID != ids["c"] || promoted.Status != StatusConfirmed || promoted.Position != 0 {
		t.Fatalf("PromoteNext = %+v, %v; want c confirmed", promoted, ok)
	}
	regs, err := s.Registrations(ctx, "w1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range regs {
		got = append(got, fmt.Sprintf("%s:%s:%d", strings.TrimSuffix(r.Email, "@example.se"), r.Status, r.Position))
	}
	want := "b:confirmed:0 c:confirmed:0 e:waiting:1 a:cancelled:0 d:cancelled:0"
	if strings.Join(got, " ") != want {
		t.Errorf("Registrations = %s\nwant %s", strings.Join(got, " "), want)
	}

	// No free seat: nobody moves.
	err = s.Update(ctx, func(tx *Tx) error {
		_, ok, err = tx.PromoteNext("w1", t0)
		return err
	})
	if err != nil || ok {
		t.Errorf("PromoteNext with no free seat = %v, %v; want false", ok, err)
	}

	// A seat override frees a seat for the next in line.
	err = s.Update(ctx, func(tx *Tx) error {
		if err := tx.SetSeats("w1", 3); err != nil {
			return err
		}
		promoted, ok, err = tx.PromoteNext("w1", t0)
		return err
	})
	if err != nil || !ok || promoted.ID != ids["e"] {
		t.Errorf("PromoteNext after override = %+v, %v, %v; want e", promoted, ok, err)
	}
	ev, err := s.Event(ctx, "w1")
	if err != nil || ev.EffectiveSeats() != 3 || ev.Confirmed != 3 || ev.Waiting != 0 || ev.Cancelled != 2 {
		t.Errorf("Event = %+v (effective %d), %v", ev, ev.EffectiveSeats(), err)
	}

	err = s.Update(ctx, func(tx *Tx) error {
		_, err := tx.Cancel(99999, t0)
		return err
	})
	if !errors.Is(err, ErrNoRegistration) {
		t.Errorf("Cancel of an unknown registration = %v, want ErrNoRegistration", err)
	}
}

func TestSyncEvents(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSync(t, s, workshop("keep", 2), workshop("used", 2), workshop("unused", 2))
	register(t, s, "used", "a@example.se", t0)
	if err := s.Update(ctx, func(tx *Tx) error { return tx.SetSeats("keep", 5) }); err != nil {
		t.Fatal(err)
	}

	changed := workshop("keep", 4)
	changed.Title = "New title"
	changed.Starts = t0.Add(-time.Hour) // now first by start time
	mustSync(t, s, changed)

	evs, err := s.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("Events = %+v; want keep and used", evs)
	}
	if e := evs[0]; e.ID != "keep" || e.Title != "New title" || e.Seats != 4 || e.SeatsOverride != 5 || e.Removed ||
		!e.Starts.Equal(changed.Starts) || !e.Opens.Equal(changed.Opens) {
		t.Errorf("updated event = %+v", e)
	}
	if e := evs[1]; e.ID != "used" || !e.Removed || e.Confirmed != 1 {
		t.Errorf("event with registrations = %+v; want it kept and removed", e)
	}
	if _, err := s.Event(ctx, "unused"); !errors.Is(err, ErrNoEvent) {
		t.Errorf("Event(unused) = %v; want it deleted", err)
	}
	// A removed event takes no registrations; it comes back with the config.
	if got := register(t, s, "used", "b@example.se", t0); got.Outcome != Closed {
		t.Errorf("Register for a removed event = %q, want closed", got.Outcome)
	}
	mustSync(t, s, workshop("used", 2))
	if e, err := s.Event(ctx, "used"); err != nil || e.Removed {
		t.Errorf("event back in the config = %+v, %v", e, err)
	}

	for _, bad := range [][]Event{{{Title: "no id", Starts: t0}}, {workshop("x", 1), workshop("x", 1)}} {
		if err := s.SyncEvents(ctx, bad); err == nil {
			t.Errorf("SyncEvents(%v) succeeded", bad)
		}
	}
}

// TestRegisterTwoProcesses registers through two Stores on one file, as two
// processes would: their write transactions meet in SQLite's lock, not in
// the in-process queue, and BEGIN IMMEDIATE with busy_timeout must still
// keep the seat count right without "database is locked".
func TestRegisterTwoProcesses(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/shared.db"
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	mustSync(t, stores[0], workshop("w1", 30))

	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- stores[i%2].Update(ctx, func(tx *Tx) error {
				_, err := tx.Register("w1", Person{Email: fmt.Sprintf("p%d@example.se", i)}, t0, 0, "")
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Register: %v", err)
		}
	}
	ev, err := stores[1].Event(ctx, "w1")
	if err != nil || ev.Confirmed != 30 || ev.Waiting != n-30 {
		t.Errorf("Event = %+v, %v; want 30 confirmed, %d waiting", ev, err, n-30)
	}
}

// TestRegistrationKeepsItsLanguage: the language a person wrote in is kept
// with the registration (and with a substitute's), so later mail about it
// is written in that language without reading the mail again.
func TestRegistrationKeepsItsLanguage(t *testing.T) {
	s := openTest(t)
	mustSync(t, s, workshop("w1", 2))
	err := s.Update(context.Background(), func(tx *Tx) error {
		r, err := tx.Register("w1", Person{Name: "Ann Ek", Email: "ann@example.se", Language: "en"}, t0, 0, "")
		if err != nil {
			return err
		}
		if _, err := tx.Substitute(r.Registration.ID, Person{Name: "Bo Ek", Email: "bo@example.se", Language: "sv"}, t0.Add(time.Minute), 0, ""); err != nil {
			return err
		}
		regs, err := tx.Registrations("w1")
		if err != nil {
			return err
		}
		got := map[string]string{}
		for _, r := range regs {
			got[r.Email] = r.Language
		}
		if got["ann@example.se"] != "en" || got["bo@example.se"] != "sv" {
			t.Errorf("languages %v, want ann en and bo sv", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
