package mailbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/export"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/mailauth"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
	"github.com/goteborgsregionen/anmalan/understand"
)

// change is the context of one mail's (or one timer's) changes: the
// transaction they are written in and who asked.
type change struct {
	tx     *store.Tx
	mailID int64 // 0 for a timer
	sender string
	// by is the organiser's name when she made the change, so that the
	// people affected are told who did it; empty when they did it themselves.
	by string
	// lang, when set, is the language of the mail that asked, for the
	// answer to its writer.
	lang string
	// inReplyTo and refs are the Message-ID and the thread of the mail
	// that asked, so that what its writer is told lands in that thread.
	inReplyTo string
	refs      []string
	res       *Result
}

// decideCommand applies an organiser's commands in order, inside tx, and
// answers her alone. A command whose sender understand did not prove to be
// the organiser (u.SenderAuthenticated, under organiser_auth) changes
// nothing: the configured organisers are warned and the mail is left for a
// human.
func (b *Bot) decideCommand(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	if !u.SenderAuthenticated {
		return b.warnForged(tx, mailID, msg, u, res)
	}
	ev := b.changeEvent(tx, u, "")
	if ev == nil {
		// Nothing is guessed; she is told, with the sessions to come, so
		// that she can say which.
		if err := b.askOrganiserWhich(tx, mailID, msg, u, res); err != nil {
			return "", "", err
		}
		res.Decisions = append(res.Decisions, "command: no session could be chosen; nothing done, the organiser is asked which")
		return intake.OutcomeAnswered, "command without session", nil
	}
	lang := b.replyLanguage(u)
	c := &change{tx: tx, mailID: mailID, sender: strings.ToLower(msg.From.Address), by: displayName(&msg.From), res: res}
	mode := "changes"
	var lines []string
	var attach []reply.Material
	help := false
	for _, ch := range u.Changes {
		var err error
		var l []string
		switch ch.Action {
		case understand.ActionCancel:
			l, err = b.cmdCancel(c, ev, ch, lang)
		case understand.ActionSubstitute:
			l, err = b.cmdSubstitute(c, ev, ch, lang)
		case understand.ActionPromote:
			l, err = b.cmdPromote(c, ev, ch, lang)
		case "register":
			l, err = b.cmdRegister(c, ev, ch, lang)
		case "seats":
			l, err = b.cmdSeats(c, ev, ch, lang)
		case "list":
			mode = "list"
			var a reply.Material
			a, err = b.listAttachment(tx, ev)
			attach = append(attach, a)
		case "status":
			if mode != "list" {
				mode = "status"
			}
		case understand.ActionHelp:
			help = true
		default:
			// A command the bot does not know: she gets the list of those
			// it does.
			help = true
			l = []string{b.composer.Phrase(lang, reply.PhraseUnknownChange, ch.Text)}
		}
		if err != nil {
			return "", "", fmt.Errorf("command %s: %w", ch.Action, err)
		}
		lines = append(lines, l...)
	}
	if help && mode == "changes" && len(lines) == 0 {
		mode = "help"
	}
	if len(lines) > 0 && mode != "changes" {
		// Changes and a list in one mail: the answer reports both.
		mode = "list"
		if len(attach) == 0 {
			mode = "changes"
		}
	}
	r := reply.Reply{
		Kind: reply.KindOrganiser, Language: lang, Event: ev, Name: displayName(&msg.From),
		To:        []*mail.Address{{Name: msg.From.Name, Address: msg.From.Address}},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID),
		Mode: mode, Lines: lines, NotUnderstood: notUnderstood(msg, u), Attachments: attach, Help: help,
	}
	if err := b.fillStats(tx, ev, &r, mode == "status"); err != nil {
		return "", "", err
	}
	if err := b.enqueue(tx, r, mailID, 0, res); err != nil {
		return "", "", err
	}
	res.Decisions = append(res.Decisions, fmt.Sprintf("organiser command (%s) for %s: %d changes, answered %s", understand.DescribeChanges(u.Changes), ev.ID, len(lines), msg.From.Address))
	return intake.OutcomeAnswered, fmt.Sprintf("%s: command %s", ev.ID, understand.DescribeChanges(u.Changes)), nil
}

// warnForged tells every configured organiser about a command that could
// not be trusted, and leaves the mail for a human.
func (b *Bot) warnForged(tx *store.Tx, mailID int64, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	ev := b.changeEvent(tx, u, "")
	f := reply.ForgedMail{From: msg.From.String(), Subject: msg.Subject, MessageID: msg.MessageID,
		AuthResults: msg.Header.Values("Authentication-Results")}
	if d := msg.Header.Get("Date"); d != "" {
		f.Date = d
	}
	for i, a := range f.AuthResults {
		f.AuthResults[i] = strings.Join(strings.Fields(a), " ")
	}
	var asked []string
	for _, ch := range u.Changes {
		asked = append(asked, ch.Text)
	}
	asked = slices.Compact(asked)
	warned := 0
	for _, addr := range b.cfg.Organisers.Addresses {
		// One warning per forged sender and hour is enough: a forger who
		// sends thirty commands must not bury the organiser in thirty.
		if done, err := tx.AnsweredSince(string(reply.KindForged), addr, forgedDetail(msg), b.now().Add(-forgedWindow)); err != nil {
			return "", "", err
		} else if done {
			continue
		}
		warned++
		name := addr
		if mailauth.SameAddress(addr, msg.From.Address) && msg.From.Name != "" {
			name = displayName(&msg.From)
		}
		r := reply.Reply{Kind: reply.KindForged, Language: b.cfg.Language, Event: ev, Name: name,
			To: []*mail.Address{{Address: addr}}, Forged: f, Lines: asked}
		if err := b.enqueue(tx, r, mailID, 0, res); err != nil {
			return "", "", err
		}
	}
	b.log.Warn("untrusted organiser command: nothing changed", slog.String("from", msg.From.Address),
		slog.String("message_id", msg.MessageID), slog.String("auth", u.Reason), slog.Int("warned", warned))
	if warned == 0 {
		res.Decisions = append(res.Decisions, "command from "+msg.From.Address+" not authenticated: nothing changed, organisers already warned of this sender within the hour, left for a human")
	} else {
		res.Decisions = append(res.Decisions, "command from "+msg.From.Address+" not authenticated: nothing changed, organisers warned, left for a human")
	}
	return intake.OutcomeManual, forgedDetail(msg), nil
}

