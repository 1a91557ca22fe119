package understand

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// understandMail reads a mail made of header lines, an empty line and body
// lines, and understands it with the corpus's config.
func understandMail(t *testing.T, cfg *config.Config, lines ...string) reading.Understanding {
	t.Helper()
	return Understand(messagetest.MustRead(t, messagetest.Mail(lines...)), cfg)
}

func TestRegistrations(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []reading.Person
	}{
		{
			name:  "free text, name from the display name",
			lines: []string{"From: Sara Nilsson <sara.nilsson@ale.example>", "Subject: workshop", "", "Anmäl mig gärna!", "", "/Sara"},
			want:  []reading.Person{{Name: "Sara Nilsson", Email: "sara.nilsson@ale.example"}},
		},
		{
			name:  "display name Last, First",
			lines: []string{`From: "Carter, Emily" <emily.carter@chalmers.example>`, "Subject: x", "", "I would like to register for the workshop.", "", "Best regards,", "Emily Carter", "Chalmers University of Technology"},
			want:  []reading.Person{{Name: "Emily Carter", Email: "emily.carter@chalmers.example", Organisation: "Chalmers University of Technology"}},
		},
		{
			name:  "no display name: the name from the signature",
			lines: []string{"From: karin.ek@molndal.example", "Subject: Anmälan", "", "Jag kommer gärna.", "", "Mvh", "Karin Ek", "Mölndals stad"},
			want:  []reading.Person{{Name: "Karin Ek", Email: "karin.ek@molndal.example", Organisation: "Mölndals stad"}},
		},
		{
			name:  "a function as display name: the name from the signature",
			lines: []string{"From: Kansliet Ale <kansli@ale.example>", "Subject: Anmälan", "", "Jag vill anmäla mig.", "", "Vänliga hälsningar", "Pia Ström", "Ale kommun"},
			want:  []reading.Person{{Name: "Pia Ström", Email: "kansli@ale.example", Organisation: "Ale kommun"}},
		},
		{
			name:  "form fields, diet none",
			lines: []string{"From: x@lerum.example", "Subject: Anmälan", "", "Namn: Johan Lindqvist", "Organisation: Lerums kommun", "E-post: johan@lerum.example", "Specialkost: ingen"},
			want:  []reading.Person{{Name: "Johan Lindqvist", Email: "johan@lerum.example", Organisation: "Lerums kommun"}},
		},
		{
			name:  "two form blocks",
			lines: []string{"From: Ann Ek <ann@kungalv.example>", "Subject: Anmälan", "", "Namn: Ann Ek", "E-post: ann@kungalv.example", "", "Namn: Bo Ek", "E-post: bo@kungalv.example", "Kost: vegan"},
			want:  []reading.Person{{Name: "Ann Ek", Email: "ann@kungalv.example"}, {Name: "Bo Ek", Email: "bo@kungalv.example", Diet: "vegan"}},
		},
		{
			name:  "the sender and a colleague",
			lines: []string{"From: Ann Ek <ann@kungalv.example>", "Subject: Anmälan", "", "Jag och min kollega Bo Ek, bo@kungalv.example, vill delta."},
			want:  []reading.Person{{Name: "Ann Ek", Email: "ann@kungalv.example"}, {Name: "Bo Ek", Email: "bo@kungalv.example"}},
		},
		{
			name:  "someone else, not the sender",
			lines: []string{"From: Registrator <registrator@harryda.example>", "Subject: Anmälan", "", "Härmed anmäls vår förvaltningschef Gunilla Ek, gunilla.ek@harryda.example, till workshopen.", "", "Med vänlig hälsning", "Registratorn", "Härryda kommun"},
			want:  []reading.Person{{Name: "Gunilla Ek", Email: "gunilla.ek@harryda.example", Organisation: "Härryda kommun"}},
		},
		{
			name:  "organisation from the config's domain table",
			lines: []string{"From: Ola Berg <ola.berg@stenungsund.example>", "Subject: Anmälan", "", "Anmäl mig!"},
			want:  []reading.Person{{Name: "Ola Berg", Email: "ola.berg@stenungsund.example", Organisation: "Stenungsunds kommun"}},
		},
		{
			name:  "a colleague's address in the signature is not registered",
			lines: []string{"From: Ann Ek <ann@kungalv.example>", "Subject: Anmälan", "", "Jag vill anmäla mig.", "", "Mvh", "Ann Ek", "Vid frånvaro: bo@kungalv.example"},
			want:  []reading.Person{{Name: "Ann Ek", Email: "ann@kungalv.example"}},
		},
		{
			name: "the quoted invitation is not read",
			lines: []string{"From: Ann Ek <ann@kungalv.example>", "Subject: SV: Inbjudan", "", "Jag kommer gärna!", "",
				"Från: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "Skickat: den 20 november 2018 10:00", "Till: Ann Ek <ann@kungalv.example>", "Ämne: Inbjudan", "",
				"Anmäl dig senast 4 december. Kontakta per.strom@molndal.example vid frågor."},
			want: []reading.Person{{Name: "Ann Ek", Email: "ann@kungalv.example"}},
		},
	}
	cfg := corpusConfig()
	cfg.Organisations = map[string]string{"stenungsund.example": "Stenungsunds kommun"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, tt.lines...)
			if u.Kind != reading.KindRegistration {
				t.Fatalf("kind %q, want registration (%s)", u.Kind, u.Reason)
			}
			checkPeopleExact(t, u.People, tt.want)
		})
	}
}

