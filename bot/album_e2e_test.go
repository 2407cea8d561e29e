package bot_test

import (
	"strings"
	"testing"

	"sinergi/bot/telegramtest"
)

// An album sent as a broadcast (each photo arrives as a message of its own,
// sharing a media_group_id) is refused with one clear note; its second
// photo does not become the other language's version, nothing is refused twice,
// and the draft goes on with a single message.
func TestBroadcastAlbumRefused(t *testing.T) {
	e := newEnv(t)
	e.start()
	admin := telegramtest.User{ID: adminID, FirstName: "Admin", LanguageCode: "en"}
	e.fake.SendText(admin, "/broadcast")
	contains(t, e.next(admin.ID), "exactly as members should see it")
	e.fake.SendAlbum(admin, "Foto kegiatan", 3)
	contains(t, e.next(admin.ID), "cannot broadcast an album")
	contains(t, e.next(admin.ID), "exactly as members should see it") // asked again
	e.fake.SendText(admin, "Kabar sekretariat")
	en := e.next(admin.ID)
	contains(t, en, "Indonesian version")
	for _, m := range e.fake.BotMessages(admin.ID) {
		if strings.Contains(m.Plain, "album") && m.ID != e.fake.BotMessages(admin.ID)[1].ID {
			t.Fatalf("refused more than once: %q", m.Plain)
		}
	}
	if n := len(e.fake.BotMessages(admin.ID)); n != 4 {
		t.Fatalf("%d bot messages, want 4 (question, refusal, question, Indonesian question)", n)
	}
	e.fake.Press(admin, en.ID, buttonData(t, en, "No Indonesian version"))
	contains(t, e.next(admin.ID), "Who should receive")
}
