package outbox_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/textproto"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/outbox"
	"github.com/goteborgsregionen/anmalan/store"
)

const bot = "anmalan@goteborgsregionen.example"

// fixture is a database with an outbox and an SMTP sink.
type fixture struct {
	t    *testing.T
	path string
	st   *store.Store
	srv  *localmail.Servers
	now  time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv, err := localmail.Start(localmail.Options{Password: "pw", Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	path := filepath.Join(t.TempDir(), "anmalan.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &fixture{t: t, path: path, st: st, srv: srv, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
}

// queue puts one reply to each of rcpts into the outbox, in that order,
// and returns their Message-IDs.
func (f *fixture) queue(rcpts ...string) []string {
	f.t.Helper()
	var ids []string
	err := f.st.Update(context.Background(), func(tx *store.Tx) error {
		for _, r := range rcpts {
			id := fmt.Sprintf("reply-%d@goteborgsregionen.example", len(ids)+1)
			raw := "From: " + bot + "\r\nTo: " + r + "\r\nSubject: Bekräftelse\r\nMessage-ID: <" + id + ">\r\n\r\nVälkommen!\r\n"
			if _, err := tx.Enqueue(store.Outgoing{MessageID: id, EnvelopeFrom: bot, Recipients: []string{r},
				Raw: []byte(raw), Subject: "Bekräftelse", Kind: "confirmation"}, f.now); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return ids
}

// outbox returns an Outbox on st that sends over connections connections.
func (f *fixture) outbox(st *store.Store, connections int) *outbox.Outbox {
	f.t.Helper()
	ob, err := outbox.New(config.SMTPConfig{Address: f.srv.SMTPAddr(), Security: "none", From: bot, Connections: connections},
		st, func() time.Time { return f.now.Add(time.Minute) }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.t.Fatal(err)
	}
	return ob
}

// received returns the Message-IDs the sink accepted, in order, per
// recipient (in lower case).
func (f *fixture) received() map[string][]string {
	out := map[string][]string{}
	for _, m := range f.srv.Received() {
		h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(m.Data))).ReadMIMEHeader()
		if err != nil {
			f.t.Fatal(err)
		}
		id := strings.Trim(h.Get("Message-Id"), "<>")
		for _, to := range m.To {
			out[strings.ToLower(to)] = append(out[strings.ToLower(to)], id)
		}
	}
	return out
}

// TestTwoSendersOnOneDatabaseSendEachReplyOnce forces what the lock
// prevents: two Outboxes, each with its own connection to the database
// file and four SMTP connections, deliver one outbox at the same time.
// Every reply reaches the SMTP sink exactly once.
func TestTwoSendersOnOneDatabaseSendEachReplyOnce(t *testing.T) {
	f := newFixture(t)
	var rcpts []string
	for i := range 300 {
		rcpts = append(rcpts, fmt.Sprintf("person%03d@ale.example", i))
	}
	ids := f.queue(rcpts...)
	// A second Store on the same file, as a second process would open it.
	other, err := store.Open(context.Background(), f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	senders := []*outbox.Outbox{f.outbox(f.st, 4), f.outbox(other, 4)}
	reps := make([]outbox.DeliveryReport, len(senders))
	var wg sync.WaitGroup
	for i, ob := range senders {
		wg.Go(func() {
			var err error
			if reps[i], err = ob.DeliverDue(context.Background()); err != nil {
				t.Errorf("sender %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	t.Logf("sender reports: %+v", reps)
	if got := reps[0].Sent + reps[1].Sent; got != len(ids) {
		t.Errorf("the senders report %d sent, want %d", got, len(ids))
	}
	times := map[string]int{}
	for _, got := range f.received() {
		for _, id := range got {
			times[id]++
		}
	}
	dups := 0
	for _, id := range ids {
		switch n := times[id]; {
		case n == 0:
			t.Errorf("%s never sent", id)
		case n > 1:
			dups++
			t.Errorf("%s sent %d times", id, n)
		}
	}
	t.Logf("%d replies, %d at the sink, %d duplicates", len(ids), len(f.srv.Received()), dups)
	pending, err := f.st.Outgoing(context.Background(), store.OutboxPending)
	if err != nil || len(pending) != 0 {
		t.Errorf("%d replies still pending (%v)", len(pending), err)
	}
}

// TestParallelConnectionsKeepEachRecipientsOrder: over four connections,
// each recipient gets their replies in the order they were queued, and
// every reply once.
func TestParallelConnectionsKeepEachRecipientsOrder(t *testing.T) {
	f := newFixture(t)
	var rcpts []string
	for round := range 12 {
		for p := range 7 {
			// Recipients in different cases: one address all the same.
			r := fmt.Sprintf("person%d@ale.example", p)
			if round%2 == 1 {
				r = strings.ToUpper(r[:1]) + r[1:]
			}
			rcpts = append(rcpts, r)
		}
	}
	ids := f.queue(rcpts...)
	want := map[string][]string{}
	for i, r := range rcpts {
		k := strings.ToLower(r)
		want[k] = append(want[k], ids[i])
	}
	rep, err := f.outbox(f.st, 4).DeliverDue(context.Background())
	if err != nil || rep.Sent != len(ids) {
		t.Fatalf("delivery %+v, %v; want %d sent", rep, err, len(ids))
	}
	got := f.received()
	for r, w := range want {
		if strings.Join(got[r], " ") != strings.Join(w, " ") {
			t.Errorf("%s got\n%v\nwant\n%v", r, got[r], w)
		}
	}
}
