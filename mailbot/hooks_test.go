package mailbot

import (
	"context"
	"errors"
)

// FailHandling makes d's inbox fail every mail for which fail returns true,
// after recording it, as a database error in the decision would. It lets
// the tests (in package mailbot_test) make a poison mail.
func FailHandling(d *Daemon, fail func(Incoming) bool) {
	real := d.inbox.handle
	d.inbox.handle = func(ctx context.Context, in Incoming) (Result, error) {
		if !fail(in) {
			return real(ctx, in)
		}
		st, key, err := d.Bot().Record(ctx, in)
		if err != nil {
			return Result{}, err
		}
		return Result{MailID: st.ID, Key: key}, errors.New("injected failure: the decision could not be written")
	}
}

// PollInbox runs d's intake once (connect, handle every new mail, mark
// it, disconnect) without delivering the replies, for benchmarks.
func PollInbox(ctx context.Context, d *Daemon) (int, error) {
	return d.inbox.PollOnce(ctx)
}

// BeforeHandling makes d's inbox call fn before it decides each mail (fn
// may block, holding the mail in hand).
func BeforeHandling(d *Daemon, fn func(Incoming)) {
	real := d.inbox.handle
	d.inbox.handle = func(ctx context.Context, in Incoming) (Result, error) {
		fn(in)
		return real(ctx, in)
	}
}
