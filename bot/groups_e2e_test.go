package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// groupLinks reads the linked chats from Redis.
func (e *env) groupLinks() []*flows.ChatLink {
	e.t.Helper()
	ls, err := e.store.ChatLinks(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return ls
}

// lastIn is the bot's last message in a chat, once there are n.
func (e *env) lastIn(chat int64, n int) telegramtest.Message {
	e.t.Helper()
	return e.nth(chat, n)
}

// Linking a forum topic end to end against the fake Bot API: the bot added
// to the group greets it; a participant is refused; the admin's standing
// is asked of Telegram (getChatMember), the purpose is chosen in the
// topic, and the confirmation stays there; bad inputs are answered or
// ignored and nothing is linked twice; removing the bot deactivates the
// link and tells the admin privately.
func TestGroupLinkE2E(t *testing.T) {
	e := newEnv(t)
	e.start()
	const forum = -1002000000001
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	rina := telegramtest.User{ID: 3101, FirstName: "Rina", LanguageCode: "en"}
	e.fake.NewSupergroup(forum, "Forum Air", true)
	e.fake.SetMember(forum, admin, telegramtest.StatusCreator)
	e.fake.SetMember(forum, rina, telegramtest.StatusAdministrator)
	topic := e.fake.CreateTopic(forum, admin, "Pengumuman")
	e.fake.SendText(admin, "/start")
	e.next(admin.ID)

	e.fake.AddBot(forum, admin, false)
	contains(t, e.lastIn(forum, 1), "/linkgroup")
	e.fake.SetBotStatus(forum, admin, telegramtest.StatusAdministrator, true) // promoted: no second hello

	// A group administrator who is no Sinergi facilitator: refused, in the topic.
	e.fake.SendTopicText(rina, forum, topic, "/linkgroup")
	m := e.lastIn(forum, 2)
	if m.ThreadID != topic {
		t.Fatalf("refusal outside the topic: %+v", m)
	}
	// Anonymous administrators cannot be told apart (no one's language:
	// the default, Indonesian).
	e.fake.SendGroup(telegramtest.GroupMessage{Chat: forum, Thread: topic, Text: "/linkgroup", Anonymous: true})
	contains(t, e.lastIn(forum, 3), "saya tidak tahu siapa Anda")

	e.fake.SendTopicText(admin, forum, topic, "/linkgroup@"+telegramtest.BotUsername)
	m = e.lastIn(forum, 4)
	contains(t, m, "Link Forum Air (topic")
	if m.ThreadID != topic {
		t.Fatalf("purpose question outside the topic: %+v", m)
	}
	asked := 0
	for _, c := range e.fake.CallsOf("getChatMember") {
		if c.Params["chat_id"] == "-1002000000001" && (c.Params["user_id"] == "777" || c.Params["user_id"] == "123456") {
			asked++
		}
	}
	if asked < 2 {
		t.Fatalf("the admin's and the bot's standing were not asked of Telegram (%d calls)", asked)
	}
	e.fake.PressIn(admin, forum, m.ID, buttonData(t, m, "Forum announcements"))
	e.waitFor("the confirmation in place", func() bool {
		got := e.fake.BotMessages(forum)
		return len(got) == 4 && strings.Contains(got[3].Plain, "is linked to Sinergi as Forum announcements") && got[3].ThreadID == topic
	})
	ls := e.groupLinks()
	if len(ls) != 1 || ls[0].Chat != forum || ls[0].Thread != topic || ls[0].Purpose != flows.PurposeForum || ls[0].Title != "Forum Air" {
		t.Fatalf("links: %+v", ls)
	}

	// Ignored: a command for another bot (privacy mode off, so it
	// arrives), an edited command, a channel post.
	e.fake.SetPrivacyMode(false)
	e.fake.SendTopicText(admin, forum, topic, "/linkgroup@other_bot")
	e.fake.EditGroupText(admin, forum, m.ID, "/linkgroup")
	e.fake.SendTopicText(admin, forum, topic, "sekadar obrolan")
	// The same topic again: refused with the link in force.
	e.fake.SendTopicText(admin, forum, topic, "/linkgroup")
	contains(t, e.lastIn(forum, 5), "already linked to Sinergi as Forum announcements")
	if n := len(e.fake.BotMessages(forum)); n != 5 {
		t.Fatalf("%d bot messages in the group, want 5", n)
	}

	// Removed from the group: the link is kept, inactive, and the admin is told.
	e.fake.RemoveBot(forum, rina)
	contains(t, e.next(admin.ID), "I was removed from Forum Air (topic")
	if ls := e.groupLinks(); len(ls) != 1 || !ls[0].Inactive {
		t.Fatalf("after removal: %+v", ls)
	}
	// /groups lists it, and unlinks it.
	e.fake.SendText(admin, "/groups")
	m = e.next(admin.ID)
	contains(t, m, "inactive")
	e.fake.Press(admin, m.ID, buttonData(t, m, "Unlink 1"))
	contains(t, e.next(admin.ID), "Unlinked: Forum Air")
	if ls := e.groupLinks(); len(ls) != 0 {
		t.Fatalf("after unlink: %+v", ls)
	}
	for _, c := range e.fake.CallsOf("getUpdates") {
		if a := c.Params["allowed_updates"]; a != "" && !strings.Contains(a, "my_chat_member") {
			t.Fatalf("allowed_updates without my_chat_member: %s", a)
		}
	}
	// Nothing of Rina, who never started the bot, nor of the group's
	// messages is kept.
	for _, what := range []string{"3101", "Rina", "sekadar obrolan", "other_bot"} {
		if keys := e.redisHolding(what); len(keys) > 0 {
			t.Errorf("%q kept in %v", what, keys)
		}
	}
}

// redisHolding lists the keys whose name or value contains s.
func (e *env) redisHolding(s string) []string {
	e.t.Helper()
	ctx := context.Background()
	rdb := e.redis.Client
	keys, err := rdb.Keys(ctx, e.redis.Prefix+"*").Result()
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		var dump string
		switch rdb.Type(ctx, k).Val() {
		case "string":
			dump = rdb.Get(ctx, k).Val()
		case "hash":
			dump = strings.Join(flatten(rdb.HGetAll(ctx, k).Val()), " ")
		case "set":
			dump = strings.Join(rdb.SMembers(ctx, k).Val(), " ")
		case "zset":
			dump = strings.Join(rdb.ZRange(ctx, k, 0, -1).Val(), " ")
		case "list":
			dump = strings.Join(rdb.LRange(ctx, k, 0, -1).Val(), " ")
		case "stream":
			for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
				for f, v := range m.Values {
					dump += fmt.Sprint(" ", f, "=", v)
				}
			}
		}
		if strings.Contains(k, s) || strings.Contains(dump, s) {
			out = append(out, strings.TrimPrefix(k, e.redis.Prefix))
		}
	}
	return out
}

