package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors of the changes an organiser or a participant asks for.
var (
	// ErrNotLive means that the registration is cancelled.
	ErrNotLive = errors.New("registration is cancelled")
	// ErrNotWaiting means that the registration is not on the waiting list.
	ErrNotWaiting = errors.New("registration is not waiting")
	// ErrAlreadyRegistered means that the address already has a live
	// registration for the event.
	ErrAlreadyRegistered = errors.New("already registered")
	// ErrNoOffer means that the registration has no open offer.
	ErrNoOffer = errors.New("no open offer")
)

// Substitute gives the place of the live registration regID to p: p gets
// a new registration with the same status, queue place and over-capacity
// mark, which records whom it replaces, and regID ends as EndSubstituted.
// An open offer of the one replaced is withdrawn: the substitute is
// confirmed outright. It returns the new registration. It fails with
// ErrNoRegistration, with ErrNotLive for a cancelled registration, with
// ErrAlreadyRegistered when p's address is registered for the event, on an
// empty address and on database errors.
func (tx *Tx) Substitute(regID int64, p Person, at time.Time, mailID int64, registeredBy string) (Registration, error) {
	p.Email = normEmail(p.Email)
	if p.Email == "" {
		return Registration{}, fmt.Errorf("substitute for registration %d: empty address", regID)
	}
	old, err := tx.registration(regID)
	if err != nil {
		return Registration{}, fmt.Errorf("substitute: %w", err)
	}
	if old.Status == StatusCancelled {
		return Registration{}, fmt.Errorf("substitute for registration %d: %w", regID, ErrNotLive)
	}
	if _, found, err := tx.FindRegistration(old.EventID, p.Email); err != nil {
		return Registration{}, fmt.Errorf("substitute: %w", err)
	} else if found {
		return Registration{}, fmt.Errorf("substitute %s for registration %d: %w", p.Email, regID, ErrAlreadyRegistered)
	}
	var seq int64
	var over bool
	if err := tx.queryRow(`SELECT seq, over_capacity FROM registrations WHERE id = ?`, regID).Scan(&seq, &over); err != nil {
		return Registration{}, fmt.Errorf("substitute for registration %d: %w", regID, err)
	}
	// The old registration ends first: one live registration per address,
	// and the capacity check must not see both.
	if _, err := tx.exec(`UPDATE registrations SET status = 'cancelled', cancelled_at = ?, updated_at = ?, end_reason = ?
		WHERE id = ?`, at.UTC(), at.UTC(), EndSubstituted, regID); err != nil {
		return Registration{}, fmt.Errorf("substitute for registration %d: %w", regID, err)
	}
	if _, err := tx.exec(`UPDATE offers SET status = 'withdrawn', closed_at = ? WHERE registration_id = ? AND status = 'open'`,
		at.UTC(), regID); err != nil {
		return Registration{}, fmt.Errorf("substitute for registration %d: %w", regID, err)
	}
	res, err := tx.exec(`INSERT INTO registrations
		(event_id, name, email, organisation, diet, status, registered_at, mail_id, registered_by, updated_at,
		 seq, over_capacity, replaces, language)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		old.EventID, strings.TrimSpace(p.Name), p.Email, p.Organisation, p.Diet, old.Status, at.UTC(), nullID(mailID),
		normEmail(registeredBy), at.UTC(), seq, over, regID, p.Language)
	if err != nil {
		return Registration{}, fmt.Errorf("substitute %s for registration %d: %w", p.Email, regID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Registration{}, fmt.Errorf("substitute %s: %w", p.Email, err)
	}
	return tx.registration(id)
}

// Promote confirms the waiting registration regID even when every seat is
// taken; such a seat is marked over capacity. It returns the registration
// and whether it is over capacity. It fails with ErrNoRegistration, with
// ErrNotWaiting when the registration is not waiting, and on database errors.
func (tx *Tx) Promote(regID int64, at time.Time) (Registration, bool, error) {
	r, err := tx.registration(regID)
	if err != nil {
		return Registration{}, false, fmt.Errorf("promote: %w", err)
	}
	if r.Status != StatusWaiting {
		return Registration{}, false, fmt.Errorf("promote registration %d (%s): %w", regID, r.Status, ErrNotWaiting)
	}
	ev, err := tx.Event(r.EventID)
	if err != nil {
		return Registration{}, false, fmt.Errorf("promote: %w", err)
	}
	over := ev.Confirmed >= ev.EffectiveSeats()
	if _, err := tx.exec(`UPDATE registrations SET status = 'confirmed', over_capacity = ?, updated_at = ? WHERE id = ?`,
		over, at.UTC(), regID); err != nil {
		return Registration{}, false, fmt.Errorf("promote registration %d: %w", regID, err)
	}
	r, err = tx.registration(regID)
	if err != nil {
		return Registration{}, false, fmt.Errorf("promote: %w", err)
	}
	return r, over, nil
}

// settleCapacity keeps the over-capacity marks honest: exactly the
// confirmed seats beyond the event's seats are marked. A seat that frees up
// (or a larger seat count) first absorbs a seat given beyond capacity, the
// earliest first; fewer seats than confirmed people (nobody is removed)
// marks the latest confirmed as beyond capacity.
func (tx *Tx) settleCapacity(eventID string) error {
	ev, err := tx.Event(eventID)
	if err != nil {
		return fmt.Errorf("settle capacity: %w", err)
	}
	excess := ev.OverCapacity - max(0, ev.Confirmed-ev.EffectiveSeats())
	switch {
	case excess > 0:
		_, err = tx.exec(`UPDATE registrations SET over_capacity = 0 WHERE id IN (
			SELECT id FROM registrations WHERE event_id = ? AND status = 'confirmed' AND over_capacity = 1
			ORDER BY seq, id LIMIT ?)`, eventID, excess)
	case excess < 0:
		_, err = tx.exec(`UPDATE registrations SET over_capacity = 1 WHERE id IN (
			SELECT id FROM registrations WHERE event_id = ? AND status = 'confirmed' AND over_capacity = 0
			ORDER BY seq DESC, id DESC LIMIT ?)`, eventID, -excess)
	}
	if err != nil {
		return fmt.Errorf("settle capacity of %q: %w", eventID, err)
	}
	return nil
}

// Offer is a seat offered to someone moved up from the waiting list.
type Offer struct {
	RegistrationID int64
	EventID        string
	OfferedAt      time.Time
	Deadline       time.Time
}

// OfferSeat records an open offer for the confirmed registration regID,
// to be accepted by deadline. It fails on database errors, and when the
// registration already had an offer.
func (tx *Tx) OfferSeat(regID int64, at, deadline time.Time) error {
	_, err := tx.exec(`INSERT INTO offers (registration_id, event_id, offered_at, deadline)
		SELECT id, event_id, ?, ? FROM registrations WHERE id = ?`, at.UTC(), deadline.UTC(), regID)
	if err != nil {
		return fmt.Errorf("offer seat to registration %d: %w", regID, err)
	}
	return nil
}

// AcceptOffer closes the open offer of regID as accepted. It fails with
// ErrNoOffer when there is no open offer.
func (tx *Tx) AcceptOffer(regID int64, at time.Time) error {
	res, err := tx.exec(`UPDATE offers SET status = 'accepted', closed_at = ? WHERE registration_id = ? AND status = 'open'`,
		at.UTC(), regID)
	if err != nil {
		return fmt.Errorf("accept offer of registration %d: %w", regID, err)
	}
	if err := affectedOne(res, ErrNoOffer); err != nil {
		return fmt.Errorf("accept offer of registration %d: %w", regID, err)
	}
	return nil
}

// ExpireOffer closes the open offer of regID as expired and cancels the
// registration (EndOfferExpired), which frees its seat; callers promote the
// next. It fails with ErrNoOffer when there is no open offer.
func (tx *Tx) ExpireOffer(regID int64, at time.Time) (Registration, error) {
	res, err := tx.exec(`UPDATE offers SET status = 'expired', closed_at = ? WHERE registration_id = ? AND status = 'open'`,
		at.UTC(), regID)
	if err != nil {
		return Registration{}, fmt.Errorf("expire offer of registration %d: %w", regID, err)
	}
	if err := affectedOne(res, ErrNoOffer); err != nil {
		return Registration{}, fmt.Errorf("expire offer of registration %d: %w", regID, err)
	}
	return tx.end(regID, at, EndOfferExpired)
}

// HasOpenOffer reports whether the address holds an open offer of a seat
// in any event. It is the cheap question asked of every reply before the
// full lookups of an acceptance: almost no sender holds an offer, and the
// open offers are few and indexed. It fails only on database errors.
func (tx *Tx) HasOpenOffer(email string) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT COUNT(*) FROM offers o JOIN registrations r ON r.id = o.registration_id
		WHERE o.status = 'open' AND r.email = ? AND r.status <> 'cancelled'`, normEmail(email)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("open offer of %s: %w", email, err)
	}
	return n > 0, nil
}

