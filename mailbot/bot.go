package mailbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/blobcache"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/mailauth"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
	"github.com/goteborgsregionen/anmalan/understand"
)

// Result says what the bot did with one mail.
type Result struct {
	MailID        int64
	Key           string
	Outcome       intake.Outcome
	Duplicate     bool // the mail had been handled before; nothing was done now
	Understanding understand.Understanding
	// Decisions are one line per person or problem, for logs and the demo.
	Decisions []string
	Replies   []SentReply
}

// SentReply summarises one reply put into the outbox.
type SentReply struct {
	Kind       reply.Kind
	MessageID  string
	Subject    string
	Recipients []string
}

// Bot decides what to do with one mail and records the decision, the
// registrations and the replies in one transaction.
type Bot struct {
	cfg      *config.Config
	store    *store.Store
	composer *reply.Composer
	// library holds the events' material files, reloaded when they change.
	library *reply.Library
	now     func() time.Time
	log     *slog.Logger
	botAddr string
	observe func(intake.Incoming, Result)
	// auth is what proves who sent a mail: the config's policy, with the
	// DKIM key lookup an Option may have replaced; opts are kept for the
	// Bot that a config reload builds.
	auth mailauth.Policy
	opts []Option
	// started is when the bot was made: the first digest of a new
	// database covers what was handled from then on.
	started time.Time
}

// Option changes how NewBot builds a Bot.
type Option func(*Bot)

// WithLookupTXT makes the Bot look up DKIM keys (organiser_auth = "dkim")
// with lookup instead of DNS, so that a test can serve its own key. lookup
// must be safe for concurrent use.
func WithLookupTXT(lookup func(domain string) ([]string, error)) Option {
	return func(b *Bot) { b.auth.LookupTXT = lookup }
}

// WithObserver makes the Bot tell observe of every mail it handled, after
// its decision was committed: the demo prints it, tests inspect it.
func WithObserver(observe func(intake.Incoming, Result)) Option {
	return func(b *Bot) { b.observe = observe }
}

// WithMaterialCache makes the Bot's composer keep the material's base64
// in bc, which the daemon's outbox reads too, so that each file's base64 is
// held once.
func WithMaterialCache(bc *blobcache.Cache) Option {
	return func(b *Bot) { b.composer.UseCache(bc) }
}

// Options returns the options the Bot was made with, so that a Bot of a
// reloaded config is made the same way.
func (b *Bot) Options() []Option { return b.opts }

// NewBot loads the events' material and the templates. It fails when a
// material file cannot be read or a template is broken.
func NewBot(cfg *config.Config, st *store.Store, now func() time.Time, log *slog.Logger, opts ...Option) (*Bot, error) {
	from, err := mail.ParseAddress(cfg.SMTP.From)
	if err != nil {
		return nil, fmt.Errorf("smtp.from: %w", err)
	}
	comp, err := reply.NewComposer(from, cfg.Location, cfg.Organisers.Contact)
	if err != nil {
		return nil, err
	}
	comp.RetentionDays = cfg.Retention
	b := &Bot{
		cfg:      cfg,
		store:    st,
		composer: comp,
		now:      now,
		log:      log,
		botAddr:  strings.ToLower(from.Address),
		auth:     cfg.AuthPolicy(),
		opts:     opts,
		started:  now(),
	}
	for _, o := range opts {
		o(b)
	}
	if cfg.Organisers.Auth == config.OrganiserAuthTrustFrom {
		log.Warn("organiser_auth = trust-from: ANYONE who writes From: an organiser's address can change registrations; for test setups only")
	}
	files := map[string][]string{}
	for _, ev := range cfg.Events {
		files[ev.ID] = ev.Material
	}
	if b.library, err = reply.NewLibrary(files); err != nil {
		return nil, err
	}
	return b, nil
}

// SyncEvents writes the config's events into the store.
func (b *Bot) SyncEvents(ctx context.Context) error {
	evs := make([]store.Event, 0, len(b.cfg.Events))
	for _, e := range b.cfg.Events {
		evs = append(evs, store.Event{
			ID: e.ID, Title: e.Title, Location: e.Location,
			Starts: e.StartsAt, Ends: e.EndsAt, Opens: e.OpensAt, Closes: e.ClosesAt,
			Seats: e.Seats,
		})
	}
	if err := b.store.SyncEvents(ctx, evs); err != nil {
		return fmt.Errorf("sync events: %w", err)
	}
	return b.materialBaseline(ctx)
}

