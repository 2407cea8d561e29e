package chapters_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

func newHarness(t *testing.T) *flowstest.Harness { return flowstest.New(t, flowstest.AllModules) }

// linkArg is the deep-link argument after prefix in the reply's Link.
func linkArg(t *testing.T, res *flows.Result, prefix string) string {
	t.Helper()
	for _, r := range res.Replies {
		if l, ok := r.Text.Data["Link"].(string); ok {
			if _, arg, ok := strings.Cut(l, "start="+prefix+"_"); ok {
				return arg
			}
		}
	}
	t.Fatalf("no %s link in %v", prefix, flowstest.IDs(res))
	return ""
}

// An admin creates a province chapter, invites its admin, who then manages
// it; members join by link or by their profile's province and see their
// chapters in /profile; the admin is removed again.
func TestChapterLifecycle(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	res := h.Text(flowstest.AdminID, "/chapters")
	flowstest.WantIDs(t, res, "chapters.none")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "chapters.new"))
	flowstest.WantIDs(t, res, "chapters.ask_name")
	res = h.Text(flowstest.AdminID, "FKTJSL Jawa Barat")
	flowstest.WantIDs(t, res, "chapters.ask_kind")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "chapters.kind.province"))
	flowstest.WantIDs(t, res, "(clear buttons)", "chapters.ask_provinces")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "Jawa Barat, Atlantis"), "chapters.province_unclear", "chapters.ask_provinces")
	res = h.Text(flowstest.AdminID, "Jawa Barat, Banten")
	flowstest.WantIDs(t, res, "chapters.created")
	id := linkArg(t, res, "chapter")
	c, err := h.Store.GetChapter(ctx, id)
	if err != nil || c.Name != "FKTJSL Jawa Barat" || c.Kind != flows.ChapterProvince || strings.Join(c.Provinces, ",") != "JB,BT" {
		t.Fatalf("stored chapter %+v, %v", c, err)
	}

	// Members: 2 by province, 3 by link, 4 in Bali is none.
	for uid, prov := range map[int64]string{2: "JB", 3: "BA", 4: "BA"} {
		if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "P", Organisation: "O", Sector: "ngo", Province: prov,
			ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		h.Text(uid, "/start")
	}
	flowstest.WantIDs(t, h.Text(3, "/start chapter_"+id), "chapters.joined")
	flowstest.WantIDs(t, h.Text(3, "/start chapter_zzzzzz"), "chapters.not_found")
	res = h.Text(flowstest.AdminID, "/chapters")
	flowstest.WantIDs(t, res, "chapters.list")
	line := res.Replies[0].Text.Data["Lines"].([]flows.Text)[0]
	if line.Data["Count"] != 2 {
		t.Fatalf("member count %v, want 2", line.Data["Count"])
	}
	for uid, want := range map[int64]bool{2: true, 3: true, 4: false} {
		res := h.Text(uid, "/profile")
		got := slices.Contains(flowstest.IDs(res), "profile.chapters")
		if got != want {
			t.Errorf("/profile of %d shows chapters: %v, want %v (%v)", uid, got, want, flowstest.IDs(res))
		}
		h.Text(uid, "/cancel")
	}

	// A chapter admin by invitation: a facilitator of the chapter's
	// workshops and broadcasts, not of /chapters.
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, h.Text(flowstest.AdminID, "/chapters"), "chapters.invite_button"))
	flowstest.WantIDs(t, res, "chapters.invite_link")
	token := linkArg(t, res, "chadmin")
	h.Text(5, "/start")
	res = h.Text(5, "/start chadmin_"+token)
	flowstest.WantIDs(t, res, "chapters.you_are_admin", "chapters.invite_used")
	if u, _ := h.Store.GetUser(ctx, 5); u.Chapter != id || u.Role != flows.RoleFacilitator {
		t.Fatalf("chapter admin record %+v", u)
	}
	flowstest.WantIDs(t, h.Text(6, "/start chadmin_"+token), "grant.invite_invalid")
	help := h.Text(5, "/help")
	lines := help.Replies[0].Text.Data["Commands"].([]flows.Text)
	var cmds []string
	for _, l := range lines {
		cmds = append(cmds, l.Data["Command"].(string))
	}
	if !slices.Contains(cmds, "/broadcast") || slices.Contains(cmds, "/chapters") {
		t.Errorf("chapter admin's /help: %v", cmds)
	}
	flowstest.WantIDs(t, h.Text(5, "/chapters"), "errors.not_allowed")
	menu := h.Text(5, "/menu")
	if !mentionsData(menu, flows.MenuData("broadcast")) || mentionsData(menu, flows.MenuData("chapters")) {
		t.Errorf("chapter admin's menu: %+v", menu.Replies[0].Buttons)
	}
	if menu := h.Text(flowstest.AdminID, "/menu"); !mentionsData(menu, flows.MenuData("chapters")) {
		t.Errorf("admin's menu has no chapters: %+v", menu.Replies[0].Buttons)
	}

	// Removed, they broadcast no more.
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, h.Text(flowstest.AdminID, "/chapters"), "chapters.admins_button"))
	flowstest.WantIDs(t, res, "chapters.admins")
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "chapters.remove_button"))
	flowstest.WantIDs(t, res, "chapters.removed", "chapters.you_are_removed")
	if u, _ := h.Store.GetUser(ctx, 5); u.Chapter != "" {
		t.Fatalf("removed chapter admin still %q", u.Chapter)
	}
	flowstest.WantIDs(t, h.Text(5, "/broadcast"), "errors.not_allowed")
}

