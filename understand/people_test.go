package understand

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// peopleSummary is "Name <email> [diet]" per person, sorted, for
// comparisons that do not depend on the order written.
func peopleSummary(ps []reading.Person) string {
	var out []string
	for _, p := range ps {
		s := fmt.Sprintf("%s <%s>", p.Name, p.Email)
		if p.Diet != "" {
			s += " [" + p.Diet + "]"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// TestPeopleOfGroups holds the people reader to mails written for it, in
// words that are not those of the fresh corpus: who registers (the writer
// counted in or out) and which diet is whose.
func TestPeopleOfGroups(t *testing.T) {
	cfg := freshConfig(t)
	tests := []struct {
		name string
		from string
		body []string
		want string // peopleSummary of the registration
	}{
		{
			name: "the writer first, coordinated with a colleague; the colleague's diet by first name",
			from: "Kerstin Holmberg <kerstin.holmberg@ale.example>",
			body: []string{"Hej!", "", "Jag själv och kollegan Omar Said (omar.said@ale.example) kommer gärna den 11 december.", "", "Omar äter inte griskött.", "", "Hälsningar", "Kerstin Holmberg"},
			want: "Kerstin Holmberg <kerstin.holmberg@ale.example>, Omar Said <omar.said@ale.example> [äter inte griskött]",
		},
		{
			name: "the writer last: X and I; a diet after the writer's own I",
			from: "Ben Carter <ben.carter@chalmers.example>",
			body: []string{"Hello,", "", "My colleague Lina Ek (lina.ek@chalmers.example) and I would like to attend on 11 December.", "Lina is vegan; I do not eat fish."},
			want: "Ben Carter <ben.carter@chalmers.example> [do not eat fish], Lina Ek <lina.ek@chalmers.example> [vegan]",
		},
		{
			name: "a group's size leaves the writer's place; two diets in one sentence",
			from: "Maja Lund <maja.lund@lerum.example>",
			body: []string{"Hej,", "", "Vi är tre från Lerum: jag, Arvid Nord och Selma Strand.", "arvid.nord@lerum.example, selma.strand@lerum.example", "", "Arvid är vegetarian och Selma tål inte gluten."},
			want: "Arvid Nord <arvid.nord@lerum.example> [vegetarian], Maja Lund <maja.lund@lerum.example>, Selma Strand <selma.strand@lerum.example> [tål inte gluten]",
		},
		{
			name: "the writer marked in the list",
			from: "Olof Berg <olof.berg@tjorn.example>",
			body: []string{"Hej, vi vill vara med den 11 december:", "Olof Berg (jag) och Ebba Lind, ebba.lind@tjorn.example."},
			want: "Ebba Lind <ebba.lind@tjorn.example>, Olof Berg <olof.berg@tjorn.example>",
		},
		{
			name: "a pronoun is the person named last, not the writer",
			from: "Ida Rask <ida.rask@partille.example>",
			body: []string{"Hej!", "", "Jag vill anmäla vår nya socialchef Jenny Ström (jenny.strom@partille.example) till den 11 december. Hon är laktosintolerant.", "", "Skicka gärna bekräftelsen till både Jenny och mig."},
			want: "Jenny Ström <jenny.strom@partille.example> [laktosintolerant]",
		},
		{
			name: "the writer counts herself out of a polite request for a colleague",
			from: "Sven Ahl <sven.ahl@kungalv.example>",
			body: []string{"Hej,", "", "Kan ni registrera min medarbetare Hugo Falk (hugo.falk@kungalv.example) till Kungälv den 13 december? Han äter halal.", "Själv kan jag tyvärr inte delta."},
			want: "Hugo Falk <hugo.falk@kungalv.example> [halal]",
		},
		{
			name: "English on behalf: he is the director",
			from: "Amy Stone <amy.stone@vgregion.example>",
			body: []string{"Dear Linda,", "", "Could you please register our director, Mr Karl Wiik (karl.wiik@vgregion.example), for 11 December? He is diabetic.", "I will not attend myself."},
			want: "Karl Wiik <karl.wiik@vgregion.example> [diabetic]",
		},
		{
			name: "\"vi andra\" binds no diet; a name with å/ä/ö restored from the text",
			from: "Nils Wall <nils.wall@molndal.example>",
			body: []string{"Hej! Anmäl mig samt min kollega Åke Öhrn till den 11 december, hans adress är ake.ohrn@molndal.example.", "Åke är vegan, vi andra äter allt."},
			want: "Nils Wall <nils.wall@molndal.example>, Åke Öhrn <ake.ohrn@molndal.example> [vegan]",
		},
		{
			name: "a colleague named with her address, not registered",
			from: "Rolf Eng <rolf.eng@ale.example>",
			body: []string{"Hej,", "", "Jag vill gärna delta den 11 december. Min kollega Gun Berg (gun.berg@ale.example) tipsade mig om samtalet.", "", "/Rolf"},
			want: "Rolf Eng <rolf.eng@ale.example>",
		},
		{
			name: "the writer first in a list of three after a colon",
			from: "Tove Lax <tove.lax@ale.example>",
			body: []string{"Hej! Anmäl oss till den 11 december: mig, Per Holm (per.holm@ale.example) och Lo Vik (lo.vik@ale.example). Per tål inte ägg."},
			want: "Lo Vik <lo.vik@ale.example>, Per Holm <per.holm@ale.example> [tål inte ägg], Tove Lax <tove.lax@ale.example>",
		},
		{
			name: "the writer says she comes in a sentence of her own",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Hej!", "", "Jag vill gärna delta den 11 december. Min kollega Edvin Sjö (edvin.sjo@ale.example) vill också komma."},
			want: "Edvin Sjö <edvin.sjo@ale.example>, Klara Ros <klara.ros@ale.example>",
		},
		{
			name: "\"jag tror hon kommer\" is not the writer coming",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Hej!", "", "Jag anmäler min kollega Edvin Sjö (edvin.sjo@ale.example) till den 11 december. Jag tror han kommer att uppskatta det."},
			want: "Edvin Sjö <edvin.sjo@ale.example>",
		},
		{
			name: "the undersigned",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Härmed anmäls Edvin Sjö (edvin.sjo@ale.example) och undertecknad till samtalet den 11 december."},
			want: "Edvin Sjö <edvin.sjo@ale.example>, Klara Ros <klara.ros@ale.example>",
		},
		{
			name: "a colleague who cannot come is not registered",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Hej! Jag och Edvin Sjö (edvin.sjo@ale.example) vill delta den 11 december, men min kollega Moa Tell (moa.tell@ale.example) kan tyvärr inte."},
			want: "Edvin Sjö <edvin.sjo@ale.example>, Klara Ros <klara.ros@ale.example>",
		},
		{
			name: "a coordinated statement that they come; a diet for both",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Hej Linda! Edvin Sjö (edvin.sjo@ale.example) och jag deltar den 11 december. Vi är båda vegetarianer."},
			want: "Edvin Sjö <edvin.sjo@ale.example> [vegetarianer], Klara Ros <klara.ros@ale.example> [vegetarianer]",
		},
		{
			name: "a diet for the person after it",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Hej! Anmäl mig och Edvin Sjö (edvin.sjo@ale.example) till den 11 december, glutenfri kost för mig."},
			want: "Edvin Sjö <edvin.sjo@ale.example>, Klara Ros <klara.ros@ale.example> [glutenfri]",
		},
		{
			name: "a first name written, the full name in the address",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Hej! Vi är tre som vill delta den 11 december: jag, Per (per.ek@ale.example) och Björn (bjorn.ahl@ale.example)."},
			want: "Björn Ahl <bjorn.ahl@ale.example>, Klara Ros <klara.ros@ale.example>, Per Ek <per.ek@ale.example>",
		},
		{
			name: "a name spelt like a pronoun is the person",
			from: "Klara Ros <klara.ros@ale.example>",
			body: []string{"Hej! Jag anmäler Hans Ek (hans.ek@ale.example) och Lo Vik (lo.vik@ale.example) till den 11 december. Hans är vegan."},
			want: "Hans Ek <hans.ek@ale.example> [vegan], Lo Vik <lo.vik@ale.example>",
		},
		{
			name: "a sentence that does not register says nothing about who registers",
			from: "Eva Moberg <eva.moberg@ockero.example>",
			body: []string{"Hej!", "", "Härmed anmäls Tim Hed (tim.hed@ockero.example) till samtalet den 11 december.", "Tim och jag hörs om resan."},
			want: "Tim Hed <tim.hed@ockero.example>",
		},
		{
			name: "the writer comes along in words of attending, the colleague follows with an address",
			from: "Nils Bro <nils.bro@ale.example>",
			body: []string{"Hej! Jag hänger gärna med den 11 december. Min kollega Alva Ros följer också med, alva.ros@ale.example."},
			want: "Alva Ros <alva.ros@ale.example>, Nils Bro <nils.bro@ale.example>",
		},
		{
			name: "an assistant passes on her boss's wish to register and counts herself out",
			from: "Lena Sand <lena.sand@ale.example>",
			body: []string{"Hej! Jag skriver för min chefs räkning. Per Ulv vill anmäla sig till den 11 december, hans mejl är per.ulv@ale.example. Själv kommer jag inte."},
			want: "Per Ulv <per.ulv@ale.example>",
		},
		{
			name: "a verbless request of the writer and her group, one without an address",
			from: "Tom Gale <tom.gale@ale.example>",
			body: []string{"Me + 2 colleagues for the 11th please: Ann Ray (ann.ray@ale.example) and Bo Lind (no email yet).", "", "Tom"},
			want: "Ann Ray <ann.ray@ale.example>, Bo Lind <>, Tom Gale <tom.gale@ale.example>",
		},
		{
			name: "X and I would like to come; the colleague's address given after",
			from: "Ruth Lane <ruth.lane@ale.example>",
			body: []string{"Hi, both my colleague Sam Hill and I would like to come on 11 December. His address is sam.hill@ale.example.", "", "Ruth"},
			want: "Ruth Lane <ruth.lane@ale.example>, Sam Hill <sam.hill@ale.example>",
		},
		{
			name: "a diet with the subject behind the verb",
			from: "Siv Lo <siv.lo@ale.example>",
			body: []string{"Hej! Vi är två som kommer den 11 december: jag och Ada Berg (ada.berg@ale.example). Ada är vegan och själv tål jag inte laktos."},
			want: "Ada Berg <ada.berg@ale.example> [vegan], Siv Lo <siv.lo@ale.example> [tål jag inte laktos]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := append([]string{"From: " + tt.from, "To: anmalan@goteborgsregionen.example", "Subject: Anmälan", "Content-Type: text/plain; charset=utf-8", ""}, tt.body...)
			u := understandMail(t, cfg, lines...)
			if u.Kind != reading.KindRegistration {
				t.Fatalf("kind %q, want registration (%s)", u.Kind, u.Reason)
			}
			if got := peopleSummary(u.People); got != tt.want {
				t.Errorf("people\n got %s\nwant %s\n(%s)", got, tt.want, u.Reason)
			}
		})
	}
}

// TestColleagueInCopy: a colleague in Cc whom a registering sentence
// names registers at the header's address; one named only as having
// approved does not; a fact said of someone who is not registered is
// not the writer's.
func TestColleagueInCopy(t *testing.T) {
	cfg := freshConfig(t)
	tests := []struct {
		name, body, want string
	}{
		{"named with the writer", "Hej! Jag och Hedda Blom (kopia) kommer gärna den 11 december. Hedda äter inte nötter.",
			"Hedda Blom <hedda.blom@ale.example> [äter inte nötter], Lars Ek <lars.ek@ale.example>"},
		{"by first name beside the writer", "Hej! Anmäl gärna Hedda och mig till den 11 december.",
			"Hedda Blom <hedda.blom@ale.example>, Lars Ek <lars.ek@ale.example>"},
		{"named as the one who approved", "Hej! Jag anmäler mig till den 11 december, min chef Hedda Blom har godkänt det. Hedda är vegan.",
			"Lars Ek <lars.ek@ale.example>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Lars Ek <lars.ek@ale.example>", "To: anmalan@goteborgsregionen.example", "Cc: Hedda Blom <hedda.blom@ale.example>",
				"Subject: Anmälan", "Content-Type: text/plain; charset=utf-8", "", tt.body)
			if u.Kind != reading.KindRegistration {
				t.Fatalf("kind %q (%s)", u.Kind, u.Reason)
			}
			if got := peopleSummary(u.People); got != tt.want {
				t.Errorf("people %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSenderNameInText: a name with å/ä/ö that only the text writes
// wins over its ASCII form in the display name.
func TestSenderNameInText(t *testing.T) {
	u := understandMail(t, freshConfig(t), "From: Asa-Britt Lof <asa-britt.lof@ale.example>", "Subject: Anmälan", "Content-Type: text/plain; charset=utf-8", "",
		"Hej! Jag heter Åsa-Britt Löf och vill gärna komma den 11 december.", "", "/Å-B")
	if len(u.People) != 1 || u.People[0].Name != "Åsa-Britt Löf" {
		t.Errorf("people %v, want Åsa-Britt Löf (%s)", u.People, u.Reason)
	}
}

// TestSenderNames holds the choice of the writer's name: the signature's
// å/ä/ö over their ASCII form in the display name, and the name that
// agrees with the address over a stale display name.
func TestSenderNames(t *testing.T) {
	cfg := freshConfig(t)
	tests := []struct {
		name, from, sig, want string
	}{
		{"ASCII display name, marks in the signature", "Bjorn Angqvist <bjorn.angqvist@ale.example>", "Björn Ängqvist", "Björn Ängqvist"},
		{"a nickname in the display name", "Lisa Holm <elisabeth.holm@lerum.example>", "Elisabeth Holm", "Elisabeth Holm"},
		{"an old surname in the display name", "Nora Ek <nora.sandberg@tjorn.example>", "Nora Sandberg", "Nora Sandberg"},
		{"the display name agrees with the address: kept", "Per Ahl <per.ahl@ale.example>", "Pelle", "Per Ahl"},
		{"a signature that agrees no better: the display name", "Anna Berg <a.berg@ale.example>", "Anna Lind", "Anna Berg"},
		{"an address book's \"Lastname Firstname (dept)\"", "Wall Tord (SOC) <tord.wall@ale.example>", "/T", "Tord Wall"},
		{"a display name in capitals", "ANNA BERG <anna.berg@ale.example>", "Anna Berg", "Anna Berg"},
		{"name, title and organisation on one line", "Orjan Stal <orjan.stal@ale.example>", "Örjan Stål | Planarkitekt | Ale kommun", "Örjan Stål"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: "+tt.from, "Subject: Anmälan", "Content-Type: text/plain; charset=utf-8", "",
				"Hej! Jag vill anmäla mig till den 11 december.", "", "Vänliga hälsningar", tt.sig)
			if u.Kind != reading.KindRegistration || len(u.People) != 1 {
				t.Fatalf("kind %q, people %v (%s)", u.Kind, u.People, u.Reason)
			}
			if u.People[0].Name != tt.want {
				t.Errorf("name %q, want %q", u.People[0].Name, tt.want)
			}
		})
	}
}

// TestRequestsAndHedges holds the line between a request (a modal with a
// verb of attending, a polite question to the desk, a condition on the
// seats alone) and real hesitation, which registers nobody.
func TestRequestsAndHedges(t *testing.T) {
	cfg := freshConfig(t)
	tests := []struct {
		name   string
		body   string
		kind   reading.Kind
		hedged bool
	}{
		{"a modal with a verb of attending", "Hej! Vi ska delta båda två den 11 december, jag och Kim Ros (kim.ros@ale.example).", reading.KindRegistration, false},
		{"a polite question to register a colleague", "Skulle du kunna anmäla Kim Ros (kim.ros@ale.example) till den 11 december?", reading.KindRegistration, false},
		{"a condition on the seats alone", "Om det ännu finns lediga platser vill jag gärna komma den 11 december.", reading.KindRegistration, false},
		{"a wish, a doubt and a decision put off", "Jag skulle gärna vilja komma på tisdag, men det är oklart om min chef godkänner det. Jag hör av mig.", reading.KindOther, true},
		{"provided", "I would love to join on Thursday, provided my train gets in on time.", reading.KindOther, true},
		{"a wish, not yet known, a decision put off", "Jag skulle vilja delta men vet inte än, hör av mig senast fredag.", reading.KindOther, true},
		{"considering, with a question", "Jag överväger att komma den 11 december, men hinner jag tillbaka till kontoret efteråt?", reading.KindOther, true},
		{"a request beside a doubt in its sentence", "Jag skulle vilja delta den 11 december, men är inte säker på om jag får ledigt.", reading.KindOther, true},
		{"a doubt about something else, in a sentence of its own", "Jag vill delta den 11 december. Jag vet inte om parkeringen räcker, så jag tar bussen.", reading.KindRegistration, false},
		{"maybe, in English", "I might join on 11 December, could you hold a seat for me?", reading.KindOther, true},
		{"a question whether one may register is no request", "Kan jag anmäla mig fast jag inte jobbar i kommunen?", reading.KindOther, true},
		{"a clause that opens with om, the verb before its subject", "Om nämndmötet flyttas kommer jag gärna till Kungälv den 13 december.", reading.KindOther, true},
		{"if, in English, about something else than the writer", "If the council meeting is moved I will happily come on 13 December.", reading.KindOther, true},
		{"leaning towards, nothing set in stone", "I'm leaning towards the Thursday session, but it's not set in stone yet.", reading.KindOther, true},
		{"choosing a session", "Tack för inbjudan! Vi väljer torsdagen, det går bäst ihop med våra scheman.", reading.KindRegistration, false},
		{"a session that suits, in English", "Thanks for the invitation. The Thursday one works for me.", reading.KindRegistration, false},
		{"choosing to stay away names no session", "Tack för inbjudan, men jag väljer att avstå den här gången.", reading.KindOther, false},
		{"which suits is asked", "Vilken dag passar bäst för er, tisdagen eller torsdagen?", reading.KindOther, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Alva Dahl <alva.dahl@ale.example>", "Subject: Segregation", "Content-Type: text/plain; charset=utf-8", "", tt.body)
			if u.Kind != tt.kind || u.Hedged != tt.hedged {
				t.Errorf("kind %q hedged %v, want %q hedged %v (%s)", u.Kind, u.Hedged, tt.kind, tt.hedged, u.Reason)
			}
		})
	}
}

// TestForwardedByParticipant: the original's writer registers with her
// diet and her date; the forwarder, who only hands the mail on, does not.
func TestForwardedByParticipant(t *testing.T) {
	cfg := freshConfig(t)
	u := understandMail(t, cfg, "From: Jan Ott <jan.ott@ale.example>", "Subject: VB: Anmälan", "Content-Type: text/plain; charset=utf-8", "",
		"Hej, här kommer en anmälan från en kollega.", "", "/Jan", "",
		"Från: Rakel Blom <rakel.blom@ale.example>",
		"Skickat: den 29 november 2018 09:12",
		"Till: Jan Ott <jan.ott@ale.example>",
		"Ämne: Anmälan", "",
		"Hej Jan, jag vill gärna vara med i Kungälv den 13 december. Jag är allergisk mot selleri.", "", "Rakel Blom", "Ale kommun")
	if u.Kind != reading.KindRegistration {
		t.Fatalf("kind %q (%s)", u.Kind, u.Reason)
	}
	if got, want := peopleSummary(u.People), "Rakel Blom <rakel.blom@ale.example> [allergisk mot selleri]"; got != want {
		t.Errorf("people %s, want %s", got, want)
	}
	if u.Event != "segregation-2018-kungalv" {
		t.Errorf("event %q, want the original's date's session", u.Event)
	}
}

// TestForwardedWithPronounRequest: the forwarder's "kan ni anmäla honom?"
// asks for the original's registration, not her own.
func TestForwardedWithPronounRequest(t *testing.T) {
	cfg := freshConfig(t)
	u := understandMail(t, cfg, "From: Jan Ott <jan.ott@ale.example>", "Subject: VB: Segregation", "Content-Type: text/plain; charset=utf-8", "",
		"Hej! Kan ni registrera honom? Se hans mejl nedan.", "", "Jan", "",
		"From: Axel Rud <axel.rud@ale.example>",
		"Sent: Thursday, November 29, 2018 9:12 AM",
		"To: Jan Ott <jan.ott@ale.example>",
		"Subject: Segregation", "",
		"Hej Jan, jag skulle gärna vilja delta den 11 december. Jag äter inte skaldjur.", "", "Axel")
	if u.Kind != reading.KindRegistration {
		t.Fatalf("kind %q (%s)", u.Kind, u.Reason)
	}
	if got, want := peopleSummary(u.People), "Axel Rud <axel.rud@ale.example> [äter inte skaldjur]"; got != want {
		t.Errorf("people %s, want %s", got, want)
	}
	if u.Event != "segregation-2018" {
		t.Errorf("event %q", u.Event)
	}
}

// TestOrganiserForwardsAndSaysTheDiet: the organiser's "hon är vegan"
// above a forwarded registration is the original writer's diet.
func TestOrganiserForwardsAndSaysTheDiet(t *testing.T) {
	cfg := freshConfig(t)
	u := understandMail(t, cfg, "From: Linda Karlsson <linda.karlsson@goteborgsregionen.example>", "Subject: VB: Anmälan", "Content-Type: text/plain; charset=utf-8", "",
		"Se nedan. Hon sa i telefon att hon är vegan.", "", "/Linda", "",
		"Från: Tea Lind <tea.lind@ale.example>",
		"Skickat: den 29 november 2018 11:05",
		"Till: Linda Karlsson <linda.karlsson@goteborgsregionen.example>",
		"Ämne: Anmälan", "",
		"Hej! Jag vill vara med den 11 december.", "Tea Lind")
	if got, want := peopleSummary(u.People), "Tea Lind <tea.lind@ale.example> [vegan]"; u.Kind != reading.KindRegistration || got != want {
		t.Errorf("kind %q people %s, want registration of %s (%s)", u.Kind, got, want, u.Reason)
	}
}

// TestForwardedWithNamedRequest: "kan ni anmäla Axel?" above his forwarded
// mail registers Axel, not the forwarder; "… och jag kommer också" keeps
// the forwarder's own reading.
func TestForwardedWithNamedRequest(t *testing.T) {
	cfg := freshConfig(t)
	for _, tt := range []struct{ own, want string }{
		{"Hej! Kan ni anmäla Axel enligt nedan?", "Axel Rud <axel.rud@ale.example> [äter inte skaldjur]"},
		{"Hej! Jag vill också delta den 11 december.", "Jan Ott <jan.ott@ale.example>"},
	} {
		u := understandMail(t, cfg, "From: Jan Ott <jan.ott@ale.example>", "Subject: VB: Segregation", "Content-Type: text/plain; charset=utf-8", "",
			tt.own, "", "Jan", "",
			"Från: Axel Rud <axel.rud@ale.example>",
			"Skickat: den 29 november 2018 09:12",
			"Till: Jan Ott <jan.ott@ale.example>",
			"Ämne: Segregation", "",
			"Hej Jan, jag vill gärna delta den 11 december. Jag äter inte skaldjur.", "", "Axel Rud")
		if got := peopleSummary(u.People); u.Kind != reading.KindRegistration || got != tt.want {
			t.Errorf("%q: kind %q people %s, want %s (%s)", tt.own, u.Kind, got, tt.want, u.Reason)
		}
	}
}

// TestDateNotNegatedWins: of two dates, the one the writer does not turn
// down chooses the session, whichever comes first.
func TestDateNotNegatedWins(t *testing.T) {
	cfg := freshConfig(t)
	for _, body := range []string{
		"Hej! Den 11 december går tyvärr inte, men den 13 december i Kungälv kan jag. Anmäl mig till den.",
		"Anmäl mig till den 13 december; den 11 december passar inte.",
	} {
		u := understandMail(t, cfg, "From: Alva Dahl <alva.dahl@ale.example>", "Subject: Anmälan", "Content-Type: text/plain; charset=utf-8", "", body)
		if u.Kind != reading.KindRegistration || u.Event != "segregation-2018-kungalv" {
			t.Errorf("%q: kind %q event %q, want registration for segregation-2018-kungalv (%s)", body, u.Kind, u.Event, u.Reason)
		}
	}
}

// TestWithdrawBoth: the writer withdraws herself and the colleague she
// names with her, with an address or by her address's scheme.
func TestWithdrawBoth(t *testing.T) {
	cfg := freshConfig(t)
	tests := []struct {
		name, body, want string
	}{
		{"with an address", "Hej! Jag och Ella Wik (ella.wik@ale.example) har fått förhinder, stryk oss båda.", "Ella Wik <ella.wik@ale.example>, Moa Lind <moa.lind@ale.example>"},
		{"by the scheme of the writer's address", "Hej! Ella Wik och jag kan tyvärr inte komma, ta bort oss båda.", "Ella Wik <ella.wik@ale.example>, Moa Lind <moa.lind@ale.example>"},
		{"only herself when she does not count the colleague in", "Hej! Jag kan tyvärr inte komma. Ella Wik kommer som planerat.", "Moa Lind <moa.lind@ale.example>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Moa Lind <moa.lind@ale.example>", "Subject: Återbud", "Content-Type: text/plain; charset=utf-8", "", tt.body)
			if u.Kind != reading.KindCancellation {
				t.Fatalf("kind %q (%s)", u.Kind, u.Reason)
			}
			if got := peopleSummary(u.People); got != tt.want {
				t.Errorf("people %s, want %s", got, tt.want)
			}
		})
	}
}
