package understand

import (
	"regexp"
	"strings"
)

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
	if !ok || !agreesWithAddress(sender.Name, sender.Email) || len(strings.Fields(sender.Name)) != 2 {
		return nil
	}
	sep := ""
	for _, s := range []string{".", "-", "_"} {
		if strings.Count(local, s) == 1 {
			sep = s
		}
	}
	words := strings.Fields(foldName(sender.Name))
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
		w := strings.Fields(foldName(name))
		if len(w) != 2 || notNameWords[strings.ToLower(strings.Fields(name)[0])] || foldName(name) == foldName(sender.Name) {
			continue
		}
		out = append(out, Person{Name: name, Email: w[0] + sep + w[1] + "@" + domain})
	}
	return out
}
