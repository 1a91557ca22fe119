package mailauth

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Header is what the checks read of a mail's header: every value of a
// field, topmost first, the name matched case-insensitively. go-message's
// mail.Header and net/textproto.MIMEHeader both have this method.
type Header interface {
	Values(key string) []string
}

// ErrFrom is wrapped by every error of FromAddress.
var ErrFrom = errors.New("unusable From")

// FromAddress returns the address of the mail's one From mailbox,
// normalised by NormalizeAddress. It fails when there is no From field or
// more than one, when the field holds more than one address, a group, a
// route, a domain literal, an address with more than one "@", or anything
// net/mail cannot read as a mailbox. The rest of the bot should use it
// wherever it takes the sender from From, so that every part of it agrees on
// who the sender is; a mail with two From fields or two addresses would
// otherwise be authenticated for one and acted on for the other.
func FromAddress(h Header) (string, error) {
	values := h.Values("From")
	switch len(values) {
	case 0:
		return "", fmt.Errorf("%w: no From field", ErrFrom)
	case 1:
	default:
		return "", fmt.Errorf("%w: %d From fields", ErrFrom, len(values))
	}
	v := values[0]
	if hasGroupColon(v) {
		return "", fmt.Errorf("%w: a group or route in From", ErrFrom)
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrFrom, err)
	}
	addr, err := NormalizeAddress(a.Address)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrFrom, err)
	}
	return addr, nil
}

// hasGroupColon reports whether v has a ":" outside quoted strings and
// comments: group syntax ("Team: a@x, b@y;") or an obsolete route
// ("<@relay:a@x>"), both of which net/mail.ParseAddress accepts as one
// mailbox.
func hasGroupColon(v string) bool {
	depth := 0
	quoted := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\':
			i++
		case quoted:
			if c == '"' {
				quoted = false
			}
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '"':
			quoted = true
		case c == '(':
			depth++
		case c == ':':
			return true
		}
	}
	return false
}

// NormalizeAddress returns addr (local@domain, as net/mail gives it) with
// the local part ASCII-lowercased and the domain in lowercase A-label form.
// It fails for an address without exactly one "@", an empty local part, a
// domain literal, or a domain that is not a valid IDN host name. The local
// part keeps every non-ASCII byte as it is, so that only ASCII letters fold:
// "linda.\u212Aarlsson" (KELVIN SIGN) stays different from "linda.karlsson".
func NormalizeAddress(addr string) (string, error) {
	local, domain, err := splitAddress(addr)
	if err != nil {
		return "", err
	}
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", err
	}
	return asciiLower(local) + "@" + d, nil
}

// NormalizeDomain returns domain in lowercase A-label form, without a
// trailing dot. It fails for a domain literal or a name that the IDNA lookup
// profile refuses.
func NormalizeDomain(domain string) (string, error) {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if domain == "" {
		return "", errors.New("empty domain")
	}
	if strings.HasPrefix(domain, "[") {
		return "", fmt.Errorf("domain literal %q", domain)
	}
	a, err := lookupDomain.ToASCII(domain)
	if err != nil {
		return "", fmt.Errorf("domain %q: %w", domain, err)
	}
	// A dot that only the mapping made (U+3002 IDEOGRAPHIC FULL STOP) is
	// a trailing dot as well.
	a = strings.TrimRight(a, ".")
	if a == "" {
		return "", errors.New("empty domain")
	}
	return asciiLower(a), nil
}

// lookupDomain is idna.Lookup that also refuses what DNS cannot hold: a
// label over 63 octets or a name over 253 in A-label form. Without it a long
// Unicode label became an A-label that the same profile then refused, so an
// address was accepted once and was not the same as itself.
var lookupDomain = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false), idna.VerifyDNSLength(true))

func splitAddress(addr string) (local, domain string, err error) {
	if strings.Count(addr, "@") != 1 {
		return "", "", fmt.Errorf("address %q has %d @", addr, strings.Count(addr, "@"))
	}
	local, domain, _ = strings.Cut(addr, "@")
	if local == "" {
		return "", "", fmt.Errorf("address %q has no local part", addr)
	}
	// A space or control character in the local part (a quoted "a b", or a
	// no-break space net/mail takes for a letter) makes an address that
	// trimming changes, so it would not be the same as itself; no mailbox
	// an organiser writes from has one.
	if i := strings.IndexFunc(local, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return "", "", fmt.Errorf("address %q has a space or control character in its local part", addr)
	}
	return local, domain, nil
}

// SameAddress reports whether a and b are the same mailbox: local parts
// equal after ASCII lowercasing (and nothing else), domains equal in
// A-label form. An address that NormalizeAddress refuses is the same as
// nothing.
func SameAddress(a, b string) bool {
	na, err := NormalizeAddress(strings.TrimSpace(a))
	if err != nil {
		return false
	}
	nb, err := NormalizeAddress(strings.TrimSpace(b))
	if err != nil {
		return false
	}
	return na == nb
}

// domainOf returns the domain of a normalised address.
func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return d
}

// sameDomain reports whether two domains are equal in A-label form.
func sameDomain(a, b string) bool {
	na, err := NormalizeDomain(a)
	if err != nil {
		return false
	}
	nb, err := NormalizeDomain(b)
	if err != nil {
		return false
	}
	return na == nb
}

// Aligned reports relaxed DMARC alignment (RFC 7489 §3.1): whether the two
// domains have the same organisational domain by the public suffix list.
// A domain that is itself a public suffix aligns with nothing.
func Aligned(a, b string) bool {
	na, err := NormalizeDomain(a)
	if err != nil {
		return false
	}
	nb, err := NormalizeDomain(b)
	if err != nil {
		return false
	}
	oa, err := publicsuffix.EffectiveTLDPlusOne(na)
	if err != nil {
		return false
	}
	ob, err := publicsuffix.EffectiveTLDPlusOne(nb)
	if err != nil {
		return false
	}
	return oa == ob
}

// asciiLower lowercases ASCII letters only; strings.ToLower would also fold
// non-ASCII letters.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
