// Package dates finds the dates a mail names ("11 december", "den 13:e",
// "11/12", "tisdag", "torsdagsmötet") and matches them to an event's
// start. It knows nothing of the rest of a mail's reading, so that the
// readers of package understand share one date finder; it imports only
// package message.
package dates

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/goteborgsregionen/anmalan/message"
)

// NamedDate is a date a mail names, as written and as read. Read is
// "2006-01-02" when the day and month are known (the year is the next one
// that puts the date after the mail's arrival), or "" for a weekday or a
// day alone until it is matched to an event.
type NamedDate struct {
	Written string `json:"written"`
	Read    string `json:"read,omitempty"`

	day, month, year int
	weekday          time.Weekday
	hasWeekday       bool
	pos              int
}

// Pos is where the date stands in the text it was found in.
func (d NamedDate) Pos() int { return d.pos }

// HasMonth reports whether the date names its month: a weekday or a day
// alone does not.
func (d NamedDate) HasMonth() bool { return d.month != 0 }

// Matches reports whether the event starting at start (in loc) is on the
// named date.
func (d NamedDate) Matches(start time.Time, arrived time.Time, loc *time.Location) bool {
	s := start.In(loc)
	switch {
	case d.month != 0:
		y := d.year
		if y == 0 {
			if arrived.IsZero() {
				// No arrival to count the year from: day and month decide.
				return int(s.Month()) == d.month && s.Day() == d.day
			}
			y = yearAhead(d.month, d.day, arrived.In(loc))
		}
		return s.Year() == y && int(s.Month()) == d.month && s.Day() == d.day
	case d.day != 0:
		return s.Day() == d.day && !s.Before(arrived)
	case d.hasWeekday:
		return s.Weekday() == d.weekday && !s.Before(arrived)
	}
	return false
}

// yearAhead returns the year that puts month/day on or after the day of
// now: a date in January named in late December is next year's.
func yearAhead(month, day int, now time.Time) int {
	y := now.Year()
	today := time.Date(y, now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC).Before(today) {
		y++
	}
	return y
}

var monthNames = map[string]int{
	"januari": 1, "january": 1, "jan": 1,
	"februari": 2, "february": 2, "feb": 2,
	"mars": 3, "march": 3, "mar": 3,
	"april": 4, "apr": 4,
	"maj": 5, "may": 5,
	"juni": 6, "june": 6, "jun": 6,
	"juli": 7, "july": 7, "jul": 7,
	"augusti": 8, "august": 8, "aug": 8,
	"september": 9, "sept": 9, "sep": 9,
	"oktober": 10, "october": 10, "okt": 10, "oct": 10,
	"november": 11, "nov": 11,
	"december": 12, "dec": 12,
}

