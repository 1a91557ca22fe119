package mailbot

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
	"github.com/goteborgsregionen/anmalan/understand"
)

// handleTooLarge records a mail that is too large to download: only its
// position, size and envelope are kept, it is left for a human, and the
// organisers are told, all in one transaction. The envelope's Message-ID
// (or, without one, the IMAP position) makes the same mail count once.
func (b *Bot) handleTooLarge(ctx context.Context, in intake.Incoming, size, limit int64, env *intake.Envelope, place string) (Result, error) {
	detail := fmt.Sprintf("%d bytes, over the limit of %d", size, limit)
	hdr := fmt.Sprintf("X-Anmalan-Too-Large: %s/%d/%d/%d\r\n", in.Mailbox, in.UIDValidity, in.UID, size)
	if env != nil && env.MessageID != "" {
		hdr = "Message-ID: <" + env.MessageID + ">\r\n" + hdr
	}
	in.Raw = []byte(hdr + "\r\n")
	st, key, err := b.Record(ctx, in)
	if err != nil {
		return Result{}, err
	}
	res := Result{MailID: st.ID, Key: key, Outcome: intake.OutcomeTooLarge, Duplicate: st.Done,
		Decisions: []string{"mail of " + detail + ": not downloaded, left for a human"}}
	if st.Done {
		res.Outcome = intake.Outcome(st.Outcome)
		return res, b.store.SetCheckpoint(ctx, in.Mailbox, in.UIDValidity, in.UID)
	}
	n := b.newNotice("too-large", in, env, place)
	n.Size, n.Limit = megabytes(size), megabytes(limit)
	err = b.store.Update(ctx, func(tx *store.Tx) error {
		res.Replies = nil
		if err := b.noticeOrganisers(tx, st.ID, n, &res); err != nil {
			return err
		}
		if err := tx.FinishMail(st.ID, string(intake.OutcomeTooLarge), detail, b.now()); err != nil {
			return err
		}
		return tx.SetCheckpoint(in.Mailbox, in.UIDValidity, in.UID)
	})
	if err != nil {
		return res, fmt.Errorf("record large mail: %w", err)
	}
	return res, nil
}

// giveUp records that a mail failed attempts times and is left for a
// human and tells the organisers, in one transaction. (The checkpoint
// passed the mail when it was recorded.)
func (b *Bot) giveUp(ctx context.Context, in intake.Incoming, mailID int64, attempts int, cause error, env *intake.Envelope, place string) error {
	n := b.newNotice(string(intake.OutcomeFailed), in, env, place)
	n.Attempts, n.Error = attempts, cause.Error()
	var res Result
	err := b.store.Update(ctx, func(tx *store.Tx) error {
		res.Replies = nil
		if err := b.noticeOrganisers(tx, mailID, n, &res); err != nil {
			return err
		}
		return tx.FinishMail(mailID, string(intake.OutcomeFailed), fmt.Sprintf("failed %d times: %v", attempts, cause), b.now())
	})
	if err != nil {
		return fmt.Errorf("give mail up to a human: %w", err)
	}
	return nil
}

// newNotice fills in what every notice says about the mail.
func (b *Bot) newNotice(reason string, in intake.Incoming, env *intake.Envelope, place string) *reply.Notice {
	n := &reply.Notice{Reason: reason, Mailbox: place, Keyword: string(intake.KeywordManual),
		Arrived: in.Arrived.In(b.cfg.Location).Format("2006-01-02 15:04")}
	if env != nil {
		n.Subject = env.Subject
		var from []string
		for _, a := range env.From {
			from = append(from, a.String())
		}
		n.From = strings.Join(from, ", ")
	}
	if n.Subject == "" {
		n.Subject = "(no subject)"
	}
	if n.From == "" {
		n.From = "(unknown)"
	}
	return n
}

// noticeOrganisers puts a notice to every organiser into the outbox,
// inside tx.
func (b *Bot) noticeOrganisers(tx *store.Tx, mailID int64, n *reply.Notice, res *Result) error {
	var to []*mail.Address
	for _, a := range b.cfg.Organisers.Addresses {
		to = append(to, &mail.Address{Address: a})
	}
	if len(to) == 0 {
		return nil
	}
	r := reply.Reply{Kind: reply.KindNotice, Language: b.cfg.Language, To: to, Name: "-", Notice: n}
	return b.enqueue(tx, r, mailID, 0, res)
}

// megabytes writes a size for people: "31.2 MB".
func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// intakeBot is the Bot as the intake's Decider sees it.
type intakeBot struct{ b *Bot }

var _ intake.Decider = intakeBot{}

// Decider returns the Bot as the intake decides through it.
func (b *Bot) Decider() intake.Decider { return intakeBot{b} }

func (ib intakeBot) DecideAll(ctx context.Context, mails []intake.Recorded) ([]intake.Outcome, error) {
	res, err := ib.b.DecideAll(ctx, mails)
	outcomes := make([]intake.Outcome, len(res))
	for i, r := range res {
		ib.b.logResult(mails[i].In, r)
		outcomes[i] = r.Outcome
	}
	return outcomes, err
}

func (ib intakeBot) TooLarge(ctx context.Context, in intake.Incoming, size, limit int64, env *intake.Envelope, place string) (intake.Outcome, error) {
	res, err := ib.b.handleTooLarge(ctx, in, size, limit, env, place)
	if err != nil {
		return "", err
	}
	ib.b.logResult(in, res)
	return res.Outcome, nil
}

func (ib intakeBot) GiveUp(ctx context.Context, in intake.Incoming, mailID int64, key string, attempts int, cause error, env *intake.Envelope, place string) error {
	if err := ib.b.giveUp(ctx, in, mailID, attempts, cause, env, place); err != nil {
		return err
	}
	ib.b.logResult(in, Result{MailID: mailID, Key: key, Outcome: intake.OutcomeFailed})
	return nil
}

func (ib intakeBot) Met(in intake.Incoming, mailID int64, key string, outcome intake.Outcome) {
	ib.b.logResult(in, Result{MailID: mailID, Key: key, Outcome: outcome, Duplicate: true})
}

func (ib intakeBot) Now() time.Time { return ib.b.now() }

func (ib intakeBot) Address() string { return ib.b.botAddr }

// Takes reports whether the subject is about registering or cancelling,
// or names an event by its id or a keyword.
func (ib intakeBot) Takes(subject string) bool {
	subject = strings.ToLower(subject)
	if understand.RegisterPhrases.Find(subject) != "" || understand.CancelPhrases.Find(subject) != "" {
		return true
	}
	for _, ev := range ib.b.cfg.Events {
		for _, w := range append([]string{ev.ID}, ev.Keywords...) {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" && strings.Contains(subject, w) {
				return true
			}
		}
	}
	return false
}
