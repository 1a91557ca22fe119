package understand

import (
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/message/messagetest"
)

// TestUnaddressedCompanions: a person named with a parenthesis that says
// she has no address is a companion; one named with another parenthesis
// is not.
func TestUnaddressedCompanions(t *testing.T) {
	body := "Ebbe Strand, ebbe@x.example\nMeja Fält (hon har ingen e-postadress ännu)\nTomas Wierz (no email yet)\nmin chef Pia Dahl (enhetschef) vet om det"
	got := unaddressedCompanions(body, nil)
	if len(got) != 2 || got[0].Name != "Meja Fält" || got[1].Name != "Tomas Wierz" {
		t.Errorf("got %v", got)
	}
}

// TestSessionInMailsThatNameTwo: the session is the one the withdrawal,
// the place or the present names, not a date told as history or news
// beside it. Each of these chose another session, or none, before.
func TestSessionInMailsThatNameTwo(t *testing.T) {
	cfg := freshConfig(t)
	arrived := time.Date(2018, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, subject, body, kind, want string }{
		{"a weekday in the past tense names no session", "Anmälan",
			"Anmäl mig och Tuva Berg till det på stadshuset. Tuva har ingen mejl än, hon började i måndags.", "registration", "segregation-2018-kungalv"},
		{"a title both share, a place that one has", "Re: Inbjudan: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans",
			"Vi kommer två till Kungälv, jag och Bo Ek (bo.ek@ale.example).", "registration", "segregation-2018-kungalv"},
		{"the withdrawal's date, not the news beside it", "Två anmälningar",
			"Jag åker till Kungälv på torsdagen, så ni kan ta bort mig från tisdagens tillfälle.", "cancellation", "segregation-2018"},
		{"a negated date is the one withdrawn from", "Tisdag",
			"Jag kan tyvärr inte komma på tisdag. Torsdagen står kvar.", "cancellation", "segregation-2018"},
		{"a later mention of a weekday withdraws", "Två anmälningar",
			"Jag står på listan både till tisdagen och torsdagen. Torsdagens plats kan ni ge till någon annan, jag kommer på tisdagen.", "cancellation", "segregation-2018-kungalv"},
		{"a session by its order", "Anmälan", "Jag anmäler mig till tillfälle 2.", "registration", "segregation-2018-kungalv"},
		{"a meeting's hour is no session's", "Re: Inbjudan: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans",
			"Jag vill gärna vara med, men jag har ett annat möte kl 9 den veckan.", "registration", ""},
		{"Thu 13th", "Seminar", "Could you put me down for Thu 13th, please?", "registration", "segregation-2018-kungalv"},
		{"a session by its start hour", "Re: Inbjudan: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans",
			"Jag kommer gärna till passet klockan nio.", "registration", "segregation-2018-kungalv"},
		{"the quoted confirmation's date, for a withdrawal", "SV: Bekräftelse: På tal om segregation – ett samtal om hur vi kan arbeta tillsammans",
			"Jag måste tyvärr lämna återbud.\n\nFrån: GR Anmälan <anmalan@goteborgsregionen.example>\nÄmne: Bekräftelse\n\nTack för din anmälan till:\n  När: torsdag 13 december 2018, 09.00–11.30", "cancellation", "segregation-2018-kungalv"},
		{"a weekday of no session in a hedge is when she answers", "Afternoon session",
			"I'm hoping to make the afternoon session at GR, but could I confirm on Monday?", "other", "segregation-2018"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := messagetest.MustRead(t, messagetest.Mail("From: Sara Lind <sara.lind@ale.example>", "To: anmalan@goteborgsregionen.example",
				"Subject: "+c.subject, "", c.body, "", "/Sara"))
			u := UnderstandAt(m, cfg, arrived)
			if string(u.Kind) != c.kind || u.Event != c.want {
				t.Errorf("%s %q, want %s %q (%s)", u.Kind, u.Event, c.kind, c.want, u.Reason)
			}
		})
	}
}

// TestCompanionsSaidWithoutAddress: a companion whom a later sentence says
// has no address is named for a human, and a diet said of her is hers,
// not the person named before her.
func TestCompanionsSaidWithoutAddress(t *testing.T) {
	for body, want := range map[string]string{
		"Jag kommer och tar med mig Nils Ek och Eva Lund. Eva har ingen egen mejl. Eva är vegan och Nils tål inte nötter.": "Eva Lund <> [vegan], Karin Ek <karin.ek@molndal.example>, Nils Ek <> [tål inte nötter]",
		"Vi blir tre: jag, Bo Ek (bo.ek@ale.example) och Maja Fors. Maja saknar e-postadress, hon äter glutenfritt.":       "Bo Ek <bo.ek@ale.example>, Karin Ek <karin.ek@molndal.example>, Maja Fors <> [glutenfritt]",
	} {
		u := understandMail(t, corpusConfig(), "From: Karin Ek <karin.ek@molndal.example>", "Subject: Anmälan", "", body, "", "/Karin")
		if got := peopleSummary(u.People); got != want {
			t.Errorf("%q:\n got %s\nwant %s", body, got, want)
		}
	}
}
