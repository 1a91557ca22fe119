package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goteborgsregionen/anmalan/blobcache"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/dblock"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/mailbot"
	"github.com/goteborgsregionen/anmalan/metrics"
	"github.com/goteborgsregionen/anmalan/outbox"
	"github.com/goteborgsregionen/anmalan/store"
)

// Options are what a Daemon needs besides its config.
type Options struct {
	// Now is the clock. Production passes time.Now; tests and the demo
	// pass a clock of their own.
	Now func() time.Time
	Log *slog.Logger
	// Observe, when set, is told of every mail handled, after its
	// decision was committed: the demo prints it, tests inspect it.
	Observe func(intake.Incoming, mailbot.Result)
	// Idle, when set, is called by Run once whenever the daemon has been
	// quiet for IdleAfter after a busy spell (mail decided, or replies
	// delivered or put off): `anmalan run` gives the memory of a spell of
	// work back to the operating system there: between mails the daemon
	// needs little memory, and the Go runtime on its own returns what a
	// drain of thousands of mails took only slowly and in part. It runs
	// on a goroutine of its own, beside the inbox and the outbox.
	Idle func()
	// IdleAfter is how long the daemon must be quiet before Idle is
	// called; zero means DefaultIdleAfter.
	IdleAfter time.Duration
	// LookupTXT, when set, replaces DNS for the DKIM keys of
	// organiser_auth = "dkim" (WithLookupTXT): tests serve their own keys.
	LookupTXT func(domain string) ([]string, error)
	// Command is what the operator ran ("anmalan run", "anmalan run
	// --once"); it is written into the database's lock file, so that a
	// second process that is refused can say what holds the database.
	Command string
}

// DefaultIdleAfter is the quiet time after which Run calls Options.Idle:
// long enough that a stream of mails seconds apart counts as one spell,
// short enough that an idle daemon is small soon after its work is done.
const DefaultIdleAfter = 5 * time.Second

// Daemon is the whole bot: the inbox, the decisions, the outbox and the
// database. The end-to-end tests start it exactly as `anmalan run` does.
type Daemon struct {
	// cfg and bot are replaced together by Reload.
	cfg     atomic.Pointer[config.Config]
	bot     atomic.Pointer[mailbot.Bot]
	store   *store.Store
	inbox   *intake.Inbox
	outbox  *outbox.Outbox
	metrics *metrics.Metrics
	now     func() time.Time
	log     *slog.Logger
	// reloadMu keeps two reloads from interleaving.
	reloadMu sync.Mutex
	// httpAddr is the address /metrics and /healthz are served on, once
	// Run listens.
	httpAddr atomic.Pointer[string]
	// idle and idleAfter are Options.Idle and Options.IdleAfter.
	idle      func()
	idleAfter time.Duration
	// lock is the database's exclusive lock, held from Open to Close.
	lock *dblock.Lock
}

// ShutdownGrace is how long Run lets the mail in hand and an SMTP
// transaction in flight finish after its context ends, before it closes
// the connections. With the database closed after it, the daemon exits
// well within the 10 s that the systemd unit's stop timeout allows.
const ShutdownGrace = 7 * time.Second

