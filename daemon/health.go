package daemon

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const (
	// stuckAfter is how long the oldest pending reply may wait before
	// /healthz reports the outbox as stuck.
	stuckAfter = time.Hour
	// failureStreak is how many delivery rounds in a row may end with
	// replies to retry and none sent before /healthz reports the outbox
	// as stuck. With the retry backoff that is a quarter of an hour or
	// more of an SMTP server that takes nothing.
	failureStreak = 5
)

// Health returns nil while the daemon is healthy: the IMAP connection is
// up and the outbox is not stuck (its oldest pending reply has waited
// less than an hour, and the last delivery rounds did not all end in
// temporary failures).
// Otherwise it returns the reasons, one sentence each.
func (d *Daemon) Health(ctx context.Context) []string {
	var why []string
	if !d.metrics.Connected() {
		why = append(why, "imap: not connected")
	}
	st, err := d.store.OutboxStats(ctx)
	switch {
	case err != nil:
		why = append(why, "database: "+err.Error())
	case !st.OldestPending.IsZero() && d.now().Sub(st.OldestPending) > stuckAfter:
		why = append(why, fmt.Sprintf("outbox: the oldest pending reply has waited %v", d.now().Sub(st.OldestPending).Round(time.Second)))
	}
	if n := d.metrics.Streak(); n >= failureStreak {
		why = append(why, fmt.Sprintf("outbox: the last %d delivery rounds sent nothing and must be retried", n))
	}
	return why
}

// Handler returns the daemon's HTTP endpoints: /metrics for Prometheus and
// /healthz, which answers 200 "ok" while Health finds nothing and 503 with
// the reasons otherwise.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.Registry(), promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if why := d.Health(r.Context()); len(why) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(why, "\n"))
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