// A forum without chapters works as before: no chapter line in /profile, no
// chapters in a facilitator's /help, broadcasts and menus as they were.
func TestNoChaptersAsBefore(t *testing.T) {
	h := newHarness(t)
	flowstest.FillProfile(t, h, 2, h.Text(2, "/profile"))
	res := h.Text(2, "/profile")
	flowstest.WantIDs(t, res, "profile.edit_intro", "profile.ask_name")
	h.Text(2, "/cancel")
	help := h.Text(flowstest.AdminID, "/help")
	var n int
	for _, l := range help.Replies[0].Text.Data["Commands"].([]flows.Text) {
		if l.Data["Command"] == "/chapters" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("admin's /help lists /chapters %d times", n)
	}
	for _, l := range h.Text(2, "/help").Replies[0].Text.Data["Commands"].([]flows.Text) {
		if l.Data["Command"] == "/chapters" || l.Data["Command"] == "/broadcast" {
			t.Errorf("a participant's /help lists %v", l.Data["Command"])
		}
	}
	// Reports: the forum summary alone, no chapter buttons.
	flowstest.CreateWorkshop(t, h, "10")
	res = h.Text(flowstest.AdminID, "/report")
	if n := len(res.Replies[0].Buttons); n != 2 { // the workshop, the forum summary
		t.Errorf("/report offers %d rows, want 2", n)
	}
	flowstest.WantIDs(t, h.Press(flowstest.AdminID, "followup.forum_report:all"), "rp.forum_text")
	// (CreateWorkshop went from the question straight to the summary: no chapter was asked.)
}

