package mailbot_test

// BenchmarkIntake measures the intake on the real Dovecot (see
// BENCHMARKS.md). It is a benchmark, never a test: it skips without the
// mail stack and asserts nothing about time.
//
//	eval $(cat /tmp/anmalan-mailstack/env)
//	go test -run XXX -bench Intake -benchtime 1x ./mailbot/

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/goteborgsregionen/anmalan/localmail"
)

func BenchmarkIntake(b *testing.B) {
	if os.Getenv("MAILSTACK_IMAP") == "" {
		b.Skip("real mail stack not running: run scripts/mailstack.sh up and eval $(cat /tmp/anmalan-mailstack/env)")
	}
	b.Run("latency-idle-200", benchLatency)
	b.Run("drain-10000", benchDrain)
}

// benchEnv is newDovecotEnv for a benchmark.
func benchEnv(b *testing.B, seats int, lopts localmail.Options) (*env, stack, string) {
	s := realStack(b)
	user := uniqueUser("bench")
	e := newEnvWith(b, seats, lopts, func(toml string) string { return dovecotConfig(toml, s, user) })
	return e, s, user
}

func benchLatency(b *testing.B) {
	var deliver func(raw []byte)
	benchLatencyOn(b, func(opts localmail.Options) *env {
		e, s, user := benchEnv(b, 210, opts)
		deliver = func(raw []byte) { appendAll(b, s, user, [][]byte{raw}) }
		return e
	}, func(raw []byte) { deliver(raw) })
}

// BenchmarkLatencyInProcess is the latency benchmark against the
// in-process IMAP server, which announces new mail at once: it shows the
// bot's own share of the latency (wake up, fetch, record, decide, compose,
// submit), without Dovecot's notification delay.
func BenchmarkLatencyInProcess(b *testing.B) {
	var e *env
	benchLatencyOn(b, func(opts localmail.Options) *env {
		e = newEnvWith(b, 210, opts, func(s string) string { return s })
		return e
	}, func(raw []byte) { e.deliver(raw, e.clock.Now()) })
}

// benchLatencyOn measures, over 200 single mails, the time from a mail
// being put into the bot's mailbox to its reply being accepted by the
// SMTP server, with the daemon in IDLE.
func benchLatencyOn(b *testing.B, open func(localmail.Options) *env, deliver func(raw []byte)) {
	const n = 200
	var mu sync.Mutex
	accepted := map[string]time.Time{}
	e := open(localmail.Options{Accepted: func(m localmail.Message) {
		now := time.Now()
		mu.Lock()
		for _, to := range m.To {
			accepted[to] = now
		}
		mu.Unlock()
	}})
	e.clock.Set(time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	// Warm up: the first mail also waits for the connection.
	deliver(registration("warm@ale.example", "Warm", fmt.Sprintf("warm-%p", e)))
	waitAccepted(b, &mu, accepted, "warm@ale.example")
	var lat []time.Duration
	b.ResetTimer()
	for i := range n {
		to := fmt.Sprintf("lat%03d@ale.example", i)
		start := time.Now()
		deliver(registration(to, "Person", fmt.Sprintf("lat-%d-%p", i, e)))
		at := waitAccepted(b, &mu, accepted, to)
		lat = append(lat, at.Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.Logf("latency over %d mails: p50 %v, p99 %v, max %v", n, p50, p99, lat[len(lat)-1])
}

func waitAccepted(b *testing.B, mu *sync.Mutex, accepted map[string]time.Time, to string) time.Time {
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		at, ok := accepted[to]
		mu.Unlock()
		if ok {
			return at
		}
		if time.Now().After(deadline) {
			b.Fatalf("no reply to %s", to)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func benchDrain(b *testing.B) {
	const n = 10000
	e, s, user := benchEnv(b, n, localmail.Options{})
	e.clock.Set(time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc))
	mails := make([][]byte, n)
	for i := range mails {
		mails[i] = registration(fmt.Sprintf("p%05d@ale.example", i), fmt.Sprintf("Person %d", i), fmt.Sprintf("drain-%d-%s", i, user))
	}
	appendAll(b, s, user, mails)

	// The bare fetch: every mail's bytes over one connection. Like the
	// bot's intake, it is timed from the connection's start (connect, log
	// in, select).
	start := time.Now()
	c := dovecotClient(b, s, user)
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	cmd := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	got, bytes := 0, int64(0)
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if bs, ok := item.(imapclient.FetchItemDataBodySection); ok {
				nb, _ := io.Copy(io.Discard, bs.Literal)
				bytes += nb
			}
		}
		got++
	}
	if err := cmd.Close(); err != nil {
		b.Fatal(err)
	}
	bare := time.Since(start)
	c.Close()
	if got != n {
		b.Fatalf("bare fetch got %d mails, want %d", got, n)
	}

	// Recorded is when the last mail is in the database with the
	// checkpoint past it: the intake proper. Decided is when every mail
	// is also decided, its reply composed into the outbox and the mail
	// marked in IMAP (no SMTP here).
	var recorded atomic.Int64
	var recordedAt time.Time
	e.d.Inbox().Recorded = func(k int) {
		if recorded.Add(int64(k)) == n {
			recordedAt = time.Now()
		}
	}
	start = time.Now()
	handled, err := e.d.Inbox().PollOnce(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	decided := time.Since(start)
	if handled != n || recorded.Load() != n {
		b.Fatalf("intake recorded %d and handled %d, want %d", recorded.Load(), handled, n)
	}
	in2 := recordedAt.Sub(start)
	b.ReportMetric(bare.Seconds(), "bare-s")
	b.ReportMetric(in2.Seconds(), "intake-s")
	b.ReportMetric(in2.Seconds()/bare.Seconds(), "ratio")
	b.ReportMetric(decided.Seconds(), "decided-s")
	b.ReportMetric(decided.Seconds()/bare.Seconds(), "decided-ratio")
	b.Logf("%d mails (%d bytes): bare UID FETCH 1:* BODY.PEEK[] %v (%.0f/s); intake (recorded, checkpoint past all) %v (%.0f/s), ratio %.2f; all decided and marked %v (%.0f/s), ratio %.1f",
		n, bytes, bare, float64(n)/bare.Seconds(), in2, float64(n)/in2.Seconds(), in2.Seconds()/bare.Seconds(),
		decided, float64(n)/decided.Seconds(), decided.Seconds()/bare.Seconds())
}
