package understand

import (
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/automatic"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

func TestAutomaticMail(t *testing.T) {
	human := "Hej!\r\n\r\nJag vill anmäla mig.\r\n\r\n/Sara"
	tests := []struct {
		name    string
		headers []string
		body    string
		want    automatic.Kind // the Automatic kind, "" for human mail
	}{
		{"plain registration", nil, human, ""},
		{"X-Auto-Response-Suppress alone is Outlook's ordinary mail", []string{"X-Auto-Response-Suppress: All"}, human, ""},
		{"Auto-Submitted: no is human", []string{"Auto-Submitted: no"}, human, ""},
		{"Auto-Submitted auto-replied", []string{"Auto-Submitted: auto-replied"}, "Jag är borta.", automatic.Reply},
		{"Auto-Submitted auto-generated", []string{"Auto-Submitted: auto-generated"}, "x", automatic.Reply},
		{"X-Autoreply", []string{"X-Autoreply: yes"}, "x", automatic.Reply},
		{"X-Autorespond", []string{"X-Autorespond: vacation"}, "x", automatic.Reply},
		{"Precedence auto_reply", []string{"Precedence: auto_reply"}, "x", automatic.Reply},
		{"Precedence bulk", []string{"Precedence: bulk"}, human, automatic.List},
		{"Precedence list", []string{"Precedence: list"}, human, automatic.List},
		{"Precedence junk", []string{"Precedence: junk"}, human, automatic.List},
		{"List-Unsubscribe", []string{"List-Id: <news.example.org>", "List-Unsubscribe: <mailto:u@example.org>"}, human, automatic.List},
		{"Return-Path null", []string{"Return-Path: <>"}, "x", automatic.Reply},
		{"no-reply sender", []string{"From: Tjänsten <no-reply@service.example>"}, human, automatic.List},
		{"mailer-daemon", []string{"From: MAILER-DAEMON@mx.example.org", "Subject: Undelivered Mail Returned to Sender"}, "User unknown", automatic.Bounce},
		{"postmaster", []string{"From: postmaster@example.org", "Subject: Delivery Status Notification (Failure)"}, "x", automatic.Bounce},
		{"own mail", []string{"From: GR Anmälan <anmalan@goteborgsregionen.example>"}, human, automatic.Own},
		{"calendar reply", []string{`Content-Type: text/calendar; method=REPLY; charset=utf-8`}, "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR", automatic.Calendar},
		{"read receipt subject", []string{"Subject: Läst: Bekräftelse"}, "Ditt meddelande har lästs.", automatic.Receipt},
	}
	subjects := []string{
		"Automatiskt svar: Bekräftelse", "Autosvar: Anmälan", "Frånvaro: x", "Frånvaromeddelande", "Out of Office: x",
		"Automatic reply: Confirmation", "Abwesenheitsnotiz: x", "Fravær: x", "Poissa: x", "Réponse automatique : x",
		"Autosvar: Bekræftelse", "Automaattinen vastaus: x",
	}
	for _, s := range subjects {
		tests = append(tests, struct {
			name    string
			headers []string
			body    string
			want    automatic.Kind
		}{"subject " + s, []string{"Subject: " + s}, "Jag är på semester.", automatic.Reply})
	}
	cfg := corpusConfig()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := []string{}
			hasFrom, hasSubject := false, false
			for _, h := range tt.headers {
				hasFrom = hasFrom || strings.HasPrefix(h, "From:")
				hasSubject = hasSubject || strings.HasPrefix(h, "Subject:")
			}
			if !hasFrom {
				lines = append(lines, "From: Sara Nilsson <sara.nilsson@ale.example>")
			}
			if !hasSubject {
				lines = append(lines, "Subject: Anmälan")
			}
			lines = append(lines, "To: anmalan@goteborgsregionen.example")
			lines = append(lines, tt.headers...)
			lines = append(lines, "", tt.body)
			u := Understand(messagetest.MustRead(t, messagetest.Mail(lines...)), cfg)
			if u.Automatic != tt.want {
				t.Errorf("automatic %q, want %q (kind %s, reason: %s)", u.Automatic, tt.want, u.Kind, u.Reason)
			}
			if (tt.want != "") != (u.Kind == reading.KindAutomatic) {
				t.Errorf("kind %q with automatic %q", u.Kind, u.Automatic)
			}
			if tt.want != "" && len(u.People) > 0 {
				t.Errorf("automatic mail registers %+v", u.People)
			}
		})
	}
}

func TestBulkTextOnlyInOwnText(t *testing.T) {
	cfg := corpusConfig()
	u := understandMail(t, cfg, "From: Nyheter <nyheter@example.org>", "Subject: Våra webbinarier", "", "Anmäl dig till våra webbinarier!", "", "Avsluta prenumeration: klicka här.")
	if u.Automatic != automatic.List {
		t.Errorf("newsletter without list headers: %q (%s)", u.Automatic, u.Reason)
	}
	u = understandMail(t, cfg, "From: Ann Ek <ann@kungalv.example>", "Subject: SV: Våra webbinarier", "", "Anmäl mig, tack!", "",
		"Från: Nyheter <nyheter@example.org>", "Skickat: den 20 november 2018", "Ämne: Våra webbinarier", "", "Avsluta prenumeration: klicka här.")
	if u.Kind != reading.KindRegistration {
		t.Errorf("a reply quoting a newsletter: %q (%s)", u.Kind, u.Reason)
	}
	u = understandMail(t, cfg, "From: Nyheter <nyheter@example.org>", "Subject: News", "", "Our webinars this spring.", "",
		"Unsubscribe: https://nyheter.example.org/u/123")
	if u.Automatic != automatic.List {
		t.Errorf("an unsubscribe link in the footer: %q (%s)", u.Automatic, u.Reason)
	}
	// A person's own words are not a newsletter's footer.
	u = understandMail(t, cfg, "From: Ann Ek <ann@kungalv.example>", "Subject: Re: Kartläggning av segregation", "", "Please unsubscribe me from the seminar, something came up.", "", "Ann")
	if u.Automatic != "" || u.Kind != reading.KindCancellation {
		t.Errorf("a person asking to be unsubscribed: automatic %q, kind %q (%s)", u.Automatic, u.Kind, u.Reason)
	}
}

func TestRegisteredIsNotARegistration(t *testing.T) {
	u := understandMail(t, corpusConfig(), "From: Ann Ek <ann@kungalv.example>", "Subject: Fråga", "", "Produktnamnen är registered trademarks. Vad gäller?")
	if u.Kind != reading.KindOther {
		t.Errorf("kind %q (%s)", u.Kind, u.Reason)
	}
}