// A chapter admin's new workshop belongs to their chapter: the admin of
// another chapter cannot manage it, an admin can.
func TestChapterAdminWorkshopInChapter(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, c := range []string{"jabar2", "bdps22"} {
		if err := h.Store.CreateChapter(ctx, &flows.Chapter{ID: c, Name: c, Kind: flows.ChapterNetwork, Created: h.Now}); err != nil {
			t.Fatal(err)
		}
	}
	for id, c := range map[int64]string{5: "jabar2", 6: "bdps22"} {
		if err := h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", Role: flows.RoleFacilitator, FirstName: "K", Chapter: c}); err != nil {
			t.Fatal(err)
		}
	}
	h.Text(5, "/newworkshop")
	res := h.Text(5, "Musrenbang CSR Jawa Barat")
	res = h.Press(5, flowstest.ButtonData(t, res, "ws.skip_desc"))
	h.Press(5, flowstest.ButtonData(t, res, "ws.zone.WIB"))
	h.Text(5, "10/12/2026 09:00")
	h.Text(5, "12.00")
	h.Text(5, "Gedung Sate, Bandung")
	res = h.Text(5, "https://zoom.us/j/123")
	flowstest.WantIDs(t, h.Press(5, flowstest.ButtonData(t, res, "ws.format_single")), "(clear buttons)", "ws.ask_capacity")
	res = h.Text(5, "50")
	res = h.Press(5, flowstest.ButtonData(t, res, "ws.until_start"))
	res = h.Press(5, flowstest.ButtonData(t, res, "ws.skip_question"))
	res = h.Press(5, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.created")
	code := res.Replies[1].Text.Data["Code"].(string)
	w, err := h.Store.GetWorkshop(ctx, code)
	if err != nil || w.Chapter != "jabar2" {
		t.Fatalf("workshop %+v, %v", w, err)
	}
	flowstest.Alert(t, h.Press(6, "workshops.manage:"+code), "errors.not_allowed")
	if res := h.Press(flowstest.AdminID, "workshops.manage:"+code); res.Answer != nil && res.Answer.Alert {
		t.Fatalf("an admin cannot manage a chapter's workshop: %+v", res.Answer)
	}
}

// Reports per chapter: a chapter admin reads their chapter's summary (its
// workshops only) and not another's nor the forum's; a national admin reads
// each chapter's and the forum's, with the chapters' counts side by side.
func TestChapterReports(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []flows.Chapter{{ID: "jabar2", Name: "Jawa Barat"}, {ID: "bdps22", Name: "Bali"}} {
		c.Kind, c.Created = flows.ChapterNetwork, h.Now
		must(h.Store.CreateChapter(ctx, &c))
	}
	must(h.Store.SaveUser(ctx, &flows.User{ID: 5, Lang: "id", Role: flows.RoleFacilitator, FirstName: "K", Chapter: "jabar2"}))
	due := h.Now.Add(30 * 24 * time.Hour)
	for i, ws := range []struct{ title, chapter string }{{"Bandung", "jabar2"}, {"Denpasar", "bdps22"}, {"Jakarta", ""}} {
		w := &flows.Workshop{Code: flows.NewCode(), Title: ws.title, Start: due, End: due.Add(time.Hour), Zone: "Asia/Jakarta", Deadline: due,
			Facilitators: []int64{flowstest.AdminID}, CreatedBy: flowstest.AdminID, Created: h.Now, Chapter: ws.chapter}
		must(h.Store.CreateWorkshop(ctx, w))
		for j := range i + 1 { // 1, 2 and 3 commitments
			must(h.Store.SaveCommitment(ctx, &flows.Commitment{ID: "c" + strconv.Itoa(j), Workshop: w.Code, What: "x", Owner: 2, By: 2, Due: due,
				Status: flows.CmOpen, Created: h.Now}))
		}
	}
	res := h.Text(5, "/report")
	flowstest.WantIDs(t, res, "rp.which")
	if mentionsData(res, "followup.forum_report:all") || mentionsData(res, "followup.forum_report:bdps22") {
		t.Fatalf("a chapter admin is offered other summaries: %+v", res.Replies[0].Buttons)
	}
	res = h.Press(5, flowstest.ButtonData(t, res, "rp.chapter"))
	flowstest.WantIDs(t, res, "rp.chapter_text")
	if got := res.Replies[0].Text.Data["Count"]; got != 1 {
		t.Fatalf("Jawa Barat counts %v commitments, want 1", got)
	}
	flowstest.Alert(t, h.Press(5, "followup.forum_report:bdps22"), "errors.not_allowed")
	flowstest.Alert(t, h.Press(5, "followup.forum_report:all"), "errors.not_allowed")

	res = h.Press(flowstest.AdminID, "followup.forum_report:all")
	flowstest.WantIDs(t, res, "rp.forum_text", "rp.chapters_text")
	var got []string
	for _, l := range res.Replies[1].Text.Data["Lines"].([]flows.Text) {
		name, _ := l.Data["Name"].(string)
		if tx, ok := l.Data["Name"].(flows.Text); ok {
			name = tx.ID
		}
		got = append(got, name+"="+strconv.Itoa(l.Data["Total"].(int)))
	}
	if want := "Bali=2 Jawa Barat=1 rp.no_chapter=3"; strings.Join(got, " ") != want {
		t.Fatalf("per chapter: %v, want %s", got, want)
	}
	res = h.Press(flowstest.AdminID, "followup.forum_report:bdps22")
	flowstest.WantIDs(t, res, "rp.chapter_text")
	if got := res.Replies[0].Text.Data["Count"]; got != 2 {
		t.Fatalf("Bali counts %v commitments, want 2", got)
	}
}

