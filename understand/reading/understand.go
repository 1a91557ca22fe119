package reading

import (
	"fmt"
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"github.com/goteborgsregionen/anmalan/understand/names"
	"net/mail"
	"regexp"
	"strings"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/diet"
)

// withAddressGiven gives each of people named without an address the
// address the mail gives for that name elsewhere: "varken jag eller
// Signhild Borell (signhild.borell@…)" withdraws the one with that
// address, whom the decision need not look for by name.
func withAddressGiven(people, listed []Person) {
	for i := range people {
		if people[i].Email != "" || people[i].Name == "" {
			continue
		}
		for _, l := range listed {
			if l.Email != "" && (sameFold(l.Name, people[i].Name) || names.Fold(NameFromAddress(l.Email)) == names.Fold(people[i].Name)) && !containsEmail(people, l.Email) {
				people[i].Email, people[i].Organisation = l.Email, l.Organisation
				break
			}
		}
	}
}

// SentenceAround returns the sentence of s that holds the byte at i, on
// one line.
func SentenceAround(s string, i int) string {
	start, end := 0, len(s)
	for _, loc := range sentenceBreakRe.FindAllStringIndex(message.Head(s, 4000), -1) {
		if loc[1] <= i {
			start = loc[1]
		} else if loc[0] >= i {
			end = loc[1]
			break
		}
	}
	return message.Clip(strings.Join(strings.Fields(s[start:end]), " "), 300)
}

// view is the part of a mail that understanding a participant needs; a
// forwarded mail inside an organiser's mail is a view too.
type View struct {
	From    mail.Address
	To, Cc  []*mail.Address
	Subject string
	Own     string // the writer's own text, quote removed
	Body    string // own text without the signature
	Sig     string // the signature
}

var (
	// erasureRe asks to erase the writer's data in other words: "radera
	// alla uppgifter ni har sparat om mig", "ta bort alla mina
	// personuppgifter", "delete all the personal data you hold about me",
	// "radera allt ni har sparat om mig", "wipe everything you have stored
	// about me".
	erasureRe = regexp.MustCompile(`\b(?:radera|raderar|(?:ta|tar)\s+(?:också\s+|även\s+)?bort|rensa|delete|erase|remove)\s+(?:\p{L}+\s+){0,3}(?:uppgifter|personuppgifter|data|personal data|information|details)\b(?:[^.!?\n]{0,40}\b(?:om mig|about me|on me))?|\b(?:radera|rensa|ta bort|delete|erase|remove|wipe)\s+(?:gärna\s+|också\s+|även\s+)?(?:allt|everything|all)\s+(?:\p{L}+\s+){0,4}?(?:om mig|about me|on me)\b`)
	// laterRe puts an erasure off until later: "när seminariet är slut",
	// "efter träffen", "after the event", "once it is over".
	laterRe      = regexp.MustCompile(`\b(?:när|efter|after|once|when)\s+(?:\p{L}+\s+){0,2}(?:är slut|är över|seminariet|träffen|mötet|eventet|the event|the seminar|the meeting|it is over|it's over)`)
	ListMarkerRe = regexp.MustCompile(`^\s*(?:[-*•–·]|\d{1,2}[.)])\s*`)
)

