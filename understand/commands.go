package understand

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/dates"
	"github.com/goteborgsregionen/anmalan/understand/diet"
	"github.com/goteborgsregionen/anmalan/understand/reading"
	"github.com/goteborgsregionen/anmalan/understand/stem"
)

// The organiser writes changes as she writes to a colleague ("Cecilia Nord
// behöver strykas", "Moa på väntelistan kan komma med", "Jonas Berg ersätter
// Maria Lund", "please drop Tom"). The reader is a small grammar of those
// sentences, not a list of them: each clause is read for its verb (by stem,
// so every form of "stryka" or "remove" is one entry), the people it names
// (an address with its name, a name, a first name or surname of the thread's
// people, a pronoun bound to the person named before or to the one she
// writes to) and its mood; where the people stand around the verb gives
// their roles. When unsure it does not act: a name that fits two people is
// a question to her (Ask, with the candidates); a condition, a maybe, or a
// verb whose person cannot be found leaves the change for a human.

// DescribeChanges returns the actions of cs, for a reason or a log line:
// "cancel, promote".
func DescribeChanges(cs []reading.Change) string {
	var names []string
	for _, c := range cs {
		names = append(names, string(c.Action))
	}
	return strings.Join(names, ", ")
}

// commandReading is what the organiser's own text asks for.
type commandReading struct {
	changes []reading.Change
	// ask: a change names someone who fits several people (Candidates);
	// nothing may be done before she says which.
	ask bool
	// unsure says why a change she seems to ask for was set aside.
	unsure []reading.Alternative
	// withheld is true when one of the changes set aside would have taken
	// or given a seat (a cancellation, promotion or substitution, not a
	// registration): the mail she forwards below it is then not read as
	// hers to act on either, since the note above it says something else
	// is to happen and the reader could not tell what.
	withheld bool
	// askable is true when a change was set aside only for want of whom
	// (or whose place) it is about: a question to her settles it. A
	// change said on a condition or as a maybe (unsure too) is hers to
	// decide, and a question would be a guess: then askable is false.
	askable, decided bool
}

// takesOrGivesSeat reports whether c moves a seat between people already
// known to the desk: a cancellation, promotion or substitution.
func takesOrGivesSeat(c reading.Change) bool {
	switch c.Action {
	case reading.ActionCancel, reading.ActionPromote, reading.ActionSubstitute:
		return true
	}
	return false
}

// commandUnderstanding fills u from what readCommands found; ok is false
// when the mail holds no change that is sure or needs a question: then the
// mail may still be a forward, and u is what it is when it is not (other,
// with why any change was set aside).
func commandUnderstanding(u reading.Understanding, cr commandReading, from, authReason string) (reading.Understanding, bool) {
	switch {
	case cr.ask:
		u.Kind, u.Ask, u.Changes = reading.KindOther, true, cr.changes
		u.Alternatives = cr.unsure
		var names []string
		for _, c := range cr.changes {
			for _, p := range c.Candidates {
				names = append(names, fmt.Sprintf("%s <%s>", p.Name, p.Email))
			}
		}
		u.Reason = fmt.Sprintf("an organiser's change from %s names someone who fits more than one person (%s): she is asked which; %s", from, strings.Join(names, ", "), authReason)
		return u, true
	case len(cr.changes) > 0:
		u.Kind, u.Changes = reading.KindCommand, cr.changes
		u.Alternatives = cr.unsure
		u.Reason = fmt.Sprintf("an organiser's command (%s) from %s; %s", DescribeChanges(cr.changes), from, authReason)
		return u, true
	case len(cr.unsure) > 0:
		u.Kind = reading.KindOther
		u.Alternatives = cr.unsure
		// "Stryk henne" with nobody named, "X kommer som ersättare"
		// without whose place: she is asked whom she means.
		u.Ask = cr.askable && !cr.decided
		u.Reason = fmt.Sprintf("a mail from the organiser %s with a change the bot is not sure of: %s", from, cr.unsure[0].Why)
		return u, false
	}
	u.Kind = reading.KindOther
	u.Reason = "a mail from the organiser " + from + " with no command the bot knows"
	return u, false
}

// known is a person the mail names with an address, anywhere in it (the
// own text, the quoted thread, the To and Cc): what a first name or a name
// without an address is matched against.
type known struct{ name, email string }

// cmdWord is one word of a clause, as written, in lower case and as a stem.
type cmdWord struct {
	lower, stem string
	start, end  int
}

// wordsOf splits s into its words: a letter or digit, then letters,
// digits and the marks inside words (' ’ : -), which are not kept at the
// end.
func wordsOf(s string) []cmdWord {
	var ws []cmdWord
	start := -1
	inWord := func(r rune, first bool) bool {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
		return !first && (r == '\'' || r == '’' || r == ':' || r == '-')
	}
	flush := func(end int) {
		w := strings.TrimRight(s[start:end], "'’:-")
		l := strings.ToLower(w)
		ws = append(ws, cmdWord{lower: l, stem: stem.Word(l), start: start, end: start + len(w)})
		start = -1
	}
	for i, r := range s {
		switch {
		case start < 0 && inWord(r, true):
			start = i
		case start >= 0 && !inWord(r, false):
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(s))
	}
	return ws
}

// stems returns the set of stems of the forms given.
func stems(forms ...string) map[string]bool {
	m := map[string]bool{}
	for _, f := range forms {
		m[stem.Word(f)] = true
	}
	return m
}

// The lexicon: each set holds the forms of the verbs of one action, which
// are compared by stem. A verb with a particle ("ta bort", "take … off")
// is the head here and the particle in particles.
var (
	cancelVerbs = stems("avanmäla", "avanmäld", "avanmält", "avanmälde", "avanmälts", "stryka", "stryk", "stryker", "struken", "strukit",
		"strök", "stryks", "avregistrera", "avregistrerad", "radera", "raderat", "cancel", "cancelled", "canceled", "remove", "removed", "delete",
		"deleted", "drop", "dropped", "unregister", "unregistered", "avboka", "avbokat", "avbokas", "avbokad", "avbokade")
	// cancelParticleVerbs take a particle: "ta bort", "plocka bort", "take
	// … off", "cross … off".
	cancelParticleVerbs = stems("ta", "tar", "tas", "tagit", "tog", "plocka", "plockat", "plockas", "take", "taken", "took", "cross", "crossed", "strike", "struck")
	cancelParticles     = map[string]bool{"bort": true, "off": true}
	registerVerbs       = stems("anmäl", "anmäla", "anmäler", "anmäls", "anmälas", "registrera", "registreras", "register", "add", "added", "enrol",
		"enroll", "include", "book")
	// registerParticleVerbs: "lägg till", "för upp", "skriv in", "sätt
	// upp", "boka in", "lägg in", "sign up", "put … on".
	registerParticleVerbs = stems("lägg", "lägga", "lägger", "läggs", "lagt", "för", "föra", "förs", "fört", "skriv", "skriva", "skriver",
		"skrivs", "skrivit", "sätt", "sätta", "sätter", "sätts", "satt", "boka", "bokar", "bokas", "bokat", "sign", "put", "signed")
	// registerPast are the registration verbs as history: "har anmält
	// sig", "registrerade", "signed up".
	registerPast = map[string]bool{"anmält": true, "anmälde": true, "anmäld": true, "anmälda": true, "anmälts": true, "registrerat": true,
		"registrerade": true, "registrerad": true, "registrerats": true, "registered": true, "booked": true}
	registerParticles = map[string]bool{"till": true, "upp": true, "in": true, "on": true, "up": true}
	substituteVerbs   = stems("byt", "byta", "byter", "byts", "bytt", "ersätt", "ersätta", "ersätter", "ersätts", "ersatt", "ersatts",
		"replace", "replaced", "replaces", "swap", "swapped", "substitute", "substituted")
	promoteVerbs = stems("flytta", "flyttar", "flyttas", "flyttat", "move", "moved", "promote", "promoted", "släpp", "släppa", "släpper", "släpps", "bump", "bumped")
	// giveVerbs give a seat: "ge henne en plats", "ge platsen till …",
	// "give her a seat".
	giveVerbs = stems("ge", "ger", "ges", "gett", "give", "given", "gave")
	// seatPronouns point at a seat named before in the sentence.
	seatPronouns = map[string]bool{"it": true, "den": true, "one": true}
	seatNouns    = map[string]bool{"plats": true, "platsen": true, "seat": true, "place": true, "spot": true, "seats": true}
	// getVerbs are a seat given as a state: "får en plats", "får komma",
	// "gets a seat", "can have a seat".
	getVerbs     = map[string]bool{"får": true, "få": true, "gets": true, "get": true, "have": true}
	waitingWords = []string{"väntelist", "reservlist", "waiting list", "waitlist", "reserve list", "reservplats"}
	// participate are the verbs of taking part; negated they withdraw
	// ("hon kommer inte", "kan inte vara med", "cannot attend").
	participate = stems("komma", "kommer", "kom", "delta", "deltar", "närvara", "närvarar", "come", "coming", "attend", "attending", "join")
	negWords    = map[string]bool{"inte": true, "ej": true, "icke": true, "not": true, "never": true, "aldrig": true, "cannot": true, "can't": true,
		"won't": true, "don't": true, "isn't": true, "can’t": true, "won’t": true, "don’t": true, "isn’t": true}
	hedgeWords = map[string]bool{"kanske": true, "eventuellt": true, "möjligen": true, "möjligtvis": true, "troligen": true, "nog": true,
		"maybe": true, "perhaps": true, "possibly": true, "might": true, "probably": true}
	condWords = map[string]bool{"om": true, "ifall": true, "såvida": true, "if": true, "unless": true}
	// withdrawStates are a withdrawal said as news about someone:
	// "har lämnat återbud", "har fått förhinder", "has cancelled".
	withdrawStates = message.Phrases{"lämnat återbud", "lämnar återbud", "lämnade återbud", "fått förhinder", "har förhinder", "får förhinder",
		"fick förhinder", "ska inte vara med", "kan inte vara med", "kommer inte att vara med", "has cancelled", "has canceled", "has withdrawn",
		"can't make it", "cannot make it", "can not make it", "won't make it", "will not make it", "hoppat av", "hoppar av", "hoppade av", "fått återbud från", "fick återbud från",
		"dragit sig ur", "drar sig ur", "drog sig ur", "backat ur", "backar ur", "no longer coming", "no longer attending", "no longer able",
		"has dropped out", "dropped out", "pulled out", "has withdrawn",
		// Saying no to the seat is news of a withdrawal too: "har hört av
		// sig och tackat nej".
		"tackat nej", "tackar nej", "tackade nej", "has declined", "declined the place", "declined her place", "declined his place"}
	requestFrames = message.Phrases{"kan du", "kan ni", "kunde du", "kunde ni", "skulle du", "skulle ni", "vill du", "vill ni", "kan jag få",
		"kan vi få", "får jag", "är du snäll", "could you", "can you", "would you", "will you", "could i", "can i", "may i", "please"}
	listNouns    = stems("lista", "listan", "deltagarlista", "deltagarlistan", "deltagarförteckning", "deltagarförteckningen", "list", "excel", "excelfil", "excel-fil", "attendees")
	listVerbs    = stems("skicka", "skickar", "mejla", "maila", "mejl", "få", "ha", "send", "mail", "email", "e-mail", "get", "have", "export", "exportera", "ta fram", "se", "see")
	listPreps    = map[string]bool{"på": true, "från": true, "till": true, "ur": true, "i": true, "off": true, "on": true, "from": true, "to": true, "onto": true, "in": true}
	seatsChange  = stems("ändra", "ändras", "utöka", "utökas", "öka", "ökas", "minska", "minskas", "höj", "höja", "sänk", "sänka", "blir", "sätt", "sätta", "change", "increase", "increased", "reduce", "reduced", "raise", "set", "now", "nu", "till")
	seatsNounSet = map[string]bool{"platser": true, "platserna": true, "seats": true, "places": true}
	// sessionAfterCount are the words after "plats för 60" that go on to
	// when, not to what is counted ("plats för 60 den 11:e").
	sessionAfterCount = map[string]bool{"nu": true, "now": true, "den": true, "on": true, "the": true, "på": true, "i": true, "at": true, "in": true}
	roomNouns         = map[string]bool{"sal": true, "salen": true, "lokal": true, "lokalen": true, "room": true, "hall": true, "venue": true}
	// pronouns are the words that point at a person named before, or at
	// the person she writes to.
	pronouns = map[string]PronounKind{"hon": PronounOther, "han": PronounOther, "henne": PronounOther, "honom": PronounOther, "hans": PronounOther,
		"hennes": PronounOther, "she": PronounOther, "he": PronounOther, "her": PronounOther, "him": PronounOther, "his": PronounOther,
		"hen": PronounOther, "dig": PronounYou, "ditt": PronounYou, "din": PronounYou, "you": PronounYou, "your": PronounYou}
)

