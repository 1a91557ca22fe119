package session

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/dates"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// A session is also named by the hour it starts ("passet klockan nio",
// "seminariet kl. 13", "the 9 o'clock session") and by its place in the
// order of the sessions ("tillfälle 2", "det första tillfället", "the
// second session"). Both need a word for the session beside them: "jag har
// ett annat möte kl 9" or "för det andra" names none.
var (
	// clockRe is a session noun, then a time of day ("passet klockan
	// nio", "tillfället kl. 13.00", "the session at 9"); or the time
	// before the noun ("9-passet", "the 9 am one", "the 1 pm session").
	clockRe = regexp.MustCompile(`\b(pass\pL*|tillfälle\pL*|träff\pL*|seminari\pL*|samtal\pL*|session|workshop|one)\s+(?:som\s+börjar\s+|that starts\s+|starting\s+)?(?:klockan|kl\.?|at)\s+(\d{1,2}|\pL+)(?:[.:]\d\d)?(?:\s*(am|pm|a\.m\.|p\.m\.))?|\b(\d{1,2})(?:[.:]00)?(?:\s*(am|pm|o'clock|o’clock))?[\s-]*(passet|tillfället|träffen|seminariet|session|one|workshop)\b`)
	// clockWords are the hours written as words.
	clockWords = map[string]int{"ett": 13, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14,
		"one": 13, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
	// ordinalRe is a session by its order: "tillfälle 2", "session 1",
	// "det första tillfället", "andra passet", "the second session",
	// "the first one".
	ordinalRe = regexp.MustCompile(`\b(?:tillfälle|pass|session)\s+(1|2|3|ett|två|tre|one|two|three)\b|\b(första|andra|tredje|first|second|third)\s+(?:tillfället|passet|träffen|session|one)\b`)
	ordinals  = map[string]int{"1": 1, "ett": 1, "one": 1, "första": 1, "first": 1, "2": 2, "två": 2, "two": 2, "andra": 2, "second": 2,
		"3": 3, "tre": 3, "three": 3, "tredje": 3, "third": 3}
	// orderCues are the words clockRe or ordinalRe needs.
	orderCues = message.Phrases{"kl", "at ", "am", "pm", "o'clock", "o’clock", "pass", "tillfälle", "session", "one", "träff", "seminari", "samtal", "workshop"}
)

// namesClock reports whether text (lower case) names the hour at which ev
// starts, beside a word for the session.
func namesClock(text string, ev config.EventConfig, loc *time.Location) bool {
	start := ev.StartsAt.In(loc).Hour()
	for _, m := range clockRe.FindAllStringSubmatch(text, -1) {
		word, ampm := m[2], m[3]
		if word == "" {
			word, ampm = m[4], m[5]
		}
		h, err := strconv.Atoi(word)
		if err != nil {
			var ok bool
			if h, ok = clockWords[word]; !ok {
				continue
			}
		}
		if strings.HasPrefix(ampm, "p") && h < 12 || ampm == "" && h >= 1 && h <= 6 {
			// "1 pm"; and "klockan ett", an afternoon hour written alone.
			h += 12
		}
		if h == start {
			return true
		}
	}
	return false
}

// ordinalEvent returns the event text (lower case) names by its order
// among cfg's events, by when they start ("tillfälle 2"), or "".
func ordinalEvent(text string, cfg *config.Config) string {
	m := ordinalRe.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	n := ordinals[m[1]+m[2]]
	evs := make([]config.EventConfig, len(cfg.Events))
	copy(evs, cfg.Events)
	slices.SortStableFunc(evs, func(a, b config.EventConfig) int { return a.StartsAt.Compare(b.StartsAt) })
	if n < 1 || n > len(evs) {
		return ""
	}
	return evs[n-1].ID
}

// quotedEvent returns the one event the quoted or forwarded part of a
// withdrawal names by its date (the bot's confirmation it answers: "När:
// torsdag 13 december 2018"), or "" when it names none or more than one
// (an invitation to both). The writer's own words name no session; the
// mail she answers does.
func quotedEvent(m *message.Message, cfg *config.Config, arrived time.Time) string {
	if cfg == nil || m.Split.Quoted == "" {
		return ""
	}
	loc := time.UTC
	if cfg.Location != nil {
		loc = cfg.Location
	}
	found, _ := dates.Find(message.Head(m.Split.Quoted, 8000), arrived)
	one := ""
	for _, d := range found {
		if !d.HasMonth() {
			continue
		}
		for _, ev := range eventsOn(d, cfg, arrived, loc) {
			if one != "" && one != ev.ID {
				return ""
			}
			one = ev.ID
		}
	}
	return one
}

// applyQuoted sets the event of a withdrawal whose own words name none to
// the one its quoted mail names (see quotedEvent).
func applyQuoted(u *reading.Understanding, m *message.Message, cfg *config.Config, arrived time.Time) {
	if u.Kind != reading.KindCancellation || u.Event != "" {
		return
	}
	if id := quotedEvent(m, cfg, arrived); id != "" {
		u.Event = id
		u.Reason += "; the quoted mail's date chooses " + id
	}
}
