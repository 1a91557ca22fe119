package stmtcache

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestGetPreparesOnceAndRuns(t *testing.T) {
	ctx := context.Background()
	c := New(openDB(t))
	defer c.Close()
	ins := c.Get(ctx, `INSERT INTO t (x) VALUES (?)`)
	if ins == nil {
		t.Fatal("Get of an INSERT = nil")
	}
	if again := c.Get(ctx, `INSERT INTO t (x) VALUES (?)`); again != ins {
		t.Error("the same SQL was prepared a second time")
	}
	for i := range 3 {
		if _, err := ins.Exec(i); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := c.Get(ctx, `SELECT COUNT(*) FROM t`).QueryRow().Scan(&n); err != nil || n != 3 {
		t.Errorf("rows after three inserts by the cached statement: %d, %v", n, err)
	}
}

func TestGetLeavesWhatItCannotKeep(t *testing.T) {
	ctx := context.Background()
	c := New(openDB(t))
	if st := c.Get(ctx, `DELETE FROM t; DELETE FROM t`); st != nil {
		t.Error("text with two commands was prepared as one statement")
	}
	if st := c.Get(ctx, `SELECT nosuchcolumn FROM t`); st != nil {
		t.Error("a query that does not prepare was cached")
	}
	for i := range MaxStatements {
		if c.Get(ctx, fmt.Sprintf(`SELECT %d FROM t`, i)) == nil {
			t.Fatalf("statement %d of %d not cached", i, MaxStatements)
		}
	}
	if st := c.Get(ctx, `SELECT -1 FROM t`); st != nil {
		t.Errorf("a full cache took statement %d", MaxStatements+1)
	}
	c.Close()
	if st := c.Get(ctx, `SELECT 0 FROM t`); st != nil {
		t.Error("a closed cache handed out a statement")
	}
}
