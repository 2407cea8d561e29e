package flows_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

// The authorization matrix: every privileged command, callback route and
// object-owner check, tried by four actors. The same table is rendered as
// docs/authorization.md (TestAuthorizationTableUpToDate), so the document
// cannot drift from what is tested.

// Actors of the matrix.
const (
	actParticipant = 11 // a participant with no registration for the workshop
	actOtherFac    = 12 // role facilitator, facilitates another workshop only
	actOwnFac      = 13 // role facilitator, one of the workshop's Facilitators
)

type actor struct {
	id    int64
	title string
}

var authzActors = []actor{
	{actParticipant, "Participant"},
	{actOtherFac, "Facilitator (other workshop)"},
	{actOwnFac, "Facilitator (this workshop)"},
	{flowstest.AdminID, "Admin"},
}

type verdict bool

const (
	allow verdict = true
	deny  verdict = false
)

// authzRow is one action. Action is a command ("/grant 3 facilitator") or
// callback data ("wmky:{code}") with placeholders filled from the fixture:
// {code} the workshop, {other} the other facilitator's workshop, {cm} an open
// commitment of participant 2, {cmp} a commitment proposed by 3 to 2,
// {intro} a pending introduction from 2 to 3, {bc} a scheduled broadcast,
// {token} the check-in token of participant 4 (registered, not checked in).
type authzRow struct {
	Action  string
	Want    [4]verdict // participant, other facilitator, own facilitator, admin
	Refusal string     // message id of the refusal ("" = errors.not_allowed)
	Mutates bool       // an allowed press changes the store (checked)
	Notes   string
}

func (r authzRow) isCommand() bool { return strings.HasPrefix(r.Action, "/") }

func (r authzRow) refusal() string {
	if r.Refusal == "" {
		return "errors.not_allowed"
	}
	return r.Refusal
}

var (
	adminOnly = [4]verdict{deny, deny, deny, allow}
	facRole   = [4]verdict{deny, allow, allow, allow}
	managers  = [4]verdict{deny, deny, allow, allow}
	nobody    = [4]verdict{deny, deny, deny, deny}
	everyone  = [4]verdict{allow, allow, allow, allow}
)

