package mailbot

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

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
	Observe func(Incoming, Result)
}

// Daemon is the whole bot: the inbox, the decisions, the outbox and the
// database. The end-to-end tests start it exactly as `anmalan run` does.
type Daemon struct {
	cfg    *Config
	store  *store.Store
	bot    *Bot
	inbox  *Inbox
	outbox *Outbox
	now    func() time.Time
	log    *slog.Logger
}

// Open opens the database, brings the events up to date with the config
// and prepares the inbox and the outbox. It fails when a secret, a
// material file, a template or the database cannot be read.
func Open(ctx context.Context, cfg *Config, opts Options) (*Daemon, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	bot, err := NewBot(cfg, st, opts.Now, opts.Log)
	if err != nil {
		st.Close()
		return nil, err
	}
	bot.observe = opts.Observe
	if err := bot.SyncEvents(ctx); err != nil {
		st.Close()
		return nil, err
	}
	inbox, err := NewInbox(cfg.IMAP, bot, st, opts.Log)
	if err != nil {
		st.Close()
		return nil, err
	}
	outbox, err := NewOutbox(cfg.SMTP, st, opts.Now, opts.Log)
	if err != nil {
		st.Close()
		return nil, err
	}
	outbox.onFailed = bot.undeliverableNotice
	return &Daemon{
		cfg:    cfg,
		store:  st,
		bot:    bot,
		inbox:  inbox,
		outbox: outbox,
		now:    opts.Now,
		log:    opts.Log,
	}, nil
}

// Store returns the daemon's database.
func (d *Daemon) Store() *store.Store { return d.store }

// Bot returns the daemon's decision maker.
func (d *Daemon) Bot() *Bot { return d.bot }

// Close closes the database.
func (d *Daemon) Close() error { return d.store.Close() }

// RunOnce handles what is in the inbox and delivers the replies that are
// due. It returns how many mails were handled and what delivery did; an
// error from the inbox is returned after the outbox has had its turn, so
// replies already decided still leave.
func (d *Daemon) RunOnce(ctx context.Context) (int, DeliveryReport, error) {
	n, inErr := d.inbox.PollOnce(ctx)
	// Offers of seats whose deadline passed go to the next in line; their
	// mails then leave with the rest.
	_, tickErr := d.bot.Tick(ctx)
	rep, outErr := d.outbox.DeliverDue(ctx)
	return n, rep, errors.Join(inErr, tickErr, outErr)
}

// Run handles mail as it arrives and delivers replies until ctx is
// cancelled. The inbox keeps one connection, with IDLE where the server
// offers it (polling every poll_interval otherwise), and reconnects with
// backoff whenever it is lost; the outbox is delivered by a goroutine of
// its own, at once after new decisions and whenever a retry falls due.
// Run never returns because a server went away; it returns nil when ctx
// ends.
func (d *Daemon) Run(ctx context.Context) error {
	d.log.Info("anmalan running", slog.String("mailbox", d.cfg.IMAP.Mailbox), slog.String("imap", d.cfg.IMAP.Address),
		slog.String("smtp", d.cfg.SMTP.Address), slog.Duration("poll_interval", d.cfg.IMAP.PollInterval.Duration),
		slog.Duration("idle_restart", d.cfg.IMAP.IdleRestart.Duration), slog.Int("events", len(d.cfg.Events)))
	kick := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() { d.deliverLoop(ctx, kick) })
	d.inbox.Run(ctx, func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	})
	wg.Wait()
	d.log.Info("anmalan stopping")
	return nil
}

// deliverLoop delivers the outbox now, whenever kick is signalled, and
// when the next retry falls due, until ctx ends. Each round first lets the
// bot's timers run (offers of seats whose deadline passed), so that what
// they decide leaves in the same round; the rounds are at most a minute
// apart.
func (d *Daemon) deliverLoop(ctx context.Context, kick <-chan struct{}) {
	for {
		if n, err := d.bot.Tick(ctx); err != nil {
			d.log.Error("timers failed", slog.String("error", err.Error()))
		} else if n > 0 {
			d.log.Info("offers expired", slog.Int("count", n))
		}
		rep, err := d.outbox.DeliverDue(ctx)
		if ctx.Err() != nil {
			return
		}
		// Without anything due, look again now and then anyway: the
		// clock may be moved (tests, the demo) or the database changed
		// by another process.
		wait := time.Minute
		if err != nil {
			d.log.Error("outbox delivery failed", slog.String("error", err.Error()))
		} else if rep != (DeliveryReport{}) {
			d.log.Info("outbox delivered", slog.Int("sent", rep.Sent), slog.Int("retry", rep.Retry), slog.Int("failed", rep.Failed))
		}
		if next, ok, err := d.store.NextDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(d.now()), time.Second))
		}
		if rep.Sent+rep.Retry+rep.Failed >= deliverBatch {
			// A full batch: there may be more due right now.
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-kick:
		case <-t.C:
		}
		t.Stop()
	}
}
