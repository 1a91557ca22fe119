package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestFaultSMTPDown keeps the SMTP server away for 45 s while participants
// write, some of them several times: every reply is delivered once the
// server is back, each participant's in the order of their mails, none
// dropped.
func TestFaultSMTPDown(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	r := startRelay(t, s.SMTP)
	r.down.Store(true)
	bot := randomLocal("bot-smtpdown") + "@" + botDomain
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, SMTP: r.addr, Events: []EventSpec{
		{ID: "alfa", Title: "Kurs Alfa", Seats: 10, Keywords: []string{"alfa"}},
		{ID: "bravo", Title: "Kurs Bravo", Seats: 10, Keywords: []string{"bravo"}},
	}})
	logPath := filepath.Join(t.TempDir(), "anmalan.log")
	d := startDaemon(t, cfg, logPath)

	p := []string{
		randomLocal("p1") + "@deltagare.example",
		randomLocal("p2") + "@deltagare.example",
		randomLocal("p3") + "@deltagare.example",
	}
	// Three waves, 15 s apart, while the server is away; p1 writes in
	// every wave, so its replies queue behind each other.
	waves := [][][2]string{
		{{p[0], "Kurs Alfa"}, {p[1], "Kurs Alfa"}},
		{{p[0], "Kurs Bravo"}, {p[2], "Kurs Alfa"}},
		{{p[0], "Kurs Alfa"}, {p[1], "Kurs Bravo"}},
	}
	sent := map[string][]string{} // participant -> Message-IDs in the order written
	total := 0
	snd := s.sender(t)
	for i, wave := range waves {
		if i > 0 {
			time.Sleep(15 * time.Second)
		}
		for _, w := range wave {
			raw, id := simpleMail(w[0], bot, "Anmälan till "+w[1], "Hej! Jag anmäler mig till "+w[1]+".\n")
			snd.Send(t, w[0], raw, bot)
			sent[w[0]] = append(sent[w[0]], id)
			total++
		}
	}
	time.Sleep(15 * time.Second)
	if n := len(r.mails()); n != 0 {
		t.Fatalf("%d mails got through while the server was away", n)
	}
	r.down.Store(false)
	t.Logf("server back after 45 s; %d replies queued", total)

	// The first retry comes a minute after the first failure.
	waitFor(t, 5*time.Minute, func() string {
		return fmt.Sprintf("%d of %d replies delivered; log:\n%s", len(r.mails()), total, logTail(logPath, 20))
	}, func() bool { return len(r.mails()) >= total })
	d.Stop(t)

	got := map[string][]string{}
	for _, m := range r.mails() {
		for _, rc := range m.Rcpts {
			got[strings.ToLower(rc)] = append(got[strings.ToLower(rc)], m.InReplyTo)
		}
	}
	for who, ids := range sent {
		if !slices.Equal(got[who], ids) {
			t.Errorf("%s got answers to %v, want %v (every mail, in order)", who, got[who], ids)
		}
	}
	db := openDB(t, dbOf(t, cfg))
	if n := queryInt(t, db, `SELECT COUNT(*) FROM outbox WHERE status = 'sent'`); n != total {
		t.Errorf("%d replies recorded as sent, want %d", n, total)
	}
	retried := queryInt(t, db, `SELECT COUNT(*) FROM outbox WHERE attempts > 0`)
	t.Logf("%d replies delivered in order per recipient; %d of them after retries", total, retried)
	// And they reach the mailboxes.
	for who, ids := range sent {
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		waitFor(t, 2*time.Minute, func() string { return who + " did not get every answer" }, func() bool {
			return len(s.repliesTo(t, who, want)) == len(ids)
		})
	}
}

