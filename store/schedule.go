package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Outcomes of a reminder, as recorded by RecordReminder.
const (
	ReminderSent    = "sent"
	ReminderDropped = "dropped"
	ReminderSkipped = "skipped"
)

// Unreminded is a confirmed registration that has no reminder recorded,
// with the time its status last changed (when it got its seat).
type Unreminded struct {
	Registration
	ConfirmedAt time.Time
}

// Unreminded returns the event's confirmed registrations without a
// recorded reminder, in queue order. It fails only on database errors.
func (tx *Tx) Unreminded(eventID string) ([]Unreminded, error) {
	rows, err := tx.query(registrationSelect+`
		WHERE r.event_id = ? AND r.status = 'confirmed'
		AND NOT EXISTS (SELECT 1 FROM reminders m WHERE m.registration_id = r.id)
		ORDER BY r.seq`, eventID)
	if err != nil {
		return nil, fmt.Errorf("unreminded of %q: %w", eventID, err)
	}
	var out []Unreminded
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("unreminded of %q: %w", eventID, err)
		}
		out = append(out, Unreminded{Registration: r})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unreminded of %q: %w", eventID, err)
	}
	for i := range out {
		var at sql.NullTime
		if err := tx.queryRow(`SELECT updated_at FROM registrations WHERE id = ?`, out[i].ID).Scan(&at); err != nil {
			return nil, fmt.Errorf("unreminded of %q: %w", eventID, err)
		}
		out[i].ConfirmedAt = fromDB(at)
	}
	return out, nil
}

// RecordReminder records the reminder of a registration: ReminderSent,
// ReminderDropped or ReminderSkipped. A reminder is recorded once; a
// second record fails.
func (tx *Tx) RecordReminder(regID int64, outcome string, at time.Time) error {
	if _, err := tx.exec(`INSERT INTO reminders (registration_id, outcome, at) VALUES (?, ?, ?)`, regID, outcome, at.UTC()); err != nil {
		return fmt.Errorf("record reminder of %d: %w", regID, err)
	}
	return nil
}

// Reminder returns the recorded reminder outcome of a registration, or ""
// when none is recorded. It fails only on database errors.
func (tx *Tx) Reminder(regID int64) (string, error) {
	var out string
	err := tx.queryRow(`SELECT outcome FROM reminders WHERE registration_id = ?`, regID).Scan(&out)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reminder of %d: %w", regID, err)
	}
	return out, nil
}

// MaterialFile is one version of a material file: its name and the hex
// SHA-256 of its content.
type MaterialFile struct{ Name, Hash string }

// MaterialSent returns the versions of material files the registration
// has been sent. It fails only on database errors.
func (tx *Tx) MaterialSent(regID int64) (map[MaterialFile]bool, error) {
	rows, err := tx.query(`SELECT name, hash FROM material_sent WHERE registration_id = ?`, regID)
	if err != nil {
		return nil, fmt.Errorf("material sent to %d: %w", regID, err)
	}
	defer rows.Close()
	out := map[MaterialFile]bool{}
	for rows.Next() {
		var f MaterialFile
		if err := rows.Scan(&f.Name, &f.Hash); err != nil {
			return nil, fmt.Errorf("material sent to %d: %w", regID, err)
		}
		out[f] = true
	}
	return out, rows.Err()
}

