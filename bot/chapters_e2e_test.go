package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
)

// A chapter admin of Jawa Barat broadcasts to "everyone": their chapter's
// members receive it, and nobody in Bali does — the scope is decided by the
// server from the admin's record, whatever the buttons offered.
func TestChapterAdminBroadcastStaysInChapter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.store.CreateChapter(ctx, &flows.Chapter{ID: "jabar2", Name: "FKTJSL Jawa Barat", Kind: flows.ChapterProvince, Provinces: []string{"JB"}, Created: now}))
	must(e.store.CreateChapter(ctx, &flows.Chapter{ID: "bdps22", Name: "FKTJSL Bali", Kind: flows.ChapterProvince, Provinces: []string{"BA"}, Created: now}))
	var jabar, bali []int64
	for i := range 8 {
		id, prov := int64(7000+i), "JB"
		if i%2 == 1 {
			prov = "BA"
			bali = append(bali, id)
		} else {
			jabar = append(jabar, id)
		}
		must(e.store.SaveUser(ctx, &flows.User{ID: id, Lang: "id", FirstName: "M", Consent: flows.ConsentVersion, Created: now, Seen: now}))
		must(e.store.SaveProfile(ctx, &flows.Profile{UserID: id, FullName: "Member", Organisation: "Org", Sector: "ngo", Province: prov, ConsentVersion: flows.ConsentVersion}))
	}
	// A Bali member who also joined the Jawa Barat chapter by its link
	// is a member of it.
	must(e.store.JoinChapter(ctx, "jabar2", bali[0]))
	const chAdmin = 6900
	must(e.store.SaveUser(ctx, &flows.User{ID: chAdmin, Lang: "en", LangSet: true, Role: flows.RoleFacilitator, FirstName: "Ketua",
		Chapter: "jabar2", Consent: flows.ConsentVersion, Created: now, Seen: now}))
	e.start()
	admin := telegramtest.User{ID: chAdmin, FirstName: "Ketua", LanguageCode: "en"}
	e.fake.SendText(admin, "/broadcast")
	contains(t, e.next(admin.ID), "exactly as members should see it")
	e.fake.SendText(admin, "Rapat chapter Jawa Barat")
	en := e.next(admin.ID)
	e.fake.Press(admin, en.ID, buttonData(t, en, "No Indonesian version"))
	seg := e.next(admin.ID)
	e.fake.Press(admin, seg.ID, buttonData(t, seg, "Everyone"))
	contains(t, e.next(admin.ID), "Preview")
	if copy := e.next(admin.ID); !strings.Contains(copy.Plain, "Rapat chapter") {
		t.Fatalf("preview copy %q", copy.Plain)
	}
	confirm := e.next(admin.ID)
	contains(t, confirm, "5 members")
	contains(t, confirm, "FKTJSL Jawa Barat")
	e.fake.Press(admin, confirm.ID, buttonData(t, confirm, "Send now"))
	e.waitForN("the chapter's deliveries", 20*time.Second, func() int { return len(copiesTo(e.fake)) - 1 }, 5)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(lastPlain(e.fake.BotMessages(admin.ID)), "Update sent") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := copiesTo(e.fake)
	for _, id := range jabar {
		if got[id] != 1 {
			t.Errorf("Jawa Barat member %d got %d copies", id, got[id])
		}
	}
	if got[bali[0]] != 1 {
		t.Errorf("the Bali member who joined Jawa Barat got %d copies", got[bali[0]])
	}
	for _, id := range bali[1:] {
		if got[id] != 0 {
			t.Errorf("Bali member %d received the Jawa Barat chapter's broadcast", id)
		}
	}
}

func lastPlain(ms []telegramtest.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1].Plain
}
