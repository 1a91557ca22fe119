package integration

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
)

// backlog is a bot mailbox filled with human registrations for several
// events and automatic mail mixed in.
type backlog struct {
	raws      [][]byte
	humans    map[string]string // Message-ID -> the participant's address
	automatic map[string]bool   // Message-IDs of automatic mail
	events    []EventSpec
}

// makeBacklog returns n mails: registrations from addresses
// local+pNNNN@deltagare.example (all delivered to the one mailbox
// local@deltagare.example, so one login reads every answer), spread over
// the events by keyword, and every automaticEvery-th one a bounce or an
// auto-reply from the sisimai corpus.
func makeBacklog(t testing.TB, rng *rand.Rand, local, bot string, n, automaticEvery int, events []EventSpec) backlog {
	t.Helper()
	autoDir := "../testdata/corpus/automatic-sisimai"
	entries, err := os.ReadDir(autoDir)
	if err != nil {
		t.Fatal(err)
	}
	var autos [][]byte
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			raw, err := os.ReadFile(filepath.Join(autoDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			autos = append(autos, raw)
		}
	}
	b := backlog{humans: map[string]string{}, automatic: map[string]bool{}, events: events}
	for i := range n {
		id := fmt.Sprintf("%s-%05d@integration.test", local, i)
		if automaticEvery > 0 && i%automaticEvery == automaticEvery-1 {
			raw := rewriteHeader(autos[rng.IntN(len(autos))], "Message-ID", "<"+id+">")
			b.raws = append(b.raws, raw)
			b.automatic[id] = true
			continue
		}
		addr := fmt.Sprintf("%s+p%05d@deltagare.example", local, i)
		ev := events[rng.IntN(len(events))]
		raw, _ := simpleMail(fmt.Sprintf("Deltagare %d <%s>", i, addr), bot, "Anmälan till "+ev.Title,
			fmt.Sprintf("Hej!\n\nJag vill anmäla mig till %s.\n\nMed vänlig hälsning\nDeltagare %d\n", ev.Title, i))
		raw = rewriteHeader(raw, "Message-ID", "<"+id+">")
		b.raws = append(b.raws, raw)
		b.humans[id] = addr
	}
	return b
}

// crashSeed returns the seed from $ANMALAN_CRASH_SEED, or a new one.
func crashSeed(t testing.TB) uint64 {
	if s := os.Getenv("ANMALAN_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ANMALAN_CRASH_SEED=%q: %v", s, err)
		}
		return v
	}
	return rand.Uint64()
}

