package reading

import (
	"github.com/goteborgsregionen/anmalan/understand/diet"
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"github.com/goteborgsregionen/anmalan/understand/request"
	"regexp"
	"slices"
	"strings"

	"github.com/goteborgsregionen/anmalan/message"
)

// The reader of a participant's intent works clause by clause, because a
// word means what its clause makes of it: "anmäla" in "jag vill anmäla
// mig" is a request, in "jag anmälde mig i måndags men …" history, in
// "jag funderar på att anmäla mig" a thought, in "kan jag anmäla mig?" a
// question. Each clause gets its mood (question, hedge, condition), its
// tense for the registration words, its negation and its subject; the
// decision then weighs the clauses, never one word of the whole text.

// clause is one clause of the writer's own text.
type clause struct {
	text        string // lower case, one line
	question    bool   // the sentence it belongs to ends in "?"
	hedged      bool   // "funderar på", "kanske", "might", "considering"
	conditional bool   // "om jag inte hinner …", "if my train is late"
	negated     bool   // "inte", "not", "n't"
	// sentence is the clause's sentence as written, for names.
	sentence string
}

// aboutOther reports whether the part of c that comes before at (where
// the verb of a withdrawal was found) makes someone else than the writer
// its subject ("en av oss kan inte", "han kan inte"), or whether a clause
// without the writer in it names a person ("kan ni avanmäla Patrik Öhman?").
//
// A relative clause about the person ("Ebba Lind, som jag anmälde, har
// blivit sjuk") is left out: its "jag" is not the subject.
func (c clause) aboutOther(at string) bool {
	text := c.text
	if strings.Contains(text, ",") {
		text = relativeClauseRe.ReplaceAllString(text, ", ")
	}
	before := text
	if i := strings.Index(text, at); i >= 0 {
		before = text[:i]
	}
	if lexicon.OtherSubjects.FindLower(before) != "" {
		return true
	}
	return selfWords.FindLower(text) == "" && capitalisedName(c.sentence, text, true)
}

var (
	// clauseBreakRe separates the clauses of one sentence: a comma before
	// "men"/"but", a dash, a semicolon, and the conjunctions themselves.
	clauseBreakRe = regexp.MustCompile(`\s*(?:;|\s[–-]\s|,?\s+(?:men|but|så att|eftersom|because)\s+)\s*`)
	// clauseBreakWords are in every clause break: clauseBreakRe (which
	// begins with \s*, slow on Go's engine) runs only on a sentence that
	// holds one.
	clauseBreakWords = message.Phrases{";", "–", "-", "men", "but", "så att", "eftersom", "because"}
	// sentenceBreakRe ends a sentence; paragraphs end one too.
	sentenceBreakRe = regexp.MustCompile(`[.!?]+(?:\s+|$)|\n\s*\n`)

	// relativeClauseRe is a relative clause between commas (or up to the
	// end): ", som jag anmälde till tisdagen,".
	relativeClauseRe = regexp.MustCompile(`,\s*(?:som|who|whom|which)\s[^,]*(?:,|$)`)
	// pronounSubjectRe is a clause whose subject is a third person's
	// pronoun: "hon har blivit sjuk", "he is ill".
	pronounSubjectRe = regexp.MustCompile(`^(?:\S+\s+){0,2}(?:hon|han|hen|she|he)\s`)
	// conjunctionRe parts a clause into the verb phrases a "not" may deny:
	// "Jag kommer med bil och vill inte bli sen" says "jag kommer", and
	// its "inte" is the other verb's.
	conjunctionRe = regexp.MustCompile(`\s(?:och|men|samt|dock|utan|and|but|though|although)\s`)
	// selfWords name the writer (or the writer's group).
	selfWords = append(slices.Clone(selfWordsNotI), "|i|")
)

// clausesOf splits the writer's own text (quote and signature removed)
// into clauses. Lines of a paragraph are joined first: mail clients wrap
// sentences.
func clausesOf(body string) []clause {
	body = message.Head(body, 4000)
	var out []clause
	last := 0
	emit := func(raw string, q bool) {
		raw = strings.Join(strings.Fields(raw), " ")
		s := message.OtherVerbs.Replace(strings.ToLower(raw))
		if s == "" {
			return
		}
		parts := []string{s}
		if clauseBreakWords.FindLower(s) != "" {
			parts = clauseBreakRe.Split(s, -1)
		}
		if strings.Contains(s, ", ") {
			parts = splitAtSubject(parts)
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			// Mood and negation are looked for only in the clauses that
			// need them (see readIntent): most clauses are greetings.
			c := clause{text: p, question: q, sentence: raw}
			out = append(out, c)
		}
	}
	for _, loc := range sentenceBreakRe.FindAllStringIndex(body, -1) {
		emit(body[last:loc[1]], strings.Contains(body[loc[0]:loc[1]], "?"))
		last = loc[1]
	}
	emit(body[last:], false)
	return out
}

// subjectStarts are the pronouns that, after a comma, begin a main clause
// of their own with their verb: "ta inte bort mig, jag kommer ändå" is two
// clauses, and the first one's "inte" is not the second one's.
var subjectStarts = map[string]bool{"jag": true, "vi": true, "i": true, "we": true}

// splitAtSubject splits each of parts after a comma that a subject
// pronoun and a word follow (see subjectStarts).
func splitAtSubject(parts []string) []string {
	var out []string
	for _, p := range parts {
		for {
			cut := -1
			for from := 0; ; {
				i := strings.Index(p[from:], ", ")
				if i < 0 {
					break
				}
				i += from
				f := strings.Fields(p[i+2:])
				if len(f) >= 2 && subjectStarts[f[0]] {
					cut = i
					break
				}
				from = i + 2
			}
			if cut < 0 {
				break
			}
			out = append(out, p[:cut])
			p = p[cut+2:]
		}
		out = append(out, p)
	}
	return out
}

// capitalisedName reports whether the clause (lower case, taken from the
// sentence s) names a person by a first and last name in s. At the start
// of the sentence a capital says nothing; with atStart, a run of two words
// there counts, neither a greeting nor a label ("Ebba Lind kan inte
// komma", not "Hej Linda"): a withdrawal read as someone else's goes to a
// human, one read as the writer's would take her seat.
func capitalisedName(s, lower string, atStart bool) bool {
	for _, loc := range CapRunRe.FindAllStringIndex(s, 4) {
		name := strings.ToLower(s[loc[0]:loc[1]])
		words := strings.Fields(name)
		if loc[0] == 0 && (!atStart || len(words) != 2 || NotNameWords[words[1]]) {
			continue
		}
		if strings.Contains(lower, name) && !NotNameWords[words[0]] {
			return true
		}
	}
	return false
}

