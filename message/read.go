package message

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// Limits that keep reading one mail bounded in memory and time, whatever the
// sender put in it. Mail beyond them is still read; what was skipped is
// named in Message.Problems.
const (
	maxDepth        = 20        // nested multiparts and message/rfc822
	maxParts        = 500       // MIME parts in one mail, all levels
	maxHeaderBytes  = 256 << 10 // one header block
	maxTextBytes    = 8 << 20   // decoded text kept from one part
	MaxTotalText    = 16 << 20  // decoded text kept from the whole mail
	maxReportBytes  = 64 << 10  // delivery-status, rfc822-headers, calendar
	maxNestedBytes  = 16 << 20  // attached message/rfc822 parts to parse, in all
	maxEncodedRatio = 2         // encoded bytes read per decoded byte wanted
)

// Message is one incoming mail, decoded.
type Message struct {
	// MessageID, InReplyTo and References are message identifiers without
	// the angle brackets.
	MessageID  string
	InReplyTo  []string
	References []string

	// From is the author; its Address is empty when the mail has no
	// readable From. Sender is the Sender field, when present.
	From    mail.Address
	Sender  mail.Address
	ReplyTo []*mail.Address
	To      []*mail.Address
	Cc      []*mail.Address

	// Subject is decoded (RFC 2047 in any charset, raw UTF-8, or raw
	// 8-bit bytes read as windows-1252).
	Subject string
	// Date is the Date field; zero when missing or unreadable.
	Date time.Time

	// Header is the whole top-level header, so callers can read fields
	// such as Authentication-Results and Auto-Submitted. Values are raw
	// (not RFC 2047 decoded).
	Header gomail.Header

	// ContentType is the lower-case media type of the whole mail, for
	// example "multipart/report"; ReportType is its report-type parameter.
	ContentType string
	ReportType  string

	// Text is the body as plain text: the text/plain alternative, or the
	// HTML turned into text when there is no plain one; charset-decoded,
	// format=flowed joined, line ends "\n".
	Text string
	// HTML is true when Text was made from HTML.
	HTML bool

	// Split is the first MaxUnderstandBytes of Text split into the
	// writer's own words and the quoted reply or forward; Body and
	// Signature are the own words split at the signature.
	Split           QuoteSplit
	Body, Signature string

	// Raw is the mail as it was read (for a mail inside another, nil),
	// with CRLF where its lines ended in a bare CR: a DKIM signature is
	// verified over these bytes.
	Raw []byte

	// Attachments are the parts that are not the body, in order.
	Attachments []Attachment

	// Problems say what could not be read cleanly (unknown charset, broken
	// base64, truncated parts); the mail is still usable.
	Problems []string
}

// Attachment is a part of a mail that is not its body text.
type Attachment struct {
	// Name is the file name, decoded; empty when the part has none.
	Name string
	// ContentType is the lower-case media type, such as "application/pdf".
	ContentType string
	// Size is the decoded size in bytes; for a base64 attachment that is
	// not read (anything but the parts below) it is estimated from the
	// encoded size.
	Size int64
	// Text is the content of machine-readable text parts that the bot
	// needs (message/delivery-status, message/disposition-notification,
	// message/feedback-report, text/rfc822-headers, text/calendar), at
	// most 64 KiB. Empty for other parts.
	Text string
	// Message is the attached mail for message/rfc822 (and message/global)
	// parts.
	Message *Message
}

// reader holds the state of reading one mail: the counters that bound it and
// the problems found.
type reader struct {
	parts       int
	textBytes   int
	nestedBytes int
	scratch     []byte
	problems    []string
	// unwantedHTML is set while the later parts of a multipart/alternative
	// whose plain text is already read are read: their HTML cannot win,
	// so it is not turned into text.
	unwantedHTML bool
}

// drain reads body to its end and returns how many bytes that was. It
// reuses one small buffer per mail: io.Copy to io.Discard allocated 32 KiB
// per part.
func (r *reader) drain(body io.Reader) int64 {
	n, _ := r.drainErr(body)
	return n
}

