package mailbot

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
	"github.com/goteborgsregionen/anmalan/understand"
)

// A change that takes a seat from someone or gives it to someone else
// happens only on one unambiguous reading. When the bot has one reading
// but is not sure of it ("om jag inte hinner får ni stryka mig", "Ja,
// kanske"), it asks: the sender gets what it understood and "Svara JA så
// …"; only a YES that replies to that very question, from the address it
// was sent to, carries it out. When even a question would be a guess (the
// mail is about someone else, or nobody can be found to change), the mail
// is left for a human.

// refsOf returns the Message-IDs a reply names: In-Reply-To, then
// References.
func refsOf(msg *message.Message) []string {
	return append(append([]string{}, msg.InReplyTo...), msg.References...)
}

// threadRegistration is the registration the mail's thread is about: that
// of the first of the bot's mails to sender which the mail answers and
// which belongs to one, or the zero Registration when none does. answers
// reports whether the mail answers any mail the bot sent to sender.
func threadRegistration(tx *store.Tx, msg *message.Message, sender string) (reg store.Registration, answers bool, err error) {
	thread, err := tx.SentTo(refsOf(msg), sender)
	if err != nil {
		return store.Registration{}, false, err
	}
	for _, o := range thread {
		if o.RegistrationID != 0 {
			reg, err = tx.Registration(o.RegistrationID)
			return reg, true, err
		}
	}
	return store.Registration{}, len(thread) > 0, nil
}

// whichQuestion is the answer "Vem menar du? Inget är ändrat" to msg: it
// quotes asked and lists the registrations (lines) that fit.
func whichQuestion(msg *message.Message, ev *config.EventConfig, lang, asked string, lines []string) reply.Reply {
	return reply.Reply{Kind: reply.KindConfirm, Mode: "which", Language: lang, Event: ev, Name: displayName(&msg.From),
		To:        []*mail.Address{{Name: msg.From.Name, Address: msg.From.Address}},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID),
		Asked: message.Clip(asked, 300), Lines: lines}
}

// confirmMode is the question's wording for each change.
var confirmMode = map[store.ConfirmAction]string{
	store.ConfirmCancel: "cancel", store.ConfirmSubstitute: "substitute", store.ConfirmForget: "forget", store.ConfirmAccept: "accept",
}

// askConfirmation answers a participant's mail that asks, unsurely, for a
// change to her own registration (u.Ask): nothing changes; she is asked
// to reply YES, and the question is recorded, bound to its Message-ID and
// her address. A mail whose registration or event cannot be found is left
// for a human.
func (b *Bot) askConfirmation(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	sender := strings.ToLower(msg.From.Address)
	if len(u.Changes) == 0 {
		if b.cfg.IsOrganiser(sender) {
			return b.askOrganiserWhom(tx, mailID, msg, u, res)
		}
		if out, why, asked, err := b.askWhichSeat(tx, mailID, in, msg, u, res); err != nil || asked {
			return out, why, err
		}
		res.Decisions = append(res.Decisions, "unsure, with no change to ask about: left for a human ("+u.Reason+")")
		return intake.OutcomeManual, "unsure", nil
	}
	if b.cfg.IsOrganiser(sender) && slices.ContainsFunc(u.Changes, func(c understand.Change) bool { return len(c.Candidates) > 1 }) {
		return b.askWhom(tx, mailID, msg, u, res)
	}
	ch := u.Changes[0]
	action := store.ConfirmCancel
	if ch.Action == understand.ActionSubstitute {
		action = store.ConfirmSubstitute
		if ch.By == nil || ch.By.Email == "" {
			res.Decisions = append(res.Decisions, "unsure substitution without the colleague's address: left for a human")
			return intake.OutcomeManual, "unsure substitution", nil
		}
	}
	if addr, over, err := b.overReplyCap(tx, sender); err != nil {
		return "", "", err
	} else if over {
		res.Decisions = append(res.Decisions, "reply cap reached for "+addr+": not answered, left for a human")
		return intake.OutcomeManual, "max_replies_per_address reached for " + addr, nil
	}
	about, _, err := threadRegistration(tx, msg, sender)
	if err != nil {
		return "", "", err
	}
	ev := b.changeEvent(tx, u, about.EventID)
	if ev == nil {
		res.Decisions = append(res.Decisions, "unsure change, and no event could be chosen: left for a human")
		return intake.OutcomeManual, "unsure change without event", nil
	}
	target, found, err := tx.FindRegistration(ev.ID, sender)
	if err != nil {
		return "", "", err
	}
	if !found && about.ID != 0 && about.EventID == ev.ID && about.Status != store.StatusCancelled && strings.EqualFold(about.RegisteredBy, sender) {
		// The thread is about someone the sender registered.
		target, found = about, true
	}
	if !found {
		res.Decisions = append(res.Decisions, sender+": unsure change, but no registration of the sender's in "+ev.ID+": left for a human")
		return intake.OutcomeManual, "unsure change: not registered", nil
	}
	lang := b.replyLanguage(u)
	if in.Arrived.After(ev.ChangesCloseAt) {
		return b.answerClosed(tx, mailID, msg, ev, lang, res)
	}
	return b.ask(tx, mailID, msg, ev, target, action, ch, lang, res)
}

