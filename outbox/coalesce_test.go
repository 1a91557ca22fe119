package outbox

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"testing"
)

// countingConn counts the writes that reach the socket.
type countingConn struct {
	net.Conn
	writes int
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes++
	return c.Conn.Write(p)
}

// TestCoalescingConn: small writes reach the socket gathered, all of them
// and in order, before the client reads the server's answer.
func TestCoalescingConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const chunk, chunks = 1000, 100
	got := make(chan []byte, 1)
	go func() {
		s, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer s.Close()
		b := make([]byte, chunk*chunks)
		if _, err := io.ReadFull(s, b); err != nil {
			got <- nil
			return
		}
		got <- b
		s.Write([]byte("250 ok\r\n"))
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	counted := &countingConn{Conn: raw}
	c := coalescing(counted)
	var want bytes.Buffer
	for i := range chunks {
		p := bytes.Repeat([]byte{byte('a' + i%26)}, chunk)
		want.Write(p)
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "250 ok\r\n" {
		t.Fatalf("answer %q (%v)", line, err)
	}
	if b := <-got; !bytes.Equal(b, want.Bytes()) {
		t.Fatal("the server got other bytes than were written")
	}
	// 100,000 bytes in writes of 1,000: two socket writes (64 KiB and the
	// rest) instead of a hundred.
	if counted.writes != 2 {
		t.Errorf("%d socket writes, want 2", counted.writes)
	}
}
