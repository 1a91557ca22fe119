package automatic

import (
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
)

func testConfig() *config.Config {
	return &config.Config{SMTP: config.SMTPConfig{From: "GR Anmälan <anmalan@goteborgsregionen.example>"}}
}

// mail builds a mail to the bot from a participant; headers given replace
// the default From and Subject.
func mail(headers []string, body ...string) []byte {
	lines := []string{}
	hasFrom, hasSubject := false, false
	for _, h := range headers {
		hasFrom = hasFrom || strings.HasPrefix(h, "From:")
		hasSubject = hasSubject || strings.HasPrefix(h, "Subject:")
	}
	if !hasFrom {
		lines = append(lines, "From: Karin Ek <karin.ek@molndal.example>")
	}
	if !hasSubject {
		lines = append(lines, "Subject: SV: Inbjudan: På tal om segregation 11 december")
	}
	lines = append(lines, "To: anmalan@goteborgsregionen.example", "Message-ID: <test@molndal.example>", "MIME-Version: 1.0")
	lines = append(lines, headers...)
	lines = append(lines, "")
	lines = append(lines, body...)
	return messagetest.Mail(lines...)
}

func classify(t *testing.T, raw []byte) (Kind, string) {
	t.Helper()
	return Classify(messagetest.MustRead(t, raw), testConfig())
}