// intent is what the clauses of a participant's mail add up to.
type Intent struct {
	cancel, Register, Hedged bool
	// others is true when the withdrawal is about someone else than the
	// writer, named by address in its clause: "Avanmäl Patrik Öhman
	// (patrik.ohman@…), han har slutat".
	others bool
	// OtherName is the one withdrawn when she is named without an
	// address: the person the writer says she registered ("Kim Berglöv,
	// som jag anmälde, kommer inte"); the decision looks for her among
	// the registrations the writer made.
	OtherName string
	// withdrawn is the sentence of the withdrawal, whose people beside
	// the writer ("Amir Haddad and I") withdraw with her; registered is
	// the sentence of the registration, whose people coordinated with the
	// writer ("jag och Gillis Jarl kommer") register with her.
	withdrawn, registered string
	// why is the phrase that decided, for the reason; whyNot says why a
	// reading was set aside, for the alternatives.
	why    string
	WhyNot []Alternative
	// human is true when the mail asks for a change that only a person can
	// settle: a withdrawal about someone else, or a question to withdraw
	// someone the writer does not name as herself.
	Human bool
	// ask is true when the writer withdraws herself on a condition or as
	// a maybe ("om jag inte hinner får ni stryka mig", "I may have to
	// cancel"): one reading, but not sure enough to act on; the bot asks
	// her to confirm it. asked is the sentence, for the question.
	Ask   bool
	Asked string
	// OneOf is true when the writer withdraws an unspecified one of
	// several ("stryk en av våra två platser", "cancel one of the two
	// places"): which one is not hers to leave to the desk, so nothing
	// changes and she is asked.
	OneOf bool
}