// TestFaultSMTPRefusals makes the server answer 4xx for some recipients
// once and 5xx for one for good: the first are delivered on retry, the
// last is recorded as failed, shown by status and told to the organiser,
// and everyone else is unaffected.
func TestFaultSMTPRefusals(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	r := startRelay(t, s.SMTP)
	temp := []string{randomLocal("temp1") + "@deltagare.example", randomLocal("temp2") + "@deltagare.example"}
	perm := randomLocal("perm") + "@deltagare.example"
	ok := []string{randomLocal("ok1") + "@deltagare.example", randomLocal("ok2") + "@deltagare.example"}
	var mu sync.Mutex
	tries := map[string]int{}
	r.rcpt = func(addr string) *smtp.SMTPError {
		mu.Lock()
		defer mu.Unlock()
		tries[addr]++
		switch {
		case addr == perm:
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user (test)"}
		case slices.Contains(temp, addr) && tries[addr] == 1:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "try again later (test)"}
		}
		return nil
	}
	bot := randomLocal("bot-refuse") + "@" + botDomain
	org := randomLocal("org") + "@" + botDomain
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, SMTP: r.addr, Organiser: org,
		Events: []EventSpec{{ID: "kurs", Title: "Kurs Alfa", Seats: 10}}})
	logPath := filepath.Join(t.TempDir(), "anmalan.log")
	snd := s.sender(t)
	all := append(append(append([]string{}, temp...), perm), ok...)
	for _, who := range all {
		raw, _ := simpleMail(who, bot, "Anmälan", "Hej! Jag anmäler mig till Kurs Alfa.\n")
		snd.Send(t, who, raw, bot)
	}
	d := startDaemon(t, cfg, logPath)
	waitFor(t, 4*time.Minute, func() string {
		return fmt.Sprintf("delivered %+v; log:\n%s", r.mails(), logTail(logPath, 20))
	}, func() bool {
		// Both retried replies and the organiser's notice are through.
		kinds := map[string]int{}
		for _, m := range r.mails() {
			kinds[m.Kind]++
		}
		return kinds["confirmation"] == len(temp)+len(ok) && kinds["undeliverable"] == 1
	})
	d.Stop(t)

	to := map[string]int{}
	for _, m := range r.mails() {
		for _, rc := range m.Rcpts {
			to[strings.ToLower(rc)]++
		}
	}
	for _, who := range append(append([]string{}, temp...), ok...) {
		if to[who] != 1 {
			t.Errorf("%s got %d replies, want 1", who, to[who])
		}
	}
	if to[perm] != 0 {
		t.Errorf("the refused address got %d replies", to[perm])
	}
	mu.Lock()
	for _, who := range temp {
		if tries[who] != 2 {
			t.Errorf("%s was tried %d times, want 2 (refused once, then accepted)", who, tries[who])
		}
	}
	mu.Unlock()

	db := openDB(t, dbOf(t, cfg))
	var status, lastErr string
	if err := db.QueryRow(`SELECT status, last_error FROM outbox WHERE recipients LIKE ?`, "%"+perm+"%").Scan(&status, &lastErr); err != nil {
		t.Fatal(err)
	}
	if status != "failed" || !strings.Contains(lastErr, "550") {
		t.Errorf("reply to the refused address is %s (%s), want failed with the 550", status, lastErr)
	}
	out, _, err := anmalan(t, "status", "-config", cfg)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if !strings.Contains(out, "1 failed") || !strings.Contains(out, perm) {
		t.Errorf("status does not show the failed reply:\n%s", out)
	}
	// The organiser's own mailbox holds the notice, naming the address.
	var notice []Fetched
	waitFor(t, 2*time.Minute, func() string { return "no notice reached the organiser" }, func() bool {
		notice = s.fetchAll(t, org, "INBOX", true)
		return len(notice) > 0
	})
	if len(notice) != 1 || !strings.Contains(string(notice[0].Raw), perm) || notice[0].Header.Get("X-Anmalan-Kind") != "undeliverable" {
		t.Errorf("organiser's mailbox holds %d mails; want one undeliverable notice naming %s", len(notice), perm)
	} else {
		t.Logf("organiser told: %q", notice[0].Subject())
	}
}

