package flows

import (
	"context"
	"strconv"
	"time"
)

// Workshop reminders: planned by registration (a seat taken or freed up) and
// by workshop management (a workshop moved or cancelled), carried out by the
// registration capability's jobs.

// Reminder jobs, one per registrant: "<kind>|<code>|<uid>".
const (
	JobDayBefore = "wr1" // the day before, 09:00 in the workshop's zone
	JobSoon      = "wr2" // two hours before the start
	JobFeedback  = "wfb" // when the workshop ends, to those who attended (and online registrants)
	JobOnline    = "wst" // at the start of an online or hybrid workshop: the link and the attendance button
)

// Jobs of a seat offered from the waiting list: "<kind>|<code>|<uid>".
const (
	JobOfferEnd      = "wox" // when the offer expires: the seat goes on
	JobOfferReminder = "wor" // halfway to the expiry, one reminder
)

// JobApprovalNotice, "wap|<code>": tells workshop code's team how many
// registrations await their approval, at most once per
// ApprovalNoticeEvery (flows.ApprovalNotices).
const JobApprovalNotice = "wap"

// ApprovalNoticeEvery is how often at most a team is told of registrations
// awaiting approval.
const ApprovalNoticeEvery = time.Hour

// OfferJobIDs are the ids of uid's offer jobs for workshop code.
func OfferJobIDs(code string, uid int64) []string {
	u := strconv.FormatInt(uid, 10)
	return []string{JobOfferEnd + "|" + code + "|" + u, JobOfferReminder + "|" + code + "|" + u}
}

// OfferJobs are the jobs of an offer to uid made at now that expires at
// exp: its end, and one reminder halfway (none when halfway is not ahead).
func OfferJobs(code string, uid int64, now, exp time.Time) []Job {
	ids := OfferJobIDs(code, uid)
	jobs := []Job{{ID: ids[0], Due: exp}}
	if half := now.Add(exp.Sub(now) / 2); half.After(now) && half.Before(exp) {
		jobs = append(jobs, Job{ID: ids[1], Due: half})
	}
	return jobs
}

// ReminderIDs are the ids of uid's reminder jobs for workshop code.
func ReminderIDs(code string, uid int64) []string {
	u := strconv.FormatInt(uid, 10)
	return []string{JobDayBefore + "|" + code + "|" + u, JobSoon + "|" + code + "|" + u, JobFeedback + "|" + code + "|" + u,
		JobOnline + "|" + code + "|" + u}
}

// ReminderTimes are when a registrant of w is reminded: the day before at
// 09:00 in the workshop's zone, and two hours before the start.
func ReminderTimes(w *Workshop) (dayBefore, soon time.Time) {
	loc := LoadZone(w.Zone)
	s := w.Start.In(loc)
	dayBefore = time.Date(s.Year(), s.Month(), s.Day()-1, 9, 0, 0, 0, loc)
	return dayBefore, w.Start.Add(-2 * time.Hour)
}

// ReminderJobs plans uid's reminders for w as seen at now: the jobs to
// schedule, and the ids of reminders whose moment has passed (to drop). The
// feedback request at the end always stays; the message at the start goes
// to registrants of a workshop with an online link only.
func ReminderJobs(w *Workshop, uid int64, now time.Time) (jobs []Job, drop []string) {
	ids := ReminderIDs(w.Code, uid)
	dayBefore, soon := ReminderTimes(w)
	for i, at := range []time.Time{dayBefore, soon, w.End, w.Start} {
		if (i != 2 && !at.After(now)) || (i == 3 && w.OnlineURL == "") {
			drop = append(drop, ids[i])
			continue
		}
		jobs = append(jobs, Job{ID: ids[i], Due: at})
	}
	return jobs, drop
}

// PlanReminders (re)schedules uid's reminders for w.
func PlanReminders(ctx context.Context, st Jobs, w *Workshop, uid int64, now time.Time) error {
	jobs, drop := ReminderJobs(w, uid, now)
	if err := st.Schedule(ctx, jobs...); err != nil {
		return InternalError("schedule reminders", err)
	}
	if len(drop) > 0 {
		if err := st.Unschedule(ctx, drop...); err != nil {
			return InternalError("unschedule reminders", err)
		}
	}
	return nil
}
