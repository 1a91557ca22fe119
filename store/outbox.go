package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// Outgoing is a mail in the outbox: the exact bytes to send, composed
// once, so that every retry sends the same message with the same
// Message-ID. Once the server has accepted it (MarkSent) the bytes are
// dropped; the row keeps its Message-ID, recipients, subject, size and
// times.
type Outgoing struct {
	ID int64
	// MessageID is without the angle brackets; it is unique in the outbox.
	MessageID    string
	EnvelopeFrom string
	Recipients   []string
	// Raw is the mail to send, with the parts listed in Parts cut out
	// (WriteOutgoing puts them back). It is read only where the bytes are
	// needed (DueOutgoing, ClaimOutgoing, FailOutgoing), and is empty once
	// the mail was sent or erased.
	Raw []byte
	// Parts are the blobs (material files, stored once however many mails
	// carry them) that go into Raw, by ascending offset. They are read
	// with Raw, and dropped with it.
	Parts []Part
	// Subject is the decoded subject, given by the caller of Enqueue, kept
	// for reports after the bytes are gone.
	Subject string
	// Size is the length of the whole mail (Raw with its Parts) when it
	// was queued.
	Size int
	// Kind says what the mail is: "confirmation", "waiting", "closed",
	// "already", "notice", ….
	Kind string
	// MailID is the incoming mail it answers, 0 if none.
	MailID int64
	// RegistrationID is the registration it is about, 0 if none.
	RegistrationID int64
	// Status is OutboxPending, OutboxSent or OutboxFailed.
	Status      string
	Attempts    int
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time
	// ClaimedBy names the sender that claimed the mail (ClaimOutgoing);
	// ClaimedUntil is when its lease ends. Both are zero when unclaimed.
	ClaimedBy    string
	ClaimedUntil time.Time
}

