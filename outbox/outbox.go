package outbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/login"
	"github.com/goteborgsregionen/anmalan/metrics"
	"github.com/goteborgsregionen/anmalan/store"
)

const (
	// retryBase and retryMax bound the backoff between delivery attempts.
	retryBase = time.Minute
	retryMax  = time.Hour
	// giveUpAfter is how long a reply may wait for a server that answers
	// "try again later" before it is recorded as failed.
	giveUpAfter = 48 * time.Hour
	// Batch bounds how many replies one connection sends.
	Batch = 200
)

// Outbox delivers the replies stored in the database over SMTP, exactly
// the bytes that were stored, so a retry after a crash sends the same
// Message-ID.
type Outbox struct {
	cfg   config.SMTPConfig
	creds login.Credentials
	store *store.Store
	now   func() time.Time
	log   *slog.Logger
	// Metrics, when set, counts what the outbox does.
	Metrics *metrics.Metrics
	// OnFailed, when set, runs in the transaction that records a reply as
	// failed for good: the bot queues a notice to the organisers there.
	OnFailed func(*store.Tx, store.Outgoing) error
}

// New returns an Outbox that sends through cfg. It fails when the
// SMTP password named in cfg cannot be read.
func New(cfg config.SMTPConfig, st *store.Store, now func() time.Time, log *slog.Logger) (*Outbox, error) {
	creds, err := login.NewCredentials("smtp", cfg.Username, cfg.AuthMechanism, cfg.PasswordEnv, cfg.PasswordFile, cfg.OAuth2TokenCommand, cfg.OAuth2TokenFile)
	if err != nil {
		return nil, err
	}
	return &Outbox{cfg: cfg, creds: creds, store: st, now: now, log: log}, nil
}

// DeliveryReport counts what one DeliverDue did.
type DeliveryReport struct{ Sent, Retry, Failed int }

// DeliverDue sends every reply that is due, over one connection. A
// temporary failure (4xx, a dropped or refused connection) is retried with
// backoff; a permanent one (5xx) is recorded as failed. It returns an error
// only when the database cannot be read or written.
func (o *Outbox) DeliverDue(ctx context.Context) (DeliveryReport, error) {
	return o.DeliverUntil(ctx, ctx.Done())
}

// DeliverUntil is DeliverDue that begins no new SMTP transaction once stop
// is closed, while the one in flight (and recording its result) goes on
// under ctx. When ctx ends the connection is closed, ending a transaction
// in flight; its mail stays pending and is sent at the next start.
func (o *Outbox) DeliverUntil(ctx context.Context, stop <-chan struct{}) (rep DeliveryReport, err error) {
	defer func() { o.Metrics.Delivered(rep.Sent, rep.Retry, rep.Failed) }()
	due, err := o.store.DueOutgoing(ctx, o.now(), Batch)
	if err != nil || len(due) == 0 {
		return rep, err
	}
	c, err := o.dial(ctx)
	if err != nil {
		o.log.Warn("smtp server unreachable; replies wait", slog.String("address", o.cfg.Address),
			slog.Int("due", len(due)), slog.String("error", err.Error()))
		for _, m := range due {
			if err := o.retry(ctx, m, err, &rep); err != nil {
				return rep, err
			}
		}
		return rep, nil
	}
	closeOnCancel := context.AfterFunc(ctx, func() { c.Close() })
	defer func() {
		closeOnCancel()
		_ = c.Quit()
		c.Close()
	}()
	// held are the recipients of replies that must wait in this round: a
	// later reply to them must not overtake the one that waits (the store
	// has already postponed it).
	held := map[string]bool{}
	// A backlog is sent batch after batch over the one connection, rather
	// than one batch per round of the daemon.
	for {
		before := rep
		alive, err := o.sendBatch(ctx, stop, c, due, held, &rep)
		if err != nil || !alive || len(due) < Batch || rep == before {
			return rep, err
		}
		if due, err = o.store.DueOutgoing(ctx, o.now(), Batch); err != nil || len(due) == 0 {
			return rep, err
		}
	}
}

