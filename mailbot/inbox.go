package mailbot

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/goteborgsregionen/anmalan/store"
)

// Keywords the bot sets on the mail it has handled. They let a person in
// a shared mail client see at a glance what the bot did.
const (
	keywordDone   imap.Flag = "$Anmalan"
	keywordManual imap.Flag = "$AnmalanManual"
)

const (
	// fetchChunk is how many mails are downloaded per FETCH; it bounds
	// memory while keeping round trips few.
	fetchChunk = 50
	// maxAttempts is how often a mail may fail before it is left for a human.
	maxAttempts = 3
	// defaultMaxMessageBytes is the size above which a mail is not
	// downloaded whole but flagged for a human.
	defaultMaxMessageBytes = 25 << 20
)

// Inbox reads the bot's mailbox over IMAP.
type Inbox struct {
	cfg      IMAPConfig
	password string
	bot      *Bot
	store    *store.Store
	log      *slog.Logger
	maxBytes int64
}

// NewInbox returns an Inbox for cfg that hands every new mail to bot.
func NewInbox(cfg IMAPConfig, password string, bot *Bot, st *store.Store, log *slog.Logger) *Inbox {
	return &Inbox{cfg: cfg, password: password, bot: bot, store: st, log: log, maxBytes: defaultMaxMessageBytes}
}

// dial connects and logs in.
func (ib *Inbox) dial(ctx context.Context) (*imapclient.Client, error) {
	host, _, err := net.SplitHostPort(ib.cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("imap address: %w", err)
	}
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12},
		// Keep-alive finds a dead peer while the connection is quiet.
		Dialer: &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
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
	// A cancelled context closes the connection, which ends any command
	// in flight; the client has no per-command context.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	go func() { <-c.Closed(); stop() }()
	if err := c.Login(ib.cfg.Username, ib.password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("log in as %s: %w", ib.cfg.Username, err)
	}
	return c, nil
}

// PollOnce connects, handles every mail that arrived since the checkpoint,
// marks the handled mail in the mailbox and disconnects. It returns how
// many new mails were handled. A mail whose handling fails is retried at
// the next poll and left for a human after maxAttempts.
func (ib *Inbox) PollOnce(ctx context.Context) (int, error) {
	c, err := ib.dial(ctx)
	if err != nil {
		return 0, err
	}
	defer func() {
		_ = c.Logout().Wait()
		c.Close()
	}()
	return ib.drain(ctx, c)
}

