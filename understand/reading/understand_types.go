package reading

import (
	"github.com/goteborgsregionen/anmalan/automatic"
	"github.com/goteborgsregionen/anmalan/understand/dates"
)

// NamedDate is a date a mail names, as written and as read.
type NamedDate = dates.NamedDate

// Kind is what a mail asks for.
type Kind string

// The kinds of mail.
const (
	KindRegistration Kind = "registration" // one person or a group registers
	KindCancellation Kind = "cancellation" // a participant withdraws
	KindForget       Kind = "forget"       // erase my data: "glöm mig", "forget me"
	KindCommand      Kind = "command"      // an organiser's change
	KindAutomatic    Kind = "automatic"    // written by a machine: never answered
	KindOther        Kind = "other"        // left for a human
)

// Action is what one organiser command does.
type Action string

// The actions of organiser commands.
const (
	ActionCancel     Action = "cancel"
	ActionSubstitute Action = "substitute"
	ActionPromote    Action = "promote"
	ActionRegister   Action = "register"
	ActionSeats      Action = "seats"
	ActionList       Action = "list"
	ActionStatus     Action = "status"
	// ActionHelp asks for the list of commands.
	ActionHelp Action = "help"
)

// Understanding is what the bot made of one mail. Its JSON form is what
// `anmalan parse` prints; the keys are those of the corpus's expect.json.
type Understanding struct {
	// Kind is "registration", "cancellation", "forget" (erase my data:
	// "glöm mig", "forget me"), "command", "automatic" or "other".
	Kind Kind `json:"kind"`
	// Automatic says which kind of automatic mail: "auto-reply", "bounce",
	// "list", "receipt" (and "calendar", "own"). Empty for human mail.
	Automatic automatic.Kind `json:"automatic,omitempty"`
	// Language is the language to reply in: "sv" or "en".
	Language string `json:"language,omitempty"`
	// Event is the ID of the event the mail is about, when known.
	Event string `json:"event,omitempty"`
	// Date is the date the mail names for the event (the preferred one
	// when it names several), as written and as read; Dates lists every
	// date named when there is more than one.
	Date  *NamedDate  `json:"date,omitempty"`
	Dates []NamedDate `json:"dates,omitempty"`
	// AllDates is true when the writer asks for every date named ("båda").
	AllDates bool `json:"all_dates,omitempty"`
	// Candidates are the events the named dates match, most preferred
	// first; the bot picks among them by the seats left.
	Candidates []string `json:"candidates,omitempty"`
	// DateUnmatched is true when the mail names a date that no event is on.
	DateUnmatched bool `json:"date_unmatched,omitempty"`
	// People are who registers or cancels, in the order written.
	People []Person `json:"people,omitempty"`
	// Changes are an organiser's commands, in the order written.
	Changes []Change `json:"changes,omitempty"`
	// SenderAuthenticated is true when the sender is a listed organiser whose
	// mail passed DMARC or aligned DKIM at the trusted authserv-id.
	SenderAuthenticated bool `json:"sender_authenticated"`
	// Bounced lists the addresses a bounce reports as failed.
	Bounced []string `json:"bounced,omitempty"`
	// Hedged is true, with Kind "other", when the writer shows interest
	// but does not commit ("jag överväger att komma"): the bot registers
	// nobody and answers offering the seat.
	Hedged bool `json:"hedged,omitempty"`
	// Ask is true, with Kind "other", when the mail asks for a change that
	// takes a seat from someone or gives one, but the bot is not sure
	// enough to act: it asks the sender to confirm the reading in Changes
	// and People (a one-word YES) instead.
	Ask bool `json:"ask,omitempty"`
	// Alternatives are the other readings the bot weighed, each with why
	// it lost (or, with Ask, why none won).
	Alternatives []Alternative `json:"alternatives,omitempty"`
	// Reason says in a short sentence why the mail was read this way.
	Reason string `json:"reason"`
}

// Alternative is one reading of a mail that the bot weighed.
type Alternative struct {
	// Kind is what the mail would be on this reading.
	Kind Kind `json:"kind"`
	// Why says what speaks for this reading and why it did not win.
	Why string `json:"why"`
	// Text is the sentence it was read from, where one is known: what a
	// question to the writer quotes.
	Text string `json:"text,omitempty"`
}

// Person is someone to register, cancel or substitute. Email is empty for
// someone the mail names without an address (a companion, "jag och Kalle
// Berg"): the bot registers nobody without an address and leaves such a
// mail for a human.
type Person struct {
	Name         string `json:"name"`
	Email        string `json:"email"`
	Organisation string `json:"organisation,omitempty"`
	Diet         string `json:"diet,omitempty"`
}

// Change is one organiser command.
type Change struct {
	// Action is "cancel", "substitute", "promote", "register", "seats",
	// "list" or "status".
	Action Action `json:"action"`
	// Who is the registration the change applies to (an address, or a name
	// when no address was given).
	Who string `json:"who,omitempty"`
	// By is the new person for "substitute" and "register".
	By *Person `json:"by,omitempty"`
	// Seats is the new seat count for "seats".
	Seats int `json:"seats,omitempty"`
	// Text is the sentence the change was read from.
	Text string `json:"text,omitempty"`
	// Candidates are the people Who may mean when it fits more than one
	// (a first name, or a pronoun, with two such people in the thread):
	// nothing is done, and the sender is asked which.
	Candidates []Person `json:"candidates,omitempty"`
}
