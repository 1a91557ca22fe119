// Package store keeps anmalan's state in one SQLite file: events,
// registrations, the incoming mails recorded for processing, the outbox of
// replies and the IMAP checkpoint. Every change that must hold an invariant
// (seat counts, waiting-list order, one live registration per address) runs
// inside one write transaction.
//
// The store has no clock: callers pass the times it records and compares.
// All times are stored in UTC.
//
// It imports stmtcache and the SQLite driver (modernc.org/sqlite). Entry
// points: Open, Store.Update, Store.Read and the methods of Tx.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"

	"github.com/goteborgsregionen/anmalan/stmtcache"
)

// Errors returned (wrapped) by the store; test them with errors.Is.
var (
	// ErrNoEvent means that no event has the given ID.
	ErrNoEvent = errors.New("no such event")
	// ErrNoRegistration means that no registration has the given ID.
	ErrNoRegistration = errors.New("no such registration")
	// ErrNoMail means that no recorded mail has the given ID.
	ErrNoMail = errors.New("no such mail")
	// ErrNoOutgoing means that no outbox row has the given ID.
	ErrNoOutgoing = errors.New("no such outgoing mail")
	// ErrDuplicateMessageID means that the outbox already holds a mail with
	// the same Message-ID.
	ErrDuplicateMessageID = errors.New("duplicate message-id in outbox")
)

// sqliteConstraintUnique is SQLITE_CONSTRAINT_UNIQUE, the extended result
// code of a UNIQUE violation.
const sqliteConstraintUnique = 2067

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is an open anmalan database. It is safe for concurrent use.
type Store struct {
	// db is the pool that read transactions use.
	db *sql.DB
	// wdb is the pool that write transactions use: in effect one
	// connection. In WAL mode SQLite empties a connection's page cache
	// whenever another connection has written since its last transaction;
	// with writes spread over the read pool, every write began on a cold
	// cache and read its pages again from the file (a tenth of the
	// daemon's CPU in a drain went to those reads). Writes are serialised
	// by writeSem anyway, so a separate writer pool costs no concurrency,
	// and since database/sql hands out the most recently returned
	// connection, every write runs on the same warm one.
	wdb *sql.DB
	// writeSem serialises this process's write transactions. SQLite allows
	// one writer at a time anyway; queueing here instead of in SQLite's busy
	// handler keeps many concurrent writers from running into busy_timeout.
	// busy_timeout still covers other processes on the same file.
	writeSem chan struct{}
	// stmts and wstmts hold the statements prepared once on db and wdb
	// and reused by every transaction.
	stmts, wstmts *stmtcache.Cache
}

// SchemaVersionError is returned by Open when the database was written by a
// newer anmalan whose schema this binary does not know.
type SchemaVersionError struct {
	Have, Supported int
}

func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this anmalan supports (%d); upgrade anmalan", e.Have, e.Supported)
}

// dsn returns the driver's data source name for the database file at p.
// The path is escaped because SQLite parses the name as a URI, where "?",
// "#" and "%" would otherwise end or change the path. secure_delete makes
// SQLite overwrite erased content with zeros, so that personal data erased
// after the retention time (or on request) is not left in free pages.
// journal_size_limit truncates the WAL after a checkpoint instead of
// leaving it at the size of the largest burst.
func dsn(p string) string {
	u := url.URL{Path: p}
	return "file:" + u.EscapedPath() +
		"?_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_synchronous=NORMAL&_txlock=immediate&_time_format=sqlite&_pragma=secure_delete(1)" +
		"&_pragma=journal_size_limit(8388608)"
}

// Open opens the database file at path, creating it if needed, and brings
// its schema up to date. It fails when the file cannot be opened, a
// migration fails, or the schema is newer than this binary knows (a
// *SchemaVersionError).
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, "")
}

