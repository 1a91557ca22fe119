package mailauth

import (
	"reflect"
	"strings"
	"testing"
)

// realHeaders are Authentication-Results values as real servers wrote
// them, each with where it was found. Folding is kept as in the source
// (CRLF or LF followed by white space).
var realHeaders = []struct {
	name   string
	source string
	value  string
	id     string
	want   []string // method=result per resinfo, in order
	props  map[string]string
}{
	{
		name:   "OpenDKIM, comment with ;",
		source: "mail via lists.ozlabs.org (Postfix + OpenDKIM), in the linux-mailinglist-archives repositories on GitHub",
		value:  "lists.ozlabs.org;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=csgroup.eu header.i=@csgroup.eu header.a=rsa-sha256 header.s=selector1 header.b=pOeguXgX;\r\n\tdkim-atps=neutral",
		id:     "lists.ozlabs.org",
		want:   []string{"dkim=pass", "dkim-atps=neutral"},
		props:  map[string]string{"header.d": "csgroup.eu", "header.i": "@csgroup.eu", "header.b": "pOeguXgX"},
	},
	{
		name:   "OpenDKIM, quoted reason and quoted header.b",
		source: "mail via lists.ozlabs.org (OpenDKIM), linux-mailinglist-archives",
		value:  "lists.ozlabs.org;\n\tdkim=fail reason=\"signature verification failed\" (2048-bit key; unprotected) header.d=linaro.org header.i=@linaro.org header.a=rsa-sha256 header.s=google header.b=FL1ODDD/;\n\tdkim-atps=neutral",
		id:     "lists.ozlabs.org",
		want:   []string{"dkim=fail", "dkim-atps=neutral"},
		props:  map[string]string{"header.d": "linaro.org", "header.b": "FL1ODDD/"},
	},
	{
		name:   "OpenDKIM at freedesktop, quoted header.b",
		source: "mail via gabe.freedesktop.org (Postfix + OpenDKIM), linux-mailinglist-archives",
		value:  "gabe.freedesktop.org;\n\tdkim=pass (2048-bit key; unprotected) header.d=intel.com header.i=@intel.com header.b=\"Telka2Jd\";\n\tdkim-atps=neutral",
		id:     "gabe.freedesktop.org",
		want:   []string{"dkim=pass", "dkim-atps=neutral"},
		props:  map[string]string{"header.d": "intel.com", "header.b": "Telka2Jd"},
	},
	{
		name:   "OpenDMARC",
		source: "dinosaure/blaze test/dmarc.t (OpenDMARC-style output); pastebin of an OpenDMARC forgery test",
		value:  "mx.example.com; dmarc=pass (p=reject dis=none) header.from=example.com",
		id:     "mx.example.com",
		want:   []string{"dmarc=pass"},
		props:  map[string]string{"header.from": "example.com"},
	},
	{
		name:   "OpenDKIM 1024-bit, separate spf field",
		source: "pastebin of an OpenDMARC forgery test (TrustedAuthservIDs)",
		value:  "mx.example.com;\n dkim=pass (1024-bit key; unprotected) header.d=example.com header.i=@example.com;",
		id:     "mx.example.com",
		want:   []string{"dkim=pass"},
		props:  map[string]string{"header.d": "example.com"},
	},
	{
		name:   "rspamd",
		source: "mail via mail.lfdr.de (Postfix + rspamd), linux-mailinglist-archives",
		value:  "mail.lfdr.de;\n\tdkim=pass header.d=qualcomm.com header.s=qcppdkim1 header.b=hi31+O1Q;\n\tdkim=pass header.d=oss.qualcomm.com header.s=google header.b=\"J2p/Mdci\";\n\tspf=pass (mail.lfdr.de: domain of \"devicetree+bounces-311881-lists+devicetree=lfdr.de@vger.kernel.org\" designates 172.234.253.10 as permitted sender) smtp.mailfrom=\"devicetree+bounces-311881-lists+devicetree=lfdr.de@vger.kernel.org\";\n\tdmarc=pass (policy=reject) header.from=qualcomm.com;\n\tarc=pass (\"subspace.kernel.org:s=arc-20240116:i=1\")",
		id:     "mail.lfdr.de",
		want:   []string{"dkim=pass", "dkim=pass", "spf=pass", "dmarc=pass", "arc=pass"},
		props:  map[string]string{"header.d": "qualcomm.com"},
	},
	{
		name:   "rspamd at lists.linaro.org",
		source: "mail via lists.linaro.org (rspamd), linux-mailinglist-archives",
		value:  "lists.linaro.org;\n\tdkim=pass header.d=Nvidia.com header.s=selector2 header.b=\"ayc6GHG/\";\n\tdmarc=pass (policy=reject) header.from=nvidia.com;\n\tarc=pass (\"microsoft.com:s=arcselector10001:i=1\");\n\tspf=pass (lists.linaro.org: domain of jgg@nvidia.com designates 40.93.196.59 as permitted sender) smtp.mailfrom=jgg@nvidia.com",
		id:     "lists.linaro.org",
		want:   []string{"dkim=pass", "dmarc=pass", "arc=pass", "spf=pass"},
		props:  map[string]string{"header.d": "Nvidia.com", "header.b": "ayc6GHG/"},
	},
	{
		name:   "Gmail",
		source: "trusteddomainproject/OpenDKIM issue #48 (a mail as Gmail received it)",
		value:  "mx.google.com;\n       dkim=pass header.i=@aa.com header.s=selector2 header.b=ksOGfQcS;\n       arc=pass (i=1);\n       spf=pass (google.com: domain of x@aa.com designates 1.2.3.4 as permitted sender) smtp.mailfrom=x@aa.com",
		id:     "mx.google.com",
		want:   []string{"dkim=pass", "arc=pass", "spf=pass"},
		props:  map[string]string{"header.i": "@aa.com", "header.s": "selector2"},
	},
	{
		name:   "Gmail with DMARC",
		source: "peermesh/knowledge-graph-lab docs (VERIFY-AUTHENTICATION.md, a header Gmail wrote)",
		value:  "mx.google.com;\n       spf=pass (google.com: domain of noreply@distributedcreatives.org designates X.X.X.X as permitted sender) smtp.mailfrom=noreply@distributedcreatives.org;\n       dkim=pass header.i=@distributedcreatives.org;\n       dmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=distributedcreatives.org",
		id:     "mx.google.com",
		want:   []string{"spf=pass", "dkim=pass", "dmarc=pass"},
		props:  map[string]string{"header.from": "distributedcreatives.org"},
	},
	{
		name:   "Fastmail (Authentication Milter)",
		source: "Mail::AuthenticationResults (Perl, marcbradshaw) tests: a header of mx6.messagingengine.com",
		value:  "mx6.messagingengine.com;\n    arc=none (no signatures found);\n    dkim=pass (1024-bit rsa key sha256) header.d=mail.ru header.i=@mail.ru header.b=oF80QtY/ x-bits=1024 x-keytype=rsa x-algorithm=sha256 x-selector=mail2;\n    dmarc=pass (p=reject,d=none) header.from=mail.ru;\n    iprev=pass policy.iprev=94.100.177.106 (smtp46.i.mail.ru);\n    spf=pass smtp.mailfrom=fmdeliverability@mail.ru smtp.helo=smtp46.i.mail.ru;\n    x-aligned-from=pass;\n    x-ptr=pass x-ptr-helo=smtp46.i.mail.ru x-ptr-lookup=smtp46.i.mail.ru;\n    x-return-mx=pass smtp.domain=mail.ru smtp.result=pass smtp_is_org_domain=yes header.domain=mail.ru header.result=pass header_is_org_domain=yes;\n    x-tls=pass version=TLSv1.2 cipher=ECDHE-RSA-AES128-GCM-SHA256 bits=128/128",
		id:     "mx6.messagingengine.com",
		want:   []string{"arc=none", "dkim=pass", "dmarc=pass", "iprev=pass", "spf=pass", "x-aligned-from=pass", "x-ptr=pass", "x-return-mx=pass", "x-tls=pass"},
		props:  map[string]string{"header.d": "mail.ru", "x-bits": "1024"},
	},
	{
		name:   "Authentication Milter with long dmarc policy properties",
		source: "SpamAssassin AuthRes plugin test (t/authres.t), a header of Authentication Milter",
		value:  "mx4.example.com;\n    arc=none (no signatures found);\n    dkim=none (no signatures found);\n    dmarc=fail policy.published-domain-policy=reject\n      policy.published-subdomain-policy=none\n      policy.applied-disposition=none\n      policy.evaluated-disposition=reject\n      policy.override-reason=mailing_list policy.arc-aware-result=fail\n      (p=reject,sp=none,has-list-id=yes,d=quarantine,d.eval=reject,override=local_policy,arc_aware_result=fail)\n      header.from=example.net;\n    iprev=pass policy.iprev=1.2.3.4 (test.example.org);\n    x-vs=clean score=10 state=0",
		id:     "mx4.example.com",
		want:   []string{"arc=none", "dkim=none", "dmarc=fail", "iprev=pass", "x-vs=clean"},
		props:  map[string]string{"header.from": "example.net", "policy.published-domain-policy": "reject"},
	},
	{
		name:   "Microsoft 365, no authserv-id, bare receiving domains",
		source: "a C# test helper of WiseTech Global's recruitment mail (RecruitmentEmailDataHelpers), a mail received by Exchange Online",
		value:  "spf=softfail (sender IP is 148.163.150.14)\r\n smtp.mailfrom=gmail.com; wisetechglobal.com; dkim=pass (signature was\r\n verified) header.d=gmail.com;wisetechglobal.com; dmarc=pass action=none\r\n header.from=gmail.com;compauth=pass reason=100",
		id:     "",
		want:   []string{"spf=softfail", "dkim=pass", "dmarc=pass", "compauth=pass"},
		props:  map[string]string{"header.d": "gmail.com"},
	},
	{
		name:   "Microsoft 365, the issue's form",
		source: "Microsoft's documentation of the anti-spam message headers (contoso.com example)",
		value:  "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100",
		id:     "",
		want:   []string{"spf=pass", "dkim=pass", "dmarc=pass", "compauth=pass"},
		props:  map[string]string{"header.d": "contoso.com"},
	},
	{
		name:   "Microsoft 365, bestguesspass",
		source: "MicrosoftDocs: email authentication in Microsoft 365 (fabrikam.com example)",
		value:  "spf=none (sender IP is 10.2.3.4)\n  smtp.mailfrom=fabrikam.com; contoso.com; dkim=pass\n  (signature was verified) header.d=outbound.fabrikam.com;\n  contoso.com; dmarc=bestguesspass action=none\n  header.from=fabrikam.com; compauth=pass reason=109",
		id:     "",
		want:   []string{"spf=none", "dkim=pass", "dmarc=bestguesspass", "compauth=pass"},
		props:  map[string]string{"header.d": "outbound.fabrikam.com"},
	},
	{
		name:   "Yahoo, nonstandard results",
		source: "jstedfast/MimeKit issue #584",
		value:  "atlas122.free.mail.gq1.yahoo.com;\n dkim=dkim_pass header.i=@news.aegeanair.com header.s=@aegeanair2;\n spf=pass smtp.mailfrom=news.aegeanair.com;\n dmarc=success(p=REJECT) header.from=news.aegeanair.com;",
		id:     "atlas122.free.mail.gq1.yahoo.com",
		want:   []string{"dkim=dkim_pass", "spf=pass", "dmarc=success"},
		props:  map[string]string{"header.i": "@news.aegeanair.com"},
	},
	{
		name:   "quoted reason with ;",
		source: "itemir/thundersec issue #7 (a real header with reason=\"...; ...\")",
		value:  "m1.example.com; dkim=fail\n\treason=\"verification failed; insecure key\"\n\theader.d=gmail.com header.i=@gmail.com header.b=ExjsdAFr;\n\tdkim-adsp=none (insecure policy); dkim-atps=neutral",
		id:     "m1.example.com",
		want:   []string{"dkim=fail", "dkim-adsp=none", "dkim-atps=neutral"},
		props:  map[string]string{"header.d": "gmail.com"},
	},
	{
		name:   "amavisd",
		source: "lieser/dkim_verifier issue #233 (ietfa.amsl.com)",
		value:  "ietfa.amsl.com (amavisd-new); dkim=pass (2048-bit key)\n header.d=gmail.com",
		id:     "ietfa.amsl.com",
		want:   []string{"dkim=pass"},
		props:  map[string]string{"header.d": "gmail.com"},
	},
	{
		name:   "Proofpoint, tabs",
		source: "WiseTech test helper: Authentication-Results-Original of ppops.net",
		value:  "ppops.net;\tspf=pass\n smtp.mailfrom=bigbadbennybrother@gmail.com;\tdkim=pass header.s=20161025\n header.d=gmail.com;\tdmarc=pass header.from=gmail.com",
		id:     "ppops.net",
		want:   []string{"spf=pass", "dkim=pass", "dmarc=pass"},
		props:  map[string]string{"header.d": "gmail.com"},
	},
	{
		name:   "RFC 8601 none with version",
		source: "RFC 8601 appendix B.2",
		value:  "example.org 1; none",
		id:     "example.org",
		want:   nil,
	},
	{
		name:   "RFC 8601 nested comments and quoted-pair",
		source: "RFC 8601 grammar (CFWS of RFC 5322)",
		value:  "example.com (a (nested; comment) with \\) inside); spf=pass (x) smtp.mailfrom=\"a b\"@example.net",
		id:     "example.com",
		want:   []string{"spf=pass"},
		props:  map[string]string{"smtp.mailfrom": "a b@example.net"},
	},
	{
		name:   "RFC 8601 quoted authserv-id and method version",
		source: "RFC 8601 §2.2 grammar",
		value:  "\"mx.example.org\"; dkim/1=pass header.d=example.org",
		id:     "mx.example.org",
		want:   []string{"dkim=pass"},
		props:  map[string]string{"header.d": "example.org"},
	},
}