// sendBatch sends due over c, beginning no new transaction once stop is
// closed. It returns false when the connection was lost (the rest of due
// is then scheduled for a retry) or stop was closed, and an error only
// when the database cannot be written.
func (o *Outbox) sendBatch(ctx context.Context, stop <-chan struct{}, c *smtp.Client, due []store.Outgoing, held map[string]bool, rep *DeliveryReport) (bool, error) {
	for i, m := range due {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if heldBack(held, m.Recipients) {
			continue
		}
		select {
		case <-stop:
			return false, nil
		default:
		}
		rejected, err := o.send(c, m)
		switch {
		case err == nil:
			if err := o.store.MarkSent(ctx, m.ID, o.now()); err != nil {
				return false, fmt.Errorf("record sent reply: %w", err)
			}
			rep.Sent++
			attrs := []any{slog.String("message_id", m.MessageID), slog.String("kind", m.Kind), slog.String("to", strings.Join(m.Recipients, ","))}
			if len(rejected) > 0 {
				attrs = append(attrs, slog.String("rejected", strings.Join(rejected, "; ")))
				o.log.Warn("reply sent, but some recipients were refused", attrs...)
			} else {
				o.log.Info("reply sent", attrs...)
			}
		case permanent(err):
			if err := o.fail(ctx, m, err.Error()); err != nil {
				return false, err
			}
			rep.Failed++
			o.log.Error("reply refused for good", slog.String("message_id", m.MessageID),
				slog.String("to", strings.Join(m.Recipients, ",")), slog.String("error", err.Error()))
			_ = c.Reset()
		default:
			if err := o.retry(ctx, m, err, rep); err != nil {
				return false, err
			}
			hold(held, m.Recipients)
			var se *smtp.SMTPError
			if !errors.As(err, &se) {
				// The connection is gone: the rest wait for the next round.
				for _, rest := range due[i+1:] {
					if err := o.retry(ctx, rest, errors.New("not tried: connection lost"), rep); err != nil {
						return false, err
					}
				}
				return false, nil
			}
			_ = c.Reset()
		}
	}
	return true, nil
}

// retry schedules another attempt, or records the reply as failed once it
// has waited giveUpAfter.
func (o *Outbox) retry(ctx context.Context, m store.Outgoing, cause error, rep *DeliveryReport) error {
	now := o.now()
	if !m.CreatedAt.IsZero() && now.Sub(m.CreatedAt) > giveUpAfter {
		rep.Failed++
		o.log.Error("reply given up after retrying", slog.String("message_id", m.MessageID), slog.String("error", cause.Error()))
		return o.fail(ctx, m, "gave up: "+cause.Error())
	}
	delay := retryBase << min(m.Attempts, 10)
	if delay > retryMax {
		delay = retryMax
	}
	rep.Retry++
	o.log.Warn("reply will be retried", slog.String("message_id", m.MessageID), slog.Int("attempt", m.Attempts+1),
		slog.Duration("in", delay), slog.String("error", cause.Error()))
	if err := o.store.MarkRetry(ctx, m.ID, now.Add(delay), cause.Error()); err != nil {
		return fmt.Errorf("record retry: %w", err)
	}
	return nil
}

// fail records m as failed for good and, in the same transaction, lets
// onFailed queue what follows from that.
func (o *Outbox) fail(ctx context.Context, m store.Outgoing, reason string) error {
	if err := o.store.FailOutgoing(ctx, m.ID, reason, o.OnFailed); err != nil {
		return fmt.Errorf("record failed reply: %w", err)
	}
	return nil
}

// hold adds rcpts to held.
func hold(held map[string]bool, rcpts []string) {
	for _, r := range rcpts {
		held[strings.ToLower(r)] = true
	}
}

// heldBack reports whether any of rcpts is in held.
func heldBack(held map[string]bool, rcpts []string) bool {
	for _, r := range rcpts {
		if held[strings.ToLower(r)] {
			return true
		}
	}
	return false
}

