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

	"sinergi/bot/chart"
	"sinergi/bot/ics"
	"sinergi/bot/pdf"
	"sinergi/bot/qr"
	"sinergi/bot/xlsx"
	"sinergi/flows"
	"sinergi/locales"
)

// renderer turns flow replies into Telegram calls through the sender.
type renderer struct {
	texts  *locales.Catalog
	sender *Sender
	log    *slog.Logger
	text2  *textClient // sendMessage fast path; nil in tests that render only
	// moved is told when a group answered with the supergroup it became;
	// posted the id of a sent message that asked for it (outMsg.Posted).
	moved  func(ctx context.Context, from, to int64)
	posted func(ctx context.Context, m outMsg, id int)
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

var noPreview = &models.LinkPreviewOptions{IsDisabled: tg.True()}

// What an outMsg does.
const (
	outText  = "t"  // sendMessage
	outEdit  = "e"  // editMessageText
	outClear = "x"  // editMessageReplyMarkup: remove the keyboard
	outCopy  = "c"  // copyMessage
	outMenu  = "mb" // setChatMenuButton: the Mini App (Text its label, URL in File)
	outDoc   = "d"  // sendDocument
	outPhoto = "p"  // sendPhoto
)

// outMsg is a reply rendered for its reader: everything a Telegram call
// needs, and nothing else, so it can wait in the chat's outbox (JSON) and be
// sent after a restart exactly as it would have been.
type outMsg struct {
	ID       string        `json:"id,omitempty"` // unique in the outbox: "<update>.<n>"
	Chat     int64         `json:"c"`
	Kind     string        `json:"k"`
	Text     string        `json:"t,omitempty"` // HTML text or caption
	Rows     [][]outButton `json:"b,omitempty"`
	Edit     int           `json:"e,omitempty"`
	FromChat int64         `json:"fc,omitempty"`
	MsgID    int           `json:"m,omitempty"`
	File     string        `json:"f,omitempty"`
	Data     []byte        `json:"d,omitempty"`
	Bulk     bool          `json:"bk,omitempty"`
	Lang     string        `json:"l,omitempty"`  // the reader's language (for a fallback's note)
	Thread   int           `json:"th,omitempty"` // forum topic (message_thread_id)
	Posted   string        `json:"po,omitempty"` // handed back with the message id once sent (Reply.Posted)
}

type outButton struct {
	Text   string `json:"t"`
	Data   string `json:"d,omitempty"`
	URL    string `json:"u,omitempty"`
	WebApp string `json:"w,omitempty"` // a Mini App's URL (web_app)
}

// prepare renders rep for chatID in lang.
func (r *renderer) prepare(chatID int64, lang string, rep flows.Reply) outMsg {
	m := outMsg{Chat: chatID, Bulk: rep.Bulk, Lang: lang, Thread: rep.Thread, Posted: rep.Posted}
	switch {
	case rep.Copy != nil:
		m.Kind, m.FromChat, m.MsgID = outCopy, rep.Copy.Chat, rep.Copy.MessageID
		return m
	case rep.EditMessageID != 0 && rep.ClearButtons:
		m.Kind, m.Edit = outClear, rep.EditMessageID
		return m
	case rep.EditMessageID != 0:
		m.Kind, m.Edit = outEdit, rep.EditMessageID
	case rep.Document != nil:
		m.Kind, m.File, m.Data = outDoc, rep.Document.Name, rep.Document.Data
	case rep.Photo != nil:
		m.Kind, m.File, m.Data = outPhoto, rep.Photo.Name, rep.Photo.Data
	default:
		m.Kind = outText
	}
	m.Text = r.text(lang, rep.Text, false)
	for _, row := range rep.Buttons {
		out := make([]outButton, 0, len(row))
		for _, b := range row {
			label := b.Literal
			if label == "" {
				// Labels are plain text: entities of HTML message templates
				// (water &amp; sanitation) are shown as the characters.
				label = html.UnescapeString(r.text(lang, b.Label, true))
			}
			out = append(out, outButton{Text: label, Data: b.Data, URL: b.URL, WebApp: b.WebApp})
		}
		m.Rows = append(m.Rows, out)
	}
	return m
}

// dropUserLinks removes the buttons that open a user's chat by id
// (tg://user?id=…); it reports whether there were any.
func (m *outMsg) dropUserLinks() bool {
	dropped := false
	rows := m.Rows[:0]
	for _, row := range m.Rows {
		kept := row[:0]
		for _, b := range row {
			if strings.HasPrefix(b.URL, "tg://user?") {
				dropped = true
				continue
			}
			kept = append(kept, b)
		}
		if len(kept) > 0 {
			rows = append(rows, kept)
		}
	}
	m.Rows = rows
	return dropped
}

func (m *outMsg) markup() models.ReplyMarkup {
	if len(m.Rows) == 0 {
		return nil
	}
	kb := make([][]models.InlineKeyboardButton, 0, len(m.Rows))
	for _, row := range m.Rows {
		out := make([]models.InlineKeyboardButton, 0, len(row))
		for _, b := range row {
			kb := models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL}
			if b.WebApp != "" {
				kb.WebApp = &models.WebAppInfo{URL: b.WebApp}
			}
			out = append(out, kb)
		}
		kb = append(kb, out)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// prepareAll renders rep into the messages it takes: one, or for an export
// (rep.Table) the Excel workbook with rep's text as caption and then the CSV.
// The files the domain describes are made here, before the commit, so the
// outbox holds their bytes: a calendar invitation (rep.Calendar, bot/ics)
// as a document, a QR code (rep.QR, bot/qr) and a progress chart
// (rep.Chart, bot/chart) as a photo, a certificate of attendance
// (rep.Certificate, bot/pdf with its QR code from bot/qr) as a document.
func (r *renderer) prepareAll(chatID int64, lang string, rep flows.Reply) ([]outMsg, error) {
	if rep.MenuApp != nil {
		// The chat's menu button opens the Mini App: a call of its own,
		// after the message the reply may also carry.
		menu := outMsg{Kind: outMenu, Chat: chatID, Lang: lang, Bulk: rep.Bulk, File: rep.MenuApp.URL}
		if rep.MenuApp.URL != "" {
			menu.Text = html.UnescapeString(r.text(lang, rep.MenuApp.Label, true))
		}
		rep.MenuApp = nil
		if rep.Text.ID == "" && len(rep.Buttons) == 0 {
			return []outMsg{menu}, nil
		}
		msgs, err := r.prepareAll(chatID, lang, rep)
		return append(msgs, menu), err
	}
	switch {
	case rep.Calendar != nil:
		rep.Document = &flows.Attachment{Name: ics.Name(rep.Calendar), Data: ics.File(rep.Calendar)}
		rep.Calendar = nil
	case rep.QR != nil:
		png, err := qr.PNG(rep.QR.Content)
		if err != nil {
			return nil, fmt.Errorf("qr code %s: %w", rep.QR.Name, err)
		}
		rep.Photo = &flows.Attachment{Name: rep.QR.Name + ".png", Data: png}
		rep.QR = nil
	case rep.Chart != nil:
		png, err := chart.PNG(rep.Chart)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", rep.Chart.Name, err)
		}
		rep.Photo = &flows.Attachment{Name: rep.Chart.Name + ".png", Data: png}
		rep.Chart = nil
	case rep.Certificate != nil:
		code, err := qr.PNG(rep.Certificate.Link)
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", rep.Certificate.Number, err)
		}
		file, err := pdf.Certificate(rep.Certificate, code)
		if err != nil {
			return nil, err
		}
		rep.Document = &flows.Attachment{Name: rep.Certificate.Name + ".pdf", Data: file}
		rep.Certificate = nil
	case rep.Grid != nil:
		png, err := chart.GridPNG(rep.Grid)
		if err != nil {
			return nil, fmt.Errorf("grid %s: %w", rep.Grid.Name, err)
		}
		rep.Photo = &flows.Attachment{Name: rep.Grid.Name + ".png", Data: png}
		rep.Grid = nil
	}
	if rep.Table == nil {
		return []outMsg{r.prepare(chatID, lang, rep)}, nil
	}
	book, err := xlsx.Workbook(rep.Table)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", rep.Table.Name, err)
	}
	wb := rep
	wb.Table, wb.Document = nil, &flows.Attachment{Name: rep.Table.Name + ".xlsx", Data: book}
	csv := flows.Reply{ChatID: rep.ChatID, Thread: rep.Thread, Lang: rep.Lang, Bulk: rep.Bulk, Text: flows.T("export.csv_twin"),
		Document: &flows.Attachment{Name: rep.Table.Name + ".csv", Data: rep.Table.CSV()}}
	return []outMsg{r.prepare(chatID, lang, wb), r.prepare(chatID, lang, csv)}, nil
}

