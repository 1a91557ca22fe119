package integration

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/goteborgsregionen/anmalan/store"
)

// BenchmarkRealStack measures, in one run on the real stack, the bot
// draining a backlog of registration mails for 20 events from Dovecot and
// answering them through Postfix, and beside it the bare limits of each
// stage: a plain UID FETCH BODY.PEEK[] of the same mails, a plain SMTP
// submission of as many replies over one connection, and SQLite
// transactions of the bot's shape. It also reads the daemon's peak and
// idle RSS. It does its work once, whatever b.N is: run it with
//
//	go test ./integration/ -run '^$' -bench RealStack -benchtime 1x -timeout 30m
//
// $ANMALAN_BENCH_MAILS sets the number of mails (default 10000). Nothing
// is asserted: the figures go to BENCHMARKS.md.
func BenchmarkRealStack(b *testing.B) {
	s := needStack(b)
	n := 10000
	if v := os.Getenv("ANMALAN_BENCH_MAILS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("ANMALAN_BENCH_MAILS=%q: %v", v, err)
		}
	}
	var events []EventSpec
	for i := 1; i <= 20; i++ {
		// Two-digit keywords, so that none is part of another.
		events = append(events, EventSpec{ID: fmt.Sprintf("e%02d", i), Title: fmt.Sprintf("Kurs tema%02d", i),
			Seats: n / 20 * 2 / 3, Keywords: []string{fmt.Sprintf("tema%02d", i)}, Material: true})
	}
	local := randomLocal("bench")
	bot := randomLocal("bot-bench") + "@" + botDomain
	rng := newRand(b)
	bl := makeBacklog(b, rng, local, bot, n, 0, events)
	var bytesIn int
	for _, r := range bl.raws {
		bytesIn += len(r)
	}
	t0 := time.Now()
	s.appendMails(b, bot, bl.raws)
	b.Logf("set-up: %d mails (%d KB) appended in %v", n, bytesIn/1024, time.Since(t0).Round(time.Millisecond))

	// Bare IMAP: one UID FETCH BODY.PEEK[] of every mail.
	fetchRate := bareFetch(b, s, bot, n)

	// The bot, end to end: from start until every mail is decided and
	// every reply accepted by Postfix.
	dir := b.TempDir()
	cfg := s.writeConfig(b, ConfigSpec{Bot: bot, Events: events, Database: filepath.Join(dir, "anmalan.db"), MaxReplies: 100})
	logPath := filepath.Join(dir, "anmalan.log")
	db := openDB(b, filepath.Join(dir, "anmalan.db"))
	t0 = time.Now()
	d := startDaemon(b, cfg, logPath)
	var peak int
	waitFor(b, 30*time.Minute, func() string { return "the bot did not finish; log:\n" + logTail(logPath, 10) }, func() bool {
		if hwm := procKB(d.PID(), "VmHWM"); hwm > peak {
			peak = hwm
		}
		var done, sent int
		_ = db.QueryRow(`SELECT COUNT(*) FROM mails WHERE done = 1`).Scan(&done)
		_ = db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'sent'`).Scan(&sent)
		return done == n && sent == n
	})
	botTime := time.Since(t0)
	botRate := float64(n) / botTime.Seconds()
	if hwm := procKB(d.PID(), "VmHWM"); hwm > peak {
		peak = hwm
	}
	// Idle: after a few empty polls.
	time.Sleep(15 * time.Second)
	idle := procKB(d.PID(), "VmRSS")
	d.Stop(b)
	b.Logf("bot: %d mails decided and answered in %v", n, botTime.Round(time.Millisecond))

	// Bare SMTP: the bot's own replies, as many, over one connection.
	replies := outboxRaws(b, db)
	smtpRate := bareSMTP(b, s, replies, randomLocal("sink")+"@deltagare.example")

	// Bare SQLite: the bot's transactions (record 1,000 mails at a time
	// with the checkpoint; decide each mail with registration and reply)
	// on a fresh database.
	sqlRate := bareSQLite(b, events, bl, replies[0])

	slowest, name := fetchRate, "IMAP fetch"
	if smtpRate < slowest {
		slowest, name = smtpRate, "SMTP send"
	}
	if sqlRate < slowest {
		slowest, name = sqlRate, "SQLite"
	}
	var sum strings.Builder
	fmt.Fprintf(&sum, "\n| stage | mails/s |\n|---|---:|\n")
	fmt.Fprintf(&sum, "| bot end to end (IMAP → decide → SMTP accepted) | %.0f |\n", botRate)
	fmt.Fprintf(&sum, "| bare UID FETCH BODY.PEEK[] | %.0f |\n", fetchRate)
	fmt.Fprintf(&sum, "| bare SMTP submission, one connection | %.0f |\n", smtpRate)
	fmt.Fprintf(&sum, "| bare SQLite, the bot's transactions (record per 1,000; decide per mail) | %.0f |\n", sqlRate)
	fmt.Fprintf(&sum, "\nbot / slowest bare stage (%s): %.2f\n", name, botRate/slowest)
	fmt.Fprintf(&sum, "daemon RSS: peak %.1f MB while draining, %.1f MB idle\n", float64(peak)/1024, float64(idle)/1024)
	fmt.Fprintf(&sum, "machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	b.Log(sum.String())
	b.ReportMetric(botRate, "bot-mails/s")
	b.ReportMetric(botRate/slowest, "bot/slowest")
	b.ReportMetric(float64(peak)/1024, "peak-MB")
	b.ReportMetric(float64(idle)/1024, "idle-MB")
}

// bareFetch times one UID FETCH 1:* BODY.PEEK[] of addr's INBOX, reading
// every literal, and returns mails per second.
func bareFetch(b *testing.B, s Stack, addr string, n int) float64 {
	c := s.dialIMAP(b, addr)
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	var set imap.UIDSet
	set.AddRange(1, 0)
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	got := 0
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
				if _, err := io.Copy(io.Discard, body.Literal); err != nil {
					b.Fatal(err)
				}
			}
		}
		got++
	}
	if err := cmd.Close(); err != nil {
		b.Fatal(err)
	}
	el := time.Since(t0)
	if got != n {
		b.Fatalf("fetched %d mails, want %d", got, n)
	}
	b.Logf("bare fetch: %d mails in %v", got, el.Round(time.Millisecond))
	return float64(got) / el.Seconds()
}

// outboxRaws returns the bytes of every reply the bot queued.
func outboxRaws(b *testing.B, db *sql.DB) [][]byte {
	rows, err := db.Query(`SELECT raw FROM outbox ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			b.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

// bareSMTP submits raws to Postfix over one connection, all to sink, and
// returns mails per second.
func bareSMTP(b *testing.B, s Stack, raws [][]byte, sink string) float64 {
	c, err := smtp.Dial(s.SMTP)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("bench.integration.test"); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	for _, raw := range raws {
		if err := c.SendMail("bench@integration.test", []string{sink}, bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(t0)
	_ = c.Quit()
	b.Logf("bare smtp: %d replies in %v", len(raws), el.Round(time.Millisecond))
	return float64(len(raws)) / el.Seconds()
}

// bareSQLite runs the bot's transactions for the mails of bl on a fresh
// database: the mails recorded 1,000 to a transaction with the checkpoint
// (the intake), then one transaction per mail to register its person,
// count the replies to the address, queue a reply of reply's size and
// finish the mail (the decision).
func bareSQLite(b *testing.B, events []EventSpec, bl backlog, reply []byte) float64 {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bare.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	var evs []store.Event
	for _, e := range events {
		evs = append(evs, store.Event{ID: e.ID, Title: e.Title, Starts: now.Add(72 * time.Hour), Ends: now.Add(75 * time.Hour),
			Closes: now.Add(48 * time.Hour), Seats: e.Seats})
	}
	if err := st.SyncEvents(ctx, evs); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	var ids []int64
	for start := 0; start < len(bl.raws); start += 1000 {
		var recs []store.MailRecord
		for j, raw := range bl.raws[start:min(start+1000, len(bl.raws))] {
			uid := uint32(start + j + 1)
			recs = append(recs, store.MailRecord{Key: fmt.Sprintf("bare-%d", uid), Mailbox: "INBOX", UIDValidity: 1, UID: uid, Received: now, Raw: raw})
		}
		sts, err := st.RecordMails(ctx, "INBOX", 1, uint32(start+len(recs)), recs)
		if err != nil {
			b.Fatal(err)
		}
		for _, ms := range sts {
			ids = append(ids, ms.ID)
		}
	}
	i := 0
	for _, id := range ids {
		i++
		key := fmt.Sprintf("bare-%d", i)
		ev := events[i%len(events)].ID
		err = st.Update(ctx, func(tx *store.Tx) error {
			r, err := tx.Register(ev, store.Person{Name: "Deltagare", Email: fmt.Sprintf("p%d@deltagare.example", i)}, now, id, "")
			if err != nil {
				return err
			}
			if _, err := tx.RepliesTo(fmt.Sprintf("p%d@deltagare.example", i), now.Add(-24*time.Hour)); err != nil {
				return err
			}
			if _, err := tx.Enqueue(store.Outgoing{MessageID: key + "@bench", EnvelopeFrom: "bot@x", Recipients: []string{fmt.Sprintf("p%d@deltagare.example", i)},
				Raw: reply, Kind: "confirmation", MailID: id, RegistrationID: r.Registration.ID}, now); err != nil {
				return err
			}
			return tx.FinishMail(id, "registered", "", now)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(t0)
	b.Logf("bare sqlite: %d mails in %v", i, el.Round(time.Millisecond))
	return float64(i) / el.Seconds()
}

// procKB reads a kB field (VmHWM, VmRSS) of /proc/PID/status; 0 when gone.
func procKB(pid int, field string) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// cpuModel returns the CPU's name from /proc/cpuinfo.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}