func TestParseResultsReal(t *testing.T) {
	for _, c := range realHeaders {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseResults(c.value)
			if err != nil {
				t.Fatalf("ParseResults: %v (source: %s)", err, c.source)
			}
			if r.AuthServID != c.id {
				t.Errorf("authserv-id %q, want %q", r.AuthServID, c.id)
			}
			var got []string
			for _, res := range r.Results {
				got = append(got, res.Method+"="+string(res.Value))
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("results %q, want %q", got, c.want)
			}
			for k, v := range c.props {
				found := false
				for _, res := range r.Results {
					if res.Properties[k] == v {
						found = true
					}
				}
				if !found {
					t.Errorf("no result has %s=%q: %+v", k, v, r.Results)
				}
			}
			checkRoundTrip(t, r)
		})
	}
}

func TestParseResultsDetails(t *testing.T) {
	r, err := ParseResults("ietf.example; dkim=fail reason=\"bad; sig\" header.d=a.example")
	if err != nil {
		t.Fatal(err)
	}
	if r.Results[0].Reason != "bad; sig" {
		t.Errorf("reason %q", r.Results[0].Reason)
	}
	r, err = ParseResults("mx.example 2; dkim/1=pass header.d=a.example")
	if err != nil || r.Version != 2 || r.Results[0].MethodVersion != "1" {
		t.Errorf("version: %+v %v", r, err)
	}
	r, _ = ParseResults("spf=pass smtp.mailfrom=contoso.com; dkim=pass header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100")
	if got := r.Results[3].Reason; got != "100" {
		t.Errorf("compauth reason %q", got)
	}
	if got := r.Results[2].Properties["action"]; got != "none" {
		t.Errorf("action %q", got)
	}
}

