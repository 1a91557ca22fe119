package outbox

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/goteborgsregionen/anmalan/blobcache"
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
	// claimant names this Outbox in the claims it takes on the outbox
	// (host, process, start and a random part), so that two Outboxes,
	// in one process or two, never take the same reply.
	claimant string
	// Metrics, when set, counts what the outbox does.
	Metrics *metrics.Metrics
	// OnFailed, when set, runs in the transaction that records a reply as
	// failed for good: the bot queues a notice to the organisers there.
	OnFailed func(*store.Tx, store.Outgoing) error

	// recorded is closed (and replaced) whenever an attempt's result was
	// recorded, waking WaitRoom.
	recordedMu sync.Mutex
	recorded   chan struct{}
	// blobs keeps the material that replies carry (assemble), so that the
	// base64 of a report is read from the database once, not once per
	// reply.
	blobs *blobcache.Cache
}

// UseCache makes the Outbox take the material from bc, where the
// composer puts it, so that a daemon holds each file's base64 once.
func (o *Outbox) UseCache(bc *blobcache.Cache) { o.blobs = bc }

// New returns an Outbox that sends through cfg. It fails when the
// SMTP password named in cfg cannot be read.
func New(cfg config.SMTPConfig, st *store.Store, now func() time.Time, log *slog.Logger) (*Outbox, error) {
	creds, err := login.NewCredentials("smtp", cfg.Username, cfg.AuthMechanism, cfg.PasswordEnv, cfg.PasswordFile, cfg.OAuth2TokenCommand, cfg.OAuth2TokenFile)
	if err != nil {
		return nil, err
	}
	return &Outbox{cfg: cfg, creds: creds, store: st, now: now, log: log, claimant: newClaimant(now()),
		recorded: make(chan struct{}), blobs: blobcache.New(blobcache.Max)}, nil
}

// What may be composed ahead of sending: WaitRoom holds the decisions
// back while the replies that are due and not yet accepted by the server
// reach either bound. Composing is much faster than sending a reply with a
// real report attached, and without a bound a burst of thousands of
// registrations would all be composed into the outbox (and through
// SQLite's cache and WAL) before the first hundred were sent. 64 MiB is
// 24 replies with a 2 MB PDF (2.7 MB in base64) or 240 with 200 KB: many
// batches of work for the connections, so they never wait for the
// decisions, and a fraction of a second of the decisions' time.
const (
	AheadRows  int   = 256
	AheadBytes int64 = 64 << 20
	// aheadRecheck is how often WaitRoom looks again without being woken
	// (a lease that ended, a clock moved by a test).
	aheadRecheck = 5 * time.Second
)

// changed returns the channel that is closed at the next recorded result.
func (o *Outbox) changed() <-chan struct{} {
	o.recordedMu.Lock()
	defer o.recordedMu.Unlock()
	return o.recorded
}

// recordedResult wakes every WaitRoom.
func (o *Outbox) recordedResult() {
	o.recordedMu.Lock()
	defer o.recordedMu.Unlock()
	close(o.recorded)
	o.recorded = make(chan struct{})
}

// WaitRoom returns once fewer than AheadRows replies, of fewer than
// AheadBytes in all, are due and waiting to be sent (those that wait for
// a retry later do not count), so that the decisions compose no further
// ahead of the sending than that; it returns how many more replies the
// bound has room for. While it waits it calls wake (when not
// nil) once per look, so that a delivery runs, and it looks again whenever
// this Outbox recorded a result. It fails when ctx ends and on database
// errors. Use it only while a delivery runs beside the decisions (the
// daemon): `run --once` decides everything before it sends.
func (o *Outbox) WaitRoom(ctx context.Context, wake func()) (room int, err error) {
	for {
		ch := o.changed()
		rows, size, err := o.store.Backlog(ctx, o.now())
		if err != nil {
			return 0, err
		}
		if rows < AheadRows && size < AheadBytes {
			return AheadRows - rows, nil
		}
		if wake != nil {
			wake()
		}
		t := time.NewTimer(aheadRecheck)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, fmt.Errorf("wait for the outbox: %w", ctx.Err())
		case <-ch:
		case <-t.C:
		}
		t.Stop()
	}
}

