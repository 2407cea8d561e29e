package groups_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/flowstest"
)

const forum = -1002000000001

// newHarness is a harness running every capability of cmd/sinergi.
func newHarness(t *testing.T) *flowstest.Harness { return flowstest.New(t, flowstest.AllModules) }

// standing is what the transport learns from getChatMember.
func standing(user string, botCanPost bool) *flows.ChatMember {
	return &flows.ChatMember{Chat: forum, Title: "Forum Air", Type: "supergroup", Forum: true,
		UserStatus: user, BotStatus: "administrator", BotCanPost: botCanPost}
}

func inGroup(h *flowstest.Harness, uid int64, thread int, text string, m *flows.ChatMember) *flows.Result {
	h.T.Helper()
	in := flows.Input{ChatID: forum, Thread: thread, ChatTitle: "Forum Air", ChatType: "supergroup", Member: m, Text: text}
	if text[0] == '/' {
		in.Kind, in.Command = flows.KindCommand, text[1:]
	} else {
		in.Kind, in.Callback, in.Text, in.MessageID = flows.KindCallback, text, "", 77
	}
	return h.Send(uid, in)
}

func links(t *testing.T, h *flowstest.Harness) []*flows.ChatLink {
	t.Helper()
	ls, err := h.Store.ChatLinks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func facilitator(t *testing.T, h *flowstest.Harness, id int64) {
	t.Helper()
	if err := h.Store.SaveUser(context.Background(), &flows.User{ID: id, Lang: "en", Role: flows.RoleFacilitator}); err != nil {
		t.Fatal(err)
	}
}

// A Sinergi admin who administers the group links a topic: the purpose is
// chosen with a button, the confirmation replaces it in that topic, and
// linking the same topic again is refused with the link in force.
func TestLinkTopic(t *testing.T) {
	h := newHarness(t)
	res := inGroup(h, flowstest.AdminID, 12, "/linkgroup", standing("creator", true))
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.choose_purpose"}) || res.Replies[0].ChatID != 0 {
		t.Fatalf("/linkgroup: %v", ids)
	}
	data := flowstest.ButtonData(t, res, "groups.purpose.forum")
	res = inGroup(h, flowstest.AdminID, 12, data, standing("creator", true))
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.linked"}) || res.Replies[0].EditMessageID != 77 {
		t.Fatalf("purpose: %v %+v", ids, res.Replies)
	}
	ls := links(t, h)
	if len(ls) != 1 || ls[0].Chat != forum || ls[0].Thread != 12 || ls[0].Purpose != flows.PurposeForum || ls[0].By != flowstest.AdminID || ls[0].Title != "Forum Air" {
		t.Fatalf("links: %+v", ls)
	}
	res = inGroup(h, flowstest.AdminID, 12, "/linkgroup", standing("creator", true))
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.already_linked"}) {
		t.Fatalf("again: %v", ids)
	}
	// A press on an old purpose button: refused the same way, nothing changes.
	res = inGroup(h, flowstest.AdminID, 12, "groups.link:c", standing("creator", true))
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.already_linked"}) || links(t, h)[0].Purpose != flows.PurposeForum {
		t.Fatalf("old button: %v %+v", ids, links(t, h)[0])
	}
	// Another topic of the same forum is a link of its own.
	inGroup(h, flowstest.AdminID, 0, "groups.link:r", standing("administrator", true))
	inGroup(h, flowstest.AdminID, 0, "groups.link:f", standing("administrator", true))
	if ls := links(t, h); len(ls) != 2 || ls[0].Thread != 0 || ls[0].Purpose != flows.PurposeForum {
		t.Fatalf("General: %+v", ls)
	}
}

