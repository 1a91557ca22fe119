package reading

import (
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"github.com/goteborgsregionen/anmalan/understand/names"
	"github.com/goteborgsregionen/anmalan/understand/request"
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/diet"
)

// Who a registration is for is read from the sentences that register:
// the writer counts herself in by a coordination with herself in it ("jag
// själv och min kollega …", "mig samt …", "Emil Vik (jag)", "my colleague
// … and I"), by a count that leaves one place for her ("vi blir tre: …"
// beside two others), or by naming herself in the list; she counts
// herself out by a clause of her own under negation ("själv har jag inte
// möjlighet", "I will not attend myself"). A sentence that does not
// register ("bekräftelsen får gå till både Annika och mig") says nothing
// about who registers.
//
// The facts about a person (a diet) are bound to the person their clause
// is about: the person named or addressed nearest before the fact in its
// sentence ("Pär är vegetarian och Sanna tål inte laktos"), the writer
// for "jag"/"I", and for "hon"/"han"/"she"/"he" the person other than the
// writer mentioned last. A fact nobody can be found for is dropped rather
// than given to someone at random.

// refKind is what a reference to a person in the text is.
type refKind int

// The kinds of reference.
const (
	refNamed   refKind = iota // a name or an address of one of the people
	refSelf                   // the writer: "jag", "själv", "I", "myself"
	refPronoun                // "hon", "han", "she", "he": someone mentioned before
	refGroup                  // "vi andra", "alla", "we": nobody in particular
	refOther                  // a subject named who is none of the people: "Karin är …"
	refAll                    // "vi båda", "vi alla", "both of us": every one of the people
)

// personRef is one reference to a person, where it starts in the text.
type personRef struct {
	kind refKind
	who  int // the index in people, for refNamed
	at   int
}

var (
	// selfRefRe, pronounRefRe and groupRefRe find the words that refer to
	// the writer, to someone named before, and to a group. "I" is looked
	// for with its capital; the rest in any case.
	selfRefRe = regexp.MustCompile(`(?i:\b(?:jag|mig|själv|min del|egen del|myself|I'm|I am)\b)|\bI\b|\bme\b`)
	// forRefRe is what joins a diet to the person it is for, after it:
	// "vegansk kost för mig", "vegetarian for Tom".
	forRefRe     = regexp.MustCompile(`^\s*,?\s*(?:(?:kost|mat|food|meals?|diet)\s+)?(?:för|åt|till|for)\s+$`)
	pronounRefRe = regexp.MustCompile(`(?i)\b(?:hon|han|hennes|hans|she|he|her|his|him)\b`)
	allRefRe     = regexp.MustCompile(`(?i)\b(?:vi|we)\s+(?:\p{L}+\s+)?(?:båda|bägge|alla|both|all)(?:$|[^\p{L}])|\b(?:both|all) of us\b`)
	groupRefRe   = regexp.MustCompile(`(?i)\b(?:vi andra|vi övriga|resten|alla|the rest of us|the others|all of us|we)\b`)

	// selfCoordRe is the writer coordinated with others, before them
	// ("jag själv och", "mig samt", "myself and", "me and") or after them
	// ("och jag", "and I", "samt mig"), or the writer marked in a list
	// ("Emil Vik (jag)").
	selfCoordBeforeRe = regexp.MustCompile(`(?i)\b(?:jag|mig|undertecknad|myself|me)(?:\s+själv)?\s*(?:,|\s(?:och|samt|plus|and|jämte)\b|\+|&)\s*(\S+)|\b(?:förutom|utöver|besides|apart from)\s+(?:mig|myself|me)(?:\s+själv)?\s*,?\s*(\S+)`)
	selfCoordAfterRe  = regexp.MustCompile(`(?i)(?:\s(?:och|samt|plus|and)|&|\+)\s+(?:jag|mig|undertecknad|myself|me)(?:\s+själv)?\b|\sand\s+I\b`)
	selfMarkRe        = regexp.MustCompile(`(?i)\((?:jag|mig|själv|undertecknad|me|myself)\)|\b(?:inklusive|inkl\.?|inräknat|including|incl\.?)\s+(?:mig|mig själv|me|myself)\b|\bmig (?:själv )?(?:inräknad|medräknad|inkluderad)\b|\bme included\b`)
	// selfItemRe is a line of a list that is the writer alone.
	selfItemRe = regexp.MustCompile(`(?im)^[ \t]*(?:[-*•–][ \t]*|\d{1,2}[.)][ \t]*)(?:undertecknad|jag själv|jag|mig själv|myself|me|the undersigned)[ \t]*[.,;]?[ \t]*$`)
)

