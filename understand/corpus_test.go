package understand

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/automatic"
	"github.com/goteborgsregionen/anmalan/config"
	"github.com/goteborgsregionen/anmalan/message"
	"github.com/goteborgsregionen/anmalan/understand/reading"
)

// corpusConfig is the setup of the corpus's registrations: the organiser,
// the bot, the trusted receiving server and the seed's event.
func corpusConfig() *config.Config {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return &config.Config{
		Language: "sv",
		SMTP:     config.SMTPConfig{From: "GR Anmälan <anmalan@goteborgsregionen.example>"},
		Organisers: config.OrganisersConfig{
			Addresses:         []string{"linda.karlsson@goteborgsregionen.example"},
			TrustedAuthservID: "mx.goteborgsregionen.example",
		},
		Events: []config.EventConfig{{
			ID:       "segregation-2018",
			Title:    "På tal om segregation – ett samtal om hur vi kan arbeta tillsammans",
			Keywords: []string{"segregation"},
			Starts:   "2018-12-11 13:00",
			StartsAt: time.Date(2018, 12, 11, 13, 0, 0, 0, loc),
		}},
		Location: loc,
	}
}

// corpusDir returns the path of a folder of the project's copy of the
// mail corpus (testdata/corpus at the module root, with each source's
// licence). The copy is part of the repository, so a missing folder is a
// failure, never a skip.
func corpusDir(t *testing.T, folder string) string {
	t.Helper()
	dir := filepath.Join("..", "testdata", "corpus", folder)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the mail corpus %s is missing: %v", dir, err)
	}
	return dir
}

func emlFiles(t *testing.T, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no %s files in %s", pattern, dir)
	}
	return files
}

func readFile(t *testing.T, path string) *message.Message {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := message.ReadMessage(raw)
	if err != nil {
		t.Fatalf("%s: ReadMessage: %v", filepath.Base(path), err)
	}
	return m
}

// expectation is one entry of expect.json. Pointers and nil slices tell a
// key that is left out (not checked) from one that is given.
type expectation struct {
	Kind      *string          `json:"kind"`
	Automatic *string          `json:"automatic"`
	Language  *string          `json:"language"`
	Event     *string          `json:"event"`
	People    []reading.Person `json:"people"`
	Changes   []struct {
		Action string          `json:"action"`
		Who    string          `json:"who"`
		By     *reading.Person `json:"by"`
	} `json:"changes"`
	SenderAuthenticated *bool `json:"sender_authenticated"`
}

// TestRegistrationsCorpus holds every registration-desk mail to what
// expect.json says, key by key. It reads the copy in testdata so that it
// runs wherever the module is checked out.
func TestRegistrationsCorpus(t *testing.T) {
	dir := filepath.Join("..", "testdata", "corpus", "registrations")
	raw, err := os.ReadFile(filepath.Join(dir, "expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expect map[string]expectation
	if err := json.Unmarshal(raw, &expect); err != nil {
		t.Fatal(err)
	}
	files := emlFiles(t, dir, "*.eml")
	if len(files) != len(expect) {
		t.Errorf("%d mail files but %d expectations", len(files), len(expect))
	}
	cfg := corpusConfig()
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".eml"), func(t *testing.T) {
			e, ok := expect[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			u := Understand(readFile(t, f), cfg)
			if e.Kind != nil && string(u.Kind) != *e.Kind {
				t.Errorf("kind = %q, want %q (reason: %s)", u.Kind, *e.Kind, u.Reason)
			}
			if e.Automatic != nil && string(u.Automatic) != *e.Automatic {
				t.Errorf("automatic = %q, want %q (reason: %s)", u.Automatic, *e.Automatic, u.Reason)
			}
			if e.Language != nil && u.Language != *e.Language {
				t.Errorf("language = %q, want %q", u.Language, *e.Language)
			}
			if e.Event != nil && u.Event != *e.Event {
				t.Errorf("event = %q, want %q", u.Event, *e.Event)
			}
			if e.SenderAuthenticated != nil && u.SenderAuthenticated != *e.SenderAuthenticated {
				t.Errorf("sender_authenticated = %v, want %v (reason: %s)", u.SenderAuthenticated, *e.SenderAuthenticated, u.Reason)
			}
			if e.People != nil {
				checkPeople(t, "people", u.People, e.People)
			}
			if e.Changes != nil {
				if len(u.Changes) != len(e.Changes) {
					t.Fatalf("changes = %+v, want %d", u.Changes, len(e.Changes))
				}
				for i, want := range e.Changes {
					got := u.Changes[i]
					if string(got.Action) != want.Action || got.Who != want.Who {
						t.Errorf("change %d = %s %s, want %s %s", i, got.Action, got.Who, want.Action, want.Who)
					}
					if want.By != nil {
						if got.By == nil {
							t.Errorf("change %d has no new person, want %+v", i, *want.By)
						} else {
							checkPeople(t, "by", []reading.Person{*got.By}, []reading.Person{*want.By})
						}
					}
				}
			}
			if u.Reason == "" {
				t.Error("no reason given")
			}
		})
	}
}

