package mailbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
	"github.com/goteborgsregionen/anmalan/understand"
)

// materialOf returns the event's material as loaded now.
func (b *Bot) materialOf(eventID string) []reply.Material { return b.library.Of(eventID) }

// materialFiles returns the versions of ms.
func materialFiles(ms []reply.Material) []store.MaterialFile {
	out := make([]store.MaterialFile, 0, len(ms))
	for _, m := range ms {
		out = append(out, store.MaterialFile{Name: m.Name, Hash: m.Hash})
	}
	return out
}

// materialBaseline takes, the first time an event's material is seen (a
// new database, or one from before material updates), the current files as
// what every confirmed participant already has.
func (b *Bot) materialBaseline(ctx context.Context) error {
	return b.store.Update(ctx, func(tx *store.Tx) error {
		for _, ev := range b.cfg.Events {
			if _, err := tx.MaterialBaseline(ev.ID, materialFiles(b.materialOf(ev.ID)), b.now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// scheduled does the bot's scheduled work: reminders, material updates,
// the organisers' digest and the erasure of personal data after the
// retention time. Each is recorded in the transaction that queues its
// mail, so that it happens once however often it runs and across restarts.
func (b *Bot) scheduled(ctx context.Context) error {
	var errs []error
	for i := range b.cfg.Events {
		ev := &b.cfg.Events[i]
		if err := b.remind(ctx, ev); err != nil {
			errs = append(errs, fmt.Errorf("reminders of %s: %w", ev.ID, err))
		}
		if _, err := b.SendMaterial(ctx, ev.ID, false); err != nil {
			errs = append(errs, fmt.Errorf("material of %s: %w", ev.ID, err))
		}
	}
	if err := b.digest(ctx); err != nil {
		errs = append(errs, fmt.Errorf("digest: %w", err))
	}
	if err := b.purge(ctx); err != nil {
		errs = append(errs, fmt.Errorf("erase: %w", err))
	}
	return errors.Join(errs...)
}

// remind sends the event's reminder to every confirmed participant who has
// not had it, once its time (reminder_days before the start) has come. A
// reminder found due after the event started (the daemon was down) is
// dropped and logged; someone who got their seat after the reminder was due
// needs none: their confirmation said it all.
func (b *Bot) remind(ctx context.Context, ev *config.EventConfig) error {
	if ev.Reminder <= 0 {
		return nil
	}
	now := b.now()
	due := ev.StartsAt.In(b.cfg.Location).AddDate(0, 0, -ev.Reminder)
	if now.Before(due) {
		return nil
	}
	var pending []store.Unreminded
	if err := b.store.Read(ctx, func(tx *store.Tx) error {
		var err error
		pending, err = tx.Unreminded(ev.ID)
		return err
	}); err != nil || len(pending) == 0 {
		return err
	}
	var sent, dropped int
	err := b.store.Update(ctx, func(tx *store.Tx) error {
		sent, dropped = 0, 0
		pending, err := tx.Unreminded(ev.ID)
		if err != nil {
			return err
		}
		for _, p := range pending {
			res := Result{}
			c := &change{tx: tx, res: &res}
			switch {
			case !p.OfferUntil.IsZero():
				// Offered, not yet accepted: the offer mail is what counts.
				continue
			case !now.Before(ev.StartsAt):
				if err := tx.RecordReminder(p.ID, store.ReminderDropped, now); err != nil {
					return err
				}
				dropped++
			case p.ConfirmedAt.After(due):
				if err := tx.RecordReminder(p.ID, store.ReminderSkipped, now); err != nil {
					return err
				}
			default:
				if err := b.notify(c, ev, p.Registration, reply.KindReminder, nil); err != nil {
					return err
				}
				if err := tx.RecordReminder(p.ID, store.ReminderSent, now); err != nil {
					return err
				}
				sent++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if sent > 0 {
		b.log.Info("reminders queued", slog.String("event", ev.ID), slog.Int("count", sent))
	}
	if dropped > 0 {
		b.log.Warn("reminders dropped: their time passed while the daemon was down and the event has started",
			slog.String("event", ev.ID), slog.Int("count", dropped))
	}
	return nil
}

// MaterialPlan is one participant who is to get (or got) new or changed
// material files.
type MaterialPlan struct {
	Name, Email string
	Files       []string
}

// SendMaterial sends the event's confirmed participants the material files
// (by content hash) they have not been sent, each once, and returns who
// gets what. With dryRun it changes nothing and only says who would. Nothing
// is sent once the event has started. It fails with an unknown event and
// when the database cannot be read or written.
func (b *Bot) SendMaterial(ctx context.Context, eventID string, dryRun bool) ([]MaterialPlan, error) {
	ev, ok := b.cfg.EventByID(eventID)
	if !ok {
		return nil, fmt.Errorf("send material: %w: %q", store.ErrNoEvent, eventID)
	}
	b.library.Reload(b.log)
	files := b.materialOf(ev.ID)
	now := b.now()
	if len(files) == 0 || !now.Before(ev.StartsAt) {
		return nil, nil
	}
	plan := func(tx *store.Tx, send bool) ([]MaterialPlan, error) {
		var mfs []store.MaterialFile
		for _, m := range files {
			mfs = append(mfs, store.MaterialFile{Name: m.Name, Hash: m.Hash})
		}
		// Usually nobody lacks anything: then the registrations are not
		// read at all.
		lacking, err := tx.LackingMaterial(ev.ID, mfs)
		if err != nil || len(lacking) == 0 {
			return nil, err
		}
		regs, err := tx.Registrations(ev.ID)
		if err != nil {
			return nil, err
		}
		var out []MaterialPlan
		for _, r := range regs {
			if !lacking[r.ID] || r.Status != store.StatusConfirmed || !r.OfferUntil.IsZero() {
				continue
			}
			have, err := tx.MaterialSent(r.ID)
			if err != nil {
				return nil, err
			}
			var missing []reply.Material
			var names []string
			for _, m := range files {
				if !have[store.MaterialFile{Name: m.Name, Hash: m.Hash}] {
					missing = append(missing, m)
					names = append(names, m.Name)
				}
			}
			if len(missing) == 0 {
				continue
			}
			out = append(out, MaterialPlan{Name: r.Name, Email: r.Email, Files: names})
			if send {
				c := &change{tx: tx, res: &Result{}}
				if err := b.notify(c, ev, r, reply.KindMaterial, func(rp *reply.Reply) { rp.Material = missing }); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	var out []MaterialPlan
	if err := b.store.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = plan(tx, false)
		return err
	}); err != nil || dryRun || len(out) == 0 {
		return out, err
	}
	err := b.store.Update(ctx, func(tx *store.Tx) error {
		var err error
		out, err = plan(tx, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out) > 0 {
		b.log.Info("material updates queued", slog.String("event", ev.ID), slog.Int("count", len(out)))
	}
	return out, nil
}

// digest sends the organisers the day's digest at digest_time, once per
// day, when something happened since the last one.
func (b *Bot) digest(ctx context.Context) error {
	if len(b.cfg.Organisers.Addresses) == 0 {
		return nil
	}
	now := b.now()
	local := now.In(b.cfg.Location)
	day := local.Format(time.DateOnly)
	dueAt := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, b.cfg.Location).Add(b.cfg.Organisers.DigestAt)
	var last store.Digest
	var had bool
	if err := b.store.Read(ctx, func(tx *store.Tx) error {
		var err error
		last, had, err = tx.LastDigest()
		return err
	}); err != nil {
		return err
	}
	if !had {
		// The first run of a new database: the first digest is due at the
		// next digest_time (today's, when it has not come yet), and covers
		// everything handled since the bot started, the mail of this
		// first round included, however long it waited in the inbox.
		first := day
		if now.Before(dueAt) {
			first = local.AddDate(0, 0, -1).Format(time.DateOnly)
		}
		return b.store.Update(ctx, func(tx *store.Tx) error {
			if _, had, err := tx.LastDigest(); err != nil || had {
				return err
			}
			return tx.RecordDigest(store.Digest{Day: first, At: b.started.Add(-time.Nanosecond)})
		})
	}
	if now.Before(dueAt) || last.Day >= day {
		return nil
	}
	var sent bool
	err := b.store.Update(ctx, func(tx *store.Tx) error {
		last, had, err := tx.LastDigest()
		if err != nil || (had && last.Day >= day) {
			return err
		}
		since := last.At
		act, err := tx.Activity(since)
		if err != nil {
			return err
		}
		failed := act.Failed - last.Failed
		sent = len(act.Registered)+len(act.Cancelled)+act.NewManual+len(act.Bounced)+max(failed, 0) > 0
		if sent {
			d, err := b.digestOf(tx, act, since, local, max(failed, 0))
			if err != nil {
				return err
			}
			var to []*mail.Address
			for _, a := range b.cfg.Organisers.Addresses {
				to = append(to, &mail.Address{Address: a})
			}
			r := reply.Reply{Kind: reply.KindDigest, Language: b.cfg.Language, To: to, Name: "", Digest: &d}
			if err := b.enqueue(tx, r, 0, 0, &Result{}); err != nil {
				return err
			}
		}
		return tx.RecordDigest(store.Digest{Day: day, At: now, Sent: sent, Failed: act.Failed})
	})
	if err != nil {
		return err
	}
	if sent {
		b.log.Info("digest queued", slog.String("day", day), slog.Int("organisers", len(b.cfg.Organisers.Addresses)))
	}
	return nil
}

// digestOf builds the digest from what happened since.
func (b *Bot) digestOf(tx *store.Tx, act store.Activity, since, local time.Time, failed int) (reply.Digest, error) {
	lang := b.cfg.Language
	d := reply.Digest{Day: local.Format(time.DateOnly), Since: reply.FormatInstant(since.In(b.cfg.Location), lang),
		Manual: act.Manual, NewManual: act.NewManual, Bounced: act.Bounced, Failed: failed}
	who := func(r store.Registration) string {
		s := fmt.Sprintf("%s <%s>", r.Name, r.Email)
		if r.Status == store.StatusWaiting {
			s += b.composer.Phrase(lang, reply.PhraseDigestWaiting)
		}
		return s
	}
	for i := range b.cfg.Events {
		ev := &b.cfg.Events[i]
		de := reply.DigestEvent{Title: ev.Title, When: reply.FormatSpan(ev.StartsAt.In(b.cfg.Location), ev.EndsAt.In(b.cfg.Location), lang)}
		for _, r := range act.Registered {
			if r.EventID == ev.ID {
				de.Registered = append(de.Registered, who(r))
			}
		}
		for _, r := range act.Cancelled {
			if r.EventID == ev.ID {
				de.Cancelled = append(de.Cancelled, fmt.Sprintf("%s <%s>", r.Name, r.Email))
			}
		}
		if len(de.Registered)+len(de.Cancelled) == 0 {
			continue
		}
		st, err := tx.Event(ev.ID)
		if err != nil {
			return d, err
		}
		de.Confirmed, de.Seats = st.Confirmed, st.EffectiveSeats()
		regs, err := tx.Registrations(ev.ID)
		if err != nil {
			return d, err
		}
		for _, r := range regs {
			if r.Status == store.StatusWaiting {
				de.Waiting = append(de.Waiting, fmt.Sprintf("%s <%s>", r.Name, r.Email))
			}
		}
		d.Events = append(d.Events, de)
	}
	return d, nil
}

// purge erases the personal data of every event whose retention time
// (retention_days after it ended) has passed, once, and the bytes of sent
// "forgotten" answers.
func (b *Bot) purge(ctx context.Context) error {
	now := b.now()
	evs, err := b.store.Events(ctx)
	if err != nil {
		return err
	}
	done, err := b.store.Purges(ctx)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if _, ok := done[ev.ID]; ok || now.Before(ev.Ends.In(b.cfg.Location).AddDate(0, 0, b.cfg.Retention)) {
			continue
		}
		var e store.Erased
		if err := b.store.Update(ctx, func(tx *store.Tx) error {
			var err error
			e, _, err = tx.PurgeEvent(ev.ID, now)
			return err
		}); err != nil {
			return err
		}
		b.log.Info("personal data erased after the retention time", slog.String("event", ev.ID),
			slog.Int("retention_days", b.cfg.Retention), slog.Int("registrations", e.Registrations),
			slog.Int("mails", e.Mails), slog.Int("outbox", e.Outbox), slog.Int("audit", e.Audit))
	}
	return b.store.Update(ctx, func(tx *store.Tx) error {
		// What the organisers were sent (lists, digests) is kept for the
		// retention time counted from the day it was written.
		n, err := tx.EraseSentBytes(organiserKinds(), now.AddDate(0, 0, -b.cfg.Retention))
		if err != nil {
			return err
		}
		if n > 0 {
			b.log.Info("organisers' mail erased after the retention time", slog.Int("outbox", n),
				slog.Int("retention_days", b.cfg.Retention))
		}
		return tx.EraseSent(string(reply.KindForgotten))
	})
}

// organiserKinds are the replies to organisers that can hold participants'
// personal data where an address search cannot see it (a compressed
// spreadsheet attachment).
func organiserKinds() []string {
	return []string{string(reply.KindOrganiser), string(reply.KindDigest)}
}

// Forget erases the person with the address everywhere (see
// store.Tx.Forget); a seat they held goes to the next on the waiting list,
// who is told. It returns what was removed and fails when the database
// cannot be written.
func (b *Bot) Forget(ctx context.Context, addr string) (store.Erased, error) {
	var e store.Erased
	res := Result{}
	err := b.store.Update(ctx, func(tx *store.Tx) error {
		res = Result{}
		var err error
		e, err = b.forget(&change{tx: tx, sender: ActorForgetCommand, res: &res}, addr)
		return err
	})
	return e, err
}

// Who the audit log names for an erasure: the sender's address cannot
// stand there, since it is erased too.
const (
	// ActorForgetCommand is the operator, by `anmalan forget`.
	ActorForgetCommand = "(operator: anmalan forget)"
	// ActorForgetMail is the person, by a "glöm mig" reply.
	ActorForgetMail = "(the person: forget me)"
)

// forget cancels the person's live registrations (the seats go to the
// next on the waiting list), then erases them, inside c's transaction.
func (b *Bot) forget(c *change, addr string) (store.Erased, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	now := b.now()
	var freed []*config.EventConfig
	for i := range b.cfg.Events {
		ev := &b.cfg.Events[i]
		r, ok, err := c.tx.FindRegistration(ev.ID, addr)
		if err != nil {
			return store.Erased{}, err
		}
		if !ok {
			continue
		}
		if _, err := c.tx.Cancel(r.ID, now); err != nil {
			return store.Erased{}, err
		}
		if err := c.tx.Audit(store.AuditEntry{At: now, EventID: ev.ID, RegistrationID: r.ID, Action: "forget",
			Before: b.describeState(r, "en"), After: "cancelled, personal data erased", MailID: c.mailID, Sender: c.sender}); err != nil {
			return store.Erased{}, err
		}
		freed = append(freed, ev)
	}
	for _, ev := range freed {
		if _, err := b.fillSeats(c, ev, b.cfg.Language); err != nil {
			return store.Erased{}, err
		}
	}
	// Last, so that it also erases the person from the audit entries just
	// written.
	e, err := c.tx.Forget(addr, now)
	if err != nil {
		return e, err
	}
	// A list sent to the organisers may hold the person in a compressed
	// attachment: every such mail that has left is erased.
	n, err := c.tx.EraseSentBytes(organiserKinds(), now.Add(time.Second))
	if err != nil {
		return e, err
	}
	e.Outbox += n
	b.log.Info("person forgotten", slog.Int("registrations", e.Registrations), slog.Int("mails", e.Mails),
		slog.Int("outbox", e.Outbox), slog.Int("audit", e.Audit), slog.Int("bounces", e.Bounces))
	return e, nil
}

// decideForget handles "glöm mig" / "forget me": under the rule of a
// cancellation (a reply to a mail the bot sent to that address, or an
// authenticated sender) the sender is erased everywhere and told so; the
// answer itself is erased once sent. Otherwise the mail is left for a
// human, who can check who wrote and run `anmalan forget`.
func (b *Bot) decideForget(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	sender := senderAddress(msg)
	if sender == "" {
		res.Decisions = append(res.Decisions, "forget me: the From is not one clear mailbox: left for a human")
		return intake.OutcomeManual, "forget: unclear sender", nil
	}
	thread, err := tx.SentTo(append(append([]string{}, msg.InReplyTo...), msg.References...), sender)
	if err != nil {
		return "", "", err
	}
	if len(thread) == 0 && !b.senderProved(msg, sender, in.Arrived) {
		res.Decisions = append(res.Decisions, "forget me: not in reply to our mail and not authenticated: left for a human")
		return intake.OutcomeManual, "forget: not verified", nil
	}
	// The audit log says who asked: the person, whose address is erased.
	c := &change{tx: tx, mailID: mailID, sender: ActorForgetMail, res: res}
	e, err := b.forget(c, sender)
	if err != nil {
		return "", "", err
	}
	lang := u.Language
	lines := []string{
		b.composer.Count(lang, reply.PhraseErasedRegistrations, e.Registrations),
		b.composer.Count(lang, reply.PhraseErasedMailsReceived, e.Mails),
		b.composer.Count(lang, reply.PhraseErasedMailsSent, e.Outbox),
	}
	r := reply.Reply{Kind: reply.KindForgotten, Language: lang, Lines: lines,
		To:        []*mail.Address{{Address: msg.From.Address}},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID)}
	if err := b.enqueue(tx, r, mailID, 0, res); err != nil {
		return "", "", err
	}
	res.Decisions = append(res.Decisions, "forget me: the sender's personal data was erased")
	return intake.OutcomeAnswered, "forgotten", nil
}
