// Package configtest holds a small valid config and helpers that tests of
// the config and of the stages above it edit. It imports only the standard
// library and is imported by tests alone.
package configtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Base is a small valid config: one event, ev-1, with three seats and the
// material file m.pdf that Dir provides.
const Base = `database = "anmalan.db"

[imap]
address = "127.0.0.1:1143"
security = "none"
username = "bot"
password_env = "ANMALAN_TEST_IMAP_PASSWORD"

[smtp]
address = "127.0.0.1:1025"
security = "none"
from = "Bot <Bot@Example.org>"

[organisers]
addresses = ["Org <Org@Example.org>"]
trusted_authserv_id = "mx.example.org"
contact = "Org, org@example.org"

[[events]]
id = "ev-1"
title = "Workshop"
starts = "2030-05-02 10:00"
ends = "2030-05-02 12:00"
location = "Here"
seats = 3
closes = "2030-04-30"
material = ["m.pdf"]
keywords = [" Workshop "]
`

// Dir returns a temporary directory holding the material file that
// Base names.
func Dir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.pdf"), []byte("%PDF-1.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Edit returns base with the first occurrence of old replaced by new,
// failing the test when old is not in it.
func Edit(t *testing.T, base, old, new string) string {
	t.Helper()
	if !strings.Contains(base, old) {
		t.Fatalf("%q is not in the config", old)
	}
	return strings.Replace(base, old, new, 1)
}
