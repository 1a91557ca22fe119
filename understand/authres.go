package understand

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
)

// senderAuthenticated tells whether m comes from a listed organiser and
// passed authentication at the receiving server the config trusts: in the
// topmost Authentication-Results field whose authserv-id is the trusted one,
// dmarc=pass, or dkim=pass for a domain aligned with the From domain. Only
// the topmost such field counts because the trusted server adds its field
// above anything the sender wrote; a forger can add fields below it, not
// above. It returns the answer and the reason.
func senderAuthenticated(m *message.Message, cfg *config.Config) (bool, string) {
	if !cfg.IsOrganiser(m.From.Address) {
		return false, "the sender is not a listed organiser"
	}
	return MailAuthenticated(m, cfg)
}

// MailAuthenticated tells whether m, from anyone, passed authentication at
// the trusted receiving server, by the rules of senderAuthenticated. A
// participant's cancellation from an authenticated address counts without
// a reply to the bot's mail.
func MailAuthenticated(m *message.Message, cfg *config.Config) (bool, string) {
	if cfg == nil {
		return false, "no config"
	}
	trusted := strings.TrimSpace(cfg.Organisers.TrustedAuthservID)
	if trusted == "" {
		return false, "no trusted authserv-id is configured"
	}
	fromDomain := domainOf(m.From.Address)
	for _, v := range m.Header.Values("Authentication-Results") {
		id, results, err := authres.Parse(v)
		if !strings.EqualFold(id, trusted) {
			continue
		}
		if err != nil && len(results) == 0 {
			return false, "the Authentication-Results of " + trusted + " cannot be read"
		}
		for _, r := range results {
			if d, ok := r.(*authres.DMARCResult); ok && d.Value == authres.ResultPass {
				return true, "dmarc=pass at " + trusted
			}
		}
		for _, r := range results {
			if d, ok := r.(*authres.DKIMResult); ok && d.Value == authres.ResultPass && aligned(d.Domain, fromDomain) {
				return true, "dkim=pass for " + d.Domain + " at " + trusted
			}
		}
		return false, "the Authentication-Results of " + trusted + " has neither dmarc=pass nor an aligned dkim=pass"
	}
	return false, "no Authentication-Results from the trusted server " + trusted
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}

// aligned reports relaxed DMARC alignment between a DKIM signing domain and
// the From domain: equal, or one a subdomain of the other. Without a public
// suffix list, a one-label domain (a TLD) never aligns.
func aligned(dkimDomain, fromDomain string) bool {
	d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(dkimDomain), "."))
	f := strings.ToLower(strings.TrimSuffix(fromDomain, "."))
	if d == "" || f == "" || !strings.Contains(d, ".") || !strings.Contains(f, ".") {
		return false
	}
	return d == f || strings.HasSuffix(f, "."+d) || strings.HasSuffix(d, "."+f)
}
