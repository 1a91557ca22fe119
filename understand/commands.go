package understand

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
)

func DescribeChanges(cs []Change) string {
	var names []string
	for _, c := range cs {
		names = append(names, string(c.Action))
	}
	return strings.Join(names, ", ")
}

var (
	sentenceEndRe = regexp.MustCompile(`[.!?](\s+|$)`)
	// Commands, in Swedish and English. Each is looked for in one sentence.
	substituteVerbRe = regexp.MustCompile(`(?i)(^|[^\p{L}])(byt ut|byt|byta|ersätt|ersätta|replace|swap|substitute)([^\p{L}]|$)`)
	substituteConnRe = regexp.MustCompile(`(?i)(^|[^\p{L}])(mot|med|with|by|for)([^\p{L}]|$)`)
	placeRe          = regexp.MustCompile(`(?i)i (ditt|din|dina|hans|hennes|deras|\p{L}+:s|\p{L}+s) (ställe)|(take|takes|taking) (your|his|her|their|\p{L}+'s) (place|seat|spot)|in (your|his|her|their|\p{L}+'s) (place|stead)|istället för (dig|honom|henne|\p{Lu}[\p{L} ]+)|instead of (you|him|her|\p{Lu}[\p{L} ]+)`)
	promoteRe        = regexp.MustCompile(`(?i)(flytta upp|flytta fram|flyttas upp|move up|promote|ge .{1,60} en plats|give .{1,60} a (seat|place|spot)|får (en )?plats|gets? a (seat|place|spot)|från väntelistan|from the waiting list)`)
	cancelCmdRe      = regexp.MustCompile(`(?i)((^|[^\p{L}])(avanmäl|avanmäla|stryk|stryka|ta bort|avregistrera|cancel|remove|unregister|delete)([^\p{L}]|$)|är avanmäld|har avanmält|has cancelled|has canceled|is cancelled|is canceled|kan inte komma)`)
	registerCmdRe    = regexp.MustCompile(`(?i)(^|[^\p{L}])(anmäl|anmäla|registrera|register|add|lägg till|boka in|sign up)([^\p{L}]|$)`)
	seatsRe          = regexp.MustCompile(`(?i)(platser|seats|antal platser|places)\D{0,15}?(\d{1,5})|(\d{1,5})\s*(platser|seats|places)`)
	listCmdRe        = regexp.MustCompile(`(?i)(^|[^\p{L}])(deltagarlista|deltagarlistan|lista|listan|list|participant list|participants)([^\p{L}]|$)`)
	statusCmdRe      = regexp.MustCompile(`(?i)(^|[^\p{L}])(status|läget|hur många)([^\p{L}]|$)`)
	helpCmdRe        = regexp.MustCompile(`(?i)^\W*(hjälp|help|kommandon|commands)\W*$`)
)

// ref is a person named in a command sentence.
type ref struct {
	name, email string
	start, end  int
}

func (r ref) who() string {
	if r.email != "" {
		return strings.ToLower(r.email)
	}
	return r.name
}

// refsIn finds the people a sentence names: each address with the name just
// before it ("Per Ström (per.strom@…)"), or, when the sentence has no
// address, runs of two or three capitalised words.
func refsIn(s string, skip func(string) bool) []ref {
	var refs []ref
	prev := 0
	for _, loc := range message.AddrSpecRe.FindAllStringIndex(s, 20) {
		addr := s[loc[0]:loc[1]]
		if skip(addr) {
			prev = loc[1]
			continue
		}
		start := loc[0]
		name := nameBefore(s[prev:loc[0]])
		if name != "" {
			if i := strings.LastIndex(s[:loc[0]], name); i >= 0 {
				start = i
			}
		}
		refs = append(refs, ref{name: name, email: addr, start: start, end: loc[1]})
		prev = loc[1]
	}
	if len(refs) > 0 {
		return refs
	}
	for _, loc := range capRunRe.FindAllStringIndex(s, 10) {
		name := s[loc[0]:loc[1]]
		first := strings.Fields(name)[0]
		if notNameWords[strings.ToLower(first)] {
			rest := strings.TrimSpace(name[len(first):])
			if len(strings.Fields(rest)) < 2 {
				continue
			}
			name = rest
			loc[0] += len(first) + 1
		}
		refs = append(refs, ref{name: name, start: loc[0], end: loc[1]})
	}
	return refs
}

