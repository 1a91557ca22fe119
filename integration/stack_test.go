// Package integration proves anmalan's promises on a real mail stack:
// Debian's Dovecot and Postfix on loopback, started by scripts/mailstack.sh,
// and the real binary started as a process, exactly as an operator runs it.
//
// The tests skip when $MAILSTACK_IMAP is unset, and fail instead under
// CI=true, where the stack must be running.
package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"mime"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-smtp"
	_ "modernc.org/sqlite"
)

// Stack is where the real mail servers listen.
type Stack struct {
	IMAP, SMTP, Password string
}

// botDomain is the domain of every bot mailbox the tests create.
const botDomain = "goteborgsregionen.example"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// needStack returns the stack's addresses and the path of a freshly built
// anmalan binary. It skips the test when the stack is not configured, and
// fails it under CI=true, where a skip would hide that nothing was proved.
func needStack(t testing.TB) Stack {
	t.Helper()
	s := Stack{IMAP: os.Getenv("MAILSTACK_IMAP"), SMTP: os.Getenv("MAILSTACK_SMTP"), Password: os.Getenv("MAILSTACK_PASSWORD")}
	if s.IMAP == "" || s.SMTP == "" {
		msg := "the real mail stack is not running: run `scripts/mailstack.sh up` and `. /tmp/anmalan-mailstack/env` (MAILSTACK_IMAP and MAILSTACK_SMTP are unset)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; under CI=true the integration tests must not skip")
		}
		t.Skip(msg)
	}
	if s.Password == "" {
		s.Password = "secret"
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "anmalan-integration-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "anmalan")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/anmalan")
		cmd.Dir = ".." // the module root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return s
}

// randomLocal returns prefix followed by a random suffix: a mailbox that
// no other test and no earlier run has used.
func randomLocal(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// ---------------------------------------------------------------- IMAP

// dialIMAP logs in to addr's mailbox.
func (s Stack) dialIMAP(t testing.TB, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.IMAP, nil)
	if err != nil {
		t.Fatalf("imap dial: %v", err)
	}
	if err := c.Login(addr, s.Password).Wait(); err != nil {
		c.Close()
		t.Fatalf("imap login %s: %v", addr, err)
	}
	return c
}

// appendMails puts raws into addr's INBOX directly, dated now, in their
// order: much faster than SMTP for a large backlog. Up to 64 APPENDs are
// in flight on the one connection, so that the round trips overlap.
func (s Stack) appendMails(t testing.TB, addr string, raws [][]byte) {
	t.Helper()
	c := s.dialIMAP(t, addr)
	defer c.Close()
	now := time.Now()
	var inflight []*imapclient.AppendCommand
	wait := func(cmd *imapclient.AppendCommand) {
		if _, err := cmd.Wait(); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	for i, raw := range raws {
		cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: now})
		if _, err := cmd.Write(raw); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		inflight = append(inflight, cmd)
		if len(inflight) == 64 {
			wait(inflight[0])
			inflight = inflight[1:]
		}
	}
	for _, cmd := range inflight {
		wait(cmd)
	}
	_ = c.Logout().Wait()
}

// Fetched is one mail read from a mailbox.
type Fetched struct {
	UID      imap.UID
	Flags    []imap.Flag
	Raw      []byte
	Header   mail.Header
	Internal time.Time
}

// MessageID returns the mail's Message-ID without <>.
func (f Fetched) MessageID() string { return trimID(f.Header.Get("Message-Id")) }

// InReplyTo returns the In-Reply-To without <>.
func (f Fetched) InReplyTo() string { return trimID(f.Header.Get("In-Reply-To")) }

// Subject returns the decoded subject.
func (f Fetched) Subject() string {
	s, err := (&mime.WordDecoder{CharsetReader: charset.Reader}).DecodeHeader(f.Header.Get("Subject"))
	if err != nil {
		return f.Header.Get("Subject")
	}
	return s
}

func trimID(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">")
}

// fetchAll returns every mail in addr's folder mbox (nil when the folder
// does not exist), with bodies when bodies is set, else headers only.
func (s Stack) fetchAll(t testing.TB, addr, mbox string, bodies bool) []Fetched {
	t.Helper()
	c := s.dialIMAP(t, addr)
	defer c.Close()
	sel, err := c.Select(mbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	if !bodies {
		section.Specifier = imap.PartSpecifierHeader
	}
	var set imap.SeqSet
	set.AddRange(1, 0)
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, Flags: true, InternalDate: true,
		BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("fetch %s/%s: %v", addr, mbox, err)
	}
	out := make([]Fetched, 0, len(msgs))
	for _, m := range msgs {
		raw := m.FindBodySection(section)
		f := Fetched{UID: m.UID, Flags: m.Flags, Raw: raw, Internal: m.InternalDate}
		if msg, err := mail.ReadMessage(bytes.NewReader(withBlankLine(raw))); err == nil {
			f.Header = msg.Header
		}
		out = append(out, f)
	}
	_ = c.Logout().Wait()
	return out
}

