package mailbot_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/goteborgsregionen/anmalan/daemon"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/store"
)

// syncBuffer is a bytes.Buffer that the daemon's goroutines may write
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runDaemon runs e.d until the returned stop is called; stop cancels the
// context and returns how long Run took to return, failing the test when
// it returns an error or takes longer than limit.
func runDaemon(t *testing.T, d *daemon.Daemon, limit time.Duration) (stop func() time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	stopped := false
	stop = func() time.Duration {
		t.Helper()
		if stopped {
			return 0
		}
		stopped = true
		start := time.Now()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(limit):
			t.Fatalf("the daemon did not stop within %v", limit)
		}
		return time.Since(start)
	}
	t.Cleanup(func() { stop() })
	return stop
}

// holdFirstData makes the SMTP server hold the first DATA open until
// release is closed; entered is signalled when it does.
func holdFirstData() (opts localmail.Options, entered chan struct{}, release chan struct{}) {
	entered, release = make(chan struct{}, 1), make(chan struct{})
	var first atomic.Bool
	opts.BeforeAccept = func(localmail.Message) {
		// Not a sync.Once: its Do would hold the later mails too.
		if first.CompareAndSwap(false, true) {
			entered <- struct{}{}
			<-release
		}
	}
	return opts, entered, release
}

func outboxCount(t *testing.T, st *store.Store, status string) int {
	t.Helper()
	rows, err := st.Outgoing(context.Background(), status)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// TestShutdownFinishesTheSendInFlight: SIGTERM (the run context ending)
// while the SMTP server holds the DATA of a reply open. The daemon lets
// the transaction complete, records the reply as sent, and returns well
// within 10 s; the reply was sent exactly once.
func TestShutdownFinishesTheSendInFlight(t *testing.T) {
	lopts, entered, release := holdFirstData()
	e := newEnv(t, 10, lopts)
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "stop-1@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	stop := runDaemon(t, e.d, 10*time.Second)
	select {
	case <-entered:
	case <-time.After(giveUp):
		t.Fatal("the reply never reached DATA")
	}
	// The server answers the DATA a second after the daemon was told to stop.
	time.AfterFunc(time.Second, func() { close(release) })
	took := stop()
	if took < time.Second {
		t.Errorf("Run returned after %v, before the transaction in flight was answered", took)
	}
	e.onceEach("sara.nilsson@ale.example")
	if n := outboxCount(t, e.d.Store(), "sent"); n != 1 {
		t.Errorf("%d replies recorded as sent, want 1", n)
	}
	if n := outboxCount(t, e.d.Store(), "pending"); n != 0 {
		t.Errorf("%d replies still pending, want 0", n)
	}
}

// TestShutdownAfterTheGraceKeepsTheReply: a server that holds DATA longer
// than the shutdown grace. The daemon still stops within 10 s; the reply
// stays in the outbox and leaves (with the same Message-ID) at the next
// start: retried, never lost.
func TestShutdownAfterTheGraceKeepsTheReply(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the shutdown grace")
	}
	lopts, entered, release := holdFirstData()
	e := newEnv(t, 10, lopts)
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	defer free()
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "stop-2@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	stop := runDaemon(t, e.d, 10*time.Second)
	select {
	case <-entered:
	case <-time.After(giveUp):
		t.Fatal("the reply never reached DATA")
	}
	if took := stop(); took < daemon.ShutdownGrace {
		t.Errorf("Run returned after %v, before the grace of %v", took, daemon.ShutdownGrace)
	}
	if n := outboxCount(t, e.d.Store(), "pending"); n != 1 {
		t.Fatalf("%d replies pending after the cut-short send, want 1", n)
	}
	free()
	e.d.Close()
	e.open()
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("the next start sent %d replies, want 1", rep.Sent)
	}
	ids := map[string]bool{}
	for _, r := range e.repliesTo("sara.nilsson@ale.example") {
		ids[r.header.Get("Message-Id")] = true
	}
	if len(ids) != 1 {
		t.Errorf("the reply left with %d different Message-IDs, want 1: %v", len(ids), ids)
	}
}

// configPath is where newEnv wrote the config file.
func (e *env) configPath() string { return filepath.Join(e.cfg.Dir, "anmalan.toml") }