// permanent reports whether err is an SMTP 5xx answer. Anything else, a
// network error included, may succeed later.
func permanent(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500 && se.Code < 600
}

// send runs one SMTP transaction. When some recipients are refused for
// good and others accepted, the mail goes to those accepted and the
// refused are returned; a temporary refusal of any recipient postpones the
// whole mail, so nobody gets it twice.
func (o *Outbox) send(c *smtp.Client, m store.Outgoing) ([]string, error) {
	if err := c.Mail(m.EnvelopeFrom, nil); err != nil {
		return nil, fmt.Errorf("mail from: %w", err)
	}
	var rejected []string
	var lastPerm error
	accepted := 0
	for _, r := range m.Recipients {
		err := c.Rcpt(r, nil)
		switch {
		case err == nil:
			accepted++
		case permanent(err):
			rejected = append(rejected, r+": "+err.Error())
			lastPerm = err
		default:
			return nil, fmt.Errorf("rcpt to %s: %w", r, err)
		}
	}
	if accepted == 0 {
		return nil, fmt.Errorf("every recipient refused: %w", lastPerm)
	}
	w, err := c.Data()
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(m.Raw); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("write data: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("end data: %w", err)
	}
	return rejected, nil
}

// dial connects, greets and logs in as the config says.
func (o *Outbox) dial(ctx context.Context) (*smtp.Client, error) {
	host, _, err := net.SplitHostPort(o.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("smtp address: %w", err)
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", o.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", o.cfg.Address, err)
	}
	tlsConfig, err := login.TLSConfig(host, o.cfg.TLSCAFile)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("smtp %w", err)
	}
	var c *smtp.Client
	switch o.cfg.Security {
	case "tls":
		c = smtp.NewClient(tls.Client(conn, tlsConfig))
	case "starttls":
		c, err = smtp.NewClientStartTLS(conn, tlsConfig)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("starttls with %s: %w", o.cfg.Address, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = time.Minute
	c.SubmissionTimeout = 5 * time.Minute
	if err := c.Hello(localName(o.cfg.From)); err != nil {
		c.Close()
		return nil, fmt.Errorf("greet %s: %w", o.cfg.Address, err)
	}
	if o.creds.Username != "" {
		if err := o.auth(ctx, c); err != nil {
			c.Close()
			return nil, fmt.Errorf("log in to %s as %s: %w", o.cfg.Address, o.creds.Username, err)
		}
	}
	return c, nil
}

// auth logs in with the configured mechanism. With XOAUTH2 a rejected
// token is fetched afresh and tried once more, since access tokens expire
// within the hour.
func (o *Outbox) auth(ctx context.Context, c *smtp.Client) error {
	cr := o.creds
	switch cr.Mech {
	case config.AuthXOAUTH2:
		for fresh := range 2 {
			tok, err := cr.Tokens.Token(ctx, fresh == 1)
			if err != nil {
				return err
			}
			err = c.Auth(&login.XOAUTH2Client{Username: cr.Username, Token: tok})
			var se *smtp.SMTPError
			if err == nil || !errors.Is(err, login.ErrTokenRejected) && !(errors.As(err, &se) && se.Code == 535) {
				return err
			}
			if fresh == 1 {
				return err
			}
			o.log.Warn("smtp server rejected the access token; fetching a new one", slog.String("address", o.cfg.Address))
		}
		return nil
	case config.AuthLogin:
		return c.Auth(sasl.NewLoginClient(cr.Username, cr.Password))
	case config.AuthPlain:
		return c.Auth(sasl.NewPlainClient("", cr.Username, cr.Password))
	}
	if ok, _ := c.Extension("AUTH"); ok && !c.SupportsAuth("PLAIN") && c.SupportsAuth("LOGIN") {
		return c.Auth(sasl.NewLoginClient(cr.Username, cr.Password))
	}
	return c.Auth(sasl.NewPlainClient("", cr.Username, cr.Password))
}

// localName is the name the bot greets with: the domain of its address.
func localName(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		return strings.Trim(from[i+1:], "> ")
	}
	return "localhost"
}
