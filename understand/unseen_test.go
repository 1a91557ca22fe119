package understand

import (
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/automatic"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// peopleLine writes people as "Name <email> [diet]", joined by "; ",
// for the tables below.
func peopleLine(ps []reading.Person) string {
	var out []string
	for _, p := range ps {
		s := p.Name + " <" + p.Email + ">"
		if p.Diet != "" {
			s += " [" + p.Diet + "]"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// TestCompanionsWithoutAddress: the people a registering sentence names
// beside the writer without an address (coordinated with her, brought
// along, listed after a colon or on the lines below it) are registered
// by name, each with the diet her own clause gives; a writer who counts
// herself out is left out, and "ingen av oss har några allergier" is no
// diet.
func TestCompanionsWithoutAddress(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"coordinated subject, nobody's allergy", "Jag och Gillis Jarl kommer båda två den 11 december. Ingen av oss har några allergier.",
			"Eva Holm <eva.holm@ale.example>; Gillis Jarl <>"},
		{"colleague and I, her diet", "Min kollega Cornelia Almén och jag vill gärna komma på seminariet. Cornelia äter inte fisk.",
			"Eva Holm <eva.holm@ale.example>; Cornelia Almén <> [äter inte fisk]"},
		{"brought along", "Jag kommer gärna och tar med mig Hjalmar Skoog från samma enhet. Hjalmar tål inte laktos.",
			"Eva Holm <eva.holm@ale.example>; Hjalmar Skoog <> [tål inte laktos]"},
		{"list after a colon, writer counted in", "Vi blir tre, mig själv medräknad: Tage Ekblom och Sonja Rapp. Sonja är glutenintolerant.",
			"Eva Holm <eva.holm@ale.example>; Tage Ekblom <>; Sonja Rapp <> [glutenintolerant]"},
		{"numbered lines, writer out", "Här kommer anmälningar till den 11 december:\n\n1. Agda Ekholm – laktosfri kost\n2. Verner Thorsell\n\nSjälv kan jag tyvärr inte delta.",
			"Agda Ekholm <> [laktosfri]; Verner Thorsell <>"},
		{"none of us, in English", "Both Dana Whitfield and I will attend. None of us has any allergies.",
			"Eva Holm <eva.holm@ale.example>; Dana Whitfield <>"},
	}
	cfg := freshConfig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Seminariet", "", tt.body, "", "/Eva")
			if u.Kind != reading.KindRegistration {
				t.Fatalf("kind %s (%s)", u.Kind, u.Reason)
			}
			if got := peopleLine(u.People); got != tt.want {
				t.Errorf("people\n got %s\nwant %s (reason: %s)", got, tt.want, u.Reason)
			}
		})
	}
}

// TestListItemIsTheWriter: "- undertecknad" in a list of others counts
// the writer in.
func TestListItemIsTheWriter(t *testing.T) {
	u := understandMail(t, freshConfig(t), "From: Eva Holm <eva.holm@ale.example>", "Subject: Anmälan", "",
		"Härmed anmäls följande till seminariet:", "", "- Judit Wahlberg, judit.wahlberg@ale.example", "- undertecknad", "", "/Eva")
	if got, want := peopleLine(u.People), "Eva Holm <eva.holm@ale.example>; Judit Wahlberg <judit.wahlberg@ale.example>"; got != want {
		t.Errorf("people %s, want %s (reason: %s)", got, want, u.Reason)
	}
}

// TestMoodOfUnseenPhrasings: a reservation for the unforeseen is no
// condition, an intention in the pluperfect and coming on a condition are
// hedges, a registering compound noun is no request, and taking oneself
// off or skipping the event withdraws.
func TestMoodOfUnseenPhrasings(t *testing.T) {
	checkKinds(t, []kindCase{
		{"reservation for the unforeseen", "Jag kommer gärna den 11 december, om inget oväntat dyker upp förstås.", reading.KindRegistration, false},
		{"reservation in English", "I will attend on 11 December unless something comes up.", reading.KindRegistration, false},
		{"a real condition stays one", "Om jag får ledigt den dagen kommer jag gärna, jag återkommer när jag vet mer.", reading.KindOther, true},
		{"pluperfect intention and a deadline noun", "Jag hade tänkt anmäla mig men ser att sista anmälningsdag var igår. Går det fortfarande att komma med?", reading.KindOther, true},
		{"English past intention", "I was going to sign up, but is there still room?", reading.KindOther, true},
		{"take me off, with an adverb", "Det krockar med en utbildning. Ta gärna bort mig från listan.", reading.KindCancellation, false},
		{"skip the event", "Jag har ångrat mig och hoppar över seminariet den här gången.", reading.KindCancellation, false},
		{"skip a part of it", "Jag hoppar över fikat, men jag kommer till samtalet.", reading.KindRegistration, false},
		{"do not take me off", "Ta inte bort mig från listan, jag kommer ändå.", reading.KindRegistration, false},
		{"a not in the clause before", "Jag har inte hunnit svara förut, jag kommer gärna den 11 december.", reading.KindRegistration, false},
		{"English, a not before", "Sorry I did not reply sooner, I will attend on 11 December.", reading.KindRegistration, false},
	})
}

