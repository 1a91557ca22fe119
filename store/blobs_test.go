package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// blobFixture is a database and one blob of size bytes, as a material
// file's base64 is stored.
func blobFixture(t *testing.T, size int) (*Store, string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "anmalan.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	blob := make([]byte, size)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range blob {
		blob[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rng.UintN(64)]
	}
	return s, path, blob
}

// skeleton is a stored mail with a hole for one blob, and where it is.
func skeleton(i int) ([]byte, int) {
	head := fmt.Sprintf("Message-ID: <r%d@x>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n", i)
	return []byte(head + "\r\n--b--\r\n"), len(head)
}

// enqueueWithBlob queues n replies that each carry blob under hash, the
// blob's bytes given every time as the bot gives them.
func enqueueWithBlob(t *testing.T, s *Store, n int, hash string, blob []byte, now time.Time) []int64 {
	t.Helper()
	var ids []int64
	err := s.Update(context.Background(), func(tx *Tx) error {
		for i := range n {
			raw, at := skeleton(len(ids) + i*1000 + int(now.Unix()%1000))
			id, err := tx.Enqueue(Outgoing{MessageID: fmt.Sprintf("r%d-%d@x", now.Unix(), i), EnvelopeFrom: "bot@x",
				Recipients: []string{fmt.Sprintf("p%d@x.se", i)}, Raw: raw, Kind: "confirmation",
				Parts: []Part{{At: at, Hash: hash, Data: blob}}}, now)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func count(t *testing.T, s *Store, query string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBlobStoredOnceForManyReplies: 100 replies with a 500 KB material
// store it once; the database stays far below one copy per reply, and
// each reply's size counts the whole mail.
func TestBlobStoredOnceForManyReplies(t *testing.T) {
	s, path, blob := blobFixture(t, 500<<10)
	now := time.Date(2029, 1, 1, 10, 0, 0, 0, time.UTC)
	ids := enqueueWithBlob(t, s, 100, "h1", blob, now)
	if n := count(t, s, `SELECT COUNT(*) FROM blobs`); n != 1 {
		t.Errorf("%d blobs stored, want 1", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox_parts`); n != len(ids) {
		t.Errorf("%d parts, want %d", n, len(ids))
	}
	if n := count(t, s, `SELECT COALESCE(SUM(length(raw)), 0) FROM outbox`); n > 200*len(ids) {
		t.Errorf("the outbox rows hold %d bytes: the blob is in them", n)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.Stat(path + "-wal")
	if total := fi.Size() + wal.Size(); total > 3*int64(len(blob)) {
		t.Errorf("database and WAL are %d bytes for one blob of %d", total, len(blob))
	}
	due, err := s.DueOutgoing(context.Background(), now, 200)
	if err != nil || len(due) != len(ids) {
		t.Fatalf("due %d, %v", len(due), err)
	}
	if o := due[0]; o.Size != len(o.Raw)+len(blob) || len(o.Parts) != 1 || o.Parts[0].At != len(o.Raw)-len("\r\n--b--\r\n") || o.Parts[0].Hash != "h1" || o.Parts[0].Data != nil {
		t.Errorf("first reply: size %d, parts %+v", o.Size, o.Parts)
	}
	got, err := s.Blob(context.Background(), "h1")
	if err != nil || !bytes.Equal(got, blob) {
		t.Errorf("Blob = %d bytes, %v", len(got), err)
	}
	var want int64
	for _, o := range due {
		want += int64(len(o.Raw) + len(blob))
	}
	rows, size, err := s.Backlog(context.Background(), now)
	if err != nil || rows != len(ids) || size != want {
		t.Errorf("Backlog = %d rows, %d bytes, %v", rows, size, err)
	}
	if rows, _, _ := s.Backlog(context.Background(), now.Add(-time.Second)); rows != 0 {
		t.Errorf("Backlog before the replies were due = %d rows", rows)
	}
}

// TestBlobsCollectedAfterSending: a blob stays while any reply that
// carries it is pending or failed (kept for a human), and the compaction
// after the last is sent deletes it; a later reply stores it again.
func TestBlobsCollectedAfterSending(t *testing.T) {
	ctx := context.Background()
	s, _, blob := blobFixture(t, 100<<10)
	now := time.Date(2029, 1, 1, 10, 0, 0, 0, time.UTC)
	ids := enqueueWithBlob(t, s, 3, "h1", blob, now)
	for _, id := range ids[:2] {
		if err := s.MarkSent(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := s.Compact(ctx); err != nil || c.Blobs != 0 {
		t.Fatalf("compaction with a reply pending: %+v, %v", c, err)
	}
	if err := s.MarkFailed(ctx, ids[2], "550 no"); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Compact(ctx); err != nil || c.Blobs != 0 {
		t.Fatalf("compaction with a failed reply: %+v, %v", c, err)
	}
	// The failed reply's bytes go with the retention purge or an erasure.
	if _, err := s.db.Exec(`UPDATE outbox SET raw = x'' WHERE id = ?`, ids[2]); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox_parts`); n != 0 {
		t.Errorf("%d parts left after every reply's bytes were dropped", n)
	}
	c, err := s.Compact(ctx)
	if err != nil || c.Blobs != 1 {
		t.Fatalf("compaction after the last: %+v, %v", c, err)
	}
	if _, err := s.Blob(ctx, "h1"); !errors.Is(err, ErrNoBlob) {
		t.Errorf("Blob after collection: %v, want ErrNoBlob", err)
	}
	enqueueWithBlob(t, s, 1, "h1", blob, now.Add(time.Hour))
	if got, err := s.Blob(ctx, "h1"); err != nil || !bytes.Equal(got, blob) {
		t.Errorf("Blob stored again = %d bytes, %v", len(got), err)
	}
}

// TestEnqueueRefusesBadParts: a part beyond the mail or before the one
// before it, or a blob neither stored nor given, is refused and nothing
// is queued.
func TestEnqueueRefusesBadParts(t *testing.T) {
	s, _, blob := blobFixture(t, 100)
	raw, at := skeleton(1)
	for name, parts := range map[string][]Part{
		"beyond":    {{At: len(raw) + 1, Hash: "h", Data: blob}},
		"negative":  {{At: -1, Hash: "h", Data: blob}},
		"backwards": {{At: at, Hash: "h", Data: blob}, {At: at - 1, Hash: "h", Data: blob}},
		"no hash":   {{At: at, Data: blob}},
		"no bytes":  {{At: at, Hash: "unknown"}},
	} {
		t.Run(name, func(t *testing.T) {
			err := s.Update(context.Background(), func(tx *Tx) error {
				_, err := tx.Enqueue(Outgoing{MessageID: "bad@x", EnvelopeFrom: "bot@x", Recipients: []string{"a@x.se"},
					Raw: raw, Kind: "confirmation", Parts: parts}, time.Now())
				return err
			})
			if err == nil {
				t.Fatal("enqueued")
			}
			if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != 0 {
				t.Errorf("%d rows queued", n)
			}
		})
	}
}