// sentenceTail returns the part of s after its last sentence break: a
// "not" of the sentence before ("… och kommer inte. Radera allt …")
// denies nothing in the next.
func sentenceTail(s string) string {
	if i := strings.LastIndexAny(s, ".!?\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// firstWhy returns the reason of the first alternative, or def.
func firstWhy(alts []Alternative, def string) string {
	if len(alts) > 0 {
		return alts[0].Why
	}
	return def
}

// understandParticipant reads the mail of someone who is not an organiser
// (or the original of an organiser's forward).
func UnderstandParticipant(v View, cfg *config.Config) (kind Kind, people []Person, reason string) {
	kind, people, reason, _ = ReadParticipant(v, cfg)
	return kind, people, reason
}

// readParticipant is understandParticipant with the intent its clauses
// add up to, for the hedge and the alternatives.
func ReadParticipant(v View, cfg *config.Config) (kind Kind, people []Person, reason string, in Intent) {
	subject := stripSubjectPrefixes(v.Subject)
	m := lexicon.Forget.Find(v.Body)
	if m == "" {
		lower := strings.ToLower(message.Head(v.Body, 4000))
		if loc := erasureRe.FindStringIndex(lower); loc != nil && !deniedJustBefore(sentenceTail(lower[max(0, loc[0]-30):loc[0]])+lower[loc[0]:loc[1]], lower[loc[0]:loc[1]]) &&
			!laterRe.MatchString(SentenceAround(lower, loc[0])) {
			// Not "… när seminariet är slut": erasure after the event is
			// the retention's, and the writer still comes.
			m = lower[loc[0]:loc[1]] // not "jag vill inte att ni raderar mina uppgifter"
		}
	}
	if m != "" && lexicon.NotForget.Find(v.Body) == "" {
		return "forget", []Person{SenderPerson(v, cfg)}, fmt.Sprintf("the text says %q: erase the sender's data", strings.TrimSpace(m)), in
	}
	in = readIntent(v.Body)
	if in.cancel {
		p := ListedPeople(v, cfg)
		sender := SenderPerson(v, cfg)
		if in.others {
			// The withdrawal is about the people its clause names by
			// address, not the writer: those are withdrawn, and the
			// decision checks that the writer made their registrations.
			var named []Person
			for _, o := range p {
				if !strings.EqualFold(o.Email, sender.Email) && o.Email != "" && strings.Contains(strings.ToLower(in.withdrawn), strings.ToLower(o.Email)) {
					o.Diet = ""
					o.Name = names.Restore(o.Name, v.Body)
					named = append(named, o)
				}
			}
			if len(named) > 0 {
				return KindCancellation, named, fmt.Sprintf("the text says %q about %d named by address, not the writer", strings.TrimSpace(in.why), len(named)), in
			}
			if len(named) == 0 && in.OtherName != "" {
				return KindCancellation, []Person{{Name: in.OtherName}}, fmt.Sprintf("the text says %q about %s, whom the writer registered, named without an address", strings.TrimSpace(in.why), in.OtherName), in
			}
		}
		if len(p) == 0 {
			p = schemeAddressed(v.Body, sender)
		}
		if counted, _ := senderCounted(v.Body, p, sender); len(p) == 0 || !counted && !containsEmail(p, v.From.Address) {
			// The people a withdrawal names with an address are withdrawn
			// with the writer only when the writer counts herself in
			// ("jag och Ali", "oss båda"); otherwise it is the writer's.
			p = []Person{sender}
		} else {
			p = groupPeople(v, p, sender, true)
		}
		p = append(p, coWithdrawn(in.withdrawn, p)...)
		p = append(p, groupWithdrawn(v.Body, p)...)
		withAddressGiven(p, ListedPeople(v, cfg))
		for i := range p {
			p[i].Diet = ""
		}
		return KindCancellation, p, fmt.Sprintf("the text says %q", strings.TrimSpace(in.why)), in
	}
	if m := lexicon.Cancel.Find(subject); m != "" && strings.TrimSpace(v.Body) == "" {
		return KindCancellation, []Person{SenderPerson(v, cfg)}, fmt.Sprintf("the subject says %q", strings.TrimSpace(m)), in
	}
	if in.OneOf && !in.Register {
		return KindOther, nil, "a withdrawal of one of several, to ask which: " + firstWhy(in.WhyNot, "one of several"), in
	}
	if in.Human {
		return KindOther, nil, "a withdrawal for a human to settle: " + firstWhy(in.WhyNot, "about someone else"), in
	}
	if in.Ask && !in.Register {
		return KindOther, nil, "a withdrawal to confirm before it is done: " + firstWhy(in.WhyNot, "said on a condition"), in
	}
	if in.Hedged && !in.Register {
		return KindOther, nil, "hedged: " + firstWhy(in.WhyNot, "interest without a commitment"), in
	}

	form := formPeople(v, cfg)
	listed := registrants(v.Body, ListedPeople(v, cfg))
	listed = append(listed, ccColleagues(v, cfg, listed)...)
	phrase := in.why
	if !in.Register {
		phrase = ""
		if len(in.WhyNot) == 0 && !strings.Contains(v.Body, "?") && lexicon.PastForms.Find(v.Body) == "" {
			// Only when the text says nothing of its own: "Anmälan" as the
			// whole subject of a list of names.
			phrase = lexicon.Register.Find(blank(strings.ToLower(subject), lexicon.PastForms))
		}
	}
	switch {
	case len(form) > 0:
		return "registration", form, "registration form fields in the text", in
	case phrase != "" && len(listed) > 0:
		listed = groupPeople(v, listed, SenderPerson(v, cfg), false)
		who := "the writer is not one of them"
		if containsEmail(listed, v.From.Address) {
			who = "the writer is one of them"
		}
		return "registration", listed, fmt.Sprintf("%q and %d named in the text; %s", strings.Trim(phrase, " ,."), len(listed), who), in
	case phrase != "":
		p := SenderPerson(v, cfg)
		people := []Person{p}
		if others := coRegistered(v.Body, in.registered, people); len(others) > 0 {
			if _, out := senderCounted(v.Body, others, p); out {
				// "Själv kan jag tyvärr inte delta": the others only.
				people = nil
			}
			people = append(people, others...)
		}
		// Her diet, or one said without anyone else in its clause; a
		// colleague's diet goes to the colleague its clause names.
		if len(people) == 0 || people[0].Email != p.Email {
			BindDiets(v.Body, people, -1)
			return "registration", people, fmt.Sprintf("%q in the text: %d named without an address; the writer is not one of them", strings.Trim(phrase, " ,."), len(people)), in
		}
		BindDiets(v.Body, people, 0)
		if len(people) > 1 {
			return "registration", people, fmt.Sprintf("%q in the text: the sender registers with %d named without an address", strings.Trim(phrase, " ,."), len(people)-1), in
		}
		return "registration", people, fmt.Sprintf("%q in the text: the sender registers", strings.Trim(phrase, " ,.")), in
	}
	return "other", nil, "no registration, cancellation or command in the text", in
}

var subjectPrefixRe = regexp.MustCompile(`(?i)^\s*((re|sv|aw|vs|ang|antw|réf|ref|fw|fwd|vb|vl|wg|tr|rv|i)\s*(\[\d+\])?\s*:\s*)+`)

func stripSubjectPrefixes(s string) string {
	return subjectPrefixRe.ReplaceAllString(s, "")
}

func containsEmail(ps []Person, addr string) bool {
	for _, p := range ps {
		if strings.EqualFold(p.Email, addr) {
			return true
		}
	}
	return false
}

var (
	fieldRe = regexp.MustCompile(`(?i)^\s*(?:[-*•]\s*)?(namn|name|full name|fullständigt namn|för- och efternamn|deltagare|participant|organisation|organization|organisation/kommun|kommun|förvaltning|arbetsplats|företag|company|employer|affiliation|myndighet|e-post|epost|e-postadress|e-mail|email|mejl|mail|specialkost|kost|diet|dietary requirements?|dietary needs|allergi|allergier|allergies|matpreferens(er)?|food preferences?)\s*[:：]\s*(.*?)\s*$`)
)

// formPeople reads "Namn: …, E-post: …" form fields. Each Name field starts
// a new person; an email, organisation or diet field belongs to the person
// before it (or the first one).
func formPeople(v View, cfg *config.Config) []Person {
	var people []Person
	var cur *Person
	seen := false
	for _, line := range strings.Split(v.Body, "\n") {
		m := fieldRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key, val := strings.ToLower(m[1]), strings.TrimSpace(m[3])
		switch key {
		case "namn", "name", "full name", "fullständigt namn", "för- och efternamn", "deltagare", "participant":
			if val == "" {
				continue
			}
			people = append(people, Person{Name: NormaliseName(val)})
			cur = &people[len(people)-1]
			seen = true
			continue
		}
		if cur == nil {
			people = append(people, Person{})
			cur = &people[len(people)-1]
		}
		switch {
		case strings.Contains(key, "mail") || strings.Contains(key, "post") || key == "mejl":
			if a := message.AddrSpecRe.FindString(val); a != "" {
				cur.Email = a
			}
		case strings.Contains(key, "kost") || strings.Contains(key, "diet") || strings.Contains(key, "allerg") || strings.Contains(key, "mat") || strings.Contains(key, "food"):
			if val != "" && !diet.IsNone(val) {
				cur.Diet = val
			}
		default:
			if val != "" {
				cur.Organisation = val
			}
		}
		seen = true
	}
	if !seen {
		return nil
	}
	sender := SenderPerson(v, cfg)
	var out []Person
	for i, p := range people {
		if p.Name == "" && p.Email == "" {
			if i == 0 && (p.Organisation != "" || p.Diet != "") {
				// Only organisation or diet was given: they are the sender's.
				p.Name, p.Email = sender.Name, sender.Email
			} else {
				continue
			}
		}
		if p.Email == "" && i == 0 {
			p.Email = sender.Email
		}
		if p.Name == "" {
			if strings.EqualFold(p.Email, sender.Email) {
				p.Name = sender.Name
			} else {
				p.Name = NameFromAddress(p.Email)
			}
		}
		if p.Email == "" {
			continue // a second person needs an address to be confirmed
		}
		if p.Organisation == "" {
			p.Organisation = OrganisationFor(p.Email, v, cfg)
		}
		out = append(out, p)
	}
	// A mail with only a diet field is not a form.
	if len(out) == 1 && out[0].Name == sender.Name && len(people) == 1 && people[0].Name == "" && people[0].Organisation == "" {
		return nil
	}
	return out
}

// ListedPeople finds the people named with an address in the body: lines of
// a list ("- Anders Berg, anders.berg@…"), table rows, or a sentence
// ("Härmed anmäls … Gunilla Ek, gunilla.ek@…"). The bot's and the
// organisers' addresses are not people to register.
func ListedPeople(v View, cfg *config.Config) []Person {
	var people []Person
	bot := cfg.BotAddress()
	seen := map[string]bool{}
	prevLine := ""
	for _, line := range strings.Split(v.Body, "\n") {
		wrapped := prevLine
		prevLine = line
		locs := message.AddrSpecRe.FindAllStringIndex(line, 20)
		prevEnd := 0
		for k, loc := range locs {
			addr := line[loc[0]:loc[1]]
			la := strings.ToLower(addr)
			nextStart := len(line)
			if k+1 < len(locs) {
				nextStart = locs[k+1][0]
			}
			before, after := line[prevEnd:loc[0]], line[loc[1]:nextStart]
			prevEnd = loc[1]
			if la == bot || cfg.IsOrganiser(la) || seen[la] || strings.HasPrefix(strings.ToLower(strings.TrimSpace(before)), "mailto") {
				continue
			}
			seen[la] = true
			p := Person{Email: addr}
			p.Name = NameBefore(before)
			if k == 0 && p.Name != "" && !strings.Contains(p.Name, " ") && strings.TrimSpace(strings.TrimRight(before, " \t,;:(<")) == p.Name {
				// The line begins with the name: a client that wrapped the
				// line may have left its first part at the end of the line
				// before ("… och Valdemar\nÖstergren (valdemar.ostergren@…)").
				// The longer name counts when the address agrees with it.
				if whole := NameBefore(wrapped + " " + before); whole != p.Name && names.AgreesWithAddress(whole, addr) {
					p.Name = whole
				}
			}
			if p.Name == "" {
				p.Name = NameAfter(after)
			}
			if p.Name == "" && strings.EqualFold(addr, v.From.Address) {
				p.Name = SenderPerson(v, cfg).Name
			}
			if p.Name == "" {
				p.Name = NameFromAddress(addr)
			}
			if p.Name == "" {
				p.Name = addr[:strings.LastIndexByte(addr, '@')] // better than no name in a reply
			}
			p.Diet = diet.In(after)
			if org := OrgIn(after); org != "" {
				p.Organisation = org
			} else {
				p.Organisation = OrganisationFor(addr, v, cfg)
			}
			people = append(people, p)
		}
	}
	return people
}

var (
	capWordRe    = regexp.MustCompile(`^\p{Lu}[\p{L}'’.-]*$`)
	nameParticle = map[string]bool{"af": true, "von": true, "van": true, "de": true, "der": true, "la": true, "di": true, "da": true}
	// Capitalised words that are not names even where a name is expected.
	NotNameWords = map[string]bool{"hej": true, "hi": true, "hello": true, "dear": true, "namn": true, "name": true, "e-post": true, "email": true, "mail": true,
		"jag": true, "vi": true, "och": true, "and": true, "med": true, "with": true, "kommun": true, "stad": true, "region": true, "tel": true, "telefon": true, "mobil": true,
		"anmäl": true, "anmäls": true, "anmälan": true, "avanmäl": true, "byt": true, "ersätt": true, "stryk": true, "register": true, "cancel": true, "replace": true, "please": true, "tack": true, "härmed": true, "det": true, "den": true, "min": true, "vår": true, "our": true, "my": true}
)

// nameBefore returns the run of capitalised words at the end of s (the text
// just before an address), such as "Gunilla Ek" in "anmäls vår
// förvaltningschef Gunilla Ek, ".
func NameBefore(s string) string {
	s = ListMarkerRe.ReplaceAllString(s, "")
	s = strings.TrimRight(s, " \t,;:(<|–-\"'")
	if i := strings.LastIndexAny(s, "|;:(<\"\t"); i >= 0 {
		s = s[i+1:]
	}
	words := strings.Fields(s)
	var name []string
	for i := len(words) - 1; i >= 0 && len(name) < 4; i-- {
		w := strings.Trim(words[i], ",")
		if strings.HasSuffix(words[i], ",") && len(name) > 0 {
			break // "Berg, Anders" is handled by normaliseName; a comma ends a name
		}
		if capWordRe.MatchString(w) && !NotNameWords[strings.ToLower(w)] && !frameWords[strings.ToLower(w)] {
			name = append([]string{w}, name...)
			continue
		}
		if nameParticle[w] && len(name) > 0 {
			name = append([]string{w}, name...)
			continue
		}
		break
	}
	if len(name) == 0 {
		return ""
	}
	return strings.Join(name, " ")
}

// nameAfter returns a name written after an address: "(Anders Berg)" or
// ", Anders Berg".
func NameAfter(s string) string {
	s = strings.TrimLeft(s, " \t,;:>)–-")
	s = strings.TrimLeft(s, "(")
	words := strings.Fields(s)
	var name []string
	for _, w := range words {
		w = strings.TrimRight(w, ",;)")
		if !capWordRe.MatchString(w) || NotNameWords[strings.ToLower(w)] || len(name) == 4 {
			break
		}
		name = append(name, w)
		if strings.HasSuffix(strings.TrimRight(w, ")"), ",") {
			break
		}
	}
	if len(name) < 2 {
		return ""
	}
	return strings.Join(name, " ")
}

// nameFromAddress guesses a name from an address such as
// "anders.berg@…": "Anders Berg". A local part without a separator gives "".
func NameFromAddress(addr string) string {
	local := addr
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local = addr[:i]
	}
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	if len(parts) < 2 {
		return ""
	}
	for i, p := range parts {
		if p == "" || strings.ContainsAny(p, "0123456789") {
			return ""
		}
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, " ")
}

// normaliseName turns "Carter, Emily" into "Emily Carter" and trims quotes.
func NormaliseName(s string) string {
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"'`))
	if i := strings.IndexByte(s, ','); i > 0 && strings.Count(s, ",") == 1 {
		last, first := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		if first != "" && last != "" && !strings.Contains(last, " ") {
			s = first + " " + last
		}
	}
	return strings.Join(strings.Fields(s), " ")
}

// functionNames are words of a shared mailbox's or a function's name
// ("Registrator", "Kansli HR"), which is no person's name.
var functionNames = Phrases{"registrator", "registratur", "kansli", "reception", "växel", "info", "admin", "support", "kontakt",
	"contact", "anmälan", "service", "nämnd", "förvaltning", "kommun", "stad", "region", "noreply", "no-reply", "office", "team",
	"sekretariat", "secretary", "assistent", "assistant", "postlåda", "funktionsbrevlåda", "brevlåda", "mailbox", "ekonomi", "hr|",
	"enhet", "avdelning"}

// senderPerson is the sender as a person: the display name ("Carter,
// Emily" is Emily Carter), or a name from the signature when the display
// name is missing or names a function ("Registrator Härryda"), or a name
// made from the address.
func SenderPerson(v View, cfg *config.Config) Person {
	name := NormaliseName(v.From.Name)
	sigName := signatureNameOf(v.Sig, v.Body)
	switch {
	case name == "" || functionNames.Find(name) != "" || strings.Contains(name, "@"):
		name = sigName
	case !strings.Contains(name, " ") && sigName != "" && strings.HasPrefix(strings.ToLower(sigName), strings.ToLower(name)):
		name = sigName // "Sara" in the display name, "Sara Nilsson" in the signature
	default:
		name = names.Choose(name, sigName, v.From.Address)
	}
	if name == "" {
		name = NameFromAddress(v.From.Address)
	}
	if name == "" {
		name = NormaliseName(v.From.Name)
	}
	name = names.Restore(name, v.Body)
	org := OrganisationFor(v.From.Address, v, cfg)
	if org == "" {
		org = names.WorkplaceIn(v.Body)
	}
	return Person{Name: name, Email: v.From.Address, Organisation: org}
}

// signatureName returns the first line of a signature that is a person's
// name ("Karin Ek"), skipping the greeting; "/Sara" gives "Sara" and "Mvh
// Eva Strand" gives "Eva Strand".
func signatureName(sig string) string {
	for i, line := range strings.Split(sig, "\n") {
		t := strings.TrimSpace(line)
		if i > 6 {
			break
		}
		if g := message.GreetingRe.FindString(t); g != "" {
			t = strings.TrimSpace(t[len(g):])
		}
		t = strings.TrimSpace(strings.TrimPrefix(t, "/"))
		t = strings.TrimPrefix(t, "-- ")
		if t == "" || t == "--" {
			continue
		}
		if message.LooksLikeName(t) && functionNames.Find(t) == "" && OrgIn(t) == "" {
			return t
		}
	}
	return ""
}

// orgPattern is a pattern of organisation names with the words it needs,
// looked for first because that is much cheaper than the expression.
type orgPattern struct {
	words message.Phrases
	re    *regexp.Regexp
}

// orgPatterns find organisations in signatures and sentences:
// municipalities and cities ("Mölndals stad", "Partille kommun", "Göteborgs
// Stad"), regions, universities and colleges, and companies by their form
// ("Wardrop Consulting AB", "Fyrbodal Ltd").
var orgPatterns = []orgPattern{
	{message.Phrases{"kommun", "stad"}, regexp.MustCompile(`\p{Lu}\p{L}+(?:[ -]\p{Lu}\p{L}+)?s? (?:kommun|stad|Stad|Kommun)\b`)},
	{message.Phrases{"kommun", "stad"}, regexp.MustCompile(`\p{Lu}\p{L}+ (?:kommun|stad)(?:[^\p{L}]|$)`)},
	{message.Phrases{"region"}, regexp.MustCompile(`\b(?:Region|Regionen) \p{Lu}\p{L}+(?: \p{Lu}\p{L}+)?`)},
	{message.Phrases{"regionen"}, regexp.MustCompile(`\p{Lu}\p{L}*(?:regionen|Regionen)\b`)},
	{message.Phrases{"länsstyrelsen", "högskolan", "universitetet"}, regexp.MustCompile(`\b(?:Länsstyrelsen|Högskolan|Universitetet) (?:i )?\p{Lu}\p{L}+(?: \p{Lu}\p{L}+)?`)},
	{message.Phrases{"universitet", "högskola"}, regexp.MustCompile(`\p{Lu}\p{L}+(?: \p{Lu}\p{L}+)? (?:universitet|högskola)\b`)},
	{message.Phrases{"chalmers"}, regexp.MustCompile(`\bChalmers(?: (?:University of Technology|tekniska högskola|tekniska högskolan))?`)},
	{message.Phrases{"university of"}, regexp.MustCompile(`\bUniversity of \p{Lu}\p{L}+(?: (?:of )?\p{Lu}\p{L}+)*`)},
	{message.Phrases{"university"}, regexp.MustCompile(`\p{Lu}\p{L}+(?: \p{Lu}\p{L}+)? University\b`)},
	{message.Phrases{"kommunförbundet"}, regexp.MustCompile(`\bKommunförbundet \p{Lu}\p{L}+`)},
	{message.Phrases{"|ab|", "|hb|", "|ltd", "|limited|", "|inc|", "|gmbh|"}, regexp.MustCompile(`\p{Lu}\p{L}+(?: (?:&|och|and|\p{Lu}\p{L}+)){0,3} (?:AB|HB|Ltd|Limited|Inc|GmbH)\b`)},
}

// orgIn returns the first organisation named in s: on the first line that
// names one, the leftmost match of any pattern.
func OrgIn(s string) string {
	for _, line := range strings.Split(s, "\n") {
		lower := strings.ToLower(line)
		best, at := "", -1
		for _, p := range orgPatterns {
			if p.words.FindLower(lower) == "" {
				continue
			}
			if loc := p.re.FindStringIndex(line); loc != nil && (at < 0 || loc[0] < at) {
				best, at = strings.TrimSpace(strings.TrimRight(line[loc[0]:loc[1]], " ,.;)")), loc[0]
			}
		}
		if best != "" {
			return best
		}
	}
	return ""
}

// organisationFor returns the organisation of the person at addr: from the
// writer's signature or text when addr shares the sender's domain, else the
// config's table of mail domains.
func OrganisationFor(addr string, v View, cfg *config.Config) string {
	d := names.DomainOf(addr)
	if d != "" && d == names.DomainOf(v.From.Address) {
		if org := OrgIn(v.Sig); org != "" {
			return org
		}
		if org := OrgIn(v.Body); org != "" {
			return org
		}
	}
	if cfg != nil && d != "" {
		for dom, name := range cfg.Organisations {
			if strings.EqualFold(dom, d) {
				return name
			}
		}
	}
	return ""
}

// The sentence in which the writer registers may name, without an
// address, the people who come with her: coordinated with her as the
// subject or the object ("jag och Gillis Jarl kommer", "min kollega
// Cornelia Almén och jag vill komma"), as whom she brings ("jag tar med
// mig Hjalmar Skoog"), or in a list after a colon ("vi blir fyra, mig
// själv medräknad: Tage Ekblom, Sonja Rapp och Melker Tornberg"). They are
// people with a name alone: the decision registers those it can and
// leaves the rest for a human.
var (
	bringRe = regexp.MustCompile(`(?i:\b(?:tar|ta|tänker ta|tar också|brings?|bringing|will bring)\s+(?:med\s+mig|med\s+oss|along)?\s*(?:min kollega\s+|my colleague\s+)?)(\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){1,2})`)
	// bringCues are the words bringRe needs.
	bringCues = Phrases{"|tar|", "|ta|", "bring"}
	// listItemSplitRe separates the names of a list in a sentence.
	listItemSplitRe = regexp.MustCompile(`\s*(?:,|;|\s(?:och|samt|and)\s)\s*`)
	fullNameRe      = regexp.MustCompile(`^\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){1,2}$`)
)

// coRegistered returns the people the registering sentence names beside
// the writer without an address (see bringRe), unless they are among have.
func coRegistered(body, sentence string, have []Person) []Person {
	if sentence == "" {
		return nil
	}
	out := coWithdrawn(sentence, have)
	if t := strings.TrimSpace(sentence); strings.HasSuffix(t, ":") && registersWords(strings.ToLower(t)) {
		// "Här kommer anmälningar från Härryda:" and a list of names on
		// the lines below it, one a line, each perhaps with a diet.
		out = append(out, namesListedAfter(body, t, append(append([]Person{}, have...), out...))...)
	}
	add := func(name string) {
		for _, p := range append(append([]Person{}, have...), out...) {
			if sameFold(p.Name, name) {
				return
			}
		}
		out = append(out, Person{Name: name})
	}
	if bringCues.Find(sentence) != "" {
		for _, m := range bringRe.FindAllStringSubmatch(sentence, 3) {
			add(m[1])
		}
	}
	if i := strings.IndexByte(sentence, ':'); i >= 0 && registersWords(strings.ToLower(sentence[:i])) {
		items := listItemSplitRe.Split(strings.Trim(sentence[i+1:], " .!\n"), -1)
		var names []string
		for _, it := range items {
			if !fullNameRe.MatchString(it) {
				return out // a list of names only, or none of it
			}
			names = append(names, it)
		}
		for _, n := range names {
			add(n)
		}
	}
	return out
}

// listLineRe is a line of a list that begins with a full name: "1. Agda
// Ekholm – laktosfri kost", "- Verner Thorsell".
var listLineRe = regexp.MustCompile(`^\s*(?:\d{1,2}[.)]|[-*•–])\s*(\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){1,2})\s*(?:$|[–—,(:-])`)

// namesListedAfter returns the names of the list lines that follow the
// line ending with intro in body (blank lines between allowed), up to the
// first line that is not one, unless they are among have. A list line
// with an address is read by ListedPeople instead.
func namesListedAfter(body, intro string, have []Person) []Person {
	lines := strings.Split(message.Head(body, 4000), "\n")
	at := -1
	last := strings.Fields(intro)
	for i, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && len(last) > 0 && f[len(f)-1] == last[len(last)-1] && strings.HasSuffix(strings.TrimSpace(l), ":") {
			at = i
			break
		}
	}
	if at < 0 {
		return nil
	}
	var out []Person
	for _, l := range lines[at+1:] {
		if strings.TrimSpace(l) == "" {
			if len(out) == 0 {
				continue
			}
			break
		}
		m := listLineRe.FindStringSubmatch(l)
		if m == nil || strings.Contains(l, "@") {
			break
		}
		known := false
		for _, p := range append(append([]Person{}, have...), out...) {
			known = known || sameFold(p.Name, m[1])
		}
		if !known {
			out = append(out, Person{Name: m[1]})
		}
	}
	return out
}