// deliver performs a reply at once (replies that are not an update's:
// reminders, reports, progress messages).
func (r *renderer) deliver(ctx context.Context, chatID int64, lang string, rep flows.Reply) error {
	msgs, err := r.prepareAll(chatID, lang, rep)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if _, err := r.send(ctx, m, nil); err != nil {
			return err
		}
	}
	return nil
}

// send performs a rendered reply; ready, when set, runs once the send
// budget is granted, right before the call (the outbox marks the send
// begun there), and an error from it cancels the send. A message that
// cannot be modified (the same text again) is not an error. It returns the
// id of a sent text message.
func (r *renderer) send(ctx context.Context, m outMsg, ready func(context.Context) error) (int, error) {
	prio := Interactive
	if m.Bulk {
		prio = Bulk
	}
	chatID := m.Chat
	var err error
	var id int
	switch m.Kind {
	case outMenu:
		err = r.sender.SendReady(ctx, chatID, prio, "setChatMenuButton", ready, func(ctx context.Context, api *tg.Bot) error {
			var mb models.InputMenuButton = models.MenuButtonDefault{Type: models.MenuButtonTypeDefault}
			if m.File != "" {
				mb = models.MenuButtonWebApp{Type: models.MenuButtonTypeWebApp, Text: m.Text, WebApp: models.WebAppInfo{URL: m.File}}
			}
			_, err := api.SetChatMenuButton(ctx, &tg.SetChatMenuButtonParams{ChatID: chatID, MenuButton: mb})
			return err
		})
	case outCopy:
		err = r.sender.SendReady(ctx, chatID, prio, "copyMessage", ready, func(ctx context.Context, api *tg.Bot) error {
			_, err := api.CopyMessage(ctx, &tg.CopyMessageParams{ChatID: chatID, MessageThreadID: m.Thread, FromChatID: m.FromChat, MessageID: m.MsgID})
			return err
		})
	case outClear:
		err = r.sender.SendReady(ctx, chatID, prio, "editMessageReplyMarkup", ready, func(ctx context.Context, api *tg.Bot) error {
			_, err := api.EditMessageReplyMarkup(ctx, &tg.EditMessageReplyMarkupParams{
				ChatID: chatID, MessageID: m.Edit,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}},
			})
			return err
		})
	case outEdit:
		err = r.sender.SendReady(ctx, chatID, prio, "editMessageText", ready, func(ctx context.Context, api *tg.Bot) error {
			_, err := api.EditMessageText(ctx, &tg.EditMessageTextParams{
				ChatID: chatID, MessageID: m.Edit, Text: m.Text,
				ParseMode: models.ParseModeHTML, ReplyMarkup: m.markup(), LinkPreviewOptions: noPreview,
			})
			return err
		})
	case outDoc:
		err = r.sender.SendReady(ctx, chatID, prio, "sendDocument", ready, func(ctx context.Context, api *tg.Bot) error {
			_, err := api.SendDocument(ctx, &tg.SendDocumentParams{
				ChatID: chatID, MessageThreadID: m.Thread,
				Document: &models.InputFileUpload{Filename: m.File, Data: bytes.NewReader(m.Data)},
				Caption:  m.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: m.markup(),
			})
			return err
		})
	case outPhoto:
		err = r.sender.SendReady(ctx, chatID, prio, "sendPhoto", ready, func(ctx context.Context, api *tg.Bot) error {
			_, err := api.SendPhoto(ctx, &tg.SendPhotoParams{
				ChatID: chatID, MessageThreadID: m.Thread,
				Photo:   &models.InputFileUpload{Filename: m.File, Data: bytes.NewReader(m.Data)},
				Caption: m.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: m.markup(),
			})
			return err
		})
	default:
		id, err = r.sendMessage(ctx, prio, &m, ready)
	}
	if err != nil && errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified") {
		return 0, nil
	}
	var migrated *tg.MigrateError
	if errors.As(err, &migrated) && migrated.MigrateToChatID != 0 && int64(migrated.MigrateToChatID) != chatID {
		// The group became a supergroup: whoever keeps the chat follows,
		// and the message goes there (nothing was sent to the old id). A
		// message of the old group cannot be edited there: an edit that
		// asked for its message id (a live card) is posted anew, another
		// is dropped.
		r.moved(ctx, chatID, int64(migrated.MigrateToChatID))
		m.Chat = int64(migrated.MigrateToChatID)
		switch {
		case m.Kind == outEdit && m.Posted != "":
			m.Kind, m.Edit = outText, 0
		case m.Kind == outEdit || m.Kind == outClear:
			return 0, fmt.Errorf("deliver to chat %d: %w", chatID, err)
		}
		return r.send(ctx, m, nil)
	}
	if err != nil && errors.Is(err, tg.ErrorBadRequest) && strings.Contains(err.Error(), "BUTTON_USER_PRIVACY_RESTRICTED") && m.dropUserLinks() {
		// The person a "tg://user" button opens forbids such links: the
		// message goes without it, saying why (nothing was sent, so this
		// is not a second copy; the outbox's mark of this send stands).
		note := r.text(m.Lang, flows.T("contact.link_restricted"), false)
		if m.Text != "" {
			note = "\n\n" + note
		}
		m.Text += note
		return r.send(ctx, m, nil)
	}
	if err != nil {
		return 0, fmt.Errorf("deliver to chat %d: %w", chatID, err)
	}
	if m.Posted != "" && id != 0 && r.posted != nil {
		r.posted(ctx, m, id)
	}
	return id, nil
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

