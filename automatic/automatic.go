package automatic

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

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
	// Report is a machine's report about mail in general, such as a DMARC
	// aggregate report: never a bounce of one mail, never a list.
	Report Kind = "report"
)

var (
	// Subjects of auto-replies in the languages the bot meets. Matched at
	// the start of the subject (after "Re:"-like prefixes are not removed:
	// an auto-reply puts its marker first).
	autoReplySubjectRe = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(auto:|automatiskt svar|autosvar|auto[- ]?svar|frånvaro|frånvaromeddelande|frånvarande|out of (the )?office|ooo\b|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|automated response|automatic response|away from (the )?office|on vacation|vacation( reply| message)?|abwesenheitsnotiz|abwesend|automatische antwort|fravær|fraværende|automatisk svar|autosvar|poissa|automaattinen vastaus|lomalla|réponse automatique|absence|absent du bureau|risposta automatica|fuori sede|fuori ufficio|respuesta automática|fuera de la oficina|afwezig|automatisch antwoord|out of office autoreply|automatyczna odpowiedź|resposta automática|sjálfvirkt svar|fjarverandi|automatinis atsakymas|nesu biure)`)
	// The markers of autoReplySubjectRe that name the mail as a machine's
	// answer, as opposed to those a person may write ("Frånvaro",
	// "Absence", "Out of office").
	autoReplyNameRe = regexp.MustCompile(`(?i)(auto|meddelande|reply|response|message|notiz|antwort|svar|vastaus|réponse|risposta|respuesta|antwoord|odpowiedź|resposta)`)
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
	// The prefixes mail clients put before the subject of a forward or a
	// reply, in the languages organisers meet (Fwd/Fw, VB, WG, TR, RV,
	// Re, SV, AW, Antw, Vs, Vast), with a count ("Re[2]:") allowed.
	personPrefixRe = regexp.MustCompile(`(?i)^(fwd?|vb|wg|tr|rv|re|sv|aw|antw|vs|vast|ref)\s*(\[\d+\])?\s*:`)
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
		if deliveredOnly(m) {
			// A success notice (RFC 3464 Action: delivered) says the
			// address works: marking it as failing would be wrong.
			return Receipt, "it is a delivery report whose every recipient was delivered (Action: delivered)"
		}
		return Bounce, "it is a delivery report (message/delivery-status)"
	}
	if m.ReportType == "feedback-report" || hasPart(m, "message/feedback-report") {
		return Bounce, "it is an abuse feedback report (message/feedback-report)"
	}
	if m.ReportType == "tlsrpt" {
		// An SMTP TLS report (RFC 8460) is about the domain's mail in
		// general, never about one undelivered mail.
		return Report, "it is an SMTP TLS report (multipart/report, report-type \"tlsrpt\")"
	}
	if m.ContentType == "multipart/report" {
		return Bounce, fmt.Sprintf("it is a multipart/report (report-type %q)", m.ReportType)
	}
	if arfSubjects.Find(subject) != "" && hasOriginal(m) {
		return Bounce, fmt.Sprintf("the subject %q is that of an abuse report with the reported mail attached", message.Clip(subject, 60))
	}
	// A subject that begins with a forward or reply prefix was written by
	// a person in a mail client ("VB: Olevererbart: …", "Fwd: Mail
	// delivery failed"): the machine's subject and text it carries are
	// quoted, and only the report's own structure (above) or a mail
	// system's sender (below) make it automatic.
	forwarded := personPrefixRe.MatchString(subject)
	if !forwarded && receiptSubjectRe.MatchString(subject) && len(strings.TrimSpace(text)) < 600 {
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
	if !forwarded && bounceSubjects.Find(subject) != "" && (nullReturnPath(h) || bounceText(text) || hasOriginal(m)) {
		return Bounce, fmt.Sprintf("the subject %q says that a mail was not delivered", message.Clip(subject, 60))
	}

	auto := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted")))
	if i := strings.IndexByte(auto, ';'); i >= 0 {
		auto = strings.TrimSpace(auto[:i])
	}
	if autoReplySubject(subject) {
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
	// Only the writer's own text: a registration may quote a newsletter,
	// and a disclaimer or a quote never decides.
	own := m.Split.Own
	if k, why := machineReport(m, from); k != "" {
		return k, why
	}
	if why := challenge(own, text, m.Subject, forwarded); why != "" {
		return Reply, why
	}
	if why := absence(m.Body, m.Subject); why != "" {
		return Reply, why
	}
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

// autoReplySubject reports whether subject alone settles that the mail is
// an auto-reply. A person may well ask "Automatiskt svar?" or write "Out of
// office 11 dec – can I still come?": a machine never asks. A marker
// followed by a colon ("Automatiskt svar: Inbjudan", "AUTO: Eva är inte
// på plats") is the form answering machines give their subjects, and a
// machine's name for its answer ("Autosvar", "Frånvaromeddelande") is one
// a person does not give her mail: either settles it. A bare word such as
// "Frånvaro" is also what a person calls a mail saying she will be away
// ("Frånvaro" – "I can't come on Tuesday, strike me from the list"), so it
// does not: Classify's absence check reads the body for what an answering
// machine writes, with the subject as one of its clues.
func autoReplySubject(subject string) bool {
	loc := autoReplySubjectRe.FindStringIndex(subject)
	if loc == nil || strings.Contains(subject, "?") {
		return false
	}
	if strings.HasSuffix(subject[:loc[1]], ":") || strings.HasPrefix(strings.TrimLeft(subject[loc[1]:], " \t"), ":") {
		return true
	}
	// The marker with the rest of its word: "Frånvaro" matches the start
	// of "Frånvaromeddelande".
	end := loc[1] + strings.IndexFunc(subject[loc[1]:]+" ", func(r rune) bool { return !unicode.IsLetter(r) })
	return autoReplyNameRe.MatchString(subject[loc[0]:end])
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

// deliveredOnly reports whether every per-recipient block of m's delivery
// status parts has an Action of delivered, relayed or expanded: a
// delivery receipt, not a failure. A report without any Action is not.
func deliveredOnly(m *message.Message) bool {
	actions := 0
	for _, a := range m.Attachments {
		if !strings.Contains(a.ContentType, "delivery-status") {
			continue
		}
		for _, mm := range dsnActionRe.FindAllStringSubmatch(a.Text, 100) {
			switch strings.ToLower(mm[1]) {
			case "delivered", "relayed", "expanded":
				actions++
			default:
				return false
			}
		}
	}
	return actions > 0
}

var (
	// reportSenders are the local parts (or their starts) of the senders of
	// DMARC and TLS aggregate reports.
	reportSenders = message.Phrases{"dmarc", "noreply-dmarc", "dmarcreport", "tls-rpt", "tlsrpt"}
	// reportSubjects are the subjects RFC 7489 §7.2.1.1 and the large
	// reporters write.
	reportSubjects = message.Phrases{"report domain:", "dmarc aggregate report", "report-id:", "tls report", "tls-rpt"}
)

// machineReport recognises a DMARC (or SMTP TLS) aggregate report: an
// attachment of a compressed or XML report from a reporting address or
// under the report subject of RFC 7489. Such mail comes as plain
// multipart/mixed, without any auto-reply header.
func machineReport(m *message.Message, from string) (Kind, string) {
	var file string
	for _, a := range m.Attachments {
		n := strings.ToLower(a.Name)
		if strings.HasSuffix(n, ".zip") || strings.HasSuffix(n, ".gz") || strings.HasSuffix(n, ".xml") ||
			a.ContentType == "application/zip" || a.ContentType == "application/gzip" || a.ContentType == "application/x-gzip" ||
			a.ContentType == "application/tlsrpt+gzip" || a.ContentType == "application/tlsrpt+json" {
			file = a.Name
			break
		}
	}
	if file == "" {
		return "", ""
	}
	if reportSenders.Find(from) == "" && reportSubjects.Find(m.Subject) == "" {
		return "", ""
	}
	return Report, fmt.Sprintf("it is an aggregate report (%s from %s)", message.Clip(file, 60), from)
}

var (
	// challengeTexts are what challenge-response filters write: a mail is
	// held until the sender proves to be a person.
	challengeTexts = message.Phrases{"allowed senders", "approved senders", "whitelist", "white list", "verify your email",
		"confirm that you are a real person", "confirm that you are human", "prove that you are human",
		"is being held until", "has been held", "har hållits kvar", "hålls kvar", "bekräfta att du är en människa",
		"godkända avsändare", "vitlista", "skräppostfilter", "spam filter", "spamfilter",
		// The same in the other languages of the absence texts: held
		// back until the address is confirmed.
		"zurückgehalten", "absenderadresse", "spamschutz", "a été retenu", "en attente de validation", "en attente de confirmation",
		"ha sido retenido", "pendiente de verificación", "holdt tilbake", "tilbageholdt", "pidätetty", "odottaa vahvistusta"}
	// challengeActs are the act the filter asks for.
	challengeActs = message.Phrases{"click", "klicka", "verify", "bekräfta", "confirm", "bestätigen", "klicken", "cliquez", "confirmer",
		"haga clic", "confirme", "klikk", "klik", "bekreft", "vahvista", "https://", "http://"}
)

// challenge reports why own (the text of a mail, quote removed) is a
// challenge-response filter's request to prove a person sent the mail, or
// "". It needs both what the filter says and the act it asks for, so that
// a person writing about spam filters is not taken for one.
//
// A filter often describes the held mail by its headers ("Från: …",
// "Ämne: …") before it asks for the act, and the quote splitter takes that
// description for the start of a quote, so that the act falls outside
// own. The act is then read in the whole text (text), but only in a mail
// that is no person's reply or forward (forwarded: the subject's prefix),
// and only beside a link to follow, which a filter gives and a quoted
// confirmation does not.
func challenge(own, text, subject string, forwarded bool) string {
	head := strings.ToLower(message.Head(own, 2000) + "\n" + subject)
	c := challengeTexts.FindLower(head)
	if c == "" {
		return ""
	}
	if challengeActs.FindLower(head) != "" {
		return fmt.Sprintf("the text says %q: a challenge-response filter", c)
	}
	if forwarded {
		return ""
	}
	whole := strings.ToLower(message.Head(text, 4000))
	if a := challengeActs.FindLower(whole); a != "" && !strings.HasPrefix(a, "http") && (strings.Contains(whole, "https://") || strings.Contains(whole, "http://")) {
		return fmt.Sprintf("the text says %q and, below the held mail's headers, %q beside a link: a challenge-response filter", c, a)
	}
	return ""
}

var (
	// absentTexts say that the writer is away, or when she is back, in the
	// languages of out-of-office answers the bot meets: sv, en, de, fr,
	// fi, no, da, lv, es, it, nl, pl, pt, is, lt.
	absentTexts = message.Phrases{
		// sv
		"inte på kontoret", "är borta", "är ledig", "föräldraledig", "tjänstledig", "semester", "sjukskriven", "tjänsteresa",
		"frånvarande", "är åter", "åter på kontoret", "åter i tjänst", "tillbaka på kontoret", "är tillbaka", "barnledig",
		// en
		"out of the office", "out of office", "away from the office", "away from my desk", "on vacation", "on holiday",
		"annual leave", "on leave", "parental leave", "currently away", "i am away", "i'm away", "sick leave",
		"back in the office", "back in office", "returning on", "returning to the office", "i will return", "i return on",
		// de
		"nicht im büro", "nicht im hause", "außer haus", "ausser haus", "abwesend", "urlaub", "nicht erreichbar",
		"wieder im büro", "zurück am", "ab dem", "dienstreise", "elternzeit",
		// fr
		"absent du bureau", "absente du bureau", "je suis absent", "je suis absente", "en congé", "en vacances",
		"de retour le", "de retour au bureau", "en déplacement",
		// fi
		"lomalla", "poissa", "en ole tavoitettavissa", "palaan", "takaisin", "virkavapaalla",
		// no, da
		"på ferie", "ikke på kontoret", "ikke til stede", "holder ferie", "fravær", "på kurs", "på barsel", "permisjon",
		"tilbake", "tilbage", "på reise", "på rejse", "holder fri", "har fri", "bortrejst", "bortreist", "har ferie", "vender tilbage",
		"kommer tilbage", "ikke på arbejde", "ikke på jobb", "ikke på job",
		// lv
		"atvaļinājumā", "atvalinajuma", "neesmu birojā", "neesmu biroja", "nav birojā", "atpakaļ", "komandējumā",
		// es
		"fuera de la oficina", "estoy fuera", "de vacaciones", "ausente", "de vuelta", "regreso el", "mi regreso",
		// it
		"fuori ufficio", "fuori sede", "sono assente", "in ferie", "rientrerò", "sarò di ritorno", "di ritorno il",
		// nl
		"afwezig", "met vakantie", "niet op kantoor", "ben terug", "weer aanwezig",
		// pl
		"na urlopie", "poza biurem", "nieobecn", "nie ma mnie w biurze", "na zwolnieniu", "w delegacji", "wracam", "powrócę",
		"będę z powrotem",
		// pt
		"fora do escritório", "ausente do escritório", "estou ausente", "de férias", "em férias", "de licença", "regressarei",
		"estarei de volta", "meu regresso", "meu retorno",
		// is
		"í fríi", "í sumarfríi", "í leyfi", "fjarverandi", "utan skrifstofu", "kem aftur", "kem til baka", "verð komin aftur",
		"verð kominn aftur",
		// lt
		"esu atostogose", "atostogauju", "nesu biure", "nebūsiu", "grįšiu", "grįžtu", "komandiruotėje",
	}
	// redirectTexts are what an answering machine adds to the absence:
	// that the mail is not read or forwarded meanwhile, whom to turn to,
	// that urgent matters go elsewhere, or that it is an automatic answer.
	redirectTexts = message.Phrases{
		// sv
		"automatiskt svar", "automatiskt meddelande", "läser inte", "läses inte", "vidarebefordras inte", "begränsad tillgång",
		"brådskande", "kontakta", "vänd dig till", "hänvisas till", "skickas till", "enda meddelande",
		// en
		"automatic reply", "automated reply", "auto-reply", "autoreply", "limited access", "no access to",
		"not be forwarded", "not be read", "not be checking", "not checking", "urgent", "please contact", "please direct",
		"queries to", "enquiries to", "inquiries to", "contact my colleague", "as soon as possible after", "upon my return",
		"after my return", "on my return",
		// de
		"weitergeleitet", "dringend", "wenden sie sich", "automatische antwort", "keinen zugriff", "kein zugriff", "vertretung",
		// fr
		"ne sera pas transféré", "ne sera pas lu", "urgence", "urgente", "sans accès", "réponse automatique", "veuillez contacter",
		"à mon retour", "merci de contacter",
		// fi
		"kiireelli", "en lue", "ei lueta", "ota yhteyttä", "automaattinen vastaus",
		// no, da
		"leser ikke", "læser ikke", "leses ikke", "læses ikke", "videresend", "henvendelser", "hastesaker", "haster", "hastende", "akut",
		"kontakt i stedet", "kontakt", "uden adgang", "uten tilgang", "i mellemtiden", "i mellomtiden", "hurtigst muligt", "snarest muligt",
		"så snart som mulig", "besvarer din", "svarer på din",
		"automatisk svar",
		// lv
		"steidzam", "sazinieties", "sazināties", "automātiska atbilde",
		// es
		"urgentes", "urgencia", "no tendré acceso", "no tendre acceso", "respuesta automática", "durante mi ausencia",
		"no será reenviado", "puede escribir", "dirigirse", "póngase en contacto",
		// it
		"non verrà inoltrato", "non sarà inoltrato", "accesso limitato", "risposta automatica", "può contattare", "contattare",
		// nl
		"niet doorgestuurd", "neem contact op", "neemt u contact op", "dringende", "automatisch antwoord",
		// pl
		"w pilnych sprawach", "pilne sprawy", "proszę kontaktować", "proszę o kontakt", "nie mam dostępu", "ograniczony dostęp",
		"nie są przekazywane", "nie będą przekazywane", "automatyczna odpowiedź",
		// pt
		"assuntos urgentes", "acesso limitado", "sem acesso", "contacte", "entre em contato", "entre em contacto",
		"resposta automática", "não será reencaminhad", "responderei",
		// is
		"hafið samband", "áríðandi", "brýn", "sjálfvirkt svar", "les ekki", "ekki áframsend",
		// lt
		"skubiais klausimais", "kreipkitės", "susisiekite", "automatinis atsakymas", "nebus persiųsti", "neturėsiu prieigos",
	}
	// unreadRe is the answering machine's "not read, not forwarded" in
	// Swedish and English in any word order, since Swedish puts the verb
	// second: "läser jag inte min e-post", "skickas inte vidare", "my mail
	// will not be read".
	unreadRe = regexp.MustCompile(`\b(?:läser|läses|kollar|bevakas|skickas|vidarebefordras|besvaras)\s+(?:(?:jag|den|det|mejlet|meddelandet|e-posten|posten)\s+)?(?:inte|ej)\b|\bskickas\s+(?:inte|ej)\s+vidare\b|\b(?:will|is|are)\s+not\s+(?:be\s+)?(?:read|forwarded|monitored)\b`)
	// intentTexts are a person's own request to the registration desk;
	// where the text makes one, an absence is news, not an answering
	// machine ("jag har semester till den 7:e men vill anmäla mig").
	intentTexts = message.Phrases{"anmäla mig", "anmäler mig", "anmäl mig", "avanmäl", "vill gärna", "vill komma", "kan inte komma",
		"kan tyvärr inte", "kommer som planerat", "register me", "sign me up", "i would like to", "i'd like to", "can't make it",
		"cannot attend", "unable to attend", "would like to attend", "i will attend", "i'll attend"}
)

// absence reports why body (the writer's own words, quote and signature
// removed, so that a disclaimer or a quoted invitation never decides) is
// an out-of-office answer sent without any auto-reply header, or "". It
// needs both an absence and what an answering machine adds (the mail is
// not read, whom to turn to), and neither a question nor a request of
// the writer's own: a person who writes that she is away on the day, to
// ask whether she may come anyway, is a person.
func absence(body, subject string) string {
	head := strings.ToLower(message.Head(body, 1500))
	if strings.Contains(head, "?") || strings.Contains(subject, "?") {
		return ""
	}
	a := absentTexts.FindLower(head)
	if a == "" {
		a = absentTexts.Find(subject)
	}
	if a == "" || intentTexts.FindLower(message.OtherVerbs.Replace(head)) != "" {
		return ""
	}
	if t := redirectTexts.FindLower(head); t != "" {
		return fmt.Sprintf("the text says %q and %q, as an out-of-office answer does", a, t)
	}
	if t := unreadRe.FindString(head); t != "" {
		return fmt.Sprintf("the text says %q and %q, as an out-of-office answer does", a, t)
	}
	return ""
}