// drainErr is drain that also returns the error that ended the body, nil
// at its proper end.
func (r *reader) drainErr(body io.Reader) (int64, error) {
	if r.scratch == nil {
		r.scratch = make([]byte, 2<<10)
	}
	var n int64
	for {
		k, err := body.Read(r.scratch)
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (r *reader) problem(format string, args ...any) {
	if len(r.problems) >= 50 {
		return // one broken mail can report thousands; the first ones say enough
	}
	p := fmt.Sprintf(format, args...)
	for _, q := range r.problems {
		if q == p {
			return
		}
	}
	r.problems = append(r.problems, p)
}

// ErrNotMail is returned by ReadMessage when there is nothing to read: the
// input is empty or only white space.
var ErrNotMail = errors.New("empty mail")

// ReadMessage decodes one raw mail. It fails only when nothing can be read
// at all (empty input: ErrNotMail); input without a header is read as text
// with a problem noted. Everything else that is wrong is
// listed in Message.Problems. It never panics and its memory and time are
// bounded by the limits above, whatever raw holds.
func ReadMessage(raw []byte) (*Message, error) {
	r := &reader{}
	lines := crlf(raw)
	m, err := r.read(lines, 0)
	if err != nil {
		return nil, err
	}
	m.Problems = r.problems
	// The bytes as they came, which DKIM signs, but with CRLF for lines
	// that ended in a bare CR: a signer signs lines ending in CRLF, and a
	// header of bare-CR lines is no header to the verifier's reader.
	// (crlf returns every other mail as it came.)
	m.Raw = lines
	return m, nil
}

// crlf returns raw with CRLF line endings when its lines end in a bare CR
// (classic Mac OS mail, some gateways): the header, the MIME boundaries and
// quoted-printable all find their lines only by LF. Mail whose lines end in
// LF or CRLF is returned as it is, without a copy; a stray CR inside an
// otherwise LF-terminated mail is left alone, as it is text.
func crlf(raw []byte) []byte {
	if bytes.IndexByte(raw, '\r') < 0 || bytes.IndexByte(raw, '\n') >= 0 {
		return raw
	}
	out := make([]byte, 0, len(raw)+bytes.Count(raw, []byte{'\r'}))
	for _, c := range raw {
		out = append(out, c)
		if c == '\r' {
			out = append(out, '\n')
		}
	}
	return out
}

func (r *reader) read(raw []byte, depth int) (*Message, error) {
	hdr, body, err := r.splitHeader(raw)
	if err != nil {
		return nil, err
	}
	m := &Message{Header: gomail.Header{Header: gomessage.Header{Header: hdr}}}
	r.fillHeader(m)

	ctype, params := parseContentType(hdr.Get("Content-Type"))
	if ctype == "" {
		ctype = "text/plain"
	}
	m.ContentType = ctype
	m.ReportType = strings.ToLower(params["report-type"])

	var b bodyBuilder
	r.entity(m, &b, hdr, bytes.NewReader(body), depth)
	m.Text, m.HTML = b.result()
	// The split into the writer's own words, the quote and the signature
	// is made here once: every later stage reads these fields.
	m.Split = SplitQuote(Head(m.Text, MaxUnderstandBytes))
	m.Body, m.Signature = SplitSignature(m.Split.Own)
	return m, nil
}

// splitHeader reads the header block of raw and returns it with the body.
// Lines that are not header fields are dropped (with a problem) rather than
// ending the header, because real mail has them and the fields after them
// matter.
func (r *reader) splitHeader(raw []byte) (textproto.Header, []byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return textproto.Header{}, nil, ErrNotMail
	}
	// An mbox "From " line is not part of the mail.
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	end, bodyStart := headerEnd(raw)
	block := raw[:end]
	body := raw[bodyStart:]
	if len(block) > maxHeaderBytes {
		r.problem("the header is larger than %d KiB; the rest of it was ignored", maxHeaderBytes>>10)
		cut := bytes.LastIndexByte(block[:maxHeaderBytes], '\n')
		if cut < 0 {
			cut = maxHeaderBytes - 1
		}
		block = block[:cut+1]
	}

	var clean bytes.Buffer
	clean.Grow(len(block) + 2)
	keep := false // whether the current field is kept, for its continuation lines
	fields := 0
	for len(block) > 0 {
		line := block
		if i := bytes.IndexByte(block, '\n'); i >= 0 {
			line, block = block[:i+1], block[i+1:]
		} else {
			block = nil
		}
		trimmed := bytes.TrimRight(line, "\r\n")
		switch {
		case len(trimmed) == 0:
			continue
		case trimmed[0] == ' ' || trimmed[0] == '\t':
			if keep {
				clean.Write(trimmed)
				clean.WriteString("\r\n")
			}
		case validFieldLine(trimmed):
			keep = true
			fields++
			clean.Write(trimmed)
			clean.WriteString("\r\n")
		default:
			keep = false
			r.problem("a header line is not a field and was skipped: %q", Clip(string(trimmed), 60))
		}
	}
	if fields == 0 {
		// No header at all: still a text a human may want to read.
		r.problem("the mail has no header; all of it was read as text")
		return textproto.Header{}, raw, nil
	}
	clean.WriteString("\r\n")
	hdr, err := textproto.ReadHeader(bufio.NewReaderSize(&clean, clean.Len()+16))
	if err != nil {
		// validFieldLine checked each line, so this is not expected; keep
		// what was read.
		r.problem("reading the header: %v", err)
	}
	return hdr, body, nil
}

// headerEnd returns where the header block of raw ends and where the body
// starts: after the first empty line, or the whole of raw when it has none.
func headerEnd(raw []byte) (end, bodyStart int) {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return len(raw), len(raw)
		}
		line := raw[i : i+j]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return i, i + j + 1
		}
		i += j + 1
	}
	return len(raw), len(raw)
}

