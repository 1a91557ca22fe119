package understand

import (
	"strings"
	"testing"

	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// kindCase is one participant's mail body and the kind it must be read as.
type kindCase struct {
	name, body string
	want       reading.Kind
	hedged     bool
}

// checkKinds reads each body as a mail from one participant and checks
// its kind and whether it is hedged.
func checkKinds(t *testing.T, tests []kindCase) {
	t.Helper()
	cfg := freshConfig(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Seminariet", "", tc.body, "", "/Eva")
			if u.Kind != tc.want || u.Hedged != tc.hedged {
				t.Errorf("kind %s, hedged %v, want %s, hedged %v (reason: %s)", u.Kind, u.Hedged, tc.want, tc.hedged, u.Reason)
			}
		})
	}
}

// TestWithdrawalVerbs: a withdrawal said with a verb in any of its forms,
// with the writer as its subject, cancels; the same verb with another
// meaning, denied, asked about or in the other language does not.
func TestWithdrawalVerbs(t *testing.T) {
	checkKinds(t, []kindCase{
		{"backa, infinitive", "Chefen behöver mig den dagen, så jag får tyvärr backa.", reading.KindCancellation, false},
		{"backar, present", "Vi backar, det har kommit något i vägen.", reading.KindCancellation, false},
		{"ställa in", "Det har krockat med en utbildning så jag måste ställa in.", reading.KindCancellation, false},
		{"give up the place", "I've been double-booked, so I'll have to give up my place.", reading.KindCancellation, false},
		{"back out", "Sorry, but we need to back out.", reading.KindCancellation, false},
		{"bli av, negated for the writer", "Det blir tyvärr inte av för min del på tisdag.", reading.KindCancellation, false},
		{"backa upp supports", "Jag backar upp förslaget om en träff till.", reading.KindOther, false},
		{"ställa in sig prepares", "Jag ställer in mig på att komma lite sent.", reading.KindOther, false},
		{"denied", "Jag backar inte, jag kommer som planerat.", reading.KindOther, false},
		{"asked", "Går det bra om jag backar?", reading.KindOther, false},
		{"English back is no backa", "I'll get back to you about the parking.", reading.KindOther, false},
		{"bli av without the writer", "Blir det inte av så hör ni av er?", reading.KindOther, false},
		{"my seat to someone on the waiting list", "Har åkt på en förkylning. Ge min plats till någon på väntelistan.", reading.KindCancellation, false},
		{"my seat can go to someone else", "Det har dykt upp något som jag inte kan flytta på, så min plats kan gå till någon annan.", reading.KindCancellation, false},
		{"a seat not needed", "Turns out I won't need my seat on Tuesday after all.", reading.KindCancellation, false},
		{"a seat kept", "Jag vill inte att min plats går till någon annan, jag kommer.", reading.KindRegistration, false},
		{"a seat asked about", "Kan jag ge min plats till en kollega?", reading.KindOther, false},
		{"a not of another verb is no withdrawal", "Jag kommer med bil från Tjörn på torsdag och vill inte bli sen.", reading.KindOther, false},
		{"erasure in other words", "Avanmäl mig och radera alla uppgifter ni har sparat om mig.", reading.KindForget, false},
		{"erasure put off until after the event", "Ta bort alla uppgifter om mig från era listor när seminariet är slut.", reading.KindOther, false},
		{"erasure not wanted", "Jag vill inte att ni raderar mina uppgifter, jag vill vara kvar på listan.", reading.KindOther, false},
		{"komma åt is no coming", "Jag kan inte komma åt min e-post just nu, men jag kommer på torsdag.", reading.KindRegistration, false},
	})
}

