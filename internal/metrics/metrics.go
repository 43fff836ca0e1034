// Package metrics is Hoist's Prometheus instrumentation: one registry per
// process (no global state), the collectors every layer reports to, and the
// /metrics handler.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hoist-ota/hoist/internal/release"
)

// Metrics holds the registry and the collectors fed on hot paths.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	updateChecks *prometheus.CounterVec
}

// New returns a registry with Go and process collectors and Hoist's own.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoist_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "hoist_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, []string{"route", "method"})
	m.updateChecks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hoist_update_checks_total", Help: "Update checks answered, by project and what the client will apply (none, wgt, native).",
	}, []string{"project", "result"})
	m.reg.MustRegister(m.httpRequests, m.httpDuration, m.updateChecks)
	return m
}

// statusText avoids formatting common statuses on every request.
var statusText = func() map[int]string {
	t := map[int]string{}
	for c := 100; c < 600; c++ {
		t[c] = strconv.Itoa(c)
	}
	return t
}()

// ObserveHTTP counts a served request; route is the matched pattern
// ("unmatched" for none), never the raw path, to bound label values.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	st, ok := statusText[status]
	if !ok {
		st = "other"
	}
	m.httpRequests.WithLabelValues(route, method, st).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// Record counts one answered update check, by project and by what the
// client will apply; a Metrics is a release.Recorder.
func (m *Metrics) Record(o release.Outcome) {
	m.updateChecks.WithLabelValues(o.ProjectID, o.Result.String()).Inc()
}

// Counter registers a counter whose value is read from f at scrape time
// (for counters kept by the components themselves, which do not import
// Prometheus).
func (m *Metrics) Counter(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
}

// Gauge registers a gauge read from f at scrape time.
func (m *Metrics) Gauge(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// CounterVec registers a counter family with one label whose values are
// read from f at scrape time.
func (m *Metrics) CounterVec(name, help, label string, f func() map[string]float64) {
	m.reg.MustRegister(&funcVec{desc: prometheus.NewDesc(name, help, []string{label}, nil), f: f})
}

// DB registers the connection pool statistics of a database under a name.
func (m *Metrics) DB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

type funcVec struct {
	desc *prometheus.Desc
	f    func() map[string]float64
}

func (v *funcVec) Describe(ch chan<- *prometheus.Desc) { ch <- v.desc }
func (v *funcVec) Collect(ch chan<- prometheus.Metric) {
	for label, n := range v.f() {
		ch <- prometheus.MustNewConstMetric(v.desc, prometheus.CounterValue, n, label)
	}
}