// Who may not link, and when nothing can be linked: each gets a clear
// answer and nothing is stored.
func TestLinkRefusals(t *testing.T) {
	h := newHarness(t)
	facilitator(t, h, 31)
	for _, c := range []struct {
		name  string
		uid   int64
		input string
		m     *flows.ChatMember
		want  string
	}{
		{"a participant", 32, "/linkgroup", standing("creator", true), "errors.not_allowed"},
		{"a facilitator who is not a group admin", 31, "/linkgroup", standing("member", true), "groups.not_group_admin"},
		{"a facilitator who left the group", 31, "groups.link:f", standing("left", true), "groups.not_group_admin"},
		{"Telegram could not tell", 31, "/linkgroup", &flows.ChatMember{Chat: forum, Failed: true}, "groups.check_failed"},
		{"no check at all", 31, "/linkgroup", nil, "groups.check_failed"},
		{"a check of another chat", 31, "groups.link:f", &flows.ChatMember{Chat: -1009, UserStatus: "creator", BotCanPost: true}, "groups.check_failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := inGroup(h, c.uid, 0, c.input, c.m)
			got := flowstest.IDs(res)
			if res.Answer != nil {
				got = append(got, res.Answer.Text.ID)
			}
			if !slices.Equal(got, []string{c.want}) {
				t.Fatalf("%s: %v", c.name, got)
			}
			if ls := links(t, h); len(ls) != 0 {
				t.Fatalf("%s linked: %+v", c.name, ls)
			}
		})
	}
	// Where the bot cannot post, the answer goes to the facilitator's
	// private chat.
	res := inGroup(h, 31, 0, "/linkgroup", standing("creator", false))
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.cannot_post"}) || res.Replies[0].ChatID != 31 {
		t.Fatalf("cannot post: %v %+v", ids, res.Replies)
	}
	// An anonymous administrator cannot be told from the group.
	res = h.Send(flowstest.AdminID, flows.Input{ChatID: forum, Kind: flows.KindCommand, Command: "linkgroup", Text: "/linkgroup", Anonymous: true})
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"group.anonymous"}) {
		t.Fatalf("anonymous: %v", ids)
	}
	// A button of another capability pressed in a group does nothing.
	res = inGroup(h, flowstest.AdminID, 0, "grant:admin", standing("creator", true))
	if res.Answer == nil || res.Answer.Text.ID != "errors.bad_button" || len(links(t, h)) != 0 {
		t.Fatalf("private button in a group: %+v", res.Answer)
	}
}

// A workshop's group: the facilitator picks among the workshops they
// manage; another facilitator's workshop cannot be linked by them.
func TestLinkWorkshopGroup(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	facilitator(t, h, 31)
	facilitator(t, h, 33)
	start := h.Now.Add(72 * time.Hour)
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih", Start: start, End: start.Add(time.Hour), Zone: "Asia/Jakarta",
		Deadline: start, Facilitators: []int64{31}, CreatedBy: 31, Created: h.Now}
	if err := h.Store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	res := inGroup(h, 31, 0, "groups.link:w", standing("administrator", true))
	data := flowstest.ButtonData(t, res, "Air bersih")
	res = inGroup(h, 33, 0, data, standing("administrator", true))
	if res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" || len(links(t, h)) != 0 {
		t.Fatalf("other facilitator: %+v", res.Answer)
	}
	if res := inGroup(h, 33, 0, "groups.link:r", standing("administrator", true)); res.Answer == nil || res.Answer.Text.ID != "groups.no_workshops" {
		t.Fatalf("no workshops: %+v", res.Answer)
	}
	inGroup(h, 31, 0, data, standing("administrator", true))
	if ls := links(t, h); len(ls) != 1 || ls[0].Purpose != flows.PurposeWorkshop || ls[0].Workshop != w.Code {
		t.Fatalf("links: %+v", ls)
	}
}

