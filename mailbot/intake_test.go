package mailbot_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/goteborgsregionen/anmalan/intake"
	"github.com/goteborgsregionen/anmalan/localmail"
	"github.com/goteborgsregionen/anmalan/mailbot"
	"github.com/goteborgsregionen/anmalan/store"
)

// giveUp is how long a test waits for something before it fails. It is a
// guard against a hang, never a measure of speed.
const giveUp = 60 * time.Second

// withIMAP returns an edit for newEnvWith that adds lines to [imap].
func withIMAP(lines ...string) func(string) string {
	return func(s string) string {
		return strings.Replace(s, "[imap]\n", "[imap]\n"+strings.Join(lines, "\n")+"\n", 1)
	}
}

// start runs the daemon as `anmalan run` does, until the test ends.
func (e *env) start() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.d.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("run: %v", err)
			}
		case <-time.After(giveUp):
			e.t.Error("the daemon did not stop")
		}
	})
}

// waitFor waits until cond holds, failing the test after giveUp.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(giveUp)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitIdle waits until the daemon has (again) started IDLE.
func (e *env) waitIdle() {
	e.t.Helper()
	select {
	case <-e.srv.Idling():
	case <-time.After(giveUp):
		e.t.Fatal("gave up waiting for the daemon to IDLE")
	}
}

// answered waits until addr has a reply.
func (e *env) answered(addr string) {
	e.t.Helper()
	e.waitFor("a reply to "+addr, func() bool { return len(e.repliesTo(addr)) > 0 })
}

// onceEach checks that each address got exactly one reply.
func (e *env) onceEach(addrs ...string) {
	e.t.Helper()
	for _, a := range addrs {
		if n := len(e.repliesTo(a)); n != 1 {
			e.t.Errorf("%s got %d replies, want 1", a, n)
		}
	}
}

func person(i int) string { return fmt.Sprintf("person%02d@ale.example", i) }

func (e *env) deliverPeople(from, to int, at time.Time) []string {
	var addrs []string
	for i := from; i < to; i++ {
		e.deliver(registration(person(i), fmt.Sprintf("Person %02d", i), fmt.Sprintf("reg-%d@ale.example", i)), at)
		addrs = append(addrs, person(i))
	}
	return addrs
}

