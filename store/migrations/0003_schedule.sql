-- Scheduled mail (reminders, material updates, the organisers' digest) and
-- data protection (erasure after the retention time, and on request). Each
-- scheduled mail is recorded here in the transaction that queues it, so
-- that it is sent once across restarts.

-- The reminder of each registration: 'sent', or 'dropped' when its time
-- passed while the daemon was down and the event had started, or
-- 'skipped' when the person got their seat after the reminder was due
-- (their confirmation said it all).
CREATE TABLE reminders (
	registration_id INTEGER PRIMARY KEY REFERENCES registrations (id),
	outcome         TEXT NOT NULL CHECK (outcome IN ('sent', 'dropped', 'skipped')),
	at              DATETIME NOT NULL
);

-- Which version (content hash) of each material file a registration has
-- been sent, in a confirmation or a material update.
CREATE TABLE material_sent (
	registration_id INTEGER NOT NULL REFERENCES registrations (id),
	name            TEXT NOT NULL,
	hash            TEXT NOT NULL,
	at              DATETIME NOT NULL,
	PRIMARY KEY (registration_id, name, hash)
);

-- Events whose material versions have been seen: the first time (a new
-- database, or an upgrade) the current files are taken as what every
-- confirmed registration already has.
CREATE TABLE material_baseline (
	event_id TEXT PRIMARY KEY,
	at       DATETIME NOT NULL
);

-- One row per local day on which the digest was due: sent or not (nothing
-- happened), and the number of failed outbox rows then, so that the next
-- digest reports only new failures.
CREATE TABLE digests (
	day    TEXT PRIMARY KEY, -- YYYY-MM-DD in the config's time zone
	at     DATETIME NOT NULL,
	sent   INTEGER NOT NULL,
	failed INTEGER NOT NULL
);

-- Events whose personal data was erased after the retention time.
CREATE TABLE purges (
	event_id      TEXT PRIMARY KEY,
	at            DATETIME NOT NULL,
	registrations INTEGER NOT NULL
);