func mentionsData(res *flows.Result, data string) bool {
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Data == data {
					return true
				}
			}
		}
	}
	return false
}

// A chapter admin's broadcast is scoped when it is created, from their
// record then: removed while composing, they cannot send it at all.
func TestChapterAdminRemovedMidBroadcast(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if err := h.Store.CreateChapter(ctx, &flows.Chapter{ID: "jabar2", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: h.Now}); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveUser(ctx, &flows.User{ID: 5, Lang: "id", Role: flows.RoleFacilitator, FirstName: "K", Chapter: "jabar2"}); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveUser(ctx, &flows.User{ID: 2, Lang: "id", FirstName: "M", Consent: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: 2, FullName: "M", Organisation: "O", Sector: "ngo", Province: "JB", ConsentVersion: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	compose := func() *flows.Result {
		h.Text(5, "/broadcast")
		res := h.Text(5, "Rapat chapter")
		res = h.Press(5, flowstest.ButtonData(t, res, "bc.no_english"))
		res = h.Press(5, flowstest.ButtonData(t, res, "bc.seg.all"))
		flowstest.WantIDs(t, res, "(clear buttons)", "bc.preview_heading", "bc.confirm")
		return res
	}
	res := compose()
	res = h.Press(5, flowstest.ButtonData(t, res, "bc.send_now"))
	list, err := h.Store.RecentBroadcasts(ctx, 10)
	if err != nil || len(list) != 1 || list[0].Segment != "in:jabar2:all" {
		t.Fatalf("the chapter admin's broadcast: %+v, %v (%v)", list, err, flowstest.IDs(res))
	}
	res = compose()
	if err := h.Store.SetChapterAdmin(ctx, 5, ""); err != nil {
		t.Fatal(err)
	}
	res = h.Press(5, flowstest.ButtonData(t, res, "bc.send_now"))
	if list, _ := h.Store.RecentBroadcasts(ctx, 10); len(list) != 1 {
		t.Fatalf("a removed chapter admin sent a broadcast: %+v (%v)", list[0], flowstest.IDs(res))
	}
	if !slices.Contains(flowstest.IDs(res), "errors.not_allowed") {
		t.Fatalf("replies %v", flowstest.IDs(res))
	}
}

// newWorkshopTo walks /newworkshop as uid up to the answer after the
// question, returning that reply.
func newWorkshopTo(t *testing.T, h *flowstest.Harness, uid int64) *flows.Result {
	t.Helper()
	h.Text(uid, "/newworkshop")
	res := h.Text(uid, "Musrenbang CSR")
	res = h.Press(uid, flowstest.ButtonData(t, res, "ws.skip_desc"))
	h.Press(uid, flowstest.ButtonData(t, res, "ws.zone.WIB"))
	h.Text(uid, "10/12/2026 09:00")
	h.Text(uid, "12.00")
	h.Text(uid, "Gedung Sate, Bandung")
	res = h.Text(uid, "https://zoom.us/j/123")
	h.Press(uid, flowstest.ButtonData(t, res, "ws.format_single"))
	res = h.Text(uid, "50")
	res = h.Press(uid, flowstest.ButtonData(t, res, "ws.until_start"))
	return h.Press(uid, flowstest.ButtonData(t, res, "ws.skip_question"))
}

// choices are the data of the buttons of res's last reply.
func choices(res *flows.Result) []string {
	var out []string
	for _, row := range res.Replies[len(res.Replies)-1].Buttons {
		for _, b := range row {
			out = append(out, b.Data)
		}
	}
	return out
}

// A national admin puts a new workshop in any chapter; a facilitator in the
// chapters they belong to only; a forum without chapters is not asked.
func TestWorkshopChapterChosenAtCreation(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	res := newWorkshopTo(t, h, flowstest.AdminID)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.summary") // no chapters: as before
	h.Text(flowstest.AdminID, "/cancel")

	for _, c := range []flows.Chapter{{ID: "jabar2", Name: "Jawa Barat", Provinces: []string{"JB"}}, {ID: "bdps22", Name: "Bali", Provinces: []string{"BA"}}} {
		c.Kind, c.Created = flows.ChapterProvince, h.Now
		if err := h.Store.CreateChapter(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	res = newWorkshopTo(t, h, flowstest.AdminID)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.ask_chapter")
	if n := len(choices(res)); n != 3 {
		t.Fatalf("an admin is offered %d choices, want both chapters and none", n)
	}
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "Jawa Barat"))
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "ws.save"))
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.created")
	w, err := h.Store.GetWorkshop(ctx, res.Replies[1].Text.Data["Code"].(string))
	if err != nil || w.Chapter != "jabar2" {
		t.Fatalf("workshop %+v, %v", w, err)
	}

	// A facilitator in Bali by their profile: Bali or none, and a forged
	// press for Jawa Barat is refused.
	if err := h.Store.SaveUser(ctx, &flows.User{ID: 7, Lang: "id", Role: flows.RoleFacilitator, FirstName: "F", Consent: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: 7, FullName: "F", Organisation: "O", Sector: "ngo", Province: "BA", ConsentVersion: flows.ConsentVersion}); err != nil {
		t.Fatal(err)
	}
	res = newWorkshopTo(t, h, 7)
	flowstest.WantIDs(t, res, "(clear buttons)", "ws.ask_chapter")
	if n := len(choices(res)); n != 2 {
		t.Fatalf("a facilitator of Bali is offered %d choices, want Bali and none", n)
	}
	bali := flowstest.ButtonData(t, res, "Bali")
	forged := strings.Replace(bali, "bdps22", "jabar2", 1)
	flowstest.Alert(t, h.Press(7, forged), "errors.bad_button")
	res = h.Press(7, bali)
	res = h.Press(7, flowstest.ButtonData(t, res, "ws.save"))
	w, err = h.Store.GetWorkshop(ctx, res.Replies[1].Text.Data["Code"].(string))
	if err != nil || w.Chapter != "bdps22" {
		t.Fatalf("facilitator's workshop %+v, %v", w, err)
	}
}

