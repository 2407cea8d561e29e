// Package chapters is the capability of a federated forum's chapters
// (/chapters): provincial chapters and networks, their admins (invited by a
// one-time link) and their members (joined by the chapter's link, or by
// their profile's province). What a chapter admin may do elsewhere — their
// chapter's workshops, broadcasts and reports — the core decides from
// User.Chapter (Turn.ChapterAdmin, Turn.CanManage, Segment.Chapter).
package chapters

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// The chapters capability's callback routes.
const (
	routeNew    = "chapters.new"     // go: starts creating a chapter
	routeInvite = "chapters.invite"  // <chapter id>: a one-time link making its user an admin of the chapter
	routeAdmins = "chapters.admins"  // <chapter id>: the chapter's admins, each with a remove button
	routeRemove = "chapters.remove"  // <chapter id>:<user id>: the user is no longer an admin of the chapter
	routeEdit   = "chapters.edit"    // <chapter id>: rename it and, for a province chapter, change its provinces
	routeLeave  = "chapters.leave"   // <chapter id>: the user leaves a chapter they joined by link (/profile)
	routeDelete = "chapters.delete"  // <chapter id>: asks to confirm deleting the chapter
	routeDelYes = "chapters.del_yes" // <chapter id>: deletes the chapter
)

// maxNameLen is the longest chapter name, in characters.
const maxNameLen = 60

// Module is the capability of chapters (/chapters).
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config()}
		e.register(r)
	})
}

// Store is what the chapters capability reads and writes.
type Store interface {
	flows.Chapters
	flows.Members
	GetUser(ctx context.Context, id int64) (*flows.User, error)
	// ChatLinks are the linked groups, a chapter's naming it (the groups
	// capability links them).
	ChatLinks(ctx context.Context) ([]*flows.ChatLink, error)
}

type module struct {
	store Store
	cfg   flows.Config
}

func (e *module) register(r *flows.Registry) {
	r.Namespace("chapters")
	r.Command(&flows.Command{Name: "chapters", Role: flows.RoleAdmin, Describe: "cmd.chapters", Run: e.list})
	r.Menu(flows.MenuItem{Command: "chapters", Label: "menu.chapters", Role: flows.RoleAdmin, Order: 82})
	r.Route(&flows.Route{Name: routeNew, Role: flows.RoleAdmin, Run: func(ctx context.Context, t *flows.Turn, _ string) error {
		return t.StartFlow(ctx, "chapter")
	}})
	r.Route(&flows.Route{Name: routeInvite, Role: flows.RoleAdmin, Run: e.invite})
	r.Route(&flows.Route{Name: routeAdmins, Role: flows.RoleAdmin, Run: e.admins})
	r.Route(&flows.Route{Name: routeRemove, Role: flows.RoleAdmin, Run: e.remove})
	r.Route(&flows.Route{Name: routeEdit, Role: flows.RoleAdmin, Run: e.edit})
	r.Route(&flows.Route{Name: routeLeave, Run: e.leave})
	r.Route(&flows.Route{Name: routeDelete, Role: flows.RoleAdmin, Run: e.askDelete})
	r.Route(&flows.Route{Name: routeDelYes, Role: flows.RoleAdmin, Run: e.delete})
	r.Flow(&flows.Flow{
		Name: "chapter_edit",
		Done: e.saveEdit,
		Steps: []*flows.Step{
			{Name: "name", Parse: flows.TextAnswer(maxNameLen), Prompt: editNamePrompt},
			{Name: "provinces", Parse: provincesAnswer, Prompt: editProvincesPrompt,
				Skip: func(t *flows.Turn) bool { return t.Session.Data["kind"] != string(flows.ChapterProvince) }},
		},
	})
	r.Link(&flows.DeepLink{Prefix: "chapter", Run: e.join})
	r.Link(&flows.DeepLink{Prefix: "chadmin", Run: e.redeem})
	r.Flow(&flows.Flow{
		Name: "chapter",
		Done: e.create,
		Steps: []*flows.Step{
			{Name: "name", Parse: flows.TextAnswer(maxNameLen), Prompt: flows.Ask("chapters.ask_name")},
			{Name: "kind", Parse: flows.ChoiceAnswer(string(flows.ChapterProvince), string(flows.ChapterNetwork)), Prompt: kindPrompt},
			{Name: "provinces", Parse: provincesAnswer, Prompt: provincesPrompt,
				Skip: func(t *flows.Turn) bool { return t.Session.Data["kind"] != string(flows.ChapterProvince) }},
		},
	})
}

