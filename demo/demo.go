// Package demo runs the whole bot on in-process mail servers with a
// temporary database and a simulated clock, and tells what it does: the
// story behind `anmalan demo`.
package demo

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/goteborgsregionen/anmalan"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/daemon"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/mailbot"
	"github.com/goteborgsregionen/anmalan/reply"
)

// Options change what the demo does.
type Options struct {
	// Keep leaves the servers and the bot running after the story, until
	// ctx ends, so that a person can try the bot from a mail client.
	Keep bool
	// Seats is the example event's seat count in the demo; the story's
	// organiser raises it by moreSeats before the end.
	Seats int
	// HTTP, when set, is where the bot serves /metrics and /healthz
	// ("127.0.0.1:0" picks a free port); empty means no HTTP server.
	HTTP string
	// Log receives the bot's own log lines.
	Log io.Writer
}

const (
	password = "demo"
	botAddr  = "anmalan@goteborgsregionen.example"
	// authServID is the example config's trusted_authserv-id, which the
	// demo's SMTP server writes as the receiving server of the
	// organisation would.
	authServID = "mx.goteborgsregionen.example"
	// moreSeats is how many seats the organiser adds in the story, so
	// that a newcomer trying the bot with -keep gets one.
	moreSeats = 3
	// organiser is the example config's organiser.
	organiser = "linda.karlsson@goteborgsregionen.example"
)

// Clock is a settable clock. While frozen it shows the time last set;
// after Run it moves on with real time from that moment.
type Clock struct {
	mu      sync.Mutex
	t       time.Time
	running time.Time
}

// Set freezes the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t, c.running = t, time.Time{}
	c.mu.Unlock()
}

// Run lets the clock move on with real time from t.
func (c *Clock) Run(t time.Time) {
	c.mu.Lock()
	c.t, c.running = t, time.Now()
	c.mu.Unlock()
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running.IsZero() {
		return c.t
	}
	return c.t.Add(time.Since(c.running))
}

