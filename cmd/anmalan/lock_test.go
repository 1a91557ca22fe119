package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goteborgsregionen/anmalan/localmail"
)

// TestASecondProcessOnTheDatabaseIsRefused runs the real binary: while
// `anmalan run` holds the database, a second `anmalan run` and an
// `anmalan run --once` beside it exit 1 naming the holder (pid, host,
// since, command); once the first has stopped, `run --once` runs.
func TestASecondProcessOnTheDatabaseIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const (
		bot = "anmalan@goteborgsregionen.example"
		pw  = "Pw-lock-81c2d0"
	)
	dir := t.TempDir()
	bin := filepath.Join(dir, "anmalan")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv, err := localmail.Start(localmail.Options{Password: pw, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.AddUser(bot)
	path := filepath.Join(dir, "anmalan.toml")
	cfg := `database = "anmalan.db"
[imap]
address = "` + srv.IMAPAddr() + `"
security = "none"
username = "` + bot + `"
password_env = "ANMALAN_TEST_LOCK_PASSWORD"
[smtp]
address = "` + srv.SMTPAddr() + `"
security = "none"
from = "GR Anmälan <` + bot + `>"
[organisers]
addresses = ["linda.karlsson@goteborgsregionen.example"]
trusted_authserv_id = "mx.goteborgsregionen.example"
contact = "Linda Karlsson"
[[events]]
id = "far-2099"
title = "Workshop"
starts = "2099-12-11 13:00"
ends = "2099-12-11 15:30"
location = "GR"
seats = 10
closes = "2099-12-04"
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "ANMALAN_TEST_LOCK_PASSWORD="+pw)

	logs := &lockedBuffer{}
	first := exec.Command(bin, "run", "-config", path)
	first.Env, first.Stdout, first.Stderr = env, logs, logs
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	t.Cleanup(func() {
		if first.ProcessState == nil {
			_ = first.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(logs.String(), "imap connected") {
		if time.Now().After(deadline) {
			t.Fatalf("the first daemon never connected:\n%s", logs)
		}
		select {
		case err := <-exited:
			t.Fatalf("the first daemon exited (%v):\n%s", err, logs)
		case <-time.After(20 * time.Millisecond):
		}
	}

	host, _ := os.Hostname()
	for _, args := range [][]string{{"run"}, {"run", "--once"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(bin, append(args, "-config", path)...)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Fatalf("exit %d (%v), want 1:\n%s", code, err, out)
			}
			for _, want := range []string{"is in use by pid " + strconv.Itoa(first.Process.Pid), "on host " + host, " since ", "(anmalan run)"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("the refusal does not say %q:\n%s", want, out)
				}
			}
		})
	}

	if err := first.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err != nil {
		t.Fatalf("the first daemon exited with %v:\n%s", err, logs)
	}
	cmd := exec.Command(bin, "run", "--once", "-config", path)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("run --once after the daemon stopped: %v\n%s", err, out)
	}
}
