package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-sasl"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/login"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/metrics"
	"github.com/goteborgsregionen/anmalan/store"
)

// Keywords the bot sets on the mail it has handled. They let a person in
// a shared mail client see at a glance what the bot did.
const (
	keywordDone   imap.Flag = "$Anmalan"
	KeywordManual imap.Flag = "$AnmalanManual"
)

const (
	// fetchChunk and fetchChunkBytes bound one BODY.PEEK[] fetch: few
	// round trips, bounded memory. While one chunk is recorded the next is
	// fetched, so at most two are held (a single mail larger than
	// fetchChunkBytes makes a chunk of its own).
	fetchChunk      = 1000
	fetchChunkBytes = 8 << 20
	// maxAttempts is how often a mail may fail before it is left for a human.
	maxAttempts = 3
	// commandTimeout is how long the watchdog waits for the server to
	// answer the end of an IDLE or a NOOP before it gives the connection up.
	commandTimeout = time.Minute
	// Reconnecting backs off from backoffBase, doubling, up to backoffMax.
	backoffBase = time.Second
	backoffMax  = 5 * time.Minute
)

// Inbox reads the bot's mailbox over IMAP.
type Inbox struct {
	cfg   config.IMAPConfig
	creds login.Credentials
	store *store.Store
	log   *slog.Logger
	// cur is the decider, with what the inbox derives from it;
	// SetDecider replaces it when the config is reloaded.
	cur atomic.Pointer[current]

	// Metrics, when set, counts what the inbox does.
	Metrics *metrics.Metrics
	// BeforeDecide, when set, is called before each recorded mail is
	// decided (before the transaction of the run of mails it is decided
	// with); an error it returns counts as a failed decision. Tests
	// make poison mail with it and hold a mail in hand.
	BeforeDecide func(in Incoming) error
	// Recorded, when set, is called with the number of mails each
	// recording transaction committed (for benchmarks).
	Recorded func(n int)
	// Pace, when set, is called before each run of recorded mails is
	// decided (at most decideTxn mails, one transaction) and
	// may block while too much waits to be sent (the daemon passes the
	// outbox's WaitRoom), so that the decisions compose their replies no
	// further ahead of the sending than a bound. It returns the room
	// left under the bound, in replies: no more mails than that are
	// decided in the run. It is given a context
	// that also ends when the daemon stops taking mail; when it fails, the
	// mail and the rest stay recorded and are decided later.
	Pace func(ctx context.Context) (room int, err error)
}

// current is the decider and what the inbox derives from it.
type current struct {
	d Decider
	// botLocal and botDomain are the parts of the bot's own address, for
	// recognising mail to it (and to a +tag of it) in a shared inbox.
	botLocal, botDomain string
}

// SetDecider makes d decide the mail from now on; a mail in hand is
// finished by the decider that began it.
func (ib *Inbox) SetDecider(d Decider) {
	cur := &current{d: d}
	cur.botLocal, cur.botDomain, _ = strings.Cut(strings.ToLower(d.Address()), "@")
	ib.cur.Store(cur)
}

// decider returns the decider of now.
func (ib *Inbox) decider() Decider { return ib.cur.Load().d }

// New returns an Inbox for cfg, a config the config package loaded
// (with its defaults applied), that hands every new mail to d. It fails
// when the password named in cfg cannot be read.
func New(cfg config.IMAPConfig, d Decider, st *store.Store, log *slog.Logger) (*Inbox, error) {
	creds, err := login.NewCredentials("imap", cfg.Username, cfg.AuthMechanism, cfg.PasswordEnv, cfg.PasswordFile, cfg.OAuth2TokenCommand, cfg.OAuth2TokenFile)
	if err != nil {
		return nil, err
	}
	ib := &Inbox{cfg: cfg, creds: creds, store: st, log: log}
	ib.SetDecider(d)
	return ib, nil
}

// session is one connection, logged in, with the mailbox selected.
type session struct {
	c        *imapclient.Client
	caps     imap.CapSet
	validity uint32
	// newMail is signalled by the client's reader goroutine when the
	// server reports new mail. The handler must never issue a command (it
	// would deadlock), so it only signals.
	newMail chan struct{}
	// warnedMove keeps the "cannot move" warning to one per connection.
	warnedMove bool
	// stop is closed when the daemon stops taking mail: the mail in hand
	// is finished, no new mail is begun.
	stop <-chan struct{}
}

// stopping reports whether the daemon stops taking mail.
func (s *session) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// errStopping ends a connection because the daemon stops.
var errStopping = errors.New("stopping")

