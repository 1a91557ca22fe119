package understand

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
)

var (
	svWords = wordSet("och jag till mig är det att för med hej vi den som inte på kan vill gärna tack hälsningar mvh anmäla anmäl anmäler anmälan vår min ska får")
	enWords = wordSet("the and i to for would like please register dear hello hi regards with is will attend my me thank thanks we our of on in you can from at it")
	// sentFromRe is the line a phone's mail client puts under the text
	// ("Skickat från min iPhone", "Sent from my Samsung Galaxy"): it is in
	// the language of the phone, not of the writer, and a short English
	// mail under a Swedish phone's line would otherwise be read as Swedish.
	sentFromRe = regexp.MustCompile(`(?im)^[ \t]*(?:skickat från min|sent from my)\b.*$`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Language returns "sv" or "en" for the reply: from the mail's own text (or
// the subject when there is none), by counting common Swedish and English
// words and the letters å, ä, ö; the config's language (default "sv") when
// neither wins.
func Language(own, subject string, cfg *config.Config) string {
	def := "sv"
	if cfg != nil && (cfg.Language == "en" || cfg.Language == "sv") {
		def = cfg.Language
	}
	text := own
	if strings.TrimSpace(text) == "" {
		text = subject
	}
	text = message.Head(text, 4000)
	if strings.Contains(text, "från min") || strings.Contains(text, "from my") {
		// The pattern is case-insensitive and slow: it runs only where its
		// words are.
		text = sentFromRe.ReplaceAllString(text, "")
	}
	sv, en := 0, 0
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		w = strings.ToLower(w)
		if svWords[w] {
			sv++
		}
		if enWords[w] {
			en++
		}
		for _, r := range w {
			switch r {
			case 'å':
				sv += 2
			case 'ä', 'ö':
				sv++
			}
		}
	}
	switch {
	case en > sv:
		return "en"
	case sv > en:
		return "sv"
	}
	return def
}