// TestGroupWithdrawnByHistory: "stryk oss båda" withdraws the colleague
// the writer says she registered with herself, named without an address.
func TestGroupWithdrawnByHistory(t *testing.T) {
	u := understandMail(t, freshConfig(t), "From: Vera Lindvall <vera.lindvall@ockero.example>", "Subject: Re: Bekräftelse", "",
		"Jag anmälde mig själv och Idun Ringdahl förra veckan, men nu kan ingen av oss komma. Stryk oss båda, tack.", "", "Vera")
	if u.Kind != reading.KindCancellation {
		t.Fatalf("kind %s (%s)", u.Kind, u.Reason)
	}
	if got, want := peopleLine(u.People), "Vera Lindvall <vera.lindvall@ockero.example>; Idun Ringdahl <>"; got != want {
		t.Errorf("people %s, want %s", got, want)
	}
}

// TestSeatToSomeoneWaiting: a seat given to someone the sentence places
// on the waiting list is a cancellation and a promotion, not a second
// registration of her; without the waiting list it stays a substitution.
func TestSeatToSomeoneWaiting(t *testing.T) {
	tests := []commandCase{
		{"english, first on the waiting list",
			"Svea Tidström (svea.tidstrom@ale.example) has dropped out; please give her seat to Vilgot Hallin (vilgot.hallin@ale.example), who is first on the waiting list.",
			"command: cancel svea.tidstrom@ale.example; promote vilgot.hallin@ale.example"},
		{"no waiting list: a substitution",
			"Byt ut Torsten Kärrman (torsten.karrman@ale.example) mot hans kollega Wilma Rydberg (wilma.rydberg@ale.example).",
			"command: substitute torsten.karrman@ale.example [Wilma Rydberg wilma.rydberg@ale.example]"},
	}
	checkCommands(t, tests)
}

// TestUnseenAutomaticShapes: an SMTP TLS report is a report, not a
// bounce; a challenge-response filter in German is an auto-reply; a person
// writing about her spam filter is not.
func TestUnseenAutomaticShapes(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  automatic.Kind
	}{
		{"tlsrpt", []string{"From: noreply-smtp-tls-reporting@google.example", "Subject: Report Domain: goteborgsregionen.example",
			`Content-Type: multipart/report; boundary="b"; report-type=tlsrpt`, "", "--b", "Content-Type: text/plain", "", "This is an aggregate TLS report.", "--b--"}, automatic.Report},
		{"challenge in German", []string{"From: Spamschutz <noreply@filter.example>", "Subject: Bestätigung erforderlich", "",
			"Ihre Nachricht wurde zurückgehalten, weil Ihre Absenderadresse noch nicht bestätigt ist. Bitte bestätigen Sie einmalig über den Link."}, automatic.Reply},
		{"a person on her spam filter", []string{"From: Eva Holm <eva.holm@ale.example>", "Subject: Anmälan", "",
			"Jag vill anmäla mig. Vårt spamfilter är strängt, så svara gärna även till min privata adress."}, ""},
	}
	cfg := freshConfig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := Understand(messagetest.MustRead(t, messagetest.Mail(append([]string{"To: anmalan@goteborgsregionen.example"}, tt.lines...)...)), cfg)
			if u.Automatic != tt.want {
				t.Errorf("automatic %q, want %q (kind %s, reason: %s)", u.Automatic, tt.want, u.Kind, u.Reason)
			}
		})
	}
}

// TestDateChoosesSession: a weekday or a date chooses the one session on
// it, in an organiser's command as in a participant's mail, and after
// registration has closed as well as before (a writer cancelling "på
// torsdag" on 7 December still means Thursday's session); a date of the
// organiser's that names no session leaves the command without one.
func TestDateChoosesSession(t *testing.T) {
	const linda = "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>"
	tests := []struct {
		name, from, date, body string
		kind                   reading.Kind
		event                  string
	}{
		{"command, weekday adjective", linda, "Mon, 10 Dec 2018 08:00:00 +0100",
			"Elsa Berg (elsa.berg@ale.example) har fått förhinder, stryk henne från tisdagens pass.", reading.KindCommand, "segregation-2018"},
		{"command, weekday after closing", linda, "Mon, 10 Dec 2018 08:00:00 +0100",
			"Elsa Berg (elsa.berg@ale.example) kan inte på torsdag, ta bort henne.", reading.KindCommand, "segregation-2018-kungalv"},
		{"command in English, a date", linda, "Wed, 5 Dec 2018 08:00:00 +0100",
			"Please add Elsa Berg (elsa.berg@ale.example) to the 13 December session.", reading.KindCommand, "segregation-2018-kungalv"},
		{"command, a date that is no session", linda, "Wed, 5 Dec 2018 08:00:00 +0100",
			"Stryk Elsa Berg (elsa.berg@ale.example), hon ringde mig den 3 december.", reading.KindCommand, ""},
		{"participant, weekday before closing", "From: Eva Holm <eva.holm@ale.example>", "Thu, 29 Nov 2018 09:00:00 +0100",
			"Jag vill gärna vara med på torsdag.", reading.KindRegistration, "segregation-2018-kungalv"},
		{"participant cancels, weekday after closing", "From: Eva Holm <eva.holm@ale.example>", "Fri, 7 Dec 2018 09:00:00 +0100",
			"Jag kan tyvärr inte komma på torsdag, stryk mig.", reading.KindCancellation, "segregation-2018-kungalv"},
	}
	cfg := freshConfig(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, tt.from, "To: anmalan@goteborgsregionen.example", "Date: "+tt.date, "Subject: Seminariet", "", tt.body, "", "/E")
			if u.Kind != tt.kind || u.Event != tt.event {
				t.Errorf("kind %s, event %q, want %s, %q (reason: %s)", u.Kind, u.Event, tt.kind, tt.event, u.Reason)
			}
		})
	}
}