// Run tells the demo's story on w. It returns an error only when the demo
// itself cannot run (a server cannot listen, the example does not load).
func Run(ctx context.Context, w io.Writer, opts Options) error {
	if opts.Seats == 0 {
		opts.Seats = 5
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return fmt.Errorf("load time zone: %w", err)
	}
	clock := &Clock{}
	clock.Set(time.Date(2018, 11, 26, 9, 0, 0, 0, loc))

	dir, err := os.MkdirTemp("", "anmalan-demo-")
	if err != nil {
		return fmt.Errorf("make temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)

	srv, err := localmail.Start(localmail.Options{Password: password, Now: clock.Now, Quiet: true, AuthServID: authServID})
	if err != nil {
		return err
	}
	defer srv.Close()
	srv.AddUser(botAddr)
	srv.AddUser(organiser)

	cfg, err := demoConfig(dir, srv, opts.Seats, opts.HTTP)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(opts.Log, nil))
	p := &printer{w: w, loc: loc}
	d, err := daemon.Open(ctx, cfg, daemon.Options{Now: clock.Now, Log: log, Observe: p.mail})
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintf(w, "anmalan demo: %s\n", cfg.Events[0].Title)
	for i, ev := range cfg.Events {
		note := ""
		if i == 0 {
			note = " (the demo's count)"
		}
		fmt.Fprintf(w, "  %s: %s–%s, %s; %d seats%s; registration closes %s\n", ev.ID,
			ev.StartsAt.In(loc).Format("Mon 2 Jan 2006 15:04"), ev.EndsAt.In(loc).Format("15:04"), ev.Location,
			ev.Seats, note, ev.ClosesAt.In(loc).Format("Mon 2 Jan 2006 15:04"))
	}
	fmt.Fprintln(w, "  Mail servers on loopback and a temporary database, deleted when the demo ends.")

	var raws [][]byte
	seen := 0
	for i, s := range script {
		at, err := time.ParseInLocation("2006-01-02 15:04", s.at, loc)
		if err != nil {
			return fmt.Errorf("script step %d: %w", i, err)
		}
		clock.Set(at)
		var raw []byte
		if s.raw == "" {
			raw = raws[s.again]
		} else {
			text := strings.NewReplacer("{{DATE}}", at.Format(time.RFC1123Z), "{{SEATS}}", fmt.Sprint(opts.Seats+moreSeats)).Replace(s.raw)
			text = replyIDs.ReplaceAllStringFunc(text, func(m string) string {
				return lastMessageID(srv.Received(), replyIDs.FindStringSubmatch(m)[1])
			})
			raw = []byte(strings.ReplaceAll(text, "\n", "\r\n"))
		}
		raws = append(raws, raw)
		fmt.Fprintf(w, "\n── %d. %s  %s\n", i+1, at.Format("Mon 2 Jan 15:04"), s.title)
		if _, err := srv.Append(botAddr, "INBOX", raw, at); err != nil {
			return err
		}
		if _, _, err := d.RunOnce(ctx); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
		sent := srv.Received()
		for _, m := range sent[seen:] {
			p.reply(m)
		}
		seen = len(sent)
	}

	for _, ev := range cfg.Events {
		if err := printList(ctx, w, d, ev.ID, loc); err != nil {
			return err
		}
	}
	if !opts.Keep {
		fmt.Fprintln(w, "\nDone. Run `anmalan demo -keep` to try the bot from a mail client.")
		return nil
	}
	return keep(ctx, w, d, srv, clock, loc)
}

// printList prints the event's participants as the store has them.
func printList(ctx context.Context, w io.Writer, d *daemon.Daemon, eventID string, loc *time.Location) error {
	st, err := d.Store().Events(ctx)
	if err != nil {
		return err
	}
	seats := 0
	for _, e := range st {
		if e.ID == eventID {
			seats = e.EffectiveSeats()
		}
	}
	regs, err := d.Store().Registrations(ctx, eventID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nParticipants of %s (%d seats):\n", eventID, seats)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  STATUS\tPOS\tNAME\tEMAIL\tORGANISATION\tDIET\tREGISTERED")
	for _, r := range regs {
		pos := ""
		if r.Position > 0 {
			pos = fmt.Sprint(r.Position)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Status, pos, r.Name, r.Email, r.Organisation, r.Diet,
			r.RegisteredAt.In(loc).Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// replyIDs finds {{REPLY:address}} in a script's mail.
var replyIDs = regexp.MustCompile(`\{\{REPLY:([^}]+)\}\}`)

// lastMessageID returns the Message-ID (with its angle brackets) of the
// last mail in sent addressed to addr, or "" when there is none.
func lastMessageID(sent []localmail.Message, addr string) string {
	for i := len(sent) - 1; i >= 0; i-- {
		for _, to := range sent[i].To {
			if !strings.EqualFold(to, addr) {
				continue
			}
			r, err := mail.CreateReader(strings.NewReader(string(sent[i].Data)))
			if err != nil {
				return ""
			}
			id := r.Header.Get("Message-Id")
			r.Close()
			return id
		}
	}
	return ""
}

// keep leaves everything running for a mail client until ctx ends.
func keep(ctx context.Context, w io.Writer, d *daemon.Daemon, srv *localmail.Servers, clock *Clock, loc *time.Location) error {
	// Registration is open again in the demo's world from here on, so
	// that what a person sends is answered with a seat or a place.
	restart := time.Date(2018, 12, 4, 16, 0, 0, 0, loc)
	clock.Run(restart)
	users := srv.Users()
	sort.Strings(users)
	imapHost, imapPort := splitAddr(srv.IMAPAddr())
	smtpHost, smtpPort := splitAddr(srv.SMTPAddr())
	fmt.Fprintf(w, `
The servers keep running; connect a mail client (Thunderbird: "Set up an existing email account",
then "Configure manually"):
  incoming  IMAP  host %s  port %s  connection security: none  authentication: normal password
  outgoing  SMTP  host %s  port %s  connection security: none  authentication: normal password
  username: an address below (any other address gets a mailbox when mail is sent to it)
  password: %s
  accounts: %s
Write to %s; the bot answers within a few seconds. Logged in to SMTP as
%s, your mail counts as the organiser's (the server marks it dmarc=pass, as
a real one would): try "hjälp", "lista" or "avanmäl NAME" with the bot in Cc. The demo clock now
runs from %s, before the deadline. Stop with Ctrl-C.
`, imapHost, imapPort, smtpHost, smtpPort, password, strings.Join(users, ", "), botAddr, organiser,
		restart.Format("Mon 2 Jan 2006 15:04"))
	return d.Run(ctx)
}

func splitAddr(a string) (string, string) {
	i := strings.LastIndexByte(a, ':')
	return a[:i], a[i+1:]
}

// demoConfig writes the embedded example config and its material to dir,
// loads it exactly as `anmalan run` would, and points it at the local
// servers and a database in dir.
func demoConfig(dir string, srv *localmail.Servers, seats int, httpListen string) (*config.Config, error) {
	err := fs.WalkDir(anmalan.Example, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := anmalan.Example.ReadFile(path)
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
	if err != nil {
		return nil, fmt.Errorf("write example config: %w", err)
	}
	cfg, err := config.LoadConfig(filepath.Join(dir, "config.example.toml"))
	if err != nil {
		return nil, fmt.Errorf("load example config: %w", err)
	}
	secret := filepath.Join(dir, "password")
	if err := os.WriteFile(secret, []byte(password+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write demo password: %w", err)
	}
	cfg.Database = filepath.Join(dir, "anmalan.db")
	cfg.IMAP.Address, cfg.IMAP.Security, cfg.IMAP.Username = srv.IMAPAddr(), "none", botAddr
	cfg.IMAP.PasswordEnv, cfg.IMAP.PasswordFile = "", secret
	cfg.IMAP.ProcessedMailbox = "Behandlat"
	cfg.IMAP.PollInterval = config.Duration{Duration: 5 * time.Second}
	cfg.SMTP.Address, cfg.SMTP.Security, cfg.SMTP.Username = srv.SMTPAddr(), "none", ""
	cfg.SMTP.PasswordEnv, cfg.SMTP.PasswordFile = "", ""
	// One connection: the story prints the replies in the order they were
	// sent, which parallel connections would shuffle between runs.
	cfg.SMTP.Connections = 1
	// The example's metrics port may be taken on this machine: the demo
	// serves none unless asked.
	cfg.HTTP.Listen = httpListen
	if cfg.Organisers.TrustedAuthservID != authServID {
		return nil, fmt.Errorf("example config: trusted_authserv_id is %q, the demo's SMTP server writes %q", cfg.Organisers.TrustedAuthservID, authServID)
	}
	cfg.Events[0].Seats = seats
	return cfg, nil
}

// printer writes what the bot understood, decided and sent.
type printer struct {
	w   io.Writer
	loc *time.Location
}

func (p *printer) mail(in intake.Incoming, res mailbot.Result) {
	if res.Duplicate {
		fmt.Fprintf(p.w, "   mail %s was handled before (%s): nothing done, nothing sent\n", res.Key, res.Outcome)
		return
	}
	u := res.Understanding
	what := string(u.Kind)
	if u.Automatic != "" {
		what += " (" + string(u.Automatic) + ")"
	}
	if u.Language != "" {
		what += ", language " + u.Language
	}
	fmt.Fprintf(p.w, "   understood: %s\n", what)
	for _, person := range u.People {
		extra := []string{}
		if person.Organisation != "" {
			extra = append(extra, person.Organisation)
		}
		if person.Diet != "" {
			extra = append(extra, "diet: "+person.Diet)
		}
		line := fmt.Sprintf("%s <%s>", person.Name, person.Email)
		if len(extra) > 0 {
			line += " (" + strings.Join(extra, "; ") + ")"
		}
		fmt.Fprintf(p.w, "               %s\n", line)
	}
	if u.Reason != "" {
		fmt.Fprintf(p.w, "   why:        %s\n", u.Reason)
	}
	for _, d := range res.Decisions {
		fmt.Fprintf(p.w, "   decided:    %s\n", d)
	}
	fmt.Fprintf(p.w, "   outcome:    %s\n", res.Outcome)
}

func (p *printer) reply(m localmail.Message) {
	subject, attachments, kind := summarise(m.Data)
	label := "sent:      "
	if reply.Kind(kind) == reply.KindDigest {
		// The digest is not an answer to the mail above: it leaves on its
		// own each morning when something happened.
		label = "digest:    "
	}
	fmt.Fprintf(p.w, "   %s %q to %s", label, subject, strings.Join(m.To, ", "))
	if len(attachments) > 0 {
		fmt.Fprintf(p.w, " [attached: %s]", strings.Join(attachments, ", "))
	}
	fmt.Fprintln(p.w)
}

// summarise returns a mail's subject, the names of its attachments and
// the kind of reply it is.
func summarise(raw []byte) (string, []string, string) {
	r, err := mail.CreateReader(strings.NewReader(string(raw)))
	if err != nil {
		return "", nil, ""
	}
	defer r.Close()
	subject, _ := r.Header.Subject()
	kind := r.Header.Get("X-Anmalan-Kind")
	var names []string
	for {
		part, err := r.NextPart()
		if err != nil {
			break
		}
		if h, ok := part.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			names = append(names, name)
		}
	}
	return subject, names, kind
}
