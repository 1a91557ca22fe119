package understand

import (
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// describeCommands writes what an organiser's mail was read as, for the
// tables below: each change as "action who [by-name by-email diet]
// seats", joined by "; ", after the kind and, with Ask, "ask".
func describeCommands(u reading.Understanding) string {
	var got []string
	for _, c := range u.Changes {
		s := string(c.Action) + " " + c.Who
		if c.By != nil {
			s += " [" + strings.TrimSpace(c.By.Name+" "+c.By.Email+" "+c.By.Diet) + "]"
		}
		if c.Seats != 0 {
			s += fmt.Sprintf(" %d", c.Seats)
		}
		for _, p := range c.Candidates {
			s += " ?" + p.Email
		}
		got = append(got, s)
	}
	kind := string(u.Kind)
	if u.Ask {
		kind += " ask"
	}
	return kind + ": " + strings.Join(got, "; ")
}

// organiserMail is Linda's mail to the bot (or, with to, to a participant
// with the bot in Cc) with body as her own text and quoted below it.
func organiserMail(t *testing.T, to, body, quoted string) reading.Understanding {
	t.Helper()
	if to == "" {
		to = "anmalan@goteborgsregionen.example"
	}
	lines := []string{"From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "To: " + to, "Cc: anmalan@goteborgsregionen.example",
		"Subject: SV: Deltagare", "", "Hej,", "", body, "", "Hälsningar", "Linda"}
	if quoted != "" {
		lines = append(lines, "", "________________________________", "Från: Sofie Lund <sofie.lund@lillaedet.example>",
			"Skickat: den 3 december 2018 11:02", "Till: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "Ämne: Deltagare", "", quoted)
	}
	return understandMail(t, corpusConfig(), lines...)
}

// whomQuestion is the bot's "Vem menar du?" about two Eriks, as quoted
// below her answer.
const whomQuestion = "Hej Linda Karlsson!\n\nDu skrev: ”Erik har hört av sig, han kan inte komma. Ta bort honom.”\n\n" +
	"Jag är inte säker på vem du menar, så jag har inte ändrat något. De som passar:\n\n" +
	"  - Erik Holm <erik.holm@lillaedet.example> (bekräftad)\n  - Erik Sjöberg <erik.sjoberg@lillaedet.example> (bekräftad)\n\n" +
	"Skriv ändringen igen med adressen till den du menar, så gör jag det."

// TestCommandsInOrdinaryWords reads organiser commands written the way she
// writes to a colleague, one table row for each way of saying each kind of
// change; none of these sentences is in the corpus.
func TestCommandsInOrdinaryWords(t *testing.T) {
	const thread = "Vi anmäler Erik Holm (erik.holm@lillaedet.example), Erik Sjöberg (erik.sjoberg@lillaedet.example) och Maja Ek (maja.ek@ale.example)."
	tests := []struct {
		name, to, body, quoted, want string
	}{
		// Cancel.
		{"fått förhinder, ta bort henne", "", "Stina Holm (stina.holm@lerum.example) har fått förhinder, kan du ta bort henne?", "", "command: cancel stina.holm@lerum.example"},
		{"ska strykas, passive", "", "Karl Berg, karl.berg@ale.example, ska strykas från listan.", "", "command: cancel karl.berg@ale.example"},
		{"plocka bort", "", "Plocka bort Mira Sten (mira.sten@lerum.example) är du snäll.", "", "command: cancel mira.sten@lerum.example"},
		{"news of a withdrawal", "", "Olof Ahl (olof.ahl@kungalv.example) har lämnat återbud.", "", "command: cancel olof.ahl@kungalv.example"},
		{"negated taking part", "", "Tove Lind (tove.lind@ale.example) kommer inte, hon är på kurs.", "", "command: cancel tove.lind@ale.example"},
		{"english drop", "", "Please drop kim.ode@gu.example from the list.", "", "command: cancel kim.ode@gu.example"},
		{"english removed, passive", "", "Rita Gold (rita.gold@gu.example) needs to be removed.", "", "command: cancel rita.gold@gu.example"},
		{"I have removed you, to the participant", "Ben Carter <ben.carter@gu.example>", "No problem, I have taken you off the list.", "", "command: cancel ben.carter@gu.example"},
		{"jag stryker dig, to the participant", "Nadia Karimi <nadia.karimi@partille.example>", "Jag stryker dig från listan så länge.", "", "command: cancel nadia.karimi@partille.example"},
		{"first name of one person in the thread", "", "Maja kan inte komma, stryk henne.", thread, "command: cancel maja.ek@ale.example"},
		{"a pronoun about the one person of the thread", "", "Kan du stryka henne?", "Hej Linda, jag kan tyvärr inte komma på tisdag. /Sofie", "command: cancel sofie.lund@lillaedet.example"},
		{"elliptic verb after the news", "", "Maja Ek (maja.ek@ale.example) har ringt och lämnat återbud. Kan du stryka?", "", "command: cancel maja.ek@ale.example"},
		{"avbokat, news", "", "Sara Lind, sara.lind@ale.example, har avbokat.", "", "command: cancel sara.lind@ale.example"},
		{"hoppat av", "", "Sara Lind (sara.lind@ale.example) har hoppat av.", "", "command: cancel sara.lind@ale.example"},
		{"english no longer coming", "", "Sara Lind (sara.lind@ale.example) is no longer coming.", "", "command: cancel sara.lind@ale.example"},
		// Promote.
		{"släpp in", "", "Släpp in Bo Ek (bo.ek@ale.example) från väntelistan.", "", "command: promote bo.ek@ale.example"},
		{"får den lediga platsen", "", "Bo Ek (bo.ek@ale.example) får den lediga platsen.", "", "command: promote bo.ek@ale.example"},
		{"ge platsen till", "", "Ge platsen till Nora Ali (nora.ali@goteborg.example) som står på reservlistan.", "", "command: promote nora.ali@goteborg.example"},
		{"får komma", "", "Hanna Ek (hanna.ek@partille.example) på väntelistan får komma.", "", "command: promote hanna.ek@partille.example"},
		{"kan få en plats", "", "Leo Park, leo.park@ri.example, kan få en plats.", "", "command: promote leo.park@ri.example"},
		{"english move up", "", "Please move Sam Reed (sam.reed@ri.example) up from the waiting list.", "", "command: promote sam.reed@ri.example"},
		{"the next on the list is the bot's own doing", "", "Pelle Ek, pelle.ek@ale.example, har lämnat återbud. Ge platsen till nästa på reservlistan.", "", "command: cancel pelle.ek@ale.example"},
		{"english can have it, the seat before", "", "A seat has opened up, and Eva Berg (eva.berg@ale.example) on the waiting list can have it.", "", "command: promote eva.berg@ale.example"},
		{"får den with a noun of its own is no seat", "", "Eva Berg (eva.berg@ale.example) på väntelistan får den informationen i morgon.", "", "other: "},
		{"ge den, the seat the sentence named", "", "En plats har blivit ledig, ge den till Eva Berg (eva.berg@ale.example).", "", "command: promote eva.berg@ale.example"},
		{"låt ta platsen", "", "Låt Eva Berg (eva.berg@ale.example) på väntelistan ta platsen.", "", "command: promote eva.berg@ale.example"},
		{"ge den, a first name of two", "", "En plats har blivit ledig, ge den till Sara.", "Både Sara Ek (sara.ek@ale.example) och Sara Holm (sara.holm@ale.example) står på väntelistan.",
			"other ask: promote Sara ?sara.ek@ale.example ?sara.holm@ale.example"},
		{"a title and a surname of two", "", "Please take Mr Holm off the list, he is ill.", "Vi anmäler Erik Holm (erik.holm@lillaedet.example) och Leo Holm (leo.holm@lillaedet.example).",
			"other ask: cancel Holm ?erik.holm@lillaedet.example ?leo.holm@lillaedet.example"},
		{"a title and a surname of one", "", "Ta bort fru Ek från listan, hon är sjuk.", thread, "command: cancel maja.ek@ale.example"},
		// Register.
		{"lägg till with a diet after", "", "Lägg till Omar Said (omar.said@goteborg.example) till tisdag. Han är vegan.", "", "command: register  [Omar Said omar.said@goteborg.example vegan]"},
		{"skriv upp", "", "Kan du skriva upp Lena Dahl, lena.dahl@harryda.example, på listan?", "", "command: register  [Lena Dahl lena.dahl@harryda.example]"},
		{"english please add", "", "Please add Tina Fox (tina.fox@chalmers.example), she is vegetarian.", "", "command: register  [Tina Fox tina.fox@chalmers.example vegetarian]"},
		{"jag skriver in dig, to the participant", "Per Holm <per.holm@kungalv.example>", "Absolut, jag skriver in dig.", "", "command: register  [Per Holm per.holm@kungalv.example]"},
		{"skriv in henne, above her mail", "", "Kan du skriva in henne också?", "Hej Linda, kan jag fortfarande komma på tisdag? /Sofie", "command: register  [Sofie Lund sofie.lund@lillaedet.example]"},
		{"history is no registration", "", "Hanna Ek (hanna.ek@partille.example) har anmält sig, det ser bra ut.", "", "other: "},
		{"a capitalised verb is no part of the name", "", "Registrera Bo Ek, bo.ek@ale.example.", "", "command: register  [Bo Ek bo.ek@ale.example]"},
		{"what she did elsewhere is no registration", "", "Jag har lagt till Bo Ek (bo.ek@ale.example) i Teams-mötet.", "", "other: "},
		// Substitute.
		{"ge hennes plats till", "", "Maria Lund (maria.lund@kungsbacka.example) har slutat och kommer inte. Ge hennes plats till Jonas Berg (jonas.berg@kungsbacka.example).", "", "command: substitute maria.lund@kungsbacka.example [Jonas Berg jonas.berg@kungsbacka.example]"},
		{"give his seat to", "", "Roger Bäck (roger.back@kungsbacka.example) can't come. Please give his seat to Kim Larsson (kim.larsson@kungsbacka.example).", "", "command: substitute roger.back@kungsbacka.example [Kim Larsson kim.larsson@kungsbacka.example]"},
		{"ge hennes plats till, on the waiting list", "", "Maria Lund (maria.lund@kungsbacka.example) kommer inte. Ge hennes plats till Jonas Berg (jonas.berg@kungsbacka.example) som står på väntelistan.", "", "command: cancel maria.lund@kungsbacka.example; promote jonas.berg@kungsbacka.example"},
		{"tar Xs plats, the name without its genitive", "", "Bo Ek (bo.ek@ale.example) tar Sara Linds plats.", "", "command: substitute Sara Lind [Bo Ek bo.ek@ale.example]"},
		{"ersätter", "", "Jonas Berg, jonas.berg@kungsbacka.example, ersätter Maria Lund (maria.lund@kungsbacka.example).", "", "command: substitute maria.lund@kungsbacka.example [Jonas Berg jonas.berg@kungsbacka.example]"},
		{"ersätts av", "", "Maria Lund (maria.lund@kungsbacka.example) ersätts av Jonas Berg, jonas.berg@kungsbacka.example.", "", "command: substitute maria.lund@kungsbacka.example [Jonas Berg jonas.berg@kungsbacka.example]"},
		{"går i stället för", "", "Kim Larsson (kim.larsson@kungsbacka.example) går i stället för Roger Bäck (roger.back@kungsbacka.example).", "", "command: substitute roger.back@kungsbacka.example [Kim Larsson kim.larsson@kungsbacka.example]"},
		{"tar hans plats", "", "Roger Bäck (roger.back@kungsbacka.example) kan inte, hans kollega Kim Larsson (kim.larsson@kungsbacka.example) tar hans plats.", "", "command: substitute roger.back@kungsbacka.example [Kim Larsson kim.larsson@kungsbacka.example]"},
		{"i stället för dig, to the participant", "Roger Bäck <roger.back@kungsbacka.example>", "Då skriver jag in Kim Larsson (kim.larsson@kungsbacka.example) i stället för dig.", "", "command: substitute roger.back@kungsbacka.example [Kim Larsson kim.larsson@kungsbacka.example]"},
		{"i stället för … kommer", "", "I stället för Per Sten (per.sten@ale.example) kommer Eva Lund, eva.lund@ale.example.", "", "command: substitute per.sten@ale.example [Eva Lund eva.lund@ale.example]"},
		{"english will go instead of", "", "Nina Park (nina.park@ri.example) will go instead of Alex Moore (alex.moore@ri.example).", "", "command: substitute alex.moore@ri.example [Nina Park nina.park@ri.example]"},
		{"english remove and add in her place", "", "Please remove Ruth Abel (ruth.abel@gu.example) and add Peter Lind, peter.lind@gu.example, in her place.", "", "command: substitute ruth.abel@gu.example [Peter Lind peter.lind@gu.example]"},
		{"swap for", "", "Could you swap mark.green@gu.example for lucy.brown@gu.example?", "", "command: substitute mark.green@gu.example [Lucy Brown lucy.brown@gu.example]"},
		{"a register, then hon ersätter", "", "Lägg in Vera Ask (vera.ask@ale.example), hon ersätter Ola Fors.", "", "command: substitute Ola Fors [Vera Ask vera.ask@ale.example]"},
		{"english add, then he replaces", "", "Please add Tim Roe (tim.roe@gu.example). He replaces Ann Fox (ann.fox@gu.example).", "", "command: substitute ann.fox@gu.example [Tim Roe tim.roe@gu.example]"},
		{"ersätter honom, the one named before", "", "Ola Fors (ola.fors@ale.example) kan inte komma. Vera Ask (vera.ask@ale.example) ersätter honom.", "", "command: substitute ola.fors@ale.example [Vera Ask vera.ask@ale.example]"},
		{"a register beside a substitution not read gives no seat", "", "Anmäl Vera Ask (vera.ask@ale.example), hon ersätter en kollega.", "", "other ask: "},
		{"i stället för in a clause of its own", "", "Lägg in Vera Ask (vera.ask@ale.example) på tisdag, i stället för Ola Fors.", "", "command: substitute Ola Fors [Vera Ask vera.ask@ale.example]"},
		{"hon tar över efter, the sentence after", "", "Lägg till Vera Ask (vera.ask@ale.example). Hon tar över efter Ola Fors.", "", "command: substitute Ola Fors [Vera Ask vera.ask@ale.example]"},
		{"two verbs share their subject", "", "Vera Ask (vera.ask@ale.example) kommer på tisdag och ersätter Ola Fors, som har fått förhinder.", "", "command: substitute Ola Fors [Vera Ask vera.ask@ale.example]"},
		{"a cancel beside a substitution not read gives no seat to the waiting list", "", "Ola Fors har fått förhinder. Vera Ask (vera.ask@ale.example) ersätter.", "", "other ask: "},
		{"a wrapped line is one sentence", "", "Ahmed Said (ahmed.said@goteborg.example) har fått förhinder och ersätts\n   av sin kollega Lina Berg (lina.berg@goteborg.example).", "", "command: substitute ahmed.said@goteborg.example [Lina Berg lina.berg@goteborg.example]"},
		{"form fields under a colon", "", "Skriv in följande person:\n\nNamn: Anna Berg\nE-post: anna.berg@partille.example\nKost: vegetarisk", "", "command: register  [Anna Berg anna.berg@partille.example vegetarisk]"},
		// Seats, list, status.
		{"seats not a date", "", "Antalet platser den 11 december ökas till 45.", "", "command: seats  45"},
		{"seats instead of", "", "Vi kan ta emot fler, platserna blir 35 i stället för 30.", "", "command: seats  35"},
		{"list as excel", "", "Kan du mejla mig deltagarlistan som Excel?", "", "command: list "},
		{"på listan is no list", "", "Lägg till Erik Sund (erik.sund@ale.example) på listan.", "", "command: register  [Erik Sund erik.sund@ale.example]"},
		{"english list and remove", "", "Could you send me the list? Also, Dan Oak (dan.oak@chalmers.example) has to be removed.", "", "command: list ; cancel dan.oak@chalmers.example"},
		{"the seats left are no seat count", "", "Vi har bara 3 platser kvar nu.", "", "other: "},
		{"seats added are no seat count", "", "Vi behöver 10 platser till.", "", "other: "},
		{"seats by a number are no seat count", "", "Antalet platser kan utökas med 5.", "", "other: "},
		{"someone else's withdrawal on a condition", "", "Bo Ek (bo.ek@ale.example) vill gärna ha en plats om någon lämnar återbud.", "", "other: "},
		{"återbud från", "", "Jag har fått återbud från Bo Ek (bo.ek@ale.example).", "", "command: cancel bo.ek@ale.example"},
		{"a list she sent is no list request", "", "Jag skickade listan till Bo Ek (bo.ek@ale.example) igår.", "", "other: "},
		{"how many", "", "Hur många står på väntelistan?", "", "command: status "},
		// When unsure, not acting.
		{"two Eriks", "", "Erik har hört av sig, han kan inte komma. Ta bort honom.", thread, "other ask: cancel Erik ?erik.holm@lillaedet.example ?erik.sjoberg@lillaedet.example"},
		{"a pronoun with several people in the thread", "", "Kan du stryka honom?", thread, "other ask: cancel honom ?sofie.lund@lillaedet.example ?erik.holm@lillaedet.example ?erik.sjoberg@lillaedet.example ?maja.ek@ale.example"},
		{"conditional", "", "Om Maja Ek (maja.ek@ale.example) inte svarar före fredag kan du stryka henne.", "", "other: "},
		{"condition before the command", "", "Om hon inte hör av sig, stryk Maja Ek (maja.ek@ale.example).", "", "other: "},
		{"maybe", "", "Maja Ek (maja.ek@ale.example) kan kanske inte komma, vi får se.", "", "other: "},
		{"do not strike", "", "Stryk inte Maja Ek (maja.ek@ale.example), hon kommer ändå.", "", "other: "},
		{"a question is no change", "", "Har Maja Ek (maja.ek@ale.example) avanmält sig?", "", "other: "},
		{"a pronoun with nobody before", "", "Ta bort henne från listan.", "", "other ask: "},
		// An address alone, answering the bot's question of whom.
		{"the address of one who fits", "", "erik.sjoberg@lillaedet.example", whomQuestion, "command: cancel erik.sjoberg@lillaedet.example"},
		{"an address the question did not list", "", "maja.ek@ale.example", whomQuestion, "other: "},
		{"an address with a sentence of its own is read as it stands", "", "Tack, jag återkommer om erik.sjoberg@lillaedet.example.", whomQuestion, "other: "},
		{"no change in a mail about someone", "", "Jag har pratat med Sara Lind (sara.lind@ale.example), hon kommer som planerat.", "", "other: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := organiserMail(t, tt.to, tt.body, tt.quoted)
			if got := describeCommands(u); got != tt.want {
				t.Errorf("read as %q, want %q (%s)", got, tt.want, u.Reason)
			}
		})
	}
}

// FuzzCommands feeds an organiser's own text and the thread it answers to
// the command reader: it must never panic, a command has changes, and a
// question to her names at least two people for every change it asks
// about. The seeds are the organiser's mails of the fresh tune corpus.
func FuzzCommands(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "fresh", "tune", "t[02]*org*.eml"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		m, err := message.ReadMessage(raw)
		if err != nil {
			continue
		}
		to := ""
		if len(m.To) > 0 {
			to = m.To[0].String()
		}
		f.Add(to, m.Split.Own, m.Split.Quoted)
	}
	cfg := corpusConfig()
	f.Fuzz(func(t *testing.T, to, own, quoted string) {
		m, err := message.ReadMessage(messagetest.Mail("X-Fuzz: 1", "", ""))
		if err != nil {
			t.Fatal(err)
		}
		m.From = mail.Address{Name: "Linda Karlsson", Address: "linda.karlsson@goteborgsregionen.example"}
		if a, err := mail.ParseAddress(to); err == nil {
			m.To = []*mail.Address{a}
		}
		m.Text = own + "\n" + quoted
		m.Split = message.QuoteSplit{Own: own, Quoted: quoted}
		m.Body, m.Signature = message.SplitSignature(own)
		u := Understand(m, cfg)
		checkUnderstanding(t, u)
		if u.Ask {
			for _, c := range u.Changes {
				if len(c.Candidates) < 2 {
					t.Fatalf("asked about %+v with fewer than two people", c)
				}
			}
		}
	})
}

