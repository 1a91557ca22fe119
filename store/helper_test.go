package store

import (
	"bufio"
	"os"
	"os/exec"
	"testing"
)

// helperEnv names the environment variable that makes TestHelperProcess
// act as a child process; its value says what to do.
const helperEnv = "ANMALAN_STORE_HELPER"

// TestHelperProcess is not a test: it is the child process that
// TestClaimTwoProcesses and BenchmarkCacheSize start from the test
// binary. It does nothing unless helperEnv is set.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	db := os.Getenv("ANMALAN_STORE_DB")
	switch mode {
	case "claim":
		os.Exit(claimHelper(db))
	case "cache":
		os.Exit(cacheHelper(db))
	}
	os.Exit(2)
}

// startHelper starts the test binary as a child in the given mode and
// returns it with a reader of its standard output.
func startHelper(t *testing.T, mode, db string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "ANMALAN_STORE_DB="+db)
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
