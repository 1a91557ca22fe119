package mailbot

import (
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
)

// replyCapWindow is the period over which max_replies_per_address counts.
const replyCapWindow = 24 * time.Hour

// overReplyCap returns the first of addrs that has already been sent
// max_replies_per_address replies in the last 24 hours, and true; the
// outbox is read inside tx, so that the count and the reply that would
// exceed it are decided together. An auto-responder that does not mark
// its answers (no Auto-Submitted, no Precedence) looks like a person;
// this cap is what ends the exchange with it.
func (b *Bot) overReplyCap(tx *store.Tx, addrs ...string) (string, bool, error) {
	// The loader gave the key its default; the config is always loaded.
	limit := b.cfg.SMTP.MaxRepliesPerAddress
	since := b.now().Add(-replyCapWindow)
	seen := map[string]bool{}
	for _, a := range addrs {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" || seen[a] {
			continue
		}
		seen[a] = true
		n, err := tx.RepliesTo(a, since)
		if err != nil {
			return "", false, err
		}
		if n >= limit {
			b.log.Warn("reply cap reached: mail left for a human", slog.String("address", a),
				slog.Int("replies_24h", n), slog.Int("max_replies_per_address", limit))
			return a, true, nil
		}
	}
	return "", false, nil
}

// UndeliverableNotice queues, inside tx, a short notice to the organisers
// that the reply failed could not be delivered. Notices about notices are
// not sent: an organiser address that refuses mail would otherwise keep
// the bot writing to it.
func (b *Bot) UndeliverableNotice(tx *store.Tx, failed store.Outgoing) error {
	if reply.Kind(failed.Kind) == reply.KindUndeliverable {
		return nil
	}
	var to []*mail.Address
	for _, a := range b.cfg.Organisers.Addresses {
		if !strings.EqualFold(a, b.botAddr) {
			to = append(to, &mail.Address{Address: a})
		}
	}
	if len(to) == 0 {
		return nil
	}
	subject := failed.Subject
	if subject == "" {
		subject = message.SubjectOf(failed.Raw)
	}
	if subject == "" {
		subject = failed.Kind
	}
	now := b.now()
	c, err := b.composer.Compose(reply.Reply{
		Kind: reply.KindUndeliverable, Language: b.cfg.Language, To: to, Name: "-",
		Failed: &reply.FailedReply{
			To: strings.Join(failed.Recipients, ", "), Subject: subject,
			MessageID: failed.MessageID, Reason: failed.LastError,
		},
	}, now)
	if err != nil {
		return fmt.Errorf("compose undeliverable notice: %w", err)
	}
	if _, err := tx.Enqueue(store.Outgoing{
		MessageID: c.MessageID, EnvelopeFrom: b.botAddr, Recipients: c.Recipients,
		Raw: c.Raw, Parts: outgoingParts(c.Blobs), Subject: message.SubjectOf(c.Raw), Kind: string(reply.KindUndeliverable), MailID: failed.MailID, RegistrationID: failed.RegistrationID,
	}, now); err != nil {
		return fmt.Errorf("enqueue undeliverable notice: %w", err)
	}
	b.log.Info("organisers told of an undeliverable reply", slog.String("message_id", failed.MessageID),
		slog.String("notice", c.MessageID))
	return nil
}