var (
	sentenceEndRe = regexp.MustCompile(`[.!?](\s+|$)`)
	// clauseSepRe separates the clauses of a sentence: "avanmäl Anna och
	// flytta upp Bo", "byt Cia mot Dan; stryk Eva".
	// A dash between spaces parts clauses too ("Hilma kan inte – stryk
	// henne"), so that the "inte" of one is not read into the next.
	clauseSepRe = regexp.MustCompile(`(?i)\s*[;,]\s*|\s+[–—-]\s+|\s+(och|samt|men|sedan|and|but|then|also)\s+`)
	helpCmdRe   = regexp.MustCompile(`(?i)^\W*(hjälp|help|kommandon|commands)\W*$`)
	statusRe    = regexp.MustCompile(`(?i)(^|[^\p{L}])(hur många|how many|hur ser det ut med (anmälningarna|anmälningar|platserna|deltagarna))([^\p{L}]|$)|^\W*(status|läget)\W*$`)
	// greetingRe is the greeting at the start of a line, with the name
	// greeted: "Hej Nadia," names the person she writes to, not someone
	// to change.
	greetingRe = regexp.MustCompile(`(?i)^\s*(hej|hejsan|hallå|hi|hello|dear|god morgon|good morning)(\s+\p{Lu}[\p{L}-]*){0,2}\s*[,!.:]?`)
	// genitiveRe is a name in the genitive before a place: "Ahmed Yusufs
	// plats", "i Karins ställe", "Alex's place".
	namedPlaceRe = regexp.MustCompile(`(\p{Lu}\p{L}+(?:\s+\p{Lu}\p{L}+)?)(?::s|s|'s|’s)\s+(ställe|plats|place|seat|spot)`)
	numberRe     = regexp.MustCompile(`\d{1,5}`)
)

// readCommands reads an organiser's commands from her own text, sentence
// by sentence and clause by clause; quoted is the thread below it, whose
// people a first name or a pronoun may mean.
func readCommands(v reading.View, quoted string, cfg *config.Config) commandReading {
	bot := cfg.BotAddress()
	skip := func(a string) bool {
		la := strings.ToLower(a)
		return la == bot || cfg.IsOrganiser(la)
	}
	r := &cmdReader{v: v, cfg: cfg, skip: skip, newcomer: -1}
	// "you" in "går i ditt ställe" is the person she writes to.
	for _, a := range v.To {
		if !skip(a.Address) {
			r.you = known{name: reading.NormaliseName(a.Name), email: strings.ToLower(a.Address)}
			break
		}
	}
	r.people = knownPeople(v, quoted, skip)
	r.senders = quotedSenders(quoted, skip)
	r.written = writtenNames(v.Body + "\n" + message.Head(quoted, 8000))
	if strings.TrimSpace(quoted) != "" {
		r.quotedPeople = knownPeople(reading.View{}, quoted, skip)
	}
	for _, para := range joinLists(v.Body) {
		for _, s := range SplitSentences(para) {
			r.sentence(s)
		}
	}
	out := r.finish()
	if len(out.changes) == 0 && len(out.unsure) == 0 {
		if a, ok := answerToWhich(v, quoted, r); ok {
			return a
		}
	}
	return out
}

// cmdReader holds what reading one mail's commands needs from one sentence
// to the next: who was named last, for the pronouns.
type cmdReader struct {
	v            reading.View
	cfg          *config.Config
	skip         func(string) bool
	you          known
	people       []known
	quotedPeople []known // those of the quoted or forwarded mail alone
	last         *Ref    // the person named last, for "hon", "henne", "her"
	// unread is true when a clause after the person named last has a
	// name of its own as its subject that fits nobody of the mail ("Nils
	// kan inte komma" with no Nils in it): a "honom" after it points at
	// that name, never at someone else named earlier or quoted below.
	unread bool
	// written are the words of the names written in the mail and the
	// thread it quotes, with or without an address ("Nils Berg"), folded:
	// a first name alone that is one of them is a person's, even where
	// the reader cannot tell whose.
	written map[string]bool
	// senders are the writers of the mails she answers or forwards, from
	// their "Från:"/"From:" lines: a name of one of them is that address.
	senders []known
	// prev are the people of the clause before in the sentence, which a
	// clause without its own shares ("Lindberg har ringt och lämnat återbud").
	prev []Ref
	// seatSaid is true when the sentence read names a seat, which a
	// pronoun after a verb of giving may point at.
	seatSaid bool
	// newcomer indexes out.changes: the last person brought in, for a diet
	// said after; -1 if none.
	newcomer int
	// unreadSubstitution is true when a clause has a verb of substitution
	// whose people could not all be read: see finish.
	unreadSubstitution bool
	out                commandReading
}

// knownPeople returns the people the mail names with an address: in its
// own text, in the thread it quotes and in its To and Cc.
func knownPeople(v reading.View, quoted string, skip func(string) bool) []known {
	var out []known
	add := func(name, email string) {
		email = strings.ToLower(email)
		if skip(email) {
			return
		}
		for i := range out {
			if out[i].email == email {
				if out[i].name == "" {
					out[i].name = name
				}
				return
			}
		}
		out = append(out, known{name: name, email: email})
	}
	for _, a := range append(append([]*mail.Address{}, v.To...), v.Cc...) {
		add(reading.NormaliseName(a.Name), a.Address)
	}
	for _, line := range strings.Split(v.Body+"\n"+message.Head(quoted, 8000), "\n") {
		line = strings.TrimLeft(line, "> ")
		prev := 0
		for _, loc := range message.AddrSpecRe.FindAllStringIndex(line, 20) {
			name := reading.NameBefore(line[prev:loc[0]])
			if name == "" {
				name = reading.NameAfter(line[loc[1]:])
			}
			add(name, line[loc[0]:loc[1]])
			prev = loc[1]
		}
	}
	for i := range out {
		if out[i].name == "" {
			out[i].name = reading.NameFromAddress(out[i].email)
		}
	}
	return out
}

// quotedSenders returns the writers, with their addresses, of the mails
// quoted: their "Från: Name <address>" lines.
func quotedSenders(quoted string, skip func(string) bool) []known {
	var out []known
	for _, from := range message.QuotedFroms(message.Head(quoted, 8000)) {
		a, err := mail.ParseAddress(from)
		if err != nil || a.Name == "" || skip(a.Address) {
			continue
		}
		out = append(out, known{name: reading.NormaliseName(a.Name), email: strings.ToLower(a.Address)})
	}
	return out
}

// joinLists puts a list under a line that ends in a colon ("stryk
// följande:" and one address a line, or "skriv in följande person:" and
// form fields, "Namn: …", "E-post: …") into that line, and a sentence a
// mail client wrapped onto the next line back into one, so that the verb
// and its people are read as one sentence. The other lines are returned
// as they are.
func joinLists(body string) []string {
	lines := strings.Split(body, "\n")
	var out []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		for line != "" && !strings.ContainsAny(line[len(line)-1:], ".!?:;") && i+1 < len(lines) && continuation(lines[i+1]) {
			// "… ersätts" / "   av sin kollega …": a wrapped sentence.
			i++
			line += " " + strings.TrimSpace(lines[i])
		}
		if strings.HasSuffix(line, ":") {
			var items []string
			j := i + 1
			for ; j < len(lines); j++ {
				item := strings.TrimSpace(reading.ListMarkerRe.ReplaceAllString(lines[j], ""))
				if item == "" && j == i+1 {
					continue // a blank line between the colon and the list
				}
				if m := formFieldRe.FindStringSubmatch(item); m != nil {
					items = append(items, strings.TrimSpace(m[1]))
					continue
				}
				if item == "" || !message.AddrSpecRe.MatchString(item) || len(strings.Fields(item)) > 6 {
					break
				}
				items = append(items, strings.TrimRight(item, ".,;"))
			}
			if len(items) > 0 && slices.ContainsFunc(items, func(it string) bool { return message.AddrSpecRe.MatchString(it) }) {
				out = append(out, strings.TrimSuffix(line, ":")+" "+strings.Join(items, ", ")+".")
				i = j - 1
				continue
			}
		}
		out = append(out, line)
	}
	return out
}

