package bot

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus collectors.
type Metrics struct {
	updates  *prometheus.CounterVec
	latency  prometheus.Histogram
	sent     *prometheus.CounterVec
	tgErrors *prometheus.CounterVec
}

// NewMetrics registers the collectors with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_updates_handled_total",
			Help: "Telegram updates handled, by kind and result (ok, duplicate, ignored, error, panic).",
		}, []string{"kind", "result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sinergi_handler_duration_seconds",
			Help:    "Time from taking an update to committing it, replies included.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_messages_sent_total",
			Help: "Successful Telegram calls, by method.",
		}, []string{"method"}),
		tgErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_telegram_errors_total",
			Help: "Failed Telegram calls, by method and error code (0 = network).",
		}, []string{"method", "code"}),
	}
	reg.MustRegister(m.updates, m.latency, m.sent, m.tgErrors)
	return m
}

// Sent implements Telemetry.
func (m *Metrics) Sent(method string) { m.sent.WithLabelValues(method).Inc() }

// TelegramError implements Telemetry.
func (m *Metrics) TelegramError(method string, code int) {
	m.tgErrors.WithLabelValues(method, strconv.Itoa(code)).Inc()
}
