package blobcache

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

// TestBound: the cache never holds more than its bound; the oldest go
// first, and what is too large for it is returned but not kept.
func TestBound(t *testing.T) {
	c := New(10)
	c.Put("a", []byte("aaaa"))
	c.Put("b", []byte("bbbb"))
	c.Put("c", []byte("cccc")) // a goes
	if _, ok := c.Get("a"); ok {
		t.Error("the oldest entry is still there beyond the bound")
	}
	for _, h := range []string{"b", "c"} {
		if _, ok := c.Get(h); !ok {
			t.Errorf("%s was dropped", h)
		}
	}
	if got := c.Put("big", bytes.Repeat([]byte("x"), 11)); len(got) != 11 {
		t.Errorf("Put of data over the bound returned %d bytes", len(got))
	}
	if _, ok := c.Get("big"); ok || c.Bytes() > 10 {
		t.Errorf("data over the bound kept; cache holds %d bytes", c.Bytes())
	}
}

// TestOneCopy: two callers putting the same file get the one copy the
// first put, which is what lets the composer and the outbox share it.
func TestOneCopy(t *testing.T) {
	c := New(1 << 20)
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Go(func() { got[i] = c.Put("h", []byte(fmt.Sprint("copy", i))) })
	}
	wg.Wait()
	for i := range got {
		if &got[i][0] != &got[0][0] {
			t.Fatalf("caller %d got a copy of its own (%q, first %q)", i, got[i], got[0])
		}
	}
	if c.Bytes() != int64(len(got[0])) {
		t.Errorf("cache holds %d bytes for one entry of %d", c.Bytes(), len(got[0]))
	}
}
