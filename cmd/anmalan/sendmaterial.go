package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/goteborgsregionen/anmalan/mailbot"
	"github.com/goteborgsregionen/anmalan/store"
)

// cmdSendMaterial sends the event's confirmed participants the material
// files (by content hash) they have not had, as the daemon does by itself
// when the material changes, and prints who gets what. The mails are put in
// the outbox, which the running daemon (or `anmalan run --once`) delivers.
func cmdSendMaterial(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("send-material", stderr)
	configFlag := fs.String("config", "", "config file")
	eventID := fs.String("event", "", "event ID (required)")
	dryRun := fs.Bool("dry-run", false, "only print who would get what")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if *eventID == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: anmalan send-material [-config FILE] -event ID [-dry-run]")
		return 2
	}
	bot, st, ok := openBot(ctx, "send-material", *configFlag, stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	plan, err := bot.SendMaterial(ctx, *eventID, *dryRun)
	if err != nil {
		fmt.Fprintln(stderr, "anmalan send-material:", err)
		return 1
	}
	verb := "queued"
	if *dryRun {
		verb = "would send"
	}
	for _, p := range plan {
		fmt.Fprintf(stdout, "%s %s <%s>: %s\n", verb, p.Name, p.Email, strings.Join(p.Files, ", "))
	}
	fmt.Fprintf(stdout, "%d participants %s\n", len(plan), map[bool]string{true: "would get material", false: "get material"}[*dryRun])
	return 0
}

// openBot loads the config, opens its database and builds the bot, for a
// command that decides as the daemon does (its mails go to the outbox, for
// the daemon to deliver). Like openConfigStore it prints what went wrong,
// prefixed with the command's name, and reports false when a step failed:
// the config, the database, a material file or a template.
func openBot(ctx context.Context, name, configFlag string, stderr io.Writer) (*mailbot.Bot, *store.Store, bool) {
	cfg, st, ok := openConfigStore(ctx, name, configFlag, stderr)
	if !ok {
		return nil, nil, false
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bot, err := mailbot.NewBot(cfg, st, time.Now, log)
	if err != nil {
		st.Close()
		fmt.Fprintf(stderr, "anmalan %s: %v\n", name, err)
		return nil, nil, false
	}
	// The events are the daemon's to bring up to date with the config (at
	// its start): a command changes only what it is for.
	return bot, st, true
}