func checkPeopleExact(t *testing.T, got, want []reading.Person) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("people\n got %+v\nwant %+v", got, want)
	}
}

func TestQuoteSplitting(t *testing.T) {
	tests := []struct {
		name, text, own string
	}{
		{"gmail english", "Yes please.\n\nOn Wed, Nov 28, 2018 at 10:02 AM GR <anmalan@x.example> wrote:\n> Hello", "Yes please."},
		{"gmail wrapped attribution", "Ja.\n\nOn Wed, Nov 28, 2018 at 10:02 AM GR Anmälan <\nanmalan@x.example> wrote:\n> Hej", "Ja."},
		{"swedish gmail", "Ja.\n\nDen ons 28 nov. 2018 kl 10:02 skrev GR Anmälan <anmalan@x.example>:\n> Hej", "Ja."},
		{"iphone swedish", "Ja.\n\n28 nov. 2018 kl. 10:02 skrev GR Anmälan <anmalan@x.example>:\n\n> Hej", "Ja."},
		{"outlook swedish", "Ja.\n\nFrån: GR Anmälan <anmalan@x.example>\nSkickat: den 28 november 2018 10:02\nTill: Ann\nÄmne: x\n\nHej", "Ja."},
		{"outlook english with rule", "Yes.\n\n________________________________\nFrom: GR <anmalan@x.example>\nSent: Wednesday\nTo: Ann\nSubject: x\n\nHello", "Yes."},
		{"original message", "Ja.\n\n-----Ursprungligt meddelande-----\nFrån: x", "Ja."},
		{"inline quote kept out", "> Kommer du?\nJa, jag kommer.\n> Mat?\nVegetarisk.\nHälsningar", "Ja, jag kommer.\nVegetarisk.\nHälsningar"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := message.SplitQuote(tt.text).Own; got != tt.own {
				t.Errorf("own %q, want %q", got, tt.own)
			}
		})
	}
}

