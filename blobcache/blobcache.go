// Package blobcache keeps the base64 of material attachments in memory by
// the hash of the file's content, within a bound on their bytes, oldest
// dropped first. The composer puts a file's base64 there when it first
// encodes it and the outbox takes it from there when it assembles a reply,
// so that a daemon holds each file's base64 once however many replies carry
// it. A hash always names the same bytes, so what it holds is never stale.
//
// It imports nothing of the project.
package blobcache

import "sync"

// Max bounds the bytes of base64 a daemon keeps: more than the material of
// any sensible set of events (a few files of a few megabytes, 2.7 MB of
// base64 for a 2 MB report), and a bound on what many changes of a file
// can leave.
const Max int64 = 64 << 20

// Cache is safe for concurrent use. The bytes it returns are shared and
// must not be changed.
type Cache struct {
	max   int64
	mu    sync.Mutex
	m     map[string][]byte
	order []string // oldest first
	bytes int64
}

// New returns a Cache that holds at most max bytes.
func New(max int64) *Cache {
	return &Cache{max: max, m: map[string][]byte{}}
}

// Get returns the bytes kept under hash.
func (c *Cache) Get(hash string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	data, ok := c.m[hash]
	return data, ok
}

// Put keeps data under hash, dropping the oldest entries beyond the bound,
// and returns what is kept under hash: data, or the bytes another caller
// put there first (so that callers share one copy). Data larger than the
// bound is not kept.
func (c *Cache) Put(hash string, data []byte) []byte {
	size := int64(len(data))
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[hash]; ok {
		return old
	}
	if size > c.max {
		return data
	}
	for c.bytes+size > c.max && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= int64(len(c.m[old]))
		delete(c.m, old)
	}
	c.m[hash] = data
	c.order = append(c.order, hash)
	c.bytes += size
	return data
}

// Bytes returns how many bytes the Cache holds.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