// newClaimant returns a name for the claims of an Outbox started at now:
// the host, the process ID, the start time and a random part.
func newClaimant(now time.Time) string {
	host, _ := os.Hostname()
	var r [4]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%s:%d:%s:%x", host, os.Getpid(), now.UTC().Format("20060102T150405Z"), r)
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
// is closed, while the ones in flight (and recording their results) go on
// under ctx. When ctx ends the connections are closed, ending the
// transactions in flight; their mail stays pending and is sent at the
// next start.
//
// The outbox is sent over up to [smtp] connections connections at once.
// It claims the due mail in batches (ClaimOutgoing), so that no other
// sender on the database can take the same mail, and splits each batch
// between the connections so that all mail to one address goes over one
// connection, in the order it was queued; the next batch begins when
// the last is done, so the order holds across batches too. What it
// claimed and did not try (it was stopped, or a connection was lost) is
// released when it returns, and is due again at once.
func (o *Outbox) DeliverUntil(ctx context.Context, stop <-chan struct{}) (rep DeliveryReport, err error) {
	defer func() { o.Metrics.Delivered(rep.Sent, rep.Retry, rep.Failed) }()
	defer func() {
		// Under a context of its own: the claims must go even when ctx
		// ended the delivery.
		if _, rerr := o.store.ReleaseClaims(context.WithoutCancel(ctx), o.claimant); rerr != nil && err == nil {
			err = fmt.Errorf("release claimed replies: %w", rerr)
		}
	}()
	lanes := make([]*lane, o.connections())
	for i := range lanes {
		lanes[i] = &lane{}
	}
	defer func() {
		for _, l := range lanes {
			l.close()
		}
	}()
	held := &heldSet{m: map[string]bool{}}
	limit := min(2*len(lanes), claimBatch)
	var carry []store.Outgoing
	drained := false
	for {
		select {
		case <-stop:
			return rep, nil
		default:
		}
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if drained && len(carry) == 0 {
			// What was due at the last claim has been tried; what was
			// queued since (a notice of a failure) waits for the next
			// round, which the daemon begins when there is more.
			return rep, nil
		}
		due := carry
		if n := limit - len(carry); n > 0 {
			more, err := o.store.ClaimOutgoing(ctx, o.now(), n, o.claimant, claimLease)
			if err != nil {
				return rep, err
			}
			due = append(due, more...)
			drained = len(more) < n
		}
		if len(due) == 0 {
			return rep, nil
		}
		var alive []*lane
		for _, l := range lanes {
			if !l.dead {
				alive = append(alive, l)
			}
		}
		if len(alive) == 0 {
			return rep, nil
		}
		var groups [][]store.Outgoing
		groups, carry = split(due, len(alive))
		reps := make([]DeliveryReport, len(alive))
		errs := make([]error, len(alive))
		var wg sync.WaitGroup
		for i, g := range groups {
			if len(g) == 0 {
				continue
			}
			wg.Go(func() { reps[i], errs[i] = o.sendLane(ctx, stop, alive[i], g, held) })
		}
		wg.Wait()
		for _, r := range reps {
			rep.Sent, rep.Retry, rep.Failed = rep.Sent+r.Sent, rep.Retry+r.Retry, rep.Failed+r.Failed
		}
		if err := errors.Join(errs...); err != nil {
			return rep, err
		}
		limit = claimLimit(due, len(lanes))
	}
}

const (
	// claimBatch bounds how many replies are claimed at a time.
	claimBatch = 32
	// claimBytes bounds the bytes of the replies claimed at a time that
	// are held in memory: their stored bytes. The material is stored
	// once and shared by every reply that carries it (store.Part), so a
	// large attachment does not multiply the memory by the batch; a reply
	// stored whole (an organiser's list with its XLSX) counts whole.
	claimBytes = 16 << 20
	// claimLease is how long a claim holds off other senders: far longer
	// than a batch can take (a batch is at most claimBytes, over
	// connections whose commands time out after minutes).
	claimLease = time.Hour
)

// claimLimit returns how many replies to claim next, after a batch due:
// as many as claimBytes holds of the largest stored bytes among them, at
// least one per connection and at most claimBatch.
func claimLimit(due []store.Outgoing, connections int) int {
	largest := 1
	for _, m := range due {
		largest = max(largest, len(m.Raw))
	}
	return max(min(claimBytes/largest, claimBatch), connections, 1)
}

// split divides due, in order, between n connections, so that every
// recipient's replies go to one connection and the replies on each
// connection are about equal in bytes. A reply whose recipients are
// already on two different connections cannot keep both orders: split
// stops before it, and it and the rest are returned as carry, for the
// next batch.
func split(due []store.Outgoing, n int) (groups [][]store.Outgoing, carry []store.Outgoing) {
	groups = make([][]store.Outgoing, n)
	load := make([]int, n)
	lane := map[string]int{}
	for i, m := range due {
		at := -1
		for _, r := range m.Recipients {
			l, ok := lane[strings.ToLower(r)]
			if !ok {
				continue
			}
			if at >= 0 && l != at {
				// Not for the first reply (nothing is placed yet), so
				// the carry is always shorter than due.
				return groups, due[i:]
			}
			at = l
		}
		if at < 0 {
			at = 0
			for j := range load {
				if load[j] < load[at] {
					at = j
				}
			}
		}
		for _, r := range m.Recipients {
			lane[strings.ToLower(r)] = at
		}
		groups[at] = append(groups[at], m)
		load[at] += max(m.Size, len(m.Raw), 1)
	}
	return groups, nil
}

// connections returns how many SMTP connections to use.
func (o *Outbox) connections() int {
	return max(o.cfg.Connections, 1)
}

// lane is one SMTP connection of a delivery, dialled when it is first
// needed. It is used by one goroutine at a time.
type lane struct {
	c *smtp.Client
	// data is the connection c writes to, on which the outbox writes the
	// mail's data itself (data.go).
	data net.Conn
	// stopClose ends the closing of c when the context ends.
	stopClose func() bool
	// dead is set once the connection could not be made or was lost; the
	// delivery goes on over the others.
	dead bool
}

// close ends the connection politely, if there is one.
func (l *lane) close() {
	if l.c == nil {
		return
	}
	l.stopClose()
	_ = l.c.Quit()
	l.c.Close()
	l.c, l.data = nil, nil
}

// heldSet is the recipients whose replies must wait in this delivery: a
// later reply to them must not overtake the one that waits (the store
// has already postponed it). The connections share it.
type heldSet struct {
	mu sync.Mutex
	m  map[string]bool
}

// sendLane sends due over l, in order, dialling l first when needed and
// beginning no new transaction once stop is closed. When the connection
// cannot be made or is lost, the rest of due is scheduled for a retry and
// l is marked dead. It returns an error only when the database cannot be
// written.
func (o *Outbox) sendLane(ctx context.Context, stop <-chan struct{}, l *lane, due []store.Outgoing, held *heldSet) (DeliveryReport, error) {
	var rep DeliveryReport
	if l.c == nil {
		c, data, err := o.dial(ctx)
		if err != nil {
			l.dead = true
			o.log.Warn("smtp server unreachable; replies wait", slog.String("address", o.cfg.Address),
				slog.Int("due", len(due)), slog.String("error", err.Error()))
			for _, m := range due {
				if err := o.retry(ctx, m, err, &rep); err != nil {
					return rep, err
				}
			}
			return rep, nil
		}
		l.c, l.data = c, data
		l.stopClose = context.AfterFunc(ctx, func() { c.Close() })
	}
	_, err := o.sendBatch(ctx, stop, l, due, held, &rep)
	return rep, err
}

// sendBatch sends due over l, beginning no new transaction once stop is
// closed. It returns false when the connection was lost (the rest of due
// is then scheduled for a retry, and l is marked dead) or stop was closed,
// and an error only when the database cannot be written.
func (o *Outbox) sendBatch(ctx context.Context, stop <-chan struct{}, l *lane, due []store.Outgoing, held *heldSet, rep *DeliveryReport) (bool, error) {
	for i, m := range due {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if held.heldBack(m.Recipients) {
			continue
		}
		select {
		case <-stop:
			return false, nil
		default:
		}
		rejected, err := o.send(ctx, l, m)
		var se *storeError
		switch {
		case errors.As(err, &se):
			return false, fmt.Errorf("read reply to send: %w", err)
		case err == nil:
			if err := o.store.MarkSent(ctx, m.ID, o.now()); err != nil {
				return false, fmt.Errorf("record sent reply: %w", err)
			}
			o.recordedResult()
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
			_ = l.c.Reset()
		default:
			if err := o.retry(ctx, m, err, rep); err != nil {
				return false, err
			}
			held.hold(m.Recipients)
			var se *smtp.SMTPError
			if !errors.As(err, &se) {
				// The connection is gone: the rest wait for the next round.
				l.dead = true
				for _, rest := range due[i+1:] {
					if err := o.retry(ctx, rest, errors.New("not tried: connection lost"), rep); err != nil {
						return false, err
					}
				}
				return false, nil
			}
			_ = l.c.Reset()
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
	o.recordedResult()
	return nil
}

// fail records m as failed for good and, in the same transaction, lets
// onFailed queue what follows from that.
func (o *Outbox) fail(ctx context.Context, m store.Outgoing, reason string) error {
	if err := o.store.FailOutgoing(ctx, m.ID, reason, o.OnFailed); err != nil {
		return fmt.Errorf("record failed reply: %w", err)
	}
	o.recordedResult()
	return nil
}

// hold adds rcpts to h.
func (h *heldSet) hold(rcpts []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range rcpts {
		h.m[strings.ToLower(r)] = true
	}
}

// heldBack reports whether any of rcpts is in h.
func (h *heldSet) heldBack(rcpts []string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range rcpts {
		if h.m[strings.ToLower(r)] {
			return true
		}
	}
	return false
}

// permanent reports whether err is an SMTP 5xx answer or a stored mail
// that cannot be put together. Anything else, a network error included,
// may succeed later.
func permanent(err error) bool {
	var se *smtp.SMTPError
	var bm *brokenMail
	return errors.As(err, &se) && se.Code >= 500 && se.Code < 600 || errors.As(err, &bm)
}

// brokenMail is a stored reply that cannot be put together (its blob is
// missing): no later attempt can send it.
type brokenMail struct{ err error }

func (e *brokenMail) Error() string { return e.err.Error() }
func (e *brokenMail) Unwrap() error { return e.err }

// storeError is a database error met while reading a reply to send.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }
func (e *storeError) Unwrap() error { return e.err }

// send runs one SMTP transaction. When some recipients are refused for
// good and others accepted, the mail goes to those accepted and the
// refused are returned; a temporary refusal of any recipient postpones the
// whole mail, so nobody gets it twice.
func (o *Outbox) send(ctx context.Context, l *lane, m store.Outgoing) ([]string, error) {
	c := l.c
	// Everything the mail needs is at hand before the transaction
	// begins: once DATA has begun, only the end of the data can end it,
	// and a mail cut short there would be accepted cut short.
	mail, err := o.assemble(ctx, m)
	if errors.Is(err, errIncomplete) {
		return nil, &brokenMail{err}
	}
	if err != nil {
		return nil, &storeError{err}
	}
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
	// Streamed: the stored mail with its material put back, never
	// copied whole into one buffer, and dot-stuffed by the outbox on the
	// connection beneath go-smtp's writer (data.go), which is left to end
	// the data.
	if err := writeData(l.data, mail, submissionTimeout); err != nil {
		// Not w.Close: that would end the data with its dot, and the
		// server would accept the mail cut short. A connection closed in
		// the middle of the data delivers nothing.
		_ = l.c.Close()
		return nil, fmt.Errorf("write data: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("end data: %w", err)
	}
	return rejected, nil
}

// The time an SMTP command, and the whole of a mail's data, may take.
const (
	commandTimeout    = time.Minute
	submissionTimeout = 5 * time.Minute
)

// dial connects, greets and logs in as the config says. It returns the
// client and the connection the client writes to.
func (o *Outbox) dial(ctx context.Context) (*smtp.Client, net.Conn, error) {
	host, _, err := net.SplitHostPort(o.cfg.Address)
	if err != nil {
		return nil, nil, fmt.Errorf("smtp address: %w", err)
	}
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", o.cfg.Address)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to %s: %w", o.cfg.Address, err)
	}
	tlsConfig, err := login.TLSConfig(host, o.cfg.TLSCAFile)
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("smtp %w", err)
	}
	// The gathering sits under TLS, so that records are gathered too.
	var top net.Conn = coalescing(conn)
	switch o.cfg.Security {
	case "tls":
		top = tls.Client(top, tlsConfig)
	case "starttls":
		top, err = startTLS(ctx, top, tlsConfig, localName(o.cfg.From), commandTimeout)
		if err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("starttls with %s: %w", o.cfg.Address, err)
		}
	}
	c := smtp.NewClient(top)
	c.CommandTimeout = commandTimeout
	c.SubmissionTimeout = submissionTimeout
	if err := c.Hello(localName(o.cfg.From)); err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("greet %s: %w", o.cfg.Address, err)
	}
	if o.creds.Username != "" {
		if err := o.auth(ctx, c); err != nil {
			c.Close()
			return nil, nil, fmt.Errorf("log in to %s as %s: %w", o.cfg.Address, o.creds.Username, err)
		}
	}
	return c, top, nil
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