// validFieldLine reports whether line starts a header field: a name of
// printable characters, then a colon.
func validFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

func (r *reader) fillHeader(m *Message) {
	h := m.Header
	m.MessageID = firstID(h.Get("Message-Id"))
	m.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	m.References = msgIDs(h.Get("References"))
	m.Subject = decodeHeaderText(h.Get("Subject"))
	if v := h.Get("Date"); v != "" {
		d, err := mail.ParseDate(strings.TrimSpace(v))
		if err != nil {
			r.problem("the Date field cannot be read: %q", Clip(v, 60))
		} else {
			m.Date = d
		}
	}
	if a := r.addresses(h, "From"); len(a) > 0 {
		m.From = *a[0]
	}
	if a := r.addresses(h, "Sender"); len(a) > 0 {
		m.Sender = *a[0]
	}
	m.ReplyTo = r.addresses(h, "Reply-To")
	m.To = r.addresses(h, "To")
	m.Cc = r.addresses(h, "Cc")
}

var wordDecoder = &mime.WordDecoder{CharsetReader: wordCharsetReader}

// wordCharsetReader decodes an RFC 2047 word's bytes at once and returns
// them in a bytes.Reader: mime.WordDecoder copies the reader it gets, and a
// streaming charset reader cost a 32 KiB copy buffer per encoded word.
func wordCharsetReader(label string, input io.Reader) (io.Reader, error) {
	enc := knownEncoding(strings.ToLower(label))
	if enc == nil {
		return charset.Reader(label, input)
	}
	raw, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(out), nil
}

// decodeHeaderText decodes an unstructured header value: raw bytes that are
// not UTF-8 are read as windows-1252 first, then RFC 2047 words in any
// charset that go-message/charset knows.
func decodeHeaderText(v string) string {
	v = toUTF8(v)
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return toUTF8(d)
}

// toUTF8 returns s unchanged when it is valid UTF-8, else s read as
// windows-1252 (a superset of ISO-8859-1 in its printable range, and what
// mislabelled Western mail nearly always is).
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	d, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return d
}

var (
	msgIDRe    = regexp.MustCompile(`<([^<>\s]+)>`)
	AddrSpecRe = regexp.MustCompile(`[A-Za-z0-9!#$%&'*+/=?^_{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`)
)

func msgIDs(v string) []string {
	var ids []string
	for _, m := range msgIDRe.FindAllStringSubmatch(v, 100) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		// Some clients write identifiers without brackets.
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				ids = append(ids, strings.Trim(f, "<>,"))
			}
		}
	}
	return ids
}

func firstID(v string) string {
	if ids := msgIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return strings.TrimSpace(v)
}

