package telegramtest

import (
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// Groups, supergroups with forum topics, and channels, as the Bot API shows
// them to a bot:
//
//   - a chat's members have a status ([SetMember]); getChatMember and
//     getChatAdministrators answer from it. A chat where the bot's own
//     status was never set behaves as if the bot were an ordinary member.
//   - the bot's own membership changes with [Server.AddBot],
//     [Server.SetBotStatus] and [Server.RemoveBot], each queuing the
//     my_chat_member update Telegram sends;
//   - a forum supergroup has topics ([Server.CreateTopic]); a message in
//     a topic carries message_thread_id and is_topic_message, a send with
//     message_thread_id goes into that topic, and a deleted or unknown
//     topic answers 400 "message thread not found";
//   - a basic group upgraded to a supergroup ([Server.MigrateGroup])
//     answers every send with 400 "group chat was upgraded to a supergroup
//     chat" and parameters.migrate_to_chat_id;
//   - a bot removed from a chat gets 403 "bot was kicked from the … chat",
//     a bot restricted from writing 400 "not enough rights to send text
//     messages to the chat", a channel where the bot may not post 400
//     "need administrator rights in the channel chat";
//   - privacy mode is on, as for a new bot: from a group the bot receives
//     only commands (bare or addressed to it, not "/cmd@otherbot"),
//     replies to its own messages and service messages
//     ([Server.SetPrivacyMode] turns it off).

// Member statuses (ChatMember.status).
const (
	StatusCreator       = "creator"
	StatusAdministrator = "administrator"
	StatusMember        = "member"
	StatusRestricted    = "restricted"
	StatusLeft          = "left"
	StatusKicked        = "kicked"
)

// AnonymousAdminID is the user Telegram puts in "from" of a message an
// anonymous group administrator sends (@GroupAnonymousBot).
const AnonymousAdminID = 1087968824

// member is one user's standing in a chat.
type member struct {
	user    User
	status  string
	canPost bool // administrator of a channel: can_post_messages; restricted: can_send_messages
}

// topic is a forum topic.
type topic struct {
	name    string
	deleted bool
}

func (m *member) model(c *chat) models.ChatMember {
	u := m.user.model()
	switch m.status {
	case StatusCreator:
		return models.ChatMember{Type: models.ChatMemberTypeOwner, Owner: &models.ChatMemberOwner{User: u}}
	case StatusAdministrator:
		a := &models.ChatMemberAdministrator{User: *u, CanManageChat: true, CanDeleteMessages: true,
			CanRestrictMembers: true, CanInviteUsers: true, CanPinMessages: true, CanManageTopics: c.forum}
		if c.typ == models.ChatTypeChannel {
			a.CanPostMessages, a.CanEditMessages = m.canPost, m.canPost
		}
		return models.ChatMember{Type: models.ChatMemberTypeAdministrator, Administrator: a}
	case StatusRestricted:
		return models.ChatMember{Type: models.ChatMemberTypeRestricted, Restricted: &models.ChatMemberRestricted{
			User: u, IsMember: true, CanSendMessages: m.canPost, CanSendOtherMessages: m.canPost}}
	case StatusLeft:
		return models.ChatMember{Type: models.ChatMemberTypeLeft, Left: &models.ChatMemberLeft{User: u}}
	case StatusKicked:
		return models.ChatMember{Type: models.ChatMemberTypeBanned, Banned: &models.ChatMemberBanned{User: u}}
	}
	return models.ChatMember{Type: models.ChatMemberTypeMember, Member: &models.ChatMemberMember{User: u}}
}

// memberLocked is u's standing in ch: "left" for a user the chat does not
// know, "member" for the bot in a chat where its status was never set.
func (ch *chat) memberLocked(id int64) *member {
	if m := ch.members[id]; m != nil {
		return m
	}
	if id == BotID {
		return &member{user: botUser, status: StatusMember}
	}
	return &member{user: User{ID: id, FirstName: "User " + strconv.FormatInt(id, 10)}, status: StatusLeft}
}

func (ch *chat) setMember(u User, status string, canPost bool) {
	if ch.members == nil {
		ch.members = map[int64]*member{}
	}
	ch.members[u.ID] = &member{user: u, status: status, canPost: canPost}
}

// NewGroup makes chatID a basic group with the given title (chat ids of
// groups are negative).
func (s *Server) NewGroup(chatID int64, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	ch.typ, ch.title = models.ChatTypeGroup, title
}

// NewSupergroup makes chatID a supergroup (a forum, with topics, when forum
// is set) with the given title.
func (s *Server) NewSupergroup(chatID int64, title string, forum bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	ch.typ, ch.title, ch.forum = models.ChatTypeSupergroup, title, forum
}

// NewChannel makes chatID a channel with the given title and public
// @username ("" for a private channel).
func (s *Server) NewChannel(chatID int64, title, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	ch.typ, ch.title, ch.username = models.ChatTypeChannel, title, strings.TrimPrefix(username, "@")
}

// CreateTopic opens a topic in the forum chatID, as by creator, and returns
// its message_thread_id (the id of the topic's service message, as in
// Telegram). The service message is in the transcript; it is not an update
// (privacy mode hides it from a bot that is not an administrator anyway).
func (s *Server) CreateTopic(chatID int64, creator User, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	ch.lastMsgID++
	id := ch.lastMsgID
	if ch.topics == nil {
		ch.topics = map[int]*topic{}
	}
	ch.topics[id] = &topic{name: name}
	now := s.clock()
	raw := models.Message{ID: id, From: creator.model(), Date: int(now.Unix()), Chat: ch.model(),
		MessageThreadID: id, IsTopicMessage: true, ForumTopicCreated: &models.ForumTopicCreated{Name: name, IconColor: 7322096}}
	s.storeLocked(ch, &record{raw: raw, pub: Message{ID: id, ChatID: chatID, From: creator, Date: now, ThreadID: id}}, EventMessage)
	return id
}

// DeleteTopic deletes a forum topic: sends into it answer 400 "message
// thread not found".
func (s *Server) DeleteTopic(chatID int64, threadID int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.chatLocked(chatID).topics[threadID]; t != nil {
		t.deleted = true
	}
}

// SetMember sets u's status in chatID (StatusCreator, StatusAdministrator,
// StatusMember, StatusRestricted, StatusLeft or StatusKicked), as
// getChatMember and getChatAdministrators report it. No update is sent.
func (s *Server) SetMember(chatID int64, u User, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chatID).setMember(u, status, status != StatusRestricted)
}

