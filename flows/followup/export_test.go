package followup

import (
	"time"

	"sinergi/flows"
)

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

// CommitmentsTableOf is commitmentsTable with the message catalogue texts.
func CommitmentsTableOf(texts flows.Texts, now time.Time, lang string, w *flows.Workshop, cs []*flows.Commitment, names func(int64) (string, string)) *flows.Table {
	return (&module{texts: texts}).commitmentsTable(now, lang, w, cs, names)
}