// checkPeople compares name and email always, organisation and diet where
// the expectation gives them.
func checkPeople(t *testing.T, what string, got, want []reading.Person) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name || !strings.EqualFold(g.Email, w.Email) {
			t.Errorf("%s[%d] = %q <%s>, want %q <%s>", what, i, g.Name, g.Email, w.Name, w.Email)
		}
		if w.Organisation != "" && g.Organisation != w.Organisation {
			t.Errorf("%s[%d] organisation = %q, want %q", what, i, g.Organisation, w.Organisation)
		}
		if w.Diet != "" && g.Diet != w.Diet {
			t.Errorf("%s[%d] diet = %q, want %q", what, i, g.Diet, w.Diet)
		}
	}
}

// TestAutomaticCorpus: every bounce, auto-reply and report of the sisimai
// set is automatic, never a registration; and most bounces name the
// address that failed.
func TestAutomaticCorpus(t *testing.T) {
	dir := corpusDir(t, "automatic-sisimai")
	cfg := corpusConfig()
	files := emlFiles(t, dir, "*.eml")
	bounces, named := 0, 0
	for _, f := range files {
		u := Understand(readFile(t, f), cfg)
		if u.Kind != reading.KindAutomatic {
			t.Errorf("%s: kind %q, want automatic (reason: %s)", filepath.Base(f), u.Kind, u.Reason)
			continue
		}
		if u.Automatic == automatic.Bounce {
			bounces++
			if len(u.Bounced) > 0 {
				named++
			}
		}
	}
	t.Logf("%d files automatic; %d bounces, %d of them name a failed address", len(files), bounces, named)
	if bounces > 0 && named*10 < bounces*8 {
		t.Errorf("only %d of %d bounces name a failed address; want at least 80%%", named, bounces)
	}
}

// TestDeliveryReportsInClientCorpora: the delivery reports among the client
// and MIME corpora are automatic too.
func TestDeliveryReportsInClientCorpora(t *testing.T) {
	cfg := corpusConfig()
	for _, c := range []struct{ folder, pattern string }{
		{"clients-mikel-mail", "multipart_report_emails--*.eml"},
		{"mime-enmime", "dsn--*.eml"},
	} {
		dir := corpusDir(t, c.folder)
		for _, f := range emlFiles(t, dir, c.pattern) {
			u := Understand(readFile(t, f), cfg)
			if u.Kind != reading.KindAutomatic || u.Automatic != automatic.Bounce {
				t.Errorf("%s/%s: %s/%s, want automatic bounce (reason: %s)", c.folder, filepath.Base(f), u.Kind, u.Automatic, u.Reason)
			}
		}
	}
}

// TestWholeCorpusReads reads and understands every file of the corpus: none
// may fail to read or panic (a panic fails the test). Speed is measured by
// the benchmarks, not asserted here.
func TestWholeCorpusReads(t *testing.T) {
	cfg := corpusConfig()
	total := 0
	for _, folder := range []string{"registrations", "automatic-sisimai", "clients-mikel-mail", "mime-enmime"} {
		dir := corpusDir(t, folder)
		for _, f := range emlFiles(t, dir, "*.eml") {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := message.ReadMessage(raw)
			if err != nil {
				t.Errorf("%s/%s: %v", folder, filepath.Base(f), err)
				continue
			}
			Understand(m, cfg)
			Understand(m, nil)
			total++
		}
	}
	t.Logf("%d corpus files read", total)
}
