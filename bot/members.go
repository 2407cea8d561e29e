package bot

import (
	"context"
	"errors"
	"strings"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sinergi/flows"
)

// lookupMember asks Telegram (getChat for an @name, then getChatMember for
// the sender and for the bot) how the sender and the bot stand in the chat
// the engine named; it is never read from the update. A chat Telegram does
// not show the bot comes back Failed.
func (b *Bot) lookupMember(ctx context.Context, ref flows.ChatRef, user int64) *flows.ChatMember {
	m := &flows.ChatMember{Chat: ref.ID}
	failed := func(what string, err error) *flows.ChatMember {
		b.log.Info("chat member lookup", "chat", ref.ID, "username", ref.Username, "step", what, "err", err)
		return &flows.ChatMember{Chat: ref.ID, Failed: true}
	}
	var info *models.ChatFullInfo
	err := b.sender.Call(ctx, "getChat", func(ctx context.Context, api *tg.Bot) error {
		var chatID any = ref.ID
		if ref.ID == 0 {
			chatID = "@" + strings.TrimPrefix(ref.Username, "@")
		}
		var err error
		info, err = api.GetChat(ctx, &tg.GetChatParams{ChatID: chatID})
		return err
	})
	if err != nil {
		return failed("getChat", err)
	}
	m.Chat, m.Title, m.Type, m.Username, m.Forum = info.ID, info.Title, string(info.Type), info.Username, info.IsForum
	status := func(uid int64) (string, bool, error) {
		var cm *models.ChatMember
		err := b.sender.Call(ctx, "getChatMember", func(ctx context.Context, api *tg.Bot) error {
			var err error
			cm, err = api.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: m.Chat, UserID: uid})
			return err
		})
		if err != nil {
			return "", false, err
		}
		s, canPost := memberStatus(cm, info.Type)
		return s, canPost, nil
	}
	if m.BotStatus, m.BotCanPost, err = status(b.me.ID); err != nil {
		return failed("getChatMember bot", err)
	}
	if m.UserStatus, _, err = status(user); err != nil {
		return failed("getChatMember user", err)
	}
	return m
}

// ErrCannotPost: Telegram refuses the bot's messages in a group or channel
// (400: the bot may not write there).
var ErrCannotPost = errors.New("the bot may not post in the chat")

// ErrTopicGone: the forum topic a message was for no longer exists (400
// "message thread not found").
var ErrTopicGone = errors.New("forum topic not found")

// groupUndelivered handles a send a group or channel refused for good: the
// bot removed or muted there (its links go inactive), or the topic deleted
// (that topic's link goes inactive). It reports whether it was such a case.
func (b *Bot) groupUndelivered(ctx context.Context, chat int64, thread int, err error) bool {
	switch {
	case chat >= 0:
		return false
	case errors.Is(err, ErrBlocked), errors.Is(err, ErrCannotPost):
		b.chatGone(ctx, chat)
		return true
	case errors.Is(err, ErrTopicGone):
		replies, err := b.engine.TopicGone(ctx, chat, thread, b.cfg.Clock())
		if err != nil {
			b.log.Warn("topic gone", "chat", chat, "thread", thread, "err", err)
			return true
		}
		b.deliverAll(ctx, replies)
		return true
	}
	return false
}

// chatGone tells the engine that a group or channel refused a send for good
// (the bot was removed or may not write) and delivers what it says.
func (b *Bot) chatGone(ctx context.Context, chat int64) {
	replies, err := b.engine.ChatGone(ctx, chat, b.cfg.Clock())
	if err != nil {
		b.log.Warn("chat gone", "chat", chat, "err", err)
		return
	}
	b.deliverAll(ctx, replies)
}

// chatMoved tells the engine that a group became the supergroup to.
func (b *Bot) chatMoved(ctx context.Context, from, to int64) {
	if err := b.engine.ChatMoved(ctx, from, to, b.cfg.Clock()); err != nil {
		b.log.Warn("chat moved", "from", from, "to", to, "err", err)
	}
}

// deliverAll sends replies that are no update's (each with its chat and
// language), logging what fails.
func (b *Bot) deliverAll(ctx context.Context, replies []flows.Reply) {
	for _, rep := range replies {
		lang := rep.Lang
		if lang == "" {
			lang = b.cfg.DefaultLang
		}
		if err := b.render.deliver(ctx, rep.ChatID, lang, rep); err != nil {
			b.log.Warn("message not delivered", "chat", rep.ChatID, "err", err)
		}
	}
}
