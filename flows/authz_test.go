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
	actChapterA    = 14 // admin of chapter A (Jawa Barat), which the workshop belongs to
	actChapterB    = 15 // admin of chapter B (Bali)
	actRemovedFac  = 16 // role facilitator, was on the workshop's team and was removed
)

// The fixture's chapters.
const (
	chapterA = "chapaa"
	chapterB = "chapbb"
)

type actor struct {
	id    int64
	title string
}

var authzActors = []actor{
	{actParticipant, "Participant"},
	{actOtherFac, "Facilitator (other workshop)"},
	{actOwnFac, "Facilitator (this workshop)"},
	{actChapterA, "Chapter admin of A (this workshop's)"},
	{actChapterB, "Chapter admin of B"},
	{flowstest.AdminID, "Admin"},
	{actRemovedFac, "Removed co-facilitator"},
}

type verdict bool

const (
	allow verdict = true
	deny  verdict = false
)

// authzRow is one action. Action is a command ("/grant 3 facilitator") or
// callback data ("workshops.cancel_yes:{code}") with placeholders filled from the fixture:
// {code} the workshop, {other} the other facilitator's workshop, {cm} an open
// commitment of participant 2, {cmp} a commitment proposed by 3 to 2,
// {intro} a pending introduction from 2 to 3, {bc} a scheduled broadcast,
// {token} the check-in token of participant 4 (registered, not checked in).
type authzRow struct {
	Action  string
	Want    [7]verdict // participant, other facilitator, own facilitator, chapter admin of A, of B, admin, removed co-facilitator
	Refusal string     // message id of the refusal ("" = errors.not_allowed)
	Mutates bool       // an allowed press changes the store (checked)
	Notes   string
	// Group: the action is taken in a group chat whose administrator the
	// actor is (as Telegram's getChatMember tells the transport), so only
	// the Sinergi role decides.
	Group bool
	// Offer: the action is a choice of a flow's step, not a command or a
	// button of its own: /broadcast's step "chats" offers the linked chat
	// of this placeholder ({lk…}), and sending posts there (allowed), or it
	// is neither offered nor posted in (refused).
	Offer string
}

func (r authzRow) isCommand() bool { return strings.HasPrefix(r.Action, "/") }

func (r authzRow) refusal() string {
	if r.Refusal == "" {
		return "errors.not_allowed"
	}
	return r.Refusal
}

var (
	adminOnly = [7]verdict{deny, deny, deny, deny, deny, allow, deny}
	facRole   = [7]verdict{deny, allow, allow, allow, allow, allow, allow}
	managers  = [7]verdict{deny, deny, allow, allow, deny, allow, deny}
	owners    = [7]verdict{deny, deny, deny, deny, deny, allow, deny} // the team's owner (here the admin) and admins
	nobody    = [7]verdict{deny, deny, deny, deny, deny, deny, deny}
	everyone  = [7]verdict{allow, allow, allow, allow, allow, allow, allow}
	// admins and chapter admins (within their chapter).
	scopedAdmins = [7]verdict{deny, deny, deny, allow, allow, allow, deny}
	// admins and chapter A's admins: an action on chapter A's broadcast.
	chapterAOnly = [7]verdict{deny, deny, deny, allow, deny, allow, deny}
	// admins and chapter B's admins.
	chapterBOnly = [7]verdict{deny, deny, deny, deny, allow, allow, deny}
)

