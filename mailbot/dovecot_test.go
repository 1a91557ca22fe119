package mailbot_test

// Integration tests against the real Dovecot (and Postfix) that
// scripts/mailstack.sh runs on 127.0.0.1. Each test uses a mailbox user of
// its own, so the tests do not see each other's mail.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// stack is the running real mail stack, as scripts/mailstack.sh describes
// it in its env file.
type stack struct {
	imap, smtp, password, oauth2, dir string
}

// realStack returns the mail stack, or skips the test when it is not
// running; under CI=true it fails instead, so CI cannot pass by skipping.
func realStack(tb testing.TB) stack {
	tb.Helper()
	s := stack{imap: os.Getenv("MAILSTACK_IMAP"), smtp: os.Getenv("MAILSTACK_SMTP"), password: os.Getenv("MAILSTACK_PASSWORD"),
		oauth2: os.Getenv("MAILSTACK_OAUTH2"), dir: os.Getenv("MAILSTACK_DIR")}
	if s.imap == "" {
		const msg = "real mail stack not running: run scripts/mailstack.sh up and eval $(cat /tmp/anmalan-mailstack/env)"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	if s.password == "" {
		s.password = "secret"
	}
	return s
}

// uniqueUser returns a new mailbox user of the test domain.
func uniqueUser(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:]) + "@goteborgsregionen.example"
}

// newDovecotEnv is newEnv with the bot's inbox on the real Dovecot, as a
// user of its own; replies go to the in-process SMTP server unless edit
// says otherwise.
func newDovecotEnv(t *testing.T, seats int, edit func(toml, user string) string) (*env, stack, string) {
	t.Helper()
	s := realStack(t)
	user := uniqueUser("anmalan")
	e := newEnvWith(t, seats, localmail.Options{}, func(toml string) string {
		toml = dovecotConfig(toml, s, user)
		if edit != nil {
			toml = edit(toml, user)
		}
		return toml
	})
	return e, s, user
}

// dovecotConfig changes newEnv's config to read user's INBOX on the real
// Dovecot.
func dovecotConfig(toml string, s stack, user string) string {
	toml = strings.ReplaceAll(toml, botAddr, user)
	// Only the [imap] address: it comes first.
	i := strings.Index(toml, "[imap]\naddress = \"")
	j := strings.Index(toml[i+len("[imap]\naddress = \""):], "\"")
	toml = toml[:i] + "[imap]\naddress = \"" + s.imap + toml[i+len("[imap]\naddress = \"")+j:]
	if s.password != password {
		toml = strings.Replace(toml, `password_file = "pw"`, `password_env = "MAILSTACK_PASSWORD"`, 1)
	}
	return toml
}

// imapLines is withIMAP for newDovecotEnv.
func imapLines(lines ...string) func(toml, user string) string {
	add := withIMAP(lines...)
	return func(toml, _ string) string { return add(toml) }
}

