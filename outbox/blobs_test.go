package outbox_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	gomessage "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/outbox"
	"github.com/goteborgsregionen/anmalan/reply"
	"github.com/goteborgsregionen/anmalan/store"
)

// flakyServer is an SMTP server that reads every mail whole and answers
// the first failFirst of them "451 try again later", accepting the rest.
// It keeps the bytes of every DATA it read.
type flakyServer struct {
	mu        sync.Mutex
	failFirst int
	datas     [][]byte
}

func (f *flakyServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &flakySession{f: f}, nil }

type flakySession struct{ f *flakyServer }

func (s *flakySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *flakySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *flakySession) Reset()                               {}
func (s *flakySession) Logout() error                        { return nil }
func (s *flakySession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.f.datas = append(s.f.datas, data)
	if len(s.f.datas) <= s.f.failFirst {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	return nil
}

func startFlaky(t *testing.T, failFirst int) (*flakyServer, string) {
	t.Helper()
	f := &flakyServer{failFirst: failFirst}
	srv := smtp.NewServer(f)
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 64 << 20
	srv.ErrorLog = nil
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return f, ln.Addr().String()
}

// confirmationWithPDF composes a real confirmation carrying a PDF of size
// bytes and queues it as the bot does; it returns the PDF and the
// composed reply.
func confirmationWithPDF(t *testing.T, st *store.Store, size int, now time.Time) ([]byte, reply.Composed) {
	t.Helper()
	pdf := make([]byte, size)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range pdf {
		pdf[i] = byte(rng.UintN(256))
	}
	copy(pdf, "%PDF-1.7\n")
	sum := sha256.Sum256(pdf)
	c, err := reply.NewComposer(&mail.Address{Name: "GR Anmälan", Address: bot}, time.UTC, "Linda, linda@goteborgsregionen.example")
	if err != nil {
		t.Fatal(err)
	}
	ev := &config.EventConfig{ID: "w1", Title: "Workshop", Location: "GR",
		StartsAt: now.Add(72 * time.Hour), EndsAt: now.Add(75 * time.Hour)}
	cm, err := c.Compose(reply.Reply{Kind: reply.KindConfirmation, Language: "sv", Name: "Sara",
		To: []*mail.Address{{Name: "Sara", Address: "sara@ale.example"}}, Event: ev,
		Material: []reply.Material{{Name: "underlag.pdf", ContentType: "application/pdf", Data: pdf, Hash: hex.EncodeToString(sum[:])}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	var parts []store.Part
	for _, b := range cm.Blobs {
		parts = append(parts, store.Part{At: b.At, Hash: b.Hash, Data: b.Encoded})
	}
	err = st.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Enqueue(store.Outgoing{MessageID: cm.MessageID, EnvelopeFrom: bot, Recipients: cm.Recipients,
			Raw: cm.Raw, Parts: parts, Subject: "Bekräftelse", Kind: "confirmation"}, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pdf, cm
}

// attachment returns the body of the mail's attachment named name, as
// a mail client reads it.
func attachment(t *testing.T, raw []byte, name string) []byte {
	t.Helper()
	mr, err := gomessage.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			t.Fatalf("no attachment %s", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*gomessage.AttachmentHeader); ok {
			if fn, _ := h.Filename(); fn == name {
				b, err := io.ReadAll(p.Body)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
	}
}

// TestRetrySendsTheSameBytes: a reply with a 1 MB PDF that the server
// answers "451" is sent again later, byte for byte the mail of the first
// attempt and the one composed (same Message-ID, same boundaries, same
// base64); a mail client finds the PDF intact in it. After it was
// accepted, the compaction deletes the PDF's blob.
func TestRetrySendsTheSameBytes(t *testing.T) {
	f := newFixture(t)
	srv, addr := startFlaky(t, 1)
	pdf, cm := confirmationWithPDF(t, f.st, 1<<20, f.now)
	clock := f.now
	ob, err := outbox.New(config.SMTPConfig{Address: addr, Security: "none", From: bot, Connections: 1},
		f.st, func() time.Time { return clock }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ob.DeliverDue(context.Background()); err != nil || rep.Retry != 1 {
		t.Fatalf("first delivery %+v, %v; want one retry", rep, err)
	}
	clock = clock.Add(2 * time.Hour)
	if rep, err := ob.DeliverDue(context.Background()); err != nil || rep.Sent != 1 {
		t.Fatalf("second delivery %+v, %v; want one sent", rep, err)
	}
	if len(srv.datas) != 2 {
		t.Fatalf("the server read %d mails, want 2", len(srv.datas))
	}
	if !bytes.Equal(srv.datas[0], srv.datas[1]) {
		t.Errorf("the retry sent other bytes (%d, then %d bytes)", len(srv.datas[0]), len(srv.datas[1]))
	}
	if !bytes.Equal(srv.datas[1], cm.Bytes()) {
		t.Errorf("the server got %d bytes, not the %d composed", len(srv.datas[1]), cm.Size())
	}
	if mr, err := gomessage.CreateReader(bytes.NewReader(srv.datas[1])); err != nil {
		t.Fatal(err)
	} else if id, err := mr.Header.MessageID(); err != nil || id != cm.MessageID {
		t.Errorf("the sent mail's Message-ID is %q (%v), want %q", id, err, cm.MessageID)
	}
	if got := attachment(t, srv.datas[1], "underlag.pdf"); sha256.Sum256(got) != sha256.Sum256(pdf) {
		t.Errorf("the PDF read from the sent mail differs from the file (%d bytes, want %d)", len(got), len(pdf))
	}
	c, err := f.st.Compact(context.Background())
	if err != nil || c.Blobs != 1 {
		t.Errorf("compaction after sending: %+v, %v; want the blob deleted", c, err)
	}
	if _, err := f.st.Blob(context.Background(), cm.Blobs[0].Hash); !errors.Is(err, store.ErrNoBlob) {
		t.Errorf("the blob after compaction: %v", err)
	}
}

// TestWaitRoomHoldsTheDecisions: with AheadRows replies due, WaitRoom
// waits (and asks for a delivery); once the outbox has sent them it
// returns, and it returns at once when the context ends.
func TestWaitRoomHoldsTheDecisions(t *testing.T) {
	f := newFixture(t)
	var rcpts []string
	for i := range outbox.AheadRows {
		rcpts = append(rcpts, "p"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+"@ale.example")
	}
	f.queue(rcpts...)
	ob := f.outbox(f.st, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ob.WaitRoom(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitRoom with the context ended: %v", err)
	}
	woken := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		_, err := ob.WaitRoom(context.Background(), func() {
			select {
			case woken <- struct{}{}:
			default:
			}
		})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("WaitRoom returned (%v) with %d replies due", err, outbox.AheadRows)
	case <-woken:
	}
	rep, err := ob.DeliverDue(context.Background())
	if err != nil || rep.Sent != outbox.AheadRows {
		t.Fatalf("delivery %+v, %v", rep, err)
	}
	if err := <-done; err != nil {
		t.Errorf("WaitRoom after the delivery: %v", err)
	}
	if room, err := ob.WaitRoom(context.Background(), func() { t.Error("woken with nothing due") }); err != nil || room != outbox.AheadRows {
		t.Errorf("WaitRoom with nothing due: room %d, %v; want room for %d", room, err, outbox.AheadRows)
	}
}
