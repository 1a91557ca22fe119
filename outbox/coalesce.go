package outbox

import "net"

// coalesceBytes is how much the SMTP connection gathers before it writes.
// go-smtp writes through a 4 KiB buffer, so a 200 KB reply took fifty write
// system calls; SMTP without pipelining always reads the server's answer
// after what it wrote, so gathering until the next read delays nothing.
const coalesceBytes = 64 << 10

// coalescingConn gathers what is written to a connection and writes it at
// once when the buffer is full or before the next read.
type coalescingConn struct {
	net.Conn
	buf []byte
}

func coalescing(c net.Conn) *coalescingConn {
	return &coalescingConn{Conn: c, buf: make([]byte, 0, coalesceBytes)}
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	if len(c.buf)+len(p) > coalesceBytes {
		if err := c.flush(); err != nil {
			return 0, err
		}
		if len(p) >= coalesceBytes {
			return c.Conn.Write(p)
		}
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

// Read sends what was gathered first: the server answers only what it got.
func (c *coalescingConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *coalescingConn) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.buf)
	c.buf = c.buf[:0]
	return err
}