var authzTable = []authzRow{
	// Roles.
	{Action: "/grant", Want: adminOnly, Notes: "offers invitation links"},
	{Action: "/grant 3 facilitator", Want: adminOnly, Mutates: true, Notes: "sets a user's role"},
	{Action: "grant:facilitator", Want: adminOnly, Mutates: true, Notes: "creates a one-time invitation"},
	{Action: "grant:admin", Want: adminOnly, Mutates: true},
	{Action: "m:grant", Want: adminOnly, Notes: "menu button"},
	// Workshops.
	{Action: "/newworkshop", Want: facRole, Notes: "starts the creation flow"},
	{Action: "m:newworkshop", Want: facRole, Notes: "menu button"},
	{Action: "/myworkshops", Want: facRole, Notes: "a facilitator sees only their own workshops, an admin all"},
	{Action: "mws:0", Want: facRole, Notes: "paging of /myworkshops"},
	{Action: "wm:{code}", Want: managers, Notes: "management card"},
	{Action: "wmr:{code}:0", Want: managers, Notes: "registrant list"},
	{Action: "wmx:{code}", Want: managers, Notes: "CSV export"},
	{Action: "wme:{code}", Want: managers, Notes: "edit (the save re-checks)"},
	{Action: "wmc:{code}", Want: managers, Mutates: true, Notes: "close / reopen registration"},
	{Action: "wmk:{code}", Want: managers, Notes: "asks to confirm the cancellation"},
	{Action: "wmky:{code}", Want: managers, Mutates: true, Notes: "cancels the workshop"},
	{Action: "wmf:{code}", Want: managers, Notes: "feedback summary"},
	{Action: "wmp:{code}", Want: managers, Mutates: true, Notes: "freed seats: offered or given at once"},
	{Action: "wmv:{code}", Want: managers, Notes: "asks how long an offer stands (the save re-checks)"},
	{Action: "wma:{code}", Want: managers, Mutates: true, Notes: "registrations wait for approval, or not"},
	{Action: "wmq:{code}", Want: managers, Notes: "registrations awaiting approval"},
	{Action: "apy:{code}:4", Want: managers, Notes: "approve one (4 is not pending: already decided)"},
	{Action: "apn:{code}:4", Want: managers, Notes: "decline one (4 is not pending: already decided)"},
	{Action: "apa:{code}", Want: managers, Notes: "approve every pending registration"},
	{Action: "/start checkin_{token}", Want: managers, Refusal: "checkin.not_facilitator", Mutates: true, Notes: "QR check-in link"},
	// Follow-up.
	{Action: "wmo:{code}", Want: managers, Notes: "invites attendees to add commitments"},
	{Action: "wmci:{code}", Want: managers, Mutates: true, Notes: "check-in interval"},
	{Action: "/report", Want: facRole, Notes: "lists own workshops only (admin: all, plus the forum summary)"},
	{Action: "rp:{code}", Want: managers, Notes: "workshop report"},
	{Action: "rpa:all", Want: adminOnly, Notes: "forum-wide summary"},
	{Action: "cmn:{code}", Want: managers, Refusal: "cm.not_participant", Notes: "write a commitment: registrants and managers"},
	{Action: "cmu:{code}:{cm}", Want: nobody, Notes: "status prompt: the owner only"},
	{Action: "cms:{code}:{cm}:done", Want: nobody, Notes: "set status: the owner only"},
	{Action: "cmo:{code}:{cmp}:y", Want: nobody, Notes: "accept a proposed commitment: the named owner only"},
	{Action: "cmo:{code}:{cmp}:n", Want: nobody, Notes: "decline a proposed commitment: the named owner only"},
	// Registration.
	{Action: "unreg:{code}", Want: everyone, Notes: "only asks to confirm"},
	{Action: "unregy:{code}", Want: nobody, Refusal: "ws.not_registered", Notes: "acts on the presser's own registration only"},
	{Action: "ofa:{code}", Want: nobody, Refusal: "ws.offer_gone", Notes: "accept an offered seat: the person offered only"},
	{Action: "ofd:{code}", Want: nobody, Refusal: "ws.offer_gone", Notes: "decline an offered seat: the person offered only"},
	{Action: "fb:{code}:5", Want: nobody, Refusal: "fb.not_attended", Notes: "feedback: checked-in registrants only"},
	// Matchmaking.
	{Action: "mmok:{intro}", Want: nobody, Notes: "accept: the addressee only"},
	{Action: "mmno:{intro}", Want: nobody, Notes: "decline: the addressee only"},
	{Action: "mmw:{intro}", Want: nobody, Notes: "withdraw: the requester only"},
	// Broadcasts.
	{Action: "/broadcast", Want: adminOnly},
	{Action: "m:broadcast", Want: adminOnly, Notes: "menu button"},
	{Action: "/broadcasts", Want: adminOnly},
	{Action: "bcx:{bc}", Want: adminOnly, Mutates: true, Notes: "cancels a scheduled broadcast"},
	// Audit trail.
	{Action: "/audit", Want: adminOnly, Notes: "recent privileged actions"},
	{Action: "aud:csv", Want: adminOnly, Notes: "audit trail export"},
}