// DueOffers returns the open offers whose deadline is at or before now,
// earliest first. It fails only on database errors.
func (tx *Tx) DueOffers(now time.Time) ([]Offer, error) {
	rows, err := tx.query(`SELECT registration_id, event_id, offered_at, deadline FROM offers
		WHERE status = 'open' AND deadline <= ? ORDER BY deadline, registration_id`, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("due offers: %w", err)
	}
	defer rows.Close()
	var out []Offer
	for rows.Next() {
		var o Offer
		var at, dl sql.NullTime
		if err := rows.Scan(&o.RegistrationID, &o.EventID, &at, &dl); err != nil {
			return nil, fmt.Errorf("due offers: %w", err)
		}
		o.OfferedAt, o.Deadline = fromDB(at), fromDB(dl)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due offers: %w", err)
	}
	return out, nil
}

// DueOffers returns the open offers due at now, as Tx.DueOffers does.
func (s *Store) DueOffers(ctx context.Context, now time.Time) ([]Offer, error) {
	var out []Offer
	err := s.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.DueOffers(now)
		return err
	})
	return out, err
}

// AuditEntry is one change in the audit log.
type AuditEntry struct {
	ID             int64
	At             time.Time
	EventID        string
	RegistrationID int64
	// Action is what was done: "register", "cancel", "substitute",
	// "promote", "seats", "offer", "accept", "offer-expired" ….
	Action string
	// Before and After describe the state the change went from and to.
	Before, After string
	// MailID is the mail that asked for the change, 0 for none (a timer).
	MailID int64
	// Sender is the address of that mail's sender, or who acted.
	Sender string
}

