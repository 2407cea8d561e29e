package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// chatLocked returns the state of a chat, creating it on first use. Positive
// ids are private chats, ids <= -10^12 supergroups, other negative ids groups.
func (s *Server) chatLocked(id int64) *chat {
	if ch := s.chats[id]; ch != nil {
		return ch
	}
	ch := &chat{id: id, typ: models.ChatTypePrivate}
	switch {
	case id <= -1000000000000:
		ch.typ = models.ChatTypeSupergroup
		ch.title = "Test supergroup " + strconv.FormatInt(id, 10)
	case id < 0:
		ch.typ = models.ChatTypeGroup
		ch.title = "Test group " + strconv.FormatInt(id, 10)
	}
	if s.record {
		ch.byID = map[int]*record{}
	}
	s.chats[id] = ch
	return ch
}

// storeLocked appends a new record to the chat transcript (when recording)
// and publishes it.
func (s *Server) storeLocked(ch *chat, r *record, kind string) {
	if s.record {
		ch.msgs = append(ch.msgs, r)
		if r.pub.ID != 0 {
			ch.byID[r.pub.ID] = r
		}
	}
	s.emitLocked(Event{Kind: kind, Message: r.pub})
	s.notifyLocked()
}

// replaceLocked swaps the stored version of a message for a new one.
func (s *Server) replaceLocked(ch *chat, old, updated *record, kind string) {
	if s.record {
		if i := slices.Index(ch.msgs, old); i >= 0 {
			ch.msgs[i] = updated
		}
		ch.byID[updated.pub.ID] = updated
	}
	s.emitLocked(Event{Kind: kind, Message: updated.pub})
	s.notifyLocked()
}

// userMessage builds a message from u in chat chatID, records it and queues
// it as an update. fill runs with the lock held.
func (s *Server) userMessage(u User, chatID int64, group bool, fill func(raw *models.Message, pub *Message)) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	if group && ch.isPrivate() {
		ch.typ = models.ChatTypeGroup
		ch.title = "Test group " + strconv.FormatInt(chatID, 10)
	}
	if ch.isPrivate() && chatID == u.ID {
		uc := u
		ch.user = &uc
	}
	now := s.clock()
	ch.lastMsgID++
	raw := models.Message{ID: ch.lastMsgID, From: u.model(), Date: int(now.Unix()), Chat: ch.model()}
	pub := Message{ID: raw.ID, ChatID: chatID, From: u, Date: now}
	fill(&raw, &pub)
	s.storeLocked(ch, &record{pub: pub, raw: raw}, EventMessage)
	return s.enqueueLocked(models.Update{Message: &raw})
}

// SendText injects a text message from u in the private chat with u (chat id
// u.ID) and returns the update id. A text starting with "/" gets a bot_command
// entity for the command part ("/start", "/start@bot"), as Telegram does.
func (s *Server) SendText(u User, text string) int64 {
	return s.userMessage(u, u.ID, false, textFiller(text))
}

// SendFormatted injects a text message with formatting entities (bold,
// italic, …; offsets in UTF-16 code units, as Telegram counts them) from u
// in the private chat with u, and returns the update id. A leading command
// gets its bot_command entity as with [Server.SendText].
func (s *Server) SendFormatted(u User, text string, entities []models.MessageEntity) int64 {
	return s.userMessage(u, u.ID, false, func(raw *models.Message, pub *Message) {
		raw.Text = text
		raw.Entities = append(commandEntities(text), entities...)
		pub.Text, pub.Plain = text, text
		pub.Entities = slices.Clone(entities)
	})
}

// SendPhotoFile injects a photo message from u in the private chat with u:
// the picture (name and content, kept so that the bot's copies carry it
// too) with a caption and its formatting entities. It returns the update id.
func (s *Server) SendPhotoFile(u User, name string, data []byte, caption string, entities []models.MessageEntity) int64 {
	return s.userMessage(u, u.ID, false, func(raw *models.Message, pub *Message) {
		id := s.nextFileIDLocked("AgACAgIAAxkBAAI")
		raw.Photo = photoSizes(id, len(data))
		raw.Caption, raw.CaptionEntities = caption, slices.Clone(entities)
		pub.Media = "photo"
		pub.Photo = &File{Name: name, Data: slices.Clone(data)}
		pub.Text, pub.Plain = caption, caption
		pub.Entities = slices.Clone(entities)
		if s.record {
			for _, p := range raw.Photo {
				s.files[p.FileID] = *pub.Photo
			}
		}
	})
}

