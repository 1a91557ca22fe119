package mailauth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
)

const (
	organiser = "linda.karlsson@goteborgsregionen.example"
	trustedID = "mx.goteborgsregionen.example"
	tenant    = "8b493985-e1b4-4b95-ade6-98acafdbdb01"
)

var now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// rawMail joins header lines and a body into a raw mail with CRLF.
func rawMail(body string, header ...string) []byte {
	return []byte(strings.Join(header, "\r\n") + "\r\n\r\n" + body)
}

const (
	fromLinda = "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>"
	toBot     = "To: anmalan@goteborgsregionen.example"
	subject   = "Subject: avanmäl Dora"
	body      = "Avanmäl Dora Ek.\r\n/Linda\r\n"
)

func dmarcPolicy() Policy {
	return Policy{Mode: ModeDMARC, TrustedAuthservID: trustedID, Organisers: []string{"Linda.Karlsson@goteborgsregionen.example"}}
}

func TestDMARCMode(t *testing.T) {
	cases := []struct {
		name   string
		raw    []byte
		ok     bool
		reason string // a part of Verdict.Reason
	}{
		{
			// The form of go-msgauth issue #74 that refused every real
			// organiser behind OpenDKIM and OpenDMARC.
			name: "OpenDKIM and OpenDMARC in one field",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=goteborgsregionen.example header.i=@goteborgsregionen.example header.a=rsa-sha256 header.s=selector1 header.b=pOeguXgX;\r\n\tdkim-atps=neutral; dmarc=pass (p=none dis=none) header.from=goteborgsregionen.example",
				fromLinda, toBot, subject),
			ok: true, reason: "dmarc=pass for goteborgsregionen.example",
		},
		{
			name: "OpenDKIM alone, aligned dkim=pass of a subdomain",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=mail.goteborgsregionen.example header.b=\"Telka2Jd\";\r\n\tdkim-atps=neutral",
				fromLinda, toBot, subject),
			ok: true, reason: "dkim=pass for mail.goteborgsregionen.example",
		},
		{
			name: "rspamd",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example;\r\n\tdkim=pass header.d=goteborgsregionen.example header.s=sel header.b=\"J2p/Mdci\";\r\n\tspf=pass (mx.goteborgsregionen.example: domain of \"linda.karlsson@goteborgsregionen.example\" designates 192.0.2.1 as permitted sender) smtp.mailfrom=\"linda.karlsson@goteborgsregionen.example\";\r\n\tdmarc=pass (policy=reject) header.from=goteborgsregionen.example;\r\n\tarc=pass (\"subspace.kernel.org:s=arc-20240116:i=1\")",
				fromLinda, toBot, subject),
			ok: true, reason: "dmarc=pass",
		},
		{
			name: "Fastmail as the receiving server",
			raw: rawMail(body,
				"Authentication-Results: mx6.messagingengine.com;\r\n    arc=none (no signatures found);\r\n    dkim=pass (2048-bit rsa key sha256) header.d=goteborgsregionen.example header.i=@goteborgsregionen.example header.b=oF80QtY/ x-bits=2048 x-keytype=rsa x-algorithm=sha256 x-selector=fm2;\r\n    dmarc=pass (p=reject,d=none) header.from=goteborgsregionen.example;\r\n    spf=pass smtp.mailfrom=linda.karlsson@goteborgsregionen.example smtp.helo=out1-smtp.messagingengine.com;\r\n    x-aligned-from=pass (Address match)",
				fromLinda, toBot, subject),
			ok: true, reason: "dmarc=pass",
		},
		{
			name: "upper-case trusted id",
			raw: rawMail(body,
				"Authentication-Results: MX.Goteborgsregionen.Example; dmarc=pass header.from=GOTEBORGSREGIONEN.example",
				fromLinda, toBot, subject),
			ok: true,
		},
		{
			name: "dmarc=pass for another domain",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass (p=none dis=none) header.from=evil.example; dkim=pass header.d=evil.example",
				fromLinda, toBot, subject),
			reason: "neither dmarc=pass for goteborgsregionen.example",
		},
		{
			name: "dmarc=pass without header.from",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass",
				fromLinda, toBot, subject),
		},
		{
			name: "dkim=pass of an unaligned domain",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=goteborgsregionen.example.evil.example",
				fromLinda, toBot, subject),
		},
		{
			name: "dkim=pass of a public suffix",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=example",
				fromLinda, toBot, subject),
		},
		{
			name: "the trusted id below the server's own",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dkim=none; dmarc=none header.from=goteborgsregionen.example",
				"Received: from evil.example by mx.goteborgsregionen.example",
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example",
				fromLinda, toBot, subject),
			reason: "neither",
		},
		{
			name: "a forger's header without the trusted id",
			raw: rawMail(body,
				"Authentication-Results: mx.evil.example; dmarc=pass header.from=goteborgsregionen.example",
				"Authentication-Results: dmarc=pass header.from=goteborgsregionen.example",
				fromLinda, toBot, subject),
			reason: "No Authentication-Results of the trusted server",
		},
		{
			name: "Microsoft 365's header without an id is not the trusted one",
			raw: rawMail(body,
				"Authentication-Results: spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=goteborgsregionen.example; dkim=pass (signature was verified) header.d=goteborgsregionen.example;dmarc=pass action=none header.from=goteborgsregionen.example;compauth=pass reason=100",
				fromLinda, toBot, subject),
		},
		{
			name: "the trusted server's header is unreadable",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=\"goteborgsregionen.example",
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example",
				fromLinda, toBot, subject),
			reason: "cannot be read",
		},
		{
			name: "a From of two addresses",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example",
				"From: linda.karlsson@goteborgsregionen.example, eve@evil.example",
				toBot, subject),
			reason: "The sender is unclear",
		},
		{
			name: "two From fields",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example",
				fromLinda, "From: eve@evil.example", toBot, subject),
			reason: "2 From fields",
		},
		{
			name: "an address of two @",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example",
				"From: linda.karlsson@goteborgsregionen.example@evil.example", toBot, subject),
			reason: "The sender is unclear",
		},
		{
			name: "a quoted local part holding the organiser's address",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example",
				"From: \"linda.karlsson@goteborgsregionen.example\"@evil.example", toBot, subject),
			reason: "The sender is unclear",
		},
		{
			name: "two angle-addresses",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example",
				"From: Linda <linda.karlsson@goteborgsregionen.example> <eve@evil.example>", toBot, subject),
			reason: "The sender is unclear",
		},
		{
			name: "group syntax",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example",
				"From: Organisers: linda.karlsson@goteborgsregionen.example;", toBot, subject),
			reason: "group",
		},
		{
			name: "KELVIN SIGN in the local part",
			raw: rawMail(body,
				"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example",
				"From: linda.\u212Aarlsson@goteborgsregionen.example", toBot, subject),
			reason: "not a listed organiser",
		},
		{
			name:   "no From",
			raw:    rawMail(body, "Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example", toBot, subject),
			reason: "no From field",
		},
		{
			name:   "not an organiser",
			raw:    rawMail(body, "Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example", "From: dora.ek@goteborgsregionen.example", toBot, subject),
			reason: "not a listed organiser",
		},
		{
			name:   "an unreadable header",
			raw:    []byte("From linda\r\nbroken\r\n\r\n"),
			reason: "header cannot be read",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := dmarcPolicy()
			if strings.Contains(c.name, "Fastmail") {
				p.TrustedAuthservID = "mx6.messagingengine.com"
			}
			v := AuthenticateOrganiser(p, c.raw, now)
			if v.Authenticated != c.ok {
				t.Fatalf("Authenticated = %v (%s), want %v", v.Authenticated, v.Reason, c.ok)
			}
			if !strings.Contains(v.Reason, c.reason) {
				t.Errorf("reason %q does not say %q", v.Reason, c.reason)
			}
			if v.Reason == "" || !strings.HasSuffix(v.Reason, ".") {
				t.Errorf("reason %q is not a sentence", v.Reason)
			}
		})
	}
}