// Record stores the raw mail and its IMAP position. It returns the mail's
// state: Done when the same mail was handled before.
func (b *Bot) Record(ctx context.Context, in intake.Incoming) (store.MailState, string, error) {
	key := message.MailKey(in.Raw)
	st, err := b.store.RecordMail(ctx, b.mailRecord(in, key))
	if err != nil {
		return store.MailState{}, key, fmt.Errorf("record mail: %w", err)
	}
	return st, key, nil
}

// Handle records one mail, with the inbox checkpoint past it, and then
// reads, understands and decides it (Decide). It is the inbox's way of one
// mail, for one mail at a time.
func (b *Bot) Handle(ctx context.Context, in intake.Incoming) (Result, error) {
	key := message.MailKey(in.Raw)
	sts, err := b.store.RecordMails(ctx, in.Mailbox, in.UIDValidity, in.UID, []store.MailRecord{b.mailRecord(in, key)})
	if err != nil {
		return Result{}, fmt.Errorf("record mail: %w", err)
	}
	st := sts[0]
	if st.Done {
		return Result{MailID: st.ID, Key: key, Duplicate: true, Outcome: intake.Outcome(st.Outcome)}, nil
	}
	return b.Decide(ctx, in, st.ID, key)
}

// mailRecord is what the store keeps of an incoming mail.
func (b *Bot) mailRecord(in intake.Incoming, key string) store.MailRecord {
	return store.MailRecord{
		Key: key, Mailbox: in.Mailbox, UIDValidity: in.UIDValidity, UID: in.UID,
		Received: in.Arrived, Raw: in.Raw,
	}
}

// Decide reads, understands and decides one recorded mail (mailID, with
// the key it was recorded under). Registrations, the replies (as outbox
// rows) and the mail's outcome are written in one transaction, so a crash
// either keeps all of it or none. It returns an error only when that
// transaction could not be written; a mail that cannot be read is recorded
// as unreadable and is not an error.
func (b *Bot) Decide(ctx context.Context, in intake.Incoming, mailID int64, key string) (Result, error) {
	res, err := b.DecideAll(ctx, []intake.Recorded{{In: in, MailID: mailID, Key: key}})
	if err != nil {
		return Result{MailID: mailID, Key: key}, err
	}
	return res[0], nil
}

// read is a recorded mail as read and understood, outside any
// transaction.
type read struct {
	msg  *message.Message
	rerr error // the mail could not be read
	u    understand.Understanding
}

// DecideAll decides the recorded mails in order, as Decide does each, in
// one transaction: one commit for a run of mails costs the database far
// less than one each. It returns the results of the mails decided. When
// the decision of one mail fails, the transaction is rolled back and the
// mails before it are decided again in a transaction of their own (the
// decisions are rebuilt from the database on every attempt); their
// results come back with the error, which is about the mail after them.
func (b *Bot) DecideAll(ctx context.Context, mails []intake.Recorded) ([]Result, error) {
	// Reading and understanding need no database: they are done once,
	// before the transaction, which then holds the write lock only for
	// the decisions.
	reads := make([]read, len(mails))
	for i, m := range mails {
		reads[i].msg, reads[i].rerr = message.ReadMessage(m.In.Raw)
		if reads[i].rerr == nil {
			reads[i].u = understand.UnderstandWith(reads[i].msg, b.cfg, m.In.Arrived, b.auth)
		}
	}
	n := len(mails)
	var failure error
	for n > 0 {
		results := make([]Result, n)
		failedAt := -1
		var cause error
		err := b.store.Update(ctx, func(tx *store.Tx) error {
			for i := range n {
				if err := b.decideRecorded(tx, mails[i], reads[i], &results[i]); err != nil {
					failedAt, cause = i, err
					return err
				}
			}
			return nil
		})
		switch {
		case err == nil:
			return results, failure
		case failedAt < 0:
			// The transaction could not begin or commit: nothing of the
			// run was written, and the first mail takes the failure.
			return nil, fmt.Errorf("decide: %w", err)
		case failedAt == 0 || ctx.Err() != nil:
			return nil, fmt.Errorf("decide: %w", cause)
		}
		n, failure = failedAt, fmt.Errorf("decide: %w", cause)
	}
	return nil, failure
}

// decideRecorded decides one mail inside tx and fills res. A mail decided
// already (by another process, or before an uncertain commit) is only
// reported.
func (b *Bot) decideRecorded(tx *store.Tx, m intake.Recorded, r read, res *Result) error {
	// Decisions are rebuilt on every attempt: a retried transaction must
	// not report the replies of the attempt that rolled back.
	*res = Result{MailID: m.MailID, Key: m.Key, Understanding: r.u}
	st, err := tx.MailState(m.MailID)
	if err != nil {
		return err
	}
	if st.Done {
		res.Duplicate, res.Outcome = true, intake.Outcome(st.Outcome)
		return nil
	}
	if r.rerr != nil {
		res.Outcome = intake.OutcomeUnreadable
		res.Decisions = append(res.Decisions, "could not read the mail: "+r.rerr.Error())
		return tx.FinishMail(m.MailID, string(intake.OutcomeUnreadable), r.rerr.Error(), b.now())
	}
	outcome, detail, err := b.decide(tx, m.MailID, m.In, r.msg, r.u, res)
	if err != nil {
		return err
	}
	res.Outcome = outcome
	return tx.FinishMail(m.MailID, string(outcome), detail, b.now())
}

// decide applies what the mail asks for, inside tx, and returns the mail's
// outcome and a one-line detail.
func (b *Bot) decide(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	sender := &msg.From
	switch {
	case u.Kind == understand.KindAutomatic:
		res.Decisions = append(res.Decisions, "automatic mail ("+string(u.Automatic)+"): not answered")
		for _, a := range u.Bounced {
			if err := tx.RecordBounce(a, mailID, in.Arrived); err != nil {
				return "", "", err
			}
		}
		return intake.OutcomeAutomatic, string(u.Automatic), nil
	case sender.Address == "":
		res.Decisions = append(res.Decisions, "no sender address: left for a human")
		return intake.OutcomeManual, "no sender", nil
	case strings.EqualFold(sender.Address, b.botAddr):
		// Our own mail must never be answered, whatever it looks like.
		res.Decisions = append(res.Decisions, "mail from the bot itself: not answered")
		return intake.OutcomeAutomatic, "own", nil
	case u.Kind == understand.KindCommand:
		return b.decideCommand(tx, mailID, in, msg, u, res)
	case u.Kind == understand.KindOther && len(u.Candidates) > 0:
		// "Den 13:e, tack" answering our question which date: a
		// registration of the sender for the date named.
		asked, err := b.answersOurQuestion(tx, msg)
		if err != nil {
			return "", "", err
		}
		if asked {
			u.Kind = understand.KindRegistration
			u.People = []understand.Person{b.senderAsPerson(sender)}
			res.Decisions = append(res.Decisions, "an answer to our question which date: registers the sender")
		}
	}
	// A YES to a question we asked before an unsure change carries it out.
	if ok, outcome, detail, err := b.answerConfirmation(tx, mailID, in, msg, u, res); err != nil || ok {
		return outcome, detail, err
	}
	if ok, err := b.acceptOffer(tx, mailID, in.Arrived, msg, u, res); err != nil || ok {
		return intake.OutcomeAnswered, "offer accepted", err
	}
	if u.Kind == understand.KindCancellation || u.Kind == understand.KindForget {
		// An auto-responder's "cannot attend to your mail" reads as a
		// cancellation, and each answer to it would bring another.
		if addr, over, err := b.overReplyCap(tx, sender.Address); err != nil {
			return "", "", err
		} else if over {
			res.Decisions = append(res.Decisions, "reply cap reached for "+addr+": not answered, left for a human")
			return intake.OutcomeManual, "max_replies_per_address reached for " + addr, nil
		}
	}
	if u.Kind == understand.KindOther && u.Ask {
		return b.askConfirmation(tx, mailID, in, msg, u, res)
	}
	if u.Kind == understand.KindOther && u.Hedged {
		return b.offerSeat(tx, mailID, in, msg, u, res)
	}
	switch u.Kind {
	case understand.KindCancellation:
		return b.decideParticipantChange(tx, mailID, in, msg, u, res)
	case understand.KindForget:
		return b.decideForget(tx, mailID, in, msg, u, res)
	case understand.KindRegistration:
	default:
		res.Decisions = append(res.Decisions, fmt.Sprintf("%s: left for a human (%s)", u.Kind, u.Reason))
		return intake.OutcomeManual, string(u.Kind), nil
	}

	lang := u.Language
	if lang == "" {
		lang = b.cfg.Language
	}
	reg := registration{
		tx: tx, mailID: mailID, in: in, msg: msg, sender: sender, lang: lang,
		refs: append(append([]string{}, msg.References...), msg.MessageID),
		res:  res,
	}
	var missing []string
	for _, p := range u.People {
		if p.Email == "" {
			missing = append(missing, p.Name)
			continue
		}
		reg.people = append(reg.people, p)
	}
	if len(reg.people) == 0 {
		res.Decisions = append(res.Decisions, "registration without any address: left for a human")
		return intake.OutcomeManual, "no address", nil
	}
	if over, err := b.groupTooLarge(tx, mailID, in, msg, u, len(reg.people), res); err != nil || over {
		return intake.OutcomeManual, "more than max_group_size people", err
	}

	capAddrs := []string{sender.Address}
	for _, p := range reg.people {
		capAddrs = append(capAddrs, p.Email)
	}
	if addr, over, err := b.overReplyCap(tx, capAddrs...); err != nil {
		return "", "", err
	} else if over {
		res.Decisions = append(res.Decisions, "reply cap reached for "+addr+": not answered, left for a human")
		return intake.OutcomeManual, "max_replies_per_address reached for " + addr, nil
	}

	evs, note, why, err := b.chooseEvents(tx, u, msg, in.Arrived)
	if err != nil {
		return "", "", err
	}
	if len(evs) == 0 {
		// Nothing is registered when the event is not clear: the sender
		// is asked, with the dates offered and the seats left on each.
		if err := b.askWhich(reg, b.composer.Phrase(reg.lang, why.phrase, why.args...)); err != nil {
			return "", "", err
		}
		logWhy := b.composer.Phrase("en", why.phrase, why.args...)
		res.Decisions = append(res.Decisions, "asked which event ("+logWhy+"); nothing registered")
		return intake.OutcomeAnswered, "asked which event: " + logWhy, nil
	}
	var details []string
	registered := 0
	for _, ev := range evs {
		n, detail, err := b.registerFor(reg, ev, note)
		if err != nil {
			return "", "", err
		}
		registered += n
		details = append(details, detail)
	}
	outcome := intake.OutcomeAnswered
	if registered > 0 {
		outcome = intake.OutcomeRegistered
	}
	if len(missing) > 0 {
		// Someone named without an address cannot be registered or told;
		// a human must see the mail.
		res.Decisions = append(res.Decisions, "no address for "+strings.Join(missing, ", ")+": left for a human")
		outcome = intake.OutcomeManual
	}
	return outcome, strings.Join(details, "; "), nil
}

