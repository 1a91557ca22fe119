package mailbot

import (
	"context"
	"errors"
)

// FailHandling makes d's inbox fail the decision of every mail for which
// fail returns true (the mail is recorded first, as always), as a database
// error in the decision would. It lets the tests (in package mailbot_test)
// make a poison mail.
func FailHandling(d *Daemon, fail func(Incoming) bool) {
	real := d.inbox.decide
	d.inbox.decide = func(ctx context.Context, in Incoming, mailID int64, key string) (Result, error) {
		if !fail(in) {
			return real(ctx, in, mailID, key)
		}
		return Result{MailID: mailID, Key: key}, errors.New("injected failure: the decision could not be written")
	}
}

// PollInbox runs d's intake once (connect, record and decide every new
// mail, mark it, disconnect) without delivering the replies, for
// benchmarks.
func PollInbox(ctx context.Context, d *Daemon) (int, error) {
	return d.inbox.PollOnce(ctx)
}

// AfterRecording makes d's inbox call fn with the number of mails each
// recording transaction committed, for benchmarks.
func AfterRecording(d *Daemon, fn func(n int)) {
	d.inbox.recorded = fn
}

// BeforeHandling makes d's inbox call fn before it decides each mail (fn
// may block, holding the mail in hand).
func BeforeHandling(d *Daemon, fn func(Incoming)) {
	real := d.inbox.decide
	d.inbox.decide = func(ctx context.Context, in Incoming, mailID int64, key string) (Result, error) {
		fn(in)
		return real(ctx, in, mailID, key)
	}
}