// connect dials, logs in and selects the mailbox. An access token that
// the server rejects is fetched afresh and tried once more on a new
// connection (a refused XOAUTH2 exchange leaves the old one unusable).
func (ib *Inbox) connect(ctx context.Context) (*session, error) {
	s, err := ib.connectWith(ctx, false)
	if errors.Is(err, login.ErrTokenRejected) {
		ib.log.Warn("imap server rejected the access token; fetching a new one", slog.String("address", ib.cfg.Address))
		s, err = ib.connectWith(ctx, true)
	}
	return s, err
}

func (ib *Inbox) connectWith(ctx context.Context, freshToken bool) (*session, error) {
	host, _, err := net.SplitHostPort(ib.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("imap address: %w", err)
	}
	tc, err := login.TLSConfig(host, ib.cfg.TLSCAFile)
	if err != nil {
		return nil, fmt.Errorf("imap %w", err)
	}
	s := &session{newMail: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: tc,
		// ENVELOPE subjects come in any charset.
		WordDecoder: &mime.WordDecoder{CharsetReader: charset.Reader},
		// go-imap has no read deadline while idle: keep-alive probes find a
		// peer that vanished (a half-open connection) within about a
		// minute of silence.
		Dialer: &net.Dialer{Timeout: 30 * time.Second, KeepAliveConfig: net.KeepAliveConfig{
			Enable: true, Idle: 30 * time.Second, Interval: 10 * time.Second, Count: 3}},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case s.newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	switch ib.cfg.Security {
	case "tls":
		c, err = imapclient.DialTLS(ib.cfg.Address, opts)
	case "starttls":
		c, err = imapclient.DialStartTLS(ib.cfg.Address, opts)
	default:
		c, err = imapclient.DialInsecure(ib.cfg.Address, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", ib.cfg.Address, err)
	}
	s.c = c
	// A cancelled context closes the connection, which ends any command
	// in flight; the client has no per-command context.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	go func() { <-c.Closed(); stop() }()
	if err := ib.login(ctx, c, freshToken); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in to %s as %s: %w", ib.cfg.Address, ib.creds.Username, err)
	}
	// Capabilities may change with the login; ask again. IMAP4rev2 is
	// never ENABLEd: its changed responses trip up some servers' clients.
	s.caps = c.Caps()
	sel, err := c.Select(ib.cfg.Mailbox, nil).Wait()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("select %s: %w", ib.cfg.Mailbox, err)
	}
	s.validity = sel.UIDValidity
	return s, nil
}

// login authenticates as the config says: XOAUTH2 with an access token
// (a fresh one when asked), PLAIN, the LOGIN command, or by default PLAIN
// where the server offers it and LOGIN otherwise. A refused token comes
// back as errTokenRejected.
func (ib *Inbox) login(ctx context.Context, c *imapclient.Client, freshToken bool) error {
	cr := ib.creds
	switch cr.Mech {
	case config.AuthXOAUTH2:
		tok, err := cr.Tokens.Token(ctx, freshToken)
		if err != nil {
			return err
		}
		err = c.Authenticate(&login.XOAUTH2Client{Username: cr.Username, Token: tok})
		// A server may also refuse the token with a plain NO at once;
		// UNAVAILABLE is its own trouble, where a new token would not help.
		var ierr *imap.Error
		if errors.As(err, &ierr) && ierr.Type == imap.StatusResponseTypeNo && ierr.Code != imap.ResponseCodeUnavailable {
			return fmt.Errorf("%w: %w", login.ErrTokenRejected, err)
		}
		return err
	case config.AuthPlain:
		return c.Authenticate(sasl.NewPlainClient("", cr.Username, cr.Password))
	case config.AuthLogin:
		return c.Login(cr.Username, cr.Password).Wait()
	}
	if c.Caps().Has(imap.Cap("AUTH=PLAIN")) {
		return c.Authenticate(sasl.NewPlainClient("", cr.Username, cr.Password))
	}
	return c.Login(cr.Username, cr.Password).Wait()
}

// close logs out, giving the server a moment to answer, and closes.
func (s *session) close() {
	t := time.AfterFunc(5*time.Second, func() { s.c.Close() })
	_ = s.c.Logout().Wait()
	t.Stop()
	s.c.Close()
}