var authzTable = []authzRow{
	// Roles.
	{Action: "/grant", Want: adminOnly, Notes: "offers invitation links"},
	{Action: "/grant 3 facilitator", Want: adminOnly, Mutates: true, Notes: "sets a user's role"},
	{Action: "roles.invite:facilitator", Want: adminOnly, Mutates: true, Notes: "creates a one-time invitation"},
	{Action: "roles.invite:admin", Want: adminOnly, Mutates: true},
	{Action: "core.menu:grant", Want: adminOnly, Notes: "menu button"},
	// Workshops.
	{Action: "/newworkshop", Want: facRole, Notes: "starts the creation flow"},
	{Action: "core.menu:newworkshop", Want: facRole, Notes: "menu button"},
	{Action: "/myworkshops", Want: facRole, Notes: "a facilitator sees only their own workshops, an admin all"},
	{Action: "workshops.mine:0", Want: facRole, Notes: "paging of /myworkshops"},
	{Action: "workshops.manage:{code}", Want: managers, Notes: "management card"},
	{Action: "workshops.registrants:{code}:0", Want: managers, Notes: "registrant list"},
	{Action: "workshops.export:{code}", Want: managers, Notes: "CSV export"},
	{Action: "workshops.edit:{code}", Want: managers, Notes: "edit (the save re-checks)"},
	{Action: "workshops.toggle_closed:{code}", Want: managers, Mutates: true, Notes: "close / reopen registration"},
	{Action: "workshops.cancel:{code}", Want: managers, Notes: "asks to confirm the cancellation"},
	{Action: "workshops.cancel_yes:{code}", Want: managers, Mutates: true, Notes: "cancels the workshop"},
	{Action: "workshops.feedback:{code}", Want: managers, Notes: "feedback summary"},
	{Action: "workshops.team:{code}", Want: managers, Notes: "the workshop's team"},
	// Partner meetings (the team's side).
	{Action: "/meetsetup", Want: facRole, Notes: "lists the workshops whose partner meetings one manages"},
	{Action: "meetings.team:{code}", Want: managers, Notes: "the workshop's partner meetings card"},
	{Action: "meetings.setup:{code}", Want: managers, Notes: "starts the setup of partner meetings (the save re-checks)"},
	{Action: "meetings.grid:{code}", Want: managers, Notes: "the meeting grid (slots × tables) as a table"},
	{Action: "meetings.auto:{code}", Want: managers, Notes: "places matched pairs into free slots, each side asked to confirm"},
	{Action: "workshops.team_invite:{code}", Want: owners, Mutates: true, Notes: "creates a one-time team invitation"},
	{Action: "workshops.team_remove:{code}:13", Want: owners, Mutates: true, Notes: "removes a member from the team"},
	{Action: "workshops.team_revoke:{code}:{tinv}", Want: owners, Mutates: true, Notes: "revokes a team invitation not yet used"},
	{Action: "workshops.handover:{code}:13", Want: owners, Notes: "asks to confirm the hand-over"},
	{Action: "workshops.handover_yes:{code}:13", Want: owners, Mutates: true, Notes: "hands the workshop over to a member"},
	{Action: "workshops.team_leave:{code}", Want: managers, Notes: "asks to confirm leaving the team (the owner hands over first)"},
	{Action: "workshops.team_leave_yes:{code}", Want: managers, Notes: "leaves the team (the owner hands over first)"},
	{Action: "workshops.message:{code}", Want: managers, Notes: "message the registrants: choose whom, by status"},
	{Action: "workshops.message_to:{code}:c", Want: managers, Notes: "starts writing the message (sending re-checks the team)"},
	{Action: "workshops.promotion:{code}", Want: managers, Mutates: true, Notes: "freed seats: offered or given at once"},
	{Action: "workshops.offer_for:{code}", Want: managers, Notes: "asks how long an offer stands (the save re-checks)"},
	{Action: "workshops.approval:{code}", Want: managers, Mutates: true, Notes: "registrations wait for approval, or not"},
	{Action: "workshops.reports_to:{code}", Want: managers, Mutates: true, Notes: "reports to the facilitators' chat as well as, or instead of, privately"},
	{Action: "workshops.group_summary:{code}", Want: managers, Mutates: true, Notes: "the participants' group's weekly summary on or off"},
	{Action: "workshops.form:{code}", Want: managers, Notes: "the registration form's questions"},
	{Action: "workshops.form_add:{code}", Want: managers, Notes: "adds a question to the form (the save re-checks)"},
	{Action: "workshops.form_delete:{code}:qffffffff", Want: managers, Notes: "removes a question from the form"},
	{Action: "workshops.clone:{code}", Want: managers, Notes: "creates a similar workshop (asks its dates; the save re-checks)"},
	{Action: "workshops.series:{code}", Want: managers, Notes: "repeats the workshop as a series (the save re-checks)"},
	{Action: "workshops.visibility:{code}", Want: managers, Mutates: true, Notes: "listed, or unlisted: only its link finds it"},
	{Action: "agenda.manage:{code}", Want: managers, Notes: "the workshop's agenda: its sessions"},
	{Action: "agenda.add:{code}", Want: managers, Notes: "adds a session (the save re-checks)"},
	{Action: "agenda.edit:{code}:s00000001", Want: managers, Notes: "changes a session (the save re-checks)"},
	{Action: "agenda.delete:{code}:s00000001", Want: managers, Notes: "removes a session (asks first when people signed up)"},
	{Action: "agenda.del_yes:{code}:s00000001", Want: managers, Notes: "removes a session and tells those signed up"},
	{Action: "agenda.list:{code}:s00000001", Want: managers, Notes: "who signed up for a session"},
	{Action: "agenda.export:{code}:s00000001", Want: managers, Notes: "exports who signed up for a session"},
	{Action: "workshops.invite_only:{code}", Want: managers, Mutates: true, Notes: "invite-only (only people with an invitation find it and register), or open"},
	{Action: "workshops.invites:{code}", Want: managers, Notes: "the invitations with who used them"},
	{Action: "workshops.inv_personal:{code}", Want: managers, Notes: "asks how many personal invitations to make (the save re-checks)"},
	{Action: "workshops.inv_org:{code}", Want: managers, Notes: "asks an organisation and its seats (the save re-checks)"},
	{Action: "workshops.inv_revoke:{code}:{winv}", Want: managers, Mutates: true, Notes: "revokes an invitation (registrations made with it stay)"},
	{Action: "workshops.inv_export:{code}", Want: managers, Notes: "the invitations with their links, as a table"},
	{Action: "registration.pending:{code}", Want: managers, Notes: "registrations awaiting approval"},
	{Action: "registration.approve:{code}:4", Want: managers, Notes: "approve one (4 is not pending: already decided)"},
	{Action: "registration.reject:{code}:4", Want: managers, Notes: "decline one (4 is not pending: already decided)"},
	{Action: "registration.approve_all:{code}", Want: managers, Notes: "approve every pending registration"},
	{Action: "registration.door:{code}", Want: managers, Notes: "searches a registrant to check in without the QR code"},
	{Action: "registration.door_in:{code}:4", Want: managers, Mutates: true, Notes: "checks a registrant in without the QR code"},
	{Action: "/start checkin_{token}", Want: managers, Refusal: "checkin.not_facilitator", Mutates: true, Notes: "QR check-in link"},
	// Attendance.
	{Action: "/attendance", Want: facRole, Notes: "lists own workshops only (admin: all)"},
	{Action: "attendance.show:{code}", Want: managers, Notes: "present / absent / no-show per person and per organisation"},
	{Action: "attendance.csv:{code}", Want: managers, Notes: "the attendance as CSV (audit logged)"},
	{Action: "attendance.fix:{code}", Want: managers, Notes: "searches a registrant to correct their attendance"},
	{Action: "attendance.person:{code}:4", Want: managers, Notes: "a registrant's attendance and the corrections"},
	{Action: "attendance.set:{code}:4:p", Want: managers, Mutates: true, Notes: "corrects a registrant's attendance (audit logged)"},
	{Action: "attendance.sessions:{code}", Want: managers, Notes: "attendance per agenda session: the counts, a list per session"},
	{Action: "attendance.session:{code}:s00000001", Want: managers, Notes: "a session's list with a toggle per person"},
	{Action: "attendance.mark:{code}:s00000001:4:p", Want: managers, Notes: "marks someone at a session, or not (audit logged)"},
	{Action: "attendance.s_find:{code}:s00000001", Want: managers, Notes: "searches a registrant to mark at a session"},
	// Certificates of attendance.
	{Action: "certificates.team:{code}", Want: managers, Notes: "how many attendees have their certificate"},
	{Action: "certificates.send_all:{code}", Want: managers, Notes: "sends every attendee their certificate once the workshop ended (queued jobs; audit logged)"},
	// Post-event surveys and what the forum learns.
	{Action: "/survey", Want: facRole, Notes: "lists own workshops only (chapter admin: the chapter's; admin: all)"},
	{Action: "/insights", Want: facRole, Notes: "the funnel over own workshops (chapter admin: the chapter's; admin: the whole forum), last 12 months"},
	{Action: "surveys.manage:{code}", Want: managers, Notes: "the survey's questions and how many answered"},
	{Action: "surveys.edit:{code}", Want: managers, Notes: "writes the survey (refused once anyone answered; saving audit logged)"},
	{Action: "surveys.results:{code}", Want: managers, Notes: "counts, averages, comments, chart and table (names only of those who agreed; audit logged)"},
	{Action: "surveys.funnel:{code}", Want: managers, Notes: "registered → attended → answered → commitments made → done, no-show rate"},
	// Follow-up.
	{Action: "followup.collect:{code}", Want: managers, Notes: "invites attendees to add commitments"},
	{Action: "followup.checkins:{code}", Want: managers, Mutates: true, Notes: "check-in interval"},
	{Action: "/report", Want: facRole, Notes: "lists own workshops only (admin: all, plus the forum summary)"},
	{Action: "followup.report:{code}", Want: managers, Notes: "workshop report"},
	{Action: "followup.report:{code}:chat", Want: managers, Notes: "workshop report posted in its facilitators' chats"},
	{Action: "followup.forum_report:all", Want: adminOnly, Notes: "forum-wide summary, with each chapter's counts side by side"},
	{Action: "followup.forum_report:{chA}", Want: chapterAOnly, Notes: "chapter A's summary: its workshops only"},
	{Action: "followup.commit:{code}", Want: managers, Refusal: "cm.not_participant", Notes: "write a commitment: registrants and managers"},
	{Action: "followup.update:{code}:{cm}", Want: nobody, Notes: "status prompt: the owner only"},
	{Action: "followup.status:{code}:{cm}:done", Want: nobody, Notes: "set status: the owner only"},
	{Action: "followup.owner_answer:{code}:{cmp}:y", Want: nobody, Notes: "accept a proposed commitment: the named owner only"},
	{Action: "followup.owner_answer:{code}:{cmp}:n", Want: nobody, Notes: "decline a proposed commitment: the named owner only"},
	// Registration.
	{Action: "registration.leave:{code}", Want: everyone, Notes: "only asks to confirm"},
	{Action: "registration.leave_yes:{code}", Want: nobody, Refusal: "ws.not_registered", Notes: "acts on the presser's own registration only"},
	{Action: "registration.answers:{code}", Want: nobody, Refusal: "ws.not_registered", Notes: "change one's answers to the form: one's own registration only"},
	{Action: "registration.accept:{code}", Want: nobody, Refusal: "ws.offer_gone", Notes: "accept an offered seat: the person offered only"},
	{Action: "registration.decline:{code}", Want: nobody, Refusal: "ws.offer_gone", Notes: "decline an offered seat: the person offered only"},
	{Action: "registration.feedback:{code}:5", Want: nobody, Refusal: "fb.not_attended", Notes: "feedback: checked-in registrants only"},
	{Action: "agenda.choose:{code}", Want: nobody, Refusal: "agenda.not_confirmed", Notes: "choose sessions: confirmed registrants only"},
	{Action: "agenda.join:{code}:s00000001", Want: nobody, Refusal: "agenda.not_confirmed", Notes: "sign up for a session: confirmed registrants only"},
	{Action: "agenda.leave:{code}:s00000001", Want: nobody, Refusal: "agenda.not_confirmed", Notes: "leave a session: one's own seat only"},
	{Action: "agenda.ics:{code}", Want: nobody, Refusal: "agenda.not_confirmed", Notes: "the calendar with one's sessions: confirmed registrants only"},
	{Action: "attendance.here:{code}", Want: nobody, Refusal: "attn.here_none", Notes: "“I'm here” at one's sessions open now: one's own sign-ups only"},
	{Action: "registration.join_as:{code}:online", Want: everyone, Notes: "register in a mode of a hybrid workshop (one list: as registration.join)"},
	{Action: "registration.switch:{code}:online:g", Want: nobody, Refusal: "ws.not_registered", Notes: "switch on site / online: one's own registration of a hybrid workshop only"},
	// Matchmaking.
	{Action: "matchmaking.accept:{intro}", Want: nobody, Notes: "accept: the addressee only"},
	{Action: "matchmaking.decline:{intro}", Want: nobody, Notes: "decline: the addressee only"},
	{Action: "matchmaking.withdraw:{intro}", Want: nobody, Notes: "withdraw: the requester only"},
	// Broadcasts.
	{Action: "/broadcast", Want: scopedAdmins, Notes: "a chapter admin's broadcast goes to their chapter's members only"},
	{Action: "core.menu:broadcast", Want: scopedAdmins, Notes: "menu button"},
	{Action: "/broadcasts", Want: scopedAdmins, Notes: "a chapter admin sees their chapter's broadcasts only"},
	{Action: "broadcast.cancel:{bc}", Want: adminOnly, Mutates: true, Notes: "cancels a scheduled broadcast to everyone"},
	{Action: "broadcast.cancel:{bca}", Want: chapterAOnly, Mutates: true, Notes: "cancels a scheduled broadcast of chapter A"},
	{Action: "/broadcast → chats: {lkA}", Offer: "{lkA}", Want: chapterAOnly, Notes: "posts the broadcast in chapter A's linked group as well"},
	{Action: "/broadcast → chats: {lkWA}", Offer: "{lkWA}", Want: chapterAOnly, Notes: "in the linked group of a workshop of chapter A"},
	{Action: "/broadcast → chats: {lkB}", Offer: "{lkB}", Want: chapterBOnly, Notes: "in chapter B's linked group"},
	{Action: "/broadcast → chats: {link}", Offer: "{link}", Want: adminOnly, Notes: "in the forum's announcement channel (national)"},
	// Chapters.
	{Action: "/chapters", Want: adminOnly, Notes: "chapters with member counts"},
	{Action: "core.menu:chapters", Want: adminOnly, Notes: "menu button"},
	{Action: "chapters.new:go", Want: adminOnly, Notes: "starts creating a chapter"},
	{Action: "chapters.invite:{chA}", Want: adminOnly, Mutates: true, Notes: "creates a one-time chapter-admin invitation"},
	{Action: "chapters.admins:{chA}", Want: adminOnly, Notes: "a chapter's admins"},
	{Action: "chapters.remove:{chA}:14", Want: adminOnly, Mutates: true, Notes: "removes a chapter admin"},
	{Action: "chapters.edit:{chA}", Want: adminOnly, Notes: "starts renaming a chapter and changing its provinces"},
	{Action: "chapters.delete:{chA}", Want: adminOnly, Notes: "asks to confirm deleting a chapter"},
	{Action: "chapters.del_yes:{chA}", Want: adminOnly, Mutates: true, Notes: "deletes a chapter: its workshops become national, its admins lose it"},
	{Action: "chapters.leave:{chA}", Want: everyone, Notes: "leaves a chapter the actor joined by link (their own membership only)"},
	// Audit trail.
	{Action: "/audit", Want: adminOnly, Notes: "recent privileged actions"},
	{Action: "audit.export:csv", Want: adminOnly, Notes: "audit trail export"},
	// Linked groups and channels.
	{Action: "/linkgroup", Want: facRole, Group: true, Notes: "offers what to link the group as; the actor must also administer the Telegram group"},
	{Action: "groups.link:f", Want: facRole, Group: true, Mutates: true, Notes: "links the group for forum announcements"},
	{Action: "groups.link:w:{code}", Want: managers, Group: true, Mutates: true, Notes: "links the group to a workshop the actor manages"},
	{Action: "groups.link:c:{chA}", Want: chapterAOnly, Group: true, Mutates: true, Notes: "links the group to chapter A (its admins, and admins)"},
	{Action: "/groups", Want: adminOnly, Notes: "lists linked chats"},
	{Action: "groups.unlink:{link}", Want: adminOnly, Mutates: true, Notes: "unlinks a chat"},
	{Action: "/linkchannel @kanalforum", Want: adminOnly, Notes: "links a channel the bot and the actor administer"},
	{Action: "/announce", Want: facRole, Notes: "lists the actor's workshops to announce"},
	{Action: "groups.announce:{code}", Want: managers, Notes: "offers the linked chats for the workshop's card"},
	{Action: "groups.post:{code}:{link}", Want: managers, Mutates: true, Notes: "posts the workshop's live card in a linked chat"},
	// The dashboard (Mini App): its API is authorised by the same rules, see docs/authorization-api.md.
	{Action: "/dashboard", Want: facRole, Refusal: "dashboard.not_for_you", Notes: "opens the dashboard (Mini App) and sets the menu button; participants are refused politely"},
}

