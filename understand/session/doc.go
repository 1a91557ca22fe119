// Package session chooses which event (session) a mail is about: by the
// event's keyword, title or +tag, by the place or time of day the writer
// names, and by the dates she writes, read in their clauses (the date a
// withdrawal names, not the news beside it; a weekday in the past tense
// names none).
//
// It may import config, message, understand/dates and understand/reading;
// understand imports it.
package session
