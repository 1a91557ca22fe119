package mailbot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/mail"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/daemon"
	"github.com/goteborgsregionen/anmalan/export"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/mailbot"
	"github.com/goteborgsregionen/anmalan/outbox"
)

const (
	botAddr   = "anmalan@goteborgsregionen.example"
	organiser = "linda.karlsson@goteborgsregionen.example"
	password  = "secret"
)

// testClock is a clock the test sets.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// env is one bot on in-process servers.
type env struct {
	t     testing.TB
	srv   *localmail.Servers
	cfg   *config.Config
	d     *daemon.Daemon
	clock *testClock
	loc   *time.Location
	mu    sync.Mutex
	seen  []mailbot.Result
	// logw, when set before open, receives the daemon's log.
	logw io.Writer
	// lookupTXT, when set before open, serves the DKIM keys.
	lookupTXT func(string) ([]string, error)
}

// newEnv starts servers and a daemon for the seed's workshop with seats.
func newEnv(t *testing.T, seats int, lopts localmail.Options) *env {
	t.Helper()
	return newEnvWith(t, seats, lopts, nil)
}

// seedEvent is the seed's workshop as a TOML [[events]] table.
func seedEvent(seats int) string {
	return `
[[events]]
id = "segregation-2018"
title = "På tal om segregation – ett samtal om hur vi kan arbeta tillsammans"
starts = "2018-12-11 13:00"
ends = "2018-12-11 15:30"
location = "GR, Anders Personsgatan 8, Göteborg"
seats = ` + strconv.Itoa(seats) + `
closes = "2018-12-04"
material = ["kartlaggning.pdf"]
keywords = ["segregation"]
`
}

// newEnvWith is newEnv with the config text changed by edit (when set)
// before it is loaded.
func newEnvWith(t testing.TB, seats int, lopts localmail.Options, edit func(string) string) *env {
	t.Helper()
	return newEnvFull(t, lopts, seedEvent(seats), edit)
}

// newEnvEvents starts servers and a daemon for the events given as TOML
// [[events]] tables; "kartlaggning.pdf" is a material file they may name.
func newEnvEvents(t testing.TB, lopts localmail.Options, events string) *env {
	t.Helper()
	return newEnvFull(t, lopts, events, nil)
}