// dsn is a delivery status notification from Postfix with one block per
// recipient action.
func dsn(actions ...string) []byte {
	lines := []string{"From: MAILER-DAEMON@mx.molndal.example (Mail Delivery System)", "Subject: Successful Mail Delivery Report",
		`Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"`}
	body := []string{"--dsn", "Content-Type: text/plain; charset=us-ascii", "", "This is the mail system at host mx.molndal.example.", "",
		"--dsn", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.molndal.example", ""}
	for i, a := range actions {
		body = append(body, "Final-Recipient: rfc822; person"+string(rune('a'+i))+"@molndal.example", "Action: "+a, "Status: 2.0.0", "")
	}
	body = append(body, "--dsn--")
	return mail(lines, body...)
}

// TestEvidenceOrder: the headers of RFC 3834 and the vendors decide first,
// then the report content types, then the subject and the body; what a
// person writes, a disclaimer or a quote never makes a mail automatic, and
// the words inside an automatic answer never make it a person's.
func TestEvidenceOrder(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		want Kind
	}{
		{"RFC 3834 header with cancel words in the text", mail([]string{"Auto-Submitted: auto-replied", "Subject: Automatiskt svar: Inbjudan"},
			"Jag är på semester till 2 januari.", "", "Vill du avanmäla dig från ett av våra evenemang, skriv till kansliet.",
			"This message may contain confidential information. If you wish to cancel your subscription, contact us."), Reply},
		{"Exchange's generated answer", mail([]string{"X-Auto-Response-Suppress: All", "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent", "Subject: Inbjudan"},
			"Tack för ditt mejl."), Reply},
		{"Outlook's ordinary mail carries X-Auto-Response-Suppress", mail([]string{"X-Auto-Response-Suppress: All"},
			"Hej!", "", "Jag vill anmäla mig till workshopen den 11 december.", "", "Karin"), ""},
		{"Auto-Submitted: no is a person", mail([]string{"Auto-Submitted: no"}, "Anmäl mig gärna.", "", "/Karin"), ""},
		{"a delivery receipt is a receipt", dsn("delivered"), Receipt},
		{"relayed and delivered is a receipt", dsn("relayed", "delivered"), Receipt},
		{"a failure is a bounce", dsn("failed"), Bounce},
		{"one failed among delivered is a bounce", dsn("delivered", "failed"), Bounce},
		{"a read receipt (MDN)", mail([]string{"Subject: Läst: Bekräftelse", `Content-Type: multipart/report; report-type=disposition-notification; boundary="m"`},
			"--m", "Content-Type: text/plain", "", "Ditt meddelande har lästs.", "--m", "Content-Type: message/disposition-notification", "",
			"Final-Recipient: rfc822; karin.ek@molndal.example", "Disposition: manual-action/MDN-sent-manually; displayed", "--m--"), Receipt},
		{"a DMARC aggregate report as plain multipart/mixed", mail([]string{"From: noreply-dmarc-support@google.example",
			"Subject: Report domain: goteborgsregionen.example Submitter: google.example Report-ID: 1543728000", `Content-Type: multipart/mixed; boundary="r"`},
			"--r", "Content-Type: text/plain", "", "", "--r", "Content-Type: application/zip; name=\"google.example!goteborgsregionen.example!1543622400!1543708799.zip\"",
			"Content-Transfer-Encoding: base64", "Content-Disposition: attachment; filename=\"google.example!goteborgsregionen.example!1543622400!1543708799.zip\"", "",
			"UEsDBBQAAAAIAA==", "--r--"), Report},
		{"a person sending a zip is a person", mail([]string{`Content-Type: multipart/mixed; boundary="r"`},
			"--r", "Content-Type: text/plain; charset=utf-8", "", "Hej, här är våra underlag inför workshopen. Anmäl mig gärna också.", "",
			"--r", "Content-Type: application/zip; name=\"underlag.zip\"", "Content-Transfer-Encoding: base64", "", "UEsDBBQAAAAIAA==", "--r--"), ""},
		{"a challenge-response filter", mail([]string{"From: Spamfilter <verify@molndal.example>", "Subject: Ditt meddelande väntar på godkännande"},
			"Ditt meddelande till karin.ek@molndal.example har hållits kvar av mitt skräppostfilter.",
			"Klicka på länken nedan för att bekräfta att du är en människa, så läggs du till bland mina godkända avsändare:",
			"https://filter.molndal.example/v?id=8f3a"), Reply},
		{"a person writing about her spam filter", mail(nil, "Hej! Er inbjudan hamnade i mitt skräppostfilter, men jag vill gärna anmäla mig.", "", "/Karin"), ""},
		{"Lotus Notes' AUTO: subject", mail([]string{"Subject: AUTO: Karin Ek är inte på kontoret (åter 2018-12-10)"},
			"Jag är tillbaka 2018-12-10.", "", "Observera: ditt meddelande vidarebefordras inte."), Reply},
		{"an out-of-office answer quoted below a person's reply", mail(nil, "Tack för beskedet, då hör vi av oss efter jul.", "", "/Karin", "",
			"> Jag är på semester till 3 december och läser inte min e-post.", "> Vid brådskande ärenden kontakta växeln."), ""},
		{"a person away on the day asks", mail(nil, "Hej, jag är på semester till den 10:e, kan jag ändå anmäla mig till den 11 december?", "", "/Karin"), ""},
		{"a person tells of her leave and registers", mail(nil, "Hej! Jag är föräldraledig till den 7:e men vill anmäla mig till workshopen.", "", "Karin"), ""},
		{"a disclaimer never decides", mail(nil, "Hej!", "", "Jag vill anmäla mig till workshopen den 11 december.", "",
			"Med vänliga hälsningar", "Karin Ek", "Mölndals stad", "",
			"Detta e-postmeddelande kan innehålla konfidentiell information. Om du inte är rätt mottagare, kontakta avsändaren och radera meddelandet. Automatiskt svar skickas inte."), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, why := classify(t, tt.raw); got != tt.want {
				t.Errorf("kind %q (%s), want %q", got, why, tt.want)
			}
		})
	}
}

