package mailbot_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// The tests of this file are the numbered failures of issue 13 ("Authority
// only from what a forger cannot write"), each on the in-process servers.

// lindaWith is an organiser's command to cancel Anna, with the given
// header fields above the From.
func lindaWith(id string, fields ...string) []byte {
	h := append(append([]string{}, fields...), "From: Linda Karlsson <"+organiser+">", "To: "+botAddr, "Subject: Ändringar")
	return rawMail(id, h, "Hej!\n\nAvanmäl anna@ale.example.\n\n/Linda")
}

// command delivers raw and runs the bot once, an hour after the last step.
func (e *env) command(at *time.Time, raw []byte) {
	e.t.Helper()
	*at = at.Add(time.Hour)
	e.deliver(raw, *at)
	e.clock.Set(at.Add(time.Minute))
	e.runOnce()
}

// kinds lists the X-Anmalan-Kind of every mail to addr.
func (e *env) kinds(addr string) []string {
	var out []string
	for _, m := range e.repliesTo(addr) {
		out = append(out, m.header.Get("X-Anmalan-Kind"))
	}
	return out
}

func withAuth(mode string) func(string) string {
	return func(s string) string {
		return strings.Replace(s, "[organisers]\n", "[organisers]\norganiser_auth = \""+mode+"\"\n", 1)
	}
}

// Failure 1: real organisers were refused: OpenDKIM's comment with a ";",
// Microsoft 365 (no authserv-id, no DMARC between mailboxes of a tenant),
// and nothing that the bot verified itself.
func TestIssue13RealOrganiserIsHeard(t *testing.T) {
	signer := newTestSigner(t, "goteborgsregionen.example", "s1")
	cases := []struct {
		name string
		mode string
		raw  func(id string) []byte
	}{
		{"OpenDKIM and OpenDMARC with a ; in a comment", "dmarc", func(id string) []byte {
			return lindaWith(id, "Authentication-Results: mx.goteborgsregionen.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=goteborgsregionen.example header.i=@goteborgsregionen.example header.b=\"AbCd1234\";\r\n\tdkim-atps=neutral",
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass (p=reject dis=none) header.from=goteborgsregionen.example")
		}},
		{"Microsoft 365 within the tenant", "exchange", func(id string) []byte {
			return lindaWith(id, "Authentication-Results: dkim=none (message not signed)\r\n header.d=none;dmarc=none action=none header.from=goteborgsregionen.example;",
				"X-MS-Exchange-Organization-AuthAs: Internal",
				"X-MS-Exchange-Organization-AuthSource: AM0PR02MB1234.eurprd02.prod.outlook.com",
				"X-MS-Exchange-Organization-AuthMechanism: 04")
		}},
		{"a DKIM signature the bot verifies", "dkim", func(id string) []byte {
			return signer.sign(t, lindaWith(id))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnvWith(t, 2, localmail.Options{}, withAuth(c.mode))
			e.lookupTXT = signer.lookup
			e.reopen()
			day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
			e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
			e.command(&day, c.raw("c1"))
			wantState(t, e, "confirmed bo@ale.example", "cancelled anna@ale.example")
			if k := e.kinds(organiser); !slices.Contains(k, "organiser") || slices.Contains(k, "forged") {
				t.Errorf("the organiser got %q, want her answer and no forgery warning", k)
			}
		})
	}
	t.Run("a signed mail changed after signing", func(t *testing.T) {
		e := newEnvWith(t, 2, localmail.Options{}, withAuth("dkim"))
		e.lookupTXT = signer.lookup
		e.reopen()
		day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
		e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
		raw := signer.sign(t, lindaWith("c1"))
		raw = bytes.Replace(raw, []byte("anna@ale.example"), []byte("bo@ale.example"), 1)
		e.command(&day, raw)
		wantState(t, e, "confirmed anna@ale.example", "confirmed bo@ale.example")
	})
}

// forgedForms are mails that must never count as Linda's command.
var forgedForms = []struct {
	name   string
	fields []string
	from   string
}{
	// Failure 2: a forged trusted field below the one the receiving server
	// wrote on top (the server says dmarc=none).
	{"a forged trusted field below the server's", []string{
		"Authentication-Results: mx.goteborgsregionen.example; dmarc=none header.from=goteborgsregionen.example",
		"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example"}, ""},
	// Failure 3: a pass about another domain, and From forms that name
	// two senders.
	{"dmarc=pass about another domain", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example"}, ""},
	{"two addresses in From", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example"},
		"From: Linda Karlsson <" + organiser + ">, eve@evil.example"},
	{"two From fields", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example", "From: eve@evil.example"}, ""},
	{"two @ in the address", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example"},
		"From: <linda.karlsson@goteborgsregionen.example@evil.example>"},
	{"two angle-addresses", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example"},
		"From: Linda <" + organiser + "> <eve@evil.example>"},
	// Failure 6: a KELVIN SIGN folds to "k" under Unicode rules only.
	{"a KELVIN SIGN in the organiser's address", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example"},
		"From: Linda <linda.\u212Aarlsson@goteborgsregionen.example>"},
}

// Failures 2, 3 and 6: every forged form is refused, changes nothing and
// is warned about.
func TestIssue13ForgedCommandsChangeNothing(t *testing.T) {
	for _, f := range forgedForms {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, 2, localmail.Options{})
			day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
			e.register(day, "Anna Ek", "anna@ale.example", "Bo Ek", "bo@ale.example")
			raw := lindaWith("f1", f.fields...)
			if f.from != "" {
				raw = bytes.Replace(raw, []byte("From: Linda Karlsson <"+organiser+">"), []byte(f.from), 1)
			}
			e.command(&day, raw)
			wantState(t, e, "confirmed anna@ale.example", "confirmed bo@ale.example")
			if k := e.kinds(organiser); slices.Contains(k, "organiser") {
				t.Errorf("the organiser got %q: a forged command was answered as done", k)
			}
			if k := e.kinds("anna@ale.example"); slices.Contains(k, "cancelled") {
				t.Errorf("Anna got %q", k)
			}
		})
	}
}

