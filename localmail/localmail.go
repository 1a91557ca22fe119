// Package localmail runs an IMAP and an SMTP server in the process, on
// 127.0.0.1, for the demo and the tests: go-imap's in-memory server and a
// go-smtp server that delivers into it. Nothing here leaves loopback.
package localmail

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one mail the SMTP server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
	At   time.Time
}

// Options shape the servers.
type Options struct {
	// Password is every user's password.
	Password string
	// IMAPCaps are the capabilities the IMAP server offers; nil means
	// IMAP4rev1 with IDLE, MOVE, UIDPLUS and the other common extensions.
	IMAPCaps imap.CapSet
	// Now stamps delivered mail; nil means time.Now.
	Now func() time.Time
	// Rcpt, when set, may refuse a recipient: return a *smtp.SMTPError.
	Rcpt func(to string) error
	// Accepted, when set, is called with each mail the SMTP server has
	// accepted (benchmarks time replies with it).
	Accepted func(Message)
	// BeforeAccept, when set, is called with each mail after its DATA was
	// read and before the server answers it; it may block, holding the
	// client's transaction open (shutdown tests).
	BeforeAccept func(Message)
	// Quiet drops the servers' own error logging.
	Quiet bool
	// OAuth2Token, when set, makes the IMAP server offer AUTHENTICATE
	// XOAUTH2 and accept a token for a user when it returns true.
	OAuth2Token func(user, token string) bool
	// AuthServID, when set, makes the SMTP server mark each mail as the
	// receiving server of that authserv-id would (RFC 8601): it removes
	// every Authentication-Results header of that id the client wrote,
	// and adds its own, which says dmarc=pass for the From domain when the
	// client logged in (AUTH PLAIN, any user, the Password) as the From
	// address, and dmarc=none otherwise.
	AuthServID string
}

// Servers is a running pair of servers.
type Servers struct {
	opts     Options
	mem      *imapmemserver.Server
	imapSrv  *imapserver.Server
	imapLn   net.Listener
	smtpSrv  *smtp.Server
	smtpLn   net.Listener
	mu       sync.Mutex
	users    map[string]*imapmemserver.User
	received []Message
	wg       sync.WaitGroup
	// conns are the open IMAP connections; idling is signalled whenever a
	// client starts IDLE; killFetch arms KillDuringNextFetch.
	conns     map[*conn]struct{}
	idling    chan struct{}
	killFetch bool
}

// DefaultCaps is what the IMAP server offers unless told otherwise.
func DefaultCaps() imap.CapSet {
	return imap.CapSet{
		imap.CapIMAP4rev1: {}, imap.CapIdle: {}, imap.CapMove: {}, imap.CapUIDPlus: {},
		imap.CapNamespace: {}, imap.CapUnselect: {}, imap.CapLiteralPlus: {},
	}
}

// Start starts both servers on 127.0.0.1 with ports chosen by the system.
func Start(opts Options) (*Servers, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.IMAPCaps == nil {
		opts.IMAPCaps = DefaultCaps()
	}
	s := &Servers{opts: opts, mem: imapmemserver.New(), users: map[string]*imapmemserver.User{},
		conns: map[*conn]struct{}{}, idling: make(chan struct{}, 1)}
	var logger *log.Logger
	if opts.Quiet {
		logger = log.New(io.Discard, "", 0)
	} else {
		logger = log.New(log.Writer(), "localmail imap: ", log.LstdFlags)
	}
	s.imapSrv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{s: s}, nil, nil
		},
		Caps:         opts.IMAPCaps,
		InsecureAuth: true,
		Logger:       logger,
	})
	var err error
	if s.imapLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("listen imap: %w", err)
	}
	if s.smtpLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		s.imapLn.Close()
		return nil, fmt.Errorf("listen smtp: %w", err)
	}
	s.smtpSrv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{s: s}, nil
	}))
	s.smtpSrv.Domain = "localhost"
	s.smtpSrv.AllowInsecureAuth = true
	s.smtpSrv.MaxMessageBytes = 64 << 20
	s.smtpSrv.ReadTimeout = time.Minute
	s.smtpSrv.WriteTimeout = time.Minute
	if opts.Quiet {
		s.smtpSrv.ErrorLog = log.New(io.Discard, "", 0)
	}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); _ = s.imapSrv.Serve(&listener{Listener: s.imapLn, s: s}) }()
	go func() { defer s.wg.Done(); _ = s.smtpSrv.Serve(s.smtpLn) }()
	return s, nil
}

// IMAPAddr is the IMAP server's host:port.
func (s *Servers) IMAPAddr() string { return s.imapLn.Addr().String() }

// SMTPAddr is the SMTP server's host:port.
func (s *Servers) SMTPAddr() string { return s.smtpLn.Addr().String() }

