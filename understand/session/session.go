package session

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	if found == "" {
		return placeEvent(strings.ToLower(m.Body), cfg)
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
			// Both named, as by a title they share ("Re: Inbjudan: På
			// tal om segregation"): the place the writer names ("till
			// Kungälv") may still choose, else the reply asks.
			return placeEvent(strings.ToLower(m.Body), cfg)
		}
		found = e.ID
	}
	if found == "" {
		return placeEvent(strings.ToLower(m.Body), cfg)
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
	// "Hon började i måndags", "last Friday": a weekday in the past tense
	// tells of what happened, and names no session.
	found = slices.DeleteFunc(found, func(d reading.NamedDate) bool { return pastWeekday(text, d) })
	if len(found) == 0 {
		applyQuoted(u, m, cfg, arrived)
		return
	}
	if u.Kind == reading.KindCancellation {
		found = PreferWithdrawn(text, found)
	} else {
		found = PreferUnnegated(text, found)
	}
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
	if len(cands) == 0 && u.Kind == reading.KindOther && u.Event != "" && !slices.ContainsFunc(found, func(d reading.NamedDate) bool { return d.HasMonth() }) {
		// "I'm hoping to make the afternoon session at GR … confirm on
		// Monday": a weekday of no session in a mail that asks for
		// nothing is when she answers, not which session she means.
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

// pastWeekday reports whether d is a weekday said in the past: Swedish "i
// måndags" (the -s form is the past one) or "förra tisdagen", "last
// Monday".
func pastWeekday(text string, d reading.NamedDate) bool {
	w := strings.ToLower(d.Written)
	if strings.HasSuffix(w, "dags") {
		return true
	}
	before := strings.Fields(strings.ToLower(text[:min(d.Pos(), len(text))]))
	return len(before) > 0 && (before[len(before)-1] == "förra" || before[len(before)-1] == "last")
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

// placeEvent chooses the event whose place or time of day the writer's
// own words (lower case, without the signature) name when no keyword or
// title does: "seminariet i stadshuset", "GR:s lokaler", "på
// Ytterbyvägen", "at the town hall", "förmiddagspasset", "the afternoon
// session". A place or time that more than one event shares, or a text
// naming one event's place and another's time, chooses nothing, so that
// the reply asks. The signature is left out because the writer's own
// address block ("Göteborgs Stad", a street) is where she works, not
// where she goes; for the same reason the organisations' names are
// masked before the places are looked for.
func placeEvent(body string, cfg *config.Config) string {
	for _, org := range cfg.Organisations {
		body = strings.ReplaceAll(body, strings.ToLower(org), " ")
	}
	// The order and the start hour need a session noun or a clock word:
	// most mails have none, and their expressions are not run.
	order := orderCues.FindLower(body) != ""
	if order {
		if id := ordinalEvent(body, cfg); id != "" {
			return id
		}
	}
	loc := time.UTC
	if cfg.Location != nil {
		loc = cfg.Location
	}
	found := ""
	for _, e := range cfg.Events {
		if !namesPlace(body, e.Location) && !namesTimeOfDay(body, e.StartsAt.In(loc).Hour() < 12) && !(order && namesClock(body, e, loc)) {
			continue
		}
		if found != "" {
			return ""
		}
		found = e.ID
	}
	return found
}

// placeSynonyms are the English names a writer uses for the Swedish
// words of a location.
var placeSynonyms = map[string][]string{
	"stadshus": {"town hall", "city hall"},
	"göteborg": {"gothenburg"},
}

// namesPlace reports whether text names a part of location as the place
// one goes to, the object of a locative preposition ("i stadshuset", "hos
// GR", "at the town hall"; "Göteborgsregionen (GR)" under a name is no
// place): a part of it
// between commas ("GR", "Göteborg", "Kungälvs stadshus") without its
// house number ("Anders Personsgatan 8"), the noun of a part that begins
// with a place's genitive ("stadshus" of "Kungälvs stadshus"), or their
// English names; each in its Swedish inflections ("stadshuset",
// "GR:s", "Göteborgs").
func namesPlace(text, location string) bool {
	var terms []string
	for _, part := range strings.Split(strings.ToLower(location), ",") {
		words := strings.Fields(part)
		for len(words) > 0 && strings.Trim(words[len(words)-1], "0123456789") == "" {
			words = words[:len(words)-1]
		}
		if len(words) == 0 {
			continue
		}
		terms = append(terms, strings.Join(words, " "))
		if len(words) == 2 && strings.HasSuffix(words[0], "s") {
			terms = append(terms, words[1])
		}
	}
	for _, t := range slices.Clone(terms) {
		terms = append(terms, placeSynonyms[t]...)
	}
	for _, t := range terms {
		if namesWord(text, t, []string{"", "s", ":s", "'s", "’s", "et", "ets", "en", "ens"}, true) {
			return true
		}
	}
	return false
}

// namesWord reports whether text holds w as a word of its own or with one
// of the endings; with located, only after a locative preposition.
func namesWord(text, w string, endings []string, located bool) bool {
	for from := 0; ; {
		i := strings.Index(text[from:], w)
		if i < 0 {
			return false
		}
		at := from + i
		from = at + len(w)
		if at > 0 && isLetter(text[:at], true) || located && !afterPreposition(text[:at]) {
			continue
		}
		rest := text[from:]
		for _, end := range endings {
			if strings.HasPrefix(rest, end) && !isLetter(rest[len(end):], false) {
				return true
			}
		}
	}
}

// locativePrepositions are the words before a place one goes to.
var locativePrepositions = []string{"i", "på", "hos", "vid", "till", "in", "at", "to"}

// afterPreposition reports whether before (the text before a place) ends
// in a locative preposition, maybe with an article ("at the").
func afterPreposition(before string) bool {
	words := strings.Fields(before)
	if n := len(words); n > 0 && (words[n-1] == "the" || words[n-1] == "det") {
		words = words[:n-1]
	}
	if len(words) > 1 && (words[len(words)-1] == "for" || words[len(words)-1] == "för") && registeredWords[words[len(words)-2]] {
		// "How many have signed up for Göteborg?", "anmälda för Kungälv":
		// "for" is no locative preposition, but after a word of signing up
		// its object is the session, named by its place. Elsewhere ("jag
		// jobbar för GR") it is where the writer works.
		return true
	}
	return len(words) > 0 && slices.Contains(locativePrepositions, words[len(words)-1])
}

// registeredWords are the words of signing up that "for" follows when its
// object is a session.
var registeredWords = map[string]bool{"up": true, "registered": true, "enrolled": true, "booked": true, "anmälda": true, "anmälde": true, "anmäld": true, "registrerade": true, "bokade": true}

// isLetter reports whether the last (or first) rune of s is a letter.
func isLetter(s string, last bool) bool {
	if s == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s)
	if last {
		r, _ = utf8.DecodeLastRuneInString(s)
	}
	return unicode.IsLetter(r)
}

// timeOfDayRe finds a time of day that names a session: a compound with a
// meeting noun ("förmiddagspasset", "eftermiddagsträffen"), the time's
// genitive before one ("förmiddagens seminarium") or the English time
// before one ("the morning session"). "förmiddag" alone ("jag är upptagen
// på förmiddagen") names no session.
var timeOfDayRe = regexp.MustCompile(`\b(förmiddag|morgon|eftermiddag|morning|afternoon)(?:s(\pL+)|ens\s+(\pL+)|\s+(session|one|meeting|seminar|event|workshop))|\b(?:till|för|for|to)\s+(?:the\s+)?(förmiddag|eftermiddag|morning|afternoon)(?:en)?\b`)

// namesTimeOfDay reports whether text names the time of day of a session
// that starts in the morning (or, with morning false, after noon).
func namesTimeOfDay(text string, morning bool) bool {
	for _, m := range timeOfDayRe.FindAllStringSubmatch(text, -1) {
		if m[2] != "" && !dates.NamesMeeting(m[2]) || m[3] != "" && !dates.NamesMeeting(m[3]) {
			continue
		}
		t := m[1] + m[5]
		if (t == "förmiddag" || t == "morgon" || t == "morning") == morning {
			return true
		}
	}
	return false
}