// /broadcasts: a chapter admin sees their chapter's broadcasts only, a
// national admin all of them.
func TestChapterAdminSeesOwnBroadcasts(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for id, ch := range map[int64]string{5: "jabar2", 6: "bdps22"} {
		if err := h.Store.CreateChapter(ctx, &flows.Chapter{ID: ch, Name: ch, Kind: flows.ChapterNetwork, Created: h.Now}); err != nil {
			t.Fatal(err)
		}
		if err := h.Store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", Role: flows.RoleFacilitator, FirstName: "K", Chapter: ch}); err != nil {
			t.Fatal(err)
		}
	}
	for id, seg := range map[string]string{"bcnat1": "all", "bcjab1": "in:jabar2:all", "bcjab2": "in:jabar2:lang:en"} {
		if err := h.Store.CreateBroadcast(ctx, &flows.Broadcast{ID: id, By: flowstest.AdminID, FromChat: flowstest.AdminID, MessageID: 1,
			Segment: seg, Created: h.Now, StartAt: h.Now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(uid int64) int {
		res := h.Text(uid, "/broadcasts")
		if flowstest.IDs(res)[0] == "bc.none" {
			return 0
		}
		return len(res.Replies[0].Text.Data["Lines"].([]flows.Text))
	}
	if got := count(5); got != 2 {
		t.Errorf("Jawa Barat's admin sees %d broadcasts, want 2", got)
	}
	if got := count(6); got != 0 {
		t.Errorf("Bali's admin sees %d broadcasts, want 0", got)
	}
	if got := count(flowstest.AdminID); got != 3 {
		t.Errorf("an admin sees %d broadcasts, want 3", got)
	}
}

// An admin renames a province chapter and changes its provinces: its
// members by province follow at once (the member count in /chapters). A
// member who joined by link leaves it from /profile; a second press says
// they have not joined it.
func TestChapterEditAndLeave(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ch := &flows.Chapter{ID: "jabar2", Name: "FKTJSL Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, By: flowstest.AdminID, Created: h.Now}
	if err := h.Store.CreateChapter(ctx, ch); err != nil {
		t.Fatal(err)
	}
	for uid, prov := range map[int64]string{2: "JB", 3: "JT"} {
		if err := h.Store.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "P", Organisation: "O", Sector: "ngo", Province: prov,
			ConsentVersion: flows.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
		h.Text(uid, "/start")
	}
	count := func() any {
		t.Helper()
		res := h.Text(flowstest.AdminID, "/chapters")
		return res.Replies[0].Text.Data["Lines"].([]flows.Text)[0].Data["Count"]
	}
	if n := count(); n != 1 {
		t.Fatalf("members before %v", n)
	}
	refused := h.Press(2, "chapters.edit:"+ch.ID)
	if refused.Answer == nil || refused.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("a member edits: %+v", refused.Answer)
	}
	res := h.Press(flowstest.AdminID, flowstest.ButtonData(t, h.Text(flowstest.AdminID, "/chapters"), "chapters.edit_button"))
	flowstest.WantIDs(t, res, "chapters.ask_new_name")
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "FKTJSL Jawa"), "chapters.ask_new_provinces")
	res = h.Text(flowstest.AdminID, "Jawa Tengah")
	flowstest.WantIDs(t, res, "chapters.updated")
	if got, err := h.Store.GetChapter(ctx, ch.ID); err != nil || got.Name != "FKTJSL Jawa" || !slices.Equal(got.Provinces, []string{"JT"}) {
		t.Fatalf("stored %+v, %v", got, err)
	}
	if n := count(); n != 1 { // 3 now, by province; 2 no longer
		t.Fatalf("members after %v", n)
	}
	m, err := flows.ChapterMembers(ctx, h.Store, []*flows.Chapter{{ID: ch.ID, Kind: flows.ChapterProvince, Provinces: []string{"JT"}}}, nil)
	if err != nil || !m[ch.ID][3] || m[ch.ID][2] {
		t.Fatalf("members %v, %v", m, err)
	}

	// 2 joins by link, then leaves from /profile.
	h.Text(2, "/start chapter_"+ch.ID)
	res = h.Text(2, "/profile")
	leave := flowstest.ButtonData(t, res, "chapters.leave_button")
	if leave != "chapters.leave:"+ch.ID {
		t.Fatalf("leave button %q", leave)
	}
	flowstest.WantIDs(t, h.Press(2, leave), "chapters.left_province")
	if ids, err := h.Store.JoinedChapters(ctx, 2); err != nil || len(ids) != 0 {
		t.Fatalf("joined after leaving %v, %v", ids, err)
	}
	again := h.Press(2, leave)
	if again.Answer == nil || again.Answer.Text.ID != "chapters.not_joined" {
		t.Fatalf("leaving again: %+v", again.Answer)
	}
	// A member by province only has no leave button.
	for _, r := range h.Text(3, "/profile").Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "chapters.leave:") {
					t.Fatalf("leave button for a member by province: %+v", b)
				}
			}
		}
	}
}

