package reading

import (
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"regexp"
	"strings"
	"unicode"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/stem"
)

// People withdraw with verbs in every form ("jag får backa", "vi backar",
// "så jag får ställa in", "I'll have to give up my place"), and the fixed
// phrases of lexicon.Withdraw cannot list them all. A withdrawal verb is
// therefore an entry of a small lexicon, compared by stem, with its
// particle and object a few words after it. It counts only in a clause
// whose subject is the writer in the verb's own language ("jag", "vi";
// "I", "we"), so that English "back" in "I'll get back to you" is no
// Swedish "backa", and only when the clause does not deny it ("jag backar
// inte"). A verb of taking place ("det blir av") withdraws the other way
// round: only under negation, and only for the writer ("för min del").

// withdrawVerb is one entry of the lexicon.
type withdrawVerb struct {
	lang  string          // "sv" or "en": the subject words that bind it
	verb  map[string]bool // the stems of the verb's forms
	after []string        // the particle and object, in order, as stems
	// notNext are the stems that, right after the verb and its particle,
	// make it another verb: "ställa in sig på" prepares, "backa upp"
	// supports.
	notNext map[string]bool
	// negated is true for a verb of taking place, which withdraws only
	// under negation.
	negated bool
	// owned, when set, are the stems of the registration nouns one of
	// which must follow the verb (and its particle) with a possessive of
	// the writer before it: "återkalla min anmälan", "revoke my
	// registration".
	owned map[string]bool
	text  string // the entry as written, for the reason
}

// withdrawVerbs is the lexicon.
var withdrawVerbs = append([]withdrawVerb{
	newWithdrawVerb("sv", "backa", []string{"backa", "backar", "backade", "backat"}, nil, []string{"upp"}, false),
	newWithdrawVerb("sv", "ställa in", []string{"ställa", "ställer", "ställde", "ställt", "ställ"}, []string{"in"}, []string{"mig", "oss", "sig", "på"}, false),
	newWithdrawVerb("sv", "ge upp platsen", []string{"ge", "ger", "gav", "gett", "givit"}, []string{"upp", "plats"}, nil, false),
	newWithdrawVerb("sv", "lämna ifrån sig platsen", []string{"lämna", "lämnar", "lämnade"}, []string{"ifrån", "plats"}, nil, false),
	newWithdrawVerb("sv", "bli av", []string{"bli", "blir", "blev", "blivit"}, []string{"av"}, nil, true),
	// Taking oneself off: the object is the writer, so the imperative
	// binds it without a subject ("ta gärna bort mig från listan").
	newWithdrawVerb("sv", "ta bort mig", []string{"ta", "tar", "tog", "tagit"}, []string{"bort", "mig"}, nil, false),
	newWithdrawVerb("sv", "ta bort oss", []string{"ta", "tar", "tog", "tagit"}, []string{"bort", "oss"}, nil, false),
	newWithdrawVerb("sv", "plocka bort mig", []string{"plocka", "plockar"}, []string{"bort", "mig"}, nil, false),
	// Striking oneself out works the same way: "jag stryker mig själv",
	// "stryk oss från seminariet".
	newWithdrawVerb("sv", "stryka mig", []string{"stryka", "stryker", "stryk", "strök", "strukit"}, []string{"mig"}, nil, false),
	newWithdrawVerb("sv", "stryka oss", []string{"stryka", "stryker", "stryk", "strök", "strukit"}, []string{"oss"}, nil, false),
	newWithdrawVerb("en", "scratch me", []string{"scratch", "scratches", "scratched"}, []string{"me"}, nil, false),
	newWithdrawVerb("en", "cross me off", []string{"cross", "crosses", "crossed"}, []string{"me", "off"}, nil, false),
	newWithdrawVerb("en", "give up the seat", []string{"give", "gives", "gave", "given", "giving"}, []string{"up", "place"}, nil, false),
	newWithdrawVerb("en", "give up the seat", []string{"give", "gives", "gave", "given", "giving"}, []string{"up", "seat"}, nil, false),
	newWithdrawVerb("en", "back out", []string{"back", "backs", "backed", "backing"}, []string{"out"}, nil, false),
	newWithdrawVerb("en", "bow out", []string{"bow", "bows", "bowed", "bowing"}, []string{"out"}, nil, false),
}, append(skipVerbs(), takeBackVerbs()...)...)