// changeEvent picks the event a change is about: the one the mail names;
// else the event of the registration the thread is about; else the only
// event; else the only one that has not started. It returns nil when
// none fits.
func (b *Bot) changeEvent(tx *store.Tx, u understand.Understanding, threadEvent string) *config.EventConfig {
	for _, id := range []string{u.Event, threadEvent} {
		if id == "" {
			continue
		}
		if ev, ok := b.cfg.EventByID(id); ok {
			return ev
		}
	}
	if len(b.cfg.Events) == 1 {
		return &b.cfg.Events[0]
	}
	var coming []*config.EventConfig
	for i := range b.cfg.Events {
		if b.now().Before(b.cfg.Events[i].StartsAt) {
			coming = append(coming, &b.cfg.Events[i])
		}
	}
	if len(coming) == 1 {
		return coming[0]
	}
	// Several sessions to come: the people the mail is about tell which,
	// when every one of them found is registered for the same session.
	var found *config.EventConfig
	for _, addr := range changeAddresses(u) {
		for _, ev := range coming {
			if _, ok, err := tx.FindRegistration(ev.ID, addr); err != nil || !ok {
				continue
			}
			if found != nil && found != ev {
				return nil
			}
			found = ev
		}
	}
	return found
}

// askOrganiserWhich answers an organiser's command that did not say which
// session it is about: what she wrote is quoted back, with the sessions to
// come and how to name one.
func (b *Bot) askOrganiserWhich(tx *store.Tx, mailID int64, msg *message.Message, u understand.Understanding, res *Result) error {
	var sessions []reply.OpenSession
	for i := range b.cfg.Events {
		ev := &b.cfg.Events[i]
		if !b.now().Before(ev.StartsAt) {
			continue
		}
		st, err := tx.Event(ev.ID)
		if err != nil {
			return fmt.Errorf("seats of %s: %w", ev.ID, err)
		}
		sessions = append(sessions, reply.OpenSession{Event: ev, SeatsLeft: max(0, st.EffectiveSeats()-st.Confirmed)})
	}
	var asked []string
	for _, ch := range u.Changes {
		if ch.Text != "" {
			asked = append(asked, ch.Text)
		}
	}
	rp := reply.Reply{
		Kind: reply.KindWhichSession, Language: b.replyLanguage(u), Name: displayName(&msg.From),
		To:        []*mail.Address{{Name: msg.From.Name, Address: msg.From.Address}},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID),
		Sessions: sessions, NotUnderstood: asked,
	}
	return b.enqueue(tx, rp, mailID, 0, res)
}

// changeAddresses returns the addresses a change mail is about: those its
// changes name, and the people it names.
func changeAddresses(u understand.Understanding) []string {
	var out []string
	for _, ch := range u.Changes {
		if strings.Contains(ch.Who, "@") {
			out = append(out, ch.Who)
		}
	}
	for _, p := range u.People {
		if p.Email != "" {
			out = append(out, p.Email)
		}
	}
	return out
}

func (b *Bot) replyLanguage(u understand.Understanding) string {
	if u.Language != "" {
		return u.Language
	}
	return b.cfg.Language
}

// describeReg is a registration as the organiser's answer and the audit
// log show it: "Karin Ek <karin.ek@…> (confirmed)".
func (b *Bot) describeReg(r store.Registration, lang string) string {
	return fmt.Sprintf("%s <%s> (%s)", r.Name, r.Email, b.describeState(r, lang))
}

// describeState is a registration's state in lang: "bekräftad",
// "väntelista plats 2".
func (b *Bot) describeState(r store.Registration, lang string) string {
	switch r.Status {
	case store.StatusConfirmed:
		s := b.composer.Phrase(lang, reply.PhraseStateConfirmed)
		if r.OverCapacity {
			s += b.composer.Phrase(lang, reply.PhraseStateOverCapacity)
		}
		if !r.OfferUntil.IsZero() {
			s += b.composer.Phrase(lang, reply.PhraseStateOffered)
		}
		return s
	case store.StatusWaiting:
		return b.composer.Phrase(lang, reply.PhraseStateWaiting, r.Position)
	}
	return b.composer.Phrase(lang, reply.PhraseStateCancelled)
}

// findWho finds the live registration a command names: by address, or by
// a name that matches exactly one registration. problem says why none was
// found, in lang.
func (b *Bot) findWho(tx *store.Tx, ev *config.EventConfig, who, lang string) (store.Registration, string, error) {
	if strings.Contains(who, "@") {
		r, ok, err := tx.FindRegistration(ev.ID, who)
		if err != nil || ok {
			return r, "", err
		}
		return r, b.composer.Phrase(lang, reply.PhraseNoRegistrationAddr, who), nil
	}
	regs, err := tx.Registrations(ev.ID)
	if err != nil {
		return store.Registration{}, "", err
	}
	var match []store.Registration
	for _, r := range regs {
		if r.Status != store.StatusCancelled && strings.EqualFold(strings.Join(strings.Fields(r.Name), " "), strings.Join(strings.Fields(who), " ")) {
			match = append(match, r)
		}
	}
	switch len(match) {
	case 1:
		return match[0], "", nil
	case 0:
		return store.Registration{}, b.composer.Phrase(lang, reply.PhraseNoRegistrationName, who), nil
	}
	var addrs []string
	for _, r := range match {
		addrs = append(addrs, r.Email)
	}
	return store.Registration{}, b.composer.Phrase(lang, reply.PhraseSeveralRegistrations, who, strings.Join(addrs, ", ")), nil
}