// authzFixture is a workshop managed by the admin and actOwnFac, with
// participants 2 and 3 checked in and 4 registered, their commitments, an
// introduction, a broadcast, and another workshop managed by actOtherFac.
type authzFixture struct {
	h    *flowstest.Harness
	vars map[string]string
}

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	h := newHarness(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	start := h.Now.Add(17 * 24 * time.Hour)
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Joint Action: air bersih di Flores", Start: start, End: start.Add(3 * time.Hour),
		Zone: "Asia/Makassar", Venue: "Hotel Sahid", OnlineURL: "https://zoom.us/j/123", Deadline: start,
		Facilitators: []int64{flowstest.AdminID, actOwnFac}, CreatedBy: flowstest.AdminID, Created: h.Now}
	must(h.Store.CreateWorkshop(ctx, w))
	other := *w
	other.Code, other.Title, other.Facilitators, other.CreatedBy = flows.NewCode(), "Workshop lain", []int64{actOtherFac}, actOtherFac
	must(h.Store.CreateWorkshop(ctx, &other))
	for _, id := range []int64{actOtherFac, actOwnFac} {
		must(h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", Role: flows.RoleFacilitator, FirstName: "User"}))
	}
	// Everything happens an hour before the start: check-in is open.
	h.Now = start.Add(-time.Hour)
	for _, a := range authzActors {
		h.Text(a.id, "/start") // every actor is known, so acting changes no user record
	}
	tokens := map[int64]string{}
	for _, id := range []int64{2, 3, 4} {
		must(h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "Peserta", Created: h.Now, Seen: h.Now}))
		must(h.Store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Peserta " + strconv.FormatInt(id, 10),
			Organisation: "Org " + strconv.FormatInt(id, 10), ConsentVersion: flows.ConsentVersion}))
		r := &flows.Registration{Workshop: w.Code, UserID: id, RegisteredAt: h.Now, Token: flows.NewToken(), Lang: "id"}
		_, err := h.Store.Register(ctx, r, h.Now)
		must(err)
		tokens[id] = r.Token
		if id != 4 {
			_, err := h.Store.CheckIn(ctx, w.Code, id, h.Now)
			must(err)
		}
	}
	code := w.Code
	due := h.Now.Add(30 * 24 * time.Hour)
	for _, c := range []*flows.Commitment{
		{ID: "c1", Workshop: code, What: "Tandon air", Owner: 2, By: 2, Due: due, Status: flows.CmOpen, Created: h.Now},
		{ID: "c2", Workshop: code, What: "Data desa", Owner: 2, By: 3, Due: due, Status: flows.CmProposed, Created: h.Now},
	} {
		if err := h.Store.SaveCommitment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	in := &flows.Introduction{ID: "intro00001", From: 2, To: 3, FromOrg: "Org 2", ToOrg: "Org 3", Status: flows.IntroPending, Created: h.Now}
	if err := h.Store.RequestIntro(ctx, in, time.Hour, 10); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.CreateBroadcast(ctx, &flows.Broadcast{ID: "bc0001", By: flowstest.AdminID, FromChat: flowstest.AdminID, MessageID: 1,
		Segment: "all", Created: h.Now, StartAt: h.Now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return &authzFixture{h: h, vars: map[string]string{
		"{code}": code, "{other}": other.Code, "{cm}": "c1", "{cmp}": "c2", "{intro}": in.ID, "{bc}": "bc0001", "{token}": tokens[4],
	}}
}

func (f *authzFixture) fill(s string) string {
	for k, v := range f.vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

func (f *authzFixture) run(a actor, action string) *flows.Result {
	if strings.HasPrefix(action, "/") {
		return f.h.Text(a.id, action)
	}
	return f.h.Send(a.id, flows.Input{Kind: flows.KindCallback, Callback: action, MessageID: 42})
}

// refusedWith reports whether res is exactly the refusal id: the answer to
// the press, or the only reply.
func refusedWith(res *flows.Result, id string) bool {
	if res.Answer != nil && res.Answer.Text.ID == id {
		return len(res.Replies) == 0
	}
	got := flowstest.IDs(res)
	return res.Answer == nil && len(got) == 1 && got[0] == id
}

func mentions(res *flows.Result, s string) bool {
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.Contains(b.Data, s) || strings.Contains(b.URL, s) {
					return true
				}
			}
		}
	}
	return false
}

func TestAuthorizationMatrix(t *testing.T) {
	for _, row := range authzTable {
		for i, a := range authzActors {
			t.Run(row.Action+"/"+a.title, func(t *testing.T) {
				f := newAuthzFixture(t)
				action := f.fill(row.Action)
				before := f.h.Store.Snapshot(t)
				res := f.run(a, action)
				after := f.h.Store.Snapshot(t)
				refused := refusedWith(res, row.refusal()) || refusedWith(res, "errors.not_allowed")
				if row.Want[i] == deny {
					if !refused {
						t.Fatalf("%s by %s: want refusal %s, got answer %+v replies %v", action, a.title, row.refusal(), res.Answer, flowstest.IDs(res))
					}
					if before != after {
						t.Fatalf("%s by %s was refused but changed the store:\nbefore %s\nafter  %s", action, a.title, before, after)
					}
					if res.Session.Active() {
						t.Fatalf("%s by %s was refused but started flow %s", action, a.title, res.Session.Flow)
					}
					return
				}
				if refused || (res.Answer != nil && res.Answer.Text.ID == "errors.bad_button") {
					t.Fatalf("%s by %s: want allowed, got answer %+v replies %v", action, a.title, res.Answer, flowstest.IDs(res))
				}
				if res.Answer == nil && len(res.Replies) == 0 {
					t.Fatalf("%s by %s: allowed but silent", action, a.title)
				}
				if row.Mutates && before == after {
					t.Fatalf("%s by %s: allowed but the store did not change", action, a.title)
				}
				if a.id == actOtherFac && !strings.Contains(row.Action, "{code}") && mentions(res, f.vars["{code}"]) {
					t.Fatalf("%s shows another facilitator's workshop to %s", action, a.title)
				}
			})
		}
	}
}

