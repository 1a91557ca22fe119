-- Copies of one mail met at more than one place in a mailbox (the same
-- Message-ID delivered twice, both copies fetched in one batch). The mail is
-- recorded and decided once, under its latest position; every earlier
-- position that was not yet marked is kept here, so that each copy is
-- flagged and moved like the one decided, and none stays in the inbox
-- looking unhandled.
CREATE TABLE mail_copies (
	mail_id      INTEGER NOT NULL REFERENCES mails (id) ON DELETE CASCADE,
	mailbox      TEXT NOT NULL,
	uid_validity INTEGER NOT NULL,
	uid          INTEGER NOT NULL,
	PRIMARY KEY (mail_id, mailbox, uid_validity, uid)
);

-- Recording a mail again at another UID of the same mailbox and
-- UIDVALIDITY moves its position (RecordMail's upsert): the old one is kept
-- as a copy while it is not marked. A position from before a UIDVALIDITY
-- change is stale and not kept: the mail is met again under its new UID.
CREATE TRIGGER mails_keep_copy BEFORE UPDATE OF uid ON mails
WHEN OLD.imap_done = 0 AND OLD.uid <> NEW.uid AND OLD.mailbox = NEW.mailbox AND OLD.uid_validity = NEW.uid_validity
BEGIN
	INSERT OR IGNORE INTO mail_copies (mail_id, mailbox, uid_validity, uid)
	VALUES (OLD.id, OLD.mailbox, OLD.uid_validity, OLD.uid);
END;
