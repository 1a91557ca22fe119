package reply

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/mail"
	"path"
	"strings"
	texttemplate "text/template"
	"time"

	ics "github.com/arran4/golang-ical"
	gomail "github.com/wneessen/go-mail"

	"github.com/goteborgsregionen/anmalan/blobcache"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/templates"
)

// Kind is which reply a Reply is: each kind is a template pair under
// templates/LANG/.
type Kind string

// The kinds of reply.
const (
	KindConfirmation Kind = "confirmation"
	KindWaiting      Kind = "waiting"
	KindAlready      Kind = "already"
	KindClosed       Kind = "closed"
	KindNotOpen      Kind = "notopen"
	KindPast         Kind = "past"
	// KindWhich asks which event (date) a registration is for.
	KindWhich Kind = "which"
	// KindNoneOpen says no event is open for registration.
	KindNoneOpen Kind = "noneopen"
	// KindWhichSession tells the organiser that a command did not say
	// which session it is about, so nothing was done.
	KindWhichSession Kind = "whichsession"
	// Changes by mail.
	KindCancelled     Kind = "cancelled"     // a registration was cancelled
	KindSubstituted   Kind = "substituted"   // the place went to a colleague
	KindPromoted      Kind = "promoted"      // a seat from the waiting list, with the material
	KindOffer         Kind = "offer"         // a seat to accept by a deadline
	KindOfferExpired  Kind = "offerexpired"  // the deadline passed; the seat moved on
	KindOrganiser     Kind = "organiser"     // the organiser's answer: changes, list, status
	KindForged        Kind = "forged"        // a command that could not be trusted
	KindReplyToCancel Kind = "replytocancel" // cancel by replying to our mail
	KindChangesClosed Kind = "changesclosed" // too late to change by mail
	KindNotRegistered Kind = "notregistered" // nothing to cancel
	KindNotYours      Kind = "notyours"      // names someone the sender may not change
	// KindToldDirectly tells someone who registered others, some of them
	// registered already, that those were answered directly: their
	// registration is theirs to know, so the sender gets no copy.
	KindToldDirectly Kind = "tolddirectly"
	// KindOfferSeat answers hedged interest ("jag överväger att komma"):
	// nothing is registered, the open sessions and their seats are
	// offered, and a reply that asks to register does it.
	KindOfferSeat Kind = "offerseat"
	// KindConfirm asks before a change the bot is not sure of: it says
	// what it understood and that a one-word YES in reply to this very
	// mail carries it out (Mode "cancel", "substitute", "forget",
	// "accept"); with Mode "which" it lists in Lines those a command may
	// mean and asks for the address, since a YES could not choose.
	KindConfirm Kind = "confirm"
	// KindNotice tells the organisers of a mail the bot left for them.
	KindNotice Kind = "notice"
	// Scheduled mail and data protection.
	KindReminder  Kind = "reminder"  // before the event: time, place, calendar, how to cancel
	KindMaterial  Kind = "material"  // new or changed material files
	KindDigest    Kind = "digest"    // the organisers' daily digest
	KindForgotten Kind = "forgotten" // "glöm mig" was done
	// KindUndeliverable tells the organisers that a reply could not be
	// delivered.
	KindUndeliverable Kind = "undeliverable"
)

var replyKinds = []Kind{KindConfirmation, KindWaiting, KindAlready, KindClosed, KindNotOpen, KindPast,
	KindCancelled, KindSubstituted, KindPromoted, KindOffer, KindOfferExpired, KindOrganiser, KindForged,
	KindReplyToCancel, KindChangesClosed, KindNotRegistered, KindNotYours, KindToldDirectly, KindOfferSeat, KindConfirm, KindWhich, KindNoneOpen, KindWhichSession, KindNotice,
	KindReminder, KindMaterial, KindDigest, KindForgotten, KindUndeliverable}

// WithMaterial reports whether a reply of the kind gives a seat, and so
// carries the material and the calendar file.
func WithMaterial(kind Kind) bool { return kind == KindConfirmation || kind == KindPromoted }

// AttachesMaterial reports whether a reply of the kind carries its
// Material: those that give a seat, and material updates.
func AttachesMaterial(kind Kind) bool { return WithMaterial(kind) || kind == KindMaterial }