// addresses parses an address field. When the strict parser fails, it falls
// back to picking the addresses out of the text, so that a display name with
// an unquoted comma or a stray character does not lose the sender.
func (r *reader) addresses(h gomail.Header, key string) []*mail.Address {
	v := toUTF8(h.Get(key))
	if strings.TrimSpace(v) == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: wordDecoder}
	if list, err := p.ParseList(v); err == nil {
		for _, a := range list {
			a.Name = toUTF8(a.Name)
		}
		return list
	}
	list := LooseAddresses(v)
	if len(list) == 1 {
		// One address: all the text before it is the name, commas and all
		// ("Carter, Emily <emily@…>").
		if i := strings.Index(v, list[0].Address); i > 0 {
			if name := decodeHeaderText(strings.Trim(strings.TrimSpace(v[:i]), `"<>() `)); name != "" {
				list[0].Name = name
			}
		}
	}
	if len(list) == 0 {
		r.problem("the %s field has no readable address: %q", key, Clip(v, 60))
	}
	return list
}

// LooseAddresses finds addresses in a field that net/mail cannot parse:
// each address with the text before it (up to a comma that is not inside
// quotes) as its display name.
func LooseAddresses(v string) []*mail.Address {
	var list []*mail.Address
	rest := v
	for len(list) < 1000 {
		loc := AddrSpecRe.FindStringIndex(rest)
		if loc == nil {
			break
		}
		name := rest[:loc[0]]
		if i := strings.LastIndexAny(name, ",;"); i >= 0 && strings.Count(name[:i], `"`)%2 == 0 {
			name = name[i+1:]
		}
		name = strings.Trim(strings.TrimSpace(name), `"<>() `)
		name = decodeHeaderText(name)
		list = append(list, &mail.Address{Name: name, Address: rest[loc[0]:loc[1]]})
		rest = rest[loc[1]:]
		if i := strings.IndexAny(rest, ","); i >= 0 {
			// A comment after the address, such as "(Mail Delivery
			// System)", names it when nothing came before.
			if list[len(list)-1].Name == "" {
				list[len(list)-1].Name = strings.Trim(strings.TrimSpace(rest[:i]), "<>() ")
			}
			rest = rest[i+1:]
		} else {
			if list[len(list)-1].Name == "" {
				list[len(list)-1].Name = strings.Trim(strings.TrimSpace(rest), "<>() ")
			}
			break
		}
	}
	return list
}

// parseContentType reads a Content-Type (or Content-Disposition) value. It
// is lenient: when the parameters are malformed, the media type is still
// returned, and boundary, charset and name are picked out of the text.
func parseContentType(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", map[string]string{}
	}
	t, params, err := mime.ParseMediaType(v)
	if err == nil {
		return strings.ToLower(t), params
	}
	params = map[string]string{}
	t = v
	if i := strings.IndexByte(v, ';'); i >= 0 {
		t = v[:i]
	}
	t = strings.ToLower(strings.Trim(strings.TrimSpace(t), `"`))
	if !strings.Contains(t, "/") {
		if t == "text" || t == "" {
			t = "text/plain"
		}
	}
	for _, m := range looseParamRe.FindAllStringSubmatch(v, 20) {
		k := strings.ToLower(m[1])
		val := m[2]
		if strings.HasPrefix(val, `"`) {
			val = strings.TrimSuffix(strings.TrimPrefix(val, `"`), `"`)
		}
		if _, ok := params[k]; !ok {
			params[k] = val
		}
	}
	return t, params
}

var looseParamRe = regexp.MustCompile(`(?i)(boundary|charset|name|filename|report-type|format|delsp|method)\s*=\s*("[^"]*"?|[^;\s]+)`)

// bodyBuilder collects the body text of a mail from its parts.
type bodyBuilder struct {
	plain strings.Builder
	html  strings.Builder
}

func (b *bodyBuilder) add(text string, isHTML bool) {
	w := &b.plain
	if isHTML {
		w = &b.html
	}
	if w.Len() > 0 && !strings.HasSuffix(w.String(), "\n\n") {
		w.WriteString("\n")
	}
	w.WriteString(text)
}

func (b *bodyBuilder) result() (string, bool) {
	if strings.TrimSpace(b.plain.String()) != "" {
		return b.plain.String(), false
	}
	if b.html.Len() > 0 {
		return b.html.String(), true
	}
	return b.plain.String(), false
}