func TestSignatureSplitting(t *testing.T) {
	tests := []struct {
		name, own, body, sig string
	}{
		{"med vänliga hälsningar", "Anmäl mig.\n\nMed vänliga hälsningar\nKarin Ek", "Anmäl mig.", "Med vänliga hälsningar\nKarin Ek"},
		{"mvh with name", "Finns det parkering?\n\nMvh Eva Strand", "Finns det parkering?", "Mvh Eva Strand"},
		{"slash name", "Anmäl mig!\n\n/Sara\n\nSkickat från min iPhone", "Anmäl mig!", "/Sara"},
		{"dash dash", "Register me.\n-- \nEmily", "Register me.", "-- \nEmily"},
		{"kind regards", "Register me.\n\nKind regards,\nEmily", "Register me.", "Kind regards,\nEmily"},
		{"greeting inside a sentence is not a signature", "Hej!\nHälsningar från oss alla, vi kommer tre stycken.", "Hej!\nHälsningar från oss alla, vi kommer tre stycken.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, sig := message.SplitSignature(tt.own)
			if body != tt.body || sig != tt.sig {
				t.Errorf("body %q sig %q, want %q and %q", body, sig, tt.body, tt.sig)
			}
		})
	}
}

func TestCancellations(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{"avanmäl", "Jag måste tyvärr avanmäla mig.", "cancellation"},
		{"kan inte komma", "Jag kan inte komma den 11:e.", "cancellation"},
		{"kan tyvärr inte delta", "Jag kan tyvärr inte delta.", "cancellation"},
		{"english cancel", "Please cancel my registration.", "cancellation"},
		{"can no longer attend", "I can no longer attend.", "cancellation"},
		{"unable to attend", "I am unable to attend, sorry.", "cancellation"},
		{"the quote does not count", "Tack!\n\n> Om du vill avanmäla dig, svara på detta mejl.", "other"},
		{"glöm mig", "Glöm mig, tack.", "forget"},
		{"glöm mig before avanmäl", "Avanmäl mig och glöm mig.", "forget"},
		{"forget me", "Please forget me.", "forget"},
		{"delete my data", "Kindly delete my data.", "forget"},
		{"a quoted glöm mig does not count", "Tack!\n\n> Vill du att vi glömmer dig: skriv \"glöm mig\".", "other"},
		{"don't forget me", "Don't forget me when you send the material!", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, corpusConfig(), "From: Johan Lindqvist <johan@lerum.example>", "Subject: Re: Bekräftelse", "", tt.text)
			if string(u.Kind) != tt.want {
				t.Fatalf("kind %q, want %q (%s)", u.Kind, tt.want, u.Reason)
			}
			if tt.want == "cancellation" || tt.want == "forget" {
				checkPeopleExact(t, u.People, []reading.Person{{Name: "Johan Lindqvist", Email: "johan@lerum.example"}})
			}
		})
	}
}

func TestColleagueInstead(t *testing.T) {
	tests := []struct {
		name, text string
		want       string // "who → by", or "" for a plain cancellation
	}{
		{"min kollega går i stället", "Jag kan tyvärr inte komma. Min kollega Per Ström (per.strom@molndal.example) går i stället.", "karin.ek@molndal.example → per.strom@molndal.example"},
		{"without saying she cannot come", "Min kollega Per Ström, per.strom@molndal.example, kommer i mitt ställe.", "karin.ek@molndal.example → per.strom@molndal.example"},
		{"english", "I can no longer attend; my colleague Per Strom (per.strom@molndal.example) will come instead.", "karin.ek@molndal.example → per.strom@molndal.example"},
		{"a colleague without an address is not a substitute", "Jag kan inte komma, min kollega Per går i stället.", ""},
		{"cancellation alone", "Jag kan inte komma.", ""},
		{"a diet said of the colleague after", "Jag kan inte komma. Min kollega Per Ström (per.strom@molndal.example) går i mitt ställe. Han äter inte fisk.",
			"karin.ek@molndal.example → per.strom@molndal.example [äter inte fisk]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, corpusConfig(), "From: Karin Ek <karin.ek@molndal.example>", "Subject: Re: Bekräftelse", "", tt.text, "", "/Karin")
			if u.Kind != reading.KindCancellation {
				t.Fatalf("kind %q, want cancellation (%s)", u.Kind, u.Reason)
			}
			checkPeopleExact(t, u.People, []reading.Person{{Name: "Karin Ek", Email: "karin.ek@molndal.example"}})
			got := ""
			if len(u.Changes) == 1 && u.Changes[0].Action == reading.ActionSubstitute && u.Changes[0].By != nil {
				got = u.Changes[0].Who + " → " + u.Changes[0].By.Email
				if d := u.Changes[0].By.Diet; d != "" {
					got += " [" + d + "]"
				}
			}
			if got != tt.want || len(u.Changes) > 1 {
				t.Errorf("changes %+v, want %q", u.Changes, tt.want)
			}
		})
	}
}

