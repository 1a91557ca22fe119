package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MailRecord is an incoming mail as fetched from IMAP.
type MailRecord struct {
	// Key identifies the mail across fetches: its Message-ID, or
	// "sha256:<hex>" of the raw bytes when it has none. The caller computes it.
	Key         string
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	// Received is the IMAP INTERNALDATE, the arrival time that registration
	// rules are checked against.
	Received time.Time
	Raw      []byte
}

// MailState is what the store knows about a recorded mail.
type MailState struct {
	ID int64
	// Done is true once the mail has been processed and its outcome recorded.
	Done            bool
	Outcome, Detail string
	// Attempts counts the failed processing attempts so far.
	Attempts int
	// IMAPDone is true once the mail has been flagged or moved in IMAP at
	// its current position.
	IMAPDone bool
}

// MailRef locates a recorded mail in IMAP.
type MailRef struct {
	ID          int64
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	Outcome     string
	Attempts    int
	// Copy is set for another copy of the mail ID, at another UID: the
	// same mail delivered twice (PendingIMAP).
	Copy bool
}

// RecordMail stores m if its key is new, in its own transaction, and
// returns its state. When the key is already recorded, the stored mail is
// kept, its IMAP position is updated to m's, and its state is returned;
// if the position changed, IMAPDone is reset, because the mark belonged to
// the old position. It fails on an empty key and on database errors.
func (s *Store) RecordMail(ctx context.Context, m MailRecord) (MailState, error) {
	var st MailState
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		st, err = tx.RecordMail(m)
		return err
	})
	return st, err
}

// RecordMail is Store.RecordMail inside tx.
func (tx *Tx) RecordMail(m MailRecord) (MailState, error) {
	if m.Key == "" {
		return MailState{}, errors.New("record mail: empty key")
	}
	if m.Raw == nil {
		// A nil slice would be stored as NULL and break the NOT NULL column.
		m.Raw = []byte{}
	}
	var st MailState
	// In an upsert's SET every column name means the old value, so the
	// CASE compares the old position with the new one.
	err := tx.queryRow(`INSERT INTO mails (key, mailbox, uid_validity, uid, received, raw)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET
			mailbox = excluded.mailbox, uid_validity = excluded.uid_validity, uid = excluded.uid,
			imap_done = CASE WHEN mailbox = excluded.mailbox AND uid_validity = excluded.uid_validity
				AND uid = excluded.uid THEN imap_done ELSE 0 END
		RETURNING id, done, outcome, detail, attempts, imap_done`,
		m.Key, m.Mailbox, m.UIDValidity, m.UID, m.Received.UTC(), m.Raw).
		Scan(&st.ID, &st.Done, &st.Outcome, &st.Detail, &st.Attempts, &st.IMAPDone)
	if err != nil {
		return MailState{}, fmt.Errorf("record mail %s: %w", m.Key, err)
	}
	return st, nil
}

// RecordMails records the mails, fetched in that order from one mailbox
// at one UIDVALIDITY, and moves that mailbox's checkpoint to lastUID (when
// not 0), all in one transaction: once it returns, every mail up to
// lastUID is either recorded or was passed over on purpose, and a crash
// cannot lose one. It returns the mails' states in the order given.
func (s *Store) RecordMails(ctx context.Context, mailbox string, uidValidity, lastUID uint32, ms []MailRecord) ([]MailState, error) {
	var states []MailState
	err := s.Update(ctx, func(tx *Tx) error {
		states = states[:0]
		for _, m := range ms {
			st, err := tx.RecordMail(m)
			if err != nil {
				return err
			}
			states = append(states, st)
		}
		if lastUID == 0 {
			return nil
		}
		return tx.SetCheckpoint(mailbox, uidValidity, lastUID)
	})
	if err != nil {
		return nil, err
	}
	return states, nil
}

// Undecided is a recorded mail that has not been processed yet.
type Undecided struct {
	MailRef
	Key      string
	Received time.Time
}

// UndecidedMails returns up to limit recorded mails that are not yet
// processed, in the order they were recorded (for one mailbox, UID
// order), without their bytes. It fails only on database errors.
func (s *Store) UndecidedMails(ctx context.Context, limit int) ([]Undecided, error) {
	var out []Undecided
	err := s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT id, mailbox, uid_validity, uid, outcome, attempts, key, received
			FROM mails WHERE done = 0 ORDER BY id LIMIT ?`, limit)
		if err != nil {
			return fmt.Errorf("list undecided mails: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var u Undecided
			var received sql.NullTime
			if err := rows.Scan(&u.ID, &u.Mailbox, &u.UIDValidity, &u.UID, &u.Outcome, &u.Attempts, &u.Key, &received); err != nil {
				return fmt.Errorf("list undecided mails: %w", err)
			}
			u.Received = fromDB(received)
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// MailRaw returns the recorded bytes of the mail. It fails with ErrNoMail
// for an unknown mail.
func (s *Store) MailRaw(ctx context.Context, mailID int64) ([]byte, error) {
	var raw []byte
	err := s.Read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT raw FROM mails WHERE id = ?`, mailID).Scan(&raw)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("mail %d: %w", mailID, ErrNoMail)
		}
		if err != nil {
			return fmt.Errorf("mail %d: %w", mailID, err)
		}
		return nil
	})
	return raw, err
}

