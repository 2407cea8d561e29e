package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
	maxButtonData = 64
)

// parseMode normalizes a parse_mode parameter.
func parseMode(pm string) (string, *apiError) {
	switch strings.ToLower(pm) {
	case "":
		return "", nil
	case "html":
		return "HTML", nil
	case "markdown":
		return "Markdown", nil
	case "markdownv2":
		return "MarkdownV2", nil
	}
	return "", badRequest("unsupported parse_mode")
}

// renderText validates text in the given parse mode and returns the plain
// text a client would display. Only HTML is checked; Markdown texts are
// returned as they are.
func renderText(text, pm string) (string, *apiError) {
	if pm != "HTML" {
		return text, nil
	}
	plain, err := parseHTML(text)
	if err != nil {
		return "", badRequest("can't parse entities: %v", err)
	}
	return plain, nil
}

// checkMessageText validates the text of a text message.
func checkMessageText(text, pm string) (string, *apiError) {
	if strings.TrimSpace(text) == "" {
		return "", badRequest("message text is empty")
	}
	plain, e := renderText(text, pm)
	if e != nil {
		return "", e
	}
	if strings.TrimSpace(plain) == "" {
		return "", badRequest("message text is empty")
	}
	if utf16Len(plain) > maxTextLen {
		return "", badRequest("message is too long")
	}
	return plain, nil
}

// checkCaption validates a media caption (may be empty).
func checkCaption(caption, pm string) (string, *apiError) {
	plain, e := renderText(caption, pm)
	if e != nil {
		return "", e
	}
	if utf16Len(plain) > maxCaptionLen {
		return "", badRequest("message caption is too long")
	}
	return plain, nil
}

// htmlTags are the tags Telegram's HTML parse mode supports.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"blockquote": true, "tg-spoiler": true, "span": true, "tg-emoji": true,
}

// parseHTML checks text the way Telegram's HTML parse mode does (supported
// tags, proper nesting, every "&" starting an entity) and returns the text
// without markup, entities decoded.
func parseHTML(text string) (string, error) {
	var plain strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end, err := tagEnd(text, i)
			if err != nil {
				return "", err
			}
			tag := text[i+1 : end]
			if closing, ok := strings.CutPrefix(tag, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(closing))
				if len(stack) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				if top := stack[len(stack)-1]; name != top {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name, attrs := splitTag(tag)
				if !htmlTags[name] || (name == "span" && !strings.Contains(attrs, "tg-spoiler")) {
					return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				stack = append(stack, name)
			}
			i = end + 1
		case '&':
			decoded, n, ok := htmlEntity(text[i:])
			if !ok {
				return "", fmt.Errorf("Unsupported HTML entity or unescaped \"&\" at byte offset %d (escape \"&\" as &amp;)", i)
			}
			plain.WriteString(decoded)
			i += n
		case '>':
			plain.WriteByte('>')
			i++
		default:
			r, n := utf8.DecodeRuneInString(text[i:])
			plain.WriteRune(r)
			i += n
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return plain.String(), nil
}

// tagEnd returns the index of the ">" closing the tag opened at text[start],
// skipping quoted attribute values.
func tagEnd(text string, start int) (int, error) {
	var quote byte
	for j := start + 1; j < len(text); j++ {
		c := text[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j, nil
		case c == '<':
			return 0, fmt.Errorf("Unclosed start tag at byte offset %d", start)
		}
	}
	return 0, fmt.Errorf("Unclosed start tag at byte offset %d", start)
}

// splitTag splits the inside of a start tag into its lower-cased name and the
// attribute text.
func splitTag(tag string) (name, attrs string) {
	n := 0
	for n < len(tag) {
		c := tag[n]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			break
		}
		n++
	}
	return strings.ToLower(tag[:n]), tag[n:]
}

