package intake

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/goteborgsregionen/anmalan/message"
)

// Outcome is what became of one incoming mail, as the store records it
// and as the intake files it in IMAP.
type Outcome string

// The outcomes of an incoming mail.
const (
	OutcomeRegistered Outcome = "registered" // at least one person got a seat or a waiting-list place
	OutcomeAnswered   Outcome = "answered"   // answered without a new registration (already registered, closed …)
	OutcomeAutomatic  Outcome = "automatic"  // never answered
	OutcomeManual     Outcome = "manual"     // left for a human, flagged in the inbox
	OutcomeUnreadable Outcome = "unreadable" // could not be read at all; flagged for a human
	OutcomeTooLarge   Outcome = "too-large"  // not downloaded; flagged for a human
	// OutcomeFailed is recorded for a mail whose handling failed
	// maxAttempts times: it is left for a human and the organisers are
	// told.
	OutcomeFailed Outcome = "failed"
)

// ForHuman reports whether a mail with this outcome is flagged for a human
// (and moved to manual_mailbox) rather than filed as processed.
func (o Outcome) ForHuman() bool {
	switch o {
	case OutcomeManual, OutcomeUnreadable, OutcomeTooLarge, OutcomeFailed:
		return true
	}
	return false
}

// Incoming is one mail as the inbox delivers it.
type Incoming struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	// Arrived is the IMAP INTERNALDATE: the seat and deadline checks are
	// judged against it, never against the sender's Date header.
	Arrived time.Time
	Raw     []byte
}

// Recorded is a mail the store holds, to be decided: the mail, its row
// and the key it was recorded under.
type Recorded struct {
	In     Incoming
	MailID int64
	Key    string
}

// Envelope is what the organisers' notice says of a mail that is not
// decided in the ordinary way: from the server's ENVELOPE for a mail too
// large to download, or from the recorded header.
type Envelope struct {
	Subject   string
	MessageID string
	From      []*mail.Address
}

// Decider is what the intake needs from the bot: it decides each recorded
// mail, and handles the mail the intake cannot hand over whole. The
// methods log what they decided. A Decider is used from one goroutine at a
// time.
type Decider interface {
	// DecideAll reads, understands and decides the recorded mails, in
	// order and in one transaction, and returns the outcomes of those it
	// decided. When it returns an error, nothing was written of the mail
	// after the last outcome (the one the error is about) nor of any
	// after it; the mails before it are decided.
	DecideAll(ctx context.Context, mails []Recorded) ([]Outcome, error)
	// TooLarge records a mail that is too large to download (size bytes,
	// over limit), leaves it for a human at place and tells the
	// organisers.
	TooLarge(ctx context.Context, in Incoming, size, limit int64, env *Envelope, place string) (Outcome, error)
	// GiveUp records that a mail failed attempts times, leaves it for a
	// human at place and tells the organisers.
	GiveUp(ctx context.Context, in Incoming, mailID int64, key string, attempts int, cause error, env *Envelope, place string) error
	// Met logs a mail that was recorded before (a UIDVALIDITY change, a
	// copy back into the inbox) and is only marked again.
	Met(in Incoming, mailID int64, key string, outcome Outcome)
	// Now returns the bot's clock.
	Now() time.Time
	// Address returns the bot's own address.
	Address() string
	// Takes reports whether, in a shared inbox, a mail with this subject
	// is for the bot even when it is not addressed to it.
	Takes(subject string) bool
}

// envelope converts the server's ENVELOPE.
func envelope(env *imap.Envelope) *Envelope {
	if env == nil {
		return nil
	}
	e := &Envelope{Subject: env.Subject, MessageID: env.MessageID}
	for _, a := range env.From {
		e.From = append(e.From, &mail.Address{Name: a.Name, Address: a.Addr()})
	}
	return e
}

// EnvelopeOf builds, from the header of a recorded mail, the envelope a
// notice shows, for a mail whose envelope from the server is no longer
// at hand. It returns nil when the header cannot be read.
func EnvelopeOf(raw []byte) *Envelope {
	m, err := mail.ReadMessage(strings.NewReader(string(message.LimitHeader(raw))))
	if err != nil {
		return nil
	}
	env := &Envelope{Subject: message.SubjectOf(raw), MessageID: message.HeaderMessageID(raw)}
	if from, err := m.Header.AddressList("From"); err == nil {
		env.From = from
	}
	return env
}