// SendGroupText injects a text message from u in the group chat chatID (chat
// type "group" unless the test made it another) and returns the update id,
// or 0 when privacy mode keeps it from the bot (see [Server.SendGroup]).
func (s *Server) SendGroupText(u User, chatID int64, text string) int64 {
	return s.SendGroup(GroupMessage{From: u, Chat: chatID, Text: text})
}

func textFiller(text string) func(*models.Message, *Message) {
	return func(raw *models.Message, pub *Message) {
		raw.Text = text
		raw.Entities = commandEntities(text)
		pub.Text, pub.Plain = text, text
	}
}

// commandEntities returns the bot_command entity of a text starting with "/".
func commandEntities(text string) []models.MessageEntity {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return nil
	}
	cmd := text
	if i := strings.IndexAny(text, " \t\n\r"); i >= 0 {
		cmd = text[:i]
	}
	if cmd == "/" {
		return nil
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(cmd)}}
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// SendSticker injects a sticker message (no text) from u in the private chat
// with u and returns the update id.
func (s *Server) SendSticker(u User) int64 {
	return s.userMessage(u, u.ID, false, func(raw *models.Message, pub *Message) {
		id := s.nextFileIDLocked("CAACAgIAAxkBAAI")
		raw.Sticker = &models.Sticker{FileID: id, FileUniqueID: uniqueID(id), Type: "regular", Width: 512, Height: 512, Emoji: "👍"}
		pub.Media = "sticker"
		pub.Document = &File{Name: "sticker.webp"}
	})
}

// SendPhoto injects a photo message with the given caption from u in the
// private chat with u and returns the update id.
func (s *Server) SendPhoto(u User, caption string) int64 {
	return s.userMessage(u, u.ID, false, func(raw *models.Message, pub *Message) {
		id := s.nextFileIDLocked("AgACAgIAAxkBAAI")
		raw.Photo = photoSizes(id, 0)
		raw.Caption = caption
		pub.Media = "photo"
		pub.Photo = &File{Name: "photo.jpg"}
		pub.Text, pub.Plain = caption, caption
		if s.record {
			for _, p := range raw.Photo {
				s.files[p.FileID] = *pub.Photo
			}
		}
	})
}

// SendAlbum injects an album of n photos from u in the private chat with
// u, as Telegram delivers one: n messages sharing a media_group_id, the
// caption on the first. It returns the update ids.
func (s *Server) SendAlbum(u User, caption string, n int) []int64 {
	s.mu.Lock()
	s.albums++
	group := fmt.Sprintf("1357%09d", s.albums)
	s.mu.Unlock()
	ids := make([]int64, n)
	for i := range n {
		c := ""
		if i == 0 {
			c = caption
		}
		ids[i] = s.userMessage(u, u.ID, false, func(raw *models.Message, pub *Message) {
			id := s.nextFileIDLocked("AgACAgIAAxkBAAI")
			raw.Photo = photoSizes(id, 0)
			raw.Caption, raw.MediaGroupID = c, group
			pub.Media = "photo"
			pub.Photo = &File{Name: "photo.jpg"}
			pub.Text, pub.Plain = c, c
			if s.record {
				for _, p := range raw.Photo {
					s.files[p.FileID] = *pub.Photo
				}
			}
		})
	}
	return ids
}

// SendContact injects a message sharing u's own contact with the given phone
// number, in the private chat with u, and returns the update id.
func (s *Server) SendContact(u User, phone string) int64 {
	return s.userMessage(u, u.ID, false, func(raw *models.Message, pub *Message) {
		raw.Contact = &models.Contact{PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID}
		pub.Media = "contact"
		pub.Text, pub.Plain = phone, phone
	})
}

// Press injects a callback query: u pressed an inline button with the given
// callback data on the bot's message messageID in the private chat with u.
// The query id is unique; the query carries the pressed message (with its
// text and keyboard when recorded). Returns the update id.
func (s *Server) Press(u User, messageID int, data string) int64 {
	return s.PressIn(u, u.ID, messageID, data)
}