var weekdayNames = map[string]time.Weekday{
	"måndag": time.Monday, "tisdag": time.Tuesday, "onsdag": time.Wednesday, "torsdag": time.Thursday,
	"fredag": time.Friday, "lördag": time.Saturday, "söndag": time.Sunday,
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

const (
	monthAlt   = `januari|january|jan|februari|february|feb|mars|march|mar|april|apr|maj|may|juni|june|jun|juli|july|jul|augusti|august|aug|september|sept|sep|oktober|october|okt|oct|november|nov|december|dec`
	weekdayAlt = `måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag|monday|tuesday|wednesday|thursday|friday|saturday|sunday`
	ordinal    = `(?::e|:a|e|st|nd|rd|th)?`
)

var (
	isoDateRe = regexp.MustCompile(`\b(20\d\d)-(\d\d)-(\d\d)\b`)
	// "11 december", "11:e dec", "11th of December", "11 eller 13 december".
	dayMonthRe = regexp.MustCompile(`\b(\d{1,2})` + ordinal + `(?:\s*(?:eller|or|och|and|,|&|/|-|–)\s*(\d{1,2})` + ordinal + `)?\.?\s+(?:of\s+)?(` + monthAlt + `)\b\.?(?:\s+(20\d\d)\b)?`)
	// "Dec 11", "December 11th, 2018".
	monthDayRe = regexp.MustCompile(`^(` + monthAlt + `)\.?\s+(\d{1,2})` + ordinal + `\b(?:,?\s+(20\d\d)\b)?`)
	// "11/12", "11.12", "11/12/2018".
	numericRe = regexp.MustCompile(`(^|[^\d/.:,\-])(\d{1,2})[/.](\d{1,2})(?:[/.](20\d\d|\d\d))?(?:$|\.(?:\s|$)|[^\d/.,\-])`)
	// "den 11:e", "on the 11th", "Thu 13th", "tors 13:e".
	dayOnlyRe = regexp.MustCompile(`\b(?:den|the|mon|tue|tues|wed|thu|thur|thurs|fri|tis|ons|tors|fre)\.?\s+(\d{1,2})(?::e|:a|e|st|nd|rd|th)\b`)
	// "tisdag", "tisdagen", "tisdags", and the first part of a compound:
	// "torsdagsmötet", "tisdagsseminariet" (the Thursday meeting).
	weekdayRe = regexp.MustCompile(`\b(` + weekdayAlt + `)(?:ens\b|en\b|s\p{L}*|\b)`)
	// Words before a number that make it a time, not a date.
	timeBeforeRe = regexp.MustCompile(`(?:\bkl|\bklockan|\bkl\.|\bat|\bca|\befter|\bföre|\bfrom|\buntil)\s*$`)
	// Words after "11/12" that make it a count: "11/12 deltagare".
	countAfterRe = regexp.MustCompile(`^\s*(?:deltagare|personer|pers|platser|st\b|participants|people|seats|timmar|hours|min)`)
	preferRe     = regexp.MustCompile(`\b(?:helst|i första hand|hellre|preferably|ideally|prefer(?:ably)?(?: the)?)\s+(?:den\s+|the\s+|on\s+)?(\d{1,2})`)
	bothRe       = regexp.MustCompile(`\b(?:båda|bägge|alla tre|samtliga|both|all three)\b`)
)

// Find returns the dates a text names, in the order written, with a
// date marked as preferred ("helst 11") moved first, and whether the
// writer asks for all of them ("båda", "both"). Each date is read against
// arrived (the mail's arrival) for its year.
func Find(text string, arrived time.Time) ([]NamedDate, bool) {
	// Indexes found in lower are used in text, so lower must keep every
	// byte offset: invalid bytes are replaced first, and a letter whose
	// lower case is longer or shorter stays as it is.
	text = strings.ToValidUTF8(text, "?")
	lower := strings.Map(func(r rune) rune {
		if l := unicode.ToLower(r); utf8.RuneLen(l) == utf8.RuneLen(r) {
			return l
		}
		return r
	}, text)
	var out []NamedDate
	taken := make([]bool, len(lower)+1)
	claim := func(start, end int) bool {
		for i := start; i < end; i++ {
			if taken[i] {
				return false
			}
		}
		for i := start; i < end; i++ {
			taken[i] = true
		}
		return true
	}
	add := func(d NamedDate) {
		if d.month != 0 {
			if d.day < 1 || d.day > 31 || d.month < 1 || d.month > 12 {
				return
			}
			y := d.year
			if y == 0 && !arrived.IsZero() {
				y = yearAhead(d.month, d.day, arrived)
			}
			// A leap year stands in when the year is unknown, so that
			// 29 February is not refused.
			check := y
			if check == 0 {
				check = 2000
			}
			t := time.Date(check, time.Month(d.month), d.day, 0, 0, 0, 0, time.UTC)
			if t.Day() != d.day { // 31 november
				return
			}
			if y != 0 {
				d.Read = t.Format("2006-01-02")
			}
		} else if d.day != 0 && (d.day < 1 || d.day > 31) {
			return
		}
		out = append(out, d)
	}
	// Every pattern below needs a digit, a month's name or a weekday's name;
	// a cheap look for those first keeps Go's backtracking regexp engine off
	// the many lines that hold none, which was most of understanding's time.
	digits := strings.ContainsAny(lower, "0123456789")
	var months [][2]int
	if digits {
		months = asciiWordSpans(lower, IsMonthWord)
	}
	for _, m := range findNear(isoDateRe, lower, isoAnchors(lower), 1, 1) {
		if claim(m[0], m[1]) {
			add(NamedDate{Written: text[m[0]:m[1]], year: atoi(lower[m[2]:m[3]]), month: atoi(lower[m[4]:m[5]]), day: atoi(lower[m[6]:m[7]]), pos: m[0]})
		}
	}
	for _, m := range findNear(numericRe, lower, numericAnchors(lower), 2, 2) {
		start, end := m[4], m[7]
		if m[8] >= 0 {
			end = m[9]
		}
		if timeBeforeRe.MatchString(lower[max(0, start-10):start]) || countAfterRe.MatchString(lower[end:]) {
			continue
		}
		if !claim(start, end) {
			continue
		}
		if month := atoi(lower[m[6]:m[7]]); month < 1 || month > 12 {
			continue // "13.00" is a time of day
		}
		year := 0
		if m[8] >= 0 {
			year = atoi(lower[m[8]:m[9]])
			if year < 100 {
				year += 2000
			}
		}
		add(NamedDate{Written: text[start:end], day: atoi(lower[m[4]:m[5]]), month: atoi(lower[m[6]:m[7]]), year: year, pos: start})
	}
	for _, m := range findNear(dayMonthRe, lower, months, 6, 2) {
		if !claim(m[0], m[1]) {
			continue
		}
		month := monthNames[lower[m[6]:m[7]]]
		year := 0
		if m[8] >= 0 {
			year = atoi(lower[m[8]:m[9]])
		}
		if m[4] >= 0 { // "11 eller 13 december": two dates sharing the month.
			add(NamedDate{Written: text[m[2]:m[3]] + " " + text[m[6]:m[7]], day: atoi(lower[m[2]:m[3]]), month: month, year: year, pos: m[2]})
			add(NamedDate{Written: strings.TrimRight(text[m[4]:m[1]], ". "), day: atoi(lower[m[4]:m[5]]), month: month, year: year, pos: m[4]})
			continue
		}
		add(NamedDate{Written: strings.TrimRight(text[m[0]:m[1]], ". "), day: atoi(lower[m[2]:m[3]]), month: month, year: year, pos: m[0]})
	}
	for _, m := range findAt(monthDayRe, lower, months) {
		if !claim(m[0], m[1]) {
			continue
		}
		year := 0
		if m[6] >= 0 {
			year = atoi(lower[m[6]:m[7]])
		}
		add(NamedDate{Written: text[m[0]:m[1]], month: monthNames[lower[m[2]:m[3]]], day: atoi(lower[m[4]:m[5]]), year: year, pos: m[0]})
	}
	for _, m := range findNear(dayOnlyRe, lower, dayOnlyAnchors(lower, digits), 1, 2) {
		if claim(m[0], m[1]) {
			add(NamedDate{Written: text[m[0]:m[1]], day: atoi(lower[m[2]:m[3]]), pos: m[0]})
		}
	}
	// A weekday beside a date ("tisdag 11 dec") only restates it, so the
	// weekdays are looked for only in a text that names no date.
	for _, m := range findAll(weekdayRe, lower, len(out) == 0 && hasWord(lower, isWeekdayWord)) {
		if !meetingCompound(lower[m[3]:m[1]]) || !claim(m[0], m[1]) {
			continue
		}
		out = append(out, NamedDate{Written: text[m[0]:m[1]], weekday: weekdayNames[lower[m[2]:m[3]]], hasWeekday: true, pos: m[0]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	out = dedupeDates(out)
	if len(out) > 1 {
		if m := preferRe.FindStringSubmatch(lower); m != nil {
			day := atoi(m[1])
			for i, d := range out {
				if d.day == day && i > 0 {
					out = append([]NamedDate{d}, append(out[:i:i], out[i+1:]...)...)
					break
				}
			}
		}
	}
	return out, len(out) > 1 && bothRe.MatchString(lower)
}

// findAll is FindAllStringSubmatchIndex behind a cheap precondition: when
// may is false the pattern cannot match and is not run.
func findAll(re *regexp.Regexp, s string, may bool) [][]int {
	if !may {
		return nil
	}
	return re.FindAllStringSubmatchIndex(s, -1)
}

// hasWord reports whether any word of the lower-case text s (a run of
// letters) satisfies is.
func hasWord(s string, is func(string) bool) bool {
	return len(wordSpans(s, is)) > 0
}

// wordSpans returns the byte spans of the words of s (runs of letters)
// that satisfy is.
func wordSpans(s string, is func(string) bool) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		letter := unicode.IsLetter(r)
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			if is(s[start:i]) {
				out = append(out, [2]int{start, i})
			}
			start = -1
		}
	}
	if start >= 0 && is(s[start:]) {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// asciiWordSpans returns the spans of the runs of ASCII letters in s that
// stand between regexp word boundaries (\b: no ASCII letter, digit or
// underscore beside them) and satisfy is: where a pattern that starts or
// ends with \b and a name can match.
func asciiWordSpans(s string, is func(string) bool) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		if !isASCIILetter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		if (i == 0 || !isWordByte(s[i-1])) && (j == len(s) || !isWordByte(s[j])) && is(s[i:j]) {
			out = append(out, [2]int{i, j})
		}
		i = j
	}
	return out
}

func isASCIILetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

func isWordByte(b byte) bool { return isASCIILetter(b) || isDigit(b) || b == '_' }

// dayOnlyAnchors returns the spans of "den" and "the" where "den 11:e" or
// "the 11th" can start.
func dayOnlyAnchors(s string, digits bool) [][2]int {
	if !digits {
		return nil
	}
	return asciiWordSpans(s, func(w string) bool { return w == "den" || w == "the" || dayOnlyWeekdays[w] })
}

// dayOnlyWeekdays are the weekdays' short forms dayOnlyRe takes before a
// day ("Thu 13th", "tors 13:e"); the ASCII ones can anchor it.
var dayOnlyWeekdays = map[string]bool{"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true,
	"fri": true, "tis": true, "ons": true, "tors": true, "fre": true}

// isoAnchors returns the spans where an ISO date can stand: a hyphen after
// four digits.
func isoAnchors(s string) [][2]int {
	var out [][2]int
	for i := 4; i < len(s); i++ {
		if s[i] == '-' && isDigit(s[i-1]) && isDigit(s[i-2]) && isDigit(s[i-3]) && isDigit(s[i-4]) {
			out = append(out, [2]int{i - 4, min(len(s), i+6)})
		}
	}
	return out
}

// numericAnchors returns the spans where "11/12" or "11.12" can stand: a
// slash or a full stop between two digits.
func numericAnchors(s string) [][2]int {
	var out [][2]int
	for i := 1; i+1 < len(s); i++ {
		if (s[i] == '/' || s[i] == '.') && isDigit(s[i-1]) && isDigit(s[i+1]) {
			out = append(out, [2]int{i - 1, i + 2})
		}
	}
	return out
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// findAt runs re, a pattern anchored at its start (^), at the start of
// each anchor: for a pattern that begins with the anchor's word, such as
// "Dec 11", this is every match a run over the whole of s finds, at a
// fraction of the cost. The indexes returned are into s.
func findAt(re *regexp.Regexp, s string, anchors [][2]int) [][]int {
	var out [][]int
	next := 0
	for _, a := range anchors {
		if a[0] < next {
			continue // inside the match before
		}
		m := re.FindStringSubmatchIndex(s[a[0]:])
		if m == nil {
			continue
		}
		for j := range m {
			if m[j] >= 0 {
				m[j] += a[0]
			}
		}
		out = append(out, m)
		next = m[1]
	}
	return out
}

// findNear runs re only on the stretches of s around the anchors, each
// widened by before and after whitespace-separated words, so that a match
// found in a stretch is the one a run over the whole of s finds there. The
// indexes returned are into s. Every caller's pattern holds its anchor (a
// month's name, a digit beside a slash) and reaches no further from it than
// those words, so nothing outside the stretches can match.
func findNear(re *regexp.Regexp, s string, anchors [][2]int, before, after int) [][]int {
	var out [][]int
	run := func(from, to int) {
		for _, m := range re.FindAllStringSubmatchIndex(s[from:to], -1) {
			for j := range m {
				if m[j] >= 0 {
					m[j] += from
				}
			}
			out = append(out, m)
		}
	}
	pendFrom, pendTo := -1, -1
	for _, a := range anchors {
		from, to := a[0], a[1]
		for range before {
			for from > 0 && isSpaceByte(s[from-1]) {
				from--
			}
			for from > 0 && !isSpaceByte(s[from-1]) {
				from--
			}
		}
		for range after {
			for to < len(s) && isSpaceByte(s[to]) {
				to++
			}
			for to < len(s) && !isSpaceByte(s[to]) {
				to++
			}
		}
		if pendTo >= 0 && from <= pendTo {
			pendTo = max(pendTo, to)
			continue
		}
		if pendTo >= 0 {
			run(pendFrom, pendTo)
		}
		pendFrom, pendTo = from, to
	}
	if pendTo >= 0 {
		run(pendFrom, pendTo)
	}
	return out
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

// isMonthWord reports whether w is a month's name as monthNames knows it.
func IsMonthWord(w string) bool {
	_, ok := monthNames[w]
	return ok
}

// meetingNouns are the second parts of a compound with a weekday that
// name a meeting ("torsdagsmötet", "tisdagsseminariet"); other compounds
// ("fredagsfikat", "tisdagsgruppen") name something else on that day.
var meetingNouns = message.Phrases{"träff", "möte", "mötet", "seminari", "workshop", "tillfälle", "pass", "samtal", "föreläsning",
	"konferens", "utbildning", "session"}

// meetingCompound reports whether the ending after a weekday's name (as
// weekdayRe matched it) is an inflection or a compound naming a meeting.
func meetingCompound(ending string) bool {
	if ending == "" || ending == "en" || ending == "ens" || ending == "s" {
		return true
	}
	rest := strings.TrimPrefix(ending, "s")
	for _, n := range meetingNouns {
		if strings.HasPrefix(rest, n) {
			return true
		}
	}
	return false
}

// NamesMeeting reports whether a word, or the second part of a compound
// ("passet" of "förmiddagspasset"), names a meeting.
func NamesMeeting(w string) bool {
	for _, n := range meetingNouns {
		if strings.HasPrefix(w, n) {
			return true
		}
	}
	return false
}

// isWeekdayWord reports whether w is a weekday's name, alone or with the
// endings weekdayRe accepts ("tisdagen", "fredags").
func isWeekdayWord(w string) bool {
	for name := range weekdayNames {
		if rest, ok := strings.CutPrefix(w, name); ok && (rest == "" || rest == "en" || rest == "ens" || strings.HasPrefix(rest, "s")) {
			return true
		}
	}
	return false
}

// dedupeDates drops a date named twice, keeping the first mention.
func dedupeDates(ds []NamedDate) []NamedDate {
	var out []NamedDate
	for _, d := range ds {
		dup := false
		for _, o := range out {
			if o.day == d.day && o.month == d.month && o.year == d.year && o.hasWeekday == d.hasWeekday && o.weekday == d.weekday {
				dup = true
			}
		}
		if !dup {
			out = append(out, d)
		}
	}
	return out
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
