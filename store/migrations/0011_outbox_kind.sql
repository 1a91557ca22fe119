-- The erasure of sent organisers' mail and "forgotten" answers runs on
-- every tick and picks its rows by kind; without an index it read the
-- whole outbox each time, so a drain of thousands of replies spent more
-- and more of its time (measured: a seventh of the daemon's CPU) finding
-- the handful of rows of those kinds.
CREATE INDEX outbox_kind ON outbox (kind, status);