// TestRegisterCommandAboveAForwardedRegistration: "kan du lägga in
// henne?" above a forwarded mail in which its writer asks to register is
// the organiser's forward of that registration, with the writer's diet
// and date; above a writer's question it stays the organiser's command.
func TestRegisterCommandAboveAForwardedRegistration(t *testing.T) {
	forward := func(own, original string) reading.Understanding {
		return understandMail(t, freshConfig(t), "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "To: anmalan@goteborgsregionen.example",
			"Subject: VB: Anmälan", "", own, "", "/Linda", "", "________________________________", "Från: Sofie Lund <sofie.lund@lillaedet.example>",
			"Skickat: den 3 december 2018 11:02", "Till: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "Ämne: Anmälan", "", original)
	}
	u := forward("Den här kom till mig direkt, kan du lägga in henne?",
		"Hej Linda! Jag vill anmäla mig till seminariet den 13 december. Jag är vegetarian.\n\nSofie Lund")
	if u.Kind != reading.KindRegistration || len(u.People) != 1 || u.People[0].Email != "sofie.lund@lillaedet.example" || u.People[0].Diet == "" ||
		u.Event != "segregation-2018-kungalv" {
		t.Errorf("kind %s, people %+v, event %q, want Sofie's registration with her diet on 13 December (%s)", u.Kind, u.People, u.Event, u.Reason)
	}
	u = forward("Kan du skriva in henne också?", "Hej Linda, kan jag fortfarande komma på tisdag? /Sofie")
	if got := describeCommands(u); got != "command: register  [Sofie Lund sofie.lund@lillaedet.example]" {
		t.Errorf("read as %q, want her command", got)
	}
}

// TestHandingOverAndOtherNews: a seat handed over, a no to the seat, a
// room with its seats and a name whose address the mail gives elsewhere;
// and the same words where they must not act.
func TestHandingOverAndOtherNews(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"lämnar sin plats till", "Maria Lund (maria.lund@kungsbacka.example) lämnar sin plats till Jonas Berg (jonas.berg@kungsbacka.example).", "command: substitute maria.lund@kungsbacka.example [Jonas Berg jonas.berg@kungsbacka.example]"},
		{"passes her seat to", "Rita Gold (rita.gold@gu.example) passes her seat to Kim Ode (kim.ode@gu.example).", "command: substitute rita.gold@gu.example [Kim Ode kim.ode@gu.example]"},
		{"lämnar sin plats without anyone to take it", "Maria Lund (maria.lund@kungsbacka.example) lämnar sin plats i morgon bitti.", "other: "},
		{"tackat nej", "Olof Ahl (olof.ahl@kungalv.example) har tackat nej.", "command: cancel olof.ahl@kungalv.example"},
		{"a new room and its seats", "Vi har fått en större lokal, 60 platser.", "command: seats  60"},
		{"room for a number, then the session", "Vi har fått låna stora salen, så nu finns det plats för 55 den 11:e.", "command: seats  55"},
		{"the seats left in the room are no number", "Det finns 5 platser kvar i salen.", "other: "},
		{"the address given in the next sentence", "Flytta upp Bo Ek från väntelistan. Hans adress är bo.ek@ale.example.", "command: promote bo.ek@ale.example"},
		{"lämnar sin plats with the session between", "Maria Lund (maria.lund@kungsbacka.example) lämnar sin plats i Kungälv till Jonas Berg (jonas.berg@kungsbacka.example).",
			"command: substitute maria.lund@kungsbacka.example [Jonas Berg jonas.berg@kungsbacka.example]"},
		{"the seats set by a verb of registering", "Där ryms bara 25, så sätt antalet platser i Kungälv till 25.", "command: seats  25"},
		{"bump up from the waiting list", "Please bump Odessa Lind up from the waiting list (odessa.lind@kungalv.example).", "command: promote odessa.lind@kungalv.example"},
		{"a diet's not denies no registration", "Lägg till Mira Skarvik (mira.skarvik@kungsbacka.example), hon äter inte fisk.",
			"command: register  [Mira Skarvik mira.skarvik@kungsbacka.example äter inte fisk]"},
		{"a named seat goes to", "Karl Vassmos plats i Göteborg (karl.vassmo@ale.example) går till Stina Kolthoff, stina.kolthoff@ale.example.",
			"command: substitute karl.vassmo@ale.example [Stina Kolthoff stina.kolthoff@ale.example]"},
		{"tar över a named seat", "Liv Liljefors (liv.liljefors@kungalv.example) tar över Hugo Trolleds plats på torsdag.",
			"command: substitute Hugo Trolled [Liv Liljefors liv.liljefors@kungalv.example]"},
		{"a first name and an adverb, then a pronoun", "Bengt Lerberg (bengt.lerberg@molndal.example) kommer som planerat. Annika däremot kan inte komma. Stryk henne.",
			"other ask: "},
		{"a job changed is no substitution", "Stryk Wilhelm Wirsén, han har bytt tjänst.", "command: cancel Wilhelm Wirsén"},
		{"a sentence that is only a diet", "Lägg till Amir Berg, amir.berg@molndal.example, Mölndals stad. Laktosfri kost.",
			"command: register  [Amir Berg amir.berg@molndal.example Laktosfri]"},
		{"a first name that reads as a verb", "Jonatan Grevbo (jonatan.grevbo@kungalv.example) kan inte komma. Signe Fornander (signe.fornander@kungalv.example) går i hans ställe.",
			"command: substitute jonatan.grevbo@kungalv.example [Signe Fornander signe.fornander@kungalv.example]"},
		{"that seat goes to one on the waiting list", "Avanmäl Folke Ek (folke.ek@kungalv.example). Den platsen kan gå till Yvonne Nord (yvonne.nord@kungalv.example) på väntelistan.",
			"command: cancel folke.ek@kungalv.example; promote yvonne.nord@kungalv.example"},
		{"hennes plats går till", "Maria Lund (maria.lund@kungsbacka.example) kan inte komma. Hennes plats går till Jonas Berg (jonas.berg@kungsbacka.example).",
			"command: substitute maria.lund@kungsbacka.example [Jonas Berg jonas.berg@kungsbacka.example]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := describeCommands(organiserMail(t, "", tc.body, "")); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPronounAfterANameTheReaderCannotBind: "Nils kan inte komma, stryk
// honom" above a thread whose only person with an address is its writer
// must not cancel her: "honom" is Nils, whom the reader cannot find, and
// she is asked whom she means. Each of these cancelled the writer of the
// quoted mail before.
func TestPronounAfterANameTheReaderCannotBind(t *testing.T) {
	tests := []struct{ name, body, quoted, want string }{
		{"a first name the thread does not give", "Nils kan inte komma på tisdag, stryk honom.", "Hej, jag och Nils kommer på tisdag.", "other ask: "},
		{"a name the thread gives without an address", "Nils ringde i morse och sa att han blivit sjuk. Kan du stryka honom?",
			"Jag anmäler mig och Nils Berg till tisdagen.", "other ask: "},
		{"the writer of the thread by her first name", "Stryk Sofie, hon har fått förhinder.", "Jag anmäler mig till tisdagen.",
			"command: cancel sofie.lund@lillaedet.example"},
		{"a person named after the unread one", "Nils kan inte komma, men Bo Ek (bo.ek@ale.example) kan. Flytta upp honom från väntelistan.",
			"Jag anmäler mig till tisdagen.", "command: promote bo.ek@ale.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := describeCommands(organiserMail(t, "", tc.body, tc.quoted)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPlaceOfTheQuotedWriter: a name of the writer of the mail she answers
// is that writer's address, when someone takes her place.
func TestPlaceOfTheQuotedWriter(t *testing.T) {
	got := describeCommands(organiserMail(t, "", "Bo Ek (bo.ek@ale.example) tar Sofie Lunds plats, se nedan.", "Jag kan tyvärr inte komma på tisdag."))
	if want := "command: substitute sofie.lund@lillaedet.example [Bo Ek bo.ek@ale.example]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
