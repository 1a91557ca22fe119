package understand

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/dates"
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

// ApplyDates reads the dates the mail's own text (and its subject, unless
// the subject is a reply's or a forward's) names, and matches them to the
// events: a named date that matches an event selects it, ahead of keywords;
// a named date that matches none is recorded, so that the bot answers with
// the dates offered instead of guessing.
//
// An organiser's command takes from its dates only the session they name
// ("stryk henne från tisdagens pass", "for the 11 December session"): a
// date of hers that names none ("om hon inte svarar före fredag") is not a
// session she asks about, so it neither clears the event nor asks her.
func ApplyDates(u *reading.Understanding, m *message.Message, cfg *config.Config, arrived time.Time) {
	text := m.Split.Own
	if !replyOrForwardRe.MatchString(m.Subject) {
		text += "\n" + m.Subject
	}
	found, all := dates.Find(text, arrived)
	if len(found) == 0 {
		return
	}
	found = reading.PreferUnnegated(text, found)
	loc := time.UTC
	if cfg != nil && cfg.Location != nil {
		loc = cfg.Location
	}
	var cands []string
	if cfg != nil {
		for i := range found {
			d := &found[i]
			matched := eventsOn(*d, cfg, arrived, loc)
			if len(matched) == 1 && d.Read == "" {
				d.Read = matched[0].StartsAt.In(loc).Format("2006-01-02")
			}
			for _, ev := range matched {
				if !slices.Contains(cands, ev.ID) {
					cands = append(cands, ev.ID)
				}
			}
		}
	}
	if u.Kind == reading.KindCommand {
		if len(cands) == 1 && (u.Event == "" || u.Event == cands[0]) {
			u.Event = cands[0]
			u.Reason += fmt.Sprintf("; the date %q chooses %s", found[0].Written, cands[0])
		}
		return
	}
	u.Date = &found[0]
	if len(found) > 1 {
		u.Dates = found
	}
	u.AllDates = all
	if cfg == nil || len(cfg.Events) == 0 {
		return
	}
	if len(cands) == 0 {
		u.DateUnmatched = true
		u.Event = ""
		u.Reason += fmt.Sprintf("; the date %q matches no event", found[0].Written)
		return
	}
	u.Candidates = cands
	u.Event = cands[0]
	u.Reason += fmt.Sprintf("; the date %q chooses %s", u.Date.Written, cands[0])
}

// eventsOn returns the events of cfg on the date d. A date with its month
// names the events on that day. A weekday or a day alone ("på torsdag",
// "den 13:e") is only a date when exactly one event falls on it: one still
// open at arrived, or else one that has not begun (the writer who cancels
// "på torsdag" after registration closed still names Thursday's session).
func eventsOn(d reading.NamedDate, cfg *config.Config, arrived time.Time, loc *time.Location) []*config.EventConfig {
	var matched, open []*config.EventConfig
	for j := range cfg.Events {
		ev := &cfg.Events[j]
		if !d.Matches(ev.StartsAt, arrived, loc) {
			continue
		}
		matched = append(matched, ev)
		if ev.OpenAt(arrived) {
			open = append(open, ev)
		}
	}
	switch {
	case d.HasMonth():
		return matched
	case len(open) == 1:
		return open
	case len(open) == 0 && len(matched) == 1:
		return matched
	}
	return nil
}

// replyOrForwardRe matches the prefixes mail clients put before the
// subject of a reply or a forward; such a subject is the original's.
var replyOrForwardRe = regexp.MustCompile(`(?i)^\s*(re|sv|aw|vs|fw|fwd|vb|wg|tr|antw)\s*:`)
