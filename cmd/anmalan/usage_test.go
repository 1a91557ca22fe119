package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestEverySubcommandHelp: -h on every subcommand exits 0 and prints one
// usage format on stdout: the synopsis, what it does, each flag with its
// default and the config rule.
func TestEverySubcommandHelp(t *testing.T) {
	for name, cmd := range commands() {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := cmd(context.Background(), []string{"-h"}, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
			}
			out := stdout.String()
			if !strings.HasPrefix(out, "Usage: anmalan "+name+" ") {
				t.Errorf("no synopsis line:\n%s", out)
			}
			if u := subcommandUsage[name]; u.What == "" || !strings.Contains(out, u.What) {
				t.Errorf("does not say what it does:\n%s", out)
			}
			if name != "demo" && name != "version" {
				if !strings.Contains(out, "  -config\n") || !strings.Contains(out, configRule) {
					t.Errorf("no -config flag or config rule:\n%s", out)
				}
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "        ") && !strings.Contains(line, "(default ") {
					t.Errorf("a flag without its default: %q", line)
				}
			}
		})
	}
	var stdout bytes.Buffer
	_ = cmdForget(context.Background(), []string{"-h"}, &stdout, &bytes.Buffer{})
	if !strings.Contains(stdout.String(), "ADDRESS") {
		t.Errorf("forget -h does not name ADDRESS:\n%s", stdout.String())
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"-version"}} {
		var stdout, stderr bytes.Buffer
		if code := dispatch(context.Background(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr.String())
		}
		if out := stdout.String(); !strings.HasPrefix(out, "anmalan ") || !strings.Contains(out, "revision ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: %q", args, out)
		}
	}
}
