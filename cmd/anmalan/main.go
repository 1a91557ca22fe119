// Command anmalan answers an event registration inbox: it reads
// registration mail over IMAP, keeps registrations in SQLite and replies
// over SMTP. Each subcommand lives in a file of its own; the bot itself is
// package mailbot.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `anmalan answers an event registration inbox.

Usage:
  anmalan run [-config FILE] [--once] [-log-format text|json]
                                 run the daemon (or handle the inbox once and exit);
                                 SIGHUP reloads the config, SIGTERM/SIGINT stop it cleanly
  anmalan demo [-keep]           the whole bot on embedded servers and a temporary database
  anmalan parse [-config FILE] FILE.eml...
                                 print what the bot understands of each mail, changing nothing
  anmalan status [-config FILE]  events, seats, waiting lists and the outbox
  anmalan export [-config FILE] -event ID [-format csv|xlsx] [-o FILE] [-delimiter ;]
                                 the participant list
  anmalan log [-config FILE] -event ID
                                 every change to the event's registrations (the audit log)
  anmalan check-config [-config FILE]
                                 report every problem in the config
  anmalan send-material [-config FILE] -event ID [-dry-run]
                                 send confirmed participants the material files they have not had
  anmalan forget [-config FILE] ADDRESS
                                 erase a person everywhere and print what was removed
  anmalan version (or -version)  the module version and VCS revision of the binary

The config file is -config FILE, else $ANMALAN_CONFIG, else ./anmalan.toml.
Every subcommand says more with -h.
`

type command func(ctx context.Context, args []string, stdout, stderr io.Writer) int

func commands() map[string]command {
	return map[string]command{
		"run":           cmdRun,
		"demo":          cmdDemo,
		"parse":         cmdParse,
		"status":        cmdStatus,
		"export":        cmdExport,
		"log":           cmdLog,
		"check-config":  cmdCheckConfig,
		"send-material": cmdSendMaterial,
		"forget":        cmdForget,
		"version":       cmdVersion,
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// dispatch runs the subcommand named by args[0] and returns the exit code:
// 0 on success, 1 on failure, 2 on a usage error.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "-version", "--version":
		return cmdVersion(ctx, nil, stdout, stderr)
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "anmalan: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(ctx, args[1:], stdout, stderr)
}