// readIntent weighs the clauses of body.
func readIntent(body string) Intent {
	var in Intent
	selfOutWhy, registered := "", ""
	doubted := map[string]bool{}
	deferred, interested, notRegistered, writerRegistered, hindrance := "", "", "", "", ""
	// Whom the writer says she registered is read once, and only when a
	// clause needs it: most mails name nobody they registered.
	byAddress := lazy(func() string { return registeredByWriter(body) })
	byName := lazy(func() string { return registeredByName(body) })
	for _, c := range clausesOf(body) {
		if lexicon.Doubt.FindLower(c.text) != "" {
			// "…, men jag vet inte om jag hinner": doubt beside a request
			// in the same sentence takes the commitment back.
			doubted[c.sentence] = true
		}
		if deferred == "" && lexicon.Defer.FindLower(c.text) != "" {
			deferred = c.text
		}
		if writerRegistered == "" && !c.question && lexicon.PastForms.FindLower(c.text) != "" && selfWords.FindLower(c.text) != "" && !deniedJustBefore(c.text, lexicon.PastForms.FindLower(c.text)) {
			writerRegistered = c.sentence
		}
		if h := lexicon.Hindrance.FindLower(c.text); hindrance == "" && h != "" && !c.question && comingAfterAll(c.text) == "" && !c.aboutOther(h) && !thirdPersonSentence(c) &&
			(!strings.Contains(h, "går") && !strings.Contains(h, "funkar") || strings.HasSuffix(strings.TrimRight(c.text, " .!"), h)) {
			// "… så det går inte" ends its clause; "det går inte att
			// öppna bilagan" is about something else.
			hindrance = h
		}
		if notRegistered == "" {
			// A question in the same sentence ("I never registered …, but
			// could you send me the material?") does not make it one.
			if p := lexicon.PastForms.FindLower(c.text); p != "" && selfWords.FindLower(c.text) != "" && deniedJustBefore(c.text, p) {
				// "I never signed up", "jag har inte anmält mig": the
				// writer says she holds no seat to give up.
				notRegistered = c.text
			}
		}
		if m := unspecifiedOne(c.text); m != "" {
			in.OneOf = true
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + m + "\" withdraws an unspecified one of several: " + Clip(c.text)})
			continue
		}
		if m := pastWithdrawal(c.text); m != "" {
			// "Jag avbokade min plats i måndags", "I withdrew my
			// registration last week": a withdrawal the writer made
			// before is history, told to explain what follows ("men nu
			// kan jag ändå"), not a new one; nor is the registration
			// noun in it a request.
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + m + "\" tells of a withdrawal made before, not a new one: " + Clip(c.text)})
			// A request in the rest of the clause ("jag avbokade av
			// misstag, så skriv upp mig igen") is read without it.
			rest := strings.Replace(c.text, m, strings.Repeat(" ", len(m)), 1)
			if comingAfterAll(rest) == "" && request.In(rest) == "" || lexicon.Neg.FindLower(rest) != "" {
				continue
			}
			c.text = rest
		}
		req := request.In(c.text)
		interest := lexicon.Register.FindLower(c.text) != "" || comingAfterAll(c.text) != "" || lexicon.InterestWords.FindLower(c.text) != "" || lexicon.InterestMarks.FindLower(c.text) != "" || req != "" ||
			(verbFirstCondition(c.sentence) || lexicon.Cond.FindLower(withoutReservation(c.text)) != "" || opensWithCondition(c.text)) && lexicon.Attend.FindLower(c.text) != ""
		// A thing cancelled ("the trip has been cancelled", "mötet
		// avbokades") is news of something else than the writer's seat:
		// the withdrawal words are looked for without it.
		wtext := withoutThingCancelled(c.text)
		w := lexicon.Withdraw.FindLower(wtext)
		if w != "" && strings.Contains(w, "avst") && slices.ContainsFunc(diet.Mentions(wtext), func(m diet.Mention) bool { return strings.Contains(m.Text, w) }) {
			// "Tuva avstår från kött" is her diet.
			w = ""
		}
		if w == "" {
			w = lexicon.Cancel.FindLower(wtext)
		}
		if w == "" && !c.question {
			w = seatGivenUp(wtext)
		}
		if w == "" && !c.question {
			// A question about withdrawing ("går det att backa?") is no
			// withdrawal.
			w = withdrawVerbIn(wtext)
		}
		if w == "" && (!c.question || request.PoliteCues.FindLower(c.text) != "") {
			// "Kan ni plocka bort Gunhild Sandelin (…) från listan?",
			// "Stryk Patrik Öhman, patrik.ohman@…": taking someone named
			// by address off, asked of the desk.
			w = removalOfAddressed(c.text)
			if w == "" && removalCues.FindLower(c.text) != "" && writerAsObject.FindLower(c.text) == "" && byName() != "" &&
				(strings.Contains(c.text, strings.ToLower(byName())) || pronounObjectRe.MatchString(c.text)) {
				// Or named without an address, the one the writer says she
				// registered, or a pronoun for her ("Kan ni stryka henne?").
				w = removalRe.FindString(c.text)
			}
		}
		if w != "" && c.question && possibilityRe.MatchString(c.text) && writerObjectMarks.FindLower(c.text) == "" {
			// "Is it possible to cancel later?", "Går det att avboka i
			// efterhand?": a question about the procedure, with nobody's
			// registration as its object, asks how, not for a withdrawal
			// ("Går det att avboka mig?" still asks for one).
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + w + "\" is asked about as a possibility, with nobody's registration as its object: " + Clip(c.text)})
			w = ""
		}
		if w == "" && !interest && (request.AbleCues.FindLower(c.text) == "" || !request.AbleToAttendRe.MatchString(c.text)) {
			continue // nothing in it about the event
		}
		// The mood of a request is read without a condition on the seats:
		// whether there is one is the desk's check, not the writer's; nor
		// with a reservation for the unforeseen ("om inget oväntat dyker
		// upp", "unless something comes up"), which every commitment
		// carries: its condition and its "inget" are not the clause's.
		mood := withoutReservation(c.text)
		if strings.Contains(mood, " as well") {
			mood = resignationRe.ReplaceAllString(mood, " ") // its "might" is no hedge
		}
		if req != "" {
			mood = withoutSeatCondition(mood)
		}
		c.hedged = lexicon.Hedge.FindLower(mood) != "" || intendedCues.FindLower(mood) != "" && intendedRe.MatchString(mood)
		c.conditional = lexicon.Cond.FindLower(mood) != "" || verbFirstCondition(c.sentence) || strings.HasPrefix(strings.TrimSpace(mood), "om ") || opensWithCondition(mood)
		// The "inte" of a contrast ("…, inte det i Kungälv") denies only
		// its own words (see contrastRe).
		c.negated = lexicon.Neg.FindLower(withoutContrast(mood)) != ""
		if interested == "" && w == "" && !c.question && !c.negated && lexicon.InterestWords.FindLower(c.text) != "" {
			interested = c.text
		}
		if w == "" && c.negated && !c.question {
			// "jag kommer inte", "I can not attend": a registration word
			// under negation withdraws.
			if r := lexicon.Register.FindLower(c.text); r != "" && lexicon.PastForms.FindLower(c.text) == "" && !strings.Contains(r, "anmäl") && negatedWithin(c.text, r) &&
				!thirdPersonSentence(c) {
				w = r + " (negated)"
			} else if m := request.AbleToAttendRe.FindStringIndex(c.text); m != nil && lexicon.Doubt.FindLower(c.text) == "" && writerSubject(c.text[:m[0]]) {
				// "Varken jag eller Ebba kan komma": being able to come,
				// denied, withdraws when the writer is its subject; a
				// doubt ("vet inte om jag kan komma") does not.
				w = c.text[m[0]:m[1]] + " (negated)"
			} else if m := request.DeniedComingRe.FindStringIndex(c.text); m != nil && lexicon.Doubt.FindLower(c.text) == "" && writerSubject(c.text[:m[0]]) {
				// "Vi två som anmälde oss …, jag och X (…), kommer inte":
				// coming denied, with the writer in its subject, withdraws,
				// whatever the clause tells of the registration before.
				w = c.text[m[0]:m[1]]
			}
		}
		if w != "" && (selfOut(c.sentence) || selfOut(c.text)) && !c.conditional && !c.hedged {
			// "Själv har jag inte möjlighet att delta": the writer counts
			// herself out of a registration of others; only when nobody is
			// registered is it her withdrawal (decided after the loop).
			// The clause holds it when the sentence goes on to the others
			// ("I won't be attending myself, but please register …").
			if selfOutWhy == "" {
				selfOutWhy = w
			}
			continue
		}
		if w != "" {
			switch {
			case (c.conditional || c.hedged) && c.aboutOther(strings.TrimSuffix(w, " (negated)")):
				in.Human = true
				in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + w + "\" is said on a condition or as a maybe, about someone else than the writer: " + Clip(c.text)})
			case c.conditional || c.hedged:
				if !in.Ask {
					in.Ask, in.Asked = true, c.sentence
				}
				in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + w + "\" is said on a condition or as a maybe: " + Clip(c.text)})
			case !message.AddrSpecRe.MatchString(c.text) && byAddress() == "" && withdrawsNamed(c, strings.TrimSuffix(w, " (negated)"), byName()):
				// "Kim Berglöv, som jag anmälde till tisdagen, kommer inte",
				// "Kan ni ta X av listan? Jag skrev upp honom …": the one
				// person the writer says she registered, named without an
				// address; the decision finds her among the writer's
				// registrations, or asks, or leaves it to a human.
				if !in.cancel {
					in.cancel, in.why, in.withdrawn, in.others, in.OtherName = true, w, c.sentence, true, byName()
				}
			case c.aboutOther(strings.TrimSuffix(w, " (negated)")) && !message.AddrSpecRe.MatchString(c.text) && pronounSubjectRe.MatchString(c.text) && byAddress() != "":
				// "Jag anmälde min medarbetare Kim … (kim@…) förra veckan,
				// men hon har blivit sjuk och kan inte komma": "hon" is the
				// one person the writer says she registered, by address;
				// the decision checks that the writer made that
				// registration.
				if !in.cancel {
					in.cancel, in.why, in.withdrawn, in.others = true, w, byAddress()+" "+c.sentence, true
				}
			case !c.question && pronounObjectRe.MatchString(c.text) && selfWords.FindLower(c.text) == "" && !message.AddrSpecRe.MatchString(c.text):
				// "Vänligen avanmäl henne": the one withdrawn is a third
				// person, never the writer: the one the writer says she
				// registered, by address, or else a human's to find.
				if r := byAddress(); r != "" {
					if !in.cancel {
						in.cancel, in.why, in.withdrawn, in.others = true, w, r+" "+c.sentence, true
					}
				} else {
					in.Human = true
					in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + w + "\" has a third person as its object: " + Clip(c.text)})
				}
			case c.aboutOther(strings.TrimSuffix(w, " (negated)")) && !message.AddrSpecRe.MatchString(c.text):
				// A person named by address is no guess: the decision
				// checks whether the writer may change that registration.
				in.Human = true
				in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + w + "\" is about someone else than the writer: " + Clip(c.text)})
			case c.question && strings.Contains(w, "avanmäl") && selfWords.FindLower(c.text) == "" && !message.AddrSpecRe.MatchString(c.text) &&
				!(pronounObjectRe.MatchString(c.text) && byAddress() != ""):
				// With an address the question is a request to the desk
				// about one person, and the decision checks that the writer
				// made her registration.
				in.Human = true
				in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "a question to withdraw someone the writer does not name as herself: " + Clip(c.text)})
			case c.question && strings.Contains(w, "avanmäl") && selfWords.FindLower(c.text) == "" && !message.AddrSpecRe.MatchString(c.text):
				// "Jag anmälde … Jonna Fridlund (jonna.fridlund@…) förra
				// veckan … Kan ni avanmäla henne?": the pronoun is the one
				// person the writer says she registered, by address, so the
				// withdrawal is hers; the decision checks that the writer
				// made that registration.
				if !in.cancel {
					in.cancel, in.why, in.withdrawn, in.others = true, w, byAddress()+" "+c.sentence, true
				}
			default:
				if !in.cancel {
					in.cancel, in.why, in.withdrawn = true, w, c.sentence
					// Someone else named by address is the one withdrawn,
					// never the writer (see ReadParticipant).
					// Only a clause without the writer in it: "min kollega X
					// (…) och jag" withdraws both.
					in.others = message.AddrSpecRe.MatchString(c.text) && selfWords.FindLower(message.AddrSpecRe.ReplaceAllString(c.text, " ")) == ""
				}
			}
			continue
		}
		// Registration words, with those in the past taken out: history is
		// not a request.
		text := c.text
		past := lexicon.PastForms.FindLower(text) != ""
		if past {
			text = blank(text, lexicon.PastForms)
		}
		if strings.Contains(text, "anmälnings") || strings.Contains(text, "registrerings") {
			// "sista anmälningsdag", "anmälningslänken": a compound noun
			// about registering is no request to register.
			text = processNounRe.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat(" ", len(s)) })
		}
		r := lexicon.Register.FindLower(text)
		if r == "" {
			r = request.In(text)
		}
		if r == "" && !c.negated {
			r = comingAfterAll(text)
		}
		if r != "" && past && request.GroupCountRe.MatchString(r) {
			// "Vi är anmälda tre stycken": the size of a group already
			// registered is history, not a request.
			r = ""
		}
		if r != "" && reflexiveOtherRe.MatchString(text) && selfWords.FindLower(text) == "" && !(onBehalfRe.MatchString(body) && message.AddrSpecRe.MatchString(c.sentence)) {
			// "Hon anmäler sig själv", "he will sign himself up": the
			// reflexive "sig"/"himself" says the subject is a third
			// person, so the registration is not the writer's, unless she
			// writes on that person's behalf and gives the address ("Jag
			// skriver å min chefs vägnar. Runar … vill anmäla sig, hans
			// mejl är …"): then she passes the registration on.
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "\"" + r + "\" has a third person as its subject: " + Clip(c.text)})
			r = ""
		}
		switch {
		case r != "" && c.question && (request.PoliteRe.MatchString(text) || request.PassOnRe.MatchString(text)) && !c.hedged && !c.conditional && !c.negated:
			// "Kan ni anmäla Johanna Bäck …?" asks the desk to act.
			if !in.Register {
				in.Register, in.why = true, r
			}
		case r != "" && (c.hedged || c.question || c.conditional):
			in.Hedged = true
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "\"" + r + "\" is asked or considered, not requested: " + Clip(c.text)})
		case r != "" && !c.negated && !message.AddrSpecRe.MatchString(body) && othersComing(c, r):
			// "Min kollega Irma Salomonsson tänker också komma", "hon
			// kommer gärna": someone else's plan, told without an address
			// for her, is neither the writer's registration nor hers.
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "\"" + r + "\" has someone else than the writer as its subject: " + Clip(c.text)})
		case r != "" && !c.negated:
			if !in.Register {
				in.Register, in.why, registered = true, r, c.sentence
			}
		case r == "" && c.hedged:
			in.Hedged = true
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "interest without a commitment: " + Clip(c.text)})
		case r == "" && c.conditional && !c.negated && lexicon.Attend.FindLower(c.text) != "":
			// "Får vi tag i en vikarie så kommer jag": coming on a
			// condition is no commitment.
			in.Hedged = true
			in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "coming on a condition: " + Clip(c.text)})
		}
	}
	if !in.Register && !in.cancel && !in.Hedged && deferred != "" && interested != "" {
		in.Hedged = true
		in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "interest (" + Clip(interested) + ") with the decision put off: " + Clip(deferred)})
	}
	if in.Register && deferred != "" && (lexicon.Wish.FindLower(in.why) != "" || lexicon.Wish.FindLower(strings.ToLower(registered)) != "") {
		// "I would like to come. Could I let you know by Friday?": a wish
		// beside a decision put off is interest, not yet a commitment.
		in.Register, in.Hedged = false, true
		in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "a wish (" + in.why + ") with the decision put off: " + Clip(deferred)})
	}
	if in.Register && doubted[registered] {
		in.Register, in.Hedged = false, true
		in.WhyNot = append(in.WhyNot, Alternative{Kind: KindRegistration, Why: "\"" + in.why + "\" is said beside a doubt: " + Clip(registered)})
	}
	in.registered = registered
	if selfOutWhy != "" && !in.Register && !in.cancel {
		in.cancel, in.why = true, selfOutWhy
	}
	if !in.cancel && !in.Register && !in.Hedged && !in.Human && writerRegistered != "" && hindrance != "" {
		// "Jag anmälde mig förra veckan men har nu blivit sjukskriven":
		// a registration of hers told as history, then what keeps her
		// away, is her withdrawal.
		in.cancel, in.why, in.withdrawn = true, hindrance, writerRegistered
	}
	if in.cancel && notRegistered != "" {
		// "I can't make it, but could you send me the slides? I never
		// signed up": a withdrawal by someone who says she is not
		// registered is news beside what she asks, for a human.
		in.cancel, in.Human = false, true
		in.WhyNot = append(in.WhyNot, Alternative{Kind: KindCancellation, Why: "\"" + in.why + "\" is said by a writer who says she is not registered: " + Clip(notRegistered)})
	}
	if in.Register && in.Hedged {
		// A clear request elsewhere in the mail wins over a question
		// beside it ("jag vill anmäla mig. Kan jag ta med en kollega?").
		in.Hedged = false
	}
	return in
}