// registration is one mail's registration in the making.
type registration struct {
	tx     *store.Tx
	mailID int64
	in     intake.Incoming
	msg    *message.Message
	sender *mail.Address
	lang   string
	refs   []string
	people []understand.Person
	res    *Result
}

// registerFor registers every person of reg for ev, in the order written,
// and puts each one's reply in the outbox. note, when set, is said in each
// reply (why this event and not the one asked for first). It returns how
// many got a seat or a waiting-list place, and a one-line detail.
func (b *Bot) registerFor(reg registration, ev *config.EventConfig, note string) (int, string, error) {
	tx, res, sender := reg.tx, reg.res, reg.sender
	senderName := displayName(sender)
	registered, answered := 0, 0
	var closedFor, toldDirectly []string
	var closedOutcome store.Outcome
	for _, p := range reg.people {
		onBehalf := !mailauth.SameAddress(p.Email, sender.Address)
		by := ""
		if onBehalf {
			by = strings.ToLower(sender.Address)
		}
		r, err := tx.Register(ev.ID, store.Person{Name: p.Name, Email: p.Email, Organisation: p.Organisation, Diet: p.Diet, Language: reg.lang}, reg.in.Arrived, reg.mailID, by)
		if err != nil {
			return 0, "", fmt.Errorf("register %s: %w", p.Email, err)
		}
		rp := reply.Reply{
			Language: reg.lang, Event: ev, Name: p.Name, Note: note,
			To:        []*mail.Address{{Name: p.Name, Address: p.Email}},
			InReplyTo: reg.msg.MessageID, References: reg.refs,
			Position: r.Registration.Position, Status: r.Registration.Status,
		}
		if onBehalf && r.Outcome != store.AlreadyRegistered {
			rp.Cc = []*mail.Address{sender}
			rp.SenderName = senderName
		}
		switch r.Outcome {
		case store.Confirmed:
			rp.Kind = reply.KindConfirmation
			rp.Material = b.materialOf(ev.ID)
			registered++
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s <%s>: seat confirmed for %s", p.Name, p.Email, ev.ID))
		case store.Waiting:
			rp.Kind = reply.KindWaiting
			registered++
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s <%s>: waiting list position %d for %s", p.Name, p.Email, r.Registration.Position, ev.ID))
		case store.AlreadyRegistered:
			rp.Kind = reply.KindAlready
			if onBehalf {
				toldDirectly = append(toldDirectly, p.Name)
			}
			answered++
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s <%s>: already registered for %s (%s)", p.Name, p.Email, ev.ID, describeStatus(r.Registration)))
		case store.NotOpen, store.Closed, store.Past:
			closedFor = append(closedFor, p.Name)
			closedOutcome = r.Outcome
			continue
		default:
			return 0, "", fmt.Errorf("register %s: unexpected outcome %q", p.Email, r.Outcome)
		}
		if r.Outcome == store.Confirmed || r.Outcome == store.Waiting {
			if err := tx.Audit(store.AuditEntry{At: b.now(), EventID: ev.ID, RegistrationID: r.Registration.ID, Action: "register",
				After: b.describeReg(r.Registration, "en"), MailID: reg.mailID, Sender: sender.Address}); err != nil {
				return 0, "", err
			}
		}
		if err := b.enqueue(tx, rp, reg.mailID, r.Registration.ID, res); err != nil {
			return 0, "", err
		}
	}
	if len(closedFor) > 0 {
		// One answer to the sender is enough: the people named never
		// became registrations, so there is nobody else to tell.
		kind := map[store.Outcome]reply.Kind{store.NotOpen: reply.KindNotOpen, store.Closed: reply.KindClosed, store.Past: reply.KindPast}[closedOutcome]
		rp := reply.Reply{
			Kind: kind, Language: reg.lang, Event: ev, Name: senderName,
			To:        []*mail.Address{sender},
			InReplyTo: reg.msg.MessageID, References: reg.refs,
		}
		if len(reg.people) > 1 || !strings.EqualFold(reg.people[0].Email, sender.Address) {
			rp.Others = b.joinNames(closedFor, reg.lang)
		}
		if err := b.enqueue(tx, rp, reg.mailID, 0, res); err != nil {
			return 0, "", err
		}
		answered++
		res.Decisions = append(res.Decisions, fmt.Sprintf("%s: %s for %s (arrived %s)", strings.Join(closedFor, ", "), closedOutcome, ev.ID, reg.in.Arrived.In(b.cfg.Location).Format("2006-01-02 15:04")))
	}
	if len(toldDirectly) > 0 {
		// The sender is told that those people were answered, not how
		// they stand: their registration is theirs.
		rp := reply.Reply{
			Kind: reply.KindToldDirectly, Language: reg.lang, Event: ev, Name: senderName,
			To: []*mail.Address{sender}, Others: b.joinNames(toldDirectly, reg.lang),
			InReplyTo: reg.msg.MessageID, References: reg.refs,
		}
		if err := b.enqueue(tx, rp, reg.mailID, 0, res); err != nil {
			return 0, "", err
		}
		res.Decisions = append(res.Decisions, fmt.Sprintf("%s: told that %s were answered directly", sender.Address, strings.Join(toldDirectly, ", ")))
	}
	return registered, fmt.Sprintf("%s: %d registered, %d answered", ev.ID, registered, answered), nil
}

