package outbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"time"
)

// The mail's bytes go to the server without go-smtp's DATA writer. That
// writer (net/textproto's DotWriter) looks at every byte on its own and
// writes it with bufio.Writer.WriteByte; with a 200 KB reply it was a third
// of the daemon's CPU per mail, on the two CPUs it shares with the mail
// servers. dataWriter does the same dot-stuffing a line at a time with
// bytes.IndexByte, and writes to the connection go-smtp writes to, between
// go-smtp's DATA command (which has read the server's 354) and its Close
// (which ends the data and reads the server's answer).

// dataBuffer is how much dataWriter gathers before it writes to the
// connection: under TLS every write is a record of its own.
const dataBuffer = 64 << 10

// dataWriter dot-stuffs a mail for SMTP DATA (RFC 5321 section 4.5.2):
// a line that begins with "." gets another in front, and a bare LF becomes
// CRLF, exactly as net/textproto's DotWriter does for CRLF text. It holds
// back a final CRLF (or CR): the DotWriter that go-smtp closes afterwards
// has been given nothing, so it writes "\r\n.\r\n", which is that line end
// and the end of the data.
type dataWriter struct {
	w *bufio.Writer
	// lineStart is true before the first byte and after each LF.
	lineStart bool
	// afterCR is true when the last byte given was a CR.
	afterCR bool
	// held is the line end held back: "", "\r" or "\r\n".
	held string
	err  error
}

func newDataWriter(conn io.Writer) *dataWriter {
	return &dataWriter{w: bufio.NewWriterSize(conn, dataBuffer), lineStart: true}
}

// Write dot-stuffs p. It fails only when the connection does.
func (d *dataWriter) Write(p []byte) (int, error) {
	n := len(p)
	if n == 0 {
		return 0, d.err
	}
	// A composed mail's lines all end in CRLF; counting is much faster
	// than looking at each line end, and then only the lines that begin
	// with a dot need a look.
	bareLF := bytes.Count(p, lfBytes) - bytes.Count(p, crlfBytes)
	if d.afterCR && p[0] == '\n' {
		bareLF--
	}
	if bareLF == 0 {
		d.writeCRLF(p)
	} else {
		d.writeAny(p)
	}
	if d.err != nil {
		return 0, d.err
	}
	return n, nil
}

// writeCRLF writes p, whose every LF follows a CR.
func (d *dataWriter) writeCRLF(p []byte) {
	if d.lineStart && p[0] == '.' {
		d.emit(dotBytes)
	}
	last := p[len(p)-1]
	for {
		i := bytes.Index(p, lineDot)
		if i < 0 {
			d.emit(p)
			break
		}
		d.emit(p[:i+1])
		d.emit(dotBytes)
		p = p[i+1:]
	}
	d.lineStart = last == '\n'
	d.afterCR = last == '\r'
}

// writeAny writes p line by line, making each bare LF a CRLF.
func (d *dataWriter) writeAny(p []byte) {
	for len(p) > 0 && d.err == nil {
		if d.lineStart {
			d.lineStart = false
			if p[0] == '.' {
				d.emit(dotBytes)
			}
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			d.emit(p)
			d.afterCR = p[len(p)-1] == '\r'
			break
		}
		// The LF ends a line; it is CRLF already when a CR came before it,
		// in this piece or at the end of the one before.
		cr := i > 0 && p[i-1] == '\r' || i == 0 && d.afterCR
		d.emit(p[:i])
		if cr {
			d.emit(lfBytes)
		} else {
			d.emit(crlfBytes)
		}
		d.afterCR = false
		d.lineStart = true
		p = p[i+1:]
	}
}

var (
	lineDot   = []byte("\n.")
	dotBytes  = []byte(".")
	lfBytes   = []byte("\n")
	crlfBytes = []byte("\r\n")
)

// emit writes b, keeping a final CR or CRLF of everything emitted so far
// back until more comes.
func (d *dataWriter) emit(b []byte) {
	if len(b) == 0 || d.err != nil {
		return
	}
	if d.held != "" {
		if d.held == "\r" && b[0] == '\n' {
			d.held = "\r\n"
			b = b[1:]
			if len(b) == 0 {
				return
			}
		}
		if _, err := d.w.WriteString(d.held); err != nil {
			d.err = err
			return
		}
		d.held = ""
	}
	switch {
	case bytes.HasSuffix(b, crlfBytes):
		b, d.held = b[:len(b)-2], "\r\n"
	case b[len(b)-1] == '\r':
		b, d.held = b[:len(b)-1], "\r"
	}
	if _, err := d.w.Write(b); err != nil {
		d.err = err
	}
}

// Flush writes what is gathered, leaving the held line end to the
// DotWriter's Close.
func (d *dataWriter) Flush() error {
	if d.err != nil {
		return d.err
	}
	return d.w.Flush()
}

// writeData writes mail as the data of the transaction begun on conn,
// within the deadline a whole submission gets.
func writeData(conn net.Conn, mail io.WriterTo, timeout time.Duration) error {
	if err := conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return fmt.Errorf("set deadline: %w", err)
	}
	defer conn.SetWriteDeadline(time.Time{})
	d := newDataWriter(conn)
	if _, err := mail.WriteTo(d); err != nil {
		return err
	}
	return d.Flush()
}

// errInjected is a STARTTLS answer followed by more, which a server never
// sends before the handshake: someone on the path is writing answers that
// would be read as if they came over TLS.
var errInjected = errors.New("data after the STARTTLS answer, before the handshake")

// startTLS greets the server over conn, asks for TLS and returns the TLS
// connection, on which the server's greeting is read again. go-smtp's own
// STARTTLS keeps the TLS connection to itself; the outbox needs it, to
// write the data on it (writeData). go-smtp, given the returned
// connection, reads the replayed greeting and says EHLO again, as RFC 3207
// asks after the handshake.
func startTLS(ctx context.Context, conn net.Conn, cfg *tls.Config, name string, timeout time.Duration) (net.Conn, error) {
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, fmt.Errorf("set deadline: %w", err)
	}
	br := bufio.NewReader(conn)
	tr := textproto.NewReader(br)
	code, msg, err := tr.ReadResponse(220)
	if err != nil {
		return nil, fmt.Errorf("greeting: %w", err)
	}
	greeting := replyBytes(code, msg)
	if _, err := fmt.Fprintf(conn, "EHLO %s\r\n", name); err != nil {
		return nil, fmt.Errorf("ehlo: %w", err)
	}
	if _, _, err := tr.ReadResponse(250); err != nil {
		return nil, fmt.Errorf("ehlo: %w", err)
	}
	if _, err := io.WriteString(conn, "STARTTLS\r\n"); err != nil {
		return nil, fmt.Errorf("starttls: %w", err)
	}
	if _, _, err := tr.ReadResponse(220); err != nil {
		return nil, fmt.Errorf("starttls: %w", err)
	}
	if br.Buffered() > 0 {
		return nil, errInjected
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, fmt.Errorf("set deadline: %w", err)
	}
	return &replayConn{Conn: tc, pending: greeting}, nil
}

// replyBytes is an SMTP reply as the server wrote it, from the code and
// the lines net/textproto joined with "\n".
func replyBytes(code int, msg string) []byte {
	var b bytes.Buffer
	lines := bytes.Split([]byte(msg), lfBytes)
	for i, l := range lines {
		sep := '-'
		if i == len(lines)-1 {
			sep = ' '
		}
		fmt.Fprintf(&b, "%03d%c%s\r\n", code, sep, l)
	}
	return b.Bytes()
}

// replayConn reads pending before what the connection brings.
type replayConn struct {
	net.Conn
	pending []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}
