package bot

import (
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"sinergi/flows"
)

// toInput converts a Telegram update into a flow input. ok is false for
// updates Sinergi does not act on (channel posts, edits, inline queries,
// messages from bots or sent on behalf of a channel, commands addressed to
// another bot); those are
// acknowledged and dropped.
func toInput(upd *models.Update, username string, now time.Time) (in flows.Input, callbackID string, ok bool) {
	in.UpdateID = upd.ID
	in.Now = now
	switch {
	case upd.MyChatMember != nil:
		return membership(in, upd.MyChatMember)
	case upd.Message != nil && (upd.Message.MigrateToChatID != 0 || upd.Message.MigrateFromChatID != 0):
		// A group upgraded to a supergroup: the service message in the
		// old group names the new id, the one in the supergroup the old.
		m := upd.Message
		if m.From != nil {
			setUser(&in, m.From)
		}
		in.Kind, in.ChatID, in.MessageID = flows.KindMigrated, m.Chat.ID, m.ID
		in.ChatTitle, in.ChatType = m.Chat.Title, string(m.Chat.Type)
		in.MigrateFrom, in.MigrateTo = m.Chat.ID, m.MigrateToChatID
		if m.MigrateFromChatID != 0 {
			in.MigrateFrom, in.MigrateTo = m.MigrateFromChatID, m.Chat.ID
		}
		return in, "", in.UserID != 0
	case upd.Message != nil:
		m := upd.Message
		// An anonymous administrator writes as the group itself: from is
		// Telegram's placeholder bot. Only their commands are answered.
		anonymous := m.SenderChat != nil && m.SenderChat.ID == m.Chat.ID && m.Chat.Type != models.ChatTypePrivate
		if m.From == nil || (m.From.IsBot && !(anonymous && strings.HasPrefix(m.Text, "/"))) {
			return in, "", false
		}
		// Sent on behalf of another chat: a channel's post Telegram
		// forwards into its discussion group (from is its service user,
		// no bot), or someone writing as a channel. No one to answer.
		if (m.SenderChat != nil && !anonymous) || m.IsAutomaticForward {
			return in, "", false
		}
		setUser(&in, m.From)
		in.ChatID, in.Private, in.MessageID = m.Chat.ID, m.Chat.Type == models.ChatTypePrivate, m.ID
		in.MediaGroup = m.MediaGroupID
		in.Anonymous = anonymous
		if !in.Private {
			in.ChatTitle, in.ChatType = m.Chat.Title, string(m.Chat.Type)
		}
		if m.IsTopicMessage {
			in.Thread = m.MessageThreadID
		}
		if o := m.ForwardOrigin; in.Private && o != nil && o.MessageOriginChannel != nil {
			in.Forwarded = o.MessageOriginChannel.Chat.ID
		}
		switch {
		case strings.HasPrefix(m.Text, "/"):
			cmd, args, _ := strings.Cut(m.Text[1:], " ")
			cmd, to, addressed := strings.Cut(cmd, "@")
			if addressed && !strings.EqualFold(to, username) {
				return in, "", false
			}
			in.Kind, in.Text = flows.KindCommand, m.Text
			in.Command, in.Args = strings.ToLower(cmd), strings.TrimSpace(args)
		case m.Text != "":
			in.Kind, in.Text = flows.KindText, m.Text
		case m.Contact != nil:
			in.Kind, in.Phone = flows.KindContact, m.Contact.PhoneNumber
		default:
			in.Kind, in.Text = flows.KindMedia, m.Caption
		}
		return in, "", true
	case upd.CallbackQuery != nil:
		cq := upd.CallbackQuery
		setUser(&in, &cq.From)
		in.Kind, in.Callback = flows.KindCallback, cq.Data
		switch msg := cq.Message; {
		case msg.Message != nil:
			in.ChatID, in.MessageID = msg.Message.Chat.ID, msg.Message.ID
			in.Private = msg.Message.Chat.Type == models.ChatTypePrivate
			if !in.Private {
				in.ChatTitle, in.ChatType = msg.Message.Chat.Title, string(msg.Message.Chat.Type)
			}
			if msg.Message.IsTopicMessage {
				in.Thread = msg.Message.MessageThreadID
			}
		case msg.InaccessibleMessage != nil && msg.InaccessibleMessage.Chat.ID != 0:
			in.ChatID, in.MessageID = msg.InaccessibleMessage.Chat.ID, msg.InaccessibleMessage.MessageID
			in.Private = in.ChatID == in.UserID
		default:
			// A button of an inline-mode message: no chat to talk in.
			return in, cq.ID, false
		}
		return in, cq.ID, true
	}
	return in, "", false
}

func setUser(in *flows.Input, u *models.User) {
	in.UserID, in.Username, in.FirstName, in.LangCode = u.ID, u.Username, u.FirstName, u.LanguageCode
}

// membership turns the bot's own membership change in a group or channel
// into an input of that chat; one in a private chat (the user blocked or
// unblocked the bot) is not acted on.
func membership(in flows.Input, cm *models.ChatMemberUpdated) (flows.Input, string, bool) {
	if cm.Chat.Type == models.ChatTypePrivate {
		return in, "", false
	}
	setUser(&in, &cm.From)
	in.Kind, in.ChatID = flows.KindMembership, cm.Chat.ID
	in.ChatTitle, in.ChatType = cm.Chat.Title, string(cm.Chat.Type)
	in.BotStatus, in.BotCanPost = memberStatus(&cm.NewChatMember, cm.Chat.Type)
	old, _ := memberStatus(&cm.OldChatMember, cm.Chat.Type)
	in.BotJoined = (old == "left" || old == "kicked") && in.BotStatus != "left" && in.BotStatus != "kicked"
	return in, "", true
}

// memberStatus is a member's status and, for the bot, whether it may post
// in a chat of type typ.
func memberStatus(m *models.ChatMember, typ models.ChatType) (status string, canPost bool) {
	switch m.Type {
	case models.ChatMemberTypeOwner:
		return "creator", true
	case models.ChatMemberTypeAdministrator:
		return "administrator", typ != models.ChatTypeChannel || (m.Administrator != nil && m.Administrator.CanPostMessages)
	case models.ChatMemberTypeMember:
		return "member", typ != models.ChatTypeChannel
	case models.ChatMemberTypeRestricted:
		return "restricted", m.Restricted != nil && m.Restricted.CanSendMessages && typ != models.ChatTypeChannel
	case models.ChatMemberTypeLeft:
		return "left", false
	case models.ChatMemberTypeBanned:
		return "kicked", false
	}
	return string(m.Type), false
}
