package flowstest

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// ExportUser implements Privacy in memory.
func (m *Store) ExportUser(_ context.Context, uid int64) (*flows.UserData, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	m.mmInit()
	d := &flows.UserData{UserID: uid}
	if u, ok := m.users[uid]; ok {
		d.User = &u
	}
	if p, ok := m.profiles[uid]; ok {
		d.Profile = &p
	}
	for code, regs := range m.ws.regs {
		for _, r := range regs {
			if r.UserID != uid {
				continue
			}
			rd := flows.RegistrationData{Workshop: code, Title: m.ws.ws[code].Title, Status: r.Status,
				RegisteredAt: r.RegisteredAt, Answer: r.Answer, Answers: maps.Clone(r.Answers), CheckedInAt: m.ws.checkins[code][uid]}
			d.Registrations = append(d.Registrations, rd)
		}
	}
	m.certInit()
	for _, c := range m.cert.certs {
		if c.UserID == uid {
			c := c
			d.Certificates = append(d.Certificates, &c)
		}
	}
	slices.SortFunc(d.Certificates, func(a, b *flows.Certificate) int { return strings.Compare(a.Workshop, b.Workshop) })
	m.svInit()
	for code, as := range m.sv.answers {
		for _, a := range as {
			if a.UserID == uid {
				d.Surveys = append(d.Surveys, flows.SurveyData{Workshop: code, Title: m.ws.ws[code].Title, Answers: slices.Clone(a.Answers), At: a.At})
			}
		}
	}
	slices.SortFunc(d.Surveys, func(a, b flows.SurveyData) int { return strings.Compare(a.Workshop, b.Workshop) })
	for code, byUser := range m.satt {
		for sid, at := range byUser[uid] {
			d.Sessions = append(d.Sessions, flows.SessionMarkData{Workshop: code, Session: sid, At: at})
		}
	}
	slices.SortFunc(d.Sessions, func(a, b flows.SessionMarkData) int {
		return cmp.Or(strings.Compare(a.Workshop, b.Workshop), strings.Compare(a.Session, b.Session))
	})
	for code, fs := range m.ws.feedback {
		if f, ok := fs[uid]; ok {
			d.Feedback = append(d.Feedback, flows.FeedbackData{Workshop: code, Title: m.ws.ws[code].Title, Rating: f.Rating, Comment: f.Comment, At: f.At})
		}
	}
	if p, ok := m.mm.profiles[uid]; ok {
		d.Partner = &p
	}
	for _, in := range m.mm.intros {
		if in.From == uid || in.To == uid {
			d.Introductions = append(d.Introductions, flows.IntroData{ID: in.ID, Sent: in.From == uid, FromOrg: in.FromOrg,
				ToOrg: in.ToOrg, Note: in.Note, Status: in.Status, Created: in.Created, Decided: in.Decided})
		}
	}
	for _, c := range m.cm {
		if c.Owner == uid {
			c := c
			d.Commitments = append(d.Commitments, &c)
		}
	}
	for id, in := range m.ch.joined {
		if in[uid] {
			d.Chapters = append(d.Chapters, id)
		}
	}
	slices.Sort(d.Chapters)
	for _, b := range m.recentLocked() {
		if seg, err := flows.ParseSegment(b.Segment); err == nil && b.By == uid && seg.Kind == flows.SegRegistrants {
			d.Messages = append(d.Messages, flows.MessageData{ID: b.ID, Segment: b.Segment, MessageID: b.MessageID, Created: b.Created})
		}
	}
	for _, w := range m.ws.ws {
		if w = m.withTeamLocked(w); slices.Contains(w.Facilitators, uid) {
			d.Teams = append(d.Teams, flows.TeamData{Workshop: w.Code, Title: w.Title, Owner: flows.TeamOwner(&w) == uid})
		}
	}
	slices.SortFunc(d.Teams, func(a, b flows.TeamData) int { return strings.Compare(a.Workshop, b.Workshop) })
	if d.User != nil && d.User.Chapter != "" {
		d.Administers = &flows.ChapterData{ID: d.User.Chapter}
		if c, ok := m.ch.chapters[d.User.Chapter]; ok {
			d.Administers.Name = c.Name
		}
	}
	return d, nil
}