func (b *Bot) audit(c *change, ev *config.EventConfig, regID int64, action, before, after string) error {
	return c.tx.Audit(store.AuditEntry{At: b.now(), EventID: ev.ID, RegistrationID: regID, Action: action,
		Before: before, After: after, MailID: c.mailID, Sender: c.sender})
}

// notify tells the person of a registration what happened to it.
func (b *Bot) notify(c *change, ev *config.EventConfig, reg store.Registration, kind reply.Kind, edit func(*reply.Reply)) error {
	lang := c.lang
	if lang == "" || reg.Email != c.sender {
		lang = b.registrationLanguage(c.tx, reg)
	}
	r := reply.Reply{
		Kind: kind, Language: lang, Event: ev, Name: reg.Name,
		To: []*mail.Address{{Name: reg.Name, Address: reg.Email}}, SenderName: c.by,
		Position: reg.Position, Status: reg.Status,
	}
	if reply.WithMaterial(kind) {
		r.Material = b.materialOf(ev.ID)
	}
	if c.inReplyTo != "" && strings.EqualFold(reg.Email, c.sender) {
		r.InReplyTo, r.References = c.inReplyTo, append(append([]string{}, c.refs...), c.inReplyTo)
	}
	if edit != nil {
		edit(&r)
	}
	return b.enqueue(c.tx, r, c.mailID, reg.ID, c.res)
}

// registrationLanguage is the language of the mail that registered reg,
// so that someone who wrote in English is told in English later. It was
// recorded with the registration; only a registration from before that
// (an older database) has its mail read again.
func (b *Bot) registrationLanguage(tx *store.Tx, reg store.Registration) string {
	if reg.Language != "" {
		return reg.Language
	}
	if reg.MailID != 0 {
		if raw, err := tx.MailRaw(reg.MailID); err == nil {
			if m, err := message.ReadMessage(raw); err == nil {
				return understand.Language(m.Split.Own, m.Subject, b.cfg)
			}
		}
	}
	return b.cfg.Language
}

// fillSeats gives every free seat of the event to the first on the
// waiting list, who is told: a seat with the material, or, with
// offer_hours, an offer to accept by a deadline. It returns a line per
// person moved up, for the organiser's answer.
func (b *Bot) fillSeats(c *change, ev *config.EventConfig, lang string) ([]string, error) {
	var lines []string
	for {
		before, err := c.tx.Event(ev.ID)
		if err != nil {
			return nil, err
		}
		if before.Confirmed >= before.EffectiveSeats() || before.Waiting == 0 {
			return lines, nil
		}
		first, err := c.tx.Registrations(ev.ID)
		if err != nil {
			return nil, err
		}
		var waiting store.Registration
		for _, r := range first {
			if r.Status == store.StatusWaiting {
				waiting = r
				break
			}
		}
		r, ok, err := c.tx.PromoteNext(ev.ID, b.now())
		if err != nil || !ok {
			return lines, err
		}
		kind := reply.KindPromoted
		var deadline time.Time
		if ev.OfferHours > 0 {
			kind = reply.KindOffer
			deadline = b.now().Add(time.Duration(ev.OfferHours) * time.Hour)
			if err := c.tx.OfferSeat(r.ID, b.now(), deadline); err != nil {
				return nil, err
			}
			if r, err = c.tx.Registration(r.ID); err != nil {
				return nil, err
			}
		}
		after := b.describeState(r, "en")
		if err := b.audit(c, ev, r.ID, "move-up", b.describeReg(waiting, "en"), after); err != nil {
			return nil, err
		}
		if err := b.notify(c, ev, r, kind, func(rp *reply.Reply) { rp.Deadline = deadline; rp.SenderName = "" }); err != nil {
			return nil, err
		}
		line := b.composer.Phrase(lang, reply.PhraseMovedUp, b.describeReg(waiting, lang), b.describeState(r, lang))
		if !deadline.IsZero() {
			line += b.composer.Phrase(lang, reply.PhraseMustAnswerYes, reply.FormatInstant(deadline.In(b.cfg.Location), lang))
		}
		lines = append(lines, line)
		c.res.Decisions = append(c.res.Decisions, fmt.Sprintf("%s <%s>: moved up from the waiting list of %s", r.Name, r.Email, ev.ID))
	}
}

func (b *Bot) cmdCancel(c *change, ev *config.EventConfig, ch understand.Change, lang string) ([]string, error) {
	x, problem, err := b.findWho(c.tx, ev, ch.Who, lang)
	if err != nil || problem != "" {
		return []string{problem}, err
	}
	return b.cancel(c, ev, x, lang)
}