// Open takes the database's exclusive lock, opens the database, brings
// the events up to date with the config and prepares the inbox and the
// outbox. Only one Daemon (in any process) can have a database open: a
// second Open fails with the *dblock.LockedError that names the holder.
// It also fails when a secret, a material file, a template or the
// database cannot be read.
func Open(ctx context.Context, cfg *config.Config, opts Options) (*Daemon, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.IdleAfter <= 0 {
		opts.IdleAfter = DefaultIdleAfter
	}
	if opts.Command == "" {
		opts.Command = "anmalan run"
	}
	lock, err := dblock.TakeLock(cfg.Database, opts.Now(), opts.Command)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		lock.Close()
		return nil, err
	}
	fail := func(err error) (*Daemon, error) {
		st.Close()
		lock.Close()
		return nil, err
	}
	// The lock is ours, so a claim still held on the outbox is one of a
	// process that died: its mail is due again at once rather than after
	// the lease.
	if n, err := st.ReleaseClaims(ctx, ""); err != nil {
		return fail(err)
	} else if n > 0 {
		opts.Log.Info("released the outbox claims of an earlier process", slog.Int("replies", n))
	}
	// One cache of the material's base64 for the composer and the
	// outbox: a file is encoded once and held once.
	material := blobcache.New(blobcache.Max)
	botOpts := []mailbot.Option{mailbot.WithMaterialCache(material)}
	if opts.LookupTXT != nil {
		botOpts = append(botOpts, mailbot.WithLookupTXT(opts.LookupTXT))
	}
	if opts.Observe != nil {
		botOpts = append(botOpts, mailbot.WithObserver(opts.Observe))
	}
	bot, err := mailbot.NewBot(cfg, st, opts.Now, opts.Log, botOpts...)
	if err != nil {
		return fail(err)
	}
	if err := bot.SyncEvents(ctx); err != nil {
		return fail(err)
	}
	inbox, err := intake.New(cfg.IMAP, bot.Decider(), st, opts.Log)
	if err != nil {
		return fail(err)
	}
	ob, err := outbox.New(cfg.SMTP, st, opts.Now, opts.Log)
	if err != nil {
		return fail(err)
	}
	ob.UseCache(material)
	d := &Daemon{
		store:     st,
		lock:      lock,
		inbox:     inbox,
		outbox:    ob,
		metrics:   metrics.New(st, opts.Now, opts.Log),
		now:       opts.Now,
		log:       opts.Log,
		idle:      opts.Idle,
		idleAfter: opts.IdleAfter,
	}
	d.cfg.Store(cfg)
	d.bot.Store(bot)
	ob.OnFailed = bot.UndeliverableNotice
	inbox.Metrics, ob.Metrics = d.metrics, d.metrics
	return d, nil
}

// Store returns the daemon's database.
func (d *Daemon) Store() *store.Store { return d.store }

// Bot returns the daemon's decision maker (the one of the latest config).
func (d *Daemon) Bot() *mailbot.Bot { return d.bot.Load() }

// Inbox returns the daemon's intake. Tests and benchmarks set its hooks
// (BeforeDecide, Recorded) and poll it without delivering.
func (d *Daemon) Inbox() *intake.Inbox { return d.inbox }

// Config returns the config in use (the latest that Reload accepted).
func (d *Daemon) Config() *config.Config { return d.cfg.Load() }

// HTTPAddr returns the address that /metrics and /healthz are served on,
// or "" when [http] listen is not set or Run has not started listening.
func (d *Daemon) HTTPAddr() string {
	if a := d.httpAddr.Load(); a != nil {
		return *a
	}
	return ""
}

// Reload reads the config file at path again and, when it is valid, puts
// its events, organisers, organisations, material (read again), time
// zone and language in force: the events are synced to the database and the next mail is
// decided by a bot of the new config (the mail in hand is finished by the
// old one). An invalid config, unreadable material or a database error
// refuses the reload: the reason is logged and returned, and the old
// config stays in force. Changes to [imap], [smtp], [http] and database
// take effect only at a restart (the connections stay up); Reload logs
// which sections changed and keeps their old values.
func (d *Daemon) Reload(ctx context.Context, path string) error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	refuse := func(err error) error {
		d.log.Error("config reload refused; the running config stays in force",
			slog.String("file", path), slog.String("reason", err.Error()))
		return err
	}
	cfg, err := config.LoadConfig(path)
	if err != nil {
		return refuse(err)
	}
	old := d.cfg.Load()
	var restart []string
	if !reflect.DeepEqual(cfg.IMAP, old.IMAP) {
		restart = append(restart, "[imap]")
		cfg.IMAP = old.IMAP
	}
	if !reflect.DeepEqual(cfg.SMTP, old.SMTP) {
		restart = append(restart, "[smtp]")
		cfg.SMTP = old.SMTP
	}
	if cfg.HTTP != old.HTTP {
		restart = append(restart, "[http]")
		cfg.HTTP = old.HTTP
	}
	if cfg.Database != old.Database {
		restart = append(restart, "database")
		cfg.Database = old.Database
	}
	oldBot := d.bot.Load()
	bot, err := mailbot.NewBot(cfg, d.store, d.now, d.log, oldBot.Options()...)
	if err != nil {
		return refuse(err)
	}
	if err := bot.SyncEvents(ctx); err != nil {
		return refuse(err)
	}
	d.cfg.Store(cfg)
	d.bot.Store(bot)
	d.inbox.SetDecider(bot.Decider())
	for _, w := range cfg.Warnings() {
		d.log.Warn("config", slog.String("warning", w))
	}
	ids := make([]string, 0, len(cfg.Events))
	for _, ev := range cfg.Events {
		ids = append(ids, ev.ID)
	}
	d.log.Info("config reloaded", slog.String("file", path), slog.String("events", strings.Join(ids, ",")),
		slog.Int("organisers", len(cfg.Organisers.Addresses)))
	if len(restart) > 0 {
		d.log.Warn("config reload: these sections changed but take effect only after a restart (systemctl restart anmalan); the old values stay in use",
			slog.String("sections", strings.Join(restart, " ")))
	}
	return nil
}

