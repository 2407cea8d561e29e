package agenda_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func newHarness(t *testing.T) *flowstest.Harness { return flowstest.New(t, flowstest.AllModules) }

// addSession walks the team's "add a session" flow; room "" is skipped,
// capacity "" is plenary.
func addSession(t *testing.T, h *flowstest.Harness, code, title, start, end, room, capacity string) {
	t.Helper()
	res := h.Press(flowstest.AdminID, "agenda.add:"+code)
	flowstest.WantIDs(t, res, "agenda.ask_title")
	res = h.Text(flowstest.AdminID, title)
	flowstest.WantIDs(t, res, "agenda.ask_start")
	res = h.Text(flowstest.AdminID, start)
	flowstest.WantIDs(t, res, "agenda.ask_end")
	res = h.Text(flowstest.AdminID, end)
	flowstest.WantIDs(t, res, "agenda.ask_room")
	if room == "" {
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "agenda.skip"))
	} else {
		res = h.Text(flowstest.AdminID, room)
	}
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "agenda.skip")) // speaker
	if capacity == "" {
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "agenda.plenary"))
	} else {
		res = h.Text(flowstest.AdminID, capacity)
	}
	if ids := flowstest.IDs(res); !slices.Contains(ids, "agenda.saved") || ids[len(ids)-1] != "agenda.card" {
		t.Fatalf("saving session %q: %v", title, ids)
	}
}

// sessionID is the id of the session titled title.
func sessionID(t *testing.T, h *flowstest.Harness, code, title string) string {
	t.Helper()
	ss, err := h.Store.Sessions(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Title == title {
			return s.ID
		}
	}
	t.Fatalf("no session %q in %+v", title, ss)
	return ""
}