// Enqueue adds o to the outbox as pending, due at now, and returns its ID.
// Call it in the transaction that makes the changes the mail reports.
// Each of o.Parts is stored once by its hash: its Data is written when no
// blob of that hash is stored yet, and may be empty when one is. It fails
// on a missing Message-ID, recipient or body, on parts out of order, beyond
// Raw or missing, with ErrDuplicateMessageID when the Message-ID is already
// queued, and on database errors.
func (tx *Tx) Enqueue(o Outgoing, now time.Time) (int64, error) {
	o.MessageID = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(o.MessageID), "<"), ">")
	switch {
	case o.MessageID == "":
		return 0, errors.New("enqueue: empty message-id")
	case len(o.Recipients) == 0:
		return 0, fmt.Errorf("enqueue %s: no recipients", o.MessageID)
	case len(o.Raw) == 0:
		return 0, fmt.Errorf("enqueue %s: empty message", o.MessageID)
	}
	size := len(o.Raw)
	prev := 0
	for i, p := range o.Parts {
		if p.At < prev || p.At > len(o.Raw) || p.Hash == "" {
			return 0, fmt.Errorf("enqueue %s: part %d at %d of %d bytes: %w", o.MessageID, i, p.At, len(o.Raw), errBadPart)
		}
		prev = p.At
		n, err := tx.putBlob(p, now)
		if err != nil {
			return 0, fmt.Errorf("enqueue %s: %w", o.MessageID, err)
		}
		size += n
	}
	rcpts, err := json.Marshal(o.Recipients)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", o.MessageID, err)
	}
	res, err := tx.exec(`INSERT INTO outbox (message_id, envelope_from, recipients, raw, size, subject, kind, mail_id,
		registration_id, status, next_attempt, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
		o.MessageID, o.EnvelopeFrom, string(rcpts), o.Raw, size, o.Subject, o.Kind, nullID(o.MailID), nullID(o.RegistrationID),
		now.UTC(), now.UTC())
	if isUnique(err) {
		return 0, fmt.Errorf("enqueue %s: %w", o.MessageID, ErrDuplicateMessageID)
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", o.MessageID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", o.MessageID, err)
	}
	for i, p := range o.Parts {
		if _, err := tx.exec(`INSERT INTO outbox_parts (outbox_id, seq, at, hash) VALUES (?, ?, ?, ?)`, id, i, p.At, p.Hash); err != nil {
			return 0, fmt.Errorf("enqueue %s: part: %w", o.MessageID, err)
		}
	}
	for _, r := range o.Recipients {
		if _, err := tx.exec(`INSERT OR IGNORE INTO outbox_recipients (outbox_id, address, created_at) VALUES (?, ?, ?)`,
			id, normEmail(r), now.UTC()); err != nil {
			return 0, fmt.Errorf("enqueue %s: recipient: %w", o.MessageID, err)
		}
	}
	// A reply must not overtake an earlier one to the same address that
	// waits for a retry: it becomes due no sooner than that one.
	if err := tx.holdBehindEarlier(id); err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", o.MessageID, err)
	}
	return id, nil
}

// holdBehindEarlier makes pending mail id due no sooner than the latest
// next attempt of the earlier pending mails that share a recipient with it.
func (tx *Tx) holdBehindEarlier(id int64) error {
	_, err := tx.exec(`UPDATE outbox SET next_attempt = (
			SELECT MAX(o2.next_attempt) FROM outbox_recipients r1
			JOIN outbox_recipients r2 ON r2.address = r1.address AND r2.outbox_id < r1.outbox_id
			JOIN outbox o2 ON o2.id = r2.outbox_id AND o2.status = 'pending'
			WHERE r1.outbox_id = outbox.id)
		WHERE id = ? AND status = 'pending' AND next_attempt < (
			SELECT MAX(o2.next_attempt) FROM outbox_recipients r1
			JOIN outbox_recipients r2 ON r2.address = r1.address AND r2.outbox_id < r1.outbox_id
			JOIN outbox o2 ON o2.id = r2.outbox_id AND o2.status = 'pending'
			WHERE r1.outbox_id = outbox.id)`, id)
	if err != nil {
		return fmt.Errorf("keep order per recipient: %w", err)
	}
	return nil
}

// holdLaterBehind postpones the later pending mails that share a recipient
// with mail id to no sooner than next, so that they keep their order.
func (tx *Tx) holdLaterBehind(id int64, next time.Time) error {
	_, err := tx.exec(`UPDATE outbox SET next_attempt = ?
		WHERE status = 'pending' AND next_attempt < ? AND id IN (
			SELECT r2.outbox_id FROM outbox_recipients r1
			JOIN outbox_recipients r2 ON r2.address = r1.address AND r2.outbox_id > r1.outbox_id
			WHERE r1.outbox_id = ?)`, next.UTC(), next.UTC(), id)
	if err != nil {
		return fmt.Errorf("keep order per recipient: %w", err)
	}
	return nil
}

// RepliesTo returns how many outgoing mails to addr (any case) were queued
// at or after since. The bot reads it, in the transaction that would queue
// another, to cap the replies one address can draw in a day.
func (tx *Tx) RepliesTo(addr string, since time.Time) (int, error) {
	var n int
	err := tx.queryRow(`SELECT COUNT(*) FROM outbox_recipients WHERE address = ? AND created_at >= ?`,
		normEmail(addr), since.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count replies to %s: %w", addr, err)
	}
	return n, nil
}

const outgoingColumns = `id, message_id, envelope_from, recipients, kind, COALESCE(mail_id, 0),
	COALESCE(registration_id, 0), status, attempts, next_attempt, last_error, created_at, sent_at,
	subject, size, claimed_by, claimed_until`

// withParts reads the parts of each of out into it.
func (tx *Tx) withParts(out []Outgoing) error {
	for i := range out {
		ps, err := tx.parts(out[i].ID)
		if err != nil {
			return err
		}
		out[i].Parts = ps
	}
	return nil
}

func scanOutgoing(sc scanner, withRaw bool) (Outgoing, error) {
	var (
		o                          Outgoing
		rcpts                      string
		next, created, sent, until sql.NullTime
	)
	dest := []any{&o.ID, &o.MessageID, &o.EnvelopeFrom, &rcpts, &o.Kind, &o.MailID, &o.RegistrationID, &o.Status,
		&o.Attempts, &next, &o.LastError, &created, &sent, &o.Subject, &o.Size, &o.ClaimedBy, &until}
	if withRaw {
		dest = append(dest, &o.Raw)
	}
	if err := sc.Scan(dest...); err != nil {
		return Outgoing{}, err
	}
	if err := json.Unmarshal([]byte(rcpts), &o.Recipients); err != nil {
		return Outgoing{}, fmt.Errorf("recipients of outgoing %d: %w", o.ID, err)
	}
	o.NextAttempt, o.CreatedAt, o.SentAt, o.ClaimedUntil = fromDB(next), fromDB(created), fromDB(sent), fromDB(until)
	return o, nil
}

func (s *Store) listOutgoing(ctx context.Context, withRaw bool, query string, args ...any) ([]Outgoing, error) {
	cols := outgoingColumns
	if withRaw {
		cols += ", raw"
	}
	var out []Outgoing
	err := s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT `+cols+` FROM outbox `+query, args...)
		if err != nil {
			return fmt.Errorf("list outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOutgoing(rows, withRaw)
			if err != nil {
				return fmt.Errorf("list outbox: %w", err)
			}
			out = append(out, o)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list outbox: %w", err)
		}
		rows.Close()
		if withRaw {
			return tx.withParts(out)
		}
		return nil
	})
	return out, err
}

