package bot_test

import (
	"testing"
	"time"

	"sinergi/bot/telegramtest"
)

// TestThreeReplicasBroadcastAtFullRate: three replicas sending one
// broadcast together use the one budget fully (≥ 90% of 28/s; the shared
// booking costs them little) and never exceed Telegram's limits.
func TestThreeReplicasBroadcastAtFullRate(t *testing.T) {
	e := newEnv(t)
	e.limited()
	ntt := e.members(300)
	e.start()
	e.newReplica(2 * time.Second)
	e.newReplica(2 * time.Second)
	probe := startStallProbe(t, e.redis.Client)
	admin := telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}
	confirm := e.composeBroadcast(admin, "Rapat kerja nasional", "Nusa Tenggara Timur")
	e.fake.Press(admin, confirm.ID, buttonData(t, confirm, "Send now"))
	e.waitForN("all deliveries", 40*time.Second, func() int { return len(copiesTo(e.fake)) - 1 }, len(ntt))
	st := e.fake.Stats()
	t.Logf("3 replicas, %d recipients, max %d sends in a second", len(ntt), st.MaxGlobalPerSecond)
	if st.LimitViolations != 0 || st.SentIntoRetryAfter != 0 || st.Errors[429] != 0 {
		t.Errorf("flood limits broken: %+v", st)
	}
	for id, n := range copiesTo(e.fake) {
		if n != 1 {
			t.Errorf("chat %d got %d copies", id, n)
		}
	}
	checkRate(t, measureRate(e.fake, probe), e.limits.Global, 0.9)
}
