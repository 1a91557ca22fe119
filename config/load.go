package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/goteborgsregionen/anmalan/mailauth"
)

// Defaults for keys the config may leave out.
const (
	defaultTimezone     = "Europe/Stockholm"
	defaultLanguage     = "sv"
	defaultMailbox      = "INBOX"
	defaultPollInterval = time.Minute
	// defaultMaxRepliesPerAddress is well above what a person draws in a
	// day (a registration, a question, a cancellation) and low enough that
	// a loop with an auto-responder ends within minutes.
	defaultMaxRepliesPerAddress = 10
	// DefaultMaxGroupSize is a large team; a mail naming more people is
	// more likely a stranger taking every seat than a real group.
	DefaultMaxGroupSize = 10
	// minPollInterval keeps a mistyped "1ms" from hammering the IMAP server.
	minPollInterval = 5 * time.Second
	// defaultIdleRestart is well inside the 29 minutes after which RFC 2177
	// lets a server drop an idle client, and short enough that a dead
	// connection is noticed within minutes.
	defaultIdleRestart = 10 * time.Minute
	minIdleRestart     = 10 * time.Second
	maxIdleRestart     = 29 * time.Minute
	// defaultMaxMessageBytes is the size above which a mail is not
	// downloaded whole but flagged for a human.
	defaultMaxMessageBytes = 25 << 20
	// maxEventIDLength keeps "anmalan+<id>@domain" within the 64 octets that
	// RFC 5321 allows for a local part, with room for a long bot name.
	maxEventIDLength = 40
)

// ConfigError lists every problem found in a config file.
type ConfigError struct {
	File     string   // the file as named by the caller; empty for ParseConfig
	Problems []string // one sentence each, starting with the key path
	// partial is what could be decoded and checked of the file, and
	// badAuth the sections ("imap", "smtp") whose login keys are among
	// the problems: CheckSecrets works on them.
	partial *Config
	badAuth map[string]bool
}

// CheckSecrets checks the passwords of an invalid config as
// (*Config).CheckSecrets does for a valid one, on what could be decoded,
// so that every problem is known at once. It returns the secrets'
// problems, and a sentence for each password that was not checked, saying
// why: its section's own login keys are among e's problems (checking it
// would only repeat them, or quote what was written where a variable's
// name belongs), or the file has a syntax error and nothing was decoded.
func (e *ConfigError) CheckSecrets() (problems, unchecked []string) {
	if e.partial == nil {
		return nil, []string{"the passwords were not checked, since nothing after a syntax error can be read"}
	}
	for _, section := range []string{"imap", "smtp"} {
		if e.badAuth[section] {
			unchecked = append(unchecked, "the "+section+" password was not checked, since its keys are among the problems")
		}
	}
	return e.partial.checkSecrets(e.badAuth), unchecked
}

// Error returns the problems one per line, each prefixed with the file name
// when there is one.
func (e *ConfigError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if e.File != "" {
			b.WriteString(e.File)
			b.WriteString(": ")
		}
		b.WriteString(p)
	}
	return b.String()
}

// LoadConfig reads, checks and resolves the config file at path. Relative
// paths in it are resolved against the file's directory. It returns an error
// wrapping the read error when the file cannot be read, and a *ConfigError
// listing every problem at once when it can but is not valid; the *Config is
// nil whenever the error is not.
//
// LoadConfig does not check that the passwords named by password_env are set:
// CheckSecrets does, so that a config can be checked and tested on a machine
// that does not hold the secrets.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := ParseConfig(data, filepath.Dir(path))
	var ce *ConfigError
	if errors.As(err, &ce) {
		ce.File = path
	}
	return c, err
}

// ParseConfig is LoadConfig for a config already in memory: data is the TOML
// text and dir the directory that relative paths are resolved against (the
// working directory when empty). Problems are returned as a *ConfigError.
func ParseConfig(data []byte, dir string) (*Config, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve config directory: %w", err)
	}
	ck := &checker{invalidPaths: map[string]bool{}, order: map[string]int{}, badAuth: map[string]bool{}}
	var raw map[string]any
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		// The parser stops at the first syntax error and nothing after it
		// can be trusted, so this is the one problem that comes alone.
		var pe toml.ParseError
		if errors.As(err, &pe) {
			ck.problemf("line %d: %s", syntaxErrorLine(data, pe.Position), pe.Message)
		} else {
			ck.problemf("%v", err)
		}
		return nil, ck.err()
	}
	c := &Config{Dir: absDir}
	ck.known = knownKeys(reflect.TypeFor[Config](), "")
	for i, k := range md.Keys() {
		if p := strings.Join(k, "."); !hasKey(ck.order, p) {
			ck.order[p] = i
		}
	}
	ck.decode("", raw, reflect.ValueOf(c).Elem())
	ck.check(c)
	if err := ck.err(); err != nil {
		ce := err.(*ConfigError)
		ce.partial, ce.badAuth = c, ck.badAuth
		return nil, ce
	}
	c.warnings = ck.warnings
	c.bot = c.parseBotAddress()
	for _, o := range c.Organisers.Addresses {
		c.organisers = append(c.organisers, bareAddress(o))
	}
	return c, nil
}

