// Package outbox delivers the replies stored in the database over SMTP,
// exactly the bytes that were stored, so that a retry after a crash sends
// the same Message-ID. A temporary failure is retried with backoff, a
// permanent one is recorded, and a recipient's later replies wait behind
// an earlier one that could not be sent.
//
// It imports config, login, metrics and store. Entry points: New,
// Outbox.DeliverDue, Outbox.DeliverUntil.
package outbox
