-- The first schema of anmalan. Times are stored as UTC text in the driver's
-- "sqlite" format, so that columns declared DATETIME read back as time.Time
-- and text comparison orders them correctly.

-- Events mirror the config file. An event that left the config is kept,
-- marked removed, while registrations refer to it.
CREATE TABLE events (
	id             TEXT PRIMARY KEY,
	title          TEXT NOT NULL,
	location       TEXT NOT NULL DEFAULT '',
	starts         DATETIME NOT NULL,
	ends           DATETIME NOT NULL,
	opens          DATETIME,
	closes         DATETIME,
	seats          INTEGER NOT NULL CHECK (seats >= 0),
	seats_override INTEGER NOT NULL DEFAULT 0 CHECK (seats_override >= 0),
	removed        INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX events_starts ON events (starts, id);

-- Every mail fetched from IMAP, once per key, with its raw bytes, so that a
-- crash after fetching loses nothing and a refetch is recognised.
CREATE TABLE mails (
	id           INTEGER PRIMARY KEY,
	key          TEXT NOT NULL UNIQUE,
	mailbox      TEXT NOT NULL,
	uid_validity INTEGER NOT NULL,
	uid          INTEGER NOT NULL,
	received     DATETIME NOT NULL,
	raw          BLOB NOT NULL,
	done         INTEGER NOT NULL DEFAULT 0,
	outcome      TEXT NOT NULL DEFAULT '',
	detail       TEXT NOT NULL DEFAULT '',
	finished_at  DATETIME,
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	imap_done    INTEGER NOT NULL DEFAULT 0
);

-- The marking step looks for processed mail not yet marked in IMAP.
CREATE INDEX mails_pending_imap ON mails (mailbox, id) WHERE done = 1 AND imap_done = 0;
CREATE INDEX mails_unfinished ON mails (id) WHERE done = 0;

-- Registrations. The arrival order is the id: it decides who is confirmed
-- and the waiting-list positions, which are computed on read.
CREATE TABLE registrations (
	id            INTEGER PRIMARY KEY,
	event_id      TEXT NOT NULL REFERENCES events (id),
	name          TEXT NOT NULL,
	email         TEXT NOT NULL,
	organisation  TEXT NOT NULL DEFAULT '',
	diet          TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
	registered_at DATETIME NOT NULL,
	mail_id       INTEGER REFERENCES mails (id),
	registered_by TEXT NOT NULL DEFAULT '',
	updated_at    DATETIME NOT NULL,
	cancelled_at  DATETIME
);

-- One live registration per address and event; the store checks this
-- before inserting, and the index makes a bug there fail loudly.
CREATE UNIQUE INDEX registrations_live ON registrations (event_id, email) WHERE status <> 'cancelled';
-- Seat counts and waiting-list ranks read this index.
CREATE INDEX registrations_event_status ON registrations (event_id, status, id);

-- The IMAP checkpoint per mailbox.
CREATE TABLE checkpoints (
	mailbox      TEXT PRIMARY KEY,
	uid_validity INTEGER NOT NULL,
	last_uid     INTEGER NOT NULL
);

-- Outgoing mail, with the exact bytes to send, so that a retry after a
-- crash sends the same message with the same Message-ID.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	message_id      TEXT NOT NULL UNIQUE,
	envelope_from   TEXT NOT NULL,
	recipients      TEXT NOT NULL, -- a JSON array of addresses
	raw             BLOB NOT NULL,
	kind            TEXT NOT NULL,
	mail_id         INTEGER REFERENCES mails (id),
	registration_id INTEGER REFERENCES registrations (id),
	status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt    DATETIME NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      DATETIME NOT NULL,
	sent_at         DATETIME
);

CREATE INDEX outbox_due ON outbox (status, next_attempt, id);
CREATE INDEX outbox_mail ON outbox (mail_id);
CREATE INDEX outbox_registration ON outbox (registration_id);