// withBlankLine makes a header-only fetch readable by net/mail.
func withBlankLine(raw []byte) []byte {
	if bytes.Contains(raw, []byte("\r\n\r\n")) || bytes.Contains(raw, []byte("\n\n")) {
		return raw
	}
	return append(append([]byte{}, raw...), "\r\n\r\n"...)
}

// countIn returns how many mails addr's mailbox mbox holds.
func (s Stack) countIn(t testing.TB, addr, mbox string) int {
	t.Helper()
	c := s.dialIMAP(t, addr)
	defer c.Close()
	st, err := c.Status(mbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		return 0
	}
	_ = c.Logout().Wait()
	return int(*st.NumMessages)
}

// ---------------------------------------------------------------- SMTP

// Sender submits mail to Postfix over one connection.
type Sender struct {
	c *smtp.Client
}

func (s Stack) sender(t testing.TB) *Sender {
	t.Helper()
	c, err := smtp.Dial(s.SMTP)
	if err != nil {
		t.Fatalf("smtp dial: %v", err)
	}
	if err := c.Hello("integration.test"); err != nil {
		t.Fatalf("smtp hello: %v", err)
	}
	t.Cleanup(func() { _ = c.Quit() })
	return &Sender{c: c}
}

// Send submits raw from envelope sender from to the recipients.
func (sd *Sender) Send(t testing.TB, from string, raw []byte, to ...string) {
	t.Helper()
	if err := sd.c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		t.Fatalf("smtp send from %s to %v: %v", from, to, err)
	}
}

// ---------------------------------------------------------------- mail

// simpleMail returns a plain text mail with a fresh Message-ID.
func simpleMail(from, to, subject, body string, extra ...string) ([]byte, string) {
	id := randomLocal("msg") + "@integration.test"
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n", from, to, subject,
		time.Now().Format(time.RFC1123Z), id)
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String()), id
}

// rewriteHeader replaces (or adds) the first header field name in raw.
func rewriteHeader(raw []byte, name, value string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	nl := "\r\n"
	if end < 0 {
		end = bytes.Index(raw, []byte("\n\n"))
		nl = "\n"
	}
	head, body := string(raw[:end]), raw[end:]
	lines := strings.Split(head, nl)
	var out []string
	done := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !done && len(l) > len(name) && strings.EqualFold(l[:len(name)+1], name+":") {
			out = append(out, name+": "+value)
			for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
				i++
			}
			done = true
			continue
		}
		out = append(out, l)
	}
	if !done {
		out = append([]string{name + ": " + value}, out...)
	}
	return append([]byte(strings.Join(out, nl)), body...)
}

// ---------------------------------------------------------------- config and process

// EventSpec is one event of a test config, its window around now.
type EventSpec struct {
	ID, Title string
	Seats     int
	Keywords  []string
	Material  bool
	// Starts is when the event starts; zero means three days from now.
	// Registration opens two hours before now and closes a day before
	// the start.
	Starts time.Time
}

// ConfigSpec is what a test config says.
type ConfigSpec struct {
	Bot        string // the bot's address
	IMAP, SMTP string // default: the stack's
	Organiser  string
	Events     []EventSpec
	Poll       string // default "5s"
	MaxReplies int
	Extra      string // appended to [smtp]
	Database   string // default: in the test's temp dir
	// Material is the file the events with Material attach; default the
	// project's 1 KB sample PDF.
	Material string
}

