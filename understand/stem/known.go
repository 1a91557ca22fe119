package stem

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// commonWords are the most frequent words of everyday Swedish and English
// mail: function words, the words of greeting and of the desk. Nearly every
// sentence in either language holds one; a text in another language
// (Icelandic, Lithuanian) holds almost none.
var commonWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`och att det som en ett är jag du vi ni han hon de på i av för med till från om inte men
		har kan vill ska skulle kommer var den detta där här så nu då också mig dig oss er sig min mitt mina vår våra din
		hej tack hälsningar vänliga mvh vid under efter före eller när vad vem hur bara även får fick blir
		the a an and or of to in on at for with from by is are was were be been am i you we he she they it me my our your
		not but if so as this that there here will would can could shall should have has had do does did please
		hi hello dear thanks thank regards best kind after before until when what who how also only`) {
		m[w] = true
	}
	return m
}()

// Readable reports whether text reads as Swedish or English: whether at
// least one in five of its words in lower case (names, addresses, numbers
// and one-letter words such as "a" and "i", which many languages share
// aside) is a common word of either; everyday prose in both has two in
// five or more. A text with fewer than five such words (a list of names,
// "Sara Ek, Ale kommun") is readable: there is nothing to misread in it.
func Readable(text string) bool {
	words, known := 0, 0
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '@' && r != '.' }) {
		w = strings.Trim(w, ".")
		first, _ := utf8.DecodeRuneInString(w)
		if utf8.RuneCountInString(w) < 2 || strings.Contains(w, "@") || !unicode.IsLower(first) {
			continue
		}
		words++
		if commonWords[w] {
			known++
		}
	}
	return words < 5 || known*5 >= words
}