// askOrganiserWhom answers an organiser's change that names nobody the
// reader could bind ("Ta bort henne från listan." with nobody named, "X
// kommer som ersättare" without whose place): nothing changes, and she is
// told so, with her words, and asked to write the change again with the
// person's name and address. A forged one gets the forgery's answer.
func (b *Bot) askOrganiserWhom(tx *store.Tx, mailID int64, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	if !u.SenderAuthenticated {
		return b.warnForged(tx, mailID, msg, u, res)
	}
	var asked []string
	for _, a := range u.Alternatives {
		if a.Text != "" && !slices.Contains(asked, a.Text) {
			asked = append(asked, a.Text)
		}
	}
	ev := b.changeEvent(tx, u, "")
	if err := b.enqueue(tx, whichQuestion(msg, ev, b.replyLanguage(u), strings.Join(asked, " "), nil), mailID, 0, res); err != nil {
		return "", "", err
	}
	res.Decisions = append(res.Decisions, "organiser's change names nobody it could be about ("+u.Reason+"): asked whom she means, nothing changed")
	return intake.OutcomeAnswered, "asked whom", nil
}

// askWhichSeat answers a participant's unsure change that names nobody
// ("avboka en av våra två platser") when she holds or made more than one
// live registration in the event: nothing changes, and she is asked which
// of them she means, with the list, to write again with that one's
// address. It reports false, with nothing sent, when the seats are not
// hers to choose among (one or none, no event to be found), so that a
// human takes the mail.
func (b *Bot) askWhichSeat(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, bool, error) {
	sender := strings.ToLower(msg.From.Address)
	about, _, err := threadRegistration(tx, msg, sender)
	if err != nil {
		return "", "", false, err
	}
	ev := b.changeEvent(tx, u, about.EventID)
	if ev == nil {
		return "", "", false, nil
	}
	regs, err := tx.Registrations(ev.ID)
	if err != nil {
		return "", "", false, err
	}
	lang := b.replyLanguage(u)
	var lines []string
	for _, r := range regs {
		if r.Status != store.StatusCancelled && (r.Email == sender || strings.EqualFold(r.RegisteredBy, sender)) {
			lines = append(lines, b.describeReg(r, lang))
		}
	}
	if len(lines) < 2 {
		return "", "", false, nil
	}
	if addr, over, err := b.overReplyCap(tx, sender); err != nil {
		return "", "", false, err
	} else if over {
		res.Decisions = append(res.Decisions, "reply cap reached for "+addr+": not answered, left for a human")
		return intake.OutcomeManual, "max_replies_per_address reached for " + addr, true, nil
	}
	if in.Arrived.After(ev.ChangesCloseAt) {
		out, why, err := b.answerClosed(tx, mailID, msg, ev, lang, res)
		return out, why, true, err
	}
	if err := b.enqueue(tx, whichQuestion(msg, ev, lang, firstSentence(msg), lines), mailID, 0, res); err != nil {
		return "", "", false, err
	}
	res.Decisions = append(res.Decisions, fmt.Sprintf("%s: a change of one of %d registrations in %s without saying which: asked which, nothing changed", sender, len(lines), ev.ID))
	return intake.OutcomeAnswered, "asked which registration", true, nil
}

