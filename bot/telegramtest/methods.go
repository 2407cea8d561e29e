package telegramtest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// methodSpec describes one served Bot API method.
type methodSpec struct {
	name string
	// required lists the parameters api.json marks as required.
	required []string
	send     bool
	// handle runs with s.mu held, after the generic checks.
	handle func(*Server, *Call) (any, *apiError)
}

// methodTable maps lower-cased method names to their spec. It is never
// modified after initialization.
var methodTable = buildMethodTable()

func buildMethodTable() map[string]methodSpec {
	chatAnd := func(p ...string) []string { return append([]string{"chat_id"}, p...) }
	specs := []methodSpec{
		{name: "getMe", handle: (*Server).handleGetMe},
		{name: "getUpdates"}, // long poll: served by Server.getUpdates
		{name: "setWebhook", handle: (*Server).handleSetWebhook},
		{name: "deleteWebhook", handle: (*Server).handleDeleteWebhook},
		{name: "getWebhookInfo", handle: (*Server).handleGetWebhookInfo},
		{name: "logOut", handle: (*Server).handleTrue},
		{name: "close", handle: (*Server).handleTrue},
		{name: "sendMessage", required: chatAnd("text"), handle: (*Server).handleSendMessage},
		{name: "editMessageText", handle: (*Server).handleEditMessageText},
		{name: "editMessageCaption", handle: (*Server).handleEditMessageCaption},
		{name: "editMessageReplyMarkup", handle: (*Server).handleEditMessageReplyMarkup},
		{name: "deleteMessage", required: chatAnd("message_id"), handle: (*Server).handleDeleteMessage},
		{name: "answerCallbackQuery", required: []string{"callback_query_id"}, handle: (*Server).handleAnswerCallbackQuery},
		{name: "sendPhoto", required: chatAnd("photo"), handle: mediaHandler("photo")},
		{name: "sendDocument", required: chatAnd("document"), handle: mediaHandler("document")},
		{name: "sendAudio", required: chatAnd("audio"), handle: mediaHandler("audio")},
		{name: "sendVideo", required: chatAnd("video"), handle: mediaHandler("video")},
		{name: "sendAnimation", required: chatAnd("animation"), handle: mediaHandler("animation")},
		{name: "sendVoice", required: chatAnd("voice"), handle: mediaHandler("voice")},
		{name: "sendSticker", required: chatAnd("sticker"), handle: mediaHandler("sticker")},
		{name: "sendMediaGroup", required: chatAnd("media"), handle: (*Server).handleSendMediaGroup},
		{name: "copyMessage", required: chatAnd("from_chat_id", "message_id"), handle: (*Server).handleCopyMessage},
		{name: "forwardMessage", required: chatAnd("from_chat_id", "message_id"), handle: (*Server).handleForwardMessage},
		{name: "sendChatAction", required: chatAnd("action"), handle: (*Server).handleSendChatAction},
		{name: "setMyCommands", required: []string{"commands"}, handle: (*Server).handleSetMyCommands},
		{name: "getMyCommands", handle: (*Server).handleGetMyCommands},
		{name: "deleteMyCommands", handle: (*Server).handleDeleteMyCommands},
		{name: "setChatMenuButton", handle: (*Server).handleSetChatMenuButton},
		{name: "getChatMenuButton", handle: (*Server).handleGetChatMenuButton},
		{name: "getChatMember", required: chatAnd("user_id"), handle: (*Server).handleGetChatMember},
		{name: "getChatAdministrators", required: chatAnd(), handle: (*Server).handleGetChatAdministrators},
		{name: "getChat", required: chatAnd(), handle: (*Server).handleGetChat},
	}
	m := make(map[string]methodSpec, len(specs))
	for _, sp := range specs {
		sp.send = sendMethods[sp.name]
		m[strings.ToLower(sp.name)] = sp
	}
	return m
}

// mediaFields are the parameters that carry a file.
var mediaFields = map[string]bool{
	"photo": true, "document": true, "audio": true, "video": true,
	"animation": true, "voice": true, "sticker": true,
}

