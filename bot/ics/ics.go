// Package ics makes the iCalendar file of a calendar invitation
// ([flows.Invitation]) with github.com/arran4/golang-ical: RFC 5546 PUBLISH,
// RFC 5545, CRLF line ends, one VEVENT for the workshop and one per session
// of its agenda the invitation carries.
package ics

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	ical "github.com/arran4/golang-ical"

	"sinergi/flows"
)

// icsLocal is the iCalendar DATE-TIME form of a local time (with a TZID).
const icsLocal = "20060102T150405"

// Name is the invitation's file name: "workshop-<code>.ics".
func Name(inv *flows.Invitation) string {
	if len(inv.Meetings) > 0 {
		return "meetings-" + inv.Workshop.Code + ".ics"
	}
	return "workshop-" + inv.Workshop.Code + ".ics"
}

// File returns the iCalendar file of inv: one VEVENT for the workshop,
// ORGANIZER the forum (its address the bot's t.me link), a UID stable per
// workshop and per registrant (<code>-<hash of the registrant>@<bot>.t.me,
// so a changed date updates the event in the registrant's calendar instead
// of adding another), SEQUENCE the workshop's count of date and place
// changes, DTSTAMP now, DTSTART/DTEND in the workshop's local time with
// TZID=<w.Zone> and a VTIMEZONE for that zone, SUMMARY the title,
// DESCRIPTION the description (and the online link), LOCATION the venue
// (or the online link when there is no venue), URL the online link, and a
// display alarm one hour before.
//
// A zone other than those of [flows.Zones] is written in UTC instead (no
// TZID), since only for those zones is the VTIMEZONE known to be exact.
// DTEND is left out when the end is not after the start.
func File(inv *flows.Invitation) []byte {
	w := &inv.Workshop
	now := inv.Now
	cal := ical.NewCalendarFor("Sinergi")
	cal.SetProductId("-//Sinergi//Workshop//EN")
	cal.SetMethod(ical.MethodPublish)
	cal.SetCalscale("GREGORIAN")

	hours, local := flows.ZoneOffset(w.Zone)
	if local {
		tz := cal.AddTimezone(w.Zone)
		std := tz.AddStandard()
		off := fmt.Sprintf("+%02d00", hours)
		std.AddProperty(ical.ComponentPropertyDtStart, "19700101T000000")
		std.AddProperty(ical.ComponentProperty(ical.PropertyTzoffsetfrom), off)
		std.AddProperty(ical.ComponentProperty(ical.PropertyTzoffsetto), off)
		std.AddProperty(ical.ComponentProperty(ical.PropertyTzname), flows.ZoneLabel(w.Zone))
	}

	if len(inv.Meetings) > 0 {
		meetingEvents(cal, inv, local)
		return []byte(cal.Serialize(ical.WithNewLineWindows))
	}
	ev := cal.AddEvent(uid(w.Code, inv.Attendee, inv.Bot))
	ev.SetDtStampTime(now)
	ev.SetSequence(w.Sequence)
	forum := param(inv.Forum)
	if forum == "" {
		forum = "Sinergi"
	}
	ev.SetProperty(ical.ComponentPropertyOrganizer, "https://t.me/"+username(inv.Bot), ical.WithCN(forum))
	setTime := func(ev *ical.VEvent, p ical.ComponentProperty, t time.Time) {
		if local {
			ev.SetProperty(p, t.In(flows.LoadZone(w.Zone)).Format(icsLocal), ical.WithTZID(w.Zone))
		} else {
			ev.SetProperty(p, t.UTC().Format("20060102T150405Z"))
		}
	}
	setTime(ev, ical.ComponentPropertyDtStart, w.Start)
	if w.End.After(w.Start) {
		setTime(ev, ical.ComponentPropertyDtEnd, w.End)
	}

	title := text(w.Title)
	if title == "" {
		title = text(w.Code)
	}
	ev.SetSummary(title)

	link := text(w.OnlineURL)
	desc := text(w.Description)
	if link != "" {
		if desc != "" {
			desc += "\n"
		}
		desc += link
	}
	if desc != "" {
		ev.SetDescription(desc)
	}
	if venue := text(w.Venue); venue != "" {
		ev.SetLocation(venue)
	} else if link != "" {
		ev.SetLocation(link)
	}
	if u := uri(w.OnlineURL); u != "" {
		ev.SetURL(u)
	}
	if w.Cancelled {
		ev.SetStatus(ical.ObjectStatusCancelled)
	}

	alarm := ev.AddAlarm()
	alarm.SetAction(ical.ActionDisplay)
	alarm.SetTrigger("-PT1H")
	alarm.SetProperty(ical.ComponentPropertyDescription, title)

	// One VEVENT per session of the agenda the invitation carries, its UID
	// stable per workshop, session and registrant.
	for _, ss := range inv.Sessions {
		sev := cal.AddEvent(sessionUID(w.Code, ss.ID, inv.Attendee, inv.Bot))
		sev.SetDtStampTime(now)
		sev.SetSequence(w.Sequence)
		sev.SetProperty(ical.ComponentPropertyOrganizer, "https://t.me/"+username(inv.Bot), ical.WithCN(forum))
		setTime(sev, ical.ComponentPropertyDtStart, ss.Start)
		if ss.End.After(ss.Start) {
			setTime(sev, ical.ComponentPropertyDtEnd, ss.End)
		}
		summary := text(ss.Title)
		if summary == "" {
			summary = title
		}
		sev.SetSummary(summary)
		desc := title
		if sp := text(ss.Speaker); sp != "" {
			desc = sp + "\n" + title
		}
		sev.SetDescription(desc)
		if loc := strings.Trim(text(ss.Room)+", "+text(w.Venue), ", "); loc != "" {
			sev.SetLocation(loc)
		}
		if w.Cancelled {
			sev.SetStatus(ical.ObjectStatusCancelled)
		}
		a := sev.AddAlarm()
		a.SetAction(ical.ActionDisplay)
		a.SetTrigger("-PT15M")
		a.SetProperty(ical.ComponentPropertyDescription, summary)
	}

	return []byte(cal.Serialize(ical.WithNewLineWindows))
}