// list is /chapters: every chapter with its kind, provinces and member
// count, and what an admin can do with it.
func (e *module) list(ctx context.Context, t *flows.Turn) error {
	chs, err := e.store.ListChapters(ctx)
	if err != nil {
		return flows.InternalError("list chapters", err)
	}
	newButton := []flows.Button{{Label: flows.T("chapters.new"), Data: flows.MustData(routeNew, "go")}}
	if len(chs) == 0 {
		t.Say(flows.T("chapters.none"), newButton)
		return nil
	}
	m, err := flows.ChapterMembers(ctx, e.store, chs, nil)
	if err != nil {
		return err
	}
	links, err := e.store.ChatLinks(ctx)
	if err != nil {
		return flows.InternalError("chat links", err)
	}
	var lines []flows.Text
	var rows [][]flows.Button
	for _, c := range chs {
		lines = append(lines, flows.T("chapters.line", "Name", c.Name, "Kind", flows.T("chapters.kind."+string(c.Kind)),
			"Provinces", provinceNames(c), "Count", len(m[c.ID]), "Link", t.BotLink("chapter_"+c.ID)))
		var groups []string
		for _, l := range links {
			if l.Chapter == c.ID && !l.Inactive {
				groups = append(groups, l.Title)
			}
		}
		if len(groups) > 0 {
			lines = append(lines, flows.T("chapters.groups", "Name", c.Name, "Groups", strings.Join(groups, ", ")))
		}
		rows = append(rows, []flows.Button{
			{Label: flows.T("chapters.invite_button", "Name", c.Name), Data: flows.MustData(routeInvite, c.ID)},
			{Label: flows.T("chapters.admins_button"), Data: flows.MustData(routeAdmins, c.ID)},
			{Label: flows.T("chapters.edit_button"), Data: flows.MustData(routeEdit, c.ID)},
			{Label: flows.T("chapters.delete_button"), Data: flows.MustData(routeDelete, c.ID)},
		})
	}
	rows = append(rows, newButton)
	t.Say(flows.T("chapters.list", "Count", len(chs), "Lines", lines), rows...)
	return nil
}

// provinceNames lists a chapter's provinces by name ("—" for a network).
func provinceNames(c *flows.Chapter) any {
	if len(c.Provinces) == 0 {
		return "—"
	}
	return provinceList(c.Provinces)
}

// provinceList names provinces "A, B, C".
func provinceList(codes []string) flows.Text {
	if len(codes) == 1 {
		return flows.T("province." + codes[0])
	}
	return flows.T("chapters.province_and", "First", flows.T("province."+codes[0]), "Rest", provinceList(codes[1:]))
}

func kindPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("chapters.ask_kind"), Buttons: [][]flows.Button{{
		t.Choice(flows.T("chapters.kind.province"), string(flows.ChapterProvince)),
		t.Choice(flows.T("chapters.kind.network"), string(flows.ChapterNetwork)),
	}}}, nil
}

func provincesPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("chapters.ask_provinces"), Buttons: flows.ProvinceButtons(t, flows.Provinces(), 0)}, nil
}

// provincesAnswer takes one province by button, or several typed and
// separated by commas ("Jawa Barat, Banten"); each must name one province.
func provincesAnswer(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindText || !strings.Contains(in.Text, ",") {
		return t.ProvinceAnswerIn(in, "chapters.ask_provinces")
	}
	var codes []string
	for part := range strings.SplitSeq(in.Text, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		hits, ok := t.MatchProvinces(part)
		if !ok || len(hits) != 1 {
			return "", flows.Refuse("chapters.province_unclear", "Text", strings.TrimSpace(part))
		}
		if !slices.Contains(codes, hits[0]) {
			codes = append(codes, hits[0])
		}
	}
	if len(codes) == 0 {
		return "", flows.Refuse("profile.province_not_found")
	}
	return strings.Join(codes, ","), nil
}