// registered registers uid (profile given) in their language and returns
// the replies of the registration.
func registered(t *testing.T, h *flowstest.Harness, code string, uid int64, lang string) *flows.Result {
	t.Helper()
	if err := h.Store.SaveProfile(context.Background(), &flows.Profile{UserID: uid, FullName: "Peserta " + string(rune('A'+uid)), Organisation: "Org",
		ConsentVersion: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	h.Send(uid, flows.Input{Kind: flows.KindCommand, Command: "start", LangCode: lang})
	return h.Press(uid, "registration.join:"+code)
}

func lastText(res *flows.Result) flows.Text { return res.Replies[len(res.Replies)-1].Text }

// The agenda end to end in the engine, in both languages: the team adds
// sessions (times outside the workshop, an end before the start and a
// bad capacity refused, each with its message, and the question asked
// again); a confirmed registrant is invited to choose; a full session and
// an overlapping one are refused, the overlap naming the session chosen;
// a capacity below those signed up is refused; the card and /mine show
// the agenda; the team lists and exports a session; removing a session
// with sign-ups asks first and tells those signed up; the reminder comes
// 15 minutes before a chosen session and not to someone who cancelled;
// the calendar holds the plenary and the chosen sessions.
func TestAgenda(t *testing.T) {
	for _, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			ctx := context.Background()
			h := newHarness(t)
			code := flowstest.CreateWorkshop(t, h, "0") // 10/12/2026 09:00–12:00 WITA

			// Bad input in the flow.
			h.Press(flowstest.AdminID, "agenda.add:"+code)
			h.Text(flowstest.AdminID, "Diskusi A")
			res := h.Text(flowstest.AdminID, "08:00")
			flowstest.WantIDs(t, res, "agenda.err_outside", "agenda.ask_start")
			res = h.Text(flowstest.AdminID, "11/12/2026 10:00")
			flowstest.WantIDs(t, res, "agenda.err_outside", "agenda.ask_start")
			h.Text(flowstest.AdminID, "10:00")
			res = h.Text(flowstest.AdminID, "09:30")
			flowstest.WantIDs(t, res, "agenda.err_end_before_start", "agenda.ask_end")
			res = h.Text(flowstest.AdminID, "12:30")
			flowstest.WantIDs(t, res, "agenda.err_outside", "agenda.ask_end")
			res = h.Text(flowstest.AdminID, "11:00")
			res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "agenda.skip"))
			res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "agenda.skip"))
			flowstest.WantIDs(t, res, "(clear buttons)", "agenda.ask_capacity")
			res = h.Text(flowstest.AdminID, "banyak")
			flowstest.WantIDs(t, res, "agenda.err_capacity", "agenda.ask_capacity")
			res = h.Text(flowstest.AdminID, "2")
			flowstest.WantIDs(t, res, "agenda.saved", "agenda.card")

			addSession(t, h, code, "Pleno pembukaan", "09:00", "10:00", "Aula", "")
			addSession(t, h, code, "Diskusi B", "10:30", "11:30", "Ruang 2", "5")
			addSession(t, h, code, "Diskusi C", "11:00", "12:00", "Ruang 3", "5")
			a, b, c := sessionID(t, h, code, "Diskusi A"), sessionID(t, h, code, "Diskusi B"), sessionID(t, h, code, "Diskusi C")

			res = registered(t, h, code, 2, lang)
			if ids := flowstest.IDs(res); ids[len(ids)-1] != "agenda.choose_prompt" {
				t.Fatalf("after the confirmation: %v, want the invitation to choose", ids)
			}
			registered(t, h, code, 3, lang)
			registered(t, h, code, 4, lang)

			res = h.Press(2, flowstest.ButtonData(t, res, "agenda.btn_choose"))
			flowstest.WantIDs(t, res, "agenda.choose")
			res = h.Press(2, "agenda.join:"+code+":"+a)
			flowstest.WantIDs(t, res, "agenda.joined", "agenda.choose")
			h.Press(3, "agenda.join:"+code+":"+a)
			res = h.Press(4, "agenda.join:"+code+":"+a)
			flowstest.WantIDs(t, res, "agenda.err_session_full", "agenda.choose")
			res = h.Press(2, "agenda.join:"+code+":"+b)
			flowstest.WantIDs(t, res, "agenda.err_overlap")
			if d := res.Replies[0].Text.Data; d["Other"] != "Diskusi A" || d["Session"] != "Diskusi B" {
				t.Fatalf("the overlap names %v", d)
			}
			if h.Render(lang, res.Replies[0].Text) == "" {
				t.Fatal("the overlap message renders empty")
			}
			flowstest.WantIDs(t, h.Press(2, "agenda.join:"+code+":"+c), "agenda.joined", "agenda.choose")
			flowstest.WantIDs(t, h.Press(3, "agenda.join:"+code+":"+c), "agenda.joined", "agenda.choose")
			res = h.Press(99, "agenda.join:"+code+":"+c) // not registered
			flowstest.Alert(t, res, "agenda.not_confirmed")

			// A capacity below those signed up is refused.
			res = h.Press(flowstest.AdminID, "agenda.edit:"+code+":"+a)
			for _, keep := range []string{"flow.keep", "flow.keep", "flow.keep", "agenda.skip", "agenda.skip"} { // title, times; no room, no speaker
				res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, keep))
			}
			res = h.Text(flowstest.AdminID, "1")
			flowstest.WantIDs(t, res, "agenda.err_below", "agenda.ask_capacity")

			// The card and /mine show the agenda.
			res = h.Press(2, "registration.show:"+code)
			if got := lastText(res); got.ID != "agenda.card_with" {
				t.Fatalf("card %v", flowstest.IDs(res))
			}
			if s := h.Rendered(lang, res); !containsAll(s, "Pleno pembukaan", "Diskusi A", "Diskusi C", "Aula") {
				t.Fatalf("the card lacks the agenda:\n%s", s)
			}
			res = h.Text(2, "/mine")
			if s := h.Rendered(lang, res); !containsAll(s, "Pleno pembukaan", "Diskusi A", "Diskusi C") || containsAll(s, "Diskusi B") {
				t.Fatalf("/mine shows not the sessions chosen:\n%s", s)
			}

			// The team's list and export of a session.
			res = h.Press(flowstest.AdminID, "agenda.list:"+code+":"+a)
			if got := lastText(res); got.ID != "agenda.list" || len(got.Data["Lines"].([]flows.Text)) != 2 {
				t.Fatalf("list %+v", got)
			}
			res = h.Press(flowstest.AdminID, "agenda.export:"+code+":"+c)
			if tb := res.Replies[0].Table; tb == nil || len(tb.Rows) != 2 || tb.Rows[0][3] != "Peserta C" {
				t.Fatalf("export %+v", res.Replies[0].Table)
			}

			// Reminders: 15 minutes before each chosen session.
			start, err := h.Store.Sessions(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			var cStart time.Time
			for _, s := range start {
				if s.ID == c {
					cStart = s.Start
				}
			}
			jobC2, jobC3 := flows.SessionJobID(code, c, 2), flows.SessionJobID(code, c, 3)
			if due := h.Store.JobDue(jobC3); !due.Equal(cStart.Add(-15 * time.Minute)) {
				t.Fatalf("reminder of C due %v, want %v", due, cStart.Add(-15*time.Minute))
			}

			// Removing a session with sign-ups asks, then tells them.
			res = h.Press(flowstest.AdminID, "agenda.delete:"+code+":"+a)
			flowstest.WantIDs(t, res, "agenda.delete_confirm")
			res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "agenda.delete_yes"))
			var told []int64
			for _, r := range res.Replies {
				if r.Text.ID == "agenda.removed_told" {
					told = append(told, r.ChatID)
				}
			}
			if !slices.Equal(told, []int64{2, 3}) {
				t.Fatalf("told of the removal: %v (%v)", told, flowstest.IDs(res))
			}
			if h.Store.HasJob(flows.SessionJobID(code, a, 2)) {
				t.Fatal("the reminder of a removed session stays")
			}

			// 2 cancels: the seat of C frees, and the reminder says nothing.
			h.Press(2, "registration.leave_yes:"+code)
			if err := h.Store.SignUp(ctx, code, c, 4); err != nil {
				t.Fatalf("the seat 2 held: %v", err)
			}
			at := cStart.Add(-15 * time.Minute)
			replies, err := h.E.RunJob(ctx, flows.Job{ID: jobC2, Due: at}, at)
			if err != nil || len(replies) != 0 {
				t.Fatalf("reminder after cancelling: %v, %v", replies, err)
			}
			replies, err = h.E.RunJob(ctx, flows.Job{ID: jobC3, Due: at}, at)
			if err != nil || len(replies) != 1 || replies[0].ChatID != 3 || replies[0].Text.ID != "agenda.reminder" || replies[0].Lang != lang {
				t.Fatalf("reminder of 3: %+v, %v", replies, err)
			}
			if s := h.Render(lang, replies[0].Text); !containsAll(s, "Diskusi C", "Ruang 3") {
				t.Fatalf("reminder %q", s)
			}

			// The workshop moved a day later: the team's card flags the sessions left behind.
			w, err := h.Store.GetWorkshop(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			moved := *w
			moved.Start, moved.End = w.Start.Add(24*time.Hour), w.End.Add(24*time.Hour)
			if _, err := h.Store.UpdateWorkshop(ctx, &moved); err != nil {
				t.Fatal(err)
			}
			res = h.Press(flowstest.AdminID, "agenda.manage:"+code)
			if lines := lastText(res).Data["Lines"].([]flows.Text); lines[len(lines)-1].ID != "agenda.outside_note" {
				t.Fatalf("the card of a moved workshop: %+v", lines)
			}
			if _, err := h.Store.UpdateWorkshop(ctx, w); err != nil {
				t.Fatal(err)
			}
			res = h.Press(flowstest.AdminID, "agenda.manage:"+code)
			if lines := lastText(res).Data["Lines"].([]flows.Text); lines[len(lines)-1].ID == "agenda.outside_note" {
				t.Fatalf("the card flags sessions within the workshop: %+v", lines)
			}

			// The calendar: the workshop, the plenary and the chosen session.
			res = h.Press(3, "agenda.ics:"+code)
			inv := res.Replies[0].Calendar
			if inv == nil || len(inv.Sessions) != 2 || inv.Sessions[0].Title != "Pleno pembukaan" || inv.Sessions[1].ID != c {
				t.Fatalf("calendar %+v", inv)
			}
		})
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !contains(s, p) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// invitedTo is whether replies hold the invitation to choose sessions of
// code for chat, in its language and in bulk when it is someone else's.
func invitedTo(replies []flows.Reply, code string, chat int64, lang string) bool {
	for _, r := range replies {
		if r.Text.ID == "agenda.choose_prompt" && r.ChatID == chat && r.Lang == lang && r.Bulk == (chat != 0) &&
			len(r.Buttons) == 1 && r.Buttons[0][0].Data == "agenda.choose:"+code {
			return true
		}
	}
	return false
}