// LackingMaterial returns the confirmed registrations of the event that
// have not been sent at least one of the files (by name and version). It
// is one query per file, so that the daemon's frequent check for new
// material does not read every registration's history. It fails only on
// database errors.
func (tx *Tx) LackingMaterial(eventID string, files []MaterialFile) (map[int64]bool, error) {
	out := map[int64]bool{}
	for _, f := range files {
		rows, err := tx.query(`SELECT r.id FROM registrations r WHERE r.event_id = ? AND r.status = 'confirmed'
			AND NOT EXISTS (SELECT 1 FROM material_sent m WHERE m.registration_id = r.id AND m.name = ? AND m.hash = ?)`,
			eventID, f.Name, f.Hash)
		if err != nil {
			return nil, fmt.Errorf("registrations lacking %s: %w", f.Name, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("registrations lacking %s: %w", f.Name, err)
			}
			out[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("registrations lacking %s: %w", f.Name, err)
		}
	}
	return out, nil
}

// RecordMaterial records that the registration was sent these versions.
// Recording a version again changes nothing. It fails only on database
// errors.
func (tx *Tx) RecordMaterial(regID int64, files []MaterialFile, at time.Time) error {
	for _, f := range files {
		if _, err := tx.exec(`INSERT OR IGNORE INTO material_sent (registration_id, name, hash, at) VALUES (?, ?, ?, ?)`,
			regID, f.Name, f.Hash, at.UTC()); err != nil {
			return fmt.Errorf("record material sent to %d: %w", regID, err)
		}
	}
	return nil
}

// MaterialBaseline, the first time it is called for an event, records the
// files as sent to every confirmed registration of the event, so that an
// upgraded database does not send everyone the material they already have;
// it returns true then. Later calls change nothing and return false.
func (tx *Tx) MaterialBaseline(eventID string, files []MaterialFile, at time.Time) (bool, error) {
	res, err := tx.exec(`INSERT OR IGNORE INTO material_baseline (event_id, at) VALUES (?, ?)`, eventID, at.UTC())
	if err != nil {
		return false, fmt.Errorf("material baseline of %q: %w", eventID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	for _, f := range files {
		if _, err := tx.exec(`INSERT OR IGNORE INTO material_sent (registration_id, name, hash, at)
			SELECT id, ?, ?, ? FROM registrations WHERE event_id = ? AND status = 'confirmed'`,
			f.Name, f.Hash, at.UTC(), eventID); err != nil {
			return false, fmt.Errorf("material baseline of %q: %w", eventID, err)
		}
	}
	return true, nil
}

// Digest is the record of one day's digest.
type Digest struct {
	Day    string
	At     time.Time
	Sent   bool
	Failed int
}

// LastDigest returns the latest day's digest record; ok is false when no
// digest was ever due. It fails only on database errors.
func (tx *Tx) LastDigest() (d Digest, ok bool, err error) {
	var at sql.NullTime
	err = tx.queryRow(`SELECT day, at, sent, failed FROM digests ORDER BY day DESC LIMIT 1`).Scan(&d.Day, &at, &d.Sent, &d.Failed)
	if err == sql.ErrNoRows {
		return Digest{}, false, nil
	}
	if err != nil {
		return Digest{}, false, fmt.Errorf("last digest: %w", err)
	}
	d.At = fromDB(at)
	return d, true, nil
}

// RecordDigest records the day's digest, sent or not. It fails when the
// day is recorded already, and on database errors.
func (tx *Tx) RecordDigest(d Digest) error {
	if _, err := tx.exec(`INSERT INTO digests (day, at, sent, failed) VALUES (?, ?, ?, ?)`, d.Day, d.At.UTC(), d.Sent, d.Failed); err != nil {
		return fmt.Errorf("record digest of %s: %w", d.Day, err)
	}
	return nil
}

// Activity is what happened since a time, for the organisers' digest.
type Activity struct {
	// Registered are the registrations whose mail was decided since (or,
	// made without a mail, registered since); Cancelled those ended since.
	Registered, Cancelled []Registration
	// NewManual counts the mails left for a human since; Manual all of
	// them.
	NewManual, Manual int
	// Bounced are the addresses reported failing since.
	Bounced []string
	// Failed counts the outbox rows that failed for good (all of them).
	Failed int
}

// Activity returns what happened after since. It fails only on database
// errors.
func (tx *Tx) Activity(since time.Time) (Activity, error) {
	var a Activity
	list := func(where string, args ...any) ([]Registration, error) {
		rows, err := tx.query(registrationSelect+` WHERE `+where+` ORDER BY r.event_id, r.seq`, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []Registration
		for rows.Next() {
			r, err := scanRegistration(rows)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	var err error
	// A registration counts from when its mail was decided, not from when
	// the mail arrived: mail that arrived before a digest and was read
	// after it (the daemon was down) belongs in the next one.
	if a.Registered, err = list(`(r.mail_id IS NULL AND r.registered_at > ?) OR r.mail_id IN (SELECT id FROM mails WHERE finished_at > ?)`,
		since.UTC(), since.UTC()); err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	if a.Cancelled, err = list(`r.cancelled_at > ?`, since.UTC()); err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	if err := tx.queryRow(`SELECT COUNT(*) FROM mails WHERE done AND outcome IN ('manual', 'unreadable', 'too-large', 'failed') AND finished_at > ?`,
		since.UTC()).Scan(&a.NewManual); err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	if a.Manual, err = tx.ManualMails(); err != nil {
		return a, err
	}
	rows, err := tx.query(`SELECT DISTINCT address FROM bounces WHERE at > ? ORDER BY address`, since.UTC())
	if err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return a, fmt.Errorf("activity: %w", err)
		}
		a.Bounced = append(a.Bounced, s)
	}
	rows.Close()
	// Mail withdrawn because its recipient was forgotten did not fail.
	if err := tx.queryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND last_error NOT LIKE ?`, withdrawnPrefix+"%").Scan(&a.Failed); err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	return a, nil
}

// Purge is the record of an event whose personal data was erased.
type Purge struct {
	EventID       string
	At            time.Time
	Registrations int
}

// Purged returns the event's purge record; ok is false when its data has
// not been erased. It fails only on database errors.
func (tx *Tx) Purged(eventID string) (p Purge, ok bool, err error) {
	var at sql.NullTime
	err = tx.queryRow(`SELECT event_id, at, registrations FROM purges WHERE event_id = ?`, eventID).Scan(&p.EventID, &at, &p.Registrations)
	if err == sql.ErrNoRows {
		return Purge{}, false, nil
	}
	if err != nil {
		return Purge{}, false, fmt.Errorf("purge of %q: %w", eventID, err)
	}
	p.At = fromDB(at)
	return p, true, nil
}

// Purges returns every purge record by event ID. It fails only on
// database errors.
func (s *Store) Purges(ctx context.Context) (map[string]Purge, error) {
	out := map[string]Purge{}
	err := s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT event_id, at, registrations FROM purges`)
		if err != nil {
			return fmt.Errorf("purges: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var p Purge
			var at sql.NullTime
			if err := rows.Scan(&p.EventID, &at, &p.Registrations); err != nil {
				return fmt.Errorf("purges: %w", err)
			}
			p.At = fromDB(at)
			out[p.EventID] = p
		}
		return rows.Err()
	})
	return out, err
}

// Erased is what an erasure removed.
type Erased struct {
	// Registrations whose names and addresses were erased.
	Registrations int
	// Mails whose raw bytes were erased; Outbox the sent (or failed) mails
	// whose bytes, recipients and subject were erased, and pending mails to
	// the person that were withdrawn.
	Mails, Outbox int
	// Audit counts the audit log entries in which the person was replaced.
	Audit int
	// Bounces counts the bounce records removed.
	Bounces int
}

// outboxErase erases what an outbox row holds about people: its bytes,
// recipients and subject (a reply's subject may quote the participant's).
// outboxHolds selects the rows that still hold any of it: a sent row has
// no bytes left (MarkSent dropped them) but still its recipients and
// subject.
const (
	outboxErase = `raw = x'', recipients = '[]', subject = ''`
	outboxHolds = `(length(raw) > 0 OR recipients <> '[]' OR subject <> '')`
)

// withdrawnPrefix starts the last_error of a queued mail withdrawn because
// its recipient asked to be forgotten.
const withdrawnPrefix = "withdrawn:"

// erasedText stands in the audit log where a name or an address was.
const erasedText = "(erased)"

type person struct {
	id          int64
	name, email string
	mailID      int64
}

func (tx *Tx) people(where string, args ...any) ([]person, error) {
	rows, err := tx.query(`SELECT id, name, email, COALESCE(mail_id, 0) FROM registrations WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.name, &p.email, &p.mailID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// erasePeople erases the names and addresses of the registrations, the
// mails that made them and every mail whose bytes hold one of addrs, and
// replaces them in the audit log (of eventID, or of every event when it is
// empty).
func (tx *Tx) erasePeople(ps []person, addrs []string, eventID string, e *Erased) error {
	n := func(res sql.Result, err error) (int, error) {
		if err != nil {
			return 0, err
		}
		k, err := res.RowsAffected()
		return int(k), err
	}
	mailIDs := map[int64]bool{}
	for _, p := range ps {
		k, err := n(tx.exec(`UPDATE registrations SET name = '', email = ?, organisation = '', diet = '', registered_by = ''
			WHERE id = ?`, "erased-"+strconv.FormatInt(p.id, 10), p.id))
		if err != nil {
			return err
		}
		e.Registrations += k
		if p.mailID != 0 {
			mailIDs[p.mailID] = true
		}
	}
	for id := range mailIDs {
		k, err := n(tx.exec(`UPDATE mails SET raw = x'', last_error = '' WHERE id = ? AND length(raw) > 0`, id))
		if err != nil {
			return err
		}
		e.Mails += k
		k, err = n(tx.exec(`UPDATE outbox SET `+outboxErase+` WHERE mail_id = ? AND status <> 'pending' AND `+outboxHolds, id))
		if err != nil {
			return err
		}
		e.Outbox += k
	}
	for _, p := range ps {
		// A question about the person goes with her: it quotes her words.
		if _, err := tx.exec(`DELETE FROM confirmations WHERE registration_id = ? OR address = ? OR by_email = ?`, p.id, p.email, p.email); err != nil {
			return err
		}
		k, err := n(tx.exec(`UPDATE outbox SET `+outboxErase+` WHERE registration_id = ? AND status <> 'pending' AND `+outboxHolds, p.id))
		if err != nil {
			return err
		}
		e.Outbox += k
	}
	for _, a := range addrs {
		a = normEmail(a)
		if a == "" {
			continue
		}
		k, err := n(tx.exec(`UPDATE mails SET raw = x'', last_error = '' WHERE length(raw) > 0 AND instr(lower(CAST(raw AS TEXT)), ?) > 0`, a))
		if err != nil {
			return err
		}
		e.Mails += k
		k, err = n(tx.exec(`UPDATE outbox SET `+outboxErase+` WHERE status <> 'pending' AND `+outboxHolds+`
			AND (instr(lower(CAST(raw AS TEXT)), ?) > 0 OR instr(lower(subject), ?) > 0
				OR EXISTS (SELECT 1 FROM json_each(outbox.recipients) WHERE lower(value) = ?))`, a, a, a))
		if err != nil {
			return err
		}
		e.Outbox += k
		if _, err := tx.exec(`DELETE FROM confirmations WHERE address = ? OR by_email = ?`, a, a); err != nil {
			return err
		}
		k, err = n(tx.exec(`DELETE FROM bounces WHERE address = ?`, a))
		if err != nil {
			return err
		}
		e.Bounces += k
	}
	// The audit log keeps every entry, with the person replaced.
	var words []string
	for _, a := range addrs {
		words = append(words, normEmail(a))
	}
	for _, p := range ps {
		if strings.TrimSpace(p.name) != "" {
			words = append(words, p.name)
		}
		words = append(words, p.email)
	}
	scope, args := "", []any{}
	if eventID != "" {
		scope, args = " AND event_id = ?", []any{eventID}
	}
	touched := map[int64]bool{}
	for _, w := range words {
		if w == "" {
			continue
		}
		rows, err := tx.query(`SELECT id FROM audit WHERE (instr(lower(before), lower(?)) > 0 OR instr(lower(after), lower(?)) > 0 OR sender = lower(?))`+scope,
			append([]any{w, w, w}, args...)...)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			if _, err := tx.exec(`UPDATE audit SET before = replace(before, ?, ?), after = replace(after, ?, ?),
				sender = CASE WHEN sender = lower(?) THEN ? ELSE sender END WHERE id = ?`, w, erasedText, w, erasedText, w, erasedText, id); err != nil {
				return err
			}
			touched[id] = true
		}
	}
	e.Audit = len(touched)
	return nil
}

// PurgeEvent erases the personal data of the event's registrations (names,
// addresses, organisations, diets), the raw mails that made them, the
// bodies of the mails sent about them, and any mail mentioning an address
// that has no registration in another event still kept; the audit log
// keeps its entries with the people replaced. The counts stay. It is done
// once per event: a second call changes nothing. It fails only on database
// errors.
func (tx *Tx) PurgeEvent(eventID string, at time.Time) (Erased, bool, error) {
	var e Erased
	if _, ok, err := tx.Purged(eventID); err != nil || ok {
		return e, false, err
	}
	ps, err := tx.people(`event_id = ?`, eventID)
	if err != nil {
		return e, false, fmt.Errorf("purge %q: %w", eventID, err)
	}
	var addrs []string
	for _, p := range ps {
		var other int
		if err := tx.queryRow(`SELECT COUNT(*) FROM registrations r WHERE r.email = ? AND r.event_id <> ?
			AND NOT EXISTS (SELECT 1 FROM purges p WHERE p.event_id = r.event_id)`, p.email, eventID).Scan(&other); err != nil {
			return e, false, fmt.Errorf("purge %q: %w", eventID, err)
		}
		if other == 0 {
			addrs = append(addrs, p.email)
		}
	}
	if err := tx.erasePeople(ps, addrs, eventID, &e); err != nil {
		return e, false, fmt.Errorf("purge %q: %w", eventID, err)
	}
	if _, err := tx.exec(`INSERT INTO purges (event_id, at, registrations) VALUES (?, ?, ?)`, eventID, at.UTC(), len(ps)); err != nil {
		return e, false, fmt.Errorf("purge %q: %w", eventID, err)
	}
	return e, true, nil
}

// Forget erases the person with the address everywhere: their
// registrations (cancelled first when live; the caller moves others up),
// the registered_by of registrations they made for others, every mail
// from or to them or mentioning them, their pending mail (withdrawn), their
// bounces; the audit log keeps its entries with the person replaced. It
// fails only on database errors.
func (tx *Tx) Forget(addr string, at time.Time) (Erased, error) {
	var e Erased
	addr = normEmail(addr)
	if addr == "" {
		return e, fmt.Errorf("forget: empty address")
	}
	ps, err := tx.people(`email = ?`, addr)
	if err != nil {
		return e, fmt.Errorf("forget %s: %w", addr, err)
	}
	for _, p := range ps {
		if _, err := tx.exec(`UPDATE registrations SET status = 'cancelled', end_reason = 'forgotten', cancelled_at = ?, updated_at = ?
			WHERE id = ? AND status <> 'cancelled'`, at.UTC(), at.UTC(), p.id); err != nil {
			return e, fmt.Errorf("forget %s: %w", addr, err)
		}
		if _, err := tx.exec(`UPDATE offers SET status = 'withdrawn', closed_at = ? WHERE registration_id = ? AND status = 'open'`, at.UTC(), p.id); err != nil {
			return e, fmt.Errorf("forget %s: %w", addr, err)
		}
	}
	if _, err := tx.exec(`UPDATE registrations SET registered_by = '' WHERE registered_by = ?`, addr); err != nil {
		return e, fmt.Errorf("forget %s: %w", addr, err)
	}
	res, err := tx.exec(`UPDATE outbox SET `+outboxErase+`, status = 'failed', claimed_by = '', claimed_until = NULL, last_error = ?
		WHERE status = 'pending' AND EXISTS (SELECT 1 FROM json_each(outbox.recipients) WHERE lower(value) = ?)`, withdrawnPrefix+" recipient forgotten", addr)
	if err != nil {
		return e, fmt.Errorf("forget %s: %w", addr, err)
	}
	k, _ := res.RowsAffected()
	e.Outbox += int(k)
	if err := tx.erasePeople(ps, []string{addr}, "", &e); err != nil {
		return e, fmt.Errorf("forget %s: %w", addr, err)
	}
	return e, nil
}

// EraseSentBytes erases the bytes of the mails of the given kinds that
// have left (sent or failed) and were written before before, keeping their
// rows and recipients (a bounce or a reply may still refer to them). The
// organisers' answers and digests carry participants' names and addresses
// in attachments (a spreadsheet is compressed), where no search for an
// address can find them; they are erased whole instead. It returns how
// many were erased and fails only on database errors.
func (tx *Tx) EraseSentBytes(kinds []string, before time.Time) (int, error) {
	n := 0
	for _, k := range kinds {
		res, err := tx.exec(`UPDATE outbox SET raw = x'' WHERE kind = ? AND status <> 'pending' AND length(raw) > 0 AND created_at < ?`,
			k, before.UTC())
		if err != nil {
			return n, fmt.Errorf("erase sent %s: %w", k, err)
		}
		m, err := res.RowsAffected()
		if err != nil {
			return n, fmt.Errorf("erase sent %s: %w", k, err)
		}
		n += int(m)
	}
	return n, nil
}

// EraseSent erases the bytes and recipients of the mails of the kind that
// have left (sent or failed): a mail that only confirms an erasure must not
// keep the address it was sent to. It fails only on database errors.
func (tx *Tx) EraseSent(kind string) error {
	if _, err := tx.exec(`UPDATE outbox SET `+outboxErase+` WHERE kind = ? AND status <> 'pending' AND `+outboxHolds, kind); err != nil {
		return fmt.Errorf("erase sent %s: %w", kind, err)
	}
	return nil
}
