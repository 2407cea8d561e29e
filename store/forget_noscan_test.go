package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/flows/transport"
	"sinergi/store"
)

// cmdLog records the names of the commands a client sends while on.
type cmdLog struct {
	mu   sync.Mutex
	on   bool
	seen []string
}

func (l *cmdLog) DialHook(next redis.DialHook) redis.DialHook { return next }
func (l *cmdLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.add(cmd)
		return next(ctx, cmd)
	}
}
func (l *cmdLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			l.add(c)
		}
		return next(ctx, cmds)
	}
}
func (l *cmdLog) add(cmd redis.Cmder) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.seen = append(l.seen, strings.ToLower(cmd.Name()))
	}
}

// Forgetting someone scans nothing: the update dedupe marks of their chat,
// the team and chapter-admin invitations they created and their jobs are
// found through indexes written with them ({c:<uid>}:upds, invites:by:<uid>,
// {jobs}:of:<tail>) — also those stored by a build before the indexes,
// once MigrateForgetScans has run — and all of it is gone afterwards,
// while another member's is kept.
func TestForgetScansNothing(t *testing.T) {
	ctx := context.Background()
	_, r := newStore(t)
	log := &cmdLog{}
	r.Client.AddHook(log)
	s := store.New(r.Client, store.Options{Prefix: r.Prefix, SessionTTL: time.Hour})
	c := r.Client
	p := r.Prefix
	const uid, other = 7, 8

	// As a build before the indexes stored them.
	c.Set(ctx, p+"{c:7}:upd:90", "1", 25*time.Hour)
	c.HSet(ctx, p+"{w:old1}:tinv:oldtok", "by", uid, "created", t0.UnixMilli(), "expires", t0.Add(time.Hour).UnixMilli())
	c.Expire(ctx, p+"{w:old1}:tinv:oldtok", time.Hour)
	oldCh, err := json.Marshal(&flows.ChapterInvite{Token: "oldch", Chapter: "jb", By: uid, Created: t0})
	if err != nil {
		t.Fatal(err)
	}
	c.Set(ctx, p+"{ch}:invite:oldch", oldCh, time.Hour)
	c.ZAdd(ctx, p+"{jobs}:due", redis.Z{Score: float64(t0.UnixMilli()), Member: "wr1|old1|7"})
	if n, err := s.MigrateForgetScans(ctx); n != 4 || err != nil {
		t.Fatalf("migrated %d, %v; want the mark, two invitations and the job", n, err)
	}
	if n, err := s.MigrateForgetScans(ctx); n != 0 || err != nil {
		t.Fatalf("second run: %d, %v", n, err)
	}

	// Through the store.
	for _, who := range []int64{uid, other} {
		for upd := int64(100); upd < 103; upd++ {
			u := &flows.User{ID: who, Lang: "id", Consent: flows.ConsentVersion, Created: t0}
			if err := s.Commit(ctx, transport.Commit{ChatID: who, UpdateID: upd + who*10, User: u}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "t" + string(rune('a'+who)), Workshop: "ws1", By: who, Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateChapterInvite(ctx, &flows.ChapterInvite{Token: "c" + string(rune('a'+who)), Chapter: "jb", By: who, Created: t0}, time.Hour); err != nil {
			t.Fatal(err)
		}
		id := string(rune('0' + who))
		if err := s.Schedule(ctx, flows.Job{ID: "wr1|ws1|" + id, Due: t0.Add(time.Hour)}, flows.Job{ID: "wr2|ws1|" + id, Due: t0.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	// A job claimed (leased) is found too.
	if jobs, _, err := s.ClaimDue(ctx, "me", t0.Add(90*time.Minute), 10, time.Minute); err != nil || len(jobs) < 2 {
		t.Fatalf("claimed %v, %v", jobs, err)
	}

	log.on = true
	if _, err := s.ForgetUser(ctx, uid, t0); err != nil {
		t.Fatal(err)
	}
	log.on = false
	for _, cmd := range log.seen {
		if strings.HasSuffix(cmd, "scan") || cmd == "keys" {
			t.Errorf("forgetting sent %s", cmd)
		}
	}

	keys, err := c.Keys(ctx, p+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, k := range keys {
		k = strings.TrimPrefix(k, p)
		switch {
		case strings.HasPrefix(k, "{c:7}"), strings.Contains(k, "tinv:ta"), k == "{w:old1}:tinv:oldtok",
			k == "{ch}:invite:ca", k == "{ch}:invite:oldch", k == "{jobs}:of:7", k == "invites:by:7":
			left = append(left, k)
		}
	}
	if len(left) > 0 {
		t.Errorf("left after forgetting: %v", left)
	}
	for _, key := range []string{"{jobs}:due", "{jobs}:lease"} {
		ids, err := c.ZRange(ctx, p+key, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if strings.HasSuffix(id, "|7") {
				t.Errorf("%s still holds %s", key, id)
			}
		}
	}
	// The other member's are kept.
	for _, k := range []string{"{c:8}:upd:180", "{c:8}:upds", "{w:ws1}:tinv:ti", "{ch}:invite:ci", "{jobs}:of:8"} {
		if n, err := c.Exists(ctx, p+k).Result(); n != 1 || err != nil {
			t.Errorf("%s gone (%v)", k, err)
		}
	}
	due, err := c.ZRange(ctx, p+"{jobs}:due", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	lease, err := c.ZRange(ctx, p+"{jobs}:lease", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if all := slices.Concat(due, lease); !slices.Contains(all, "wr1|ws1|8") || !slices.Contains(all, "wr2|ws1|8") {
		t.Errorf("the other member's jobs: %v", all)
	}
}

// The jobs' index follows the jobs: a job done, unscheduled or dropped
// after its claimer died leaves it; one scheduled again while it ran stays.
func TestJobIndexFollowsJobs(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	c := r.Client
	of := func() []string {
		ids, err := c.SMembers(ctx, r.Prefix+"{jobs}:of:5").Result()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ids)
		return ids
	}
	jobs := []flows.Job{{ID: "a|w|5", Due: t0}, {ID: "b|w|5", Due: t0}, {ID: "c|w|5", Due: t0}, {ID: "d|w|5", Due: t0}}
	if err := s.Schedule(ctx, jobs...); err != nil {
		t.Fatal(err)
	}
	if got := of(); len(got) != 4 {
		t.Fatalf("index %v", got)
	}
	if _, _, err := s.ClaimDue(ctx, "me", t0, 10, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.JobDone(ctx, "a|w|5"); err != nil {
		t.Fatal(err)
	}
	if err := s.Schedule(ctx, flows.Job{ID: "b|w|5", Due: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.JobDone(ctx, "b|w|5"); err != nil { // scheduled again meanwhile: stays
		t.Fatal(err)
	}
	if err := s.Unschedule(ctx, "c|w|5"); err != nil {
		t.Fatal(err)
	}
	if err := s.BeginJob(ctx, "me", "d|w|5", t0, time.Minute); err != nil {
		t.Fatal(err)
	}
	// d's claimer dies mid-run: its lease expires and the next claim drops it.
	if _, dropped, err := s.ClaimDue(ctx, "other", t0.Add(2*time.Minute), 10, time.Minute); err != nil || !slices.Equal(dropped, []string{"d|w|5"}) {
		t.Fatalf("dropped %v, %v", dropped, err)
	}
	if got := of(); !slices.Equal(got, []string{"b|w|5"}) {
		t.Fatalf("index %v, want only the job scheduled again", got)
	}
}

// A chat's index of dedupe marks lists each mark its commit wrote, lives
// as long as they do, and drops expired entries (in a commit of an update
// id divisible by 16).
func TestDedupeMarkIndex(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	key := r.Prefix + "{c:3}:upds"
	r.Client.ZAdd(ctx, key, redis.Z{Score: float64(time.Now().Add(-time.Minute).UnixMilli()), Member: 1})
	for _, upd := range []int64{30, 31} {
		if err := s.Commit(ctx, transport.Commit{ChatID: 3, UpdateID: upd}); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Client.ZRange(ctx, key, 0, -1).Val(); !slices.Equal(got, []string{"1", "30", "31"}) {
		t.Fatalf("index %v", got)
	}
	if ttl := r.Client.TTL(ctx, key).Val(); ttl < 24*time.Hour {
		t.Fatalf("index ttl %v", ttl)
	}
	if err := s.Commit(ctx, transport.Commit{ChatID: 3, UpdateID: 32}); err != nil {
		t.Fatal(err)
	}
	if got := r.Client.ZRange(ctx, key, 0, -1).Val(); !slices.Equal(got, []string{"30", "31", "32"}) {
		t.Fatalf("index after a trimming commit %v", got)
	}
	for _, upd := range []int64{30, 31, 32} {
		if st, err := s.LoadState(ctx, 3, 3, upd); err != nil || !st.Dup {
			t.Fatalf("update %d not found handled: %v", upd, err)
		}
	}
}

// Forgetting someone runs the per-workshop team and survey scripts only
// at the workshops where they are on the team or have survey marks, not
// at every workshop of the forum (a national forum's 1,000 workshops took
// 2,000 script round trips and 220 ms), and still leaves nothing of them
// there.
func TestForgetRunsScriptsOnlyWhereTheMemberIs(t *testing.T) {
	ctx := context.Background()
	_, r := newStore(t)
	log := &cmdLog{}
	r.Client.AddHook(log)
	s := store.New(r.Client, store.Options{Prefix: r.Prefix})
	const uid, other = 7, 8
	for i := range 40 {
		team := []int64{other}
		if i == 3 {
			team = append(team, uid)
		}
		w := &flows.Workshop{Code: fmt.Sprintf("fw%03d", i), Title: "T", Start: t0.Add(48 * time.Hour), End: t0.Add(50 * time.Hour),
			Zone: "Asia/Jakarta", Capacity: 10, Facilitators: team}
		if err := s.CreateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range []int64{uid, other} {
		if _, err := s.MarkSurveySent(ctx, "fw005", who, "i"); err != nil {
			t.Fatal(err)
		}
	}
	log.on = true
	if _, err := s.ForgetUser(ctx, uid, t0); err != nil {
		t.Fatal(err)
	}
	log.on = false
	scripts := 0
	for _, cmd := range log.seen {
		if cmd == "evalsha" || cmd == "eval" {
			scripts++
		}
	}
	if scripts > 10 {
		t.Errorf("forgetting ran %d scripts in a forum of 40 workshops where the member is at 2", scripts)
	}
	c, p := r.Client, r.Prefix
	if _, err := c.ZScore(ctx, p+"{w:fw003}:team", "7").Result(); err == nil {
		t.Error("still on the team of fw003")
	}
	if ok, err := c.SIsMember(ctx, p+"{w:fw005}:svsent", "i:7").Result(); ok || err != nil {
		t.Errorf("survey mark of 7 left at fw005 (%v)", err)
	}
	if ok, err := c.SIsMember(ctx, p+"{w:fw005}:svsent", "i:8").Result(); !ok || err != nil {
		t.Errorf("the other member's survey mark went (%v)", err)
	}
	if _, err := c.ZScore(ctx, p+"{w:fw003}:team", "8").Result(); err != nil {
		t.Errorf("the other member left the team of fw003 (%v)", err)
	}
}
