// Package reading is how a participant's mail is read, clause by clause:
// the mood of each clause (a request, a maybe, a condition, a negation,
// history), who registers (the writer counted in or out of a group, a
// colleague, the boss), the facts bound to each person (organisation,
// diet by package understand/diet), names (by package understand/names: å/ä/ö
// restored, a signature over a stale display name), forwards, and whether the clause of a date
// denies or withdraws it. It also declares the types of a reading
// (Understanding, Person, Change, Kind, Action), shared by understand.
//
// It imports message, automatic, config, understand/dates, understand/diet,
// understand/lexicon, understand/request, understand/names and
// understand/stem; understand and understand/session import it. Entry
// points: ReadParticipant, UnderstandParticipant, SenderPerson.
package reading