// PressIn is like [Server.Press] for a message in any chat (e.g. a group).
func (s *Server) PressIn(u User, chatID int64, messageID int, data string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	now := s.clock()
	s.callbackSeq++
	qid := strconv.FormatInt(4_000_000_000_000_000+int64(BotID)*1000+s.callbackSeq, 10)

	msg := models.Message{ID: messageID, From: botUser.model(), Date: int(now.Unix()), Chat: ch.model()}
	var buttonText string
	if r := ch.byID[messageID]; r != nil {
		msg = r.raw
		if msg.Date == 0 {
			msg.Date = int(now.Unix())
		}
		for _, row := range r.pub.Buttons {
			for _, b := range row {
				if b.CallbackData == data && buttonText == "" {
					buttonText = b.Text
				}
			}
		}
	}
	s.callbacks[qid] = pendingCallback{chatID: chatID, messageID: messageID, from: u, data: data, text: buttonText}
	pub := Message{ChatID: chatID, From: u, Text: buttonText, Plain: buttonText, CallbackData: data, CallbackMessageID: messageID, Date: now}
	s.storeLocked(ch, &record{pub: pub}, EventPress)
	return s.enqueueLocked(models.Update{CallbackQuery: &models.CallbackQuery{
		ID:           qid,
		From:         *u.model(),
		Message:      models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &msg},
		ChatInstance: strconv.FormatInt(chatID, 10),
		Data:         data,
	}})
}

// Inject queues an arbitrary update and returns its id; a zero update id is
// replaced by the next one. A message in the update is added to the chat
// transcript (a zero message_id or date is filled in), a callback query
// becomes answerable. Inject panics when the
// update cannot be encoded as JSON (e.g. a ChatMemberUpdated with zero
// ChatMember values), since such an update could never be delivered.
func (s *Server) Inject(upd models.Update) int64 {
	if _, err := json.Marshal(&upd); err != nil {
		panic(fmt.Sprintf("telegramtest: Inject: update cannot be encoded: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if upd.Message != nil {
		m := *upd.Message // do not modify the caller's message
		upd.Message = &m
		ch := s.chatLocked(m.Chat.ID)
		if m.ID == 0 {
			m.ID = ch.lastMsgID + 1
		}
		if m.Date == 0 {
			m.Date = int(s.clock().Unix())
		}
		if m.ID > ch.lastMsgID {
			ch.lastMsgID = m.ID
		}
		pub := Message{ID: m.ID, ChatID: m.Chat.ID, Text: m.Text, Plain: m.Text, Date: time.Unix(int64(m.Date), 0)}
		if m.From != nil {
			pub.From = User{ID: m.From.ID, FirstName: m.From.FirstName, LastName: m.From.LastName,
				Username: m.From.Username, LanguageCode: m.From.LanguageCode, IsBot: m.From.IsBot}
		}
		if m.Caption != "" {
			pub.Text, pub.Plain = m.Caption, m.Caption
		}
		pub.Media = mediaOf(&m)
		s.storeLocked(ch, &record{pub: pub, raw: m}, EventMessage)
	}
	if cq := upd.CallbackQuery; cq != nil && cq.ID != "" {
		pc := pendingCallback{data: cq.Data, from: User{ID: cq.From.ID, FirstName: cq.From.FirstName, Username: cq.From.Username}}
		if m := cq.Message.Message; m != nil {
			pc.chatID, pc.messageID = m.Chat.ID, m.ID
		}
		s.callbacks[cq.ID] = pc
	}
	return s.enqueueLocked(upd)
}

// Redeliver queues the update with the given id again, with the same
// update_id, as Telegram does when it believes an update was not received.
// Through getUpdates it is returned by the next call whatever its offset
// (and confirmed by the call after that); through a webhook it is POSTed
// again. Confirmed updates can only be redelivered when recording; an
// unknown id is ignored.
func (s *Server) Redeliver(updateID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	upd, ok := s.history[updateID]
	if !ok {
		for _, q := range s.queue {
			if q.upd.ID == updateID {
				upd, ok = q.upd, true
				break
			}
		}
	}
	if !ok {
		return
	}
	s.insertLocked(&queued{upd: upd, redelivered: true})
}

// enqueueLocked assigns an id if needed and queues the update.
func (s *Server) enqueueLocked(upd models.Update) int64 {
	if upd.ID == 0 {
		upd.ID = s.lastUpdateID + 1
	}
	if upd.ID > s.lastUpdateID {
		s.lastUpdateID = upd.ID
	}
	if s.record {
		s.history[upd.ID] = upd
	}
	s.insertLocked(&queued{upd: upd})
	return upd.ID
}

// insertLocked keeps the queue ordered by update id (stable).
func (s *Server) insertLocked(q *queued) {
	i := sort.Search(len(s.queue), func(i int) bool { return s.queue[i].upd.ID > q.upd.ID })
	s.queue = slices.Insert(s.queue, i, q)
	s.notifyLocked()
}

// removeLocked drops one queue entry (no-op when already gone).
func (s *Server) removeLocked(q *queued) {
	if i := slices.Index(s.queue, q); i >= 0 {
		s.queue = slices.Delete(s.queue, i, i+1)
	}
}

// PendingUpdates returns the number of queued updates not yet confirmed by
// getUpdates or delivered to the webhook.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// updateKind is the allowed_updates name of an update ("message", …).
func updateKind(u *models.Update) string {
	v := reflect.ValueOf(u).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			return name
		}
	}
	return ""
}

