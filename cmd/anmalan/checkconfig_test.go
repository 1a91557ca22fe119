package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const exampleConfig = "../../config.example.toml"

// runCheckConfig runs check-config with args and returns its exit code and
// output.
func runCheckConfig(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = cmdCheckConfig(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeConfig writes a config file into a new directory and returns its path.
func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "anmalan.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// loopbackConfig is valid, needs no secrets and has no processed_mailbox,
// which is a warning.
const loopbackConfig = `database = "anmalan.db"

[imap]
address = "127.0.0.1:1143"
security = "none"
username = "bot"
password_file = "pw"

[smtp]
address = "127.0.0.1:1025"
from = "bot@example.org"

[organisers]
addresses = ["org@example.org"]
trusted_authserv_id = "mx.example.org"
contact = "Org"

[[events]]
id = "a"
title = "A"
starts = "2030-05-02 10:00"
ends = "2030-05-02 12:00"
location = "Here"
seats = 3

[[events]]
id = "b"
title = "B"
starts = "2030-05-03 10:00"
ends = "2030-05-03 12:00"
location = "There"
seats = 3
`

func TestCheckConfig(t *testing.T) {
	t.Setenv("ANMALAN_CONFIG", "")

	t.Run("example with its secrets", func(t *testing.T) {
		t.Setenv("ANMALAN_IMAP_PASSWORD", "x")
		t.Setenv("ANMALAN_SMTP_PASSWORD", "y")
		code, stdout, stderr := runCheckConfig(t, "-config", exampleConfig)
		want := "config OK: 2 events (segregation-2018, segregation-2018-kungalv)\n" +
			"warning: organisers.organiser_auth = \"dmarc\" trusts the Authentication-Results of mx.goteborgsregionen.example: your receiving server MUST remove such fields from arriving mail (RFC 8601 §5), or anyone can forge an organiser's command; with Postfix, header_checks: /^Authentication-Results:\\s*mx\\.goteborgsregionen\\.example(;|\\s|$)/ IGNORE (see the README, \"Who may change a registration\")\n" +
			"warning: every event has ended (the last on 2018-12-13 11:30): the bot will only answer that registration is over\n"
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("example without its secrets", func(t *testing.T) {
		// Unset rather than empty, whatever the environment of the test run.
		for _, name := range []string{"ANMALAN_IMAP_PASSWORD", "ANMALAN_SMTP_PASSWORD"} {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
		code, stdout, stderr := runCheckConfig(t, "-config", exampleConfig)
		want := exampleConfig + ": imap.password_env: environment variable ANMALAN_IMAP_PASSWORD is not set\n" +
			exampleConfig + ": smtp.password_env: environment variable ANMALAN_SMTP_PASSWORD is not set\n" +
			exampleConfig + ": 2 problems\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", code, stdout, stderr, want)
		}
	})

	t.Run("warnings", func(t *testing.T) {
		path := writeConfig(t, loopbackConfig)
		if err := os.WriteFile(filepath.Join(filepath.Dir(path), "pw"), []byte("secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runCheckConfig(t, "-config", path)
		want := "config OK: 2 events (a, b)\n" +
			"warning: imap.processed_mailbox is empty: answered mail is only flagged and stays in INBOX\n" +
			"warning: organisers.organiser_auth = \"dmarc\" trusts the Authentication-Results of mx.example.org: your receiving server MUST remove such fields from arriving mail (RFC 8601 §5), or anyone can forge an organiser's command; with Postfix, header_checks: /^Authentication-Results:\\s*mx\\.example\\.org(;|\\s|$)/ IGNORE (see the README, \"Who may change a registration\")\n"
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("every problem", func(t *testing.T) {
		text := strings.Replace(loopbackConfig, `address = "127.0.0.1:1025"`, `address = "smtp.example.org:25"`+"\nsecurity = \"none\"", 1)
		text = strings.Replace(text, "seats = 3", "seats = 0", 1)
		text = strings.Replace(text, `id = "b"`, `id = "a"`, 1)
		path := writeConfig(t, text)
		code, stdout, stderr := runCheckConfig(t, "-config", path)
		want := path + `: imap.password_file: open ` + filepath.Join(filepath.Dir(path), "pw") + ": no such file or directory\n" +
			path + `: smtp.security: "none" is only allowed for a loopback host (localhost, 127.0.0.1, ::1), not "smtp.example.org"` + "\n" +
			path + ": events[0].seats: must be at least 1\n" +
			path + `: events[1].id: "a" is already the id of events[0]` + "\n" +
			path + ": 4 problems\n" +
			path + ": the imap password was not checked, since its keys are among the problems: fix them and run check-config again\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", code, stdout, stderr, want)
		}
	})

	// Failure 8 of issue 13: a password written where a name or a path
	// belongs is not echoed back.
	for _, line := range []string{`password_env = "hunter2-long-secret-value!"`, `password_file = "hunter2-long-secret-value!"`} {
		t.Run("a secret in "+strings.Fields(line)[0], func(t *testing.T) {
			path := writeConfig(t, strings.Replace(loopbackConfig, `password_file = "pw"`, line, 1))
			code, stdout, stderr := runCheckConfig(t, "-config", path)
			if code != 1 || strings.Contains(stdout+stderr, "hunter2") || !strings.Contains(stderr, "imap.password_") {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant a problem about imap.password_* that does not repeat the secret", code, stdout, stderr)
			}
		})
	}
	t.Run("secrets with other problems", func(t *testing.T) {
		// The operator fixing a seat count learns at once that the
		// passwords are missing too, not on the next run.
		for _, name := range []string{"ANMALAN_IMAP_PASSWORD", "ANMALAN_SMTP_PASSWORD"} {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
		text := strings.Replace(loopbackConfig, `password_file = "pw"`, `password_env = "ANMALAN_IMAP_PASSWORD"`, 1)
		text = strings.Replace(text, `from = "bot@example.org"`, `from = "bot@example.org"`+"\nusername = \"bot\"\npassword_env = \"ANMALAN_SMTP_PASSWORD\"", 1)
		text = strings.Replace(text, "seats = 3", "seats = 0", 1)
		path := writeConfig(t, text)
		code, stdout, stderr := runCheckConfig(t, "-config", path)
		want := path + ": events[0].seats: must be at least 1\n" +
			path + ": imap.password_env: environment variable ANMALAN_IMAP_PASSWORD is not set\n" +
			path + ": smtp.password_env: environment variable ANMALAN_SMTP_PASSWORD is not set\n" +
			path + ": 3 problems\n"
		if code != 1 || stdout != "" || stderr != want {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant stderr:\n%s", code, stdout, stderr, want)
		}
		// The password itself written where its variable's name belongs
		// is one problem, and is not looked up (nor quoted) as a name.
		text = strings.Replace(text, `password_env = "ANMALAN_IMAP_PASSWORD"`, `password_env = "hunter2!"`, 1)
		path = writeConfig(t, text)
		_, _, stderr = runCheckConfig(t, "-config", path)
		if strings.Contains(stderr, "hunter2") || !strings.Contains(stderr, "the imap password was not checked") ||
			!strings.Contains(stderr, "ANMALAN_SMTP_PASSWORD is not set") {
			t.Errorf("stderr:\n%s", stderr)
		}
	})

	t.Run("config from the environment", func(t *testing.T) {
		t.Setenv("ANMALAN_CONFIG", filepath.Join(t.TempDir(), "from-env.toml"))
		code, _, stderr := runCheckConfig(t)
		if code != 1 || !strings.Contains(stderr, "from-env.toml: no such file or directory") {
			t.Errorf("exit %d\nstderr:\n%s", code, stderr)
		}
	})

	t.Run("missing file", func(t *testing.T) {
		code, _, stderr := runCheckConfig(t, "-config", "/nonexistent/anmalan.toml")
		if want := "check-config: read config: open /nonexistent/anmalan.toml: no such file or directory\n"; code != 1 || stderr != want {
			t.Errorf("exit %d\nstderr:\n%s\nwant:\n%s", code, stderr, want)
		}
	})

	usage := []struct {
		name string
		args []string
		code int
	}{
		{"unknown flag", []string{"-verbose"}, 2},
		{"extra argument", []string{"-config", exampleConfig, "extra"}, 2},
		{"help", []string{"-h"}, 0},
	}
	for _, tt := range usage {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCheckConfig(t, tt.args...)
			out := stderr
			if tt.code == 0 {
				out = stdout // asked for: the usage is the output
			}
			if code != tt.code || !strings.Contains(out, "Usage: anmalan check-config") {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
		})
	}
}

func TestConfigPath(t *testing.T) {
	tests := []struct {
		name, flag, env, want string
	}{
		{"flag wins", "a.toml", "b.toml", "a.toml"},
		{"environment", "", "b.toml", "b.toml"},
		{"default", "", "", "anmalan.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ANMALAN_CONFIG", tt.env)
			if got := configPath(tt.flag); got != tt.want {
				t.Errorf("configPath(%q) = %q, want %q", tt.flag, got, tt.want)
			}
		})
	}
}