// guard runs fn, a command exchange, and closes the connection when the
// server has not answered within commandTimeout: a half-open connection
// would otherwise block fn for as long as TCP retransmits (many minutes).
func (s *session) guard(what string, fn func() error) error {
	t := time.AfterFunc(commandTimeout, func() { s.c.Close() })
	err := fn()
	if !t.Stop() {
		return fmt.Errorf("%s: no answer within %v", what, commandTimeout)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// PollOnce connects, handles every mail that arrived since the checkpoint,
// marks the handled mail in the mailbox and disconnects. It returns how
// many new mails were handled. A mail whose handling fails is retried at
// the next poll and left for a human after maxAttempts.
func (ib *Inbox) PollOnce(ctx context.Context) (int, error) {
	s, err := ib.connect(ctx)
	if err != nil {
		return 0, err
	}
	defer s.close()
	s.stop = ctx.Done()
	return ib.drain(ctx, s, nil)
}

// Run keeps a connection to the mailbox until stop ends and handles mail
// as it arrives: with IDLE where the server offers it, else by polling
// every poll_interval. After a batch of mail is decided it calls decided
// (the daemon then delivers the replies at once). Any connection error
// leads to a reconnect with exponential backoff and jitter; Run returns
// only when stop is done. The connection and the work on a mail use work,
// which outlives stop by a grace period: when stop ends, the mail in hand
// is decided and marked, and no new mail is begun.
func (ib *Inbox) Run(stop, work context.Context, decided func()) {
	ctx := stop
	attempt := 0
	for {
		err := ib.serve(stop, work, decided, func() {
			if attempt > 0 {
				ib.log.Info("imap connected again", slog.String("address", ib.cfg.Address), slog.Int("after_attempts", attempt))
			}
			attempt = 0
		})
		if ctx.Err() != nil {
			return
		}
		attempt++
		wait := backoff(attempt)
		ib.log.Warn("imap connection lost; reconnecting", slog.String("address", ib.cfg.Address),
			slog.Int("attempt", attempt), slog.Duration("in", wait), slog.String("error", err.Error()))
		if !sleep(ctx, wait) {
			return
		}
	}
}

// backoff returns the pause before reconnect attempt n (from 1): 1 s
// doubling up to 5 min, with jitter so that many clients restarted
// together do not knock at once.
func backoff(n int) time.Duration {
	d := backoffBase << min(n-1, 20)
	d = min(d, backoffMax)
	// Between half and all of d.
	return d/2 + rand.N(d/2+1)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// errHandle marks a drain that stopped at a mail whose handling failed;
// the connection is fine.
type errHandle struct{ err error }

func (e *errHandle) Error() string { return e.err.Error() }
func (e *errHandle) Unwrap() error { return e.err }

// serve runs one connection: drain, then wait for news (IDLE or a poll
// timer), drain again, until an error or ctx ends.
func (ib *Inbox) serve(stop, ctx context.Context, decided, connected func()) error {
	s, err := ib.connect(ctx)
	if err != nil {
		return err
	}
	s.stop = stop.Done()
	ib.Metrics.IMAPUp(true)
	defer ib.Metrics.IMAPUp(false)
	defer s.close()
	connected()
	idle := s.caps.Has(imap.CapIdle)
	ib.log.Info("imap connected", slog.String("mailbox", ib.cfg.Mailbox), slog.Bool("idle", idle),
		slog.Bool("move", s.caps.Has(imap.CapMove)), slog.Bool("uidplus", s.caps.Has(imap.CapUIDPlus)))
	failures := 0
	for {
		_, err := ib.drain(ctx, s, decided)
		var he *errHandle
		switch {
		case s.stopping():
			return errStopping
		case errors.As(err, &he):
			// The failure was counted; try that mail again soon, on the
			// same connection.
			failures++
			// Logged here because a failure the database could not even
			// count (a full disk) is logged nowhere else.
			ib.log.Warn("mail could not be handled; will retry", slog.Int("attempt", failures),
				slog.Duration("in", backoff(failures)), slog.String("error", err.Error()))
			if !sleep(stop, backoff(failures)) {
				return errStopping
			}
			continue
		case err != nil:
			return err
		}
		ib.Metrics.Polled()
		failures = 0
		if idle {
			err = ib.idle(ctx, s)
		} else {
			err = ib.poll(ctx, s)
		}
		if err != nil {
			return err
		}
	}
}

// idle runs IDLE until the server reports new mail, the watchdog's
// idle_restart passes, or ctx ends. After a watchdog restart it sends a
// NOOP, so that a connection that died quietly is found.
func (ib *Inbox) idle(ctx context.Context, s *session) error {
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	restart := time.NewTimer(ib.cfg.IdleRestart.Duration)
	defer restart.Stop()
	watchdog := false
	select {
	case <-s.stop:
	case <-s.c.Closed():
	case <-s.newMail:
	case <-restart.C:
		watchdog = true
	}
	// Close sends DONE; Wait reads the server's answer. Both under the
	// guard: on a dead connection Wait would never return.
	if err := s.guard("end idle", func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	}); err != nil {
		if s.stopping() {
			return errStopping
		}
		return err
	}
	if s.stopping() {
		return errStopping
	}
	if watchdog {
		if err := s.guard("noop", func() error { return s.c.Noop().Wait() }); err != nil {
			return err
		}
		ib.log.Debug("idle restarted by the watchdog")
	}
	return nil
}

// poll waits poll_interval on a server without IDLE, then sends a NOOP
// (which also lets the server report new mail).
func (ib *Inbox) poll(ctx context.Context, s *session) error {
	t := time.NewTimer(ib.cfg.PollInterval.Duration)
	defer t.Stop()
	select {
	case <-s.stop:
		return errStopping
	case <-s.c.Closed():
		return errors.New("connection closed by the server")
	case <-t.C:
	}
	return s.guard("noop", func() error { return s.c.Noop().Wait() })
}

// meta is what the bot learns of a mail before it downloads it.
type meta struct {
	uid     imap.UID
	size    int64
	arrived time.Time
	env     *imap.Envelope
	// deliveredTo holds the Delivered-To and X-Original-To headers, for a
	// shared inbox.
	deliveredTo string
}

// drain records every mail after the checkpoint, in UID order, then
// decides every recorded mail not yet decided and marks it. It calls
// decided (when set) after each batch of decisions has been committed. It
// stops at the first mail that cannot be recorded or decided (returning an
// *errHandle), so that no mail is decided before one that arrived
// earlier; after maxAttempts failures that mail is left for a human.
func (ib *Inbox) drain(ctx context.Context, s *session, decided func()) (int, error) {
	mbox := ib.cfg.Mailbox
	// Finish marking mail whose decision was committed before a crash or
	// a dropped connection kept it from being marked.
	if err := ib.markPending(ctx, s); err != nil {
		return 0, err
	}
	validity, last, err := ib.store.Checkpoint(ctx, mbox)
	if err != nil {
		return 0, fmt.Errorf("read checkpoint: %w", err)
	}
	if validity != s.validity {
		if validity != 0 {
			// The server renumbered the mailbox: read it again from the
			// start; Message-ID dedupe keeps handled mail from being
			// answered twice.
			ib.log.Warn("mailbox UIDVALIDITY changed; reading it again from the start",
				slog.String("mailbox", mbox), slog.Any("old", validity), slog.Any("new", s.validity))
		}
		last = 0
		if err := ib.store.SetCheckpoint(ctx, mbox, s.validity, 0); err != nil {
			return 0, fmt.Errorf("reset checkpoint: %w", err)
		}
	}
	// The message count the client tracks is not trusted to skip the
	// listing: a server's stray EXPUNGE (imapmemserver sends one after UID
	// MOVE) can make it read 0 while new mail waits. UID n:* is valid on
	// an empty mailbox too.
	news, err := ib.listNew(s, last)
	if err != nil {
		return 0, err
	}
	handled, err := ib.recordAll(ctx, s, news)
	if err != nil {
		return handled, err
	}
	// The whole backlog is recorded before the first decision: the mail is
	// safe in the database (and the checkpoint past it) as fast as the
	// server can hand it over, and the decisions follow from there.
	h, err := ib.decidePending(ctx, s, decided)
	return handled + h, err
}

// fetchedChunk is one chunk of new mail with what was downloaded of it.
type fetchedChunk struct {
	chunk  []meta
	bodies map[imap.UID][]byte
}

// recordAll downloads and records the new mail, chunk by chunk, in UID
// order. One chunk is recorded (by a goroutine of its own, in order) while
// the next is downloaded, so that the database and the server work at the
// same time. It returns how many mails were handled already (too large, or
// met again); at its first error it stops downloading, lets the chunks in
// hand be recorded, and returns that error.
func (ib *Inbox) recordAll(ctx context.Context, s *session, news []meta) (int, error) {
	queue := make(chan fetchedChunk, 1)
	type outcome struct {
		handled int
		err     error
	}
	result := make(chan outcome, 1)
	var failed atomic.Bool
	go func() {
		var o outcome
		for f := range queue {
			if o.err != nil {
				continue // Nothing after a mail that failed to record.
			}
			h, err := ib.recordChunk(ctx, s.validity, f)
			o.handled += h
			o.err = err
			failed.Store(err != nil)
		}
		result <- o
	}()
	var fetchErr error
	for len(news) > 0 && !s.stopping() && !failed.Load() {
		// A chunk ends at fetchChunk mails or fetchChunkBytes of mail that
		// is to be downloaded, whichever comes first.
		n, bytes := 0, int64(0)
		for n < len(news) && n < fetchChunk && bytes < fetchChunkBytes {
			if news[n].size <= ib.cfg.MaxMessageBytes && ib.wanted(news[n]) {
				bytes += news[n].size
			}
			n++
		}
		f, err := ib.fetchChunk(s, news[:n])
		if err != nil {
			fetchErr = err
			break
		}
		news = news[n:]
		queue <- f
	}
	close(queue)
	o := <-result
	if o.err != nil {
		return o.handled, o.err
	}
	return o.handled, fetchErr
}

// fetchChunk downloads the chunk's mails that the bot takes and that are
// not too large, with their arrival times, and the envelopes and arrival
// times of those too large (for the organisers' notice).
func (ib *Inbox) fetchChunk(s *session, chunk []meta) (fetchedChunk, error) {
	chunk = slices.Clone(chunk)
	f := fetchedChunk{chunk: chunk, bodies: map[imap.UID][]byte{}}
	var want, large imap.UIDSet
	for _, m := range chunk {
		switch {
		case !ib.wanted(m):
		case m.size > ib.cfg.MaxMessageBytes:
			large.AddNum(m.uid)
		default:
			want.AddNum(m.uid)
		}
	}
	got := map[imap.UID]*imapclient.FetchMessageBuffer{}
	section := &imap.FetchItemBodySection{Peek: true}
	// An empty UID set would kill the connection.
	if len(want) > 0 {
		bufs, err := s.c.Fetch(want, &imap.FetchOptions{UID: true, InternalDate: true,
			BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return f, fmt.Errorf("fetch mail: %w", err)
		}
		for _, b := range bufs {
			got[b.UID] = b
			f.bodies[b.UID] = b.FindBodySection(section)
		}
	}
	if len(large) > 0 {
		bufs, err := s.c.Fetch(large, &imap.FetchOptions{UID: true, InternalDate: true, Envelope: true}).Collect()
		if err != nil {
			return f, fmt.Errorf("fetch envelope: %w", err)
		}
		for _, b := range bufs {
			got[b.UID] = b
		}
	}
	for i := range chunk {
		if b, ok := got[chunk[i].uid]; ok {
			chunk[i].arrived = b.InternalDate
			if b.Envelope != nil {
				chunk[i].env = b.Envelope
			}
		}
	}
	return f, nil
}

// listNew returns the mails after UID last, in UID order, with what the
// bot needs to know before downloading them.
func (ib *Inbox) listNew(s *session, last uint32) ([]meta, error) {
	var all imap.UIDSet
	all.AddRange(imap.UID(last+1), 0)
	// The envelope is what the server takes longest to produce: it is
	// listed here only for a shared inbox, which chooses by it, and
	// fetched later for the few mails too large to download.
	// The arrival time is fetched with the mail itself: the server reads
	// it from the file while it reads the mail anyway.
	opts := &imap.FetchOptions{UID: true, RFC822Size: true, Envelope: ib.cfg.SharedInbox}
	var hdr *imap.FetchItemBodySection
	if ib.cfg.SharedInbox {
		hdr = &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"Delivered-To", "X-Original-To"}, Peek: true}
		opts.BodySection = []*imap.FetchItemBodySection{hdr}
	}
	msgs, err := s.c.Fetch(all, opts).Collect()
	if err != nil {
		return nil, fmt.Errorf("list new mail: %w", err)
	}
	var news []meta
	for _, m := range msgs {
		// UID n:* also returns the last mail when its UID is below n, so
		// the list is filtered here rather than trusted.
		if uint32(m.UID) <= last {
			continue
		}
		mt := meta{uid: m.UID, size: m.RFC822Size, env: m.Envelope}
		if hdr != nil {
			mt.deliveredTo = string(m.FindBodySection(hdr))
		}
		news = append(news, mt)
	}
	slices.SortFunc(news, func(a, b meta) int { return int(a.uid) - int(b.uid) })
	return news, nil
}

// wanted reports whether the bot takes the mail: always, except in a
// shared inbox, where it takes only mail to its own address (or a +tag of
// it) and mail whose subject is about registering or names an event.
func (ib *Inbox) wanted(m meta) bool {
	if !ib.cfg.SharedInbox {
		return true
	}
	if m.env != nil {
		for _, a := range slices.Concat(m.env.To, m.env.Cc) {
			if ib.isBotAddress(a.Mailbox, a.Host) {
				return true
			}
		}
	}
	for _, line := range strings.Split(m.deliveredTo, "\n") {
		_, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), "<>")
		local, domain, _ := strings.Cut(v, "@")
		if ib.isBotAddress(local, domain) {
			return true
		}
	}
	if m.env == nil {
		return false
	}
	return ib.decider().Takes(m.env.Subject)
}

