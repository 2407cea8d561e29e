package flowstest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
)

// snapshot is the whole store, deterministically serialised.
func (m *Store) Snapshot(t *testing.T) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	pairs := map[string]string{}
	for k, v := range m.mm.pair {
		pairs[fmt.Sprint(k)] = v
	}
	b, err := json.Marshal(map[string]any{
		"users": m.users, "profiles": m.profiles, "invites": m.invites,
		"workshops": m.ws.ws, "regs": m.ws.regs, "checkins": m.ws.checkins, "feedback": m.ws.feedback,
		"tokens": m.ws.tokens, "jobs": m.ws.jobs, "teams": m.ws.teams, "team_invites": m.ws.teamInv,
		"partners": m.mm.profiles, "skip": m.mm.skip, "intros": m.mm.intros, "pairs": pairs,
		"broadcasts": m.bc, "commitments": m.cm, "audit": m.audit, "links": m.linkSnapshotLocked(),
		"chapters": m.ch.chapters, "chapter_joined": m.ch.joined, "chapter_invites": m.ch.invites,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// othersSnapshot is the store without what belongs to uid alone: their user,
// profile, partner profile, registrations (and check-in tokens and
// reminders), feedback, commitments and introductions they are party to.
func (m *Store) OthersSnapshot(t *testing.T, uid int64) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	u := strconv.FormatInt(uid, 10)
	users := map[int64]flows.User{}
	for k, v := range m.users {
		if k != uid {
			users[k] = v
		}
	}
	profiles := map[int64]flows.Profile{}
	for k, v := range m.profiles {
		if k != uid {
			profiles[k] = v
		}
	}
	mine := map[string]bool{} // the user's check-in tokens
	regs := map[string][]flows.Registration{}
	for code, rs := range m.ws.regs {
		for _, r := range rs {
			if r.UserID == uid {
				mine[r.Token] = true
				continue
			}
			regs[code] = append(regs[code], *r)
		}
	}
	tokens := map[string]string{}
	for k, v := range m.ws.tokens {
		if !mine[k] {
			tokens[k] = v
		}
	}
	jobs := map[string]time.Time{}
	for k, v := range m.ws.jobs {
		if !strings.HasSuffix(k, "|"+u) {
			jobs[k] = v
		}
	}
	checkins := map[string]map[int64]time.Time{}
	for code, byUser := range m.ws.checkins {
		for k, v := range byUser {
			if k != uid {
				if checkins[code] == nil {
					checkins[code] = map[int64]time.Time{}
				}
				checkins[code][k] = v
			}
		}
	}
	feedback := map[string]map[int64]flows.Feedback{}
	for code, byUser := range m.ws.feedback {
		for k, v := range byUser {
			if k != uid {
				if feedback[code] == nil {
					feedback[code] = map[int64]flows.Feedback{}
				}
				feedback[code][k] = v
			}
		}
	}
	partners := map[int64]flows.PartnerProfile{}
	for k, v := range m.mm.profiles {
		if k != uid {
			partners[k] = v
		}
	}
	skip := map[int64]map[int64]bool{}
	for k, v := range m.mm.skip {
		if k != uid {
			skip[k] = v
		}
	}
	intros := map[string]flows.Introduction{}
	for k, v := range m.mm.intros {
		if v.From != uid && v.To != uid {
			intros[k] = v
		}
	}
	cms := map[string]flows.Commitment{}
	for k, v := range m.cm {
		if v.Owner != uid && v.By != uid {
			cms[k] = v
		}
	}
	var audit []flows.AuditEntry
	for _, e := range m.audit {
		if e.Actor != uid {
			audit = append(audit, *e)
		}
	}
	b, err := json.Marshal(map[string]any{
		"users": users, "profiles": profiles, "invites": m.invites,
		"workshops": m.ws.ws, "regs": regs, "checkins": checkins, "feedback": feedback, "tokens": tokens, "jobs": jobs,
		"partners": partners, "skip": skip, "intros": intros, "broadcasts": m.bc, "commitments": cms, "audit": audit,
		"chapters": m.ch.chapters, "chapter_joined": othersJoined(m.ch.joined, uid), "chapter_invites": m.ch.invites,
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// HasJob reports whether a job with id is scheduled.
func (m *Store) HasJob(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.ws.jobs[id]
	return ok
}

// JobDue is when the job id is due (zero when not scheduled).
func (m *Store) JobDue(id string) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ws.jobs[id]
}

// EditUser changes the stored user id in place, bypassing the flows (a
// record as an older build or another path left it).
func (m *Store) EditUser(id int64, edit func(*flows.User)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u := m.users[id]
	edit(&u)
	m.users[id] = u
}

// AuditTrail is the audit trail, oldest first.
func (m *Store) AuditTrail() []flows.AuditEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]flows.AuditEntry, len(m.audit))
	for i, a := range m.audit {
		out[i] = *a
	}
	return out
}

// othersJoined is the chapters' members by link other than uid.
func othersJoined(joined map[string]map[int64]bool, uid int64) map[string][]int64 {
	out := map[string][]int64{}
	for id, in := range joined {
		for k := range in {
			if k != uid {
				out[id] = append(out[id], k)
			}
		}
		slices.Sort(out[id])
	}
	return out
}