func TestParseResultsMalformed(t *testing.T) {
	for _, v := range []string{
		"",
		"   ",
		"; dkim=pass",
		"mx.example; dkim=pass (unterminated",
		"mx.example; dkim=pass header.d=\"unterminated",
		"mx.example; dkim=pass header.d",
		"mx.example; dkim",
		"mx.example; =pass",
		"mx.example; dkim=pass)",
		"mx.example junk; dkim=pass",
		"mx.example; none; dkim=pass",
		"mx.example 0; none",
		"\"\"; dkim=pass",
		// Yahoo, from Mail::AuthenticationResults' tests: key=value
		// before the first ";".
		"mta4011.mail.gq1.yahoo.com  from=fastmail.com; domainkeys=neutral (no sig)",
		// Coremail (mx19 of NetEase, qianweicheng/hello-world demo.md)
		// folds inside a value, which unfolds to a space in it.
		"mx19; spf=pass smtp.mail=0101016ffeb63bb7-a63b\n\t8f9e@us-west-2.amazonses.com; dkim=\n\tpass header.i=@amazonses.com",
	} {
		if r, err := ParseResults(v); err == nil {
			t.Errorf("ParseResults(%q) = %+v, want an error", v, r)
		}
	}
	// The authserv-id comes back with the error, so that a caller sees an
	// unreadable field of its trusted server.
	r, err := ParseResults("mx.example; dkim=pass header.d")
	if err == nil || r.AuthServID != "mx.example" {
		t.Errorf("got %+v, %v", r, err)
	}
}