// TestClauseRolesOfUnseenVerbs: a registration is asked for with verbs
// of joining and intending, with the writer as the object of "count …
// in" or the one a seat is booked for; a reflexive "sig"/"himself" makes
// the registration a third person's; the size of a group already
// registered is history; a likelihood is a maybe; a question whether
// cancelling is possible at all asks how, not for a withdrawal.
func TestClauseRolesOfUnseenVerbs(t *testing.T) {
	checkKinds(t, []kindCase{
		{"joining verb", "Jag hänger på den 11 december.", reading.KindRegistration, false},
		{"joining verb, with others", "Vi hakar på till Kungälv.", reading.KindRegistration, false},
		{"intention as a modal", "Jag tänker komma på seminariet.", reading.KindRegistration, false},
		{"pluperfect intention stays a hedge", "Jag hade tänkt komma, men hinner jag?", reading.KindOther, true},
		{"count me and a colleague in", "Count me and my colleague Dana Whitfield in for the 13th.", reading.KindRegistration, false},
		{"count me out is no registration", "Count me out, I'm in Berlin that week.", reading.KindCancellation, false},
		{"a seat booked for the writer", "Boka en plats åt mig till tisdagens träff tack.", reading.KindRegistration, false},
		{"a seat held is a hedge", "Kan ni hålla en plats åt mig tills jag vet?", reading.KindOther, true},
		{"a colleague registers herself", "Min kollega Hedda ville också komma, men hon anmäler sig själv senare.", reading.KindOther, false},
		{"a group already registered, one likely out", "Vi är anmälda tre stycken, men en av oss kommer troligen inte.", reading.KindOther, false},
		{"is cancelling possible at all", "Is it possible to cancel later if something comes up? I haven't registered yet.", reading.KindOther, false},
		{"is cancelling mine possible", "Går det att avboka mig? Jag blev sjuk.", reading.KindCancellation, false},
	})
}

// TestCommandsInUnseenWords: a dash parts the clauses of a command, so
// that one clause's "inte" does not take back the next one's verb; a room
// that holds a number of people sets the seats; a successor who "tar
// över" someone's place substitutes her.
func TestCommandsInUnseenWords(t *testing.T) {
	tests := []commandCase{
		{"a dash between news and the verb",
			"Hilma Rosvall (hilma.rosvall@kungsbacka.example) kan inte – stryk henne.",
			"command: cancel hilma.rosvall@kungsbacka.example"},
		{"what the room holds",
			"Vi har flyttat träffen till aulan, så det ryms 75 personer nu.",
			"command: seats  75"},
		{"room for, in English",
			"We have moved to the main hall, which has room for 90 people.",
			"command: seats  90"},
		{"a number that is no count of people",
			"Salen rymmer sal 3 också, men det ändrar inget.",
			"other: "},
		{"a successor takes over her place",
			"Gerd Palmkvist (gerd.palmkvist@ale.example) har gått i pension. Hennes efterträdare Märit Sparrman (marit.sparrman@ale.example) tar över hennes plats.",
			"command: substitute gerd.palmkvist@ale.example [Märit Sparrman marit.sparrman@ale.example]"},
	}
	checkCommands(t, tests)
}

// commandCase is an organiser's mail body and the changes it must read as
// (in describeCommands' form).
type commandCase struct{ name, body, want string }

// checkCommands reads each body as Linda's mail to the bot.
func checkCommands(t *testing.T, tests []commandCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeCommands(organiserMail(t, "", tt.body, "")); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestNameWrappedBeforeAddress: a name that a client's line wrap split,
// its first part ending one line and its last beginning the line with
// the address, is read whole when the address agrees with it.
func TestNameWrappedBeforeAddress(t *testing.T) {
	u := understandMail(t, freshConfig(t), "From: Eva Holm <eva.holm@ale.example>", "Subject: Anmälan", "",
		"Vi blir två som vill komma: jag själv och Valdemar", "Östergren (valdemar.ostergren@ale.example). Valdemar är vegan.", "", "/Eva")
	if got, want := peopleLine(u.People), "Eva Holm <eva.holm@ale.example>; Valdemar Östergren <valdemar.ostergren@ale.example> [vegan]"; got != want {
		t.Errorf("people %s, want %s (reason: %s)", got, want, u.Reason)
	}
}
