package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"

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
		data, ok := o.blobs.Get(p.Hash)
		if !ok {
			var err error
			data, err = o.store.Blob(ctx, p.Hash)
			if errors.Is(err, store.ErrNoBlob) {
				return nil, fmt.Errorf("reply %s: %w: %w", m.MessageID, errIncomplete, err)
			}
			if err != nil {
				return nil, fmt.Errorf("reply %s: %w", m.MessageID, err)
			}
			data = o.blobs.Put(p.Hash, data)
		}
		a.blobs = append(a.blobs, data)
	}
	return a, nil
}