func TestNoTrustedID(t *testing.T) {
	p := dmarcPolicy()
	p.TrustedAuthservID = " "
	raw := rawMail(body, "Authentication-Results: ; dmarc=pass header.from=goteborgsregionen.example", fromLinda)
	if v := AuthenticateOrganiser(p, raw, now); v.Authenticated {
		t.Fatalf("authenticated without a trusted id: %+v", v)
	}
}

// dkimSigner signs mails for a domain with a key made for the test, and
// serves the key from its LookupTXT.
type dkimSigner struct {
	domain, selector string
	key              ed25519.PrivateKey
	record           string
	lookupErr        error
	lookups          atomic.Int32 // go-msgauth looks keys up in parallel
}

func newSigner(t *testing.T, domain string) *dkimSigner {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &dkimSigner{domain: domain, selector: "sel", key: priv,
		record: "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
}

func (s *dkimSigner) sign(t *testing.T, raw []byte, opts func(*dkim.SignOptions)) []byte {
	t.Helper()
	o := &dkim.SignOptions{Domain: s.domain, Selector: s.selector, Signer: s.key}
	if opts != nil {
		opts(o)
	}
	var b bytes.Buffer
	if err := dkim.Sign(&b, bytes.NewReader(raw), o); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (s *dkimSigner) lookup(name string) ([]string, error) {
	s.lookups.Add(1)
	if s.lookupErr != nil {
		return nil, s.lookupErr
	}
	if name == s.selector+"._domainkey."+s.domain {
		return []string{s.record}, nil
	}
	return nil, errors.New("no such name " + name)
}

// tempErr is a DNS error that go-msgauth reads as a temporary failure.
type tempErr struct{}

func (tempErr) Error() string   { return "i/o timeout" }
func (tempErr) Temporary() bool { return true }
func (tempErr) Timeout() bool   { return true }

func TestDKIMMode(t *testing.T) {
	good := newSigner(t, "goteborgsregionen.example")
	sub := newSigner(t, "mail.goteborgsregionen.example")
	evil := newSigner(t, "evil.example")
	plain := rawMail(body, fromLinda, toBot, subject, "Date: Thu, 19 Nov 2026 10:00:00 +0100", "Message-ID: <1@goteborgsregionen.example>")

	type signerCase struct {
		name   string
		signer *dkimSigner
		raw    func() []byte
		ok     bool
		reason string
	}
	cases := []signerCase{
		{name: "signed by the From domain", signer: good, raw: func() []byte { return good.sign(t, plain, nil) }, ok: true, reason: "verified and is aligned"},
		{name: "signed by a subdomain", signer: sub, raw: func() []byte { return sub.sign(t, plain, nil) }, ok: true},
		{name: "signed by another domain", signer: evil, raw: func() []byte { return evil.sign(t, plain, nil) }, reason: "not aligned"},
		{name: "not signed", signer: good, raw: func() []byte { return plain }, reason: "no DKIM signature"},
		{name: "body changed after signing", signer: good, raw: func() []byte {
			return bytes.Replace(good.sign(t, plain, nil), []byte("Dora Ek"), []byte("Sara Ek"), 1)
		}, reason: "failed"},
		{name: "a second From added above the signature", signer: good, raw: func() []byte {
			return append([]byte("From: eve@evil.example\r\n"), good.sign(t, plain, nil)...)
		}, reason: "2 From fields"},
		{name: "a forged trusted header is not read", signer: good, raw: func() []byte {
			return append([]byte("Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example\r\n"), plain...)
		}, reason: "no DKIM signature"},
		{name: "expired signature", signer: good, raw: func() []byte {
			return good.sign(t, plain, func(o *dkim.SignOptions) { o.Expiration = now.Add(-time.Hour) })
		}, reason: "expired"},
		{name: "signature with l=", signer: good, raw: func() []byte {
			signed := good.sign(t, plain, nil)
			// A forger who had a signed mail with l= could append text;
			// mark a real signature with l= to see it refused.
			return bytes.Replace(signed, []byte("DKIM-Signature: "), []byte("DKIM-Signature: l=1; "), 1)
		}, reason: "failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Policy{Mode: ModeDKIM, LookupTXT: c.signer.lookup, Organisers: []string{organiser}}
			v := AuthenticateOrganiser(p, c.raw(), now)
			if v.Authenticated != c.ok {
				t.Fatalf("Authenticated = %v (%s), want %v", v.Authenticated, v.Reason, c.ok)
			}
			if !strings.Contains(v.Reason, c.reason) {
				t.Errorf("reason %q does not say %q", v.Reason, c.reason)
			}
		})
	}

	t.Run("DNS timeout", func(t *testing.T) {
		s := newSigner(t, "goteborgsregionen.example")
		raw := s.sign(t, plain, nil)
		s.lookupErr = tempErr{}
		v := AuthenticateOrganiser(Policy{Mode: ModeDKIM, LookupTXT: s.lookup, Organisers: []string{organiser}}, raw, now)
		if v.Authenticated || !strings.Contains(v.Reason, "could not be looked up") {
			t.Fatalf("%+v", v)
		}
	})
	t.Run("DNS failure", func(t *testing.T) {
		s := newSigner(t, "goteborgsregionen.example")
		raw := s.sign(t, plain, nil)
		s.lookupErr = errors.New("SERVFAIL")
		v := AuthenticateOrganiser(Policy{Mode: ModeDKIM, LookupTXT: s.lookup, Organisers: []string{organiser}}, raw, now)
		if v.Authenticated {
			t.Fatalf("%+v", v)
		}
	})
	t.Run("many signatures are bounded", func(t *testing.T) {
		raw := plain
		for range 20 {
			raw = evil.sign(t, raw, nil)
		}
		evil.lookups.Store(0)
		v := AuthenticateOrganiser(Policy{Mode: ModeDKIM, LookupTXT: evil.lookup, Organisers: []string{organiser}}, raw, now)
		if v.Authenticated || evil.lookups.Load() > maxSignatures {
			t.Fatalf("%d lookups: %+v", evil.lookups.Load(), v)
		}
	})
}

// exchangeInternal is the organisation header set of a mail between two
// mailboxes of one Exchange Online tenant, as delivered (from a C# test
// helper of WiseTech Global's recruitment mail, RecruitmentEmailDataHelpers;
// the addresses replaced by ours). It carries no CrossTenant headers.
var exchangeInternal = []string{
	"Received: from SYXPR01MB2175.ausprd01.prod.outlook.com\r\n ([fe80::5c77:ca45:a276:6c1a]) by SYXPR01MB2175.ausprd01.prod.outlook.com\r\n ([fe80::5c77:ca45:a276:6c1a%12]) with mapi id 15.20.3654.012; Thu, 10 Dec\r\n 2020 22:40:19 +0000",
	fromLinda, toBot, subject,
	"Thread-Topic: hihi",
	"Date: Thu, 10 Dec 2020 22:40:19 +0000",
	"Message-ID:\r\n\t<SYXPR01MB21757FAD40B74299A1CA217FEACB0@SYXPR01MB2175.ausprd01.prod.outlook.com>",
	"Accept-Language: en-AU, en-US",
	"X-MS-Exchange-Organization-AuthAs: Internal",
	"X-MS-Exchange-Organization-AuthMechanism: 04",
	"X-MS-Exchange-Organization-AuthSource: SYXPR01MB2175.ausprd01.prod.outlook.com",
	"X-MS-Has-Attach:",
	"X-MS-Exchange-Organization-Network-Message-Id:\r\n\t070f6c47-dce2-41be-24ad-08d89d5c92bf",
	"X-MS-Exchange-Organization-SCL: -1",
	"MIME-Version: 1.0",
}

// exchangeCrossTenant are the CrossTenant fields Exchange Online stamps
// when a mail passes its front end (the same helper's mail from outside:
// X-MS-Exchange-CrossTenant-Id of the receiving tenant).
var exchangeCrossTenant = []string{
	"X-MS-Exchange-CrossTenant-OriginalArrivalTime: 10 Dec 2020 23:01:46.5331\r\n (UTC)",
	"X-MS-Exchange-CrossTenant-Id: 8B493985-E1B4-4B95-ADE6-98ACAFDBDB01",
	"X-MS-Exchange-CrossTenant-AuthAs: Internal",
	"X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted",
}

// exchangeFromOutside is the same helper's mail from Gmail as Exchange
// Online delivered it: AuthAs Anonymous, Microsoft's Authentication-Results
// without an authserv-id, and the upstream field renamed to
// Authentication-Results-Original.
var exchangeFromOutside = []string{
	"Authentication-Results: spf=softfail (sender IP is 148.163.150.14)\r\n smtp.mailfrom=goteborgsregionen.example; wisetechglobal.com; dkim=pass (signature was\r\n verified) header.d=goteborgsregionen.example;wisetechglobal.com; dmarc=pass action=none\r\n header.from=goteborgsregionen.example;compauth=pass reason=100",
	"Authentication-Results-Original: ppops.net;\tspf=pass\r\n smtp.mailfrom=linda.karlsson@goteborgsregionen.example;\tdkim=pass header.s=20161025\r\n header.d=goteborgsregionen.example;\tdmarc=pass header.from=goteborgsregionen.example",
	fromLinda, toBot, subject,
	"X-MS-Exchange-Organization-MessageDirectionality: Incoming",
	"X-MS-Exchange-Organization-AuthSource:\r\n SY4AUS01FT008.eop-AUS01.prod.protection.outlook.com",
	"X-MS-Exchange-Organization-AuthAs: Anonymous",
	"X-MS-Exchange-CrossTenant-Id: 8b493985-e1b4-4b95-ade6-98acafdbdb01",
	"X-MS-Exchange-CrossTenant-AuthAs: Anonymous",
	"X-MS-Exchange-CrossTenant-FromEntityHeader: Internet",
}

func TestExchangeMode(t *testing.T) {
	with := func(extra ...[]string) []string {
		var out []string
		for _, e := range extra {
			out = append(out, e...)
		}
		return out
	}
	cases := []struct {
		name   string
		header []string
		tenant string
		ok     bool
		reason string
	}{
		{name: "internal, one mailbox server", header: exchangeInternal, ok: true, reason: "as internal"},
		{name: "internal, tenant configured, no tenant field", header: exchangeInternal, tenant: tenant, ok: true, reason: "no tenant id"},
		{name: "internal, through the front end of our tenant", header: with(exchangeInternal, exchangeCrossTenant), tenant: tenant, ok: true},
		{name: "from outside, with a dmarc=pass of Microsoft", header: exchangeFromOutside, tenant: tenant, reason: "Anonymous"},
		{name: "another tenant", header: with(exchangeInternal, []string{"X-MS-Exchange-CrossTenant-Id: 4e2c6054-71cb-48f1-bd6c-3a9705aca71b"}), tenant: tenant, reason: "4e2c6054"},
		{name: "our tenant and another", header: with(exchangeInternal, exchangeCrossTenant, []string{"X-MS-Exchange-CrossTenant-Id: 4e2c6054-71cb-48f1-bd6c-3a9705aca71b"}), tenant: tenant},
		// A phishing mail to lists.ozlabs.org (Postfix, not Exchange)
		// carried these forged fields, in linux-mailinglist-archives.
		{name: "a forger's AuthAs value", header: []string{fromLinda, "X-Ms-Exchange-Organization-Authas: Internal74", "X-Ms-Exchange-Organization-Authmechanism: 19", "X-Ms-Exchange-Organization-Authsource:  AM86PR65MB0179.eurprd34.prod.outlook.com"}, reason: "Internal74"},
		{name: "two AuthAs fields", header: with(exchangeInternal, []string{"X-MS-Exchange-Organization-AuthAs: Internal"}), reason: "2 X-MS-Exchange-Organization-AuthAs"},
		{name: "no AuthSource", header: []string{fromLinda, "X-MS-Exchange-Organization-AuthAs: Internal"}, reason: "AuthSource"},
		{name: "no organisation headers", header: []string{fromLinda, toBot}, reason: "0 X-MS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Policy{Mode: ModeExchange, TenantID: c.tenant, Organisers: []string{organiser}}
			v := AuthenticateOrganiser(p, rawMail(body, c.header...), now)
			if v.Authenticated != c.ok {
				t.Fatalf("Authenticated = %v (%s), want %v", v.Authenticated, v.Reason, c.ok)
			}
			if !strings.Contains(v.Reason, c.reason) {
				t.Errorf("reason %q does not say %q", v.Reason, c.reason)
			}
		})
	}
}

