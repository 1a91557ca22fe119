package integration

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	gomail "github.com/emersion/go-message/mail"
)

// corpusDir holds the realistic registration mails and what each means.
const corpusDir = "../testdata/corpus/registrations"

type corpusPerson struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

type corpusExpect struct {
	Kind      string         `json:"kind"`
	Automatic string         `json:"automatic"`
	People    []corpusPerson `json:"people"`
}

// Reply is one reply found in a mailbox, as the test judges it.
type Reply struct {
	Owner, To, Kind, Subject, MessageID, InReplyTo, AutoSubmitted string
	Attachments                                                   []string
}

// addressedTo reports whether addr is in the reply's To (not only in Cc).
func (r Reply) addressedTo(addr string) bool {
	return strings.Contains(strings.ToLower(r.To), strings.ToLower(addr))
}

// parseReply reads the parts of a reply the tests assert on.
func parseReply(t testing.TB, owner string, f Fetched) Reply {
	t.Helper()
	r := Reply{Owner: owner, To: f.Header.Get("To"), Kind: f.Header.Get("X-Anmalan-Kind"), Subject: f.Subject(), MessageID: f.MessageID(),
		InReplyTo: f.InReplyTo(), AutoSubmitted: f.Header.Get("Auto-Submitted")}
	mr, err := gomail.CreateReader(bytes.NewReader(f.Raw))
	if err != nil {
		t.Fatalf("read reply %s: %v", r.MessageID, err)
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		if h, ok := p.Header.(*gomail.AttachmentHeader); ok {
			name, _ := h.Filename()
			r.Attachments = append(r.Attachments, name)
		}
	}
	sort.Strings(r.Attachments)
	return r
}

// repliesTo returns the bot's replies in addr's INBOX that answer one of
// ids (the mailboxes of the corpus's people are shared by every run, so
// the test only counts the answers to the mails it sent itself).
func (s Stack) repliesTo(t testing.TB, addr string, ids map[string]bool) []Reply {
	t.Helper()
	var out []Reply
	for _, f := range s.fetchAll(t, addr, "INBOX", false) {
		if ids[f.InReplyTo()] {
			full := s.fetchUID(t, addr, f.UID)
			out = append(out, parseReply(t, addr, full))
		}
	}
	return out
}

// fetchUID returns one whole mail from addr's INBOX.
func (s Stack) fetchUID(t testing.TB, addr string, uid imap.UID) Fetched {
	t.Helper()
	for _, f := range s.fetchAll(t, addr, "INBOX", true) {
		if f.UID == uid {
			return f
		}
	}
	t.Fatalf("mail uid %d vanished from %s", uid, addr)
	return Fetched{}
}