// authzGroup is the group chat of the Group rows.
const authzGroup = -1002000000077

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
		Facilitators: []int64{flowstest.AdminID, actOwnFac}, CreatedBy: flowstest.AdminID, Created: h.Now, Chapter: chapterA}
	must(h.Store.CreateWorkshop(ctx, w))
	other := *w
	other.Code, other.Title, other.Facilitators, other.CreatedBy, other.Chapter = flows.NewCode(), "Workshop lain", []int64{actOtherFac}, actOtherFac, ""
	must(h.Store.CreateWorkshop(ctx, &other))
	for _, id := range []int64{actOtherFac, actOwnFac, actRemovedFac} {
		must(h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", Role: flows.RoleFacilitator, FirstName: "User"}))
	}
	// The removed co-facilitator joined the team and was taken off it.
	must(h.Store.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "removed", Workshop: w.Code, By: flowstest.AdminID, Created: h.Now, Expires: h.Now.Add(time.Hour)}))
	_, err := h.Store.JoinTeam(ctx, w.Code, "removed", actRemovedFac, h.Now)
	must(err)
	must(h.Store.RemoveFromTeam(ctx, w.Code, actRemovedFac))
	// An invitation to the workshop.
	must(h.Store.CreateWorkshopInvite(ctx, &flows.WorkshopInvite{Token: "winvOpenAAAAAAAAAAAAAA", Workshop: w.Code, Quota: 1, By: flowstest.AdminID, Created: h.Now}))
	// An invitation to the team not used yet.
	must(h.Store.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tinvOpen", Workshop: w.Code, By: flowstest.AdminID, Created: h.Now, Expires: h.Now.Add(30 * 24 * time.Hour)}))
	must(h.Store.CreateChapter(ctx, &flows.Chapter{ID: chapterA, Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: h.Now}))
	must(h.Store.CreateChapter(ctx, &flows.Chapter{ID: chapterB, Name: "Bali", Kind: flows.ChapterProvince, Provinces: []string{"BA"}, Created: h.Now}))
	for id, ch := range map[int64]string{actChapterA: chapterA, actChapterB: chapterB} {
		must(h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", Role: flows.RoleFacilitator, FirstName: "Chapter", Chapter: ch}))
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
	if _, err := h.Store.LinkChat(ctx, &flows.ChatLink{Chat: -1002000000078, Title: "Kanal", Type: "channel", Purpose: flows.PurposeForum,
		By: flowstest.AdminID, At: h.Now}); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*flows.ChatLink{
		{Chat: -1002000000081, Title: "Grup Jawa Barat", Type: "supergroup", Purpose: flows.PurposeChapter, Chapter: chapterA, By: flowstest.AdminID, At: h.Now},
		{Chat: -1002000000082, Title: "Grup Bali", Type: "supergroup", Purpose: flows.PurposeChapter, Chapter: chapterB, By: flowstest.AdminID, At: h.Now},
		{Chat: -1002000000083, Thread: 5, Title: "Peserta Flores", Type: "supergroup", Purpose: flows.PurposeWorkshop, Workshop: code, By: flowstest.AdminID, At: h.Now},
		{Chat: -1002000000084, Title: "Tim Flores", Type: "group", Purpose: flows.PurposeReports, Workshop: code, By: flowstest.AdminID, At: h.Now},
	} {
		if _, err := h.Store.LinkChat(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Store.CreateBroadcast(ctx, &flows.Broadcast{ID: "bc0002", By: actChapterA, FromChat: actChapterA, MessageID: 1,
		Segment: "in:" + chapterA + ":all", Created: h.Now, StartAt: h.Now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return &authzFixture{h: h, vars: map[string]string{
		"{link}": "-1002000000078:0", "{code}": code, "{other}": other.Code, "{cm}": "c1", "{cmp}": "c2", "{intro}": in.ID, "{bc}": "bc0001", "{bca}": "bc0002", "{token}": tokens[4], "{tinv}": "tinvOpen", "{winv}": "winvOpenAAAAAAAAAAAAAA",
		"{chA}": chapterA, "{lkA}": "-1002000000081:0", "{lkB}": "-1002000000082:0", "{lkWA}": "-1002000000083:5",
	}}
}

func (f *authzFixture) fill(s string) string {
	for k, v := range f.vars {
		s = strings.ReplaceAll(s, k, v)
	}
	return s
}

func (f *authzFixture) run(a actor, action string, group bool) *flows.Result {
	if group {
		in := flows.Input{ChatID: authzGroup, ChatTitle: "Forum", ChatType: "supergroup", Kind: flows.KindCallback, Callback: action, MessageID: 42,
			Member: &flows.ChatMember{Chat: authzGroup, Title: "Forum", Type: "supergroup", UserStatus: "administrator", BotStatus: "administrator", BotCanPost: true}}
		if strings.HasPrefix(action, "/") {
			cmd, args, _ := strings.Cut(action[1:], " ")
			in.Kind, in.Text, in.Command, in.Args, in.Callback = flows.KindCommand, action, cmd, args, ""
		}
		return f.h.Send(a.id, in)
	}
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
			if row.Offer != "" {
				t.Run(row.Action+"/"+a.title, func(t *testing.T) { checkOffer(t, row, i, a) })
				continue
			}
			t.Run(row.Action+"/"+a.title, func(t *testing.T) { checkAuthz(t, row, i, a, row.Action) })
		}
	}
}

// checkOffer walks /broadcast as actor a (the i-th) to the step "chats":
// allowed, the row's linked chat is offered, ticked and posted in once the
// broadcast is sent; refused, /broadcast is refused or the chat is not
// offered, and a broadcast sent with every chat offered ticked does not
// post there.
func checkOffer(t *testing.T, row authzRow, i int, a actor) {
	t.Helper()
	f := newAuthzFixture(t)
	c, th, _ := strings.Cut(f.fill(row.Offer), ":")
	want := flows.ChatTarget{}
	want.Chat, _ = strconv.ParseInt(c, 10, 64)
	want.Thread, _ = strconv.Atoi(th)
	h, ctx := f.h, context.Background()
	res := h.Text(a.id, "/broadcast")
	if refusedWith(res, "errors.not_allowed") {
		if row.Want[i] == allow {
			t.Fatalf("/broadcast refused to %s", a.title)
		}
		return
	}
	res = h.Text(a.id, "Rapat kerja")
	res = h.Press(a.id, flowstest.ButtonData(t, res, "bc.no_english"))
	res = h.Press(a.id, flowstest.ButtonData(t, res, "bc.seg.all"))
	offered := false
	if slices.Contains(flowstest.IDs(res), "bc.ask_chats") {
		ask := res.Replies[len(res.Replies)-1]
		var ticks []string
		done := ""
		for _, r := range ask.Buttons {
			b := r[0]
			if b.Label.ID == "bc.chats_done" {
				done = b.Data
				continue
			}
			ticks = append(ticks, b.Data)
			title, _ := b.Label.Data["Title"].(string)
			thread, _ := b.Label.Data["Thread"].(int)
			links, err := h.Store.ChatLinks(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range links {
				if l.Title == title && l.Thread == thread && l.Chat == want.Chat && l.Thread == want.Thread {
					offered = true
				}
			}
		}
		for _, d := range ticks {
			h.Press(a.id, d)
		}
		res = h.Press(a.id, done)
	}
	if offered != (row.Want[i] == allow) {
		t.Fatalf("%s offered to %s: %v, want %v", row.Offer, a.title, offered, row.Want[i] == allow)
	}
	sendNow := ""
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label.ID == "bc.send_now" {
					sendNow = b.Data
				}
			}
		}
	}
	if sendNow == "" {
		if row.Want[i] == allow {
			t.Fatalf("no Send now for %s: %v", a.title, flowstest.IDs(res))
		}
		return
	}
	h.Press(a.id, sendNow)
	bs, err := h.Store.RecentBroadcasts(ctx, 10)
	bs = slices.DeleteFunc(bs, func(b *flows.Broadcast) bool { return b.ID == f.vars["{bc}"] || b.ID == f.vars["{bca}"] })
	if err != nil || len(bs) != 1 || bs[0].By != a.id {
		t.Fatalf("the broadcast of %s: %+v %v", a.title, bs, err)
	}
	if slices.Contains(bs[0].Chats, want) != (row.Want[i] == allow) {
		t.Fatalf("the broadcast of %s posts in %+v", a.title, bs[0].Chats)
	}
}

// checkAuthz tries row's action, as written in action, by actor a (the i-th).
func checkAuthz(t *testing.T, row authzRow, i int, a actor, action string) {
	t.Helper()
	f := newAuthzFixture(t)
	action = f.fill(action)
	before := f.h.Store.Snapshot(t)
	res := f.run(a, action, row.Group)
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
	if (a.id == actOtherFac || a.id == actRemovedFac) && !strings.Contains(row.Action, "{code}") && mentions(res, f.vars["{code}"]) {
		t.Fatalf("%s shows another facilitator's workshop to %s", action, a.title)
	}
}

// The owner-only buttons do work for their owner (so the refusals above are
// about who presses, not about broken payloads).
func TestAuthorizationOwnersAllowed(t *testing.T) {
	for _, c := range []struct {
		who    int64
		action string
	}{
		{2, "followup.update:{code}:{cm}"}, {2, "followup.status:{code}:{cm}:done"}, {2, "followup.owner_answer:{code}:{cmp}:y"}, {2, "followup.owner_answer:{code}:{cmp}:n"},
		{2, "registration.leave_yes:{code}"}, {2, "registration.feedback:{code}:5"}, {2, "followup.commit:{code}"},
		{2, "agenda.choose:{code}"}, {2, "agenda.ics:{code}"},
		{3, "matchmaking.accept:{intro}"}, {3, "matchmaking.decline:{intro}"}, {2, "matchmaking.withdraw:{intro}"},
	} {
		t.Run(c.action, func(t *testing.T) {
			f := newAuthzFixture(t)
			action := f.fill(c.action)
			res := f.run(actor{id: c.who}, action, false)
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
	b.WriteString("`errors.not_allowed`; workshop buttons additionally require being on the workshop's team,\n")
	b.WriteString("an admin of its chapter, or an admin, and the team's own buttons (invite, remove, hand over)\n")
	b.WriteString("being its owner (or an admin; in the fixture the admin owns the team); owner-only buttons\n")
	b.WriteString("check the owner on every press. A member removed from the team is refused at once. What a\n")
	b.WriteString("chapter admin may do outside workshops is limited to their chapter. A refused action changes\n")
	b.WriteString("nothing in the store.\n\n")
	b.WriteString("Placeholders: `{code}` the workshop, `{cm}` someone else's commitment, `{cmp}` a commitment\n")
	b.WriteString("proposed to someone else, `{intro}` an introduction between two other people, `{bc}` a\n")
	b.WriteString("scheduled broadcast to everyone, `{bca}` one of chapter A's admin to chapter A, `{token}` another\n")
	b.WriteString("participant's check-in token, `{chA}` chapter A, which the workshop belongs to, `{link}` a\n")
	b.WriteString("linked chat (the forum's announcement channel), `{lkA}` and `{lkB}` chapter A's and chapter B's\n")
	b.WriteString("linked groups, `{lkWA}` the linked group of the workshop (chapter A's). A chapter admin is a\n")
	b.WriteString("facilitator who administers a chapter: its workshops, broadcasts to its members. A group action\n")
	b.WriteString("is taken in a group the actor administers on Telegram (checked with getChatMember), so only the\n")
	b.WriteString("Sinergi role decides. A flow step is a choice inside a flow: the linked chat is offered in\n")
	b.WriteString("`/broadcast`'s step \"chats\" and the broadcast is posted there (allowed), or it is neither.\n\n")
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
		switch {
		case r.Offer != "":
			kind = "flow step"
		case r.isCommand():
			kind = "command"
		}
		if r.Group {
			kind = "group " + kind
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
	for name, role := range h.E.GroupCommandRoles() {
		if role > flows.RoleParticipant && !covered[name] {
			missing = append(missing, "/"+name+" (group)")
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
