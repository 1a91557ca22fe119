// Package intake reads the bot's mailbox over IMAP: it lists new mail
// after the stored checkpoint, downloads it in chunks with BODY.PEEK[],
// records each chunk (raw bytes, position, checkpoint) in one
// transaction, hands every recorded mail to a Decider in arrival order and
// marks the decided mail in batches (flags, MOVE, or COPY and UID
// EXPUNGE). It keeps one connection, IDLEs where the server can, polls
// where it cannot, and reconnects with backoff.
//
// It decides nothing itself: the Decider interface, which the bot
// implements, is its only way to the decisions. It imports config, login,
// message, metrics and store. Entry points: New, Inbox.Run,
// Inbox.PollOnce; Decider, Incoming, Outcome.
package intake