// AddBot adds the bot to chatID, done by by: as an administrator when admin
// is set (in a channel, one that may post), else as an ordinary member. It
// queues the my_chat_member update and returns its id.
func (s *Server) AddBot(chatID int64, by User, admin bool) int64 {
	status := StatusMember
	if admin {
		status = StatusAdministrator
	}
	return s.SetBotStatus(chatID, by, status, true)
}

// RemoveBot removes the bot from chatID (status "kicked"), done by by:
// sends to the chat answer 403 afterwards. It queues the my_chat_member
// update and returns its id.
func (s *Server) RemoveBot(chatID int64, by User) int64 {
	return s.SetBotStatus(chatID, by, StatusKicked, false)
}

// SetBotStatus sets the bot's own status in chatID, done by by; canPost is
// can_post_messages of a channel administrator and can_send_messages of a
// restricted member. It queues the my_chat_member update (old and new
// status) and returns its id.
func (s *Server) SetBotStatus(chatID int64, by User, status string, canPost bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	old := ch.members[BotID]
	if old == nil { // never set: the bot was not in the chat
		old = &member{user: botUser, status: StatusLeft}
	}
	oldModel := old.model(ch)
	ch.setMember(botUser, status, canPost)
	if status != StatusKicked && status != StatusLeft {
		ch.blocked = false
	}
	return s.enqueueLocked(models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: ch.model(), From: *by.model(), Date: int(s.clock().Unix()),
		OldChatMember: oldModel, NewChatMember: ch.members[BotID].model(ch),
	}})
}