// countWords are the group sizes request.GroupCountRe reads.
var countWords = map[string]int{"två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8,
	"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}

// personWordAfter tells whether the word after a coordination can start a
// person: a capitalised name, "min kollega", "två kollegor", "our …".
func personWordAfter(w string) bool {
	w = strings.Trim(w, ",.;:()")
	if w == "" {
		return false
	}
	if first := []rune(w)[0]; first >= 'A' && first <= 'Z' || strings.ContainsRune("ÅÄÖÉÜ", first) {
		return !NotNameWords[strings.ToLower(w)]
	}
	return personStarts[strings.ToLower(w)]
}

// personStarts are the lower-case words that start a person after "jag och".
var personStarts = map[string]bool{"min": true, "mitt": true, "mina": true, "vår": true, "våra": true, "en": true, "ett": true, "två": true,
	"tre": true, "fyra": true, "fem": true, "2": true, "3": true, "4": true, "my": true, "our": true, "two": true, "three": true, "four": true, "a": true, "kollega": true,
	"kollegan": true, "kollegor": true, "colleague": true, "colleagues": true, "chefen": true}

// SentencesOf returns the sentences of text with where each starts.
func SentencesOf(text string) (sentences []string, starts []int) {
	last := 0
	for _, loc := range sentenceBreakRe.FindAllStringIndex(text, -1) {
		sentences, starts = append(sentences, text[last:loc[1]]), append(starts, last)
		last = loc[1]
	}
	if strings.TrimSpace(text[last:]) != "" {
		sentences, starts = append(sentences, text[last:]), append(starts, last)
	}
	return sentences, starts
}

// registers reports whether a sentence is one that registers or
// withdraws someone: it has a registration phrase, a request, a word of
// attending, or an address.
func registers(s string) bool { return registersWords(strings.ToLower(s)) || strings.Contains(s, "@") }

// registersWords reports whether the sentence lower (in lower case) has a
// registration phrase, a request, a word of attending or of withdrawing.
func registersWords(lower string) bool {
	return lexicon.Register.FindLower(lower) != "" || lexicon.Attend.FindLower(lower) != "" || request.In(lower) != "" ||
		lexicon.Cancel.FindLower(lower) != "" || lexicon.Withdraw.FindLower(lower) != ""
}

// senderCounted tells how the writer's text counts the writer among the
// others it registers or withdraws: in (she is one of them) or out (she
// says she does not come). others are the people named with an address
// who are not the writer.
func senderCounted(body string, others []Person, sender Person) (in, out bool) {
	body = message.Head(body, 4000)
	if len(others) > 0 && selfItemRe.MatchString(body) {
		// The writer as an item of the list of others: "- undertecknad",
		// "3. jag själv".
		in = true
	}
	sentences, _ := SentencesOf(body)
	for _, s := range sentences {
		one := strings.Join(strings.Fields(s), " ")
		if selfOut(one) {
			out = true
			continue
		}
		if m := request.GroupCountRe.FindStringSubmatch(one); m != nil {
			// A size that leaves one place beside the others named is the
			// writer's place.
			n := countWords[strings.ToLower(m[1])]
			if n == 0 {
				n, _ = strconv.Atoi(m[1])
			}
			in = in || n == len(others)+1
		}
		if !registers(one) && !namesInFull(one, others) {
			continue
		}
		// The writer named in a list of others also counts her in: "Vi
		// vill anmäla oss: Sofia Rahimi och Ali Haddad".
		in = in || selfMarkRe.MatchString(one) || selfCoordAfterRe.MatchString(one) ||
			strings.Contains(sender.Name, " ") && strings.Contains(one, sender.Name) && len(others) > 0
		for _, m := range selfCoordBeforeRe.FindAllStringSubmatch(one, -1) {
			// "Förutom mig själv kommer även …" counts her in whatever
			// follows.
			in = in || personWordAfter(m[1]) || m[2] != ""
		}
	}
	return in, out && !in
}

// namesInFull reports whether s names one of people by first and last
// name: a list of people is a registering sentence even without a verb
// ("Vi blir tre: jag, Amanda Svensson och Hussein Jafari").
func namesInFull(s string, people []Person) bool {
	for _, p := range people {
		if strings.Contains(p.Name, " ") && strings.Contains(s, p.Name) {
			return true
		}
	}
	return false
}

// titleRe is a title written before a name that is not part of it ("Ms
// Hanna Sjöström", "Dr. Lennart Holm"); it is dropped when a first and a
// last name remain.
var titleRe = regexp.MustCompile(`^(?i:ms|mr|mrs|miss|dr|prof|professor|fru|herr)\.?\s+(\S+\s+\S.*)$`)

func withoutTitle(name string) string { return titleRe.ReplaceAllString(name, "$1") }

// selfOutRe is the writer counting herself out: a clause with "själv" or
// "myself" under negation ("själv har jag tyvärr inte möjlighet", "jag
// själv kommer inte", "I will not attend myself").
var selfOutRe = regexp.MustCompile(`(?i)\b(?:själv|myself)\b`)

// selfOut reports whether the sentence s is the writer's own "not me".
func selfOut(s string) bool {
	lower := strings.ToLower(s)
	return selfOutRe.MatchString(s) && lexicon.Neg.FindLower(lower) != "" && selfWords.FindLower(lower) != "" && !strings.Contains(s, "@")
}

// refsOf finds every reference to a person in text: the names (full and
// first, with a Swedish genitive "Amandas") and addresses of people, and
// the words for the writer, for someone mentioned before, and for a
// group. senderAt is the index of the writer in people, or -1.
func refsOf(text string, people []Person, senderAt int) []personRef {
	var refs []personRef
	named := map[int]bool{}
	addAll := func(kind refKind, who int, locs [][]int) {
		for _, l := range locs {
			// A name wins over a word it is spelt like: "Hans" is Hans
			// Ek when he is one of the people, not "his".
			if kind == refNamed || !named[l[0]] {
				refs = append(refs, personRef{kind: kind, who: who, at: l[0]})
			}
			named[l[0]] = named[l[0]] || kind == refNamed
		}
	}
	for i, p := range people {
		addAll(refNamed, i, indexAllFold(text, p.Email))
		addAll(refNamed, i, wordIndexes(text, p.Name))
		if words := strings.Fields(p.Name); len(words) > 1 {
			addAll(refNamed, i, wordIndexes(text, words[0]))
			addAll(refNamed, i, wordIndexes(text, words[0]+"s"))
		}
	}
	for _, m := range subjectRe.FindAllStringSubmatchIndex(text, -1) {
		w := strings.ToLower(text[m[2]:m[3]])
		if !named[m[2]] && !notSubjectWords[w] && !NotNameWords[w] {
			refs = append(refs, personRef{kind: refOther, who: -1, at: m[2]})
		}
	}
	addAll(refSelf, senderAt, selfRefRe.FindAllStringIndex(text, -1))
	addAll(refPronoun, -1, pronounRefRe.FindAllStringIndex(text, -1))
	addAll(refGroup, -1, groupRefRe.FindAllStringIndex(text, -1))
	addAll(refAll, -1, allRefRe.FindAllStringIndex(text, -1))
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].at < refs[j].at })
	return refs
}