// A facilitator links a basic group; the bot cannot post in another group
// (answered privately); the group is upgraded to a supergroup and the link
// follows it; a reply sent to the old id goes to the supergroup; a group
// that refuses the bot's messages (403) deactivates its link.
func TestGroupMigrationAndRefusalsE2E(t *testing.T) {
	e := newEnv(t)
	e.start()
	const basic, super, muted = -4001, -1002000004001, -4002
	fac := telegramtest.User{ID: 3201, FirstName: "Fasil", LanguageCode: "en"}
	e.fake.SendText(fac, "/start")
	e.next(fac.ID)
	if err := e.store.SetRole(context.Background(), fac.ID, flows.RoleFacilitator); err != nil {
		t.Fatal(err)
	}
	// The facilitator administers the chapter the group is for.
	if err := e.store.CreateChapter(context.Background(), &flows.Chapter{ID: "jabar2", Name: "Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetChapterAdmin(context.Background(), fac.ID, "jabar2"); err != nil {
		t.Fatal(err)
	}
	e.fake.NewGroup(basic, "Bab Jabar")
	e.fake.SetMember(basic, fac, telegramtest.StatusCreator)
	e.fake.NewGroup(muted, "Diam")
	e.fake.SetMember(muted, fac, telegramtest.StatusCreator)
	e.fake.SetBotStatus(muted, fac, telegramtest.StatusRestricted, false)

	e.fake.SendGroupText(fac, muted, "/linkgroup")
	contains(t, e.next(fac.ID), "I cannot post in Diam")

	e.fake.SendGroupText(fac, basic, "/linkgroup")
	m := e.next(basic)
	e.fake.PressIn(fac, basic, m.ID, buttonData(t, m, "Chapter group"))
	e.waitFor("the chapters offered", func() bool {
		for _, msg := range e.fake.BotMessages(basic) {
			if msg.ID == m.ID && strings.Contains(msg.Plain, "Which chapter") {
				return true
			}
		}
		return false
	})
	e.fake.PressIn(fac, basic, m.ID, "groups.link:c:jabar2")
	e.waitFor("linked", func() bool { ls := e.groupLinks(); return len(ls) == 1 && ls[0].Chapter == "jabar2" })

	e.fake.MigrateGroup(basic, super)
	e.waitFor("the link moved", func() bool {
		ls := e.groupLinks()
		return len(ls) == 1 && ls[0].Chat == super && ls[0].Purpose == flows.PurposeChapter
	})
	// A command that still names the old group (Telegram could not check
	// it any more): the answer goes to the supergroup.
	e.fake.SendGroupText(fac, basic, "/linkgroup")
	contains(t, e.nth(super, 1), "could not check this chat")

	// The supergroup refuses the bot's messages: the link goes inactive.
	e.fake.Block(super)
	e.fake.SendGroupText(fac, super, "/linkgroup")
	contains(t, e.next(fac.ID), "I was removed from Bab Jabar")
	if ls := e.groupLinks(); len(ls) != 1 || !ls[0].Inactive {
		t.Fatalf("after 403: %+v", ls)
	}
	if n := len(e.fake.BotMessages(muted)); n != 0 {
		t.Fatalf("%d messages where the bot may not post", n)
	}
}

// A channel is linked from the private chat by forwarding one of its
// posts, once the bot is an administrator there who may post.
func TestChannelLinkE2E(t *testing.T) {
	e := newEnv(t)
	e.start()
	const channel = -1002000000050
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.SendText(admin, "/start")
	e.next(admin.ID)
	e.fake.NewChannel(channel, "Kanal Forum", "kanalforum")
	e.fake.SetMember(channel, admin, telegramtest.StatusCreator)
	e.fake.SetBotStatus(channel, admin, telegramtest.StatusAdministrator, false)
	post, _ := e.fake.PostInChannel(channel, "Pengumuman")
	e.fake.ForwardChannelPost(admin, channel, post)
	contains(t, e.next(admin.ID), "I am not an administrator of Kanal Forum who may post")
	e.fake.SetBotStatus(channel, admin, telegramtest.StatusAdministrator, true)
	e.fake.SendText(admin, "/linkchannel @kanalforum")
	contains(t, e.next(admin.ID), "Kanal Forum is linked to Sinergi as Forum announcements")
	if ls := e.groupLinks(); len(ls) != 1 || ls[0].Chat != channel || ls[0].Type != "channel" {
		t.Fatalf("links: %+v", ls)
	}
	if n := len(e.fake.BotMessages(channel)); n != 0 {
		t.Fatalf("%d bot messages in the channel", n)
	}
}

// A linked forum topic that was deleted: the card announced into it is
// refused by Telegram (400 "message thread not found"), the topic's link
// goes inactive (the rest of the forum's links stay) and the admin is told.
func TestDeletedTopicE2E(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := context.Background()
	const forum = -1002000000001
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.NewSupergroup(forum, "Forum Air", true)
	topic := e.fake.CreateTopic(forum, admin, "FGD Air Bersih")
	now := time.Now()
	w := &flows.Workshop{Code: flows.NewCode(), Title: "Air bersih", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour),
		Zone: "Asia/Jakarta", Capacity: 10, Deadline: now.Add(24 * time.Hour), Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	if err := e.store.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	for _, th := range []int{0, topic} {
		if _, err := e.store.LinkChat(ctx, &flows.ChatLink{Chat: forum, Thread: th, Title: "Forum Air", Type: "supergroup",
			Purpose: flows.PurposeForum, By: adminID, At: now}); err != nil {
			t.Fatal(err)
		}
	}
	e.fake.SendText(admin, "/start")
	e.next(admin.ID)
	e.fake.DeleteTopic(forum, topic)
	e.fake.SendText(admin, "/announce")
	m := e.next(admin.ID)
	e.fake.Press(admin, m.ID, buttonData(t, m, "Air bersih"))
	m = e.next(admin.ID)
	e.fake.Press(admin, m.ID, buttonData(t, m, "Forum Air #"))
	contains(t, e.next(admin.ID), "Posting the card")
	contains(t, e.next(admin.ID), "was deleted, so its link to Sinergi as Forum announcements is inactive")
	ls := e.groupLinks()
	if len(ls) != 2 || ls[0].Inactive || !ls[1].Inactive || ls[1].Thread != topic {
		t.Fatalf("links: %+v", ls)
	}
	if cs, err := e.store.Cards(ctx, w.Code); err != nil || len(cs) != 0 {
		t.Fatalf("a card that was never posted is recorded: %+v %v", cs, err)
	}
	if n := len(e.fake.BotMessages(forum)); n != 0 {
		t.Fatalf("%d messages in the forum", n)
	}
}

// Commands from channels are ignored: one a user sends in the group on
// behalf of a channel (from @Channel_Bot), and a channel's post that
// Telegram forwards into its linked discussion group by itself (from the
// service user 777000, which is no bot). Neither is answered nor stored.
func TestGroupCommandsFromChannelsIgnoredE2E(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := context.Background()
	const group, channel = -1002000000601, -1003000000601
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.NewSupergroup(group, "Diskusi Kanal", false)
	e.fake.SetMember(group, admin, telegramtest.StatusCreator)
	e.fake.NewChannel(channel, "Kanal Forum", "kanalforum")
	if _, err := e.store.LinkChat(ctx, &flows.ChatLink{Chat: group, Title: "Diskusi Kanal", Type: "supergroup", Purpose: flows.PurposeForum, By: adminID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e.fake.SendGroup(telegramtest.GroupMessage{Chat: group, Channel: channel, AutomaticForward: true, Text: "/workshops"})
	e.fake.SendGroup(telegramtest.GroupMessage{Chat: group, Channel: channel, AutomaticForward: true, Text: "/linkgroup"})
	e.fake.SendGroup(telegramtest.GroupMessage{Chat: group, Channel: channel, Text: "/linkgroup"})
	// A command of the admin's own afterwards is answered: the ones before
	// were read and passed over.
	e.fake.SendGroupText(admin, group, "/workshops")
	contains(t, e.nth(group, 1), "No workshop is open for registration")
	if n := len(e.fake.BotMessages(group)); n != 1 {
		t.Fatalf("%d bot messages in the group: %+v", n, e.fake.BotMessages(group))
	}
	for _, what := range []string{fmt.Sprint(telegramtest.TelegramSystemID), fmt.Sprint(telegramtest.ChannelBotID)} {
		if keys := e.redisHolding(what); len(keys) > 0 {
			t.Errorf("%q kept in %v", what, keys)
		}
	}
}