func (ib *Inbox) drain(ctx context.Context, c *imapclient.Client) (int, error) {
	mbox := ib.cfg.Mailbox
	sel, err := c.Select(mbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("select %s: %w", mbox, err)
	}
	// Finish marking mail whose decision was committed before a crash or
	// a dropped connection kept it from being marked.
	if err := ib.markPending(ctx, c, sel.UIDValidity); err != nil {
		return 0, err
	}
	validity, last, err := ib.store.Checkpoint(ctx, mbox)
	if err != nil {
		return 0, fmt.Errorf("read checkpoint: %w", err)
	}
	if validity != 0 && validity != sel.UIDValidity {
		// The server renumbered the mailbox: read it again from the
		// start; Message-ID dedupe keeps handled mail from being answered
		// twice.
		ib.log.Warn("mailbox UIDVALIDITY changed; reading it again from the start",
			slog.String("mailbox", mbox), slog.Any("old", validity), slog.Any("new", sel.UIDValidity))
		last = 0
	}
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && uint32(sel.UIDNext) <= last+1) {
		return 0, nil
	}
	// UID n:* also returns the last mail when its UID is below n, so the
	// list is filtered here rather than trusted.
	var all imap.UIDSet
	all.AddRange(imap.UID(last+1), 0)
	metas, err := c.Fetch(all, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect()
	if err != nil {
		return 0, fmt.Errorf("list new mail: %w", err)
	}
	type meta struct {
		uid     imap.UID
		size    int64
		arrived time.Time
	}
	var news []meta
	for _, m := range metas {
		if uint32(m.UID) > last {
			news = append(news, meta{m.UID, m.RFC822Size, m.InternalDate})
		}
	}
	slices.SortFunc(news, func(a, b meta) int { return int(a.uid) - int(b.uid) })

	handled := 0
	for start := 0; start < len(news); start += fetchChunk {
		chunk := news[start:min(start+fetchChunk, len(news))]
		var want imap.UIDSet
		for _, m := range chunk {
			if m.size <= ib.maxBytes {
				want.AddNum(m.uid)
			}
		}
		bodies := map[imap.UID][]byte{}
		if len(want) > 0 { // An empty UID set would kill the connection.
			section := &imap.FetchItemBodySection{Peek: true}
			bufs, err := c.Fetch(want, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			if err != nil {
				return handled, fmt.Errorf("fetch mail: %w", err)
			}
			for _, b := range bufs {
				bodies[b.UID] = b.FindBodySection(section)
			}
		}
		var done, manual []imap.UID
		var doneIDs []int64
		for _, m := range chunk {
			if err := ctx.Err(); err != nil {
				return handled, err
			}
			in := Incoming{Mailbox: mbox, UIDValidity: sel.UIDValidity, UID: uint32(m.uid), Arrived: m.arrived}
			var res Result
			if m.size > ib.maxBytes {
				res, err = ib.bot.HandleTooLarge(ctx, in, m.size)
			} else {
				raw, ok := bodies[m.uid]
				if !ok {
					// Expunged by someone else between the two fetches.
					ib.log.Info("mail vanished before it could be read", slog.Any("uid", m.uid))
					if err := ib.store.SetCheckpoint(ctx, mbox, sel.UIDValidity, uint32(m.uid)); err != nil {
						return handled, fmt.Errorf("advance checkpoint: %w", err)
					}
					continue
				}
				in.Raw = raw
				res, err = ib.bot.Handle(ctx, in)
			}
			if err != nil {
				if ctx.Err() != nil {
					return handled, ctx.Err()
				}
				giveUp, ferr := ib.failed(ctx, in, res.MailID, err)
				if ferr != nil {
					return handled, ferr
				}
				if !giveUp {
					// Stop here: the checkpoint must not pass a mail
					// that is still to be retried.
					ib.markQuietly(ctx, c, done, manual, doneIDs)
					return handled, fmt.Errorf("handle mail uid %d: %w", m.uid, err)
				}
				res.Outcome = OutcomeManual
			}
			handled++
			ib.bot.logResult(in, res)
			if res.MailID == 0 {
				continue
			}
			if needsHuman(res.Outcome) {
				manual = append(manual, m.uid)
			} else {
				done = append(done, m.uid)
			}
			doneIDs = append(doneIDs, res.MailID)
		}
		if err := ib.mark(ctx, c, done, manual, doneIDs); err != nil {
			return handled, err
		}
	}
	return handled, nil
}

// failed records a failed attempt. After maxAttempts it gives the mail up
// to a human, records that and moves the checkpoint past it.
func (ib *Inbox) failed(ctx context.Context, in Incoming, mailID int64, cause error) (bool, error) {
	if mailID == 0 {
		// The mail could not even be recorded (the database is away):
		// nothing to count, try again later.
		return false, nil
	}
	n, err := ib.store.FailMail(ctx, mailID, cause.Error())
	if err != nil {
		return false, fmt.Errorf("record failure: %w", err)
	}
	ib.log.Error("mail could not be handled", slog.Int64("mail", mailID), slog.Any("uid", in.UID),
		slog.Int("attempt", n), slog.String("error", cause.Error()))
	if n < maxAttempts {
		return false, nil
	}
	err = ib.store.Update(ctx, func(tx *store.Tx) error {
		if err := tx.FinishMail(mailID, OutcomeManual, "failed "+fmt.Sprint(n)+" times: "+cause.Error(), ib.bot.now()); err != nil {
			return err
		}
		return tx.SetCheckpoint(in.Mailbox, in.UIDValidity, in.UID)
	})
	if err != nil {
		return false, fmt.Errorf("give mail up to a human: %w", err)
	}
	return true, nil
}

// markPending marks mail that was decided but not yet marked.
func (ib *Inbox) markPending(ctx context.Context, c *imapclient.Client, validity uint32) error {
	refs, err := ib.store.PendingIMAP(ctx, ib.cfg.Mailbox)
	if err != nil {
		return fmt.Errorf("list unmarked mail: %w", err)
	}
	var done, manual []imap.UID
	var ids []int64
	for _, r := range refs {
		if r.UIDValidity != validity {
			// The position is stale; the mail will be met again under
			// its new UID and deduplicated then.
			continue
		}
		if needsHuman(r.Outcome) {
			manual = append(manual, imap.UID(r.UID))
		} else {
			done = append(done, imap.UID(r.UID))
		}
		ids = append(ids, r.ID)
	}
	return ib.mark(ctx, c, done, manual, ids)
}

func (ib *Inbox) markQuietly(ctx context.Context, c *imapclient.Client, done, manual []imap.UID, ids []int64) {
	if err := ib.mark(ctx, c, done, manual, ids); err != nil {
		ib.log.Warn("could not mark handled mail; will retry", slog.String("error", err.Error()))
	}
}

// mark flags handled mail, and moves it to the processed mailbox when one
// is configured; mail for a human is flagged and stays where it is. It
// works on UID sets, one command per kind, because Dovecot re-syncs the
// folder on every command.
func (ib *Inbox) mark(ctx context.Context, c *imapclient.Client, done, manual []imap.UID, ids []int64) error {
	if len(manual) > 0 {
		set := imap.UIDSetNum(manual...)
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
			Flags: []imap.Flag{imap.FlagFlagged, keywordManual}}, nil).Close(); err != nil {
			return fmt.Errorf("flag mail for a human: %w", err)
		}
	}
	if len(done) > 0 {
		set := imap.UIDSetNum(done...)
		if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
			Flags: []imap.Flag{imap.FlagSeen, keywordDone}}, nil).Close(); err != nil {
			return fmt.Errorf("flag handled mail: %w", err)
		}
		if ib.cfg.ProcessedMailbox != "" {
			if err := ib.move(c, set); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		if err := ib.store.MarkIMAPDone(ctx, id); err != nil {
			return fmt.Errorf("record marked mail: %w", err)
		}
	}
	return nil
}