// TestDeferredAndConditionalInterest: interest in coming beside a
// decision put off, or coming on a condition in verb-first order, is a
// hedge (no registration, an answer that offers the seat); a clear
// request beside a deferral of something else still registers, and a
// deferral without interest in coming is a plain mail.
func TestDeferredAndConditionalInterest(t *testing.T) {
	checkKinds(t, []kindCase{
		{"undecided, will write again", "Jag lutar åt att komma, men det är inte bestämt än. Jag hör av mig.", reading.KindOther, true},
		{"depends on the manager", "I'd love to come on 11 December, but it depends on whether my manager can spare me.", reading.KindOther, true},
		{"let you know later", "I would like to come. Could I let you know by Friday?", reading.KindOther, true},
		{"verb-first condition", "Får vi tag i en vikarie så kommer jag och min kollega gärna.", reading.KindOther, true},
		{"verb-first condition, hinner", "Hinner jag tillbaka från Borås så kommer jag.", reading.KindOther, true},
		{"a request and a deferral of the diet", "Jag vill anmäla mig till seminariet. Jag återkommer om specialkost.", reading.KindRegistration, false},
		{"a deferral without interest", "Tack för informationen, jag återkommer om parkeringen.", reading.KindOther, false},
		{"a step that must come first", "Jag skulle gärna vilja komma, men jag måste först stämma av med min chef.", reading.KindOther, true},
		{"provisionally", "Count me in provisionally for the 11th.", reading.KindOther, true},
		{"a verb-first question is a question", "Får vi ta med en kollega så kommer vi två?", reading.KindOther, false},
	})
}

// TestColleagueWithdrawnByName: a colleague coordinated with the writer
// as the subject of her withdrawal, named without an address, withdraws
// with her as a person with a name alone (the decision finds her among the
// writer's registrations); a colleague who is the subject of another
// clause, or a sentence about someone else, is not withdrawn.
func TestColleagueWithdrawnByName(t *testing.T) {
	cfg := freshConfig(t)
	tests := []struct {
		name, body string
		kind       reading.Kind
		colleague  string
	}{
		{"X and I, English", "Unfortunately Amir Haddad and I can no longer come on the 11th.", reading.KindCancellation, "Amir Haddad"},
		{"varken jag eller X", "Varken jag eller Ebba Norén kan komma den 11:e längre.", reading.KindCancellation, "Ebba Norén"},
		{"jag och X", "Jag och Ebba kan tyvärr inte komma.", reading.KindCancellation, "Ebba"},
		{"neither X nor I", "Neither Priya nor I will be able to make it on the 11th after all.", reading.KindCancellation, "Priya"},
		{"the writer alone", "Jag kan tyvärr inte komma, men Ebba Norén kommer som planerat.", reading.KindCancellation, ""},
		{"about someone else", "Jag tror inte att Ebba Norén kommer kunna komma.", reading.KindOther, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Re: Bekräftelse", "", tc.body, "", "/Eva")
			if u.Kind != tc.kind {
				t.Fatalf("kind %s, want %s (reason: %s)", u.Kind, tc.kind, u.Reason)
			}
			var named []string
			for _, p := range u.People {
				if p.Email == "" {
					named = append(named, p.Name)
				}
			}
			if tc.kind == reading.KindOther {
				return
			}
			if len(u.People) == 0 || u.People[0].Email != "eva.holm@ale.example" {
				t.Errorf("people %v, want the writer first", u.People)
			}
			switch {
			case tc.colleague == "" && len(named) > 0:
				t.Errorf("withdrawn by name: %v, want nobody", named)
			case tc.colleague != "" && (len(named) != 1 || named[0] != tc.colleague):
				t.Errorf("withdrawn by name: %v, want %s", named, tc.colleague)
			}
		})
	}
}

// TestTakingRegistrationBack: a verb of taking back with the writer's own
// registration as its object withdraws, in the imperative too; the same
// verbs with another object, or denied, do not.
func TestTakingRegistrationBack(t *testing.T) {
	checkKinds(t, []kindCase{
		{"återkalla min anmälan", "Jag vill återkalla min anmälan, det har kommit upp ett möte.", reading.KindCancellation, false},
		{"dra tillbaka vår anmälan", "Tyvärr måste vi dra tillbaka vår anmälan till torsdagen.", reading.KindCancellation, false},
		{"ta tillbaka min bokning", "Jag tar tillbaka min bokning, förlåt för besväret.", reading.KindCancellation, false},
		{"revoke my registration", "Please revoke my registration for the 11 December session.", reading.KindCancellation, false},
		{"retract our booking", "We need to retract our booking, sorry.", reading.KindCancellation, false},
		{"dra tillbaka without a registration", "Vi fick dra tillbaka förslaget om en gemensam buss.", reading.KindOther, false},
		{"återkalla a decision", "Nämnden har återkallat beslutet om nya lokaler.", reading.KindOther, false},
		{"denied", "Jag vill inte återkalla min anmälan, jag ville bara fråga om parkering.", reading.KindOther, false},
	})
}

