package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Person is who registers. Email is stored lower-cased, because addresses
// are matched case-insensitively; Name is kept as given, for display.
type Person struct {
	Name, Email, Organisation, Diet string
	// Language is the language the person's registration was written in
	// ("sv", "en"); empty when not known.
	Language string
}

// Registration statuses.
const (
	StatusConfirmed = "confirmed"
	StatusWaiting   = "waiting"
	StatusCancelled = "cancelled"
)

// Registration is one person's registration for one event.
type Registration struct {
	ID      int64
	EventID string
	Person
	// Status is StatusConfirmed, StatusWaiting or StatusCancelled.
	Status string
	// Position is the 1-based waiting-list position when waiting, else 0.
	// It is computed on read, as the rank among the waiting registrations
	// in arrival order, so it never has gaps.
	Position int
	// RegisteredAt is the arrival time of the mail that registered.
	RegisteredAt time.Time
	// MailID is the incoming mail that created it, 0 if none.
	MailID int64
	// RegisteredBy is the sender's address when someone else registered
	// this person, else empty.
	RegisteredBy string
	// OverCapacity is true for a seat an organiser gave beyond the seats.
	OverCapacity bool
	// Replaces is the address of the person whose place this registration
	// took over (a substitution), else empty.
	Replaces string
	// ReplacedBy is the address of the substitute who took this
	// registration's place, else empty.
	ReplacedBy string
	// EndReason says why a cancelled registration ended: EndCancelled,
	// EndSubstituted or EndOfferExpired; empty while it is live.
	EndReason string
	// OfferUntil is the deadline of an open offer of a seat, else zero.
	OfferUntil time.Time
}

// Reasons why a registration ended.
const (
	EndCancelled    = "cancelled"
	EndSubstituted  = "substituted"
	EndOfferExpired = "offer-expired"
)

// Outcome is what a registration attempt came to.
type Outcome string

// The outcomes of Register.
const (
	Confirmed         Outcome = "confirmed"
	Waiting           Outcome = "waiting"
	AlreadyRegistered Outcome = "already-registered"
	NotOpen           Outcome = "not-open"
	Closed            Outcome = "closed"
	// Past means that the event has started or taken place.
	Past Outcome = "past"
)

// RegisterResult is the outcome of Register. For AlreadyRegistered,
// Registration is the existing one with its current status and position;
// for NotOpen, Closed and Past it is the zero value.
type RegisterResult struct {
	Outcome      Outcome
	Registration Registration
}

// normEmail is the form in which addresses are stored and matched.
func normEmail(s string) string { return asciiLower(strings.TrimSpace(s)) }

// asciiLower lowercases ASCII letters only, as SQLite's lower() does:
// strings.ToLower would fold "\u212A" (KELVIN SIGN) to "k" and make a
// stranger's address someone else's.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// registrationTail reads the columns every registration query shares
// after the position: they follow the substitution links and the open offer.
const registrationTail = `r.registered_at, COALESCE(r.mail_id, 0), r.registered_by, r.over_capacity,
	COALESCE((SELECT x.email FROM registrations x WHERE x.id = r.replaces), ''),
	COALESCE((SELECT y.email FROM registrations y WHERE y.replaces = r.id ORDER BY y.id DESC LIMIT 1), ''),
	r.end_reason,
	(SELECT o.deadline FROM offers o WHERE o.registration_id = r.id AND o.status = 'open'), r.language`

// registrationSelect reads registrations with their waiting-list position.
// The queue order is seq (the arrival order, except that a substitute
// holds the place of the person replaced), so the position is the number
// of waiting registrations of the same event with a seq up to this one's.
const registrationSelect = `SELECT r.id, r.event_id, r.name, r.email, r.organisation, r.diet, r.status,
	CASE WHEN r.status = 'waiting' THEN
		(SELECT COUNT(*) FROM registrations w WHERE w.event_id = r.event_id AND w.status = 'waiting' AND w.seq <= r.seq)
	ELSE 0 END, ` + registrationTail + `
	FROM registrations r`

func scanRegistration(sc scanner) (Registration, error) {
	var (
		r         Registration
		at, offer sql.NullTime
	)
	err := sc.Scan(&r.ID, &r.EventID, &r.Name, &r.Email, &r.Organisation, &r.Diet, &r.Status, &r.Position,
		&at, &r.MailID, &r.RegisteredBy, &r.OverCapacity, &r.Replaces, &r.ReplacedBy, &r.EndReason, &offer, &r.Language)
	r.RegisteredAt = fromDB(at)
	r.OfferUntil = fromDB(offer)
	return r, err
}

