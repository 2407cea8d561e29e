package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// chatCopies counts the copies the bot posted into each group chat and
// topic ("<chat>/<topic>").
func chatCopies(fake *telegramtest.Server) (map[string]int, map[int64][]time.Time) {
	got, at := map[string]int{}, map[int64][]time.Time{}
	for _, c := range fake.CallsOf("copyMessage") {
		chat, err := strconv.ParseInt(c.Params["chat_id"], 10, 64)
		if c.ErrorCode != 0 || err != nil || chat >= 0 {
			continue
		}
		th := c.Params["message_thread_id"]
		if th == "" {
			th = "0"
		}
		got[c.Params["chat_id"]+"/"+th]++
		at[chat] = append(at[chat], c.At)
	}
	return got, at
}

// A broadcast is also posted into the linked chats the admin ticks: two
// topics of one forum (message_thread_id), a channel, and a group that has
// removed the bot (403). The copies keep their formatting; the forum's two
// posts are 3 s apart (its 20/min group budget); the bot is stopped while
// the second waits and a new process finishes without posting anything
// twice; the group that refused is reported apart from the members, its
// link made inactive and its linker told, and it is not tried again. A
// facilitators' report chat is not offered.
func TestBroadcastToLinkedChatsE2E(t *testing.T) {
	e := newEnv(t)
	e.limits.PerGroup = 3 * time.Second
	ctx := context.Background()
	ntt := e.members(10) // 4 in NTT
	const forum, channel, gone, reports = -1002000000501, -1003000000502, -1004000000503, -1004000000504
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.NewSupergroup(forum, "Forum Air", true)
	e.fake.SetMember(forum, admin, telegramtest.StatusCreator)
	topicA := e.fake.CreateTopic(forum, admin, "Pengumuman")
	topicB := e.fake.CreateTopic(forum, admin, "FGD Air Bersih")
	e.fake.NewChannel(channel, "Kanal Sinergi", "sinergi_kanal")
	e.fake.NewGroup(gone, "Grup Lama")
	e.fake.NewGroup(reports, "Fasilitator")
	now := time.Now()
	for _, l := range []*flows.ChatLink{
		{Chat: forum, Thread: topicA, Title: "Forum Air", Type: "supergroup", Purpose: flows.PurposeForum, By: adminID, At: now},
		{Chat: forum, Thread: topicB, Title: "Forum Air", Type: "supergroup", Purpose: flows.PurposeChapter, By: adminID, At: now},
		{Chat: channel, Title: "Kanal Sinergi", Type: "channel", Purpose: flows.PurposeForum, By: adminID, At: now},
		{Chat: gone, Title: "Grup Lama", Type: "group", Purpose: flows.PurposeForum, By: adminID, At: now},
		{Chat: reports, Title: "Fasilitator", Type: "group", Purpose: flows.PurposeReports, Workshop: "abc234", By: adminID, At: now},
	} {
		if _, err := e.store.LinkChat(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	stop := e.start()
	e.fake.SendText(admin, "/start")
	e.next(admin.ID)
	for _, c := range []int64{forum, channel, gone} {
		e.fake.AddBot(c, admin, true)
	}
	e.waitFor("the hello in the groups", func() bool { return len(e.fake.BotMessages(gone)) == 1 && len(e.fake.BotMessages(forum)) == 1 })
	e.fake.Block(gone) // the bot removed without an update reaching it

	e.fake.SendText(admin, "/broadcast")
	e.next(admin.ID)
	text := "Rapat kerja nasional: 2 Desember"
	bold := []models.MessageEntity{{Type: models.MessageEntityTypeBold, Offset: 0, Length: 12}}
	e.fake.SendFormatted(admin, text, bold)
	en := e.next(admin.ID)
	e.fake.Press(admin, en.ID, buttonData(t, en, "No Indonesian version"))
	seg := e.next(admin.ID)
	e.fake.Press(admin, seg.ID, buttonData(t, seg, "A province"))
	e.next(admin.ID)
	e.fake.SendText(admin, "NTT")
	ask := e.next(admin.ID)
	contains(t, ask, "linked groups, topics or channels")
	for _, row := range ask.Buttons {
		if strings.Contains(row[0].Text, "Fasilitator") {
			t.Fatalf("a facilitators' report chat offered: %v", ask.Buttons)
		}
	}
	if len(ask.Buttons) != 5 {
		t.Fatalf("offered %v, want 4 chats and Done", ask.Buttons)
	}
	// Tick all four, untick and tick the channel again.
	for _, l := range []string{"topic " + strconv.Itoa(topicA), "topic " + strconv.Itoa(topicB), "Kanal Sinergi", "Grup Lama", "Kanal Sinergi", "Kanal Sinergi"} {
		e.fake.Press(admin, ask.ID, buttonData(t, ask, l))
	}
	e.fake.Press(admin, ask.ID, buttonData(t, ask, "Done"))
	contains(t, e.next(admin.ID), "Preview")
	e.next(admin.ID) // the copy
	confirm := e.next(admin.ID)
	contains(t, confirm, "4 members (in Nusa Tenggara Timur")
	for _, want := range []string{"also posted in 4 linked chats:\n", "• Forum Air · topic " + strconv.Itoa(topicA), "• Forum Air · topic " + strconv.Itoa(topicB), "• Kanal Sinergi", "• Grup Lama"} {
		contains(t, confirm, want)
	}
	e.fake.Press(admin, confirm.ID, buttonData(t, confirm, "Send now"))

	// The first topic is posted; the second waits for the forum's budget:
	// the bot stops then, and a new process finishes.
	e.waitForN("the first topic's copy", 10*time.Second, func() int { got, _ := chatCopies(e.fake); return len(got) }, 1)
	stop()
	e.start()
	var report telegramtest.Message
	e.waitFor("the report", func() bool {
		for _, m := range e.fake.BotMessages(admin.ID) {
			if strings.Contains(m.Plain, "Update sent") {
				report = m
				return true
			}
		}
		return false
	})
	for _, want := range []string{"to 4 members", "delivered: 4", "Linked chats (4):", "posted: 3", "refused it (link now inactive): 1", "failed: 0\n• uncertain (interrupted): 0"} {
		contains(t, report, want)
	}
	got, at := chatCopies(e.fake)
	want := map[string]int{
		strconv.Itoa(forum) + "/" + strconv.Itoa(topicA): 1, strconv.Itoa(forum) + "/" + strconv.Itoa(topicB): 1,
		strconv.Itoa(channel) + "/0": 1,
	}
	if len(got) != len(want) {
		t.Fatalf("copies into chats %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("copies into chats %v, want %v", got, want)
		}
	}
	if gap := at[forum][1].Sub(at[forum][0]); gap < 2900*time.Millisecond {
		t.Fatalf("the forum's two posts %v apart: over 20 a minute", gap)
	}
	for _, th := range []int{topicA, topicB} {
		var in []telegramtest.Message
		for _, m := range e.fake.BotMessages(forum) {
			if m.ThreadID == th && m.Plain == text {
				in = append(in, m)
			}
		}
		if len(in) != 1 || len(in[0].Entities) != 1 || in[0].Entities[0] != bold[0] {
			t.Fatalf("topic %d holds %+v", th, in)
		}
	}
	// Members: each once.
	members := copiesTo(e.fake)
	for _, id := range ntt {
		if members[id] != 1 {
			t.Fatalf("member %d got %d copies", id, members[id])
		}
	}
	// The group that refused: one try, its link inactive, its linker told.
	tries := 0
	for _, c := range e.fake.CallsOf("copyMessage") {
		if c.Params["chat_id"] == strconv.Itoa(gone) {
			tries++
		}
	}
	if tries != 1 {
		t.Fatalf("%d copies tried into the group that removed the bot, want 1", tries)
	}
	for _, l := range e.groupLinks() {
		if l.Chat == gone && !l.Inactive || l.Chat != gone && l.Inactive {
			t.Fatalf("link %+v", l)
		}
	}
	e.waitFor("the linker told", func() bool {
		for _, m := range e.fake.BotMessages(admin.ID) {
			if strings.Contains(m.Plain, "Grup Lama") && !strings.Contains(m.Plain, "Update sent") && !strings.Contains(m.Plain, "linked chats") {
				return true
			}
		}
		return false
	})
}

// A broadcast posted into a linked basic group that has meanwhile become a
// supergroup (the migration's service message not read yet: only the
// broadcast runner is running): copyMessage answers 400 with
// parameters.migrate_to_chat_id; the copy is made again in the supergroup,
// the link moves there, and the delivery report counts it posted.
func TestBroadcastFollowsMigratedGroupE2E(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const basic, super = -4101, -1002000004101
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	e.fake.NewGroup(basic, "Bab NTT")
	e.fake.SetMember(basic, admin, telegramtest.StatusCreator)
	e.fake.AddBot(basic, admin, false)
	e.fake.SendText(admin, "Rapat kerja nasional")
	src := e.fake.Transcript(admin.ID)[0]
	if _, err := e.store.LinkChat(ctx, &flows.ChatLink{Chat: basic, Title: "Bab NTT", Type: "group", Purpose: flows.PurposeForum, By: adminID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveUser(ctx, &flows.User{ID: adminID, Lang: "en", FirstName: "Sekretariat", Role: flows.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	e.fake.MigrateGroup(basic, super)
	if err := e.store.CreateBroadcast(ctx, &flows.Broadcast{ID: "bcmig1", By: adminID, FromChat: adminID, MessageID: src.ID,
		Segment: "all", Created: time.Now(), StartAt: time.Now(), Chats: []flows.ChatTarget{{Chat: basic}}}); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	b := e.newBot(rctx)
	done := make(chan struct{})
	go func() { defer close(done); b.RunBroadcasts(rctx) }()
	t.Cleanup(func() { cancel(); <-done; b.Close() })

	var report telegramtest.Message
	e.waitFor("the report", func() bool {
		for _, m := range e.fake.BotMessages(admin.ID) {
			if strings.Contains(m.Plain, "Linked chats") {
				report = m
				return true
			}
		}
		return false
	})
	for _, want := range []string{"Linked chats (1):", "posted: 1", "failed: 0"} {
		contains(t, report, want)
	}
	var in []telegramtest.Message
	for _, m := range e.fake.BotMessages(super) {
		if m.Plain == "Rapat kerja nasional" {
			in = append(in, m)
		}
	}
	if len(in) != 1 {
		t.Fatalf("copies in the supergroup: %+v", e.fake.BotMessages(super))
	}
	if ls := e.groupLinks(); len(ls) != 1 || ls[0].Chat != super || ls[0].Inactive {
		t.Fatalf("links after the migration: %+v", ls)
	}
}