// TestOutOfOfficeByBody: answers without any auto-reply header, known by
// their words alone, in the languages organisers meet.
func TestOutOfOfficeByBody(t *testing.T) {
	bodies := map[string][]string{
		"sv":                  {"Hej,", "Jag är på semester till och med 4 januari och läser inte min e-post.", "Vid brådskande ärenden, kontakta Per Lind, 031-123 45 67."},
		"en":                  {"Thank you for your message. I am out of the office until 7 January with limited access to e-mail.", "For urgent matters please contact reception@ri.example."},
		"de":                  {"Vielen Dank für Ihre Nachricht. Ich bin bis zum 7. Januar nicht im Büro.", "In dringenden Fällen wenden Sie sich bitte an meine Vertretung."},
		"fr":                  {"Bonjour,", "Je suis absente du bureau jusqu'au 7 janvier. Votre message ne sera pas transféré.", "En cas d'urgence, merci de contacter l'accueil."},
		"fi":                  {"Olen lomalla 7.1. asti enkä lue sähköpostiani.", "Kiireellisissä asioissa ota yhteyttä vaihteeseen."},
		"no":                  {"Jeg er på ferie til 7. januar og leser ikke e-post.", "Henvendelser kan rettes til sentralbordet."},
		"da":                  {"Jeg holder ferie til og med 6. januar og læser ikke mails.", "Ved akutte sager kontakt venligst sekretariatet."},
		"da, holder fri":      {"Tak for din mail.", "Jeg holder fri indtil den 5. december. Din mail bliver ikke videresendt."},
		"da, vender tilbage":  {"Kære afsender", "Jeg har ferie og vender tilbage den 5. december. Jeg besvarer din mail hurtigst muligt derefter."},
		"da, ikke på arbejde": {"Jeg er ikke på arbejde før den 5. december. Mails læses ikke i mellemtiden."},
		"lv":                  {"Labdien!", "Esmu atvaļinājumā līdz 7. janvārim.", "Steidzamos jautājumos lūdzu sazinieties ar sekretariātu."},
		"es":                  {"Gracias por su mensaje. Estoy de vacaciones hasta el 7 de enero.", "Para asuntos urgentes, póngase en contacto con la recepción."},
		"it":                  {"Grazie per il suo messaggio. Sono fuori ufficio fino al 7 gennaio.", "Per questioni urgenti può contattare la segreteria."},
		"nl":                  {"Ik ben afwezig tot en met 14 december.", "Voor dringende zaken kunt u contact opnemen met het secretariaat."},
		"pl":                  {"Dzień dobry,", "przebywam poza biurem do 7 stycznia i mam ograniczony dostęp do poczty.", "W pilnych sprawach proszę o kontakt z recepcją."},
		"pt":                  {"Olá,", "Estou de férias até 7 de janeiro, sem acesso ao correio eletrónico.", "Para assuntos urgentes, contacte a receção."},
		// The verb second, as Swedish has it after an adverbial: "Under
		// tiden läser jag inte", not "jag läser inte".
		"sv, verb second": {"Tack för ditt mejl!", "Jag är ledig och kommer tillbaka den 2 januari. Under tiden läser jag inte min e-post och meddelandet skickas inte vidare."},
	}
	for lang, body := range bodies {
		t.Run(lang, func(t *testing.T) {
			raw := mail([]string{"Subject: Re: Inbjudan: På tal om segregation"}, body...)
			if got, why := classify(t, raw); got != Reply {
				t.Errorf("kind %q (%s), want an auto-reply", got, why)
			}
			// The same answer with CR-only and LF-only line ends.
			for _, eol := range []string{"\r", "\n"} {
				other := []byte(strings.ReplaceAll(string(raw), "\r\n", eol))
				if got, why := classify(t, other); got != Reply {
					t.Errorf("with line ends %q: kind %q (%s), want an auto-reply", eol, got, why)
				}
			}
		})
	}
}

