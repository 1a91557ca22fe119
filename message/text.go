package message

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Phrases is a list of lower-case phrases to look for in a text. A phrase
// that starts with "|" must start a word, one that ends with "|" must end a
// word. Plain substring search is used instead of one large regular
// expression because Go's regexp runs a large case-insensitive alternation
// on its slow engine: this is about fifty times faster on a subject line.
type Phrases []string

// Find returns the first phrase of the list that occurs in s (any case),
// without its "|" markers, or "".
func (ps Phrases) Find(s string) string {
	return ps.FindLower(strings.ToLower(s))
}

// FindLower is find for a text that is already lower case.
func (ps Phrases) FindLower(lower string) string {
	for _, p := range ps {
		word := p
		start := len(word) > 0 && word[0] == '|'
		if start {
			word = word[1:]
		}
		end := len(word) > 0 && word[len(word)-1] == '|'
		if end {
			word = word[:len(word)-1]
		}
		for from := 0; from <= len(lower); {
			i := strings.Index(lower[from:], word)
			if i < 0 {
				break
			}
			i += from
			j := i + len(word)
			if (!start || !letterBefore(lower, i)) && (!end || !letterAt(lower, j)) {
				return word
			}
			from = i + 1
		}
	}
	return ""
}

func letterBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func letterAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// OtherVerbs rewrites, in lower-case text, the Swedish verbs of "komma"
// with a particle that makes them mean something else than coming: "kan
// inte komma åt min e-post" (cannot reach), "kommer inte ihåg" (does not
// remember), "kom överens" (agreed). Read as they are, they would say that
// the writer cannot come.
var OtherVerbs = strings.NewReplacer("komma åt", "nå", "kommer åt", "når", "kom åt", "nådde",
	"komma ihåg", "minnas", "kommer ihåg", "minns", "kom ihåg", "mindes",
	"komma överens", "enas", "kommer överens", "enas", "kom överens", "enades")

// MaxUnderstandBytes is how much of a mail's text is read for its meaning.
const MaxUnderstandBytes = 64 << 10

// Head returns at most the first n bytes of s, cut at a line end when there
// is one near, else at a rune boundary.
func Head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	if i := strings.LastIndexByte(s[:n], '\n'); i > n/2 {
		cut = i
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
