package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// dbSize is what the database file holds: its pages in use and free, and
// the bytes of the file and its write-ahead log on disk.
type dbSize struct {
	pageSize, pages, free int64
	file, wal             int64
}

func (d dbSize) String() string {
	return fmt.Sprintf("%d pages of %d bytes (%.1f MB), %d free (%.1f MB); file %.1f MB, WAL %.1f MB",
		d.pages, d.pageSize, float64(d.pages*d.pageSize)/1e6, d.free, float64(d.free*d.pageSize)/1e6,
		float64(d.file)/1e6, float64(d.wal)/1e6)
}

// used is the bytes of the pages that hold data.
func (d dbSize) used() int64 { return (d.pages - d.free) * d.pageSize }

func measureSize(tb testing.TB, s *Store, path string) dbSize {
	tb.Helper()
	var d dbSize
	for _, q := range []struct {
		pragma string
		v      *int64
	}{{"page_size", &d.pageSize}, {"page_count", &d.pages}, {"freelist_count", &d.free}} {
		if err := s.db.QueryRow("PRAGMA " + q.pragma).Scan(q.v); err != nil {
			tb.Fatal(err)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		d.file = fi.Size()
	}
	if fi, err := os.Stat(path + "-wal"); err == nil {
		d.wal = fi.Size()
	}
	return d
}

// BenchmarkOutboxSentSize measures what sent replies cost the database:
// 2,000 replies of 300 KB each are queued and sent (MarkSent), either all
// queued before any is sent (a backlog) or in rounds of 100 (a daemon that
// keeps up), and the size is reported after the sending, after a WAL
// checkpoint and after a VACUUM. The schema does not set auto_vacuum, so
// PRAGMA incremental_vacuum would do nothing: free pages stay in the file,
// and SQLite reuses them for the next rows. Run it with
// -bench OutboxSentSize -benchtime 1x; each run writes 600 MB.
func BenchmarkOutboxSentSize(b *testing.B) {
	const (
		n    = 2000
		size = 300 << 10
	)
	cases := []struct {
		name  string
		round int
		// incremental makes the file auto_vacuum=INCREMENTAL before the
		// store opens it, and runs PRAGMA incremental_vacuum after sending.
		incremental bool
	}{
		{name: "backlog", round: n},
		{name: "rounds_of_100", round: 100},
		// auto_vacuum=INCREMENTAL on a new file (an existing one needs a
		// VACUUM to switch), then PRAGMA incremental_vacuum after sending.
		{name: "backlog_auto_vacuum_incremental", round: n, incremental: true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				ctx := context.Background()
				path := filepath.Join(b.TempDir(), "size.db")
				if tc.incremental {
					// Set on the empty file, before the first table.
					db, err := sql.Open("sqlite", dsn(path))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := db.Exec("PRAGMA auto_vacuum = INCREMENTAL"); err != nil {
						b.Fatal(err)
					}
					if _, err := db.Exec("VACUUM"); err != nil {
						b.Fatal(err)
					}
					db.Close()
				}
				s, err := Open(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				raw := make([]byte, size)
				for i := range raw {
					raw[i] = byte('a' + i%26)
				}
				start := time.Now()
				for done := 0; done < n; done += tc.round {
					err := s.Update(ctx, func(tx *Tx) error {
						for i := done; i < done+tc.round; i++ {
							if _, err := tx.Enqueue(Outgoing{MessageID: fmt.Sprintf("m%d@anmalan.example", i), EnvelopeFrom: "anmalan@example.se",
								Recipients: []string{fmt.Sprintf("deltagare%d@example.se", i)}, Raw: raw,
								Subject: "Bekräftelse: Workshop om regional utveckling", Kind: "confirmation"}, t0); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
					for {
						due, err := s.ClaimOutgoing(ctx, t0, 200, "bench", time.Hour)
						if err != nil {
							b.Fatal(err)
						}
						if len(due) == 0 {
							break
						}
						for _, o := range due {
							if err := s.MarkSent(ctx, o.ID, t0); err != nil {
								b.Fatal(err)
							}
						}
					}
				}
				elapsed := time.Since(start)
				sent := measureSize(b, s, path)
				if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
					b.Fatal(err)
				}
				ckpt := measureSize(b, s, path)
				if tc.incremental {
					if _, err := s.db.Exec("PRAGMA incremental_vacuum"); err != nil {
						b.Fatal(err)
					}
					if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
						b.Fatal(err)
					}
					b.Logf("after incremental_vacuum and checkpoint: %v", measureSize(b, s, path))
				}
				if _, err := s.db.Exec("VACUUM"); err != nil {
					b.Fatal(err)
				}
				if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
					b.Fatal(err)
				}
				vac := measureSize(b, s, path)
				b.Logf("%s: %d replies of %d KB queued and sent in %v", tc.name, n, size>>10, elapsed.Round(time.Millisecond))
				b.Logf("after sending:    %v", sent)
				b.Logf("after checkpoint: %v", ckpt)
				b.Logf("after VACUUM:     %v", vac)
				b.ReportMetric(float64(sent.used())/n, "used-B/reply")
				b.ReportMetric(float64(ckpt.file)/n, "file-B/reply")
				b.ReportMetric(float64(vac.file)/n, "vacuumed-B/reply")
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