// askWhich answers a registration whose event is not clear with the events
// open for registration, their dates, places and seats left.
func (b *Bot) askWhich(reg registration, why string) error {
	var offers []reply.OpenSession
	for i := range b.cfg.Events {
		ev := &b.cfg.Events[i]
		if !ev.OpenAt(reg.in.Arrived) {
			continue
		}
		st, err := reg.tx.Event(ev.ID)
		if err != nil {
			return fmt.Errorf("seats of %s: %w", ev.ID, err)
		}
		offers = append(offers, reply.OpenSession{Event: ev, SeatsLeft: max(0, st.EffectiveSeats()-st.Confirmed)})
	}
	kind := reply.KindWhich
	if len(offers) == 0 {
		kind = reply.KindNoneOpen
	}
	rp := reply.Reply{
		Kind: kind, Language: reg.lang, Name: displayName(reg.sender),
		To:        []*mail.Address{reg.sender},
		InReplyTo: reg.msg.MessageID, References: reg.refs,
		Sessions: offers, Asked: why,
	}
	return b.enqueue(reg.tx, rp, reg.mailID, 0, reg.res)
}

// offerSeat answers a hedged mail ("jag överväger att komma", "could you
// hold a seat?"): nothing is registered, since the writer did not ask for
// it; the answer offers the open sessions with the seats left, so that a
// reply asking to register does it.
func (b *Bot) offerSeat(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	if addr, over, err := b.overReplyCap(tx, msg.From.Address); err != nil {
		return "", "", err
	} else if over {
		res.Decisions = append(res.Decisions, "reply cap reached for "+addr+": not answered, left for a human")
		return intake.OutcomeManual, "max_replies_per_address reached for " + addr, nil
	}
	lang := u.Language
	if lang == "" {
		lang = b.cfg.Language
	}
	var offers []reply.OpenSession
	for i := range b.cfg.Events {
		ev := &b.cfg.Events[i]
		if !ev.OpenAt(in.Arrived) || (u.Event != "" && ev.ID != u.Event) {
			continue
		}
		st, err := tx.Event(ev.ID)
		if err != nil {
			return "", "", fmt.Errorf("seats of %s: %w", ev.ID, err)
		}
		offers = append(offers, reply.OpenSession{Event: ev, SeatsLeft: max(0, st.EffectiveSeats()-st.Confirmed)})
	}
	if len(offers) == 0 {
		res.Decisions = append(res.Decisions, "hedged interest, but no session is open: left for a human ("+u.Reason+")")
		return intake.OutcomeManual, "hedged", nil
	}
	rp := reply.Reply{
		Kind: reply.KindOfferSeat, Language: lang, Name: displayName(&msg.From),
		To:        []*mail.Address{&msg.From},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID),
		Sessions: offers,
	}
	if err := b.enqueue(tx, rp, mailID, 0, res); err != nil {
		return "", "", err
	}
	res.Decisions = append(res.Decisions, "hedged interest: offered the seat, nothing registered ("+u.Reason+")")
	return intake.OutcomeAnswered, "hedged: seat offered", nil
}

