package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParsePrintsOneObjectPerFile(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "corpus", "registrations")
	files := []string{filepath.Join(dir, "v03-iphone-short.eml"), filepath.Join(dir, "v09-postfix-bounce.eml")}
	var out, errOut bytes.Buffer
	if code := cmdParse(context.Background(), files, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), out.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["file"] != files[0] || first["kind"] != "registration" || first["reason"] == "" {
		t.Errorf("first line = %v", first)
	}
	// Without a config there are no events.
	if _, ok := first["event"]; ok {
		t.Errorf("event without a config: %v", first["event"])
	}
}

func TestParseWithConfig(t *testing.T) {
	// The documented example names the corpus's organiser and trusted
	// authserv-id, so parse reads the organiser's mail as it would in use.
	cfgFile := filepath.Join("..", "..", "config.example.toml")
	file := filepath.Join("..", "..", "testdata", "corpus", "registrations", "v08-organiser-cc-substitution.eml")
	var out, errOut bytes.Buffer
	if code := cmdParse(context.Background(), []string{"-config", cfgFile, file}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["kind"] != "command" || got["sender_authenticated"] != true {
		t.Errorf("got %v", got)
	}

	// With the example's two sessions, the date a registration names
	// chooses the event, and parse shows the date as written and as read.
	file = filepath.Join("..", "..", "testdata", "corpus", "registrations", "v01-outlook-windows1252.eml")
	out.Reset()
	if code := cmdParse(context.Background(), []string{"-config", cfgFile, file}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut.String())
	}
	var reg struct {
		Event string
		Date  struct{ Written, Read string }
	}
	if err := json.Unmarshal(out.Bytes(), &reg); err != nil {
		t.Fatal(err)
	}
	if reg.Event != "segregation-2018" || reg.Date.Written != "11 december" || reg.Date.Read != "2018-12-11" {
		t.Errorf("v01 with two sessions: %s", out.String())
	}
}

func TestParseExitsOneWhenAFileCannotBeRead(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.eml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join("..", "..", "testdata", "corpus", "registrations", "v01-outlook-windows1252.eml")
	var out, errOut bytes.Buffer
	code := cmdParse(context.Background(), []string{empty, filepath.Join(t.TempDir(), "missing.eml"), good}, &out, &errOut)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("%d lines printed, want 1 (the readable file)", n)
	}
	if !strings.Contains(errOut.String(), "empty.eml") || !strings.Contains(errOut.String(), "missing.eml") {
		t.Errorf("stderr does not name both files: %s", errOut.String())
	}
}

func TestParseUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := cmdParse(context.Background(), nil, &out, &errOut); code != 2 {
		t.Errorf("exit %d without files, want 2", code)
	}
}

// TestParseWholeCorpus runs parse over every file of the project's copy
// of the corpus (testdata/corpus): it must print one line per file and
// exit 0.
func TestParseWholeCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "corpus")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.eml"))
	if err != nil || len(files) < 500 {
		t.Fatalf("%d corpus files (%v), want about 540", len(files), err)
	}
	var out, errOut bytes.Buffer
	if code := cmdParse(context.Background(), files, &out, &errOut); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut.String())
	}
	if n := strings.Count(out.String(), "\n"); n != len(files) {
		t.Errorf("%d lines for %d files", n, len(files))
	}
}