// checkRequired answers 400 for a missing required parameter.
func checkRequired(spec methodSpec, c *Call) *apiError {
	for _, p := range spec.required {
		if _, ok := c.Files[p]; ok {
			continue
		}
		if v := strings.TrimSpace(c.Params[p]); v != "" && v != "null" {
			continue
		}
		switch {
		case p == "text":
			return badRequest("message text is empty")
		case mediaFields[p]:
			return badRequest("there is no %s in the request", p)
		default:
			return badRequest("%s is required", p)
		}
	}
	return nil
}

// parseChatID parses an integer chat id; "@username" and empty values are
// not ok.
func parseChatID(v string) (int64, bool) {
	id, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(v), `"`), 10, 64)
	return id, err == nil && id != 0
}

// targetChatLocked returns the chat named by chat_id.
func (s *Server) targetChatLocked(c *Call) (*chat, *apiError) {
	id, ok := parseChatID(c.Params["chat_id"])
	if !ok {
		return nil, badRequest("chat not found")
	}
	return s.chatLocked(id), nil
}

// newBotRecordLocked allocates the next message id of the chat for a bot
// message.
func (s *Server) newBotRecordLocked(ch *chat, c *Call) *record {
	now := s.clock()
	ch.lastMsgID++
	r := &record{
		raw: models.Message{ID: ch.lastMsgID, From: botUser.model(), Date: int(now.Unix()), Chat: ch.model()},
		pub: Message{ID: ch.lastMsgID, ChatID: ch.id, FromBot: true, From: botUser, Date: now},
	}
	if t := ch.topics[atoi(c.Params["message_thread_id"])]; t != nil && ch.forum { // checked by groupSendLocked
		r.raw.MessageThreadID, r.raw.IsTopicMessage = atoi(c.Params["message_thread_id"]), true
		r.pub.ThreadID = r.raw.MessageThreadID
	}
	return r
}

func atoi(v string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(v))
	return n
}

func (s *Server) handleTrue(*Call) (any, *apiError) { return true, nil }

func (s *Server) handleGetMe(*Call) (any, *apiError) {
	return models.User{ID: BotID, IsBot: true, FirstName: BotFirstName, Username: BotUsername, CanJoinGroups: true}, nil
}

func (s *Server) handleSendMessage(c *Call) (any, *apiError) {
	ch, e := s.targetChatLocked(c)
	if e != nil {
		return nil, e
	}
	pm, e := parseMode(c.Params["parse_mode"])
	if e != nil {
		return nil, e
	}
	text := c.Params["text"]
	plain, e := checkMessageText(text, pm)
	if e != nil {
		return nil, e
	}
	m, e := s.parseMarkupLocked(ch, c.Params["reply_markup"], false)
	if e != nil {
		return nil, e
	}
	if e := s.admitSendLocked(ch, c); e != nil {
		return nil, e
	}
	r := s.newBotRecordLocked(ch, c)
	r.raw.Text = plain
	r.pub.Text, r.pub.Plain, r.pub.ParseMode = text, plain, pm
	r.raw.ReplyMarkup, r.pub.Buttons, r.pub.Keyboard = m.inline, m.buttons, m.keyboard
	s.storeLocked(ch, r, EventMessage)
	return r.raw, nil
}

// File id prefixes by media kind, so ids look like Telegram's.
var filePrefixes = map[string]string{
	"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI", "audio": "CQACAgIAAxkBAAI",
	"video": "BAACAgIAAxkBAAI", "animation": "CgACAgIAAxkBAAI", "voice": "AwACAgIAAxkBAAI",
	"sticker": "CAACAgIAAxkBAAI",
}

func (s *Server) nextFileIDLocked(prefix string) string {
	s.fileSeq++
	return fmt.Sprintf("%s%08d", prefix, s.fileSeq)
}

func uniqueID(fileID string) string {
	if len(fileID) > 8 {
		fileID = fileID[len(fileID)-8:]
	}
	return "AQAD" + fileID
}

// photoSizes returns the sizes of a photo; the largest has fileID itself.
func photoSizes(fileID string, size int) []models.PhotoSize {
	return []models.PhotoSize{
		{FileID: fileID + "_s", FileUniqueID: uniqueID(fileID) + "s", Width: 90, Height: 90, FileSize: size / 16},
		{FileID: fileID + "_m", FileUniqueID: uniqueID(fileID) + "m", Width: 320, Height: 320, FileSize: size / 4},
		{FileID: fileID, FileUniqueID: uniqueID(fileID), Width: 800, Height: 800, FileSize: size},
	}
}