// htmlEntity decodes the entity at the start of s ("&amp;", "&#38;",
// "&#x26;"); Telegram supports only these named entities and numeric ones.
func htmlEntity(s string) (decoded string, n int, ok bool) {
	for _, e := range [...]struct{ name, val string }{{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}} {
		if strings.HasPrefix(s, e.name) {
			return e.val, len(e.name), true
		}
	}
	if !strings.HasPrefix(s, "&#") {
		return "", 0, false
	}
	semi := strings.IndexByte(s, ';')
	if semi < 3 || semi > 12 {
		return "", 0, false
	}
	num, base := s[2:semi], 10
	if num[0] == 'x' || num[0] == 'X' {
		num, base = num[1:], 16
	}
	v, err := strconv.ParseUint(num, base, 32)
	if err != nil || num == "" || !utf8.ValidRune(rune(v)) {
		return "", 0, false
	}
	return string(rune(v)), semi + 1, true
}

// markup is a parsed reply_markup parameter.
type markup struct {
	inline   *models.InlineKeyboardMarkup // nil unless an inline keyboard
	buttons  [][]Button
	keyboard [][]string
	key      string // canonical form of the inline keyboard, "" for none
}

// parseMarkup parses and validates a reply_markup parameter.
func parseMarkup(raw string, inlineOnly bool) (markup, *apiError) {
	var m markup
	if strings.TrimSpace(raw) == "" {
		return m, nil
	}
	var obj struct {
		InlineKeyboard [][]map[string]json.RawMessage `json:"inline_keyboard"`
		Keyboard       [][]json.RawMessage            `json:"keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return m, badRequest("can't parse reply keyboard markup JSON object")
	}
	if obj.InlineKeyboard == nil {
		if inlineOnly {
			return m, badRequest("inline keyboard expected")
		}
		for _, row := range obj.Keyboard {
			var texts []string
			for _, b := range row {
				var str string
				if json.Unmarshal(b, &str) != nil {
					var kb struct {
						Text string `json:"text"`
					}
					if json.Unmarshal(b, &kb) != nil {
						return m, badRequest("can't parse keyboard button")
					}
					str = kb.Text
				}
				if str == "" {
					return m, badRequest("keyboard button text is empty")
				}
				texts = append(texts, str)
			}
			m.keyboard = append(m.keyboard, texts)
		}
		return m, nil
	}
	var ik models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &ik); err != nil {
		return m, badRequest("can't parse inline keyboard button: %v", err)
	}
	for r, row := range obj.InlineKeyboard {
		var buttons []Button
		for c, fields := range row {
			b := ik.InlineKeyboard[r][c]
			if e := checkInlineButton(fields, b); e != nil {
				return m, e
			}
			nb := Button{Text: b.Text, CallbackData: b.CallbackData, URL: b.URL}
			if b.WebApp != nil {
				nb.WebApp = b.WebApp.URL
			}
			buttons = append(buttons, nb)
		}
		m.buttons = append(m.buttons, buttons)
	}
	if len(m.buttons) == 0 {
		return m, nil // an empty inline keyboard removes the keyboard
	}
	m.inline = &ik
	key, _ := json.Marshal(ik)
	m.key = string(key)
	return m, nil
}

// checkInlineButton validates one inline keyboard button.
func checkInlineButton(fields map[string]json.RawMessage, b models.InlineKeyboardButton) *apiError {
	if b.Text == "" {
		return badRequest("can't parse inline keyboard button: Text is empty")
	}
	_, hasData := fields["callback_data"]
	if hasData && (len(b.CallbackData) < 1 || len(b.CallbackData) > maxButtonData) {
		return badRequest("BUTTON_DATA_INVALID")
	}
	if _, ok := fields["url"]; ok {
		u, err := url.Parse(b.URL)
		if err != nil || u.Scheme == "" || (u.Host == "" && u.Scheme != "tg" && u.Opaque == "") {
			return badRequest("inline keyboard button URL '%s' is invalid: Wrong HTTP URL", b.URL)
		}
	}
	if _, ok := fields["web_app"]; ok {
		// Mini Apps open only over HTTPS.
		if b.WebApp == nil || !strings.HasPrefix(b.WebApp.URL, "https://") {
			return badRequest("BUTTON_URL_INVALID")
		}
	}
	actions := 0
	for _, k := range []string{"url", "callback_data", "web_app", "login_url", "switch_inline_query",
		"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game"} {
		if _, ok := fields[k]; ok {
			actions++
		}
	}
	if b.CopyText.Text != "" || b.Pay {
		actions++
	}
	if actions == 0 {
		return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	return nil
}
