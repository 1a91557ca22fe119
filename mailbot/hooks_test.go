package mailbot

import (
	"context"
	"errors"

	"github.com/goteborgsregionen/anmalan/intake"
)

// FailHandling makes d's inbox fail the decision of every mail for which
// fail returns true (the mail is recorded first, as always), as a database
// error in the decision would. It lets the tests (in package mailbot_test)
// make a poison mail.
func FailHandling(d *Daemon, fail func(intake.Incoming) bool) {
	d.inbox.BeforeDecide = func(in intake.Incoming) error {
		if fail(in) {
			return errors.New("injected failure: the decision could not be written")
		}
		return nil
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
	d.inbox.Recorded = fn
}

// BeforeHandling makes d's inbox call fn before it decides each mail (fn
// may block, holding the mail in hand).
func BeforeHandling(d *Daemon, fn func(intake.Incoming)) {
	d.inbox.BeforeDecide = func(in intake.Incoming) error {
		fn(in)
		return nil
	}
}
