package reading

import (
	"github.com/goteborgsregionen/anmalan/understand/lexicon"
	"regexp"
	"strings"
	"unicode"
)

// A writer often says what she chooses and then, after a comma, what she
// does not, in a contrast without a verb of its own: "jag kommer gärna på
// det i Göteborg, inte det i Kungälv", "I'll come on Tuesday, not
// Thursday", "vi kommer båda, men inte till lunchen". The "inte" of such a
// contrast denies only the words after it, never the verb before it: the
// clause is no withdrawal, and a session named inside the contrast is the
// one not chosen. A negation followed by a verb ("…, inte kan jag komma")
// is no such contrast and keeps its meaning.

// contrastRe is a contrast's start and the words after it, up to the next
// mark that ends a phrase.
var contrastRe = regexp.MustCompile(`(?i),\s*(?:(?:men|but)\s+)?(?:inte|ej|not)\s+([^,;:.!?\n]{1,60})`)

// contrastVerbs are the verbs (finite forms and the infinitives after a
// modal) that make the words after a negation a clause of their own
// rather than a contrast.
var contrastVerbs = map[string]bool{
	"kan": true, "kunna": true, "kunde": true, "kommer": true, "komma": true, "kom": true, "vill": true, "ville": true,
	"ska": true, "skall": true, "skulle": true, "har": true, "hade": true, "är": true, "var": true, "blir": true, "blev": true,
	"bli": true, "går": true, "gick": true, "passar": true, "deltar": true, "delta": true, "hinner": true, "hinna": true,
	"får": true, "fick": true, "behöver": true, "måste": true, "vara": true, "gör": true, "göra": true,
	"can": true, "could": true, "will": true, "would": true, "shall": true, "should": true, "come": true, "coming": true,
	"attend": true, "attending": true, "make": true, "join": true, "am": true, "is": true, "are": true, "be": true,
	"have": true, "has": true, "do": true, "does": true, "go": true, "going": true, "need": true, "must": true,
}

// contrastSpans returns the byte spans of text that are contrasts (see
// contrastRe): from the comma to the end of the words after the negation.
func contrastSpans(text string) [][2]int {
	if !strings.Contains(text, ",") {
		return nil
	}
	var out [][2]int
	for _, m := range contrastRe.FindAllStringSubmatchIndex(text, -1) {
		verb := false
		for _, w := range strings.FieldsFunc(strings.ToLower(text[m[2]:m[3]]), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if contrastVerbs[w] || lexicon.Neg.FindLower(" "+w+" ") != "" {
				verb = true
				break
			}
		}
		if !verb {
			out = append(out, [2]int{m[0], m[1]})
		}
	}
	return out
}

// withoutContrast returns text with its contrasts replaced by spaces, so
// that the negation of a contrast is not read as the clause's.
func withoutContrast(text string) string {
	spans := contrastSpans(text)
	if len(spans) == 0 {
		return text
	}
	b := []byte(text)
	for _, s := range spans {
		for i := s[0]; i < s[1]; i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

// InContrast reports whether the byte at pos of text lies inside a
// contrast.
func InContrast(text string, pos int) bool {
	for _, s := range contrastSpans(text) {
		if pos >= s[0] && pos < s[1] {
			return true
		}
	}
	return false
}