// The bot removed: the chat's links become inactive and whoever linked
// each is told privately; added again, it greets the group; a group
// upgraded to a supergroup takes its links along; /groups lists and
// unlinks.
func TestRemovalMigrationAndList(t *testing.T) {
	h := newHarness(t)
	facilitator(t, h, 31)
	inGroup(h, 31, 0, "groups.link:f", standing("creator", true))
	const basic = -4001
	h.Send(31, flows.Input{ChatID: basic, Kind: flows.KindCallback, Callback: "groups.link:f", MessageID: 5,
		Member: &flows.ChatMember{Chat: basic, Title: "Bab Jabar", Type: "group", UserStatus: "creator", BotStatus: "member", BotCanPost: true}})

	res := h.Send(31, flows.Input{ChatID: forum, Kind: flows.KindMembership, ChatType: "supergroup", BotStatus: "kicked"})
	if len(res.Replies) != 1 || res.Replies[0].ChatID != 31 || res.Replies[0].Lang != "en" || res.Replies[0].Text.ID != "groups.removed" {
		t.Fatalf("removal: %+v", res.Replies)
	}
	if ls := links(t, h); !ls[0].Inactive || ls[1].Inactive {
		t.Fatalf("after removal: %+v", ls)
	}
	res = h.Send(31, flows.Input{ChatID: forum, Kind: flows.KindMembership, ChatType: "supergroup", BotStatus: "member", BotCanPost: true, BotJoined: true})
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.hello"}) || res.Replies[0].ChatID != 0 {
		t.Fatalf("added: %v", ids)
	}
	// Promoted where it already was: no second hello.
	res = h.Send(31, flows.Input{ChatID: forum, Kind: flows.KindMembership, ChatType: "supergroup", BotStatus: "administrator", BotCanPost: true})
	if ids := flowstest.IDs(res); len(ids) != 0 {
		t.Fatalf("promoted: %v", ids)
	}

	h.Send(31, flows.Input{ChatID: basic, Kind: flows.KindMigrated, MigrateFrom: basic, MigrateTo: -1002000004001})
	ls := links(t, h)
	if len(ls) != 2 || ls[0].Chat != -1002000004001 || ls[0].Purpose != flows.PurposeForum {
		t.Fatalf("after migration: %+v", ls)
	}

	res = h.Text(flowstest.AdminID, "/groups")
	if ids := flowstest.IDs(res); !slices.Equal(ids, []string{"groups.list"}) {
		t.Fatalf("/groups: %v", ids)
	}
	h.Press(flowstest.AdminID, flowstest.ButtonData(t, res, "groups.unlink"))
	if ls := links(t, h); len(ls) != 1 || ls[0].Chat != forum {
		t.Fatalf("after unlink: %+v", ls)
	}
	if res := h.Press(flowstest.AdminID, "groups.unlink:-1002000004001:0"); res.Answer == nil || res.Answer.Text.ID != "groups.not_linked" {
		t.Fatalf("second unlink: %+v", res.Answer)
	}
}

// Channels are linked from the private chat, by @name or by forwarding a
// post, once the bot is an administrator there who may post.
func TestLinkChannel(t *testing.T) {
	h := newHarness(t)
	const channel = -1002000000099
	ch := func(user string, botPost bool) *flows.ChatMember {
		return &flows.ChatMember{Chat: channel, Title: "Kanal Forum", Type: "channel", Username: "kanalforum",
			UserStatus: user, BotStatus: "administrator", BotCanPost: botPost}
	}
	send := func(in flows.Input) []string {
		t.Helper()
		return flowstest.IDs(h.Send(flowstest.AdminID, in))
	}
	cmd := func(m *flows.ChatMember) flows.Input {
		return flows.Input{Kind: flows.KindCommand, Command: "linkchannel", Args: "@kanalforum", Text: "/linkchannel @kanalforum", Member: m}
	}
	h.Text(flowstest.AdminID, "/start")
	if ids := send(flows.Input{Kind: flows.KindCommand, Command: "linkchannel", Text: "/linkchannel"}); !slices.Equal(ids, []string{"groups.linkchannel_usage"}) {
		t.Fatalf("usage: %v", ids)
	}
	for want, m := range map[string]*flows.ChatMember{
		"groups.channel_unknown":       {Failed: true},
		"groups.channel_bot_not_admin": ch("creator", false),
		"groups.channel_not_admin":     ch("member", true),
		"groups.not_a_channel":         standing("creator", true),
	} {
		if ids := send(cmd(m)); !slices.Equal(ids, []string{want}) || len(links(t, h)) != 0 {
			t.Fatalf("want %s, got %v", want, ids)
		}
	}
	if ids := send(cmd(ch("administrator", true))); !slices.Equal(ids, []string{"groups.linked"}) {
		t.Fatalf("linked: %v", ids)
	}
	if ids := send(flows.Input{Kind: flows.KindText, Text: "post", Forwarded: channel, Member: ch("creator", true)}); !slices.Equal(ids, []string{"groups.already_linked"}) {
		t.Fatalf("forwarded again: %v", ids)
	}
	if ls := links(t, h); len(ls) != 1 || ls[0].Type != "channel" || ls[0].Purpose != flows.PurposeForum {
		t.Fatalf("links: %+v", ls)
	}
	// A participant's forward is an ordinary message.
	if ids := flowstest.IDs(h.Send(55, flows.Input{Kind: flows.KindText, Text: "post", Forwarded: channel, Member: ch("creator", true)})); slices.Contains(ids, "groups.linked") || slices.Contains(ids, "groups.already_linked") {
		t.Fatalf("participant's forward: %v", ids)
	}
}

