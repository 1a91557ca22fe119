package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// cmdVersion prints the module version and the VCS revision from the
// binary's build information.
func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", stderr)
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(stdout, "anmalan (no build information)")
		return 0
	}
	fmt.Fprintln(stdout, versionLine(info))
	return 0
}

// versionLine is "anmalan VERSION (revision REV[, modified], TIME, GO)".
func versionLine(info *debug.BuildInfo) string {
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		rev = "unknown"
	}
	if settings["vcs.modified"] == "true" {
		rev += ", modified"
	}
	if t := settings["vcs.time"]; t != "" {
		rev += ", " + t
	}
	return fmt.Sprintf("anmalan %s (revision %s, %s)", version, rev, info.GoVersion)
}