// takeBackVerbs are the entries for taking one's registration back:
// "jag vill återkalla min anmälan", "jag måste dra tillbaka min
// anmälan", "please revoke my registration", "I'd like to retract our
// booking". These verbs withdraw only with the writer's own registration
// as their object: "dra tillbaka" alone is also moving back, and
// "återkalla" also recalls a decision. The writer's possessive before the
// noun binds the verb to her, as "mig" does in "ta bort mig", so that the
// imperative needs no subject.
func takeBackVerbs() []withdrawVerb {
	svOwned := []string{"anmälan", "anmälningen", "registrering", "registreringen", "bokning", "bokningen", "plats"}
	enOwned := []string{"registration", "registrations", "booking", "place", "seat", "spot", "signup", "sign-up", "rsvp"}
	entries := []struct {
		lang, text   string
		forms, after []string
	}{
		{"sv", "återkalla min anmälan", []string{"återkalla", "återkallar", "återkallade", "återkallat"}, nil},
		{"sv", "dra tillbaka min anmälan", []string{"dra", "drar", "drog", "dragit", "draga"}, []string{"tillbaka"}},
		{"sv", "ta tillbaka min anmälan", []string{"ta", "tar", "tog", "tagit"}, []string{"tillbaka"}},
		{"sv", "annullera min anmälan", []string{"annullera", "annullerar", "annullerade", "annullerat", "makulera", "makulerar", "makulerade"}, nil},
		{"en", "revoke my registration", []string{"revoke", "revokes", "revoked", "revoking", "rescind", "rescinds", "rescinded", "retract", "retracts", "retracted"}, nil},
		{"en", "take back my registration", []string{"take", "takes", "took", "taken", "taking"}, []string{"back"}},
	}
	var out []withdrawVerb
	for _, e := range entries {
		v := newWithdrawVerb(e.lang, e.text, e.forms, e.after, nil, false)
		owned := svOwned
		if e.lang == "en" {
			owned = enOwned
		}
		v.owned = map[string]bool{}
		for _, o := range owned {
			v.owned[stem.Word(o)] = true
		}
		out = append(out, v)
	}
	return out
}

// writerPossessives are the writer's possessives, which make the noun
// after them her own.
var writerPossessives = map[string]bool{"min": true, "mitt": true, "mina": true, "vår": true, "vårt": true, "våra": true, "my": true, "our": true}

// skipVerbs are the entries for skipping the event itself: "jag hoppar
// över seminariet den här gången". Skipping a part of it ("jag hoppar
// över fikat") is no withdrawal, so the object must be the event or a
// pronoun for it.
func skipVerbs() []withdrawVerb {
	var out []withdrawVerb
	for _, obj := range []string{"seminariet", "träffen", "samtalet", "eventet", "evenemanget", "tillfället", "det", "den"} {
		out = append(out, newWithdrawVerb("sv", "hoppa över "+obj, []string{"hoppa", "hoppar", "hoppat"}, []string{"över", obj}, nil, false))
	}
	// Letting go of a session ("jag släpper torsdagens i Kungälv") names it
	// by its day in the genitive as often as by a noun.
	for _, obj := range []string{"seminariet", "träffen", "tillfället", "tisdagens", "torsdagens", "tisdagen", "torsdagen"} {
		out = append(out, newWithdrawVerb("sv", "släppa "+obj, []string{"släppa", "släpper", "släppte", "släppt"}, []string{obj}, nil, false))
	}
	// "I need to drop the Tuesday one", "we'll skip the seminar": the
	// object must be the session, so that "skip lunch" is none.
	for _, obj := range []string{"session", "seminar", "event", "one"} {
		out = append(out, newWithdrawVerb("en", "drop the "+obj, []string{"drop", "drops", "dropped", "dropping", "skip", "skips", "skipped", "skipping"}, []string{obj}, []string{"off", "by"}, false))
	}
	return out
}

