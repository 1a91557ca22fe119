package understand

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// A registration that names people with addresses may also name one
// without: "Meja Fältskog (hon börjar nästa vecka och har ingen
// e-postadress ännu)", "Tomasz Wierzbicki (no email yet)". The
// parenthesis that says the person has no address of her own is what
// makes her a companion rather than someone merely mentioned; she is
// added with an empty address, so that the decision registers the others
// and leaves the mail for a human, who must not miss her.
var (
	// parenthesisedNameRe is a full name followed by a parenthesis.
	parenthesisedNameRe = regexp.MustCompile(`(\p{Lu}[\p{Ll}'’-]+(?:[ \t]+\p{Lu}[\p{Ll}'’-]+){1,2})[ \t]*\(([^()@]{1,160})\)`)
	// noAddressRe says in the parenthesis that the person has no address.
	noAddressRe = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:ingen|inga|inte någon|inte några|saknar|no|without|has no|have no|hasn't got|haven't got|doesn't have|does not have|don't have|do not have)\s+(?:egen\s+|eget\s+|egna\s+|own\s+|work\s+)?(?:e-?postadress|e-?post|mejladress|mejl|jobbmejl|mail|e-?mail|adress|address)`)
)

// unaddressedCompanions returns the people body names with a parenthesis
// saying they have no address, who are not among people already.
func unaddressedCompanions(body string, people []reading.Person) []reading.Person {
	var out []reading.Person
	for _, m := range parenthesisedNameRe.FindAllStringSubmatch(message.Head(body, 4000), -1) {
		if !noAddressRe.MatchString(m[2]) {
			continue
		}
		name := strings.Join(strings.Fields(m[1]), " ")
		known := false
		for _, p := range append(append([]reading.Person{}, people...), out...) {
			known = known || strings.EqualFold(p.Name, name)
		}
		if !known {
			out = append(out, reading.Person{Name: name})
		}
	}
	return append(out, saidWithoutAddress(body, append(append([]reading.Person{}, people...), out...))...)
}

var (
	// noAddressWords and noWords are what noAddressRe needs.
	noAddressWords = message.Phrases{"mejl", "mail", "e-post", "epost", "adress", "address"}
	noWords        = message.Phrases{"ingen", "inga", "saknar", "inte någon", "inte några", "|no|", "without", "n't", "not have"}
)

// saidWithoutAddress returns the people a sentence of body says have no
// address of their own, by the subject that points at them: "Tuva har
// ingen jobbmejl än" is the Tuva Kjellmark named before; "De har inga
// egna mejladresser" are the people without an address named in the
// sentence before it; "hon" the last of them. Those in known (by name) are
// left out.
func saidWithoutAddress(body string, known []reading.Person) []reading.Person {
	body = message.Head(body, 4000)
	// Most mails say nothing of an address missing: the words it needs
	// are looked for first, which is cheap, before any pattern runs.
	lower := strings.ToLower(body)
	if noAddressWords.FindLower(lower) == "" || noWords.FindLower(lower) == "" {
		return nil
	}
	sentences, _ := reading.SentencesOf(body)
	namesIn := func(s string) []string {
		var out []string
		for _, loc := range reading.CapRunRe.FindAllStringIndex(s, 10) {
			n := strings.Join(strings.Fields(s[loc[0]:loc[1]]), " ")
			first := strings.ToLower(strings.Fields(n)[0])
			if reading.NotNameWords[first] || greetingWord(first) || pronouns[first] != "" {
				continue
			}
			// The name of an address ("Folke Qvarnström (folke@…)",
			// "<…>", ", folke@…") is someone with one.
			after := s[loc[1]:min(len(s), loc[1]+80)]
			if a := message.AddrSpecRe.FindStringIndex(after); a != nil && strings.Trim(after[:a[0]], " \t(<,:") == "" {
				continue
			}
			out = append(out, n)
		}
		return out
	}
	isKnown := func(name string, out []reading.Person) bool {
		for _, p := range append(append([]reading.Person{}, known...), out...) {
			if strings.EqualFold(strings.Join(strings.Fields(p.Name), " "), name) {
				return true
			}
		}
		return false
	}
	var out []reading.Person
	add := func(names ...string) {
		for _, n := range names {
			if !isKnown(n, out) {
				out = append(out, reading.Person{Name: n})
			}
		}
	}
	for i, s := range sentences {
		if !noAddressRe.MatchString(s) {
			continue
		}
		f := strings.Fields(strings.TrimSpace(s))
		if len(f) == 0 {
			continue
		}
		subject := strings.Trim(f[0], ",.:;")
		lower := strings.ToLower(subject)
		var before []string
		for j := i; j >= 0 && j >= i-2 && len(before) == 0; j-- {
			for _, n := range namesIn(sentences[j]) {
				if !isKnown(n, nil) {
					before = append(before, n)
				}
			}
		}
		switch {
		case lower == "de" || lower == "dom" || lower == "they" || lower == "båda" || lower == "both":
			add(before...)
		case lower == "hon" || lower == "han" || lower == "hen" || lower == "she" || lower == "he":
			if len(before) > 0 {
				add(before[len(before)-1])
			}
		case len(subject) > 1 && unicode.IsUpper([]rune(subject)[0]):
			for j := 0; j <= i; j++ {
				for _, n := range namesIn(sentences[j]) {
					if strings.EqualFold(strings.Fields(n)[0], subject) {
						add(n)
					}
				}
			}
		}
	}
	return out
}
