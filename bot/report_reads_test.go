package bot

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/locales"
	"sinergi/store"
	"sinergi/store/redistest"
)

// countHook counts the commands a client sends while on.
type countHook struct {
	on atomic.Bool
	n  atomic.Int64
}

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.on.Load() {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.on.Load() {
			h.n.Add(int64(len(cmds)))
		}
		return next(ctx, cmds)
	}
}

// A progress report reads each owner once: those with a profile in one
// pipeline (once each, though listed per commitment), those without one
// (a name from their user record only) once each, not at every line that
// names them — three per commitment (#22). 200 commitments of 20 owners
// without a profile took 1,200 lookups.
func TestReportReadsEachOwnerOnce(t *testing.T) {
	r := redistest.New(t)
	client := r.Unguarded(t)
	hook := &countHook{}
	client.AddHook(hook)
	st := store.New(client, store.Options{Prefix: r.Prefix})
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := flows.New(flows.Config{BotUsername: "bench_bot", DefaultLang: "en", Admins: []int64{1}}, st, texts, AllModules(st)...)
	ctx := context.Background()
	now := time.Now()
	w := &flows.Workshop{Code: "reads1", Title: "Reads", Zone: "Asia/Jakarta", Start: now.Add(-48 * time.Hour), End: now.Add(-47 * time.Hour),
		Venue: "x", Facilitators: []int64{1}}
	if err := st.CreateWorkshop(ctx, w); err != nil {
		t.Fatal(err)
	}
	const owners, n = 20, 200
	for i := range owners {
		uid := int64(2000 + i)
		if i%2 == 0 {
			if err := st.SaveProfile(ctx, &flows.Profile{UserID: uid, FullName: "Owner " + strconv.Itoa(i), Organisation: "Org"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range n {
		uid := int64(2000 + i%owners)
		c := &flows.Commitment{ID: "c" + strconv.Itoa(i), Workshop: w.Code, What: "Commitment " + strconv.Itoa(i), Owner: uid,
			Due: now.AddDate(0, 0, i%10-5), Status: flows.CmOpen, Created: w.End}
		if err := st.SaveCommitment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	admin := &flows.User{ID: 1, Lang: "en", Role: flows.RoleAdmin}
	hook.on.Store(true)
	res, err := e.Handle(ctx, flows.Input{ChatID: 1, UserID: 1, Private: true, Kind: flows.KindCallback, Callback: "followup.report:" + w.Code, MessageID: 5, Now: now}, admin, nil)
	hook.on.Store(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Replies) != 3 || len(res.Replies[2].Table.Rows) != n {
		t.Fatalf("%d replies", len(res.Replies))
	}
	// The workshop, its commitments, its chats, the audit, the owners'
	// profiles (20) and the 10 owners without one (profile and user
	// record each): well under 100.
	t.Logf("%d commands", hook.n.Load())
	if got := hook.n.Load(); got > 100 {
		t.Errorf("the report sent %d commands to Redis for %d commitments of %d owners", got, n, owners)
	}
}
