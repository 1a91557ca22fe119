package metrics

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/goteborgsregionen/anmalan/store"
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

// New returns Metrics whose outbox gauges are read from st at
// each scrape.
func New(st *store.Store, now func() time.Time, log *slog.Logger) *Metrics {
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

func (m *Metrics) IMAPUp(up bool) {
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

func (m *Metrics) Polled() {
	if m == nil {
		return
	}
	m.lastPoll.Set(float64(m.now().UnixNano()) / 1e9)
}

func (m *Metrics) Handled(outcome string) {
	if m == nil || outcome == "" {
		return
	}
	m.mails.WithLabelValues(outcome).Inc()
}

// Delivered counts one delivery round: the replies sent, those to retry
// and those that failed for good.
func (m *Metrics) Delivered(sent, retry, failed int) {
	if m == nil {
		return
	}
	m.replies.WithLabelValues("sent").Add(float64(sent))
	m.replies.WithLabelValues("retry").Add(float64(retry))
	m.replies.WithLabelValues("failed").Add(float64(failed))
	switch {
	case sent > 0:
		m.streak.Store(0)
	case retry > 0:
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

// Connected reports whether the IMAP connection is up.
func (m *Metrics) Connected() bool { return m.connected.Load() }

// Streak returns how many delivery rounds in a row had replies to retry
// and sent none.
func (m *Metrics) Streak() int64 { return m.streak.Load() }

// Registry returns the registry that /metrics serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }
