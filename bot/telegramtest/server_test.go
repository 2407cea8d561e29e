package telegramtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sinergi/bot/telegramtest"
)

func TestGetMeAuthAndUnknownMethod(t *testing.T) {
	s := newServer(t)
	b, err := bot.New(telegramtest.Token, bot.WithServerURL(s.URL()))
	if err != nil {
		t.Fatalf("bot.New with getMe: %v", err)
	}
	me, err := b.GetMe(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if !me.IsBot || me.Username != telegramtest.BotUsername || me.ID != telegramtest.BotID {
		t.Fatalf("getMe = %+v", me)
	}

	a := do(t, s.URL()+"/bot999:WRONG/getMe", "application/json", strings.NewReader("{}"))
	mustFail(t, a, http.StatusUnauthorized, "Unauthorized")
	a = postJSON(t, s, "getChatHistory", map[string]any{})
	mustFail(t, a, http.StatusNotFound, "Not Found")
	a = do(t, s.URL()+"/nothing", "application/json", nil)
	mustFail(t, a, http.StatusNotFound, "Not Found")

	// Method names are case-insensitive; calls are recorded, failures too.
	mustOK(t, postJSON(t, s, "GETME", nil))
	calls := s.Calls()
	if len(calls) != 6 { // getMe from bot.New and b.GetMe first
		t.Fatalf("want 6 calls, got %d: %+v", len(calls), calls)
	}
	if calls[2].ErrorCode != 401 || calls[3].ErrorCode != 404 || calls[4].Method != "nothing" || calls[5].Method != "getMe" {
		t.Fatalf("calls = %+v", calls)
	}
	st := s.Stats()
	if st.Calls != 6 || st.ByMethod["getMe"] != 4 || st.Errors[401] != 1 || st.Errors[404] != 2 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestWithToken(t *testing.T) {
	s := newServer(t, telegramtest.WithToken("42:OTHER"))
	a := do(t, s.URL()+"/bot42:OTHER/getMe", "application/json", nil)
	mustOK(t, a)
	mustFail(t, postJSON(t, s, "getMe", nil), http.StatusUnauthorized, "Unauthorized")
}

func TestSendEditAndTranscript(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	s.SendText(alice, "/start")

	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "Yes", CallbackData: "answer:yes"},
		{Text: "Site", URL: "https://example.com"},
	}}}
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID: alice.ID, Text: "<b>Hello</b> &amp; welcome", ParseMode: models.ParseModeHTML, ReplyMarkup: kb,
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.ID != 2 || msg.Chat.ID != alice.ID || msg.Chat.Type != models.ChatTypePrivate || msg.From == nil ||
		msg.From.ID != telegramtest.BotID || msg.Date == 0 || msg.Text != "Hello & welcome" {
		t.Fatalf("result = %+v", msg)
	}
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "answer:yes" {
		t.Fatalf("reply_markup not echoed: %+v", msg.ReplyMarkup)
	}

	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID, Text: "Bye"})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "Bye" || edited.ReplyMarkup != nil || edited.EditDate == 0 {
		t.Fatalf("edited = %+v", edited)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: msg.ID, Text: "Bye"})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Fatalf("want not modified, got %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 99, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message to edit not found") {
		t.Fatalf("want not found, got %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 1, Text: "x"})
	if err == nil || !strings.Contains(err.Error(), "message can't be edited") {
		t.Fatalf("editing the user's message: got %v", err)
	}

	tr := s.Transcript(alice.ID)
	if len(tr) != 2 {
		t.Fatalf("transcript = %+v", tr)
	}
	if tr[0].FromBot || tr[0].Text != "/start" || tr[0].From.ID != alice.ID {
		t.Fatalf("user message = %+v", tr[0])
	}
	if !tr[1].FromBot || !tr[1].Edited || tr[1].Text != "Bye" || tr[1].Buttons != nil {
		t.Fatalf("bot message = %+v", tr[1])
	}

	// A keyboard edit, then delete.
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: msg.ID, ReplyMarkup: kb}); err != nil {
		t.Fatal(err)
	}
	bm := s.BotMessages(alice.ID)
	if len(bm) != 1 || len(bm[0].Buttons) != 1 || bm[0].Buttons[0][0] != (telegramtest.Button{Text: "Yes", CallbackData: "answer:yes"}) ||
		bm[0].Buttons[0][1].URL != "https://example.com" {
		t.Fatalf("bot messages = %+v", bm)
	}
	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: msg.ID}); err != nil || !ok {
		t.Fatalf("delete: %v %v", ok, err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: msg.ID}); err == nil {
		t.Fatal("second delete succeeded")
	}
	if bm := s.BotMessages(alice.ID); !bm[0].Deleted {
		t.Fatalf("not marked deleted: %+v", bm[0])
	}

	// Message ids are per chat.
	other, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 2002, Text: "hi"})
	if err != nil || other.ID != 1 {
		t.Fatalf("other chat: %+v %v", other, err)
	}
	calls := s.CallsOf("sendMessage")
	if len(calls) != 2 || calls[0].Params["parse_mode"] != "HTML" || !strings.Contains(calls[0].Params["reply_markup"], "answer:yes") {
		t.Fatalf("recorded calls = %+v", calls)
	}
}

