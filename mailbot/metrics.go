package mailbot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/goteborgsregionen/anmalan/store"
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

// Metrics are what the daemon counts for /metrics and judges for
// /healthz. It has a registry of its own, never the global one, so that
// two daemons in one process (the tests) do not share counters. The
// methods that count do nothing on a nil *Metrics.
type Metrics struct {
	reg           *prometheus.Registry
	mails         *prometheus.CounterVec
	replies       *prometheus.CounterVec
	imapConnected prometheus.Gauge
	lastPoll      prometheus.Gauge

	connected atomic.Bool
	// streak counts the delivery rounds in a row that had replies to
	// retry (a temporary failure) and sent none.
	streak atomic.Int64
	now    func() time.Time
}

// newMetrics returns Metrics whose outbox gauges are read from st at
// each scrape.
func newMetrics(st *store.Store, now func() time.Time, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		now: now,
		mails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anmalan_mails_handled_total",
			Help: "Incoming mails handled since the start, by outcome.",
		}, []string{"outcome"}),
		replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anmalan_replies_total",
			Help: "Delivery attempts of replies since the start, by result: sent, retry (temporary failure) or failed (for good).",
		}, []string{"result"}),
		imapConnected: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "anmalan_imap_connected",
			Help: "1 while the IMAP connection is up, else 0.",
		}),
		lastPoll: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "anmalan_imap_last_poll_success_timestamp_seconds",
			Help: "When the inbox was last read through without error (Unix time); 0 before the first time.",
		}),
	}
	for _, r := range []string{"sent", "retry", "failed"} {
		m.replies.WithLabelValues(r)
	}
	m.reg.MustRegister(m.mails, m.replies, m.imapConnected, m.lastPoll,
		&outboxCollector{store: st, now: now, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) imapUp(up bool) {
	if m == nil {
		return
	}
	m.connected.Store(up)
	if up {
		m.imapConnected.Set(1)
	} else {
		m.imapConnected.Set(0)
	}
}

func (m *Metrics) polled() {
	if m == nil {
		return
	}
	m.lastPoll.Set(float64(m.now().UnixNano()) / 1e9)
}

func (m *Metrics) handled(outcome string) {
	if m == nil || outcome == "" {
		return
	}
	m.mails.WithLabelValues(outcome).Inc()
}

func (m *Metrics) delivered(rep DeliveryReport) {
	if m == nil {
		return
	}
	m.replies.WithLabelValues("sent").Add(float64(rep.Sent))
	m.replies.WithLabelValues("retry").Add(float64(rep.Retry))
	m.replies.WithLabelValues("failed").Add(float64(rep.Failed))
	switch {
	case rep.Sent > 0:
		m.streak.Store(0)
	case rep.Retry > 0:
		m.streak.Add(1)
	}
}

// outboxCollector reads the outbox's depth and age from the database at
// each scrape, so that they are right even for rows another process
// (status, a restart) changed.
type outboxCollector struct {
	store *store.Store
	now   func() time.Time
	log   *slog.Logger
}

var (
	descPending = prometheus.NewDesc("anmalan_outbox_pending",
		"Replies waiting in the outbox to be sent.", nil, nil)
	descFailed = prometheus.NewDesc("anmalan_outbox_failed",
		"Replies in the outbox recorded as failed for good.", nil, nil)
	descOldest = prometheus.NewDesc("anmalan_outbox_oldest_pending_age_seconds",
		"How long the oldest pending reply has waited; 0 when none is pending.", nil, nil)
)

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPending
	ch <- descFailed
	ch <- descOldest
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.store.OutboxStats(ctx)
	if err != nil {
		c.log.Warn("metrics: could not read the outbox", slog.String("error", err.Error()))
		ch <- prometheus.NewInvalidMetric(descPending, err)
		return
	}
	age := 0.0
	if !st.OldestPending.IsZero() {
		age = max(c.now().Sub(st.OldestPending).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.GaugeValue, float64(st.Failed))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, age)
}

// Health returns nil while the daemon is healthy: the IMAP connection is
// up and the outbox is not stuck (its oldest pending reply has waited
// less than an hour, and the last delivery rounds did not all end in
// temporary failures).
// Otherwise it returns the reasons, one sentence each.
func (d *Daemon) Health(ctx context.Context) []string {
	var why []string
	if !d.metrics.connected.Load() {
		why = append(why, "imap: not connected")
	}
	st, err := d.store.OutboxStats(ctx)
	switch {
	case err != nil:
		why = append(why, "database: "+err.Error())
	case !st.OldestPending.IsZero() && d.now().Sub(st.OldestPending) > stuckAfter:
		why = append(why, fmt.Sprintf("outbox: the oldest pending reply has waited %v", d.now().Sub(st.OldestPending).Round(time.Second)))
	}
	if n := d.metrics.streak.Load(); n >= failureStreak {
		why = append(why, fmt.Sprintf("outbox: the last %d delivery rounds sent nothing and must be retried", n))
	}
	return why
}

// Handler returns the daemon's HTTP endpoints: /metrics for Prometheus and
// /healthz, which answers 200 "ok" while Health finds nothing and 503 with
// the reasons otherwise.
func (d *Daemon) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.reg, promhttp.HandlerOpts{}))
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