// TestParseResultsGoMsgauthIssue74 is the header of go-msgauth issue #74 that
// authres.Parse refuses.
func TestParseResultsGoMsgauthIssue74(t *testing.T) {
	r, err := ParseResults("mx.goteborgsregionen.example; dkim=pass (2048-bit key; unprotected) header.d=goteborgsregionen.example header.i=@goteborgsregionen.example header.b=\"abc\"; dmarc=pass (p=none dis=none) header.from=goteborgsregionen.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Results) != 2 || r.Results[1].Properties["header.from"] != "goteborgsregionen.example" {
		t.Errorf("got %+v", r)
	}
}

func TestParseARCResults(t *testing.T) {
	// From a mail of nxp.com that Exchange Online sealed, in the
	// linux-mailinglist-archives repositories.
	n, r, err := ParseARCResults("i=1; mx.microsoft.com 1; spf=pass\n smtp.mailfrom=nxp.com; dmarc=pass action=none header.from=nxp.com; dkim=pass\n header.d=nxp.com; arc=none")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || r.AuthServID != "mx.microsoft.com" || r.Version != 1 || len(r.Results) != 4 {
		t.Errorf("got %d %+v", n, r)
	}
	// amd.com: a dmarc comment before action=none, "arc=none (0)".
	_, r, err = ParseARCResults("i=1; mx.microsoft.com 1; spf=pass (sender ip is\n 165.204.84.17) smtp.rcpttodomain=lists.freedesktop.org smtp.mailfrom=amd.com; \n dmarc=pass (p=quarantine sp=quarantine pct=100) action=none\n header.from=amd.com; dkim=none (message not signed); arc=none (0)")
	if err != nil || r.Results[1].Properties["header.from"] != "amd.com" {
		t.Errorf("got %+v %v", r, err)
	}
	if _, _, err := ParseARCResults("mx.microsoft.com 1; spf=pass"); err == nil {
		t.Error("no instance: want an error")
	}
}

