package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/config/configtest"
	"github.com/goteborgsregionen/anmalan/mailauth"
)

// configtest.Base is a small valid config against in-process servers on
// loopback; the error cases each change one thing in it.

// problems returns the problems of err, failing the test when err is not a
// *ConfigError.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *ConfigError", err, err)
	}
	return ce.Problems
}

func TestExampleConfig(t *testing.T) {
	data, err := os.ReadFile("../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig(data, "..")
	if err != nil {
		t.Fatalf("example has problems:\n%v", err)
	}
	// Only the dmarc mode's precondition, which the operator must see.
	if w := c.Warnings(); len(w) != 1 || !strings.Contains(w[0], "RFC 8601 §5") {
		t.Errorf("warnings = %q, want only the dmarc precondition", w)
	}
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	if c.Location.String() != "Europe/Stockholm" || c.Language != "sv" {
		t.Errorf("location, language = %v, %q", c.Location, c.Language)
	}
	if c.HTTP.Listen != "127.0.0.1:9464" {
		t.Errorf("http.listen = %q", c.HTTP.Listen)
	}
	// The seed's workshop and its second session in Kungälv.
	if len(c.Events) != 2 {
		t.Fatalf("%d events, want 2", len(c.Events))
	}
	ev, ok := c.EventByID("segregation-2018")
	if !ok {
		t.Fatal("event segregation-2018 not found")
	}
	if ev.Title != "På tal om segregation – ett samtal om hur vi kan arbeta tillsammans" || ev.Seats != 40 {
		t.Errorf("title, seats = %q, %d", ev.Title, ev.Seats)
	}
	times := []struct {
		name      string
		got, want time.Time
	}{
		{"starts", ev.StartsAt, time.Date(2018, 12, 11, 13, 0, 0, 0, stockholm)},
		{"ends", ev.EndsAt, time.Date(2018, 12, 11, 15, 30, 0, 0, stockholm)},
		{"closes", ev.ClosesAt, time.Date(2018, 12, 4, 23, 59, 59, 999999999, stockholm)},
		{"changes_close", ev.ChangesCloseAt, time.Date(2018, 12, 10, 23, 59, 59, 999999999, stockholm)},
	}
	for _, tt := range times {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if got := ev.ClosesAt.Format(time.RFC3339Nano); got != "2018-12-04T23:59:59.999999999+01:00" {
		t.Errorf("closes = %s", got)
	}
	if !ev.OpensAt.IsZero() {
		t.Errorf("opens = %v, want zero", ev.OpensAt)
	}
	if len(ev.Material) != 1 || !filepath.IsAbs(ev.Material[0]) || filepath.Base(ev.Material[0]) != "kartlaggning-segregation.pdf" {
		t.Errorf("material = %q, want one absolute path", ev.Material)
	}
	pdf, err := os.ReadFile(ev.Material[0])
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") || len(pdf) > 5<<10 {
		t.Errorf("material is not a small PDF (%d bytes, %v)", len(pdf), err)
	}
	if !slices.Equal(ev.Keywords, []string{"segregation", "på tal om"}) {
		t.Errorf("keywords = %q", ev.Keywords)
	}
	if c.IMAP.Security != "tls" || c.SMTP.Security != "starttls" || c.IMAP.Mailbox != "INBOX" || c.IMAP.PollInterval.Duration != time.Minute {
		t.Errorf("imap security, smtp security, mailbox, poll = %q, %q, %q, %v",
			c.IMAP.Security, c.SMTP.Security, c.IMAP.Mailbox, c.IMAP.PollInterval)
	}
	if c.IMAP.IdleRestart.Duration != 10*time.Minute || c.IMAP.MaxMessageBytes != 25<<20 || c.IMAP.SharedInbox {
		t.Errorf("idle_restart, max_message_bytes, shared_inbox = %v, %d, %v", c.IMAP.IdleRestart, c.IMAP.MaxMessageBytes, c.IMAP.SharedInbox)
	}
	if len(c.Organisations) != 13 || c.Organisations["molndal.example"] != "Mölndals stad" {
		t.Errorf("organisations = %v", c.Organisations)
	}
	if got := c.BotAddress(); got != "anmalan@goteborgsregionen.example" {
		t.Errorf("bot address = %q", got)
	}
	if !c.IsOrganiser("Linda Karlsson <Linda.Karlsson@GOTEBORGSREGIONEN.example>") {
		t.Error("Linda is not an organiser")
	}
	if c.Organisers.Auth != OrganiserAuthDMARC || ev.OfferHours != 0 {
		t.Errorf("organiser_auth, offer_hours = %q, %d", c.Organisers.Auth, ev.OfferHours)
	}
	if c.Database != filepath.Join(c.Dir, "anmalan.db") || !filepath.IsAbs(c.Database) {
		t.Errorf("database = %q", c.Database)
	}
}

func TestParseConfigProblems(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // edit of configtest.Base
		want     string // one of the problems
	}{
		{"syntax error has its line", "[smtp]", "[smtp", "line 9: "},
		{"unknown key with suggestion", "password_env", "pasword_env", `unknown key "imap.pasword_env" (did you mean password_env?)`},
		{"unknown key with a hyphen", `security = "none"`, `security = "none"` + "\npoll-interval = \"1m\"", `unknown key "imap.poll-interval" (did you mean poll_interval?)`},
		{"unknown key in an event has its index", "seats = 3", "seats = 3\nsaets = 4", `unknown key "events[0].saets" (did you mean seats?)`},
		{"top-level key below a table", `from = "Bot <Bot@Example.org>"`, `from = "Bot <Bot@Example.org>"` + "\ntimezone = \"UTC\"", `unknown key "smtp.timezone" (did you mean timezone? keys after a [table] header belong to that table`},
		{"key of another table", `username = "bot"`, `username = "bot"` + "\nfrom = \"x@example.org\"", `unknown key "imap.from" (did you mean smtp.from?)`},
		{"unknown key without suggestion", "[imap]", "colour = 1\n[imap]", `unknown key "colour"`},
		{"wrong type", "seats = 3", `seats = "three"`, "events[0].seats: want an integer, not a string"},
		{"events as a table", "[[events]]", "[events]", "events: want an array of tables ([[events]]), not a table"},
		{"bad duration", `username = "bot"`, `username = "bot"` + "\npoll_interval = \"1 minute\"", `imap.poll_interval: want a duration such as "30s", "1m" or "1h30m": time: unknown unit " minute" in duration "1 minute"`},
		{"poll interval too short", `username = "bot"`, `username = "bot"` + "\npoll_interval = \"1s\"", "imap.poll_interval: 1s is shorter than the minimum 5s"},
		{"missing database", `database = "anmalan.db"`, "", "database: missing"},
		{"database directory missing", `database = "anmalan.db"`, `database = "no/such/dir/anmalan.db"`, "database: directory "},
		{"missing imap address", `address = "127.0.0.1:1143"`, "", "imap.address: missing"},
		{"missing imap username", `username = "bot"`, "", "imap.username: missing"},
		{"missing smtp address", `address = "127.0.0.1:1025"`, "", "smtp.address: missing"},
		{"missing from", `from = "Bot <Bot@Example.org>"`, "", "smtp.from: missing"},
		{"bad from", `from = "Bot <Bot@Example.org>"`, `from = "Bot at example"`, `smtp.from: "Bot at example" is not a mail address`},
		{"negative reply cap", `from = "Bot <Bot@Example.org>"`, `from = "Bot <Bot@Example.org>"` + "\nmax_replies_per_address = -1", "smtp.max_replies_per_address: -1 is not a positive number of replies"},
		{"address without port", `address = "127.0.0.1:1143"`, `address = "127.0.0.1"`, `imap.address: "127.0.0.1" is not host:port: missing port in address`},
		{"bad port", `address = "127.0.0.1:1143"`, `address = "127.0.0.1:imap"`, `imap.address: port "imap" is not a number from 1 to 65535`},
		{"bad security", `security = "none"`, `security = "ssl"`, `imap.security: "ssl" is not "tls", "starttls" or "none"`},
		{"plaintext to a remote host", `address = "127.0.0.1:1025"`, `address = "smtp.example.org:25"`, `smtp.security: "none" is only allowed for a loopback host (localhost, 127.0.0.1, ::1), not "smtp.example.org"`},
		{"plaintext to a private address", `address = "127.0.0.1:1143"`, `address = "192.168.1.10:143"`, `imap.security: "none" is only allowed for a loopback host`},
		{"both passwords", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_env = "ANMALAN_TEST_IMAP_PASSWORD"` + "\npassword_file = \"m.pdf\"", "imap: set only one of password_env and password_file"},
		{"no password", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, "", "imap: imap.username is set but neither password_env nor password_file is"},
		{"password_env holds a password", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_env = "hunter2!"`, "imap.password_env: must be the name of an environment variable (letters, digits, _), not the password"},
		{"password_file missing", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_file = "imap-password"`, "imap.password_file: open "},
		{"password_file holds a password", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_file = "hunter2-long-secret!"`, "imap.password_file: open the file named there (not shown: it looks like a password, not a file name): no such file or directory"},
		{"bad timezone", `database = "anmalan.db"`, `database = "anmalan.db"` + "\ntimezone = \"Europe/Göteborg\"", `timezone: "Europe/Göteborg" is not a known time zone`},
		{"bad language", `database = "anmalan.db"`, `database = "anmalan.db"` + "\nlanguage = \"de\"", `language: "de" is not "sv" or "en"`},
		{"no organisers", `addresses = ["Org <Org@Example.org>"]`, "", "organisers.addresses: missing"},
		{"bad organiser", `addresses = ["Org <Org@Example.org>"]`, `addresses = ["Org"]`, `organisers.addresses[0]: "Org" is not a mail address`},
		{"no trusted authserv-id", `trusted_authserv_id = "mx.example.org"`, "", "organisers.trusted_authserv_id: missing"},
		{"dmarc named without a trusted authserv-id", `trusted_authserv_id = "mx.example.org"`, `organiser_auth = "dmarc"`, "organisers.trusted_authserv_id: missing"},
		{"negative group size", `database = "anmalan.db"`, `database = "anmalan.db"` + "\nmax_group_size = -1", "max_group_size: -1 is not a positive number of people"},
		{"organisation keyed by address", "[[events]]", "[organisations]\n\"kalle@molndal.se\" = \"Mölndal\"\n[[events]]", `organisations: "kalle@molndal.se" is an address`},
		{"no events", "[[events]]", "[not_events]", "events: none; add at least one [[events]] table"},
		{"http listen without port", "[[events]]", "[http]\nlisten = \"127.0.0.1\"\n[[events]]", `http.listen: "127.0.0.1" is not host:port: missing port in address`},
		{"http listen bad port", "[[events]]", "[http]\nlisten = \"127.0.0.1:http\"\n[[events]]", `http.listen: port "http" is not a number from 0 to 65535`},
		{"http unknown key", "[[events]]", "[http]\nlisten_on = \"127.0.0.1:9464\"\n[[events]]", `unknown key "http.listen_on" (did you mean listen?)`},
		{"missing event id", `id = "ev-1"`, "", "events[0].id: missing"},
		{"bad event id", `id = "ev-1"`, `id = "Ev_1"`, `events[0].id: "Ev_1" may hold only lower-case letters a-z, digits and '-'`},
		{"missing title", `title = "Workshop"`, "", "events[0].title: missing"},
		{"missing location", `location = "Here"`, "", "events[0].location: missing"},
		{"no seats", "seats = 3", "", "events[0].seats: must be at least 1"},
		{"negative seats", "seats = 3", "seats = -2", "events[0].seats: must be at least 1"},
		{"missing starts", `starts = "2030-05-02 10:00"`, "", "events[0].starts: missing"},
		{"bad starts", `starts = "2030-05-02 10:00"`, `starts = "2 May 2030"`, `events[0].starts: "2 May 2030" is not a time (want 2006-01-02 15:04)`},
		{"starts without a time", `starts = "2030-05-02 10:00"`, `starts = "2030-05-02"`, `events[0].starts: "2030-05-02" is not a time`},
		{"bad closes", `closes = "2030-04-30"`, `closes = "2018-12-32"`, `events[0].closes: "2018-12-32" is not a date (want 2006-01-02 or 2006-01-02 15:04)`},
		{"ends before starts", `ends = "2030-05-02 12:00"`, `ends = "2030-05-02 09:00"`, "events[0].ends: 2030-05-02 09:00 is not after starts 2030-05-02 10:00"},
		{"closes after starts", `closes = "2030-04-30"`, `closes = "2030-05-02"`, "events[0].closes: 2030-05-02 is after starts 2030-05-02 10:00; registration must close by the start"},
		{"opens after closes", `closes = "2030-04-30"`, `closes = "2030-04-30"` + "\nopens = \"2030-05-01\"", "events[0].opens: 2030-05-01 is not before closes 2030-04-30 23:59"},
		{"missing material", `material = ["m.pdf"]`, `material = ["m.pdf", "material/missing.pdf"]`, "events[0].material[1]: open "},
		{"material is a directory", `material = ["m.pdf"]`, `material = ["."]`, "is not a regular file"},
		{"empty keyword", `keywords = [" Workshop "]`, `keywords = [""]`, "events[0].keywords[0]: empty"},
		{"unknown organiser_auth", `contact = "Org, org@example.org"`, `contact = "Org, org@example.org"` + "\norganiser_auth = \"from\"", `organisers.organiser_auth: "from" is not "dmarc", "dkim", "exchange" or "trust-from"`},
		{"bad changes_close", `closes = "2030-04-30"`, `closes = "2030-04-30"` + "\nchanges_close = \"soon\"", `events[0].changes_close: "soon" is not a date`},
		{"changes_close after the end", `closes = "2030-04-30"`, `closes = "2030-04-30"` + "\nchanges_close = \"2030-05-03\"", "events[0].changes_close: 2030-05-03 is after the event ends"},
		{"negative offer_hours", "seats = 3", "seats = 3\noffer_hours = -1", "events[0].offer_hours: -1 is negative"},
		{"negative reminder_days", "seats = 3", "seats = 3\nreminder_days = -1", "events[0].reminder_days: -1 is negative"},
		{"reminder_days as a string", "seats = 3", "seats = 3\nreminder_days = \"2\"", "events[0].reminder_days: want an integer, not a string"},
		{"bad digest_time", `contact = "Org, org@example.org"`, `contact = "Org, org@example.org"` + "\ndigest_time = \"7.30\"", `organisers.digest_time: "7.30" is not a time of day`},
		{"negative retention_days", `[imap]`, "retention_days = -3\n[imap]", "retention_days: -3 is negative"},
		{"idle restart too short", `username = "bot"`, `username = "bot"` + "\nidle_restart = \"1s\"", "imap.idle_restart: 1s is shorter than the minimum 10s"},
		{"idle restart too long", `username = "bot"`, `username = "bot"` + "\nidle_restart = \"45m\"", "imap.idle_restart: 45m0s is longer than the maximum 29m0s"},
		{"negative size limit", `username = "bot"`, `username = "bot"` + "\nmax_message_bytes = -5", "imap.max_message_bytes: must be positive, not -5"},
		{"size limit as a string", `username = "bot"`, `username = "bot"` + "\nmax_message_bytes = \"25MB\"", "imap.max_message_bytes: want an integer, not a string"},
		{"shared inbox not a boolean", `username = "bot"`, `username = "bot"` + "\nshared_inbox = \"yes\"", "imap.shared_inbox: want true or false, not a string"},
		{"manual mailbox is the inbox", `username = "bot"`, `username = "bot"` + "\nmanual_mailbox = \"INBOX\"", `imap.manual_mailbox: "INBOX" is the same as imap.mailbox`},
		{"manual mailbox is the processed one", `username = "bot"`, `username = "bot"` + "\nprocessed_mailbox = \"Done\"\nmanual_mailbox = \"Done\"", `imap.manual_mailbox: "Done" is the same as imap.processed_mailbox`},
		{"unknown auth", `username = "bot"`, `username = "bot"` + "\nauth = \"cram-md5\"", `imap.auth: "cram-md5" is not "plain", "login" or "xoauth2"`},
		{"xoauth2 without a token source", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `auth = "xoauth2"`, `imap.auth: "xoauth2" needs oauth2_token_command or oauth2_token_file`},
		{"xoauth2 with a password", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_env = "ANMALAN_TEST_IMAP_PASSWORD"` + "\nauth = \"xoauth2\"\noauth2_token_command = \"echo t\"", "imap: with auth = \"xoauth2\" the token replaces the password"},
		{"xoauth2 with both token sources", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, "auth = \"xoauth2\"\noauth2_token_command = \"echo t\"\noauth2_token_file = \"m.pdf\"", "imap: set only one of oauth2_token_command and oauth2_token_file"},
		{"token file missing", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, "auth = \"xoauth2\"\noauth2_token_file = \"no-token\"", "imap.oauth2_token_file: stat "},
		{"token without xoauth2", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_env = "ANMALAN_TEST_IMAP_PASSWORD"` + "\noauth2_token_file = \"m.pdf\"", `imap: oauth2_token_command and oauth2_token_file need imap.auth = "xoauth2"`},
		{"smtp xoauth2 without a user", `from = "Bot <Bot@Example.org>"`, `from = "Bot <Bot@Example.org>"` + "\nauth = \"xoauth2\"\noauth2_token_command = \"echo t\"", `smtp.auth: "xoauth2" needs smtp.username`},
		{"ca file that is no certificate", "address = \"127.0.0.1:1025\"\nsecurity = \"none\"", "address = \"127.0.0.1:1025\"\nsecurity = \"tls\"\ntls_ca_file = \"m.pdf\"", "smtp.tls_ca_file: "},
		{"ca file without tls", `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_env = "ANMALAN_TEST_IMAP_PASSWORD"` + "\ntls_ca_file = \"m.pdf\"", `imap.tls_ca_file: set, but imap.security is "none"`},
		{"processed mailbox is the inbox", `username = "bot"`, `username = "bot"` + "\nprocessed_mailbox = \"INBOX\"", `imap.processed_mailbox: "INBOX" is the same as imap.mailbox`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := configtest.Edit(t, configtest.Base, tt.old, tt.new)
			c, err := ParseConfig([]byte(data), configtest.Dir(t))
			if err == nil {
				t.Fatalf("no problem reported, want %q", tt.want)
			}
			if c != nil {
				t.Error("config returned with an error")
			}
			ps := problems(t, err)
			if !slices.ContainsFunc(ps, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems:\n%s\nwant one containing %q", strings.Join(ps, "\n"), tt.want)
			}
			// Secrets must never be echoed back.
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("problem repeats the password: %v", err)
			}
		})
	}
}

