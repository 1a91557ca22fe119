// Package understand reads what a person asked for in one decoded mail:
// whether a machine wrote it (automatic), an organiser's commands (the
// command reader in commands.go: clauses, verbs by stem, the people a
// clause names and their roles) or, through package reading, a
// participant's registration or withdrawal; through package session, the
// event a mail names; its language, a participant's forward and a colleague
// going instead are settled here too (language.go, forward.go, instead.go).
// The result, an Understanding,
// carries everything the decisions need, so no later stage reads the
// mail's text again; its JSON form is what `anmalan parse` prints.
//
// It imports understand/reading, understand/session, understand/dates, understand/stem,
// understand/lexicon, understand/diet, understand/names,
// message, mailauth, automatic and config.
// Entry points: Understand, UnderstandAt, UnderstandWith, DescribeChanges;
// the types of a reading (Understanding, Person, Change, Kind, Action) are
// reading's, known here by the same names.
package understand
