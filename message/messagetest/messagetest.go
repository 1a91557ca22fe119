// Package messagetest holds the helpers that tests of every stage use to
// build a raw mail from lines and read it. It imports only message and the
// standard library, and is imported by tests alone.
package messagetest

import (
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/message"
)

// Mail builds a raw mail from lines, with CRLF line ends as on the wire.
func Mail(lines ...string) []byte {
	return []byte(strings.Join(lines, "\r\n") + "\r\n")
}

// MustRead reads raw as the bot does and fails the test when it cannot.
func MustRead(t testing.TB, raw []byte) *message.Message {
	t.Helper()
	m, err := message.ReadMessage(raw)
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	return m
}