// syntaxErrorLine returns the line of a TOML syntax error. The parser's own
// line is one too far when the error is the newline that ends a line ("got
// '\n' instead"), so it is counted from the error's byte offset instead.
func syntaxErrorLine(data []byte, pos toml.Position) int {
	if pos.Start <= 0 || pos.Start > len(data) {
		return pos.Line
	}
	return bytes.Count(data[:pos.Start], []byte("\n")) + 1
}

// Warnings returns notes about the config that do not stop the bot from
// running, such as a missing processed_mailbox. It is nil for a Config that
// was not made by LoadConfig or ParseConfig.
func (c *Config) Warnings() []string { return c.warnings }

// CheckSecrets returns a problem for each password that the config names but
// that cannot be had now: an unset or empty environment variable, an
// unreadable or empty file. The passwords themselves never appear in it. It
// is separate from LoadConfig because the secrets exist only where the bot
// runs; check-config and run call both.
func (c *Config) CheckSecrets() []string { return c.checkSecrets(nil) }

// checkSecrets is CheckSecrets without the sections in skip.
func (c *Config) checkSecrets(skip map[string]bool) []string {
	var problems []string
	if c.IMAP.Username != "" && c.IMAP.AuthMechanism != AuthXOAUTH2 && !skip["imap"] {
		if _, err := c.IMAP.Password(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if c.SMTP.Username != "" && c.SMTP.AuthMechanism != AuthXOAUTH2 && !skip["smtp"] {
		if _, err := c.SMTP.Password(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return problems
}

// Password returns the IMAP password from the environment variable named by
// password_env or from password_file. It fails, naming the key, when neither
// is set or the one that is set gives nothing.
func (c IMAPConfig) Password() (string, error) {
	return Secret("imap", c.PasswordEnv, c.PasswordFile)
}

// Password returns the SMTP password from the environment variable named by
// password_env or from password_file. It fails, naming the key, when neither
// is set or the one that is set gives nothing.
func (c SMTPConfig) Password() (string, error) {
	return Secret("smtp", c.PasswordEnv, c.PasswordFile)
}

// Secret reads a password from the environment variable env or the file
// file. Error messages name the variable or file but never the value.
func Secret(section, env, file string) (string, error) {
	switch {
	case env != "" && file != "":
		return "", fmt.Errorf("%s: set only one of password_env and password_file", section)
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("%s.password_env: environment variable %s is not set", section, env)
		}
		if v == "" {
			return "", fmt.Errorf("%s.password_env: environment variable %s is empty", section, env)
		}
		return v, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s.password_file: %w", section, hidePath(err, file))
		}
		// Editors and `echo` add a final newline that is not part of the
		// password; anything else is kept as written.
		v := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if v == "" {
			return "", fmt.Errorf("%s.password_file: %s is empty", section, file)
		}
		return v, nil
	default:
		return "", fmt.Errorf("%s: neither password_env nor password_file is set", section)
	}
}

// FromAddress returns smtp.from parsed, or an error when it does not parse.
func (c *Config) FromAddress() (*mail.Address, error) {
	a, err := mail.ParseAddress(c.SMTP.From)
	if err != nil {
		return nil, fmt.Errorf("parse smtp.from: %w", err)
	}
	return a, nil
}

// BotAddress returns the bare address of smtp.from in lower case, or "" when
// smtp.from does not parse or c is nil.
func (c *Config) BotAddress() string {
	if c == nil {
		return ""
	}
	if c.bot != "" {
		return c.bot
	}
	return c.parseBotAddress()
}

func (c *Config) parseBotAddress() string {
	if addr, ok := plainAddress(strings.TrimSpace(c.SMTP.From)); ok {
		return strings.ToLower(addr)
	}
	a, err := c.FromAddress()
	if err != nil {
		return ""
	}
	return strings.ToLower(a.Address)
}

// IsOrganiser reports whether addr, a bare address or one with a display
// name, is one of organisers.addresses, ignoring ASCII case only (see
// mailauth.SameAddress): "linda.\u212Aarlsson" with a KELVIN SIGN is not
// "linda.karlsson".
func (c *Config) IsOrganiser(addr string) bool {
	want := bareAddress(addr)
	if c == nil || want == "" {
		return false
	}
	if c.organisers != nil {
		return slices.Contains(c.organisers, want)
	}
	for _, o := range c.Organisers.Addresses {
		if bareAddress(o) == want {
			return true
		}
	}
	return false
}

// bareAddress returns the address part of s normalised as
// mailauth.NormalizeAddress does (ASCII case folding, A-label domain), or
// "" when s is no address, so that no Unicode case rule makes two
// addresses one. The common forms ("a@b" and "Name <a@b>") are read
// without a full parse: every mail asks for it several times.
func bareAddress(s string) string {
	s = strings.TrimSpace(s)
	if addr, ok := plainAddress(s); ok {
		s = addr
	} else if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	n, err := mailauth.NormalizeAddress(s)
	if err != nil {
		return ""
	}
	return n
}

// plainAddress returns the address of s when s is a bare address or a
// display name followed by one in angle brackets, with nothing that needs
// RFC 5322's full grammar (quotes, comments, several addresses).
func plainAddress(s string) (string, bool) {
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j == len(s)-1 && j > i+1 {
		s = s[i+1 : j]
	}
	if strings.Count(s, "@") != 1 || strings.ContainsAny(s, " \t<>\",;:()[]\\") {
		return "", false
	}
	return s, true
}

// EventByID returns the event with the given id, ignoring case because some
// mail clients upper-case a +tag, and whether there is one.
func (c *Config) EventByID(id string) (*EventConfig, bool) {
	id = strings.ToLower(id)
	for i := range c.Events {
		if c.Events[i].ID == id {
			return &c.Events[i], true
		}
	}
	return nil, false
}

// checker collects problems and warnings while a config is decoded and
// checked, so that all of them are reported at once.
type checker struct {
	problems []string
	warnings []string
	// known maps each key name to the paths where it is valid, for the
	// "did you mean" of a key written in the wrong table.
	known map[string][]string
	// order is the position of each key's first appearance in the file,
	// keyed by its path without [[events]] indexes, so that problems are
	// listed in the order of the file.
	order map[string]int
	// invalidPaths holds the keys whose value had the wrong type, so the
	// checks after decoding do not report them a second time as missing.
	invalidPaths map[string]bool
	// badAuth holds the sections whose login keys had a problem.
	badAuth map[string]bool
}

// invalid reports that the value at path could not be decoded.
func (ck *checker) invalid(path, format string, args ...any) {
	ck.invalidPaths[path] = true
	ck.problemf("%s: %s", path, fmt.Sprintf(format, args...))
}

// missing reports that the required key at path is not set, unless its
// value was already reported as invalid; hint may say what is expected.
func (ck *checker) missing(path, hint string) {
	if ck.invalidPaths[path] {
		return
	}
	if hint != "" {
		hint = " (" + hint + ")"
	}
	ck.problemf("%s: missing%s", path, hint)
}

func (ck *checker) problemf(format string, args ...any) {
	ck.problems = append(ck.problems, fmt.Sprintf(format, args...))
}

func (ck *checker) warnf(format string, args ...any) {
	ck.warnings = append(ck.warnings, fmt.Sprintf(format, args...))
}

func (ck *checker) err() error {
	if len(ck.problems) == 0 {
		return nil
	}
	return &ConfigError{Problems: ck.problems}
}

// check fills in defaults, resolves times and paths, and reports what is
// missing or wrong in c, section by section.
func (ck *checker) check(c *Config) {
	if c.Database == "" {
		ck.missing("database", `the SQLite file, e.g. "anmalan.db"`)
	} else {
		c.Database = resolvePath(c.Dir, c.Database)
		if fi, err := os.Stat(filepath.Dir(c.Database)); err != nil || !fi.IsDir() {
			ck.problemf("database: directory %s does not exist", filepath.Dir(c.Database))
		}
	}

	if c.Timezone == "" {
		c.Timezone = defaultTimezone
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		ck.problemf("timezone: %q is not a known time zone (want e.g. %q)", c.Timezone, defaultTimezone)
		// Go on with UTC so that the events' times are still checked.
		loc = time.UTC
	}
	c.Location = loc

	if c.Language == "" {
		c.Language = defaultLanguage
	}
	if c.Language != "sv" && c.Language != "en" {
		ck.problemf("language: %q is not \"sv\" or \"en\"", c.Language)
	}

	ck.checkIMAP(c)
	ck.checkSMTP(c)
	ck.checkOrganisers(c)
	ck.checkOrganisations(c)
	ck.checkEvents(c)
	ck.checkHTTP(c)
	ck.checkSchedule(c)
}

// checkHTTP checks [http] listen: host:port (port 0 picks a free port),
// with a warning when the host is not loopback, since /metrics and
// /healthz have no authentication.
func (ck *checker) checkHTTP(c *Config) {
	addr := c.HTTP.Listen
	if addr == "" {
		return
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		ck.problemf("http.listen: %q is not host:port: %v", addr, unwrapAddrErr(err))
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		ck.problemf("http.listen: port %q is not a number from 0 to 65535", port)
		return
	}
	if host == "" || !isLoopback(host) {
		shown := host
		if shown == "" {
			shown = "every interface"
		}
		ck.warnf("http.listen: %s is not a loopback address: /metrics and /healthz have no authentication; put them behind a firewall or a proxy", shown)
	}
}

// Defaults of the scheduled mail and of data protection.
const (
	defaultReminderDays  = 2
	defaultDigestTime    = "07:30"
	defaultRetentionDays = 90
)

// checkSchedule fills in and checks the reminders, the digest time and the
// retention time.
func (ck *checker) checkSchedule(c *Config) {
	c.Retention = defaultRetentionDays
	if c.RetentionDays != nil {
		c.Retention = *c.RetentionDays
		if c.Retention < 0 {
			ck.problemf("retention_days: %d is negative (0 erases the personal data as soon as the event has ended)", c.Retention)
		}
	}
	o := &c.Organisers
	if o.DigestTime == "" {
		o.DigestTime = defaultDigestTime
	}
	if t, err := time.Parse("15:04", o.DigestTime); err != nil {
		ck.problemf("organisers.digest_time: %q is not a time of day such as \"07:30\"", o.DigestTime)
	} else {
		o.DigestAt = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	for i := range c.Events {
		ev := &c.Events[i]
		ev.Reminder = defaultReminderDays
		if ev.ReminderDays != nil {
			ev.Reminder = *ev.ReminderDays
			if ev.Reminder < 0 {
				ck.problemf("events[%d].reminder_days: %d is negative (0 turns reminders off)", i, ev.Reminder)
			}
		}
	}
}

func (ck *checker) checkIMAP(c *Config) {
	m := &c.IMAP
	if m.Address == "" {
		ck.missing("imap.address", `host:port, e.g. "mail.example.org:993"`)
	}
	if m.Username == "" {
		ck.missing("imap.username", "")
	}
	m.Security = ck.checkServer("imap", m.Address, m.Security, 993)
	a := ck.checkAuth("imap", c.Dir, m.Security, authKeys{m.Username, m.AuthMechanism, m.PasswordEnv, m.PasswordFile, m.OAuth2TokenCommand, m.OAuth2TokenFile, m.TLSCAFile})
	m.PasswordFile, m.OAuth2TokenFile, m.TLSCAFile = a.passwordFile, a.tokenFile, a.caFile
	if m.Mailbox == "" {
		m.Mailbox = defaultMailbox
	}
	switch {
	case m.ProcessedMailbox == "":
		ck.warnf("imap.processed_mailbox is empty: answered mail is only flagged and stays in %s", m.Mailbox)
	case m.ProcessedMailbox == m.Mailbox:
		ck.problemf("imap.processed_mailbox: %q is the same as imap.mailbox", m.ProcessedMailbox)
	}
	switch {
	case m.ManualMailbox == "":
	case m.ManualMailbox == m.Mailbox:
		ck.problemf("imap.manual_mailbox: %q is the same as imap.mailbox", m.ManualMailbox)
	case m.ManualMailbox == m.ProcessedMailbox:
		ck.problemf("imap.manual_mailbox: %q is the same as imap.processed_mailbox", m.ManualMailbox)
	}
	switch d := m.PollInterval.Duration; {
	case d == 0:
		m.PollInterval.Duration = defaultPollInterval
	case d < minPollInterval:
		ck.problemf("imap.poll_interval: %v is shorter than the minimum %v", d, minPollInterval)
	}
	switch d := m.IdleRestart.Duration; {
	case d == 0:
		m.IdleRestart.Duration = defaultIdleRestart
	case d < minIdleRestart:
		ck.problemf("imap.idle_restart: %v is shorter than the minimum %v", d, minIdleRestart)
	case d > maxIdleRestart:
		// RFC 2177: a server may drop a client idle for 30 minutes.
		ck.problemf("imap.idle_restart: %v is longer than the maximum %v (servers drop clients idle for 30 minutes)", d, maxIdleRestart)
	}
	switch {
	case m.MaxMessageBytes == 0 && !ck.invalidPaths["imap.max_message_bytes"]:
		m.MaxMessageBytes = defaultMaxMessageBytes
	case m.MaxMessageBytes < 0:
		ck.problemf("imap.max_message_bytes: must be positive, not %d", m.MaxMessageBytes)
	}
}

func (ck *checker) checkSMTP(c *Config) {
	m := &c.SMTP
	if m.Address == "" {
		ck.missing("smtp.address", `host:port, e.g. "mail.example.org:587"`)
	}
	m.Security = ck.checkServer("smtp", m.Address, m.Security, 465)
	// A relay on the same machine often takes mail without a login, so an
	// SMTP username is optional; a password without one is a mistake.
	if m.Username == "" && (m.PasswordEnv != "" || m.PasswordFile != "") {
		ck.problemf("smtp: a password is set but smtp.username is empty")
	}
	a := ck.checkAuth("smtp", c.Dir, m.Security, authKeys{m.Username, m.AuthMechanism, m.PasswordEnv, m.PasswordFile, m.OAuth2TokenCommand, m.OAuth2TokenFile, m.TLSCAFile})
	m.PasswordFile, m.OAuth2TokenFile, m.TLSCAFile = a.passwordFile, a.tokenFile, a.caFile
	switch {
	case m.MaxRepliesPerAddress == 0:
		m.MaxRepliesPerAddress = defaultMaxRepliesPerAddress
	case m.MaxRepliesPerAddress < 0:
		ck.problemf("smtp.max_replies_per_address: %d is not a positive number of replies", m.MaxRepliesPerAddress)
	}
	switch {
	case m.Connections == 0:
		m.Connections = DefaultSMTPConnections
	case m.Connections < 0 || m.Connections > MaxSMTPConnections:
		ck.problemf("smtp.connections: %d is not a number of connections from 1 to %d", m.Connections, MaxSMTPConnections)
	}
	if m.From == "" {
		ck.missing("smtp.from", `the bot's address, e.g. "GR Anmälan <anmalan@example.org>"`)
	} else if _, err := mail.ParseAddress(m.From); err != nil {
		ck.problemf("smtp.from: %q is not a mail address: %v", m.From, err)
	}
}

// authKeys are the login keys that [imap] and [smtp] share.
type authKeys struct {
	username, mech, passwordEnv, passwordFile, tokenCommand, tokenFile, caFile string
}

// resolvedAuth are the file names of authKeys made absolute.
type resolvedAuth struct{ passwordFile, tokenFile, caFile string }

// checkAuth checks the login and TLS keys of a section and returns its
// files resolved against dir. With auth = "xoauth2" a token source replaces
// the password; otherwise the token keys must not be set.
func (ck *checker) checkAuth(section, dir, security string, k authKeys) resolvedAuth {
	var r resolvedAuth
	before := len(ck.problems)
	defer func() {
		if len(ck.problems) > before || ck.invalidAuthKey(section) {
			ck.badAuth[section] = true
		}
	}()
	switch k.mech {
	case "", AuthPlain, AuthLogin:
		if k.tokenCommand != "" || k.tokenFile != "" {
			ck.problemf("%s: oauth2_token_command and oauth2_token_file need %s.auth = \"xoauth2\"", section, section)
		}
		r.passwordFile = ck.checkPassword(section, k.username, k.passwordEnv, k.passwordFile, dir)
	case AuthXOAUTH2:
		if k.username == "" {
			ck.problemf("%s.auth: \"xoauth2\" needs %s.username", section, section)
		}
		if k.passwordEnv != "" || k.passwordFile != "" {
			ck.problemf("%s: with auth = \"xoauth2\" the token replaces the password: remove password_env and password_file", section)
		}
		switch {
		case k.tokenCommand != "" && k.tokenFile != "":
			ck.problemf("%s: set only one of oauth2_token_command and oauth2_token_file", section)
		case k.tokenCommand == "" && k.tokenFile == "":
			ck.problemf("%s.auth: \"xoauth2\" needs oauth2_token_command or oauth2_token_file", section)
		}
		if k.tokenFile != "" {
			r.tokenFile = resolvePath(dir, k.tokenFile)
			if _, err := os.Stat(r.tokenFile); err != nil {
				ck.problemf("%s.oauth2_token_file: %v", section, hidePath(err, k.tokenFile))
			}
		}
	default:
		ck.problemf("%s.auth: %q is not \"plain\", \"login\" or \"xoauth2\"", section, k.mech)
	}
	if k.caFile != "" {
		r.caFile = resolvePath(dir, k.caFile)
		if security == "none" {
			ck.problemf("%s.tls_ca_file: set, but %s.security is \"none\"", section, section)
		}
		if _, err := LoadCAPool(r.caFile); err != nil {
			ck.problemf("%s.tls_ca_file: %v", section, hidePath(err, k.caFile))
		}
	}
	return r
}

// invalidAuthKey reports whether a login key of the section had a value
// of the wrong type.
func (ck *checker) invalidAuthKey(section string) bool {
	for _, key := range []string{"username", "auth", "password_env", "password_file"} {
		if ck.invalidPaths[section+"."+key] {
			return true
		}
	}
	return ck.invalidPaths[section]
}

// checkServer checks a host:port address and its security setting, and
// returns the security with its default filled in: "tls" on tlsPort (the
// port where TLS starts at once), "starttls" on any other.
func (ck *checker) checkServer(section, addr, security string, tlsPort int) string {
	host, port := "", ""
	if addr != "" {
		var err error
		host, port, err = net.SplitHostPort(addr)
		if err != nil {
			ck.problemf("%s.address: %q is not host:port: %v", section, addr, unwrapAddrErr(err))
			host, port = "", ""
		} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			ck.problemf("%s.address: port %q is not a number from 1 to 65535", section, port)
		} else if host == "" {
			ck.problemf("%s.address: %q has no host", section, addr)
		}
	}
	if security == "" {
		security = "starttls"
		if port == strconv.Itoa(tlsPort) {
			security = "tls"
		}
	}
	switch security {
	case "tls", "starttls":
	case "none":
		// Passwords and participants' personal data would cross the network
		// in the clear; only a server on this machine is safe without TLS.
		if host != "" && !isLoopback(host) {
			ck.problemf("%s.security: \"none\" is only allowed for a loopback host (localhost, 127.0.0.1, ::1), not %q", section, host)
		}
	default:
		ck.problemf("%s.security: %q is not \"tls\", \"starttls\" or \"none\"", section, security)
	}
	return security
}

// unwrapAddrErr returns the reason of a net.AddrError without repeating the
// address, which the message already quotes.
func unwrapAddrErr(err error) string {
	var ae *net.AddrError
	if errors.As(err, &ae) {
		return ae.Err
	}
	return err.Error()
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkPassword checks the password keys of a section and returns
// password_file resolved against dir. Whether the environment variable is set
// is left to CheckSecrets.
func (ck *checker) checkPassword(section, username, env, file, dir string) string {
	switch {
	case env != "" && file != "":
		ck.problemf("%s: set only one of password_env and password_file", section)
	case username != "" && env == "" && file == "":
		ck.problemf("%s: %s.username is set but neither password_env nor password_file is (passwords are never written in the config)", section, section)
	}
	if env != "" && !isEnvName(env) {
		// Most likely the password itself was written here: say so without
		// repeating it.
		ck.problemf("%s.password_env: must be the name of an environment variable (letters, digits, _), not the password", section)
	}
	if file == "" {
		return ""
	}
	file = resolvePath(dir, file)
	f, err := os.Open(file)
	if err != nil {
		ck.problemf("%s.password_file: %v", section, hidePath(err, file))
		return file
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		ck.warnf("%s.password_file: %s can be read by other users (mode %v)", section, file, fi.Mode().Perm())
	}
	return file
}

// hidePath returns err without the path it names when the value written in
// the config (written) looks like a password rather than a file name: a
// secret put in password_file must not be echoed by check-config or the
// log. Other errors are returned as they are.
func hidePath(err error, written string) error {
	var pe *fs.PathError
	if !looksSecret(filepath.Base(written)) || !errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("%s the file named there (not shown: it looks like a password, not a file name): %w", pe.Op, pe.Err)
}

// looksSecret reports whether a value written where a name or a path
// belongs looks like a password or a token: letters mixed with digits or
// with punctuation other than the "-", "_" and "." of file names, or 24
// characters and more without a separator.
func looksSecret(v string) bool {
	letter, digit, punct := false, false, false
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		case r == '-', r == '_', r == '.', r == ' ':
		default:
			punct = true
		}
	}
	return letter && (digit || punct) || len(v) >= 24 && !strings.ContainsAny(v, "-_. ")
}

// isEnvName reports whether s is a portable environment variable name.
func isEnvName(s string) bool {
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

func (ck *checker) checkOrganisers(c *Config) {
	o := &c.Organisers
	if len(o.Addresses) == 0 {
		ck.missing("organisers.addresses", "at least one organiser's address")
	}
	for i, a := range o.Addresses {
		p, err := mail.ParseAddress(a)
		if err != nil {
			ck.problemf("organisers.addresses[%d]: %q is not a mail address: %v", i, a, err)
			continue
		}
		// Kept as the bare normalised address, which is what mail is
		// compared against.
		n, err := mailauth.NormalizeAddress(p.Address)
		if err != nil {
			ck.problemf("organisers.addresses[%d]: %q is not a usable mail address: %v", i, a, err)
			continue
		}
		o.Addresses[i] = n
	}
	if o.Contact == "" {
		ck.warnf("organisers.contact is empty: replies cannot tell participants whom to ask")
	}
	if o.TrustedAuthservID != "" && strings.ContainsAny(o.TrustedAuthservID, " \t;") {
		ck.problemf("organisers.trusted_authserv_id: %q is not an authserv-id (a host name, no spaces or ';')", o.TrustedAuthservID)
	}
	switch o.Auth {
	case "":
		o.Auth = OrganiserAuthDMARC
	case OrganiserAuthDMARC, OrganiserAuthDKIM, OrganiserAuthExchange, OrganiserAuthTrustFrom:
	default:
		ck.problemf("organisers.organiser_auth: %q is not %q, %q, %q or %q", o.Auth,
			OrganiserAuthDMARC, OrganiserAuthDKIM, OrganiserAuthExchange, OrganiserAuthTrustFrom)
	}
	switch o.Auth {
	case OrganiserAuthDMARC:
		if o.TrustedAuthservID == "" {
			// Without it no Authentication-Results field can be trusted, so
			// no organiser command could ever count.
			ck.missing("organisers.trusted_authserv_id", "the authserv-id your receiving mail server writes in Authentication-Results")
		} else {
			ck.warnf("organisers.organiser_auth = \"dmarc\" trusts the Authentication-Results of %s: your receiving server MUST remove such fields from arriving mail (RFC 8601 §5), or anyone can forge an organiser's command; with Postfix, header_checks: /^Authentication-Results:\\s*%s(;|\\s|$)/ IGNORE (see the README, \"Who may change a registration\")",
				o.TrustedAuthservID, regexpQuoteDots(o.TrustedAuthservID))
		}
	case OrganiserAuthTrustFrom:
		ck.warnf("organisers.organiser_auth = %q: ANYONE WHO WRITES \"From: <organiser>\" CAN CANCEL, SWAP AND ADD PARTICIPANTS; use it in test setups only", o.Auth)
	}
	if o.TenantID != "" && o.Auth != OrganiserAuthExchange {
		ck.warnf("organisers.tenant_id is set but organiser_auth is %q: it counts only with \"exchange\"", o.Auth)
	}
	if o.DNSTimeout.Duration < 0 {
		ck.problemf("organisers.dns_timeout: %v is negative", o.DNSTimeout.Duration)
	}
	switch {
	case c.MaxGroupSize == 0:
		c.MaxGroupSize = DefaultMaxGroupSize
	case c.MaxGroupSize < 0:
		ck.problemf("max_group_size: %d is not a positive number of people", c.MaxGroupSize)
	}
}

// regexpQuoteDots escapes the dots of a host name for a header_checks
// regexp.
func regexpQuoteDots(host string) string {
	return strings.ReplaceAll(host, ".", `\.`)
}

// AuthPolicy returns what the bot trusts when it decides who sent a mail:
// the organiser_auth mode, the trusted authserv-id, the tenant, the
// organisers and, with dns_timeout set, a DKIM key lookup bounded by it.
// A nil config gives a policy that authenticates nobody.
func (c *Config) AuthPolicy() mailauth.Policy {
	if c == nil {
		return mailauth.Policy{}
	}
	o := c.Organisers
	p := mailauth.Policy{
		Mode:              mailauth.Mode(o.Auth),
		TrustedAuthservID: o.TrustedAuthservID,
		TenantID:          o.TenantID,
		Organisers:        append([]string(nil), o.Addresses...),
	}
	if p.Mode == "" {
		p.Mode = mailauth.ModeDMARC
	}
	if d := o.DNSTimeout.Duration; d > 0 {
		p.LookupTXT = func(domain string) ([]string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			return net.DefaultResolver.LookupTXT(ctx, domain)
		}
	}
	return p
}

func (ck *checker) checkOrganisations(c *Config) {
	if len(c.Organisations) == 0 {
		return
	}
	lowered := make(map[string]string, len(c.Organisations))
	for _, domain := range sortedKeys(c.Organisations) {
		name := c.Organisations[domain]
		d := strings.ToLower(domain)
		switch {
		case strings.Contains(d, "@"):
			ck.problemf("organisations: %q is an address; the keys are domains, e.g. \"molndal.se\"", domain)
			continue
		case !strings.Contains(d, "."):
			ck.problemf("organisations: %q is not a domain", domain)
			continue
		case strings.TrimSpace(name) == "":
			ck.problemf("organisations.%s: empty organisation name", domain)
			continue
		}
		if _, dup := lowered[d]; dup {
			ck.problemf("organisations: %q is listed twice (domains ignore case)", d)
			continue
		}
		lowered[d] = name
	}
	c.Organisations = lowered
}

func (ck *checker) checkEvents(c *Config) {
	if len(c.Events) == 0 && !ck.invalidPaths["events"] {
		ck.problemf("events: none; add at least one [[events]] table")
	}
	seen := map[string]int{}
	for i := range c.Events {
		ev := &c.Events[i]
		p := fmt.Sprintf("events[%d]", i)
		switch {
		case ev.ID == "":
			ck.missing(p+".id", "")
		case !isEventID(ev.ID):
			ck.problemf("%s.id: %q may hold only lower-case letters a-z, digits and '-', not at either end, at most %d characters (it is used in +tags and on the command line)", p, ev.ID, maxEventIDLength)
		default:
			if j, dup := seen[ev.ID]; dup {
				ck.problemf("%s.id: %q is already the id of events[%d]", p, ev.ID, j)
			} else {
				seen[ev.ID] = i
			}
		}
		if strings.TrimSpace(ev.Title) == "" {
			ck.missing(p+".title", "")
		}
		if strings.TrimSpace(ev.Location) == "" {
			ck.missing(p+".location", "")
		}
		if ev.Seats < 1 && !ck.invalidPaths[p+".seats"] {
			ck.problemf("%s.seats: must be at least 1", p)
		}
		ck.checkEventTimes(p, ev, c.Location)
		for j, m := range ev.Material {
			ev.Material[j] = ck.checkMaterial(fmt.Sprintf("%s.material[%d]", p, j), m, c.Dir)
		}
		for j, k := range ev.Keywords {
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "" {
				ck.problemf("%s.keywords[%d]: empty", p, j)
			}
			ev.Keywords[j] = k
		}
	}
}

// checkEventTimes resolves the event's times in loc and checks their order:
// registration opens before it closes, and closes no later than the start.
func (ck *checker) checkEventTimes(p string, ev *EventConfig, loc *time.Location) {
	ok := true
	parse := func(key, s string, dateAlone, endOfDay bool) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := parseEventTime(s, loc, dateAlone, endOfDay)
		if err != nil {
			ck.problemf("%s.%s: %v", p, key, err)
			ok = false
		}
		return t
	}
	if ev.Starts == "" {
		ck.missing(p+".starts", `e.g. "2018-12-11 13:00"`)
		ok = false
	}
	if ev.Ends == "" {
		ck.missing(p+".ends", `e.g. "2018-12-11 15:30"`)
		ok = false
	}
	ev.StartsAt = parse("starts", ev.Starts, false, false)
	ev.EndsAt = parse("ends", ev.Ends, false, false)
	ev.OpensAt = parse("opens", ev.Opens, true, false)
	ev.ClosesAt = parse("closes", ev.Closes, true, true)
	ev.ChangesCloseAt = parse("changes_close", ev.ChangesClose, true, true)
	if ev.OfferHours < 0 {
		ck.problemf("%s.offer_hours: %d is negative (0 turns offers off)", p, ev.OfferHours)
	}
	if !ok {
		return
	}
	if ev.ChangesCloseAt.IsZero() {
		// Changes by mail are taken until the event starts.
		ev.ChangesCloseAt = ev.StartsAt
	}
	if ev.ChangesCloseAt.After(ev.EndsAt) {
		ck.problemf("%s.changes_close: %s is after the event ends", p, ev.ChangesClose)
	}
	if ev.ClosesAt.IsZero() {
		// Without a deadline, registration stays open until the event starts.
		ev.ClosesAt = ev.StartsAt
	}
	if !ev.EndsAt.After(ev.StartsAt) {
		ck.problemf("%s.ends: %s is not after starts %s", p, ev.Ends, ev.Starts)
	}
	if ev.ClosesAt.After(ev.StartsAt) {
		ck.problemf("%s.closes: %s is after starts %s; registration must close by the start", p, ev.Closes, ev.Starts)
	}
	if !ev.OpensAt.IsZero() && !ev.OpensAt.Before(ev.ClosesAt) {
		ck.problemf("%s.opens: %s is not before closes %s", p, ev.Opens, ev.ClosesAt.Format("2006-01-02 15:04"))
	}
}

// parseEventTime parses s in loc as "2006-01-02 15:04" (a T instead of the
// space, and seconds, are accepted too) or, when dateAlone is set, as a date
// alone, which means the start of that day or, with endOfDay, its last
// nanosecond.
func parseEventTime(s string, loc *time.Location, dateAlone, endOfDay bool) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	if dateAlone {
		if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
			if endOfDay {
				// Built with time.Date rather than by adding a day, so a
				// day of 23 or 25 hours still ends at 23:59:59.
				return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 999999999, loc), nil
			}
			return d, nil
		}
		return time.Time{}, fmt.Errorf("%q is not a date (want 2006-01-02 or 2006-01-02 15:04)", s)
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want 2006-01-02 15:04)", s)
}

// isEventID reports whether id is lower-case letters, digits and inner
// hyphens, at most maxEventIDLength bytes.
func isEventID(id string) bool {
	if id == "" || len(id) > maxEventIDLength || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// checkMaterial checks that the material file name exists and is a readable
// regular file, and returns its absolute path.
func (ck *checker) checkMaterial(key, name, dir string) string {
	if name == "" {
		ck.problemf("%s: empty file name", key)
		return name
	}
	path := resolvePath(dir, name)
	f, err := os.Open(path)
	if err != nil {
		ck.problemf("%s: %v", key, err)
		return path
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		ck.problemf("%s: %v", key, err)
	case !fi.Mode().IsRegular():
		ck.problemf("%s: %s is not a regular file", key, path)
	case fi.Size() == 0:
		ck.problemf("%s: %s is empty", key, path)
	}
	return path
}

// resolvePath returns p made absolute against dir.
func resolvePath(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}
