package understand

import (
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"regexp"
	"strings"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// The types of a reading are declared in package reading, below this one,
// so that the participant reader there and the organiser's commands here
// share them; the stages above know them by these names.
type (
	// Understanding is what the bot made of one mail.
	Understanding = reading.Understanding
	// Person is one person a mail names.
	Person = reading.Person
	// Change is one change an organiser's command asks for.
	Change = reading.Change
	// Kind is what a mail asks for.
	Kind = reading.Kind
	// Action is what one organiser command does.
	Action = reading.Action
	// Alternative is a reading that lost, and why.
	Alternative = reading.Alternative
)

// The kinds of mail.
const (
	KindRegistration = reading.KindRegistration
	KindCancellation = reading.KindCancellation
	KindForget       = reading.KindForget
	KindCommand      = reading.KindCommand
	KindAutomatic    = reading.KindAutomatic
	KindOther        = reading.KindOther
)

// The actions of organiser commands.
const (
	ActionCancel     = reading.ActionCancel
	ActionSubstitute = reading.ActionSubstitute
	ActionPromote    = reading.ActionPromote
	ActionRegister   = reading.ActionRegister
	ActionSeats      = reading.ActionSeats
	ActionList       = reading.ActionList
	ActionStatus     = reading.ActionStatus
	ActionHelp       = reading.ActionHelp
)

// RegisterPhrases and CancelPhrases are the words of registering and of
// withdrawing, which the intake's shared-inbox filter also looks for.
var (
	RegisterPhrases = lexicon.Register
	CancelPhrases   = lexicon.Cancel
)

// yesRe is a short "yes" at the start of a reply: the answer to an offer of
// a seat ("JA", "Ja tack!", "Yes, please").
var yesRe = regexp.MustCompile(`(?i)^\s*(ja|jajamen|japp|absolut|yes|yep|sure|certainly)([^\p{L}]|$)`)

// AnswersYes reports whether the writer's own text (quote and signature
// removed) begins with a yes, as an answer to an offer of a seat.
func AnswersYes(m *message.Message) bool {
	if m == nil {
		return false
	}
	body := strings.TrimSpace(m.Body)
	if body == "" {
		// "JA" alone may be taken for a signature; the own text then is it.
		body = strings.TrimSpace(m.Split.Own)
	}
	return yesRe.MatchString(body)
}

// UnsureYes reports whether the writer's own text begins with a yes that
// the rest of its sentence takes back in part: a question, a maybe or a
// condition ("Ja, kanske?", "Ja, om jag hinner", "Yes, if my train is on
// time"). Such a yes is not enough to give a seat or take one.
func UnsureYes(m *message.Message) bool {
	if !AnswersYes(m) {
		return false
	}
	body := strings.TrimSpace(m.Body)
	if body == "" {
		body = strings.TrimSpace(m.Split.Own)
	}
	first := strings.ToLower(reading.SentenceAround(body, 0))
	return strings.Contains(first, "?") || lexicon.Hedge.FindLower(first) != "" || lexicon.Cond.FindLower(first) != "" ||
		message.Phrases{"|vet inte", "|osäker", "|not sure", "|don't know", "|do not know"}.FindLower(first) != ""
}