// subjectRe is a capitalised word before a verb that says a fact about
// it ("Karin är vegetarian", "Omar äter inte fläsk"): a subject, whose
// diet is hers even when she is none of the people registered.
var subjectRe = regexp.MustCompile(`(\p{Lu}\p{Ll}+)\s+(?:är|äter|tål|har|behöver|kan|is|has|eats|does|doesn't|doesn’t|cannot|can't|needs)\b`)

// notSubjectWords are the capitalised words before such a verb that are
// not a person of their own: pronouns, the writer, a group.
var notSubjectWords = map[string]bool{"hon": true, "han": true, "hen": true, "jag": true, "vi": true, "själv": true, "alla": true, "she": true,
	"he": true, "i": true, "we": true, "everyone": true, "maten": true, "kosten": true, "det": true, "it": true, "this": true, "that": true}

// wordIndexes returns where w occurs in text as a whole word, as written
// (names keep their capital).
func wordIndexes(text, w string) [][]int {
	var out [][]int
	for from := 0; w != "" && from < len(text); {
		i := strings.Index(text[from:], w)
		if i < 0 {
			break
		}
		start, end := from+i, from+i+len(w)
		if !letterAt(text, start-1) && !letterAt(text, end) {
			out = append(out, []int{start, end})
		}
		from = end
	}
	return out
}