func TestIdleAnswersNewMailWithoutPolling(t *testing.T) {
	// An hour between polls: only IDLE can bring the mail in time.
	e := newEnvWith(t, 10, localmail.Options{}, withIMAP(`poll_interval = "1h"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	e.start()
	e.waitIdle()
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "idle-1@ale.example"), at)
	e.answered("sara.nilsson@ale.example")
	e.waitIdle()
	e.deliver(registration("karl.berg@ale.example", "Karl Berg", "idle-2@ale.example"), at)
	e.answered("karl.berg@ale.example")
	e.onceEach("sara.nilsson@ale.example", "karl.berg@ale.example")
}

func TestReconnectAfterTheConnectionDropsDuringIdle(t *testing.T) {
	e := newEnvWith(t, 10, localmail.Options{}, withIMAP(`poll_interval = "1h"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	e.start()
	e.waitIdle()
	if n := e.srv.KillIMAPConnections(); n == 0 {
		t.Fatal("no connection to kill")
	}
	// Mail that arrives while the bot is away is read when it is back.
	first := e.deliverPeople(0, 3, at)
	e.waitFor("the mail that came while disconnected", func() bool { return len(e.srv.Received()) >= 3 })
	e.waitIdle()
	second := e.deliverPeople(3, 5, at)
	e.waitFor("the mail after the reconnect", func() bool { return len(e.srv.Received()) >= 5 })
	e.onceEach(append(first, second...)...)
	if got := len(e.mailbox("INBOX")); got != 0 {
		t.Errorf("%d mails left in INBOX, want all filed", got)
	}
}

func TestReconnectAfterTheConnectionDropsDuringFetch(t *testing.T) {
	e := newEnvWith(t, 20, localmail.Options{}, withIMAP(`poll_interval = "1h"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	addrs := e.deliverPeople(0, 8, at)
	e.srv.KillDuringNextFetch()
	e.start()
	e.waitFor("every mail answered", func() bool { return len(e.srv.Received()) >= len(addrs) })
	e.waitIdle()
	e.onceEach(addrs...)
	if got := len(e.mailbox("Behandlat")); got != len(addrs) {
		t.Errorf("%d mails filed, want %d", got, len(addrs))
	}
}

func TestServerWithoutIdleIsPolled(t *testing.T) {
	caps := localmail.DefaultCaps()
	delete(caps, imap.CapIdle)
	e := newEnvWith(t, 10, localmail.Options{IMAPCaps: caps}, withIMAP(`poll_interval = "5s"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	e.start()
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "poll-1@ale.example"), at)
	e.answered("sara.nilsson@ale.example")
	// A later mail too: the connection is polled, not just read once.
	e.deliver(registration("karl.berg@ale.example", "Karl Berg", "poll-2@ale.example"), at)
	e.answered("karl.berg@ale.example")
	select {
	case <-e.srv.Idling():
		t.Error("the bot sent IDLE to a server that does not offer it")
	default:
	}
}

// anotherClientsDeleted is a mail another mail client has marked \Deleted
// but not expunged; a plain EXPUNGE by the bot would destroy it.
func (e *env) anotherClientsDeleted(at time.Time) imap.UID {
	e.t.Helper()
	raw := []byte("From: kollega@goteborgsregionen.example\r\nTo: team@goteborgsregionen.example\r\nSubject: Lunch?\r\nMessage-ID: <lunch@goteborgsregionen.example>\r\n\r\nLunch at twelve?\r\n")
	uid, err := e.srv.Append(botAddr, "INBOX", raw, at, imap.FlagDeleted)
	if err != nil {
		e.t.Fatal(err)
	}
	return uid
}

func TestServerWithoutMoveCopiesAndExpungesOnlyItsOwnMail(t *testing.T) {
	caps := localmail.DefaultCaps()
	delete(caps, imap.CapMove)
	e := newEnvWith(t, 10, localmail.Options{IMAPCaps: caps}, withIMAP("shared_inbox = true"))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	deleted := e.anotherClientsDeleted(at)
	mine := e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "nomove-1@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("delivery %+v, want one reply", rep)
	}
	inbox := e.mailbox("INBOX")
	if _, ok := inbox[deleted]; !ok {
		t.Error("another client's \\Deleted mail was expunged")
	}
	if _, ok := inbox[mine]; ok {
		t.Error("the handled mail is still in INBOX")
	}
	processed := e.mailbox("Behandlat")
	if len(processed) != 1 {
		t.Fatalf("Behandlat holds %d mails, want 1", len(processed))
	}
	for _, flags := range processed {
		if !hasFlag(flags, imap.FlagSeen) || !hasFlag(flags, "$Anmalan") || hasFlag(flags, imap.FlagDeleted) {
			t.Errorf("filed mail flags %v", flags)
		}
	}
}

func TestServerWithoutMoveOrUIDPlusOnlyFlags(t *testing.T) {
	caps := localmail.DefaultCaps()
	delete(caps, imap.CapMove)
	delete(caps, imap.CapUIDPlus)
	e := newEnvWith(t, 10, localmail.Options{IMAPCaps: caps}, withIMAP("shared_inbox = true"))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	deleted := e.anotherClientsDeleted(at)
	mine := e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "noplus-1@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("delivery %+v, want one reply", rep)
	}
	inbox := e.mailbox("INBOX")
	if _, ok := inbox[deleted]; !ok {
		t.Error("another client's \\Deleted mail was expunged")
	}
	if flags, ok := inbox[mine]; !ok || !hasFlag(flags, imap.FlagSeen) || !hasFlag(flags, "$Anmalan") || hasFlag(flags, imap.FlagDeleted) {
		t.Errorf("the handled mail should stay, flagged \\Seen $Anmalan: present %v, flags %v", ok, flags)
	}
	// Nothing copied that could not be removed from INBOX: no twin.
	if got := e.mailbox("INBOX"); len(got) != 2 {
		t.Errorf("INBOX holds %d mails, want 2", len(got))
	}
	// A second round sends nothing more.
	if rep := e.runOnce(); rep.Sent != 0 {
		t.Errorf("second round sent %d", rep.Sent)
	}
}

func TestUIDValidityChangeAnswersNothingTwice(t *testing.T) {
	// Flag only, so the mail stays in INBOX to be renumbered.
	e := newEnvWith(t, 100, localmail.Options{}, func(s string) string {
		return strings.Replace(s, "processed_mailbox = \"Behandlat\"\n", "", 1)
	})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	addrs := e.deliverPeople(0, 50, at)
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 50 {
		t.Fatalf("first round sent %d, want 50", rep.Sent)
	}
	if err := e.srv.Renumber(botAddr, "INBOX"); err != nil {
		t.Fatal(err)
	}
	newcomer := e.deliverPeople(50, 51, at.Add(2*time.Minute))
	e.clock.Set(at.Add(3 * time.Minute))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Errorf("after the renumbering sent %d, want 1 (the new mail only)", rep.Sent)
	}
	e.onceEach(append(addrs, newcomer...)...)
	for uid, flags := range e.mailbox("INBOX") {
		if !hasFlag(flags, "$Anmalan") {
			t.Errorf("mail %d not flagged after the renumbering: %v", uid, flags)
		}
	}
}

