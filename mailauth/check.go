package mailauth

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"
)

// Mode is how a mail's From is proved: a value of organisers.organiser_auth.
type Mode string

// The modes; see the package documentation for what each proves.
const (
	ModeDMARC     Mode = "dmarc"
	ModeDKIM      Mode = "dkim"
	ModeExchange  Mode = "exchange"
	ModeTrustFrom Mode = "trust-from"
)

// DefaultDNSTimeout bounds the default DKIM key lookup.
const DefaultDNSTimeout = 10 * time.Second

// maxSignatures bounds the DKIM signatures verified per mail, so that a mail
// with a thousand signatures costs a thousand DNS lookups of nobody's time.
const maxSignatures = 8

// Policy is what the checks trust.
type Policy struct {
	Mode Mode
	// TrustedAuthservID is the authserv-id of the receiving server whose
	// Authentication-Results the dmarc mode trusts.
	TrustedAuthservID string
	// TenantID is the Microsoft 365 tenant (a GUID) of the exchange mode, or
	// "" to not check it.
	TenantID string
	// LookupTXT returns the TXT records of a name, for the dkim mode. Nil
	// means the system resolver, bounded by DefaultDNSTimeout. go-msgauth
	// calls it from several goroutines at once (one per signature), so it
	// must be safe for concurrent use.
	LookupTXT func(domain string) ([]string, error)
	// Organisers are the addresses AuthenticateOrganiser accepts.
	Organisers []string
}

// Verdict is the answer of a check.
type Verdict struct {
	// Authenticated is true when the From address is proved.
	Authenticated bool
	// Method is what proved it, or what was tried: "dmarc" or "dkim" (a
	// result in the trusted Authentication-Results), "dkim-verified" (the
	// bot's own verification), "exchange", "trust-from"; "" when the mail
	// was refused before any method ran.
	Method string
	// Reason is one short sentence for the log and for a warning to the
	// organiser.
	Reason string
	// Address is the normalised From address, "" when it is unusable.
	Address string
}

// ReadHeader reads the header of a raw mail.
func ReadHeader(raw []byte) (textproto.MIMEHeader, error) {
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil && !(errors.Is(err, io.EOF) && len(h) > 0) {
		return nil, fmt.Errorf("read header: %w", err)
	}
	return h, nil
}

// Authenticate tells whether the From of the raw mail is proved under p, for
// any sender: the participant side, where a proved sender may act on her own
// registration without replying to the bot's mail. now is the time against
// which DKIM signature expiry is checked. It never fails; a mail it cannot
// read is not authenticated, and Reason says why.
func Authenticate(p Policy, raw []byte, now time.Time) Verdict {
	h, err := ReadHeader(raw)
	if err != nil {
		return Verdict{Reason: "The mail's header cannot be read: " + err.Error() + "."}
	}
	addr, err := FromAddress(h)
	if err != nil {
		return Verdict{Reason: "The sender is unclear: " + err.Error() + "."}
	}
	v := authenticate(p, h, raw, addr, now)
	v.Address = addr
	return v
}

// AuthenticateOrganiser tells whether the raw mail comes from one of
// p.Organisers and its From is proved under p. It never fails.
func AuthenticateOrganiser(p Policy, raw []byte, now time.Time) Verdict {
	h, err := ReadHeader(raw)
	if err != nil {
		return Verdict{Reason: "The mail's header cannot be read: " + err.Error() + "."}
	}
	addr, err := FromAddress(h)
	if err != nil {
		return Verdict{Reason: "The sender is unclear: " + err.Error() + "."}
	}
	if !isOrganiser(addr, p.Organisers) {
		return Verdict{Address: addr, Reason: "The sender " + addr + " is not a listed organiser."}
	}
	v := authenticate(p, h, raw, addr, now)
	v.Address = addr
	return v
}

func isOrganiser(addr string, organisers []string) bool {
	for _, o := range organisers {
		if SameAddress(o, addr) {
			return true
		}
	}
	return false
}

func authenticate(p Policy, h Header, raw []byte, addr string, now time.Time) Verdict {
	switch p.Mode {
	case ModeDMARC:
		return checkTrustedHeader(p.TrustedAuthservID, h, domainOf(addr))
	case ModeDKIM:
		return checkDKIM(p.LookupTXT, raw, domainOf(addr), now)
	case ModeExchange:
		return checkExchange(p.TenantID, h)
	case ModeTrustFrom:
		return Verdict{Authenticated: true, Method: string(ModeTrustFrom), Reason: "The From address is trusted as it is (trust-from, for tests only)."}
	default:
		return Verdict{Reason: fmt.Sprintf("The authentication mode %q is unknown.", p.Mode)}
	}
}

// checkTrustedHeader decides by the topmost Authentication-Results field of
// the trusted authserv-id. The receiving server adds its field above all
// that the sender wrote, so a forger's fields of the same id are below it
// and never read.
func checkTrustedHeader(trusted string, h Header, fromDomain string) Verdict {
	const method = string(ModeDMARC)
	trusted = strings.TrimSpace(trusted)
	if trusted == "" {
		return Verdict{Method: method, Reason: "No trusted authserv-id is configured."}
	}
	for _, v := range h.Values("Authentication-Results") {
		res, err := ParseResults(v)
		if !strings.EqualFold(res.AuthServID, trusted) {
			continue
		}
		if err != nil {
			return Verdict{Method: method, Reason: "The Authentication-Results of " + trusted + " cannot be read: " + err.Error() + "."}
		}
		for _, r := range res.Find("dmarc", ResultPass) {
			if d := r.Properties["header.from"]; d != "" && sameDomain(d, fromDomain) {
				return Verdict{Authenticated: true, Method: "dmarc", Reason: "dmarc=pass for " + fromDomain + " at " + trusted + "."}
			}
		}
		for _, r := range res.Find("dkim", ResultPass) {
			d := r.Properties["header.d"]
			if d == "" {
				if i := r.Properties["header.i"]; strings.Contains(i, "@") {
					d = i[strings.LastIndexByte(i, '@')+1:]
				}
			}
			if d != "" && Aligned(d, fromDomain) {
				return Verdict{Authenticated: true, Method: "dkim", Reason: "dkim=pass for " + d + ", aligned with " + fromDomain + ", at " + trusted + "."}
			}
		}
		return Verdict{Method: method, Reason: "The Authentication-Results of " + trusted + " has neither dmarc=pass for " + fromDomain + " nor a dkim=pass aligned with it."}
	}
	return Verdict{Method: method, Reason: "No Authentication-Results of the trusted server " + trusted + "."}
}