// create stores the chapter the flow described.
func (e *module) create(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	c := &flows.Chapter{Name: d["name"], Kind: flows.ChapterKind(d["kind"]), By: t.User.ID, Created: t.In.Now}
	if c.Kind == flows.ChapterProvince {
		c.Provinces = strings.Split(d["provinces"], ",")
	}
	for attempt := 0; ; attempt++ {
		c.ID = flows.NewCode()
		err := e.store.CreateChapter(ctx, c)
		if err == nil {
			break
		}
		if !errors.Is(err, flows.ErrChapterTaken) || attempt == 5 {
			return flows.InternalError("create chapter", err)
		}
	}
	if err := t.Audit(ctx, flows.AuditChapterCreate, c.ID, 0); err != nil {
		return err
	}
	t.EndFlow()
	t.Say(flows.T("chapters.created", "Name", c.Name, "Link", t.BotLink("chapter_"+c.ID)),
		[]flows.Button{{Label: flows.T("chapters.invite_button", "Name", c.Name), Data: flows.MustData(routeInvite, c.ID)}})
	return nil
}

// chapter loads the chapter a button names; nil (answered) when unknown.
func (e *module) chapter(ctx context.Context, t *flows.Turn, id string) (*flows.Chapter, error) {
	c, err := e.store.GetChapter(ctx, id)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("chapters.not_found"), true)
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("get chapter", err)
	}
	return c, nil
}

// invite creates a one-time link that makes its user an admin of the chapter.
func (e *module) invite(ctx context.Context, t *flows.Turn, id string) error {
	c, err := e.chapter(ctx, t, id)
	if c == nil || err != nil {
		return err
	}
	inv := &flows.ChapterInvite{Token: flows.NewToken(), Chapter: c.ID, By: t.User.ID, Created: t.In.Now}
	if err := e.store.CreateChapterInvite(ctx, inv, e.cfg.InviteTTL); err != nil {
		return flows.InternalError("create chapter invite", err)
	}
	if err := t.Audit(ctx, flows.AuditChapterInvite, c.ID, 0); err != nil {
		return err
	}
	t.Say(flows.T("chapters.invite_link", "Name", c.Name, "Link", t.BotLink("chadmin_"+inv.Token),
		"Count", int(e.cfg.InviteTTL.Hours()/24)))
	return nil
}

// adminsOf are the users who administer chapter id, by id.
func (e *module) adminsOf(ctx context.Context, id string) ([]*flows.User, error) {
	users, err := e.store.AllUsers(ctx)
	if err != nil {
		return nil, flows.InternalError("all users", err)
	}
	users = slices.DeleteFunc(users, func(u *flows.User) bool { return u.Chapter != id })
	slices.SortFunc(users, func(a, b *flows.User) int { return cmp.Compare(a.ID, b.ID) })
	return users, nil
}

// admins lists the chapter's admins, each with a remove button.
func (e *module) admins(ctx context.Context, t *flows.Turn, id string) error {
	c, err := e.chapter(ctx, t, id)
	if c == nil || err != nil {
		return err
	}
	us, err := e.adminsOf(ctx, c.ID)
	if err != nil {
		return err
	}
	if len(us) == 0 {
		t.Say(flows.T("chapters.no_admins", "Name", c.Name),
			[]flows.Button{{Label: flows.T("chapters.invite_button", "Name", c.Name), Data: flows.MustData(routeInvite, c.ID)}})
		return nil
	}
	var rows [][]flows.Button
	for _, u := range us {
		name := u.FirstName
		if name == "" {
			name = strconv.FormatInt(u.ID, 10)
		}
		rows = append(rows, []flows.Button{{Label: flows.T("chapters.remove_button", "Name", name),
			Data: flows.MustData(routeRemove, c.ID, strconv.FormatInt(u.ID, 10))}})
	}
	t.Say(flows.T("chapters.admins", "Name", c.Name, "Count", len(us)), rows...)
	return nil
}