// dovecotClient logs in to the real Dovecot as user.
func dovecotClient(tb testing.TB, s stack, user string) *imapclient.Client {
	tb.Helper()
	c, err := imapclient.DialInsecure(s.imap, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.Login(user, s.password).Wait(); err != nil {
		c.Close()
		tb.Fatal(err)
	}
	return c
}

// appendAll puts the mails into user's INBOX over one connection, the
// APPENDs pipelined, as fast as a delivery could.
func appendAll(tb testing.TB, s stack, user string, mails [][]byte) {
	tb.Helper()
	c := dovecotClient(tb, s, user)
	defer c.Close()
	var cmds []*imapclient.AppendCommand
	for _, m := range mails {
		cmd := c.Append("INBOX", int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			tb.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			tb.Fatal(err)
		}
		cmds = append(cmds, cmd)
		if len(cmds) == 500 {
			for _, cmd := range cmds {
				if _, err := cmd.Wait(); err != nil {
					tb.Fatal(err)
				}
			}
			cmds = cmds[:0]
		}
	}
	for _, cmd := range cmds {
		if _, err := cmd.Wait(); err != nil {
			tb.Fatal(err)
		}
	}
}

// mailstackScript runs scripts/mailstack.sh with a subcommand against the
// stack the environment names.
func mailstackScript(t *testing.T, s stack, sub string) {
	t.Helper()
	cmd := exec.Command(filepath.Join("..", "scripts", "mailstack.sh"), sub)
	cmd.Env = os.Environ()
	if s.dir != "" {
		cmd.Env = append(cmd.Env, "MAILSTACK_DIR="+s.dir)
	}
	if host, port, err := net.SplitHostPort(s.imap); err == nil && host != "" {
		cmd.Env = append(cmd.Env, "MAILSTACK_IMAP_PORT="+port)
	}
	if _, port, err := net.SplitHostPort(s.smtp); err == nil {
		cmd.Env = append(cmd.Env, "MAILSTACK_SMTP_PORT="+port)
	}
	if u, err := url.Parse(s.oauth2); err == nil && u.Port() != "" {
		cmd.Env = append(cmd.Env, "MAILSTACK_OAUTH2_PORT="+u.Port())
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mailstack.sh %s: %v\n%s", sub, err, out)
	}
}

func TestDovecotIdleAnswersWithoutPolling(t *testing.T) {
	e, s, user := newDovecotEnv(t, 20, imapLines(`poll_interval = "1h"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	appendAll(t, s, user, [][]byte{registration(person(0), "Person 00", "dc-idle-0@ale.example")})
	e.start()
	e.answered(person(0))
	// With an hour between polls, only IDLE brings these in.
	for i := 1; i <= 5; i++ {
		appendAll(t, s, user, [][]byte{registration(person(i), "Person", fmt.Sprintf("dc-idle-%d@ale.example", i))})
		e.answered(person(i))
	}
	e.onceEach(person(0), person(1), person(2), person(3), person(4), person(5))
}

func TestDovecotStoppedAndStartedWhileMailArrives(t *testing.T) {
	e, s, user := newDovecotEnv(t, 100, imapLines(`poll_interval = "1h"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	e.start()
	appendAll(t, s, user, [][]byte{registration(person(0), "Person 00", "dc-restart-0-"+user)})
	e.answered(person(0))

	// A batch arrives and Dovecot goes away while the bot is busy with it.
	// (Mail cannot come in through Postfix meanwhile: its SMTP AUTH asks
	// Dovecot, and its smtpd refuses to start without it.)
	var batch [][]byte
	for i := 1; i <= 40; i++ {
		batch = append(batch, registration(person(i), "Person", fmt.Sprintf("dc-restart-%d-%s", i, user)))
	}
	appendAll(t, s, user, batch)
	mailstackScript(t, s, "imap-stop")
	stopped := true
	t.Cleanup(func() {
		if stopped {
			mailstackScript(t, s, "imap-start")
		}
	})
	time.Sleep(20 * time.Second)
	mailstackScript(t, s, "imap-start")
	stopped = false
	var after [][]byte
	for i := 41; i <= 45; i++ {
		after = append(after, registration(person(i), "Person", fmt.Sprintf("dc-restart-%d-%s", i, user)))
	}
	appendAll(t, s, user, after)
	var all []string
	for i := 0; i <= 45; i++ {
		e.answered(person(i))
		all = append(all, person(i))
	}
	e.onceEach(all...)
}

func TestDovecotBacklogOf2000(t *testing.T) {
	const n = 2000
	e, s, user := newDovecotEnv(t, n, nil)
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	mails := make([][]byte, n)
	for i := range mails {
		mails[i] = registration(person(i), fmt.Sprintf("Person %d", i), fmt.Sprintf("dc-backlog-%d-%s@ale.example", i, user))
	}
	appendAll(t, s, user, mails)
	e.start()
	e.waitFor("every mail answered", func() bool { return len(e.srv.Received()) >= n })
	counts := map[string]int{}
	for _, m := range e.srv.Received() {
		for _, to := range m.To {
			counts[to]++
		}
	}
	for i := range n {
		if counts[person(i)] != 1 {
			t.Errorf("%s got %d replies, want 1", person(i), counts[person(i)])
		}
	}
	e.waitFor("the inbox emptied into Behandlat", func() bool { return dovecotCount(t, s, user, "INBOX") == 0 })
	if got := dovecotCount(t, s, user, "Behandlat"); got != n {
		t.Errorf("Behandlat holds %d mails, want %d", got, n)
	}
}

// dovecotCount returns how many mails the user's mailbox holds.
func dovecotCount(t *testing.T, s stack, user, mailbox string) int {
	t.Helper()
	c := dovecotClient(t, s, user)
	defer c.Close()
	st, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return int(*st.NumMessages)
}

func TestDovecotMailWithoutMessageID(t *testing.T) {
	e, s, user := newDovecotEnv(t, 10, nil)
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	raw := strings.Replace(string(registration("sara.nilsson@ale.example", "Sara Nilsson", "x@ale.example")),
		"Message-ID: <x@ale.example>\r\n", "", 1)
	appendAll(t, s, user, [][]byte{[]byte(raw)})
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("sent %d, want 1", rep.Sent)
	}
	// The same bytes delivered again (a mail client's duplicate) count once.
	appendAll(t, s, user, [][]byte{[]byte(raw)})
	if rep := e.runOnce(); rep.Sent != 0 {
		t.Errorf("the same mail without a Message-ID was answered again")
	}
	got := e.repliesTo("sara.nilsson@ale.example")
	if len(got) != 1 {
		t.Fatalf("%d replies, want 1", len(got))
	}
	if irt := got[0].header.Get("In-Reply-To"); irt != "" {
		t.Errorf("In-Reply-To %q for a mail without a Message-ID", irt)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.seen) != 2 || !strings.HasPrefix(e.seen[0].Key, "sha256:") || e.seen[0].Key != e.seen[1].Key || !e.seen[1].Duplicate {
		t.Errorf("not recorded once under a hash of its bytes: %+v", e.seen)
	}
}

// introspection serves the OAuth2 token introspection endpoint that the
// stack's Dovecot asks, on the address the stack names. Tokens maps a
// token to its user.
type introspection struct {
	mu     sync.Mutex
	tokens map[string]string
	asked  int
}

func (in *introspection) serve(t *testing.T, s stack) {
	t.Helper()
	if s.oauth2 == "" {
		t.Fatal("MAILSTACK_OAUTH2 is not set: run scripts/mailstack.sh up again (it adds the OAuth2 passdb)")
	}
	u, err := url.Parse(s.oauth2)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatalf("introspection server: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		tok := r.PostForm.Get("token")
		in.mu.Lock()
		in.asked++
		user, ok := in.tokens[tok]
		in.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			_ = json.NewEncoder(w).Encode(map[string]any{"active": false})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"active": true, "email": user})
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
}

func TestDovecotXOAUTH2ForIMAPAndSMTP(t *testing.T) {
	s := realStack(t)
	intro := &introspection{tokens: map[string]string{}}
	intro.serve(t, s)
	dir := t.TempDir()
	counter := filepath.Join(dir, "n")
	script := filepath.Join(dir, "token.sh")
	// The command prints a stale token first, then good ones.
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho x >> "+counter+"\nn=$(wc -l < "+counter+")\nif [ $n -eq 1 ]; then echo stale; else echo good-$n; fi\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	e, _, user := newDovecotEnv(t, 10, func(toml, user string) string {
		intro.mu.Lock()
		for n := 2; n <= 9; n++ {
			intro.tokens[fmt.Sprintf("good-%d", n)] = user
		}
		intro.mu.Unlock()
		toml = strings.Replace(toml, `password_file = "pw"`, `auth = "xoauth2"`+"\noauth2_token_command = \""+script+"\"", 1)
		// Replies leave through the real Postfix, logged in with a token too.
		i := strings.Index(toml, "[smtp]\naddress = \"")
		j := strings.Index(toml[i+len("[smtp]\naddress = \""):], "\"")
		toml = toml[:i] + "[smtp]\naddress = \"" + s.smtp + toml[i+len("[smtp]\naddress = \"")+j:]
		return strings.Replace(toml, "[smtp]\n", "[smtp]\nusername = \""+user+"\"\nauth = \"xoauth2\"\noauth2_token_command = \""+script+"\"\n", 1)
	})
	participant := uniqueUser("deltagare")
	appendAll(t, s, user, [][]byte{registration(participant, "Del Tagare", "dc-oauth-"+participant)})
	e.clock.Set(time.Date(2018, 11, 28, 10, 1, 0, 0, e.loc))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("delivery %+v, want one reply accepted by Postfix", rep)
	}
	runs, _ := os.ReadFile(counter)
	// IMAP: stale (rejected), then good-2; SMTP: good-3.
	if n := strings.Count(string(runs), "x"); n != 3 {
		t.Errorf("token command ran %d times, want 3 (one stale token rejected by Dovecot)", n)
	}
	intro.mu.Lock()
	asked := intro.asked
	intro.mu.Unlock()
	if asked < 3 {
		t.Errorf("Dovecot asked the introspection server %d times, want at least 3", asked)
	}
	// Postfix delivered the reply into the participant's Dovecot mailbox.
	e.waitFor("the reply in the participant's mailbox", func() bool { return dovecotCount(t, s, participant, "INBOX") == 1 })
}
