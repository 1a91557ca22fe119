// Package understand reads what a person asked for in one decoded mail:
// which event (keyword, +tag, a date that picks a session), who registers
// (the sender, a group, a colleague, the boss) with organisation and diet,
// a cancellation, an organiser's commands, or something for a human. The
// result, an Understanding, carries everything the decisions need, so no
// later stage reads the mail's text again; its JSON form is what
// `anmalan parse` prints.
//
// It imports message, automatic and config. Entry points: Understand,
// UnderstandAt, Language, AnswersYes; Kind, Action and their constants.
package understand
