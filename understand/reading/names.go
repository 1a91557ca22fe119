package reading

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

// foldName returns s in lower case with the marks taken off its letters and
// every run of other characters one space: "Åsa Östlund" and "asa.ostlund"
// both give "asa ostlund".
func foldName(s string) string {
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
	parts := strings.Fields(foldName(localPart(addr)))
	words := strings.Fields(foldName(name))
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

// chooseName returns the better of a display name and a signature name for
// the person at addr: the signature when it is the display name with its
// å/ä/ö restored, or when it agrees with the address and the display name
// does not (a stale or a nick name); else the display name.
func chooseName(display, sig, addr string) string {
	display = tidyDisplayName(display, addr)
	if sig == "" || display == "" || sig == display {
		return display
	}
	switch fs, fd := foldName(sig), foldName(display); {
	case fs == fd && (!isASCII(sig) || display == strings.ToUpper(display)),
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
	if foldName(display) == foldName(localPart(addr)) {
		return display // the address's words in the address's order
	}
	words := strings.Fields(display)
	parts := strings.Fields(foldName(localPart(addr)))
	if len(words) != len(parts) || !AgreesWithAddress(display, addr) {
		return display
	}
	ordered := make([]string, 0, len(words))
	for _, p := range parts {
		for _, w := range words {
			if foldName(w) == p {
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

// restoreName returns the name in text that name, made from an address in
// ASCII, stands for ("Björn Lövgren" written in the text for
// "Bjorn Lovgren"), or name when the text does not write it.
func RestoreName(name, text string) string {
	if name == "" || !isASCII(name) || isASCII(text) {
		return name // nothing to restore, or no letter to restore it from
	}
	want := foldName(name)
	n := len(strings.Fields(name))
	for _, loc := range nameRunRe.FindAllStringIndex(text, -1) {
		words := strings.Fields(text[loc[0]:loc[1]])
		for i := 0; i+n <= len(words); i++ {
			cand := strings.Join(words[i:i+n], " ")
			if cand != name && foldName(cand) == want {
				return strings.Trim(cand, ",.;:")
			}
		}
	}
	return name
}

// nameRunRe is a run of two to four capitalised words, the shape of a
// name in running text; "Karl-Johan" and "Selimović" are one word each.
var nameRunRe = regexp.MustCompile(`\p{Lu}[\p{L}'’-]*(?:\s+\p{Lu}[\p{L}'’-]*){1,3}`)

func isASCII(s string) bool {
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

// workplaceIn returns the organisation the writer says she works at in
// s, or "".
func workplaceIn(s string) string {
	m := workplaceRe.FindStringSubmatch(message.Head(s, 4000))
	if m == nil {
		return ""
	}
	return strings.TrimRight(m[1], " ,.")
}

// signatureNameOf returns the writer's name in her signature: the line
// signatureName finds, or else the first part of a line that puts name,
// title and organisation on one line ("Jonas Åkesson | Utvecklingsledare
// | Lerums kommun", "Eva Ek, samordnare").
//
// When the signature was not told from the text (a closing the splitter
// does not know, "Vänligen,"), the last lines of the text are looked at
// too, but only for the "Name | Title" form, which no sentence has.
func signatureNameOf(sig, body string) string {
	if n := signatureName(sig); n != "" {
		return n
	}
	lines, seps := strings.Split(sig, "\n"), []string{"|", " – ", ","}
	if strings.TrimSpace(sig) == "" {
		lines, seps = strings.Split(strings.TrimSpace(body), "\n"), []string{"|"}
		lines = lines[max(0, len(lines)-4):]
	}
	for _, line := range lines[:min(len(lines), 7)] {
		for _, sep := range seps {
			if first, _, ok := strings.Cut(line, sep); ok {
				if n := signatureName(strings.TrimSpace(first)); strings.Contains(n, " ") {
					return n
				}
				break
			}
		}
	}
	return ""
}

// domainOf returns the lower-cased domain of addr, "" when it has none.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return strings.ToLower(addr[i+1:])
	}
	return ""
}