// resolvedFile is a file parameter of a send, before it is committed.
type resolvedFile struct {
	id    string // empty: a new file, id assigned on commit
	file  File
	store bool
}

// resolveFileLocked finds the file given for a parameter: an upload, an
// attach://<name> reference, a known or unknown file_id, or an HTTP URL.
func (s *Server) resolveFileLocked(c *Call, field, value string) (resolvedFile, *apiError) {
	if up, ok := c.Files[field]; ok && value == "" {
		return resolvedFile{file: up, store: true}, nil
	}
	v := strings.TrimSpace(value)
	if name, ok := strings.CutPrefix(v, "attach://"); ok {
		up, ok := c.Files[name]
		if !ok {
			return resolvedFile{}, badRequest("there is no %s in the request", name)
		}
		return resolvedFile{file: up, store: true}, nil
	}
	if v == "" {
		return resolvedFile{}, badRequest("there is no %s in the request", field)
	}
	if f, ok := s.files[v]; ok {
		return resolvedFile{id: v, file: f}, nil
	}
	if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return resolvedFile{file: File{Name: path.Base(u.Path)}, store: true}, nil
	}
	return resolvedFile{id: v}, nil // a file_id the fake has not seen: accepted
}

// commitFileLocked assigns a file id to a new file and stores it.
func (s *Server) commitFileLocked(rf *resolvedFile, kind string) {
	if rf.id == "" {
		rf.id = s.nextFileIDLocked(filePrefixes[kind])
	}
	if !s.record || !rf.store {
		return
	}
	s.files[rf.id] = rf.file
	if kind == "photo" {
		s.files[rf.id+"_s"], s.files[rf.id+"_m"] = rf.file, rf.file
	}
}