// isBotAddress reports whether local@domain is the bot's address or a
// +tag of it, ignoring case.
func (ib *Inbox) isBotAddress(local, domain string) bool {
	cur := ib.cur.Load()
	if !strings.EqualFold(domain, cur.botDomain) {
		return false
	}
	local = strings.ToLower(local)
	return local == cur.botLocal || strings.HasPrefix(local, cur.botLocal+"+")
}

// recordChunk records one downloaded chunk of mail, with the checkpoint
// past it, in one transaction. A mail too large to download is recorded
// and left for a human on its own. It returns how many of the chunk's
// mails were handled already (too large, or met again).
func (ib *Inbox) recordChunk(ctx context.Context, validity uint32, f fetchedChunk) (int, error) {
	mbox := ib.cfg.Mailbox
	handled := 0
	var batch []store.MailRecord
	var ins []Incoming
	var last uint32
	flush := func() error {
		if len(batch) == 0 && last == 0 {
			return nil
		}
		sts, err := ib.store.RecordMails(ctx, mbox, validity, last, batch)
		if err != nil {
			// Nothing of the batch is recorded and the checkpoint did not
			// move: the same mail is fetched again on the next attempt.
			return &errHandle{fmt.Errorf("record mail: %w", err)}
		}
		for i, st := range sts {
			if st.Done {
				// Met again (a UIDVALIDITY change, a copy back into the
				// inbox): it was answered before and is only marked.
				handled++
				ib.decider().Met(ins[i], st.ID, batch[i].Key, Outcome(st.Outcome))
				ib.Metrics.Handled(st.Outcome)
			}
		}
		if ib.Recorded != nil && len(batch) > 0 {
			ib.Recorded(len(batch))
		}
		batch, ins, last = nil, nil, 0
		return nil
	}
	for _, m := range f.chunk {
		if err := ctx.Err(); err != nil {
			return handled, err
		}
		if !ib.wanted(m) {
			// Mail left alone in a shared inbox is passed for good.
			last = uint32(m.uid)
			continue
		}
		in := Incoming{Mailbox: mbox, UIDValidity: validity, UID: uint32(m.uid), Arrived: m.arrived}
		if in.Arrived.IsZero() {
			// A server that gave no INTERNALDATE: the mail arrived no
			// later than now, which is the fairest time to judge it by.
			in.Arrived = ib.decider().Now()
		}
		if m.size > ib.cfg.MaxMessageBytes {
			// Recorded in a transaction of its own, after the mail before it.
			if err := flush(); err != nil {
				return handled, err
			}
			outcome, err := ib.decider().TooLarge(ctx, in, m.size, ib.cfg.MaxMessageBytes, envelope(m.env), ib.humanPlace())
			if err != nil {
				if ctx.Err() != nil {
					return handled, ctx.Err()
				}
				return handled, &errHandle{fmt.Errorf("record large mail uid %d: %w", m.uid, err)}
			}
			handled++
			ib.Metrics.Handled(string(outcome))
			continue
		}
		raw, ok := f.bodies[m.uid]
		if !ok {
			// Expunged by someone else between the two fetches.
			ib.log.Info("mail vanished before it could be read", slog.Any("uid", m.uid))
			last = uint32(m.uid)
			continue
		}
		in.Raw = raw
		batch = append(batch, store.MailRecord{Key: message.MailKey(raw), Mailbox: in.Mailbox,
			UIDValidity: in.UIDValidity, UID: in.UID, Received: in.Arrived, Raw: in.Raw})
		ins = append(ins, in)
		last = uint32(m.uid)
	}
	return handled, flush()
}

