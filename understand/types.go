package understand

import (
	"github.com/goteborgsregionen/anmalan/config"
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
	RegisterPhrases = reading.RegisterPhrases
	CancelPhrases   = reading.CancelPhrases
)

// Language is reading.Language: the language of a mail's own words and
// subject.
func Language(own, subject string, cfg *config.Config) string {
	return reading.Language(own, subject, cfg)
}

// AnswersYes is reading.AnswersYes: whether the writer's own text begins
// with a yes.
func AnswersYes(m *message.Message) bool { return reading.AnswersYes(m) }

// UnsureYes is reading.UnsureYes: whether that yes is taken back in part.
func UnsureYes(m *message.Message) bool { return reading.UnsureYes(m) }