// chooseEvents picks the events a registration is for. A date the mail
// names decides, ahead of keywords: the first preferred date with a seat
// left (note says so when that is not the first named), or every date
// when the writer asks for all; a named date with no event, or a mail that
// fits several open events, returns none and the reason, so that the
// sender is asked. A date whose registration has closed is returned as it
// is: the sender gets that answer for that event, not a silent pick of
// another.
func (b *Bot) chooseEvents(tx *store.Tx, u understand.Understanding, msg *message.Message, arrived time.Time) ([]*config.EventConfig, string, askReason, error) {
	none := askReason{}
	if u.DateUnmatched {
		return nil, "", askReason{reply.PhraseAskDateNotOffered, []any{u.Date.Written}}, nil
	}
	if len(u.Candidates) > 0 {
		var evs []*config.EventConfig
		for _, id := range u.Candidates {
			if ev, ok := b.cfg.EventByID(id); ok {
				evs = append(evs, ev)
			}
		}
		if len(evs) == 0 {
			return nil, "", askReason{phrase: reply.PhraseAskDatesMatchNone}, nil
		}
		if u.AllDates || len(evs) == 1 {
			return evs, "", none, nil
		}
		// Several dates in order of preference: the first that is open
		// and has a seat, else the first that is open (a waiting-list
		// place), else the first (whose answer says it has closed).
		var open []*config.EventConfig
		for _, ev := range evs {
			if ev.OpenAt(arrived) {
				open = append(open, ev)
			}
		}
		for _, ev := range open {
			st, err := tx.Event(ev.ID)
			if err != nil {
				return nil, "", none, fmt.Errorf("seats of %s: %w", ev.ID, err)
			}
			if st.Confirmed < st.EffectiveSeats() && st.Waiting == 0 {
				if ev != evs[0] {
					return []*config.EventConfig{ev}, b.fullNote(evs[0], u.Language), none, nil
				}
				return []*config.EventConfig{ev}, "", none, nil
			}
		}
		if len(open) > 0 {
			return open[:1], "", none, nil
		}
		return evs[:1], "", none, nil
	}
	if u.Event != "" {
		if ev, ok := b.cfg.EventByID(u.Event); ok {
			return []*config.EventConfig{ev}, "", none, nil
		}
		return nil, "", askReason{reply.PhraseAskUnknownEvent, []any{u.Event}}, nil
	}
	if len(b.cfg.Events) == 1 {
		return []*config.EventConfig{&b.cfg.Events[0]}, "", none, nil
	}
	// A reply in the thread of a mail we sent about a registration is
	// about that registration's event.
	if ev, err := b.threadEvent(tx, msg); err != nil || ev != nil {
		if ev == nil {
			return nil, "", none, err
		}
		return []*config.EventConfig{ev}, "", none, err
	}
	var open []*config.EventConfig
	for i := range b.cfg.Events {
		if ev := &b.cfg.Events[i]; ev.OpenAt(arrived) {
			open = append(open, ev)
		}
	}
	switch len(open) {
	case 1:
		return open, "", none, nil
	case 0:
		return nil, "", askReason{phrase: reply.PhraseAskNoneOpen}, nil
	}
	return nil, "", askReason{reply.PhraseAskSeveralOpen, []any{len(open)}}, nil
}