func (e *env) writeConfig(text string) {
	e.t.Helper()
	if err := os.WriteFile(e.configPath(), []byte(text), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

const kungalvEvent = `
[[events]]
id = "kungalv-2018"
title = "På tal om segregation, Kungälv"
starts = "2018-12-13 13:00"
ends = "2018-12-13 15:30"
location = "Kungälvs stadshus"
seats = 5
closes = "2018-12-10"
keywords = ["kungälv"]
`

// TestReloadGoodAndBadConfig: SIGHUP's Reload puts a valid new config in
// force (a new event is synced and decided on), refuses an invalid one
// with the reason logged while the old one keeps running, and keeps the
// old [imap] settings, saying a restart is needed, when they changed.
func TestReloadGoodAndBadConfig(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, 10, localmail.Options{})
	e.d.Close()
	e.logw = logs
	e.open()
	ctx := context.Background()
	orig, err := os.ReadFile(e.configPath())
	if err != nil {
		t.Fatal(err)
	}
	e.start()

	// A good config with a second event.
	e.writeConfig(string(orig) + kungalvEvent)
	if err := e.d.Reload(ctx, e.configPath()); err != nil {
		t.Fatalf("reload of a good config: %v", err)
	}
	if n := len(e.d.Config().Events); n != 2 {
		t.Fatalf("%d events in force after the reload, want 2", n)
	}
	if _, err := e.d.Store().Event(ctx, "kungalv-2018"); err != nil {
		t.Fatalf("the new event is not in the database: %v", err)
	}
	if !strings.Contains(logs.String(), "config reloaded") {
		t.Errorf("the reload was not logged:\n%s", logs)
	}
	// The running daemon (same IMAP connection) decides with the new config.
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at.Add(time.Minute))
	raw := bytes.Replace(registration("eva@ale.example", "Eva Strand", "reload-1@ale.example"),
		[]byte("workshopen."), []byte("workshopen i Kungälv den 13 december."), 1)
	e.deliver(raw, at)
	e.answered("eva@ale.example")
	if got := e.registered("kungalv-2018"); got["eva@ale.example"] == "" {
		t.Errorf("registrations for the reloaded event: %v, want eva@ale.example", got)
	}

	// A bad config: refused, the reason logged, the old config stays.
	before := e.d.Config()
	e.writeConfig(string(orig) + kungalvEvent + "\nbogus_key = 1\n")
	if err := e.d.Reload(ctx, e.configPath()); err == nil {
		t.Fatal("reload of a bad config succeeded")
	}
	if e.d.Config() != before {
		t.Error("a refused config replaced the running one")
	}
	if l := logs.String(); !strings.Contains(l, "config reload refused") || !strings.Contains(l, "bogus_key") {
		t.Errorf("the refusal and its reason were not logged:\n%s", l)
	}
	if _, err := e.d.Store().Event(ctx, "kungalv-2018"); err != nil {
		t.Errorf("the refused config changed the events: %v", err)
	}

	// A changed [imap] section is kept as it was until a restart; the
	// events of the same config are applied.
	e.writeConfig(strings.Replace(string(orig), "[imap]\n", "[imap]\npoll_interval = \"2m\"\n", 1))
	if err := e.d.Reload(ctx, e.configPath()); err != nil {
		t.Fatalf("reload with a changed [imap]: %v", err)
	}
	if got := e.d.Config().IMAP.PollInterval.Duration; got != time.Minute {
		t.Errorf("poll_interval in force is %v, want the old 1m until a restart", got)
	}
	if n := len(e.d.Config().Events); n != 1 {
		t.Errorf("%d events in force, want 1", n)
	}
	if !regexp.MustCompile(`restart.*sections=\[imap\]`).MatchString(logs.String()) {
		t.Errorf("the log does not say that [imap] needs a restart:\n%s", logs)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestMetricsAndHealthz scrapes /metrics and /healthz of a running daemon
// on the in-process servers: counts after a handled mail, and /healthz
// going from 200 to 503 when a reply has been stuck for over an hour.
func TestMetricsAndHealthz(t *testing.T) {
	stuck := "stuck@ale.example"
	e := newEnvWith(t, 10, localmail.Options{Rcpt: func(to string) error {
		if to == stuck {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		}
		return nil
	}}, func(s string) string { return s + "\n[http]\nlisten = \"127.0.0.1:0\"\n" })
	if why := e.d.Health(context.Background()); len(why) == 0 || !strings.Contains(strings.Join(why, ";"), "imap: not connected") {
		t.Errorf("health before the daemon runs: %q, want imap not connected", why)
	}
	e.start()
	e.waitFor("the http server", func() bool { return e.d.HTTPAddr() != "" })
	base := "http://" + e.d.HTTPAddr()
	e.waitFor("healthz 200", func() bool { code, _ := get(t, base+"/healthz"); return code == http.StatusOK })

	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at.Add(time.Minute))
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "metrics-1@ale.example"), at)
	e.answered("sara.nilsson@ale.example")
	var body string
	// The reply is counted; the organisers' daily digest (the clock moved
	// on by two days) is queued by the timers after the reply has left and
	// leaves in the same round, so at least one, and then nothing pending.
	sent := regexp.MustCompile(`anmalan_replies_total\{result="sent"\} [1-9]`)
	e.waitFor("metrics of the reply", func() bool {
		_, body = get(t, base+"/metrics")
		return sent.MatchString(body) && strings.Contains(body, "anmalan_outbox_pending 0")
	})
	for _, want := range []string{
		`anmalan_mails_handled_total{outcome="registered"} 1`,
		`anmalan_replies_total{result="failed"} 0`,
		"anmalan_outbox_pending 0",
		"anmalan_outbox_oldest_pending_age_seconds 0",
		"anmalan_imap_connected 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?m)^anmalan_imap_last_poll_success_timestamp_seconds (\S+)$`).FindStringSubmatch(body); m == nil || m[1] == "0" {
		t.Errorf("/metrics: last poll not set: %v", m)
	}

	// A reply that the server keeps refusing for now.
	e.deliver(registration(stuck, "Stuck Person", "metrics-2@ale.example"), at.Add(time.Minute))
	e.waitFor("the stuck reply to be retried", func() bool {
		_, body = get(t, base+"/metrics")
		return strings.Contains(body, `anmalan_replies_total{result="retry"} 1`) && strings.Contains(body, "anmalan_outbox_pending 1")
	})
	if code, _ := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz %d with a reply pending for a minute, want 200", code)
	}
	e.clock.Set(at.Add(2 * time.Hour))
	code, why := get(t, base+"/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(why, "outbox: the oldest pending reply has waited") {
		t.Errorf("healthz with a reply stuck for 2 h: %d %q, want 503 with the reason", code, why)
	}
	if _, body = get(t, base+"/metrics"); !strings.Contains(body, "anmalan_outbox_oldest_pending_age_seconds 7") {
		t.Errorf("/metrics: oldest pending age not about 2 h:\n%s", grepLines(body, "anmalan_outbox"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestLogsNeverHoldSecrets runs rounds with a known password and a known
// access token, accepted and refused, and searches the log and the errors
// for them.
func TestLogsNeverHoldSecrets(t *testing.T) {
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, time.UTC)
	check := func(t *testing.T, secret, out string) {
		t.Helper()
		if out == "" {
			t.Fatal("nothing was logged")
		}
		if strings.Contains(out, secret) {
			t.Errorf("the output holds the secret %q:\n%s", secret, out)
		}
	}
	t.Run("password accepted", func(t *testing.T) {
		logs := &syncBuffer{}
		e := newEnv(t, 10, localmail.Options{})
		e.d.Close()
		e.logw = logs
		e.open()
		e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "pw-round-1@ale.example"), at)
		e.clock.Set(at.Add(time.Minute))
		e.runOnce()
		check(t, password, logs.String())
		if !strings.Contains(logs.String(), "message_id=pw-round-1@ale.example") {
			t.Errorf("the decision was not logged with its Message-ID:\n%s", logs)
		}
	})
	t.Run("password refused", func(t *testing.T) {
		const wrong = "Wrong-Pw-1e7d9c"
		t.Setenv("ANMALAN_TEST_IMAP_PASSWORD", wrong)
		logs := &syncBuffer{}
		e := newEnvWith(t, 10, localmail.Options{}, func(s string) string {
			return strings.Replace(s, `password_file = "pw"`, `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, 1)
		})
		e.d.Close()
		e.logw = logs
		e.open()
		_, _, err := e.d.RunOnce(context.Background())
		if err == nil {
			t.Fatal("a wrong password logged in")
		}
		stop := runDaemon(t, e.d, 10*time.Second)
		e.waitFor("a reconnect attempt", func() bool { return strings.Contains(logs.String(), "reconnecting") })
		stop()
		check(t, wrong, logs.String()+err.Error())
	})
	t.Run("token refused", func(t *testing.T) {
		const tok = "Tok-5b2a8f-known"
		tokFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokFile, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		logs := &syncBuffer{}
		e := newEnvWith(t, 10, localmail.Options{OAuth2Token: func(string, string) bool { return false }}, func(s string) string {
			return strings.Replace(s, `password_file = "pw"`, `auth = "xoauth2"`+"\noauth2_token_file = \""+tokFile+"\"", 1)
		})
		e.d.Close()
		e.logw = logs
		e.open()
		_, _, err := e.d.RunOnce(context.Background())
		if err == nil {
			t.Fatal("a refused token logged in")
		}
		check(t, tok, logs.String()+err.Error())
	})
}

// TestShutdownFinishesTheMailInHand: the run context ends while a mail is
// being handled. The decision is committed and the mail marked (moved to
// the processed folder); the second mail, not yet begun, is left for the
// next start, which handles it and sends both replies.
func TestShutdownFinishesTheMailInHand(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at.Add(time.Minute))
	entered, release := make(chan struct{}, 1), make(chan struct{})
	var first atomic.Bool
	beforeHandling(e.d, func(intake.Incoming) {
		if first.CompareAndSwap(false, true) {
			entered <- struct{}{}
			<-release
		}
	})
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "hand-1@ale.example"), at)
	e.deliver(registration("eva.strand@ale.example", "Eva Strand", "hand-2@ale.example"), at)
	stop := runDaemon(t, e.d, 10*time.Second)
	select {
	case <-entered:
	case <-time.After(giveUp):
		t.Fatal("the first mail was never handled")
	}
	time.AfterFunc(500*time.Millisecond, func() { close(release) })
	stop()
	if got := e.registered("segregation-2018"); got["sara.nilsson@ale.example"] == "" || got["eva.strand@ale.example"] != "" {
		t.Errorf("registered after the stop: %v, want Sara (in hand) and not Eva (not begun)", got)
	}
	if n := len(e.mailbox("Behandlat")); n != 1 {
		t.Errorf("%d mails moved to the processed folder, want 1 (the one in hand)", n)
	}
	e.d.Close()
	e.open()
	e.runOnce()
	e.onceEach("sara.nilsson@ale.example", "eva.strand@ale.example")
}