// Failure 4: Eve "registers" Dora, who is registered already; the answer
// went to Dora with Eve in Cc, and Eve's reply to it cancelled Dora.
func TestIssue13ThirdPartyCannotCancel(t *testing.T) {
	e := newEnv(t, 5, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Dora Lund", "dora@ale.example")
	e.command(&day, rawMail("eve1", []string{"From: Eve <eve@evil.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag vill anmäla Dora Lund, dora@ale.example.\n\n/Eve"))
	already := e.last("dora@ale.example")
	if already.header.Get("X-Anmalan-Kind") != "already" || already.header.Get("Cc") != "" || slices.Contains(already.env.To, "eve@evil.example") {
		t.Fatalf("Dora's answer: kind %q, Cc %q, to %v; want already, to Dora alone", already.header.Get("X-Anmalan-Kind"), already.header.Get("Cc"), already.env.To)
	}
	// Eve is answered, so that she knows her mail was read, but she
	// learns only that Dora was written to: not how Dora stands.
	told := e.repliesTo("eve@evil.example")
	if len(told) != 1 || told[0].header.Get("X-Anmalan-Kind") != "tolddirectly" || !strings.Contains(told[0].text, "Dora Lund") {
		t.Fatalf("Eve's answers %v, want one tolddirectly naming Dora", subjects(told))
	}
	for _, word := range []string{"redan", "plats", "väntelist", "bekräftad", "dora@"} {
		if strings.Contains(strings.ToLower(told[0].text), word) {
			t.Errorf("Eve's answer says %q of Dora's registration:\n%s", word, told[0].text)
		}
	}
	// Eve replies to the answer she would have had in Cc: nothing changes.
	e.command(&day, rawMail("eve2", []string{"From: Eve <eve@evil.example>", "To: " + botAddr, "Subject: Re: Redan anmäld",
		"In-Reply-To: " + already.header.Get("Message-Id"), "References: " + already.header.Get("Message-Id")}, "Avanmäl Dora Lund (dora@ale.example)."))
	wantState(t, e, "confirmed dora@ale.example")

	// Eve registers Carl, whom she may cancel; naming Dora in a reply to
	// Carl's confirmation (where Eve is in Cc) changes nothing.
	e.command(&day, rawMail("eve3", []string{"From: Eve <eve@evil.example>", "To: " + botAddr, "Subject: Anmälan segregation"},
		"Hej! Jag vill anmäla Carl Ek, carl@ale.example.\n\n/Eve"))
	carl := e.msgID("carl@ale.example")
	e.command(&day, rawMail("eve4", []string{"From: Eve <eve@evil.example>", "To: " + botAddr, "Subject: Re: Bekräftelse",
		"In-Reply-To: " + carl, "References: " + carl}, "Avanmäl Dora Lund (dora@ale.example)."))
	wantState(t, e, "confirmed dora@ale.example", "confirmed carl@ale.example")
	if m := e.last("eve@evil.example"); m.header.Get("X-Anmalan-Kind") != "notyours" {
		t.Errorf("Eve was answered %q, want notyours", m.header.Get("X-Anmalan-Kind"))
	}
	e.command(&day, rawMail("eve5", []string{"From: Eve <eve@evil.example>", "To: " + botAddr, "Subject: Re: Bekräftelse",
		"In-Reply-To: " + carl, "References: " + carl}, "Carl kan inte komma, avanmäl Carl."))
	wantState(t, e, "confirmed dora@ale.example", "cancelled carl@ale.example")
}

// Failure 5: "avanmäl Anna Ek (anna@…)" in a reply to one's own
// confirmation cancelled the sender.
func TestIssue13NamingSomeoneElseCancelsNobody(t *testing.T) {
	e := newEnv(t, 5, localmail.Options{})
	day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.register(day, "Anna Ek", "anna@ale.example", "Per Ström", "per.strom@ale.example")
	conf := e.msgID("per.strom@ale.example")
	e.command(&day, rawMail("per1", []string{"From: Per Ström <per.strom@ale.example>", "To: " + botAddr, "Subject: Re: Bekräftelse",
		"In-Reply-To: " + conf, "References: " + conf}, "Hej, avanmäl Anna Ek (anna@ale.example).\n\n/Per"))
	wantState(t, e, "confirmed anna@ale.example", "confirmed per.strom@ale.example")
	if m := e.last("per.strom@ale.example"); m.header.Get("X-Anmalan-Kind") != "notyours" {
		t.Errorf("Per was answered %q, want notyours", m.header.Get("X-Anmalan-Kind"))
	}
}

// Failure 7: one stranger's mail naming 60 people took every seat and
// mailed 60 strangers; 30 forged commands gave 30 warnings.
func TestIssue13Limits(t *testing.T) {
	t.Run("a group larger than max_group_size", func(t *testing.T) {
		e := newEnv(t, 50, localmail.Options{})
		day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
		var b strings.Builder
		b.WriteString("Hej! Vi anmäler följande:\n\n")
		for i := range 60 {
			fmt.Fprintf(&b, "Person%c Nummer%c, p%d@many.example\n", 'A'+i%26, 'A'+i/26, i)
		}
		e.command(&day, rawMail("many", []string{"From: Eve <eve@evil.example>", "To: " + botAddr, "Subject: Anmälan segregation"}, b.String()))
		if got := e.state(); len(got) != 0 {
			t.Errorf("%d registered, want none: %q", len(got), got)
		}
		if n := len(e.srv.Received()); n != 1 {
			t.Errorf("%d mails sent, want one notice to the organiser", n)
		}
		if n := e.last(organiser); n.header.Get("X-Anmalan-Kind") != "notice" || !strings.Contains(n.text, "60 personer") {
			t.Errorf("the organiser got %q:\n%s", n.header.Get("X-Anmalan-Kind"), n.text)
		}
	})
	t.Run("thirty forged commands", func(t *testing.T) {
		e := newEnv(t, 2, localmail.Options{})
		day := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
		e.register(day, "Anna Ek", "anna@ale.example")
		at := day.Add(time.Hour)
		for i := range 30 {
			e.deliver(lindaWith(fmt.Sprintf("forged%d", i)), at.Add(time.Duration(i)*time.Second))
		}
		e.clock.Set(at.Add(time.Minute))
		e.runOnce()
		wantState(t, e, "confirmed anna@ale.example")
		if k := e.kinds(organiser); len(k) != 1 || k[0] != "forged" {
			t.Errorf("the organiser got %q, want one forgery warning", k)
		}
		// Over an hour later the same forger is warned about again.
		at = at.Add(time.Minute)
		e.command(&at, lindaWith("forged-later"))
		if k := e.kinds(organiser); len(k) != 2 {
			t.Errorf("the organiser got %q, want a second warning after an hour", k)
		}
	})
}

// testSigner signs mail with a DKIM key of its own and serves the key.
type testSigner struct {
	domain, selector string
	key              ed25519.PrivateKey
	record           string
}

func newTestSigner(t *testing.T, domain, selector string) *testSigner {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &testSigner{domain: domain, selector: selector, key: priv,
		record: "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
}

func (s *testSigner) lookup(name string) ([]string, error) {
	if name == s.selector+"._domainkey."+s.domain {
		return []string{s.record}, nil
	}
	return nil, fmt.Errorf("no TXT record for %s", name)
}

func (s *testSigner) sign(t *testing.T, raw []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	opts := &dkim.SignOptions{Domain: s.domain, Selector: s.selector, Signer: crypto.Signer(s.key),
		HeaderKeys: []string{"From", "To", "Subject", "Message-ID"}}
	if err := dkim.Sign(&out, bytes.NewReader(raw), opts); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// reopen closes the daemon and opens it again on the same database, so
// that what was set on e since takes effect.
func (e *env) reopen() {
	e.t.Helper()
	e.d.Close()
	e.open()
}
