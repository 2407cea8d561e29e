package bot

import (
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"sinergi/flows"
)

// toInput converts a Telegram update into a flow input. ok is false for
// updates Sinergi does not act on (channel posts, edits, inline queries,
// messages from bots, commands addressed to another bot); those are
// acknowledged and dropped.
func toInput(upd *models.Update, username string, now time.Time) (in flows.Input, callbackID string, ok bool) {
	in.UpdateID = upd.ID
	in.Now = now
	switch {
	case upd.Message != nil:
		m := upd.Message
		if m.From == nil || m.From.IsBot {
			return in, "", false
		}
		setUser(&in, m.From)
		in.ChatID, in.Private, in.MessageID = m.Chat.ID, m.Chat.Type == models.ChatTypePrivate, m.ID
		in.MediaGroup = m.MediaGroupID
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
		case msg.InaccessibleMessage != nil:
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