// cancel cancels x, tells x, and gives the seat to the waiting list.
func (b *Bot) cancel(c *change, ev *config.EventConfig, x store.Registration, lang string) ([]string, error) {
	after, err := c.tx.Cancel(x.ID, b.now())
	if err != nil {
		return nil, err
	}
	if err := b.audit(c, ev, x.ID, "cancel", b.describeReg(x, "en"), b.describeState(after, "en")); err != nil {
		return nil, err
	}
	st, err := c.tx.Event(ev.ID)
	if err != nil {
		return nil, err
	}
	// The seat goes to the next only when it was a seat and someone waits.
	passes := x.Status == store.StatusConfirmed && st.Waiting > 0 && st.Confirmed < st.EffectiveSeats()
	if err := b.notify(c, ev, after, reply.KindCancelled, func(r *reply.Reply) { r.SeatPassesOn = passes }); err != nil {
		return nil, err
	}
	c.res.Decisions = append(c.res.Decisions, fmt.Sprintf("%s <%s>: cancelled from %s", x.Name, x.Email, ev.ID))
	lines := []string{fmt.Sprintf("%s → %s", b.describeReg(x, lang), b.describeState(after, lang))}
	more, err := b.fillSeats(c, ev, lang)
	return append(lines, more...), err
}

func (b *Bot) cmdSubstitute(c *change, ev *config.EventConfig, ch understand.Change, lang string) ([]string, error) {
	if ch.By == nil || ch.By.Email == "" {
		return []string{b.composer.Phrase(lang, reply.PhraseNoAddressSubstitute, ch.Text)}, nil
	}
	x, problem, err := b.findWho(c.tx, ev, ch.Who, lang)
	if err != nil || problem != "" {
		return []string{problem}, err
	}
	return b.substitute(c, ev, x, *ch.By, lang)
}

// substitute gives x's place to y and tells both; y gets the material
// when the place is a seat.
func (b *Bot) substitute(c *change, ev *config.EventConfig, x store.Registration, y understand.Person, lang string) ([]string, error) {
	yr, err := c.tx.Substitute(x.ID, store.Person{Name: y.Name, Email: y.Email, Organisation: y.Organisation, Diet: y.Diet, Language: lang}, b.now(), c.mailID, c.sender)
	if errors.Is(err, store.ErrAlreadyRegistered) {
		return []string{b.composer.Phrase(lang, reply.PhraseSubstituteRegistered, y.Name, y.Email, x.Email)}, nil
	}
	if err != nil {
		return nil, err
	}
	xr, err := c.tx.Registration(x.ID)
	if err != nil {
		return nil, err
	}
	if err := b.audit(c, ev, x.ID, "substitute", b.describeReg(x, "en"), fmt.Sprintf("replaced by %s", b.describeReg(yr, "en"))); err != nil {
		return nil, err
	}
	if err := b.notify(c, ev, xr, reply.KindSubstituted, func(r *reply.Reply) { r.Others = yr.Name }); err != nil {
		return nil, err
	}
	kind := reply.KindConfirmation
	if yr.Status == store.StatusWaiting {
		kind = reply.KindWaiting
	}
	if err := b.notify(c, ev, yr, kind, func(r *reply.Reply) {
		if r.SenderName == "" {
			// The colleague is told who sent them.
			r.SenderName = x.Name
		}
	}); err != nil {
		return nil, err
	}
	c.res.Decisions = append(c.res.Decisions, fmt.Sprintf("%s <%s> takes the place of %s <%s> in %s", yr.Name, yr.Email, x.Name, x.Email, ev.ID))
	return []string{fmt.Sprintf("%s → %s", b.describeReg(x, lang), b.describeReg(yr, lang))}, nil
}

func (b *Bot) cmdPromote(c *change, ev *config.EventConfig, ch understand.Change, lang string) ([]string, error) {
	x, problem, err := b.findWho(c.tx, ev, ch.Who, lang)
	if err != nil || problem != "" {
		return []string{problem}, err
	}
	if x.Status != store.StatusWaiting {
		return []string{b.composer.Phrase(lang, reply.PhraseAlreadySeated, b.describeReg(x, lang))}, nil
	}
	r, over, err := c.tx.Promote(x.ID, b.now())
	if err != nil {
		return nil, err
	}
	if err := b.audit(c, ev, x.ID, "promote", b.describeReg(x, "en"), b.describeState(r, "en")); err != nil {
		return nil, err
	}
	if err := b.notify(c, ev, r, reply.KindPromoted, nil); err != nil {
		return nil, err
	}
	// The state says "beyond the seats" when every seat was taken: it is
	// not said twice.
	line := fmt.Sprintf("%s → %s", b.describeReg(x, lang), b.describeState(r, lang))
	c.res.Decisions = append(c.res.Decisions, fmt.Sprintf("%s <%s>: promoted in %s (over capacity: %v)", r.Name, r.Email, ev.ID, over))
	return []string{line}, nil
}

func (b *Bot) cmdRegister(c *change, ev *config.EventConfig, ch understand.Change, lang string) ([]string, error) {
	if ch.By == nil || ch.By.Email == "" {
		return []string{b.composer.Phrase(lang, reply.PhraseNoAddress, ch.Text)}, nil
	}
	p := ch.By
	r, err := c.tx.RegisterLate(ev.ID, store.Person{Name: p.Name, Email: p.Email, Organisation: p.Organisation, Diet: p.Diet, Language: lang}, b.now(), c.mailID, c.sender)
	if err != nil {
		return nil, err
	}
	var kind reply.Kind
	switch r.Outcome {
	case store.Confirmed:
		kind = reply.KindConfirmation
	case store.Waiting:
		kind = reply.KindWaiting
	case store.AlreadyRegistered:
		return []string{b.composer.Phrase(lang, reply.PhraseAlreadyRegistered, b.describeReg(r.Registration, lang))}, nil
	default:
		return []string{b.composer.Phrase(lang, reply.PhraseEventGone, p.Email)}, nil
	}
	if err := b.audit(c, ev, r.Registration.ID, "register", "", b.describeReg(r.Registration, "en")); err != nil {
		return nil, err
	}
	if err := b.notify(c, ev, r.Registration, kind, nil); err != nil {
		return nil, err
	}
	c.res.Decisions = append(c.res.Decisions, fmt.Sprintf("%s <%s>: registered by the organiser for %s (%s)", p.Name, p.Email, ev.ID, r.Outcome))
	return []string{b.composer.Phrase(lang, reply.PhraseNewRegistration, b.describeReg(r.Registration, lang))}, nil
}