// Close closes the database, after a reload in progress has finished,
// and then releases the database's lock.
func (d *Daemon) Close() error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	err := d.store.Close()
	return errors.Join(err, d.lock.Close())
}

// RunOnce handles what is in the inbox and delivers the replies that are
// due, and compacts the database when replies were sent. It returns how many mails were handled and what delivery did; an
// error from the inbox is returned after the outbox has had its turn, so
// replies already decided still leave.
func (d *Daemon) RunOnce(ctx context.Context) (int, outbox.DeliveryReport, error) {
	n, inErr := d.inbox.PollOnce(ctx)
	// Offers of seats whose deadline passed go to the next in line; their
	// mails then leave with the rest.
	_, tickErr := d.Bot().Tick(ctx)
	rep, outErr := d.outbox.DeliverDue(ctx)
	if rep.Sent > 0 {
		d.compact(ctx)
	}
	return n, rep, errors.Join(inErr, tickErr, outErr)
}

// Run handles mail as it arrives and delivers replies until ctx is
// cancelled. The inbox keeps one connection, with IDLE where the server
// offers it (polling every poll_interval otherwise), and reconnects with
// backoff whenever it is lost; the outbox is delivered by a goroutine of
// its own, at once after new decisions and whenever a retry falls due.
// Run never returns because a server went away.
//
// When ctx ends Run stops taking mail: the mail in hand is decided and
// marked, the SMTP transaction in flight is completed and recorded, and
// nothing new is begun; after ShutdownGrace the connections are closed
// regardless (a mail cut short that way was not committed and is handled
// again at the next start; a reply cut short stays in the outbox). Run
// then returns nil. It fails only when [http] listen cannot be listened on.
func (d *Daemon) Run(ctx context.Context) error {
	cfg := d.cfg.Load()
	// work outlives ctx by the grace period: the store transactions and
	// the connections use it, so that ending ctx interrupts nothing.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	var grace atomic.Pointer[time.Timer]
	stopWatch := context.AfterFunc(ctx, func() {
		d.log.Info("anmalan stopping: finishing the mail in hand", slog.Duration("grace", ShutdownGrace))
		grace.Store(time.AfterFunc(ShutdownGrace, cancelWork))
	})
	defer func() {
		stopWatch()
		if t := grace.Load(); t != nil {
			t.Stop()
		}
	}()

	var wg sync.WaitGroup
	if cfg.HTTP.Listen != "" {
		srv, err := d.serveHTTP(cfg.HTTP.Listen, &wg)
		if err != nil {
			return err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
			wg.Wait()
		}()
	}
	d.log.Info("anmalan running", slog.String("mailbox", cfg.IMAP.Mailbox), slog.String("imap", cfg.IMAP.Address),
		slog.String("smtp", cfg.SMTP.Address), slog.Duration("poll_interval", cfg.IMAP.PollInterval.Duration),
		slog.Duration("idle_restart", cfg.IMAP.IdleRestart.Duration), slog.Int("events", len(cfg.Events)),
		slog.String("http", d.HTTPAddr()))
	kick := make(chan struct{}, 1)
	// busy is signalled whenever mail was decided or delivery did
	// something; the idle loop calls Options.Idle after a quiet spell.
	busy := make(chan struct{}, 1)
	worked := func() {
		select {
		case busy <- struct{}{}:
		default:
		}
	}
	// The decisions compose no further ahead of the sending than the
	// outbox's bound; while they wait, the delivery is kicked.
	d.inbox.Pace = func(ctx context.Context) (int, error) {
		return d.outbox.WaitRoom(ctx, func() {
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	}
	var loops sync.WaitGroup
	loops.Go(func() { d.idleLoop(ctx, busy) })
	loops.Go(func() { d.deliverLoop(ctx, work, kick, worked) })
	d.inbox.Run(ctx, work, func() {
		select {
		case kick <- struct{}{}:
		default:
		}
		worked()
	})
	loops.Wait()
	d.log.Info("anmalan stopped")
	return nil
}

// serveHTTP listens on addr and serves Handler until the returned server
// is shut down; wg is done when serving has ended.
func (d *Daemon) serveHTTP(addr string, wg *sync.WaitGroup) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http listen: %w", err)
	}
	a := ln.Addr().String()
	d.httpAddr.Store(&a)
	srv := &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(d.log.Handler(), slog.LevelWarn)}
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("http server failed", slog.String("error", err.Error()))
		}
	})
	d.log.Info("serving /metrics and /healthz", slog.String("address", a))
	return srv, nil
}