// checkRoundTrip checks that formatting r and parsing it again gives r.
func checkRoundTrip(t *testing.T, r Results) {
	t.Helper()
	s := r.String()
	again, err := ParseResults(s)
	if err != nil {
		t.Fatalf("ParseResults(String()) = %v for %q", err, s)
	}
	if !equalResults(r, again) {
		t.Fatalf("round trip changed\n%+v\n%q\n%+v", r, s, again)
	}
}

func equalResults(a, b Results) bool {
	if a.AuthServID != b.AuthServID || a.Version != b.Version || len(a.Results) != len(b.Results) {
		return false
	}
	for i := range a.Results {
		x, y := a.Results[i], b.Results[i]
		if x.Method != y.Method || x.MethodVersion != y.MethodVersion || x.Value != y.Value || x.Reason != y.Reason {
			return false
		}
		if len(x.Properties) != len(y.Properties) {
			return false
		}
		for k, v := range x.Properties {
			if y.Properties[k] != v {
				return false
			}
		}
	}
	return true
}

func FuzzParseResults(f *testing.F) {
	for _, c := range realHeaders {
		f.Add(c.value)
	}
	for _, s := range []string{"", ";", "a;", "a (", "a \"", "a; b=c d=\"e\"@f", "a; none", "x=y", "x=y; z", "a 1; b/2=c reason=\"d\\\"e\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseResults(s)
		if err != nil {
			if len(r.Results) != 0 || r.Version != 0 {
				t.Fatalf("error %v with results %+v", err, r)
			}
			return
		}
		if r.AuthServID == "" && len(r.Results) == 0 {
			t.Fatalf("no authserv-id and no results from %q", s)
		}
		for _, res := range r.Results {
			if res.Method == "" || res.Value == "" || res.Method != strings.ToLower(res.Method) || res.Properties == nil {
				t.Fatalf("inconsistent result %+v from %q", res, s)
			}
		}
		checkRoundTrip(t, r)
	})
}