// attachesCalendar reports whether a reply of the kind carries the
// event's calendar file: those that give a seat, and reminders.
func attachesCalendar(kind Kind) bool { return WithMaterial(kind) || kind == KindReminder }

// templateFuncs are the functions the templates may call.
var templateFuncs = map[string]any{"inc": func(i int) int { return i + 1 }, "plural": plural}

// plural writes a count with the word's singular form when n is 1 and its
// plural form otherwise: "1 plats", "3 platser".
func plural(n int, one, other string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, other)
}

// Languages the templates are written in; the first is the fallback.
var replyLanguages = []string{"sv", "en"}

// Material is one file sent with confirmations.
type Material struct {
	Name        string
	ContentType string
	Data        []byte
	// Hash is the hex SHA-256 of Data: the version of the file.
	Hash string
}

// Composer turns a decision into the exact bytes of a reply. It is safe for
// concurrent use once built.
type Composer struct {
	from      *mail.Address
	domain    string
	loc       *time.Location
	contact   string
	signature string
	// RetentionDays is how long personal data is kept after an event,
	// said in confirmations.
	RetentionDays int
	text          map[string]*texttemplate.Template
	html          map[string]*htmltemplate.Template
	phrases       phrases
	// encoded keeps the base64 of the material files, so that a file is
	// encoded once, not once per reply.
	encoded encodedCache
}

// UseCache makes the Composer keep the material's base64 in bc, which the
// outbox reads too, so that a daemon holds each file's base64 once.
func (c *Composer) UseCache(bc *blobcache.Cache) { c.encoded = encodedCache{bc} }

// NewComposer parses every reply template. It fails when a template is
// missing or does not parse, so that a broken template stops the daemon at
// start rather than at the first registration.
func NewComposer(from *mail.Address, loc *time.Location, contact string) (*Composer, error) {
	at := strings.LastIndexByte(from.Address, '@')
	if at < 0 {
		return nil, fmt.Errorf("sender address %q has no domain", from.Address)
	}
	c := &Composer{
		from:      from,
		domain:    strings.ToLower(from.Address[at+1:]),
		loc:       loc,
		contact:   contact,
		signature: from.Name,
		text:      map[string]*texttemplate.Template{},
		html:      map[string]*htmltemplate.Template{},
		encoded:   encodedCache{blobcache.New(blobcache.Max)},
	}
	if c.signature == "" {
		c.signature = from.Address
	}
	var err error
	if c.phrases, err = loadPhrases(); err != nil {
		return nil, err
	}
	for _, lang := range replyLanguages {
		for _, kind := range replyKinds {
			key := lang + "/" + string(kind)
			tb, err := fs.ReadFile(templates.FS, path.Join(lang, string(kind)+".txt.tmpl"))
			if err != nil {
				return nil, fmt.Errorf("read template %s: %w", key, err)
			}
			tt, err := texttemplate.New(key).Funcs(templateFuncs).Option("missingkey=error").Parse(string(tb))
			if err != nil {
				return nil, fmt.Errorf("parse template %s: %w", key, err)
			}
			hb, err := fs.ReadFile(templates.FS, path.Join(lang, string(kind)+".html.tmpl"))
			if err != nil {
				return nil, fmt.Errorf("read template %s: %w", key, err)
			}
			ht, err := htmltemplate.New(key).Funcs(templateFuncs).Funcs(htmltemplate.FuncMap{"contact": c.contactHTML}).
				Option("missingkey=error").Parse(string(hb))
			if err != nil {
				return nil, fmt.Errorf("parse html template %s: %w", key, err)
			}
			c.text[key], c.html[key] = tt, ht
		}
	}
	return c, nil
}