// idleLoop, whenever nothing has been signalled on busy for d.idleAfter
// since the last signal, compacts the database (the pages of the sent
// replies' bytes go back to the file system) and then calls d.idle when
// set, until stop ends. A daemon that has nothing to do is not woken: the
// timer runs only after work.
func (d *Daemon) idleLoop(stop context.Context, busy <-chan struct{}) {
	t := time.NewTimer(d.idleAfter)
	t.Stop()
	defer t.Stop()
	for {
		select {
		case <-stop.Done():
			return
		case <-busy:
			t.Reset(d.idleAfter)
		case <-t.C:
			d.compact(stop)
			if d.idle != nil {
				d.idle()
			}
		}
	}
}

// compact gives the database's free pages back to the file system,
// logging what it freed; a failure is logged and changes nothing.
func (d *Daemon) compact(ctx context.Context) {
	c, err := d.store.Compact(ctx)
	switch {
	case err != nil:
		d.log.Warn("database compaction failed", slog.String("error", err.Error()))
	case c.FreedPages > 0:
		d.log.Info("database compacted", slog.Int("freed_pages", c.FreedPages), slog.Int64("bytes", c.FileBytes))
	}
}

// deliverLoop delivers the outbox now, whenever kick is signalled, and
// when the next retry falls due, until stop ends. Each round also lets the
// bot's timers run (offers of seats whose deadline passed, reminders,
// material updates, the digest), after the replies that were due, and
// delivers what they decide in the same round; the rounds are at most a
// minute apart. The work itself uses ctx, so that the SMTP transaction in
// flight when stop ends is completed and recorded. worked is called after
// a round that sent, put off or gave up a reply.
func (d *Daemon) deliverLoop(stop, ctx context.Context, kick <-chan struct{}, worked func()) {
	for {
		if stop.Err() != nil {
			return
		}
		// The replies that are due leave first and the timers run after
		// them: the timers read every registration of every event (for
		// material updates), which took 300 ms a round with 10,000
		// registrations, and a reply just decided must not wait for that.
		rep, err := d.outbox.DeliverUntil(ctx, stop.Done())
		if stop.Err() != nil {
			return
		}
		if n, err := d.Bot().Tick(ctx); err != nil {
			d.log.Error("timers failed", slog.String("error", err.Error()))
		} else if n > 0 {
			d.log.Info("offers expired", slog.Int("count", n))
		}
		if err == nil {
			// What the timers queued leaves in the same round; with
			// nothing due this is one indexed query.
			var more outbox.DeliveryReport
			more, err = d.outbox.DeliverUntil(ctx, stop.Done())
			rep = outbox.DeliveryReport{Sent: rep.Sent + more.Sent, Retry: rep.Retry + more.Retry, Failed: rep.Failed + more.Failed}
			if stop.Err() != nil {
				return
			}
		}
		// Without anything due, look again now and then anyway: the
		// clock may be moved (tests, the demo) or the database changed
		// by another process.
		wait := time.Minute
		if err != nil {
			d.log.Error("outbox delivery failed", slog.String("error", err.Error()))
		} else if rep != (outbox.DeliveryReport{}) {
			d.log.Info("outbox delivered", slog.Int("sent", rep.Sent), slog.Int("retry", rep.Retry), slog.Int("failed", rep.Failed))
		}
		if rep != (outbox.DeliveryReport{}) {
			worked()
		}
		if next, ok, err := d.store.NextDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(d.now()), time.Second))
		}
		if rep.Sent+rep.Retry+rep.Failed >= outbox.Batch {
			// A full batch: there may be more due right now.
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-stop.Done():
			t.Stop()
			return
		case <-kick:
		case <-t.C:
		}
		t.Stop()
	}
}
