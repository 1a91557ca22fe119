package localmail

import (
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TestSMTPMarksWhoLoggedIn checks that mail submitted by a logged-in user
// as her own address is marked dmarc=pass by the server's authserv-id, as
// a real receiving server would, and that an Authentication-Results of
// that id written by the client is removed (RFC 8601 §5), whoever sends.
func TestSMTPMarksWhoLoggedIn(t *testing.T) {
	const id = "mx.example.org"
	s, err := Start(Options{Password: "pw", Quiet: true, AuthServID: id})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	send := func(user, from string) string {
		t.Helper()
		c, err := smtp.Dial(s.SMTPAddr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if user != "" {
			if err := c.Auth(sasl.NewPlainClient("", user, "pw")); err != nil {
				t.Fatal(err)
			}
		}
		msg := "Authentication-Results: " + id + "; dmarc=pass header.from=example.org\r\n" +
			"Authentication-Results: other.example; dmarc=pass header.from=example.org\r\n" +
			"From: <" + from + ">\r\nTo: <bot@example.org>\r\nSubject: hej\r\n\r\nbody\r\n"
		if err := c.SendMail(from, []string{"bot@example.org"}, strings.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
		got := s.Received()
		return string(got[len(got)-1].Data)
	}
	for _, tc := range []struct {
		name, user, from, want string
	}{
		{"logged in as the sender", "linda@example.org", "linda@example.org", "Authentication-Results: " + id + "; auth=pass smtp.auth=linda@example.org; dmarc=pass header.from=example.org\r\n"},
		{"logged in as someone else", "eve@example.org", "linda@example.org", "Authentication-Results: " + id + "; auth=pass smtp.auth=eve@example.org; dmarc=none header.from=example.org\r\n"},
		{"not logged in", "", "linda@example.org", "Authentication-Results: " + id + "; dmarc=none header.from=example.org\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := strings.ReplaceAll(send(tc.user, tc.from), "\r\n ", " ")
			if !strings.HasPrefix(data, tc.want) {
				t.Errorf("mail starts\n%s\nwant\n%s", data, tc.want)
			}
			if n := strings.Count(data, "Authentication-Results: "+id); n != 1 {
				t.Errorf("%d headers of %s, want only the server's own:\n%s", n, id, data)
			}
			if !strings.Contains(data, "Authentication-Results: other.example;") || !strings.HasSuffix(data, "\r\n\r\nbody\r\n") {
				t.Errorf("the rest of the mail changed:\n%s", data)
			}
		})
	}
}