// opensWithCondition reports whether the clause lower opens with "om" or
// "if", whatever follows, and has the writer in it: "Om styrelsemötet blir
// inställt kommer jag gärna", "If the board meeting is moved, I'll come".
// About someone else ("if she is still ill, take her registration out")
// it is no condition on the writer's coming.
func opensWithCondition(lower string) bool {
	t := strings.TrimSpace(lower)
	return (strings.HasPrefix(t, "om ") || strings.HasPrefix(t, "if ")) && selfWords.FindLower(t) != ""
}

// thirdPersonSentence reports whether c has no subject of its own and its
// sentence is about someone named, not the writer: "Vår nya medarbetare
// Elsa Ek är anmäld … men kommer inte att kunna närvara" is Elsa's news.
func thirdPersonSentence(c clause) bool {
	// Without "i", which is also the Swedish "in" ("träffen i Kungälv"):
	// a sentence this is wrong about is for a human, not the writer's.
	return selfWordsNotI.FindLower(strings.ToLower(c.sentence)) == "" && capitalisedName(c.sentence, strings.ToLower(c.sentence), true)
}

// selfWordsNotI are selfWords but the English "I" alone, which is also the
// Swedish "in": "I" is counted only in forms no Swedish text has.
var selfWordsNotI = message.Phrases{"|jag|", "|mig|", "|vi|", "|oss|", "|me|", "|we|", "|us|", "|min del", "|my ", "|i'm|", "|i’m|", "|i'll|", "|i am|", "|i will|"}

