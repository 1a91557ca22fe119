package store

import (
	"context"
	"fmt"
)

// incrementalVacuum sets auto_vacuum INCREMENTAL on a database that has no
// tables yet (the VACUUM of the empty file puts it in force, which in WAL
// mode the pragma alone does not): then Compact can give the pages of sent
// replies' bytes back to the file system. An older file keeps its setting,
// which only a VACUUM of the whole file could change. It fails only on
// database errors.
func (s *Store) incrementalVacuum(ctx context.Context) error {
	var tables int
	if err := s.wdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if tables > 0 {
		return nil
	}
	if _, err := s.wdb.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL; VACUUM`); err != nil {
		return fmt.Errorf("set auto_vacuum: %w", err)
	}
	return nil
}

// Compaction is what one Compact did.
type Compaction struct {
	// FreedPages is how many free pages were given back to the file
	// system.
	FreedPages int
	// FileBytes is the size of the database (pages in the main file)
	// afterwards.
	FileBytes int64
	// Blobs is how many blobs (material files) were deleted because no
	// mail waiting to be sent, or failed, refers to them any more.
	Blobs int
}

// Compact deletes the blobs that no unsent mail refers to, gives the
// database's free pages back to the file system (incremental_vacuum) and
// checkpoints and truncates the WAL. A drain of a
// burst leaves the file at its high-water mark: the bytes of the replies
// that waited to be sent, dropped once they were accepted. The daemon calls
// it when it has been quiet for a while. On a database created before
// auto_vacuum was set it frees nothing (a VACUUM, with the daemon stopped,
// turns it on). It fails only on database errors.
func (s *Store) Compact(ctx context.Context) (Compaction, error) {
	var c Compaction
	// Writers are serialised by writeSem; the vacuum is a write, on the
	// writers' pool, whose connection is taken after the lock as Update
	// takes it.
	select {
	case s.writeSem <- struct{}{}:
	case <-ctx.Done():
		return c, ctx.Err()
	}
	defer func() { <-s.writeSem }()
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	defer conn.Close()
	if c.Blobs, err = collectBlobs(ctx, conn); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	var before, after int64
	if err := conn.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&before); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	if before > 0 {
		if _, err := conn.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
			return c, fmt.Errorf("compact: incremental vacuum: %w", err)
		}
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&after); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return c, fmt.Errorf("compact: checkpoint: %w", err)
	}
	var pages, size int64
	if err := conn.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return c, fmt.Errorf("compact: %w", err)
	}
	c.FreedPages, c.FileBytes = int(before-after), pages*size
	return c, nil
}