// decideBatch is how many recorded mails are listed, decided and then
// marked in IMAP at a time.
const decideBatch = 200

// decidePending decides every recorded mail that is not yet decided, in
// the order it was recorded, and marks it in IMAP. It calls decided (when
// set) after each batch of decisions. It stops at the first mail whose
// decision fails (returning an *errHandle), so that no mail is decided
// before one that arrived earlier; after maxAttempts failures that mail
// is left for a human and the rest go on.
func (ib *Inbox) decidePending(ctx context.Context, s *session, decided func()) (int, error) {
	handled := 0
	for !s.stopping() {
		pending, err := ib.store.UndecidedMails(ctx, decideBatch)
		if err != nil {
			return handled, &errHandle{fmt.Errorf("list undecided mail: %w", err)}
		}
		if len(pending) == 0 {
			break
		}
		n, err := ib.decideList(ctx, s, pending)
		handled += n
		if n > 0 && decided != nil {
			decided()
		}
		if merr := ib.markPending(ctx, s); merr != nil {
			if err == nil {
				return handled, merr
			}
			ib.log.Warn("could not mark handled mail; will retry", slog.String("error", merr.Error()))
		}
		if err != nil {
			return handled, err
		}
	}
	return handled, nil
}

// decideTxn bounds how many mails are decided in one transaction, and
// decideTxnBytes the bytes of those mails held at once: one transaction
// for a run of mails instead of one each halves the database's share of
// a drain, while a single mail is still decided (and answered) the moment
// it is recorded.
const (
	decideTxn      = 16
	decideTxnBytes = 4 << 20
)