// checkDKIM verifies the raw mail's DKIM signatures itself.
func checkDKIM(lookup func(string) ([]string, error), raw []byte, fromDomain string, now time.Time) Verdict {
	const method = "dkim-verified"
	if lookup == nil {
		lookup = systemLookupTXT
	}
	limited, err := lengthLimitedDomains(raw)
	if err != nil {
		return Verdict{Method: method, Reason: "The DKIM signatures cannot be read: " + err.Error() + "."}
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup, MaxVerifications: maxSignatures})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return Verdict{Method: method, Reason: "The DKIM signatures cannot be verified: " + err.Error() + "."}
	}
	if len(verifs) == 0 {
		return Verdict{Method: method, Reason: "The mail has no DKIM signature."}
	}
	var why []string
	for _, v := range verifs {
		switch {
		case v.Err != nil && dkim.IsTempFail(v.Err):
			why = append(why, "the key of "+v.Domain+" could not be looked up ("+v.Err.Error()+")")
		case v.Err != nil:
			why = append(why, "the signature of "+v.Domain+" failed ("+v.Err.Error()+")")
		case !v.Expiration.IsZero() && now.After(v.Expiration):
			why = append(why, "the signature of "+v.Domain+" expired")
		case !Aligned(v.Domain, fromDomain):
			why = append(why, "the signature of "+v.Domain+" is not aligned with "+fromDomain)
		case limited[asciiLower(v.Domain)]:
			why = append(why, "the signature of "+v.Domain+" covers only part of the body (l=)")
		default:
			return Verdict{Authenticated: true, Method: method, Reason: "The DKIM signature of " + v.Domain + " verified and is aligned with " + fromDomain + "."}
		}
	}
	return Verdict{Method: method, Reason: "No DKIM signature proves " + fromDomain + ": " + strings.Join(why, "; ") + "."}
}

// lengthLimitedDomains returns the d= domains (lowercased) of the
// DKIM-Signature fields that have an l= tag. Such a signature covers only
// the first l bytes of the body, so anyone can append text (an organiser's
// command) below; go-msgauth verifies it all the same.
func lengthLimitedDomains(raw []byte) (map[string]bool, error) {
	h, err := ReadHeader(raw)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, v := range h.Values("DKIM-Signature") {
		tags := map[string]string{}
		for _, t := range strings.Split(v, ";") {
			k, val, ok := strings.Cut(t, "=")
			if !ok {
				continue
			}
			tags[strings.TrimSpace(k)] = strings.Join(strings.Fields(val), "")
		}
		if _, ok := tags["l"]; ok {
			out[asciiLower(tags["d"])] = true
		}
	}
	return out, nil
}

func systemLookupTXT(domain string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultDNSTimeout)
	defer cancel()
	return net.DefaultResolver.LookupTXT(ctx, domain)
}

// The Exchange organisation headers; see the package documentation.
const (
	hdrAuthAs     = "X-MS-Exchange-Organization-AuthAs"
	hdrAuthSource = "X-MS-Exchange-Organization-AuthSource"
	hdrTenant     = "X-MS-Exchange-CrossTenant-Id"
)

func checkExchange(tenant string, h Header) Verdict {
	const method = string(ModeExchange)
	authAs := h.Values(hdrAuthAs)
	if len(authAs) != 1 {
		return Verdict{Method: method, Reason: fmt.Sprintf("The mail has %d %s fields, not one: Exchange did not authenticate it as internal.", len(authAs), hdrAuthAs)}
	}
	if !strings.EqualFold(strings.TrimSpace(authAs[0]), "Internal") {
		return Verdict{Method: method, Reason: fmt.Sprintf("Exchange authenticated the mail as %q, not as Internal.", shorten(authAs[0]))}
	}
	src := h.Values(hdrAuthSource)
	if len(src) != 1 || strings.TrimSpace(src[0]) == "" {
		return Verdict{Method: method, Reason: "The mail has no single " + hdrAuthSource + " field."}
	}
	tenant = strings.TrimSpace(tenant)
	ids := h.Values(hdrTenant)
	if tenant != "" {
		for _, id := range ids {
			if !strings.EqualFold(strings.TrimSpace(id), tenant) {
				return Verdict{Method: method, Reason: fmt.Sprintf("The mail was stamped by the tenant %q, not by %s.", shorten(id), tenant)}
			}
		}
	}
	reason := "Exchange authenticated the sender as internal (" + shorten(strings.TrimSpace(src[0])) + ")"
	if tenant != "" && len(ids) == 0 {
		reason += "; the mail carries no tenant id, as mail that stayed on one mailbox server does"
	}
	return Verdict{Authenticated: true, Method: method, Reason: reason + "."}
}

// shorten keeps a header value quoted in a reason short and on one line.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}