// MailState returns the state of the recorded mail. It fails with
// ErrNoMail when there is none.
func (tx *Tx) MailState(mailID int64) (MailState, error) {
	var st MailState
	err := tx.queryRow(`SELECT id, done, outcome, detail, attempts, imap_done FROM mails WHERE id = ?`, mailID).
		Scan(&st.ID, &st.Done, &st.Outcome, &st.Detail, &st.Attempts, &st.IMAPDone)
	if errors.Is(err, sql.ErrNoRows) {
		return MailState{}, fmt.Errorf("mail %d: %w", mailID, ErrNoMail)
	}
	if err != nil {
		return MailState{}, fmt.Errorf("mail %d: %w", mailID, err)
	}
	return st, nil
}

// FinishMail records the outcome of processing the mail ("registered",
// "automatic", "failed", "manual", …) with a detail text, and marks it
// done. Call it in the transaction that makes the mail's changes, so that
// both happen or neither. It fails on an empty outcome and with ErrNoMail
// for an unknown mail.
func (tx *Tx) FinishMail(mailID int64, outcome, detail string, at time.Time) error {
	if outcome == "" {
		return fmt.Errorf("finish mail %d: empty outcome", mailID)
	}
	res, err := tx.exec(`UPDATE mails SET done = 1, outcome = ?, detail = ?, finished_at = ? WHERE id = ?`,
		outcome, detail, at.UTC(), mailID)
	if err != nil {
		return fmt.Errorf("finish mail %d: %w", mailID, err)
	}
	if err := affectedOne(res, ErrNoMail); err != nil {
		return fmt.Errorf("finish mail %d: %w", mailID, err)
	}
	return nil
}

// FailMail counts a failed processing attempt of the mail, in its own
// transaction, and records errText as its last error. It returns the
// number of failed attempts so far, and fails with ErrNoMail for an
// unknown mail.
func (s *Store) FailMail(ctx context.Context, mailID int64, errText string) (attempts int, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		err := tx.queryRow(`UPDATE mails SET attempts = attempts + 1, last_error = ? WHERE id = ? RETURNING attempts`,
			errText, mailID).Scan(&attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("fail mail %d: %w", mailID, ErrNoMail)
		}
		if err != nil {
			return fmt.Errorf("fail mail %d: %w", mailID, err)
		}
		return nil
	})
	return attempts, err
}

// MarkIMAPDone records, in one transaction, that the mails, and every
// copy of them that PendingIMAP listed, have been flagged or moved in
// IMAP. It fails with ErrNoMail for an unknown mail.
func (s *Store) MarkIMAPDone(ctx context.Context, mailIDs ...int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		for _, id := range mailIDs {
			res, err := tx.exec(`UPDATE mails SET imap_done = 1 WHERE id = ?`, id)
			if err != nil {
				return fmt.Errorf("mark mail %d done in imap: %w", id, err)
			}
			if err := affectedOne(res, ErrNoMail); err != nil {
				return fmt.Errorf("mark mail %d done in imap: %w", id, err)
			}
			if _, err := tx.exec(`DELETE FROM mail_copies WHERE mail_id = ?`, id); err != nil {
				return fmt.Errorf("mark copies of mail %d done in imap: %w", id, err)
			}
		}
		return nil
	})
}

// PendingIMAP returns the mails of the mailbox that are processed but not
// yet marked in IMAP, oldest first, and after them the other copies of
// processed mails in the mailbox (the same mail delivered twice and met at
// two UIDs before it was marked), with Copy set: each is to be marked like
// its mail. It fails only on database errors.
func (s *Store) PendingIMAP(ctx context.Context, mailbox string) ([]MailRef, error) {
	refs, err := s.mailRefs(ctx, `WHERE mailbox = ? AND done = 1 AND imap_done = 0`, mailbox)
	if err != nil {
		return nil, err
	}
	err = s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT c.mail_id, c.mailbox, c.uid_validity, c.uid, m.outcome, m.attempts
			FROM mail_copies c JOIN mails m ON m.id = c.mail_id
			WHERE c.mailbox = ? AND m.done = 1 ORDER BY c.mail_id, c.uid`, mailbox)
		if err != nil {
			return fmt.Errorf("list copies of mails: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			r := MailRef{Copy: true}
			if err := rows.Scan(&r.ID, &r.Mailbox, &r.UIDValidity, &r.UID, &r.Outcome, &r.Attempts); err != nil {
				return fmt.Errorf("list copies of mails: %w", err)
			}
			refs = append(refs, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list copies of mails: %w", err)
		}
		return nil
	})
	return refs, err
}

func (s *Store) mailRefs(ctx context.Context, where string, args ...any) ([]MailRef, error) {
	var refs []MailRef
	err := s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT id, mailbox, uid_validity, uid, outcome, attempts FROM mails `+where+` ORDER BY id`, args...)
		if err != nil {
			return fmt.Errorf("list mails: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r MailRef
			if err := rows.Scan(&r.ID, &r.Mailbox, &r.UIDValidity, &r.UID, &r.Outcome, &r.Attempts); err != nil {
				return fmt.Errorf("list mails: %w", err)
			}
			refs = append(refs, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list mails: %w", err)
		}
		return nil
	})
	return refs, err
}

