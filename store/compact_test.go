package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCompactGivesSentRepliesBytesBack: a new database is created with
// auto_vacuum INCREMENTAL; after 200 replies of 100 KB are sent, Compact
// frees their pages, and the file and its WAL end up a small part of
// what the replies took.
func TestCompactGivesSentRepliesBytesBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "anmalan.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode int
	if err := s.db.QueryRow(`PRAGMA auto_vacuum`).Scan(&mode); err != nil || mode != 2 {
		t.Fatalf("auto_vacuum = %d, %v; want 2 (incremental)", mode, err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	const n, size = 200, 100 << 10
	raw := bytes.Repeat([]byte("x"), size)
	var ids []int64
	err = s.Update(ctx, func(tx *Tx) error {
		for i := range n {
			id, err := tx.Enqueue(Outgoing{MessageID: fmt.Sprintf("r%d@x", i), EnvelopeFrom: "bot@x",
				Recipients: []string{fmt.Sprintf("p%d@x.se", i)}, Raw: raw, Kind: "confirmation"}, now)
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
	for _, id := range ids {
		if err := s.MarkSent(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Compact(ctx)
	if err != nil {
		t.Fatal(err)
	}
	files := int64(0)
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			files += fi.Size()
		}
	}
	t.Logf("freed %d pages; database %d bytes, file and WAL %d bytes, for %d bytes of replies", c.FreedPages, c.FileBytes, files, n*size)
	if c.FreedPages == 0 || files > n*size/10 {
		t.Errorf("after Compact the file and WAL take %d bytes (freed %d pages), want under a tenth of %d", files, c.FreedPages, n*size)
	}
}
