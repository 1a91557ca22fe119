// Package stmtcache keeps the prepared statements of one database/sql
// pool, so that SQL that runs for every mail is parsed once: parsing the
// same SQL again for every mail was a third of the time the bot spent on
// a backlog.
//
// It imports only the standard library. Entry points: New, Cache.Get,
// Cache.Close.
package stmtcache

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// MaxStatements bounds a cache; queries built with a variable number of
// placeholders beyond it are prepared each time.
const MaxStatements = 256

// Cache maps SQL text to its statement prepared on one pool. It is safe
// for concurrent use.
type Cache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// New returns an empty cache of statements prepared on db.
func New(db *sql.DB) *Cache {
	return &Cache{db: db, m: map[string]*sql.Stmt{}}
}

// Get returns the statement for query, preparing it on first use. It
// returns nil (and the caller runs the query unprepared) for text with
// several commands, which is left to the driver's own handling, when the
// cache is full, or when preparing fails; a query that fails to prepare
// reports its error when it runs.
func (c *Cache) Get(ctx context.Context, query string) *sql.Stmt {
	if strings.Contains(strings.TrimRight(strings.TrimSpace(query), ";"), ";") {
		return nil
	}
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= MaxStatements
	c.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	// Prepared without holding the lock: preparing takes a connection
	// from the pool, which may have to wait for other transactions.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		st.Close()
		return prev
	}
	if c.m == nil {
		// Closed meanwhile: the statement is not kept.
		st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

// Close closes every cached statement; later Gets prepare nothing.
func (c *Cache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}