// remove makes a user no longer an admin of the chapter (their role is
// kept: a facilitator stays one).
func (e *module) remove(ctx context.Context, t *flows.Turn, payload string) error {
	id, who, _ := strings.Cut(payload, ":")
	uid, err := strconv.ParseInt(who, 10, 64)
	if err != nil || uid <= 0 {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	c, err := e.chapter(ctx, t, id)
	if c == nil || err != nil {
		return err
	}
	u, err := e.store.GetUser(ctx, uid)
	if errors.Is(err, flows.ErrNotFound) || (err == nil && u.Chapter != c.ID) {
		t.Answer(flows.T("chapters.not_admin"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("get user", err)
	}
	switch err := e.store.SetChapterAdmin(ctx, uid, ""); {
	case errors.Is(err, flows.ErrNotFound):
		t.Answer(flows.T("chapters.not_admin"), true)
		return nil
	case err != nil:
		return flows.InternalError("remove chapter admin", err)
	}
	if err := t.Audit(ctx, flows.AuditChapterRemove, c.ID, uid); err != nil {
		return err
	}
	t.Say(flows.T("chapters.removed", "Name", u.FirstName, "ID", uid, "Chapter", c.Name))
	t.Send(flows.Reply{ChatID: uid, Lang: u.Lang, Bulk: true, Text: flows.T("chapters.you_are_removed", "Chapter", c.Name)})
	return nil
}

// join is the chapter's deep link chapter_<id>: the user becomes a member.
func (e *module) join(ctx context.Context, t *flows.Turn, id string) error {
	c, err := e.store.GetChapter(ctx, id)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("chapters.not_found"))
		return nil
	}
	if err != nil {
		return flows.InternalError("get chapter", err)
	}
	switch err := e.store.JoinChapter(ctx, c.ID, t.User.ID); {
	case errors.Is(err, flows.ErrNotFound):
		t.Say(flows.T("chapters.not_found"))
		return nil
	case err != nil:
		return flows.InternalError("join chapter", err)
	}
	t.Say(flows.T("chapters.joined", "Name", c.Name), t.MenuButtons()...)
	return nil
}

// redeem is a chapter-admin invitation, chadmin_<token>: the user
// administers the chapter (one at a time; a facilitator at least, so they
// can run workshops).
func (e *module) redeem(ctx context.Context, t *flows.Turn, token string) error {
	inv, err := e.store.TakeChapterInvite(ctx, token)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("grant.invite_invalid"))
		return nil
	}
	if err != nil {
		return flows.InternalError("take chapter invite", err)
	}
	c, err := e.store.GetChapter(ctx, inv.Chapter)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("chapters.not_found"))
		return nil
	}
	if err != nil {
		return flows.InternalError("get chapter", err)
	}
	t.User.Chapter = c.ID
	if t.User.Role < flows.RoleFacilitator {
		t.User.Role = flows.RoleFacilitator
	}
	t.Role = t.RoleOf(t.User)
	if err := t.Audit(ctx, flows.AuditChapterAdmin, c.ID, inv.By); err != nil {
		return err
	}
	t.Say(flows.T("chapters.you_are_admin", "Chapter", c.Name), t.MenuButtons()...)
	t.GiveDashboard()
	if by, err := e.store.GetUser(ctx, inv.By); err == nil {
		t.Send(flows.Reply{ChatID: by.ID, Lang: by.Lang, Bulk: true,
			Text: flows.T("chapters.invite_used", "Name", t.User.FirstName, "ID", t.User.ID, "Chapter", c.Name)})
	}
	return nil
}

