package message_test

import (
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
)

func TestReadHeaders(t *testing.T) {
	tests := []struct {
		name        string
		raw         []byte
		subject     string
		fromName    string
		fromAddress string
	}{
		{
			name:        "RFC 2047 in windows-1252",
			raw:         messagetest.Mail("From: =?windows-1252?Q?Karin_=D6berg?= <karin@example.org>", "Subject: =?windows-1252?Q?Anm=E4lan?=", "", "x"),
			subject:     "Anmälan",
			fromName:    "Karin Öberg",
			fromAddress: "karin@example.org",
		},
		{
			name:        "RFC 2047 in ISO-8859-15 base64",
			raw:         messagetest.Mail("From: x@example.org", "Subject: =?iso-8859-15?B?5OT2?=", "", "x"),
			subject:     "ääö",
			fromAddress: "x@example.org",
		},
		{
			name:        "raw UTF-8 (RFC 6532)",
			raw:         messagetest.Mail("From: Registrator Härryda <registrator@harryda.example>", "Subject: Ändring", "", "x"),
			subject:     "Ändring",
			fromName:    "Registrator Härryda",
			fromAddress: "registrator@harryda.example",
		},
		{
			name:        "raw latin-1 bytes",
			raw:         []byte("From: Sj\xf6berg <erik@example.org>\r\nSubject: P\xe5 tal om\r\n\r\nx\r\n"),
			subject:     "På tal om",
			fromName:    "Sjöberg",
			fromAddress: "erik@example.org",
		},
		{
			name:        "display name with an unquoted comma",
			raw:         messagetest.Mail("From: Carter, Emily <emily@example.org>", "Subject: x", "", "x"),
			subject:     "x",
			fromName:    "Carter, Emily",
			fromAddress: "emily@example.org",
		},
		{
			name:        "comment as the name",
			raw:         messagetest.Mail("From: MAILER-DAEMON@mx.example.org (Mail Delivery System)", "Subject: x", "", "x"),
			subject:     "x",
			fromName:    "Mail Delivery System",
			fromAddress: "MAILER-DAEMON@mx.example.org",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := messagetest.MustRead(t, tt.raw)
			if m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			if m.From.Name != tt.fromName || m.From.Address != tt.fromAddress {
				t.Errorf("from %q <%s>, want %q <%s>", m.From.Name, m.From.Address, tt.fromName, tt.fromAddress)
			}
		})
	}
}

func TestReadIdentifiers(t *testing.T) {
	m := messagetest.MustRead(t, messagetest.Mail(
		"From: a@example.org",
		"Message-ID: <abc@example.org>",
		"In-Reply-To: <reg-1@bot.example>",
		"References: <x@example.org> <reg-1@bot.example>",
		"Date: Tue, 27 Nov 2018 08:14:01 +0000",
		"", "x"))
	if m.MessageID != "abc@example.org" {
		t.Errorf("MessageID %q", m.MessageID)
	}
	if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "reg-1@bot.example" {
		t.Errorf("InReplyTo %q", m.InReplyTo)
	}
	if len(m.References) != 2 || m.References[1] != "reg-1@bot.example" {
		t.Errorf("References %q", m.References)
	}
	if m.Date.IsZero() || m.Date.Year() != 2018 {
		t.Errorf("Date %v", m.Date)
	}
}

