// Package message turns the raw bytes of one mail into a decoded Message:
// MIME structure, charsets (ISO-8859-x, windows-125x, UTF-8 and the
// mislabelled), HTML-only bodies as text, attachments, delivery reports and
// the sender's own words split from the quoted reply and the signature. The
// split is done here once, so that no later stage reads the text again.
//
// Reading is bounded whatever the sender wrote: depth, parts, header and
// text sizes are capped, and what was skipped is named in
// Message.Problems.
//
// It imports only the standard library, go-message and golang.org/x/text;
// everything else in the project may import it. Entry points: ReadMessage,
// SplitQuote, SplitSignature and ParseForwarded.
package message