// entity reads one MIME entity (whose header is hdr) into m: text into b,
// other parts into m.Attachments.
func (r *reader) entity(m *Message, b *bodyBuilder, hdr textproto.Header, body io.Reader, depth int) {
	r.parts++
	ctype, params := parseContentType(hdr.Get("Content-Type"))
	if ctype == "" {
		ctype = "text/plain"
	}
	disp, dparams := parseContentType(hdr.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeHeaderText(name)
	enc := strings.ToLower(strings.TrimSpace(hdr.Get("Content-Transfer-Encoding")))

	switch {
	case strings.HasPrefix(ctype, "multipart/"):
		if depth >= maxDepth {
			r.problem("multipart nesting deeper than %d levels; the deeper parts were skipped", maxDepth)
			r.drain(body)
			return
		}
		boundary := params["boundary"]
		if boundary == "" {
			r.problem("a %s part has no boundary; read as text", ctype)
			r.textPart(b, body, enc, params, false)
			return
		}
		r.multipart(m, b, ctype, boundary, body, depth)
		return

	case ctype == "message/rfc822" || ctype == "message/global":
		// Attached mails share one budget: each level copies its bytes, and
		// a budget per level would multiply by the depth.
		budget := maxNestedBytes - r.nestedBytes
		if budget <= 0 {
			r.problem("attached mails are larger than %d MiB in all; the rest were skipped", maxNestedBytes>>20)
			n := r.countDecoded(body, enc)
			m.Attachments = append(m.Attachments, Attachment{Name: name, ContentType: ctype, Size: n})
			return
		}
		data := r.readDecoded(body, enc, budget, "an attached mail")
		r.nestedBytes += len(data)
		a := Attachment{Name: name, ContentType: ctype, Size: int64(len(data))}
		if depth >= maxDepth {
			r.problem("message nesting deeper than %d levels; the deeper mail was skipped", maxDepth)
		} else if inner, err := r.read(data, depth+1); err == nil {
			a.Message = inner
		}
		m.Attachments = append(m.Attachments, a)
		return

	case reportType(ctype):
		data := r.readDecoded(body, enc, maxReportBytes, "a report part")
		m.Attachments = append(m.Attachments, Attachment{
			Name: name, ContentType: ctype, Size: int64(len(data)),
			Text: decodeCharset(data, params["charset"], r),
		})
		return
	}

	isText := ctype == "text/plain" || ctype == "text/html" || ctype == "text/enriched"
	if isText && disp != "attachment" && name == "" {
		r.textPart(b, body, enc, params, ctype == "text/html")
		return
	}

	// Any other part is an attachment: count its size without keeping it.
	n := r.countDecoded(body, enc)
	m.Attachments = append(m.Attachments, Attachment{Name: name, ContentType: ctype, Size: n})
}

func reportType(ctype string) bool {
	switch ctype {
	case "message/delivery-status", "message/global-delivery-status",
		"message/disposition-notification", "message/global-disposition-notification",
		"message/feedback-report", "text/rfc822-headers", "message/rfc822-headers",
		"text/calendar", "application/ics":
		return true
	}
	return false
}

func (r *reader) multipart(m *Message, b *bodyBuilder, ctype, boundary string, body io.Reader, depth int) {
	mr := textproto.NewMultipartReader(body, boundary)
	alt := ctype == "multipart/alternative"
	// In an alternative, the parts are read into their own builders, and
	// the plain one wins over the HTML one.
	var best *bodyBuilder
	n := 0 // parts read
	for {
		if r.parts >= maxParts {
			r.problem("more than %d MIME parts; the rest were skipped", maxParts)
			r.drain(body)
			return
		}
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			switch {
			case n == 0 && strings.Contains(err.Error(), "EOF"):
				r.problem("a %s body has no part: its boundary never appears", ctype)
			case strings.Contains(err.Error(), "EOF"):
				r.problem("a %s body ends without its closing boundary", ctype)
			default:
				r.problem("a %s body is malformed: %v", ctype, shortErr(err))
			}
			break
		}
		n++
		if alt {
			var pb bodyBuilder
			was := r.unwantedHTML
			r.unwantedHTML = was || best != nil && best.plain.Len() > 0
			r.entity(m, &pb, p.Header, p, depth+1)
			r.unwantedHTML = was
			if best == nil || (pb.plain.Len() > 0 && best.plain.Len() == 0) ||
				(best.plain.Len() == 0 && best.html.Len() == 0) {
				best = &pb
			}
		} else {
			r.entity(m, b, p.Header, p, depth+1)
		}
	}
	if best != nil {
		t, isHTML := best.result()
		b.add(t, isHTML)
	}
}

