package message

import (
	"regexp"
	"strings"
)

// quoteKind says how the quoted part of a mail was introduced.
type quoteKind int

const (
	quoteNone      quoteKind = iota
	quoteReply               // "On … wrote:", "Den … skrev:", "> " lines, "-----Original Message-----"
	QuoteHeader              // an Outlook header block ("Från: … Skickat: …")
	QuoteForward             // "---------- Forwarded message ---------", "Begin forwarded message:"
	quoteSeparator           // a line of underscores before a header block
)

var (
	headerFromRe   = regexp.MustCompile(`(?i)^\s*\*?(från|from|fra|von|de|van|lähettäjä|afsender|avsender)\s*:\*?\s*(.+)$`)
	headerSentRe   = regexp.MustCompile(`(?i)^\s*\*?(skickat|sent|date|datum|gesendet|envoyé|sendt|lähetetty|verzonden|dato|päivämäärä|date de)\s*:`)
	headerFieldRe  = regexp.MustCompile(`(?i)^\s*\*?(från|from|fra|von|de|skickat|sent|date|datum|gesendet|envoyé|sendt|till|to|an|à|til|cc|kopia|ämne|subject|betreff|objet|emne|aihe|vastaanottaja|lähettäjä|reply-to|svara till)\s*:`)
	headerToRe     = regexp.MustCompile(`(?i)^\s*\*?(till|to|an|à|til|vastaanottaja)\s*:\*?\s*(.+)$`)
	headerSubjRe   = regexp.MustCompile(`(?i)^\s*\*?(ämne|subject|betreff|objet|emne|aihe)\s*:\*?\s*(.*)$`)
	wroteRe        = regexp.MustCompile(`(?i)(wrote|skrev|schrieb|a écrit|kirjoitti|escribió|scrisse|schreef)\s*(<[^>]*>|[^:]{0,80})?:\s*$`)
	wroteStartRe   = regexp.MustCompile(`(?i)^\s*(on|den|am|le|el|il|op|\d{1,2}[ ./]|\w{2,4} \d{1,2} )`)
	originalMsgRe  = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|ursprungligt meddelande|originalmeddelande|ursprungligt meddelande|opprinnelig melding|oprindelig meddelelse|alkuperäinen viesti|ursprüngliche nachricht|message d'origine|message original)\s*-{2,}\s*$`)
	forwardMarkRe  = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(forwarded message|vidarebefordrat meddelande|vidarebefordrat brev|videresendt melding|videresendt meddelelse|välitetty viesti|weitergeleitete nachricht|message transféré)\s*-{2,}|begin forwarded message:|början på vidarebefordrat meddelande:|vidarebefordrat meddelande:|forwarded message:)\s*$`)
	underscoreLine = regexp.MustCompile(`^\s*_{10,}\s*$`)
)

// QuoteSplit is a mail's text split into what the writer wrote now (Own)
// and what is quoted or forwarded below it (Quoted).
type QuoteSplit struct {
	Own    string
	Quoted string
	Kind   quoteKind
	// Marker is the line that started the quote, for the reason.
	Marker string
}

// SplitQuote finds where the quoted part of text starts. Lines starting with
// ">" above that point are dropped from Own too (an inline quote).
func SplitQuote(text string) QuoteSplit {
	lines := strings.Split(text, "\n")
	cut, kind := -1, quoteNone
	for i, l := range lines {
		t := strings.TrimSpace(l)
		// Every marker has a colon, starts with "-", "_" or ">", or is
		// "Begin forwarded message": skip the other lines cheaply.
		if t == "" || (!strings.ContainsRune(t, ':') && t[0] != '-' && t[0] != '_' && t[0] != '>') {
			continue
		}
		switch {
		case forwardMarkRe.MatchString(t):
			cut, kind = i, QuoteForward
		case originalMsgRe.MatchString(t):
			cut, kind = i, quoteReply
		case underscoreLine.MatchString(t) && isHeaderBlock(lines, i+1):
			cut, kind = i, QuoteHeader
		case isHeaderBlock(lines, i):
			cut, kind = i, QuoteHeader
		case wroteRe.MatchString(t) && (wroteStartRe.MatchString(t) || i > 0 && wroteStartRe.MatchString(lines[i-1])):
			if !wroteStartRe.MatchString(t) && i > 0 {
				cut = i - 1 // the attribution wrapped over two lines
			} else {
				cut = i
			}
			kind = quoteReply
		case strings.HasPrefix(t, ">") && startsQuoteBlock(lines, i):
			cut, kind = i, quoteReply
		}
		if cut >= 0 {
			break
		}
	}
	if cut < 0 {
		return QuoteSplit{Own: dropQuoted(lines)}
	}
	return QuoteSplit{
		Own:    dropQuoted(lines[:cut]),
		Quoted: strings.Join(lines[cut:], "\n"),
		Kind:   kind,
		Marker: strings.TrimSpace(lines[cut]),
	}
}

// startsQuoteBlock reports whether the ">" line at i begins the quoted rest
// of the mail rather than an inline quote answered below: true when no
// unquoted text follows.
func startsQuoteBlock(lines []string, i int) bool {
	for _, l := range lines[i:] {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, ">") {
			return false
		}
	}
	return true
}

// isHeaderBlock reports whether lines[i] starts an Outlook-style header
// block: a From line followed within a few lines by a Sent/Date line.
func isHeaderBlock(lines []string, i int) bool {
	if i >= len(lines) || !headerFromRe.MatchString(lines[i]) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+5; j++ {
		if headerSentRe.MatchString(lines[j]) {
			return true
		}
		if strings.TrimSpace(lines[j]) == "" {
			return false
		}
	}
	return false
}

func dropQuoted(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return strings.TrimSpace(b.String())
}

// forwarded is the original mail inside a forward or a quote.
type forwarded struct {
	From    string // "Name <addr>" as written
	To      string
	Subject string
	Text    string
}

// QuotedFroms returns the From of every header block in quoted, in order
// ("Från: Harriet Isaksson <harriet@…>" of each mail a thread quotes or
// forwards, quote marks taken off), as written.
func QuotedFroms(quoted string) []string {
	var out []string
	for _, l := range strings.Split(quoted, "\n") {
		if m := headerFromRe.FindStringSubmatch(strings.TrimLeft(l, "> ")); m != nil {
			out = append(out, strings.TrimSpace(m[2]))
		}
	}
	return out
}

// ParseForwarded reads the header block at the start of a quoted part
// (Outlook's "Från:/Skickat:/Till:/Ämne:", Gmail's and Apple Mail's
// "From:/Date:/Subject:/To:") and returns it with the text below it.
func ParseForwarded(quoted string) (forwarded, bool) {
	lines := strings.Split(quoted, "\n")
	i := 0
	// Skip the marker line and blank lines before the header block.
	for i < len(lines) && i < 4 && !headerFromRe.MatchString(lines[i]) {
		i++
	}
	if i >= len(lines) || !headerFromRe.MatchString(lines[i]) {
		return forwarded{}, false
	}
	var f forwarded
	j := i
	last := ""
	for ; j < len(lines); j++ {
		l := lines[j]
		if strings.TrimSpace(l) == "" {
			j++
			break
		}
		switch {
		case headerFromRe.MatchString(l):
			f.From = strings.TrimSpace(headerFromRe.FindStringSubmatch(l)[2])
			last = "from"
		case headerToRe.MatchString(l):
			f.To = strings.TrimSpace(headerToRe.FindStringSubmatch(l)[2])
			last = "to"
		case headerSubjRe.MatchString(l):
			f.Subject = strings.TrimSpace(headerSubjRe.FindStringSubmatch(l)[2])
			last = "subject"
		case headerFieldRe.MatchString(l):
			last = ""
		default:
			// A wrapped field value continues the previous field.
			switch last {
			case "from":
				f.From += " " + strings.TrimSpace(l)
			case "to":
				f.To += " " + strings.TrimSpace(l)
			case "subject":
				f.Subject += " " + strings.TrimSpace(l)
			}
		}
	}
	if j > len(lines) {
		j = len(lines)
	}
	f.Text = strings.Join(lines[j:], "\n")
	// Clients quote the forwarded text with "> " sometimes.
	f.Text = unquote(f.Text)
	return f, f.From != ""
}

func unquote(text string) string {
	lines := strings.Split(text, "\n")
	all := true
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, ">") {
			all = false
			break
		}
	}
	if !all {
		return text
	}
	for i, l := range lines {
		l = strings.TrimPrefix(strings.TrimSpace(l), ">")
		lines[i] = strings.TrimPrefix(l, " ")
	}
	return strings.Join(lines, "\n")
}

var (
	// Greeting lines that start a signature.
	GreetingRe  = regexp.MustCompile(`(?i)^\s*(med vänlig(a)? hälsning(ar)?|vänlig(a)? hälsning(ar)?|mvh|m\.v\.h\.?|hälsningar|hälsning|bästa hälsningar|varma hälsningar|hälsar|ha det (bra|gott)|kind regards|best regards|warm regards|regards|best wishes|best|cheers|many thanks|thanks|thank you|sincerely|yours sincerely|yours|tack på förhand|tack så mycket|tack)\b[,.!]*`)
	slashNameRe = regexp.MustCompile(`^\s*/\s*\p{Lu}[\p{L}.-]*(\s+\p{Lu}[\p{L}.-]*){0,3}\s*$`)
	sentFromRe  = regexp.MustCompile(`(?i)^\s*(skickat från min|sent from my|envoyé de mon|von meinem|lähetetty|sendt fra min|get outlook for)`)
)

// SplitSignature splits own text into the body and the signature: the last
// greeting line ("Med vänliga hälsningar", "Mvh", "Kind regards", "/Sara")
// or "-- " line, and everything below it. A greeting in the first line is
// not a signature (a mail that starts with "Tack!" has a body).
func SplitSignature(own string) (body, sig string) {
	lines := strings.Split(own, "\n")
	cut := -1
	// A signature is at the end: its greeting stands within the last
	// maxSignatureLines lines (a long disclaimer included), so the lines
	// above are not looked at, which keeps a huge text cheap.
	for i := len(lines) - 1; i >= 1 && i >= len(lines)-maxSignatureLines; i-- {
		l := lines[i]
		t := strings.TrimSpace(l)
		if l == "-- " || t == "--" || slashNameRe.MatchString(t) {
			cut = i
			break
		}
		if m := GreetingRe.FindString(t); m != "" {
			// The greeting must be the whole line or be followed by a name
			// ("Mvh Eva Strand"), not be the start of a sentence.
			rest := strings.TrimSpace(t[len(m):])
			if rest == "" || LooksLikeName(rest) {
				cut = i
				break
			}
		}
	}
	// Drop the "Sent from my iPhone" line wherever it is.
	strip := func(ls []string) string {
		var b strings.Builder
		for _, l := range ls {
			if mayBeSentFrom(l) && sentFromRe.MatchString(l) {
				continue
			}
			b.WriteString(l)
			b.WriteByte('\n')
		}
		return strings.TrimSpace(b.String())
	}
	if cut < 0 {
		return strip(lines), ""
	}
	return strip(lines[:cut]), strip(lines[cut:])
}

// nameRe is a person's name. A word may have a capital inside it after
// a short prefix, with or without an apostrophe, as Irish, Scottish and
// Italian surnames have ("O'Donoghue", "McDonald", "D'Angelo"); two
// capitals side by side ("IT-avdelningen") are no name.
var nameRe = regexp.MustCompile(`^\p{Lu}(?:(?:\p{Ll}{1,2}['’]?|['’])\p{Lu})?[\p{Ll}'’-]+(?:-\p{Lu}[\p{Ll}]+)?(?:\s+(?:(?:af|von|van|de|der|la|le|di|da)\s+)?\p{Lu}(?:(?:\p{Ll}{1,2}['’]?|['’])\p{Lu})?[\p{Ll}'’-]+(?:-\p{Lu}[\p{Ll}]+)?){0,3}$`)

// LooksLikeName reports whether s is a person's name: one to four
// capitalised words, no digits or punctuation beyond hyphens.
func LooksLikeName(s string) bool {
	s = strings.TrimSpace(strings.TrimRight(s, ",."))
	return s != "" && len(s) <= 60 && nameRe.MatchString(s)
}

// maxSignatureLines bounds how far above the end of the own text a
// signature's greeting is looked for.
const maxSignatureLines = 100

// mayBeSentFrom reports whether l could be a client's "Sent from my
// iPhone" line: short, and starting with a letter such a line starts with.
// It spares the regular expression the lines that cannot match.
func mayBeSentFrom(l string) bool {
	t := strings.TrimLeft(l, " \t")
	return t != "" && len(t) <= 80 && strings.IndexByte("sSeEvVlLgG", t[0]) >= 0
}