// ForgetUser implements Privacy in memory: the same outcome as the Redis
// store — a place in a workshop ahead goes as on a cancellation, other
// registrations, check-ins and feedback are kept under a fresh negative id
// (Redis: an "anon:<random>" member), counted but never listed.
func (m *Store) ForgetUser(_ context.Context, uid int64, now time.Time) ([]flows.Promotion, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var promoted []flows.Promotion
	m.wsInit()
	m.mmInit()
	m.forgetWorkshopInvitesLocked(uid)
	delete(m.users, uid)
	for k, l := range m.links { // the chats they linked stay linked, naming nobody
		if l.By == uid {
			l.By = 0
			m.links[k] = l
		}
	}
	delete(m.profiles, uid)
	m.forgetChapters(uid)
	m.forgetSessionsLocked(uid)
	m.forgetCertsLocked(uid)
	for _, byUser := range m.satt {
		delete(byUser, uid)
	}
	m.forgetMeetings(uid, now)
	m.forgetSurveysLocked(uid)
	delete(m.mm.profiles, uid)
	delete(m.mm.skip, uid)
	for _, s := range m.mm.skip {
		delete(s, uid)
	}
	for id, in := range m.mm.intros {
		if in.From != uid && in.To != uid {
			continue
		}
		delete(m.mm.pair, PairOf(in.From, in.To))
		if in.Status == flows.IntroPending {
			in.Status, in.Decided = flows.IntroDeclined, now
			if in.From == uid {
				in.Status = flows.IntroWithdrawn
			}
		}
		if in.From == uid {
			in.From, in.FromOrg, in.Note = 0, "", ""
		} else {
			in.To, in.ToOrg = 0, ""
		}
		m.mm.intros[id] = in
	}
	for code, regs := range m.ws.regs {
		w := m.ws.ws[code]
		_, attended := m.ws.checkins[code][uid]
		if i := slices.IndexFunc(regs, func(r *flows.Registration) bool { return r.UserID == uid }); i >= 0 && now.Before(w.Start) && !attended {
			delete(m.ws.tokens, regs[i].Token)
			heldSeat, mode := holdsSeat(regs[i]), regs[i].Mode
			m.ws.regs[code] = slices.Delete(regs, i, i+1)
			if heldSeat {
				if p := m.promoteLocked(code, mode, now, 1); len(p) > 0 {
					promoted = append(promoted, flows.Promotion{Workshop: code, UserID: p[0]})
				}
			}
			m.forgetFeedbackLocked(code, uid)
			continue
		}
		// Redis: an offer or a pending registration of theirs is simply
		// gone, not kept anonymously.
		regs = slices.DeleteFunc(regs, func(r *flows.Registration) bool {
			return r.UserID == uid && (r.Status == flows.RegOffered || r.Status == flows.RegPending)
		})
		m.ws.regs[code] = regs
		anon := m.anonLocked()
		for _, r := range regs {
			if r.UserID == uid {
				if r.Token != "" {
					delete(m.ws.tokens, r.Token)
				}
				*r = flows.Registration{Workshop: code, UserID: anon, Status: r.Status}
			}
		}
		if at, ok := m.ws.checkins[code][uid]; ok {
			delete(m.ws.checkins[code], uid)
			m.ws.checkins[code][anon] = at
		}
		m.forgetFeedbackLocked(code, uid)
	}
	for code, w := range m.ws.ws {
		_, _ = m.removeFromTeamLocked(code, uid, true) // ErrNotOnTeam: nothing to do
		if w.CreatedBy == uid {
			w.CreatedBy = 0
			m.ws.ws[code] = w
		}
	}
	// The broadcasts uid wrote lose their author (Redis also stops one not
	// finished; the fake's broadcasts keep no progress).
	for id, b := range m.bc {
		if b.By == uid || b.FromChat == uid {
			cp := *b
			cp.By, cp.FromChat = 0, 0
			m.bc[id] = &cp
		}
	}
	m.teamInit()
	for k, inv := range m.ws.teamInv {
		if inv.By == uid {
			delete(m.ws.teamInv, k)
		}
	}
	// As Redis: the jobs "<kind>|<code>|<uid>" go, and the follow-up jobs
	// "<kind>|<code>|<commitment id>" of the commitments that named uid and
	// are left without an owner.
	owned := map[string]bool{}
	for k, c := range m.cm {
		named := false
		if c.Owner == uid {
			c.Owner, named = 0, true
		}
		if c.By == uid {
			c.By, named = 0, true
		}
		for i := range c.History {
			if c.History[i].By == uid {
				c.History[i].By, c.History[i].Note, named = 0, "", true
			}
		}
		if named && c.Owner == 0 {
			owned[c.Workshop+"|"+c.ID] = true
		}
		m.cm[k] = c
	}
	u := strconv.FormatInt(uid, 10)
	for id := range m.ws.jobs {
		if parts := strings.SplitN(id, "|", 3); len(parts) == 3 && (parts[2] == u || owned[parts[1]+"|"+parts[2]]) {
			delete(m.ws.jobs, id)
		}
	}
	// The audit trail keeps the entries, naming nobody (Redis deletes the
	// pseudonym).
	for _, e := range m.audit {
		if e.Actor == uid {
			e.Actor = 0
		}
		if e.Subject == uid {
			e.Subject = 0
		}
	}
	return promoted, nil
}

// anonLocked is a fresh stand-in for a forgotten user: a negative id no
// user has, which the listings skip.
func (m *Store) anonLocked() int64 {
	m.anon--
	return m.anon
}

// forgetFeedbackLocked keeps uid's feedback on code as a rating and time
// under a fresh stand-in, without the comment.
func (m *Store) forgetFeedbackLocked(code string, uid int64) {
	if f, ok := m.ws.feedback[code][uid]; ok {
		delete(m.ws.feedback[code], uid)
		m.ws.feedback[code][m.anonLocked()] = flows.Feedback{Rating: f.Rating, At: f.At}
	}
}
