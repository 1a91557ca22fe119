package mailbot

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
)

// handleTooLarge records a mail that is too large to download: only its
// position, size and envelope are kept, it is left for a human, and the
// organisers are told, all in one transaction. The envelope's Message-ID
// (or, without one, the IMAP position) makes the same mail count once.
func (b *Bot) handleTooLarge(ctx context.Context, in Incoming, size, limit int64, env *imap.Envelope, place string) (Result, error) {
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
	res := Result{MailID: st.ID, Key: key, Outcome: OutcomeTooLarge, Duplicate: st.Done,
		Decisions: []string{"mail of " + detail + ": not downloaded, left for a human"}}
	if st.Done {
		res.Outcome = st.Outcome
		return res, b.store.SetCheckpoint(ctx, in.Mailbox, in.UIDValidity, in.UID)
	}
	n := b.newNotice("too-large", in, env, place)
	n.Size, n.Limit = megabytes(size), megabytes(limit)
	err = b.store.Update(ctx, func(tx *store.Tx) error {
		res.Replies = nil
		if err := b.noticeOrganisers(tx, st.ID, n, &res); err != nil {
			return err
		}
		if err := tx.FinishMail(st.ID, OutcomeTooLarge, detail, b.now()); err != nil {
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
func (b *Bot) giveUp(ctx context.Context, in Incoming, mailID int64, attempts int, cause error, env *imap.Envelope, place string) error {
	n := b.newNotice(OutcomeFailed, in, env, place)
	n.Attempts, n.Error = attempts, cause.Error()
	var res Result
	err := b.store.Update(ctx, func(tx *store.Tx) error {
		res.Replies = nil
		if err := b.noticeOrganisers(tx, mailID, n, &res); err != nil {
			return err
		}
		return tx.FinishMail(mailID, OutcomeFailed, fmt.Sprintf("failed %d times: %v", attempts, cause), b.now())
	})
	if err != nil {
		return fmt.Errorf("give mail up to a human: %w", err)
	}
	return nil
}

// newNotice fills in what every notice says about the mail.
func (b *Bot) newNotice(reason string, in Incoming, env *imap.Envelope, place string) *reply.Notice {
	n := &reply.Notice{Reason: reason, Mailbox: place, Keyword: string(keywordManual),
		Arrived: in.Arrived.In(b.cfg.Location).Format("2006-01-02 15:04")}
	if env != nil {
		n.Subject = env.Subject
		var from []string
		for _, a := range env.From {
			from = append(from, (&mail.Address{Name: a.Name, Address: a.Addr()}).String())
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

// envelopeOf builds, from the header of a recorded mail, the part of an
// IMAP envelope that a notice shows (subject and senders), for a mail
// whose envelope from the server is no longer at hand. It returns nil
// when the header cannot be read.
func envelopeOf(raw []byte) *imap.Envelope {
	m, err := mail.ReadMessage(bytes.NewReader(message.LimitHeader(raw)))
	if err != nil {
		return nil
	}
	env := &imap.Envelope{Subject: message.SubjectOf(raw), MessageID: message.HeaderMessageID(raw)}
	if from, err := m.Header.AddressList("From"); err == nil {
		for _, a := range from {
			local, host, _ := strings.Cut(a.Address, "@")
			env.From = append(env.From, imap.Address{Name: a.Name, Mailbox: local, Host: host})
		}
	}
	return env
}
