package integration

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/message"
)

// TestAuthorityOnTheRealStack holds failures 2 to 5 of issue 13 on Dovecot
// and Postfix: a forged trusted Authentication-Results sent through Postfix
// is removed (scripts/mailstack.sh strips it, as RFC 8601 §5 asks of a
// receiving server) and the command refused; a forged From changes
// nothing; a third party neither learns of nor cancels another's
// registration; a participant naming someone else cancels nobody.
func TestAuthorityOnTheRealStack(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	bot := randomLocal("bot-auth") + "@" + botDomain
	org := randomLocal("linda") + "@goteborgsregionen.example"
	run := randomLocal("p")
	anna, per, dora, eve := run+"-anna@ale.example", run+"-per@ale.example", run+"-dora@ale.example", run+"-eve@evil.example"
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, Organiser: org, Events: []EventSpec{{ID: "ws", Title: "Workshop", Seats: 10}}})
	dbPath := filepath.Join(filepath.Dir(cfg), "anmalan.db")
	logPath := filepath.Join(t.TempDir(), "anmalan.log")
	d := startDaemon(t, cfg, logPath)
	defer d.Stop(t)
	sender := s.sender(t)

	kinds := func(addr string) []string {
		var out []string
		for _, f := range s.fetchAll(t, addr, "INBOX", false) {
			if f.Header.Get("From") != "" && strings.Contains(f.Header.Get("From"), bot) {
				out = append(out, f.Header.Get("X-Anmalan-Kind"))
			}
		}
		return out
	}
	waitKinds := func(addr string, n int) []string {
		t.Helper()
		var k []string
		waitFor(t, 2*time.Minute, func() string {
			return fmt.Sprintf("%s got %q, want %d mails; log:\n%s", addr, k, n, logTail(logPath, 20))
		}, func() bool { k = kinds(addr); return len(k) >= n })
		return k
	}
	status := func(addr string) string {
		t.Helper()
		db := openDB(t, dbPath)
		defer db.Close()
		var st string
		if err := db.QueryRow(`SELECT status FROM registrations WHERE email = ? ORDER BY id DESC LIMIT 1`, addr).Scan(&st); err != nil {
			return "none"
		}
		return st
	}
	handled := func(n int) {
		t.Helper()
		waitFor(t, 2*time.Minute, func() string { return "the bot did not handle the mail; log:\n" + logTail(logPath, 20) }, func() bool {
			db := openDB(t, dbPath)
			defer db.Close()
			return queryInt(t, db, `SELECT COUNT(*) FROM mails WHERE done = 1`) >= n
		})
	}

	mails := 0
	for _, p := range []string{anna, per, dora} {
		raw, _ := simpleMail("Deltagare <"+p+">", bot, "Anmälan Workshop", "Hej!\n\nJag anmäler mig till Workshop.\n")
		sender.Send(t, p, raw, bot)
		mails++
	}
	for _, p := range []string{anna, per, dora} {
		if k := waitKinds(p, 1); k[0] != "confirmation" {
			t.Fatalf("%s got %q", p, k)
		}
	}

	// Failure 2: the forged trusted field is removed by Postfix; another
	// server's field is kept; the command is refused and warned about.
	forged, forgedID := simpleMail("Linda Karlsson <"+org+">", bot, "Ändringar", "Avanmäl "+anna+".\n\n/Linda",
		"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=goteborgsregionen.example",
		"Authentication-Results: relay.integration.test; spf=pass smtp.mailfrom=evil.example")
	sender.Send(t, eve, forged, bot)
	mails++
	// Failure 3: a pass about another domain, and two addresses in From.
	twoFrom, _ := simpleMail("Linda Karlsson <"+org+">, "+eve, bot, "Ändringar", "Avanmäl "+per+".\n\n/Linda",
		"Authentication-Results: mx.goteborgsregionen.example; dmarc=pass header.from=evil.example")
	sender.Send(t, eve, twoFrom, bot)
	mails++
	handled(mails)
	var delivered []Fetched
	for _, box := range []string{"INBOX", "Behandlade"} {
		for _, f := range s.fetchAll(t, bot, box, false) {
			if f.MessageID() == forgedID {
				delivered = append(delivered, f)
			}
		}
	}
	if len(delivered) != 1 {
		t.Fatalf("the forged mail is %d times in the bot's mailbox", len(delivered))
	}
	ar := delivered[0].Header["Authentication-Results"]
	if slices.ContainsFunc(ar, func(v string) bool { return strings.Contains(v, "mx.goteborgsregionen.example") }) {
		t.Errorf("Postfix delivered the forged trusted field: %q", ar)
	}
	if !slices.ContainsFunc(ar, func(v string) bool { return strings.Contains(v, "relay.integration.test") }) {
		t.Errorf("Postfix removed another server's field too: %q", ar)
	}
	if st := status(anna); st != "confirmed" {
		t.Errorf("Anna is %s after a forged command, want confirmed", st)
	}
	if st := status(per); st != "confirmed" {
		t.Errorf("Per is %s after a forged command, want confirmed", st)
	}
	if k := waitKinds(org, 1); slices.Contains(k, "organiser") || !slices.Contains(k, "forged") {
		t.Errorf("the organiser got %q, want a forgery warning and no answer as done", k)
	}

	// Failure 4: Eve "registers" Dora, who is registered already.
	raw, _ := simpleMail("Eve <"+eve+">", bot, "Anmälan Workshop", "Hej!\n\nJag vill anmäla Dora Lund, "+dora+", till Workshop.\n\n/Eve")
	sender.Send(t, eve, raw, bot)
	mails++
	handled(mails)
	waitKinds(dora, 2)
	var already Fetched
	for _, f := range s.fetchAll(t, dora, "INBOX", false) {
		if f.Header.Get("X-Anmalan-Kind") == "already" {
			already = f
		}
	}
	if already.MessageID() == "" || already.Header.Get("Cc") != "" {
		t.Fatalf("Dora's answer: %q, Cc %q; want an already-registered answer to her alone", already.Header.Get("X-Anmalan-Kind"), already.Header.Get("Cc"))
	}
	// Eve hears that the bot wrote to Dora directly, and nothing of how
	// Dora stands: not her address, not her seat.
	if k := waitKinds(eve, 1); !slices.Contains(k, "tolddirectly") {
		t.Errorf("Eve got %q, want to be told that Dora was answered directly", k)
	}
	for _, f := range s.fetchAll(t, eve, "INBOX", true) {
		m, err := message.ReadMessage(f.Raw)
		if err != nil {
			t.Fatal(err)
		}
		raw := strings.ToLower(m.Subject + "\n" + m.Text)
		if f.Header.Get("X-Anmalan-Kind") != "tolddirectly" && strings.Contains(raw, "dora") {
			t.Errorf("Eve got a mail about Dora: %q", f.Subject())
		}
		for _, word := range []string{strings.ToLower(dora), "redan", "plats", "väntelist", "bekräftad"} {
			if strings.Contains(raw, word) {
				t.Errorf("Eve's %q says %q", f.Subject(), word)
			}
		}
	}
	reply, _ := simpleMail("Eve <"+eve+">", bot, "Re: "+already.Subject(), "Avanmäl Dora Lund ("+dora+").",
		"In-Reply-To: <"+already.MessageID()+">", "References: <"+already.MessageID()+">")
	sender.Send(t, eve, reply, bot)
	mails++

	// Failure 5: Per names Anna in a reply to his own confirmation.
	var perConf string
	for _, f := range s.fetchAll(t, per, "INBOX", false) {
		if f.Header.Get("X-Anmalan-Kind") == "confirmation" {
			perConf = f.MessageID()
		}
	}
	perReply, _ := simpleMail("Per <"+per+">", bot, "Re: Bekräftelse", "Hej, avanmäl Anna Ek ("+anna+").\n\n/Per",
		"In-Reply-To: <"+perConf+">", "References: <"+perConf+">")
	sender.Send(t, per, perReply, bot)
	mails++
	handled(mails)
	if k := waitKinds(per, 2); k[len(k)-1] != "notyours" {
		t.Errorf("Per got %q, want to be told that nothing changed", k)
	}
	for who, addr := range map[string]string{"Dora": dora, "Anna": anna, "Per": per} {
		if st := status(addr); st != "confirmed" {
			t.Errorf("%s is %s, want confirmed", who, st)
		}
	}
}
