package dblock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperEnv names the environment variable that makes TestHelperProcess
// act as a child process; its value says what to do.
const helperEnv = "ANMALAN_DBLOCK_HELPER"

// TestHelperProcess is not a test: it is the child process that
// TestLockTwoProcesses starts from the test
// binary. It does nothing unless helperEnv is set.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	db := os.Getenv("ANMALAN_DBLOCK_DB")
	switch mode {
	case "lock":
		l, err := TakeLock(db, time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), "anmalan run")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked", l.Holder.PID)
		// Hold the lock until killed.
		select {}
	}
	os.Exit(2)
}

// startHelper starts the test binary as a child in the given mode and
// returns it with a reader of its standard output.
func startHelper(t *testing.T, mode, db string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "ANMALAN_DBLOCK_DB="+db)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewScanner(out)
}

// TestLockTwoProcesses holds the lock in a child process, checks that the
// parent is refused with the child's pid, kills the child with SIGKILL and
// takes the lock.
func TestLockTwoProcesses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "anmalan.db")
	child, out := startHelper(t, "lock", db)
	if !out.Scan() || !strings.HasPrefix(out.Text(), "locked ") {
		t.Fatalf("child did not lock: %q", out.Text())
	}

	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	_, err := TakeLock(db, now, "anmalan run --once")
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("TakeLock while the child holds it = %v; want a *LockedError", err)
	}
	host, _ := os.Hostname()
	want := Holder{PID: child.Process.Pid, Host: host, Since: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC), Command: "anmalan run"}
	if le.Holder != want || le.Database != db {
		t.Errorf("LockedError = %+v; want holder %+v of %s", le, want, db)
	}
	wantMsg := fmt.Sprintf("database %s is in use by pid %d on host %s since 2026-12-03 08:00:00 UTC (anmalan run)", db, child.Process.Pid, host)
	if err.Error() != wantMsg {
		t.Errorf("error = %q\nwant    %q", err, wantMsg)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	l, err := TakeLock(db, now, "anmalan run --once")
	if err != nil {
		t.Fatalf("TakeLock after the holder was killed: %v", err)
	}
	if l.Holder.PID != os.Getpid() || !l.Holder.Since.Equal(now) {
		t.Errorf("Holder = %+v; want this process since %v", l.Holder, now)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLock checks the lock within one process: a second TakeLock is
// refused while the first holds it (flock locks per open file), and is
// granted after Close.
func TestLock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	t1 := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		closeL1 bool
		wantErr bool
	}{
		{name: "held", closeL1: false, wantErr: true},
		{name: "released", closeL1: true, wantErr: false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l1, err := TakeLock(db, t1, "anmalan run")
			if err != nil {
				t.Fatal(err)
			}
			defer l1.Close()
			if tc.closeL1 {
				if err := l1.Close(); err != nil {
					t.Fatal(err)
				}
			}
			l2, err := TakeLock(db, t1, "anmalan run --once")
			var le *LockedError
			if got := errors.As(err, &le); got != tc.wantErr {
				t.Fatalf("second TakeLock = %v; want a *LockedError: %v", err, tc.wantErr)
			}
			if tc.wantErr && le.Holder.PID != os.Getpid() {
				t.Errorf("holder pid %d; want %d", le.Holder.PID, os.Getpid())
			}
			if l2 != nil {
				l2.Close()
			}
		})
	}
	// A second Close is harmless.
	l, err := TakeLock(db, t1, "x")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestLockedErrorMessage checks the message for a holder that is known
// and one that had not written the file yet.
func TestLockedErrorMessage(t *testing.T) {
	cases := []struct {
		name string
		err  LockedError
		want string
	}{
		{
			name: "known holder",
			err: LockedError{Database: "/x/y.db", Holder: Holder{PID: 1234, Host: "h",
				Since: time.Date(2026, 12, 3, 9, 0, 0, 0, time.FixedZone("CET", 3600)), Command: "anmalan run"}},
			want: "database /x/y.db is in use by pid 1234 on host h since 2026-12-03 08:00:00 UTC (anmalan run)",
		},
		{
			name: "unknown holder",
			err:  LockedError{Database: "/x/y.db"},
			want: "database /x/y.db is in use by another process",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q; want %q", got, tc.want)
			}
		})
	}
}