func mimeOf(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// setMedia attaches a committed file to a message.
func setMedia(r *record, kind string, rf resolvedFile) {
	f := rf.file
	id, uid, size := rf.id, uniqueID(rf.id), len(f.Data)
	switch kind {
	case "photo":
		r.raw.Photo = photoSizes(id, size)
	case "document":
		r.raw.Document = &models.Document{FileID: id, FileUniqueID: uid, FileName: f.Name, MimeType: mimeOf(f.Name), FileSize: int64(size)}
	case "audio":
		r.raw.Audio = &models.Audio{FileID: id, FileUniqueID: uid, Duration: 1, FileName: f.Name, MimeType: mimeOf(f.Name), FileSize: int64(size)}
	case "video":
		r.raw.Video = &models.Video{FileID: id, FileUniqueID: uid, Width: 640, Height: 360, Duration: 1, FileName: f.Name, MimeType: mimeOf(f.Name), FileSize: int64(size)}
	case "animation":
		r.raw.Animation = &models.Animation{FileID: id, FileUniqueID: uid, Width: 320, Height: 240, Duration: 1, FileName: f.Name, MimeType: mimeOf(f.Name), FileSize: int64(size)}
	case "voice":
		r.raw.Voice = &models.Voice{FileID: id, FileUniqueID: uid, Duration: 1, MimeType: "audio/ogg", FileSize: int64(size)}
	case "sticker":
		r.raw.Sticker = &models.Sticker{FileID: id, FileUniqueID: uid, Type: "regular", Width: 512, Height: 512, FileSize: size}
	}
	r.pub.Media = kind
	if kind == "photo" {
		r.pub.Photo = &f
	} else {
		r.pub.Document = &f
	}
}

// mediaHandler serves sendPhoto, sendDocument and the other single-file sends.
func mediaHandler(kind string) func(*Server, *Call) (any, *apiError) {
	return func(s *Server, c *Call) (any, *apiError) {
		ch, e := s.targetChatLocked(c)
		if e != nil {
			return nil, e
		}
		pm, e := parseMode(c.Params["parse_mode"])
		if e != nil {
			return nil, e
		}
		caption := c.Params["caption"]
		plain, e := checkCaption(caption, pm)
		if e != nil {
			return nil, e
		}
		m, e := s.parseMarkupLocked(ch, c.Params["reply_markup"], false)
		if e != nil {
			return nil, e
		}
		rf, e := s.resolveFileLocked(c, kind, c.Params[kind])
		if e != nil {
			return nil, e
		}
		if e := s.admitSendLocked(ch, c); e != nil {
			return nil, e
		}
		s.commitFileLocked(&rf, kind)
		r := s.newBotRecordLocked(ch, c)
		setMedia(r, kind, rf)
		if caption != "" && kind != "sticker" {
			r.raw.Caption = plain
			r.pub.Text, r.pub.Plain, r.pub.ParseMode = caption, plain, pm
		}
		r.raw.ReplyMarkup, r.pub.Buttons, r.pub.Keyboard = m.inline, m.buttons, m.keyboard
		s.storeLocked(ch, r, EventMessage)
		return r.raw, nil
	}
}

func (s *Server) handleSendMediaGroup(c *Call) (any, *apiError) {
	ch, e := s.targetChatLocked(c)
	if e != nil {
		return nil, e
	}
	var items []struct {
		Type      string `json:"type"`
		Media     string `json:"media"`
		Caption   string `json:"caption"`
		ParseMode string `json:"parse_mode"`
	}
	if err := json.Unmarshal([]byte(c.Params["media"]), &items); err != nil {
		return nil, badRequest("can't parse media JSON array")
	}
	if len(items) < 2 || len(items) > 10 {
		return nil, badRequest("media group must contain 2-10 items")
	}
	files := make([]resolvedFile, len(items))
	plains := make([]string, len(items))
	modes := make([]string, len(items))
	for i, it := range items {
		switch it.Type {
		case "photo", "video", "document", "audio":
		default:
			return nil, badRequest("unsupported media type %q in the media group", it.Type)
		}
		pm, e := parseMode(it.ParseMode)
		if e != nil {
			return nil, e
		}
		if plains[i], e = checkCaption(it.Caption, pm); e != nil {
			return nil, e
		}
		modes[i] = pm
		if files[i], e = s.resolveFileLocked(c, "media", it.Media); e != nil {
			return nil, e
		}
	}
	if e := s.admitSendLocked(ch, c); e != nil {
		return nil, e
	}
	s.fileSeq++
	group := strconv.FormatInt(13000000000000000+s.fileSeq, 10)
	out := make([]models.Message, 0, len(items))
	for i, it := range items {
		s.commitFileLocked(&files[i], it.Type)
		r := s.newBotRecordLocked(ch, c)
		setMedia(r, it.Type, files[i])
		r.raw.MediaGroupID = group
		if it.Caption != "" {
			r.raw.Caption = plains[i]
			r.pub.Text, r.pub.Plain, r.pub.ParseMode = it.Caption, plains[i], modes[i]
		}
		s.storeLocked(ch, r, EventMessage)
		out = append(out, r.raw)
	}
	return out, nil
}

// editTargetLocked finds the bot message an edit refers to. inline is true
// for inline_message_id edits, which the fake accepts without tracking. When
// not recording, a synthetic record stands for any allocated message id.
func (s *Server) editTargetLocked(c *Call, verb string) (ch *chat, r *record, inline bool, e *apiError) {
	if strings.TrimSpace(c.Params["inline_message_id"]) != "" {
		return nil, nil, true, nil
	}
	if strings.TrimSpace(c.Params["chat_id"]) == "" || strings.TrimSpace(c.Params["message_id"]) == "" {
		return nil, nil, false, badRequest("message identifier is not specified")
	}
	if ch, e = s.targetChatLocked(c); e != nil {
		return nil, nil, false, e
	}
	id, err := strconv.Atoi(strings.TrimSpace(c.Params["message_id"]))
	notFound := badRequest("message to %s not found", verb)
	if err != nil || id <= 0 || id > ch.lastMsgID {
		return nil, nil, false, notFound
	}
	if !s.record {
		return ch, &record{
			raw: models.Message{ID: id, From: botUser.model(), Date: int(s.clock().Unix()), Chat: ch.model()},
			pub: Message{ID: id, ChatID: ch.id, FromBot: true, From: botUser, Date: s.clock()},
		}, false, nil
	}
	r = ch.byID[id]
	if r == nil || r.pub.Deleted {
		return nil, nil, false, notFound
	}
	if verb == "edit" && !r.pub.FromBot {
		return nil, nil, false, badRequest("message can't be edited")
	}
	return ch, r, false, nil
}

func markupKey(ik *models.InlineKeyboardMarkup) string {
	if ik == nil || len(ik.InlineKeyboard) == 0 {
		return ""
	}
	b, _ := json.Marshal(ik)
	return string(b)
}

const errNotModified = "message is not modified: specified new message content and reply markup are exactly the same as a content and reply markup of the current message"

// finishEditLocked applies an edit: limits, then the new version.
func (s *Server) finishEditLocked(c *Call, ch *chat, r *record, edit func(*record)) (any, *apiError) {
	if e := s.admitSendLocked(ch, c); e != nil {
		return nil, e
	}
	nr := *r
	edit(&nr)
	nr.raw.EditDate = int(s.clock().Unix())
	nr.pub.Edited = true
	s.replaceLocked(ch, r, &nr, EventEdit)
	return nr.raw, nil
}

func (s *Server) handleEditMessageText(c *Call) (any, *apiError) {
	ch, r, inline, e := s.editTargetLocked(c, "edit")
	if e != nil {
		return nil, e
	}
	pm, e := parseMode(c.Params["parse_mode"])
	if e != nil {
		return nil, e
	}
	text := c.Params["text"]
	plain, e := checkMessageText(text, pm)
	if e != nil {
		return nil, e
	}
	m, e := s.parseMarkupLocked(ch, c.Params["reply_markup"], true)
	if e != nil {
		return nil, e
	}
	if inline {
		return true, nil
	}
	if s.record {
		if r.pub.Media != "" {
			return nil, badRequest("there is no text in the message to edit")
		}
		if r.pub.Text == text && r.pub.ParseMode == pm && markupKey(r.raw.ReplyMarkup) == m.key {
			return nil, badRequest(errNotModified)
		}
	}
	return s.finishEditLocked(c, ch, r, func(nr *record) {
		nr.raw.Text, nr.raw.ReplyMarkup = plain, m.inline
		nr.pub.Text, nr.pub.Plain, nr.pub.ParseMode, nr.pub.Buttons = text, plain, pm, m.buttons
	})
}

func (s *Server) handleEditMessageCaption(c *Call) (any, *apiError) {
	ch, r, inline, e := s.editTargetLocked(c, "edit")
	if e != nil {
		return nil, e
	}
	pm, e := parseMode(c.Params["parse_mode"])
	if e != nil {
		return nil, e
	}
	caption := c.Params["caption"]
	plain, e := checkCaption(caption, pm)
	if e != nil {
		return nil, e
	}
	m, e := s.parseMarkupLocked(ch, c.Params["reply_markup"], true)
	if e != nil {
		return nil, e
	}
	if inline {
		return true, nil
	}
	if s.record {
		if r.pub.Media == "" || r.pub.Media == "sticker" || r.pub.Media == "contact" {
			return nil, badRequest("there is no caption in the message to edit")
		}
		if r.pub.Text == caption && r.pub.ParseMode == pm && markupKey(r.raw.ReplyMarkup) == m.key {
			return nil, badRequest(errNotModified)
		}
	}
	return s.finishEditLocked(c, ch, r, func(nr *record) {
		nr.raw.Caption, nr.raw.ReplyMarkup = plain, m.inline
		nr.pub.Text, nr.pub.Plain, nr.pub.ParseMode, nr.pub.Buttons = caption, plain, pm, m.buttons
	})
}

func (s *Server) handleEditMessageReplyMarkup(c *Call) (any, *apiError) {
	ch, r, inline, e := s.editTargetLocked(c, "edit")
	if e != nil {
		return nil, e
	}
	m, e := s.parseMarkupLocked(ch, c.Params["reply_markup"], true)
	if e != nil {
		return nil, e
	}
	if inline {
		return true, nil
	}
	if s.record && markupKey(r.raw.ReplyMarkup) == m.key {
		return nil, badRequest(errNotModified)
	}
	return s.finishEditLocked(c, ch, r, func(nr *record) {
		nr.raw.ReplyMarkup, nr.pub.Buttons = m.inline, m.buttons
	})
}

func (s *Server) handleDeleteMessage(c *Call) (any, *apiError) {
	ch, r, _, e := s.editTargetLocked(c, "delete")
	if e != nil {
		return nil, e
	}
	nr := *r
	nr.pub.Deleted = true
	s.replaceLocked(ch, r, &nr, EventDelete)
	return true, nil
}

func (s *Server) handleAnswerCallbackQuery(c *Call) (any, *apiError) {
	id := c.Params["callback_query_id"]
	pc, ok := s.callbacks[id]
	if !ok {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	text := c.Params["text"]
	if utf8.RuneCountInString(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	delete(s.callbacks, id)
	s.emitLocked(Event{
		Kind:            EventCallbackAnswer,
		CallbackQueryID: id,
		Text:            text,
		ShowAlert:       c.Params["show_alert"] == "true",
		Message: Message{ChatID: pc.chatID, From: pc.from, Text: pc.text, Plain: pc.text,
			CallbackData: pc.data, CallbackMessageID: pc.messageID},
	})
	return true, nil
}

func (s *Server) handleCopyMessage(c *Call) (any, *apiError) {
	r, e := s.copyLocked(c, "copy")
	if e != nil {
		return nil, e
	}
	return models.MessageID{ID: r.raw.ID}, nil
}

func (s *Server) handleForwardMessage(c *Call) (any, *apiError) {
	r, e := s.copyLocked(c, "forward")
	if e != nil {
		return nil, e
	}
	return r.raw, nil
}

// copyLocked serves copyMessage and forwardMessage.
func (s *Server) copyLocked(c *Call, verb string) (*record, *apiError) {
	ch, e := s.targetChatLocked(c)
	if e != nil {
		return nil, e
	}
	fromID, ok := parseChatID(c.Params["from_chat_id"])
	if !ok {
		return nil, badRequest("chat not found")
	}
	from := s.chatLocked(fromID)
	id, err := strconv.Atoi(strings.TrimSpace(c.Params["message_id"]))
	notFound := badRequest("message to %s not found", verb)
	if err != nil || id <= 0 || id > from.lastMsgID {
		return nil, notFound
	}
	var src *record
	if s.record {
		if src = from.byID[id]; src == nil || src.pub.Deleted {
			return nil, notFound
		}
	}
	var m markup
	caption, hasCaption := c.Params["caption"]
	var pm, plain string
	if verb == "copy" {
		if m, e = s.parseMarkupLocked(ch, c.Params["reply_markup"], false); e != nil {
			return nil, e
		}
		if hasCaption {
			if pm, e = parseMode(c.Params["parse_mode"]); e != nil {
				return nil, e
			}
			if plain, e = checkCaption(caption, pm); e != nil {
				return nil, e
			}
		}
	}
	if e := s.admitSendLocked(ch, c); e != nil {
		return nil, e
	}
	r := s.newBotRecordLocked(ch, c)
	if src != nil {
		sr := src.raw
		r.raw.Text, r.raw.Entities, r.raw.Caption, r.raw.CaptionEntities = sr.Text, sr.Entities, sr.Caption, sr.CaptionEntities
		r.raw.Photo, r.raw.Document, r.raw.Audio, r.raw.Video = sr.Photo, sr.Document, sr.Audio, sr.Video
		r.raw.Animation, r.raw.Voice, r.raw.Sticker, r.raw.Contact = sr.Animation, sr.Voice, sr.Sticker, sr.Contact
		sp := src.pub
		r.pub.Text, r.pub.Plain, r.pub.ParseMode, r.pub.Entities = sp.Text, sp.Plain, sp.ParseMode, sp.Entities
		r.pub.Media, r.pub.Document, r.pub.Photo = sp.Media, sp.Document, sp.Photo
		if verb == "forward" {
			r.raw.ReplyMarkup, r.pub.Buttons = sr.ReplyMarkup, sp.Buttons
		}
	}
	if verb == "copy" {
		if hasCaption && r.pub.Media != "" {
			r.raw.Caption, r.raw.CaptionEntities = plain, nil
			r.pub.Text, r.pub.Plain, r.pub.ParseMode, r.pub.Entities = caption, plain, pm, nil
		}
		r.raw.ReplyMarkup, r.pub.Buttons, r.pub.Keyboard = m.inline, m.buttons, m.keyboard
	}
	s.storeLocked(ch, r, EventMessage)
	return r, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) handleSendChatAction(c *Call) (any, *apiError) {
	ch, e := s.targetChatLocked(c)
	if e != nil {
		return nil, e
	}
	action := c.Params["action"]
	if !chatActions[action] {
		return nil, badRequest("wrong parameter action in request")
	}
	if e := s.reachableLocked(ch); e != nil {
		return nil, e
	}
	s.emitLocked(Event{Kind: EventChatAction, Message: Message{ChatID: ch.id}, Text: action})
	return true, nil
}

var commandScopes = map[string]bool{
	"default": true, "all_private_chats": true, "all_group_chats": true, "all_chat_administrators": true,
	"chat": true, "chat_administrators": true, "chat_member": true,
}

// commandsKey identifies the command list for a scope and language.
func commandsKey(c *Call) (string, *apiError) {
	scope := struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID json.RawMessage `json:"user_id"`
	}{Type: "default"}
	if raw := strings.TrimSpace(c.Params["scope"]); raw != "" {
		if err := json.Unmarshal([]byte(raw), &scope); err != nil {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
	}
	if !commandScopes[scope.Type] {
		return "", badRequest("wrong bot command scope type specified")
	}
	trim := func(r json.RawMessage) string { return strings.Trim(string(r), `" `) }
	return strings.Join([]string{scope.Type, trim(scope.ChatID), trim(scope.UserID), c.Params["language_code"]}, "|"), nil
}

func (s *Server) handleSetMyCommands(c *Call) (any, *apiError) {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(c.Params["commands"]), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON array")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, cmd := range cmds {
		if len(cmd.Command) < 1 || len(cmd.Command) > 32 || strings.TrimFunc(cmd.Command, func(r rune) bool {
			return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_'
		}) != "" {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(cmd.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	key, e := commandsKey(c)
	if e != nil {
		return nil, e
	}
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	s.commands[key] = cmds
	return true, nil
}

func (s *Server) handleGetMyCommands(c *Call) (any, *apiError) {
	key, e := commandsKey(c)
	if e != nil {
		return nil, e
	}
	if cmds, ok := s.commands[key]; ok {
		return cmds, nil
	}
	return []models.BotCommand{}, nil
}

func (s *Server) handleDeleteMyCommands(c *Call) (any, *apiError) {
	key, e := commandsKey(c)
	if e != nil {
		return nil, e
	}
	delete(s.commands, key)
	return true, nil
}

func (s *Server) handleSetChatMenuButton(c *Call) (any, *apiError) {
	var id int64
	if v := strings.TrimSpace(c.Params["chat_id"]); v != "" {
		var ok bool
		if id, ok = parseChatID(v); !ok {
			return nil, badRequest("chat not found")
		}
	}
	raw := strings.TrimSpace(c.Params["menu_button"])
	if raw == "" {
		delete(s.menuButtons, id)
		return true, nil
	}
	var mb struct {
		Type   string `json:"type"`
		Text   string `json:"text"`
		WebApp *struct {
			URL string `json:"url"`
		} `json:"web_app"`
	}
	if err := json.Unmarshal([]byte(raw), &mb); err != nil || mb.Type == "" {
		return nil, badRequest("can't parse menu button JSON object")
	}
	if mb.Type == "web_app" {
		switch {
		case mb.Text == "":
			return nil, badRequest("menu button text is empty")
		case mb.WebApp == nil || !strings.HasPrefix(mb.WebApp.URL, "https://"):
			return nil, badRequest("BUTTON_URL_INVALID")
		}
		if id != 0 {
			if ch := s.chats[id]; ch != nil && ch.typ != "" && ch.typ != models.ChatTypePrivate {
				return nil, badRequest("BUTTON_TYPE_INVALID")
			}
		}
	}
	s.menuButtons[id] = json.RawMessage(raw)
	return true, nil
}

func (s *Server) handleGetChatMenuButton(c *Call) (any, *apiError) {
	var id int64
	if v := strings.TrimSpace(c.Params["chat_id"]); v != "" {
		id, _ = parseChatID(v)
	}
	if mb, ok := s.menuButtons[id]; ok {
		return mb, nil
	}
	if mb, ok := s.menuButtons[0]; ok {
		return mb, nil
	}
	return json.RawMessage(`{"type":"default"}`), nil
}
