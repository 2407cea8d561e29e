package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"strings"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sinergi/flows"
	"sinergi/locales"
)

// renderer turns flow replies into Telegram calls through the sender.
type renderer struct {
	texts  *locales.Catalog
	sender *Sender
	log    *slog.Logger
	text2  *textClient // sendMessage fast path; nil in tests that render only
}

// text renders a localised message for parse_mode=HTML: string values are
// escaped, flows.HTML passes through, nested Text renders in the same
// language. With plain set (button labels, which Telegram shows as typed)
// nothing is escaped.
func (r *renderer) text(lang string, t flows.Text, plain bool) string {
	var data map[string]any
	if len(t.Data) > 0 {
		data = make(map[string]any, len(t.Data))
		for k, v := range t.Data {
			data[k] = r.value(lang, v, plain)
		}
	}
	s, err := r.texts.Text(lang, t.ID, data, t.Count)
	if err != nil {
		r.log.Error("render message", "id", t.ID, "lang", lang, "err", err)
	}
	return s
}

func (r *renderer) value(lang string, v any, plain bool) any {
	switch v := v.(type) {
	case string:
		if plain {
			return v
		}
		return html.EscapeString(v)
	case flows.HTML:
		return string(v)
	case flows.Text:
		return r.text(lang, v, plain)
	case flows.When:
		return v.Render(r.texts, lang)
	case []flows.Text:
		parts := make([]string, len(v))
		for i, t := range v {
			parts[i] = r.text(lang, t, plain)
		}
		return strings.Join(parts, "\n")
	}
	return v
}

func (r *renderer) markup(lang string, rows [][]flows.Button) models.ReplyMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := make([][]models.InlineKeyboardButton, 0, len(rows))
	for _, row := range rows {
		out := make([]models.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			label := b.Literal
			if label == "" {
				// Labels are plain text: entities of HTML message templates
				// (water &amp; sanitation) are shown as the characters.
				label = html.UnescapeString(r.text(lang, b.Label, true))
			}
			out = append(out, models.InlineKeyboardButton{Text: label, CallbackData: b.Data, URL: b.URL})
		}
		kb = append(kb, out)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kb}
}

var noPreview = &models.LinkPreviewOptions{IsDisabled: tg.True()}

// deliver performs one reply. A message that cannot be modified (the same
// text again) is not an error.
func (r *renderer) deliver(ctx context.Context, chatID int64, lang string, rep flows.Reply) error {
	prio := Interactive
	if rep.Bulk {
		prio = Bulk
	}
	var err error
	switch {
	case rep.Copy != nil:
		err = r.sender.Send(ctx, chatID, prio, "copyMessage", func(ctx context.Context, api *tg.Bot) error {
			_, err := api.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: chatID, FromChatID: rep.Copy.Chat, MessageID: rep.Copy.MessageID})
			return err
		})
	case rep.EditMessageID != 0 && rep.ClearButtons:
		err = r.sender.Send(ctx, chatID, prio, "editMessageReplyMarkup", func(ctx context.Context, api *tg.Bot) error {
			_, err := api.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{
				ChatID: chatID, MessageID: rep.EditMessageID,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}},
			})
			return err
		})
	case rep.EditMessageID != 0:
		text, kb := r.text(lang, rep.Text, false), r.markup(lang, rep.Buttons)
		err = r.sender.Send(ctx, chatID, prio, "editMessageText", func(ctx context.Context, api *tg.Bot) error {
			_, err := api.EditMessageText(ctx, &tg.EditMessageTextParams{
				ChatID: chatID, MessageID: rep.EditMessageID, Text: text,
				ParseMode: models.ParseModeHTML, ReplyMarkup: kb, LinkPreviewOptions: noPreview,
			})
			return err
		})
	case rep.Document != nil:
		caption, kb := r.text(lang, rep.Text, false), r.markup(lang, rep.Buttons)
		err = r.sender.Send(ctx, chatID, prio, "sendDocument", func(ctx context.Context, api *tg.Bot) error {
			_, err := api.SendDocument(ctx, &tg.SendDocumentParams{
				ChatID:   chatID,
				Document: &models.InputFileUpload{Filename: rep.Document.Name, Data: bytes.NewReader(rep.Document.Data)},
				Caption:  caption, ParseMode: models.ParseModeHTML, ReplyMarkup: kb,
			})
			return err
		})
	case rep.Photo != nil:
		caption, kb := r.text(lang, rep.Text, false), r.markup(lang, rep.Buttons)
		err = r.sender.Send(ctx, chatID, prio, "sendPhoto", func(ctx context.Context, api *tg.Bot) error {
			_, err := api.SendPhoto(ctx, &tg.SendPhotoParams{
				ChatID:  chatID,
				Photo:   &models.InputFileUpload{Filename: rep.Photo.Name, Data: bytes.NewReader(rep.Photo.Data)},
				Caption: caption, ParseMode: models.ParseModeHTML, ReplyMarkup: kb,
			})
			return err
		})
	default:
		_, err = r.sendText(ctx, chatID, prio, lang, rep)
	}
	if err != nil && errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deliver to chat %d: %w", chatID, err)
	}
	return nil
}

// answer answers a button press (toast or alert).
func (r *renderer) answer(ctx context.Context, id, lang string, a *flows.Answer) {
	p := &tg.AnswerCallbackQueryParams{CallbackQueryID: id}
	if a != nil {
		p.Text = html.UnescapeString(r.text(lang, a.Text, true))
		p.ShowAlert = a.Alert
	}
	err := r.sender.Call(ctx, "answerCallbackQuery", func(ctx context.Context, api *tg.Bot) error {
		_, err := api.AnswerCallbackQuery(ctx, p)
		return err
	})
	switch {
	case err == nil:
	case containsFold(err.Error(), "query is too old"):
		// Answered already (a redelivered or duplicated update) or late.
		r.log.Debug("answer callback query", "err", err)
	default:
		r.log.Warn("answer callback query", "err", err)
	}
}

// sendText sends a text message and returns its id.
func (r *renderer) sendText(ctx context.Context, chatID int64, prio Priority, lang string, rep flows.Reply) (int, error) {
	m := &textMessage{ChatID: chatID, Text: r.text(lang, rep.Text, false), ParseMode: models.ParseModeHTML,
		ReplyMarkup: r.markup(lang, rep.Buttons), LinkPreviewOptions: noPreview}
	var id int
	err := r.sender.Send(ctx, chatID, prio, "sendMessage", func(ctx context.Context, api *tg.Bot) error {
		var err error
		if r.text2 != nil {
			id, err = r.text2.send(ctx, m)
			return err
		}
		msg, err := api.SendMessage(ctx, &tg.SendMessageParams{ChatID: m.ChatID, Text: m.Text, ParseMode: m.ParseMode,
			ReplyMarkup: m.ReplyMarkup, LinkPreviewOptions: m.LinkPreviewOptions})
		if err == nil {
			id = msg.ID
		}
		return err
	})
	return id, err
}