// TestEndToEnd sends the registration corpus and generated registrations
// through Postfix to the bot's Dovecot mailbox, runs the daemon, and reads
// every participant's and the organiser's mailbox: who got what, with which
// attachments, and the export. The mail goes in three waves, each handled
// before the next is sent, because Postfix may reorder mail sent at once:
// the corpus's registrations and its automatic mail and question; then the
// generated registrations, which fill the seats; then the corpus's
// cancellation and organiser commands, which act on the registrations.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	bot := randomLocal("bot-e2e") + "@" + botDomain
	const seats = 25
	title := "På tal om segregation"
	// The corpus's mails name the workshop's date, 11 December: the event
	// is on the next 11 December at least three days away.
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, Events: []EventSpec{{ID: "segregation", Title: title, Seats: seats, Material: true,
		Starts: nextDecember11(time.Now())}}})

	var expect map[string]corpusExpect
	data, err := os.ReadFile(filepath.Join(corpusDir, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &expect); err != nil {
		t.Fatal(err)
	}
	files := make([]string, 0, len(expect))
	for f := range expect {
		files = append(files, f)
	}
	sort.Strings(files)

	// Each mail gets a Message-ID of this run, so that its answers can be
	// told apart in mailboxes that earlier runs wrote to as well; its Date
	// is now (the window is judged by arrival, but a reader should not
	// see 2018).
	run := randomLocal("run")
	idOf := func(file string) string { return strings.TrimSuffix(file, ".eml") + "." + run + "@integration.test" }
	sender := s.sender(t)
	logPath := filepath.Join(t.TempDir(), "anmalan.log")
	d := startDaemon(t, cfg, logPath)
	handled := 0
	// wave sends mails and waits until the bot has handled (moved or
	// flagged) every mail so far.
	wave := func(name string, send func() int) {
		t.Helper()
		handled += send()
		waitFor(t, 3*time.Minute, func() string { return name + ": the bot did not handle every mail; log:\n" + logTail(logPath, 30) }, func() bool {
			inbox := s.fetchAll(t, bot, "INBOX", false)
			for _, f := range inbox {
				if !hasFlag(f.Flags, "$AnmalanManual") && !hasFlag(f.Flags, "$Anmalan") {
					return false
				}
			}
			return len(inbox)+s.countIn(t, bot, "Behandlade") == handled
		})
	}
	sendCorpus := func(file string) {
		raw, err := os.ReadFile(filepath.Join(corpusDir, file))
		if err != nil {
			t.Fatal(err)
		}
		raw = rewriteHeader(raw, "Message-ID", "<"+idOf(file)+">")
		raw = rewriteHeader(raw, "Date", time.Now().Format(time.RFC1123Z))
		from := "someone@integration.test"
		if m, err := gomail.CreateReader(bytes.NewReader(raw)); err == nil {
			if a, err := m.Header.AddressList("From"); err == nil && len(a) > 0 {
				from = a[0].Address
			}
		}
		if expect[file].Kind == "command" {
			// An organiser's command carries the trusted server's
			// Authentication-Results, which only that server may write:
			// Postfix here strips such fields from arriving mail (RFC
			// 8601 §5) and adds none, having no DMARC milter, so the mail
			// is put into the inbox as that server would deliver it.
			s.appendMails(t, bot, [][]byte{raw})
			return
		}
		sender.Send(t, from, raw, bot)
	}
	isChange := func(e corpusExpect) bool { return e.Kind == "command" || e.Kind == "cancellation" }

	wantPeople := map[string]string{} // email -> Message-ID of the mail that registered them
	wave("corpus", func() int {
		n := 0
		for _, f := range files {
			if exp := expect[f]; !isChange(exp) {
				sendCorpus(f)
				n++
				if exp.Kind == "registration" {
					for _, p := range exp.People {
						wantPeople[strings.ToLower(p.Email)] = idOf(f)
					}
				}
			}
		}
		return n
	})
	gen := 20
	wave("generated", func() int {
		for i := range gen {
			addr := fmt.Sprintf("%s-%02d@deltagare.example", run, i)
			raw, id := simpleMail(fmt.Sprintf("Deltagare %d <%s>", i, addr), bot, "Anmälan "+title,
				fmt.Sprintf("Hej!\n\nJag anmäler mig till %s.\n\nDeltagare %d\n", title, i))
			sender.Send(t, addr, raw, bot)
			wantPeople[addr] = id
		}
		return gen
	})
	people := len(wantPeople)
	if people <= seats {
		t.Fatalf("test setup: %d people for %d seats; want some on the waiting list", people, seats)
	}
	// Every person's answer is in their mailbox.
	got := map[string][]Reply{}
	waitFor(t, 3*time.Minute, func() string {
		var missing []string
		for p := range wantPeople {
			if len(got[p]) == 0 {
				missing = append(missing, p)
			}
		}
		return fmt.Sprintf("no answer reached %v; log:\n%s", missing, logTail(logPath, 30))
	}, func() bool {
		for p, id := range wantPeople {
			if len(got[p]) == 0 {
				// Someone who registered others gets a copy of their
				// answers; only the answers addressed to p are p's.
				for _, r := range s.repliesTo(t, p, map[string]bool{id: true}) {
					if r.addressedTo(p) {
						got[p] = append(got[p], r)
					}
				}
			}
		}
		for p := range wantPeople {
			if len(got[p]) == 0 {
				return false
			}
		}
		return true
	})
	var changes []string
	wave("changes", func() int {
		for _, f := range files {
			if isChange(expect[f]) {
				sendCorpus(f)
				changes = append(changes, f)
			}
		}
		return len(changes)
	})
	// The changes' answers reach their mailboxes before the daemon stops.
	org := "linda.karlsson@goteborgsregionen.example"
	ids := map[string]bool{}
	for _, f := range files {
		ids[idOf(f)] = true
	}
	var orgReplies []Reply
	var orgKinds []string // of every mail from this bot to the organiser
	waitFor(t, 2*time.Minute, func() string { return fmt.Sprintf("organiser got %v", orgKinds) }, func() bool {
		orgKinds = nil
		for _, f := range s.fetchAll(t, org, "INBOX", false) {
			if strings.Contains(f.Header.Get("From"), bot) {
				orgKinds = append(orgKinds, f.Header.Get("X-Anmalan-Kind"))
			}
		}
		return len(orgKinds) >= 3
	})
	orgReplies = s.repliesTo(t, org, ids)
	d.Stop(t)

	confirmed, waiting := 0, 0
	for p, rs := range got {
		if len(rs) != 1 {
			t.Errorf("%s got %d answers to their registration, want 1: %+v", p, len(rs), rs)
			continue
		}
		r := rs[0]
		if r.AutoSubmitted != "auto-replied" {
			t.Errorf("answer to %s has Auto-Submitted %q", p, r.AutoSubmitted)
		}
		if !strings.Contains(r.Subject, title) {
			t.Errorf("answer to %s has subject %q, without the event's title", p, r.Subject)
		}
		switch r.Kind {
		case "confirmation":
			confirmed++
			if len(r.Attachments) != 2 || !strings.HasSuffix(r.Attachments[0], ".pdf") || !strings.HasSuffix(r.Attachments[1], ".ics") {
				t.Errorf("confirmation to %s has attachments %v, want the .pdf and the .ics", p, r.Attachments)
			}
			if !strings.HasPrefix(r.Subject, "Bekräftelse: ") && !strings.HasPrefix(r.Subject, "Confirmed: ") {
				t.Errorf("confirmation to %s has subject %q", p, r.Subject)
			}
		case "waiting":
			waiting++
			if len(r.Attachments) != 0 {
				t.Errorf("waiting-list answer to %s has attachments %v", p, r.Attachments)
			}
			if !strings.HasPrefix(wantPeople[p], run+"-") && !strings.Contains(wantPeople[p], "@integration.test") {
				t.Errorf("%s of the corpus, who wrote first, is on the waiting list", p)
			}
		default:
			t.Errorf("answer to %s is a %q, want a confirmation or a waiting-list place", p, r.Kind)
		}
	}
	if confirmed != seats || waiting != people-seats {
		t.Errorf("%d confirmed and %d waiting; want %d and %d", confirmed, waiting, seats, people-seats)
	}
	t.Logf("%d people: %d confirmations with .pdf and .ics, %d waiting-list answers", people, confirmed, waiting)

	// The organiser: a copy of the answer to her forward (v11), her
	// answer to her substitution (v08), and a warning about the forged
	// command in her name (v16).
	byMail := map[string][]string{}
	for _, r := range orgReplies {
		byMail[strings.TrimSuffix(r.InReplyTo, "."+run+"@integration.test")] = append(byMail[strings.TrimSuffix(r.InReplyTo, "."+run+"@integration.test")], r.Kind)
	}
	for _, f := range []string{"v11-organiser-forward", "v08-organiser-cc-substitution"} {
		if len(byMail[f]) == 0 {
			t.Errorf("organiser got nothing in the thread of %s; she got %v", f, byMail)
		}
	}
	// The warning about the forged command is a mail of its own, not an
	// answer in the forger's thread.
	if !slices.Contains(orgKinds, "forged") {
		t.Errorf("organiser got %v, without a warning about the forged command", orgKinds)
	}
	t.Logf("organiser got %v; in the threads of the corpus: %v", orgKinds, byMail)
	for _, f := range changes {
		for _, p := range expect[f].People {
			t.Logf("%s: %s got %v", f, p.Email, kindsOf(s.repliesTo(t, p.Email, map[string]bool{idOf(f): true})))
		}
	}
	// Nobody gets an answer to automatic mail or to the question.
	for name, exp := range expect {
		if exp.Kind != "automatic" && exp.Kind != "other" {
			continue
		}
		for _, p := range append(exp.People, corpusPerson{Email: org}) {
			if rs := s.repliesTo(t, p.Email, map[string]bool{idOf(name): true}); len(rs) > 0 {
				t.Errorf("%s (%s) was answered: %+v", name, exp.Kind, rs)
			}
		}
	}

	// The export lists everyone: the substitution (v08) gave Karin Ek's
	// seat to Per Ström; the forged command (v16) changed nothing.
	out, stderr, err := anmalan(t, "export", "-config", cfg, "-event", "segregation", "-format", "csv")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, out)
	}
	exported := map[string]string{}
	for _, row := range rows[1:] {
		exported[strings.ToLower(row[3])] = row[0]
	}
	for p, rs := range got {
		want := map[string]string{"confirmation": "confirmed", "waiting": "waiting"}[rs[0].Kind]
		switch p {
		case "karin.ek@molndal.example":
			want = "cancelled"
		}
		if exported[p] != want {
			t.Errorf("export says %s is %q, want %q", p, exported[p], want)
		}
	}
	if exported["per.strom@molndal.example"] != "confirmed" {
		t.Errorf("export says Per Ström (Karin Ek's substitute) is %q, want confirmed", exported["per.strom@molndal.example"])
	}
	if len(rows) != people+2 {
		t.Errorf("export has %d rows, want a header and %d people (with the substitute):\n%s", len(rows), people+1, out)
	}
	st, _, err := anmalan(t, "status", "-config", cfg)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	t.Logf("status:\n%s", st)
}

func kindsOf(rs []Reply) []string {
	var k []string
	for _, r := range rs {
		k = append(k, r.Kind)
	}
	return k
}

func hasFlag(flags []imap.Flag, want string) bool {
	for _, f := range flags {
		if strings.EqualFold(string(f), want) {
			return true
		}
	}
	return false
}

// nextDecember11 returns 13:00 Stockholm time on the first 11 December
// at least three days after now.
func nextDecember11(now time.Time) time.Time {
	loc, _ := time.LoadLocation("Europe/Stockholm")
	d := time.Date(now.Year(), time.December, 11, 13, 0, 0, 0, loc)
	if d.Before(now.Add(72 * time.Hour)) {
		d = d.AddDate(1, 0, 0)
	}
	return d
}