// askReason is why the bot asks which session a registration is for: a
// phrase and what fills it in.
type askReason struct {
	phrase reply.Phrase
	args   []any
}

// threadEvent returns the event of the registration that the mail we sent,
// and msg answers, was about; nil when msg answers none of ours.
func (b *Bot) threadEvent(tx *store.Tx, msg *message.Message) (*config.EventConfig, error) {
	sent, err := tx.SentByUs(append(append([]string{}, msg.InReplyTo...), msg.References...))
	if err != nil {
		return nil, err
	}
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].RegistrationID == 0 {
			continue
		}
		r, err := tx.Registration(sent[i].RegistrationID)
		if err != nil {
			return nil, fmt.Errorf("registration of our mail %s: %w", sent[i].MessageID, err)
		}
		if ev, ok := b.cfg.EventByID(r.EventID); ok {
			return ev, nil
		}
	}
	return nil, nil
}

// fullNote says why a person got another date than the one they put first.
func (b *Bot) fullNote(first *config.EventConfig, lang string) string {
	return b.composer.Phrase(lang, reply.PhraseFirstChoiceFull, reply.FormatDay(first.StartsAt.In(b.cfg.Location), lang))
}

// answersOurQuestion reports whether msg replies to a mail in which we
// asked the sender which event they meant.
func (b *Bot) answersOurQuestion(tx *store.Tx, msg *message.Message) (bool, error) {
	sent, err := tx.SentByUs(append(append([]string{}, msg.InReplyTo...), msg.References...))
	if err != nil {
		return false, err
	}
	for _, o := range sent {
		if reply.Kind(o.Kind) != reply.KindWhich {
			continue
		}
		for _, r := range o.Recipients {
			if strings.EqualFold(r, msg.From.Address) {
				return true, nil
			}
		}
	}
	return false, nil
}

