package mailbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	imapPass, err := cfg.IMAP.Password()
	if err != nil {
		return nil, fmt.Errorf("imap password: %w", err)
	}
	var smtpPass string
	if cfg.SMTP.Username != "" {
		// A relay on the same machine may take mail without a login.
		if smtpPass, err = cfg.SMTP.Password(); err != nil {
			return nil, fmt.Errorf("smtp password: %w", err)
		}
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
	outbox := NewOutbox(cfg.SMTP, smtpPass, st, opts.Now, opts.Log)
	outbox.onFailed = bot.undeliverableNotice
	return &Daemon{
		cfg:    cfg,
		store:  st,
		bot:    bot,
		inbox:  NewInbox(cfg.IMAP, imapPass, bot, st, opts.Log),
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

// Run polls the inbox and delivers replies until ctx is cancelled. A
// server that is away is retried with growing pauses; Run never returns
// because of one. It returns nil when ctx ends.
func (d *Daemon) Run(ctx context.Context) error {
	interval := d.cfg.IMAP.PollInterval.Duration
	if interval <= 0 {
		interval = time.Minute
	}
	d.log.Info("anmalan running", slog.String("mailbox", d.cfg.IMAP.Mailbox), slog.String("imap", d.cfg.IMAP.Address),
		slog.String("smtp", d.cfg.SMTP.Address), slog.Duration("poll_interval", interval), slog.Int("events", len(d.cfg.Events)))
	failures := 0
	for {
		n, rep, err := d.RunOnce(ctx)
		if ctx.Err() != nil {
			d.log.Info("anmalan stopping")
			return nil
		}
		wait := interval
		if err != nil {
			failures++
			// Back off from a server that is away: 1 s, 2 s … up to the
			// poll interval, so a restart is noticed soon but not hammered.
			wait = min(time.Second<<min(failures-1, 16), interval)
			d.log.Warn("round failed; will retry", slog.Int("attempt", failures), slog.Duration("in", wait), slog.String("error", err.Error()))
		} else {
			if failures > 0 {
				d.log.Info("connected again", slog.Int("after_attempts", failures))
			}
			failures = 0
		}
		if n > 0 || rep != (DeliveryReport{}) {
			d.log.Info("round done", slog.Int("mails", n), slog.Int("sent", rep.Sent), slog.Int("retry", rep.Retry), slog.Int("failed", rep.Failed))
		}
		if next, ok, err := d.store.NextDue(ctx); err == nil && ok {
			if until := next.Sub(d.now()); until < wait {
				wait = max(until, time.Second)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			d.log.Info("anmalan stopping")
			return nil
		case <-t.C:
		}
	}
}