func shortErr(err error) string {
	return Clip(err.Error(), 100)
}

// textPart reads a text part into b, decoding transfer encoding, charset,
// format=flowed and HTML.
func (r *reader) textPart(b *bodyBuilder, body io.Reader, enc string, params map[string]string, isHTML bool) {
	if isHTML && r.unwantedHTML {
		// Read through all the same, so that a broken encoding or a cut
		// mail is still reported.
		r.readDecoded(body, enc, maxTextBytes, "a text part")
		return
	}
	limit := maxTextBytes
	if left := MaxTotalText - r.textBytes; left < limit {
		limit = left
	}
	if limit <= 0 {
		r.problem("the text is longer than %d MiB; the rest was skipped", MaxTotalText>>20)
		r.drain(body)
		return
	}
	data := r.readDecoded(body, enc, limit, "a text part")
	r.textBytes += len(data)
	text := decodeCharset(data, params["charset"], r)
	if strings.IndexByte(text, 0) >= 0 {
		r.problem("the text has NUL bytes; they were removed")
		text = strings.ReplaceAll(text, "\x00", "")
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if isHTML {
		text = htmlToText(text)
	} else if strings.EqualFold(params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
	}
	b.add(text, isHTML)
}

// readDecoded reads body, undoes its transfer encoding and returns at most
// limit decoded bytes; the rest of the body is read and dropped so that the
// multipart reader can go on.
func (r *reader) readDecoded(body io.Reader, enc string, limit int, what string) []byte {
	raw, err := io.ReadAll(io.LimitReader(body, int64(limit)*maxEncodedRatio+4))
	if errors.Is(err, io.ErrUnexpectedEOF) {
		r.problem("%s ends without the boundary that should close it", what)
	} else if err != nil {
		r.problem("%s ends early: %v", what, shortErr(err))
	}
	if n := r.drain(body); n > 0 {
		r.problem("%s is longer than %d MiB; the rest was skipped", what, max(limit>>20, 1))
	}
	data := r.decodeTransfer(raw, enc)
	if len(data) > limit {
		if limit >= 1<<20 {
			r.problem("%s is longer than %d MiB; the rest was skipped", what, limit>>20)
		}
		data = data[:limit]
	}
	return data
}

// countDecoded drains an attachment without keeping it and returns its
// decoded size (estimated from the encoded size for base64, which is exact
// enough for a report).
func (r *reader) countDecoded(body io.Reader, enc string) int64 {
	total, err := r.drainErr(body)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		r.problem("an attachment ends without the boundary that should close it")
	} else if err != nil {
		r.problem("an attachment ends early: %v", shortErr(err))
	}
	if enc == "base64" {
		total = total * 3 / 4
	}
	return total
}

// decodeTransfer undoes a Content-Transfer-Encoding. It never fails: broken
// input decodes as far as it can and is named in the problems.
func (r *reader) decodeTransfer(raw []byte, enc string) []byte {
	switch enc {
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return raw
	case "quoted-printable":
		return decodeQP(raw)
	case "base64":
		data, ok := decodeBase64(raw)
		if !ok {
			r.problem("a base64 body is broken; what could be decoded was kept")
		}
		return data
	default:
		r.problem("unknown transfer encoding %q; read as it is", Clip(enc, 30))
		return raw
	}
}