// Reply is everything a reply says, before it becomes bytes.
type Reply struct {
	Kind     Kind
	Language string // "sv" or "en"
	To       []*mail.Address
	Cc       []*mail.Address
	// InReplyTo and References are the Message-IDs (without <>) of the mail
	// answered and of its thread, so that the reply lands in the thread.
	InReplyTo  string
	References []string
	Event      *config.EventConfig
	// Name is the name the greeting uses.
	Name string
	// SenderName is set when someone else registered the recipient.
	SenderName string
	// Position is the waiting-list position, for waiting and already.
	Position int
	// Status is the registration's status, for already.
	Status string
	// Others names the people a closed reply is about, when the sender
	// registered someone else.
	Others string
	// Material is attached, with a calendar file, to confirmations and
	// promotions.
	Material []Material
	// Note is a sentence said in the reply, such as why this date.
	Note string
	// Sessions are the events open for registration, for a reply that
	// asks which one the sender means; Asked says why the bot asks.
	Sessions []OpenSession
	Asked    string
	// Attachments are attached to any reply (the list's XLSX file).
	Attachments []Material
	// Deadline is when an offer of a seat ends.
	Deadline time.Time
	// Mode is what the organiser's answer is about: "changes", "list" or
	// "status".
	Mode string
	// Lines are the changes as "before → after" (organiser's answer), or
	// the commands asked for (forged warning).
	Lines []string
	// NotUnderstood quotes what the organiser wrote that the bot did not act on.
	NotUnderstood []string
	// Stats are the event's counts, for the organiser's answer.
	Stats EventStats
	// Waiting names the waiting list in order, for the organiser's answer.
	Waiting []string
	// Bounced lists the addresses that bounced, for the status answer.
	Bounced []string
	// Forged describes a mail that could not be trusted.
	Forged ForgedMail
	// Notice is what a notice to the organisers is about.
	Notice *Notice
	// Failed describes the reply that could not be delivered, for an
	// undeliverable notice.
	Failed *FailedReply
	// Digest is the organisers' daily digest.
	Digest *Digest
	// SeatPassesOn says, in a cancellation, that the seat goes to the
	// next on the waiting list: only when someone waits for it.
	SeatPassesOn bool
	// Help adds the list of the organiser's commands, with examples, to
	// her answer: she asked for help, or wrote a command the bot does not
	// know.
	Help bool
}

// FailedReply is what an undeliverable notice says about the reply that
// could not be delivered.
type FailedReply struct {
	To        string // the recipients, comma-separated
	Subject   string
	MessageID string
	Reason    string // the server's answer
}

// Digest is what the organisers' daily digest says.
type Digest struct {
	// Day is the local date of the digest, Since when the last one was
	// due, as the templates show them.
	Day, Since string
	Events     []DigestEvent
	// Manual counts the mails waiting for a human; NewManual those left
	// since the last digest.
	Manual, NewManual int
	// Bounced are the addresses reported failing since the last digest.
	Bounced []string
	// Failed counts the mails that failed for good since the last digest.
	Failed int
}

// DigestEvent is one event's part of the digest: "Name <address>" lines.
type DigestEvent struct {
	Title, When                    string
	Confirmed, Seats               int
	Registered, Cancelled, Waiting []string
}

// Notice describes a mail that the bot left for a human, for the
// organisers' notice.
type Notice struct {
	// Reason is "too-large" or "failed".
	Reason           string
	From, Subject    string
	Arrived          string
	Size, Limit      string // too-large: the mail's size and the limit, e.g. "31.2 MB"
	Attempts         int    // failed: how often
	Error            string // failed: the last error
	Mailbox, Keyword string // where the mail is and the keyword it carries
}

// OpenSession is an event open for registration and its seats left.
type OpenSession struct {
	Event     *config.EventConfig
	SeatsLeft int
}

// sessionData is an OpenSession as the templates see it.
type sessionData struct {
	ID, Title, When, Location string
	SeatsLeft                 int
}

// EventStats are an event's counts as the organiser's answer shows them.
type EventStats struct {
	// Seats is the number that counts; SeatsConfig is the config's number
	// when an organiser changed it, else 0.
	Seats, SeatsConfig            int
	Confirmed, OverCapacity, Free int
	Cancelled, Manual             int
}

// ForgedMail is what the organisers are told of a command that could not
// be trusted: enough to find it and to judge it.
type ForgedMail struct {
	From, Date, Subject, MessageID string
	AuthResults                    []string
}