// TestContrastIsNoWithdrawal: the "inte" of a contrast after a comma
// denies only its own words ("…, inte det i Kungälv"), so the request
// before it stands; a negated verb still withdraws.
func TestContrastIsNoWithdrawal(t *testing.T) {
	checkKinds(t, []kindCase{
		{"inte det i Kungälv", "Jag kommer gärna på det som hålls i Göteborg, inte det i Kungälv.", reading.KindRegistration, false},
		{"not Thursday", "I will attend on Tuesday, not Thursday.", reading.KindRegistration, false},
		{"negated verb", "Jag kommer inte, tyvärr.", reading.KindCancellation, false},
	})
}

// TestColleagueInsteadKeepsTheWrittenName: the colleague going instead,
// whose address is given apart from her name, keeps the name as the text
// writes it, with å/ä/ö, not the one made from the address.
func TestColleagueInsteadKeepsTheWrittenName(t *testing.T) {
	u := understandMail(t, freshConfig(t), "From: Eva Holm <eva.holm@ale.example>", "Subject: Re: Bekräftelse", "",
		"Jag kan inte komma, men jag skickar Åsa Sjöqvist i mitt ställe. Hennes adress är asa.sjoqvist@ale.example.", "", "/Eva")
	if len(u.Changes) != 1 || u.Changes[0].By == nil || u.Changes[0].By.Name != "Åsa Sjöqvist" {
		t.Errorf("changes %+v, want Åsa Sjöqvist instead (%s)", u.Changes, u.Reason)
	}
}

// TestWithdrawingSomeoneNamedByAddress: a withdrawal whose clause names
// someone else by address, without the writer in it, withdraws that
// person and never the writer, asked as a request to the desk or said as
// an imperative; with the writer in the clause both go.
func TestWithdrawingSomeoneNamedByAddress(t *testing.T) {
	cfg := freshConfig(t)
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"avanmäl, imperative", "Avanmäl Patrik Öhman (patrik.ohman@ale.example), han har slutat.", []string{"patrik.ohman@ale.example"}},
		{"kan ni avanmäla", "Kan ni avanmäla Patrik Öhman (patrik.ohman@ale.example)? Han har slutat.", []string{"patrik.ohman@ale.example"}},
		{"plocka bort", "Kan ni plocka bort Patrik Öhman (patrik.ohman@ale.example) från listan? Jag anmälde honom förra veckan.", []string{"patrik.ohman@ale.example"}},
		{"stryk", "Stryk Patrik Öhman, patrik.ohman@ale.example, från listan. Jag anmälde honom.", []string{"patrik.ohman@ale.example"}},
		{"take off", "Could you take Patrik Öhman (patrik.ohman@ale.example) off the list? I registered him last week.", []string{"patrik.ohman@ale.example"}},
		{"the writer with him", "Min kollega Patrik Öhman (patrik.ohman@ale.example) och jag kan tyvärr inte komma.", []string{"eva.holm@ale.example", "patrik.ohman@ale.example"}},
		{"the writer alone", "Jag kan tyvärr inte komma. Min chef Patrik Öhman (patrik.ohman@ale.example) vet om det.", []string{"eva.holm@ale.example"}},
		{"she, whom the writer registered by address", "Jag anmälde min medarbetare Patrik Öhman (patrik.ohman@ale.example) förra veckan, men han har blivit sjuk och kan inte komma. Kan ni stryka honom?",
			[]string{"patrik.ohman@ale.example"}},
		{"skrev upp, then he cannot", "Jag skrev upp min kollega Patrik Öhman (patrik.ohman@ale.example) för ett par veckor sedan. Nu har han blivit sjuk och kan inte komma. Ta bort hans anmälan är ni snälla.",
			[]string{"patrik.ohman@ale.example"}},
		{"varken jag eller, the address given", "Det blir inget för vår del, varken jag eller Patrik Öhman (patrik.ohman@ale.example), som jag anmälde, har möjlighet att komma.", []string{"eva.holm@ale.example", "patrik.ohman@ale.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Ändring", "", tc.body, "", "/Eva")
			var got []string
			for _, p := range u.People {
				got = append(got, p.Email)
			}
			if u.Kind != reading.KindCancellation || strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("kind %s, people %v, want a cancellation of %v (%s)", u.Kind, got, tc.want, u.Reason)
			}
		})
	}
}