// senderAsPerson returns the sender as a person to register, with the
// organisation the config maps the sender's domain to.
func (b *Bot) senderAsPerson(a *mail.Address) understand.Person {
	p := understand.Person{Name: displayName(a), Email: a.Address}
	if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
		p.Organisation = b.cfg.Organisations[strings.ToLower(a.Address[i+1:])]
	}
	return p
}

// enqueue composes a reply and puts it in the outbox inside tx.
func (b *Bot) enqueue(tx *store.Tx, r reply.Reply, mailID, regID int64, res *Result) error {
	for _, a := range append(append([]*mail.Address{}, r.To...), r.Cc...) {
		if strings.EqualFold(a.Address, b.botAddr) {
			return errors.New("refusing to send a reply to the bot's own address")
		}
	}
	now := b.now()
	c, err := b.composer.Compose(r, now)
	if err != nil {
		return fmt.Errorf("compose %s: %w", r.Kind, err)
	}
	subject := message.SubjectOf(c.Raw)
	if _, err := tx.Enqueue(store.Outgoing{
		MessageID: c.MessageID, EnvelopeFrom: b.botAddr, Recipients: c.Recipients,
		Raw: c.Raw, Parts: outgoingParts(c.Blobs), Subject: subject, Kind: string(r.Kind), MailID: mailID, RegistrationID: regID,
	}, now); err != nil {
		return fmt.Errorf("enqueue %s: %w", r.Kind, err)
	}
	if regID != 0 && reply.AttachesMaterial(r.Kind) && len(r.Material) > 0 {
		// The versions this person has, so that a material update sends
		// only what is new to them.
		if err := tx.RecordMaterial(regID, materialFiles(r.Material), now); err != nil {
			return err
		}
	}
	res.Replies = append(res.Replies, SentReply{Kind: r.Kind, MessageID: c.MessageID, Subject: subject, Recipients: c.Recipients})
	return nil
}

// outgoingParts are a composed reply's material files as the outbox
// stores them: once each, by the hash of their content.
func outgoingParts(blobs []reply.Blob) []store.Part {
	if len(blobs) == 0 {
		return nil
	}
	ps := make([]store.Part, len(blobs))
	for i, b := range blobs {
		ps[i] = store.Part{At: b.At, Hash: b.Hash, Data: b.Encoded}
	}
	return ps
}

func describeStatus(r store.Registration) string {
	if r.Status == "waiting" {
		return fmt.Sprintf("waiting list position %d", r.Position)
	}
	return r.Status
}

// displayName returns the sender's name as a person would write it
// ("Carter, Emily" becomes "Emily Carter"), or the address.
func displayName(a *mail.Address) string {
	n := strings.TrimSpace(a.Name)
	if first, last, ok := strings.Cut(n, ","); ok && !strings.Contains(last, ",") {
		n = strings.TrimSpace(last) + " " + strings.TrimSpace(first)
	}
	if n == "" {
		return a.Address
	}
	return n
}

func (b *Bot) joinNames(names []string, lang string) string {
	and := b.composer.Phrase(lang, reply.PhraseAnd)
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + and + names[len(names)-1]
}

// logResult logs one decision with the attributes an operator searches by.
func (b *Bot) logResult(in intake.Incoming, res Result) {
	attrs := []any{
		slog.String("message_id", res.Key), slog.Any("uid", in.UID),
		slog.String("outcome", string(res.Outcome)), slog.String("kind", string(res.Understanding.Kind)),
	}
	if res.Understanding.Event != "" {
		attrs = append(attrs, slog.String("event", res.Understanding.Event))
	}
	if res.Duplicate {
		attrs = append(attrs, slog.Bool("duplicate", true))
	}
	if len(res.Decisions) > 0 {
		attrs = append(attrs, slog.String("decision", strings.Join(res.Decisions, "; ")))
	}
	for _, r := range res.Replies {
		attrs = append(attrs, slog.Group("reply", slog.String("kind", string(r.Kind)), slog.String("to", strings.Join(r.Recipients, ","))))
	}
	b.log.Info("mail handled", attrs...)
	if b.observe != nil {
		b.observe(in, res)
	}
}