// replyData is what the templates see.
type replyData struct {
	Name, SenderName      string
	Title, When, Location string
	Opens, Closes         string
	Position              int
	Status, Others        string
	Contact, Signature    string
	Material              []string
	Note, Asked           string
	Sessions              []sessionData
	Deadline, Mode        string
	Lines, NotUnderstood  []string
	Stats                 EventStats
	Waiting, Bounced      []string
	Forged                ForgedMail
	Notice                Notice
	Digest                Digest
	RetentionDays         int
	Failed                FailedReply
	SeatPassesOn, Help    bool
	Language              string
}

// Composed is a finished reply: its Message-ID (without <>), envelope and
// bytes. The material attachments' bodies are not in Raw: Raw is the mail
// with each of them cut out, and Blobs say what goes where (WriteTo and
// Bytes put them back), so that the outbox stores each file once however
// many replies carry it. Every other part is in Raw.
type Composed struct {
	MessageID  string
	Recipients []string
	Raw        []byte
	Blobs      []Blob
}

// Compose renders r into a complete MIME message dated now. It fails only on
// a template error or an address go-mail refuses.
func (c *Composer) Compose(r Reply, now time.Time) (Composed, error) {
	lang, subject, text, html, err := c.render(r)
	if err != nil {
		return Composed{}, err
	}
	return c.compose(r, lang, subject, text, html, now)
}

// render fills r's templates: it returns the language used, the subject,
// and the text and HTML bodies. It fails on a template error.
func (c *Composer) render(r Reply) (lang string, subject, text, html *bytes.Buffer, err error) {
	lang = r.Language
	if _, ok := c.text[lang+"/"+string(r.Kind)]; !ok {
		lang = replyLanguages[0]
	}
	key := lang + "/" + string(r.Kind)
	tt, ok := c.text[key]
	if !ok {
		return "", nil, nil, nil, fmt.Errorf("no template for reply kind %q", r.Kind)
	}
	data := replyData{
		Name:       r.Name,
		SenderName: r.SenderName,
		Position:   r.Position,
		Status:     r.Status,
		Others:     r.Others,
		Contact:    c.contact,
		Signature:  c.signature,

		RetentionDays: c.RetentionDays,
		SeatPassesOn:  r.SeatPassesOn,
		Help:          r.Help,
		Language:      lang,
	}
	if r.Digest != nil {
		data.Digest = *r.Digest
	}
	for _, to := range r.To {
		if to != nil && to.Address != "" && strings.Contains(strings.ToLower(c.contact), strings.ToLower(to.Address)) {
			// The contact is who the mail goes to (the organiser asked
			// whom she means): she is not told to ask herself.
			data.Contact = ""
		}
	}
	if data.Name == "" && len(r.To) > 0 {
		// A greeting needs a name; the address is better than nothing.
		data.Name = r.To[0].Address
	}
	if ev := r.Event; ev != nil {
		data.Title = ev.Title
		data.Location = ev.Location
		data.When = FormatSpan(ev.StartsAt.In(c.loc), ev.EndsAt.In(c.loc), lang)
		if !ev.OpensAt.IsZero() {
			data.Opens = FormatInstant(ev.OpensAt.In(c.loc), lang)
		}
		if !ev.ClosesAt.IsZero() {
			data.Closes = formatClosing(ev.ClosesAt.In(c.loc), lang)
		}
	}
	if AttachesMaterial(r.Kind) {
		for _, m := range r.Material {
			data.Material = append(data.Material, m.Name)
		}
	}
	if r.Notice != nil {
		data.Notice = *r.Notice
	}
	data.Note, data.Asked = r.Note, r.Asked
	for _, o := range r.Sessions {
		data.Sessions = append(data.Sessions, sessionData{
			ID: o.Event.ID, Title: o.Event.Title, Location: o.Event.Location, SeatsLeft: o.SeatsLeft,
			When: FormatSpan(o.Event.StartsAt.In(c.loc), o.Event.EndsAt.In(c.loc), lang),
		})
	}
	if !r.Deadline.IsZero() {
		data.Deadline = FormatInstant(r.Deadline.In(c.loc), lang)
	}
	data.Mode, data.Lines, data.NotUnderstood = r.Mode, r.Lines, r.NotUnderstood
	data.Stats, data.Waiting, data.Bounced, data.Forged = r.Stats, r.Waiting, r.Bounced, r.Forged
	if r.Failed != nil {
		data.Failed = *r.Failed
	}

	subject, text, html = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	if err := tt.ExecuteTemplate(subject, "subject", data); err != nil {
		return "", nil, nil, nil, fmt.Errorf("render %s subject: %w", key, err)
	}
	if err := tt.ExecuteTemplate(text, "body", data); err != nil {
		return "", nil, nil, nil, fmt.Errorf("render %s text: %w", key, err)
	}
	if err := c.html[key].ExecuteTemplate(html, "body", data); err != nil {
		return "", nil, nil, nil, fmt.Errorf("render %s html: %w", key, err)
	}
	return lang, subject, text, html, nil
}

