package understand

import (
	"net/mail"
	"slices"
	"strings"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// EventFor returns the ID of the event the mail is about: the only event;
// else the one whose keyword or title the subject or text names, or whose
// ID is the +tag of the bot's address it was sent to; else "".
func EventFor(m *message.Message, own string, cfg *config.Config) string {
	if cfg == nil || len(cfg.Events) == 0 {
		return ""
	}
	if len(cfg.Events) == 1 {
		return cfg.Events[0].ID
	}
	bot := cfg.BotAddress()
	if i := strings.IndexByte(bot, '@'); i > 0 {
		local, dom := bot[:i], bot[i:]
		for _, a := range append(append([]*mail.Address{}, m.To...), m.Cc...) {
			la := strings.ToLower(a.Address)
			if strings.HasPrefix(la, local+"+") && strings.HasSuffix(la, dom) {
				tag := la[len(local)+1 : len(la)-len(dom)]
				for _, e := range cfg.Events {
					if strings.EqualFold(e.ID, tag) {
						return e.ID
					}
				}
			}
		}
	}
	text := strings.ToLower(m.Subject + "\n" + own)
	found := ""
	var matched []string
	for _, e := range cfg.Events {
		match := e.Title != "" && strings.Contains(text, strings.ToLower(e.Title))
		for _, k := range e.Keywords {
			if k != "" && strings.Contains(text, strings.ToLower(k)) {
				match = true
			}
		}
		if match {
			matched = append(matched, e.ID)
			if found != "" && found != e.ID {
				found = "-"
				continue
			}
			found = e.ID
		}
	}
	if found != "-" {
		return found
	}
	// Two sessions named: one named only inside a contrast ("på det i
	// Göteborg, inte det i Kungälv") is the one turned down, so the other
	// is chosen; otherwise the reply asks which.
	found = ""
	for _, e := range cfg.Events {
		if !slices.Contains(matched, e.ID) || onlyContrasted(text, e) {
			continue
		}
		if found != "" {
			return ""
		}
		found = e.ID
	}
	return found
}

// onlyContrasted reports whether every mention of e's title and keywords
// in text (lower case) lies inside a contrast (see contrastRe).
func onlyContrasted(text string, e config.EventConfig) bool {
	words := append([]string{e.Title}, e.Keywords...)
	seen := false
	for _, w := range words {
		w = strings.ToLower(w)
		if w == "" {
			continue
		}
		for from := 0; ; {
			i := strings.Index(text[from:], w)
			if i < 0 {
				break
			}
			seen = true
			if !reading.InContrast(text, from+i) {
				return false
			}
			from += i + len(w)
		}
	}
	return seen
}
