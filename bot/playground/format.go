package playground

import (
	"errors"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// Entity is a formatting entity the page sends with a user's text, as
// Telegram counts it: offset and length in UTF-16 code units.
type Entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// entityTags are the entity types a playground user may send, with the
// Telegram HTML tag each is shown with.
var entityTags = map[models.MessageEntityType]string{
	models.MessageEntityTypeBold:          "b",
	models.MessageEntityTypeItalic:        "i",
	models.MessageEntityTypeUnderline:     "u",
	models.MessageEntityTypeStrikethrough: "s",
	models.MessageEntityTypeCode:          "code",
	models.MessageEntityTypeSpoiler:       "tg-spoiler",
}

// maxEntities bounds the entities of one message (Telegram's limit is 100).
const maxEntities = 100

// checkEntities validates the page's entities against text.
func checkEntities(text string, in []Entity) ([]models.MessageEntity, error) {
	if len(in) > maxEntities {
		return nil, fmt.Errorf("at most %d formatting entities", maxEntities)
	}
	n := len(utf16.Encode([]rune(text)))
	out := make([]models.MessageEntity, 0, len(in))
	for _, e := range in {
		t := models.MessageEntityType(e.Type)
		if _, ok := entityTags[t]; !ok {
			return nil, fmt.Errorf("formatting %q is not offered (bold, italic, underline, strikethrough, code, spoiler)", e.Type)
		}
		if e.Offset < 0 || e.Length < 1 || e.Offset+e.Length > n {
			return nil, errors.New("a formatting entity lies outside the text")
		}
		out = append(out, models.MessageEntity{Type: t, Offset: e.Offset, Length: e.Length})
	}
	return out, nil
}

// entitiesHTML renders text with its entities as Telegram HTML, the text
// escaped. Entities of other types (links, commands, mentions) stay text;
// overlapping entities are closed and reopened so the tags nest.
func entitiesHTML(text string, ents []models.MessageEntity) string {
	u := utf16.Encode([]rune(text))
	type span struct {
		tag        string
		start, end int
	}
	var spans []span
	for _, e := range ents {
		tag, ok := entityTags[e.Type]
		if !ok || e.Offset < 0 || e.Length < 1 || e.Offset+e.Length > len(u) {
			continue
		}
		spans = append(spans, span{tag, e.Offset, e.Offset + e.Length})
	}
	// Cut points: every boundary; between two, a fixed set of tags is open.
	cuts := []int{0, len(u)}
	for _, sp := range spans {
		cuts = append(cuts, sp.start, sp.end)
	}
	sort.Ints(cuts)
	var b strings.Builder
	var open []string
	for i := 0; i+1 < len(cuts); i++ {
		from, to := cuts[i], cuts[i+1]
		if from == to {
			continue
		}
		var want []string
		for _, sp := range spans {
			if sp.start <= from && to <= sp.end && !slices.Contains(want, sp.tag) {
				want = append(want, sp.tag)
			}
		}
		// Keep the common prefix open, close the rest, open what is new.
		k := 0
		for k < len(open) && k < len(want) && open[k] == want[k] {
			k++
		}
		for j := len(open) - 1; j >= k; j-- {
			b.WriteString("</" + open[j] + ">")
		}
		for _, t := range want[k:] {
			b.WriteString("<" + t + ">")
		}
		open = want
		b.WriteString(html.EscapeString(string(utf16.Decode(u[from:to]))))
	}
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString("</" + open[j] + ">")
	}
	return b.String()
}
