package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the service's Prometheus series, on a registry of its own so that tests can
// build several servers in one process.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
	shed     prometheus.Counter
	handler  http.Handler
}

// newMetrics registers the series; activeJobs counts the detection jobs running or queued.
func newMetrics(activeJobs func() int) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ringtrace_http_requests_total", Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ringtrace_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"route"})
	m.inflight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "ringtrace_http_inflight", Help: "Requests being served."})
	m.shed = prometheus.NewCounter(prometheus.CounterOpts{Name: "ringtrace_http_shed_total", Help: "Requests refused with 503 because all slots were busy."})
	jobs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ringtrace_jobs_running", Help: "Detection jobs running or queued."}, func() float64 { return float64(activeJobs()) })
	m.reg.MustRegister(m.requests, m.duration, m.inflight, m.shed, jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}