// edit starts changing a chapter: its name and, for a province chapter,
// its provinces (its members by province follow at once).
func (e *module) edit(ctx context.Context, t *flows.Turn, id string) error {
	c, err := e.chapter(ctx, t, id)
	if c == nil || err != nil {
		return err
	}
	return t.StartFlowAt(ctx, "chapter_edit", "name", map[string]string{"id": c.ID, "kind": string(c.Kind), "old": c.Name})
}

func editNamePrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("chapters.ask_new_name", "Name", t.Session.Data["old"])}, nil
}

func editProvincesPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("chapters.ask_new_provinces", "Name", t.Session.Data["name"]), Buttons: flows.ProvinceButtons(t, flows.Provinces(), 0)}, nil
}

// saveEdit writes the chapter's new name and provinces.
func (e *module) saveEdit(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	var provinces []string
	if d["provinces"] != "" {
		provinces = strings.Split(d["provinces"], ",")
	}
	c, err := e.store.UpdateChapter(ctx, d["id"], d["name"], provinces)
	if errors.Is(err, flows.ErrNotFound) {
		t.EndFlow()
		t.Say(flows.T("chapters.not_found"))
		return nil
	}
	if err != nil {
		return flows.InternalError("update chapter", err)
	}
	if err := t.Audit(ctx, flows.AuditChapterEdit, c.ID, 0); err != nil {
		return err
	}
	t.EndFlow()
	t.Say(flows.T("chapters.updated", "Name", c.Name, "Provinces", provinceNames(c)))
	return nil
}

// leave takes the user out of a chapter they joined by its link (a
// province chapter still counts them while their profile is in one of its
// provinces).
func (e *module) leave(ctx context.Context, t *flows.Turn, id string) error {
	c, err := e.chapter(ctx, t, id)
	if c == nil || err != nil {
		return err
	}
	switch err := e.store.LeaveChapter(ctx, c.ID, t.User.ID); {
	case errors.Is(err, flows.ErrNotFound):
		t.Answer(flows.T("chapters.not_joined", "Name", c.Name), true)
		return nil
	case err != nil:
		return flows.InternalError("leave chapter", err)
	}
	if c.Kind == flows.ChapterProvince {
		t.Say(flows.T("chapters.left_province", "Name", c.Name))
		return nil
	}
	t.Say(flows.T("chapters.left", "Name", c.Name))
	return nil
}

// askDelete asks to confirm deleting a chapter, saying what follows.
func (e *module) askDelete(ctx context.Context, t *flows.Turn, id string) error {
	c, err := e.chapter(ctx, t, id)
	if c == nil || err != nil {
		return err
	}
	t.Say(flows.T("chapters.delete_confirm", "Name", c.Name),
		[]flows.Button{{Label: flows.T("chapters.delete_yes"), Data: flows.MustData(routeDelYes, c.ID)},
			{Label: flows.T("chapters.delete_no"), Data: flows.MenuData("chapters")}})
	return nil
}

// delete deletes the chapter: its workshops become national, its members
// by link and admin invitations go, and its admins, who no longer
// administer it, are told.
func (e *module) delete(ctx context.Context, t *flows.Turn, id string) error {
	c, err := e.chapter(ctx, t, id)
	if c == nil || err != nil {
		return err
	}
	admins, err := e.adminsOf(ctx, c.ID)
	if err != nil {
		return err
	}
	switch err := e.store.DeleteChapter(ctx, c.ID); {
	case errors.Is(err, flows.ErrNotFound):
		t.Answer(flows.T("chapters.not_found"), true)
		return nil
	case err != nil:
		return flows.InternalError("delete chapter", err)
	}
	if err := t.Audit(ctx, flows.AuditChapterDelete, c.ID, 0); err != nil {
		return err
	}
	t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
	t.Say(flows.T("chapters.deleted", "Name", c.Name))
	for _, u := range admins {
		if u.ID != t.User.ID && !u.Inactive {
			t.Send(flows.Reply{ChatID: u.ID, Lang: u.Lang, Bulk: true, Text: flows.T("chapters.you_are_removed", "Chapter", c.Name)})
		}
	}
	return nil
}