// open is Open with extra parameters appended to the data source name
// (tests measure other settings with it).
func open(ctx context.Context, path, extra string) (*Store, error) {
	db, err := sql.Open("sqlite", dsn(path)+extra)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	wdb, err := sql.Open("sqlite", dsn(path)+extra)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	// Two connections, not one: the statement cache prepares a new query
	// on the pool, which needs a second connection while the write
	// transaction holds the first (with one, the first use of a query
	// inside a write waited for itself). The second only ever prepares.
	// Both are kept open for the life of the store: closing the writer
	// would throw its warm cache away.
	wdb.SetMaxOpenConns(2)
	wdb.SetMaxIdleConns(2)
	wdb.SetConnMaxIdleTime(0)
	wdb.SetConnMaxLifetime(0)
	s := &Store{db: db, wdb: wdb, writeSem: make(chan struct{}, 1), stmts: stmtcache.New(db), wstmts: stmtcache.New(wdb)}
	if err := s.incrementalVacuum(ctx); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database. It returns the error of closing the
// underlying connections, if any.
func (s *Store) Close() error {
	s.stmts.Close()
	s.wstmts.Close()
	if err := s.closeDBs(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// closeDBs closes both pools and returns the first error.
func (s *Store) closeDBs() error {
	return errors.Join(s.db.Close(), s.wdb.Close())
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations ordered by version. A file
// is named NNNN_description.sql, and the versions must be 1, 2, 3, … so
// that user_version maps to exactly one set of applied files.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations newer than the database's user_version,
// each in its own transaction together with the new user_version, so that
// a crash leaves the schema at one known version.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	// A database already at this version needs no write lock: a command
	// such as `anmalan status` opens it while the daemon writes without
	// waiting for the daemon's transactions.
	var have int
	if err := s.Read(ctx, func(tx *Tx) error {
		return tx.tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have)
	}); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have == len(ms) {
		return nil
	}
	// Holding the write lock while reading the version again keeps two
	// processes opening a fresh file at once from both applying the same
	// migration.
	return s.Update(ctx, func(tx *Tx) error {
		var have int
		if err := tx.tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if have > len(ms) {
			return &SchemaVersionError{Have: have, Supported: len(ms)}
		}
		for _, m := range ms[have:] {
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			// PRAGMA does not take parameters; the version is an int we made.
			if _, err := tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return fmt.Errorf("migration %s: set schema version: %w", m.name, err)
			}
		}
		return nil
	})
}

// Tx is one transaction, handed to the function given to Update or Read.
// It must not be used after that function returns.
type Tx struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
	// cache holds the statements of the pool tx was begun on.
	cache *stmtcache.Cache
	// stmts are the cached statements bound to this transaction.
	stmts map[string]*sql.Stmt
}

// Update runs fn in one write transaction and commits it when fn returns
// nil. When fn returns an error (or panics) everything it did is rolled
// back and that error is returned unchanged. It fails, too, when the
// transaction cannot begin or commit, or when ctx ends while waiting for
// another writer. fn must not call Update itself: write transactions are
// serialised, so the inner call would wait for the outer one until ctx ends.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	select {
	case s.writeSem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for write lock: %w", ctx.Err())
	}
	defer func() { <-s.writeSem }()
	return s.run(ctx, false, fn)
}

// Read runs fn in a read-only transaction, which sees one consistent
// snapshot of the database and never waits for writers. It returns fn's
// error unchanged, or an error when the transaction cannot begin.
func (s *Store) Read(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, true, fn)
}

func (s *Store) run(ctx context.Context, readOnly bool, fn func(*Tx) error) error {
	// With _txlock=immediate a write transaction begins with BEGIN
	// IMMEDIATE, so it holds the write lock before its first read and a
	// read-then-write seat check cannot fail halfway with SQLITE_BUSY. The
	// driver uses a plain BEGIN for read-only transactions.
	db, cache := s.wdb, s.wstmts
	if readOnly {
		db, cache = s.db, s.stmts
	}
	sqlTx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// Rollback after a successful Commit is a harmless no-op; deferring it
	// also covers a panicking fn.
	defer sqlTx.Rollback()
	if err := fn(&Tx{ctx: ctx, tx: sqlTx, s: s, cache: cache}); err != nil {
		return err
	}
	if readOnly {
		return nil
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stmt returns query's cached statement bound to tx, or nil when it is
// not cached.
func (tx *Tx) stmt(query string) *sql.Stmt {
	if st, ok := tx.stmts[query]; ok {
		return st
	}
	if tx.cache == nil {
		return nil
	}
	shared := tx.cache.Get(tx.ctx, query)
	if shared == nil {
		return nil
	}
	st := tx.tx.StmtContext(tx.ctx, shared)
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = st
	return st
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	if st := tx.stmt(query); st != nil {
		return st.ExecContext(tx.ctx, args...)
	}
	return tx.tx.ExecContext(tx.ctx, query, args...)
}

func (tx *Tx) query(query string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(query); st != nil {
		return st.QueryContext(tx.ctx, args...)
	}
	return tx.tx.QueryContext(tx.ctx, query, args...)
}

func (tx *Tx) queryRow(query string, args ...any) *sql.Row {
	if st := tx.stmt(query); st != nil {
		return st.QueryRowContext(tx.ctx, args...)
	}
	return tx.tx.QueryRowContext(tx.ctx, query, args...)
}

// dbTime converts t for storage: UTC, and NULL for the zero time, which
// the API uses to mean "none".
func dbTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// fromDB converts a stored, possibly NULL time back: UTC, or zero.
func fromDB(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// nullID stores an optional reference: 0 means none.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// isUnique reports whether err is a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqliteConstraintUnique
}

// affectedOne returns notFound when res changed no row.
func affectedOne(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}
