package outbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// dotStuffed is what net/textproto's DotWriter makes of the pieces: the
// reference the outbox's own data writer must match byte for byte.
func dotStuffed(pieces ...[]byte) []byte {
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	w := textproto.NewWriter(bw).DotWriter()
	for _, p := range pieces {
		w.Write(p)
	}
	w.Close()
	return b.Bytes()
}

// ownStuffed is what the outbox sends for the same pieces: its data
// writer's output, then what go-smtp's unused DotWriter writes on Close.
func ownStuffed(t testing.TB, pieces ...[]byte) []byte {
	var b bytes.Buffer
	d := newDataWriter(&b)
	for _, p := range pieces {
		if n, err := d.Write(p); err != nil || n != len(p) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	return append(b.Bytes(), dotStuffed()...)
}

func TestDataWriterMatchesDotWriter(t *testing.T) {
	cases := []string{
		"",
		"Subject: x\r\n\r\nhej\r\n",
		"Subject: x\r\n\r\nhej",
		".\r\n",
		".leading dot\r\n..two\r\nmid.dle\r\n.",
		"bare\nlf\n.dot after bare lf\n",
		"ends in cr\r",
		"\r\n\r\n",
		"\n",
		"a\r\n.\r\n.\r\nb\r\n",
	}
	for _, c := range cases {
		want := dotStuffed([]byte(c))
		if got := ownStuffed(t, []byte(c)); !bytes.Equal(got, want) {
			t.Errorf("%q: sent %q, want %q", c, got, want)
		}
		// Split at every point: a line end or a leading dot across two
		// writes comes out the same.
		for i := range len(c) {
			if got := ownStuffed(t, []byte(c[:i]), []byte(c[i:])); !bytes.Equal(got, want) {
				t.Errorf("%q split at %d: sent %q, want %q", c, i, got, want)
			}
		}
	}
}

// FuzzDataWriter compares the outbox's data writer with net/textproto's
// on any text whose CRs all begin a CRLF (the only CRs a composed mail
// holds; textproto's handling of "\r\r\n" is its own), written in two
// pieces.
func FuzzDataWriter(f *testing.F) {
	f.Add("Subject: x\r\n\r\n.hej\r\n", 3)
	f.Add("a\n.\nb", 1)
	f.Fuzz(func(t *testing.T, s string, cut int) {
		s = strings.ReplaceAll(s, "\r", "")
		for _, text := range []string{s, strings.ReplaceAll(s, "\n", "\r\n")} {
			if cut < 0 || cut > len(text) {
				cut = len(text) / 2
			}
			want := dotStuffed([]byte(text))
			if got := ownStuffed(t, []byte(text[:cut]), []byte(text[cut:])); !bytes.Equal(got, want) {
				t.Fatalf("%q cut at %d: sent %q, want %q", text, cut, got, want)
			}
		}
	})
}

// keepSession keeps the data of every mail.
type keepSession struct {
	mu   *sync.Mutex
	data *[][]byte
}

func (k keepSession) Mail(string, *smtp.MailOptions) error { return nil }
func (k keepSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (k keepSession) Reset()                               {}
func (k keepSession) Logout() error                        { return nil }
func (k keepSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	k.mu.Lock()
	*k.data = append(*k.data, b)
	k.mu.Unlock()
	return err
}

type keepBackend struct {
	mu   sync.Mutex
	data [][]byte
}

func (k *keepBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return keepSession{&k.mu, &k.data}, nil
}

// TestDataArrivesWhole: mails with lines that begin with a dot, sent one
// after another on one connection the way the outbox sends them, arrive
// at a real SMTP server exactly as they were composed.
func TestDataArrivesWhole(t *testing.T) {
	be := &keepBackend{}
	srv := smtp.NewServer(be)
	srv.Domain = "127.0.0.1"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	top := coalescing(conn)
	c := smtp.NewClient(top)
	defer c.Close()
	mails := []string{
		"Subject: one\r\n\r\n.\r\n..\r\n.hej\r\nslut\r\n",
		"Subject: two\r\n\r\n" + strings.Repeat("rad med text som upprepas\r\n.\r\n", 5000),
		"Subject: three\r\n\r\nno final line end",
	}
	for _, m := range mails {
		if err := c.Mail("anmalan@goteborgsregionen.example", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt("a@ale.example", nil); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		if err := writeData(top, strings.NewReader(m), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("end data: %v", err)
		}
	}
	be.mu.Lock()
	defer be.mu.Unlock()
	if len(be.data) != len(mails) {
		t.Fatalf("the server got %d mails, want %d", len(be.data), len(mails))
	}
	for i, m := range mails {
		want := m
		if !strings.HasSuffix(want, "\r\n") {
			want += "\r\n"
		}
		if string(be.data[i]) != want {
			t.Errorf("mail %d arrived as %d bytes, want %d: %.80q", i, len(be.data[i]), len(want), be.data[i])
		}
	}
}

// TestStartTLSRefusesInjectedAnswers: a server (or someone on the path)
// that writes more after its STARTTLS answer, before the handshake, is
// refused: what it wrote would be read as if it came over TLS.
func TestStartTLSRefusesInjectedAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		io.WriteString(c, "220 mx.example ESMTP\r\n")
		r.ReadString('\n')
		io.WriteString(c, "250-mx.example\r\n250 STARTTLS\r\n")
		r.ReadString('\n')
		io.WriteString(c, "220 go ahead\r\n250 AUTH PLAIN\r\n")
		r.ReadString('\n')
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = startTLS(context.Background(), conn, nil, "goteborgsregionen.example", 5*time.Second)
	if !errors.Is(err, errInjected) {
		t.Fatalf("startTLS = %v, want the injected answer refused", err)
	}
}

// BenchmarkDataWriter compares the outbox's data writer with net/textproto's
// DotWriter (go-smtp's) on a composed reply with a 200 KB attachment.
func BenchmarkDataWriter(b *testing.B) {
	var m bytes.Buffer
	m.WriteString("Subject: Bekräftelse\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nVälkommen!\r\n--x\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	line := strings.Repeat("QUJD", 19) + "\r\n"
	for m.Len() < 270<<10 {
		m.WriteString(line)
	}
	m.WriteString("--x--\r\n")
	mail := m.Bytes()
	b.Run("textproto", func(b *testing.B) {
		b.SetBytes(int64(len(mail)))
		for b.Loop() {
			bw := bufio.NewWriter(io.Discard)
			w := textproto.NewWriter(bw).DotWriter()
			w.Write(mail)
			w.Close()
		}
	})
	b.Run("outbox", func(b *testing.B) {
		b.SetBytes(int64(len(mail)))
		for b.Loop() {
			d := newDataWriter(io.Discard)
			d.Write(mail)
			d.Flush()
		}
	})
}
