// Package reading is how a participant's mail is read, clause by clause:
// the mood of each clause (a request, a maybe, a condition, a negation,
// history), who registers (the writer counted in or out of a group, a
// colleague, the boss), the facts bound to each person (organisation,
// diet), names (å/ä/ö restored, a signature over a stale display name),
// forwards, and the dates that pick a session (found by package
// understand/dates). It also declares the types
// of a reading (Understanding, Person, Change, Kind, Action), which
// package understand, above it, shares with its command reader.
//
// It imports message, automatic, config, understand/dates and
// understand/stem, and is imported by understand alone. Entry points:
// ReadParticipant, UnderstandParticipant, SenderPerson, PreferUnnegated
// (package understand matches the dates to the events and finds forwards).
package reading