// Audit appends e to the audit log. It fails on a missing event ID or
// action, and on database errors.
func (tx *Tx) Audit(e AuditEntry) error {
	if e.EventID == "" || e.Action == "" {
		return fmt.Errorf("audit: event %q action %q: both are required", e.EventID, e.Action)
	}
	_, err := tx.exec(`INSERT INTO audit (at, event_id, registration_id, action, before, after, mail_id, sender)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.At.UTC(), e.EventID, nullID(e.RegistrationID), e.Action, e.Before, e.After,
		nullID(e.MailID), normEmail(e.Sender))
	if err != nil {
		return fmt.Errorf("audit %s of %q: %w", e.Action, e.EventID, err)
	}
	return nil
}

// AuditLog returns the event's audit log, oldest first. It fails only on
// database errors.
func (s *Store) AuditLog(ctx context.Context, eventID string) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT id, at, event_id, COALESCE(registration_id, 0), action, before, after,
			COALESCE(mail_id, 0), sender FROM audit WHERE event_id = ? ORDER BY id`, eventID)
		if err != nil {
			return fmt.Errorf("audit log of %q: %w", eventID, err)
		}
		defer rows.Close()
		for rows.Next() {
			var e AuditEntry
			var at sql.NullTime
			if err := rows.Scan(&e.ID, &at, &e.EventID, &e.RegistrationID, &e.Action, &e.Before, &e.After,
				&e.MailID, &e.Sender); err != nil {
				return fmt.Errorf("audit log of %q: %w", eventID, err)
			}
			e.At = fromDB(at)
			out = append(out, e)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("audit log of %q: %w", eventID, err)
		}
		return nil
	})
	return out, err
}

// SentTo returns the outbox mails whose Message-ID is one of ids and whose
// recipients include addr (ignoring case), newest first: a reply that
// names one of them in In-Reply-To or References answers a mail we really
// sent to that address. It fails only on database errors.
func (tx *Tx) SentTo(ids []string, addr string) ([]Outgoing, error) {
	addr = normEmail(addr)
	var out []Outgoing
	seen := map[string]bool{}
	for _, id := range ids {
		id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
		if id == "" || seen[id] || addr == "" {
			continue
		}
		seen[id] = true
		o, err := scanOutgoing(tx.queryRow(`SELECT `+outgoingColumns+` FROM outbox
			WHERE message_id = ? AND EXISTS (SELECT 1 FROM json_each(outbox.recipients) WHERE lower(value) = ?)`, id, addr), false)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("sent to %s: %w", addr, err)
		}
		out = append(out, o)
	}
	// Newest first: the latest mail of the thread says most about it.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// RecordBounce records that a bounce (mailID) reported addr as failing.
// It fails only on database errors.
func (tx *Tx) RecordBounce(addr string, mailID int64, at time.Time) error {
	if _, err := tx.exec(`INSERT INTO bounces (address, mail_id, at) VALUES (?, ?, ?)`, normEmail(addr), nullID(mailID), at.UTC()); err != nil {
		return fmt.Errorf("record bounce of %s: %w", addr, err)
	}
	return nil
}

// Bounced returns the addresses that bounced: reported by a bounce, or
// refused for good by the SMTP server; each once, sorted. It fails only on
// database errors.
func (tx *Tx) Bounced() ([]string, error) {
	rows, err := tx.query(`SELECT address FROM bounces
		UNION SELECT lower(j.value) FROM outbox, json_each(outbox.recipients) j WHERE outbox.status = 'failed'
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("bounced addresses: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("bounced addresses: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
