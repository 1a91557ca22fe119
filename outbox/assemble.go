package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/goteborgsregionen/anmalan/store"
)

// errIncomplete is a stored reply that cannot be put together: a part out
// of order or beyond its bytes, or a blob that is missing.
var errIncomplete = errors.New("stored reply incomplete")

// assembled is a stored reply with its blobs at hand, ready to be
// written whole.
type assembled struct {
	raw   []byte
	parts []store.Part
	blobs [][]byte
}

// WriteTo writes the whole reply to w, the stored bytes with each blob in
// its place, without copying it into one buffer. It fails only with w's
// error.
func (a *assembled) WriteTo(w io.Writer) (int64, error) {
	var n int64
	prev := 0
	for i, p := range a.parts {
		k, err := w.Write(a.raw[prev:p.At])
		n += int64(k)
		if err != nil {
			return n, err
		}
		k, err = w.Write(a.blobs[i])
		n += int64(k)
		if err != nil {
			return n, err
		}
		prev = p.At
	}
	k, err := w.Write(a.raw[prev:])
	return n + int64(k), err
}

// assemble gets m, read with its bytes, ready to be written whole: its
// blobs come from the ones kept in memory or from the database, so that
// every attempt writes the same bytes. It fails with errIncomplete when m
// has no bytes, a part is out of order or its blob is missing, and on
// database errors.
func (o *Outbox) assemble(ctx context.Context, m store.Outgoing) (*assembled, error) {
	if len(m.Raw) == 0 {
		return nil, fmt.Errorf("reply %s has no bytes: %w", m.MessageID, errIncomplete)
	}
	a := &assembled{raw: m.Raw, parts: m.Parts}
	prev := 0
	for _, p := range m.Parts {
		if p.At < prev || p.At > len(m.Raw) {
			return nil, fmt.Errorf("reply %s: part at %d of %d bytes: %w", m.MessageID, p.At, len(m.Raw), errIncomplete)
		}
		prev = p.At
		data, ok := o.blobs.get(p.Hash)
		if !ok {
			var err error
			data, err = o.store.Blob(ctx, p.Hash)
			if errors.Is(err, store.ErrNoBlob) {
				return nil, fmt.Errorf("reply %s: %w: %w", m.MessageID, errIncomplete, err)
			}
			if err != nil {
				return nil, fmt.Errorf("reply %s: %w", m.MessageID, err)
			}
			o.blobs.put(p.Hash, data)
		}
		a.blobs = append(a.blobs, data)
	}
	return a, nil
}

// maxBlobCache bounds the bytes of blobs an Outbox keeps in memory: the
// material that the replies of a burst carry, so that the base64 of a
// report is read from the database once, not once per reply.
const maxBlobCache int64 = 32 << 20

// blobCache keeps the blobs used lately. A hash always names the same
// bytes, so what it holds is never stale.
type blobCache struct {
	mu    sync.Mutex
	m     map[string][]byte
	order []string // oldest first
	bytes int64
}

func (c *blobCache) get(hash string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	data, ok := c.m[hash]
	return data, ok
}

// put keeps data under hash, dropping the oldest blobs beyond
// maxBlobCache; a blob larger than that is not kept.
func (c *blobCache) put(hash string, data []byte) {
	size := int64(len(data))
	if size > maxBlobCache {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[hash]; ok {
		return
	}
	for c.bytes+size > maxBlobCache && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= int64(len(c.m[old]))
		delete(c.m, old)
	}
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[hash] = data
	c.order = append(c.order, hash)
	c.bytes += size
}