// allowedKind applies allowed_updates; an empty list means every kind except
// chat_member, message_reaction and message_reaction_count.
func allowedKind(kind string, allowed []string) bool {
	if kind == "" {
		return true
	}
	if len(allowed) == 0 {
		switch kind {
		case models.AllowedUpdateChatMember, models.AllowedUpdateMessageReaction, models.AllowedUpdateMessageReactionCount:
			return false
		}
		return true
	}
	return slices.Contains(allowed, kind)
}

const (
	conflictWebhook   = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictOtherPoll = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

// getUpdates serves getUpdates with Telegram's offset and long-poll semantics.
func (s *Server) getUpdates(ctx context.Context, c *Call) (any, *apiError) {
	offset, _ := strconv.ParseInt(c.Params["offset"], 10, 64)
	limit, err := strconv.Atoi(c.Params["limit"])
	if err != nil || limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(c.Params["timeout"])
	var allowed []string
	setAllowed := false
	if raw := c.Params["allowed_updates"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &allowed); err != nil {
			return nil, badRequest("can't parse allowed_updates: %v", err)
		}
		setAllowed = true
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.failNextLocked(c.Method, 0); e != nil {
		return nil, e
	}
	if s.webhook != nil {
		return nil, &apiError{code: http.StatusConflict, description: conflictWebhook}
	}
	if setAllowed {
		s.allowedUpdates = allowed
	}
	s.pollGen++
	gen := s.pollGen
	s.notifyLocked() // a pending poll of another instance ends with 409
	if offset < 0 {
		if n := int(-offset); n < len(s.queue) {
			s.queue = slices.Delete(s.queue, 0, len(s.queue)-n)
		}
		offset = 0
	} else if offset > 0 {
		s.queue = slices.DeleteFunc(s.queue, func(q *queued) bool {
			return (q.returned && q.redelivered) || (!q.redelivered && q.upd.ID < offset)
		})
	}

	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		timer = t.C
	}
	for {
		if s.pollGen != gen {
			return nil, &apiError{code: http.StatusConflict, description: conflictOtherPoll}
		}
		if s.webhook != nil {
			return nil, &apiError{code: http.StatusConflict, description: conflictWebhook}
		}
		res := s.collectLocked(offset, limit)
		if len(res) > 0 || timer == nil || s.closed {
			return res, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
			s.mu.Lock()
		case <-timer:
			s.mu.Lock()
			timer = nil // collect once more, then answer
		case <-ctx.Done():
			s.mu.Lock()
			return []models.Update{}, nil
		case <-s.ctx.Done():
			s.mu.Lock()
			return []models.Update{}, nil
		}
	}
}

// collectLocked returns the updates a getUpdates call gets and marks them as
// returned. Updates not allowed by allowed_updates are dropped.
func (s *Server) collectLocked(offset int64, limit int) []models.Update {
	res := []models.Update{}
	s.queue = slices.DeleteFunc(s.queue, func(q *queued) bool {
		return !q.inflight && !allowedKind(updateKind(&q.upd), s.allowedUpdates)
	})
	for _, q := range s.queue {
		if len(res) >= limit {
			break
		}
		if q.inflight || !(q.redelivered || offset <= 0 || q.upd.ID >= offset) {
			continue
		}
		q.returned = true
		res = append(res, q.upd)
	}
	return res
}

// mediaOf names the media kind of an injected message (see Message.Media).
func mediaOf(m *models.Message) string {
	switch {
	case len(m.Photo) > 0:
		return "photo"
	case m.Document != nil:
		return "document"
	case m.Audio != nil:
		return "audio"
	case m.Video != nil:
		return "video"
	case m.Animation != nil:
		return "animation"
	case m.Voice != nil:
		return "voice"
	case m.Sticker != nil:
		return "sticker"
	case m.Contact != nil:
		return "contact"
	}
	return ""
}