// Someone reaching a confirmed seat from the waiting list is invited to
// choose their sessions as one confirmed at once is, in their own chat and
// language whoever's turn or job confirmed them: moved up at once
// (automatic promotion) when a seat frees, accepting a seat offered, and
// approved by the team.
func TestAgendaInvitesThoseConfirmedLater(t *testing.T) {
	setup := func(t *testing.T) (*flowstest.Harness, string) {
		h := newHarness(t)
		code := flowstest.CreateWorkshop(t, h, "1")
		addSession(t, h, code, "Diskusi A", "10:00", "11:00", "", "5")
		return h, code
	}
	t.Run("promoted", func(t *testing.T) {
		h, code := setup(t)
		flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.promotion:"+code), "ws.manage_card")
		registered(t, h, code, 2, "id")
		registered(t, h, code, 3, "en")
		res := h.Press(2, "registration.leave_yes:"+code)
		if !invitedTo(res.Replies, code, 3, "en") {
			t.Fatalf("user 3 moved up by user 2's leaving: %v, want the invitation to choose in their chat", flowstest.IDs(res))
		}
	})
	t.Run("offer", func(t *testing.T) {
		h, code := setup(t)
		registered(t, h, code, 2, "id")
		registered(t, h, code, 3, "en")
		flowstest.WantIDs(t, h.Press(2, "registration.leave_yes:"+code), "(clear buttons)", "ws.unregistered", "ws.offer")
		res := h.Press(3, "registration.accept:"+code)
		if !invitedTo(res.Replies, code, 0, "") {
			t.Fatalf("accepting the offer: %v, want the invitation to choose", flowstest.IDs(res))
		}
	})
	t.Run("approval", func(t *testing.T) {
		h, code := setup(t)
		flowstest.WantIDs(t, h.Press(flowstest.AdminID, "workshops.approval:"+code), "ws.manage_card")
		flowstest.WantIDs(t, registered(t, h, code, 2, "en"), "ws.pending_request")
		res := h.Press(flowstest.AdminID, "registration.approve:"+code+":2")
		if !invitedTo(res.Replies, code, 2, "en") {
			t.Fatalf("approving user 2: %v, want the invitation to choose in their chat", flowstest.IDs(res))
		}
	})
}