func TestDocumentAndPhotoUpload(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	data := []byte("%PDF-1.4 fake report")
	msg, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:    alice.ID,
		Document:  &models.InputFileUpload{Filename: "report.pdf", Data: bytes.NewReader(data)},
		Caption:   "Your <i>report</i>",
		ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Document == nil || msg.Document.FileName != "report.pdf" || msg.Document.FileSize != int64(len(data)) ||
		msg.Document.FileID == "" || msg.Caption != "Your report" {
		t.Fatalf("result = %+v doc=%+v", msg, msg.Document)
	}
	call := s.CallsOf("sendDocument")[0]
	if f := call.Files["document"]; f.Name != "report.pdf" || !bytes.Equal(f.Data, data) {
		t.Fatalf("recorded file = %+v", f)
	}
	bm := s.BotMessages(alice.ID)
	if len(bm) != 1 || bm[0].Media != "document" || bm[0].Document == nil || !bytes.Equal(bm[0].Document.Data, data) ||
		bm[0].Text != "Your <i>report</i>" || bm[0].Plain != "Your report" {
		t.Fatalf("transcript = %+v", bm)
	}

	// Re-sending by file_id resolves the stored file.
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 2002, Document: &models.InputFileString{Data: msg.Document.FileID}}); err != nil {
		t.Fatal(err)
	}
	if bm := s.BotMessages(2002); bm[0].Document == nil || bm[0].Document.Name != "report.pdf" {
		t.Fatalf("resend by file_id = %+v", bm)
	}

	photo, err := b.SendPhoto(ctx, &bot.SendPhotoParams{
		ChatID: alice.ID, Photo: &models.InputFileUpload{Filename: "cat.jpg", Data: bytes.NewReader([]byte("jpeg"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(photo.Photo) == 0 {
		t.Fatalf("no photo sizes: %+v", photo)
	}
	if bm := s.BotMessages(alice.ID); bm[1].Photo == nil || bm[1].Photo.Name != "cat.jpg" || bm[1].Media != "photo" {
		t.Fatalf("photo transcript = %+v", bm[1])
	}

	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileString{}})
	if err == nil || !strings.Contains(err.Error(), "there is no document in the request") {
		t.Fatalf("missing document: %v", err)
	}
}

func TestValidation(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)

	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"text": "hi"}), 400, "Bad Request: chat_id is required")
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 1, "text": ""}), 400, "Bad Request: message text is empty")
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 1, "text": strings.Repeat("a", 4097)}), 400, "Bad Request: message is too long")
	mustOK(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 1, "text": strings.Repeat("я", 4096)}))
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": "@nobody", "text": "x"}), 400, "Bad Request: chat not found")
	mustFail(t, postJSON(t, s, "answerCallbackQuery", map[string]any{}), 400, "Bad Request: callback_query_id is required")
	mustFail(t, postJSON(t, s, "sendMessage", map[string]any{"chat_id": 1, "text": "x", "parse_mode": "BBCode"}), 400, "Bad Request: unsupported parse_mode")

	long := strings.Repeat("x", 65)
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
		InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b", CallbackData: long}}},
	}})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "BUTTON_DATA_INVALID") {
		t.Fatalf("65-byte callback data: %v", err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
		InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b"}}},
	}})
	if err == nil || !strings.Contains(err.Error(), "Text buttons are unallowed") {
		t.Fatalf("button without action: %v", err)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "x", ReplyMarkup: &models.ReplyKeyboardMarkup{
		Keyboard: [][]models.KeyboardButton{{{Text: "Share phone", RequestContact: true}}},
	}})
	if err != nil {
		t.Fatalf("reply keyboard: %v", err)
	}
	if bm := s.BotMessages(1); len(bm[len(bm)-1].Keyboard) != 1 || bm[len(bm)-1].Keyboard[0][0] != "Share phone" {
		t.Fatalf("reply keyboard not recorded: %+v", bm[len(bm)-1])
	}
}