// decideList decides the listed mails in order, a few to a transaction,
// stopping at a failure or when the daemon stops taking mail.
func (ib *Inbox) decideList(ctx context.Context, s *session, pending []store.Undecided) (int, error) {
	handled := 0
	// The pace's wait ends when the daemon stops taking mail, too.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-pctx.Done():
		}
	}()
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return handled, err
		}
		if s.stopping() {
			// The rest stays recorded and is decided on the next start.
			return handled, nil
		}
		most := decideTxn
		if ib.Pace != nil {
			room, err := ib.Pace(pctx)
			most = max(1, min(most, room))
			if err != nil {
				if ctx.Err() != nil {
					return handled, ctx.Err()
				}
				if s.stopping() {
					return handled, nil
				}
				return handled, &errHandle{fmt.Errorf("wait for the outbox: %w", err)}
			}
		}
		// The run of mails to decide together, up to the first that
		// cannot be read from the store or that BeforeDecide fails.
		var batch []Recorded
		var bad *Recorded
		var cause error
		size := 0
		for _, p := range pending {
			if len(batch) == most || (len(batch) > 0 && (size >= decideTxnBytes || s.stopping())) {
				// When the daemon stops taking mail, the mails in hand
				// are decided and no more are begun.
				break
			}
			r := Recorded{In: Incoming{Mailbox: p.Mailbox, UIDValidity: p.UIDValidity, UID: p.UID, Arrived: p.Received}, MailID: p.ID, Key: p.Key}
			raw, err := ib.store.MailRaw(ctx, p.ID)
			r.In.Raw = raw
			if err == nil && ib.BeforeDecide != nil {
				err = ib.BeforeDecide(r.In)
			}
			if err != nil {
				bad, cause = &r, err
				break
			}
			batch = append(batch, r)
			size += len(raw)
		}
		var outcomes []Outcome
		if len(batch) > 0 {
			outcomes, cause = ib.decider().DecideAll(ctx, batch)
			if cause != nil {
				bad = &batch[len(outcomes)]
			}
		}
		for _, o := range outcomes {
			handled++
			ib.Metrics.Handled(string(o))
		}
		pending = pending[len(outcomes):]
		if bad == nil {
			continue
		}
		if ctx.Err() != nil {
			return handled, ctx.Err()
		}
		giveUp, ferr := ib.failed(ctx, bad.In, bad.MailID, bad.Key, EnvelopeOf(bad.In.Raw), cause)
		if ferr != nil {
			return handled, &errHandle{ferr}
		}
		if !giveUp {
			return handled, &errHandle{fmt.Errorf("handle mail uid %d: %w", bad.In.UID, cause)}
		}
		handled++
		ib.Metrics.Handled(string(OutcomeFailed))
		pending = pending[1:]
	}
	return handled, nil
}