// TestWithdrawalTakenBack: a withdrawal the writer made before is history;
// followed by her coming after all or asking for her seat back it is a
// registration, and alone it withdraws nothing new. A thing cancelled
// ("the trip has been cancelled", "mötet har ställts in") withdraws nobody.
func TestWithdrawalTakenBack(t *testing.T) {
	checkKinds(t, []kindCase{
		{"avanmälde, now after all", "Jag avanmälde mig förra veckan, men nu kan jag komma ändå.", reading.KindRegistration, false},
		{"avbokade, seat back", "Vi avbokade våra platser i fredags. Nu vill vi gärna ha tillbaka våra platser.", reading.KindRegistration, false},
		{"cancelled, put me back", "I cancelled on Monday. The board meeting was called off, so please put me back on the list.", reading.KindRegistration, false},
		{"withdrew, able after all", "I withdrew last week, but I'm able to attend after all.", reading.KindRegistration, false},
		{"avbokade, kommer jag ändå", "Jag avbokade min plats, men det löste sig och nu kommer jag ändå.", reading.KindRegistration, false},
		{"cancelled, I'll be there after all", "I cancelled last week but I'll be there after all.", reading.KindRegistration, false},
		{"ändå, denied", "Jag avbokade i måndags och jag kommer inte ändå.", reading.KindOther, false},
		{"avbokade, skriv upp mig igen, one clause", "Jag avbokade av misstag, så skriv upp mig igen.", reading.KindRegistration, false},
		{"a past withdrawal alone, asked about", "Jag avanmälde mig igår, fick ni det?", reading.KindOther, false},
		{"a thing cancelled, nothing else", "Mötet har ställts in, så jag tänkte bara säga det.", reading.KindOther, false},
		{"still a withdrawal now", "Jag måste tyvärr avboka min plats.", reading.KindCancellation, false},
	})
}

// TestOneOfSeveralWithdrawn: a withdrawal whose object is an unspecified
// one of several changes nothing and asks; one that names its person, or
// the writer, still withdraws.
func TestOneOfSeveralWithdrawn(t *testing.T) {
	cfg := freshConfig(t)
	for _, tc := range []struct {
		name, body string
		want       reading.Kind
		ask        bool
	}{
		{"avboka en av platserna", "Vi är två anmälda, men nu kan ni avboka en av platserna.", reading.KindOther, true},
		{"stryk den ena", "Stryk gärna den ena av våra två platser.", reading.KindOther, true},
		{"en av oss kan strykas", "En av oss kan strykas från listan.", reading.KindOther, true},
		{"release one of our seats", "Please release one of our two seats for Thursday.", reading.KindOther, true},
		{"the writer herself", "Vi var två anmälda, men stryk mig, min kollega kommer.", reading.KindCancellation, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Seminariet", "", tc.body, "", "/Eva")
			if u.Kind != tc.want || u.Ask != tc.ask || tc.ask && len(u.Changes) != 0 {
				t.Errorf("kind %s, ask %v, changes %v, want %s, ask %v, no change (reason: %s)", u.Kind, u.Ask, u.Changes, tc.want, tc.ask, u.Reason)
			}
		})
	}
}

// TestStrikingAndDroppingOut: striking oneself out, letting go of a
// session and dropping one withdraw; the same verbs with another object,
// denied or asked about do not, and "might as well" is no maybe.
func TestStrikingAndDroppingOut(t *testing.T) {
	checkKinds(t, []kindCase{
		{"stryker mig själv", "Jag stryker mig själv från listan, det krockar med ett möte.", reading.KindCancellation, false},
		{"scratch me", "Please scratch me from the list, something came up.", reading.KindCancellation, false},
		{"cross me off", "Could you cross me off, I can't come after all.", reading.KindCancellation, false},
		{"släpper seminariet", "Jag släpper seminariet den här gången.", reading.KindCancellation, false},
		{"drop the session", "I have to drop the session, sorry.", reading.KindCancellation, false},
		{"might as well", "I can no longer attend, so someone else might as well have my seat.", reading.KindCancellation, false},
		{"skip lunch is no withdrawal", "I'll skip lunch and come straight to the seminar.", reading.KindOther, false},
		{"släppa in", "Kan ni släppa in mig lite tidigare så jag hinner ställa i ordning?", reading.KindOther, false},
		{"striking someone else is no self-withdrawal", "Jag stryker under att jag gärna vill ha bilderna efteråt.", reading.KindOther, false},
		{"might still be a maybe", "I might not be able to attend.", reading.KindOther, false},
	})
}

