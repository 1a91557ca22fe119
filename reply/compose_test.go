package reply

import (
	"bufio"
	"bytes"
	"flag"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gomessage "github.com/emersion/go-message/mail"
	"golang.org/x/net/html"

	"github.com/goteborgsregionen/anmalan/config"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// testComposer is the composer of the seed's workshop.
func testComposer(t *testing.T) (*Composer, *config.EventConfig) {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewComposer(&mail.Address{Name: "GR Anmälan", Address: "anmalan@goteborgsregionen.example"}, loc,
		"Linda Karlsson, linda.karlsson@goteborgsregionen.example")
	if err != nil {
		t.Fatal(err)
	}
	c.RetentionDays = 90
	ev := &config.EventConfig{
		ID: "segregation-2018", Title: "På tal om segregation – ett samtal om hur vi kan arbeta tillsammans i regionen",
		Location: "GR, Anders Personsgatan 8, Göteborg",
		StartsAt: time.Date(2018, 12, 11, 13, 0, 0, 0, loc), EndsAt: time.Date(2018, 12, 11, 15, 30, 0, 0, loc),
		OpensAt: time.Date(2018, 11, 1, 8, 0, 0, 0, loc), ClosesAt: time.Date(2018, 12, 4, 23, 59, 0, 0, loc),
	}
	return c, ev
}

// goldenReplies are the replies whose text the golden files hold: every
// kind, and the variants a user would notice.
func goldenReplies(ev *config.EventConfig) map[string]Reply {
	to := []*mail.Address{{Name: "Sara Lind", Address: "sara.lind@ale.example"}}
	mat := []Material{{Name: "kartlaggning-segregation.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}
	second := *ev
	second.ID, second.Location = "segregation-2018-kungalv", "Kungälvs stadshus"
	second.StartsAt, second.EndsAt = ev.StartsAt.AddDate(0, 0, 2), ev.EndsAt.AddDate(0, 0, 2)
	sessions := []OpenSession{{Event: ev, SeatsLeft: 1}, {Event: &second, SeatsLeft: 9}}
	base := func(k Kind) Reply { return Reply{Kind: k, To: to, Event: ev, Name: "Sara Lind"} }
	out := map[string]Reply{}
	for _, k := range replyKinds {
		out[string(k)] = base(k)
	}
	set := func(name string, edit func(*Reply)) {
		r, ok := out[name]
		if !ok {
			r = base(Kind(strings.SplitN(name, "-", 2)[0]))
		}
		edit(&r)
		out[name] = r
	}
	set("confirmation", func(r *Reply) { r.Material = mat })
	set("confirmation-by-colleague", func(r *Reply) { r.Material = mat; r.SenderName = "Karin Ek" })
	set("promoted", func(r *Reply) { r.Material = mat })
	set("material", func(r *Reply) { r.Material = mat })
	set("waiting", func(r *Reply) { r.Position = 2; r.Status = "waiting" })
	set("already", func(r *Reply) { r.Status = "confirmed" })
	set("already-waiting", func(r *Reply) { r.Status = "waiting"; r.Position = 3 })
	set("cancelled", func(r *Reply) {})
	set("cancelled-seat-passes-on", func(r *Reply) { r.SeatPassesOn = true })
	set("closed", func(r *Reply) { r.Others = "Bo Ek och Cia Berg" })
	set("tolddirectly", func(r *Reply) { r.Others = "Bo Ek" })
	set("substituted", func(r *Reply) { r.Others = "Bo Ek"; r.SenderName = "Linda Karlsson" })
	set("offer", func(r *Reply) { r.Deadline = ev.StartsAt.Add(-48 * time.Hour) })
	set("offerexpired", func(r *Reply) { r.Deadline = ev.StartsAt.Add(-48 * time.Hour) })
	set("which", func(r *Reply) {
		r.Sessions = sessions
		r.Asked = "datumet \"12 december\" är inte ett av de datum som erbjuds"
	})
	set("confirm-which", func(r *Reply) {
		// The organiser's change that names someone who fits two people.
		r.Name, r.Mode, r.Asked = "Linda Karlsson", "which", "Anna kan inte komma, stryk henne."
		r.To = []*mail.Address{{Name: "Linda Karlsson", Address: "linda.karlsson@goteborgsregionen.example"}}
		r.Lines = []string{"Anna Lundqvist <anna.lundqvist@partille.example> (bekräftad)", "Anna Petersson <anna.petersson@partille.example> (väntelista plats 1)"}
	})
	set("confirm-which-nobody", func(r *Reply) {
		// The organiser's change that names nobody the bot can find.
		r.Name, r.Mode, r.Asked = "Linda Karlsson", "which", "Ta bort henne från listan."
		r.To = []*mail.Address{{Name: "Linda Karlsson", Address: "linda.karlsson@goteborgsregionen.example"}}
	})
	set("noneopen", func(r *Reply) { r.Event = nil })
	set("whichsession", func(r *Reply) { r.Sessions = sessions; r.NotUnderstood = []string{"Avanmäl Bo Ek."} })
	set("organiser", func(r *Reply) {
		r.Mode = "changes"
		r.Lines = []string{"Bo Ek <bo@ale.example> (bekräftad) → avanmäld"}
		r.Stats = EventStats{Seats: 5, Confirmed: 5, Free: 0, Cancelled: 1}
		r.Waiting = []string{"Cia Berg <cia@ale.example>"}
	})
	set("organiser-list", func(r *Reply) {
		r.Mode = "list"
		r.Stats = EventStats{Seats: 5, Confirmed: 1, Free: 4}
	})
	set("organiser-help", func(r *Reply) { r.Mode = "help"; r.Help = true; r.Stats = EventStats{Seats: 5, Free: 5} })
	set("forged", func(r *Reply) {
		r.Forged = ForgedMail{From: "Linda Karlsson <linda.karlsson@goteborgsregionen.example>", Date: "Mon, 3 Dec 2018 09:00:00 +0100",
			Subject: "Avanmälan", MessageID: "x@example", AuthResults: []string{"mx.example; dmarc=fail"}}
		r.Lines = []string{"avanmäl Bo Ek"}
	})
	set("notice", func(r *Reply) {
		r.Notice = &Notice{Reason: "too-large", From: "bo@ale.example", Subject: "Stor fil", Arrived: "3 december 09.00",
			Size: "31.2 MB", Limit: "25.0 MB", Mailbox: "INBOX", Keyword: "$AnmalanManual"}
	})
	set("forgotten", func(r *Reply) { r.Lines = []string{"1 anmälan", "2 mottagna mejl", "1 skickat mejl"} })
	set("digest", func(r *Reply) {
		r.Digest = &Digest{Day: "2018-12-03", Since: "söndag 2 december 2018 kl. 08.00", Manual: 1, NewManual: 1, Failed: 0,
			Events: []DigestEvent{{Title: ev.Title, When: "tisdag 11 december 2018", Confirmed: 1, Seats: 1,
				Registered: []string{"Sara Lind <sara.lind@ale.example>"}, Waiting: []string{"Bo Ek <bo@ale.example>"}}}}
	})
	set("undeliverable", func(r *Reply) {
		r.Failed = &FailedReply{To: "bo@ale.example", Subject: "Bekräftelse", MessageID: "y@example", Reason: "550 no such user"}
	})
	return out
}

// TestTemplatesGolden holds the text of every reply, in both languages, in
// a golden file: a change of wording shows in review. Run with -update to
// rewrite them.
func TestTemplatesGolden(t *testing.T) {
	c, ev := testComposer(t)
	for name, r := range goldenReplies(ev) {
		for _, lang := range replyLanguages {
			t.Run(lang+"/"+name, func(t *testing.T) {
				r.Language = lang
				gotLang, subject, text, _, err := c.render(r)
				if err != nil {
					t.Fatal(err)
				}
				if gotLang != lang {
					t.Fatalf("rendered in %s, want %s", gotLang, lang)
				}
				got := "Subject: " + strings.TrimSpace(subject.String()) + "\n\n" + text.String()
				path := filepath.Join("testdata", "golden", lang, name+".txt")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./reply -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the golden file (go test ./reply -update, then review the diff):\n%s", path, got)
				}
			})
		}
	}
}

// TestWording checks what the golden files must never say again.
func TestWording(t *testing.T) {
	c, ev := testComposer(t)
	replies := goldenReplies(ev)
	render := func(name, lang string) string {
		r := replies[name]
		r.Language = lang
		_, _, text, _, err := c.render(r)
		if err != nil {
			t.Fatal(err)
		}
		return text.String()
	}
	for _, lang := range replyLanguages {
		if s := render("cancelled", lang); strings.Contains(s, "waiting list") || strings.Contains(s, "väntelistan") {
			t.Errorf("%s: a cancellation with nobody waiting says the seat goes to the next:\n%s", lang, s)
		}
		if s := render("cancelled-seat-passes-on", lang); !strings.Contains(s, "waiting list") && !strings.Contains(s, "väntelistan") {
			t.Errorf("%s: a cancellation with someone waiting does not say the seat goes on:\n%s", lang, s)
		}
		for _, k := range []string{"confirmation", "promoted"} {
			if s := render(k, lang); !strings.Contains(s, "90") || !(strings.Contains(s, "glöm mig") || strings.Contains(s, "forget me")) {
				t.Errorf("%s/%s gives a seat without the data-protection notice:\n%s", lang, k, s)
			}
		}
		if s := render("which", lang); !strings.Contains(s, map[string]string{"sv": "1 plats kvar", "en": "1 seat left"}[lang]) {
			t.Errorf("%s: which says no singular:\n%s", lang, s)
		}
		if s := render("digest", lang); !strings.Contains(s, map[string]string{"sv": "av 1 plats;", "en": "of 1 seat;"}[lang]) {
			t.Errorf("%s: digest says no singular:\n%s", lang, s)
		}
		if s := render("confirm-which-nobody", lang); !strings.Contains(s, map[string]string{"sv": "Jag hittar ingen i ditt mejl", "en": "I find nobody in your mail"}[lang]) ||
			strings.Contains(s, "De som passar") || strings.Contains(s, "Those who fit") {
			t.Errorf("%s: the question of whom, with nobody to list, lists or does not say so:\n%s", lang, s)
		}
		s := render("organiser-help", lang)
		for _, w := range map[string][]string{"sv": {"avanmäl", "lista", "flytta upp", "platser"}, "en": {"cancel", "list", "promote", "seats"}}[lang] {
			if !strings.Contains(strings.ToLower(s), w) {
				t.Errorf("%s: the command list lacks %q:\n%s", lang, w, s)
			}
		}
	}
	if s := render("waiting", "en"); strings.Contains(s, "it goes to the waiting list in order") {
		t.Errorf("the English waiting-list mail keeps the awkward sentence:\n%s", s)
	}
}

func TestPhraseCounts(t *testing.T) {
	c, _ := testComposer(t)
	for _, tc := range []struct {
		lang string
		n    int
		want string
	}{{"sv", 1, "1 anmälan"}, {"sv", 2, "2 anmälningar"}, {"sv", 0, "0 anmälningar"}, {"en", 1, "1 registration"}, {"en", 3, "3 registrations"}} {
		if got := c.Count(tc.lang, PhraseErasedRegistrations, tc.n); got != tc.want {
			t.Errorf("Count(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
	if got := c.Phrase("en", PhraseStateWaiting, 2); got != "waiting list no. 2" {
		t.Errorf("Phrase = %q", got)
	}
}

// parts returns the composed mail's parts by content type (the first of
// each), with their bytes.
func parts(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	mr, err := gomessage.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct := p.Header.Get("Content-Type")
		ct = strings.TrimSpace(strings.SplitN(ct, ";", 2)[0])
		b, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := out[ct]; !ok {
			out[ct] = b
		}
	}
	return out
}

// TestCalendarStrict reads the .ics attached to a confirmation as a strict
// RFC 5545 reader does: CRLF line ends, lines of at most 75 octets folded
// with a space, a VTIMEZONE for the TZID used, and UID and DTSTAMP.
func TestCalendarStrict(t *testing.T) {
	c, ev := testComposer(t)
	r := goldenReplies(ev)["confirmation"]
	cm, err := c.Compose(r, time.Date(2018, 11, 20, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ics, ok := parts(t, cm.Bytes())["text/calendar"]
	if !ok {
		t.Fatal("no text/calendar part")
	}
	if !bytes.HasSuffix(ics, []byte("\r\n")) {
		t.Error("the calendar does not end with CRLF")
	}
	var unfolded []string
	for i, line := range strings.SplitAfter(string(ics), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("line %d ends in a bare LF: %q", i+1, line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		if len(line) > 75 {
			t.Errorf("line %d has %d octets (at most 75): %q", i+1, len(line), line)
		}
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if len(unfolded) == 0 {
				t.Fatal("the calendar starts with a continuation line")
			}
			unfolded[len(unfolded)-1] += line[1:]
			continue
		}
		if !strings.Contains(line, ":") {
			t.Errorf("line %d has no name:value: %q", i+1, line)
		}
		unfolded = append(unfolded, line)
	}
	has := func(prefix string) string {
		for _, l := range unfolded {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		return ""
	}
	for _, want := range []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:", "METHOD:PUBLISH", "BEGIN:VTIMEZONE",
		"TZID:Europe/Stockholm", "BEGIN:VEVENT", "UID:segregation-2018@goteborgsregionen.example", "DTSTAMP:20181120T090000Z",
		"DTSTART;TZID=Europe/Stockholm:20181211T130000", "DTEND;TZID=Europe/Stockholm:20181211T153000", "END:VCALENDAR"} {
		if has(want) == "" {
			t.Errorf("the calendar lacks %q:\n%s", want, ics)
		}
	}
	if l := has("SUMMARY:"); l != "SUMMARY:"+ev.Title {
		t.Errorf("the folded summary does not unfold to the title: %q", l)
	}
}

// TestHTMLPart parses the HTML alternative as a browser does: it says its
// charset and language, and the contact address is a mailto: link.
func TestHTMLPart(t *testing.T) {
	c, ev := testComposer(t)
	for _, lang := range replyLanguages {
		r := goldenReplies(ev)["confirmation"]
		r.Language = lang
		cm, err := c.Compose(r, time.Date(2018, 11, 20, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		body, ok := parts(t, cm.Bytes())["text/html"]
		if !ok {
			t.Fatal("no text/html part")
		}
		doc, err := html.Parse(bufio.NewReader(bytes.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		var htmlLang, charset string
		var mailto []string
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				for _, a := range n.Attr {
					switch {
					case n.Data == "html" && a.Key == "lang":
						htmlLang = a.Val
					case n.Data == "meta" && a.Key == "charset":
						charset = a.Val
					case n.Data == "a" && a.Key == "href" && strings.HasPrefix(a.Val, "mailto:"):
						mailto = append(mailto, a.Val)
					}
				}
			}
			for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
				walk(ch)
			}
		}
		walk(doc)
		if htmlLang != lang {
			t.Errorf("%s: <html lang=%q>", lang, htmlLang)
		}
		if !strings.EqualFold(charset, "utf-8") {
			t.Errorf("%s: <meta charset=%q>", lang, charset)
		}
		if len(mailto) != 1 || mailto[0] != "mailto:linda.karlsson@goteborgsregionen.example" {
			t.Errorf("%s: mailto links %v", lang, mailto)
		}
		if !bytes.Contains(body, []byte("Linda Karlsson, <a href=")) {
			t.Errorf("%s: the contact's name is lost:\n%s", lang, body)
		}
	}
}