// formFieldRe is a line of a form a person is written in: its value.
var formFieldRe = regexp.MustCompile(`(?i)^(?:namn|name|e-post|epost|e-mail|email|mejl|mail|adress|organisation|organization|org|kommun|förvaltning|arbetsplats|specialkost|kost|diet|allergi|allergier)\s*:\s*(\S.*)$`)

// continuation reports whether a line goes on the sentence of the line
// before: it starts, after its indent, with a small letter.
func continuation(line string) bool {
	t := strings.TrimSpace(line)
	if t == "" || reading.ListMarkerRe.MatchString(t) {
		return false
	}
	return unicode.IsLower([]rune(t)[0])
}

// SplitSentences splits one line into its sentences, each with its
// closing mark.
func SplitSentences(line string) []string {
	var out []string
	last := 0
	for _, loc := range sentenceEndRe.FindAllStringIndex(line, -1) {
		out = append(out, strings.TrimSpace(line[last:loc[1]]))
		last = loc[1]
	}
	if rest := strings.TrimSpace(line[last:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// sentence reads one sentence: its clauses, each with its verb and people.
func (r *cmdReader) sentence(s string) {
	text := strings.TrimSpace(s)
	if loc := greetingRe.FindStringIndex(s); loc != nil {
		s = strings.Repeat(" ", loc[1]) + s[loc[1]:]
	}
	if strings.TrimSpace(s) == "" {
		return
	}
	lower := strings.ToLower(s)
	question := strings.HasSuffix(strings.TrimSpace(s), "?")
	request := requestFrames.FindLower(lower) != ""
	waiting := slices.ContainsFunc(waitingWords, func(w string) bool { return strings.Contains(lower, w) })
	r.seatSaid = slices.ContainsFunc(wordsOf(lower), func(w cmdWord) bool { return seatNouns[w.lower] })
	if helpCmdRe.MatchString(s) {
		r.emit(reading.Change{Action: reading.ActionHelp, Text: text})
		return
	}
	conditional := false // a clause of condition ("om hon inte kan,") binds the clause after it
	r.prev = nil
	for _, c := range commandClauses(s) {
		conditional = r.clause(s, c, text, question, request, waiting, conditional)
	}
	if d := diet.Said(s); d != "" && r.newcomer >= 0 {
		// "Hon äter vegetariskt", "ta med Elin, hon är glutenintolerant":
		// the person just brought in, when the sentence points at her.
		if p := r.out.changes[r.newcomer].By; p.Diet == "" && (r.pointsAt(s, p) || len(wordsOf(s)) <= 4 && !hasVerb(s)) {
			// "Lägg till Amir …. Laktosfri kost.": a sentence that is only
			// a diet is the newcomer's too.
			p.Diet = d
		}
	}
}

// span is a clause: a part of its sentence.
type span struct{ start, end int }

// commandClauses splits a sentence that holds several commands into one
// clause per command, so that "avanmäl Anna och flytta upp Bo" cancels Anna
// and promotes Bo instead of reading one verb for both. A part without a
// verb of its own ("avanmäl Anna, Bo och Cia"; "Anna och Bo får en plats";
// "add Peter, peter@…, in her place") stays with the clause it belongs to.
func commandClauses(s string) []span {
	var parts []span
	last := 0
	for _, loc := range clauseSepRe.FindAllStringIndex(s, -1) {
		parts = append(parts, span{last, loc[0]})
		last = loc[1]
	}
	parts = append(parts, span{last, len(s)})
	var clauses []span
	for _, p := range parts {
		verb := hasVerb(s[p.start:p.end])
		switch {
		case len(clauses) == 0:
			clauses = append(clauses, p)
		case !verb:
			clauses[len(clauses)-1].end = p.end
		case !hasVerb(s[clauses[len(clauses)-1].start:clauses[len(clauses)-1].end]):
			// What came before had no verb of its own ("Hennes kollega
			// Lars Wendt," or the names before "får en plats"): it
			// belongs here.
			clauses[len(clauses)-1].end = p.end
		default:
			clauses = append(clauses, p)
		}
	}
	return clauses
}

// hasVerb reports whether a part of a sentence has a verb of its own: a
// finite verb or a command, anything but a list of names or a phrase.
func hasVerb(s string) bool {
	ws := wordsOf(s)
	for _, w := range ws {
		if cancelVerbs[w.stem] || registerVerbs[w.stem] || substituteVerbs[w.stem] || promoteVerbs[w.stem] || giveVerbs[w.stem] ||
			participate[w.stem] || getVerbs[w.lower] || cancelParticleVerbs[w.stem] || registerParticleVerbs[w.stem] || listVerbs[w.stem] || seatsChange[w.stem] {
			return true
		}
		switch w.lower {
		case "har", "hade", "är", "var", "blir", "kan", "ska", "skall", "måste", "behöver", "hör", "has", "have", "had", "is", "was", "will", "can", "must", "needs", "should", "står", "går", "tar", "takes", "goes":
			return true
		}
	}
	return statusRe.MatchString(s) || withdrawStates.FindLower(strings.ToLower(s)) != ""
}

// clause reads one clause c of sentence s and emits its change. It
// returns whether the clause is itself a condition that binds the next.
func (r *cmdReader) clause(s string, c span, text string, question, request, waiting, condBefore bool) bool {
	cs := s[c.start:c.end]
	lower := strings.ToLower(cs)
	// The words are read without the addresses, whose parts are no
	// words of the sentence ("ge bo.ek@ale.example en plats").
	ws := wordsOf(message.AddrSpecRe.ReplaceAllStringFunc(cs, func(a string) string { return strings.Repeat(" ", len(a)) }))
	if len(ws) == 0 {
		return false
	}
	refs := r.refsIn(cs)
	if r.unreadSubject(cs, ws, refs) {
		r.unread = true
	}
	var neg, hedge, cond bool
	// The "inte" of a diet ("hon äter inte fisk") denies nothing of the
	// clause's change.
	diets := diet.Mentions(cs)
	inDiet := func(w cmdWord) bool {
		return slices.ContainsFunc(diets, func(m diet.Mention) bool { return w.start >= m.Start && w.end <= m.End })
	}
	for i, w := range ws {
		neg = neg || (negWords[w.lower] || strings.HasSuffix(w.lower, "n't") || strings.HasSuffix(w.lower, "n’t")) && !inDiet(w)
		hedge = hedge || hedgeWords[w.lower]
		if condWords[w.lower] && (w.lower != "om" || i+1 < len(ws) && conditionSubject(ws[i+1], cs)) {
			cond = true
		}
	}
	startsWithCond := condWords[ws[0].lower] && cond
	cond = cond || condBefore

	// A clause without people of its own shares those of the clause
	// before ("Lindberg har ringt och lämnat återbud"); where people stand
	// (who takes whose place) is read in the clause's own only.
	shared := refs
	if len(refs) == 0 {
		shared = r.prev
		if p := namedRefs(r.prev); len(p) > 0 && (ws[0].lower == "som" || ws[0].lower == "who") {
			// "… i stället för Inger Malmros (…), som inte kan komma":
			// a relative clause is about the person just before it.
			shared = p[len(p)-1:]
		}
	}
	defer func() { r.prev = shared }()
	// Under a condition or a maybe, a "not" belongs to them ("om hon
	// inte hör av sig"), not to the verb: the verb is found to be set
	// aside below, with why.
	unsureBefore := len(r.out.unsure)
	ch, verb := r.read(cs, lower, ws, refs, shared, neg && !cond && !hedge, neg, waiting)
	defer func() {
		// The words each change set aside was read from, for a question.
		for i := unsureBefore; i < len(r.out.unsure); i++ {
			if r.out.unsure[i].Text == "" {
				r.out.unsure[i].Text = reading.Clip(text)
			}
		}
	}()
	if verb == "" {
		r.remember(refs)
		return startsWithCond
	}
	why := func(w string) reading.Alternative {
		return reading.Alternative{Kind: reading.KindCommand, Why: fmt.Sprintf("%q %s: %s", verb, w, reading.Clip(text))}
	}
	if (cond || hedge || question && !request) && slices.ContainsFunc(ch, takesOrGivesSeat) {
		r.out.withheld = true
	}
	if cond || hedge || question && !request && ch != nil {
		r.out.decided = true // hers to decide: no question settles it
	}
	switch {
	case cond:
		r.out.unsure = append(r.out.unsure, why("is said on a condition"))
		ch = nil
	case hedge:
		r.out.unsure = append(r.out.unsure, why("is said as a maybe"))
		ch = nil
	case question && !request && ch != nil && ch[0].Action != reading.ActionList && ch[0].Action != reading.ActionStatus && ch[0].Action != reading.ActionHelp:
		r.out.unsure = append(r.out.unsure, why("is asked, not requested"))
		ch = nil
	}
	for i := range ch {
		ch[i].Text = text
		r.emit(ch[i])
	}
	r.remember(refs)
	return startsWithCond
}

// finiteAfterSubject are the verbs that follow the subject of a clause of
// news about a person: "Nils kan inte komma", "Nils har lämnat återbud",
// "Nils is ill".
var finiteAfterSubject = map[string]bool{"kan": true, "kunde": true, "har": true, "hade": true, "är": true, "var": true, "blir": true,
	"ska": true, "skall": true, "skulle": true, "måste": true, "kommer": true, "hinner": true, "får": true, "fick": true, "vill": true,
	"behöver": true, "tackar": true, "lämnar": true, "hoppar": true, "slutar": true, "can": true, "could": true, "has": true, "had": true,
	"is": true, "was": true, "will": true, "won't": true, "cannot": true, "can't": true, "isn't": true, "wasn't": true, "hasn't": true,
	"doesn't": true, "didn't": true, "needs": true, "must": true}

// unreadSubject reports whether the clause names someone the reader could
// not bind to a person of the mail, whom a pronoun after it means: a
// capitalised word alone that is part of a name written in the mail or its
// thread ("Nils" beside "Nils Berg" without an address), or that is the
// subject of its verb ("Nils kan inte komma", "Nils ringde") when the mail
// names no Nils at all.
func (r *cmdReader) unreadSubject(cs string, ws []cmdWord, refs []Ref) bool {
	for i := range ws {
		w := cs[ws[i].start:ws[i].end]
		if !unicode.IsUpper([]rune(w)[0]) || overlaps(refs, ws[i].start, ws[i].end) {
			continue
		}
		l := ws[i].lower
		if reading.NotNameWords[l] || pronouns[l] != "" || greetingWord(w) || titleWords[l] || hasVerb(w) || subjectWords[l] {
			continue
		}
		// "Annika däremot kan inte komma": an adverb may stand between.
		if r.written[fold(l)] || i+1 < len(ws) && finiteVerb(ws[i+1].lower) || i == 0 && i+2 < len(ws) && finiteAfterSubject[ws[i+2].lower] {
			return true
		}
	}
	return false
}

// finiteVerb reports whether w is a verb that follows a subject: one of
// finiteAfterSubject, or a past tense ("ringde", "meddelade", "skrev" is
// not, "called").
func finiteVerb(w string) bool {
	if finiteAfterSubject[w] {
		return true
	}
	n := utf8.RuneCountInString(w)
	return n >= 5 && (strings.HasSuffix(w, "de") || strings.HasSuffix(w, "te") || strings.HasSuffix(w, "ed"))
}

// writtenNames returns the folded words of the runs of two or three
// capitalised words in s, the names it writes.
func writtenNames(s string) map[string]bool {
	out := map[string]bool{}
	for _, run := range reading.CapRunRe.FindAllString(s, 200) {
		for _, w := range strings.Fields(run) {
			if l := strings.ToLower(w); !reading.NotNameWords[l] && !greetingWord(w) && !titleWords[l] {
				out[fold(l)] = true
			}
		}
	}
	return out
}

// subjectWords are the capitalised words that start a clause without being
// anyone's name: "Ingen kan", "Alla har", "Vem kan".
var subjectWords = map[string]bool{"ingen": true, "alla": true, "någon": true, "nån": true, "vem": true, "man": true, "ni": true, "du": true,
	"detta": true, "dessa": true, "de": true, "dom": true, "hen": true, "everyone": true, "nobody": true, "someone": true, "who": true,
	"it": true, "this": true, "that": true, "they": true, "i": true, "we": true, "you": true, "there": true, "what": true, "vad": true, "var": true}

// conditionSubject reports whether the word after "om" makes it "if"
// rather than "about": a pronoun, "det", or a name.
func conditionSubject(w cmdWord, s string) bool {
	switch w.lower {
	case "jag", "vi", "du", "ni", "hon", "han", "hen", "de", "det", "den", "man", "inte", "någon", "ingen", "alla", "fler", "flera":
		return true
	}
	return unicode.IsUpper([]rune(s[w.start:w.end])[0])
}

// remember keeps the last person named, for the pronouns of the clauses
// after.
func (r *cmdReader) remember(refs []Ref) {
	for i := len(refs) - 1; i >= 0; i-- {
		if refs[i].Named() {
			rf := refs[i]
			r.last = &rf
			r.unread = false
			return
		}
	}
}

// read finds the clause's verb and gives its people their roles. verb is
// the verb found ("" when the clause asks for nothing); the changes are
// nil when it asks for something the reader could not bind to a person.
//
// neg is a "not" that takes back the verb ("stryk honom inte än"); said
// says whether the clause has a "not" at all, which makes a verb of taking
// part a withdrawal ("hon kommer inte").
func (r *cmdReader) read(cs, lower string, ws []cmdWord, own, refs []Ref, neg, said, waiting bool) ([]reading.Change, string) {
	named := namedRefs(refs)
	// Substitution first: its verbs and phrases also hold the words of a
	// registration ("sätter upp Kim i stället för dig") and of a
	// cancellation ("take her off … and add Peter in her place").
	if chs, verb := r.substitution(cs, lower, ws, own); verb != "" {
		if neg {
			return nil, ""
		}
		if waiting {
			chs = fromWaitingList(chs)
		}
		return chs, verb
	}
	// Promotion: "flytta upp", "ge henne en plats", "får komma", "kan
	// komma med" about someone on the waiting list.
	if verb := promoteVerb(ws, waiting, r.seatSaid, neg); verb != "" {
		return r.each(reading.ActionPromote, refs, named, endsInVerb(ws, verb)), verb
	}
	// Cancellation: a verb ("stryk", "ta bort", "remove", "drop") with
	// its people, or news of a withdrawal ("har lämnat återbud", "kan
	// inte komma").
	if verb := cancelVerb(ws); verb != "" {
		if neg {
			return nil, ""
		}
		return r.each(reading.ActionCancel, refs, named, endsInVerb(ws, verb)), verb
	}
	if w := withdrawStates.FindLower(lower); w != "" {
		if len(named) == 0 && len(refs) == len(named) || indefiniteBefore(lower, w) {
			return nil, "" // "om någon lämnar återbud" is about nobody named
		}
		return r.each(reading.ActionCancel, refs, named, false), w
	}
	if said {
		for _, w := range ws {
			if participate[w.stem] {
				if len(named) == 0 && len(refs) == len(named) {
					return nil, ""
				}
				return r.each(reading.ActionCancel, refs, named, false), "inte " + w.lower
			}
		}
		return nil, ""
	}
	if verb := registerVerb(ws); verb != "" {
		people := namedRefs(own)
		if len(people) == 0 {
			// "Jag skriver in dig" to a participant, "kan du skriva in
			// henne?" above the mail she answers: the person the pronoun
			// points at.
			for _, rf := range own {
				if p, ok := r.resolve(rf, nil); ok {
					if len(p.Cands) > 1 {
						return []reading.Change{{Action: reading.ActionRegister, Who: p.Name, Candidates: p.Cands}}, verb
					}
					people = append(people, p)
					break
				}
			}
		}
		var cs2 []reading.Change
		for _, rf := range people {
			if rf.Email == "" {
				continue // a new registration needs an address
			}
			clause := cs
			if len(namedRefs(own)) == 0 {
				clause = "" // a pronoun's person: nothing after her in this clause is hers
			}
			cs2 = append(cs2, reading.Change{Action: reading.ActionRegister, By: r.newPerson(rf, clause)})
		}
		if len(cs2) > 0 {
			return cs2, verb
		}
		// A verb of registering with nobody to register may set the seats:
		// "sätt antalet platser till 25".
	}
	if n, ok := seatsIn(ws, cs); ok {
		return []reading.Change{{Action: reading.ActionSeats, Seats: n}}, "platser"
	}
	if listRequest(ws) {
		return []reading.Change{{Action: reading.ActionList}}, "lista"
	}
	if statusRe.MatchString(cs) {
		return []reading.Change{{Action: reading.ActionStatus}}, "status"
	}
	return nil, ""
}

func namedRefs(refs []Ref) []Ref {
	var out []Ref
	for _, rf := range refs {
		if rf.Named() {
			out = append(out, rf)
		}
	}
	return out
}

// indefiniteBefore reports whether the phrase w of lower has "någon",
// "ingen", "someone" or the like as its subject, just before it.
func indefiniteBefore(lower, w string) bool {
	i := strings.Index(lower, w)
	if i < 0 {
		return false
	}
	before := strings.Fields(lower[:i])
	for k := len(before) - 1; k >= 0 && k >= len(before)-3; k-- {
		switch strings.Trim(before[k], ",.") {
		case "någon", "ingen", "nån", "someone", "somebody", "anyone", "anybody", "nobody", "no one":
			return true
		}
	}
	return false
}

// each gives the action to every person the clause names, or, when it
// names nobody, to the one its pronoun points at. A pronoun that points at
// nobody gives nothing, and is said to be unsure.
func (r *cmdReader) each(a reading.Action, refs, named []Ref, elliptic bool) []reading.Change {
	if len(named) == 0 {
		for _, rf := range refs {
			if p, ok := r.resolve(rf, nil); ok {
				named = append(named, p)
				break
			}
		}
	}
	if len(refs) == 0 && elliptic && r.last != nil && !r.unread {
		// A verb without its object ("Lindberg har lämnat återbud. Kan
		// du stryka?") is about the person just named.
		named = append(named, *r.last)
	}
	var out []reading.Change
	for _, rf := range named {
		if rf.Email == "" && rf.Pronoun == "" && len(rf.Cands) == 0 && a != reading.ActionCancel {
			// "Flytta upp Tindra Vallgren från kön … Hennes adress är
			// tindra.vallgren@…": a name the mail gives an address for
			// elsewhere, and only one, is that address's person. Not for
			// a cancellation: a seat is taken on the name as written, and
			// the decision checks that one registration alone has it
			// ("Anmäl Cia Berg, cia.berg@…. Stryk Cia Berg." with another
			// Cia Berg registered takes nobody's seat).
			if k, ok := r.byName(rf.Name); ok {
				rf.Email = k.email
			}
		}
		out = append(out, reading.Change{Action: a, Who: rf.Who(), Candidates: rf.Cands})
	}
	if len(out) == 0 {
		r.out.unsure = append(r.out.unsure, reading.Alternative{Kind: reading.KindCommand, Why: fmt.Sprintf("%s without anyone it could be about", a)})
		r.out.withheld = r.out.withheld || a != reading.ActionRegister
		r.out.askable = true
	}
	return out
}

// endsInVerb reports whether the clause ends with its verb (and particle),
// but for words of courtesy: "Kan du stryka?", "Ta bort, tack." Such a
// verb has left out its object, which is the person just named; "ge
// platsen till nästa" has one of its own.
func endsInVerb(ws []cmdWord, verb string) bool {
	vs := strings.Fields(verb)
	if len(vs) == 0 {
		return false
	}
	for i := len(ws) - 1; i >= 0; i-- {
		switch ws[i].lower {
		case "tack", "också", "då", "nu", "please", "thanks", "too", "snäll", "är", "du", "åt", "mig":
			continue
		}
		return ws[i].lower == vs[len(vs)-1]
	}
	return false
}

// resolve binds a pronoun: "you" to the person she writes to, "she" to
// the person named last (but not to not, the other party of the clause).
func (r *cmdReader) resolve(rf Ref, not *Ref) (Ref, bool) {
	switch rf.Pronoun {
	case "":
		return rf, true
	case PronounYou:
		if r.you.email == "" {
			return Ref{}, false
		}
		return Ref{Name: r.you.name, Email: r.you.email}, true
	}
	if r.unread {
		return Ref{}, false
	}
	if r.last != nil && (not == nil || r.last.Who() != not.Who()) {
		return *r.last, true
	}
	if r.last == nil && r.quotedPeople != nil {
		// Nobody named before in her own text: "kan du stryka henne?"
		// above the mail she answers or forwards is about its people;
		// one of them is that person, two or more are a question.
		var cands []reading.Person
		for _, k := range r.quotedPeople {
			if k.email != r.you.email && (not == nil || !strings.EqualFold(k.email, not.Email)) {
				cands = append(cands, reading.Person{Name: k.name, Email: k.email})
			}
		}
		switch {
		case len(cands) == 1:
			return Ref{Name: cands[0].Name, Email: cands[0].Email}, true
		case len(cands) > 1:
			return Ref{Name: rf.Word, Cands: cands}, true
		}
	}
	return Ref{}, false
}

// fromWaitingList turns each substitution whose newcomer the sentence
// places on the waiting list ("give her seat to Vilgot Hallin, who is
// first on the waiting list") into what it is: the one leaving is
// cancelled and the newcomer moved up from the list, keeping her place in
// it, rather than registered a second time. A newcomer without an address
// or a name stays a substitution.
func fromWaitingList(chs []reading.Change) []reading.Change {
	var out []reading.Change
	for _, c := range chs {
		if c.Action != reading.ActionSubstitute || c.By == nil || c.Who == "" || len(c.Candidates) > 0 {
			out = append(out, c)
			continue
		}
		who := c.By.Email
		if who == "" {
			who = c.By.Name
		}
		if who == "" {
			out = append(out, c)
			continue
		}
		out = append(out,
			reading.Change{Action: reading.ActionCancel, Who: c.Who, Text: c.Text},
			reading.Change{Action: reading.ActionPromote, Who: who, Text: c.Text})
	}
	return out
}

// promoteVerb returns the words that give someone a seat from the waiting
// list, or "".
func promoteVerb(ws []cmdWord, waiting, seatSaid, neg bool) string {
	if neg {
		return ""
	}
	for i, w := range ws {
		next := ""
		if i+1 < len(ws) {
			next = ws[i+1].lower
		}
		switch {
		case promoteVerbs[w.stem] && (next == "upp" || next == "fram" || next == "up" || next == "in" || strings.HasPrefix(w.lower, "promot") || waiting):
			return w.lower + " " + next
		case giveVerbs[w.stem] && (seatWithin(ws[i+1:], 4) || waiting):
			return w.lower + " plats"
		case getVerbs[w.lower] && (seatWithin(ws[i+1:], 3) || next == "komma" || next == "come"):
			return w.lower + " " + next
		case giveVerbs[w.stem] && seatSaid && seatPronouns[next]:
			// "En plats har blivit ledig, ge den till Sara": the pronoun
			// is the seat the sentence named.
			return w.lower + " " + next
		case (w.lower == "ta" || w.lower == "take") && waiting && seatWithin(ws[i+1:], 3):
			// "Låt Maja på väntelistan ta platsen"; "tar Xs plats" is a
			// substitution, read before this.
			return w.lower + " plats"
		case getVerbs[w.lower] && waiting && seatPronouns[next] && i+2 == len(ws):
			// "A seat has opened up, and Karin on the waiting list can
			// have it": the pronoun that ends the clause is the seat of the
			// clause before ("får den informationen" has its own noun).
			return w.lower + " " + next
		case waiting && participate[w.stem] && (next == "med" || next == "in" || i > 0 && (ws[i-1].lower == "kan" || ws[i-1].lower == "can")):
			return "kan " + w.lower
		case waiting && seatNouns[w.lower] && slices.ContainsFunc([]int{1, 2, 3, 4}, func(k int) bool { return goesTo(ws, i+k) }):
			// "Den platsen kan gå till Yvonne … på väntelistan", "Platsen
			// som blev ledig kan gå till …": the seat and where it goes,
			// with the waiting list named.
			return w.lower + " går till"
		}
	}
	return ""
}

// seatWithin reports whether one of the first n words names a seat.
func seatWithin(ws []cmdWord, n int) bool {
	for i := 0; i < len(ws) && i < n; i++ {
		if seatNouns[ws[i].lower] {
			return true
		}
	}
	return false
}

// cancelVerb returns the verb of a cancellation, with its particle, or "".
func cancelVerb(ws []cmdWord) string {
	for i, w := range ws {
		if cancelVerbs[w.stem] || cancelVerbs[w.lower] {
			return w.lower
		}
		if cancelParticleVerbs[w.stem] || cancelParticleVerbs[w.lower] {
			for j := i + 1; j < len(ws) && j <= i+8; j++ {
				if cancelParticles[ws[j].lower] {
					return w.lower + " " + ws[j].lower
				}
			}
		}
	}
	return ""
}

// registerVerb returns the verb of a registration, with its particle, or
// "". A verb in the past ("har anmält sig") is history, not a request.
//
// A verb in the past that she did herself ("jag har lagt till Bo", "I
// added Bo") is a registration only when the clause says where: on the
// list ("på listan", "to the list"); added to a meeting it is not.
func registerVerb(ws []cmdWord) string {
	v := registerVerbOf(ws)
	if v == "" || !pastForm(strings.Fields(v)[0]) {
		return v
	}
	for _, w := range ws {
		if listNouns[w.stem] || listNouns[w.lower] || strings.HasPrefix(w.lower, "anmäld") || strings.HasPrefix(w.lower, "deltagar") {
			return v
		}
	}
	return ""
}

func registerVerbOf(ws []cmdWord) string {
	for i, w := range ws {
		if registerVerbs[w.stem] && !registerPast[w.lower] {
			return w.lower
		}
		if (w.lower == "ta" || w.lower == "tar") && i+1 < len(ws) && ws[i+1].lower == "med" {
			return "ta med" // "ta med Elin Sand också"
		}
		if registerParticleVerbs[w.stem] || registerParticleVerbs[w.lower] {
			for j := i + 1; j < len(ws) && j <= i+8; j++ {
				if registerParticles[ws[j].lower] {
					if ws[j].lower == "on" && (w.lower != "put") {
						break
					}
					return w.lower + " " + ws[j].lower
				}
			}
		}
	}
	return ""
}

// listRequest reports whether the clause asks for the participant list:
// the list as the thing sent or had ("skicka listan", "kan jag få
// deltagarlistan", "send me the participant list as an Excel file"), or a
// clause of the list alone ("lista"). "från listan", "på listan", "off the
// list" are where someone is, not a request.
func listRequest(ws []cmdWord) bool {
	for i, w := range ws {
		if !listNouns[w.stem] && !listNouns[w.lower] {
			continue
		}
		if i > 0 && listPreps[ws[i-1].lower] || i > 1 && listPreps[ws[i-2].lower] && (ws[i-1].lower == "the" || ws[i-1].lower == "den") {
			continue
		}
		if len(ws) <= 2 {
			return true
		}
		for _, v := range ws[:i] {
			if (listVerbs[v.stem] || listVerbs[v.lower]) && !pastForm(v.lower) {
				return true
			}
		}
	}
	return false
}

// pastForm reports whether a verb is in the past: "skickade", "skickat",
// "sent", "lagt". What she did is history, not a request to the bot.
func pastForm(w string) bool {
	switch w {
	case "sent", "sänt", "fick", "got", "had", "hade", "lagt", "satt", "skrivit", "fört", "put", "gav", "gave":
		return true
	}
	return len(w) > 4 && (strings.HasSuffix(w, "ade") || strings.HasSuffix(w, "at") || strings.HasSuffix(w, "ed") && w != "need")
}

// seatsIn reads a new number of seats: a seat word and a number that is
// not a date ("den 11 december" is a day), the number after "till", "to"
// or "blir" first. The clause must say that the seats change, or be no
// more than the seat word and its number ("platser 40").
func seatsIn(ws []cmdWord, s string) (int, bool) {
	seatAt := -1
	change := false
	for i, w := range ws {
		if seatsNounSet[w.lower] || w.lower == "antalet" && i+1 < len(ws) && seatsNounSet[ws[i+1].lower] {
			if seatAt < 0 {
				seatAt = i
			}
		}
		if seatsChange[w.stem] || seatsChange[w.lower] || roomNouns[w.lower] {
			// A room beside the seats tells what it holds: "vi har fått en
			// större sal, 45 platser" sets the number as much as "ändra
			// till 45 platser" does.
			change = true
		}
	}
	if n, ok := capacityIn(ws); ok {
		return n, true
	}
	if seatAt < 0 || (!change && len(ws) > 3) {
		return 0, false
	}
	for i, w := range ws {
		switch w.lower {
		case "kvar", "lediga", "left", "free", "available", "remaining":
			return 0, false // the seats left, not how many there are
		case "ytterligare", "another", "additional", "extra", "more", "fler":
			return 0, false // seats added, not how many there are
		case "till":
			if i > 0 && seatsNounSet[ws[i-1].lower] && i+1 == len(ws) {
				return 0, false // "10 platser till": ten more
			}
		case "med", "by":
			if i+1 < len(ws) && numberRe.FindString(ws[i+1].lower) == ws[i+1].lower {
				return 0, false // "utöka med 5": by five, not to five
			}
		}
	}
	best, bestAfterTill := -1, false
	for i, w := range ws {
		if !numberRe.MatchString(w.lower) || numberRe.FindString(w.lower) != w.lower {
			continue
		}
		if i+1 < len(ws) && dates.IsMonthWord(ws[i+1].lower) || strings.ContainsAny(s[w.end:min(len(s), w.end+1)], "/:") ||
			i > 0 && (ws[i-1].lower == "den" || ws[i-1].lower == "the" || dates.IsMonthWord(ws[i-1].lower)) {
			continue // a date: "11 december", "11/12", "den 11:e"
		}
		afterTill := i > 0 && (ws[i-1].lower == "till" || ws[i-1].lower == "to" || ws[i-1].lower == "blir" || ws[i-1].lower == "becomes")
		if best < 0 || afterTill && !bestAfterTill {
			n, err := strconv.Atoi(w.lower)
			if err != nil || n <= 0 {
				continue
			}
			best, bestAfterTill = n, afterTill
		}
	}
	return best, best > 0
}

// capacityWords say how many a room holds: "det ryms 75 personer", "salen
// rymmer 80", "room for 60 people", "the hall seats 90".
var (
	capacityWords = map[string]bool{"ryms": true, "rymmer": true, "fits": true, "holds": true, "accommodates": true, "capacity": true}
	personNouns   = map[string]bool{"personer": true, "deltagare": true, "pers": true, "people": true, "persons": true, "participants": true, "guests": true}
)

// capacityIn returns the number a clause gives as what the room holds:
// a capacity word, or "plats för"/"room for", followed by a number and a
// noun of people (or nothing). A number that is no count of people ("ryms
// i sal 3") is not read.
func capacityIn(ws []cmdWord) (int, bool) {
	for i, w := range ws {
		if !capacityWords[w.lower] && !((w.lower == "för" || w.lower == "for") && i > 0 && (ws[i-1].lower == "plats" || ws[i-1].lower == "room" || ws[i-1].lower == "space")) {
			continue
		}
		j := i + 1
		if j < len(ws) && (ws[j].lower == "nu" || ws[j].lower == "now" || ws[j].lower == "of" || ws[j].lower == "upp" || ws[j].lower == "up" || ws[j].lower == "to") {
			j++
		}
		if j >= len(ws) || numberRe.FindString(ws[j].lower) != ws[j].lower {
			continue
		}
		if j+1 < len(ws) && !personNouns[ws[j+1].lower] && !seatsNounSet[ws[j+1].lower] && !sessionAfterCount[ws[j+1].lower] {
			continue
		}
		if n, err := strconv.Atoi(ws[j].lower); err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}

// substitution reads a change of person: who goes, and who takes the
// place. verb is "" when the clause is no substitution.
func (r *cmdReader) substitution(cs, lower string, ws []cmdWord, refs []Ref) ([]reading.Change, string) {
	named := namedRefs(refs)
	noPlace := func() ([]reading.Change, string) {
		r.out.unsure = append(r.out.unsure, reading.Alternative{Kind: reading.KindCommand, Why: "a substitution without the person whose place is taken: " + reading.Clip(cs)})
		r.out.withheld = true
		r.out.askable = true
		return nil, ""
	}
	sub := func(x, y Ref) ([]reading.Change, string) {
		if x.Email == "" && x.Pronoun == "" && len(x.Cands) == 0 {
			// "Gustav tar Elvy Frostells plats, se nedan" above Elvy's own
			// mail: the name of the writer of the mail below is hers.
			for _, k := range r.senders {
				if sameName(k.name, x.Name) {
					x.Email = k.email
				}
			}
		}
		if y.Email == "" && y.Pronoun == "" {
			if k, ok := r.byName(y.Name); ok {
				y.Email = k.email
			}
		}
		by := r.newPerson(y, cs)
		return []reading.Change{{Action: reading.ActionSubstitute, Who: x.Who(), By: by, Candidates: x.Cands}}, "i stället"
	}
	// A verb of substitution: "byt (ut) X mot Y", "ersätt X med Y",
	// "replace X with Y"; "Y ersätter X"; "X ersätts av Y".
	for k, w := range ws {
		if !substituteVerbs[w.stem] || k+1 < len(ws) && thingObject(cs, ws[k+1], refs) {
			continue
		}
		var before, after []Ref
		for _, rf := range named {
			if rf.End <= w.start {
				before = append(before, rf)
			} else if rf.Start >= w.end {
				after = append(after, rf)
			}
		}
		passive := strings.HasSuffix(w.lower, "s") && !strings.HasSuffix(w.lower, "es") && w.lower != "swaps" ||
			strings.Contains(lower, "replaced by") || strings.Contains(lower, "substituted by")
		if passive && len(before) == 0 {
			// "Ahmed Said har fått förhinder och ersätts av Lina Berg":
			// the one replaced is the subject of the clause before.
			if prev := namedRefs(r.prev); len(prev) > 0 {
				before = prev[len(prev)-1:]
			}
		}
		if !passive {
			// "Lägg in Ottoline …, hon ersätter Absalon" and "Bo kan inte.
			// Kerstin … ersätter honom": a person of the verb may be a
			// pronoun for the one named before. Without it the clause
			// would be no substitution, and a registration of the
			// newcomer read beside it would give her a seat without
			// taking the other's.
			if len(before) == 0 && len(after) > 0 {
				if p, ok := r.pronounBy(refs, w, subjectPronouns, after[0]); ok {
					before = []Ref{p}
				} else if p := r.newcomerBefore(refs, w.start, after[0]); p != nil {
					// "Tora … kommer på tisdag och ersätter Hampus": two
					// verbs share their subject, named in the clause before.
					before = []Ref{*p}
				}
			}
			if len(after) == 0 && len(before) > 0 {
				if p, ok := r.pronounBy(refs, w, objectPronouns, before[len(before)-1]); ok {
					after = []Ref{p}
				}
			}
		}
		switch {
		case passive && len(before) > 0 && len(after) > 0:
			return sub(before[len(before)-1], after[0])
		case len(after) >= 2 && connectorBetween(cs, after[0], after[1]):
			return sub(after[0], after[1])
		case len(before) > 0 && len(after) > 0:
			return sub(after[0], before[len(before)-1])
		}
		if len(refs) > 0 {
			// A verb of substitution with a person or a pronoun beside
			// it: someone takes someone's place, but whose cannot be read
			// ("hon ersätter sin kollega Bo" with no Bo in the mail). A
			// registration of the newcomer beside it would give a seat
			// without taking one, so the mail's registrations wait too.
			r.unreadSubstitution = true
			return noPlace()
		}
		return nil, ""
	}
	// A phrase of place: "Y tar X:s plats", "Y går i stället för X", "Y
	// i X:s ställe", "Y takes X's place", "Y will go instead of X", "add
	// Y in her place".
	for _, ph := range []string{"i stället för ", "istället för ", "instead of ", "in place of ", "platsen efter ", "platsen från ", "över efter ",
		"the seat of ", "the place of ", "over from "} {
		i := strings.Index(lower, ph)
		if i < 0 {
			continue
		}
		var x, y *Ref
		for k := range refs {
			if refs[k].Start >= i+len(ph) && x == nil {
				x = &refs[k]
				// "instead of her colleague Alex Moore": the pronoun is
				// the colleague's, the person is the name after it.
				if !x.Named() && k+1 < len(refs) && refs[k+1].Named() && len(wordsOf(cs[x.End:refs[k+1].Start])) <= 2 {
					x = &refs[k+1]
				}
			}
		}
		for k := range named {
			if named[k].End <= i {
				y = &named[k]
			}
		}
		if y == nil {
			for k := range named {
				if x != nil && named[k].Start > x.End {
					y = &named[k]
					break
				}
			}
		}
		if y == nil && x != nil {
			// "Lägg in Tora …, i stället för Hampus" and "Lägg till
			// Tora …. Hon tar över efter Hampus": the newcomer is the
			// one of the clause before, or a pronoun for her. Without
			// her, the registration beside would give a seat without
			// taking Hampus's.
			y = r.newcomerBefore(refs, i, *x)
		}
		if x == nil || y == nil {
			return nil, ""
		}
		if xr, ok := r.resolve(*x, y); ok {
			return sub(xr, *y)
		}
		return noPlace()
	}
	if m := namedPlaceRe.FindStringSubmatchIndex(cs); m != nil && !placeVerbBefore(ws, m[0]) {
		// "Karl Vassmos plats i Göteborg (karl@…) går till Stina …":
		// the seat of the one named goes to the one after "till".
		after := -1
		for k, w := range ws {
			if w.start >= m[1] {
				after = k
				break
			}
		}
		if after >= 0 && (goesTo(ws, after) || goesTo(ws, after+1) || goesTo(ws, after+2) || goesTo(ws, after+3)) {
			var x, y *Ref
			for k := range named {
				switch {
				case x == nil && named[k].Start >= m[2] && named[k].Start < m[1]+60 && (named[k].Email != "" || named[k].End <= m[3]+2):
					x = &named[k]
				case x != nil && named[k].Start > x.End:
					if y == nil {
						y = &named[k]
					}
				}
			}
			if x != nil && x.Email == "" {
				x.Name = cs[m[2]:m[3]]
			}
			if x != nil && y != nil && !sameName(x.Name, y.Name) {
				return sub(*x, *y)
			}
		}
	}
	if m := namedPlaceRe.FindStringSubmatchIndex(cs); m != nil && placeVerbBefore(ws, m[0]) {
		// "Lars Wendt tar Ahmed Yusufs plats (ahmed.yusuf@…)".
		name := cs[m[2]:m[3]]
		var x, y *Ref
		for k := range named {
			switch {
			case named[k].Start >= m[0] && named[k].Start < m[1]+40 && x == nil && named[k].End > m[3]:
				x = &named[k]
			case named[k].Start >= m[2] && named[k].End <= m[3]+2:
				x = &named[k]
			case named[k].End <= m[0]:
				y = &named[k]
			}
		}
		if x == nil {
			x = &Ref{Name: name}
		} else if x.Email == "" {
			x.Name = name // "Sara Linds plats": the name without its genitive
		}
		if y == nil || sameName(y.Name, x.Name) {
			return nil, ""
		}
		return sub(*x, *y)
	}
	if x, y, ok := handsOverPlace(ws, named); ok {
		return sub(x, y)
	}
	for i, w := range ws {
		place := false
		switch w.lower {
		case "ställe":
			place = i > 1 && ws[i-2].lower == "i"
		case "plats", "place", "stead", "seat", "spot":
			// "tar hennes plats", "in her place", and "ge hennes plats
			// till …", "give his seat to …": the seat given is the one
			// of the person the pronoun points at, so it is hers that is
			// taken; on the waiting list it is a promotion (see
			// fromWaitingList).
			place = i > 0 && (pronouns[ws[i-1].lower] != "") && (i > 1 && (ws[i-2].lower == "in" || takesAt(ws, i-2) || giveVerbs[ws[i-2].stem]) || w.lower != "plats" ||
				goesTo(ws, i+1))
		case "stället", "istället", "instead":
			place = w.lower != "stället" || i > 0 && ws[i-1].lower == "i"
		}
		if !place {
			continue
		}
		// "… i hennes ställe", "in her place", "takes your seat": the
		// pronoun before the place; "i stället", "instead": the person
		// named before the clause, or the one she writes to.
		var x Ref
		if i > 0 && pronouns[ws[i-1].lower] != "" {
			x = Ref{Pronoun: pronouns[ws[i-1].lower]}
		} else {
			x = Ref{Pronoun: PronounOther}
			if r.last == nil {
				x.Pronoun = PronounYou
			}
		}
		var y *Ref
		for k := range named {
			if named[k].Email != "" || y == nil {
				y = &named[k]
			}
		}
		if y == nil {
			return nil, ""
		}
		if xr, ok := r.resolve(x, y); ok {
			return sub(xr, *y)
		}
		return noPlace()
	}
	return nil, ""
}

// goesTo reports whether the words from i say that a seat goes to someone:
// "Hennes plats går till Ella …", "his seat goes to", "hans plats ska gå
// till".
func goesTo(ws []cmdWord, i int) bool {
	for k := i; k < len(ws) && k <= i+2; k++ {
		switch ws[k].lower {
		case "går", "gå", "ges", "goes", "go":
			return k+1 < len(ws) && (ws[k+1].lower == "till" || ws[k+1].lower == "to")
		case "ska", "kan", "will", "can", "should":
			continue
		}
		return false
	}
	return false
}

// thingObject reports whether w, the word after a verb of substitution,
// is its object and a thing, not a person: "han har bytt tjänst", "byter
// jobb". A person stands there as a name, a pronoun or an address, or
// after a particle ("byt ut", "byt mot").
func thingObject(cs string, w cmdWord, refs []Ref) bool {
	word := cs[w.start:w.end]
	if overlaps(refs, w.start, w.end) || !unicode.IsLower([]rune(word)[0]) || pronouns[w.lower] != "" {
		return false
	}
	switch w.lower {
	case "ut", "out", "mot", "med", "av", "by", "with", "till", "plats", "platsen", "places", "place", "seats", "seat", "sin", "sitt", "sina", "her", "his",
		"honom", "henne", "dem", "them", "the", "a", "en", "ett", "min", "mig", "me", "oss", "us", "nu", "då", "sedan", "gärna", "direkt", "in",
		"från", "för", "på", "i", "efter", "vid", "hos", "from", "for", "at", "on", "after", "som", "as", "och", "and", "is", "är", "kommer", "will":
		return false
	}
	return true
}

// handOverVerbs hand one's own seat to someone: "Elvira lämnar sin plats
// till Aron", "överlåter sin plats till", "Quentin passes his seat to
// Melisande".
var handOverVerbs = stems("lämna", "lämnar", "lämnat", "lämnade", "överlåta", "överlåter", "överlät", "överlåtit", "ge", "ger", "gav", "gett",
	"hand", "hands", "handed", "pass", "passes", "passed", "give", "gives", "gave")

// reflexivePossessives make the seat the subject's own.
var reflexivePossessives = map[string]bool{"sin": true, "sitt": true, "her": true, "his": true, "their": true}

// handsOverPlace reads "X lämnar sin plats till Y": a verb of handing
// over, the subject's own seat ("sin plats", "her seat") and "till"/"to"
// before the one who takes it. The one named before the verb gives the
// seat up; the first named after "till" takes it. Without a person on
// each side there is nothing to read.
func handsOverPlace(ws []cmdWord, named []Ref) (x, y Ref, ok bool) {
	for i := 0; i+3 < len(ws); i++ {
		if !handOverVerbs[ws[i].stem] {
			continue
		}
		j := i + 1
		if ws[j].lower == "över" || ws[j].lower == "on" || ws[j].lower == "over" {
			j++ // "lämnar över sin plats", "passes on her seat"
		}
		if j+2 >= len(ws) || !reflexivePossessives[ws[j].lower] || !seatNouns[ws[j+1].lower] {
			continue
		}
		// "till"/"to" right after the seat, or after a short phrase of
		// which session it is: "lämnar sin plats i Kungälv till …",
		// "passes her seat on Thursday to …".
		to := -1
		for k := j + 2; k < len(ws) && k <= j+5; k++ {
			if ws[k].lower == "till" || ws[k].lower == "to" {
				to = k
				break
			}
		}
		if to < 0 {
			continue
		}
		var before, after []Ref
		for _, rf := range named {
			if rf.End <= ws[i].start {
				before = append(before, rf)
			} else if rf.Start >= ws[to].end {
				after = append(after, rf)
			}
		}
		if len(before) == 0 || len(after) == 0 {
			return x, y, false
		}
		return before[len(before)-1], after[0], true
	}
	return x, y, false
}

// subjectPronouns and objectPronouns are the pronouns that may stand for
// a person of a verb of substitution: before it as its subject ("hon
// ersätter …"), after it as its object ("… replaces him").
var (
	subjectPronouns = map[string]bool{"hon": true, "han": true, "hen": true, "she": true, "he": true}
	objectPronouns  = map[string]bool{"henne": true, "honom": true, "hen": true, "her": true, "him": true}
)

// newcomerBefore is the person who takes x's place when a phrase of place
// at byte at of the clause names none before it: a subject pronoun
// before the phrase, bound to the person it points at, or, when nobody
// stands before it at all, the last person named in the clause before in
// the sentence. It is nil when neither is there.
func (r *cmdReader) newcomerBefore(refs []Ref, at int, x Ref) *Ref {
	var pron *Ref
	for k := range refs {
		if refs[k].End > at {
			break
		}
		if refs[k].Named() || !subjectPronouns[strings.ToLower(refs[k].Word)] {
			return nil
		}
		pron = &refs[k]
	}
	if pron == nil {
		if prev := namedRefs(r.prev); len(prev) > 0 && prev[len(prev)-1].Who() != x.Who() {
			return &prev[len(prev)-1]
		}
		return nil
	}
	p, ok := r.resolve(*pron, &x)
	if !ok || len(p.Cands) > 0 || p.Who() == x.Who() {
		return nil
	}
	return &p
}

// pronounBy binds the pronoun of forms next to the verb w, the nearest
// before it when they are subjects and the first after it when they are
// objects, to the person it points at; not is the other person of the
// verb, whom it cannot mean.
func (r *cmdReader) pronounBy(refs []Ref, w cmdWord, forms map[string]bool, not Ref) (Ref, bool) {
	var at *Ref
	for k := range refs {
		rf := &refs[k]
		if rf.Named() || !forms[strings.ToLower(rf.Word)] {
			continue
		}
		if rf.End <= w.start && subjectPronouns[strings.ToLower(rf.Word)] {
			at = rf // the nearest before the verb
		} else if rf.Start >= w.end && at == nil {
			at = rf
			break
		}
	}
	if at == nil {
		return Ref{}, false
	}
	p, ok := r.resolve(*at, &not)
	if !ok || len(p.Cands) > 0 || p.Who() == not.Who() {
		return Ref{}, false
	}
	return p, true
}

// takeVerbs take a place: "tar hennes plats", "takes her seat".
var takeVerbs = map[string]bool{"tar": true, "ta": true, "tog": true, "take": true, "takes": true, "taking": true, "took": true}

// takesAt reports whether ws[j] is a verb of taking, alone or with its
// particle ("tar över hennes plats", "takes over her seat"): the
// particle does not change whose place is taken.
func takesAt(ws []cmdWord, j int) bool {
	if j < 0 {
		return false
	}
	if takeVerbs[ws[j].lower] {
		return true
	}
	return (ws[j].lower == "över" || ws[j].lower == "over") && j > 0 && takeVerbs[ws[j-1].lower]
}

// placeVerbBefore reports whether a verb of taking or going comes just
// before the place at i: "tar Ahmeds plats", "går i Karins ställe",
// "takes Alex's place".
func placeVerbBefore(ws []cmdWord, i int) bool {
	k := len(ws) - 1
	for k >= 0 && ws[k].end > i {
		k--
	}
	return k >= 0 && (slices.Contains([]string{"tar", "ta", "take", "takes", "taking", "took", "går", "gå", "kommer", "i", "in", "will"}, ws[k].lower) ||
		takesAt(ws, k)) // "tar över Hugo Trolleds plats"
}

// connectorBetween reports whether "mot", "med", "with", "by" or "for"
// stands between two people: "byt X mot Y".
func connectorBetween(s string, a, b Ref) bool {
	if a.End > b.Start {
		return false
	}
	for _, w := range wordsOf(s[a.End:b.Start]) {
		switch w.lower {
		case "mot", "med", "with", "by", "for", "av":
			return true
		}
	}
	return false
}

// newPerson is the person a registration or a substitution brings in: the
// name and address written, the organisation of the address (or the one
// written after it) and a diet said in the clause or in the sentence after
// it about that person.
func (r *cmdReader) newPerson(rf Ref, clause string) *reading.Person {
	p := &reading.Person{Name: rf.Name, Email: rf.Email}
	if p.Name == "" && p.Email != "" {
		p.Name = reading.NameFromAddress(p.Email)
	}
	if p.Email != "" {
		p.Organisation = reading.OrganisationFor(p.Email, reading.View{}, r.cfg)
	}
	if rf.End <= len(clause) {
		rest := clause[rf.End:]
		if org := reading.OrgIn(rest); org != "" {
			p.Organisation = org
		} else if t := strings.TrimLeft(rest, " ,;"); t != "" && p.Organisation == "" {
			// "anmäl Y, y@…, Org": what follows the address is the
			// organisation when it is a short capitalised phrase.
			t = strings.TrimRight(strings.SplitN(t, ",", 2)[0], " .")
			if len(t) < 60 && t != "" && unicode.IsUpper([]rune(t)[0]) {
				p.Organisation = t
			}
		}
		p.Diet = diet.Said(rest)
	}
	return p
}

// byName finds the one person of the mail with that name.
func (r *cmdReader) byName(name string) (known, bool) {
	var found []known
	for _, k := range r.people {
		if sameName(k.name, name) {
			found = append(found, k)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return known{}, false
}

// fold is a name compared: lower case, without accents, spaces or the
// genitive s.
func fold(s string) string {
	return foldReplacer.Replace(strings.ToLower(strings.Join(strings.Fields(s), " ")))
}

var foldReplacer = strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "é", "e", "ü", "u", ":s", "", "'s", "", "’s", "")

// sameName reports whether two names are the same person's: equal when
// folded, or one the other with a genitive s.
func sameName(a, b string) bool {
	fa, fb := fold(a), fold(b)
	return fa != "" && (fa == fb || fa+"s" == fb || fb+"s" == fa)
}

// refsIn finds the people a clause names, in order: each address with the
// name written beside it; names of two or three capitalised words; a first
// name alone when it is the first name of people of the mail; and the
// pronouns.
func (r *cmdReader) refsIn(s string) []Ref {
	var refs []Ref
	prev := 0
	for _, loc := range message.AddrSpecRe.FindAllStringIndex(s, 20) {
		addr := s[loc[0]:loc[1]]
		if r.skip(addr) {
			prev = loc[1]
			continue
		}
		start := loc[0]
		name := trimVerbs(reading.NameBefore(s[prev:loc[0]]))
		if name != "" {
			if i := strings.LastIndex(s[:loc[0]], name); i >= 0 {
				start = i
			}
		} else {
			name = reading.NameAfter(s[loc[1]:])
		}
		refs = append(refs, Ref{Name: name, Email: addr, Start: start, End: loc[1]})
		prev = loc[1]
	}
	inRef := func(a, b int) bool { return overlaps(refs, a, b) }
	var more []Ref
	for _, loc := range reading.CapRunRe.FindAllStringIndex(s, 10) {
		if inRef(loc[0], loc[1]) {
			continue
		}
		name := s[loc[0]:loc[1]]
		if t := trimVerbs(name); t != name {
			// "Avregistrera Sara Lind": the verb that starts the
			// sentence is capitalised, and no part of the name.
			if len(strings.Fields(t)) < 2 {
				if rf, ok := r.firstName(t, loc[1]-len(t)); ok && t != "" {
					more = append(more, rf)
				}
				continue
			}
			loc[0] = loc[1] - len(t)
			name = t
		}
		first := strings.Fields(name)[0]
		// A title ("Mr Hartigan", "fru Lind") is no part of the name: with
		// one word after it, that word is a surname alone, which may fit
		// more than one person of the mail (see firstName).
		if reading.NotNameWords[strings.ToLower(first)] || pronouns[strings.ToLower(first)] != "" || greetingWord(first) || titleWords[strings.ToLower(strings.TrimSuffix(first, "."))] {
			rest := strings.TrimSpace(name[len(first):])
			if len(strings.Fields(rest)) < 2 {
				if len(strings.Fields(rest)) == 1 {
					if rf, ok := r.firstName(rest, loc[0]+len(first)+1); ok {
						more = append(more, rf)
					}
				}
				continue
			}
			name = rest
			loc[0] += len(first) + 1
		}
		// A full name stays as written, even when the mail gives an
		// address for that name elsewhere: the bot finds it among the
		// registrations, and says so when two have it.
		more = append(more, Ref{Name: strings.TrimRight(name, "'’-"), Start: loc[0], End: loc[1]})
	}
	// A capitalised word alone is a name only when people of the mail
	// have it as their first name: "Anna kan inte komma".
	words := wordsOf(s)
	for _, cw := range words {
		w := s[cw.start:cw.end]
		if !unicode.IsUpper([]rune(w)[0]) || inRef(cw.start, cw.end) || overlaps(more, cw.start, cw.end) {
			continue
		}
		if rf, ok := r.firstName(w, cw.start); ok {
			more = append(more, rf)
		}
	}
	for _, rf := range more {
		// A name and then its address are one person.
		dup := false
		for i := range refs {
			if refs[i].Email != "" && (strings.EqualFold(refs[i].Email, rf.Email) || sameName(reading.NameFromAddress(refs[i].Email), rf.Name)) {
				if refs[i].Name == "" || len(rf.Name) > len(refs[i].Name) && sameName(refs[i].Name, rf.Name) {
					refs[i].Name = rf.Name
				}
				dup = true
			}
		}
		if !dup {
			refs = append(refs, rf)
		}
	}
	for _, w := range words {
		p := pronouns[w.lower]
		if p == "" || overlaps(refs, w.start, w.end) {
			continue
		}
		if p == PronounYou && !youObject(s, w) {
			continue
		}
		refs = append(refs, Ref{Pronoun: p, Word: s[w.start:w.end], Start: w.start, End: w.end})
	}
	slices.SortFunc(refs, func(a, b Ref) int { return a.Start - b.Start })
	return refs
}

// trimVerbs drops the words a name starts with that are verbs of the
// lexicon: a capitalised command before a name ("Registrera Bo Ek").
func trimVerbs(name string) string {
	for {
		f := strings.Fields(name)
		if len(f) == 0 {
			return ""
		}
		l := strings.ToLower(f[0])
		st := stem.Word(l)
		if !(cancelVerbs[st] || registerVerbs[st] || substituteVerbs[st] || promoteVerbs[st] || giveVerbs[st] || cancelParticleVerbs[st] ||
			registerParticleVerbs[st] || listVerbs[st] || cancelParticleVerbs[l] || registerParticleVerbs[l]) {
			return name
		}
		if len(f) == 2 && l != st && l != st+"a" {
			// "Signe Berg": a first name that shares only its stem with a
			// verb ("signe", "sign") before a surname is the name; a
			// command is its stem or its -a form ("Stryk", "Flytta"), or
			// stands before a whole name ("Avregistrera Sara Lind").
			return name
		}
		name = strings.TrimSpace(name[strings.Index(name, f[0])+len(f[0]):])
	}
}

func overlaps(refs []Ref, a, b int) bool {
	for _, rf := range refs {
		if a < rf.End && b > rf.Start {
			return true
		}
	}
	return false
}

// titleWords are the titles written before a name.
var titleWords = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "prof": true, "professor": true,
	"herr": true, "fru": true, "fröken": true}

func greetingWord(w string) bool {
	return slices.Contains([]string{"hej", "hejsan", "hallå", "hi", "hello", "dear", "also", "ps", "och", "tack", "thanks", "please", "kan", "could"}, strings.ToLower(w))
}

// youObject reports whether "you" or "dig" at w is the person changed
// ("I have removed you", "i ditt ställe") rather than the one asked
// ("could you send", "thank you").
func youObject(s string, w cmdWord) bool {
	if w.lower != "you" {
		return true
	}
	before := strings.Fields(strings.ToLower(s[:w.start]))
	if len(before) == 0 {
		return false
	}
	switch strings.Trim(before[len(before)-1], ",.") {
	case "could", "can", "would", "will", "if", "do", "did", "thank", "are", "were", "have", "should", "may", "as", "hope", "when":
		return false
	}
	return true
}

// firstName reads w as a first name, or a surname, when people of the
// mail have it: one of them is that person; two or more make the name
// ambiguous ("Anna", "Lindberg" with two of them in the thread).
func (r *cmdReader) firstName(w string, at int) (Ref, bool) {
	if reading.NotNameWords[strings.ToLower(w)] || greetingWord(w) || pronouns[strings.ToLower(w)] != "" {
		return Ref{}, false
	}
	var cands []reading.Person
	for _, k := range r.people {
		if f := strings.Fields(k.name); len(f) > 1 && (fold(f[0]) == fold(w) || fold(f[len(f)-1]) == fold(w)) {
			cands = append(cands, reading.Person{Name: k.name, Email: k.email})
		}
	}
	switch len(cands) {
	case 0:
		return Ref{}, false
	case 1:
		return Ref{Name: cands[0].Name, Email: cands[0].Email, Start: at, End: at + len(w)}, true
	}
	return Ref{Name: w, Start: at, End: at + len(w), Cands: cands}, true
}

// emit adds a change unless the same one is there already ("Anna kan inte
// komma, stryk henne" is one cancellation).
func (r *cmdReader) emit(c reading.Change) {
	for i, o := range r.out.changes {
		if o.Action == c.Action && strings.EqualFold(o.Who, c.Who) && (c.By == nil || o.By != nil && strings.EqualFold(o.By.Email, c.By.Email)) &&
			c.Seats == o.Seats {
			if c.Text != "" && !strings.Contains(o.Text, c.Text) {
				// Both sentences say it: both are what it was read from.
				r.out.changes[i].Text = strings.TrimSpace(o.Text + " " + c.Text)
			}
			return
		}
	}
	if len(c.Candidates) > 1 {
		r.out.ask = true
	}
	r.out.changes = append(r.out.changes, c)
	if c.By != nil {
		r.newcomer = len(r.out.changes) - 1
	}
}

// pointsAt reports whether sentence s is about p: it has a pronoun of a
// person as its subject, or p's first name.
func (r *cmdReader) pointsAt(s string, p *reading.Person) bool {
	first := ""
	if f := strings.Fields(p.Name); len(f) > 0 {
		first = fold(f[0])
	}
	for _, w := range wordsOf(s) {
		switch w.lower {
		case "hon", "han", "hen", "she", "he":
			return true
		}
		if first != "" && fold(w.lower) == first {
			return true
		}
	}
	return false
}

// finish settles the changes of the whole mail: a cancellation of the
// person whose place goes to someone else is part of that substitution
// ("take Ruth off the list and add Peter in her place"), and so is the
// registration of the one who takes it; with a name that fits two
// people, only the changes that need a choice are kept, for the question.
func (r *cmdReader) finish() commandReading {
	out := r.out
	nameOf := map[string]string{}
	for _, k := range r.people {
		nameOf[k.email] = k.name
	}
	var kept []reading.Change
	for _, c := range out.changes {
		drop := false
		for _, s := range out.changes {
			if c.Action == s.Action && !strings.Contains(c.Who, "@") && strings.Contains(s.Who, "@") && sameName(nameOf[s.Who], c.Who) {
				// "Jag tar bort din anmälan: avanmäl Johan Lindqvist" to
				// Johan: his name and his address are one change.
				drop = true
			}
			if s.Action != reading.ActionSubstitute {
				continue
			}
			switch {
			case c.Action == reading.ActionCancel && (strings.EqualFold(c.Who, s.Who) || !strings.Contains(c.Who, "@") && sameName(nameOf[s.Who], c.Who)):
				// "Harriet Isaksson kan inte komma. Hennes plats går till
				// Ella …": her leaving is the substitution's, by name too.
				drop = true
			case c.Action == reading.ActionRegister && c.By != nil && s.By != nil && strings.EqualFold(c.By.Email, s.By.Email):
				drop = true
			case c.Action == reading.ActionSubstitute && c.By != nil && s.By != nil && c.By.Email == "" && s.By.Email != "" && strings.EqualFold(c.Who, s.Who):
				drop = true
			}
		}
		if !drop {
			kept = append(kept, c)
		}
	}
	out.changes = kept
	if r.unreadSubstitution {
		// Someone takes a place the reader could not bind: a registration
		// read beside it may be that newcomer's, and would give a seat
		// while the one leaving keeps hers; a cancellation beside it may be
		// the one leaving, whose seat would go to the waiting list instead
		// of to the newcomer. Not sure, so not done.
		kept = nil
		for _, c := range out.changes {
			if c.Action == reading.ActionRegister || c.Action == reading.ActionCancel {
				out.unsure = append(out.unsure, reading.Alternative{Kind: reading.KindCommand,
					Why: "a " + string(c.Action) + " beside a substitution whose people could not be read: " + reading.Clip(c.Text)})
				continue
			}
			kept = append(kept, c)
		}
		out.changes = kept
	}
	if out.ask {
		var ask []reading.Change
		for _, c := range out.changes {
			if len(c.Candidates) > 1 {
				ask = append(ask, c)
			}
		}
		out.changes = ask
	}
	return out
}
