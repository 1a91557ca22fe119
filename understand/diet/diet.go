package diet

import (
	"regexp"
	"sort"
	"strings"

	"github.com/goteborgsregionen/anmalan/message"
)

// A diet is said in many ways beyond the nouns In knows: as what a
// person does not eat or tolerate ("Kalle äter inte fläsk", "hon tål inte
// laktos", "he does not eat shellfish"), as a condition ("diabetiker",
// "gluten intolerant"), or as food the person needs ("mat utan socker").
// The mentions are found with their place in the text, so that the people
// reader can bind each one to the person its clause is about.

// Mention is one diet said in a text: the words as written and where
// (Start and End, byte offsets of the text).
type Mention struct {
	Text       string
	Start, End int
}

var (
	// dietVerbRe is a diet said as what someone does not eat or tolerate,
	// or keeps away from ("avstår från kött", "klarar inte mjölk");
	// the object is one or two words ("fläsk", "rå fisk", "nuts or
	// shellfish"). After a fronted word Swedish puts the subject behind
	// the verb ("själv tål jag inte gluten", "dessutom äter hon inte
	// fisk"), so a pronoun may stand between the verb and its "inte".
	dietVerbRe = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:äter (?:(?:jag|hon|han|vi|de) )?(?:inte|ej|aldrig|inget|ingen|inga|varken)|eats? no|inte äter|tål (?:(?:jag|hon|han|vi|de) )?(?:inte|ej)|inte tål|does not eat|doesn't eat|doesn’t eat|do not eat|don't eat|don’t eat|cannot eat|can't eat|can’t eat|is allergic to|are allergic to|am allergic to)[ \t]+\p{L}+(?:[ \t]+(?:och|eller|or|and)[ \t]+\p{L}+)?|(?:^|[^\p{L}])(?:avstår (?:helst )?från|undviker|klarar (?:(?:jag|hon|han|vi|de) )?(?:inte|ej)|avoids?|stays? away from)[ \t]+(?:` + foodWords + `)`)
	// foodWords are what one keeps away from as a diet: "avstår från
	// kött", "klarar inte mjölkprodukter"; "klarar inte av att komma" is
	// no diet.
	foodWords = `kött|fläsk\p{L}*|fisk|skaldjur|mjölk\p{L}*|mejeri\p{L}*|laktos|gluten|vete|nötter|jordnötter|ägg|soja|alkohol|socker|` +
		`meat|pork|fish|shellfish|dairy|milk|nuts|peanuts|eggs|soy|alcohol|sugar`
	// dietStateRe is a diet said as a condition or a need.
	dietStateRe = regexp.MustCompile(`(?i)\b(?:diabetiker|diabetic|diabetes|(?:gluten|lactose|laktos|nut|nöt)[ -]?intoleran\p{L}*|(?:behöver|needs?|vill ha) (?:mat|kost|food|a meal|meals) (?:utan|without|free from) \p{L}+|(?:kost|mat|food) (?:utan|without) \p{L}+|(?:dairy|nut|pork|meat|fish|egg|soy)[- ]free|\p{L}+fri (?:kost|mat))`)
	// dietNoneRe is a diet word said as absent: "inga allergier", "no
	// special diet", "har ingen specialkost".
	dietNoneRe = regexp.MustCompile(`(?i)(?:\binga|\bingen|\binget|\bno|\bnot any|\binte några|\bwithout)\s+(?:\p{L}+\s+)?$`)
	// dietNobodyRe is a diet word whose clause has nobody for its subject:
	// "ingen av oss har några allergier", "none of us has any allergies",
	// "ingen har specialkost".
	dietNobodyRe = regexp.MustCompile(`(?i)(?:\bingen|\bnone|\bneither|\bnobody|\bno one)(?:\s+av\s+(?:oss|dem|er)|\s+of\s+(?:us|them))?\s+(?:har|behöver|äter|has|have|needs?|eats?)\s+(?:\p{L}+\s+)?$`)
	// dietCues are the words one of the three expressions needs; a text
	// without any is not searched.
	dietCues = message.Phrases{"äter", "tål", "eat", "allergic", "diabet", "intoleran", "utan", "without", "free", "fri kost", "fri mat",
		"avstår", "undviker", "klarar", "avoid", "stay away"}
)

