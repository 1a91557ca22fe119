package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/goteborgsregionen/anmalan/store"
)

func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("status", stderr)
	configFlag := fs.String("config", "", "config file")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	cfg, st, ok := openConfigStore(ctx, "status", *configFlag, stderr)
	if !ok {
		return 1
	}
	defer st.Close()
	if err := printStatus(ctx, stdout, st, cfg.Location); err != nil {
		fmt.Fprintln(stderr, "anmalan status:", err)
		return 1
	}
	return 0
}

// printStatus writes the events, the mail handled and the outbox queue.
func printStatus(ctx context.Context, w io.Writer, st *store.Store, loc *time.Location) error {
	evs, err := st.Events(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tSTARTS\tSEATS\tCONFIRMED\tWAITING\tCANCELLED\tSUBSTITUTES\tREGISTRATION CLOSES")
	for _, e := range evs {
		closes := "-"
		if !e.Closes.IsZero() {
			closes = e.Closes.In(loc).Format("2006-01-02 15:04")
		}
		seats := fmt.Sprint(e.EffectiveSeats())
		if e.SeatsOverride != 0 && e.SeatsOverride != e.Seats {
			seats += fmt.Sprintf(" (config %d)", e.Seats)
		}
		confirmed := fmt.Sprint(e.Confirmed)
		if e.OverCapacity > 0 {
			confirmed += fmt.Sprintf(" (%d over capacity)", e.OverCapacity)
		}
		id := e.ID
		if e.Removed {
			id += " (not in config)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", id, e.Starts.In(loc).Format("2006-01-02 15:04"),
			seats, confirmed, e.Waiting, e.Cancelled, e.Substituted, closes)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	purges, err := st.Purges(ctx)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if p, ok := purges[e.ID]; ok {
			fmt.Fprintf(w, "%s: personal data erased %s (retention time over; %d registrations, counts kept)\n",
				e.ID, p.At.In(loc).Format("2006-01-02 15:04"), p.Registrations)
		}
	}
	counts, err := st.MailCounts(ctx)
	if err != nil {
		return err
	}
	outcomes := make([]string, 0, len(counts))
	for o := range counts {
		outcomes = append(outcomes, o)
	}
	sort.Strings(outcomes)
	fmt.Fprint(w, "\nmail handled:")
	if len(outcomes) == 0 {
		fmt.Fprint(w, " none")
	}
	for _, o := range outcomes {
		fmt.Fprintf(w, " %s %d;", o, counts[o])
	}
	fmt.Fprintln(w)
	ob, err := st.OutboxStats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "outbox: %d waiting, %d sent, %d failed", ob.Pending, ob.Sent, ob.Failed)
	if ob.Pending > 0 {
		fmt.Fprintf(w, "; oldest waiting since %s, next attempt %s",
			ob.OldestPending.In(loc).Format("2006-01-02 15:04:05"), ob.NextAttempt.In(loc).Format("2006-01-02 15:04:05"))
	}
	fmt.Fprintln(w)
	if ob.Failed > 0 {
		failed, err := st.Outgoing(ctx, "failed")
		if err != nil {
			return err
		}
		for _, f := range failed {
			fmt.Fprintf(w, "  failed: %s to %v: %s\n", f.Kind, f.Recipients, f.LastError)
		}
	}
	return nil
}
