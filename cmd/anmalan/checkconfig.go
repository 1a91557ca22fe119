package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/config"
)

// cmdCheckConfig implements `anmalan check-config [-config FILE]`. It
// prints "config OK" with the events and any warnings to stdout, or every
// problem, one per line, to stderr. It returns 0 when the config is valid
// and its secrets are available, 1 when not, and 2 on a usage error.
func cmdCheckConfig(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check-config", stderr)
	configFlag := fs.String("config", "", "config `FILE` (default $ANMALAN_CONFIG, else ./anmalan.toml)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "check-config: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}

	path := configPath(*configFlag)
	cfg, err := config.LoadConfig(path)
	if err != nil {
		var ce *config.ConfigError
		if !errors.As(err, &ce) {
			fmt.Fprintf(stderr, "check-config: %v\n", err)
			return 1
		}
		// The secrets are checked on what could be read of the file, all
		// but those whose own keys are among the problems.
		secrets, unchecked := ce.CheckSecrets()
		fmt.Fprintln(stderr, ce.Error())
		for _, p := range secrets {
			fmt.Fprintf(stderr, "%s: %s\n", path, p)
		}
		fmt.Fprintf(stderr, "%s: %s\n", path, countProblems(len(ce.Problems)+len(secrets)))
		for _, why := range unchecked {
			fmt.Fprintf(stderr, "%s: %s: fix them and run check-config again\n", path, why)
		}
		return 1
	}
	if problems := cfg.CheckSecrets(); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s: %s\n", path, p)
		}
		fmt.Fprintf(stderr, "%s: %s\n", path, countProblems(len(problems)))
		return 1
	}

	ids := make([]string, len(cfg.Events))
	for i, ev := range cfg.Events {
		ids[i] = ev.ID
	}
	noun := "events"
	if len(ids) == 1 {
		noun = "event"
	}
	fmt.Fprintf(stdout, "config OK: %d %s (%s)\n", len(ids), noun, strings.Join(ids, ", "))
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	if w := allEnded(cfg, time.Now()); w != "" {
		fmt.Fprintf(stdout, "warning: %s\n", w)
	}
	return 0
}

// allEnded returns a warning when every event has ended by now: the bot
// would only answer that registration is over.
func allEnded(cfg *config.Config, now time.Time) string {
	if len(cfg.Events) == 0 {
		return ""
	}
	last := cfg.Events[0].EndsAt
	for _, ev := range cfg.Events {
		if !ev.EndsAt.Before(now) {
			return ""
		}
		if ev.EndsAt.After(last) {
			last = ev.EndsAt
		}
	}
	return fmt.Sprintf("every event has ended (the last on %s): the bot will only answer that registration is over", last.In(cfg.Location).Format("2006-01-02 15:04"))
}

// countProblems returns "1 problem" or "N problems".
func countProblems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}