// writerSubject reports whether the writer is in the subject that
// before (a clause's text up to its verb) ends with: the part after the
// last "att", "that", "om" or "if", which begins a clause of its own ("jag
// tror inte att Hussein kommer kunna komma" is about Hussein).
func writerSubject(before string) bool {
	// "Kim Berg, som jag anmälde till tisdagen, kommer inte": the "jag" of
	// a relative clause is not the subject.
	before = relativeClauseRe.ReplaceAllString(before, " ")
	f := strings.Fields(before)
	for i := len(f) - 1; i >= 0; i-- {
		if f[i] == "att" || f[i] == "that" || f[i] == "om" || f[i] == "if" {
			f = f[i+1:]
			break
		}
	}
	return selfWords.FindLower(" "+strings.Join(f, " ")+" ") != ""
}

// verbFirstCondition reports whether the sentence s opens with a
// Swedish condition in verb-first order, the verb in the present and its
// subject after it, with "så" leading into the main clause: "Får vi tag i
// en vikarie så kommer jag", "Hinner jag så kommer jag". A question has
// the same order but ends in "?", which the clause's question mark says.
func verbFirstCondition(s string) bool {
	if !strings.Contains(s, " så ") {
		return false // most sentences: no need to split them
	}
	f := strings.Fields(strings.ToLower(s))
	if len(f) < 4 || strings.HasSuffix(s, "?") {
		return false
	}
	verb, subject := strings.Trim(f[0], ",.!"), strings.Trim(f[1], ",.!")
	if !strings.HasSuffix(verb, "r") && verb != "skulle" || !conditionSubjects[subject] && !definiteNoun(subject) {
		return false
	}
	for _, w := range f[2:] {
		if w == "så" {
			return true
		}
	}
	return false
}

// othersComing reports whether the registration words r of clause c have
// a third person for their subject ("min kollega …", "hon", a name) with
// the writer not in it. The caller asks only of a text without an
// address: with one, "Vår chef Gunder Myrberg kommer gärna. Hans mejl är
// …" passes the registration on.
func othersComing(c clause, r string) bool {
	at := strings.Index(c.text, r)
	if at <= 0 {
		return false
	}
	before := c.text[:at]
	if selfWords.FindLower(c.text[:at+len(r)]) != "" || onBehalfRe.MatchString(c.text) {
		// "Min kollega Viktor Palm och jag kommer"; "on behalf of Dr.
		// Holm, to register him" passes a registration on.
		return false
	}
	// The subject stands right before its verb, after the last comma:
	// "on behalf of Dr. Holm, Head of Regional Development, to register
	// him" has none.
	if i := strings.LastIndexAny(before, ",:"); i >= 0 {
		before = before[i+1:]
	}
	return lexicon.OtherSubjects.FindLower(before) != "" || capitalisedName(c.sentence, before, false)
}

// definiteNoun reports whether w looks like a Swedish noun in the definite
// form, the subject of "Skulle färjan inte gå så …", "Blir tåget sent så
// …": a word of five letters or more ending in -en, -et, -an or -na.
func definiteNoun(w string) bool {
	if len([]rune(w)) < 5 {
		return false
	}
	for _, end := range []string{"en", "et", "an", "na"} {
		if strings.HasSuffix(w, end) {
			return true
		}
	}
	return false
}

// conditionSubjects are the subjects of a verb-first condition.
var conditionSubjects = map[string]bool{"jag": true, "vi": true, "det": true, "du": true, "ni": true, "man": true, "hon": true, "han": true}

// blank returns lower with every phrase of ps replaced by spaces, so that
// a later search does not find what they contain.
func blank(lower string, ps Phrases) string {
	for {
		w := ps.FindLower(lower)
		if w == "" {
			return lower
		}
		i := strings.Index(lower, w)
		if i < 0 {
			return lower
		}
		lower = lower[:i] + strings.Repeat(" ", len(w)) + lower[i+len(w):]
	}
}

// Phrases is message.Phrases, named here for blank's signature.
type Phrases = message.Phrases

func Clip(s string) string { return message.Clip(s, 80) }

var (
	// reservationRe is a condition that only reserves the unforeseen: its
	// subject is "nothing" or "something" and its verb one of happening
	// ("om inget oväntat dyker upp", "om ingenting händer", "if nothing
	// comes up", "unless something comes up").
	reservationRe = regexp.MustCompile(`\b(?:om|ifall|så länge|if|unless|as long as)\s+(?:inget|ingenting|nothing|something|anything)\b(?:\s+\S+){0,3}?\s+(?:händer|inträffar|dyker upp|kommer emellan|kommer i vägen|happens|comes up|gets in the way|changes)\b(?:\s+(?:förstås|såklart|of course))?`)
	// intendedRe is an intention in the pluperfect or the past, which
	// says what the writer meant to do, not what she asks for: "jag hade
	// tänkt anmäla mig, men …", "I was going to sign up".
	intendedRe = regexp.MustCompile(`\b(?:hade|har)\s+(?:\S+\s+)?(?:tänkt|planerat|hoppats|tänkt mig)\b|\b(?:was|were)\s+(?:going|planning|hoping)\s+to\b|\bhad\s+(?:planned|hoped|meant|intended)\s+to\b`)
)

var (
	// possibilityRe asks whether something can be done at all, not for it
	// to be done: "is it possible to …", "går det att …", "kan man …".
	possibilityRe = regexp.MustCompile(`\b(?:is it possible to|would it be possible to|is it ok to|can one|går det att|är det möjligt att|kan man|får man)\b`)
	// writerObjectMarks are the writer (or her registration) as the
	// object of a verb.
	writerObjectMarks = Phrases{"|mig|", "|oss|", "|me|", "|us|", "|min|", "|mitt|", "|vår|", "|my|", "|our|"}
	// reflexiveOtherRe is a registration verb with a third person's
	// reflexive object.
	onBehalfRe       = regexp.MustCompile(`(?i)\bpå uppdrag av\b|(?:^|\s)å\s+\p{L}+\s+\p{L}+\s+vägnar\b|\bpå\s+\p{L}+\s+\p{L}+\s+vägnar\b|\bför\s+\p{L}+\s+\p{L}+\s+räkning\b|\bon behalf of\b`)
	reflexiveOtherRe = regexp.MustCompile(`\b(?:anmäl\p{L}*|registrer\p{L}*|skriv\p{L}*\s+upp|sign\p{L}*(?:\s+up)?|register\p{L}*)\s+(?:\p{L}+\s+)?(?:sig|himself|herself|themselves)\b`)
)