func newWithdrawVerb(lang, text string, forms, after, notNext []string, negated bool) withdrawVerb {
	v := withdrawVerb{lang: lang, verb: map[string]bool{}, notNext: map[string]bool{}, negated: negated, text: text}
	for _, f := range forms {
		v.verb[stem.Word(f)] = true
	}
	for _, a := range after {
		v.after = append(v.after, stem.Word(a))
	}
	for _, n := range notNext {
		v.notNext[stem.Word(n)] = true
	}
	return v
}

// withdrawCues are letters every entry's verb begins with: a clause with
// none of them is not stemmed at all.
var withdrawCues = Phrases{"|ta|", "|tar|", "|tog|", "|tagit|", "|plock", "|hopp", "|back", "|ställ", "|ge|", "|ger|", "|gav|", "|gett", "|giv", "|gave", "|lämna", "|bli", "|blev", "|bow",
	"|återkall", "|dra|", "|drar|", "|drog|", "|dragit|", "|draga|", "|annuller", "|makuler", "|revok", "|rescind", "|retract", "|take|", "|takes|", "|took|", "|taken|", "|taking|",
	"|stryk", "|strök", "|struk", "|scratch", "|cross", "|släpp", "|drop", "|skip"}

// subjects are the words that make the writer the subject of a clause, by
// language; "min del" and "my part" bind a verb of taking place.
var subjects = map[string]map[string]bool{
	"sv": {"jag": true, "vi": true},
	"en": {"i": true, "we": true},
}

// writerObjects are the stems of the writer as an object, which bind an
// entry that ends with one.
var writerObjects = map[string]bool{stem.Word("mig"): true, stem.Word("oss"): true, stem.Word("me"): true, stem.Word("us"): true}

// withdrawVerbIn returns the withdrawal verb of the clause lower (lower
// case) whose subject is the writer, or "".
func withdrawVerbIn(lower string) string {
	if withdrawCues.FindLower(lower) == "" {
		return ""
	}
	negated := lexicon.Neg.FindLower(lower) != ""
	words := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = stem.Word(w)
	}
	for _, v := range withdrawVerbs {
		if v.negated != negated {
			continue
		}
		if !boundToWriter(v, words, lower) {
			continue
		}
		for i, s := range stems {
			if !v.verb[s] || !followedBy(stems[i+1:], v.after, v.notNext) {
				continue
			}
			if v.lang == "sv" && strings.HasSuffix(words[i], "s") {
				// The s-passive ("mötet har ställts in", "platsen ges
				// upp") has the thing as its subject, never the writer:
				// the stem drops its s, the word keeps it.
				continue
			}
			if v.owned == nil || ownedAfter(words[i+1:], stems[i+1:], 3+3*len(v.after), v.owned) {
				return v.text
			}
		}
	}
	return ""
}

// boundToWriter reports whether the clause's words make the writer the
// subject of v: a subject word of v's language, or, for a verb of taking
// place, "för min del" / "for my part".
func boundToWriter(v withdrawVerb, words []string, lower string) bool {
	if v.negated && (strings.Contains(lower, "för min del") || strings.Contains(lower, "för vår del") || strings.Contains(lower, "för mig")) {
		return true
	}
	if v.negated {
		return false
	}
	if v.owned != nil {
		return true // the writer's possessive, which the match needs, binds it
	}
	if n := len(v.after); n > 0 && writerObjects[v.after[n-1]] {
		return true // the writer is the object the entry ends with
	}
	for _, w := range words {
		if subjects[v.lang][w] {
			return true
		}
	}
	return false
}

