package bot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sinergi/bot/telegramtest"
)

// Hostile and odd updates — group chatter and commands, channel posts,
// edits, inline queries, messages from bots or from nobody, forwards,
// buttons of inline-mode messages, huge and control-character texts, a
// sticker mid-flow — neither crash the bot nor get answered in the wrong
// place, and the bot keeps answering afterwards.
func TestHostileUpdates(t *testing.T) {
	e := newEnv(t)
	e.start()
	u := telegramtest.User{ID: 3001, FirstName: "Rina", LanguageCode: "en"}
	mu := func(x telegramtest.User) *models.User {
		return &models.User{ID: x.ID, FirstName: x.FirstName, LanguageCode: x.LanguageCode, IsBot: x.IsBot}
	}
	private := func(id int64) models.Chat {
		return models.Chat{ID: id, Type: models.ChatTypePrivate, FirstName: "Rina"}
	}
	const group, channel = -5001, -1005001

	e.fake.SendText(u, "/start")
	contains(t, e.next(u.ID), "Hello Rina!")

	// A group: chatter is ignored, a command gets only the private-chat note,
	// a command for another bot nothing.
	e.fake.SendGroupText(u, group, "selamat pagi semua")
	e.fake.SendGroupText(u, group, "/start@some_other_bot")
	e.fake.SendGroupText(u, group, "/profile")
	contains(t, e.next(group), "I work in a private chat")

	// Updates Sinergi does not act on.
	e.fake.Inject(models.Update{ChannelPost: &models.Message{Chat: models.Chat{ID: channel, Type: models.ChatTypeChannel, Title: "Kanal"}, Text: "/start"}})
	e.fake.Inject(models.Update{EditedMessage: &models.Message{ID: 1, From: mu(u), Chat: private(u.ID), Text: "/grant", EditDate: 1}})
	e.fake.Inject(models.Update{InlineQuery: &models.InlineQuery{ID: "iq-1", From: mu(u), Query: "<b>hi</b>"}})
	botUser := telegramtest.User{ID: 3002, FirstName: "Spam Bot", IsBot: true}
	e.fake.Inject(models.Update{Message: &models.Message{From: mu(botUser), Chat: private(botUser.ID), Text: "/start"}})
	e.fake.Inject(models.Update{Message: &models.Message{From: mu(botUser), Chat: models.Chat{ID: group, Type: models.ChatTypeGroup}, Text: "/profile"}})
	e.fake.Inject(models.Update{Message: &models.Message{Chat: private(3003), Text: "/start"}})                                     // no from
	e.fake.Inject(models.Update{Message: &models.Message{Chat: models.Chat{ID: group, Type: models.ChatTypeGroup}, Text: "/help"}}) // no from, group
	e.fake.Inject(models.Update{CallbackQuery: &models.CallbackQuery{ID: "inline-cq-1", From: *mu(u), InlineMessageID: "AAAAinline", ChatInstance: "1", Data: "roles.invite:admin"}})

	// A forwarded message in the user's own chat is the user's input there.
	e.fake.Inject(models.Update{Message: &models.Message{From: mu(u), Chat: private(u.ID), Text: "pesan terusan",
		ForwardOrigin: &models.MessageOrigin{Type: models.MessageOriginTypeUser, MessageOriginUser: &models.MessageOriginUser{
			Type: models.MessageOriginTypeUser, Date: 1, SenderUser: models.User{ID: 4242, FirstName: "Orang lain"}}}}})
	contains(t, e.next(u.ID), "did not understand")

	// Mid-flow: a sticker, a huge text, control characters and RTL marks.
	e.fake.SendText(u, "/profile")
	e.skip(u.ID, 2) // intro, name question
	e.fake.SendSticker(u)
	contains(t, e.next(u.ID), "Please answer with a text message")
	e.next(u.ID)
	e.fake.SendText(u, strings.Repeat("ж", 4096))
	contains(t, e.next(u.ID), "(you wrote 4096)")
	e.next(u.ID)
	e.fake.SendText(u, "A\x00b\x01\x7f \u202eevil\u202c \u200fنور\u200e <b>&amp;")
	if m := e.next(u.ID); !strings.Contains(m.Plain, "organisation") && !strings.Contains(m.Plain, "Organisation") {
		t.Logf("after the control-character name: %q", m.Plain)
	}

	// The bot still answers, this user and a newcomer.
	e.fake.SendText(u, "/cancel")
	e.next(u.ID)
	e.fake.SendText(u, "/start")
	contains(t, e.next(u.ID), "Hello Rina!")
	v := telegramtest.User{ID: 3004, FirstName: "\u202eNama\u200f", LanguageCode: "en"}
	e.fake.SendText(v, "/start")
	contains(t, e.next(v.ID), "Hello \u202eNama\u200f!")

	// Let stragglers finish, then check where everything went.
	e.waitFor("all updates taken", func() bool { return e.fake.PendingUpdates() == 0 })
	time.Sleep(300 * time.Millisecond)
	allowed := map[string]bool{strconv.FormatInt(u.ID, 10): true, strconv.FormatInt(v.ID, 10): true, strconv.FormatInt(group, 10): true}
	for _, c := range e.fake.Calls() {
		if id := c.Params["chat_id"]; id != "" && c.Method != "setMyCommands" && !allowed[strings.Trim(id, `"`)] {
			t.Errorf("%s to unexpected chat %s: %v", c.Method, id, c.Params)
		}
		if c.ErrorCode != 0 && c.Method != "getUpdates" {
			t.Errorf("%s failed: %d %s", c.Method, c.ErrorCode, c.Error)
		}
	}
	if n := len(e.fake.BotMessages(group)); n != 1 {
		t.Errorf("%d bot messages in the group, want 1", n)
	}
	for _, chat := range []int64{channel, botUser.ID, 3003} {
		if n := len(e.fake.BotMessages(chat)); n != 0 {
			t.Errorf("%d bot messages in chat %d", n, chat)
		}
	}
	for _, c := range e.fake.CallsOf("answerCallbackQuery") {
		if c.Params["callback_query_id"] == "inline-cq-1" && c.Params["text"] != "" {
			t.Errorf("inline-mode button answered with %q", c.Params["text"])
		}
	}
	if n := e.fake.Stats().Errors[400]; n != 0 {
		t.Fatalf("%d bad requests", n)
	}
}