// MigrateGroup upgrades the basic group oldID to the supergroup newID, as
// Telegram does: the members move, the old group gets a service message
// with migrate_to_chat_id and the supergroup one with
// migrate_from_chat_id (both queued as updates, their ids returned), and
// every later send to the old id answers 400 with
// parameters.migrate_to_chat_id.
func (s *Server) MigrateGroup(oldID, newID int64) (oldUpdate, newUpdate int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.chatLocked(oldID)
	nc := s.chatLocked(newID)
	nc.typ, nc.title = models.ChatTypeSupergroup, old.title
	for id, m := range old.members {
		cp := *m
		if nc.members == nil {
			nc.members = map[int64]*member{}
		}
		nc.members[id] = &cp
	}
	old.migratedTo = newID
	now := s.clock()
	service := func(ch *chat, fill func(*models.Message)) int64 {
		ch.lastMsgID++
		raw := models.Message{ID: ch.lastMsgID, From: botUser.model(), Date: int(now.Unix()), Chat: ch.model()}
		fill(&raw)
		s.storeLocked(ch, &record{raw: raw, pub: Message{ID: raw.ID, ChatID: ch.id, Date: now}}, EventMessage)
		return s.enqueueLocked(models.Update{Message: &raw})
	}
	oldUpdate = service(old, func(m *models.Message) {
		m.From = &models.User{ID: AnonymousAdminID, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}
		m.MigrateToChatID = newID
	})
	newUpdate = service(nc, func(m *models.Message) {
		m.From = &models.User{ID: AnonymousAdminID, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}
		m.SenderChat = &models.Chat{ID: oldID, Type: models.ChatTypeGroup, Title: old.title}
		m.MigrateFromChatID = oldID
	})
	return oldUpdate, newUpdate
}

// SetPrivacyMode sets the bot's privacy mode (on by default): with it off
// the bot receives every message of its groups.
func (s *Server) SetPrivacyMode(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.privacyOff = !on
}

// GroupMessage is a message a test injects into a group or supergroup.
type GroupMessage struct {
	From User
	Chat int64
	// Thread is the forum topic (message_thread_id; 0: General).
	Thread int
	Text   string
	// Anonymous sends as the group itself (an anonymous administrator):
	// sender_chat is the group and from is @GroupAnonymousBot.
	Anonymous bool
	// ReplyTo is the id of the message this one answers (0: none).
	ReplyTo int
	// Channel sends on behalf of that channel (sender_chat is the
	// channel): a user writing as the channel (from is @Channel_Bot), or,
	// with AutomaticForward, the channel's own post forwarded into its
	// discussion group (from is Telegram's service user 777000, not a bot).
	Channel          int64
	AutomaticForward bool
}

// Telegram's placeholder senders of messages sent on behalf of a channel.
const (
	ChannelBotID     = 136817688 // @Channel_Bot
	TelegramSystemID = 777000    // "Telegram": automatic forwards
)

// SendGroup injects a message into a group chat and returns its update id,
// or 0 when privacy mode keeps it from the bot (it is in the transcript
// either way). A chat the test has not made a group becomes a basic group.
func (s *Server) SendGroup(gm GroupMessage) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(gm.Chat)
	if ch.isPrivate() {
		ch.typ = models.ChatTypeGroup
		ch.title = "Test group " + strconv.FormatInt(gm.Chat, 10)
	}
	now := s.clock()
	ch.lastMsgID++
	from := gm.From
	raw := models.Message{ID: ch.lastMsgID, Date: int(now.Unix()), Chat: ch.model(), Text: gm.Text, Entities: commandEntities(gm.Text)}
	if gm.Anonymous {
		from = User{ID: AnonymousAdminID, IsBot: true, FirstName: "Group", Username: "GroupAnonymousBot"}
		sc := ch.model()
		raw.SenderChat = &sc
	}
	if gm.Channel != 0 {
		c := s.chatLocked(gm.Channel)
		sc := c.model()
		raw.SenderChat = &sc
		from = User{ID: ChannelBotID, IsBot: true, FirstName: "Channel", Username: "Channel_Bot"}
		if gm.AutomaticForward {
			from = User{ID: TelegramSystemID, FirstName: "Telegram"}
			raw.IsAutomaticForward = true
		}
	}
	raw.From = from.model()
	if gm.Thread != 0 && ch.forum {
		raw.MessageThreadID, raw.IsTopicMessage = gm.Thread, true
	}
	addressed := false
	if gm.ReplyTo != 0 {
		if r := ch.byID[gm.ReplyTo]; r != nil {
			rm := r.raw
			raw.ReplyToMessage = &rm
			addressed = r.pub.FromBot
		}
	}
	pub := Message{ID: raw.ID, ChatID: gm.Chat, From: from, Text: gm.Text, Plain: gm.Text, Date: now, ThreadID: raw.MessageThreadID}
	s.storeLocked(ch, &record{pub: pub, raw: raw}, EventMessage)
	if !s.privacyOff && !addressed && !commandForBot(gm.Text) {
		return 0
	}
	return s.enqueueLocked(models.Update{Message: &raw})
}

