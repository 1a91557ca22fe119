package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ConfirmAction is the change a confirmation carries out on a YES.
type ConfirmAction string

// The changes a confirmation may carry out: each takes a seat from someone
// or gives one.
const (
	ConfirmCancel     ConfirmAction = "cancel"
	ConfirmSubstitute ConfirmAction = "substitute"
	ConfirmForget     ConfirmAction = "forget"
	ConfirmAccept     ConfirmAction = "accept"
)

// ConfirmOutcome is how a confirmation was closed.
type ConfirmOutcome string

// The ways a confirmation is closed.
const (
	ConfirmOpen       ConfirmOutcome = ""
	ConfirmDone       ConfirmOutcome = "done"       // a YES carried it out
	ConfirmDeclined   ConfirmOutcome = "declined"   // the answer was not a YES
	ConfirmSuperseded ConfirmOutcome = "superseded" // a newer question to the same address
)

// Confirmation is a question the bot asked before a change it was not
// sure of, bound to the Message-ID of the question and the address it went
// to.
type Confirmation struct {
	ID             int64
	MessageID      string
	Address        string
	EventID        string
	RegistrationID int64
	Action         ConfirmAction
	ByName         string
	ByEmail        string
	Text           string
	MailID         int64
	AskedAt        time.Time
	AnsweredAt     time.Time
	Outcome        ConfirmOutcome
}

// trimID returns a Message-ID without spaces and angle brackets.
func trimID(id string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
}

// AskConfirmation records c as an open question. An open question to the
// same address about the same registration is closed as superseded: only
// the newest question counts. It returns the new row's ID and fails on
// database errors, or when c has no Message-ID or address.
func (tx *Tx) AskConfirmation(c Confirmation) (int64, error) {
	id, addr := trimID(c.MessageID), normEmail(c.Address)
	if id == "" || addr == "" {
		return 0, errors.New("ask confirmation: no message id or address")
	}
	if _, err := tx.exec(`UPDATE confirmations SET answered_at = ?, outcome = ? WHERE address = ? AND answered_at IS NULL
		AND COALESCE(registration_id, 0) = ?`, c.AskedAt.UTC(), string(ConfirmSuperseded), addr, c.RegistrationID); err != nil {
		return 0, fmt.Errorf("ask confirmation: supersede: %w", err)
	}
	res, err := tx.exec(`INSERT INTO confirmations (message_id, address, event_id, registration_id, action, by_name, by_email, text, mail_id, asked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, addr, c.EventID, nullID(c.RegistrationID), string(c.Action), c.ByName, normEmail(c.ByEmail),
		c.Text, nullID(c.MailID), c.AskedAt.UTC())
	if err != nil {
		return 0, fmt.Errorf("ask confirmation: %w", err)
	}
	return res.LastInsertId()
}

const confirmationColumns = `id, message_id, address, event_id, COALESCE(registration_id, 0), action, by_name, by_email, text,
	COALESCE(mail_id, 0), asked_at, answered_at, outcome`

func scanConfirmation(row interface{ Scan(...any) error }) (Confirmation, error) {
	var c Confirmation
	var action, outcome string
	var asked time.Time
	var answered sql.NullTime
	err := row.Scan(&c.ID, &c.MessageID, &c.Address, &c.EventID, &c.RegistrationID, &action, &c.ByName, &c.ByEmail, &c.Text,
		&c.MailID, &asked, &answered, &outcome)
	c.Action, c.Outcome, c.AskedAt, c.AnsweredAt = ConfirmAction(action), ConfirmOutcome(outcome), asked.UTC(), fromDB(answered)
	return c, err
}

// OpenConfirmation returns the open question whose Message-ID is one of
// ids (a reply's In-Reply-To and References) and that was sent to addr.
// ok is false when the reply answers no open question of ours to that
// address. It fails only on database errors.
func (tx *Tx) OpenConfirmation(ids []string, addr string) (c Confirmation, ok bool, err error) {
	addr = normEmail(addr)
	if addr == "" {
		return Confirmation{}, false, nil
	}
	for _, id := range ids {
		if id = trimID(id); id == "" {
			continue
		}
		c, err := scanConfirmation(tx.queryRow(`SELECT `+confirmationColumns+` FROM confirmations
			WHERE message_id = ? AND address = ? AND answered_at IS NULL`, id, addr))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Confirmation{}, false, fmt.Errorf("open confirmation for %s: %w", addr, err)
		}
		return c, true, nil
	}
	return Confirmation{}, false, nil
}

// Confirmations returns every question of an event, open or closed, oldest
// first. It fails only on database errors.
func (tx *Tx) Confirmations(eventID string) ([]Confirmation, error) {
	rows, err := tx.query(`SELECT `+confirmationColumns+` FROM confirmations WHERE event_id = ? ORDER BY id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("confirmations of %s: %w", eventID, err)
	}
	defer rows.Close()
	var out []Confirmation
	for rows.Next() {
		c, err := scanConfirmation(rows)
		if err != nil {
			return nil, fmt.Errorf("confirmations of %s: %w", eventID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CloseConfirmation closes the open question id with outcome at at. It
// fails with ErrConfirmationClosed when the question is not open, and on
// database errors.
func (tx *Tx) CloseConfirmation(id int64, outcome ConfirmOutcome, at time.Time) error {
	res, err := tx.exec(`UPDATE confirmations SET answered_at = ?, outcome = ? WHERE id = ? AND answered_at IS NULL`, at.UTC(), string(outcome), id)
	if err != nil {
		return fmt.Errorf("close confirmation %d: %w", id, err)
	}
	return affectedOne(res, ErrConfirmationClosed)
}

// ErrConfirmationClosed is returned by CloseConfirmation for a question
// that was already answered or superseded.
var ErrConfirmationClosed = errors.New("confirmation is not open")