// Mentions returns every diet text mentions, in the order written.
// The nouns of In count ("vegan", "laktosintolerant") as well as the
// verbs and conditions above; a diet word after "inga"/"no" does not.
func Mentions(text string) []Mention {
	var out []Mention
	add := func(start, end int) {
		if dietNoneRe.MatchString(text[max(0, start-30):start]) || dietNobodyRe.MatchString(text[max(0, start-40):start]) {
			return
		}
		for _, d := range out {
			if start < d.End && d.Start < end {
				return // the same words, found by two expressions
			}
		}
		out = append(out, Mention{Text: strings.TrimSpace(strings.TrimRight(text[start:end], " ,.;")), Start: start, End: end})
	}
	// The verbs first: "tål inte laktos" is one diet, not "laktos" alone;
	// the nouns before the conditions: "glutenfri", not "glutenfri kost".
	cues := dietCues.Find(text) != ""
	if cues {
		for _, loc := range dietVerbRe.FindAllStringIndex(text, -1) {
			add(loc[0], loc[1]-verbAfterAnd(text[loc[0]:loc[1]]))
		}
	}
	if dietWords.Find(text) != "" {
		for _, loc := range dietRe.FindAllStringIndex(text, -1) {
			if strings.Contains(text[loc[0]:loc[1]], ":") {
				// "Specialkost: nej" is a form's answer: In reads it.
				if In(text[loc[0]:loc[1]]) == "" {
					continue
				}
			}
			end := loc[1]
			// "allergisk mot [\p{L} ,]+" runs on over a comma into the
			// next clause: the diet ends at the comma.
			if i := strings.IndexAny(text[loc[0]:end], ",\n"); i > 0 {
				end = loc[0] + i
			}
			add(loc[0], end)
		}
	}
	if cues {
		for _, loc := range dietStateRe.FindAllStringIndex(text, -1) {
			add(loc[0], loc[1])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// clauseVerbs start the next clause after "och"/"and": "tål inte laktos
// och är vegan" is two diets, not the object "laktos och är".
var clauseVerbs = map[string]bool{"är": true, "har": true, "äter": true, "tål": true, "kommer": true, "vill": true, "ska": true,
	"is": true, "has": true, "eats": true, "will": true, "can": true}

// verbAfterAnd returns how many bytes at the end of m are a conjunction
// and a verb that begin the next clause (0 when there are none).
func verbAfterAnd(m string) int {
	words := strings.Fields(m)
	if n := len(words); n >= 2 && clauseVerbs[strings.ToLower(words[n-1])] {
		switch strings.ToLower(words[n-2]) {
		case "och", "and", "eller", "or":
			return len(m) - strings.LastIndex(m, " "+words[n-2]+" ")
		}
	}
	return 0
}

var dietRe = regexp.MustCompile(`(?i)(vegetari\p{L}*|vegan\p{L}*|glutenfri\p{L}*|gluten[- ]free|glutenintolerant|celiaki|laktosfri\p{L}*|laktosintoleran\p{L}*|laktos\p{L}*|lactose[- ]\p{L}+|mjölkfri\p{L}*|mjölkprotein\p{L}*|nötallergi\p{L}*|nut allergy|allergisk mot [\p{L} ,]+|allergi mot [\p{L} ,]+|allergic to [\p{L} ,]+|allergi\p{L}*|pescetari\p{L}*|halal|kosher|fläskfri\p{L}*|no pork|specialkost: [^\n]+|dietary requirements?: [^\n]+)`)

// dietWords are the stems dietRe needs; looking for them first is cheap.
var dietWords = message.Phrases{"vegetar", "vegan", "gluten", "celiaki", "laktos", "lactose", "mjölk", "nötallerg", "nut allergy", "allerg",
	"pescetar", "halal", "kosher", "fläsk", "pork", "specialkost", "dietary"}

// noneRe is a form's answer that there is no diet: "nej", "inga
// allergier", "n/a".
var noneRe = regexp.MustCompile(`(?i)^(none|no|nej|ingen|inga|inget|n/a|na|-|–|—|nothing|nope|no thanks|nej tack|ingen specialkost|inga allergier|no special diet|normal|vanlig)\.?$`)

// IsNone reports whether a form's diet field says there is none.
func IsNone(val string) bool { return noneRe.MatchString(val) }

// In returns a diet the text names by its noun ("laktosintolerant",
// "glutenfri"), or "".
func In(s string) string {
	if dietWords.Find(s) == "" {
		return ""
	}
	m := dietRe.FindString(s)
	if m == "" {
		return ""
	}
	if i := strings.IndexByte(m, ':'); i >= 0 {
		m = strings.TrimSpace(m[i+1:])
		if noneRe.MatchString(m) {
			return ""
		}
	}
	return strings.TrimSpace(strings.TrimRight(m, " ,."))
}

// Said is the diet s names: a noun of one ("vegetariskt", "glutenfri
// kost") or what a person does not eat or tolerate ("hon äter inte
// fläskkött").
func Said(s string) string {
	if d := In(s); d != "" {
		return d
	}
	if ds := Mentions(s); len(ds) > 0 {
		return ds[0].Text
	}
	return ""
}