// A chapter's group names its chapter: a chapter admin chooses among their
// own chapter only, a national admin among all; another chapter's button is
// refused and links nothing; /chapters lists each chapter's groups.
func TestLinkChapterGroup(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, c := range []*flows.Chapter{
		{ID: "jabar2", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: h.Now},
		{ID: "bdps22", Name: "Bali", Kind: flows.ChapterProvince, Provinces: []string{"BA"}, Created: h.Now.Add(time.Second)},
	} {
		if err := h.Store.CreateChapter(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Store.SaveUser(ctx, &flows.User{ID: 41, Lang: "en", Role: flows.RoleFacilitator, Chapter: "jabar2"}); err != nil {
		t.Fatal(err)
	}
	facilitator(t, h, 31)
	if res := inGroup(h, 31, 0, "groups.link:c", standing("creator", true)); res.Answer == nil || res.Answer.Text.ID != "groups.no_chapters" {
		t.Fatalf("a facilitator of no chapter: %+v", res.Answer)
	}
	res := inGroup(h, 41, 0, "groups.link:c", standing("creator", true))
	flowstest.WantIDs(t, res, "groups.choose_chapter")
	var offered []string
	for _, row := range res.Replies[0].Buttons {
		offered = append(offered, row[0].Data)
	}
	if !slices.Equal(offered, []string{"groups.link:c:jabar2"}) {
		t.Fatalf("a chapter admin is offered %v", offered)
	}
	if res := inGroup(h, 41, 0, "groups.link:c:bdps22", standing("creator", true)); res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" || len(links(t, h)) != 0 {
		t.Fatalf("another chapter: %+v", res.Answer)
	}
	res = inGroup(h, flowstest.AdminID, 5, "groups.link:c", standing("creator", true))
	offered = nil
	for _, row := range res.Replies[0].Buttons {
		offered = append(offered, row[0].Data)
	}
	if !slices.Equal(offered, []string{"groups.link:c:jabar2", "groups.link:c:bdps22"}) {
		t.Fatalf("an admin is offered %v", offered)
	}
	inGroup(h, 41, 0, "groups.link:c:jabar2", standing("creator", true))
	ls := links(t, h)
	if len(ls) != 1 || ls[0].Purpose != flows.PurposeChapter || ls[0].Chapter != "jabar2" || ls[0].By != 41 {
		t.Fatalf("links %+v", ls)
	}
	got := h.Rendered("en", h.Text(flowstest.AdminID, "/chapters"))
	if !strings.Contains(got, "Groups of Jawa Barat: Forum Air") || strings.Contains(got, "Groups of Bali") {
		t.Fatalf("/chapters: %s", got)
	}
}