// Editing a parallel session's time onto another session someone signed
// up for it chose releases their seat in the edited one: they are told in
// their language (with a button to choose again), their reminder of it
// goes, the team is told how many, and the others keep their seat.
func TestAgendaEditedTimeReleasesOverlaps(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "0") // 10/12/2026 09:00–12:00 WITA
	addSession(t, h, code, "Diskusi A", "09:00", "10:00", "", "5")
	addSession(t, h, code, "Diskusi B", "10:30", "11:30", "", "5")
	a, b := sessionID(t, h, code, "Diskusi A"), sessionID(t, h, code, "Diskusi B")
	registered(t, h, code, 2, "en")
	registered(t, h, code, 3, "id")
	for _, p := range []struct {
		uid int64
		id  string
	}{{2, a}, {2, b}, {3, b}} {
		flowstest.WantIDs(t, h.Press(p.uid, "agenda.join:"+code+":"+p.id), "agenda.joined", "agenda.choose")
	}
	res := h.Press(flowstest.AdminID, "agenda.edit:"+code+":"+b)
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "flow.keep"))                   // title
	res = h.Text(flowstest.AdminID, "09:30")                                                // onto A; the end moves along, to 10:30
	for _, keep := range []string{"flow.keep", "agenda.skip", "agenda.skip", "flow.keep"} { // end, no room, no speaker, capacity
		res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, keep))
	}
	var told bool
	for _, r := range res.Replies {
		if r.ChatID == 3 && r.Text.ID == "agenda.moved_overlap" {
			t.Fatalf("user 3, who chose no other session, was told %v", flowstest.IDs(res))
		}
		if r.ChatID == 2 && r.Text.ID == "agenda.moved_overlap" && r.Lang == "en" && r.Buttons[0][0].Data == "agenda.choose:"+code {
			told = true
			if s := h.Render("en", r.Text); !strings.Contains(s, "Diskusi B") {
				t.Fatalf("the message to user 2: %q", s)
			}
		}
	}
	if !told {
		t.Fatalf("saving B onto A: %v, want user 2 told their seat in B was released", flowstest.IDs(res))
	}
	if ids := flowstest.IDs(res); !slices.Contains(ids, "agenda.released_overlap") {
		t.Fatalf("the team is not told: %v", ids)
	}
	for _, r := range res.Replies {
		if r.Text.ID == "agenda.released_overlap" && r.Text.Data["Count"] != 1 {
			t.Fatalf("the team's count %v", r.Text.Data)
		}
	}
	if mine, _ := h.Store.ChosenSessions(ctx, code, 2); !slices.Equal(mine, []string{a}) {
		t.Fatalf("user 2 holds %v, want only A", mine)
	}
	if mine, _ := h.Store.ChosenSessions(ctx, code, 3); !slices.Equal(mine, []string{b}) {
		t.Fatalf("user 3 holds %v, want B still", mine)
	}
	if h.Store.HasJob(flows.SessionJobID(code, b, 2)) || !h.Store.HasJob(flows.SessionJobID(code, b, 3)) {
		t.Fatal("user 2's reminder of B is still scheduled, or user 3's is not")
	}
}

