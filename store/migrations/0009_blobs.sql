-- Each material file once, by content hash, instead of inside every reply
-- that carries it. An outbox row's raw is then the mail with those
-- attachments' bodies cut out; outbox_parts says which blob goes at which
-- byte offset of raw, and the sender streams raw with the blobs in place:
-- the same bytes on every attempt.

-- hash is the hex SHA-256 of the file's content; data is its base64, in
-- lines of 76 characters ended with CRLF, exactly as it goes into a mail.
CREATE TABLE blobs (
	hash       TEXT PRIMARY KEY,
	data       BLOB NOT NULL,
	created_at DATETIME NOT NULL
);

-- at is the byte offset in outbox.raw where the blob goes; seq orders the
-- parts of one mail (their offsets ascend with it).
CREATE TABLE outbox_parts (
	outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
	seq       INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	hash      TEXT NOT NULL REFERENCES blobs (hash),
	PRIMARY KEY (outbox_id, seq)
);

CREATE INDEX outbox_parts_hash ON outbox_parts (hash);

-- When a reply's bytes are dropped (sent, retention, "forget me"), its
-- parts go too: a blob that no reply waiting to be sent (or failed, kept
-- for a human) refers to is deleted at the next compaction.
CREATE TRIGGER outbox_parts_drop AFTER UPDATE OF raw ON outbox
	WHEN length(NEW.raw) = 0
BEGIN
	DELETE FROM outbox_parts WHERE outbox_id = NEW.id;
END;
