// Package outbox delivers the replies stored in the database over SMTP,
// exactly the bytes that were stored with the material files (stored once,
// store.Part) streamed into their places, so that a retry after a crash
// sends the same mail with the same Message-ID. A temporary failure is
// retried with backoff, a permanent one is recorded, and a recipient's
// later replies wait behind an earlier one that could not be sent.
// WaitRoom bounds how far the decisions compose ahead of the sending.
//
// It imports config, login, metrics and store. Entry points: New,
// Outbox.DeliverDue, Outbox.DeliverUntil, Outbox.WaitRoom.
package outbox