// processNounRe is a compound noun of registering: "anmälningsdag",
// "anmälningstiden", "registreringslänk".
var processNounRe = regexp.MustCompile(`(?:anmälnings|registrerings)\p{L}*`)

// intendedCues are the auxiliaries intendedRe needs: a clause without
// any is not searched.
var intendedCues = Phrases{"|hade|", "|har|", "|was|", "|were|", "|had|"}

// withoutReservation returns lower with a reservation for the unforeseen
// blanked out (see reservationRe).
func withoutReservation(lower string) string {
	if !strings.Contains(lower, "om ") && !strings.Contains(lower, "if ") && !strings.Contains(lower, "unless") && !strings.Contains(lower, "så länge") && !strings.Contains(lower, "as long as") {
		return lower
	}
	return reservationRe.ReplaceAllStringFunc(lower, func(s string) string { return strings.Repeat(" ", len(s)) })
}

// pronounObjectRe is a third person as the object of a verb.
var pronounObjectRe = regexp.MustCompile(`(?i)\b(?:henne|honom|hen|her|him)\b`)

// registeredByWriter returns the one sentence of body (lower case) in
// which the writer tells that she registered someone she names by
// address ("jag anmälde vår nya socialsekreterare Jonna Fridlund (…)"),
// or "" when there is none or more than one, or the sentence names more
// than one address: then a pronoun cannot be read as that person.
func registeredByWriter(body string) string {
	found := ""
	sentences, _ := SentencesOf(message.Head(body, 4000))
	for _, s := range sentences {
		lower := strings.ToLower(strings.Join(strings.Fields(s), " "))
		if lexicon.PastForms.FindLower(lower) == "" || len(message.AddrSpecRe.FindAllString(lower, 2)) != 1 ||
			!slices.ContainsFunc(strings.Fields(lower), func(w string) bool { return w == "jag" || w == "vi" || w == "i" || w == "we" }) {
			continue
		}
		if found != "" {
			return ""
		}
		found = lower
	}
	return found
}

// lazy returns a function that computes f's value on its first call and
// returns it again on the next.
func lazy(f func() string) func() string {
	done, v := false, ""
	return func() string {
		if !done {
			done, v = true, f()
		}
		return v
	}
}

// registeredByName returns the one person, named without an address,
// whom the writer tells she registered: the name in the sentence of that
// registration ("Kim Berglöv, som jag anmälde till tisdagen, …"), or, when
// that sentence has a pronoun for her ("Jag skrev upp honom förra
// veckan"), the one name of the sentence before or after it. It returns ""
// when there is no such sentence, or two persons could be meant.
func registeredByName(body string) string {
	found := ""
	sentences, _ := SentencesOf(message.Head(body, 4000))
	for i, s := range sentences {
		lower := strings.ToLower(strings.Join(strings.Fields(s), " "))
		if lexicon.PastForms.FindLower(lower) == "" || message.AddrSpecRe.MatchString(lower) ||
			!slices.ContainsFunc(strings.Fields(lower), func(w string) bool { return w == "jag" || w == "vi" || w == "i" || w == "we" }) {
			continue
		}
		name, ok := oneName(s)
		if !ok {
			return ""
		}
		if name == "" && pronounObjectRe.MatchString(lower) {
			for _, j := range []int{i - 1, i + 1} {
				if name == "" && j >= 0 && j < len(sentences) {
					if name, ok = oneName(sentences[j]); !ok {
						return ""
					}
				}
			}
		}
		if name == "" {
			continue
		}
		if found != "" && found != name {
			return ""
		}
		found = name
	}
	return found
}

// oneName returns the one full name s holds ("Holger Wiik"), "" when it
// holds none, and false when it holds more than one.
func oneName(s string) (string, bool) {
	found := ""
	for _, n := range CapRunRe.FindAllString(s, 4) {
		if NotNameWords[strings.ToLower(strings.Fields(n)[0])] {
			continue
		}
		if found != "" && found != n {
			return "", false
		}
		found = n
	}
	return found, true
}

// withdrawsNamed reports whether clause c withdraws name (the person the
// writer says she registered, named without an address), w being the
// words that withdraw: name is the subject before them, outside a
// relative clause about the writer ("Min kollega Holger Wiik, som jag
// anmälde, kan inte komma"), or their object ("ta Gottfrid Pihlblad av
// listan"), or a third person's pronoun stands for her ("hon har bytt
// tjänst", "avanmäl henne") in a clause without the writer.
func withdrawsNamed(c clause, w, name string) bool {
	if name == "" {
		return false
	}
	lname := strings.ToLower(name)
	at := strings.Index(c.text, w)
	if at < 0 {
		return false
	}
	before := relativeClauseRe.ReplaceAllString(c.text[:at], " ")
	switch {
	case strings.Contains(before, lname):
		return selfWords.FindLower(strings.Replace(before, lname, " ", 1)) == "" || lexicon.OtherSubjects.FindLower(before) != ""
	case strings.Contains(c.text[at:], lname):
		return writerAsObject.FindLower(c.text) == ""
	}
	return selfWords.FindLower(c.text) == "" && (pronounSubjectRe.MatchString(c.text) || pronounObjectRe.MatchString(c.text))
}

// resignationRe is "might as well", a shrug and not a maybe ("someone else might as well have it").
var resignationRe = regexp.MustCompile(`\b(?:might|may) (?:just )?as well\b`)

// withoutSeatCondition returns lower with a condition on the seats alone
// blanked out, so that the clause's own mood is read from the rest.
func withoutSeatCondition(lower string) string {
	if request.SeatCues.FindLower(lower) == "" {
		return lower
	}
	return request.SeatConditionRe.ReplaceAllStringFunc(lower, func(s string) string { return strings.Repeat(" ", len(s)) })
}

// Taking someone off is asked of the desk with a verb of removing and the
// person as its object: "kan ni plocka bort Gunhild Sandelin (…)", "stryk
// Patrik Öhman, patrik.ohman@…, från listan", "please remove …", "take …
// off the list". Only a person named by address in the same clause counts:
// a name alone may fit more than one registration, and the writer herself
// as the object is her own withdrawal, read elsewhere.
var (
	removalRe = regexp.MustCompile(`\b(?:(?:ta|tar|plocka|plockar|lyfta|lyft)\s+bort|stryk|stryka|avregistrera|remove|delete)\b|\b(?:ta|tar|plocka|plockar)\s+\S.{0,80}?\s+(?:av|från|ur)\s+(?:listan|deltagarlistan)|\b(?:take|strike|cross)\s+\S.{0,80}?\s+off\b`)
	// removalCues are the words removalRe needs.
	removalCues = Phrases{"bort", "stryk", "avregistrera", "remove", "delete", "listan", "off"}
)

