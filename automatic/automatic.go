package automatic

import (
	"fmt"
	"regexp"
	"strings"

	gomail "github.com/emersion/go-message/mail"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
)

// Kind is which kind of automatic mail a mail is; the empty Kind is human
// mail.
type Kind string

// The kinds of automatic mail, the values of Understanding.Automatic.
const (
	Reply    Kind = "auto-reply"
	Bounce   Kind = "bounce"
	List     Kind = "list"
	Receipt  Kind = "receipt"
	Calendar Kind = "calendar"
	Own      Kind = "own"
)

var (
	// Subjects of auto-replies in the languages the bot meets. Matched at
	// the start of the subject (after "Re:"-like prefixes are not removed:
	// an auto-reply puts its marker first).
	autoReplySubjectRe = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(automatiskt svar|autosvar|auto[- ]?svar|frånvaro|frånvaromeddelande|frånvarande|out of (the )?office|ooo\b|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|automated response|automatic response|away from (the )?office|on vacation|vacation( reply| message)?|abwesenheitsnotiz|abwesend|automatische antwort|fravær|fraværende|automatisk svar|autosvar|poissa|automaattinen vastaus|lomalla|réponse automatique|absence|absent du bureau|risposta automatica|fuori sede|respuesta automática|fuera de la oficina|afwezig|automatisch antwoord|out of office autoreply)`)
	// Subjects of read receipts.
	receiptSubjectRe = regexp.MustCompile(`(?i)^\s*(läst|read|lest|læst|luettu|gelesen|lu|not read|ej läst|oläst|olästa|ulæst|ulest|ungelesen|non lu|read receipt|läskvitto|delivered|levererat|zugestellt)\s*:`)
	// Subjects of delivery failures, from the MTAs in the sisimai corpus
	// and the common clients' languages.
	bounceSubjects = message.Phrases{"undeliver", "delivery status notification", "delivery failure", "delivery failed",
		"delivery notification", "delivery report", "delivery problem", "delivery status", "returned mail", "return to sender",
		"returned to sender", "failure notice", "mail delivery failed", "mail delivery failure", "mail delivery system",
		"mail delivery subsystem", "mail delivery error", "non-deliver", "nondeliver", "non deliver", "could not be delivered",
		"couldn't be delivered", "delivery has failed", "message not delivered", "mail system error", "unzustellbar",
		"nicht zustellbar", "olevererbar", "kunde inte levereras", "det gick inte att leverera", "ikke levert",
		"kunne ikke leveres", "ei voitu toimittaa", "non remis", "échec de la remise", "non distribuable",
		"warning: could not send", "delayed mail", "delivery delay", "message delayed", "mail could not", "permanent error",
		"|rejected", "|bounce", "unable to deliver", "error sending", "failed delivery", "message you sent", "|dsn|",
		"mensagem não entregue", "kein erfolg", "|ndr|", "unroutable", "over quota", "mailbox full", "mailbox is full",
		"user unknown", "no such user", "address not found", "sending failed", "not delivered", "returned message",
		"fehlgeschlagen"}
	// Phrases of newsletters and other bulk mail, which people do not
	// write to the bot.
	bulkTexts = message.Phrases{"to stop receiving these", "you received this email because", "you are receiving this email because",
		"du får det här mejlet eftersom", "du får detta mejl eftersom", "view this email in your browser",
		"visa i webbläsaren", "manage your subscription", "hantera din prenumeration"}
	// unsubscribeTexts are bulk mail's only on a line with a link: a person
	// may well write "unsubscribe me from the seminar".
	unsubscribeTexts = message.Phrases{"|unsubscribe", "avsluta prenumeration", "avsluta din prenumeration", "avprenumerera"}
	// linkWords mark a link, or the words that stand for one.
	linkWords = message.Phrases{"http://", "https://", "www.", "mailto:", "klicka här", "klicka på", "click here", "click on"}
	// Subjects of abuse (feedback) reports that come without ARF parts.
	arfSubjects = message.Phrases{"complaint about message", "abuse report", "spam report", "feedback report", "fbl report"}
	// Local parts of senders that are machines.
	daemonLocalRe  = regexp.MustCompile(`(?i)^(mailer-daemon|mailer_daemon|maildaemon|postmaster|post_master|mail-daemon|mail\.daemon|mdaemon|daemon|bounce[s]?|bounce-.*|.*-bounces?|.*bounces?\+.*|mail-?delivery-?(subsystem|system)?|mailadmin|mail|root|smtp|mta|mailer|returns?|nobody|system)$`)
	noReplyLocalRe = regexp.MustCompile(`(?i)^(no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|noreply[-+_.].*|.*[-_.+]no[-_.]?reply|notifications?|notify|newsletter|nyhetsbrev|info-?noreply|inget[-_.]?svar|ej[-_.]?svar|svara[-_.]?ej)$`)
	daemonNameRe   = regexp.MustCompile(`(?i)(mail delivery|mailer.daemon|mail.?daemon|postmaster|delivery (subsystem|system|service)|mail (administrator|system)|postmästare|e-postsystem)`)
	// Body phrases of bounces that come without a delivery-status part.
	bounceTexts = message.Phrases{"could not be delivered", "could not deliver", "error delivering", "couldn't be delivered",
		"delivery to the following recipient", "undeliverable", "permanent error", "permanently", "permanent fatal",
		"permanent failure", "user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient",
		"mailbox unavailable", "mailbox full", "mailbox is full", "not be delivered", "delivery has failed",
		"returned to sender", "failed to deliver", "recipient address rejected", "this is the mail system at",
		"was not delivered", "delivery failed", "i'm sorry to have to inform you", "mail delivery failed",
		"unable to deliver", "host unknown", "quota exceeded", "over quota", "address rejected", "rejected your message"}
	// SMTP status codes of permanent failures.
	statusCodeRe = regexp.MustCompile(`\b5\.\d\.\d{1,3}\b|\b550[ -]`)
)

// automaticKind tells whether m was written by a machine, which kind, and
// why. It returns "" for human mail. X-Auto-Response-Suppress is not a
// sign: Outlook puts it on ordinary mail.
func Classify(m *message.Message, cfg *config.Config) (kind Kind, reason string) {
	h := m.Header
	from := strings.ToLower(m.From.Address)
	local := from
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		local = from[:i]
	}
	subject := strings.TrimSpace(m.Subject)
	text := message.Head(m.Text, message.MaxUnderstandBytes)

	if bot := cfg.BotAddress(); bot != "" && from == bot {
		return Own, "the mail is from the bot's own address " + bot
	}

	// Receipts first: a read receipt is also a multipart/report.
	if m.ReportType == "disposition-notification" || hasPart(m, "message/disposition-notification", "message/global-disposition-notification") {
		return Receipt, "it is a read receipt (message/disposition-notification)"
	}
	if m.ReportType == "delivery-status" || hasPart(m, "message/delivery-status", "message/global-delivery-status") {
		return Bounce, "it is a delivery report (message/delivery-status)"
	}
	if m.ReportType == "feedback-report" || hasPart(m, "message/feedback-report") {
		return Bounce, "it is an abuse feedback report (message/feedback-report)"
	}
	if m.ContentType == "multipart/report" {
		return Bounce, fmt.Sprintf("it is a multipart/report (report-type %q)", m.ReportType)
	}
	if arfSubjects.Find(subject) != "" && hasOriginal(m) {
		return Bounce, fmt.Sprintf("the subject %q is that of an abuse report with the reported mail attached", message.Clip(subject, 60))
	}
	if receiptSubjectRe.MatchString(subject) && len(strings.TrimSpace(text)) < 600 {
		return Receipt, fmt.Sprintf("the subject %q is that of a read receipt", message.Clip(subject, 60))
	}
	if method := calendarMethod(m); method == "REPLY" || method == "COUNTER" {
		return Calendar, "it is a calendar answer (text/calendar METHOD:" + method + ")"
	}

	// The raw From is checked too: "MAILER-DAEMON <>" has no address.
	daemon := daemonLocalRe.MatchString(local) || daemonNameRe.MatchString(m.From.Name) ||
		(m.From.Address == "" && daemonNameRe.MatchString(h.Get("From")))
	if daemon && (bounceSubjects.Find(subject) != "" || bounceText(text) || nullReturnPath(h)) {
		return Bounce, fmt.Sprintf("the sender %s is a mail system reporting a delivery failure", from)
	}
	if bounceSubjects.Find(subject) != "" && (nullReturnPath(h) || bounceText(text) || hasOriginal(m)) {
		return Bounce, fmt.Sprintf("the subject %q says that a mail was not delivered", message.Clip(subject, 60))
	}

	auto := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted")))
	if i := strings.IndexByte(auto, ';'); i >= 0 {
		auto = strings.TrimSpace(auto[:i])
	}
	if autoReplySubjectRe.MatchString(subject) {
		return Reply, fmt.Sprintf("the subject %q is that of an auto-reply", message.Clip(subject, 60))
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated", "X-Auto-Reply", "X-Vacation"} {
		if v := h.Get(k); v != "" && !strings.EqualFold(strings.TrimSpace(v), "no") {
			return Reply, "the header " + k + " marks an auto-reply"
		}
	}
	prec := strings.ToLower(strings.TrimSpace(h.Get("Precedence")))
	if prec == "" {
		prec = strings.ToLower(strings.TrimSpace(h.Get("X-Precedence")))
	}
	if prec == "auto_reply" || prec == "auto-reply" {
		return Reply, "Precedence: " + prec
	}
	if auto != "" && auto != "no" {
		if daemon || bounceText(text) && hasOriginal(m) {
			return Bounce, "Auto-Submitted: " + auto + " from a mail system"
		}
		return Reply, "Auto-Submitted: " + auto
	}
	for _, k := range []string{"X-Mlserver", "X-Ml-Name", "X-Mailman-Version", "List-Help"} {
		if h.Get(k) != "" {
			return List, "the header " + k + " marks mailing-list software"
		}
	}
	// Only the writer's own text: a registration may quote a newsletter.
	own := message.SplitQuote(text).Own
	if m := bulkTexts.Find(own); m != "" {
		return List, fmt.Sprintf("the text says %q, as bulk mail does", m)
	}
	if m := unsubscribeLink(own); m != "" {
		return List, fmt.Sprintf("the text has %q beside a link, as bulk mail does", m)
	}
	listID := h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "" || h.Get("List-Post") != ""
	switch {
	case prec == "bulk" || prec == "list" || prec == "junk":
		return List, "Precedence: " + prec
	case listID && (h.Get("List-Unsubscribe") != "" || h.Get("Feedback-Id") != "" || h.Get("X-Campaign") != "" || h.Get("X-Mailgun-Tag") != ""):
		return List, "List-Id or List-Unsubscribe: it is list or bulk mail"
	case h.Get("X-Auto-Response-Suppress") != "" && strings.Contains(strings.ToLower(h.Get("X-Auto-Response-Suppress")), "all") && h.Get("X-Ms-Exchange-Generated-Message-Source") != "":
		return Reply, "generated by Exchange (X-MS-Exchange-Generated-Message-Source)"
	}
	if daemon {
		return Bounce, fmt.Sprintf("the sender %s is a mail system", from)
	}
	if nullReturnPath(h) {
		if bounceText(text) || hasOriginal(m) {
			return Bounce, "Return-Path: <> and the text reports a delivery failure"
		}
		return Reply, "Return-Path: <> (a null sender: only machines send so)"
	}
	if noReplyLocalRe.MatchString(local) {
		return List, fmt.Sprintf("the sender %s is a no-reply address", from)
	}
	if h.Get("X-Failed-Recipients") != "" {
		return Bounce, "X-Failed-Recipients names failed recipients"
	}
	return "", ""
}

// bounceText reports whether text reads like a delivery failure report.
func bounceText(text string) bool {
	return bounceTexts.Find(text) != "" || statusCodeRe.MatchString(text)
}

func nullReturnPath(h gomail.Header) bool {
	for _, v := range h.Values("Return-Path") {
		if strings.TrimSpace(v) == "<>" || strings.TrimSpace(v) == "" {
			return true
		}
	}
	return false
}

func hasPart(m *message.Message, types ...string) bool {
	for _, a := range m.Attachments {
		for _, t := range types {
			if a.ContentType == t {
				return true
			}
		}
	}
	return false
}

// hasOriginal reports whether m carries a mail or its header, as bounces do.
func hasOriginal(m *message.Message) bool {
	return hasPart(m, "message/rfc822", "text/rfc822-headers", "message/rfc822-headers")
}

var icsMethodRe = regexp.MustCompile(`(?im)^METHOD:\s*([A-Z-]+)`)

// calendarMethod returns the METHOD of a text/calendar part, upper case.
func calendarMethod(m *message.Message) string {
	if strings.HasPrefix(m.ContentType, "text/calendar") {
		if mm := icsMethodRe.FindStringSubmatch(m.Text); mm != nil {
			return strings.ToUpper(mm[1])
		}
	}
	for _, a := range m.Attachments {
		if a.ContentType == "text/calendar" || a.ContentType == "application/ics" {
			if mm := icsMethodRe.FindStringSubmatch(a.Text); mm != nil {
				return strings.ToUpper(mm[1])
			}
		}
	}
	return ""
}

var (
	dsnRecipientRe = regexp.MustCompile(`(?im)^(final|original)-recipient:\s*(?:[a-z0-9-]+\s*;)?\s*<?([^\s<>;]+@[^\s<>;]+)>?`)
	dsnActionRe    = regexp.MustCompile(`(?im)^action:\s*([a-z]+)`)
	origToRe       = regexp.MustCompile(`(?im)^to:\s*(.+)$`)
)

// BouncedAddresses returns the addresses a bounce reports as failed: from
// its delivery-status parts (Final-Recipient, else Original-Recipient, of
// recipients whose Action is failed), else X-Failed-Recipients, else the
// addresses in its text that are neither the bot, the bounce's sender nor a
// mail system.
func BouncedAddresses(m *message.Message, cfg *config.Config) []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		a = strings.ToLower(strings.Trim(a, "<>.,;:'\"()[] "))
		if a == "" || seen[a] || !strings.Contains(a, "@") {
			return
		}
		seen[a] = true
		out = append(out, a)
	}
	for _, a := range m.Attachments {
		if !strings.Contains(a.ContentType, "delivery-status") {
			continue
		}
		// Per-recipient blocks are separated by empty lines.
		for _, block := range strings.Split(strings.ReplaceAll(a.Text, "\r\n", "\n"), "\n\n") {
			act := dsnActionRe.FindStringSubmatch(block)
			if act != nil && !strings.EqualFold(act[1], "failed") && !strings.EqualFold(act[1], "delayed") {
				continue
			}
			var final, orig string
			for _, mm := range dsnRecipientRe.FindAllStringSubmatch(block, -1) {
				if strings.EqualFold(mm[1], "final") && final == "" {
					final = mm[2]
				} else if orig == "" {
					orig = mm[2]
				}
			}
			if final != "" {
				add(final)
			} else if orig != "" {
				add(orig)
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	if v := m.Header.Get("X-Failed-Recipients"); v != "" {
		for _, a := range message.AddrSpecRe.FindAllString(v, 20) {
			add(a)
		}
		if len(out) > 0 {
			return out
		}
	}
	skip := map[string]bool{strings.ToLower(m.From.Address): true}
	if bot := cfg.BotAddress(); bot != "" {
		skip[bot] = true
	}
	for _, a := range m.To {
		skip[strings.ToLower(a.Address)] = true
	}
	text := m.Text
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	for _, a := range message.AddrSpecRe.FindAllString(text, 50) {
		la := strings.ToLower(a)
		local := la[:strings.LastIndexByte(la, '@')]
		if skip[la] || daemonLocalRe.MatchString(local) {
			continue
		}
		add(a)
		if len(out) >= 10 {
			break
		}
	}
	if len(out) == 0 {
		// The returned mail's header names whom it was for.
		for _, a := range m.Attachments {
			if a.Message != nil {
				for _, t := range a.Message.To {
					add(t.Address)
				}
			}
			if strings.Contains(a.ContentType, "rfc822-headers") {
				if mm := origToRe.FindStringSubmatch(a.Text); mm != nil {
					for _, x := range message.AddrSpecRe.FindAllString(mm[1], 10) {
						add(x)
					}
				}
			}
		}
	}
	return out
}

// unsubscribeLink returns the unsubscribe phrase of the first line of text
// that has one beside a link, or the words of one (a newsletter's footer),
// or "".
func unsubscribeLink(text string) string {
	for _, line := range strings.Split(strings.ToLower(text), "\n") {
		if m := unsubscribeTexts.FindLower(line); m != "" &&
			linkWords.FindLower(line) != "" {
			return m
		}
	}
	return ""
}