// humanPlace says, for the organisers' notice, where mail for a human is.
func (ib *Inbox) humanPlace() string {
	if ib.cfg.ManualMailbox != "" {
		return ib.cfg.ManualMailbox
	}
	return ib.cfg.Mailbox
}

// failed records a failed attempt. After maxAttempts it gives the mail up
// to a human: records that and tells the organisers. It reports whether
// the mail was given up.
func (ib *Inbox) failed(ctx context.Context, in Incoming, mailID int64, key string, env *Envelope, cause error) (bool, error) {
	n, err := ib.store.FailMail(ctx, mailID, cause.Error())
	if err != nil {
		return false, fmt.Errorf("record failure: %w", err)
	}
	ib.log.Error("mail could not be handled", slog.Int64("mail", mailID), slog.Any("uid", in.UID),
		slog.Int("attempt", n), slog.String("error", cause.Error()))
	if n < maxAttempts {
		return false, nil
	}
	if err := ib.decider().GiveUp(ctx, in, mailID, key, n, cause, env, ib.humanPlace()); err != nil {
		return false, err
	}
	return true, nil
}

// markPending marks mail that was decided but not yet marked, and every
// other copy of it in the mailbox (the same mail delivered twice) like it.
func (ib *Inbox) markPending(ctx context.Context, s *session) error {
	refs, err := ib.store.PendingIMAP(ctx, ib.cfg.Mailbox)
	if err != nil {
		return fmt.Errorf("list unmarked mail: %w", err)
	}
	var done, manual []imap.UID
	var ids []int64
	for _, r := range refs {
		if r.UIDValidity != s.validity {
			// The position is stale; the mail will be met again under
			// its new UID and deduplicated then.
			continue
		}
		if Outcome(r.Outcome).ForHuman() {
			manual = append(manual, imap.UID(r.UID))
		} else {
			done = append(done, imap.UID(r.UID))
		}
		if !r.Copy {
			// Marking the mail records its copies as marked too.
			ids = append(ids, r.ID)
		}
	}
	return ib.mark(ctx, s, done, manual, ids)
}

