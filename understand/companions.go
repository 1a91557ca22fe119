package understand

import (
	"regexp"
	"strings"

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
	noAddressRe = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:ingen|inte någon|saknar|no|without|has no|hasn't got|doesn't have|does not have)\s+(?:egen\s+|eget\s+|own\s+|work\s+)?(?:e-?postadress|e-?post|mejladress|mejl|jobbmejl|mail|e-?mail|adress|address)`)
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
	return out
}