// Close stops both servers.
func (s *Servers) Close() error {
	err := errors.Join(s.imapSrv.Close(), s.smtpSrv.Close())
	// A server closed before its Serve goroutine registered the listener
	// never closes it; closing it here ends that Serve too.
	s.imapLn.Close()
	s.smtpLn.Close()
	s.wg.Wait()
	return err
}

// AddUser creates a user (its login is its address) with an INBOX, or
// returns the one that exists.
func (s *Servers) AddUser(address string) *imapmemserver.User {
	address = strings.ToLower(address)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[address]; ok {
		return u
	}
	u := imapmemserver.NewUser(address, s.opts.Password)
	_ = u.Create("INBOX", nil)
	s.mem.AddUser(u)
	s.users[address] = u
	return u
}

// Users returns the addresses that have a mailbox.
func (s *Servers) Users() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.users))
	for a := range s.users {
		out = append(out, a)
	}
	return out
}

// Append puts raw into the user's mailbox with the given arrival time and
// flags, as a delivery (or another mail client) would. It returns the new
// mail's UID.
func (s *Servers) Append(address, mailbox string, raw []byte, arrived time.Time, flags ...imap.Flag) (imap.UID, error) {
	u := s.AddUser(address)
	data, err := u.Append(mailbox, &literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: arrived, Flags: flags})
	if err != nil {
		return 0, fmt.Errorf("append to %s/%s: %w", address, mailbox, err)
	}
	return data.UID, nil
}

// Received returns a copy of every mail the SMTP server accepted, in order.
func (s *Servers) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

type literal struct {
	*bytes.Reader
	size int64
}

func (l *literal) Size() int64 { return l.size }

type smtpSession struct {
	s    *Servers
	from string
	to   []string
	// user is the address the client logged in as; empty without AUTH.
	user string
}

// AuthMechanisms offers PLAIN, which is what mail clients use for a
// "normal password".
func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth logs the client in as any user who knows the Password.
func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if password != ss.s.opts.Password || (identity != "" && identity != username) {
			return smtp.ErrAuthFailed
		}
		ss.user = strings.ToLower(username)
		return nil
	}), nil
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *smtpSession) Logout() error { return nil }

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.opts.Rcpt != nil {
		if err := ss.s.opts.Rcpt(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data accepts the mail, records it, and delivers a copy to each
// recipient's INBOX (creating the user), so a mail client logged in as a
// participant sees the reply.
func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.opts.AuthServID != "" {
		if data, err = stamp(data, ss.s.opts.AuthServID, ss.user); err != nil {
			return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "unreadable header: " + err.Error()}
		}
	}
	now := ss.s.opts.Now()
	msg := Message{From: ss.from, To: append([]string(nil), ss.to...), Data: data, At: now}
	if ss.s.opts.BeforeAccept != nil {
		ss.s.opts.BeforeAccept(msg)
	}
	ss.s.mu.Lock()
	ss.s.received = append(ss.s.received, msg)
	ss.s.mu.Unlock()
	if ss.s.opts.Accepted != nil {
		ss.s.opts.Accepted(msg)
	}
	for _, to := range ss.to {
		if _, err := ss.s.Append(to, "INBOX", data, now); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "delivery failed: " + err.Error()}
		}
	}
	return nil
}

// stamp returns data with every Authentication-Results header of the
// authserv-id id removed (the client may not speak for this server) and
// this server's own on top: dmarc=pass for the From domain when user, the
// login of the session, is the From address, else dmarc=none.
func stamp(data []byte, id, user string) ([]byte, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	fields := h.FieldsByKey("Authentication-Results")
	for fields.Next() {
		if got, _, _ := authres.Parse(fields.Value()); strings.EqualFold(got, id) {
			fields.Del()
		}
	}
	from := ""
	if list, err := (&mail.Header{Header: message.Header{Header: h}}).AddressList("From"); err == nil && len(list) == 1 {
		from = strings.ToLower(list[0].Address)
	}
	domain := from[strings.LastIndexByte(from, '@')+1:]
	var results []authres.Result
	switch {
	case user != "" && user == from:
		results = []authres.Result{&authres.AuthResult{Value: authres.ResultPass, Auth: user},
			&authres.DMARCResult{Value: authres.ResultPass, From: domain}}
	case user != "":
		results = []authres.Result{&authres.AuthResult{Value: authres.ResultPass, Auth: user},
			&authres.DMARCResult{Value: authres.ResultNone, From: domain}}
	default:
		results = []authres.Result{&authres.DMARCResult{Value: authres.ResultNone, From: domain}}
	}
	h.Add("Authentication-Results", authres.Format(id, results))
	var out bytes.Buffer
	if err := textproto.WriteHeader(&out, h); err != nil {
		return nil, fmt.Errorf("write header: %w", err)
	}
	if _, err := io.Copy(&out, br); err != nil {
		return nil, fmt.Errorf("copy body: %w", err)
	}
	return out.Bytes(), nil
}
