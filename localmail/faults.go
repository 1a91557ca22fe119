package localmail

import (
	"bytes"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// listener hands the IMAP server connections that the test can watch
// and break.
type listener struct {
	net.Listener
	s *Servers
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cn := &conn{Conn: c, s: l.s}
	l.s.mu.Lock()
	l.s.conns[cn] = struct{}{}
	l.s.mu.Unlock()
	return cn, nil
}

// conn is one IMAP connection. It notices IDLE and BODY.PEEK[] in what the
// client sends, hides IDLE from the capabilities when Options.IMAPCaps
// lacks it (the server library always offers it), and can be broken in
// the middle of a FETCH.
type conn struct {
	net.Conn
	s        *Servers
	mu       sync.Mutex
	doomed   bool // break during the next write
	closeOne sync.Once
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		in := bytes.ToUpper(p[:n])
		if bytes.Contains(in, []byte(" IDLE\r\n")) {
			select {
			case c.s.idling <- struct{}{}:
			default:
			}
		}
		if bytes.Contains(in, []byte("BODY.PEEK[]")) {
			c.s.mu.Lock()
			if c.s.killFetch {
				c.s.killFetch = false
				c.mu.Lock()
				c.doomed = true
				c.mu.Unlock()
			}
			c.s.mu.Unlock()
		}
	}
	return n, err
}

func (c *conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	doomed := c.doomed
	c.mu.Unlock()
	if doomed {
		// The FETCH was received; its answer is lost with the connection.
		// (Not half an answer: go-imap v2.0.0-beta.8 has a data race
		// between its reader goroutine and the caller reading a literal
		// when the connection ends inside that literal.)
		c.Close()
		return 0, net.ErrClosed
	}
	if _, ok := c.s.opts.IMAPCaps[imap.CapIdle]; !ok && bytes.Contains(p, []byte("CAPABILITY")) {
		q := bytes.ReplaceAll(p, []byte(" IDLE"), nil)
		if _, err := c.Conn.Write(q); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *conn) Close() error {
	var err error
	c.closeOne.Do(func() {
		err = c.Conn.Close()
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.mu.Unlock()
	})
	return err
}

// KillIMAPConnections closes every open IMAP connection at once, as a
// server restart or a dropped network would. It returns how many there
// were.
func (s *Servers) KillIMAPConnections() int {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return len(conns)
}

// KillDuringNextFetch arms a fault: the next connection that asks for
// BODY.PEEK[] is closed before the server's answer reaches the client.
func (s *Servers) KillDuringNextFetch() {
	s.mu.Lock()
	s.killFetch = true
	s.mu.Unlock()
}

// Idling returns a channel that receives when a client has sent IDLE.
func (s *Servers) Idling() <-chan struct{} { return s.idling }

// Renumber deletes the user's mailbox and creates it again with the same
// mail, flags and arrival times, as a server that lost its index does:
// the mailbox gets a new UIDVALIDITY and the mail new UIDs.
func (s *Servers) Renumber(address, mailbox string) error {
	c, err := imapclient.DialInsecure(s.IMAPAddr(), nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Login(strings.ToLower(address), s.opts.Password).Wait(); err != nil {
		return err
	}
	sel, err := c.Select(mailbox, nil).Wait()
	if err != nil {
		return err
	}
	var msgs []*imapclient.FetchMessageBuffer
	section := &imap.FetchItemBodySection{Peek: true}
	if sel.NumMessages > 0 {
		var all imap.SeqSet
		all.AddRange(1, 0)
		msgs, err = c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, InternalDate: true,
			BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return err
		}
	}
	if err := c.Unselect().Wait(); err != nil {
		return err
	}
	u := s.AddUser(address)
	if err := u.Delete(mailbox); err != nil {
		return fmt.Errorf("delete %s: %w", mailbox, err)
	}
	if err := u.Create(mailbox, nil); err != nil {
		return fmt.Errorf("create %s: %w", mailbox, err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	for _, m := range msgs {
		raw := m.FindBodySection(section)
		if _, err := u.Append(mailbox, &literal{bytes.NewReader(raw), int64(len(raw))},
			&imap.AppendOptions{Flags: m.Flags, Time: m.InternalDate}); err != nil {
			return err
		}
	}
	return nil
}

// session is imapmemserver's session with XOAUTH2 added when the options
// ask for it.
type session struct {
	*imapmemserver.UserSession // nil until logged in
	s                          *Servers
}

var _ imapserver.SessionSASL = (*session)(nil)

func (ss *session) Close() error {
	if ss.UserSession != nil {
		return ss.UserSession.Close()
	}
	return nil
}

func (ss *session) Login(username, password string) error {
	ss.s.mu.Lock()
	u := ss.s.users[strings.ToLower(username)]
	ss.s.mu.Unlock()
	if u == nil {
		return imapserver.ErrAuthFailed
	}
	if err := u.Login(strings.ToLower(username), password); err != nil {
		return err
	}
	ss.UserSession = imapmemserver.NewUserSession(u)
	return nil
}

// Idle reports changes to an idling client. imapmemserver's own Idle
// sends only changes made after it has started, so a mail appended just
// as the client says IDLE would go unreported; real servers (Dovecot)
// report what changed since the last command. Polling the session's
// queue every few milliseconds behaves like them.
func (ss *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if err := ss.UserSession.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
	}
}

func (ss *session) AuthenticateMechanisms() []string {
	if ss.s.opts.OAuth2Token != nil {
		return []string{"PLAIN", "XOAUTH2"}
	}
	return []string{"PLAIN"}
}

func (ss *session) Authenticate(mech string) (sasl.Server, error) {
	switch {
	case mech == "PLAIN":
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && identity != username {
				return imapserver.ErrAuthFailed
			}
			return ss.Login(username, password)
		}), nil
	case mech == "XOAUTH2" && ss.s.opts.OAuth2Token != nil:
		return &xoauth2Server{ss: ss}, nil
	}
	return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

// xoauth2Server checks "user=U^Aauth=Bearer T^A^A" with Options.OAuth2Token.
// A bad token gets the JSON error challenge that Gmail sends, and fails
// after the client's empty answer.
type xoauth2Server struct {
	ss     *session
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, imapserver.ErrAuthFailed
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	var user, token string
	for _, kv := range strings.Split(string(resp), "\x01") {
		if v, ok := strings.CutPrefix(kv, "user="); ok {
			user = strings.ToLower(v)
		}
		if v, ok := strings.CutPrefix(kv, "auth=Bearer "); ok {
			token = v
		}
	}
	x.ss.s.mu.Lock()
	u := x.ss.s.users[user]
	x.ss.s.mu.Unlock()
	if u == nil || !x.ss.s.opts.OAuth2Token(user, token) {
		x.failed = true
		return []byte(`{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	x.ss.UserSession = imapmemserver.NewUserSession(u)
	return nil, true, nil
}