func TestMailRecordedButNotDecidedBeforeACrashIsAnsweredAfterTheRestart(t *testing.T) {
	e := newEnv(t, 10, localmail.Options{})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "rec-1@ale.example"), at)
	last := e.deliver(registration("karl.berg@ale.example", "Karl Berg", "rec-2@ale.example"), at.Add(time.Second))
	// Every decision fails, as if the process died after recording.
	failHandling(e.d, func(intake.Incoming) bool { return true })
	if _, _, err := e.d.RunOnce(context.Background()); err == nil {
		t.Fatal("a round whose decisions all failed reported no error")
	}
	_, cp, err := e.d.Store().Checkpoint(context.Background(), "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if cp != uint32(last) {
		t.Errorf("checkpoint %d after recording, want %d (both mails recorded)", cp, last)
	}
	if n := len(e.repliesTo("sara.nilsson@ale.example")) + len(e.repliesTo("karl.berg@ale.example")); n != 0 {
		t.Fatalf("%d replies before any decision", n)
	}
	if err := e.d.Close(); err != nil {
		t.Fatal(err)
	}

	// The restarted daemon finds the mail past its checkpoint in the
	// database and decides it, in the order it arrived.
	e.open()
	if rep := e.runOnce(); rep.Sent != 2 {
		t.Errorf("after the restart sent %d replies, want 2", rep.Sent)
	}
	e.onceEach("sara.nilsson@ale.example", "karl.berg@ale.example")
	if got := e.registered("segregation-2018"); got["sara.nilsson@ale.example"] != "confirmed" || got["karl.berg@ale.example"] != "confirmed" {
		t.Errorf("registrations after the restart: %v", got)
	}
	if n := len(e.mailbox("Behandlat")); n != 2 {
		t.Errorf("%d mails in the processed mailbox, want 2", n)
	}
}

func TestPoisonMailIsLeftForAHumanAndTheNextIsHandled(t *testing.T) {
	e := newEnvWith(t, 10, localmail.Options{}, withIMAP(`poll_interval = "1h"`, `manual_mailbox = "Manuellt"`))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.clock.Set(at)
	poison := registration("gift@ale.example", "Gift Giftsson", "poison@ale.example")
	failHandling(e.d, func(in intake.Incoming) bool { return bytes.Equal(in.Raw, poison) })
	e.deliver(poison, at)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "after-poison@ale.example"), at)
	e.start()
	e.answered("sara.nilsson@ale.example")
	e.answered(organiser)
	if got := e.repliesTo("gift@ale.example"); len(got) != 0 {
		t.Errorf("the poison mail was answered: %v", subjects(got))
	}
	notice := e.repliesTo(organiser)
	if len(notice) != 1 || !strings.Contains(notice[0].text, "3") || !strings.Contains(notice[0].text, "gift@ale.example") || notice[0].header.Get("X-Anmalan-Kind") != "notice" {
		t.Errorf("organiser's notice: %d mails; %q", len(notice), subjects(notice))
	}
	e.waitFor("the poison mail moved for a human", func() bool { return len(e.mailbox("Manuellt")) == 1 })
	for _, flags := range e.mailbox("Manuellt") {
		if !hasFlag(flags, "$AnmalanManual") || !hasFlag(flags, imap.FlagFlagged) {
			t.Errorf("poison mail flags %v", flags)
		}
	}
	counts, err := e.d.Store().MailCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[string(intake.OutcomeFailed)] != 1 || counts[string(intake.OutcomeRegistered)] != 1 {
		t.Errorf("mail outcomes %v, want one failed and one registered", counts)
	}
}

func TestSharedInboxLeavesOtherMailUntouched(t *testing.T) {
	e := newEnvWith(t, 10, localmail.Options{}, withIMAP("shared_inbox = true"))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	var theirs []imap.UID
	for i := range 20 {
		raw := fmt.Sprintf("From: Kollega %d <kollega%d@goteborgsregionen.example>\r\nTo: team@goteborgsregionen.example\r\n"+
			"Subject: Veckomöte %d\r\nMessage-ID: <team-%d@goteborgsregionen.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
			"Hej! Jag vill gärna vara med på mötet på torsdag.\r\n", i, i, i, i)
		var flags []imap.Flag
		if i%4 == 0 {
			flags = []imap.Flag{imap.FlagFlagged}
		}
		uid, err := e.srv.Append(botAddr, "INBOX", []byte(raw), at, flags...)
		if err != nil {
			t.Fatal(err)
		}
		theirs = append(theirs, uid)
	}
	// For the bot: to its address, to a +tag of it, and about registering.
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "shared-1@ale.example"), at)
	tagged := strings.Replace(string(registration("karl.berg@ale.example", "Karl Berg", "shared-2@ale.example")),
		"To: "+botAddr, "To: anmalan+segregation-2018@goteborgsregionen.example", 1)
	e.deliver([]byte(tagged), at)
	subject := strings.Replace(string(registration("eva.ek@ale.example", "Eva Ek", "shared-3@ale.example")),
		"To: "+botAddr, "To: team@goteborgsregionen.example", 1)
	e.deliver([]byte(subject), at)
	before := e.mailbox("INBOX")

	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 3 {
		t.Errorf("sent %d replies, want 3", rep.Sent)
	}
	after := e.mailbox("INBOX")
	for _, uid := range theirs {
		got, ok := after[uid]
		if !ok {
			t.Errorf("mail %d left INBOX", uid)
			continue
		}
		if !slices.Equal(got, before[uid]) {
			t.Errorf("mail %d flags changed from %v to %v", uid, before[uid], got)
		}
	}
	if len(after) != 20 {
		t.Errorf("INBOX holds %d mails, want the 20 that are not for the bot", len(after))
	}
	e.onceEach("sara.nilsson@ale.example", "karl.berg@ale.example", "eva.ek@ale.example")
}

