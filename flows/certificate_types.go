package flows

import "time"

// Attendance and certificates of attendance: the types the attendance and
// certificates capabilities and the store share.

// A confirmed registrant's attendance of a workshop.
const (
	// AttPresent: checked in (the QR code, the door search, the online
	// "I'm here" button or the team's correction).
	AttPresent = "present"
	// AttAbsent: not checked in, while the workshop's check-in is still
	// open, or excused by the team (they said they could not come).
	AttAbsent = "absent"
	// AttNoShow: not checked in, not excused, and the workshop is over.
	AttNoShow = "no_show"
)

// AttendanceStatuses are the statuses in the order they are shown.
func AttendanceStatuses() []string { return []string{AttPresent, AttAbsent, AttNoShow} }

// AttendanceOf is the attendance of confirmed registration r: excused when
// the team marked them absent, over when the workshop's check-in closed.
func AttendanceOf(r *Registration, excused, over bool) string {
	switch {
	case !r.CheckedInAt.IsZero():
		return AttPresent
	case excused || !over:
		return AttAbsent
	}
	return AttNoShow
}

// Certificate is a certificate of attendance issued to a participant of a
// workshop: one per person and workshop; issuing it again (a corrected
// spelling) keeps its number and code.
type Certificate struct {
	// Code is the verification code, the deep link cert_<Code>: 128 random
	// bits, unguessable.
	Code string `json:"code"`
	// Number is the human-readable number printed on it, unique:
	// "<WORKSHOP CODE>-<n>", n counting the workshop's certificates.
	Number   string    `json:"number"`
	Workshop string    `json:"ws"`
	UserID   int64     `json:"user"`
	Name     string    `json:"name"`          // as the person confirmed it
	Org      string    `json:"org,omitempty"` // as the person confirmed it
	Issued   time.Time `json:"issued"`        // first issued
}

// CertificateDoc is a certificate of attendance as a PDF file describes it:
// every text already localised, Indonesian first then English. A reply
// that carries one ([Reply.Certificate]) is sent as a PDF document with the
// reply's text as caption; the transport makes the file (bot/pdf).
type CertificateDoc struct {
	Name        string // file name without extension
	Number      string
	Link        string // the verification link the QR code holds
	Person, Org string
	Forum       string
	Title       string // the workshop's
	Facilitator string
	// Sessions are the titles of the agenda sessions the person attended
	// (SessionAttended), in the agenda's order; none when the workshop has
	// no agenda.
	Sessions []string
	Labels   []CertificateLabels // one per language, the first the main one
}

// CertificateLabels are a certificate's texts in one language.
type CertificateLabels struct {
	Heading     string // "Certificate of attendance"
	Awarded     string // "is awarded to"
	Attended    string // "for attending"
	Dates       string // the workshop's date(s) in this language
	Place       string // the venue, or online, in this language
	Facilitator string // under the facilitator's signature line
	Organiser   string // under the forum's signature line
	Number      string // "No."
	Verify      string // under the QR code
	Sessions    string // "Sessions attended", over their list
}
