package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Part is one blob in an outgoing mail: bytes stored once by their hash
// however many mails carry them (a material file's base64), that go into
// the mail's Raw at offset At.
type Part struct {
	// At is the offset in Raw where the blob goes.
	At int
	// Hash names the blob: the caller's hash of what it stands for (the
	// material's content). One hash must always stand for the same bytes.
	Hash string
	// Data is the blob's bytes, given to Enqueue, where it may be empty
	// when the blob is stored already. It is not read back with the mail:
	// Blob reads it.
	Data []byte
}

// errBadPart is an outgoing mail's part out of order or beyond its Raw.
var errBadPart = errors.New("part out of order or beyond the mail")

// putBlob stores p's bytes under its hash unless a blob of that hash is
// stored already, and returns the stored blob's length. It fails when no
// blob of the hash is stored and p has no bytes, and on database errors.
func (tx *Tx) putBlob(p Part, now time.Time) (int, error) {
	var n int
	err := tx.queryRow(`SELECT length(data) FROM blobs WHERE hash = ?`, p.Hash).Scan(&n)
	switch {
	case err == nil:
		return n, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("find blob %s: %w", p.Hash, err)
	case len(p.Data) == 0:
		return 0, fmt.Errorf("blob %s: not stored and no bytes given", p.Hash)
	}
	if _, err := tx.exec(`INSERT INTO blobs (hash, data, created_at) VALUES (?, ?, ?)`, p.Hash, p.Data, now.UTC()); err != nil {
		return 0, fmt.Errorf("store blob %s: %w", p.Hash, err)
	}
	return len(p.Data), nil
}

// parts returns the parts of outgoing mail id, in order, without their
// bytes.
func (tx *Tx) parts(id int64) ([]Part, error) {
	rows, err := tx.query(`SELECT at, hash FROM outbox_parts WHERE outbox_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("parts of outgoing %d: %w", id, err)
	}
	defer rows.Close()
	var out []Part
	for rows.Next() {
		var p Part
		if err := rows.Scan(&p.At, &p.Hash); err != nil {
			return nil, fmt.Errorf("parts of outgoing %d: %w", id, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("parts of outgoing %d: %w", id, err)
	}
	return out, nil
}

// ErrNoBlob means that no blob has the given hash.
var ErrNoBlob = errors.New("no such blob")

// Blob returns the bytes stored under hash (a Part's). It fails with
// ErrNoBlob when there are none, and on database errors.
func (s *Store) Blob(ctx context.Context, hash string) ([]byte, error) {
	var data []byte
	err := s.Read(ctx, func(tx *Tx) error {
		return tx.queryRow(`SELECT data FROM blobs WHERE hash = ?`, hash).Scan(&data)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read blob %s: %w", hash, ErrNoBlob)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", hash, err)
	}
	return data, nil
}

// collectBlobs deletes the blobs that no outgoing mail refers to (the
// parts of a mail go when its bytes are dropped) and returns how many.
func collectBlobs(ctx context.Context, conn *sql.Conn) (int, error) {
	res, err := conn.ExecContext(ctx, `DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM outbox_parts p WHERE p.hash = blobs.hash)`)
	if err != nil {
		return 0, fmt.Errorf("collect blobs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("collect blobs: %w", err)
	}
	return int(n), nil
}

// backlogQuery counts the pending mails due at its argument and sums their
// sizes. It reads only the index outbox_due (migration 0010).
const backlogQuery = `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM outbox WHERE status = 'pending' AND next_attempt <= ?`

// Backlog returns how many pending mails are due at now and the bytes
// they come to (whole, with their parts): what was composed and waits to
// be sent. A mail that waits for a retry later is not counted. It fails
// only on database errors.
func (s *Store) Backlog(ctx context.Context, now time.Time) (rows int, bytes int64, err error) {
	err = s.Read(ctx, func(tx *Tx) error {
		if err := tx.queryRow(backlogQuery, now.UTC()).Scan(&rows, &bytes); err != nil {
			return fmt.Errorf("outbox backlog: %w", err)
		}
		return nil
	})
	return rows, bytes, err
}
