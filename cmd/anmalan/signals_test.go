package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/store"
)

// lockedBuffer collects a child process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSignalsOnTheRealBinary builds anmalan, runs `anmalan run` against
// in-process servers and sends it the signals an operator (systemd)
// does: SIGHUP with a bad config (refused, the daemon goes on), SIGHUP
// with a good one (a new event in force), and SIGTERM while the SMTP
// server holds the DATA of a reply open: the reply is sent once and
// recorded, and the process exits 0 within 10 s.
func TestSignalsOnTheRealBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const (
		bot = "anmalan@goteborgsregionen.example"
		pw  = "Pw-sig-3f9a1c"
	)
	dir := t.TempDir()
	bin := filepath.Join(dir, "anmalan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	entered, release := make(chan struct{}, 1), make(chan struct{})
	var first atomic.Bool
	srv, err := localmail.Start(localmail.Options{Password: pw, Quiet: true, BeforeAccept: func(localmail.Message) {
		if first.CompareAndSwap(false, true) {
			entered <- struct{}{}
			<-release
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(func() { free(); srv.Close() })
	srv.AddUser(bot)

	cfgText := `database = "anmalan.db"
[imap]
address = "` + srv.IMAPAddr() + `"
security = "none"
username = "` + bot + `"
password_env = "ANMALAN_TEST_SIG_PASSWORD"
processed_mailbox = "Behandlat"
[smtp]
address = "` + srv.SMTPAddr() + `"
security = "none"
from = "GR Anmälan <` + bot + `>"
[organisers]
addresses = ["linda.karlsson@goteborgsregionen.example"]
trusted_authserv_id = "mx.goteborgsregionen.example"
contact = "Linda Karlsson"
[[events]]
id = "far-2099"
title = "Workshop"
starts = "2099-12-11 13:00"
ends = "2099-12-11 15:30"
location = "GR"
seats = 10
closes = "2099-12-04"
`
	second := `
[[events]]
id = "second-2099"
title = "Second workshop"
starts = "2099-12-13 13:00"
ends = "2099-12-13 15:30"
location = "Kungälv"
seats = 10
closes = "2099-12-06"
`
	path := filepath.Join(dir, "anmalan.toml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(cfgText)

	logs := &lockedBuffer{}
	cmd := exec.Command(bin, "run", "-config", path)
	cmd.Env = append(os.Environ(), "ANMALAN_TEST_SIG_PASSWORD="+pw)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	waitLog := func(what string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(logs.String(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting for %q in the log:\n%s", what, logs)
			}
			select {
			case err := <-exited:
				t.Fatalf("the daemon exited (%v) while waiting for %q:\n%s", err, what, logs)
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	waitLog("imap connected")

	// A bad config: refused, the daemon goes on with the old one.
	write(cfgText + "\nbogus_key = 1\n")
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog("config reload refused")
	if !strings.Contains(logs.String(), "bogus_key") {
		t.Errorf("the refusal does not give the reason:\n%s", logs)
	}
	// A good one: in force.
	write(cfgText + second)
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog("config reloaded")
	if !strings.Contains(logs.String(), "events=far-2099,second-2099") {
		t.Errorf("the reload does not name the new events:\n%s", logs)
	}

	// SIGTERM while the reply's DATA is held open.
	raw := "From: Sara Nilsson <sara.nilsson@ale.example>\r\nTo: " + bot + "\r\nSubject: Anmälan\r\n" +
		"Date: Wed, 28 Nov 2018 10:00:00 +0100\r\nMessage-ID: <sig-1@ale.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nHej! Jag vill anmäla mig till workshopen den 11 december.\r\n\r\n/Sara Nilsson\r\n"
	if _, err := srv.Append(bot, "INBOX", []byte(raw), time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-time.After(60 * time.Second):
		t.Fatalf("the reply never reached DATA:\n%s", logs)
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(time.Second, free)
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the daemon exited with %v, want 0:\n%s", err, logs)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the daemon did not exit within 10 s of SIGTERM:\n%s", logs)
	}
	t.Logf("exited %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if n := len(srv.Received()); n != 1 {
		t.Errorf("the server received %d mails, want 1", n)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "anmalan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sent, err := st.Outgoing(context.Background(), "sent")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := st.Outgoing(context.Background(), "pending")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || len(pending) != 0 {
		t.Errorf("outbox: %d sent, %d pending; want 1 and 0", len(sent), len(pending))
	}
	if strings.Contains(logs.String(), pw) {
		t.Errorf("the log holds the password:\n%s", logs)
	}
}
