package mailbot

import (
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/mailauth"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
	"github.com/goteborgsregionen/anmalan/understand"
)

// forgedWindow is how long one warning about a forged sender stands for
// every further forged command from that sender.
const forgedWindow = time.Hour

// senderAddress returns the mail's one From address as mailauth.FromAddress
// normalises it, or "" when From is not exactly one well-formed mailbox, so
// that the address authenticated and the address acted for are the same.
func senderAddress(msg *message.Message) string {
	if msg == nil || msg.Header.Len() == 0 || msg.Header.Get("From") == "" {
		return ""
	}
	a, err := mailauth.FromAddress(&msg.Header)
	if err != nil {
		return ""
	}
	return a
}

// senderProved reports whether msg's From is proved to be sender
// (mailauth.Authenticate on the raw bytes, at arrival). trust-from proves
// nothing for participants: it lets tests give organiser commands, and
// must not let anyone change a registration by writing its From.
func (b *Bot) senderProved(msg *message.Message, sender string, arrived time.Time) bool {
	if b.auth.Mode == mailauth.ModeTrustFrom || len(msg.Raw) == 0 || sender == "" {
		return false
	}
	v := mailauth.Authenticate(b.auth, msg.Raw, arrived)
	return v.Authenticated && mailauth.SameAddress(v.Address, sender)
}

// mayChange reports whether r is sender's own or one she made for another.
func mayChange(sender string, r store.Registration) bool {
	return mailauth.SameAddress(sender, r.Email) || (r.RegisteredBy != "" && mailauth.SameAddress(sender, r.RegisteredBy))
}

// forgedDetail is the recorded detail of a refused forged command, by
// which later ones from the same sender (the From address, or the field
// as written when it is no single mailbox) find the warning already sent.
func forgedDetail(msg *message.Message) string {
	key := senderAddress(msg)
	if key == "" {
		key = strings.Join(strings.Fields(msg.Header.Get("From")), " ")
	}
	return "untrusted command from " + key
}

// groupTooLarge leaves a registration of more than max_group_size people
// from anyone but a proved organiser for a human, and tells the organisers.
func (b *Bot) groupTooLarge(tx *store.Tx, mailID int64, in intake.Incoming, msg *message.Message, u understand.Understanding, people int, res *Result) (bool, error) {
	if u.SenderAuthenticated || people <= b.cfg.MaxGroupSize || b.cfg.MaxGroupSize <= 0 {
		return false, nil
	}
	place := b.cfg.IMAP.Mailbox
	if b.cfg.IMAP.ManualMailbox != "" {
		place = b.cfg.IMAP.ManualMailbox
	}
	n := b.newNotice("too-many", in, nil, place)
	n.From, n.Subject = msg.From.String(), msg.Subject
	if n.Subject == "" {
		n.Subject = "(no subject)"
	}
	n.Size, n.Limit = fmt.Sprint(people), fmt.Sprint(b.cfg.MaxGroupSize)
	if err := b.noticeOrganisers(tx, mailID, n, res); err != nil {
		return false, err
	}
	b.log.Warn("registration of too many people left for a human", slog.String("from", msg.From.Address),
		slog.String("message_id", msg.MessageID), slog.Int("people", people), slog.Int("max_group_size", b.cfg.MaxGroupSize))
	res.Decisions = append(res.Decisions, fmt.Sprintf("%s names %d people, more than max_group_size %d: nobody registered, organisers told, left for a human",
		msg.From.Address, people, b.cfg.MaxGroupSize))
	return true, nil
}

// answerNotYours tells the sender that nothing was changed: the mail names
// someone whose registration she may not change.
func (b *Bot) answerNotYours(tx *store.Tx, mailID int64, msg *message.Message, ev *config.EventConfig, lang string, res *Result) error {
	r := reply.Reply{Kind: reply.KindNotYours, Language: lang, Event: ev, Name: displayName(&msg.From),
		To:        []*mail.Address{{Name: msg.From.Name, Address: msg.From.Address}},
		InReplyTo: msg.MessageID, References: append(append([]string{}, msg.References...), msg.MessageID)}
	return b.enqueue(tx, r, mailID, 0, res)
}
