package telegramtest_test

import (
	"encoding/json"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sinergi/bot/telegramtest"
)

var bob = telegramtest.User{ID: 1002, FirstName: "Bob", LanguageCode: "id"}

// Topics: a message in a topic carries message_thread_id and
// is_topic_message; a send with message_thread_id lands in that topic; a
// deleted or unknown topic answers Telegram's 400.
func TestForumTopics(t *testing.T) {
	s := newServer(t)
	const forum = -1002000000001
	s.NewSupergroup(forum, "Forum Air", true)
	topic := s.CreateTopic(forum, alice, "Pengumuman")

	id := s.SendTopicText(alice, forum, topic, "/linkgroup")
	if id == 0 {
		t.Fatal("a bare command was kept from the bot")
	}
	res := postJSON(t, s, "getUpdates", map[string]any{})
	var upds []models.Update
	if err := json.Unmarshal(res.Result, &upds); err != nil || len(upds) != 1 {
		t.Fatalf("updates: %v %s", err, res.Result)
	}
	m := upds[0].Message
	if m.MessageThreadID != topic || !m.IsTopicMessage || !m.Chat.IsForum || m.Chat.Type != models.ChatTypeSupergroup {
		t.Fatalf("topic message: thread %d topic %v chat %+v", m.MessageThreadID, m.IsTopicMessage, m.Chat)
	}

	ok := postJSON(t, s, "sendMessage", map[string]any{"chat_id": forum, "message_thread_id": topic, "text": "ok"})
	if !ok.OK {
		t.Fatalf("send into topic: %+v", ok)
	}
	msgs := s.BotMessages(forum)
	if len(msgs) != 1 || msgs[0].ThreadID != topic {
		t.Fatalf("bot messages: %+v", msgs)
	}
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": forum, "message_thread_id": 999, "text": "x"}); a.OK || a.ErrorCode != 400 || a.Description != "Bad Request: message thread not found" {
		t.Fatalf("unknown topic: %+v", a)
	}
	s.DeleteTopic(forum, topic)
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": forum, "message_thread_id": topic, "text": "x"}); a.OK || a.Description != "Bad Request: message thread not found" {
		t.Fatalf("deleted topic: %+v", a)
	}
	// The General topic has no thread id.
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": forum, "text": "general"}); !a.OK {
		t.Fatalf("General: %+v", a)
	}
}

// getChatMember and getChatAdministrators answer from the statuses the test
// set; the bot's own status follows AddBot / SetBotStatus / RemoveBot, each
// a my_chat_member update; after removal sends answer 403.
func TestMembersAndMyChatMember(t *testing.T) {
	s := newServer(t)
	const group = -1002000000002
	s.NewSupergroup(group, "Fasilitator", false)
	s.SetMember(group, alice, telegramtest.StatusCreator)
	s.SetMember(group, bob, telegramtest.StatusMember)
	b := newClient(t, s)
	ctx := ctxT(t)

	s.AddBot(group, alice, false)
	s.SetBotStatus(group, alice, telegramtest.StatusAdministrator, true)
	s.RemoveBot(group, alice)
	res := postJSON(t, s, "getUpdates", map[string]any{})
	var upds []models.Update
	if err := json.Unmarshal(res.Result, &upds); err != nil || len(upds) != 3 {
		t.Fatalf("updates: %v %s", err, res.Result)
	}
	want := [][2]models.ChatMemberType{
		{models.ChatMemberTypeLeft, models.ChatMemberTypeMember},
		{models.ChatMemberTypeMember, models.ChatMemberTypeAdministrator},
		{models.ChatMemberTypeAdministrator, models.ChatMemberTypeBanned},
	}
	for i, u := range upds {
		cm := u.MyChatMember
		if cm == nil || cm.Chat.ID != group || cm.From.ID != alice.ID || cm.OldChatMember.Type != want[i][0] || cm.NewChatMember.Type != want[i][1] {
			t.Fatalf("update %d: %+v", i, u)
		}
	}
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": group, "text": "x"}); a.ErrorCode != 403 || a.Description != "Forbidden: bot was kicked from the supergroup chat" {
		t.Fatalf("send after removal: %+v", a)
	}

	s.AddBot(group, alice, true)
	m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: group, UserID: alice.ID})
	if err != nil || m.Type != models.ChatMemberTypeOwner {
		t.Fatalf("alice: %+v %v", m, err)
	}
	m, err = b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: group, UserID: bob.ID})
	if err != nil || m.Type != models.ChatMemberTypeMember {
		t.Fatalf("bob: %+v %v", m, err)
	}
	m, err = b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: group, UserID: 4040})
	if err != nil || m.Type != models.ChatMemberTypeLeft {
		t.Fatalf("stranger: %+v %v", m, err)
	}
	admins, err := b.GetChatAdministrators(ctx, &bot.GetChatAdministratorsParams{ChatID: group})
	if err != nil || len(admins) != 2 {
		t.Fatalf("admins: %+v %v", admins, err)
	}

	// Restricted from writing: 400, nothing sent.
	s.SetBotStatus(group, alice, telegramtest.StatusRestricted, false)
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": group, "text": "x"}); a.ErrorCode != 400 || a.Description != "Bad Request: not enough rights to send text messages to the chat" {
		t.Fatalf("restricted: %+v", a)
	}
	// A channel: only an administrator allowed to post may.
	const channel = -1002000000003
	s.NewChannel(channel, "Kanal Forum", "@kanalforum")
	s.SetBotStatus(channel, alice, telegramtest.StatusAdministrator, false)
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": channel, "text": "x"}); a.ErrorCode != 400 || a.Description != "Bad Request: need administrator rights in the channel chat" {
		t.Fatalf("channel without rights: %+v", a)
	}
	s.SetBotStatus(channel, alice, telegramtest.StatusAdministrator, true)
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": channel, "text": "x"}); !a.OK {
		t.Fatalf("channel: %+v", a)
	}
	full, err := b.GetChat(ctx, &bot.GetChatParams{ChatID: "@kanalforum"})
	if err != nil || full.ID != channel || full.Type != models.ChatTypeChannel {
		t.Fatalf("getChat @name: %+v %v", full, err)
	}
	m, err = b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: channel, UserID: telegramtest.BotID})
	if err != nil || m.Type != models.ChatMemberTypeAdministrator || !m.Administrator.CanPostMessages {
		t.Fatalf("bot in channel: %+v %v", m, err)
	}
}