func TestParseConfigDuplicateEventID(t *testing.T) {
	data := configtest.Base + `
[[events]]
id = "ev-1"
title = "Again"
starts = "2030-06-01 10:00"
ends = "2030-06-01 11:00"
location = "There"
seats = 1
`
	_, err := ParseConfig([]byte(data), configtest.Dir(t))
	ps := problems(t, err)
	if !slices.Equal(ps, []string{`events[1].id: "ev-1" is already the id of events[0]`}) {
		t.Errorf("problems = %q", ps)
	}
}

func TestParseConfigSMTPPasswordWithoutUsername(t *testing.T) {
	data := configtest.Edit(t, configtest.Base, `from = "Bot`, "password_env = \"X\"\nfrom = \"Bot")
	_, err := ParseConfig([]byte(data), configtest.Dir(t))
	ps := problems(t, err)
	if !slices.Equal(ps, []string{"smtp: a password is set but smtp.username is empty"}) {
		t.Errorf("problems = %q", ps)
	}
}

// TestParseConfigAllAtOnce checks that five unrelated problems are all
// reported by one call, in section order.
func TestParseConfigAllAtOnce(t *testing.T) {
	data := configtest.Base
	for _, e := range [][2]string{
		{"password_env", "pasword_env"},
		{`address = "127.0.0.1:1025"`, `address = "smtp.example.org:25"`},
		{`trusted_authserv_id = "mx.example.org"`, ""},
		{`closes = "2030-04-30"`, `closes = "2030-05-03"`},
		{`material = ["m.pdf"]`, `material = ["missing.pdf"]`},
	} {
		data = configtest.Edit(t, data, e[0], e[1])
	}
	dir := configtest.Dir(t)
	_, err := ParseConfig([]byte(data), dir)
	ps := problems(t, err)
	want := []string{
		`unknown key "imap.pasword_env" (did you mean password_env?)`,
		"imap: imap.username is set but neither password_env nor password_file is (passwords are never written in the config)",
		`smtp.security: "none" is only allowed for a loopback host (localhost, 127.0.0.1, ::1), not "smtp.example.org"`,
		"organisers.trusted_authserv_id: missing (the authserv-id your receiving mail server writes in Authentication-Results)",
		"events[0].closes: 2030-05-03 is after starts 2030-05-02 10:00; registration must close by the start",
		"events[0].material[0]: open " + filepath.Join(dir, "missing.pdf") + ": no such file or directory",
	}
	if !slices.Equal(ps, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(ps, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseConfigAccepts(t *testing.T) {
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		old, new string
		check    func(t *testing.T, c *Config)
	}{
		{"base", "", "", func(t *testing.T, c *Config) {
			ev := c.Events[0]
			if want := time.Date(2030, 4, 30, 23, 59, 59, 999999999, stockholm); !ev.ClosesAt.Equal(want) {
				t.Errorf("closes = %v, want %v", ev.ClosesAt, want)
			}
			// 30 April 2030 is summer time.
			if _, off := ev.ClosesAt.Zone(); off != 2*3600 {
				t.Errorf("closes offset = %d s, want +02:00", off)
			}
			if !slices.Equal(ev.Keywords, []string{"workshop"}) {
				t.Errorf("keywords = %q", ev.Keywords)
			}
			if !slices.Equal(c.Organisers.Addresses, []string{"org@example.org"}) {
				t.Errorf("organisers = %q", c.Organisers.Addresses)
			}
			if w := otherWarnings(c); len(w) != 1 || !strings.HasPrefix(w[0], "imap.processed_mailbox is empty") {
				t.Errorf("warnings = %q", w)
			}
		}},
		{"changes close at the start by default; organisers need DMARC", "", "", func(t *testing.T, c *Config) {
			if ev := c.Events[0]; !ev.ChangesCloseAt.Equal(ev.StartsAt) || ev.OfferHours != 0 {
				t.Errorf("changes close %v, offer hours %d; want the start and 0", ev.ChangesCloseAt, ev.OfferHours)
			}
			if c.Organisers.Auth != OrganiserAuthDMARC {
				t.Errorf("organiser_auth = %q", c.Organisers.Auth)
			}
		}},
		{"http on loopback", "[[events]]", "[http]\nlisten = \"[::1]:9464\"\n[[events]]", func(t *testing.T, c *Config) {
			if c.HTTP.Listen != "[::1]:9464" || len(otherWarnings(c)) != 1 {
				t.Errorf("listen %q, warnings %q; want no http warning", c.HTTP.Listen, c.Warnings())
			}
		}},
		{"http on every interface warns", "[[events]]", "[http]\nlisten = \":9464\"\n[[events]]", func(t *testing.T, c *Config) {
			if !slices.ContainsFunc(c.Warnings(), func(w string) bool {
				return strings.HasPrefix(w, "http.listen: every interface is not a loopback address")
			}) {
				t.Errorf("warnings = %q", c.Warnings())
			}
		}},
		{"schedule defaults", "", "", func(t *testing.T, c *Config) {
			if c.Events[0].Reminder != 2 || c.Retention != 90 || c.Organisers.DigestAt != 7*time.Hour+30*time.Minute {
				t.Errorf("reminder %d, retention %d, digest at %v; want 2, 90, 7h30m", c.Events[0].Reminder, c.Retention, c.Organisers.DigestAt)
			}
		}},
		{"reminders off, digest at six", "seats = 3", "seats = 3\nreminder_days = 0", func(t *testing.T, c *Config) {
			if c.Events[0].Reminder != 0 || c.Events[0].ReminderDays == nil {
				t.Errorf("reminder %d; want 0 (off)", c.Events[0].Reminder)
			}
		}},
		{"changes_close and offer_hours", "seats = 3", "seats = 3\nchanges_close = \"2030-05-01 12:00\"\noffer_hours = 48", func(t *testing.T, c *Config) {
			if ev := c.Events[0]; !ev.ChangesCloseAt.Equal(time.Date(2030, 5, 1, 12, 0, 0, 0, stockholm)) || ev.OfferHours != 48 {
				t.Errorf("changes close %v, offer hours %d", ev.ChangesCloseAt, ev.OfferHours)
			}
		}},
		{"dmarc names its precondition", "", "", func(t *testing.T, c *Config) {
			want := `organisers.organiser_auth = "dmarc" trusts the Authentication-Results of mx.example.org: your receiving server MUST remove such fields from arriving mail (RFC 8601 §5)`
			line := `/^Authentication-Results:\s*mx\.example\.org(;|\s|$)/ IGNORE`
			if !slices.ContainsFunc(c.Warnings(), func(w string) bool { return strings.HasPrefix(w, want) && strings.Contains(w, line) }) {
				t.Errorf("warnings = %q, want one starting %q with %q", c.Warnings(), want, line)
			}
			if c.MaxGroupSize != DefaultMaxGroupSize {
				t.Errorf("max_group_size = %d, want the default %d", c.MaxGroupSize, DefaultMaxGroupSize)
			}
		}},
		{"dkim needs no trusted authserv-id and gives no warning", `trusted_authserv_id = "mx.example.org"`, `organiser_auth = "dkim"` + "\ndns_timeout = \"3s\"", func(t *testing.T, c *Config) {
			if slices.ContainsFunc(c.Warnings(), func(w string) bool { return strings.Contains(w, "organiser_auth") }) {
				t.Errorf("warnings = %q", c.Warnings())
			}
			if p := c.AuthPolicy(); p.Mode != mailauth.ModeDKIM || p.LookupTXT == nil || len(p.Organisers) != 1 {
				t.Errorf("policy = %+v, want dkim with a bounded lookup and one organiser", p)
			}
		}},
		{"exchange with a tenant", `trusted_authserv_id = "mx.example.org"`, `organiser_auth = "exchange"` + "\ntenant_id = \"0f8f1d5c-1c8e-4a4e-9d6e-000000000001\"", func(t *testing.T, c *Config) {
			if p := c.AuthPolicy(); p.Mode != mailauth.ModeExchange || p.TenantID != "0f8f1d5c-1c8e-4a4e-9d6e-000000000001" {
				t.Errorf("policy = %+v", p)
			}
		}},
		{"an organiser with a KELVIN SIGN is not the organiser", "", "", func(t *testing.T, c *Config) {
			if !c.IsOrganiser("ORG@example.org") || c.IsOrganiser("\u212Aorg@example.org") || c.IsOrganiser("or\u0261@example.org") {
				t.Error("IsOrganiser folds more than ASCII case")
			}
		}},
		{"trust-from warns loudly", `contact = "Org, org@example.org"`, `contact = "Org, org@example.org"` + "\norganiser_auth = \"trust-from\"", func(t *testing.T, c *Config) {
			if !slices.ContainsFunc(c.Warnings(), func(w string) bool { return strings.Contains(w, "ANYONE WHO WRITES") }) {
				t.Errorf("warnings = %q", c.Warnings())
			}
		}},
		{"plaintext to localhost", `address = "127.0.0.1:1143"`, `address = "LocalHost:1143"`, nil},
		{"plaintext to ::1", `address = "127.0.0.1:1143"`, `address = "[::1]:1143"`, nil},
		{"plaintext to 127.0.0.2", `address = "127.0.0.1:1143"`, `address = "127.0.0.2:1143"`, nil},
		{"times with T and seconds", `starts = "2030-05-02 10:00"`, `starts = "2030-05-02T10:00:30"`, func(t *testing.T, c *Config) {
			if want := time.Date(2030, 5, 2, 10, 0, 30, 0, stockholm); !c.Events[0].StartsAt.Equal(want) {
				t.Errorf("starts = %v, want %v", c.Events[0].StartsAt, want)
			}
		}},
		{"unquoted TOML date and date-time", `closes = "2030-04-30"`, "closes = 2030-04-30\nopens = 2030-04-01 08:00", func(t *testing.T, c *Config) {
			ev := c.Events[0]
			if want := time.Date(2030, 4, 30, 23, 59, 59, 999999999, stockholm); !ev.ClosesAt.Equal(want) {
				t.Errorf("closes = %v, want %v", ev.ClosesAt, want)
			}
			if want := time.Date(2030, 4, 1, 8, 0, 0, 0, stockholm); !ev.OpensAt.Equal(want) {
				t.Errorf("opens = %v, want %v", ev.OpensAt, want)
			}
		}},
		{"opens as a date is the start of the day", `closes = "2030-04-30"`, "closes = \"2030-04-30 12:00\"\nopens = \"2030-04-01\"", func(t *testing.T, c *Config) {
			ev := c.Events[0]
			if want := time.Date(2030, 4, 1, 0, 0, 0, 0, stockholm); !ev.OpensAt.Equal(want) {
				t.Errorf("opens = %v, want %v", ev.OpensAt, want)
			}
			if want := time.Date(2030, 4, 30, 12, 0, 0, 0, stockholm); !ev.ClosesAt.Equal(want) {
				t.Errorf("closes = %v, want %v", ev.ClosesAt, want)
			}
		}},
		{"closes defaults to starts", `closes = "2030-04-30"`, "", func(t *testing.T, c *Config) {
			if ev := c.Events[0]; !ev.ClosesAt.Equal(ev.StartsAt) {
				t.Errorf("closes = %v, want starts %v", ev.ClosesAt, ev.StartsAt)
			}
		}},
		{"closes exactly at starts", `closes = "2030-04-30"`, `closes = "2030-05-02 10:00"`, nil},
		{"security defaults by port", `security = "none"`, `security = ""`, func(t *testing.T, c *Config) {
			// Port 1143 is not 993, so STARTTLS is assumed.
			if c.IMAP.Security != "starttls" {
				t.Errorf("imap security = %q", c.IMAP.Security)
			}
		}},
		{"organisation domains are lower-cased", "[[events]]", "[organisations]\n\"Molndal.SE\" = \"Mölndals stad\"\n[[events]]", func(t *testing.T, c *Config) {
			if c.Organisations["molndal.se"] != "Mölndals stad" || len(c.Organisations) != 1 {
				t.Errorf("organisations = %v", c.Organisations)
			}
		}},
		{"other timezone and language", `database = "anmalan.db"`, "database = \"anmalan.db\"\ntimezone = \"UTC\"\nlanguage = \"en\"", func(t *testing.T, c *Config) {
			if c.Location != time.UTC || c.Language != "en" || c.Events[0].StartsAt.Location() != time.UTC {
				t.Errorf("location, language = %v, %q", c.Location, c.Language)
			}
		}},
		{"absolute material path", `material = ["m.pdf"]`, `material = ["MATERIAL"]`, nil}, // MATERIAL: the absolute path of m.pdf
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configtest.Dir(t)
			data := configtest.Base
			if tt.old != "" {
				data = configtest.Edit(t, data, tt.old, tt.new)
			}
			data = strings.ReplaceAll(data, "MATERIAL", filepath.ToSlash(filepath.Join(dir, "m.pdf")))
			c, err := ParseConfig([]byte(data), dir)
			if err != nil {
				t.Fatalf("problems:\n%v", err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	dir := configtest.Dir(t)
	path := filepath.Join(dir, "anmalan.toml")
	if err := os.WriteFile(path, []byte(configtest.Edit(t, configtest.Base, "seats = 3", "seats = 0")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadConfig(path)
	if err == nil {
		t.Fatal("no error")
	}
	if want := path + ": events[0].seats: must be at least 1"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	if err := os.WriteFile(path, []byte(configtest.Base), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dir != dir || c.Events[0].Material[0] != filepath.Join(dir, "m.pdf") || c.Database != filepath.Join(dir, "anmalan.db") {
		t.Errorf("dir, material, database = %q, %q, %q", c.Dir, c.Events[0].Material, c.Database)
	}

	_, err = LoadConfig(filepath.Join(dir, "missing.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: error = %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestConfigErrorFormat(t *testing.T) {
	e := &ConfigError{File: "anmalan.toml", Problems: []string{"a: one", "b: two"}}
	if got, want := e.Error(), "anmalan.toml: a: one\nanmalan.toml: b: two"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.File = ""
	if got, want := e.Error(), "a: one\nb: two"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestPasswords(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("ANMALAN_TEST_SET", "s3cret")
	t.Setenv("ANMALAN_TEST_EMPTY", "")
	tests := []struct {
		name      string
		env, file string
		want      string
		wantErr   string
	}{
		{"from env", "ANMALAN_TEST_SET", "", "s3cret", ""},
		{"env unset", "ANMALAN_TEST_UNSET", "", "", "imap.password_env: environment variable ANMALAN_TEST_UNSET is not set"},
		{"env empty", "ANMALAN_TEST_EMPTY", "", "", "imap.password_env: environment variable ANMALAN_TEST_EMPTY is empty"},
		{"from file without newline", "", write("a", "pa ss"), "pa ss", ""},
		{"from file with newline", "", write("b", "pass\n"), "pass", ""},
		{"from file with CRLF", "", write("c", "pass\r\n"), "pass", ""},
		{"only one newline trimmed", "", write("d", "pass\n\n"), "pass\n", ""},
		{"file empty", "", write("e", "\n"), "", "imap.password_file: " + filepath.Join(dir, "e") + " is empty"},
		{"file missing", "", filepath.Join(dir, "nope"), "", "imap.password_file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"neither", "", "", "", "imap: neither password_env nor password_file is set"},
		{"both", "ANMALAN_TEST_SET", write("f", "x"), "", "imap: set only one of password_env and password_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := IMAPConfig{PasswordEnv: tt.env, PasswordFile: tt.file}.Password()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Password() = %q, %v, want %q", got, err, tt.want)
			}
		})
	}
	if _, err := (SMTPConfig{PasswordEnv: "ANMALAN_TEST_UNSET"}).Password(); err == nil || !strings.HasPrefix(err.Error(), "smtp.password_env: ") {
		t.Errorf("smtp error = %v", err)
	}
}

func TestCheckSecrets(t *testing.T) {
	dir := configtest.Dir(t)
	if err := os.WriteFile(filepath.Join(dir, "smtp-password"), []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := configtest.Edit(t, configtest.Base, `from = "Bot`, "username = \"bot\"\npassword_file = \"smtp-password\"\nfrom = \"Bot")
	c, err := ParseConfig([]byte(data), dir)
	if err != nil {
		t.Fatal(err)
	}
	// The IMAP variable is unset: LoadConfig accepted it, CheckSecrets
	// reports it.
	if got, want := c.CheckSecrets(), []string{"imap.password_env: environment variable ANMALAN_TEST_IMAP_PASSWORD is not set"}; !slices.Equal(got, want) {
		t.Errorf("CheckSecrets() = %q, want %q", got, want)
	}
	t.Setenv("ANMALAN_TEST_IMAP_PASSWORD", "hunter3")
	if got := c.CheckSecrets(); len(got) != 0 {
		t.Errorf("CheckSecrets() = %q, want none", got)
	}
	if p, err := c.SMTP.Password(); err != nil || p != "hunter2" {
		t.Errorf("smtp password = %q, %v", p, err)
	}
}

func TestPasswordFileReadableByOthers(t *testing.T) {
	dir := configtest.Dir(t)
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "pw"), 0o644); err != nil { // past the umask
		t.Fatal(err)
	}
	data := configtest.Edit(t, configtest.Base, `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_file = "pw"`)
	c, err := ParseConfig([]byte(data), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(c.Warnings(), func(w string) bool { return strings.Contains(w, "can be read by other users") }) {
		t.Errorf("warnings = %q", c.Warnings())
	}
}

func TestConfigLookups(t *testing.T) {
	c, err := ParseConfig([]byte(configtest.Base), configtest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	from, err := c.FromAddress()
	if err != nil || from.Name != "Bot" || from.Address != "Bot@Example.org" {
		t.Errorf("FromAddress() = %v, %v", from, err)
	}
	if got := c.BotAddress(); got != "bot@example.org" {
		t.Errorf("BotAddress() = %q", got)
	}
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"org@example.org", true},
		{"ORG@EXAMPLE.ORG", true},
		{"Someone <org@example.org>", true},
		{"other@example.org", false},
		{"", false},
	} {
		if got := c.IsOrganiser(tt.addr); got != tt.want {
			t.Errorf("IsOrganiser(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if ev, ok := c.EventByID("EV-1"); !ok || ev != &c.Events[0] {
		t.Errorf("EventByID(EV-1) = %v, %v", ev, ok)
	}
	if _, ok := c.EventByID("ev-2"); ok {
		t.Error("EventByID(ev-2) found an event")
	}
	bad := &Config{SMTP: SMTPConfig{From: "nonsense"}}
	if _, err := bad.FromAddress(); err == nil {
		t.Error("FromAddress of nonsense: no error")
	}
	if got := bad.BotAddress(); got != "" {
		t.Errorf("BotAddress of nonsense = %q", got)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"seats", "seats", 0},
		{"saets", "seats", 1},
		{"pasword_env", "password_env", 1},
		{"titel", "title", 1},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
	} {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestParseConfigNoDoubleReport checks that a value of the wrong type is not
// also reported as missing or out of range.
func TestParseConfigNoDoubleReport(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"seats", "seats = 3", `seats = "3"`, "events[0].seats: want an integer, not a string"},
		{"starts with a zone", `starts = "2030-05-02 10:00"`, "starts = 2030-05-02T10:00:00+02:00", `events[0].starts: want a local date and time such as "2018-12-11 13:00", read in timezone; not a time with a zone or without a date`},
		{"from", `from = "Bot <Bot@Example.org>"`, `from = ["Bot <Bot@Example.org>"]`, "smtp.from: want a string, not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(configtest.Edit(t, configtest.Base, tt.old, tt.new)), configtest.Dir(t))
			if ps := problems(t, err); !slices.Equal(ps, []string{tt.want}) {
				t.Errorf("problems = %q, want only %q", ps, tt.want)
			}
		})
	}
}

// otherWarnings returns the config's warnings but the dmarc mode's note of
// its precondition, which every config of that mode carries.
func otherWarnings(c *Config) []string {
	var out []string
	for _, w := range c.Warnings() {
		if !strings.Contains(w, "RFC 8601 §5") {
			out = append(out, w)
		}
	}
	return out
}

// TestCheckSecretsOfAnInvalidConfig checks that the secrets of a config
// with other problems are checked too, on what could be decoded, except
// for a section whose own login keys are among the problems.
func TestCheckSecretsOfAnInvalidConfig(t *testing.T) {
	dir := configtest.Dir(t)
	data := configtest.Edit(t, configtest.Base, "seats = 3", "seats = 0")
	_, err := ParseConfig([]byte(data), dir)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("ParseConfig = %v, want a *ConfigError", err)
	}
	secrets, unchecked := ce.CheckSecrets()
	if want := []string{"imap.password_env: environment variable ANMALAN_TEST_IMAP_PASSWORD is not set"}; !slices.Equal(secrets, want) || len(unchecked) != 0 {
		t.Errorf("CheckSecrets() = %q, %q; want %q and none unchecked", secrets, unchecked, want)
	}

	data = configtest.Edit(t, data, `password_env = "ANMALAN_TEST_IMAP_PASSWORD"`, `password_env = "hunter2!"`)
	_, err = ParseConfig([]byte(data), dir)
	if !errors.As(err, &ce) {
		t.Fatalf("ParseConfig = %v, want a *ConfigError", err)
	}
	if secrets, unchecked := ce.CheckSecrets(); len(secrets) != 0 || len(unchecked) != 1 || !strings.HasPrefix(unchecked[0], "the imap password was not checked") {
		t.Errorf("CheckSecrets() = %q, %q; want none, and imap unchecked", secrets, unchecked)
	}

	_, err = ParseConfig([]byte("database = \n"), dir)
	if !errors.As(err, &ce) {
		t.Fatalf("ParseConfig = %v, want a *ConfigError", err)
	}
	if secrets, unchecked := ce.CheckSecrets(); len(secrets) != 0 || len(unchecked) != 1 || !strings.Contains(unchecked[0], "syntax error") {
		t.Errorf("after a syntax error CheckSecrets() = %q, %q; want the passwords unchecked, because of the syntax error", secrets, unchecked)
	}
}