func TestHTMLParseMode(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	cases := []struct {
		text string
		ok   bool
		want string // substring of the error
	}{
		{"<b>Tom &amp; Jerry</b>", true, ""},
		{"<b>Tom & Jerry</b>", false, "can't parse entities"},
		{"<b>Tom &foo; Jerry</b>", false, "can't parse entities"},
		{"a &lt;b&gt; &quot;c&quot; &#38; &#x26;", true, ""},
		{"<x>hi</x>", false, `Unsupported start tag "x"`},
		{"<b>open", false, `Can't find end tag corresponding to start tag "b"`},
		{"<b><i>bad</b></i>", false, "Unmatched end tag"},
		{"closing</b>", false, "Unexpected end tag"},
		{"1 < 2", false, "can't parse entities"},
		{`<a href="https://e.com/?a=1&b=2">link</a> <span class="tg-spoiler">s</span> <pre><code class="language-go">x</code></pre>`, true, ""},
		{"<span>plain span</span>", false, "Unsupported start tag"},
		{"<B>upper</B> <tg-spoiler>x</tg-spoiler> <blockquote expandable>q</blockquote>", true, ""},
		{"<b></b>", false, "message text is empty"},
	}
	for _, c := range cases {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: c.text, ParseMode: models.ParseModeHTML})
		switch {
		case c.ok && err != nil:
			t.Errorf("%q: unexpected error %v", c.text, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: want error containing %q, got %v", c.text, c.want, err)
		}
	}
	// Without parse_mode nothing is parsed.
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "Tom & <Jerry>"}); err != nil {
		t.Fatal(err)
	}
	// Captions are checked too.
	_, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 1, Photo: &models.InputFileString{Data: "AgACAgIAAxkBAAIx"},
		Caption: "a & b", ParseMode: models.ParseModeHTML})
	if err == nil {
		t.Fatal("caption with bare & accepted")
	}
}

func TestCopyForwardAndCommands(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	s.SendPhoto(alice, "look")
	s.SendText(alice, "hello")
	id, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: -100, FromChatID: alice.ID, MessageID: 2})
	if err != nil || id.ID != 1 {
		t.Fatalf("copy: %+v %v", id, err)
	}
	if _, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: -100, FromChatID: alice.ID, MessageID: 1, Caption: "new"}); err != nil {
		t.Fatal(err)
	}
	tr := s.Transcript(-100)
	if len(tr) != 2 || tr[0].Text != "hello" || !tr[0].FromBot || tr[1].Media != "photo" || tr[1].Text != "new" {
		t.Fatalf("copied = %+v", tr)
	}
	if _, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: -100, FromChatID: alice.ID, MessageID: 50}); err == nil ||
		!strings.Contains(err.Error(), "message to copy not found") {
		t.Fatalf("copy unknown: %v", err)
	}
	fwd, err := b.ForwardMessage(ctx, &bot.ForwardMessageParams{ChatID: 7, FromChatID: alice.ID, MessageID: 2})
	if err != nil || fwd.Text != "hello" || fwd.Chat.ID != 7 {
		t.Fatalf("forward: %+v %v", fwd, err)
	}

	cmds := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds}); err != nil {
		t.Fatal(err)
	}
	ru := []models.BotCommand{{Command: "start", Description: "Начать"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: ru, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "ru"}); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{})
	if err != nil || len(got) != 2 || got[1].Command != "help" {
		t.Fatalf("default commands: %+v %v", got, err)
	}
	got, err = b.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "ru"})
	if err != nil || len(got) != 1 || got[0].Description != "Начать" {
		t.Fatalf("ru commands: %+v %v", got, err)
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{}); len(got) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
	_, err = b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Bad-Command", Description: "x"}}})
	if err == nil {
		t.Fatal("invalid command accepted")
	}
	if _, err := b.SetChatMenuButton(ctx, &bot.SetChatMenuButtonParams{MenuButton: models.MenuButtonCommands{Type: "commands"}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: alice.ID, Action: models.ChatActionTyping}); err != nil || !ok {
		t.Fatalf("chat action: %v", err)
	}
}

func TestURLEncodedBody(t *testing.T) {
	s := newServer(t)
	a := postForm(t, s, "sendMessage", url.Values{"chat_id": {"5"}, "text": {"form body"},
		"reply_markup": {`{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`}})
	mustOK(t, a)
	bm := s.BotMessages(5)
	if len(bm) != 1 || bm[0].Text != "form body" || bm[0].Buttons[0][0].CallbackData != "a" {
		t.Fatalf("transcript = %+v", bm)
	}
}