// followedBy reports whether rest begins with the stems of after, in
// order, each within three words of the one before ("give up my place"),
// and the word right after the last of them is none of notNext.
func followedBy(rest, after []string, notNext map[string]bool) bool {
	at := 0
	for _, a := range after {
		found := false
		for j := at; j < len(rest) && j < at+3; j++ {
			if rest[j] == a {
				at, found = j+1, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return at >= len(rest) || !notNext[rest[at]]
}

// ownedAfter reports whether words (those after the verb, with their
// stems) hold a writer's possessive within window words and one of the
// stems of owned within two words after it: "återkalla härmed min
// anmälan", "dra tillbaka min egen anmälan".
func ownedAfter(words, stems []string, window int, owned map[string]bool) bool {
	for i := 0; i < len(words) && i < window; i++ {
		if !writerPossessives[words[i]] {
			continue
		}
		for j := i + 1; j < len(stems) && j <= i+2; j++ {
			if owned[stems[j]] {
				return true
			}
		}
	}
	return false
}

// A writer withdraws a colleague with herself by coordinating the two as
// the subject of the withdrawal: "Amir Haddad and I can no longer come",
// "Varken jag eller Ebba Norén kan komma", "jag och Ebba kan inte". The
// colleague named without an address is a person with a name alone: the
// decision finds her among the registrations the writer made, and asks
// when the name fits more than one.
var (
	nameThenSelfRe = regexp.MustCompile(`((?:\p{Lu}[\p{Ll}'’-]+\s+){0,2}\p{Lu}[\p{Ll}'’-]+)\s+(?:och|and|&|eller|or|nor)\s+(?:jag|I)\b`)
	// frameWords open a coordination or a sentence, capitalised at its
	// start, and are no part of a name: "Neither Priya nor I",
	// "Unfortunately Amir and I".
	frameWords = map[string]bool{"neither": true, "varken": true, "both": true, "både": true, "either": true, "antingen": true,
		"unfortunately": true, "tyvärr": true, "sadly": true, "also": true, "även": true, "också": true}
	selfThenNameRe = regexp.MustCompile(`(?i:\b(?:jag|I|me|mig)(?:\s+själv|\s+myself)?\s+(?:och|and|&|eller|or|nor)\s+(?:min kollega\s+|my colleague\s+)?)(\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){0,2})`)
	// selfThenRoleRe is the writer coordinated with people she names by
	// their relation to her before their names: "mig och min praktikant
	// Melwin Weibull", "myself and my two team members, Tarun Chaudhuri
	// and Filipa Morgado". The relation is one to three lower-case words
	// after a possessive of hers; the names after it are full names, one
	// or a list (see moreNamesRe).
	selfThenRoleRe = regexp.MustCompile(`(?i:\b(?:jag|I|me|mig|myself)(?:\s+själv)?\s+(?:och|and|&|samt|plus)\s+)(?:[Mm]in|[Mm]itt|[Mm]ina|[Vv]år|[Vv]åra|[Mm]y|[Oo]ur)\s+(?:[\p{Ll}-]+\s+){0,2}[\p{Ll}-]+,?\s+(\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){1,2})`)
	// moreNamesRe is the next full name of a list: ", Filipa Morgado",
	// " och Tyra Ek".
	moreNamesRe = regexp.MustCompile(`^(?:\s*,\s*(?:och\s+|and\s+)?|\s+(?:och|and|samt|&)\s+)(\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){1,2})`)
)

// coordCues are the conjunctions both coordination patterns need: a
// sentence without any is not searched.
var coordCues = Phrases{"|och|", "|and|", "&", "|eller|", "|or|", "|nor|"}

// withoutHistory returns sentence without its clauses that tell of a
// registration made before and withdraw nothing: in "Jag anmälde mig och
// Holger Wiik förra veckan, men jag kan inte komma" only the writer
// withdraws.
func withoutHistory(sentence string) string {
	if clauseBreakWords.Find(sentence) == "" {
		return sentence
	}
	parts := clauseBreakRe.Split(sentence, -1)
	if len(parts) < 2 {
		return sentence
	}
	var kept []string
	for _, p := range parts {
		lower := strings.ToLower(p)
		if lexicon.PastForms.FindLower(lower) != "" && lexicon.Neg.FindLower(lower) == "" && lexicon.Withdraw.FindLower(lower) == "" && lexicon.Cancel.FindLower(lower) == "" {
			continue
		}
		kept = append(kept, p)
	}
	rest := strings.Join(kept, ", ")
	if groupWords.FindLower(strings.ToLower(rest)) != "" {
		// "…, men nu kan ingen av oss komma": the group withdrawn is the
		// one the history names.
		return sentence
	}
	return rest
}

// groupWords are the writer with others, in a withdrawal's words.
var groupWords = Phrases{"|oss|", "|vi|", "|båda|", "|bägge|", "|alla|", "|we|", "|us|", "|both|", "|all of us|"}

// coWithdrawn returns the people the withdrawal's sentence coordinates
// with the writer and names without an address, unless they are among
// have already.
func coWithdrawn(sentence string, have []Person) []Person {
	sentence = withoutHistory(sentence)
	if sentence == "" || coordCues.Find(sentence) == "" {
		return nil
	}
	var out []Person
	add := func(name string, start int) {
		f := strings.Fields(name)
		if len(f) == 3 && start == 0 {
			f = f[1:] // "Unfortunately Amir Haddad and I": the sentence's first word
		}
		for len(f) > 0 && (NotNameWords[strings.ToLower(f[0])] || frameWords[strings.ToLower(f[0])]) {
			f = f[1:]
		}
		if len(f) == 0 {
			return
		}
		name = strings.Join(f, " ")
		for _, p := range append(have, out...) {
			if sameFold(p.Name, name) || len(f) == 1 && sameFold(strings.Fields(p.Name + " ")[0], name) {
				return
			}
		}
		out = append(out, Person{Name: name})
	}
	for _, m := range nameThenSelfRe.FindAllStringSubmatchIndex(sentence, 3) {
		add(sentence[m[2]:m[3]], m[2])
	}
	for _, m := range selfThenNameRe.FindAllStringSubmatchIndex(sentence, 3) {
		add(sentence[m[2]:m[3]], m[2])
	}
	for _, m := range selfThenRoleRe.FindAllStringSubmatchIndex(sentence, 3) {
		add(sentence[m[2]:m[3]], m[2])
		for end, n := m[1], 0; n < 8; n++ {
			more := moreNamesRe.FindStringSubmatchIndex(sentence[end:])
			if more == nil {
				break
			}
			add(sentence[end+more[2]:end+more[3]], end+more[2])
			end += more[1]
		}
	}
	return out
}

// groupObjectRe is a withdrawal of the writer's whole group: "stryk oss
// båda", "ingen av oss kan", "take us both off".
var groupObjectRe = regexp.MustCompile(`(?i)\b(?:oss|us)\s+(?:båda|bägge|alla|both|all)\b|\b(?:ingen|none|neither)\s+(?:av|of)\s+(?:oss|us)\b`)

// groupWithdrawn returns, for a withdrawal of the writer's whole group
// (see groupObjectRe), the people body names beside the writer in a
// sentence that tells of their registration ("jag anmälde mig själv och
// Idun Ringdahl förra veckan"), unless they are among have.
func groupWithdrawn(body string, have []Person) []Person {
	if !groupObjectRe.MatchString(body) {
		return nil
	}
	var out []Person
	sentences, _ := SentencesOf(message.Head(body, 4000))
	for _, s := range sentences {
		if lexicon.PastForms.FindLower(strings.ToLower(s)) == "" {
			continue
		}
		out = append(out, coWithdrawn(strings.Join(strings.Fields(s), " "), append(append([]Person{}, have...), out...))...)
	}
	return out
}

// sameFold reports whether two names are the same, ignoring case and
// spaces.
func sameFold(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}