func newEnvFull(t testing.TB, lopts localmail.Options, events string, edit func(string) string) *env {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clock: &testClock{t: time.Date(2018, 11, 26, 9, 0, 0, 0, loc)}, loc: loc}
	lopts.Password, lopts.Quiet, lopts.Now = password, true, e.clock.Now
	e.srv, err = localmail.Start(lopts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.srv.Close() })
	e.srv.AddUser(botAddr)

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	material := filepath.Join(dir, "kartlaggning.pdf")
	if err := os.WriteFile(material, []byte("%PDF-1.4\n% sample\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	toml := `
database = "anmalan.db"
timezone = "Europe/Stockholm"
language = "sv"
[imap]
address = "` + e.srv.IMAPAddr() + `"
security = "none"
username = "` + botAddr + `"
password_file = "pw"
processed_mailbox = "Behandlat"
[smtp]
address = "` + e.srv.SMTPAddr() + `"
security = "none"
from = "GR Anmälan <` + botAddr + `>"
[organisers]
addresses = ["` + organiser + `"]
trusted_authserv_id = "mx.goteborgsregionen.example"
contact = "Linda Karlsson, ` + organiser + `"
` + events
	if edit != nil {
		toml = edit(toml)
	}
	cfgPath := filepath.Join(dir, "anmalan.toml")
	if err := os.WriteFile(cfgPath, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	e.cfg, err = config.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	e.open()
	return e
}

// open starts the daemon, as `anmalan run` does, on the same database.
func (e *env) open() {
	e.t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if e.logw != nil {
		log = slog.New(slog.NewTextHandler(e.logw, nil))
	}
	d, err := daemon.Open(context.Background(), e.cfg, daemon.Options{Now: e.clock.Now, Log: log, LookupTXT: e.lookupTXT,
		Observe: func(_ intake.Incoming, r mailbot.Result) { e.mu.Lock(); e.seen = append(e.seen, r); e.mu.Unlock() }})
	if err != nil {
		e.t.Fatal(err)
	}
	e.d = d
	e.t.Cleanup(func() { d.Close() })
}

// deliver puts raw into the bot's inbox, arriving at the given time.
func (e *env) deliver(raw []byte, at time.Time) imap.UID {
	e.t.Helper()
	uid, err := e.srv.Append(botAddr, "INBOX", raw, at)
	if err != nil {
		e.t.Fatal(err)
	}
	return uid
}

// runOnce runs the bot once, as `anmalan run --once` does.
func (e *env) runOnce() outbox.DeliveryReport {
	e.t.Helper()
	_, rep, err := e.d.RunOnce(context.Background())
	if err != nil {
		e.t.Fatalf("run once: %v", err)
	}
	return rep
}

func corpus(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "corpus", "registrations", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sent is one reply as the SMTP server got it, decoded.
type sent struct {
	env         localmail.Message
	header      mail.Header
	subject     string
	text, html  string
	attachments map[string][]byte
}

func decode(t testing.TB, m localmail.Message) sent {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("reply does not parse: %v", err)
	}
	s := sent{env: m, header: r.Header, attachments: map[string][]byte{}}
	s.subject, _ = r.Header.Subject()
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reply part: %v", err)
		}
		body, _ := io.ReadAll(p.Body)
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			if ct == "text/html" {
				s.html = string(body)
			} else {
				s.text = string(body)
			}
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			s.attachments[name] = body
		}
	}
	return s
}

// repliesTo returns the decoded replies whose recipients include addr.
func (e *env) repliesTo(addr string) []sent {
	var out []sent
	for _, m := range e.srv.Received() {
		if slices.Contains(m.To, addr) {
			out = append(out, decode(e.t, m))
		}
	}
	return out
}

// mailbox lists the UIDs and flags of a mailbox of the bot's account.
func (e *env) mailbox(name string) map[imap.UID][]imap.Flag {
	e.t.Helper()
	c, err := imapclient.DialInsecure(e.srv.IMAPAddr(), nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(botAddr, password).Wait(); err != nil {
		e.t.Fatal(err)
	}
	sel, err := c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		e.t.Fatalf("select %s: %v", name, err)
	}
	out := map[imap.UID][]imap.Flag{}
	if sel.NumMessages == 0 {
		return out
	}
	var every imap.SeqSet
	every.AddRange(1, 0)
	all, err := c.Fetch(every, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range all {
		out[m.UID] = m.Flags
	}
	return out
}

var messageIDRe = regexp.MustCompile(`^<anmalan\.[0-9a-f]{32}@goteborgsregionen\.example>$`)

// TestRegistrationEndToEnd runs the corpus of registration-desk mail
// through the bot on in-process servers and checks every reply, the inbox
// and the participant list.
func TestRegistrationEndToEnd(t *testing.T) {
	e := newEnv(t, 8, localmail.Options{})
	files, err := filepath.Glob(filepath.Join("..", "testdata", "corpus", "registrations", "v*.eml"))
	if err != nil || len(files) != 16 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	base := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	uids := map[string]imap.UID{}
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		uids[filepath.Base(f)] = e.deliver(raw, base.Add(time.Duration(i)*time.Minute))
	}
	e.clock.Set(base.Add(time.Hour))
	rep := e.runOnce()

	// Ten people register: v01, v02, v03, v04 (three), v05, v10, v11, v14.
	// Eight seats: the last two in arrival order wait. Besides those ten
	// replies: v07 (Johan cancels, but not in reply to a mail the bot sent
	// him, and unauthenticated) is told to reply to his confirmation; v08
	// (Linda, authenticated, swaps Karin Ek for Per Ström) sends Per a
	// confirmation, Karin a notice and Linda her answer; v16 (forged in
	// Linda's name) warns Linda.
	if rep.Sent != 15 || rep.Failed != 0 || rep.Retry != 0 {
		t.Fatalf("delivery: %+v, want 15 sent", rep)
	}
	regs, err := e.d.Store().Registrations(context.Background(), "segregation-2018")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range regs {
		got = append(got, r.Status+" "+r.Email)
	}
	// Per Ström holds Karin Ek's seat, first in the queue; Johan Lindqvist
	// is still confirmed.
	want := []string{
		"confirmed per.strom@molndal.example",
		"confirmed johan.lindqvist@lerum.example",
		"confirmed sara.nilsson@ale.example",
		"confirmed anders.berg@partille.example",
		"confirmed maria.holm@partille.example",
		"confirmed erik.sjoberg@partille.example",
		"confirmed emily.carter@chalmers.example",
		"confirmed fatima.hassan@goteborg.example",
		"waiting lars.persson@tjorn.example",
		"waiting gunilla.ek@harryda.example",
		"cancelled karin.ek@molndal.example",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("registrations:\n got %q\nwant %q", got, want)
	}

	// Karin's confirmation: Swedish, threaded, with the material and a calendar.
	karin := e.repliesTo("karin.ek@molndal.example")
	if len(karin) != 2 || !strings.HasPrefix(karin[1].subject, "Din plats har gått till Per Ström") {
		t.Fatalf("Karin got %q, want her confirmation and the notice that Per Ström goes instead", subjects(karin))
	}
	k := karin[0]
	if !strings.HasPrefix(k.subject, "Bekräftelse: På tal om segregation") {
		t.Errorf("subject %q", k.subject)
	}
	for h, want := range map[string]string{
		"Auto-Submitted":           "auto-replied",
		"X-Auto-Response-Suppress": "All",
		"In-Reply-To":              "<8d3b1f0c4e2a4c2f9d1f3a7e5b6c8d90@EXCH01.molndal.example>",
		"References":               "<8d3b1f0c4e2a4c2f9d1f3a7e5b6c8d90@EXCH01.molndal.example>",
	} {
		if got := k.header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	if id := k.header.Get("Message-Id"); !messageIDRe.MatchString(id) {
		t.Errorf("Message-ID %q is not one of ours", id)
	}
	if !strings.Contains(k.text, "Hej Karin Ek!") || !strings.Contains(k.text, "tisdag 11 december 2018, 13.00–15.30") {
		t.Errorf("confirmation text:\n%s", k.text)
	}
	if !strings.Contains(k.html, "<strong>På tal om segregation") {
		t.Errorf("confirmation has no HTML alternative:\n%s", k.html)
	}
	if _, ok := k.attachments["kartlaggning.pdf"]; !ok {
		t.Errorf("material missing; attachments: %v", keys(k.attachments))
	}
	ics := string(k.attachments["segregation-2018.ics"])
	for _, line := range []string{"METHOD:PUBLISH", "DTSTART;TZID=Europe/Stockholm:20181211T130000",
		"DTEND;TZID=Europe/Stockholm:20181211T153000", "BEGIN:VTIMEZONE", "TZOFFSETTO:+0100", "LOCATION:GR\\, Anders Personsgatan 8\\, Göteborg"} {
		if !strings.Contains(ics, line) {
			t.Errorf("calendar lacks %q:\n%s", line, ics)
		}
	}

	// Emily wrote in English and gets English.
	if em := e.repliesTo("emily.carter@chalmers.example"); len(em) != 1 || !strings.HasPrefix(em[0].subject, "Confirmed: ") || !strings.Contains(em[0].text, "Dear Emily Carter") {
		t.Errorf("Emily's reply: %+v", subjects(em))
	}

	// The group: each person gets their own mail, the sender in Cc.
	maria := e.repliesTo("maria.holm@partille.example")
	if len(maria) != 1 || !slices.Equal(maria[0].env.To, []string{"maria.holm@partille.example", "anders.berg@partille.example"}) {
		t.Errorf("Maria's reply went to %v", envTo(maria))
	}
	if !strings.Contains(maria[0].text, "Anders Berg har anmält dig") {
		t.Errorf("Maria is not told who registered her:\n%s", maria[0].text)
	}
	if anders := e.repliesTo("anders.berg@partille.example"); len(anders) != 3 {
		t.Errorf("Anders (sender of the group) is in %d replies, want 3 (his own and two in Cc)", len(anders))
	}

	// The boss registered by the registry gets a waiting-list place, the
	// registry in Cc; the organiser's forward Cc's the organiser.
	gunilla := e.repliesTo("gunilla.ek@harryda.example")
	if len(gunilla) != 1 || !strings.HasPrefix(gunilla[0].subject, "Väntelista:") || !strings.Contains(gunilla[0].text, "plats 2 på väntelistan") {
		t.Errorf("Gunilla: %v", subjects(gunilla))
	}
	if len(gunilla) == 1 && !slices.Contains(gunilla[0].env.To, "registrator@harryda.example") {
		t.Errorf("the registry is not in Cc: %v", gunilla[0].env.To)
	}
	if len(gunilla) == 1 && len(gunilla[0].attachments) != 0 {
		t.Errorf("a waiting-list reply carries attachments: %v", keys(gunilla[0].attachments))
	}
	lars := e.repliesTo("lars.persson@tjorn.example")
	if len(lars) != 1 || !slices.Contains(lars[0].env.To, organiser) {
		t.Errorf("Lars (forwarded by the organiser): %v", envTo(lars))
	}

	// No automatic mail is answered, and nobody else got anything.
	for _, addr := range []string{"MAILER-DAEMON", "newsletter", "noreply", "postmaster"} {
		for _, m := range e.srv.Received() {
			for _, to := range m.To {
				if strings.Contains(strings.ToLower(to), strings.ToLower(addr)) {
					t.Errorf("automatic sender %s was answered", to)
				}
			}
		}
	}

	// Johan's cancellation did not answer a mail the bot sent him: nothing
	// changed, and he is told how to cancel.
	if johan := e.repliesTo("johan.lindqvist@lerum.example"); len(johan) != 2 || !strings.HasPrefix(johan[1].subject, "Svara på din bekräftelse för att avanmäla dig") {
		t.Errorf("Johan got %q", subjects(johan))
	}
	// Linda's substitution: Per gets the material; Linda alone gets the
	// answer (Karin was in To of her mail); the forged mail warns her.
	if per := e.repliesTo("per.strom@molndal.example"); len(per) != 1 || !strings.HasPrefix(per[0].subject, "Bekräftelse:") || per[0].attachments["kartlaggning.pdf"] == nil {
		t.Errorf("Per Ström got %q", subjects(per))
	}
	linda := e.repliesTo(organiser)
	var lindaSubjects []string
	for _, l := range linda {
		if !slices.Equal(l.env.To, []string{organiser}) && !strings.HasPrefix(l.subject, "Väntelista") {
			t.Errorf("%q went to %v, not to Linda alone", l.subject, l.env.To)
		}
		lindaSubjects = append(lindaSubjects, strings.SplitN(l.subject, ":", 2)[0])
	}
	// In arrival order: the answer (v08), Lars's waiting-list reply (her
	// forward, v11), the warning (v16).
	if !slices.Equal(lindaSubjects, []string{"Utfört", "Väntelista", "VARNING"}) {
		t.Fatalf("Linda got %q", subjects(linda))
	}
	if want := "Karin Ek <karin.ek@molndal.example> (bekräftad) → Per Ström <per.strom@molndal.example> (bekräftad)"; !strings.Contains(linda[0].text, want) {
		t.Errorf("Linda's answer does not say %q:\n%s", want, linda[0].text)
	}
	for _, want := range []string{"Hej Linda Karlsson!", `Från: "Linda Karlsson" <linda.karlsson@goteborgsregionen.example>`, "Datum: Mon, 03 Dec 2018 23:10:00 +0100",
		"dmarc=fail", "Avanmäl karin.ek@molndal.example och anders.berg@partille.example."} {
		if !strings.Contains(linda[2].text, want) {
			t.Errorf("the warning does not say %q:\n%s", want, linda[2].text)
		}
	}

	// The inbox: handled mail moved to Behandlat; mail for a human (a
	// question, and the forged command) stays, flagged.
	inbox := e.mailbox("INBOX")
	for _, name := range []string{"v13-question.eml", "v16-organiser-spoofed.eml"} {
		flags, ok := inbox[uids[name]]
		if !ok {
			t.Errorf("%s left the inbox", name)
			continue
		}
		// Keywords are case-insensitive; servers may fold their case.
		if !hasFlag(flags, imap.FlagFlagged) || !hasFlag(flags, "$AnmalanManual") {
			t.Errorf("%s flags %v, want \\Flagged $AnmalanManual", name, flags)
		}
	}
	if len(inbox) != 2 {
		t.Errorf("inbox holds %d mails, want the 2 for a human", len(inbox))
	}
	processed := e.mailbox("Behandlat")
	if len(processed) != 14 {
		t.Errorf("Behandlat holds %d mails, want 14", len(processed))
	}
	for uid, flags := range processed {
		if !hasFlag(flags, imap.FlagSeen) || !hasFlag(flags, "$Anmalan") {
			t.Errorf("processed mail %d not \\Seen: %v", uid, flags)
		}
	}

	// The same mail fetched again changes nothing and sends nothing.
	before := len(e.srv.Received())
	e.deliver(corpus(t, "v01-outlook-windows1252.eml"), base.Add(2*time.Hour))
	e.clock.Set(base.Add(2 * time.Hour))
	if rep := e.runOnce(); rep.Sent != 0 {
		t.Errorf("a mail seen before was answered again: %+v", rep)
	}
	if len(e.srv.Received()) != before {
		t.Errorf("mail sent for a duplicate")
	}

	// The export lists everyone, with å ä ö intact.
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, regs, ';', e.loc); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Error("CSV has no BOM")
	}
	rows, err := csvRows(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 12 || !strings.Contains(buf.String(), "Erik Sjöberg") || !strings.Contains(buf.String(), "Mölndals stad") {
		t.Errorf("export:\n%s", buf.String())
	}
}

func hasFlag(flags []imap.Flag, want imap.Flag) bool {
	return slices.ContainsFunc(flags, func(f imap.Flag) bool { return strings.EqualFold(string(f), string(want)) })
}

func csvRows(b []byte) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	r.Comma = ';'
	return r.ReadAll()
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func subjects(s []sent) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.subject)
	}
	return out
}

func envTo(s []sent) [][]string {
	var out [][]string
	for _, x := range s {
		out = append(out, x.env.To)
	}
	return out
}

// failHandling makes d's inbox fail the decision of every mail for which
// fail returns true (the mail is recorded first, as always), as a database
// error in the decision would: a poison mail.
func failHandling(d *daemon.Daemon, fail func(intake.Incoming) bool) {
	d.Inbox().BeforeDecide = func(in intake.Incoming) error {
		if fail(in) {
			return errors.New("injected failure: the decision could not be written")
		}
		return nil
	}
}

// beforeHandling makes d's inbox call fn before it decides each mail (fn
// may block, holding the mail in hand).
func beforeHandling(d *daemon.Daemon, fn func(intake.Incoming)) {
	d.Inbox().BeforeDecide = func(in intake.Incoming) error {
		fn(in)
		return nil
	}
}
