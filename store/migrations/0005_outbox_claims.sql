-- Claims, so that no reply is sent twice whatever runs on the database, and
-- what a reply keeps once its bytes are dropped after the server took it.

-- A sender claims the due rows it is about to send, in one write
-- transaction: claimed_by names it, and no other sender takes the row
-- until claimed_until has passed (the lease), so that a sender that died
-- does not hold its rows for ever. Recording the attempt's result clears
-- the claim.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until DATETIME;

-- Once the server has accepted a reply its bytes (the material included)
-- are dropped; its size and decoded subject stay for status, the audit and
-- the digest. Rows from before this migration keep an empty subject.
ALTER TABLE outbox ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN subject TEXT NOT NULL DEFAULT '';
UPDATE outbox SET size = length(raw);