// TestColleagueWithdrawnByPronoun: "henne"/"her" after the writer tells she
// registered one person by address is that person; with two people so
// told, or under a condition, the pronoun is nobody's to read.
func TestColleagueWithdrawnByPronoun(t *testing.T) {
	checkKinds(t, []kindCase{
		{"avanmäla honom", "Jag anmälde Bo Ek (bo.ek@ale.example) förra veckan, men han har slutat. Kan ni avanmäla honom?", reading.KindCancellation, false},
		{"take her registration out", "I registered my colleague Kim Ode (kim.ode@ale.example) for Tuesday. She is ill, so please take her registration out.", reading.KindCancellation, false},
		{"two people registered", "Jag anmälde Bo Ek (bo.ek@ale.example) och Sara Lind (sara.lind@ale.example). Kan ni avanmäla henne?", reading.KindOther, false},
		{"on a condition", "I registered my colleague Kim Ode (kim.ode@ale.example). If she is still ill on Monday, please take her registration out.", reading.KindOther, false},
	})
}

// TestTakingHerPlaceIsNoWithdrawal: "I'll take her place" after the writer
// registered a colleague is no withdrawal of the colleague.
func TestTakingHerPlaceIsNoWithdrawal(t *testing.T) {
	cfg := freshConfig(t)
	u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Seminariet", "",
		"I registered my colleague Kim Ode (kim.ode@ale.example) last week. She is ill, so I will take her place.", "", "/Eva")
	if u.Kind == reading.KindCancellation && len(u.People) == 1 && u.People[0].Email == "kim.ode@ale.example" && len(u.Changes) == 0 {
		t.Errorf("read as Kim's withdrawal alone (reason: %s)", u.Reason)
	}
}

// TestThirdPersonIsNeverTheWriter: a withdrawal whose subject or object is
// "hon"/"honom", or whose subject is a person of a relative clause "som jag
// anmälde", does not withdraw the writer; without an address to bind the
// person to, it is for a human. Each of these cancelled the writer before.
func TestThirdPersonIsNeverTheWriter(t *testing.T) {
	cfg := freshConfig(t)
	for _, body := range []string{
		"Patrik Öhman, som jag anmälde till tisdagen, kommer inte att kunna delta. Vänligen avanmäl honom.",
		"Patrik Öhman, som jag anmälde till tisdagen, kommer inte.",
		"Vänligen avanmäl henne, hon har fått förhinder.",
		// A relative clause's "jag" is not the subject of the hindrance,
		// and a name at the start of a sentence is still a name.
		"Min medarbetare Ebba Lind, som jag anmälde i förra veckan, har blivit sjuk. Kan ni stryka henne?",
		"Ebba Lind kan inte komma. Jag anmälde henne och Oskar Berg i måndags.",
		"Oskar Berg, som jag skrev upp förra veckan, har fått förhinder.",
	} {
		u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Ändring", "", body, "", "/Eva")
		for _, p := range u.People {
			if strings.EqualFold(p.Email, "eva.holm@ale.example") && u.Kind == reading.KindCancellation {
				t.Errorf("%q withdraws the writer (%s)", body, u.Reason)
			}
		}
	}
}

