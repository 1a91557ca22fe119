// Package metrics holds what the daemon counts for /metrics and judges for
// /healthz: mails handled by outcome, delivery attempts by result, the
// IMAP connection, and the outbox's depth and age read from the store.
//
// It imports store and the Prometheus client. Entry point: New.
package metrics