// SendTopicText injects a text message from u into topic thread of the
// forum chatID (0: General) and returns its update id (0 when privacy mode
// keeps it from the bot).
func (s *Server) SendTopicText(u User, chatID int64, thread int, text string) int64 {
	return s.SendGroup(GroupMessage{From: u, Chat: chatID, Thread: thread, Text: text})
}

// commandForBot: privacy mode lets a command through when it is bare
// ("/cmd") or addressed to this bot ("/cmd@sinergi_test_bot").
func commandForBot(text string) bool {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return false
	}
	cmd, _, _ := strings.Cut(text, " ")
	_, to, addressed := strings.Cut(cmd, "@")
	return !addressed || strings.EqualFold(to, BotUsername)
}

// EditGroupText injects the edit of u's message msgID in chatID to text
// (an edited_message update) and returns its update id.
func (s *Server) EditGroupText(u User, chatID int64, msgID int, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	now := s.clock()
	raw := models.Message{ID: msgID, From: u.model(), Date: int(now.Unix()), EditDate: int(now.Unix()), Chat: ch.model(),
		Text: text, Entities: commandEntities(text)}
	return s.enqueueLocked(models.Update{EditedMessage: &raw})
}

// PostInChannel injects a post in the channel chatID (a channel_post
// update, as a bot that is a member receives it) and returns the post's
// message id and the update id.
func (s *Server) PostInChannel(chatID int64, text string) (msgID int, updateID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chatLocked(chatID)
	now := s.clock()
	ch.lastMsgID++
	sc := ch.model()
	raw := models.Message{ID: ch.lastMsgID, Date: int(now.Unix()), Chat: sc, SenderChat: &sc, Text: text, Entities: commandEntities(text)}
	s.storeLocked(ch, &record{raw: raw, pub: Message{ID: raw.ID, ChatID: chatID, Text: text, Plain: text, Date: now}}, EventMessage)
	return raw.ID, s.enqueueLocked(models.Update{ChannelPost: &raw})
}

// ForwardChannelPost injects, in the private chat with u, u's forward of
// the channel post msgID of channelID (forward_origin of type "channel")
// and returns the update id.
func (s *Server) ForwardChannelPost(u User, channelID int64, msgID int) int64 {
	s.mu.Lock()
	ch := s.chatLocked(channelID)
	origin := ch.model()
	text := ""
	if r := ch.byID[msgID]; r != nil {
		text = r.raw.Text
	}
	s.mu.Unlock()
	return s.userMessage(u, u.ID, false, func(raw *models.Message, pub *Message) {
		raw.Text = text
		raw.ForwardOrigin = &models.MessageOrigin{Type: models.MessageOriginTypeChannel,
			MessageOriginChannel: &models.MessageOriginChannel{Type: "channel", Date: raw.Date, Chat: origin, MessageID: msgID}}
		pub.Text, pub.Plain = text, text
	})
}

// groupSendLocked checks a send to a group, supergroup or channel: the bot
// removed (403), the group upgraded (400 with migrate_to_chat_id), the bot
// not allowed to write (400), and the topic of message_thread_id.
func (s *Server) groupSendLocked(ch *chat, c *Call) (thread int, e *apiError) {
	if ch.isPrivate() {
		return 0, nil
	}
	if ch.migratedTo != 0 {
		return 0, &apiError{code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: ch.migratedTo}
	}
	bot := ch.memberLocked(BotID)
	switch {
	case bot.status == StatusKicked || bot.status == StatusLeft:
		return 0, kickedFrom(ch)
	case ch.typ == models.ChatTypeChannel && ch.members[BotID] != nil && !(bot.status == StatusAdministrator && bot.canPost):
		return 0, badRequest("need administrator rights in the channel chat")
	case bot.status == StatusRestricted && !bot.canPost:
		return 0, badRequest("not enough rights to send text messages to the chat")
	}
	if v := strings.TrimSpace(c.Params["message_thread_id"]); v != "" && v != "0" {
		id, err := strconv.Atoi(v)
		t := ch.topics[id]
		if err != nil || !ch.forum || t == nil || t.deleted {
			return 0, badRequest("message thread not found")
		}
		return id, nil
	}
	return 0, nil
}