// TestCrashes kills the daemon with SIGKILL at random moments while it
// drains a backlog of 2,000 mails for events with fewer seats than mails,
// 20 times, restarting it each time, and then checks what the design
// promises: no registration lost, never more confirmed than seats, every
// human mail answered at least once, duplicates (same Message-ID) no more
// than the kills, no automatic mail answered, and a sound database.
func TestCrashes(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	seed := crashSeed(t)
	t.Logf("seed %d (rerun with ANMALAN_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))

	const mails, kills, seats = 2000, 20, 300
	local := randomLocal("crash")
	bot := randomLocal("bot-crash") + "@" + botDomain
	events := []EventSpec{
		{ID: "alfa", Title: "Workshop Alfa", Seats: seats, Keywords: []string{"alfa"}},
		{ID: "bravo", Title: "Workshop Bravo", Seats: seats, Keywords: []string{"bravo"}},
		{ID: "kilo", Title: "Workshop Kilo", Seats: seats, Keywords: []string{"kilo"}},
		{ID: "tango", Title: "Workshop Tango", Seats: seats, Keywords: []string{"tango"}},
	}
	bl := makeBacklog(t, rng, local, bot, mails, 20, events)
	start := time.Now()
	s.appendMails(t, bot, bl.raws)
	t.Logf("appended %d mails (%d human, %d automatic) in %v", mails, len(bl.humans), len(bl.automatic), time.Since(start).Round(time.Millisecond))

	dir := t.TempDir()
	dbPath := filepath.Join(dir, "anmalan.db")
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, Events: events, Database: dbPath, MaxReplies: 1000})
	logPath := filepath.Join(dir, "anmalan.log")

	start = time.Now()
	for i := range kills {
		d := startDaemon(t, cfg, logPath)
		// Between 50 ms (still starting) and 1.5 s (deep in a drain or
		// a delivery round).
		wait := time.Duration(50+rng.IntN(1450)) * time.Millisecond
		time.Sleep(wait)
		if d.Exited() {
			t.Fatalf("kill %d: anmalan exited by itself; log:\n%s", i+1, logTail(logPath, 20))
		}
		d.Kill()
	}
	t.Logf("%d kills in %v", kills, time.Since(start).Round(time.Millisecond))

	d := startDaemon(t, cfg, logPath)
	db := openDB(t, dbPath)
	waitFor(t, 5*time.Minute, func() string { return "the backlog was not drained; log:\n" + logTail(logPath, 20) }, func() bool {
		var done, pending int
		if err := db.QueryRow(`SELECT COUNT(*) FROM mails WHERE done = 1`).Scan(&done); err != nil {
			return false
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'pending'`).Scan(&pending); err != nil {
			return false
		}
		return done == mails && pending == 0
	})
	d.Stop(t)
	t.Logf("drained after the kills in %v", time.Since(start).Round(time.Millisecond))

	// No registration lost: every human mail's person is registered.
	registered := map[string]bool{}
	rows, err := db.Query(`SELECT lower(email) FROM registrations WHERE status <> 'cancelled'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		registered[e] = true
	}
	rows.Close()
	lost := 0
	for _, addr := range bl.humans {
		if !registered[strings.ToLower(addr)] {
			lost++
		}
	}
	if lost > 0 || len(registered) != len(bl.humans) {
		t.Errorf("%d of %d people lost; %d registrations", lost, len(bl.humans), len(registered))
	}
	// Never more confirmed than seats; the events are oversubscribed, so
	// exactly the seats are taken.
	for _, ev := range events {
		c := queryInt(t, db, `SELECT COUNT(*) FROM registrations WHERE event_id = ? AND status = 'confirmed'`, ev.ID)
		w := queryInt(t, db, `SELECT COUNT(*) FROM registrations WHERE event_id = ? AND status = 'waiting'`, ev.ID)
		if c != ev.Seats {
			t.Errorf("event %s: %d confirmed for %d seats (%d waiting)", ev.ID, c, ev.Seats, w)
		}
	}
	// No automatic mail answered.
	for id := range bl.automatic {
		var outcome string
		if err := db.QueryRow(`SELECT outcome FROM mails WHERE key = ?`, id).Scan(&outcome); err != nil {
			t.Errorf("automatic mail %s not recorded: %v", id, err)
			continue
		}
		if outcome != "automatic" {
			t.Errorf("automatic mail %s has outcome %q", id, outcome)
		}
		if n := queryInt(t, db, `SELECT COUNT(*) FROM outbox o JOIN mails m ON m.id = o.mail_id WHERE m.key = ?`, id); n > 0 {
			t.Errorf("automatic mail %s was answered %d times", id, n)
		}
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM outbox WHERE status = 'failed'`); n > 0 {
		t.Errorf("%d replies failed", n)
	}
	checkIntegrity(t, db)

	// Every human mail answered at least once; duplicates (the same
	// Message-ID delivered again after a kill) no more than one per SMTP
	// transaction a kill can cut: the outbox sends over
	// config.DefaultSMTPConnections connections, each with one reply in
	// flight whose acceptance may not yet be recorded.
	inbox := local + "@deltagare.example"
	var replies []Fetched
	waitFor(t, 3*time.Minute, func() string {
		return fmt.Sprintf("%d answers arrived for %d human mails", len(replies), len(bl.humans))
	}, func() bool {
		replies = s.fetchAll(t, inbox, "INBOX", false)
		return len(answered(replies, bl.humans)) == len(bl.humans)
	})
	perID := map[string]int{}
	for _, f := range replies {
		perID[f.MessageID()]++
	}
	dups := 0
	for _, n := range perID {
		dups += n - 1
	}
	if dups > kills*config.DefaultSMTPConnections {
		t.Errorf("%d duplicate answers after %d kills over %d connections", dups, kills, config.DefaultSMTPConnections)
	}
	t.Logf("%d answers for %d human mails, %d duplicates after %d kills; %d automatic mails unanswered",
		len(replies), len(bl.humans), dups, kills, len(bl.automatic))
}

// answered returns the human mails that some reply answers.
func answered(replies []Fetched, humans map[string]string) map[string]bool {
	got := map[string]bool{}
	for _, f := range replies {
		if _, ok := humans[f.InReplyTo()]; ok {
			got[f.InReplyTo()] = true
		}
	}
	return got
}

// checkIntegrity fails the test unless SQLite finds the database sound.
func checkIntegrity(t testing.TB, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var res []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		res = append(res, s)
	}
	sort.Strings(res)
	if len(res) != 1 || res[0] != "ok" {
		t.Errorf("PRAGMA integrity_check = %v", res)
	}
}

// newRand returns a generator seeded from $ANMALAN_CRASH_SEED or afresh,
// the seed logged.
func newRand(t testing.TB) *rand.Rand {
	seed := crashSeed(t)
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x5eed))
}
