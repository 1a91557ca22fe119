package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRecordMails measures the intake's recording step: one
// transaction per chunk of 1,000 mails of 340 bytes, with the checkpoint.
func BenchmarkRecordMails(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	raw := make([]byte, 340)
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, time.UTC)
	const chunk = 1000
	uid := uint32(0)
	b.ResetTimer()
	for range b.N {
		recs := make([]MailRecord, chunk)
		for i := range recs {
			uid++
			recs[i] = MailRecord{Key: fmt.Sprintf("bench-%d@ale.example", uid), Mailbox: "INBOX",
				UIDValidity: 1, UID: uid, Received: at, Raw: raw}
		}
		if _, err := s.RecordMails(context.Background(), "INBOX", 1, uid, recs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*chunk), "µs/mail")
}