// move moves set to the processed mailbox, creating it when missing. It
// never uses the library's MOVE fallback, which expunges even when the
// copy failed: without MOVE it copies, checks, and expunges exactly set
// with UIDPLUS, or leaves the (already flagged) mail in place.
func (ib *Inbox) move(c *imapclient.Client, set imap.UIDSet) error {
	dest := ib.cfg.ProcessedMailbox
	caps := c.Caps()
	try := func() error {
		if caps.Has(imap.CapMove) {
			_, err := c.Move(set, dest).Wait()
			return err
		}
		if _, err := c.Copy(set, dest).Wait(); err != nil {
			return err
		}
		if caps.Has(imap.CapUIDPlus) {
			return c.UIDExpunge(set).Close()
		}
		return nil
	}
	err := try()
	var ierr *imap.Error
	if errors.As(err, &ierr) && (ierr.Code == imap.ResponseCodeTryCreate || ierr.Code == imap.ResponseCodeNonExistent) {
		if cerr := c.Create(dest, nil).Wait(); cerr != nil {
			return fmt.Errorf("create %s: %w", dest, cerr)
		}
		ib.log.Info("created the processed mailbox", slog.String("mailbox", dest))
		err = try()
	}
	if err != nil {
		return fmt.Errorf("move to %s: %w", dest, err)
	}
	return nil
}