// letterAt reports whether the byte at i is a letter or part of a
// multi-byte rune.
func letterAt(s string, i int) bool {
	return i >= 0 && i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 0x80)
}

// indexAllFold returns where addr occurs in text, in any case (nothing
// when lower case changes the text's length).
func indexAllFold(text, addr string) [][]int {
	if lower := strings.ToLower(text); len(lower) == len(text) {
		return wordIndexes(lower, strings.ToLower(addr))
	}
	return nil
}

// allPeople is what resolve returns for a reference to every one of the
// people ("vi båda").
const allPeople = -2

// resolve returns the index in people (n of them) of the person ref
// stands for, given the references before it, or -1: a pronoun is the last
// person other than the writer named before it.
func resolve(ref personRef, before []personRef, senderAt, n int) int {
	switch ref.kind {
	case refNamed, refSelf:
		return ref.who
	case refAll:
		return allPeople
	case refPronoun:
		for i := len(before) - 1; i >= 0; i-- {
			if before[i].kind == refNamed && before[i].who != senderAt {
				return before[i].who
			}
		}
		if senderAt < 0 && n == 1 {
			// A forwarder's "hon" with nobody named before it is the
			// one whose mail she forwards.
			return 0
		}
	}
	return -1
}

// BindDiets sets the diet of each of people from the diets text mentions,
// each bound to the person its clause is about (see the comment at the top
// of this file). senderAt is the writer's index in people, or -1. A diet
// with no reference in its sentence goes to the only person when there is
// one; otherwise it is dropped. A person's diet that a form or a list
// line already gave is kept when the text names none for her.
func BindDiets(text string, people []Person, senderAt int) {
	text = message.Head(text, 4000)
	mentions := diet.Mentions(text)
	if len(mentions) == 0 {
		return
	}
	refs := refsOf(text, people, senderAt)
	_, starts := SentencesOf(text)
	sentenceStart := func(at int) int {
		s := 0
		for _, st := range starts {
			if st <= at {
				s = st
			}
		}
		return s
	}
	bound := make([]string, len(people))
	for _, m := range mentions {
		from := sentenceStart(m.Start)
		who, found := -1, false
		for k, r := range refs {
			// "… kost för mig": the person the diet is for, right after it.
			if r.at >= m.End && r.at <= m.End+16 && forRefRe.MatchString(text[m.End:r.at]) {
				who, found = resolve(r, refs[:k], senderAt, len(people)), true
				break
			}
		}
		for k := len(refs) - 1; k >= 0 && !found; k-- {
			r := refs[k]
			if r.at >= m.Start || r.at < from {
				continue
			}
			who, found = resolve(r, refs[:k], senderAt, len(people)), true
			break
		}
		if !found {
			// No one before it in its sentence: "Vegetarisk kost för
			// Kalle", or a diet said on its own.
			for k, r := range refs {
				if r.at > m.End && r.at < m.End+60 && sentenceStart(r.at) == from {
					who, found = resolve(r, refs[:k], senderAt, len(people)), true
					break
				}
			}
		}
		if !found && len(people) == 1 {
			who = 0
		}
		if found && who == allPeople {
			for i := range people {
				if bound[i] == "" {
					bound[i] = m.Text
				}
			}
			continue
		}
		if who >= 0 && who < len(people) && bound[who] == "" {
			bound[who] = m.Text
		}
	}
	for i := range people {
		if bound[i] != "" {
			people[i].Diet = bound[i]
		}
	}
}

