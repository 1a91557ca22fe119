package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// cmdLog prints an event's audit log: every change, when, before and
// after, and which mail from which sender asked for it.
func cmdLog(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("log", stderr)
	configFlag := fs.String("config", "", "config file")
	eventID := fs.String("event", "", "event ID (required)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if *eventID == "" {
		fmt.Fprintln(stderr, "anmalan log: -event is required")
		return 2
	}
	cfg, st, ok := openConfigStore(ctx, "log", *configFlag, stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	entries, err := st.AuditLog(ctx, *eventID)
	if err != nil {
		fmt.Fprintln(stderr, "anmalan log:", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tWHAT\tBEFORE\tAFTER\tMAIL\tSENDER")
	for _, e := range entries {
		mailRef, sender := "-", e.Sender
		if e.MailID != 0 {
			mailRef = fmt.Sprint(e.MailID)
		}
		if sender == "" {
			sender = "(timer)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.In(cfg.Location).Format("2006-01-02 15:04:05"), e.Action,
			orDash(e.Before), orDash(e.After), mailRef, sender)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(stderr, "anmalan log:", err)
		return 1
	}
	return 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
