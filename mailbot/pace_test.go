package mailbot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/outbox"
)

// TestDecisionsWaitWhileTheOutboxIsFull: while the SMTP server holds
// every transaction open, the daemon decides the backlog only until
// outbox.AheadRows replies wait to be sent, and stops there; once the
// server accepts again, it decides the rest. At no time do more replies
// wait than the bound.
func TestDecisionsWaitWhileTheOutboxIsFull(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	e := newEnvWith(t, 10, localmail.Options{BeforeAccept: func(localmail.Message) { <-release }}, nil)
	n := outbox.AheadRows + 40
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	e.deliverPeople(0, n, at)
	e.start()
	// Runs before the daemon is stopped: a transaction held open would
	// hold the stop for its grace time.
	t.Cleanup(open)
	ctx := context.Background()
	st := e.d.Store()
	most := 0
	backlog := func() int {
		rows, _, err := st.Backlog(ctx, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, rows)
		return rows
	}
	e.waitFor("the outbox to fill to its bound", func() bool { return backlog() >= outbox.AheadRows })
	all, err := st.Outgoing(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != outbox.AheadRows {
		t.Errorf("%d replies composed while none could be sent, want the bound %d", len(all), outbox.AheadRows)
	}
	open()
	e.waitFor("every registration answered", func() bool {
		backlog()
		return len(e.srv.Received()) == n
	})
	if most > outbox.AheadRows {
		t.Errorf("%d replies waited to be sent at once, more than the bound %d", most, outbox.AheadRows)
	}
	// The server has the last reply a moment before the outbox records it.
	e.waitFor("the outbox to record every reply sent", func() bool { return backlog() == 0 })
}
