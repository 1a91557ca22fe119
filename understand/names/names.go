package names

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/goteborgsregionen/anmalan/message"
)

// Names in Swedish mail come in three forms that must be told apart: the
// name as the person writes it ("Åsa Östlund" in her signature), the same
// name in ASCII (in her address, and in a display name that an old system
// wrote from it), and a name that is no longer hers (a nickname or a
// maiden name left in the display name). The written name with å/ä/ö wins
// over its ASCII form, and the name that agrees with the address wins
// over one that does not.

// foldTable turns the letters that addresses spell without their marks into
// the letters addresses use.
var foldTable = map[rune]string{
	'å': "a", 'ä': "a", 'ö': "o", 'é': "e", 'è': "e", 'ë': "e", 'ü': "u", 'ø': "o", 'æ': "ae",
	'á': "a", 'à': "a", 'í': "i", 'ó': "o", 'ú': "u", 'ñ': "n", 'ç': "c", 'ć': "c", 'č': "c",
	'š': "s", 'ž': "z", 'ß': "ss",
}

// Fold returns s in lower case with the marks taken off its letters and
// every run of other characters one space: "Åsa Östlund" and "asa.ostlund"
// both give "asa ostlund".
func Fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		f, ok := foldTable[r]
		if !ok && unicode.IsLetter(r) {
			f, ok = string(r), true
		}
		if !ok {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(f)
	}
	return b.String()
}

// localPart returns the part of addr before the "@".
func localPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}

// agreesWithAddress reports whether name is the name the address is made
// of: every word of the address's local part is a word of the name, or its
// initial ("charlotte.bergman", "c.bergman", "charlotte.m.bergman"), and
// the local part has at least two words.
func AgreesWithAddress(name, addr string) bool {
	parts := strings.Fields(Fold(localPart(addr)))
	words := strings.Fields(Fold(name))
	if len(parts) < 2 || len(words) < 2 {
		return false
	}
	used := make([]bool, len(words))
	full := 0
	for _, p := range parts {
		found := false
		for i, w := range words {
			if used[i] {
				continue
			}
			if w == p || len(p) == 1 && strings.HasPrefix(w, p) {
				used[i], found = true, true
				if len(p) > 1 {
					full++
				}
				break
			}
		}
		if !found {
			return false
		}
	}
	return full > 0
}

// Choose returns the better of a display name and a signature name for
// the person at addr: the signature when it is the display name with its
// å/ä/ö restored, or when it agrees with the address and the display name
// does not (a stale or a nick name); else the display name.
func Choose(display, sig, addr string) string {
	display = tidyDisplayName(display, addr)
	if sig == "" || display == "" || sig == display {
		return display
	}
	switch fs, fd := Fold(sig), Fold(display); {
	case fs == fd && (!IsASCII(sig) || display == strings.ToUpper(display)),
		fs != fd && AgreesWithAddress(sig, addr) && !AgreesWithAddress(display, addr):
		return sig // also "Helena Åkerlund" over "HELENA ÅKERLUND"
	}
	return display
}

// parenRe is a department or a code in a display name: "(SOC)", "(SBK)".
var parenRe = regexp.MustCompile(`\s*\([^)]*\)`)

// tidyDisplayName returns an Exchange address book's display name as a
// name: without the department in brackets, and in the order the address
// puts its words when they are the same words ("Nasstrom Goran (SOC)" at
// goran.nasstrom@… is "Goran Nasstrom").
func tidyDisplayName(display, addr string) string {
	if strings.Contains(display, "(") {
		display = strings.Join(strings.Fields(parenRe.ReplaceAllString(display, "")), " ")
	}
	if Fold(display) == Fold(localPart(addr)) {
		return display // the address's words in the address's order
	}
	words := strings.Fields(display)
	parts := strings.Fields(Fold(localPart(addr)))
	if len(words) != len(parts) || !AgreesWithAddress(display, addr) {
		return display
	}
	ordered := make([]string, 0, len(words))
	for _, p := range parts {
		for _, w := range words {
			if Fold(w) == p {
				ordered = append(ordered, w)
				break
			}
		}
	}
	if len(ordered) != len(words) {
		return display
	}
	return strings.Join(ordered, " ")
}

// Restore returns the name in text that name, made from an address in
// ASCII, stands for ("Björn Lövgren" written in the text for
// "Bjorn Lovgren"), or name when the text does not write it.
func Restore(name, text string) string {
	if name == "" || !IsASCII(name) || IsASCII(text) {
		return name // nothing to restore, or no letter to restore it from
	}
	want := Fold(name)
	n := len(strings.Fields(name))
	for _, loc := range nameRunRe.FindAllStringIndex(text, -1) {
		words := strings.Fields(text[loc[0]:loc[1]])
		for i := 0; i+n <= len(words); i++ {
			cand := strings.Join(words[i:i+n], " ")
			if cand != name && Fold(cand) == want {
				return strings.Trim(cand, ",.;:")
			}
		}
	}
	return name
}

// nameRunRe is a run of two to four capitalised words, the shape of a
// name in running text; "Karl-Johan" and "Selimović" are one word each.
var nameRunRe = regexp.MustCompile(`\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*){1,3}`)

// IsASCII reports whether s has no letter outside ASCII.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// workplaceRe is the writer saying where she works in her text ("Jag
// jobbar som samordnare på Studieförbundet Vuxenskolan i Alingsås", "I
// work at Chalmers"): the capitalised words after the preposition.
var workplaceRe = regexp.MustCompile(`(?i:\b(?:jobbar|arbetar|är anställd|works?|am employed)\b(?:\s+som\s+[\p{L}-]+(?:\s+[\p{L}-]+)?)?\s+(?:på|vid|hos|inom|at)\s+)(\p{Lu}[\p{L}-]*(?:\s+\p{Lu}[\p{L}-]*){0,3})`)

// WorkplaceIn returns the organisation the writer says she works at in
// s, or "".
func WorkplaceIn(s string) string {
	m := workplaceRe.FindStringSubmatch(message.Head(s, 4000))
	if m == nil {
		return ""
	}
	return strings.TrimRight(m[1], " ,.")
}

// DomainOf returns the lower-cased domain of addr, "" when it has none.
func DomainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}