// TestColleagueRegisteredByTheWriterWithdrawnByName: a person the writer
// says she registered, named without an address, is the one withdrawn —
// as the subject before the withdrawal, its object, or the pronoun for
// her — and never the writer; the writer's own hindrance beside a
// colleague she registered stays hers, and two persons the pronoun could
// mean withdraw nobody.
func TestColleagueRegisteredByTheWriterWithdrawnByName(t *testing.T) {
	cfg := freshConfig(t)
	for _, c := range []struct {
		body string
		kind reading.Kind
		who  string // the one withdrawn; "" for the writer, "-" for nobody
	}{
		{"Min kollega Holger Wiik, som jag anmälde tillsammans med mig, kan tyvärr inte komma. Jag kommer som planerat.", reading.KindCancellation, "Holger Wiik"},
		{"Kan ni ta Gottfrid Pihlblad av listan? Jag skrev upp honom förra veckan, men han har bytt tjänst.", reading.KindCancellation, "Gottfrid Pihlblad"},
		{"Jag anmälde Ines Molander i måndags. Tyvärr har hon fått förhinder, så avanmäl henne.", reading.KindCancellation, "Ines Molander"},
		{"I signed up Rufus Tennant last week, but he can't come after all. Please remove him.", reading.KindCancellation, "Rufus Tennant"},
		{"Jag anmälde mig och Holger Wiik förra veckan, men jag kan tyvärr inte komma.", reading.KindCancellation, ""},
		{"Jag anmälde Ines Molander och Rufus Tennant i måndags. Hon kan inte komma, avanmäl henne.", reading.KindOther, "-"},
		{"Min medarbetare Ebba Lind, som jag anmälde i förra veckan, har blivit sjuk. Kan ni stryka henne?", reading.KindCancellation, "Ebba Lind"},
	} {
		u := understandMail(t, cfg, "From: Eva Holm <eva.holm@ale.example>", "Subject: Ändring", "", c.body, "", "/Eva")
		if u.Kind != c.kind {
			t.Errorf("%q: kind %q, want %q (%s)", c.body, u.Kind, c.kind, u.Reason)
			continue
		}
		if c.who == "-" {
			continue
		}
		var got []string
		for _, p := range u.People {
			got = append(got, p.Name+"<"+p.Email+">")
		}
		want := c.who + "<>"
		if c.who == "" {
			want = "Eva Holm<eva.holm@ale.example>"
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q withdraws %v, want %s (%s)", c.body, got, want, u.Reason)
		}
	}
}

// TestConditionsAndOthersPlansTakeNoSeat: a withdrawal on a condition
// said in other words than "om jag" (a verb-first condition with a noun
// for its subject, "if the …", "in that case") changes nothing; a diet
// said as what someone keeps away from withdraws nobody; a colleague's
// plan to come, told without an address, registers nobody.
func TestConditionsAndOthersPlansTakeNoSeat(t *testing.T) {
	checkKinds(t, []kindCase{
		{"a verb-first condition with a noun subject", "Jag är anmäld till torsdagen. Blir bussen inställd på grund av snön så får ni stryka mig, men jag försöker.", reading.KindOther, false},
		{"if the …, in that case", "If the ferry is cancelled on Thursday I won't be able to get there, and in that case I'll have to withdraw.", reading.KindOther, false},
		{"a diet kept away from", "Vi kommer tre från Orust den 13 december: jag, Nora Vik (nora.vik@ale.example) och Elis Berg (elis.berg@ale.example). Nora avstår från fläsk.", reading.KindRegistration, false},
		{"a colleague's plan without an address", "Bara så du vet: min kollega Alma Rydh tänker också komma på tisdag. Hon anmäler sig själv.", reading.KindOther, false},
		{"a colleague and I come", "Min kollega Oskar Lind och jag kommer båda på tisdag. Oskars adress är oskar.lind@ale.example.", reading.KindRegistration, false},
	})
}

// TestIdiomsOfGivingUp: withdrawals said in idioms and by giving the seat
// away in other words than "avanmäl", and a thanks that withdraws nothing.
func TestIdiomsOfGivingUp(t *testing.T) {
	checkKinds(t, []kindCase{
		{"kasta in handduken", "Jag kastar in handduken för torsdagens del, det hinns inte med.", reading.KindCancellation, false},
		{"det får bli utan mig", "Det får bli utan mig den här gången, tyvärr.", reading.KindCancellation, false},
		{"the seat I was given", "Stolen jag fick kan ni ge till någon annan.", reading.KindCancellation, false},
		{"ge återbud", "Vi får tyvärr ge återbud till tisdagen, båda två.", reading.KindCancellation, false},
		{"hand my place", "Please hand my place to whoever is next on the waiting list.", reading.KindCancellation, false},
		{"strunta i min anmälan", "Strunta i min anmälan, det blev inget.", reading.KindCancellation, false},
		{"lämnar ifrån mig platsen", "Det gick inte att lösa. Jag lämnar ifrån mig platsen så att någon annan kan få den.", reading.KindCancellation, false},
		{"thanks for the seat", "Tack för platsen! Jag ser fram emot tisdagen.", reading.KindOther, false},
		{"erasure after a not of the sentence before", "Jag har ändrat mig och kommer inte. Ta bort allt ni har lagrat om mig.", reading.KindForget, false},
		{"återtar min anmälan", "Härmed återtar jag min anmälan, det krockar med en utbildning.", reading.KindCancellation, false},
	})
}