// ask sends the question and records it.
func (b *Bot) ask(tx *store.Tx, mailID int64, msg *message.Message, ev *config.EventConfig, target store.Registration, action store.ConfirmAction,
	ch understand.Change, lang string, res *Result) (intake.Outcome, string, error) {
	sender := strings.ToLower(msg.From.Address)
	r := reply.Reply{Kind: reply.KindConfirm, Language: lang, Event: ev, Name: displayName(&msg.From),
		To:        []*mail.Address{{Name: msg.From.Name, Address: msg.From.Address}},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID),
		Mode: confirmMode[action], Asked: message.Clip(strings.TrimSpace(ch.Text), 300)}
	var by understand.Person
	switch {
	case action == store.ConfirmSubstitute:
		by = *ch.By
		r.Others = by.Name
		if r.Others == "" {
			r.Others = by.Email
		}
	case target.Email != sender:
		r.Others = target.Name
	}
	n := len(res.Replies)
	if err := b.enqueue(tx, r, mailID, target.ID, res); err != nil {
		return "", "", err
	}
	if len(res.Replies) != n+1 {
		return "", "", errors.New("ask: the question was not queued")
	}
	if _, err := tx.AskConfirmation(store.Confirmation{MessageID: res.Replies[n].MessageID, Address: sender, EventID: ev.ID,
		RegistrationID: target.ID, Action: action, ByName: by.Name, ByEmail: by.Email, Text: r.Asked, MailID: mailID, AskedAt: b.now()}); err != nil {
		return "", "", err
	}
	res.Decisions = append(res.Decisions, fmt.Sprintf("%s: unsure (%s %s <%s> in %s): asked to reply YES, nothing changed", sender, action, target.Name, target.Email, ev.ID))
	return intake.OutcomeAnswered, fmt.Sprintf("%s: asked to confirm %s", ev.ID, action), nil
}

// answerClosed tells the sender that changes by mail have closed.
func (b *Bot) answerClosed(tx *store.Tx, mailID int64, msg *message.Message, ev *config.EventConfig, lang string, res *Result) (intake.Outcome, string, error) {
	r := reply.Reply{Kind: reply.KindChangesClosed, Language: lang, Event: ev, Name: displayName(&msg.From),
		To:        []*mail.Address{{Name: msg.From.Name, Address: msg.From.Address}},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID)}
	res.Decisions = append(res.Decisions, fmt.Sprintf("%s: changes to %s closed at %s: nothing changed", msg.From.Address, ev.ID, ev.ChangesCloseAt.In(b.cfg.Location).Format("2006-01-02 15:04")))
	return intake.OutcomeAnswered, "changes closed", b.enqueue(tx, r, mailID, 0, res)
}

