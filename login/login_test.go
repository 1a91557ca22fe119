package login

import (
	"context"
	"strings"
	"testing"
)

// Failure 8 of issue 13: a failing oauth2_token_command printed the client
// secret and the refresh token on stderr, and the error carried them into
// the log.
func TestTokenCommandStderrStaysOutOfTheError(t *testing.T) {
	secrets := []string{"s3cr3t-client-value", "1//0gRefreshTokenAbCdEf", "hunter2", "ya29.a0AfH6SMBxyz"}
	cmd := `echo "curl: (22) client_secret=s3cr3t-client-value refresh_token:1//0gRefreshTokenAbCdEf failed for hunter2 ya29.a0AfH6SMBxyz" >&2; echo "second line s3cr3t" >&2; exit 3`
	ts := &tokenSource{section: "imap", command: cmd}
	_, err := ts.Token(context.Background(), true)
	if err == nil {
		t.Fatal("a failing command gave a token")
	}
	msg := err.Error()
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Errorf("error %q holds the secret %q", msg, s)
		}
	}
	if strings.Contains(msg, "second line") {
		t.Errorf("error %q holds more than the first line of stderr", msg)
	}
	if !strings.Contains(msg, "imap.oauth2_token_command") || !strings.Contains(msg, "exit status 3") || !strings.Contains(msg, "failed for") {
		t.Errorf("error %q does not name the key, the exit status and the scrubbed line", msg)
	}
}

func TestScrubLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"invalid_grant: Token has been expired or revoked.", "invalid_grant: Token has been expired or revoked."},
		{"error: password=abc", "error: password=[…]"},
		{"HTTP 401 for token eyJhbGciOiJSUzI1NiJ9", "HTTP 401 for token […]"},
		{"key:value", "key:[…]"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := scrubLine(tt.in); got != tt.want {
			t.Errorf("scrubLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