// CapRunRe is a name of two or three capitalised words, a double first
// name or a surname with an inner capital each one word: "Nils-Erik
// Stålhandske", "Morag McDonald".
var CapRunRe = regexp.MustCompile(`\p{Lu}[\p{Ll}'’-]+(?:\p{Lu}[\p{Ll}'’-]+)?(?:\s+\p{Lu}[\p{Ll}'’-]+(?:\p{Lu}[\p{Ll}'’-]+)?){1,2}`)

// SignatureNameOf returns the writer's name in her signature: the line
// signatureName finds, or else the first part of a line that puts name,
// title and organisation on one line ("Jonas Åkesson | Utvecklingsledare
// | Lerums kommun", "Eva Ek, samordnare").
//
// When the signature was not told from the text (a closing the splitter
// does not know, "Vänligen,"), the last lines of the text are looked at
// too, but only for the "Name | Title" form, which no sentence has.
func signatureNameOf(sig, body string) string {
	if n := signatureName(sig); n != "" {
		return n
	}
	lines, seps := strings.Split(sig, "\n"), []string{"|", " – ", ","}
	if strings.TrimSpace(sig) == "" {
		lines, seps = strings.Split(strings.TrimSpace(body), "\n"), []string{"|"}
		lines = lines[max(0, len(lines)-4):]
	}
	for _, line := range lines[:min(len(lines), 7)] {
		for _, sep := range seps {
			if first, _, ok := strings.Cut(line, sep); ok {
				if n := signatureName(strings.TrimSpace(first)); strings.Contains(n, " ") {
					return n
				}
				break
			}
		}
	}
	return ""
}
