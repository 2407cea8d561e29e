package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"sinergi/bot/telegramtest"
)

// What Redis holds after a first /start and after a command typed in a
// group, walked key by key: nothing personal before consent beyond what is
// needed to answer (the chat id and the language), no membership (no
// "everyone" broadcast reaches them), and nothing at all about a group
// sender (#13.7; README "Trust").
func TestNothingStoredBeforeConsent(t *testing.T) {
	e := newEnv(t)
	e.start()
	ctx := context.Background()
	sari := telegramtest.User{ID: 6101, FirstName: "Sari Wulandari", Username: "sari_wulan", LanguageCode: "en"}
	budi := telegramtest.User{ID: 6102, FirstName: "Budi Santoso", Username: "budi_s", LanguageCode: "id"}
	e.fake.SendText(sari, "/start")
	contains(t, e.next(sari.ID), "Sari Wulandari") // greeted by name, from the update
	e.fake.SendGroupText(budi, -100777, "/start@"+telegramtest.BotUsername)
	e.nth(-100777, 1)
	e.fake.SendText(sari, "/help") // a fence: both updates are committed and answered
	e.next(sari.ID)
	e.waitFor("the replies sent", func() bool {
		st, err := e.store.LoadState(ctx, sari.ID, sari.ID, 0)
		return err == nil && st.Outbox == 0
	})

	rdb, p := e.redis.Client, e.redis.Prefix
	keys, err := rdb.Keys(ctx, p+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	for _, k := range keys {
		name := strings.TrimPrefix(k, p)
		var dump string
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "string":
			dump = rdb.Get(ctx, k).Val()
		case "hash":
			dump = strings.Join(flatten(rdb.HGetAll(ctx, k).Val()), " ")
		case "set":
			dump = strings.Join(rdb.SMembers(ctx, k).Val(), " ")
		case "zset":
			dump = strings.Join(rdb.ZRange(ctx, k, 0, -1).Val(), " ")
		case "list":
			dump = strings.Join(rdb.LRange(ctx, k, 0, -1).Val(), " ")
		}
		t.Logf("%s = %s", name, dump)
		for _, personal := range []string{"Sari", "sari_wulan", "Budi", "budi_s"} {
			if strings.Contains(dump, personal) {
				t.Errorf("%s holds %q before consent: %s", name, personal, dump)
			}
		}
		if strings.Contains(name, "6102") {
			t.Errorf("the group sender has a key: %s", name)
		}
		switch {
		case name == "{c:6101}:user":
			got := rdb.HGetAll(ctx, k).Val()
			if len(got) != 2 || got["id"] != "6101" || got["lang"] != "en" {
				t.Errorf("Sari's record before consent: %v, want only id and language", got)
			}
		case name == "users:all" && strings.Contains(dump, "6101"):
			t.Errorf("Sari became a member (an 'everyone' recipient) before consent")
		}
	}
}

func flatten(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
