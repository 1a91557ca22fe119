package understand

import (
	"net/mail"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/message/messagetest"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// fuzzSeeds returns the mails of the project's corpus copy, to seed the
// fuzzers with real structure.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	var patterns []string
	for _, folder := range []string{"registrations", "automatic-sisimai", "clients-mikel-mail", "mime-enmime"} {
		patterns = append(patterns, filepath.Join("..", "testdata", "corpus", folder, "*.eml"))
	}
	for _, p := range patterns {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			raw, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, raw)
		}
	}
	seeds = append(seeds, nestedMultipart(30), manyParts(600), messagetest.Mail("From: a@example.org", "Content-Transfer-Encoding: base64", "", "QW5t!!"))
	return seeds
}

var validKinds = map[reading.Kind]bool{"registration": true, "cancellation": true, "command": true, "automatic": true, "other": true}

func checkUnderstanding(t *testing.T, u reading.Understanding) {
	t.Helper()
	if !validKinds[u.Kind] {
		t.Fatalf("kind %q", u.Kind)
	}
	if u.Reason == "" || !utf8.ValidString(u.Reason) {
		t.Fatalf("reason %q", u.Reason)
	}
	if (u.Kind == reading.KindAutomatic) != (u.Automatic != "") {
		t.Fatalf("kind %q with automatic %q", u.Kind, u.Automatic)
	}
	if (u.Kind == reading.KindRegistration || u.Kind == reading.KindCancellation) && len(u.People) == 0 {
		t.Fatalf("%s without people", u.Kind)
	}
	for _, p := range u.People {
		// A person may lack an address (a companion named without one,
		// which the bot leaves for a human), never both it and a name.
		if p.Email == "" && p.Name == "" || !utf8.ValidString(p.Name) || !utf8.ValidString(p.Email) || !utf8.ValidString(p.Organisation) || !utf8.ValidString(p.Diet) {
			t.Fatalf("person %+v", p)
		}
	}
	if u.Kind == reading.KindCommand && len(u.Changes) == 0 {
		t.Fatal("command without changes")
	}
}

// FuzzRead feeds raw bytes to ReadMessage: it must never panic, fail only
// on empty input, and give valid UTF-8; what it reads must be understood
// without a panic.
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	cfg := corpusConfig()
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := message.ReadMessage(raw)
		if err != nil {
			return
		}
		if !utf8.ValidString(m.Text) || !utf8.ValidString(m.Subject) || !utf8.ValidString(m.From.Name) {
			t.Fatalf("not UTF-8: subject %q, from %q", m.Subject, m.From.Name)
		}
		if len(m.Text) > 2*message.MaxTotalText {
			t.Fatalf("text of %d bytes", len(m.Text))
		}
		checkUnderstanding(t, Understand(m, cfg))
		checkUnderstanding(t, Understand(m, nil))
	})
}

// FuzzUnderstand feeds decoded mails (sender, subject, text, the To
// address) to Understand: it must never panic and always give a
// consistent answer with a reason.
func FuzzUnderstand(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		m, err := message.ReadMessage(s)
		if err != nil {
			continue
		}
		to := ""
		if len(m.To) > 0 {
			to = m.To[0].Address
		}
		f.Add(m.From.Name, m.From.Address, to, m.Subject, m.Text)
	}
	cfg := corpusConfig()
	f.Fuzz(func(t *testing.T, name, addr, to, subject, text string) {
		m, err := message.ReadMessage(messagetest.Mail("X-Fuzz: 1", "", ""))
		if err != nil {
			t.Fatal(err)
		}
		m.From = mail.Address{Name: name, Address: addr}
		m.To = []*mail.Address{{Address: to}}
		m.Subject, m.Text = subject, text
		checkUnderstanding(t, Understand(m, cfg))
		checkUnderstanding(t, Understand(m, nil))
	})
}
