package integration

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"
)

// relay is an SMTP server in front of Postfix, in the test's process: it
// records every mail in the order the bot submitted it, passes it on to
// Postfix, and can be told to be away or to refuse recipients.
type relay struct {
	addr    string
	postfix string
	// down makes every new connection get "421 not available".
	down atomic.Bool
	// rcpt, when set, may refuse a recipient with the error it returns.
	rcpt func(addr string) *smtp.SMTPError

	mu        sync.Mutex
	delivered []relayed
}

// relayed is one mail the relay accepted.
type relayed struct {
	Rcpts     []string
	MessageID string
	InReplyTo string
	Kind      string
}

func startRelay(t testing.TB, postfix string) *relay {
	t.Helper()
	r := &relay{postfix: postfix}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = l.Addr().String()
	srv := smtp.NewServer(relayBackend{r})
	srv.Domain = "relay.integration.test"
	srv.AllowInsecureAuth = true
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return r
}

// mails returns what the relay has accepted so far, in order.
func (r *relay) mails() []relayed {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relayed{}, r.delivered...)
}

type relayBackend struct{ r *relay }

func (b relayBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	if b.r.down.Load() {
		return nil, &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "not available (test: server away)"}
	}
	return &relaySession{r: b.r}, nil
}

type relaySession struct {
	r     *relay
	from  string
	rcpts []string
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.r.rcpt != nil {
		if err := s.r.rcpt(strings.ToLower(to)); err != nil {
			return err
		}
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *relaySession) Data(rd io.Reader) error {
	raw, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	if len(s.rcpts) == 0 {
		return errors.New("no recipients")
	}
	// Passed on before it is accepted here, so that what the bot counts
	// as sent is in Postfix's queue.
	if err := forward(s.r.postfix, s.from, s.rcpts, raw); err != nil {
		return &smtp.SMTPError{Code: 451, Message: "relay to postfix: " + err.Error()}
	}
	m := relayed{Rcpts: s.rcpts}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.MessageID = trimID(msg.Header.Get("Message-Id"))
		m.InReplyTo = trimID(msg.Header.Get("In-Reply-To"))
		m.Kind = msg.Header.Get("X-Anmalan-Kind")
	}
	s.r.mu.Lock()
	s.r.delivered = append(s.r.delivered, m)
	s.r.mu.Unlock()
	return nil
}

// forward submits raw to the server at addr in plain text (smtp.SendMail
// insists on STARTTLS, which the loopback Postfix does not offer).
func forward(addr, from string, rcpts []string, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("relay.integration.test"); err != nil {
		return err
	}
	if err := c.SendMail(from, rcpts, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

func (s *relaySession) Reset()        { s.from, s.rcpts = "", nil }
func (s *relaySession) Logout() error { return nil }

// tcpProxy forwards connections to target and can cut them all at once,
// which a client sees as the server going away (a restart).
type tcpProxy struct {
	addr   string
	target string
	mu     sync.Mutex
	conns  map[net.Conn]bool
	cuts   int
}

func startProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: l.Addr().String(), target: target, conns: map[net.Conn]bool{}}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	t.Cleanup(func() { l.Close(); p.cut() })
	return p
}

func (p *tcpProxy) serve(c net.Conn) {
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[u] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(u, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, u); done <- struct{}{} }()
	<-done
	c.Close()
	u.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, u)
	p.mu.Unlock()
}

// cut closes every open connection and returns how many clients it cut.
func (p *tcpProxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns) / 2
	for c := range p.conns {
		c.Close()
	}
	if n > 0 {
		p.cuts++
	}
	return n
}
