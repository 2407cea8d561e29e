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
	// unavailable counts updates that met a Redis outage (handed back for
	// redelivery); budgetFallback sends paced locally because the shared
	// budget in Redis did not answer.
	unavailable    prometheus.Counter
	budgetFallback prometheus.Counter
	// lateSlots counts slots of the shared budget given up because the
	// send would have started too late for them (slotTolerance).
	lateSlots prometheus.Counter
	// outboxResumed counts replies a stopped process left committed and
	// unsent that were sent later; outboxDropped the ones not sent, by
	// reason (uncertain: its send had begun, it may have arrived).
	outboxResumed prometheus.Counter
	outboxDropped *prometheus.CounterVec
	// jobsUnknown counts due jobs of a kind this build does not run
	// (parked for a build that does).
	jobsUnknown prometheus.Counter
	// jobsLate counts scheduled jobs dropped because they were found after
	// the moment they were for (a reminder of an event that had begun).
	jobsLate *prometheus.CounterVec
	// legacyButtons counts presses of buttons sent before route names were
	// namespaced, by their legacy route name (flows.Route.Legacy).
	legacyButtons *prometheus.CounterVec
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
		unavailable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sinergi_updates_unavailable_total",
			Help: "Updates not handled because Redis did not answer; Telegram delivers them again.",
		}),
		budgetFallback: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sinergi_send_budget_fallback_total",
			Help: "Sends paced by the replica's local budget because the shared budget in Redis did not answer.",
		}),
		lateSlots: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sinergi_send_slots_late_total",
			Help: "Booked send slots given up because the send would have started more than 20 ms after its slot; it booked another.",
		}),
		outboxResumed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sinergi_replies_resumed_total",
			Help: "Committed replies a stopped process had not sent, sent afterwards.",
		}),
		outboxDropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_replies_dropped_total",
			Help: "Committed replies not sent after a stop, by reason (uncertain: the send had begun and may have arrived).",
		}, []string{"reason"}),
		jobsUnknown: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sinergi_jobs_unknown_total",
			Help: "Due jobs of a kind this build does not run, parked in {jobs}:parked with their due time for a build that does.",
		}),
		jobsLate: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_jobs_dropped_late_total",
			Help: "Scheduled jobs dropped because they were found too late to matter (a reminder of an event that had begun), by kind.",
		}, []string{"kind"}),
		legacyButtons: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sinergi_legacy_buttons_total",
			Help: "Presses of buttons sent before route names were namespaced, by legacy route name; at zero for long, the legacy names can go.",
		}, []string{"route"}),
	}
	reg.MustRegister(m.updates, m.latency, m.sent, m.tgErrors, m.unavailable, m.budgetFallback, m.lateSlots, m.jobsUnknown, m.jobsLate)
	reg.MustRegister(m.outboxResumed, m.outboxDropped, m.legacyButtons)
	return m
}

// Sent implements Telemetry.
func (m *Metrics) Sent(method string) { m.sent.WithLabelValues(method).Inc() }

// BudgetFallback implements Telemetry.
func (m *Metrics) BudgetFallback() { m.budgetFallback.Inc() }

// LateSlot implements Telemetry.
func (m *Metrics) LateSlot() { m.lateSlots.Inc() }

// TelegramError implements Telemetry.
func (m *Metrics) TelegramError(method string, code int) {
	m.tgErrors.WithLabelValues(method, strconv.Itoa(code)).Inc()
}
