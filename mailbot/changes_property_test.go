package mailbot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/config/configtest"
	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/store"
)

// modelReg is one live registration in the model: in queue order.
type modelReg struct {
	email     string
	confirmed bool
	over      bool
}

// model is the simplest account of the rules: a queue, the seats, and a
// free seat going to the first waiting.
type model struct {
	seats int
	regs  []modelReg
}

func (m *model) confirmed() (n, over int) {
	for _, r := range m.regs {
		if r.confirmed {
			n++
			if r.over {
				over++
			}
		}
	}
	return n, over
}

func (m *model) waiting() bool {
	return slices.ContainsFunc(m.regs, func(r modelReg) bool { return !r.confirmed })
}

func (m *model) find(email string) int {
	return slices.IndexFunc(m.regs, func(r modelReg) bool { return r.email == email })
}

// settle marks exactly the confirmed beyond the seats as over capacity:
// clearing the earliest marks first, marking the latest confirmed first.
func (m *model) settle() {
	n, over := m.confirmed()
	excess := over - max(0, n-m.seats)
	for i := range m.regs {
		if excess > 0 && m.regs[i].confirmed && m.regs[i].over {
			m.regs[i].over = false
			excess--
		}
	}
	for i := len(m.regs) - 1; i >= 0; i-- {
		if excess < 0 && m.regs[i].confirmed && !m.regs[i].over {
			m.regs[i].over = true
			excess++
		}
	}
}

// fill moves the first waiting up while a seat is free and returns who.
func (m *model) fill() []string {
	var moved []string
	for {
		n, _ := m.confirmed()
		if n >= m.seats || !m.waiting() {
			return moved
		}
		i := slices.IndexFunc(m.regs, func(r modelReg) bool { return !r.confirmed })
		m.regs[i].confirmed = true
		moved = append(moved, m.regs[i].email)
	}
}

// TestChangesProperty runs 1,000 random registrations, cancellations,
// substitutions, promotions and seat changes through the bot and checks
// each against the model: the same registrations in the same order,
// confirmed never beyond the seats except by recorded promotions, nobody
// both confirmed and waiting, and exactly one mail for every person a
// change affects (and one answer to the organiser per command).
func TestChangesProperty(t *testing.T) {
	ops := 1000
	if testing.Short() {
		ops = 200
	}
	dir := configtest.Dir(t)
	cfg, err := config.ParseConfig([]byte(configtest.Edit(t, configtest.Base, `database = "anmalan.db"`, `database = "`+filepath.ToSlash(filepath.Join(dir, "p.db"))+`"`)), dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2030, 4, 1, 9, 0, 0, 0, cfg.Location)
	clock := func() time.Time { return now }
	b, err := NewBot(cfg, st, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SyncEvents(ctx); err != nil {
		t.Fatal(err)
	}
	const org = "org@example.org"
	rng := rand.New(rand.NewPCG(5, 5))
	m := &model{seats: 3}
	lastMail := map[string]string{} // the newest Message-ID the bot sent to an address
	people := 0
	uid := uint32(0)

	send := func(from, inReplyTo, body string) Result {
		t.Helper()
		uid++
		now = now.Add(time.Minute)
		h := "From: " + from + "\r\nTo: bot@example.org\r\nSubject: x\r\nMessage-ID: <m" + fmt.Sprint(uid) + "@test>\r\n"
		if from == org {
			h = "Authentication-Results: mx.example.org; dmarc=pass header.from=example.org\r\n" + h
		}
		if inReplyTo != "" {
			h += "In-Reply-To: <" + inReplyTo + ">\r\n"
		}
		res, err := b.Handle(ctx, intake.Incoming{Mailbox: "INBOX", UIDValidity: 1, UID: uid, Arrived: now,
			Raw: []byte(h + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Replies {
			for _, a := range r.Recipients {
				lastMail[strings.ToLower(a)] = r.MessageID
			}
		}
		return res
	}
	newPerson := func() string {
		people++
		return fmt.Sprintf("p%d@ale.example", people)
	}
	pick := func(pred func(modelReg) bool) (string, bool) {
		var c []string
		for _, r := range m.regs {
			if pred(r) {
				c = append(c, r.email)
			}
		}
		if len(c) == 0 {
			return "", false
		}
		return c[rng.IntN(len(c))], true
	}
	anyone := func(modelReg) bool { return true }

	for i := range ops {
		var res Result
		var affected []string
		command := false
		op := rng.IntN(10)
		switch {
		case op < 4 || len(m.regs) == 0: // register
			p := newPerson()
			n, _ := m.confirmed()
			m.regs = append(m.regs, modelReg{email: p, confirmed: n < m.seats && !m.waiting()})
			res = send(p, "", "Hej! Jag vill anmäla mig.")
			affected = []string{p}
		case op < 6: // a participant cancels by replying
			x, _ := pick(anyone)
			k := m.find(x)
			m.regs = slices.Delete(m.regs, k, k+1)
			m.settle()
			affected = append([]string{x}, m.fill()...)
			res = send(x, lastMail[x], "Jag kan tyvärr inte komma.")
		case op < 7: // the organiser substitutes
			x, _ := pick(anyone)
			y := newPerson()
			m.regs[m.find(x)].email = y
			affected = []string{x, y}
			command = true
			res = send(org, "", fmt.Sprintf("Byt %s mot %s.", x, y))
		case op < 8: // the organiser promotes someone waiting
			x, ok := pick(func(r modelReg) bool { return !r.confirmed })
			if !ok {
				continue
			}
			n, _ := m.confirmed()
			k := m.find(x)
			m.regs[k].confirmed, m.regs[k].over = true, n >= m.seats
			affected = []string{x}
			command = true
			res = send(org, "", "Flytta upp "+x+".")
		default: // the organiser changes the seats
			m.seats = 1 + rng.IntN(6)
			m.settle()
			affected = m.fill()
			command = true
			res = send(org, "", fmt.Sprintf("Platser %d.", m.seats))
		}

		// The database agrees with the model.
		regs, err := st.Registrations(ctx, "ev-1")
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, r := range regs {
			if r.Status != store.StatusCancelled {
				got = append(got, fmt.Sprintf("%s %s %v", r.Email, r.Status, r.OverCapacity))
			}
		}
		// Confirmed first, then the waiting list, each in queue order.
		for _, confirmed := range []bool{true, false} {
			for _, r := range m.regs {
				if r.confirmed != confirmed {
					continue
				}
				status := store.StatusWaiting
				if r.confirmed {
					status = store.StatusConfirmed
				}
				want = append(want, fmt.Sprintf("%s %s %v", r.email, status, r.over))
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("op %d (%v):\n got %q\nwant %q", i, res.Decisions, got, want)
		}
		ev, err := st.Event(ctx, "ev-1")
		if err != nil {
			t.Fatal(err)
		}
		if ev.Confirmed-ev.OverCapacity > ev.EffectiveSeats() {
			t.Fatalf("op %d: %d confirmed, %d of them recorded beyond %d seats", i, ev.Confirmed, ev.OverCapacity, ev.EffectiveSeats())
		}
		// Exactly one mail per person affected, and one answer per command.
		mails := map[string]int{}
		for _, r := range res.Replies {
			for _, a := range r.Recipients {
				mails[strings.ToLower(a)]++
			}
		}
		wantMails := map[string]int{}
		for _, a := range affected {
			wantMails[a]++
		}
		if command {
			wantMails[org]++
		}
		if fmt.Sprint(mails) != fmt.Sprint(wantMails) {
			t.Fatalf("op %d (%v): mails %v, want %v", i, res.Decisions, mails, wantMails)
		}
	}
}