var namedPlaceRe = regexp.MustCompile(`(\p{Lu}\p{L}+)(:s|s) ställe`)

// parseCommands reads an organiser's commands from the body of her mail,
// one sentence at a time.
func parseCommands(v view, cfg *config.Config) []Change {
	bot := cfg.BotAddress()
	skip := func(a string) bool {
		la := strings.ToLower(a)
		return la == bot || cfg.IsOrganiser(la)
	}
	// "you" in "går i ditt ställe" is the person she writes to.
	you := ""
	for _, a := range v.to {
		if !skip(a.Address) {
			you = strings.ToLower(a.Address)
			break
		}
	}
	var changes []Change
	for _, line := range strings.Split(v.body, "\n") {
		for _, s := range SplitSentences(line) {
			for _, c := range commandClauses(s) {
				changes = append(changes, sentenceCommands(c, you, skip, v, cfg)...)
			}
		}
	}
	return changes
}

// clauseSepRe separates the clauses of a sentence: "avanmäl Anna och flytta
// upp Bo", "byt Cia mot Dan; stryk Eva".
var clauseSepRe = regexp.MustCompile(`(?i)\s*[;,]\s*|\s+(och|samt|men|sedan|and|but|then)\s+`)

// hasCommandVerb reports whether s holds a word that makes a command.
func hasCommandVerb(s string) bool {
	for _, re := range []*regexp.Regexp{cancelCmdRe, promoteRe, registerCmdRe, substituteVerbRe, placeRe, seatsRe, listCmdRe, statusCmdRe} {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// commandClauses splits a sentence that holds several commands into one
// clause per command, so that "avanmäl Anna och flytta upp Bo" cancels Anna
// and promotes Bo instead of reading one verb for both. A clause without a
// command word of its own ("avanmäl Anna, Bo och Cia"; "Anna och Bo får en
// plats") stays with the clause it belongs to; a sentence with one command
// is returned whole.
func commandClauses(s string) []string {
	type span struct{ start, end int }
	var parts []span
	last := 0
	for _, loc := range clauseSepRe.FindAllStringIndex(s, -1) {
		parts = append(parts, span{last, loc[0]})
		last = loc[1]
	}
	parts = append(parts, span{last, len(s)})
	var clauses []span
	for _, p := range parts {
		verb := hasCommandVerb(s[p.start:p.end])
		switch {
		case len(clauses) == 0:
			clauses = append(clauses, p)
		case !verb:
			clauses[len(clauses)-1].end = p.end
		case !hasCommandVerb(s[clauses[len(clauses)-1].start:clauses[len(clauses)-1].end]):
			// What came before had no command of its own ("Hej Linda,"
			// or the names before "får en plats"): it belongs here.
			clauses[len(clauses)-1].end = p.end
		default:
			clauses = append(clauses, p)
		}
	}
	if len(clauses) < 2 {
		return []string{s}
	}
	out := make([]string, len(clauses))
	for i, c := range clauses {
		out[i] = s[c.start:c.end]
	}
	return out
}

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

func sentenceCommands(s, you string, skip func(string) bool, v view, cfg *config.Config) []Change {
	refs := refsIn(s, skip)
	text := strings.TrimSpace(s)
	// Substitute: "byt X mot Y", "ersätt X med Y".
	if loc := substituteVerbRe.FindStringIndex(s); loc != nil && len(refs) >= 2 {
		var x, y *ref
		for i := range refs {
			if refs[i].start >= loc[0] && x == nil {
				x = &refs[i]
				continue
			}
			if x != nil && y == nil {
				if c := substituteConnRe.FindStringIndex(s[x.end:refs[i].start]); c != nil {
					y = &refs[i]
				}
			}
		}
		if x != nil && y != nil {
			return []Change{{Action: ActionSubstitute, Who: x.who(), By: refPerson(*y, v, cfg), Text: text}}
		}
	}
	// Substitute: "Y går i X:s ställe", "din kollega Y går i ditt ställe".
	if loc := placeRe.FindStringSubmatchIndex(s); loc != nil && len(refs) >= 1 {
		var y *ref
		for i := range refs {
			if refs[i].end <= loc[0] {
				y = &refs[i]
			}
		}
		who := ""
		phrase := strings.ToLower(s[loc[0]:loc[1]])
		switch {
		case strings.Contains(phrase, "ditt") || strings.Contains(phrase, "din ") || strings.Contains(phrase, "your") || strings.HasSuffix(phrase, " dig") || strings.HasSuffix(phrase, " you"):
			who = you
		default:
			for i := range refs {
				if refs[i].start >= loc[0] {
					who = refs[i].who()
					break
				}
			}
			if who == "" {
				// "i Karins ställe": a name in the phrase itself.
				if m := namedPlaceRe.FindStringSubmatch(s[loc[0]:loc[1]]); m != nil {
					who = m[1]
				}
			}
		}
		if y != nil && who != "" {
			return []Change{{Action: ActionSubstitute, Who: who, By: refPerson(*y, v, cfg), Text: text}}
		}
	}
	if promoteRe.MatchString(s) && len(refs) > 0 {
		var cs []Change
		for _, r := range refs {
			cs = append(cs, Change{Action: ActionPromote, Who: r.who(), Text: text})
		}
		return cs
	}
	if cancelCmdRe.MatchString(s) && len(refs) > 0 {
		var cs []Change
		for _, r := range refs {
			cs = append(cs, Change{Action: ActionCancel, Who: r.who(), Text: text})
		}
		return cs
	}
	if registerCmdRe.MatchString(s) && len(refs) > 0 {
		var cs []Change
		for _, r := range refs {
			if r.email == "" {
				continue // a new registration needs an address
			}
			p := refPerson(r, v, cfg)
			if org := orgIn(s[r.end:]); org != "" {
				p.Organisation = org
			} else if rest := strings.TrimLeft(s[r.end:], " ,;"); rest != "" {
				// "anmäl Y, y@…, Org": what follows the address is the
				// organisation when it is a short capitalised phrase.
				rest = strings.TrimRight(strings.SplitN(rest, ",", 2)[0], " .")
				if len(rest) < 60 && rest != "" && unicode.IsUpper([]rune(rest)[0]) {
					p.Organisation = rest
				}
			}
			cs = append(cs, Change{Action: ActionRegister, Who: strings.ToLower(r.email), By: p, Text: text})
		}
		if len(cs) > 0 {
			return cs
		}
	}
	if m := seatsRe.FindStringSubmatch(s); m != nil {
		n := m[2]
		if n == "" {
			n = m[3]
		}
		if seats, err := strconv.Atoi(n); err == nil && seats > 0 {
			return []Change{{Action: ActionSeats, Seats: seats, Text: text}}
		}
	}
	if len(s) < 120 && listCmdRe.MatchString(s) {
		return []Change{{Action: ActionList, Text: text}}
	}
	if len(s) < 120 && statusCmdRe.MatchString(s) {
		return []Change{{Action: ActionStatus, Text: text}}
	}
	if helpCmdRe.MatchString(s) {
		return []Change{{Action: ActionHelp, Text: text}}
	}
	return nil
}

func refPerson(r ref, v view, cfg *config.Config) *Person {
	p := &Person{Name: r.name, Email: r.email}
	if p.Name == "" && p.Email != "" {
		p.Name = nameFromAddress(p.Email)
	}
	if p.Email != "" {
		p.Organisation = organisationFor(p.Email, view{}, cfg)
	}
	return p
}
