package understand

import (
	"strings"
	"unicode"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
)

var (
	svWords = wordSet("och jag till mig är det att för med hej vi den som inte på kan vill gärna tack hälsningar mvh anmäla anmäl anmäler anmälan vår min ska får")
	enWords = wordSet("the and i to for would like please register dear hello hi regards with is will attend my me thank thanks we our of on in you can from at it")
)

// withoutSentFrom drops the line a phone's mail client puts under the text
// ("Skickat från min iPhone", "Sent from my Samsung Galaxy"): it is in the
// language of the phone, not of the writer, and a short English mail under
// a Swedish phone's line would otherwise be read as Swedish. It goes line
// by line rather than by a case-insensitive pattern, which is slow.
func withoutSentFrom(text string) string {
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		lower := strings.ToLower(strings.TrimSpace(l))
		if !strings.HasPrefix(lower, "skickat från min") && !strings.HasPrefix(lower, "sent from my") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

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
		text = withoutSentFrom(text)
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