// An admin deletes a chapter after confirming: its workshop becomes
// national (its chapter admin no longer manages it), its admin is told and
// loses the chapter, its members by link are gone; a chapter admin cannot
// delete.
func TestChapterDelete(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	ch := &flows.Chapter{ID: "jabar2", Name: "FKTJSL Jawa Barat", Kind: flows.ChapterNetwork, By: flowstest.AdminID, Created: h.Now}
	if err := h.Store.CreateChapter(ctx, ch); err != nil {
		t.Fatal(err)
	}
	const chAdmin = 41
	if err := h.Store.SaveUser(ctx, &flows.User{ID: chAdmin, Lang: "en", Role: flows.RoleFacilitator, FirstName: "Rina", Chapter: ch.ID}); err != nil {
		t.Fatal(err)
	}
	w := &flows.Workshop{Code: "wsjb22", Title: "Lokakarya Jabar", Zone: "Asia/Jakarta", Start: h.Now.Add(48 * time.Hour), End: h.Now.Add(50 * time.Hour),
		Deadline: h.Now.Add(48 * time.Hour), Facilitators: []int64{flowstest.AdminID}, CreatedBy: flowstest.AdminID, Created: h.Now, Chapter: ch.ID}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	h.Text(chAdmin, "/start")
	h.Text(2, "/start chapter_"+ch.ID)
	if res := h.Press(chAdmin, "workshops.manage:"+w.Code); len(res.Replies) == 0 {
		t.Fatal("the chapter admin cannot manage the chapter's workshop before")
	}
	if res := h.Press(chAdmin, "chapters.del_yes:"+ch.ID); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("a chapter admin deletes: %+v", res.Answer)
	}
	res := h.Press(flowstest.AdminID, flowstest.ButtonData(t, h.Text(flowstest.AdminID, "/chapters"), "chapters.delete_button"))
	flowstest.WantIDs(t, res, "chapters.delete_confirm")
	if _, err := h.Store.GetChapter(ctx, ch.ID); err != nil {
		t.Fatalf("deleted before the confirmation: %v", err)
	}
	res = h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "chapters.delete_yes"))
	flowstest.WantIDs(t, res, "(clear buttons)", "chapters.deleted", "chapters.you_are_removed")
	if res.Replies[2].ChatID != chAdmin {
		t.Fatalf("told %d", res.Replies[2].ChatID)
	}
	if _, err := h.Store.GetChapter(ctx, ch.ID); err == nil {
		t.Fatal("the chapter is still there")
	}
	if got, err := h.Store.GetWorkshop(ctx, w.Code); err != nil || got.Chapter != "" {
		t.Fatalf("workshop after the delete: %+v, %v", got, err)
	}
	if u, err := h.Store.GetUser(ctx, chAdmin); err != nil || u.Chapter != "" {
		t.Fatalf("the chapter admin after the delete: %+v, %v", u, err)
	}
	if res := h.Press(chAdmin, "workshops.manage:"+w.Code); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("the former chapter admin manages the workshop: %+v %v", res.Answer, flowstest.IDs(res))
	}
	if ids, err := h.Store.JoinedChapters(ctx, 2); err != nil || len(ids) != 0 {
		t.Fatalf("joined after the delete: %v, %v", ids, err)
	}
	flowstest.WantIDs(t, h.Text(flowstest.AdminID, "/chapters"), "chapters.none")
}