// A basic group upgraded to a supergroup: service messages in both, and a
// send to the old id answers 400 with parameters.migrate_to_chat_id, which
// go-telegram/bot reports as a *bot.MigrateError.
func TestMigrateGroup(t *testing.T) {
	s := newServer(t)
	const old, nu = -4001, -1002000004001
	s.NewGroup(old, "Bab Jabar")
	s.SetMember(old, alice, telegramtest.StatusCreator)
	s.MigrateGroup(old, nu)
	res := postJSON(t, s, "getUpdates", map[string]any{})
	var upds []models.Update
	if err := json.Unmarshal(res.Result, &upds); err != nil || len(upds) != 2 {
		t.Fatalf("updates: %v %s", err, res.Result)
	}
	if upds[0].Message.Chat.ID != old || upds[0].Message.MigrateToChatID != nu || upds[1].Message.Chat.ID != nu || upds[1].Message.MigrateFromChatID != old {
		t.Fatalf("service messages: %+v / %+v", upds[0].Message, upds[1].Message)
	}
	a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": old, "text": "x"})
	if a.ErrorCode != 400 || a.Description != "Bad Request: group chat was upgraded to a supergroup chat" || a.Parameters.MigrateToChatID != nu {
		t.Fatalf("send to the old id: %+v", a)
	}
	_, err := newClient(t, s).SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: old, Text: "x"})
	var me *bot.MigrateError
	if !asMigrate(err, &me) || me.MigrateToChatID != int(nu) {
		t.Fatalf("client error: %v", err)
	}
	if a := postJSON(t, s, "sendMessage", map[string]any{"chat_id": nu, "text": "x"}); !a.OK {
		t.Fatalf("send to the supergroup: %+v", a)
	}
	m, err := newClient(t, s).GetChatMember(ctxT(t), &bot.GetChatMemberParams{ChatID: nu, UserID: alice.ID})
	if err != nil || m.Type != models.ChatMemberTypeOwner {
		t.Fatalf("members moved: %+v %v", m, err)
	}
}

func asMigrate(err error, me **bot.MigrateError) bool {
	m, ok := err.(*bot.MigrateError)
	*me = m
	return ok
}

// Privacy mode: from a group the bot gets commands (bare or addressed to
// it), replies to its messages; chatter, "/cmd@otherbot" stay away. With
// privacy mode off, everything comes; anonymous admins send as the group.
func TestPrivacyMode(t *testing.T) {
	s := newServer(t)
	const group = -1002000000005
	s.NewSupergroup(group, "Anggota", false)
	if s.SendGroupText(alice, group, "selamat pagi") != 0 {
		t.Fatal("chatter reached the bot")
	}
	if s.SendGroupText(alice, group, "/linkgroup@other_bot") != 0 {
		t.Fatal("another bot's command reached the bot")
	}
	if s.SendGroupText(alice, group, "/linkgroup@"+telegramtest.BotUsername) == 0 || s.SendGroupText(alice, group, "/help") == 0 {
		t.Fatal("commands for the bot were kept away")
	}
	postJSON(t, s, "sendMessage", map[string]any{"chat_id": group, "text": "pertanyaan?"})
	botMsg := s.BotMessages(group)[0].ID
	if s.SendGroup(telegramtest.GroupMessage{From: bob, Chat: group, Text: "jawaban", ReplyTo: botMsg}) == 0 {
		t.Fatal("a reply to the bot was kept away")
	}
	id := s.SendGroup(telegramtest.GroupMessage{Chat: group, Text: "/linkgroup", Anonymous: true})
	s.SetPrivacyMode(false)
	if s.SendGroupText(alice, group, "selamat siang") == 0 {
		t.Fatal("privacy off: chatter kept away")
	}
	res := postJSON(t, s, "getUpdates", map[string]any{})
	var upds []models.Update
	if err := json.Unmarshal(res.Result, &upds); err != nil || len(upds) != 5 {
		t.Fatalf("updates: %v %s", err, res.Result)
	}
	for _, u := range upds {
		if u.ID == id && (u.Message.SenderChat == nil || u.Message.SenderChat.ID != group || u.Message.From.ID != telegramtest.AnonymousAdminID) {
			t.Fatalf("anonymous admin: %+v", u.Message)
		}
	}
}