func TestAnswersYes(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"JA", true},
		{"Ja tack!\n\n/Karin", true},
		{"Yes, please.", true},
		{"ja\n\n> Du erbjuds en plats. Svara JA senast …", true},
		{"Jag vill ha platsen.", false},
		{"Nej tack.\n\n> Svara JA senast …", false},
		{"Japan is far away.", false},
	}
	for _, tt := range tests {
		if got := AnswersYes(messagetest.MustRead(t, messagetest.Mail("From: Karin Ek <karin.ek@molndal.example>", "Subject: Re: Plats", "", tt.text))); got != tt.want {
			t.Errorf("answersYes(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestOrganiserCommands(t *testing.T) {
	const linda = "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>"
	tests := []struct {
		name string
		to   string
		text string
		want string // changes as "action who [by-name by-email by-org] [seats]", joined by "; "
	}{
		{"cancel by address", "anmalan@goteborgsregionen.example", "Avanmäl karin.ek@molndal.example.", "cancel karin.ek@molndal.example"},
		{"cancel two", "anmalan@goteborgsregionen.example", "Stryk karin.ek@molndal.example och anders.berg@partille.example, tack.", "cancel karin.ek@molndal.example; cancel anders.berg@partille.example"},
		{"is cancelled", "anmalan@goteborgsregionen.example", "Karin Ek (karin.ek@molndal.example) är avanmäld.", "cancel karin.ek@molndal.example"},
		{"cancel by name", "anmalan@goteborgsregionen.example", "Stryk Karin Ek från listan.", "cancel Karin Ek"},
		{"english cancel", "anmalan@goteborgsregionen.example", "Please cancel karin.ek@molndal.example.", "cancel karin.ek@molndal.example"},
		{"byt mot", "anmalan@goteborgsregionen.example", "Byt karin.ek@molndal.example mot Per Ström, per.strom@molndal.example.", "substitute karin.ek@molndal.example [Per Ström per.strom@molndal.example]"},
		{"ersätt med", "anmalan@goteborgsregionen.example", "Ersätt Karin Ek <karin.ek@molndal.example> med Per Ström <per.strom@molndal.example>.", "substitute karin.ek@molndal.example [Per Ström per.strom@molndal.example]"},
		{"replace with", "anmalan@goteborgsregionen.example", "Please replace karin.ek@molndal.example with per.strom@molndal.example.", "substitute karin.ek@molndal.example [Per Strom per.strom@molndal.example]"},
		{"i ditt ställe, to the person", "Karin Ek <karin.ek@molndal.example>", "Det går bra att din kollega Per Ström (per.strom@molndal.example) går i ditt ställe.", "substitute karin.ek@molndal.example [Per Ström per.strom@molndal.example]"},
		{"takes your place", "Karin Ek <karin.ek@molndal.example>", "Fine, Per Ström (per.strom@molndal.example) takes your place.", "substitute karin.ek@molndal.example [Per Ström per.strom@molndal.example]"},
		{"flytta upp", "anmalan@goteborgsregionen.example", "Flytta upp maria.holm@partille.example från väntelistan.", "promote maria.holm@partille.example"},
		{"får en plats", "anmalan@goteborgsregionen.example", "maria.holm@partille.example får en plats.", "promote maria.holm@partille.example"},
		{"register", "anmalan@goteborgsregionen.example", "Anmäl Eva Strand, eva.strand@stenungsund.example, Stenungsunds kommun.", "register  [Eva Strand eva.strand@stenungsund.example Stenungsunds kommun]"},
		{"seats", "anmalan@goteborgsregionen.example", "Ändra antal platser till 40.", "seats  40"},
		{"seats english", "anmalan@goteborgsregionen.example", "seats 45", "seats  45"},
		{"list", "anmalan@goteborgsregionen.example", "Kan jag få deltagarlistan?", "list "},
		{"lista", "anmalan@goteborgsregionen.example", "lista", "list "},
		{"flytta upp by name", "anmalan@goteborgsregionen.example", "Flytta upp Gunilla Ek.", "promote Gunilla Ek"},
		{"platser 40", "anmalan@goteborgsregionen.example", "Platser 40.", "seats  40"},
		{"several in order", "anmalan@goteborgsregionen.example", "Flytta upp Gunilla Ek. Platser 40. Skicka listan.", "promote Gunilla Ek; seats  40; list "},
		{"status", "anmalan@goteborgsregionen.example", "status", "status "},
		{"two commands in one sentence", "anmalan@goteborgsregionen.example", "Avanmäl karin.ek@molndal.example och flytta upp maria.holm@partille.example från väntelistan.", "cancel karin.ek@molndal.example; promote maria.holm@partille.example"},
		{"cannot come, then promote", "anmalan@goteborgsregionen.example", "Karin Ek kan inte komma, flytta upp maria.holm@partille.example.", "cancel Karin Ek; promote maria.holm@partille.example"},
		{"substitute and cancel", "anmalan@goteborgsregionen.example", "Byt karin.ek@molndal.example mot per.strom@molndal.example; stryk anders.berg@partille.example.", "substitute karin.ek@molndal.example [Per Strom per.strom@molndal.example]; cancel anders.berg@partille.example"},
		{"cancel then list", "anmalan@goteborgsregionen.example", "Stryk anders.berg@partille.example och skicka listan.", "cancel anders.berg@partille.example; list "},
		{"names before the verb stay with it", "anmalan@goteborgsregionen.example", "maria.holm@partille.example och karin.ek@molndal.example får en plats.", "promote maria.holm@partille.example; promote karin.ek@molndal.example"},
		{"one verb, three people", "anmalan@goteborgsregionen.example", "Avanmäl karin.ek@molndal.example, anders.berg@partille.example och maria.holm@partille.example.", "cancel karin.ek@molndal.example; cancel anders.berg@partille.example; cancel maria.holm@partille.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, corpusConfig(), linda, "To: "+tt.to, "Cc: anmalan@goteborgsregionen.example", "Subject: Ändring", "", "Hej,", "", tt.text, "", "Hälsningar", "Linda Karlsson", "Göteborgsregionen (GR)")
			if u.Kind != reading.KindCommand {
				t.Fatalf("kind %q, want command (%s)", u.Kind, u.Reason)
			}
			var got []string
			for _, c := range u.Changes {
				s := string(c.Action) + " " + c.Who
				if c.By != nil {
					by := strings.TrimSpace(c.By.Name + " " + c.By.Email + " " + c.By.Organisation)
					s += " [" + by + "]"
				}
				if c.Seats != 0 {
					s += fmt.Sprintf(" %d", c.Seats)
				}
				got = append(got, s)
			}
			if strings.Join(got, "; ") != tt.want {
				t.Errorf("changes %q, want %q", strings.Join(got, "; "), tt.want)
			}
		})
	}
}

func TestCommandsOnlyFromOrganisers(t *testing.T) {
	u := understandMail(t, corpusConfig(), "From: Karin Ek <karin.ek@molndal.example>", "Subject: x", "", "Avanmäl anders.berg@partille.example.")
	if u.Kind == reading.KindCommand {
		t.Errorf("a participant's mail is a command: %+v", u)
	}
	u = understandMail(t, nil, "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "Subject: x", "", "Avanmäl anders.berg@partille.example.")
	if u.Kind == reading.KindCommand || u.SenderAuthenticated {
		t.Errorf("without a config, a mail is a command: %+v", u)
	}
}

func TestSenderAuthenticated(t *testing.T) {
	const from = "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>"
	tests := []struct {
		name    string
		headers []string
		want    bool
	}{
		{"dmarc pass", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example"}, true},
		{"aligned dkim pass", []string{"Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=goteborgsregionen.example; dmarc=none"}, true},
		{"dkim of a parent domain", []string{"Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=mail.goteborgsregionen.example"}, true},
		{"unaligned dkim pass", []string{"Authentication-Results: mx.goteborgsregionen.example; dkim=pass header.d=mailer.example.net; dmarc=fail"}, false},
		{"dmarc fail", []string{"Authentication-Results: mx.goteborgsregionen.example; dkim=none; spf=fail smtp.mailfrom=x.example; dmarc=fail"}, false},
		{"spf pass only", []string{"Authentication-Results: mx.goteborgsregionen.example; spf=pass smtp.mailfrom=goteborgsregionen.example"}, false},
		{"no header", nil, false},
		{"another authserv-id", []string{"Authentication-Results: mx.forger.example; dmarc=pass"}, false},
		{"only the topmost trusted field counts", []string{
			"Authentication-Results: mx.goteborgsregionen.example; dmarc=fail",
			"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass"}, false},
		{"a foreign field above the trusted one is skipped", []string{
			"Authentication-Results: relay.example; dmarc=fail",
			"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example"}, true},
		// Failure 1 of issue 13: OpenDKIM's comment holds a ";", which
		// go-msgauth's authres.Parse cannot read.
		{"OpenDKIM's comment with a semicolon", []string{
			"Authentication-Results: mx.goteborgsregionen.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=goteborgsregionen.example header.i=@goteborgsregionen.example header.b=\"AbCdEf12\";\r\n\tdmarc=pass (p=reject dis=none) header.from=goteborgsregionen.example"}, true},
		// Failure 3: a pass about another domain, or without saying which.
		{"dmarc pass about another domain", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example"}, false},
		{"dmarc pass without header.from", []string{"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := append(append([]string{}, tt.headers...), from, "Subject: x", "", "Avanmäl karin.ek@molndal.example.")
			u := understandMail(t, corpusConfig(), lines...)
			if u.SenderAuthenticated != tt.want {
				t.Errorf("sender_authenticated %v, want %v (%s)", u.SenderAuthenticated, tt.want, u.Reason)
			}
		})
	}
	// Not an organiser: never authenticated, however good the result.
	u := understandMail(t, corpusConfig(), "Authentication-Results: mx.goteborgsregionen.example; dmarc=pass", "From: Karin Ek <karin.ek@molndal.example>", "Subject: x", "", "Anmäl mig.")
	if u.SenderAuthenticated {
		t.Error("a participant is sender_authenticated")
	}
}

func TestOrganiserForwards(t *testing.T) {
	const linda = "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>"
	want := []reading.Person{{Name: "Lars Persson", Email: "lars.persson@tjorn.example", Organisation: "Tjörns kommun"}}
	original := []string{"Hej Linda,", "", "Jag vill gärna anmäla mig till workshopen.", "", "Mvh", "Lars Persson", "Folkhälsostrateg, Tjörns kommun"}
	tests := []struct {
		name  string
		lines []string
	}{
		{"outlook swedish", append([]string{linda, "Subject: VB: Anmälan", "", "",
			"Från: Lars Persson <lars.persson@tjorn.example>", "Skickat: den 28 november 2018 09:12", "Till: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "Ämne: Anmälan", ""}, original...)},
		{"outlook english", append([]string{linda, "Subject: FW: Anmälan", "", "",
			"From: Lars Persson [mailto:lars.persson@tjorn.example]", "Sent: Wednesday, November 28, 2018 9:12 AM", "To: Linda Karlsson", "Subject: Anmälan", ""}, original...)},
		{"gmail", append([]string{linda, "Subject: Fwd: Anmälan", "", "Se nedan.", "", "---------- Forwarded message ---------",
			"From: Lars Persson <lars.persson@tjorn.example>", "Date: Wed, 28 Nov 2018 at 09:12", "Subject: Anmälan", "To: <linda.karlsson@goteborgsregionen.example>", ""}, original...)},
		{"apple mail", append([]string{linda, "Subject: Fwd: Anmälan", "", "Begin forwarded message:", "",
			"From: Lars Persson <lars.persson@tjorn.example>", "Subject: Anmälan", "Date: 28 November 2018 at 09:12:00 CET", "To: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", ""}, original...)},
		{"attached message", append([]string{linda, "Subject: Fwd: Anmälan", `Content-Type: multipart/mixed; boundary="b"`, "", "--b", "Content-Type: text/plain; charset=utf-8", "", "Se bifogat.", "--b", "Content-Type: message/rfc822", "",
			"From: Lars Persson <lars.persson@tjorn.example>", "Subject: Anmälan", "Content-Type: text/plain; charset=utf-8", ""}, append(original, "--b--")...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, corpusConfig(), tt.lines...)
			if u.Kind != reading.KindRegistration {
				t.Fatalf("kind %q, want registration (%s)", u.Kind, u.Reason)
			}
			checkPeopleExact(t, u.People, want)
		})
	}
}

func TestLanguage(t *testing.T) {
	tests := []struct{ text, want string }{
		{"Hej! Jag vill anmäla mig till workshopen.", "sv"},
		{"Dear organisers, I would like to register for the workshop.", "en"},
		{"Hi, please register me. Thanks!", "en"},
		{"Anmäl mig gärna!", "sv"},
		{"12345", "sv"},
		{"Hi, you can scratch me from Thursday. Sorry!\n\nDashiell\n\nSkickat från min iPhone", "en"},
		{"Jag hoppar av, sorry!\n\nSent from my iPhone", "sv"},
	}
	for _, tt := range tests {
		if got := Language(tt.text, "", nil); got != tt.want {
			t.Errorf("language(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
	if got := Language("12345", "", &config.Config{Language: "en"}); got != "en" {
		t.Errorf("default from the config: %q", got)
	}
}

func TestEventChoice(t *testing.T) {
	cfg := corpusConfig()
	cfg.Events = append(cfg.Events, config.EventConfig{ID: "integration-2019", Title: "Integration i praktiken", Keywords: []string{"integration"}})
	tests := []struct {
		name, to, subject, text, want string
	}{
		{"keyword in the subject", "anmalan@goteborgsregionen.example", "Anmälan segregation", "Anmäl mig.", "segregation-2018"},
		{"keyword in the text", "anmalan@goteborgsregionen.example", "Anmälan", "Anmäl mig till integration-dagen.", "integration-2019"},
		{"plus tag", "anmalan+integration-2019@goteborgsregionen.example", "Anmälan", "Anmäl mig.", "integration-2019"},
		{"ambiguous", "anmalan@goteborgsregionen.example", "Anmälan", "Anmäl mig till segregation och integration.", ""},
		{"none", "anmalan@goteborgsregionen.example", "Anmälan", "Anmäl mig.", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Ann Ek <ann@kungalv.example>", "To: "+tt.to, "Subject: "+tt.subject, "", tt.text)
			if u.Event != tt.want {
				t.Errorf("event %q, want %q", u.Event, tt.want)
			}
		})
	}
}

func TestQuestionIsOther(t *testing.T) {
	u := understandMail(t, corpusConfig(), "From: Eva Strand <eva@stenungsund.example>", "Subject: Fråga om parkering", "", "Finns det parkering i närheten?", "", "Mvh Eva")
	if u.Kind != reading.KindOther || len(u.People) > 0 {
		t.Errorf("a question: %+v", u)
	}
}