func (b *Bot) cmdSeats(c *change, ev *config.EventConfig, ch understand.Change, lang string) ([]string, error) {
	before, err := c.tx.Event(ev.ID)
	if err != nil {
		return nil, err
	}
	if err := c.tx.SetSeats(ev.ID, ch.Seats); err != nil {
		return nil, err
	}
	if err := b.audit(c, ev, 0, "seats", fmt.Sprint(before.EffectiveSeats()), fmt.Sprint(ch.Seats)); err != nil {
		return nil, err
	}
	line := b.composer.Phrase(lang, reply.PhraseSeatsChanged, before.EffectiveSeats(), ch.Seats)
	if ch.Seats < before.Confirmed {
		line += b.composer.Phrase(lang, reply.PhraseSeatsKept, before.Confirmed)
	}
	c.res.Decisions = append(c.res.Decisions, fmt.Sprintf("%s: seats %d → %d", ev.ID, before.EffectiveSeats(), ch.Seats))
	more, err := b.fillSeats(c, ev, lang)
	return append([]string{line}, more...), err
}

// listAttachment is the participant list as an Excel file.
func (b *Bot) listAttachment(tx *store.Tx, ev *config.EventConfig) (reply.Material, error) {
	st, err := tx.Event(ev.ID)
	if err != nil {
		return reply.Material{}, err
	}
	regs, err := tx.Registrations(ev.ID)
	if err != nil {
		return reply.Material{}, err
	}
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, st, regs, b.cfg.Location, b.cfg.Language); err != nil {
		return reply.Material{}, err
	}
	return reply.Material{Name: ev.ID + ".xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: buf.Bytes()}, nil
}

// fillStats puts the event's counts and waiting list into the organiser's
// answer, and for status the mails waiting for a human and the bounces.
func (b *Bot) fillStats(tx *store.Tx, ev *config.EventConfig, r *reply.Reply, status bool) error {
	st, err := tx.Event(ev.ID)
	if err != nil {
		return err
	}
	regs, err := tx.Registrations(ev.ID)
	if err != nil {
		return err
	}
	r.Stats = reply.EventStats{Seats: st.EffectiveSeats(), Confirmed: st.Confirmed, OverCapacity: st.OverCapacity,
		Free: max(0, st.EffectiveSeats()-st.Confirmed), Cancelled: st.Cancelled}
	if st.SeatsOverride != 0 && st.SeatsOverride != st.Seats {
		r.Stats.SeatsConfig = st.Seats
	}
	for _, reg := range regs {
		if reg.Status == store.StatusWaiting {
			r.Waiting = append(r.Waiting, fmt.Sprintf("%s <%s>", reg.Name, reg.Email))
		}
	}
	if status {
		if r.Stats.Manual, err = tx.ManualMails(); err != nil {
			return err
		}
		if r.Bounced, err = tx.Bounced(); err != nil {
			return err
		}
	}
	return nil
}

// courtesyRe matches sentences that are manners, not requests: greetings,
// thanks and sign-offs are not quoted back as "not understood".
var courtesyRe = regexp.MustCompile(`(?i)^\W*(hej|hejsan|hallå|hi|hello|dear|tack|thanks|thank you|hälsningar|mvh|vänliga|med vänlig|bästa|best|regards|kind regards|cheers|god morgon|good morning)([^\p{L}]|$)`)

