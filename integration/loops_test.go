package integration

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// autoResponder answers every mail in its mailbox through Postfix, the
// worst real case: no Auto-Submitted, no Precedence, no In-Reply-To, and
// a text that registers again. It runs until ctx ends and counts what it
// sent.
type autoResponder struct {
	s         Stack
	addr, bot string
	title     string
	mu        sync.Mutex
	sent      int
}

func (r *autoResponder) run(ctx context.Context, t testing.TB) {
	seen := map[imap.UID]bool{}
	for ctx.Err() == nil {
		for _, f := range r.s.fetchAll(t, r.addr, "INBOX", false) {
			if seen[f.UID] {
				continue
			}
			seen[f.UID] = true
			raw, _ := simpleMail("Autosvar <"+r.addr+">", r.bot, "Re: "+f.Subject(),
				"Tack för ditt mejl! Jag vill anmäla mig till "+r.title+".\n")
			c := r.s.sender(t)
			c.Send(t, r.addr, raw, r.bot)
			r.mu.Lock()
			r.sent++
			r.mu.Unlock()
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (r *autoResponder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent
}

// runUntilQuiet runs `anmalan run --once` until a round has handled
// nothing new for a few seconds after the last, and returns the rounds.
// It is how the exchange is seen to stop.
func runUntilQuiet(t testing.TB, s Stack, cfg, bot string, maxRounds int) int {
	t.Helper()
	for round := 1; round <= maxRounds; round++ {
		out, stderr, err := anmalan(t, "run", "-config", cfg, "--once")
		if err != nil {
			t.Fatalf("run --once: %v\n%s%s", err, out, stderr)
		}
		// Wait a while for an answer to come back to the bot.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if unhandled(t, s, bot) > 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if unhandled(t, s, bot) == 0 {
			return round
		}
	}
	t.Fatalf("the exchange did not stop within %d rounds", maxRounds)
	return 0
}

// unhandled counts the mails in bot's INBOX that it has neither moved nor
// flagged.
func unhandled(t testing.TB, s Stack, bot string) int {
	n := 0
	for _, f := range s.fetchAll(t, bot, "INBOX", false) {
		if !hasFlag(f.Flags, "$Anmalan") && !hasFlag(f.Flags, "$AnmalanManual") {
			n++
		}
	}
	return n
}

// TestLoopAutoResponder lets the bot meet an auto-responder that does not
// say it is one: the default max_replies_per_address (10 a day) ends the
// exchange, and the mail beyond the cap is left for a human.
func TestLoopAutoResponder(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	bot := randomLocal("bot-loop") + "@" + botDomain
	title := "Workshop om loopar"
	cfg := s.writeConfig(t, ConfigSpec{Bot: bot, Events: []EventSpec{{ID: "loop", Title: title, Seats: 10}}})
	r := &autoResponder{s: s, addr: randomLocal("autosvar") + "@deltagare.example", bot: bot, title: title}

	first, _ := simpleMail("Autosvar <"+r.addr+">", bot, "Anmälan", "Jag vill anmäla mig till "+title+".\n")
	s.sender(t).Send(t, r.addr, first, bot)
	waitFor(t, time.Minute, func() string { return "the first mail did not arrive" }, func() bool { return unhandled(t, s, bot) == 1 })

	ctx, cancel := context.WithCancel(ctxFor(t))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.run(ctx, t) }()
	rounds := runUntilQuiet(t, s, cfg, bot, 40)
	cancel()
	wg.Wait()

	fromBot := 0
	for _, f := range s.fetchAll(t, r.addr, "INBOX", false) {
		if strings.Contains(f.Header.Get("From"), bot) {
			fromBot++
		}
	}
	const limit = 10 // the default
	if fromBot != limit {
		t.Errorf("the bot sent %d replies to the auto-responder, want the cap %d", fromBot, limit)
	}
	if r.count() != limit {
		t.Errorf("the auto-responder sent %d answers, want %d (one per reply)", r.count(), limit)
	}
	inbox := s.fetchAll(t, bot, "INBOX", false)
	if len(inbox) != 1 || !hasFlag(inbox[0].Flags, "$AnmalanManual") {
		t.Errorf("bot's INBOX holds %d mails; want the one beyond the cap, flagged for a human", len(inbox))
	}
	if got := s.countIn(t, bot, "Behandlade"); got != limit {
		t.Errorf("%d mails were answered and filed, want %d", got, limit)
	}
	t.Logf("%d rounds: the bot answered %d mails, the auto-responder %d; mail %d was left for a human", rounds, fromBot, r.count(), limit+1)
}

// TestLoopTwoBots makes two anmalan daemons register with each other: each
// answer carries Auto-Submitted: auto-replied, which the other treats as
// automatic, so the exchange stops after one answer each way.
func TestLoopTwoBots(t *testing.T) {
	t.Parallel()
	s := needStack(t)
	a := randomLocal("bot-a") + "@" + botDomain
	b := randomLocal("bot-b") + "@" + botDomain
	cfgA := s.writeConfig(t, ConfigSpec{Bot: a, Events: []EventSpec{{ID: "a", Title: "Seminarium A", Seats: 5}}})
	cfgB := s.writeConfig(t, ConfigSpec{Bot: b, Events: []EventSpec{{ID: "b", Title: "Seminarium B", Seats: 5}}})
	snd := s.sender(t)
	// Someone registers each bot's address with the other.
	m1, _ := simpleMail("Bot B <"+b+">", a, "Anmälan", "Jag anmäler mig till Seminarium A.\n")
	snd.Send(t, b, m1, a)
	m2, _ := simpleMail("Bot A <"+a+">", b, "Anmälan", "Jag anmäler mig till Seminarium B.\n")
	snd.Send(t, a, m2, b)
	waitFor(t, time.Minute, func() string { return "the registrations did not arrive" }, func() bool {
		return unhandled(t, s, a) == 1 && unhandled(t, s, b) == 1
	})

	rounds := 0
	for rounds < 10 {
		rounds++
		for _, cfg := range []string{cfgA, cfgB} {
			if out, stderr, err := anmalan(t, "run", "-config", cfg, "--once"); err != nil {
				t.Fatalf("run --once: %v\n%s%s", err, out, stderr)
			}
		}
		// Give Postfix time to deliver what the round sent.
		time.Sleep(2 * time.Second)
		if unhandled(t, s, a) == 0 && unhandled(t, s, b) == 0 {
			break
		}
	}
	for _, c := range []struct{ bot, cfg, other string }{{a, cfgA, b}, {b, cfgB, a}} {
		db := openDB(t, dbOf(t, c.cfg))
		if n := queryInt(t, db, `SELECT COUNT(*) FROM outbox`); n != 1 {
			t.Errorf("%s queued %d replies, want 1 (to the registration only)", c.bot, n)
		}
		if n := queryInt(t, db, `SELECT COUNT(*) FROM mails`); n != 2 {
			t.Errorf("%s handled %d mails, want 2 (the registration and the other bot's answer)", c.bot, n)
		}
		var outcome, detail string
		if err := db.QueryRow(`SELECT outcome, detail FROM mails ORDER BY id DESC LIMIT 1`).Scan(&outcome, &detail); err != nil {
			t.Fatal(err)
		}
		if outcome != "automatic" {
			t.Errorf("%s judged the other bot's answer %s (%s), want automatic", c.bot, outcome, detail)
		}
		t.Logf("%s: the other bot's answer was %s (%s)", c.bot, outcome, detail)
	}
	t.Logf("the exchange stopped after %d rounds", rounds)
}

// dbOf returns the database path that writeConfig put next to cfg.
func dbOf(t testing.TB, cfg string) string {
	t.Helper()
	return filepath.Join(filepath.Dir(cfg), "anmalan.db")
}
