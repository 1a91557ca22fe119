package mailbot_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/daemon"
	"github.com/goteborgsregionen/anmalan/localmail"
)

// TestIdleIsCalledAfterWorkOnly: Options.Idle, where `anmalan run` gives
// memory back to the operating system, is called after each spell of
// work (a mail decided and its reply delivered), again after a later
// spell, and never while the daemon has had nothing to do. Only the order
// of events is checked; the short IdleAfter is not a measure of speed.
func TestIdleIsCalledAfterWorkOnly(t *testing.T) {
	e := newEnvWith(t, 10, localmail.Options{}, withIMAP(`poll_interval = "1h"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	const idleAfter = 20 * time.Millisecond
	idle := make(chan struct{}, 64)
	// One Daemon per database: the env's own gives way to this one.
	e.d.Close()
	d, err := daemon.Open(context.Background(), e.cfg, daemon.Options{Now: e.clock.Now,
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Idle: func() { idle <- struct{}{} }, IdleAfter: idleAfter})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	e.d = d
	e.start()
	e.waitIdle()

	// Connected, an empty inbox read, nothing to deliver: no work done,
	// so Idle has no reason to run. Waiting longer can only make a
	// wrong call more likely to show, never make a right run fail.
	select {
	case <-idle:
		t.Fatal("Idle was called although the daemon had had nothing to do")
	case <-time.After(20 * idleAfter):
	}

	waitCall := func(after string) {
		t.Helper()
		select {
		case <-idle:
		case <-time.After(giveUp):
			t.Fatalf("Idle was not called after %s", after)
		}
	}
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "quiet-1@ale.example"), at)
	e.answered("sara.nilsson@ale.example")
	waitCall("the first mail was answered")

	// A second spell of work is followed by a call of its own.
	e.waitIdle()
	for len(idle) > 0 {
		<-idle
	}
	e.deliver(registration("karl.berg@ale.example", "Karl Berg", "quiet-2@ale.example"), at)
	e.answered("karl.berg@ale.example")
	waitCall("the second mail was answered")
	e.onceEach("sara.nilsson@ale.example", "karl.berg@ale.example")
}