// meetingEvents adds one VEVENT per partner meeting of inv: UID per
// meeting (<code>-<id>@<bot>.t.me, so a moved meeting updates its event),
// the time in the workshop's zone, SUMMARY, LOCATION (the table or the
// link), DESCRIPTION, and a display alarm ten minutes before.
func meetingEvents(cal *ical.Calendar, inv *flows.Invitation, local bool) {
	w := &inv.Workshop
	for _, m := range inv.Meetings {
		ev := cal.AddEvent(text(w.Code) + "-" + text(m.ID) + "@" + username(inv.Bot) + ".t.me")
		ev.SetDtStampTime(inv.Now)
		for p, t := range map[ical.ComponentProperty]time.Time{ical.ComponentPropertyDtStart: m.Start, ical.ComponentPropertyDtEnd: m.End} {
			if local {
				ev.SetProperty(p, t.In(flows.LoadZone(w.Zone)).Format(icsLocal), ical.WithTZID(w.Zone))
			} else {
				ev.SetProperty(p, t.UTC().Format("20060102T150405Z"))
			}
		}
		ev.SetSummary(text(m.Summary))
		if l := text(m.Location); l != "" {
			ev.SetLocation(l)
		}
		if d := text(m.Description); d != "" {
			ev.SetDescription(d)
		}
		alarm := ev.AddAlarm()
		alarm.SetAction(ical.ActionDisplay)
		alarm.SetTrigger("-PT10M")
		alarm.SetProperty(ical.ComponentPropertyDescription, text(m.Summary))
	}
}

// uid is the event's UID: per workshop and per registrant, the same for
// every version, globally unique (the bot's t.me host), and without the
// registrant's Telegram id in clear.
func uid(code string, attendee int64, bot string) string {
	sum := sha256.Sum256([]byte(code + ":" + strconv.FormatInt(attendee, 10)))
	return text(code) + "-" + hex.EncodeToString(sum[:8]) + "@" + username(bot) + ".t.me"
}

// sessionUID is a session's event UID: per workshop, session and
// registrant, like uid.
func sessionUID(code, session string, attendee int64, bot string) string {
	sum := sha256.Sum256([]byte(code + ":" + session + ":" + strconv.FormatInt(attendee, 10)))
	return text(code) + "-" + text(session) + "-" + hex.EncodeToString(sum[:8]) + "@" + username(bot) + ".t.me"
}

// param makes s safe as a parameter value (the organizer's CN): one
// line, none of the characters a parameter cannot hold unquoted (the
// library escapes them in a way readers refuse), spaces collapsed.
func param(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune("\",;:\\'\n\t", r) {
			return ' '
		}
		return r
	}, flows.CleanUntrimmed(s))
	return strings.Join(strings.Fields(s), " ")
}

// username is a Telegram username as it may appear in a URI ("sinergi"
// when there is none).
func username(bot string) string {
	u := strings.Map(func(r rune) rune {
		if r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return -1
	}, bot)
	if u == "" {
		return "sinergi"
	}
	return u
}

// text makes s safe as an iCalendar TEXT value before the library
// escapes it: valid UTF-8, line breaks as "\n" only, tabs as spaces, no other control
// characters (which RFC 5545 does not allow and the library would not
// escape), terminal escapes or invisible format characters
// ([flows.CleanText], untrimmed).
func text(s string) string {
	return flows.CleanUntrimmed(s) // a tab becomes a space
}

// uri returns raw as a URI value when it is an absolute http(s) URL,
// else "" (a URI value is not escaped, so a broken one could corrupt the
// file).
func uri(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	s := u.String()
	// No space, no control character (C0, DEL, C1) and no invisible
	// format character: a URI value is written as it is.
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Cf, r) }) {
		return ""
	}
	return s
}