// registration returns the registration with the given ID, or
// ErrNoRegistration.
func (tx *Tx) registration(id int64) (Registration, error) {
	r, err := scanRegistration(tx.queryRow(registrationSelect+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Registration{}, fmt.Errorf("registration %d: %w", id, ErrNoRegistration)
	}
	if err != nil {
		return Registration{}, fmt.Errorf("registration %d: %w", id, err)
	}
	return r, nil
}

// Register registers p for the event, deciding against at, the arrival
// time of the mail. In this order: before Opens gives NotOpen; at or after
// Starts gives Past; after Closes, or for an event removed from the config,
// gives Closed; a live (not cancelled) registration of the same address
// gives AlreadyRegistered. Otherwise a new registration is stored,
// confirmed while a seat is free and nobody is waiting, else waiting.
// mailID (0 for none) is the mail that asked, registeredBy the sender when
// registering someone else. It fails with ErrNoEvent for an unknown event,
// on an empty address and on database errors.
func (tx *Tx) Register(eventID string, p Person, at time.Time, mailID int64, registeredBy string) (RegisterResult, error) {
	return tx.register(eventID, p, at, mailID, registeredBy, true)
}

// RegisterLate registers p as Register does, but ignores the registration
// window (opens, closes and the start): an organiser may add someone at any
// time. An event removed from the config still gives Closed.
func (tx *Tx) RegisterLate(eventID string, p Person, at time.Time, mailID int64, registeredBy string) (RegisterResult, error) {
	return tx.register(eventID, p, at, mailID, registeredBy, false)
}

func (tx *Tx) register(eventID string, p Person, at time.Time, mailID int64, registeredBy string, window bool) (RegisterResult, error) {
	p.Email = normEmail(p.Email)
	if p.Email == "" {
		return RegisterResult{}, fmt.Errorf("register for %q: empty address", eventID)
	}
	ev, err := tx.Event(eventID)
	if err != nil {
		return RegisterResult{}, fmt.Errorf("register: %w", err)
	}
	switch {
	case ev.Removed:
		return RegisterResult{Outcome: Closed}, nil
	case !window:
	case !ev.Opens.IsZero() && at.Before(ev.Opens):
		return RegisterResult{Outcome: NotOpen}, nil
	case !at.Before(ev.Starts):
		return RegisterResult{Outcome: Past}, nil
	case !ev.Closes.IsZero() && at.After(ev.Closes):
		return RegisterResult{Outcome: Closed}, nil
	}
	existing, found, err := tx.FindRegistration(eventID, p.Email)
	if err != nil {
		return RegisterResult{}, fmt.Errorf("register: %w", err)
	}
	if found {
		return RegisterResult{Outcome: AlreadyRegistered, Registration: existing}, nil
	}
	// A newcomer gets a free seat only when nobody is waiting: a seat freed
	// without promotion (callers decide) belongs to the waiting list, which
	// is first come, first served.
	status, outcome := StatusWaiting, Waiting
	if ev.Confirmed < ev.EffectiveSeats() && ev.Waiting == 0 {
		status, outcome = StatusConfirmed, Confirmed
	}
	res, err := tx.exec(`INSERT INTO registrations
		(event_id, name, email, organisation, diet, status, registered_at, mail_id, registered_by, updated_at, language)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		eventID, strings.TrimSpace(p.Name), p.Email, p.Organisation, p.Diet, status, at.UTC(), nullID(mailID),
		normEmail(registeredBy), at.UTC(), p.Language)
	if err != nil {
		return RegisterResult{}, fmt.Errorf("register %s for %q: %w", p.Email, eventID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return RegisterResult{}, fmt.Errorf("register %s for %q: %w", p.Email, eventID, err)
	}
	r, err := tx.registration(id)
	if err != nil {
		return RegisterResult{}, fmt.Errorf("register: %w", err)
	}
	return RegisterResult{Outcome: outcome, Registration: r}, nil
}

// Cancel marks the registration cancelled (EndCancelled) and returns it
// updated. It does not promote anyone from the waiting list: callers
// decide, with PromoteNext. Cancelling a cancelled registration changes
// nothing. It fails with ErrNoRegistration for an unknown ID.
func (tx *Tx) Cancel(regID int64, at time.Time) (Registration, error) {
	return tx.end(regID, at, EndCancelled)
}

// end cancels a live registration for the given reason, withdraws its open
// offer, and lets a freed seat first absorb a seat given beyond capacity.
func (tx *Tx) end(regID int64, at time.Time, reason string) (Registration, error) {
	_, err := tx.exec(`UPDATE registrations SET status = 'cancelled', cancelled_at = ?, updated_at = ?, end_reason = ?
		WHERE id = ? AND status <> 'cancelled'`, at.UTC(), at.UTC(), reason, regID)
	if err != nil {
		return Registration{}, fmt.Errorf("cancel registration %d: %w", regID, err)
	}
	if _, err := tx.exec(`UPDATE offers SET status = 'withdrawn', closed_at = ? WHERE registration_id = ? AND status = 'open'`,
		at.UTC(), regID); err != nil {
		return Registration{}, fmt.Errorf("withdraw offer of registration %d: %w", regID, err)
	}
	r, err := tx.registration(regID)
	if err != nil {
		return Registration{}, fmt.Errorf("cancel: %w", err)
	}
	if err := tx.settleCapacity(r.EventID); err != nil {
		return Registration{}, fmt.Errorf("cancel: %w", err)
	}
	return r, nil
}

// PromoteNext confirms the first in the event's waiting list when fewer
// than the effective seats are confirmed, and returns that registration
// and true. It returns false when no seat is free or nobody waits, and
// fails with ErrNoEvent for an unknown event.
func (tx *Tx) PromoteNext(eventID string, at time.Time) (Registration, bool, error) {
	ev, err := tx.Event(eventID)
	if err != nil {
		return Registration{}, false, fmt.Errorf("promote: %w", err)
	}
	if ev.Confirmed >= ev.EffectiveSeats() || ev.Waiting == 0 {
		return Registration{}, false, nil
	}
	var id int64
	err = tx.queryRow(`SELECT id FROM registrations WHERE event_id = ? AND status = 'waiting' ORDER BY seq, id LIMIT 1`,
		eventID).Scan(&id)
	if err != nil {
		return Registration{}, false, fmt.Errorf("promote in %q: %w", eventID, err)
	}
	if _, err := tx.exec(`UPDATE registrations SET status = 'confirmed', updated_at = ? WHERE id = ?`, at.UTC(), id); err != nil {
		return Registration{}, false, fmt.Errorf("promote registration %d: %w", id, err)
	}
	r, err := tx.registration(id)
	if err != nil {
		return Registration{}, false, fmt.Errorf("promote: %w", err)
	}
	return r, true, nil
}

// FindRegistration returns the live (not cancelled) registration of the
// address for the event, matched case-insensitively, and whether there is
// one. It fails only on database errors.
func (tx *Tx) FindRegistration(eventID, email string) (Registration, bool, error) {
	r, err := scanRegistration(tx.queryRow(registrationSelect+
		` WHERE r.event_id = ? AND r.email = ? AND r.status <> 'cancelled'`, eventID, normEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return Registration{}, false, nil
	}
	if err != nil {
		return Registration{}, false, fmt.Errorf("find registration of %s for %q: %w", email, eventID, err)
	}
	return r, true, nil
}

// Registration returns the registration with the given ID. It fails with
// ErrNoRegistration when there is none.
func (tx *Tx) Registration(id int64) (Registration, error) {
	return tx.registration(id)
}

// Registrations returns the event's registrations: the confirmed in
// queue order (arrival, a substitute in the place of the one replaced), then the waiting by position, then the cancelled. It
// returns an empty list for an unknown event and fails only on database
// errors.
func (tx *Tx) Registrations(eventID string) ([]Registration, error) {
	// The window function numbers each status group in arrival order;
	// only the waiting group's number is a position.
	rows, err := tx.query(`SELECT r.id, r.event_id, r.name, r.email, r.organisation, r.diet, r.status,
		CASE WHEN r.status = 'waiting' THEN ROW_NUMBER() OVER (PARTITION BY r.status ORDER BY r.seq, r.id) ELSE 0 END,
		`+registrationTail+`
		FROM registrations r WHERE r.event_id = ?
		ORDER BY CASE r.status WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, r.seq, r.id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("list registrations of %q: %w", eventID, err)
	}
	defer rows.Close()
	var regs []Registration
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return nil, fmt.Errorf("list registrations of %q: %w", eventID, err)
		}
		regs = append(regs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list registrations of %q: %w", eventID, err)
	}
	return regs, nil
}

// Registrations returns the event's registrations as Tx.Registrations does.
func (s *Store) Registrations(ctx context.Context, eventID string) ([]Registration, error) {
	var regs []Registration
	err := s.Read(ctx, func(tx *Tx) error {
		var err error
		regs, err = tx.Registrations(eventID)
		return err
	})
	return regs, err
}