// mark flags handled mail and moves it to the processed mailbox when one
// is configured; mail for a human is flagged and moved to manual_mailbox
// when one is configured. It works on UID sets, one command per kind,
// because Dovecot re-syncs the folder on every command.
func (ib *Inbox) mark(ctx context.Context, s *session, done, manual []imap.UID, ids []int64) error {
	if len(manual) > 0 {
		set := imap.UIDSetNum(manual...)
		if err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
			Flags: []imap.Flag{imap.FlagFlagged, KeywordManual}}, nil).Close(); err != nil {
			return fmt.Errorf("flag mail for a human: %w", err)
		}
		if ib.cfg.ManualMailbox != "" {
			if err := ib.move(s, set, ib.cfg.ManualMailbox); err != nil {
				return err
			}
		}
	}
	if len(done) > 0 {
		set := imap.UIDSetNum(done...)
		if err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
			Flags: []imap.Flag{imap.FlagSeen, keywordDone}}, nil).Close(); err != nil {
			return fmt.Errorf("flag handled mail: %w", err)
		}
		if ib.cfg.ProcessedMailbox != "" {
			if err := ib.move(s, set, ib.cfg.ProcessedMailbox); err != nil {
				return err
			}
		}
	}
	if len(ids) > 0 {
		if err := ib.store.MarkIMAPDone(ctx, ids...); err != nil {
			return fmt.Errorf("record marked mail: %w", err)
		}
	}
	return nil
}

// errCannotMove says the server offers no safe way to move mail.
var errCannotMove = errors.New("server offers neither MOVE nor UIDPLUS")

// move moves set to dest, creating dest when missing. It never uses the
// library's MOVE fallback, which expunges even when the copy failed and
// whose plain EXPUNGE also removes other clients' deleted mail: without
// MOVE it copies, checks the copy, and expunges exactly set with UID
// EXPUNGE (UIDPLUS); without UIDPLUS either, the (already flagged) mail
// stays where it is.
func (ib *Inbox) move(s *session, set imap.UIDSet, dest string) error {
	c := s.c
	try := func() error {
		if s.caps.Has(imap.CapMove) {
			_, err := c.Move(set, dest).Wait()
			return err
		}
		if !s.caps.Has(imap.CapUIDPlus) {
			return errCannotMove
		}
		if _, err := c.Copy(set, dest).Wait(); err != nil {
			return err
		}
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
			return err
		}
		return c.UIDExpunge(set).Close()
	}
	err := try()
	var ierr *imap.Error
	if errors.As(err, &ierr) && (ierr.Code == imap.ResponseCodeTryCreate || ierr.Code == imap.ResponseCodeNonExistent) {
		if cerr := c.Create(dest, nil).Wait(); cerr != nil {
			return fmt.Errorf("create %s: %w", dest, cerr)
		}
		ib.log.Info("created a mailbox", slog.String("mailbox", dest))
		err = try()
	}
	if errors.Is(err, errCannotMove) {
		if !s.warnedMove {
			s.warnedMove = true
			ib.log.Warn("the server offers neither MOVE nor UIDPLUS: mail is flagged and stays where it is",
				slog.String("mailbox", ib.cfg.Mailbox), slog.String("not_moved_to", dest))
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("move to %s: %w", dest, err)
	}
	return nil
}
