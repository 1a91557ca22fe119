package config

import (
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/goteborgsregionen/anmalan/mailauth"
)

// Config is the whole configuration file, as read from TOML. The key names
// are the public contract documented in config.example.toml.
type Config struct {
	Database   string           `toml:"database"`
	Timezone   string           `toml:"timezone"`
	Language   string           `toml:"language"`
	IMAP       IMAPConfig       `toml:"imap"`
	SMTP       SMTPConfig       `toml:"smtp"`
	Organisers OrganisersConfig `toml:"organisers"`
	// Organisations maps a mail domain to an organisation's name, so that a
	// registration from that domain is recorded with it.
	Organisations map[string]string `toml:"organisations"`
	Events        []EventConfig     `toml:"events"`
	// HTTP, when its listen is set, serves /metrics and /healthz.
	HTTP HTTPConfig `toml:"http"`
	// RetentionDays is how many days after an event ends the personal
	// data of its registrations is erased; default 90.
	RetentionDays *int `toml:"retention_days"`
	// MaxGroupSize is the most people one mail from a non-organiser may
	// register; a mail naming more is left for a human and the organisers
	// are told. Default DefaultMaxGroupSize.
	MaxGroupSize int `toml:"max_group_size"`

	// Retention is RetentionDays resolved (the default filled in).
	Retention int `toml:"-"`

	// Location is Timezone, loaded. Set by LoadConfig.
	Location *time.Location `toml:"-"`
	// Dir is the directory of the config file; relative paths (database,
	// material, password files) are resolved against it by LoadConfig.
	Dir string `toml:"-"`

	// warnings are the notes of the last check, returned by Warnings.
	warnings []string
	// bot and organisers are smtp.from and organisers.addresses as bare
	// lower-case addresses, worked out once by the loader because every
	// mail asks for them several times.
	bot        string
	organisers []string
}

// IMAPConfig says where the bot's inbox is.
type IMAPConfig struct {
	Address          string   `toml:"address"`  // host:port
	Security         string   `toml:"security"` // "tls", "starttls" or "none"
	Username         string   `toml:"username"`
	PasswordEnv      string   `toml:"password_env"`
	PasswordFile     string   `toml:"password_file"`
	Mailbox          string   `toml:"mailbox"`           // default "INBOX"
	ProcessedMailbox string   `toml:"processed_mailbox"` // empty: flag only
	PollInterval     Duration `toml:"poll_interval"`     // default 1m; used without IDLE
	// IdleRestart is how often a running IDLE is ended, checked with a
	// NOOP and started again, so that a dead connection is found.
	IdleRestart Duration `toml:"idle_restart"` // default 10m
	// SharedInbox makes the bot take only mail addressed to it or about
	// registration, leaving everything else exactly as it was.
	SharedInbox bool `toml:"shared_inbox"`
	// MaxMessageBytes is the size above which a mail is not downloaded but
	// left for a human; the organisers are told.
	MaxMessageBytes int64 `toml:"max_message_bytes"` // default 25 MiB
	// ManualMailbox, when set, is where mail for a human is moved (after
	// being flagged); empty: it is flagged and stays.
	ManualMailbox string `toml:"manual_mailbox"`
	AuthMechanism string `toml:"auth"` // "plain", "login" or "xoauth2"; empty: PLAIN, else LOGIN
	// OAuth2TokenCommand prints a fresh access token (auth = "xoauth2").
	OAuth2TokenCommand string `toml:"oauth2_token_command"`
	// OAuth2TokenFile holds an access token kept fresh by another program.
	OAuth2TokenFile string `toml:"oauth2_token_file"`
	// TLSCAFile adds the certificates of a private CA to the system's.
	TLSCAFile string `toml:"tls_ca_file"`
}

// SMTPConfig says how replies leave.
type SMTPConfig struct {
	Address            string `toml:"address"`
	Security           string `toml:"security"`
	Username           string `toml:"username"`
	PasswordEnv        string `toml:"password_env"`
	PasswordFile       string `toml:"password_file"`
	From               string `toml:"from"` // "GR Anmälan <anmalan@example>"
	AuthMechanism      string `toml:"auth"` // as for IMAP
	OAuth2TokenCommand string `toml:"oauth2_token_command"`
	OAuth2TokenFile    string `toml:"oauth2_token_file"`
	TLSCAFile          string `toml:"tls_ca_file"`
	// MaxRepliesPerAddress caps the replies queued to one address in 24
	// hours, so that an auto-responder that does not say it is one cannot
	// draw the bot into an endless exchange. Default 10.
	MaxRepliesPerAddress int `toml:"max_replies_per_address"`
	// Connections is how many SMTP connections the outbox sends over at
	// once; a recipient's replies all go over one of them, in order.
	// Default DefaultSMTPConnections, at most MaxSMTPConnections.
	Connections int `toml:"connections"`
}

// DefaultSMTPConnections is the number of SMTP connections the outbox
// uses when [smtp] connections is not set: with three, one connection's
// wait for the server's answer to DATA is covered by the other two
// (measured on Postfix, see BENCHMARKS.md), and three stays within the
// concurrent-connection limits that hosted submission services set per
// account.
const DefaultSMTPConnections = 3