// DueOutgoing returns up to limit pending mails whose next attempt is at
// or before now, with their bytes, oldest first, leaving out those that a
// sender has claimed (ClaimOutgoing) whose lease has not ended at now. It
// claims nothing: a sender that may run beside another should use
// ClaimOutgoing. It fails only on database errors.
func (s *Store) DueOutgoing(ctx context.Context, now time.Time, limit int) ([]Outgoing, error) {
	// Times are stored as UTC text of one format, which sorts and compares
	// as the times do.
	return s.listOutgoing(ctx, true, `WHERE `+dueUnclaimed+` ORDER BY id LIMIT ?`,
		now.UTC(), now.UTC(), limit)
}

// dueUnclaimed selects the pending rows due at the first parameter that
// no lease holds at the second.
const dueUnclaimed = `status = 'pending' AND next_attempt <= ? AND (claimed_until IS NULL OR claimed_until <= ?)`

// claimQuery lists the oldest unclaimed mails due to be sent. It reads
// only the index outbox_due (migration 0010).
const claimQuery = `SELECT id FROM outbox WHERE ` + dueUnclaimed + ` ORDER BY id LIMIT ?`

// ClaimOutgoing claims, for claimant, up to limit pending mails due at now
// that no other sender holds, oldest first, and returns them with their
// bytes. In one write transaction it selects them and marks them claimed
// until now+lease, so that two senders (in one process or two) never get
// the same mail while its lease holds. Recording the attempt (MarkSent,
// MarkRetry, MarkFailed, FailOutgoing) or ReleaseClaims ends the claim;
// a claim whose lease ended, because its sender died or stalled, may be
// taken by any sender. The lease must therefore be longer than sending
// the batch can take. It fails on an empty claimant, a lease that is not
// positive and database errors.
func (s *Store) ClaimOutgoing(ctx context.Context, now time.Time, limit int, claimant string, lease time.Duration) ([]Outgoing, error) {
	switch {
	case claimant == "":
		return nil, errors.New("claim outgoing: empty claimant")
	case lease <= 0:
		return nil, fmt.Errorf("claim outgoing: lease %v is not positive", lease)
	}
	var out []Outgoing
	err := s.Update(ctx, func(tx *Tx) error {
		rows, err := tx.query(claimQuery, now.UTC(), now.UTC(), limit)
		if err != nil {
			return fmt.Errorf("claim outgoing: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("claim outgoing: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim outgoing: %w", err)
		}
		until := now.Add(lease).UTC()
		for _, id := range ids {
			if _, err := tx.exec(`UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?`, claimant, until, id); err != nil {
				return fmt.Errorf("claim outgoing %d: %w", id, err)
			}
			o, err := scanOutgoing(tx.queryRow(`SELECT `+outgoingColumns+`, raw FROM outbox WHERE id = ?`, id), true)
			if err != nil {
				return fmt.Errorf("claim outgoing %d: %w", id, err)
			}
			if o.Parts, err = tx.parts(id); err != nil {
				return fmt.Errorf("claim outgoing %d: %w", id, err)
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReleaseClaims ends the claims that claimant holds on pending mails, so
// that they are due again at once for any sender: call it for the mails a
// sender claimed but did not try (it was stopped). An empty claimant
// releases every claim; only the holder of the database's Lock may do that,
// at its start, for the claims of a process that died. It returns how many
// claims were released and fails only on database errors.
func (s *Store) ReleaseClaims(ctx context.Context, claimant string) (int, error) {
	var n int64
	err := s.Update(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET claimed_by = '', claimed_until = NULL
			WHERE status = 'pending' AND claimed_until IS NOT NULL AND (? = '' OR claimed_by = ?)`, claimant, claimant)
		if err != nil {
			return fmt.Errorf("release claims: %w", err)
		}
		n, err = res.RowsAffected()
		if err != nil {
			return fmt.Errorf("release claims: %w", err)
		}
		return nil
	})
	return int(n), err
}

// Outgoing returns the outbox mails with the given status (all when
// status is empty), oldest first, without their bytes. It fails only on
// database errors.
func (s *Store) Outgoing(ctx context.Context, status string) ([]Outgoing, error) {
	if status == "" {
		return s.listOutgoing(ctx, false, `ORDER BY id`)
	}
	return s.listOutgoing(ctx, false, `WHERE status = ? ORDER BY id`, status)
}

// updateOutgoing runs one UPDATE of an outbox row in its own transaction
// and fails with ErrNoOutgoing when the row does not exist.
func (s *Store) updateOutgoing(ctx context.Context, what string, id int64, query string, args ...any) error {
	return s.Update(ctx, func(tx *Tx) error {
		res, err := tx.exec(query, append(args, id)...)
		if err != nil {
			return fmt.Errorf("%s outgoing %d: %w", what, id, err)
		}
		if err := affectedOne(res, ErrNoOutgoing); err != nil {
			return fmt.Errorf("%s outgoing %d: %w", what, id, err)
		}
		return nil
	})
}

// MarkSent records that the mail was delivered at the given time, ends
// its claim and drops its bytes: once the server has accepted the mail it
// is never sent again, and the material it carried would otherwise stay in
// the database until the retention purge. Its Message-ID (which replies
// refer to), recipients, subject, size and times stay. It fails with
// ErrNoOutgoing for an unknown ID.
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return s.updateOutgoing(ctx, "mark sent", id,
		`UPDATE outbox SET status = 'sent', sent_at = ?, raw = x'', claimed_by = '', claimed_until = NULL WHERE id = ?`, at.UTC())
}

// MarkRetry counts a failed delivery attempt, records errText, and makes
// the mail due again at next, or later when an earlier mail to one of its
// recipients waits longer; later mails to its recipients are held back
// behind it, so that every recipient gets the replies in the order they
// were queued. It ends the mail's claim, keeps its bytes (the retry sends
// exactly them) and fails with ErrNoOutgoing for an unknown ID.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error {
	return s.Update(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET status = 'pending', attempts = attempts + 1, next_attempt = ?, last_error = ?,
			claimed_by = '', claimed_until = NULL WHERE id = ?`,
			next.UTC(), errText, id)
		if err != nil {
			return fmt.Errorf("retry outgoing %d: %w", id, err)
		}
		if err := affectedOne(res, ErrNoOutgoing); err != nil {
			return fmt.Errorf("retry outgoing %d: %w", id, err)
		}
		if err := tx.holdBehindEarlier(id); err != nil {
			return fmt.Errorf("retry outgoing %d: %w", id, err)
		}
		var at sql.NullTime
		if err := tx.queryRow(`SELECT next_attempt FROM outbox WHERE id = ?`, id).Scan(&at); err != nil {
			return fmt.Errorf("retry outgoing %d: %w", id, err)
		}
		if err := tx.holdLaterBehind(id, fromDB(at)); err != nil {
			return fmt.Errorf("retry outgoing %d: %w", id, err)
		}
		return nil
	})
}

// MarkFailed counts a last, failed delivery attempt, records errText, ends
// the claim and gives the mail up. It keeps the bytes, which the server
// never accepted: the organisers' notice quotes the subject, and a human
// may want to send the mail by hand; they go with the retention purge or
// an erasure, like every other mail's. It fails with ErrNoOutgoing for an
// unknown ID.
func (s *Store) MarkFailed(ctx context.Context, id int64, errText string) error {
	return s.FailOutgoing(ctx, id, errText, nil)
}

// FailOutgoing is MarkFailed that also runs then, when not nil, in the same
// transaction with the failed mail (with its bytes and last error), so that what the failure causes (a
// notice to the organisers) is recorded together with it or not at all. It
// fails with ErrNoOutgoing for an unknown ID and with then's error.
func (s *Store) FailOutgoing(ctx context.Context, id int64, errText string, then func(*Tx, Outgoing) error) error {
	return s.Update(ctx, func(tx *Tx) error {
		res, err := tx.exec(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,
			claimed_by = '', claimed_until = NULL WHERE id = ?`, errText, id)
		if err != nil {
			return fmt.Errorf("mark failed outgoing %d: %w", id, err)
		}
		if err := affectedOne(res, ErrNoOutgoing); err != nil {
			return fmt.Errorf("mark failed outgoing %d: %w", id, err)
		}
		if then == nil {
			return nil
		}
		o, err := scanOutgoing(tx.queryRow(`SELECT `+outgoingColumns+`, raw FROM outbox WHERE id = ?`, id), true)
		if err != nil {
			return fmt.Errorf("read failed outgoing %d: %w", id, err)
		}
		if o.Parts, err = tx.parts(id); err != nil {
			return fmt.Errorf("read failed outgoing %d: %w", id, err)
		}
		return then(tx, o)
	})
}

// OutboxStats summarises the outbox for status reports.
type OutboxStats struct {
	Pending, Failed, Sent int
	// OldestPending is when the oldest pending mail was queued; zero when
	// none is pending.
	OldestPending time.Time
	// NextAttempt is the earliest next attempt among pending mails; zero
	// when none is pending.
	NextAttempt time.Time
}

// OutboxStats returns the outbox's counts per status and its oldest and
// next pending times. It fails only on database errors.
func (s *Store) OutboxStats(ctx context.Context) (OutboxStats, error) {
	var st OutboxStats
	err := s.Read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT
			COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'failed'), 0), COALESCE(SUM(status = 'sent'), 0)
			FROM outbox`).Scan(&st.Pending, &st.Failed, &st.Sent)
		if err != nil {
			return fmt.Errorf("outbox stats: %w", err)
		}
		// MIN() would lose the DATETIME column type, so that the driver no
		// longer returns a time; ORDER BY … LIMIT 1 keeps it.
		var oldest, next sql.NullTime
		err = tx.queryRow(`SELECT created_at FROM outbox WHERE status = 'pending' ORDER BY created_at LIMIT 1`).Scan(&oldest)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("outbox stats: %w", err)
		}
		next, err = tx.nextDue()
		if err != nil {
			return fmt.Errorf("outbox stats: %w", err)
		}
		st.OldestPending, st.NextAttempt = fromDB(oldest), fromDB(next)
		return nil
	})
	return st, err
}

func (tx *Tx) nextDue() (sql.NullTime, error) {
	var next sql.NullTime
	err := tx.queryRow(`SELECT next_attempt FROM outbox WHERE status = 'pending' ORDER BY next_attempt LIMIT 1`).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return sql.NullTime{}, nil
	}
	return next, err
}

// NextDue returns the earliest next attempt among pending mails, and false
// when none is pending. It fails only on database errors.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullTime
	err := s.Read(ctx, func(tx *Tx) error {
		var err error
		next, err = tx.nextDue()
		if err != nil {
			return fmt.Errorf("next due: %w", err)
		}
		return nil
	})
	return fromDB(next), next.Valid, err
}

// SentByUs returns the outbox rows (without their bytes) whose Message-ID
// is one of ids, in outbox order: the mails of ours that an incoming mail
// answers, found from its In-Reply-To and References. Unknown IDs are
// skipped; an empty ids gives nil.
func (tx *Tx) SentByUs(ids []string) ([]Outgoing, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// References can be long; a mail that cites hundreds of IDs is not
	// worth a statement of that size.
	if len(ids) > 100 {
		ids = ids[len(ids)-100:]
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = strings.Trim(id, "<>")
	}
	rows, err := tx.query(`SELECT `+outgoingColumns+` FROM outbox WHERE message_id IN (?`+strings.Repeat(",?", len(ids)-1)+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find sent mail: %w", err)
	}
	defer rows.Close()
	var out []Outgoing
	for rows.Next() {
		o, err := scanOutgoing(rows, false)
		if err != nil {
			return nil, fmt.Errorf("find sent mail: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sent mail: %w", err)
	}
	return out, nil
}