func TestNewServerListensOnAddr(t *testing.T) {
	s, err := telegramtest.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL = %s", s.URL())
	}
	mustOK(t, postJSON(t, s, "getMe", nil))
	s.Close()
	s.Close() // idempotent
}

func TestWithoutRecording(t *testing.T) {
	s := newServer(t, telegramtest.WithoutRecording())
	b := newClient(t, s)
	ctx := ctxT(t)
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 9, Text: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 9, MessageID: msg.ID, Text: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: 9, MessageID: msg.ID + 5, Text: "b"}); err == nil {
		t.Fatal("edit of never allocated id accepted")
	}
	if len(s.Calls()) != 0 || len(s.Transcript(9)) != 0 {
		t.Fatal("recorded although WithoutRecording")
	}
	if st := s.Stats(); st.Calls != 3 || st.Sent != 2 || st.ByMethod["editMessageText"] != 2 || st.Errors[400] != 1 {
		t.Fatalf("stats = %+v", st)
	}
	if _, err := s.WaitBotMessages(9, 1, 0); err == nil {
		t.Fatal("WaitBotMessages without recording should fail")
	}
}

func TestNewHandlerMounted(t *testing.T) {
	s := telegramtest.NewHandler()
	defer s.Close()
	mux := http.NewServeMux()
	mux.Handle("/tg/", http.StripPrefix("/tg", s))
	hs := httptest.NewServer(mux)
	defer hs.Close()
	if s.URL() != "" {
		t.Fatalf("URL = %q", s.URL())
	}
	mustOK(t, do(t, hs.URL+"/tg/bot"+telegramtest.Token+"/getMe", "application/json", nil))
	if s.Stats().Calls != 1 {
		t.Fatal("call not counted")
	}
}

// A user's formatted text and photo reach the bot with their entities, and
// the bot's copies keep them (what "formatting is kept" needs), the photo's
// content included.
func TestFormattedAndPhotoCopies(t *testing.T) {
	s := newServer(t)
	b := newClient(t, s)
	ctx := ctxT(t)
	bold := []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 4}}
	s.SendFormatted(alice, "Halo semua", bold)
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	s.SendPhotoFile(alice, "pic.png", png, "Foto ini", []models.MessageEntity{{Type: models.MessageEntityTypeItalic, Offset: 5, Length: 3}})
	a := postJSON(t, s, "getUpdates", map[string]any{})
	var upd []models.Update
	if err := json.Unmarshal(a.Result, &upd); err != nil || len(upd) != 2 {
		t.Fatalf("updates %s %v", a.Result, err)
	}
	if m := upd[0].Message; m.Text != "Halo semua" || len(m.Entities) != 1 || m.Entities[0].Type != models.MessageEntityTypeBold {
		t.Fatalf("formatted text: %+v", m)
	}
	if m := upd[1].Message; len(m.Photo) == 0 || m.Caption != "Foto ini" || len(m.CaptionEntities) != 1 || m.CaptionEntities[0].Offset != 5 {
		t.Fatalf("photo: %+v", m)
	}
	for _, id := range []int{1, 2} {
		if _, err := b.CopyMessage(ctx, &bot.CopyMessageParams{ChatID: 7, FromChatID: alice.ID, MessageID: id}); err != nil {
			t.Fatal(err)
		}
	}
	tr := s.Transcript(7)
	if len(tr) != 2 || tr[0].Plain != "Halo semua" || len(tr[0].Entities) != 1 || tr[0].Entities[0].Length != 4 {
		t.Fatalf("copied text: %+v", tr)
	}
	if tr[1].Photo == nil || !bytes.Equal(tr[1].Photo.Data, png) || tr[1].Photo.Name != "pic.png" || len(tr[1].Entities) != 1 {
		t.Fatalf("copied photo: %+v", tr[1])
	}
}

// SetLatencyRange: each call answers after its own delay between the
// bounds, not one delay for all.
func TestSetLatencyRange(t *testing.T) {
	s := newServer(t)
	s.SetLatencyRange("getMe", 20*time.Millisecond, 60*time.Millisecond)
	var lo, hi time.Duration
	for i := range 12 {
		start := time.Now()
		mustOK(t, postJSON(t, s, "getMe", nil))
		d := time.Since(start)
		if d < 20*time.Millisecond {
			t.Fatalf("call %d answered after %v, before the lowest 20 ms", i, d)
		}
		if i == 0 || d < lo {
			lo = d
		}
		hi = max(hi, d)
	}
	if hi-lo < 10*time.Millisecond {
		t.Errorf("12 calls answered after %v–%v: one delay for all, not drawn per call", lo, hi)
	}
}