func TestReadBodyCharsets(t *testing.T) {
	tests := []struct {
		name    string
		raw     []byte
		want    string
		problem string // a substring of a problem, or "" for none
	}{
		{
			name: "declared ISO-8859-1, 8bit",
			raw:  []byte("From: a@example.org\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nV\xe4nliga h\xe4lsningar\r\n"),
			want: "Vänliga hälsningar",
		},
		{
			name: "windows-1252 quotes",
			raw:  messagetest.Mail("From: a@example.org", "Content-Type: text/plain; charset=windows-1252", "Content-Transfer-Encoding: quoted-printable", "", "=94P=E5 tal=94"),
			want: "”På tal”",
		},
		{
			name:    "unknown charset, valid UTF-8",
			raw:     messagetest.Mail("From: a@example.org", "Content-Type: text/plain; charset=x-unheard-of", "", "Hälsningar"),
			want:    "Hälsningar",
			problem: "unknown charset",
		},
		{
			name:    "unknown charset, latin-1 bytes",
			raw:     []byte("From: a@example.org\r\nContent-Type: text/plain; charset=x-unheard-of\r\n\r\nH\xe4lsningar\r\n"),
			want:    "Hälsningar",
			problem: "unknown charset",
		},
		{
			name:    "declared UTF-8 but latin-1",
			raw:     []byte("From: a@example.org\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nH\xe4lsningar\r\n"),
			want:    "Hälsningar",
			problem: "not",
		},
		{
			name: "no charset, UTF-8",
			raw:  messagetest.Mail("From: a@example.org", "", "Hälsningar"),
			want: "Hälsningar",
		},
		{
			name: "base64 UTF-8",
			raw:  messagetest.Mail("From: a@example.org", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", "SMOkbHNuaW5nYXI="),
			want: "Hälsningar",
		},
		{
			name:    "broken base64",
			raw:     messagetest.Mail("From: a@example.org", "Content-Transfer-Encoding: base64", "", "SMOkbHNuaW5nYXI*!=x"),
			want:    "Hälsningar",
			problem: "base64",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := messagetest.MustRead(t, tt.raw)
			if !strings.Contains(m.Text, tt.want) {
				t.Errorf("text %q, want it to contain %q", m.Text, tt.want)
			}
			joined := strings.Join(m.Problems, "; ")
			if tt.problem == "" && len(m.Problems) > 0 {
				t.Errorf("problems %q, want none", joined)
			}
			if tt.problem != "" && !strings.Contains(joined, tt.problem) {
				t.Errorf("problems %q, want one about %q", joined, tt.problem)
			}
		})
	}
}