// compose builds the MIME message of r from its rendered parts.
func (c *Composer) compose(r Reply, lang string, subject, text, html *bytes.Buffer, now time.Time) (Composed, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.FromFormat(c.from.Name, c.from.Address); err != nil {
		return Composed{}, fmt.Errorf("set from: %w", err)
	}
	var rcpts []string
	seen := map[string]bool{}
	for _, a := range r.To {
		m.AddToMailAddress(a)
		if k := strings.ToLower(a.Address); !seen[k] {
			seen[k] = true
			rcpts = append(rcpts, a.Address)
		}
	}
	var cc []*mail.Address
	for _, a := range r.Cc {
		if k := strings.ToLower(a.Address); !seen[k] {
			seen[k] = true
			rcpts = append(rcpts, a.Address)
			cc = append(cc, a)
		}
	}
	if len(cc) > 0 {
		m.CcMailAddress(cc...)
	}
	if len(rcpts) == 0 {
		return Composed{}, fmt.Errorf("reply %s has no recipient", r.Kind)
	}
	m.Subject(strings.TrimSpace(subject.String()))
	id := c.newMessageID()
	m.SetMessageIDWithValue(id)
	m.SetDateWithValue(now.In(c.loc))
	if r.InReplyTo != "" {
		m.SetGenHeader(gomail.HeaderInReplyTo, "<"+r.InReplyTo+">")
		refs := make([]string, 0, len(r.References)+1)
		for _, ref := range r.References {
			if ref != r.InReplyTo {
				refs = append(refs, "<"+ref+">")
			}
		}
		refs = append(refs, "<"+r.InReplyTo+">")
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	// RFC 3834: an automatic answer says so, and asks Exchange not to
	// answer it with an out-of-office in turn.
	m.SetGenHeader("Auto-Submitted", "auto-replied")
	m.SetGenHeader("X-Auto-Response-Suppress", "All")
	m.SetGenHeader("X-Anmalan-Kind", string(r.Kind))
	if r.Event != nil {
		m.SetGenHeader("X-Anmalan-Event", r.Event.ID)
	}
	m.SetBodyString(gomail.TypeTextPlain, text.String())
	m.AddAlternativeString(gomail.TypeTextHTML, htmlDocument(lang, strings.TrimSpace(subject.String()), html.String()))
	for _, a := range r.Attachments {
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return Composed{}, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	var holes []placeholder
	if AttachesMaterial(r.Kind) && r.Event != nil {
		for _, mat := range r.Material {
			ct := mat.ContentType
			if ct == "" {
				ct = "application/octet-stream"
			}
			// The file is attached as a placeholder, cut out of the
			// mail below: its base64 is made once per content and kept.
			hash, enc := c.encoded.get(mat)
			body, hole := newPlaceholder(hash, enc)
			holes = append(holes, hole)
			if err := m.AttachReader(mat.Name, bytes.NewReader(body), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
				return Composed{}, fmt.Errorf("attach %s: %w", mat.Name, err)
			}
		}
	}
	if attachesCalendar(r.Kind) && r.Event != nil {
		cal, err := c.Calendar(r.Event, now)
		if err != nil {
			return Composed{}, err
		}
		if err := m.AttachReader(r.Event.ID+".ics", strings.NewReader(cal),
			gomail.WithFileContentType(`text/calendar; method=PUBLISH; charset=UTF-8`)); err != nil {
			return Composed{}, fmt.Errorf("attach calendar: %w", err)
		}
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return Composed{}, fmt.Errorf("write reply: %w", err)
	}
	raw, blobs, err := cutPlaceholders(buf.Bytes(), holes)
	if err != nil {
		return Composed{}, fmt.Errorf("write reply: %w", err)
	}
	return Composed{MessageID: id, Recipients: rcpts, Raw: raw, Blobs: blobs}, nil
}

// htmlDocument wraps a rendered HTML body in a complete document that
// says its charset and language, so that a mail client shows the letters
// and reads the text aloud in the right language. The body sits in a div
// that may break a long word (an address in angle brackets, a
// Message-ID) anywhere: on a phone such a word is wider than the screen
// and the reader would scroll sideways. The style is inline because many
// mail clients drop a <style> element.
func htmlDocument(lang, title, body string) string {
	return "<!DOCTYPE html>\n<html lang=\"" + htmltemplate.HTMLEscapeString(lang) + "\">\n<head>\n" +
		"<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
		htmltemplate.HTMLEscapeString(title) + "</title>\n</head>\n<body>\n<div style=\"overflow-wrap:anywhere;word-break:break-word\">\n" +
		body + "</div>\n</body>\n</html>\n"
}

// contactHTML is the contact with each address in it a mailto: link.
func (c *Composer) contactHTML(s string) htmltemplate.HTML {
	var b strings.Builder
	for _, w := range strings.SplitAfter(s, " ") {
		core := strings.TrimRight(w, " ")
		trail := w[len(core):]
		addr := strings.Trim(core, "<>(),;.")
		if _, err := mail.ParseAddress(addr); err == nil && strings.Contains(addr, "@") {
			i := strings.Index(core, addr)
			b.WriteString(htmltemplate.HTMLEscapeString(core[:i]))
			b.WriteString(`<a href="mailto:` + htmltemplate.HTMLEscapeString(addr) + `">` + htmltemplate.HTMLEscapeString(addr) + `</a>`)
			b.WriteString(htmltemplate.HTMLEscapeString(core[i+len(addr):] + trail))
			continue
		}
		b.WriteString(htmltemplate.HTMLEscapeString(w))
	}
	return htmltemplate.HTML(b.String())
}

// newMessageID returns a Message-ID (without <>) in the bot's own domain.
// It is random and long so that a participant's reply can be trusted to
// answer a mail we really sent: nobody can guess it.
func (c *Composer) newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return "anmalan." + hex.EncodeToString(b[:]) + "@" + c.domain
}

// Calendar returns the event as an iCalendar file (METHOD:PUBLISH) whose
// times carry the event's time zone, with a VTIMEZONE that covers them.
func (c *Composer) Calendar(ev *config.EventConfig, now time.Time) (string, error) {
	cal := ics.NewCalendarFor("anmalan")
	cal.SetMethod(ics.MethodPublish)
	tzid := c.loc.String()
	if err := addTimezone(cal, c.loc, ev.StartsAt, ev.EndsAt); err != nil {
		return "", err
	}
	e := cal.AddEvent(ev.ID + "@" + c.domain)
	e.SetDtStampTime(now.UTC())
	e.SetSummary(ev.Title)
	e.SetLocation(ev.Location)
	e.SetProperty(ics.ComponentPropertyDtStart, ev.StartsAt.In(c.loc).Format("20060102T150405"), ics.WithTZID(tzid))
	e.SetProperty(ics.ComponentPropertyDtEnd, ev.EndsAt.In(c.loc).Format("20060102T150405"), ics.WithTZID(tzid))
	if c.contact != "" {
		e.SetDescription(c.contact)
	}
	e.SetOrganizer("mailto:" + c.from.Address)
	return cal.Serialize(ics.WithNewLineWindows), nil
}

// addTimezone adds a VTIMEZONE for loc that holds the offset in force at
// from and every change of offset up to to. Calendar clients (Outlook in
// particular) need it to place TZID times correctly.
func addTimezone(cal *ics.Calendar, loc *time.Location, from, to time.Time) error {
	tz := cal.AddTimezone(loc.String())
	// Find the last change of offset before from, within a year, by walking
	// back hour by hour: simple, and cheap enough for one reply.
	type change struct {
		at         time.Time
		fromOffset int
		toOffset   int
		name       string
		dst        bool
	}
	var changes []change
	_, off := from.In(loc).Zone()
	prev := off
	t := from.Truncate(time.Hour)
	start := change{at: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), fromOffset: off, toOffset: off}
	for i := 0; i < 24*366; i++ {
		t = t.Add(-time.Hour)
		_, o := t.In(loc).Zone()
		if o != prev {
			// The change happened between t and t+1h; find the minute.
			at := t
			for at.Add(time.Minute).Before(t.Add(time.Hour)) {
				if _, o2 := at.Add(time.Minute).In(loc).Zone(); o2 != o {
					break
				}
				at = at.Add(time.Minute)
			}
			at = at.Add(time.Minute)
			start = change{at: at, fromOffset: o, toOffset: prev}
			break
		}
	}
	start.name, _ = from.In(loc).Zone()
	start.dst = from.In(loc).IsDST()
	changes = append(changes, start)
	// Changes inside the event itself (rare: an event across a DST switch).
	prev = off
	for t := from.Truncate(time.Hour).Add(time.Hour); t.Before(to.Add(time.Hour)); t = t.Add(time.Hour) {
		name, o := t.In(loc).Zone()
		if o != prev {
			changes = append(changes, change{at: t, fromOffset: prev, toOffset: o, name: name, dst: t.In(loc).IsDST()})
			prev = o
		}
	}
	for _, ch := range changes {
		var cb *ics.ComponentBase
		if ch.dst {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			cb = &d.ComponentBase
		} else {
			s := tz.AddStandard()
			cb = &s.ComponentBase
		}
		local := ch.at.Add(time.Duration(ch.fromOffset) * time.Second).UTC()
		cb.SetProperty(ics.ComponentProperty(ics.PropertyDtstart), local.Format("20060102T150405"))
		cb.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), formatOffset(ch.fromOffset))
		cb.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), formatOffset(ch.toOffset))
		if ch.name != "" {
			cb.SetProperty(ics.ComponentProperty(ics.PropertyTzname), ch.name)
		}
	}
	return nil
}

func formatOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign = '-'
		sec = -sec
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec%3600/60)
}

var (
	svWeekdays = []string{"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"}
	svMonths   = []string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}
)

// FormatSpan writes an event's time the way people write it in each
// language: "tisdag 11 december 2018, 13.00–15.30".
func FormatSpan(start, end time.Time, lang string) string {
	sameDay := start.Year() == end.Year() && start.YearDay() == end.YearDay()
	if lang == "en" {
		s := start.Format("Monday 2 January 2006, 15:04")
		if sameDay {
			return s + "–" + end.Format("15:04")
		}
		return s + " – " + end.Format("Monday 2 January 2006, 15:04")
	}
	s := svDate(start) + ", " + start.Format("15.04")
	if sameDay {
		return s + "–" + end.Format("15.04")
	}
	return s + " – " + svDate(end) + ", " + end.Format("15.04")
}

// FormatDay writes a day: "tisdag 11 december", "Tuesday 11 December".
func FormatDay(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("Monday 2 January")
	}
	return fmt.Sprintf("%s %d %s", svWeekdays[t.Weekday()], t.Day(), svMonths[t.Month()-1])
}

func svDate(t time.Time) string {
	return fmt.Sprintf("%s %d %s %d", svWeekdays[t.Weekday()], t.Day(), svMonths[t.Month()-1], t.Year())
}

// FormatInstant writes a point in time: "måndag 3 december 2018 kl. 08.00".
func FormatInstant(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("Monday 2 January 2006 at 15:04")
	}
	return svDate(t) + " kl. " + t.Format("15.04")
}

// formatClosing writes when registration closed; a close at the end of a
// day reads as that day ("den 4 december 2018"), as the invitation said it.
func formatClosing(t time.Time, lang string) string {
	endOfDay := t.Hour() == 23 && t.Minute() == 59
	if lang == "en" {
		if endOfDay {
			return "on " + t.Format("2 January 2006")
		}
		return t.Format("on 2 January 2006 at 15:04")
	}
	if endOfDay {
		return fmt.Sprintf("den %d %s %d", t.Day(), svMonths[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("den %d %s %d kl. %s", t.Day(), svMonths[t.Month()-1], t.Year(), t.Format("15.04"))
}