// removalOfAddressed returns the removal the clause lower (lower case)
// asks for when its object is someone named by address, not the writer;
// or "".
func removalOfAddressed(lower string) string {
	if removalCues.FindLower(lower) == "" || !message.AddrSpecRe.MatchString(lower) || writerAsObject.FindLower(lower) != "" {
		return ""
	}
	return removalRe.FindString(lower)
}

// writerAsObject are the writer as an object, in a clause's words.
var writerAsObject = Phrases{"|mig|", "|oss|", "|me|", "|us|", "|myself|"}

// A registration is also a change of mind: the writer who said no, or
// withdrew, and now comes after all ("nu kan jag vara med ändå", "I'm able
// to attend after all") or asks for her seat back ("jag vill ha tillbaka
// min plats", "please put me back on the list"). "Ändå" and "after all"
// say that an earlier no is taken back, so being able to come is then a
// commitment, not a report of her calendar.
var (
	afterAllMarks = Phrases{"|ändå|", "|trots allt|", "|i alla fall|", "after all", "|anyway|", "|nonetheless|"}
	seatBackRe    = regexp.MustCompile(`\b(?:ha|få)\s+tillbaka\s+(?:min|vår|mina|våra)\s+plats(?:er|en)?|\b(?:min|vår)\s+plats\s+tillbaka\b|\b(?:lägg|sätt|skriv|ta)\s+(?:gärna\s+)?tillbaka\s+(?:mig|oss)\b|\b(?:put|add|sign)\s+(?:me|us)\s+back\b|\b(?:my|our)\s+(?:seat|place|spot|registration)\s+back\b`)
	seatBackCues  = Phrases{"tillbaka", "back"}
	// attendAfterAllRe is the writer coming, in either word order ("jag
	// kommer", "nu kommer jag", "I'll be there"): beside "ändå" or "after
	// all" it is her earlier no taken back.
	attendAfterAllRe = regexp.MustCompile(`\b(?:(?:jag|vi)\s+(?:\p{L}+\s+){0,2}?(?:kommer|deltar|är med)|(?:kommer|deltar)\s+(?:jag|vi)|är\s+(?:jag|vi)\s+med|(?:i|we)(?:'ll|’ll|\s+will|\s+am|\s+are|'m|’m|’re|'re)\s+(?:\p{L}+\s+){0,2}?(?:come|coming|attend|attending|join|joining|there))\b`)
)

// comingAfterAll returns the words of lower (a clause in lower case)
// that take an earlier no back, or "".
func comingAfterAll(lower string) string {
	if seatBackCues.FindLower(lower) != "" {
		if m := seatBackRe.FindString(lower); m != "" {
			return m
		}
	}
	if afterAllMarks.FindLower(lower) == "" {
		return ""
	}
	if m := attendAfterAllRe.FindString(lower); m != "" {
		return m + " (after all)"
	}
	m := request.AbleToAttendRe.FindStringIndex(lower)
	if m == nil {
		return ""
	}
	// The subject stands before the modal ("jag kan komma ändå") or, in
	// Swedish after a first word, right after it ("nu kan jag komma").
	inverted := false
	for _, f := range strings.Fields(lower[m[0]:m[1]]) {
		inverted = inverted || subjectStarts[f]
	}
	if writerSubject(lower[:m[0]]) || inverted {
		return lower[m[0]:m[1]] + " (after all)"
	}
	return ""
}

var (
	// pastWithdrawalRe is the writer's own withdrawal in the past: "jag
	// avbokade min plats", "vi har avanmält oss", "I withdrew", "we had
	// cancelled". The verb's tense makes it a thing done before this
	// mail, which a request of the same mail cannot be.
	pastWithdrawalRe   = regexp.MustCompile(`(?:^|[^\p{L}'’])(?:jag|vi|i|we|i've|we've|i'd|we'd|i’ve|we’ve|i’d|we’d)\s+(?:\p{L}+\s+){0,3}?(?:avanmälde|avbokade|avregistrerade|avanmält|avbokat|avregistrerat|lämnade återbud|tackade nej|withdrew|withdrawn|cancelled|canceled|called off)(?:$|[^\p{L}])`)
	pastWithdrawalCues = Phrases{"avanmälde", "avbokade", "avregistrerade", "avanmält", "avbokat", "avregistrerat", "lämnade återbud", "tackade nej",
		"withdrew", "withdrawn", "cancelled", "canceled", "called off"}
	// thingCancelledRe is a cancelling in the passive: "the trip has been
	// cancelled", "mötet avbokades", "resan blev inställd".
	thingCancelledRe   = regexp.MustCompile(`(?:^|[^\p{L}])(?:(?:has|have|had)\s+been|was|were|is|are|got)\s+(?:cancelled|canceled|called off)(?:$|[^\p{L}])|(?:^|[^\p{L}])(?:avbokades|avbokats|avbokas|avanmäldes|avanmälts)(?:$|[^\p{L}])`)
	thingCancelledCues = Phrases{"cancelled", "canceled", "called off", "avbokades", "avbokats", "avbokas", "avanmäldes", "avanmälts"}
	// writerSeatMarks are the writer's registration as a subject: "min
	// anmälan har avbokats" is hers.
	writerSeatMarks = Phrases{"|min|", "|mitt|", "|vår|", "|vårt|", "|my|", "|our|", "|jag|", "|vi|", "|i|", "|we|"}
)

// pastWithdrawal returns the writer's past withdrawal in lower, or "".
func pastWithdrawal(lower string) string {
	if pastWithdrawalCues.FindLower(lower) == "" {
		return ""
	}
	return strings.TrimSpace(strings.Trim(pastWithdrawalRe.FindString(lower), ",.;:!? "))
}

// withoutThingCancelled returns lower with a passive cancelling blanked
// out when its subject is not the writer or her registration: "the trip
// has been cancelled, so I can attend" withdraws nobody.
func withoutThingCancelled(lower string) string {
	if thingCancelledCues.FindLower(lower) == "" {
		return lower
	}
	loc := thingCancelledRe.FindStringIndex(lower)
	if loc == nil || writerSeatMarks.FindLower(lower[:loc[0]]) != "" {
		return lower
	}
	return lower[:loc[0]] + strings.Repeat(" ", loc[1]-loc[0]) + lower[loc[1]:]
}