func TestReadFormatFlowed(t *testing.T) {
	tests := []struct {
		name, params, body, want string
	}{
		{"joins soft breaks", "format=flowed", "Vi blir tre som vill \r\ndelta den 11 december.\r\nNy rad.", "Vi blir tre som vill delta den 11 december.\nNy rad."},
		{"delsp removes the space", "format=flowed; delsp=yes", "Anm\u00e4l \r\nmig", "Anmälmig"},
		{"space-stuffing undone", "format=flowed", "  From here\r\n>quoted \r\n>text", " From here\n> quoted text"},
		{"signature separator is not flowed", "format=flowed", "text\r\n-- \r\nSara", "text\n-- \nSara"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := messagetest.MustRead(t, messagetest.Mail("From: a@example.org", "Content-Type: text/plain; charset=utf-8; "+tt.params, "", tt.body))
			if got := strings.TrimRight(m.Text, "\n"); got != tt.want {
				t.Errorf("text %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadHTMLOnly(t *testing.T) {
	m := messagetest.MustRead(t, messagetest.Mail("From: a@example.org", "Content-Type: text/html; charset=utf-8", "",
		`<html><head><style>p{margin:0}</style><title>x</title></head><body>`,
		`<div>Hej,</div><div><br></div><div>Vi anmäler:</div>`,
		`<ul><li>Anders Berg, <a href="mailto:anders.berg@partille.example">Anders</a></li><li>Maria&nbsp;Holm</li></ul>`,
		`<p>Rad ett<br>Rad två</p><script>alert(1)</script>`,
		`<blockquote>citerat</blockquote></body></html>`))
	if !m.HTML {
		t.Error("HTML not set")
	}
	for _, want := range []string{
		"Hej,\n\nVi anmäler:",
		"- Anders Berg, Anders <anders.berg@partille.example>\n- Maria Holm",
		"Rad ett\nRad två",
		"> citerat",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text %q\nwant it to contain %q", m.Text, want)
		}
	}
	for _, unwanted := range []string{"alert", "margin", "<"} {
		if strings.Contains(strings.ReplaceAll(m.Text, "<anders", ""), unwanted) {
			t.Errorf("text %q contains %q", m.Text, unwanted)
		}
	}
}

func TestReadPrefersPlainAlternative(t *testing.T) {
	m := messagetest.MustRead(t, messagetest.Mail("From: a@example.org", `Content-Type: multipart/alternative; boundary="b"`, "",
		"--b", "Content-Type: text/plain; charset=utf-8", "", "plain text", "--b", "Content-Type: text/html", "", "<p>html text</p>", "--b--"))
	if strings.TrimSpace(m.Text) != "plain text" || m.HTML {
		t.Errorf("text %q (HTML %v), want the plain part", m.Text, m.HTML)
	}
}

func TestReadAttachments(t *testing.T) {
	m := messagetest.MustRead(t, messagetest.Mail("From: a@example.org", `Content-Type: multipart/mixed; boundary="b"`, "",
		"--b", "Content-Type: text/plain", "", "see attached", "--b",
		`Content-Type: application/pdf; name="=?utf-8?Q?rapport_=C3=A5r.pdf?="`, "Content-Disposition: attachment", "Content-Transfer-Encoding: base64", "", "JVBERi0xLjQK", "--b",
		"Content-Type: message/rfc822", "", "From: Lars Persson <lars@tjorn.example>", "Subject: inner", "", "inner text", "--b--"))
	if len(m.Attachments) != 2 {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	if a := m.Attachments[0]; a.Name != "rapport år.pdf" || a.ContentType != "application/pdf" || a.Size == 0 {
		t.Errorf("first attachment %+v", a)
	}
	inner := m.Attachments[1].Message
	if inner == nil || inner.From.Address != "lars@tjorn.example" || !strings.Contains(inner.Text, "inner text") {
		t.Errorf("attached mail %+v", inner)
	}
}

func TestReadEmptyIsAnError(t *testing.T) {
	for _, raw := range [][]byte{nil, []byte("  \r\n\r\n")} {
		if _, err := message.ReadMessage(raw); err == nil {
			t.Errorf("message.ReadMessage(%q) did not fail", raw)
		}
	}
	m, err := message.ReadMessage([]byte("// Not an RFC-822 Document"))
	if err != nil || !strings.Contains(m.Text, "Not an RFC-822") || len(m.Problems) == 0 {
		t.Errorf("headerless input: %v, %+v", err, m)
	}
}

// TestLineEndings: a mail whose lines end in a bare CR, or in LF, reads as
// the same mail with CRLF.
func TestLineEndings(t *testing.T) {
	crlfMail := "From: Sara Nilsson <sara@example.org>\r\nSubject: =?utf-8?Q?Anm=C3=A4lan?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHej!\r\n\r\nJag vill anm=C3=A4la mig.\r\n\r\n/Sara\r\n"
	want, err := message.ReadMessage([]byte(crlfMail))
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{
		"CR":  strings.ReplaceAll(crlfMail, "\r\n", "\r"),
		"LF":  strings.ReplaceAll(crlfMail, "\r\n", "\n"),
		"mix": crlfMail,
	} {
		m, err := message.ReadMessage([]byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m.Subject != want.Subject || m.From.Address != want.From.Address || m.Text != want.Text || m.Body != want.Body {
			t.Errorf("%s: read %q %q %q, want %q %q %q", name, m.Subject, m.From.Address, m.Text, want.Subject, want.From.Address, want.Text)
		}
		// Raw is the bytes as they came, but with CRLF for bare CRs, so
		// that the header reads for the sender's authentication too.
		wantRaw := raw
		if name == "CR" {
			wantRaw = crlfMail
		}
		if string(m.Raw) != wantRaw {
			t.Errorf("%s: Raw is not the bytes as they came (bare CRs as CRLF)", name)
		}
	}
}

// TestLooksLikeNameWithInnerCapital: surnames with a capital after a short
// prefix are names; a shouted word and a sentence are not.
func TestLooksLikeNameWithInnerCapital(t *testing.T) {
	for s, want := range map[string]bool{
		"Ruairí O'Donoghue": true, "Morag McDonald": true, "Lucia D'Angelo": true, "Åsa Hedenström": true,
		"KIND REGARDS": false, "IT-avdelningen": false, "Tack för en bra dag": false,
	} {
		if got := message.LooksLikeName(s); got != want {
			t.Errorf("LooksLikeName(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestQuotedFroms: the writer of every mail a thread quotes, under any
// client's header line, with quote marks.
func TestQuotedFroms(t *testing.T) {
	quoted := "Från: Dorotea Sennfors <dorotea@gr.example>\nSkickat: den 4 december\n\nDen här kom till mig.\n\n" +
		"> From: Harriet Isaksson <harriet@stenungsund.example>\n> Date: 4 Dec\n>\n> Hej!"
	got := message.QuotedFroms(quoted)
	if len(got) != 2 || got[0] != "Dorotea Sennfors <dorotea@gr.example>" || got[1] != "Harriet Isaksson <harriet@stenungsund.example>" {
		t.Errorf("got %q", got)
	}
}