// decodeQP decodes quoted-printable leniently: a "=" that does not start a
// valid escape is kept as it is, as mail clients do.
func decodeQP(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		switch {
		case i+2 < len(raw) && raw[i+1] == '\r' && raw[i+2] == '\n':
			i += 2
		case i+1 < len(raw) && raw[i+1] == '\n':
			i++
		case i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]):
			out = append(out, unhex(raw[i+1])<<4|unhex(raw[i+2]))
			i += 2
		default:
			// A soft line break with trailing white space before it.
			j := i + 1
			for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
				j++
			}
			if j < len(raw) && (raw[j] == '\n' || raw[j] == '\r') && j > i+1 {
				if raw[j] == '\r' && j+1 < len(raw) && raw[j+1] == '\n' {
					j++
				}
				i = j
				continue
			}
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// decodeBase64 decodes base64 leniently, skipping characters outside the
// alphabet and stopping at padding. ok is false when something had to be
// skipped or the data ended in the middle of a group.
func decodeBase64(raw []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(raw))
	ok := true
	for i, c := range raw {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
			clean = append(clean, c)
		case c == '-':
			clean = append(clean, '+') // the URL-safe alphabet, seen in the wild
		case c == '_':
			clean = append(clean, '/')
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case c == '=':
			// Padding ends the data; anything but padding and white space
			// after it is broken input.
			if len(bytes.Trim(raw[i:], "= \t\r\n")) > 0 {
				ok = false
			}
			goto done
		default:
			ok = false
		}
	}
done:
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
		ok = false
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		ok = false
	}
	return out[:n], ok
}

// decodeCharset turns text in a declared charset into UTF-8: as declared
// when the charset is known; else as UTF-8 when it is valid; else as
// windows-1252. A declared UTF-8 or ASCII that is not valid is read as
// windows-1252 too, because that is what such mail nearly always is.
func decodeCharset(data []byte, label string, r *reader) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "unicode-1-1-utf-8", "x-unknown", "unknown-8bit", "8bit":
		if utf8.Valid(data) {
			return string(data)
		}
		if label == "utf-8" || label == "utf8" {
			r.problem("the text is declared UTF-8 but is not; read as windows-1252")
		}
		return toUTF8(string(data))
	}
	if enc := knownEncoding(label); enc != nil {
		out, err := enc.NewDecoder().Bytes(data)
		if err == nil {
			return strings.ToValidUTF8(string(out), "\uFFFD")
		}
	}
	dec, err := charset.Reader(label, bytes.NewReader(data))
	if err != nil {
		r.problem("unknown charset %q; read as UTF-8 or windows-1252", Clip(label, 30))
		return toUTF8(string(data))
	}
	out, err := io.ReadAll(dec)
	if err != nil {
		r.problem("the text is not valid %s: %v", Clip(label, 30), shortErr(err))
		return toUTF8(string(data))
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// knownEncoding returns the encoding of a charset label as
// go-message/charset would find it (IANA names, then the WHATWG labels), so
// that a whole text can be decoded at once instead of through a reader. It
// returns nil for labels it does not know; charset.Reader is then asked.
func knownEncoding(label string) encoding.Encoding {
	switch label {
	case "iso-8859-1", "latin1", "iso8859-1", "iso_8859-1":
		return charmap.ISO8859_1
	case "windows-1252", "cp1252":
		return charmap.Windows1252
	}
	if enc, err := ianaindex.MIME.Encoding(label); err == nil && enc != nil {
		return enc
	}
	if enc, err := htmlindex.Get(label); err == nil && enc != nil {
		return enc
	}
	return nil
}

// unflow joins format=flowed lines (RFC 3676): a line ending in a space
// continues on the next line of the same quote depth; with delsp that space
// is removed. Space-stuffing is undone.
func unflow(text string, delsp bool) string {
	lines := strings.Split(text, "\n")
	var out strings.Builder
	out.Grow(len(text))
	var cur strings.Builder
	curDepth := -1
	flush := func() {
		if curDepth < 0 {
			return
		}
		out.WriteString(strings.Repeat(">", curDepth))
		if curDepth > 0 && cur.Len() > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(cur.String())
		out.WriteByte('\n')
		cur.Reset()
		curDepth = -1
	}
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := line[depth:]
		// Undo space-stuffing, or the space after ">".
		content = strings.TrimPrefix(content, " ")
		if curDepth >= 0 && depth != curDepth {
			flush()
		}
		curDepth = depth
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		if !flowed {
			flush()
		}
	}
	flush()
	return strings.TrimSuffix(out.String(), "\n")
}

// Clip shortens s to at most n bytes (on a rune boundary) for messages.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