// MailUnprocessed is the key under which MailCounts counts the mails that
// are not yet processed.
const MailUnprocessed = "unprocessed"

// MailCounts returns how many recorded mails have each outcome; mails not
// yet processed are counted under MailUnprocessed. It fails only on
// database errors.
func (s *Store) MailCounts(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	err := s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT CASE WHEN done THEN outcome ELSE ? END, COUNT(*) FROM mails GROUP BY 1`,
			MailUnprocessed)
		if err != nil {
			return fmt.Errorf("count mails: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				outcome string
				n       int
			)
			if err := rows.Scan(&outcome, &n); err != nil {
				return fmt.Errorf("count mails: %w", err)
			}
			counts[outcome] = n
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("count mails: %w", err)
		}
		return nil
	})
	return counts, err
}

// MailRaw returns the raw bytes of the recorded mail. It fails with
// ErrNoMail for an unknown mail.
func (tx *Tx) MailRaw(mailID int64) ([]byte, error) {
	var raw []byte
	err := tx.queryRow(`SELECT raw FROM mails WHERE id = ?`, mailID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mail %d: %w", mailID, ErrNoMail)
	}
	if err != nil {
		return nil, fmt.Errorf("mail %d: %w", mailID, err)
	}
	return raw, nil
}

// MailReceived returns the arrival time (IMAP INTERNALDATE) of the
// recorded mail. It fails with ErrNoMail for an unknown mail.
func (tx *Tx) MailReceived(mailID int64) (time.Time, error) {
	var t sql.NullTime
	err := tx.queryRow(`SELECT received FROM mails WHERE id = ?`, mailID).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("mail %d: %w", mailID, ErrNoMail)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("mail %d: %w", mailID, err)
	}
	return fromDB(t), nil
}

// Checkpoint returns the stored IMAP checkpoint of the mailbox: its
// UIDVALIDITY and the last UID fetched; zeros when there is none. It fails
// only on database errors.
func (s *Store) Checkpoint(ctx context.Context, mailbox string) (uidValidity, lastUID uint32, err error) {
	err = s.Read(ctx, func(tx *Tx) error {
		err := tx.queryRow(`SELECT uid_validity, last_uid FROM checkpoints WHERE mailbox = ?`, mailbox).
			Scan(&uidValidity, &lastUID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read checkpoint of %s: %w", mailbox, err)
		}
		return nil
	})
	return uidValidity, lastUID, err
}

// SetCheckpoint stores the mailbox's checkpoint. For the same UIDVALIDITY
// the last UID only ever moves forward, so a late or repeated call cannot
// make mail be fetched twice; a different UIDVALIDITY replaces the
// checkpoint, because the old UIDs mean nothing any more. It fails only on
// database errors.
func (tx *Tx) SetCheckpoint(mailbox string, uidValidity, lastUID uint32) error {
	// In an upsert's SET every column name means the old value.
	_, err := tx.exec(`INSERT INTO checkpoints (mailbox, uid_validity, last_uid) VALUES (?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET
			uid_validity = excluded.uid_validity,
			last_uid = CASE WHEN uid_validity = excluded.uid_validity
				THEN max(last_uid, excluded.last_uid) ELSE excluded.last_uid END`,
		mailbox, uidValidity, lastUID)
	if err != nil {
		return fmt.Errorf("set checkpoint of %s: %w", mailbox, err)
	}
	return nil
}

// SetCheckpoint stores the mailbox's checkpoint in its own transaction, as
// Tx.SetCheckpoint does.
func (s *Store) SetCheckpoint(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.SetCheckpoint(mailbox, uidValidity, lastUID) })
}

// ManualMails returns how many processed mails were left for a human. It
// fails only on database errors.
func (tx *Tx) ManualMails() (int, error) {
	var n int
	if err := tx.queryRow(`SELECT COUNT(*) FROM mails WHERE done AND outcome IN ('manual', 'unreadable', 'too-large')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count mails for a human: %w", err)
	}
	return n, nil
}