func TestBouncedAddresses(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{
			name: "delivery-status: the failed recipients, not the delivered one",
			lines: []string{"From: MAILER-DAEMON@mx.example.org", "Subject: Undelivered", `Content-Type: multipart/report; report-type=delivery-status; boundary="b"`, "",
				"--b", "Content-Type: text/plain", "", "failed", "--b", "Content-Type: message/delivery-status", "",
				"Reporting-MTA: dns; mx.example.org", "", "Final-Recipient: rfc822; a@example.org", "Action: failed", "Status: 5.1.1", "",
				"Original-Recipient: rfc822;b@example.org", "Final-Recipient: rfc822; B@Example.org", "Action: failed", "", "Final-Recipient: rfc822; c@example.org", "Action: delivered", "--b--"},
			want: []string{"a@example.org", "b@example.org"},
		},
		{
			name:  "text only",
			lines: []string{"From: MAILER-DAEMON@mx.example.org", "To: anmalan@goteborgsregionen.example", "Subject: failure notice", "", "<karin.eek@molndal.example>:", "550 5.1.1 User unknown"},
			want:  []string{"karin.eek@molndal.example"},
		},
		{
			name:  "X-Failed-Recipients",
			lines: []string{"From: Mail Delivery System <Mailer-Daemon@mx.example.org>", "X-Failed-Recipients: x@example.org", "Subject: Mail delivery failed", "", "see x@example.org and y@example.org"},
			want:  []string{"x@example.org"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := messagetest.MustRead(t, messagetest.Mail(tt.lines...))
			if k, why := Classify(m, testConfig()); k != Bounce {
				t.Fatalf("kind %q, want bounce (%s)", k, why)
			}
			if got := BouncedAddresses(m, testConfig()); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("bounced %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAbsenceSubjectWrittenByAPerson: "Frånvaro" or "Out of office" is
// also what a person calls a mail saying she will be away, and such a
// mail is often a cancellation. The subject decides only in a machine's
// form ("Frånvaro: …", "Autosvar") or beside a machine's absence text.
func TestAbsenceSubjectWrittenByAPerson(t *testing.T) {
	person := []string{"Hej Linda,", "Jag är på tjänsteresa den veckan och kommer tyvärr inte kunna närvara den 11 december.",
		"Stryk mig gärna från listan så att någon annan får platsen.", "", "Vänliga hälsningar", "Greta"}
	machine := []string{"Jag är på semester till och med 4 januari och läser inte min e-post.",
		"Vid brådskande ärenden, kontakta Per Lind, 031-123 45 67."}
	for _, tt := range []struct {
		subject string
		body    []string
		want    Kind
	}{
		{"Frånvaro", person, ""},
		{"Frånvaro 11 december", person, ""},
		{"Out of office", person, ""},
		{"Absence", person, ""},
		{"Frånvaro", machine, Reply},
		{"Frånvaro: Inbjudan", person, Reply},
		{"Frånvaromeddelande", person, Reply},
		{"Autosvar", person, Reply},
		{"Out of Office: Re: Inbjudan", person, Reply},
	} {
		got, why := classify(t, mail([]string{"Subject: " + tt.subject}, tt.body...))
		if got != tt.want {
			t.Errorf("subject %q: kind %q (%s), want %q", tt.subject, got, why, tt.want)
		}
	}
}

// TestForwardedMachineMailIsAPersons: a person who forwards a bounce or
// a read receipt ("VB: Olevererbart: …") to ask about it wrote the mail;
// the quoted machine text does not make it automatic. A mail system's own
// report keeps its kind whatever subject it carries.
func TestForwardedMachineMailIsAPersons(t *testing.T) {
	asked := []string{"Hej! Jag fick tillbaka det här när jag skickade vidare inbjudan. Kom min anmälan fram?", "",
		"/Ebba", "", "-----Ursprungligt meddelande-----", "Det gick inte att leverera till följande mottagare:",
		"kollega@example.invalid", "Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'"}
	for _, tt := range []struct {
		header []string
		want   Kind
	}{
		{[]string{"Subject: VB: Olevererbart: Inbjudan"}, ""},
		{[]string{"Subject: Fwd: Undeliverable: Inbjudan"}, ""},
		{[]string{"Subject: WG: Unzustellbar: Inbjudan"}, ""},
		{[]string{"Subject: SV: Läst: Anmälan"}, ""},
		{[]string{"Subject: Olevererbart: Inbjudan", "Return-Path: <>"}, Bounce},
		{[]string{"Subject: VB: Inbjudan", "From: Mail Delivery System <MAILER-DAEMON@mx.example>", "Return-Path: <>"}, Bounce},
	} {
		got, why := classify(t, mail(tt.header, asked...))
		if got != tt.want {
			t.Errorf("%v: kind %q (%s), want %q", tt.header, got, why, tt.want)
		}
	}
}

// TestChallengeBelowHeldMailHeaders: a challenge-response filter that
// describes the held mail by its headers before it asks for the act is a
// machine's, though the quote splitter cuts its text at those headers; a
// person's reply with the same words is not.
func TestChallengeBelowHeldMailHeaders(t *testing.T) {
	body := []string{"Hej!", "", "Ditt meddelande har hållits kvar och har inte levererats ännu.", "",
		"Från: GR Anmälan <anmalan@goteborgsregionen.example>", "Skickat: den 29 november 2018 09:12", "Till: Eva Holm <eva.holm@ale.example>", "Ämne: Bekräftelse", "",
		"Klicka på länken nedan för att bekräfta att du är en verklig avsändare:", "https://filter.example/slapp/1234"}
	if got, why := classify(t, mail([]string{"Subject: Ditt meddelande väntar"}, body...)); got != Reply || !strings.Contains(why, "held mail's headers") {
		t.Errorf("the filter's mail: kind %q (%s), want an auto-reply read below the held mail's headers", got, why)
	}
	if got, why := classify(t, mail([]string{"Subject: SV: Bekräftelse"}, body...)); got != "" {
		t.Errorf("a person's reply: kind %q (%s), want a person's", got, why)
	}
}
