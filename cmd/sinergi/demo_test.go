package main

import (
	"testing"
	"time"

	"sinergi/flows"
)

// Whatever the time of day the playground starts, the README's "+3 days"
// lands after the demo workshop's day-before reminder and before its start
// (the bug: at 09:00 WIB or later the jump passed the start and both
// reminders were dropped).
func TestDemoStartFitsThreeDayJump(t *testing.T) {
	base := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for m := 0; m < 24*60; m += 7 {
		now := base.Add(time.Duration(m) * time.Minute)
		w := &flows.Workshop{Start: demoStart(now), Zone: "Asia/Jakarta"}
		dayBefore, _ := flows.ReminderTimes(w)
		jump := now.Add(72 * time.Hour)
		if dayBefore.After(jump) || !jump.Before(w.Start) {
			t.Fatalf("started %v: +3 days is %v, reminder at %v, start %v", now, jump, dayBefore, w.Start)
		}
		if got := w.Start.In(flows.LoadZone("Asia/Jakarta")); got.Hour() != 9 || got.Minute() != 0 {
			t.Fatalf("demo starts at %v", got)
		}
	}
}
