// Package reply turns a decision into the exact bytes of an outgoing mail:
// the templates of package templates in the reply's language (sv, en),
// text and HTML alternatives, the material as attachments (their base64
// made once per file content and left out of Composed.Raw as Blobs, for
// the outbox to store once), an iCalendar
// file for the event, and the headers every reply carries
// (Auto-Submitted, X-Auto-Response-Suppress, In-Reply-To, References, a
// Message-ID of the bot's own domain).
//
// It imports config and templates. Entry points: NewComposer,
// Composer.Compose, Reply and its Kind constants.
package reply
