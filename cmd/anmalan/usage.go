package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usageOf is what `anmalan NAME -h` says of a subcommand.
type usageOf struct {
	// Synopsis is what follows "anmalan NAME" on the usage line.
	Synopsis string
	// What says what the subcommand does, in a sentence or two.
	What string
}

// subcommandUsage is the usage of every subcommand, in one format.
var subcommandUsage = map[string]usageOf{
	"run":           {"[-config FILE] [--once] [-log-format text|json]", "Run the daemon: read the inbox, decide, reply. With --once, handle the inbox once and exit. SIGHUP reloads the config, SIGTERM and SIGINT stop it cleanly."},
	"demo":          {"[-keep] [-smtp-addr ADDR] [-imap-addr ADDR]", "Run the whole bot on embedded mail servers and a temporary database, and print the story of a workshop's registrations."},
	"parse":         {"[-config FILE] FILE.eml...", "Print, as one JSON object a mail, what the bot understands of each mail, changing nothing."},
	"status":        {"[-config FILE]", "Print the events, their seats and waiting lists, and the outbox."},
	"export":        {"[-config FILE] -event ID [-format csv|xlsx] [-o FILE] [-delimiter ;]", "Write the event's participant list to FILE, or to standard output without -o."},
	"log":           {"[-config FILE] -event ID", "Print every change to the event's registrations: the audit log."},
	"check-config":  {"[-config FILE]", "Report every problem in the config at once, and the warnings an operator should read."},
	"send-material": {"[-config FILE] -event ID [-dry-run]", "Send the confirmed participants the material files they have not had."},
	"forget":        {"[-config FILE] ADDRESS", "Erase the person with the mail address ADDRESS everywhere (registrations, mails, the audit log) and print what was removed."},
	"version":       {"", "Print the module version and the VCS revision the binary was built from."},
}

// configRule is said under every subcommand that reads the config.
const configRule = "The config file is -config FILE, else $ANMALAN_CONFIG, else ./anmalan.toml."

// newFlags returns the flag set of the subcommand name, which reports
// errors to stderr and prints its usage in the one format.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printUsage(fs.Output(), fs) }
	return fs
}

// printUsage writes the synopsis, what the subcommand does, each flag with
// its default, and the config rule when the subcommand takes -config.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	u := subcommandUsage[fs.Name()]
	fmt.Fprintf(w, "Usage: anmalan %s %s\n\n%s\n", fs.Name(), u.Synopsis, u.What)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		fs.VisitAll(func(f *flag.Flag) {
			def := f.DefValue
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(w, "  -%s\n        %s (default %s)\n", f.Name, f.Usage, def)
		})
	}
	if fs.Lookup("config") != nil {
		fmt.Fprintln(w, "\n"+configRule)
	}
}

// parseFlags parses args. It reports false with the exit code when the
// subcommand must stop: 0 after -h (the usage went to stdout), 2 on a
// usage error (reported on the flag set's output).
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (int, bool) {
	for _, a := range args {
		if a == "--" || !strings.HasPrefix(a, "-") {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			printUsage(stdout, fs)
			return 0, false
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}
