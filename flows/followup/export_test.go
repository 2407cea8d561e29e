package followup

import "sinergi/flows"

// Internals the external tests (package followup_test) check.
var (
	FollowUpIDs = followUpIDs
	JobCm3      = jobCm3
	JobCmCheck  = jobCmCheck
	JobCmDue    = jobCmDue
	JobCmEsc    = jobCmEsc
	JobDigest   = jobDigest
)

// ChartLabelsOf is chartLabels with the message catalogue texts.
func ChartLabelsOf(texts flows.Texts, lang, title string, total int) flows.ChartLabels {
	return (&module{texts: texts}).chartLabels(lang, title, total)
}