func TestTrustFromAndUnknownMode(t *testing.T) {
	raw := rawMail(body, fromLinda, toBot)
	if v := AuthenticateOrganiser(Policy{Mode: ModeTrustFrom, Organisers: []string{organiser}}, raw, now); !v.Authenticated || v.Address != organiser {
		t.Errorf("trust-from: %+v", v)
	}
	if v := AuthenticateOrganiser(Policy{Mode: "dmarc ", Organisers: []string{organiser}}, raw, now); v.Authenticated {
		t.Errorf("unknown mode: %+v", v)
	}
	if v := AuthenticateOrganiser(Policy{Organisers: []string{organiser}}, raw, now); v.Authenticated {
		t.Errorf("no mode: %+v", v)
	}
}

func TestAuthenticateAnySender(t *testing.T) {
	raw := rawMail(body, "Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=example.se", "From: Dora Ek <Dora.Ek@Example.SE>", toBot)
	v := Authenticate(dmarcPolicy(), raw, now)
	if !v.Authenticated || v.Address != "dora.ek@example.se" {
		t.Fatalf("%+v", v)
	}
	if v := AuthenticateOrganiser(dmarcPolicy(), raw, now); v.Authenticated {
		t.Fatalf("a participant passed as organiser: %+v", v)
	}
	forged := rawMail(body, "Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example", "From: Dora Ek <dora.ek@example.se>", toBot)
	if v := Authenticate(dmarcPolicy(), forged, now); v.Authenticated {
		t.Fatalf("%+v", v)
	}
}

// TestLengthLimitedDomains covers the l= rule on its own: go-msgauth's Sign
// cannot write l=, so the signed-mail case above fails verification first.
func TestLengthLimitedDomains(t *testing.T) {
	raw := rawMail(body,
		"DKIM-Signature: v=1; a=rsa-sha256; d=Goteborgsregionen.example; s=s;\r\n l=12; h=from; bh=x; b=y",
		"DKIM-Signature: v=1; a=rsa-sha256; d=other.example; s=s; h=from; bh=x; b=y",
		fromLinda)
	got, err := lengthLimitedDomains(raw)
	if err != nil || !got["goteborgsregionen.example"] || got["other.example"] {
		t.Fatalf("%v %v", got, err)
	}
}