// notUnderstood returns the sentences of the organiser's own text that
// gave no change and are not mere courtesy: she is told that nothing was
// done for them.
func notUnderstood(msg *message.Message, u understand.Understanding) []string {
	// A sentence is done when a change was read from it, or from the
	// sentence it is part of ("stryk följande:" with the addresses below).
	var done strings.Builder
	for _, c := range u.Changes {
		done.WriteString(strings.TrimSpace(c.Text) + "\n")
	}
	var out []string
	for _, line := range strings.Split(msg.Body, "\n") {
		for _, s := range understand.SplitSentences(line) {
			s = strings.TrimSpace(s)
			if s == "" || strings.Contains(done.String(), strings.TrimSuffix(s, ":")) || courtesyRe.MatchString(s) || len(strings.Fields(s)) < 2 {
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

// decideParticipantChange handles a participant's cancellation or
// colleague: it counts only as a reply to a mail the bot sent to that
// address, or from an authenticated sender, only until changes_close, and
// only for the sender's own registration or those she made for others
// (registered_by). A mail that names anyone else changes nothing: it is
// left for a human and the sender is told.
func (b *Bot) decideParticipantChange(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	sender := senderAddress(msg)
	if sender == "" {
		res.Decisions = append(res.Decisions, "cancellation: the From is not one clear mailbox: nothing changed, left for a human")
		return intake.OutcomeManual, "cancel: unclear sender", nil
	}
	about, answers, err := threadRegistration(tx, msg, sender)
	if err != nil {
		return "", "", err
	}
	ev := b.changeEvent(tx, u, about.EventID)
	if ev == nil {
		res.Decisions = append(res.Decisions, "cancellation: no event could be chosen: left for a human")
		return intake.OutcomeManual, "cancellation without event", nil
	}
	lang := b.replyLanguage(u)
	answer := func(kind reply.Kind) error {
		r := reply.Reply{Kind: kind, Language: lang, Event: ev, Name: displayName(&msg.From),
			To:        []*mail.Address{{Name: msg.From.Name, Address: msg.From.Address}},
			InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID)}
		return b.enqueue(tx, r, mailID, 0, res)
	}
	if in.Arrived.After(ev.ChangesCloseAt) {
		res.Decisions = append(res.Decisions, fmt.Sprintf("%s: changes to %s closed at %s: nothing changed", sender, ev.ID, ev.ChangesCloseAt.In(b.cfg.Location).Format("2006-01-02 15:04")))
		return intake.OutcomeAnswered, "changes closed", answer(reply.KindChangesClosed)
	}
	if !answers && !b.senderProved(msg, sender, in.Arrived) {
		res.Decisions = append(res.Decisions, sender+": cancellation not in reply to our mail and not authenticated: told to reply to the confirmation, nothing changed")
		return intake.OutcomeAnswered, "cancel: reply to confirmation", answer(reply.KindReplyToCancel)
	}
	// Everyone the mail names by address must be someone the sender may
	// change: "avanmäl Anna Ek (anna@…)" in a reply to his own
	// confirmation cancels neither him nor Anna unless he registered her.
	var named []store.Registration
	for _, addr := range b.namedAddresses(msg, u, sender) {
		r, ok, err := tx.FindRegistration(ev.ID, addr)
		if err != nil {
			return "", "", err
		}
		if !ok || !mayChange(sender, r) {
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s names %s, whose registration the sender may not change: nothing changed, left for a human", sender, addr))
			return intake.OutcomeManual, "cancel: names someone else", b.answerNotYours(tx, mailID, msg, ev, lang, res)
		}
		named = append(named, r)
	}
	if len(named) == 0 && len(u.People) > 0 && !slices.ContainsFunc(u.People, func(p understand.Person) bool { return p.Email != "" }) {
		// Only people named without an address, the writer not among them
		// ("Kim Berglöv, som jag anmälde, kommer inte"): those she
		// registered are withdrawn, her own seat stays.
		return b.cancelColleaguesByName(tx, mailID, msg, ev, u, sender, lang, res)
	}
	// The registration to change: the one named; else the sender's own,
	// unless the thread is about someone the sender registered (they were
	// in Cc) and the text names that person.
	target, found, err := tx.FindRegistration(ev.ID, sender)
	if err != nil {
		return "", "", err
	}
	// The reading counts the writer in with those it names ("Jag och Ali
	// Haddad (ali@…) kan inte komma, stryk oss båda"): her own registration
	// goes with theirs, each of which she may change (checked above).
	var withHer []store.Registration
	if found && target.Status != store.StatusCancelled && len(named) > 0 && slices.ContainsFunc(u.People, func(p understand.Person) bool {
		return mailauth.SameAddress(p.Email, sender)
	}) {
		withHer, named = named, nil
	}
	switch {
	case len(withHer) > 0:
	case len(named) == 1:
		target, found = named[0], true
	case len(named) > 1:
		res.Decisions = append(res.Decisions, fmt.Sprintf("%s names %d people: nothing changed, left for a human", sender, len(named)))
		return intake.OutcomeManual, "cancel: several people named", nil
	case about.ID != 0 && about.EventID == ev.ID && about.Status != store.StatusCancelled && !mailauth.SameAddress(about.Email, sender) &&
		mentions(msg, about.Name):
		// The thread's person is changed only when the writer names
		// them: a reply to a colleague's confirmation that names nobody
		// (or someone else) is no unambiguous request about the colleague.
		if !mayChange(sender, about) {
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s answered a mail about %s, whose registration the sender may not change: nothing changed, left for a human", sender, about.Email))
			return intake.OutcomeManual, "cancel: not the sender's registration", b.answerNotYours(tx, mailID, msg, ev, lang, res)
		}
		target, found = about, true
	}
	if !found {
		res.Decisions = append(res.Decisions, sender+": no registration to cancel in "+ev.ID)
		return intake.OutcomeAnswered, "cancel: not registered", answer(reply.KindNotRegistered)
	}
	colleagues, outcome, why, err := b.colleaguesByName(tx, mailID, msg, ev, u, sender, lang, res)
	if err != nil || outcome != "" {
		return outcome, why, err
	}
	colleagues = append(withHer, colleagues...)
	c := &change{tx: tx, mailID: mailID, sender: sender, lang: lang, res: res,
		inReplyTo: msg.MessageID, refs: msg.References}
	if !mailauth.SameAddress(target.Email, sender) {
		c.by = displayName(&msg.From)
	}
	for _, ch := range u.Changes {
		if ch.Action == understand.ActionSubstitute && ch.By != nil && ch.By.Email != "" {
			lines, err := b.substitute(c, ev, target, *ch.By, lang)
			if err != nil {
				return "", "", err
			}
			if len(res.Replies) == 0 {
				// The colleague was already registered: a human sorts it out.
				res.Decisions = append(res.Decisions, strings.Join(lines, "; ")+": left for a human")
				return intake.OutcomeManual, "substitute already registered", nil
			}
			return intake.OutcomeAnswered, ev.ID + ": substituted", nil
		}
	}
	if _, err := b.cancel(c, ev, target, lang); err != nil {
		return "", "", err
	}
	done := map[int64]bool{target.ID: true}
	if len(colleagues) > 0 && !mailauth.SameAddress(target.Email, sender) {
		// The writer withdraws herself with them, whichever confirmation
		// (hers, or one she had in Cc) she answered.
		own, ok, err := tx.FindRegistration(ev.ID, sender)
		if err != nil {
			return "", "", err
		}
		if ok && own.Status != store.StatusCancelled {
			colleagues = append([]store.Registration{own}, colleagues...)
		}
	}
	for _, x := range colleagues {
		if done[x.ID] {
			continue
		}
		done[x.ID] = true
		c.by = ""
		if !mailauth.SameAddress(x.Email, sender) {
			c.by = displayName(&msg.From)
		}
		if _, err := b.cancel(c, ev, x, lang); err != nil {
			return "", "", err
		}
	}
	return intake.OutcomeAnswered, ev.ID + ": cancelled", nil
}

// cancelColleaguesByName withdraws the people a participant's mail names
// without an address and without the writer: each must fit exactly one
// of the live registrations she made (see colleaguesByName), or nothing
// changes.
func (b *Bot) cancelColleaguesByName(tx *store.Tx, mailID int64, msg *message.Message, ev *config.EventConfig, u understand.Understanding,
	sender, lang string, res *Result) (intake.Outcome, string, error) {
	colleagues, outcome, why, err := b.colleaguesByName(tx, mailID, msg, ev, u, sender, lang, res)
	if err != nil || outcome != "" {
		return outcome, why, err
	}
	c := &change{tx: tx, mailID: mailID, sender: sender, lang: lang, res: res,
		inReplyTo: msg.MessageID, refs: msg.References, by: displayName(&msg.From)}
	for _, x := range colleagues {
		if _, err := b.cancel(c, ev, x, lang); err != nil {
			return "", "", err
		}
	}
	return intake.OutcomeAnswered, ev.ID + ": cancelled", nil
}

// colleaguesByName finds the colleagues a withdrawal names without an
// address ("Amir Haddad and I can no longer come") among the live
// registrations of ev that the sender made: a name that fits exactly one
// of them is that registration. A name that fits none of hers is no one
// she may change: nothing is done, she is told, and the mail is left for
// a human. A name that fits several is a question: nothing is done and
// she is asked which, with those who fit. outcome is empty when the
// withdrawal may go ahead with the registrations returned.
func (b *Bot) colleaguesByName(tx *store.Tx, mailID int64, msg *message.Message, ev *config.EventConfig, u understand.Understanding,
	sender, lang string, res *Result) (found []store.Registration, outcome intake.Outcome, why string, err error) {
	var names []string
	for _, p := range u.People {
		if p.Email == "" && p.Name != "" {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return nil, "", "", nil
	}
	regs, err := tx.Registrations(ev.ID)
	if err != nil {
		return nil, "", "", fmt.Errorf("registrations of %s: %w", ev.ID, err)
	}
	for _, name := range names {
		var fits []store.Registration
		for _, r := range regs {
			if r.Status != store.StatusCancelled && r.RegisteredBy != "" && mailauth.SameAddress(r.RegisteredBy, sender) &&
				!mailauth.SameAddress(r.Email, sender) && nameFits(r.Name, name) {
				fits = append(fits, r)
			}
		}
		switch len(fits) {
		case 1:
			found = append(found, fits[0])
		case 0:
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s withdraws %q, who is none of the registrations the sender made in %s: nothing changed, left for a human", sender, name, ev.ID))
			return nil, intake.OutcomeManual, "cancel: names someone else", b.answerNotYours(tx, mailID, msg, ev, lang, res)
		default:
			var lines []string
			for _, r := range fits {
				lines = append(lines, b.describeReg(r, lang))
			}
			rp := whichQuestion(msg, ev, lang, sentenceNaming(msg, name), lines)
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s withdraws %q, who fits %d registrations the sender made: asked which, nothing changed", sender, name, len(fits)))
			return nil, intake.OutcomeAnswered, "asked which person", b.enqueue(tx, rp, mailID, 0, res)
		}
	}
	return found, "", "", nil
}

// sentenceNaming returns the sentence of the writer's own text that names
// name, for the question that quotes it; else the first sentence.
func sentenceNaming(msg *message.Message, name string) string {
	for _, line := range strings.Split(msg.Body, "\n") {
		for _, s := range understand.SplitSentences(line) {
			if strings.Contains(strings.ToLower(s), strings.ToLower(name)) {
				return s
			}
		}
	}
	return firstSentence(msg)
}

// nameFits reports whether the name written (a full name, or a first name
// alone) is the registration's name, ignoring case and spaces.
func nameFits(registered, written string) bool {
	r, w := strings.Fields(strings.ToLower(registered)), strings.Fields(strings.ToLower(written))
	if len(w) == 0 || len(r) == 0 {
		return false
	}
	if len(w) == 1 {
		return r[0] == w[0]
	}
	return strings.Join(r, " ") == strings.Join(w, " ")
}

// namedAddresses returns every address the mail names as someone to act
// on, other than the sender's and the bot's: the people the understanding
// found, and any address written in the writer's own words, so that an
// address the reading did not bind to a person still counts as naming
// someone ("Avanmäl Dora Lund (dora@…)" must never act on another
// registration of the thread).
func (b *Bot) namedAddresses(msg *message.Message, u understand.Understanding, sender string) []string {
	var out []string
	add := func(addr string) {
		if addr == "" || mailauth.SameAddress(addr, sender) || mailauth.SameAddress(addr, b.botAddr) {
			return
		}
		for _, o := range out {
			if mailauth.SameAddress(o, addr) {
				return
			}
		}
		out = append(out, addr)
	}
	by := map[string]bool{}
	for _, ch := range u.Changes {
		if ch.By != nil && ch.By.Email != "" {
			by[strings.ToLower(ch.By.Email)] = true // a substitute, not someone acted on
		}
	}
	for _, p := range u.People {
		add(p.Email)
	}
	for _, a := range message.LooseAddresses(msg.Body) {
		if !by[strings.ToLower(a.Address)] {
			add(a.Address)
		}
	}
	return out
}

// mentions reports whether the writer's own text names the person (by
// first name or full name).
func mentions(msg *message.Message, name string) bool {
	f := strings.Fields(strings.ToLower(name))
	return len(f) > 0 && message.Phrases{"|" + f[0] + "|"}.Find(msg.Split.Own) != ""
}

// acceptOffer accepts an open offer of a seat when the mail says yes (or
// registers again) in reply to our mail to that address. It returns false
// when the mail is not such an answer.
func (b *Bot) acceptOffer(tx *store.Tx, mailID int64, arrived time.Time, msg *message.Message, u understand.Understanding, res *Result) (bool, error) {
	if u.Kind != understand.KindOther && u.Kind != understand.KindRegistration {
		return false, nil
	}
	sender := senderAddress(msg)
	if sender == "" {
		return false, nil
	}
	// Every registration and every other mail passes here; one indexed
	// question settles nearly all of them, where a full lookup per event
	// was a tenth of the daemon's CPU in a drain of new registrations.
	if offered, err := tx.HasOpenOffer(sender); err != nil || !offered {
		return false, err
	}
	for i := range b.cfg.Events {
		ev := &b.cfg.Events[i]
		r, ok, err := tx.FindRegistration(ev.ID, sender)
		if err != nil {
			return false, err
		}
		if !ok || r.OfferUntil.IsZero() || !(understand.AnswersYes(msg) || u.Kind == understand.KindRegistration) {
			continue
		}
		thread, err := tx.SentTo(append(append([]string{}, msg.InReplyTo...), msg.References...), sender)
		if err != nil {
			return false, err
		}
		if len(thread) == 0 && !b.senderProved(msg, sender, arrived) {
			continue
		}
		c := &change{tx: tx, mailID: mailID, sender: sender, lang: b.replyLanguage(u), res: res}
		if u.Kind != understand.KindRegistration && understand.UnsureYes(msg) {
			// "Ja, om jag hinner": a seat is not given on a maybe; she is
			// asked for a plain YES.
			_, _, err := b.ask(tx, mailID, msg, ev, r, store.ConfirmAccept, understand.Change{Text: firstSentence(msg)}, c.lang, res)
			return err == nil, err
		}
		return true, b.acceptSeat(c, ev, r, msg)
	}
	return false, nil
}

// firstSentence is the first sentence of the writer's own text, for a
// question that quotes it.
func firstSentence(msg *message.Message) string {
	body := strings.TrimSpace(msg.Body)
	if body == "" {
		body = strings.TrimSpace(msg.Split.Own)
	}
	if ss := understand.SplitSentences(strings.SplitN(body, "\n", 2)[0]); len(ss) > 0 {
		return ss[0]
	}
	return ""
}

// acceptSeat accepts the open offer of r, a reply to msg, and tells her.
func (b *Bot) acceptSeat(c *change, ev *config.EventConfig, r store.Registration, msg *message.Message) error {
	if err := c.tx.AcceptOffer(r.ID, b.now()); err != nil {
		return err
	}
	after, err := c.tx.Registration(r.ID)
	if err != nil {
		return err
	}
	if err := b.audit(c, ev, r.ID, "accept", b.describeState(r, "en"), b.describeState(after, "en")); err != nil {
		return err
	}
	if err := b.notify(c, ev, after, reply.KindPromoted, func(rp *reply.Reply) {
		rp.InReplyTo, rp.References = msg.MessageID, append(append([]string{}, msg.References...), msg.MessageID)
	}); err != nil {
		return err
	}
	c.res.Decisions = append(c.res.Decisions, fmt.Sprintf("%s: accepted the seat offered in %s", c.sender, ev.ID))
	return nil
}

// Tick expires the offers of seats whose deadline has passed: each seat
// passes to the next on the waiting list, and the one who did not answer
// is told. Then it does the scheduled work (see scheduled): reminders,
// material updates, the organisers' digest and the erasure of personal
// data after the retention time. The daemon calls it every round; the
// deadlines and what was sent are in the database, so a restart loses
// none and sends nothing twice. It returns how many offers expired and
// fails when the database cannot be written.
func (b *Bot) Tick(ctx context.Context) (int, error) {
	due, err := b.store.DueOffers(ctx, b.now())
	if err != nil {
		return 0, fmt.Errorf("tick: %w", err)
	}
	n := 0
	for _, o := range due {
		ev, ok := b.cfg.EventByID(o.EventID)
		if !ok {
			continue
		}
		res := Result{}
		err := b.store.Update(ctx, func(tx *store.Tx) error {
			res = Result{}
			r, err := tx.ExpireOffer(o.RegistrationID, b.now())
			if errors.Is(err, store.ErrNoOffer) {
				return nil // answered or cancelled meanwhile
			}
			if err != nil {
				return err
			}
			c := &change{tx: tx, sender: "", res: &res}
			if err := b.audit(c, ev, r.ID, "offer-expired", "confirmed, seat offered", "cancelled"); err != nil {
				return err
			}
			if err := b.notify(c, ev, r, reply.KindOfferExpired, func(rp *reply.Reply) { rp.Deadline = o.Deadline }); err != nil {
				return err
			}
			res.Decisions = append(res.Decisions, fmt.Sprintf("%s <%s>: the offer of a seat in %s expired", r.Name, r.Email, ev.ID))
			_, err = b.fillSeats(c, ev, b.cfg.Language)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("tick: expire offer %d: %w", o.RegistrationID, err)
		}
		if len(res.Decisions) > 0 {
			n++
			b.log.Info("offer expired", slog.String("event", ev.ID), slog.Int64("registration", o.RegistrationID),
				slog.String("decision", strings.Join(res.Decisions, "; ")))
		}
	}
	// Reminders, material updates, the digest and the erasure after the
	// retention time: each recorded in the database, so sent once.
	if err := b.scheduled(ctx); err != nil {
		return n, fmt.Errorf("tick: %w", err)
	}
	return n, nil
}
