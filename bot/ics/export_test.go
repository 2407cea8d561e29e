package ics

// Internals the external tests (package ics_test) check.
var (
	Text = text
	URI  = uri
)
