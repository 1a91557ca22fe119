package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Event is an event as the config describes it.
type Event struct {
	ID, Title, Location string
	Starts, Ends        time.Time
	// Opens and Closes bound the registration window; the zero time means
	// no bound. Closes is the last instant at which registration is open.
	Opens, Closes time.Time
	// Seats is the number of seats from the config.
	Seats int
}

// EventStatus is an event with its stored state and registration counts.
type EventStatus struct {
	Event
	// SeatsOverride, when not 0, replaces Seats; an organiser command sets
	// it, and it survives config reloads.
	SeatsOverride                 int
	Confirmed, Waiting, Cancelled int
	// OverCapacity counts the confirmed seats an organiser gave beyond the
	// seats; Substituted counts the registrations that took someone's place.
	OverCapacity, Substituted int
	// Removed is true when the event is no longer in the config but is
	// kept because it has registrations.
	Removed bool
}

// EffectiveSeats returns the number of seats that counts: the override
// when one is set, else the configured seats.
func (e EventStatus) EffectiveSeats() int {
	if e.SeatsOverride > 0 {
		return e.SeatsOverride
	}
	return e.Seats
}

// SyncEvents makes the stored events match the config: it inserts or
// updates every event given (keeping any seat override), and for each
// stored event missing from events deletes it when it has no
// registrations or else marks it removed. It fails on an event without ID
// or title, on duplicate IDs, and on database errors; then nothing changes.
func (s *Store) SyncEvents(ctx context.Context, events []Event) error {
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		switch {
		case e.ID == "":
			return errors.New("sync events: event without id")
		case seen[e.ID]:
			return fmt.Errorf("sync events: duplicate event id %q", e.ID)
		case e.Starts.IsZero():
			return fmt.Errorf("sync events: event %q has no start", e.ID)
		case e.Seats < 0:
			return fmt.Errorf("sync events: event %q has negative seats", e.ID)
		}
		seen[e.ID] = true
	}
	return s.Update(ctx, func(tx *Tx) error {
		for _, e := range events {
			_, err := tx.exec(`INSERT INTO events (id, title, location, starts, ends, opens, closes, seats, removed)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)
				ON CONFLICT (id) DO UPDATE SET title = excluded.title, location = excluded.location,
					starts = excluded.starts, ends = excluded.ends, opens = excluded.opens,
					closes = excluded.closes, seats = excluded.seats, removed = 0`,
				e.ID, e.Title, e.Location, e.Starts.UTC(), e.Ends.UTC(), dbTime(e.Opens), dbTime(e.Closes), e.Seats)
			if err != nil {
				return fmt.Errorf("sync event %q: %w", e.ID, err)
			}
		}
		rows, err := tx.query(`SELECT id FROM events`)
		if err != nil {
			return fmt.Errorf("sync events: %w", err)
		}
		var gone []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("sync events: %w", err)
			}
			if !seen[id] {
				gone = append(gone, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sync events: %w", err)
		}
		for _, id := range gone {
			// Registrations (even cancelled ones) are history the organiser
			// may still export, so such an event is only marked removed.
			if _, err := tx.exec(`DELETE FROM events WHERE id = ?
				AND NOT EXISTS (SELECT 1 FROM registrations WHERE event_id = ?)`, id, id); err != nil {
				return fmt.Errorf("delete event %q: %w", id, err)
			}
			if _, err := tx.exec(`UPDATE events SET removed = 1 WHERE id = ?`, id); err != nil {
				return fmt.Errorf("mark event %q removed: %w", id, err)
			}
		}
		return nil
	})
}

const eventColumns = `e.id, e.title, e.location, e.starts, e.ends, e.opens, e.closes, e.seats, e.seats_override, e.removed,
	(SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed'),
	(SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waiting'),
	(SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'cancelled'),
	(SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed' AND r.over_capacity = 1),
	(SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id AND r.status <> 'cancelled' AND r.replaces IS NOT NULL)`

type scanner interface{ Scan(dest ...any) error }

func scanEvent(sc scanner) (EventStatus, error) {
	var (
		e                           EventStatus
		starts, ends, opens, closes sql.NullTime
	)
	err := sc.Scan(&e.ID, &e.Title, &e.Location, &starts, &ends, &opens, &closes, &e.Seats, &e.SeatsOverride, &e.Removed,
		&e.Confirmed, &e.Waiting, &e.Cancelled, &e.OverCapacity, &e.Substituted)
	e.Starts, e.Ends, e.Opens, e.Closes = fromDB(starts), fromDB(ends), fromDB(opens), fromDB(closes)
	return e, err
}

// Events returns all stored events, including removed ones, ordered by
// start time. It fails only on database errors.
func (s *Store) Events(ctx context.Context) ([]EventStatus, error) {
	var evs []EventStatus
	err := s.Read(ctx, func(tx *Tx) error {
		rows, err := tx.query(`SELECT ` + eventColumns + ` FROM events e ORDER BY e.starts, e.id`)
		if err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return fmt.Errorf("list events: %w", err)
			}
			evs = append(evs, e)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list events: %w", err)
		}
		return nil
	})
	return evs, err
}

// Event returns the event with the given ID and its counts. It fails with
// ErrNoEvent when there is none.
func (s *Store) Event(ctx context.Context, id string) (EventStatus, error) {
	var e EventStatus
	err := s.Read(ctx, func(tx *Tx) error {
		var err error
		e, err = tx.Event(id)
		return err
	})
	return e, err
}

// Event returns the event with the given ID and its counts as seen inside
// this transaction. It fails with ErrNoEvent when there is none.
func (tx *Tx) Event(id string) (EventStatus, error) {
	e, err := scanEvent(tx.queryRow(`SELECT `+eventColumns+` FROM events e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return EventStatus{}, fmt.Errorf("event %q: %w", id, ErrNoEvent)
	}
	if err != nil {
		return EventStatus{}, fmt.Errorf("event %q: %w", id, err)
	}
	return e, nil
}

// SetSeats sets the seat override of an event; 0 removes the override so
// that the configured seats count again. It does not promote anyone from
// the waiting list: callers decide, with PromoteNext. Seats given beyond
// capacity that now fit are no longer counted as over capacity. It fails with
// ErrNoEvent when the event is unknown and on a negative number.
func (tx *Tx) SetSeats(eventID string, seats int) error {
	if seats < 0 {
		return fmt.Errorf("set seats of %q: negative number %d", eventID, seats)
	}
	res, err := tx.exec(`UPDATE events SET seats_override = ? WHERE id = ?`, seats, eventID)
	if err != nil {
		return fmt.Errorf("set seats of %q: %w", eventID, err)
	}
	if err := affectedOne(res, ErrNoEvent); err != nil {
		return fmt.Errorf("set seats of %q: %w", eventID, err)
	}
	if err := tx.settleCapacity(eventID); err != nil {
		return fmt.Errorf("set seats of %q: %w", eventID, err)
	}
	return nil
}
