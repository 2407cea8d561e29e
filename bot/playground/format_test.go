package playground

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestEntitiesHTML(t *testing.T) {
	b := func(off, n int) models.MessageEntity {
		return models.MessageEntity{Type: models.MessageEntityTypeBold, Offset: off, Length: n}
	}
	i := func(off, n int) models.MessageEntity {
		return models.MessageEntity{Type: models.MessageEntityTypeItalic, Offset: off, Length: n}
	}
	for _, c := range []struct {
		text string
		ents []models.MessageEntity
		want string
	}{
		{"Halo semua", []models.MessageEntity{b(0, 4)}, "<b>Halo</b> semua"},
		{"a <b> & c", []models.MessageEntity{i(2, 3)}, "a <i>&lt;b&gt;</i> &amp; c"},
		// UTF-16 offsets: the emoji counts two.
		{"😀 hebat sekali", []models.MessageEntity{b(3, 5)}, "😀 <b>hebat</b> sekali"},
		// Nested and overlapping entities still nest as tags.
		{"bold italic", []models.MessageEntity{b(0, 11), i(5, 6)}, "<b>bold <i>italic</i></b>"},
		{"abcdef", []models.MessageEntity{b(0, 4), i(2, 4)}, "<b>ab<i>cd</i></b><i>ef</i>"},
		// Links, commands and entities outside the text stay text.
		{"/start x", []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: 6}, b(7, 9)}, "/start x"},
	} {
		if got := entitiesHTML(c.text, c.ents); got != c.want {
			t.Errorf("%q %+v: %q, want %q", c.text, c.ents, got, c.want)
		}
	}
}

func TestCheckEntities(t *testing.T) {
	if got, err := checkEntities("😀 hebat", []Entity{{"bold", 3, 5}, {"italic", 0, 2}}); err != nil || len(got) != 2 || got[0].Type != models.MessageEntityTypeBold {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range [][]Entity{
		{{"bold", 0, 9}},              // past the end
		{{"bold", -1, 2}},             // before the start
		{{"italic", 1, 0}},            // empty
		{{"text_link", 0, 2}},         // not offered
		{{"mention", 0, 2}},           // not offered
		make([]Entity, maxEntities+1), // too many
	} {
		if _, err := checkEntities("😀 hebat", bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