// The workshop's export has a column per parallel session — its title,
// start and seats — marking who holds a seat there; plenary sessions,
// which nobody signs up for, have none.
func TestWorkshopExportHasSessionColumns(t *testing.T) {
	h := newHarness(t)
	code := flowstest.CreateWorkshop(t, h, "0") // 10/12/2026 09:00–12:00 WITA
	addSession(t, h, code, "Pleno", "09:00", "09:30", "Aula", "")
	addSession(t, h, code, "Diskusi A", "10:00", "11:00", "", "5")
	addSession(t, h, code, "Diskusi B", "10:30", "11:30", "", "20")
	a, b := sessionID(t, h, code, "Diskusi A"), sessionID(t, h, code, "Diskusi B")
	registered(t, h, code, 2, "id")
	registered(t, h, code, 3, "id")
	registered(t, h, code, 4, "id")
	h.Press(2, "agenda.join:"+code+":"+a)
	h.Press(3, "agenda.join:"+code+":"+b)
	tbl := h.Press(flowstest.AdminID, "workshops.export:"+code).Replies[0].Table
	if tbl == nil {
		t.Fatal("no table")
	}
	var headers []string
	for _, c := range tbl.Columns {
		headers = append(headers, c.Header)
	}
	ia, ib := slices.Index(headers, "Diskusi A (10/12 10:00, 5)"), slices.Index(headers, "Diskusi B (10/12 10:30, 20)")
	if ia < 0 || ib != ia+1 || slices.ContainsFunc(headers, func(h string) bool { return strings.HasPrefix(h, "Pleno") }) {
		t.Fatalf("headers %q: want a column for each parallel session, none for the plenary", headers)
	}
	want := map[int][2]string{0: {"✓", ""}, 1: {"", "✓"}, 2: {"", ""}} // users 2, 3, 4 in registration order
	if len(tbl.Rows) != 3 {
		t.Fatalf("%d rows", len(tbl.Rows))
	}
	for i, row := range tbl.Rows {
		if got := [2]string{row[ia].(string), row[ib].(string)}; got != want[i] {
			t.Fatalf("row %d (%v): sessions %q, want %q", i, row[0], got, want[i])
		}
	}
}

// A hybrid workshop: its online participants choose sessions as those on
// site do, and switching mode — confirmed in the other mode, where the
// sessions chosen before lapse — invites the person to choose again.
func TestAgendaHybridOnlineAndSwitch(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	code := flowstest.CreateHybridWorkshop(t, h, "5", "5")
	addSession(t, h, code, "Diskusi A", "10:00", "11:00", "", "5")
	a := sessionID(t, h, code, "Diskusi A")
	if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "Peserta", Organisation: "Org", ConsentVersion: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	h.Text(2, "/start")
	res := h.Press(2, "registration.join_as:"+code+":online")
	if !invitedTo(res.Replies, code, 0, "") {
		t.Fatalf("registered online: %v, want the invitation to choose", flowstest.IDs(res))
	}
	flowstest.WantIDs(t, h.Press(2, "agenda.join:"+code+":"+a), "agenda.joined", "agenda.choose")
	res = h.Press(2, "registration.switch:"+code+":onsite")
	if !invitedTo(res.Replies, code, 0, "") {
		t.Fatalf("switched on site: %v, want the invitation to choose again", flowstest.IDs(res))
	}
	if mine, err := h.Store.ChosenSessions(ctx, code, 2); err != nil || len(mine) != 0 {
		t.Fatalf("after the switch user 2 holds %v, %v; the sign-up lapses as in Redis (TestSwitchModeLapsesSignUps)", mine, err)
	}
}
