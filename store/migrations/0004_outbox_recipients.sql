-- One row per recipient of each outgoing mail, so that the replies sent to
-- one address can be counted (the daily reply cap that stops mail loops)
-- and kept in order (a reply never overtakes an earlier one to the same
-- address that waits for a retry) without scanning the whole outbox.
CREATE TABLE outbox_recipients (
	outbox_id  INTEGER NOT NULL REFERENCES outbox (id),
	address    TEXT NOT NULL, -- lower-cased
	created_at DATETIME NOT NULL,
	PRIMARY KEY (address, outbox_id)
) WITHOUT ROWID;

CREATE INDEX outbox_recipients_outbox ON outbox_recipients (outbox_id);

INSERT OR IGNORE INTO outbox_recipients (outbox_id, address, created_at)
	SELECT o.id, lower(trim(j.value)), o.created_at FROM outbox o, json_each(o.recipients) j;

-- When a reply's recipients are erased (retention, "forget me") or the
-- reply is deleted, its recipient rows go too, so that no address outlives
-- the reply that held it.
CREATE TRIGGER outbox_recipients_erase AFTER UPDATE OF recipients ON outbox
	WHEN NEW.recipients = '[]'
BEGIN
	DELETE FROM outbox_recipients WHERE outbox_id = NEW.id;
END;

CREATE TRIGGER outbox_recipients_delete AFTER DELETE ON outbox
BEGIN
	DELETE FROM outbox_recipients WHERE outbox_id = OLD.id;
END;