func TestOversizedMailIsNotDownloadedAndTheOrganiserIsTold(t *testing.T) {
	e := newEnvWith(t, 10, localmail.Options{}, withIMAP("max_message_bytes = 4000"))
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	big := registration("stor@ale.example", "Stor Bilaga", "big@ale.example")
	big = append(big, bytes.Repeat([]byte("PADDING-PADDING-PADDING-PADDING\r\n"), 300)...)
	bigUID := e.deliver(big, at)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "small@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 2 {
		t.Errorf("sent %d, want the small mail's reply and the organiser's notice", rep.Sent)
	}
	if got := e.repliesTo("stor@ale.example"); len(got) != 0 {
		t.Errorf("the large mail was answered")
	}
	notice := e.repliesTo(organiser)
	if len(notice) != 1 || !strings.Contains(notice[0].text, "stor@ale.example") || !strings.Contains(notice[0].text, "MB") {
		t.Fatalf("organiser's notice: %q", subjects(notice))
	}
	if flags := e.mailbox("INBOX")[bigUID]; !hasFlag(flags, "$AnmalanManual") || !hasFlag(flags, imap.FlagFlagged) || hasFlag(flags, imap.FlagSeen) {
		t.Errorf("large mail flags %v, want \\Flagged $AnmalanManual and not \\Seen", flags)
	}
	e.mu.Lock()
	var res mailbot.Result
	for _, r := range e.seen {
		if r.Outcome == intake.OutcomeTooLarge {
			res = r
		}
	}
	e.mu.Unlock()
	if res.Key != "big@ale.example" {
		t.Fatalf("large mail recorded under %q, want its Message-ID", res.Key)
	}
	var raw []byte
	if err := e.d.Store().Read(context.Background(), func(tx *store.Tx) error {
		var err error
		raw, err = tx.MailRaw(res.MailID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("PADDING")) || len(raw) >= 4000 {
		t.Errorf("the large mail's body was downloaded and stored (%d bytes)", len(raw))
	}
	// Met again (another round), it is not announced twice.
	if rep := e.runOnce(); rep.Sent != 0 {
		t.Errorf("second round sent %d", rep.Sent)
	}
}

func TestXOAUTH2FetchesANewTokenWhenTheServerRejectsIt(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "n")
	// The command prints tok-1 the first time (stale) and tok-2 after.
	script := filepath.Join(dir, "token.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho x >> "+counter+"\nn=$(wc -l < "+counter+")\necho tok-$n\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, 10, localmail.Options{OAuth2Token: func(user, tok string) bool {
		return user == botAddr && tok == "tok-2"
	}}, func(s string) string {
		return strings.Replace(s, `password_file = "pw"`, `auth = "xoauth2"`+"\noauth2_token_command = \""+script+"\"", 1)
	})
	at := time.Date(2018, 11, 28, 10, 0, 0, 0, e.loc)
	e.deliver(registration("sara.nilsson@ale.example", "Sara Nilsson", "oauth-1@ale.example"), at)
	e.clock.Set(at.Add(time.Minute))
	if rep := e.runOnce(); rep.Sent != 1 {
		t.Fatalf("sent %d, want 1", rep.Sent)
	}
	runs, err := os.ReadFile(counter)
	if err != nil || strings.Count(string(runs), "x") != 2 {
		t.Errorf("token command ran %d times, want 2 (the first token was rejected)", strings.Count(string(runs), "x"))
	}
	// The good token is kept: the next login does not run the command.
	e.runOnce()
	if runs, _ := os.ReadFile(counter); strings.Count(string(runs), "x") != 2 {
		t.Errorf("token command ran again for a token that still works")
	}
}