func kickedFrom(ch *chat) *apiError {
	switch ch.typ {
	case models.ChatTypeSupergroup:
		return forbidden("bot was kicked from the supergroup chat")
	case models.ChatTypeChannel:
		return forbidden("bot is not a member of the channel chat")
	}
	return forbidden("bot was kicked from the group chat")
}

// chatByParamLocked finds the chat of a chat_id parameter: an id or a
// channel's or group's @username.
func (s *Server) chatByParamLocked(v string) (*chat, *apiError) {
	v = strings.TrimSpace(v)
	if name, ok := strings.CutPrefix(v, "@"); ok {
		for _, ch := range s.chats {
			if ch.username != "" && strings.EqualFold(ch.username, name) {
				return ch, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, ok := parseChatID(v)
	if !ok {
		return nil, badRequest("chat not found")
	}
	if s.chats[id] == nil {
		return nil, badRequest("chat not found")
	}
	return s.chats[id], nil
}

// readableLocked: a chat the bot is no longer in cannot be asked about.
func readableLocked(ch *chat) *apiError {
	if ch.isPrivate() {
		return nil
	}
	if ch.migratedTo != 0 {
		return &apiError{code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: ch.migratedTo}
	}
	if st := ch.memberLocked(BotID).status; st == StatusKicked || st == StatusLeft {
		return kickedFrom(ch)
	}
	return nil
}

func (s *Server) handleGetChatMember(c *Call) (any, *apiError) {
	ch, e := s.chatByParamLocked(c.Params["chat_id"])
	if e != nil {
		return nil, e
	}
	if e := readableLocked(ch); e != nil {
		return nil, e
	}
	uid, err := strconv.ParseInt(strings.TrimSpace(c.Params["user_id"]), 10, 64)
	if err != nil || uid <= 0 {
		return nil, badRequest("invalid user_id specified")
	}
	if ch.isPrivate() {
		if uid != ch.id && uid != BotID {
			return nil, badRequest("user not found")
		}
		m := member{status: StatusMember, user: botUser}
		if uid != BotID {
			m.user = User{ID: uid}
			if ch.user != nil {
				m.user = *ch.user
			}
		}
		cm := m.model(ch)
		return &cm, nil
	}
	cm := ch.memberLocked(uid).model(ch)
	return &cm, nil // ChatMember marshals by its pointer
}

func (s *Server) handleGetChatAdministrators(c *Call) (any, *apiError) {
	ch, e := s.chatByParamLocked(c.Params["chat_id"])
	if e != nil {
		return nil, e
	}
	if ch.isPrivate() {
		return nil, badRequest("there are no administrators in the private chat")
	}
	if e := readableLocked(ch); e != nil {
		return nil, e
	}
	withBots := c.Params["return_bots"] == "true"
	out := []models.ChatMember{}
	ids := make([]int64, 0, len(ch.members))
	for id := range ch.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m := ch.members[id]
		if m.status != StatusCreator && m.status != StatusAdministrator {
			continue
		}
		if m.user.IsBot && id != BotID && !withBots {
			continue
		}
		out = append(out, m.model(ch))
	}
	return out, nil
}

func (s *Server) handleGetChat(c *Call) (any, *apiError) {
	ch, e := s.chatByParamLocked(c.Params["chat_id"])
	if e != nil {
		return nil, e
	}
	if e := readableLocked(ch); e != nil {
		return nil, e
	}
	m := ch.model()
	return models.ChatFullInfo{ID: m.ID, Type: m.Type, Title: m.Title, Username: m.Username,
		FirstName: m.FirstName, LastName: m.LastName, IsForum: m.IsForum, AccentColorID: 1, MaxReactionCount: 11}, nil
}