var (
	// unspecifiedOneRe is a withdrawal whose object is one of several not
	// named: "stryk en av anmälningarna", "avboka den ena platsen",
	// "cancel one of the two places", "en av platserna kan strykas".
	unspecifiedOneRe   = regexp.MustCompile(`\b(?:stryk\p{L}*|ta\s+bort|tar\s+bort|plocka\s+bort|avbok\p{L}*|avanmäl\p{L}*|avregistrer\p{L}*|släpp\p{L}*|lämna\s+tillbaka|ge\s+upp|cancel\p{L}*|remove|release|drop|free\s+up|give\s+up|take\s+off|withdraw)\s+(?:\p{L}+\s+){0,3}?(?:(?:en|ett|någon|något)\s+av|den\s+ena|det\s+ena|(?:one|either|any)\s+of)\b|\b(?:(?:en|ett|någon|något)\s+av|(?:one|either)\s+of)\s+(?:\p{L}+\s+){0,3}?(?:kan|får|ska|måste|can|could|should|must|may)\s+(?:\p{L}+\s+)?(?:strykas|avbokas|avanmälas|släppas|tas\s+bort|be\s+(?:cancelled|canceled|removed|released|dropped))\b`)
	unspecifiedOneCues = Phrases{" av ", " of ", "den ena", "det ena"}
)

// unspecifiedOne returns the withdrawal of an unspecified one of several
// in lower, or "".
func unspecifiedOne(lower string) string {
	if unspecifiedOneCues.FindLower(lower) == "" {
		return ""
	}
	return unspecifiedOneRe.FindString(lower)
}

// negatedWithin reports whether a "not" of lexicon.Neg stands in the part of
// lower-case text that holds phrase: between the conjunctions ("och",
// "men", "and", "but") before and after it.
func negatedWithin(text, phrase string) bool {
	lower := strings.ToLower(text)
	i := strings.Index(lower, phrase)
	if i < 0 {
		return lexicon.Neg.FindLower(lower) != ""
	}
	start, end := 0, len(lower)
	for _, loc := range conjunctionRe.FindAllStringIndex(lower, -1) {
		if loc[1] <= i {
			start = loc[0]
		} else if loc[0] >= i+len(phrase) && loc[0] < end {
			end = loc[0]
		}
	}
	return lexicon.Neg.FindLower(lower[start:end]) != ""
}

// deniedJustBefore reports whether one of the three words before phrase in
// lower-case text is a "not": "I never signed up", "jag har inte anmält
// mig", but not the "varken" of "varken jag eller X, som jag anmälde".
func deniedJustBefore(text, phrase string) bool {
	i := strings.Index(text, phrase)
	if i < 0 {
		return false
	}
	words := strings.Fields(text[:i])
	if len(words) > 3 {
		words = words[len(words)-3:]
	}
	return lexicon.Neg.FindLower(" "+strings.Join(words, " ")+" ") != ""
}

var (
	// ownSeatRe is the writer's own seat: "min plats", "my seat".
	// The seat she was given is hers too: "platsen jag fick", "the place I
	// was given", a session's ("torsdagens plats kan ni släppa till någon
	// annan"); a chair is a seat ("min stol kan ni ge till någon annan").
	ownSeatRe = regexp.MustCompile(`(?:^|[^\p{L}])(?:(?:min|vår|mitt|my|our)\s+(?:plats|platsen|stol|seat|place|spot|ticket|chair)|(?:platsen|stolen|the seat|the place|the spot)\s+(?:som\s+|that\s+)?(?:jag|vi|i|we)\s+(?:fick|har|hade|got|had|was given|were given)|(?:måndag|tisdag|onsdag|torsdag|fredag)ens\s+plats(?:en)?)(?:$|[^\p{L}])`)
	// seatWords are what ownSeatRe needs.
	seatWords = message.Phrases{"plats", "seat", "place", "spot", "ticket", "stol", "chair"}
	// seatAwayMarks say that a seat goes to someone else or is not used.
	seatAwayMarks = message.Phrases{"någon annan", "nån annan", "|nästa|", "someone else", "somebody else", "kan ni använda", "can use it",
		"someone who can use",
		"whoever", "next in line", "next person", "waiting list", "|offer it", "|give it", "|pass it"}
	// seatUnusedRe is a seat the writer will not use: "won't be able to
	// use my seat", "kan inte använda min plats".
	seatUnusedRe = regexp.MustCompile(`(?:won't|will not|can't|cannot|unable to|not be able to|don't|do not|inte|ej)\s+(?:\p{L}+\s+){0,3}(?:use|need|använda|utnyttja|nyttja|behöva)\b|\bbehöver\s+(?:\p{L}+\s+)?(?:inte|ej)\b`)
	// giveOwnSeatRe gives the writer's own seat away: "ge min plats till
	// någon på väntelistan", "please offer my place to someone else".
	giveOwnSeatRe = regexp.MustCompile(`(?:^|[^\p{L}])(?:ge|ger|lämna|lämnar|släpp|släpper|överlåt|överlåter|give|offer|pass|hand)\s+(?:bort\s+|över\s+|on\s+|away\s+|ifrån\s+mig\s+|over\s+)?(?:(?:min|my)\s+(?:plats|platsen|seat|place|spot)|platsen)(?:$|[^\p{L}])`)
)

// seatGivenUp returns the words by which a clause gives the writer's own
// seat up, or "": her seat goes to someone else ("min plats kan gå till
// någon annan", "please offer it to whoever is next") or is not used ("I
// won't be able to use my seat"). A question ("kan jag ge min plats till
// en kollega?") is no withdrawal, and the caller passes none.
func seatGivenUp(text string) string {
	if seatWords.FindLower(text) == "" {
		return "" // most clauses name no seat: the patterns run only where one can match
	}
	loc := ownSeatRe.FindStringIndex(text)
	if loc == nil {
		// "Jag lämnar ifrån mig platsen så att någon annan får den."
		if m := giveOwnSeatRe.FindString(text); m != "" && lexicon.Neg.FindLower(text) == "" && (seatAwayMarks.FindLower(text) != "" || strings.Contains(m, "ifrån mig")) {
			return strings.TrimSpace(m)
		}
		return ""
	}
	seat := strings.TrimSpace(text[loc[0]:loc[1]])
	if m := seatAwayMarks.FindLower(text); m != "" && lexicon.Neg.FindLower(commaPartAt(text, loc[0])) == "" {
		// Not "jag vill inte att min plats går till någon annan".
		return seat + " … " + m
	}
	if m := seatUnusedRe.FindString(text); m != "" {
		return m + " " + seat
	}
	if m := giveOwnSeatRe.FindString(text); m != "" && lexicon.Neg.FindLower(text) == "" {
		return strings.TrimSpace(m)
	}
	return ""
}
