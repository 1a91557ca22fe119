package understand

import (
	"time"

	"github.com/goteborgsregionen/anmalan/mailauth"
	"github.com/goteborgsregionen/anmalan/message"
)

// senderAuthenticated tells whether m comes from a listed organiser whose
// From is proved under auth (mailauth.AuthenticateOrganiser, on the raw
// bytes, against the time the mail arrived), and why. A Message built by
// hand without raw bytes is never authenticated.
func senderAuthenticated(m *message.Message, auth mailauth.Policy, arrived time.Time) (bool, string) {
	if len(m.Raw) == 0 {
		return false, "the mail's raw bytes are not there to check"
	}
	// Most mail is from participants: the header is parsed again (strictly)
	// only for a sender the reader already takes for an organiser. A mail
	// whose two readings of From disagree is not authenticated either way.
	organiser := false
	for _, o := range auth.Organisers {
		organiser = organiser || mailauth.SameAddress(o, m.From.Address)
	}
	if !organiser {
		return false, "The sender " + m.From.Address + " is not a listed organiser."
	}
	v := mailauth.AuthenticateOrganiser(auth, m.Raw, arrived)
	return v.Authenticated, v.Reason
}
