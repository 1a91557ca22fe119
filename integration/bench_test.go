package integration

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
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
// $ANMALAN_BENCH_MAILS sets the number of mails (default 10000),
// $ANMALAN_BENCH_MATERIAL_KB the size of the PDF every confirmation
// carries (default 200; a file of random bytes behind a PDF header, as
// incompressible as a real report's streams), $ANMALAN_BENCH_CONNECTIONS
// the bot's [smtp] connections (default 3). The bare SMTP send replays the
// bot's own replies (one sample of each kind, in the order and number the
// bot sent them, each to as many addresses new to the server as the bot's
// had) over one connection and over as many as the bot used, and once
// more over one connection all into one mailbox.
// Nothing is asserted: the figures go to BENCHMARKS.md.
//
// After the drain, with the daemon idle in IMAP IDLE, it measures the
// latency of single mails (see latencyStage): $ANMALAN_BENCH_LATENCY_MAILS
// of them (default 200; 0 leaves the stage out) put into the bot's inbox
// with APPEND, then as many submitted to Postfix over SMTP. For the latency
// stage alone, make the drain small: ANMALAN_BENCH_MAILS=20.
func BenchmarkRealStack(b *testing.B) {
	s := needStack(b)
	n := envInt(b, "ANMALAN_BENCH_MAILS", 10000)
	latMails := envInt(b, "ANMALAN_BENCH_LATENCY_MAILS", 200)
	materialKB := envInt(b, "ANMALAN_BENCH_MATERIAL_KB", 200)
	conns := envInt(b, "ANMALAN_BENCH_CONNECTIONS", 3)
	if n < 1 {
		// The bare stages need at least one of the bot's replies.
		b.Fatal("ANMALAN_BENCH_MAILS must be at least 1")
	}
	var events []EventSpec
	for i := 1; i <= 20; i++ {
		// Two-digit keywords, so that none is part of another. At least
		// one seat, which the config demands, for a small drain.
		events = append(events, EventSpec{ID: fmt.Sprintf("e%02d", i), Title: fmt.Sprintf("Kurs tema%02d", i),
			Seats: max(1, n/20*2/3), Keywords: []string{fmt.Sprintf("tema%02d", i)}, Material: true})
	}
	// The latency stage registers for an event of its own with a seat for
	// everyone, so that each of its replies is a confirmation with the PDF
	// and the calendar entry attached, whatever the drain left of the
	// other events' seats. The drain's backlog does not use it.
	latEvent := EventSpec{ID: "lat", Title: "Latensseminarium", Seats: 2*latMails + 1, Keywords: []string{"latens"}, Material: true}
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
	pdf := filepath.Join(dir, "underlag.pdf")
	writeMaterial(b, pdf, materialKB<<10)
	cfg := s.writeConfig(b, ConfigSpec{Bot: bot, Events: append(slices.Clone(events), latEvent), Database: filepath.Join(dir, "anmalan.db"),
		MaxReplies: 100, Material: pdf, Extra: fmt.Sprintf("connections = %d", max(conns, 1))})
	logPath := filepath.Join(dir, "anmalan.log")
	db := openDB(b, filepath.Join(dir, "anmalan.db"))
	t0 = time.Now()
	cpu0 := machineCPU()
	d := startDaemon(b, cfg, logPath)
	groups0 := groupCPU(d.PID())
	var peak, peakAnon, peakFile int
	// One reply of each kind, read while it waits to be sent: the bytes
	// of a sent reply are dropped.
	samples := map[string][]byte{}
	var stored storedReply
	waitFor(b, 30*time.Minute, func() string { return "the bot did not finish; log:\n" + logTail(logPath, 10) }, func() bool {
		if hwm := procKB(d.PID(), "VmHWM"); hwm > peak {
			peak = hwm
		}
		peakAnon, peakFile = max(peakAnon, procKB(d.PID(), "RssAnon")), max(peakFile, procKB(d.PID(), "RssFile"))
		sampleReplies(db, samples, &stored)
		var done, sent int
		_ = db.QueryRow(`SELECT COUNT(*) FROM mails WHERE done = 1`).Scan(&done)
		_ = db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'sent'`).Scan(&sent)
		return done == n && sent == n
	})
	botTime := time.Since(t0)
	botRate := float64(n) / botTime.Seconds()
	tl := drainTimeline(b, db, t0)
	drainCPU := machineCPU().since(cpu0)
	drainGroups := groupCPU(d.PID()).since(groups0)
	// The CPU time the daemon used for the drain depends much less than
	// the wall time on what else the shared machine runs.
	botCPU := procCPU(d.PID())
	if hwm := procKB(d.PID(), "VmHWM"); hwm > peak {
		peak = hwm
	}
	// Idle: after a few empty polls (and the compaction after a quiet
	// spell).
	time.Sleep(15 * time.Second)
	idle := procKB(d.PID(), "VmRSS")
	dbBytes := fileSize(filepath.Join(dir, "anmalan.db")) + fileSize(filepath.Join(dir, "anmalan.db-wal"))
	// What the idle RSS is made of: the daemon's own memory, and the
	// pages of the binary and the libraries that were read in (shared
	// and clean: the kernel takes them back when memory is short).
	idleAnon, idleFile := procKB(d.PID(), "RssAnon"), procKB(d.PID(), "RssFile")
	b.Logf("bot: %d mails decided and answered in %v", n, botTime.Round(time.Millisecond))
	// The drain's replies, read before the latency stage adds its own.
	replies := outboxRaws(b, db, samples)

	// Latency of single mails, the daemon idle in IDLE: first put into
	// the mailbox directly, then through Postfix.
	var lats []latencyResult
	if latMails > 0 {
		lats = append(lats, latencyStage(b, s, db, d, logPath, bot, local, latEvent, latMails, false))
		lats = append(lats, latencyStage(b, s, db, d, logPath, bot, local, latEvent, latMails, true))
	}
	d.Stop(b)

	// Bare SMTP: the bot's own replies, as many, over one connection and
	// over as many as the bot used, each to new addresses as the bot's
	// went to participants new to the server; and once more over one
	// connection all into one mailbox, the cheaper delivery that earlier
	// runs compared with.
	cpu1, groups1 := machineCPU(), groupCPU(0)
	smtpRate := bareSMTP(b, s, replies, freshRecipients(randomLocal("bare1")), 1)
	bareCPU, bareGroups := machineCPU().since(cpu1), groupCPU(0).since(groups1)
	smtpRateN := smtpRate
	if conns > 1 {
		smtpRateN = bareSMTP(b, s, replies, freshRecipients(randomLocal("bareN")), conns)
	}
	sinkRate := bareSMTP(b, s, replies, oneMailbox(randomLocal("sink")+"@deltagare.example"), 1)

	// Bare SQLite: the bot's transactions (record 1,000 mails at a time
	// with the checkpoint; decide each mail with registration and reply)
	// on a fresh database.
	if stored.raw == nil {
		stored.raw = samples["confirmation"]
	}
	sqlRate := bareSQLite(b, events, bl, stored)

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
	fmt.Fprintf(&sum, "| bare SMTP submission, one connection, to new addresses as the bot's | %.0f |\n", smtpRate)
	fmt.Fprintf(&sum, "| bare SMTP submission, %d connections, to new addresses | %.0f |\n", conns, smtpRateN)
	fmt.Fprintf(&sum, "| bare SMTP submission, one connection, all into one mailbox | %.0f |\n", sinkRate)
	fmt.Fprintf(&sum, "| bare SQLite, the bot's transactions (record per 1,000; decide per mail) | %.0f |\n", sqlRate)
	fmt.Fprintf(&sum, "\nbot / slowest bare stage (%s): %.2f\n", name, botRate/slowest)
	fmt.Fprintf(&sum, "material %d KB, bot over %d SMTP connections: bot / bare one connection %.2f; bot / bare %d connections %.2f\n",
		materialKB, conns, botRate/smtpRate, conns, botRate/smtpRateN)
	fmt.Fprintf(&sum, "bot / bare one connection into one mailbox: %.2f\n", botRate/sinkRate)
	fmt.Fprintf(&sum, "%s\n", tl)
	fmt.Fprintf(&sum, "the machine's CPU (every process, %d cores): the drain %.2f ms per mail, %.0f %% busy; the bare one-connection send %.2f ms per mail, %.0f %% busy\n",
		runtime.NumCPU(), ms(drainCPU.busy)/float64(n), 100*drainCPU.share(), ms(bareCPU.busy)/float64(len(replies)), 100*bareCPU.share())
	fmt.Fprintf(&sum, "  per mail, by process: the drain %s; the bare send %s\n", drainGroups.perMail(n), bareGroups.perMail(len(replies)))
	fmt.Fprintf(&sum, "database after the drain and the idle compaction: %.1f MB (file and WAL), %.0f bytes per registration\n",
		float64(dbBytes)/1e6, float64(dbBytes)/float64(n))
	fmt.Fprintf(&sum, "daemon CPU for the drain: %.1f s user+system (%.2f ms per mail)\n", botCPU.Seconds(), ms(botCPU)/float64(n))
	fmt.Fprintf(&sum, "daemon RSS: peak %.1f MB while draining (sampled peaks: %.1f MB anonymous, %.1f MB files), %.1f MB idle (%.1f MB anonymous, %.1f MB files)\n",
		float64(peak)/1024, float64(peakAnon)/1024, float64(peakFile)/1024, float64(idle)/1024, float64(idleAnon)/1024, float64(idleFile)/1024)
	for _, l := range lats {
		l.summary(&sum)
	}
	fmt.Fprintf(&sum, "machine: %s/%s, %d CPUs, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	b.Log(sum.String())
	// The benchmark's log is cut short by the testing package; the
	// summary goes to stdout whole.
	fmt.Println(sum.String())
	b.ReportMetric(botRate, "bot-mails/s")
	b.ReportMetric(botRate/slowest, "bot/slowest")
	b.ReportMetric(float64(peak)/1024, "peak-MB")
	b.ReportMetric(float64(idle)/1024, "idle-MB")
	b.ReportMetric(float64(idleAnon)/1024, "idle-anon-MB")
	b.ReportMetric(botCPU.Seconds(), "bot-cpu-s")
	b.ReportMetric(botRate/smtpRate, "bot/bare-1conn")
	b.ReportMetric(botRate/smtpRateN, "bot/bare-Nconn")
	b.ReportMetric(botRate/sinkRate, "bot/bare-1mailbox")
	b.ReportMetric(float64(dbBytes)/float64(n), "db-bytes/reg")
	for _, l := range lats {
		l.report(b)
	}
}

// envInt returns the integer in the environment variable name, or def
// when it is unset.
func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: want a number of mails", name, v)
	}
	return n
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

// sampleReplies adds to samples, for each kind of reply not yet in it,
// the whole bytes of one that waits to be sent (its stored bytes with the
// material blobs put back where its parts say), and to stored the stored
// form of the first confirmation (for the bare SQLite stage).
func sampleReplies(db *sql.DB, samples map[string][]byte, stored *storedReply) {
	rows, err := db.Query(`SELECT id, kind, raw FROM outbox WHERE status = 'pending' AND length(raw) > 0 ORDER BY id DESC LIMIT 20`)
	if err != nil {
		return
	}
	type row struct {
		id   int64
		kind string
		raw  []byte
	}
	var got []row
	for rows.Next() {
		var r row
		if rows.Scan(&r.id, &r.kind, &r.raw) == nil && samples[r.kind] == nil {
			got = append(got, r)
		}
	}
	rows.Close()
	for _, r := range got {
		if samples[r.kind] != nil {
			continue
		}
		parts, err := storedParts(db, r.id)
		if err != nil {
			// Sent (and its parts dropped) since it was read.
			continue
		}
		var whole bytes.Buffer
		prev := 0
		for _, p := range parts {
			whole.Write(r.raw[prev:p.At])
			whole.Write(p.Data)
			prev = p.At
		}
		whole.Write(r.raw[prev:])
		samples[r.kind] = whole.Bytes()
		if r.kind == "confirmation" && stored.raw == nil {
			stored.raw, stored.parts = r.raw, parts
		}
	}
}

// storedReply is a reply as the outbox stores it: its bytes without the
// material, and the material's blobs.
type storedReply struct {
	raw   []byte
	parts []store.Part
}

// storedParts returns the parts of outbox row id with their blobs' bytes.
// It fails when the row's bytes were dropped meanwhile.
func storedParts(db *sql.DB, id int64) ([]store.Part, error) {
	rows, err := db.Query(`SELECT p.at, p.hash, b.data FROM outbox_parts p JOIN blobs b ON b.hash = p.hash
		WHERE p.outbox_id = ? ORDER BY p.seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Part
	for rows.Next() {
		var p store.Part
		if err := rows.Scan(&p.At, &p.Hash, &p.Data); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var still int
	if err := db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE id = ? AND length(raw) > 0`, id).Scan(&still); err != nil || still == 0 {
		return nil, errors.New("sent meanwhile")
	}
	return out, nil
}

// outboxRaws returns, for every reply the bot queued, in order, the
// sample of its kind (a sent reply's bytes are dropped): the bare send
// sends as many mails of the same sizes. A kind that was never sampled
// gets the largest sample. Each comes with its number of recipients.
func outboxRaws(b *testing.B, db *sql.DB, samples map[string][]byte) []replay {
	var largest []byte
	for _, r := range samples {
		if len(r) > len(largest) {
			largest = r
		}
	}
	if largest == nil {
		b.Fatal("no reply was seen waiting to be sent: nothing to replay")
	}
	rows, err := db.Query(`SELECT kind, json_array_length(recipients) FROM outbox ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []replay
	missing := map[string]int{}
	for rows.Next() {
		var kind string
		var rcpts int
		if err := rows.Scan(&kind, &rcpts); err != nil {
			b.Fatal(err)
		}
		raw := samples[kind]
		if raw == nil {
			raw = largest
			missing[kind]++
		}
		out = append(out, replay{raw: raw, rcpts: max(rcpts, 1)})
	}
	if len(missing) > 0 {
		b.Logf("replayed the largest sample for replies of kinds never seen pending: %v", missing)
	}
	if samples["confirmation"] == nil {
		samples["confirmation"] = largest
	}
	return out
}

// writeMaterial writes a PDF-like file of size bytes to path: a PDF
// header and random bytes, which compress no better than a real report.
func writeMaterial(b *testing.B, path string, size int) {
	buf := make([]byte, max(size, 16))
	rng := newRand(b)
	for i := range buf {
		buf[i] = byte(rng.IntN(256))
	}
	copy(buf, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.Fatal(err)
	}
}

// fileSize returns the size of the file at path, 0 when it is missing.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// replay is one of the bot's replies as the bare send submits it again:
// its bytes (a sample of its kind) and how many recipients it had.
type replay struct {
	raw   []byte
	rcpts int
}

// recipientsFor says where the bare send submits reply j of the drain.
type recipientsFor func(j int, r replay) []string

// freshRecipients sends every reply to as many addresses as the bot's
// had, each one new to the server, the way the bot's replies go to
// participants whose mailboxes the delivery creates: the same work for
// Postfix and Dovecot as the bot's replies.
func freshRecipients(tag string) recipientsFor {
	return func(j int, r replay) []string {
		out := make([]string, r.rcpts)
		for k := range out {
			out[k] = fmt.Sprintf("%s-%d-%d@deltagare.example", tag, j, k)
		}
		return out
	}
}

// oneMailbox sends every reply to sink alone.
func oneMailbox(sink string) recipientsFor {
	return func(int, replay) []string { return []string{sink} }
}

// bareSMTP submits the replies to Postfix over conns connections (dealt
// out in turn), to the recipients to gives, and returns mails per second,
// timed from when every connection is greeted to the last mail accepted.
func bareSMTP(b *testing.B, s Stack, raws []replay, to recipientsFor, conns int) float64 {
	clients := make([]*smtp.Client, conns)
	for i := range clients {
		c, err := smtp.Dial(s.SMTP)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if err := c.Hello("bench.integration.test"); err != nil {
			b.Fatal(err)
		}
		clients[i] = c
	}
	errs := make([]error, conns)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, c := range clients {
		wg.Go(func() {
			for j := i; j < len(raws); j += conns {
				if err := c.SendMail("bench@integration.test", to(j, raws[j]), bytes.NewReader(raws[j].raw)); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(t0)
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	for _, c := range clients {
		_ = c.Quit()
	}
	b.Logf("bare smtp: %d replies over %d connections in %v", len(raws), conns, el.Round(time.Millisecond))
	return float64(len(raws)) / el.Seconds()
}

// bareSQLite runs the bot's transactions for the mails of bl on a fresh
// database: the mails recorded 1,000 to a transaction with the checkpoint
// (the intake), then one transaction per mail to register its person,
// count the replies to the address, queue a reply stored as the bot
// stores it (its bytes, and the material's blob once) and finish the mail
// (the decision).
func bareSQLite(b *testing.B, events []EventSpec, bl backlog, reply storedReply) float64 {
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
				Raw: reply.raw, Parts: reply.parts, Kind: "confirmation", MailID: id, RegistrationID: r.Registration.ID}, now); err != nil {
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

// procCPU returns the CPU time (user and system) that process pid has
// used, from /proc/PID/stat; 0 when it is gone.
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: the fields are
	// counted from after it. utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	// Clock ticks: 100 a second on Linux (USER_HZ).
	return time.Duration(utime+stime) * (time.Second / 100)
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

// latencyResult is what latencyStage measured for each mail.
type latencyResult struct {
	// via is how the mails came in: "append" or "smtp".
	via string
	// total runs from the mail's arrival (APPEND answered, or SMTP DATA
	// accepted by Postfix) to the bot's reply accepted by Postfix.
	total []time.Duration
	// exists runs from the arrival to Dovecot's EXISTS on a second
	// connection idling on the same mailbox: the server's own share.
	exists []time.Duration
	// bot runs from that EXISTS to the reply accepted: the bot's share.
	// decide is the part up to the decision's commit, deliver the rest.
	bot, decide, deliver []time.Duration
	// unsplit counts the mails the second connection did not see come.
	unsplit int
}

// latencyStage sends count single registrations to the bot, each after
// the bot has answered the one before and gone back to IDLE, and
// measures for each the time from its arrival to the bot's reply
// accepted by Postfix. viaSMTP submits the mails to Postfix, which
// delivers them to Dovecot over LMTP; otherwise they are APPENDed to the
// bot's inbox, which is the exact moment the mail is there.
//
// The reply's acceptance is read from the daemon's database: the outbox
// row's sent_at, which the daemon takes from its clock the moment Postfix
// has answered the DATA (the same machine's clock as ours). The database
// is polled only to learn that the row is there, so the polling interval
// does not enter the figure.
//
// A second IMAP connection idles on the bot's inbox beside the bot and
// records when Dovecot announces each mail (EXISTS): Dovecot 2.3 waits
// NOTIFY_DELAY_MSECS (500 ms, a constant in src/lib-storage/mailbox-watch.c)
// after a change before it tells an idling client, so that share of the
// latency is the server's, not the bot's. The bot's share is the time from
// that EXISTS to the reply accepted.
func latencyStage(b *testing.B, s Stack, db *sql.DB, d *Daemon, logPath, bot, local string, ev EventSpec, count int, viaSMTP bool) latencyResult {
	res := latencyResult{via: "append"}
	if viaSMTP {
		res.via = "smtp"
	}
	obs := watchInbox(b, s, bot)
	defer obs.close()
	var app *imapclient.Client
	var sd *Sender
	if viaSMTP {
		sd = s.sender(b)
	} else {
		app = s.dialIMAP(b, bot)
		defer app.Close()
	}
	// Each wait below is a guard against a hang, not a timing assertion.
	const limit = time.Minute
	t0 := time.Now()
	for i := range count {
		if d.Exited() {
			b.Fatal("the daemon exited during the latency stage")
		}
		addr := fmt.Sprintf("%s+%s%04d@deltagare.example", local, res.via, i)
		raw, id := simpleMail(fmt.Sprintf("Deltagare %d <%s>", i, addr), bot, "Anmälan till "+ev.Title+" "+ev.Keywords[0],
			fmt.Sprintf("Hej!\n\nJag vill anmäla mig till %s.\n\nMed vänlig hälsning\nDeltagare %d\n", ev.Title, i))
		// A late announcement of the mail before must not count for this one.
		for drained := false; !drained; {
			select {
			case <-obs.exists:
			case <-obs.expunged:
			default:
				drained = true
			}
		}
		var arrived time.Time
		if viaSMTP {
			sd.Send(b, addr, raw, bot)
			arrived = time.Now()
		} else {
			cmd := app.Append("INBOX", int64(len(raw)), nil)
			if _, err := cmd.Write(raw); err != nil {
				b.Fatalf("append: %v", err)
			}
			if err := cmd.Close(); err != nil {
				b.Fatalf("append: %v", err)
			}
			if _, err := cmd.Wait(); err != nil {
				b.Fatalf("append: %v", err)
			}
			arrived = time.Now()
		}
		// The second connection may not see the mail come at all: when
		// the bot, entering IDLE just then, is told of it at once and
		// moves it out before Dovecot's delayed announcement, the
		// observer hears of both together. Such a mail counts in the
		// total but not in the split between server and bot.
		var announced time.Time
		select {
		case announced = <-obs.exists:
		case <-time.After(5 * time.Second):
			res.unsplit++
		}
		// Poll for the reply; its row holds the exact times.
		var sent time.Time
		var finished sql.NullTime
		deadline := time.Now().Add(limit)
		for {
			err := db.QueryRow(`SELECT o.sent_at, m.finished_at FROM outbox o JOIN mails m ON m.id = o.mail_id
				WHERE m.key = ? AND o.status = 'sent'`, id).Scan(&sent, &finished)
			if err == nil {
				break
			}
			if !errors.Is(err, sql.ErrNoRows) {
				b.Fatalf("mail %d: read the outbox: %v", i, err)
			}
			if time.Now().After(deadline) {
				b.Fatalf("mail %d: no reply sent within %v; log:\n%s", i, limit, logTail(logPath, 10))
			}
			time.Sleep(3 * time.Millisecond)
		}
		res.total = append(res.total, sent.Sub(arrived))
		if !announced.IsZero() {
			res.exists = append(res.exists, announced.Sub(arrived))
			res.bot = append(res.bot, sent.Sub(announced))
		}
		if finished.Valid && !announced.IsZero() {
			res.decide = append(res.decide, finished.Time.Sub(announced))
			res.deliver = append(res.deliver, sent.Sub(finished.Time))
		}
		// The bot moves the mail out of the inbox after deciding it and
		// then idles again. The next mail is sent only once Dovecot has
		// announced that move on the second connection (again after its
		// delay), so that it reaches a bot in IDLE, as single mails
		// do, and not one still busy with the mail before.
		select {
		case <-obs.expunged:
		case <-time.After(5 * time.Second):
			// Heard together with the mail's arrival, or not at all:
			// the bot has been in IDLE again for long enough.
		}
	}
	b.Logf("latency (%s): %d single mails in %v (%d not seen arriving by the second connection)", res.via, count,
		time.Since(t0).Round(time.Millisecond), res.unsplit)
	return res
}

// summary writes the percentiles of l to w.
func (l latencyResult) summary(w io.Writer) {
	p := func(ds []time.Duration, q float64) string {
		return fmt.Sprintf("%.0f", ms(percentile(ds, q)))
	}
	fmt.Fprintf(w, "\nlatency via %s, %d single mails (ms) | p50 | p99 | max\n", l.via, len(l.total))
	for _, r := range []struct {
		name string
		ds   []time.Duration
	}{
		{"arrival → reply accepted by Postfix", l.total},
		{"arrival → Dovecot's EXISTS (server)", l.exists},
		{"EXISTS → reply accepted (the bot)", l.bot},
		{"  EXISTS → decision committed", l.decide},
		{"  decision committed → reply accepted", l.deliver},
	} {
		fmt.Fprintf(w, "%s | %s | %s | %s\n", r.name, p(r.ds, 50), p(r.ds, 99), p(r.ds, 100))
	}
}

// report hands the main figures of l to the benchmark's output.
func (l latencyResult) report(b *testing.B) {
	b.ReportMetric(ms(percentile(l.total, 50)), l.via+"-p50-ms")
	b.ReportMetric(ms(percentile(l.total, 99)), l.via+"-p99-ms")
	b.ReportMetric(ms(percentile(l.total, 100)), l.via+"-max-ms")
	b.ReportMetric(ms(percentile(l.bot, 50)), l.via+"-bot-p50-ms")
	b.ReportMetric(ms(percentile(l.bot, 99)), l.via+"-bot-p99-ms")
}

// percentile returns the q-th percentile (0 < q ≤ 100) of ds by the
// nearest rank: the smallest value that at least q % of ds do not exceed.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// inboxWatch is a second IMAP connection idling on a mailbox, recording
// when the server announces new mail and expunges.
type inboxWatch struct {
	c        *imapclient.Client
	idle     *imapclient.IdleCommand
	exists   chan time.Time
	expunged chan time.Time
}

// watchInbox logs in to addr, examines its INBOX and idles there. The
// mailbox is expected to stay small: the bot empties it.
func watchInbox(b *testing.B, s Stack, addr string) *inboxWatch {
	w := &inboxWatch{exists: make(chan time.Time, 1024), expunged: make(chan time.Time, 1024)}
	// count is touched only by the client's reader goroutine, which runs
	// the handlers one at a time; it starts at the count EXAMINE reports.
	var count uint32
	opts := &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages == nil {
				return
			}
			now := time.Now()
			for ; count < *d.NumMessages; count++ {
				// Never blocks: the stage takes each announcement
				// before it sends the next mail.
				w.exists <- now
			}
		},
		Expunge: func(uint32) {
			count--
			w.expunged <- time.Now()
		},
	}}
	c, err := imapclient.DialInsecure(s.IMAP, opts)
	if err != nil {
		b.Fatalf("imap dial: %v", err)
	}
	w.c = c
	if err := c.Login(addr, s.Password).Wait(); err != nil {
		c.Close()
		b.Fatalf("imap login %s: %v", addr, err)
	}
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		c.Close()
		b.Fatalf("examine INBOX: %v", err)
	}
	if sel.NumMessages != 0 {
		c.Close()
		b.Fatalf("the bot's inbox holds %d mails; the latency stage needs it empty", sel.NumMessages)
	}
	if w.idle, err = c.Idle(); err != nil {
		c.Close()
		b.Fatalf("idle: %v", err)
	}
	return w
}

func (w *inboxWatch) close() {
	_ = w.idle.Close()
	_ = w.idle.Wait()
	w.c.Close()
}

// timeline is when, counted from the daemon's start, the drain's first and
// last mail was decided and its first and last reply accepted: it shows
// which side held the drain (decisions that end long before the sending
// wait for the SMTP side; sending that follows the last decision closely
// waits for the decisions).
type timeline struct {
	firstDecided, lastDecided, firstSent, lastSent time.Duration
}

func (t timeline) String() string {
	s := func(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
	return fmt.Sprintf("timeline from the daemon's start: decisions %s to %s, replies accepted %s to %s",
		s(t.firstDecided), s(t.lastDecided), s(t.firstSent), s(t.lastSent))
}

// drainTimeline reads the drain's timeline from the database of a daemon
// started at start.
func drainTimeline(b *testing.B, db *sql.DB, start time.Time) timeline {
	b.Helper()
	var d1, d2, s1, s2 string
	if err := db.QueryRow(`SELECT MIN(finished_at), MAX(finished_at) FROM mails`).Scan(&d1, &d2); err != nil {
		b.Fatalf("decision times: %v", err)
	}
	if err := db.QueryRow(`SELECT MIN(sent_at), MAX(sent_at) FROM outbox`).Scan(&s1, &s2); err != nil {
		b.Fatalf("send times: %v", err)
	}
	at := func(v string) time.Duration {
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.Sub(start)
			}
		}
		b.Fatalf("a stored time %q in no known layout", v)
		return 0
	}
	return timeline{at(d1), at(d2), at(s1), at(s2)}
}

// cpuSpell is what the machine's CPUs did over a spell: busy (every
// process, user and system) and all (busy and idle), summed over the cores.
type cpuSpell struct{ busy, all time.Duration }

// share is the busy part of the spell, from 0 to 1.
func (c cpuSpell) share() float64 {
	if c.all <= 0 {
		return 0
	}
	return float64(c.busy) / float64(c.all)
}

// since returns the spell from an earlier reading to this one.
func (c cpuSpell) since(earlier cpuSpell) cpuSpell {
	return cpuSpell{busy: c.busy - earlier.busy, all: c.all - earlier.all}
}

// machineCPU reads the machine's CPU times so far from /proc/stat (zero
// where it cannot be read): the share of a drain that the machine was
// busy says whether the drain was held by the CPU (all processes, the
// mail servers' too) or by waiting.
func machineCPU() cpuSpell {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuSpell{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return cpuSpell{}
	}
	var c cpuSpell
	for i, v := range f[1:8] {
		n, _ := strconv.ParseInt(v, 10, 64)
		d := time.Duration(n) * (time.Second / 100)
		c.all += d
		// idle and iowait are the fourth and fifth fields.
		if i != 3 && i != 4 {
			c.busy += d
		}
	}
	return c
}

// processGroup names whose processes a CPU time is counted for.
type processGroup string

// The groups of processes whose CPU time the benchmark tells apart.
const (
	groupDaemon   processGroup = "daemon"
	groupPostfix  processGroup = "Postfix"
	groupDovecot  processGroup = "Dovecot"
	groupBench    processGroup = "benchmark"
	groupElsewise processGroup = "other"
)

// groupTimes is the CPU time (user and system, with that of reaped
// children) of each group of processes.
type groupTimes map[processGroup]time.Duration

// since returns the times from an earlier reading to this one. A child
// that exits between the two is counted in its parent's reaped time, in
// the same group, so the difference stays right.
func (g groupTimes) since(earlier groupTimes) groupTimes {
	out := groupTimes{}
	for k, v := range g {
		out[k] = v - earlier[k]
	}
	return out
}

// perMail formats the times per mail of n, in a fixed order.
func (g groupTimes) perMail(n int) string {
	var parts []string
	for _, k := range []processGroup{groupDaemon, groupPostfix, groupDovecot, groupBench, groupElsewise} {
		if v, ok := g[k]; ok && v > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f ms", k, ms(v)/float64(n)))
		}
	}
	return strings.Join(parts, ", ")
}

// groupCPU reads, from /proc, the CPU time of every process by group: the
// daemon (pid, 0 for none), the processes under Postfix's master and under
// Dovecot's, this benchmark, and the rest of the machine.
func groupCPU(daemon int) groupTimes {
	type proc struct {
		ppid int
		comm string
		cpu  time.Duration
	}
	procs := map[int]proc{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(string(data[end+1:]))
		if len(f) < 15 {
			continue
		}
		// After the command: state, ppid, …, utime (14), stime, cutime,
		// cstime (17), counted from the state as field 3.
		var ticks int64
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
		ppid, _ := strconv.Atoi(f[1])
		procs[pid] = proc{ppid: ppid, comm: string(data[open+1 : end]), cpu: time.Duration(ticks) * (time.Second / 100)}
	}
	self := os.Getpid()
	group := func(pid int) processGroup {
		for hops := 0; pid > 1 && hops < 64; hops++ {
			p, ok := procs[pid]
			switch {
			case !ok:
				return groupElsewise
			case pid == daemon && daemon != 0:
				return groupDaemon
			case pid == self:
				return groupBench
			case p.comm == "dovecot":
				return groupDovecot
			case p.comm == "master":
				return groupPostfix
			}
			pid = p.ppid
		}
		return groupElsewise
	}
	out := groupTimes{}
	for pid, p := range procs {
		g := group(pid)
		if g == groupBench && pid != self {
			// The daemon's and the servers' own groups were matched
			// first; the rest under this process (go build) is other.
			g = groupElsewise
		}
		out[g] += p.cpu
	}
	return out
}
