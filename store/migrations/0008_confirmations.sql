-- Questions the bot asked before a change it was not sure of: "Svara JA så
-- avanmäler jag dig från …". The change is carried out only when a YES
-- answers that question (the reply names message_id in In-Reply-To or
-- References) and comes from address, the address the question was sent
-- to; an answer, a newer question or the erasure of the person closes it.
CREATE TABLE confirmations (
	id              INTEGER PRIMARY KEY,
	-- message_id is the Message-ID of our question, without angle brackets.
	message_id      TEXT NOT NULL UNIQUE,
	address         TEXT NOT NULL,
	event_id        TEXT NOT NULL REFERENCES events (id),
	-- registration_id is the registration the change is about.
	registration_id INTEGER REFERENCES registrations (id),
	action          TEXT NOT NULL CHECK (action IN ('cancel', 'substitute', 'forget', 'accept')),
	-- by_name and by_email are the colleague of a substitution.
	by_name         TEXT NOT NULL DEFAULT '',
	by_email        TEXT NOT NULL DEFAULT '',
	-- text is the sentence the change was read from, as the question quotes it.
	text            TEXT NOT NULL DEFAULT '',
	mail_id         INTEGER,
	asked_at        DATETIME NOT NULL,
	answered_at     DATETIME,
	-- outcome is '' while open, then 'done', 'declined' or 'superseded'.
	outcome         TEXT NOT NULL DEFAULT ''
);

CREATE INDEX confirmations_open ON confirmations (address) WHERE answered_at IS NULL;