// groupPeople returns the people a registration or withdrawal is for: the
// people named with an address, with the writer put first when her text
// counts her in (and left out when it counts her out and does not give
// her address), their names with å/ä/ö restored from the text, and their
// diets bound to them.
func groupPeople(v View, listed []Person, sender Person, withdraw bool) []Person {
	var others []Person
	senderListed := false
	for _, p := range listed {
		if strings.EqualFold(p.Email, sender.Email) {
			senderListed = true
			continue
		}
		others = append(others, p)
	}
	in, out := senderCounted(v.Body, others, sender)
	if !in && !out && !withdraw && len(others) > 0 {
		// Only for a registration: "… men jag kommer" beside a
		// withdrawal of others must never withdraw the writer.
		in = selfAttends(v.Body)
	}
	people := listed
	if in && !senderListed {
		people = append([]Person{sender}, listed...)
	}
	senderAt := -1
	for i := range people {
		if strings.EqualFold(people[i].Email, sender.Email) {
			senderAt = i
			if people[i].Name == "" || names.IsASCII(people[i].Name) && names.Fold(people[i].Name) == names.Fold(sender.Name) {
				people[i].Name = sender.Name
			}
			continue
		}
		name := withoutTitle(people[i].Name)
		if full := NameFromAddress(people[i].Email); !strings.Contains(name, " ") && strings.HasPrefix(names.Fold(full), names.Fold(name)+" ") {
			name += full[strings.IndexByte(full, ' '):] // "Björn (bjorn.ahl@…)" is Björn Ahl
		}
		people[i].Name = names.Restore(name, v.Body)
	}
	if !withdraw {
		// The list reader gave each person the diet written after her
		// address, up to the next one; the clauses decide instead.
		for i := range people {
			people[i].Diet = ""
		}
		BindDiets(v.Body, people, senderAt)
	}
	return people
}

// addressWords introduce an address given for someone: "Hennes mejl är
// …", "His address is …", "nås på …".
var addressWords = Phrases{"adress", "mejl", "mail", "e-post", "epost", "address", "email", "nås på", "reached at"}

// registrants returns the people of listed whose address stands where a
// registration puts it: in a sentence that registers (a registration
// word, a verb of attending, a request), in a sentence that gives the
// address ("hennes mejl är …"), after a colon, or on a short line of its
// own (a list, a table row). A person mentioned with her address in any
// other sentence ("min chef Pia Dahl (…) har godkänt det") is not
// registered: she was named, not registered.
func registrants(body string, listed []Person) []Person {
	if len(listed) == 0 {
		return listed
	}
	body = message.Head(body, 4000)
	sentences, starts := SentencesOf(body)
	var out []Person
	for _, p := range listed {
		locs := indexAllFold(body, p.Email)
		if len(locs) == 0 {
			out = append(out, p) // not found as written: keep what ListedPeople read
			continue
		}
		keep := false
		for _, l := range locs {
			if registersAt(body, sentences, starts, l[0]) {
				keep = true
				break
			}
		}
		if keep {
			out = append(out, p)
		}
	}
	return out
}

// registersAt reports whether the address at i in body stands where a
// registration puts it (see registrants).
func registersAt(body string, sentences []string, starts []int, i int) bool {
	if declines(strings.ToLower(clauseAt(body, i))) {
		return false // "men min kollega X (…) kan tyvärr inte"
	}
	lineStart := strings.LastIndexByte(body[:i], '\n') + 1
	lineEnd := strings.IndexByte(body[i:], '\n')
	if lineEnd < 0 {
		lineEnd = len(body) - i
	}
	if len(strings.Fields(body[lineStart:i+lineEnd])) <= 8 {
		return true
	}
	for k := range sentences {
		if starts[k] > i || starts[k]+len(sentences[k]) <= i {
			continue
		}
		before := strings.ToLower(sentences[k][:i-starts[k]])
		return registersWords(strings.ToLower(sentences[k])) || addressWords.FindLower(before) != "" || strings.Contains(before, ":")
	}
	return true
}