// The owner-only buttons do work for their owner (so the refusals above are
// about who presses, not about broken payloads).
func TestAuthorizationOwnersAllowed(t *testing.T) {
	for _, c := range []struct {
		who    int64
		action string
	}{
		{2, "cmu:{code}:{cm}"}, {2, "cms:{code}:{cm}:done"}, {2, "cmo:{code}:{cmp}:y"}, {2, "cmo:{code}:{cmp}:n"},
		{2, "unregy:{code}"}, {2, "fb:{code}:5"}, {2, "cmn:{code}"},
		{3, "mmok:{intro}"}, {3, "mmno:{intro}"}, {2, "mmw:{intro}"},
	} {
		t.Run(c.action, func(t *testing.T) {
			f := newAuthzFixture(t)
			action := f.fill(c.action)
			res := f.run(actor{id: c.who}, action)
			if res.Answer != nil && (res.Answer.Alert || res.Answer.Text.ID == "errors.not_allowed") {
				t.Fatalf("%s by its owner %d refused: %+v %v", action, c.who, res.Answer, flowstest.IDs(res))
			}
			if len(res.Replies) == 0 {
				t.Fatalf("%s by its owner %d: no reply", action, c.who)
			}
		})
	}
}

// renderAuthzTable renders the matrix as Markdown.
func renderAuthzTable() []byte {
	var b bytes.Buffer
	b.WriteString("# Authorization\n\n")
	b.WriteString("<!-- Generated from flows/authz_test.go (authzTable); do not edit by hand.\n")
	b.WriteString("     Regenerate with: UPDATE_DOCS=1 go test ./flows/ -run TestAuthorizationTableUpToDate -->\n\n")
	b.WriteString("Who may use each privileged command and button, as tested by `TestAuthorizationMatrix`.\n")
	b.WriteString("Roles are checked on every input: a command or button of a higher role is refused with\n")
	b.WriteString("`errors.not_allowed`; workshop buttons additionally require being one of the workshop's\n")
	b.WriteString("facilitators (or an admin); owner-only buttons check the owner on every press. A refused\n")
	b.WriteString("action changes nothing in the store.\n\n")
	b.WriteString("Placeholders: `{code}` the workshop, `{cm}` someone else's commitment, `{cmp}` a commitment\n")
	b.WriteString("proposed to someone else, `{intro}` an introduction between two other people, `{bc}` a\n")
	b.WriteString("scheduled broadcast, `{token}` another participant's check-in token.\n\n")
	b.WriteString("| Action | Kind |")
	for _, a := range authzActors {
		b.WriteString(" " + a.title + " |")
	}
	b.WriteString(" Refusal | Notes |\n|---|---|")
	for range authzActors {
		b.WriteString(":---:|")
	}
	b.WriteString("---|---|\n")
	for _, r := range authzTable {
		kind := "callback"
		if r.isCommand() {
			kind = "command"
		}
		fmt.Fprintf(&b, "| `%s` | %s |", r.Action, kind)
		for _, v := range r.Want {
			if v == allow {
				b.WriteString(" allowed |")
			} else {
				b.WriteString(" refused |")
			}
		}
		notes := r.Notes
		if r.Mutates {
			notes = strings.TrimPrefix(notes+"; changes state", "; ")
		}
		fmt.Fprintf(&b, " `%s` | %s |\n", r.refusal(), notes)
	}
	return b.Bytes()
}

const authzDoc = "../docs/authorization.md"

func TestAuthorizationTableUpToDate(t *testing.T) {
	want := renderAuthzTable()
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(authzDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(authzDoc)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s is out of date (err %v); regenerate with UPDATE_DOCS=1 go test ./flows/ -run TestAuthorizationTableUpToDate", authzDoc, err)
	}
}

// Every privileged command and route of the engine appears in the table, so
// a new one cannot be added without deciding who may use it.
func TestAuthorizationTableComplete(t *testing.T) {
	h := newHarness(t)
	covered := map[string]bool{}
	for _, r := range authzTable {
		name := strings.TrimPrefix(r.Action, "/")
		name, _, _ = strings.Cut(name, " ")
		name, _, _ = strings.Cut(name, ":")
		covered[name] = true
	}
	var missing []string
	for name, role := range h.E.CommandRoles() {
		if role > flows.RoleParticipant && !covered[name] {
			missing = append(missing, "/"+name)
		}
	}
	for name, role := range h.E.RouteRoles() {
		if role > flows.RoleParticipant && !covered[name] {
			missing = append(missing, name+":")
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Fatalf("privileged commands/routes missing from authzTable: %v", missing)
	}
}
