// Package login holds what the bot logs in to its mail servers with:
// passwords, OAuth2 access tokens from a command or a file, the XOAUTH2
// mechanism that go-sasl lacks, and TLS settings that always check
// certificates. Errors name the config key, never the secret.
//
// It imports config and go-sasl; intake and outbox import it. Entry
// points: NewCredentials, TLSConfig, XOAUTH2Client.
package login

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/emersion/go-sasl"
	"github.com/goteborgsregionen/anmalan/config"
)

// tokenCommandTimeout bounds how long oauth2_token_command may run.
const tokenCommandTimeout = 30 * time.Second

// tlsConfig returns the TLS settings for a server at host: certificates
// are always checked, against the system's roots plus caFile when set.
func TLSConfig(host, caFile string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pool, err := config.LoadCAPool(caFile)
		if err != nil {
			return nil, fmt.Errorf("tls_ca_file: %w", err)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// tokenSource hands out OAuth2 access tokens from a command or a file. A
// token from the command is kept until the server rejects it; the file is
// read afresh every time, because another program keeps it up to date.
// It is safe for concurrent use.
type tokenSource struct {
	section string
	command string
	file    string

	mu     sync.Mutex
	cached string
}

// Token returns an access token. With fresh set it does not reuse a cached
// one (the server has just rejected it). Errors name the command or the
// file, never the token.
func (ts *tokenSource) Token(ctx context.Context, fresh bool) (string, error) {
	if ts.file != "" {
		b, err := os.ReadFile(ts.file)
		if err != nil {
			return "", fmt.Errorf("%s.oauth2_token_file: %w", ts.section, err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", fmt.Errorf("%s.oauth2_token_file: %s is empty", ts.section, ts.file)
		}
		return tok, nil
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.cached != "" && !fresh {
		return ts.cached, nil
	}
	ctx, cancel := context.WithTimeout(ctx, tokenCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", ts.command)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// The command's stderr may hold the client secret or the refresh
		// token (curl -v, a failing oauth2 helper): only its first line,
		// scrubbed, reaches the error.
		if msg := scrubLine(stderr.String()); msg != "" {
			return "", fmt.Errorf("%s.oauth2_token_command: %w: %s", ts.section, err, msg)
		}
		return "", fmt.Errorf("%s.oauth2_token_command: %w", ts.section, err)
	}
	tok := strings.TrimSpace(string(out))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n\x01") {
		// A token is one word; anything else would corrupt the SASL
		// exchange, and printing it could leak a secret.
		return "", fmt.Errorf("%s.oauth2_token_command: printed no single access token", ts.section)
	}
	ts.cached = tok
	return tok, nil
}

// Credentials are what a connection logs in with.
type Credentials struct {
	Username string
	Password string
	Mech     string // AuthPlain, AuthLogin, AuthXOAUTH2 or "" (PLAIN, else LOGIN)
	Tokens   *tokenSource
}

// NewCredentials reads the password, or prepares the token source, for a
// section. It fails when a password named in the config cannot be read.
func NewCredentials(section, username, mech, env, file, tokenCommand, tokenFile string) (Credentials, error) {
	cr := Credentials{Username: username, Mech: mech}
	if username == "" {
		return cr, nil
	}
	if mech == config.AuthXOAUTH2 {
		cr.Tokens = &tokenSource{section: section, command: tokenCommand, file: tokenFile}
		return cr, nil
	}
	p, err := config.Secret(section, env, file)
	if err != nil {
		return cr, err
	}
	cr.Password = p
	return cr, nil
}

// xoauth2Client is the SASL XOAUTH2 mechanism of Google and Microsoft,
// which go-sasl lacks. It sends the user and the bearer token at once. A
// server that rejects the token sends a JSON error as a challenge; Next
// then fails with errTokenRejected rather than sending the empty response
// the mechanism describes, because go-imap encodes an empty response as
// "=", which Dovecot takes for bad base64 (it then drops the connection).
// go-smtp answers a failing Next with "*", which ends the exchange
// cleanly; go-imap leaves the command open, so the IMAP caller drops the
// connection and logs in again on a new one.
type XOAUTH2Client struct {
	Username, Token string
}

var _ sasl.Client = (*XOAUTH2Client)(nil)

// Start returns the initial response: "user=U^Aauth=Bearer T^A^A".
func (c *XOAUTH2Client) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + c.Username + "\x01auth=Bearer " + c.Token + "\x01\x01"), nil
}

// Next is called only with the server's error challenge (a JSON object
// such as {"status":"401",…}, which holds no secret).
func (c *XOAUTH2Client) Next(challenge []byte) ([]byte, error) {
	return nil, fmt.Errorf("%w: %s", ErrTokenRejected, strings.TrimSpace(string(challenge)))
}

// ErrTokenRejected marks a login that failed because the server did not
// take the access token.
var ErrTokenRejected = errors.New("access token rejected")

// scrubLine returns the first line of a command's stderr with every word
// that could be a secret replaced by "[…]": a word of 16 or more
// characters, or one with a digit and a letter in it, or the value after
// "=" or ":". At most 120 bytes are kept.
func scrubLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	words := strings.Fields(line)
	for i, w := range words {
		if k, _, ok := strings.Cut(w, "="); ok {
			words[i] = k + "=[…]"
			continue
		}
		if k, v, ok := strings.Cut(w, ":"); ok && v != "" {
			words[i] = k + ":[…]"
			continue
		}
		if secretLike(w) {
			words[i] = "[…]"
		}
	}
	out := strings.ToValidUTF8(strings.Join(words, " "), "")
	if len(out) > 120 {
		out = strings.ToValidUTF8(out[:120], "") + "…"
	}
	return out
}

// secretLike reports whether w looks like a key, token or password rather
// than a word of an error message.
func secretLike(w string) bool {
	if len(w) >= 16 {
		return true
	}
	letter, digit := false, false
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case unicode.IsLetter(r):
			letter = true
		}
	}
	return letter && digit
}