// ccColleagues returns the people in the mail's Cc (and To, beside the
// bot) whom a registering sentence of the writer names as its object or
// beside herself, by full or first name ("Jag och min kollega Karin Sund
// (i kopia) vill delta", "anmäl gärna Karin och mig"). Their address is the one in
// the header, written by the writer's client, not a guess. People already
// listed, the writer, the bot and the organisers are left out.
func ccColleagues(v View, cfg *config.Config, listed []Person) []Person {
	var out []Person
	var sentences []string
	bot := cfg.BotAddress()
	for _, a := range append(append([]*mail.Address{}, v.Cc...), v.To...) {
		la := strings.ToLower(a.Address)
		if la == "" || la == bot || !strings.Contains(strings.TrimSpace(a.Name), " ") || cfg.IsOrganiser(la) ||
			strings.EqualFold(la, v.From.Address) || containsEmail(listed, la) || containsEmail(out, la) {
			continue
		}
		name := NormaliseName(a.Name)
		first := strings.Fields(name)[0]
		if sentences == nil {
			// Only a mail with someone in copy needs its sentences.
			sentences, _ = SentencesOf(message.Head(v.Body, 4000))
		}
		for _, s := range sentences {
			one := strings.Join(strings.Fields(s), " ")
			if !registers(one) {
				continue
			}
			locs := wordIndexes(one, name)
			if len(locs) == 0 {
				locs = wordIndexes(one, first) // "jag och Karin (i kopia)"
			}
			if len(locs) > 0 && registeredHere(one, locs[0][0]) {
				out = append(out, Person{Name: name, Email: a.Address, Organisation: OrganisationFor(a.Address, v, cfg)})
				break
			}
		}
	}
	return out
}

// registeredHere reports whether the person named at i in the sentence s
// is an object of its registration: within her clause (from the last comma
// before her) a registration verb or a coordination comes before her
// ("anmäl gärna Karin Sund", "jag och min kollega Karin Sund"). "Jag
// anmäler mig, min chef Pia Dahl har godkänt det" does not register Pia.
func registeredHere(s string, i int) bool {
	window := s[:i]
	if k := strings.LastIndexAny(window, ",;:"); k >= 0 {
		window = window[k+1:]
	}
	lower := strings.ToLower(window)
	return lexicon.Register.FindLower(lower) != "" || request.In(lower) != "" || coordWords.FindLower(lower) != ""
}

// coordWords join people in one registration.
var coordWords = Phrases{"|och|", "|samt|", "|plus|", "|and|", "&"}

// A writer who says she comes herself is one of the group even when she
// does not coordinate herself with the others ("Jag vill gärna delta. Min
// kollega X vill också komma."): a registration verb with herself as its
// object ("anmäl mig", "register me", "could you add me …?"), or a verb of attending with
// herself as its subject, only modals and adverbs between ("jag kommer
// gärna", "vi vill delta", "I will attend"), or after it ("då kommer jag
// gärna"). "Jag kommer att …" and "jag kommer från …" are not attending,
// and "jag tror hon kommer" has someone else as the subject.
var (
	selfObjectRe  = regexp.MustCompile(`(?:^|[^\p{L}])(?:anmäl\p{L}*|registrera\p{L}*|boka|skriv upp|lägga till|lägg till|register|sign up|book|add|enrol\p{L}*)\s+(?:(?:även|också|härmed|gärna|in|both|also)\s+)*(?:mig|oss|myself|me|us)(?:$|[^\p{L}])|\bcount (?:me|us) in\b`)
	selfSubjectRe = regexp.MustCompile(`(?:^|[^\p{L}])(?:jag|vi|i|we)\s+(?:(?:vill|ska|skall|skulle|vilja|gärna|också|även|båda|bägge|själv|själva|kan|will|would|'ll|like|to|also|both|definitely|absolut|självklart|nog)\s+)*(?:delta|deltar|kommer|komma|vara med|är med|närvarar|närvara|medverkar|medverka|(?:hänger|följer)(?:\s+(?:gärna|också|även))?\s+med|attend|come|join|participate|be there|be at the)(?:$|[^\p{L}])`)
	selfAfterRe   = regexp.MustCompile(`(?:^|[^\p{L}])(?:kommer|deltar|närvarar|medverkar)\s+(?:jag|vi)(?:$|[^\p{L}])`)
)