// writeConfig writes a config for spec into a temp dir and returns its path.
func (s Stack) writeConfig(t testing.TB, spec ConfigSpec) string {
	t.Helper()
	dir := t.TempDir()
	if spec.IMAP == "" {
		spec.IMAP = s.IMAP
	}
	if spec.SMTP == "" {
		spec.SMTP = s.SMTP
	}
	if spec.Poll == "" {
		spec.Poll = "5s"
	}
	if spec.Organiser == "" {
		spec.Organiser = "linda.karlsson@goteborgsregionen.example"
	}
	if spec.Database == "" {
		spec.Database = filepath.Join(dir, "anmalan.db")
	}
	loc, _ := time.LoadLocation("Europe/Stockholm")
	now := time.Now().In(loc)
	f := func(t time.Time) string { return t.Format("2006-01-02 15:04") }
	var b strings.Builder
	fmt.Fprintf(&b, "database = %q\ntimezone = \"Europe/Stockholm\"\nlanguage = \"sv\"\n\n", spec.Database)
	fmt.Fprintf(&b, "[imap]\naddress = %q\nsecurity = \"none\"\nusername = %q\npassword_env = \"MAILSTACK_PASSWORD\"\nmailbox = \"INBOX\"\nprocessed_mailbox = \"Behandlade\"\npoll_interval = %q\n\n",
		spec.IMAP, spec.Bot, spec.Poll)
	fmt.Fprintf(&b, "[smtp]\naddress = %q\nsecurity = \"none\"\nfrom = %q\n", spec.SMTP, "GR Anmälan <"+spec.Bot+">")
	if spec.MaxReplies > 0 {
		fmt.Fprintf(&b, "max_replies_per_address = %d\n", spec.MaxReplies)
	}
	b.WriteString(spec.Extra + "\n")
	fmt.Fprintf(&b, "[organisers]\naddresses = [%q]\ntrusted_authserv_id = \"mx.goteborgsregionen.example\"\ncontact = \"Linda Karlsson, %s\"\n\n", spec.Organiser, spec.Organiser)
	b.WriteString("[organisations]\n\"molndal.example\" = \"Mölndals stad\"\n\"lerum.example\" = \"Lerums kommun\"\n\"partille.example\" = \"Partille kommun\"\n\n")
	pdf, err := filepath.Abs("../material/kartlaggning-segregation.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Material != "" {
		pdf = spec.Material
	}
	for _, ev := range spec.Events {
		starts := ev.Starts
		if starts.IsZero() {
			starts = now.Add(72 * time.Hour)
		}
		fmt.Fprintf(&b, "[[events]]\nid = %q\ntitle = %q\nstarts = %q\nends = %q\nlocation = \"GR, Anders Personsgatan 8, Göteborg\"\nseats = %d\nopens = %q\ncloses = %q\n",
			ev.ID, ev.Title, f(starts), f(starts.Add(150*time.Minute)), ev.Seats, f(now.Add(-2*time.Hour)), f(starts.Add(-24*time.Hour)))
		if ev.Material {
			fmt.Fprintf(&b, "material = [%q]\n", pdf)
		}
		if len(ev.Keywords) > 0 {
			fmt.Fprintf(&b, "keywords = [%s]\n", quoteList(ev.Keywords))
		}
		b.WriteString("\n")
	}
	path := filepath.Join(dir, "anmalan.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Daemon is a running `anmalan run`.
type Daemon struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error
}

// anmalan runs the binary to completion and returns its stdout and stderr.
func anmalan(t testing.TB, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(binPath, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = os.Environ()
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// startDaemon starts `anmalan run -config cfg`, its log appended to logPath.
func startDaemon(t testing.TB, cfg, logPath string, args ...string) *Daemon {
	t.Helper()
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, append([]string{"run", "-config", cfg, "-log-format", "json"}, args...)...)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.Env = os.Environ()
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Fatalf("start anmalan: %v", err)
	}
	d := &Daemon{cmd: cmd, log: lf, done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		lf.Close()
		close(d.done)
	}()
	t.Cleanup(func() { d.Kill() })
	return d
}

// Stop asks the daemon to stop (SIGTERM) and waits for it.
func (d *Daemon) Stop(t testing.TB) {
	t.Helper()
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(time.Minute):
		d.Kill()
		t.Fatal("anmalan did not stop within a minute of SIGTERM")
	}
}

// Kill ends the daemon with SIGKILL and waits for it.
func (d *Daemon) Kill() {
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

// PID returns the process id.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (d *Daemon) Exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// logTail returns the last n lines of the file at path, for failure messages.
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// waitFor polls cond every interval until it holds, and fails the test
// with what() after limit. It is a guard against a hang, not a timing
// assertion: limit is generous.
func waitFor(t testing.TB, limit time.Duration, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v: %s", limit, what())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ctxFor returns a context that ends with the test.
func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}

// openDB opens the bot's database for the test to read, next to a daemon
// that may still be writing it.
func openDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryInt runs a query that returns one integer.
func queryInt(t testing.TB, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
