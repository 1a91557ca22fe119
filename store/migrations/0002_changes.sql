-- Changes by mail: substitutions, promotions beyond the seats, offers with
-- a deadline, the audit log and bounced addresses.

-- The place in the queue. It is the id for a new registration (set by the
-- trigger below), but a substitute takes over the place of the person they
-- replace, so seats and waiting-list positions follow seq, not id.
ALTER TABLE registrations ADD COLUMN seq INTEGER;
UPDATE registrations SET seq = id;
CREATE TRIGGER registrations_seq AFTER INSERT ON registrations WHEN NEW.seq IS NULL
BEGIN
	UPDATE registrations SET seq = NEW.id WHERE id = NEW.id;
END;
CREATE INDEX registrations_event_seq ON registrations (event_id, status, seq);

-- 1 for a seat an organiser gave beyond the event's seats.
ALTER TABLE registrations ADD COLUMN over_capacity INTEGER NOT NULL DEFAULT 0;
-- The registration this one took the place of (a substitution).
ALTER TABLE registrations ADD COLUMN replaces INTEGER REFERENCES registrations (id);
-- Every registration read looks for the one that replaced it.
CREATE INDEX registrations_replaces ON registrations (replaces) WHERE replaces IS NOT NULL;
-- Why a cancelled registration ended: 'cancelled', 'substituted' or
-- 'offer-expired'; empty while live.
ALTER TABLE registrations ADD COLUMN end_reason TEXT NOT NULL DEFAULT '';

-- A seat offered to someone moved up from the waiting list, who must accept
-- it by the deadline (offer_hours). Kept here so that the timer survives
-- restarts.
CREATE TABLE offers (
	registration_id INTEGER PRIMARY KEY REFERENCES registrations (id),
	event_id        TEXT NOT NULL REFERENCES events (id),
	offered_at      DATETIME NOT NULL,
	deadline        DATETIME NOT NULL,
	status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'expired', 'withdrawn')),
	closed_at       DATETIME
);
CREATE INDEX offers_open ON offers (status, deadline);

-- Every change to a registration or an event's seats: when, what, the state
-- before and after, and which mail from which sender asked for it.
CREATE TABLE audit (
	id              INTEGER PRIMARY KEY,
	at              DATETIME NOT NULL,
	event_id        TEXT NOT NULL,
	registration_id INTEGER,
	action          TEXT NOT NULL,
	before          TEXT NOT NULL DEFAULT '',
	after           TEXT NOT NULL DEFAULT '',
	mail_id         INTEGER,
	sender          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_event ON audit (event_id, id);

-- Addresses that a bounce reported as failing.
CREATE TABLE bounces (
	id      INTEGER PRIMARY KEY,
	address TEXT NOT NULL,
	mail_id INTEGER REFERENCES mails (id),
	at      DATETIME NOT NULL
);
CREATE INDEX bounces_address ON bounces (address);