// selfAttends reports whether a clause of body says, without a doubt,
// negation or condition, that the writer comes or registers herself.
func selfAttends(body string) bool {
	for _, c := range clausesOf(body) {
		// A polite request to the desk ("Could you add me to the Tuesday
		// session?") asks it to act: its question mark is no doubt.
		asks := c.question && request.PoliteCues.FindLower(c.text) != "" && request.PoliteRe.MatchString(c.text)
		if c.question && !asks || lexicon.Neg.FindLower(c.text) != "" || lexicon.Hedge.FindLower(c.text) != "" || lexicon.Cond.FindLower(c.text) != "" {
			continue
		}
		t := request.NotAttendRe.ReplaceAllString(c.text, " ")
		if selfObjectRe.MatchString(t) || selfSubjectRe.MatchString(t) || selfAfterRe.MatchString(t) {
			return true
		}
	}
	return false
}

// verbNegation and ableWords make a clause one that says its subject does
// not come: "kan tyvärr inte", "hinner inte", "cannot", "won't be able".
var (
	verbNegation = Phrases{"|inte|", "|ej|", "|not|", "n't|", "|cannot|"}
	ableWords    = Phrases{"|kan|", "|kommer|", "|har|", "|hinner|", "|får|", "|can|", "|will|", "|able|", "|möjlighet"}
)

// declines reports whether the clause lower (in lower case) says that its
// subject does not come. A diet said as absent ("ingen specialkost") is no
// such clause.
func declines(lower string) bool {
	return lexicon.Cancel.FindLower(lower) != "" || lexicon.Withdraw.FindLower(lower) != "" ||
		verbNegation.FindLower(lower) != "" && ableWords.FindLower(lower) != ""
}

// A writer who withdraws herself and a colleague she registered often
// names the colleague without an address ("Jag och Ali Haddad som jag
// anmälde … kan inte komma. Ta bort oss båda."). Within one organisation
// the addresses follow one scheme, and the writer's own address shows it:
// when hers is her first and last name joined by a dot (or a dash or an
// underscore) at her domain, the colleague's is his made the same way.
// This is done only for a withdrawal: it can only take away a registration
// the writer made (the bot checks that), never register someone at a
// guessed address.

// coordNameRe is a full name coordinated with the writer: "jag och Ali
// Haddad", "mig och min kollega Ali Haddad", "Ali Haddad och jag".
var coordNameRe = regexp.MustCompile(`(?:(?i:\b(?:jag|mig)(?:\s+själv)?\s+(?:och|samt|plus)\s+(?:min kollega\s+|kollegan\s+)?)(\p{Lu}[\p{L}-]+\s+\p{Lu}[\p{L}-]+))|(?:(\p{Lu}[\p{L}-]+\s+\p{Lu}[\p{L}-]+)(?i:\s+(?:och|samt)\s+(?:jag|mig)\b))`)

// bothWords confirm that a withdrawal is for the writer and the other:
// "oss båda", "båda två", "both of us".
var bothWords = Phrases{"|oss|", "|båda", "|bägge", "|both", "|us|", "|vi|"}

// schemeAddressed returns the people coordinated with the writer by name
// in body, each at the address the writer's scheme gives, or nil when the
// writer's address does not follow a scheme or the text does not confirm
// that the withdrawal is for both.
func schemeAddressed(body string, sender Person) []Person {
	local, domain, ok := strings.Cut(sender.Email, "@")
	if !ok || !names.AgreesWithAddress(sender.Name, sender.Email) || len(strings.Fields(sender.Name)) != 2 {
		return nil
	}
	sep := ""
	for _, s := range []string{".", "-", "_"} {
		if strings.Count(local, s) == 1 {
			sep = s
		}
	}
	words := strings.Fields(names.Fold(sender.Name))
	if sep == "" || strings.ToLower(local) != words[0]+sep+words[1] {
		return nil
	}
	if bothWords.Find(body) == "" {
		return nil
	}
	var out []Person
	for _, m := range coordNameRe.FindAllStringSubmatch(body, 4) {
		name := m[1]
		if name == "" {
			name = m[2]
		}
		w := strings.Fields(names.Fold(name))
		if len(w) != 2 || NotNameWords[strings.ToLower(strings.Fields(name)[0])] || names.Fold(name) == names.Fold(sender.Name) {
			continue
		}
		out = append(out, Person{Name: name, Email: w[0] + sep + w[1] + "@" + domain})
	}
	return out
}