// sendText sends a text message at once and returns its id.
func (r *renderer) sendText(ctx context.Context, chatID int64, prio Priority, lang string, rep flows.Reply) (int, error) {
	m := r.prepare(chatID, lang, rep)
	return r.sendMessage(ctx, prio, &m, nil)
}

func (r *renderer) sendMessage(ctx context.Context, prio Priority, om *outMsg, ready func(context.Context) error) (int, error) {
	m := &textMessage{ChatID: om.Chat, MessageThreadID: om.Thread, Text: om.Text, ParseMode: models.ParseModeHTML,
		ReplyMarkup: om.markup(), LinkPreviewOptions: noPreview}
	var id int
	err := r.sender.SendReady(ctx, om.Chat, prio, "sendMessage", ready, func(ctx context.Context, api *tg.Bot) error {
		var err error
		if r.text2 != nil {
			id, err = r.text2.send(ctx, m)
			return err
		}
		msg, err := api.SendMessage(ctx, &tg.SendMessageParams{ChatID: m.ChatID, MessageThreadID: m.MessageThreadID, Text: m.Text, ParseMode: m.ParseMode,
			ReplyMarkup: m.ReplyMarkup, LinkPreviewOptions: m.LinkPreviewOptions})
		if err == nil {
			id = msg.ID
		}
		return err
	})
	return id, err
}
