package message

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/mail"
	"strings"
)

// MailKey returns the key that makes the same mail count once: its
// Message-ID, or a hash of its bytes when it has none.
func MailKey(raw []byte) string {
	if id := HeaderMessageID(raw); id != "" {
		return id
	}
	sum := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// HeaderMessageID finds the Message-ID header in raw without decoding the
// whole mail, so that even a mail that cannot be parsed is deduplicated.
func HeaderMessageID(raw []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(LimitHeader(raw)))
	if err != nil {
		return ""
	}
	id := strings.TrimSpace(m.Header.Get("Message-Id"))
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if id == "" || len(id) > 500 || strings.ContainsAny(id, " \t\r\n<>") {
		return ""
	}
	return id
}

// LimitHeader returns the header block of raw (at most 1 MiB of it) and an
// empty body, enough for net/mail to read the header fields.
func LimitHeader(raw []byte) []byte {
	const max = 1 << 20
	if len(raw) > max {
		raw = raw[:max]
	}
	for _, sep := range [][]byte{[]byte("\r\n\r\n"), []byte("\n\n")} {
		if i := bytes.Index(raw, sep); i >= 0 {
			return raw[:i+len(sep)]
		}
	}
	return append(append([]byte{}, raw...), "\r\n\r\n"...)
}

// SubjectOf returns the decoded Subject of a composed mail, for reports.
func SubjectOf(raw []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(LimitHeader(raw)))
	if err != nil {
		return ""
	}
	s := m.Header.Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}
