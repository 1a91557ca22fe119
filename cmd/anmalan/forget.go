package main

import (
	"context"
	"fmt"
	"io"
	"net/mail"
)

// cmdForget erases a person everywhere (registrations, raw mails, the
// outbox; audit log entries are kept with the person replaced) and prints
// what it removed. A seat the person held goes to the next on the waiting
// list, whose mail the daemon delivers.
func cmdForget(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("forget", stderr)
	configFlag := fs.String("config", "", "config file")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: anmalan forget [-config FILE] ADDRESS")
		return 2
	}
	addr, err := mail.ParseAddress(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "anmalan forget: %q is not a mail address\n", fs.Arg(0))
		return 2
	}
	bot, st, ok := openBot(ctx, "forget", *configFlag, stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	e, err := bot.Forget(ctx, addr.Address)
	if err != nil {
		fmt.Fprintln(stderr, "anmalan forget:", err)
		return 1
	}
	fmt.Fprintf(stdout, "forgot %s:\n", addr.Address)
	fmt.Fprintf(stdout, "  registrations erased (cancelled if live): %d\n", e.Registrations)
	fmt.Fprintf(stdout, "  mails received, raw bytes erased: %d\n", e.Mails)
	fmt.Fprintf(stdout, "  mails sent or queued, erased: %d\n", e.Outbox)
	fmt.Fprintf(stdout, "  audit log entries kept with the person replaced: %d\n", e.Audit)
	fmt.Fprintf(stdout, "  bounce records removed: %d\n", e.Bounces)
	return 0
}
