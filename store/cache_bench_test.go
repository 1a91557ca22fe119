package store

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hotPaths runs the store's work of a registration day on a new database
// at path opened with extra: n mails recorded in chunks of 1,000 with the
// checkpoint, each decided in its own transaction (a registration and a
// reply of replySize bytes queued), every reply claimed and marked sent,
// and the status read. It returns how long that took.
func hotPaths(path, extra string, n, replySize int) (time.Duration, error) {
	ctx := context.Background()
	s, err := open(ctx, path, extra)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	ev := Event{ID: "w1", Title: "Workshop", Starts: t0.AddDate(0, 1, 0), Ends: t0.AddDate(0, 1, 0).Add(2 * time.Hour), Seats: n / 2}
	if err := s.SyncEvents(ctx, []Event{ev}); err != nil {
		return 0, err
	}
	mailRaw := bytes.Repeat([]byte("Anmäl mig gärna! /Sara\r\n"), 100)
	reply := bytes.Repeat([]byte("x"), replySize)
	start := time.Now()
	var mailIDs []int64
	const chunk = 1000
	for uid := 0; uid < n; uid += chunk {
		var recs []MailRecord
		for i := uid; i < min(uid+chunk, n); i++ {
			recs = append(recs, MailRecord{Key: fmt.Sprintf("in%d@example.se", i), Mailbox: "INBOX", UIDValidity: 1,
				UID: uint32(i + 1), Received: t0, Raw: mailRaw})
		}
		got, err := s.RecordMails(ctx, "INBOX", 1, uint32(min(uid+chunk, n)), recs)
		if err != nil {
			return 0, err
		}
		for _, r := range got {
			mailIDs = append(mailIDs, r.ID)
		}
	}
	for i, mid := range mailIDs {
		err := s.Update(ctx, func(tx *Tx) error {
			res, err := tx.Register("w1", Person{Name: "Sara", Email: fmt.Sprintf("p%d@example.se", i)}, t0, mid, "")
			if err != nil {
				return err
			}
			if _, err := tx.Enqueue(Outgoing{MessageID: fmt.Sprintf("r%d@anmalan.example", i), EnvelopeFrom: "anmalan@example.se",
				Recipients: []string{fmt.Sprintf("p%d@example.se", i)}, Raw: reply, Subject: "Bekräftelse",
				Kind: "confirmation", MailID: mid, RegistrationID: res.Registration.ID}, t0); err != nil {
				return err
			}
			return tx.FinishMail(mid, "registered", "", t0)
		})
		if err != nil {
			return 0, err
		}
	}
	for {
		due, err := s.ClaimOutgoing(ctx, t0, 200, "bench", time.Hour)
		if err != nil {
			return 0, err
		}
		if len(due) == 0 {
			break
		}
		for _, o := range due {
			if err := s.MarkSent(ctx, o.ID, t0); err != nil {
				return 0, err
			}
		}
		if _, err := s.OutboxStats(ctx); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// procStatusKB returns a field of /proc/self/status in kB.
func procStatusKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// cacheHelper is the child process of BenchmarkCacheSize: it runs
// hotPaths with the cache size in ANMALAN_STORE_CACHE and prints the time
// in milliseconds and the peak RSS in kB. It returns the exit code.
func cacheHelper(db string) int {
	extra := ""
	if c := os.Getenv("ANMALAN_STORE_CACHE"); c != "" {
		extra = "&_pragma=cache_size(" + c + ")"
	}
	n, _ := strconv.Atoi(os.Getenv("ANMALAN_STORE_N"))
	size, _ := strconv.Atoi(os.Getenv("ANMALAN_STORE_REPLY"))
	d, err := hotPaths(db, extra, n, size)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(d.Milliseconds(), procStatusKB("VmHWM"), procStatusKB("RssAnon"))
	return 0
}

// BenchmarkCacheSize runs the store's hot paths (hotPaths: 2,000 mails and
// replies of 200 KB) in a fresh child process per SQLite cache_size, so
// that each peak RSS (VmHWM) is its own, and reports the time and the
// peak. -2000 (2 MB per connection) is SQLite's default. Run it with
// -bench CacheSize -benchtime 1x.
func BenchmarkCacheSize(b *testing.B) {
	reply := strconv.Itoa(200 << 10)
	if r := os.Getenv("ANMALAN_STORE_BENCH_REPLY"); r != "" {
		reply = r
	}
	for _, c := range []string{"", "-500", "-8000", "-32000"} {
		name := "default"
		if c != "" {
			name = "cache_size" + c
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				db := filepath.Join(b.TempDir(), "cache.db")
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
				cmd.Env = append(os.Environ(), helperEnv+"=cache", "ANMALAN_STORE_DB="+db, "ANMALAN_STORE_CACHE="+c,
					"ANMALAN_STORE_N=2000", "ANMALAN_STORE_REPLY="+reply)
				cmd.Stderr = os.Stderr
				out, err := cmd.Output()
				if err != nil {
					b.Fatalf("child: %v: %s", err, out)
				}
				var ms, hwm, anon int64
				sc := bufio.NewScanner(bytes.NewReader(out))
				for sc.Scan() {
					if _, err := fmt.Sscan(sc.Text(), &ms, &hwm, &anon); err == nil {
						break
					}
				}
				if hwm == 0 {
					b.Fatalf("child printed %q", out)
				}
				b.ReportMetric(float64(ms), "ms/run")
				b.ReportMetric(float64(hwm)/1024, "peak-MiB")
				b.ReportMetric(float64(anon)/1024, "anon-end-MiB")
			}
		})
	}
}