// TestFaultIMAPRestart cuts every IMAP connection, as a server restart
// does, again and again while the daemon drains a backlog (mid-FETCH) and
// while it waits for new mail (between polls, or in IDLE where the intake
// uses it): no mail is missed and none answered twice.
func TestFaultIMAPRestart(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	proxy := startProxy(t, s.IMAP)
	local := randomLocal("imapcut")
	bot := randomLocal("bot-imapcut") + "@" + botDomain
	events := []EventSpec{{ID: "kurs", Title: "Kurs Alfa", Seats: 100, Keywords: []string{"alfa"}}}
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, IMAP: proxy.addr, Events: events, MaxReplies: 1000})
	rng := newRand(t)
	first := makeBacklog(t, rng, local, bot, 600, 0, events)
	s.appendMails(t, bot, first.raws)
	logPath := filepath.Join(t.TempDir(), "anmalan.log")
	d := startDaemon(t, cfg, logPath)
	db := openDB(t, dbOf(t, cfg))
	done := func() int {
		var n int
		_ = db.QueryRow(`SELECT COUNT(*) FROM mails WHERE done = 1`).Scan(&n)
		return n
	}
	// Mid-FETCH: cut while the backlog drains.
	cuts := 0
	for done() < len(first.raws) && cuts < 10 {
		time.Sleep(300 * time.Millisecond)
		if proxy.cut() > 0 {
			cuts++
		}
	}
	waitFor(t, 3*time.Minute, func() string { return "backlog not drained; log:\n" + logTail(logPath, 20) },
		func() bool { return done() == len(first.raws) })
	// Mid-wait: cut while the daemon waits for mail, then more arrives.
	time.Sleep(2 * time.Second)
	idleCuts := proxy.cut()
	second := makeBacklog(t, rng, local+"b", bot, 50, 0, events)
	s.appendMails(t, bot, second.raws)
	time.Sleep(500 * time.Millisecond)
	idleCuts += proxy.cut()
	total := len(first.raws) + len(second.raws)
	waitFor(t, 3*time.Minute, func() string { return "new mail not handled; log:\n" + logTail(logPath, 20) },
		func() bool {
			var pending int
			_ = db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'pending'`).Scan(&pending)
			return done() == total && pending == 0
		})
	d.Stop(t)

	if n := queryInt(t, db, `SELECT COUNT(*) FROM (SELECT mail_id FROM outbox GROUP BY mail_id HAVING COUNT(*) > 1)`); n > 0 {
		t.Errorf("%d mails were answered more than once", n)
	}
	if n := queryInt(t, db, `SELECT COUNT(DISTINCT mail_id) FROM outbox`); n != total {
		t.Errorf("%d mails answered, want %d", n, total)
	}
	// Every participant's mailbox got exactly one answer per mail.
	for _, bl := range []backlog{first, second} {
		inbox := strings.SplitN(firstValue(bl.humans), "+", 2)[0] + "@deltagare.example"
		var replies []Fetched
		waitFor(t, 2*time.Minute, func() string { return fmt.Sprintf("%d answers in %s", len(replies), inbox) }, func() bool {
			replies = s.fetchAll(t, inbox, "INBOX", false)
			return len(replies) >= len(bl.humans)
		})
		if len(replies) != len(bl.humans) || len(answered(replies, bl.humans)) != len(bl.humans) {
			t.Errorf("%s holds %d answers for %d mails", inbox, len(replies), len(bl.humans))
		}
	}
	t.Logf("%d mails, each answered once, across %d cuts while draining (mid-FETCH) and %d while waiting in IDLE",
		total, cuts, idleCuts)
}

func firstValue(m map[string]string) string {
	for _, v := range m {
		return v
	}
	return ""
}

// TestFaultDiskFull puts the database on an 8 MB tmpfs (2 MB is less than
// the write-ahead log of 20 mails needs before its first checkpoint) and fills it while
// the daemon runs: a clear error, the mail stays unprocessed in the inbox,
// the database stays sound, and processing resumes when space returns.
func TestFaultDiskFull(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("cannot mount a tmpfs (needs root): %v %s", err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", mnt).Run() })
	bot := randomLocal("bot-diskfull") + "@" + botDomain
	dbPath := filepath.Join(mnt, "anmalan.db")
	events := []EventSpec{{ID: "kurs", Title: "Kurs Alfa", Seats: 100, Keywords: []string{"alfa"}}}
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, Events: events, Database: dbPath})
	logPath := filepath.Join(t.TempDir(), "anmalan.log")
	d := startDaemon(t, cfg, logPath)
	waitFor(t, time.Minute, func() string { return "the daemon did not start; log:\n" + logTail(logPath, 10) }, func() bool {
		b, _ := os.ReadFile(logPath)
		return strings.Contains(string(b), "anmalan running")
	})
	time.Sleep(time.Second) // past its first, empty round
	filler := filepath.Join(mnt, "filler")
	fillDisk(t, filler)

	local := randomLocal("diskfull")
	bl := makeBacklog(t, newRand(t), local, bot, 20, 0, events)
	// Through Postfix, as mail arrives in production.
	snd := s.sender(t)
	for id, raw := range bl.raws {
		snd.Send(t, fmt.Sprintf("%s+p%05d@deltagare.example", local, id), raw, bot)
	}
	waitFor(t, time.Minute, func() string { return "the mail did not arrive" }, func() bool { return s.countIn(t, bot, "INBOX") == len(bl.raws) })
	var failure string
	waitFor(t, time.Minute, func() string {
		// Where is it? A goroutine dump goes to the log.
		_ = d.cmd.Process.Signal(syscall.SIGQUIT)
		time.Sleep(time.Second)
		return "no failure logged; log:\n" + logTail(logPath, 300)
	}, func() bool {
		for _, l := range strings.Split(logTail(logPath, 50), "\n") {
			// The config's warnings at start (the dmarc mode's
			// precondition) are not the failure.
			if strings.Contains(l, `"msg":"config"`) {
				continue
			}
			if strings.Contains(l, `"level":"WARN"`) || strings.Contains(l, `"level":"ERROR"`) {
				failure = l
				return true
			}
		}
		return false
	})
	t.Logf("on a full disk the daemon logs: %s", failure)
	if !strings.Contains(strings.ToLower(failure), "full") {
		t.Errorf("the error does not say the disk is full: %s", failure)
	}
	// A few more rounds on the full disk: the mail must neither be marked
	// nor worn down to "left for a human".
	time.Sleep(12 * time.Second)
	inbox := s.fetchAll(t, bot, "INBOX", false)
	if len(inbox) != len(bl.raws) {
		t.Errorf("INBOX holds %d mails, want all %d left there", len(inbox), len(bl.raws))
	}
	for _, f := range inbox {
		if hasFlag(f.Flags, "$Anmalan") || hasFlag(f.Flags, "$AnmalanManual") || hasFlag(f.Flags, `\Seen`) {
			t.Errorf("mail uid %d was marked (%v) although nothing could be recorded", f.UID, f.Flags)
		}
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, dbPath)
	waitFor(t, 2*time.Minute, func() string {
		df, _ := exec.Command("ls", "-la", mnt).CombinedOutput()
		return "processing did not resume; " + string(df) + "log:\n" + logTail(logPath, 3)
	}, func() bool {
		var n int
		_ = db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'sent'`).Scan(&n)
		return n == len(bl.raws) && s.countIn(t, bot, "INBOX") == 0
	})
	d.Stop(t)
	checkIntegrity(t, db)
	if n := queryInt(t, db, `SELECT COUNT(*) FROM mails WHERE done = 1 AND outcome = 'registered'`); n != len(bl.raws) {
		t.Errorf("%d of %d mails registered after space returned", n, len(bl.raws))
	}
	t.Logf("after space returned: %d mails registered and answered, integrity ok", len(bl.raws))
}

// fillDisk writes path until the file system is full.
func fillDisk(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			return
		}
	}
}
