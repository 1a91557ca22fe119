package outbox_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/outbox"
)

// sink is an SMTP server that keeps what it was sent.
type sink struct {
	mu   sync.Mutex
	data []string
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct{ s *sink }

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Reset()                               {}
func (ss *sinkSession) Logout() error                        { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.data = append(ss.s.data, string(b))
	ss.s.mu.Unlock()
	return nil
}

// selfSigned returns a server certificate for 127.0.0.1 and the file of
// its PEM, for tls_ca_file.
func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, ca
}

// TestSendOverTLS: replies leave over implicit TLS and over STARTTLS,
// whole, with the server's certificate checked against tls_ca_file.
func TestSendOverTLS(t *testing.T) {
	cert, ca := selfSigned(t)
	for _, security := range []string{"tls", "starttls"} {
		t.Run(security, func(t *testing.T) {
			f := newFixture(t)
			ids := f.queue("a@ale.example", "b@ale.example")
			s := &sink{}
			srv := smtp.NewServer(s)
			srv.Domain = "127.0.0.1"
			srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			if security == "tls" {
				ln = tls.NewListener(ln, srv.TLSConfig)
			}
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
			ob, err := outbox.New(config.SMTPConfig{Address: ln.Addr().String(), Security: security, From: bot, TLSCAFile: ca, Connections: 1},
				f.st, func() time.Time { return f.now.Add(time.Minute) }, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := ob.DeliverDue(context.Background())
			if err != nil || rep.Sent != 2 {
				t.Fatalf("delivered %+v (%v), want 2 sent", rep, err)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if len(s.data) != 2 {
				t.Fatalf("the server got %d mails", len(s.data))
			}
			for i, d := range s.data {
				if !strings.Contains(d, "Message-ID: <"+ids[i]+">") || !strings.HasSuffix(d, "Välkommen!\r\n") {
					t.Errorf("mail %d arrived as %q", i, d)
				}
			}
		})
	}
}