// answerConfirmation carries out the change of an open question when msg
// answers it with a sure YES from the address the question went to. An
// answer that is not a YES closes the question, changing nothing, and
// returns false so that the mail is decided as any other. It returns
// false, too, when msg answers no open question of ours to its sender.
func (b *Bot) answerConfirmation(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, res *Result) (bool, intake.Outcome, string, error) {
	sender := strings.ToLower(msg.From.Address)
	q, ok, err := tx.OpenConfirmation(refsOf(msg), sender)
	if err != nil || !ok {
		return false, "", "", err
	}
	if !understand.AnswersYes(msg) || understand.UnsureYes(msg) {
		if err := tx.CloseConfirmation(q.ID, store.ConfirmDeclined, b.now()); err != nil {
			return false, "", "", err
		}
		res.Decisions = append(res.Decisions, fmt.Sprintf("%s: the answer to our question (%s) is not a YES: nothing changed by it", sender, q.Action))
		return false, "", "", nil
	}
	if err := tx.CloseConfirmation(q.ID, store.ConfirmDone, b.now()); err != nil {
		return false, "", "", err
	}
	ev, ok := b.cfg.EventByID(q.EventID)
	if !ok {
		res.Decisions = append(res.Decisions, "YES to our question, but its event is no longer in the config: left for a human")
		return true, intake.OutcomeManual, "confirmed: event gone", nil
	}
	lang := b.replyLanguage(u)
	if in.Arrived.After(ev.ChangesCloseAt) {
		o, d, err := b.answerClosed(tx, mailID, msg, ev, lang, res)
		return true, o, d, err
	}
	target, err := tx.Registration(q.RegistrationID)
	if err != nil {
		return false, "", "", fmt.Errorf("registration of question %d: %w", q.ID, err)
	}
	if target.Status == store.StatusCancelled {
		res.Decisions = append(res.Decisions, fmt.Sprintf("YES to our question, but %s <%s> is no longer registered for %s: nothing changed, left for a human", target.Name, target.Email, ev.ID))
		return true, intake.OutcomeManual, "confirmed: already cancelled", nil
	}
	c := &change{tx: tx, mailID: mailID, sender: sender, lang: lang, res: res}
	if target.Email != sender {
		c.by = displayName(&msg.From)
	}
	switch q.Action {
	case store.ConfirmCancel:
		if _, err := b.cancel(c, ev, target, lang); err != nil {
			return false, "", "", err
		}
		return true, intake.OutcomeAnswered, ev.ID + ": cancelled on YES", nil
	case store.ConfirmSubstitute:
		n := len(res.Replies)
		lines, err := b.substitute(c, ev, target, understand.Person{Name: q.ByName, Email: q.ByEmail}, lang)
		if err != nil {
			return false, "", "", err
		}
		if len(res.Replies) == n {
			res.Decisions = append(res.Decisions, strings.Join(lines, "; ")+": left for a human")
			return true, intake.OutcomeManual, "substitute already registered", nil
		}
		return true, intake.OutcomeAnswered, ev.ID + ": substituted on YES", nil
	case store.ConfirmAccept:
		if target.OfferUntil.IsZero() {
			res.Decisions = append(res.Decisions, "YES to our question, but the offer of a seat is no longer open: left for a human")
			return true, intake.OutcomeManual, "confirmed: no offer", nil
		}
		if err := b.acceptSeat(c, ev, target, msg); err != nil {
			return false, "", "", err
		}
		return true, intake.OutcomeAnswered, "offer accepted on YES", nil
	}
	res.Decisions = append(res.Decisions, fmt.Sprintf("YES to a question about %q, which the bot does not carry out: left for a human", q.Action))
	return true, intake.OutcomeManual, "confirmed: unknown change", nil
}

// askWhom answers an organiser's change that names someone who fits more
// than one person ("Anna kan inte komma, stryk henne" with two Annas in
// the thread): nothing changes; she is told whom it may mean, with their
// registrations, and asked to write the address of the one she means. A
// YES could not choose between them, so no confirmation is recorded: her
// answer is a new command. A mail that is not proved to be hers is
// treated as any such command: the organisers are warned.
func (b *Bot) askWhom(tx *store.Tx, mailID int64, msg *message.Message, u understand.Understanding, res *Result) (intake.Outcome, string, error) {
	if !u.SenderAuthenticated {
		return b.warnForged(tx, mailID, msg, u, res)
	}
	ev := b.changeEvent(tx, u, "")
	lang := b.replyLanguage(u)
	var lines, asked, names []string
	for _, ch := range u.Changes {
		if len(ch.Candidates) < 2 {
			continue
		}
		asked = append(asked, strings.TrimSpace(ch.Text))
		for _, p := range ch.Candidates {
			line := fmt.Sprintf("%s <%s>", p.Name, p.Email)
			if ev != nil {
				reg, ok, err := tx.FindRegistration(ev.ID, p.Email)
				if err != nil {
					return "", "", fmt.Errorf("candidate %s: %w", p.Email, err)
				}
				if ok {
					line = b.describeReg(reg, lang)
				}
			}
			lines = append(lines, line)
			names = append(names, p.Email)
		}
	}
	if err := b.enqueue(tx, whichQuestion(msg, ev, lang, strings.Join(slices.Compact(asked), " "), lines), mailID, 0, res); err != nil {
		return "", "", err
	}
	res.Decisions = append(res.Decisions, fmt.Sprintf("organiser's change names someone who fits several people (%s): asked whom she means, nothing changed", strings.Join(names, ", ")))
	return intake.OutcomeAnswered, "asked which person", nil
}