// MaxSMTPConnections bounds [smtp] connections: beyond a handful the
// server, not the round trips, is the limit, and a provider may refuse
// the connections or the account.
const MaxSMTPConnections = 16

// HTTPConfig says where the daemon serves /metrics (Prometheus) and
// /healthz. Empty Listen: no HTTP server.
type HTTPConfig struct {
	Listen string `toml:"listen"` // host:port, e.g. "127.0.0.1:9464"
}

// OrganisersConfig lists who may change registrations by mail.
type OrganisersConfig struct {
	Addresses         []string `toml:"addresses"`
	TrustedAuthservID string   `toml:"trusted_authserv_id"`
	// Contact is how participants reach a human, quoted in replies, for
	// example "Linda Karlsson, linda.karlsson@example, 031-335 50 00".
	Contact string `toml:"contact"`
	// Auth is how an organiser's mail is proved to be hers: one of the
	// mailauth modes, OrganiserAuthDMARC (the default), OrganiserAuthDKIM,
	// OrganiserAuthExchange or OrganiserAuthTrustFrom (test setups only).
	Auth string `toml:"organiser_auth"`
	// TenantID is the Microsoft 365 tenant (a GUID) whose stamp the
	// exchange mode requires; empty: not checked.
	TenantID string `toml:"tenant_id"`
	// DNSTimeout bounds each DKIM key lookup of the dkim mode; default
	// mailauth.DefaultDNSTimeout.
	DNSTimeout Duration `toml:"dns_timeout"`
	// DigestTime is the local time of day ("07:30", the default) at which
	// the organisers get the daily digest, when something happened.
	DigestTime string `toml:"digest_time"`

	// DigestAt is DigestTime resolved, as the offset into the day.
	DigestAt time.Duration `toml:"-"`
}

// Values of organisers.organiser_auth; the mailauth package documents what
// each proves.
const (
	// OrganiserAuthDMARC trusts an organiser's mail only when the trusted
	// server's Authentication-Results says dmarc=pass for the From domain
	// or an aligned dkim=pass. Sound only when that server strips such
	// fields from arriving mail (RFC 8601 §5).
	OrganiserAuthDMARC = string(mailauth.ModeDMARC)
	// OrganiserAuthDKIM makes the bot verify the DKIM signature itself.
	OrganiserAuthDKIM = string(mailauth.ModeDKIM)
	// OrganiserAuthExchange trusts the organisation headers of Exchange.
	OrganiserAuthExchange = string(mailauth.ModeExchange)
	// OrganiserAuthTrustFrom trusts the From address alone. Anyone can
	// forge it: for test setups without DKIM only.
	OrganiserAuthTrustFrom = string(mailauth.ModeTrustFrom)
)

// EventConfig is one event. Times are strings in the config's timezone:
// "2018-12-11 13:00"; Opens and Closes also take a date alone, which means
// the start (Opens) or the end (Closes) of that day.
type EventConfig struct {
	ID       string   `toml:"id"`
	Title    string   `toml:"title"`
	Starts   string   `toml:"starts"`
	Ends     string   `toml:"ends"`
	Location string   `toml:"location"`
	Seats    int      `toml:"seats"`
	Opens    string   `toml:"opens"`
	Closes   string   `toml:"closes"`
	Material []string `toml:"material"`
	Keywords []string `toml:"keywords"`
	// ChangesClose is when participants can no longer cancel or send a
	// colleague by mail; default: when the event starts.
	ChangesClose string `toml:"changes_close"`
	// OfferHours, when above 0, is how long someone moved up from the
	// waiting list has to accept the seat before it passes to the next.
	OfferHours int `toml:"offer_hours"`
	// ReminderDays is how many days before the event the confirmed
	// participants get a reminder; default 2, 0 turns reminders off.
	ReminderDays *int `toml:"reminder_days"`

	// Reminder is ReminderDays resolved (the default filled in).
	Reminder int `toml:"-"`

	// Resolved by LoadConfig in the config's Location. OpensAt is zero when
	// registration is open from the start.
	StartsAt time.Time `toml:"-"`
	EndsAt   time.Time `toml:"-"`
	OpensAt  time.Time `toml:"-"`
	ClosesAt time.Time `toml:"-"`
	// ChangesCloseAt is ChangesClose resolved (StartsAt when not set).
	ChangesCloseAt time.Time `toml:"-"`
}

// Duration is a time.Duration read from a TOML string such as "30s".
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration string. It fails when b is not one.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration such as \"30s\", \"1m\" or \"1h30m\": %w", err)
	}
	d.Duration = v
	return nil
}

// Values of the auth key in [imap] and [smtp].
const (
	AuthPlain   = "plain"
	AuthLogin   = "login"
	AuthXOAUTH2 = "xoauth2"
)

// LoadCAPool returns the system's certificate pool with the PEM
// certificates of file added. It fails when the file cannot be read or
// holds no certificate.
func LoadCAPool(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// OpenAt reports whether registration for e is open at t: after opens (when
// set), not after closes (when set), and before the event starts.
func (e *EventConfig) OpenAt(t time.Time) bool {
	if !e.OpensAt.IsZero() && t.Before(e.OpensAt) {
		return false
	}
	if !e.ClosesAt.IsZero() && t.After(e.ClosesAt) {
		return false
	}
	return t.Before(e.StartsAt)
}
