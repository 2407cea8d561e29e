package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/store"
)

const (
	adminID     = 4242
	firstUserID = 1_000_000
	prefix      = "scale:"
	title       = "Scale test workshop"
	webhookPath = "/telegram/webhook"
)

// event is a fault or phase boundary, for the timeline.
type event struct {
	at   time.Duration
	what string
}

// harness is the state of one run.
type harness struct {
	o        options
	c        clock
	root     string
	ps       *procs
	fake     *telegramtest.Server
	st       *store.Store
	nodes    []*redisNode
	replicas []*replica
	ngDir    string
	d        *driver
	notify   *notifier
	code     string
	admin    telegramtest.User

	mu       sync.Mutex
	timeline []event
	phase    string
}

func (h *harness) mark(format string, a ...any) {
	what := fmt.Sprintf(format, a...)
	h.mu.Lock()
	h.timeline = append(h.timeline, event{time.Since(h.c.t0), what})
	h.mu.Unlock()
	h.c.logf("%s", what)
}

func (h *harness) setPhase(p string) { h.mu.Lock(); h.phase = p; h.mu.Unlock() }

func run(ctx context.Context, o options) (bool, error) {
	h := &harness{o: o, c: clock{time.Now()}, ps: &procs{}, admin: telegramtest.User{ID: adminID, FirstName: "Sekretariat", LanguageCode: "en"}}
	root, err := os.MkdirTemp("", "sinergi-scale-")
	if err != nil {
		return false, err
	}
	h.root = root
	defer func() {
		// Bots first (they may still call the API while draining), then
		// the store and the fake, then the files.
		h.ps.stopAll(10 * time.Second)
		if h.st != nil {
			_ = h.st.Close()
		}
		if h.fake != nil {
			h.fake.Close()
		}
		if o.keep {
			fmt.Println("kept:", root)
		} else {
			_ = os.RemoveAll(root)
		}
	}()
	if err := h.setup(ctx); err != nil {
		h.dumpLogs()
		return false, err
	}
	r, err := h.scenario(ctx)
	if err != nil {
		h.dumpLogs()
		return false, err
	}
	ok := h.report(ctx, r)
	if !ok {
		h.dumpLogs()
	}
	return ok, nil
}

func (h *harness) addr(off int) string { return "127.0.0.1:" + strconv.Itoa(h.o.port+off) }

// setup starts the fake Bot API, the Redis Cluster, seeds the workshop and
// the returning members, then nginx and the three replicas.
func (h *harness) setup(ctx context.Context) error {
	o := h.o
	offs := []int{0, 1, 2, 3, 10, 21, 22, 23, 31, 32, 33, 10001, 10002, 10003}
	for _, off := range offs {
		if err := portFree(h.addr(off)); err != nil {
			return err
		}
	}
	fake, err := telegramtest.NewServer(h.addr(0))
	if err != nil {
		return err
	}
	h.fake = fake
	// Telegram's limits: 30 messages/s overall, 1/s per chat after a burst
	// of 3 (as the bot's own tests and the load tool model them).
	fake.SetLimits(telegramtest.Limits{Global: 30, PerChat: time.Second, Burst: 3, RetryAfter: 1})
	h.c.logf("fake Bot API on %s (30 msg/s overall, 1 msg/s per chat, burst 3); temp dir %s", fake.URL(), h.root)

	h.nodes, err = startCluster(ctx, h.ps, h.root, []int{o.port + 1, o.port + 2, o.port + 3})
	if err != nil {
		return err
	}
	var hosts []string
	for _, n := range h.nodes {
		hosts = append(hosts, n.addr())
	}
	clusterURL := "redis-cluster://" + strings.Join(hosts, ",")
	h.c.logf("Redis Cluster ok: %s (AOF, appendfsync always)", strings.Join(hosts, " "))
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	h.st, err = store.Open(sctx, clusterURL, store.Options{Prefix: prefix})
	cancel()
	if err != nil {
		return err
	}
	if err := h.seed(ctx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	var ups []string
	for i := range 3 {
		ups = append(ups, h.addr(21+i))
	}
	_, h.ngDir, err = startNginx(ctx, h.ps, h.root, h.addr(10), ups)
	if err != nil {
		return err
	}
	h.c.logf("nginx on %s -> %s", h.addr(10), strings.Join(ups, " "))

	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	var base []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "SINERGI_") || strings.HasPrefix(k, "TELEGRAM_") || k == "REDIS_URL" {
			continue // only what the harness sets
		}
		base = append(base, kv)
	}
	base = append(base,
		"TELEGRAM_BOT_TOKEN="+telegramtest.Token, "TELEGRAM_API_URL="+h.fake.URL(),
		"REDIS_URL="+clusterURL, "SINERGI_REDIS_PREFIX="+prefix,
		"SINERGI_ADMINS="+strconv.Itoa(adminID),
		"SINERGI_WEBHOOK_URL=http://"+h.addr(10)+webhookPath,
		"SINERGI_WEBHOOK_SECRET="+hex.EncodeToString(secret),
		"SINERGI_FLOOD=0", "SINERGI_LOG_FORMAT=text")
	base = append(base, o.botEnv...)
	for i := range 3 {
		r := &replica{n: i + 1, webhookAddr: h.addr(21 + i), httpAddr: h.addr(31 + i),
			log: filepath.Join(h.root, fmt.Sprintf("sinergi-%d.log", i+1))}
		r.env = append(append([]string{}, base...), "SINERGI_WEBHOOK_LISTEN="+r.webhookAddr, "SINERGI_HTTP_ADDR="+r.httpAddr)
		if err := r.start(h.ps, o.bin); err != nil {
			return err
		}
		h.replicas = append(h.replicas, r)
	}
	for _, r := range h.replicas {
		if err := waitFor(ctx, fmt.Sprintf("sinergi-%d /healthz", r.n), 60*time.Second, func() error { return r.healthy(ctx) }); err != nil {
			return err
		}
	}
	h.c.logf("3 replicas healthy (webhook %s, health %s …); SINERGI_RATE_LIMIT default, SINERGI_FLOOD=0", h.replicas[0].webhookAddr, h.replicas[0].httpAddr)
	return nil
}

// seed creates the workshop (capacity below the number of users) and the
// returning members: a user record and a profile with the current consent,
// as a member who registered for an earlier workshop has.
func (h *harness) seed(ctx context.Context) error {
	now := time.Now()
	start := now.Add(7 * 24 * time.Hour).Truncate(time.Hour)
	h.code = flows.NewCode()
	w := &flows.Workshop{
		Code: h.code, Title: title, Description: "Registration under load.",
		Start: start, End: start.Add(3 * time.Hour), Zone: "Asia/Jakarta", Venue: "Jakarta",
		Capacity: h.o.capacity, Deadline: start.Add(-time.Hour),
		Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now,
	}
	if err := h.st.CreateWorkshop(ctx, w); err != nil {
		return err
	}
	users := h.users()
	var seeded []simUser
	for _, u := range users {
		if !u.fresh {
			seeded = append(seeded, u)
		}
	}
	sectors := flows.Sectors()
	provinces := flows.Provinces()
	work := make(chan simUser)
	errc := make(chan error, 32)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for su := range work {
				lang := su.u.LanguageCode
				err := h.st.SaveUser(ctx, &flows.User{ID: su.u.ID, Lang: lang, FirstName: su.u.FirstName, Consent: flows.ConsentVersion, Created: now, Seen: now})
				if err == nil {
					err = h.st.SaveProfile(ctx, &flows.Profile{
						UserID: su.u.ID, FullName: su.u.FirstName + " Scale", Organisation: "Org " + strconv.Itoa(su.idx),
						Sector: sectors[su.idx%len(sectors)], Province: provinces[su.idx%len(provinces)],
						ConsentAt: now, ConsentVersion: flows.ConsentVersion, Updated: now,
					})
				}
				if err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}
		}()
	}
	for _, su := range seeded {
		work <- su
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	h.c.logf("seeded workshop ws_%s (capacity %d) and %d returning members with a profile; %d users are new", h.code, h.o.capacity, len(seeded), len(users)-len(seeded))
	return nil
}

// users are the simulated users: wave 1 first, then wave 2; a share of
// each is new (no profile yet).
func (h *harness) users() []simUser {
	o := h.o
	n1 := o.users - lateCount(&o)
	out := make([]simUser, o.users)
	for i := range out {
		lang := []string{"id", "en"}[i%2]
		out[i] = simUser{
			idx:   i,
			u:     telegramtest.User{ID: int64(firstUserID + i), FirstName: "User" + strconv.Itoa(i), LanguageCode: lang},
			wave:  1 + btoi(i >= n1),
			fresh: int(float64(i+1)*o.fresh) > int(float64(i)*o.fresh),
		}
	}
	return out
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// results of the scenario, for the report.
type results struct {
	users                []*userResult
	wave1Start, wave1End time.Time
	wave2Start, wave2End time.Time
	expected             map[int64]bool // broadcast recipients: confirmed when it was created
	bcID                 string
	bcSource             int
	bcCreated            time.Time
	bcDone               bool
	settled              []string // phases that did not go quiet in time
	killed               bool
}

// scenario: wave 1 registers (a Redis node restarts in the middle), the
// admin broadcasts to the confirmed, wave 2 registers meanwhile and a
// replica is SIGKILLed mid-broadcast.
func (h *harness) scenario(ctx context.Context) (*results, error) {
	o := h.o
	all := h.users()
	ids := []int64{adminID}
	for _, u := range all {
		ids = append(ids, u.u.ID)
	}
	events, cancelEvents := h.fake.Subscribe()
	defer cancelEvents()
	h.notify = newNotifier(ids)
	go h.notify.run(events)
	tx, err := loadTexts(title)
	if err != nil {
		return nil, err
	}
	h.d = &driver{fake: h.fake, notify: h.notify, cls: &classifier{code: h.code, tx: tx}, step: o.stepTimeout}

	// The whole chain answers: fake -> nginx -> a replica -> fake.
	h.fake.SendText(h.admin, "/start")
	if _, err := h.d.waitBotMessages(ctx, adminID, 0); err != nil {
		return nil, fmt.Errorf("warm-up: the bot did not answer the admin's /start through nginx: %w", err)
	}
	res := &results{}
	var wave1, wave2 []simUser
	for _, u := range all {
		if u.wave == 1 {
			wave1 = append(wave1, u)
		} else {
			wave2 = append(wave2, u)
		}
	}
	var done atomic.Int64
	stopProgress := h.progress(ctx, &done, len(all))
	defer stopProgress()

	// Wave 1, with a Redis node restart in the middle.
	h.setPhase("wave 1")
	h.mark("wave 1: %d users register for ws_%s (%d seats), %d concurrently", len(wave1), h.code, o.capacity, o.conc)
	res.wave1Start = time.Now()
	faultDone := make(chan struct{})
	wave1Done := make(chan struct{})
	go func() {
		defer close(faultDone)
		if !o.faults {
			return
		}
		target := int64(float64(len(wave1)) * o.redisAt)
		for done.Load() < target {
			select {
			case <-ctx.Done():
				return
			case <-wave1Done:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		h.restartRedis(ctx)
	}()
	out1 := h.d.drive(ctx, wave1, o.conc, &done)
	res.wave1End = time.Now()
	close(wave1Done)
	<-faultDone
	h.mark("wave 1 driven: %d users in %.1fs", len(wave1), res.wave1End.Sub(res.wave1Start).Seconds())
	if err := h.settle(ctx, 3*time.Second); err != nil {
		res.settled = append(res.settled, "after wave 1: "+err.Error())
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// Who the broadcast must reach: the confirmed, frozen now (nobody
	// cancels, and everyone after this waits).
	regs, err := h.st.Registrations(ctx, h.code)
	if err != nil {
		return nil, err
	}
	res.expected = map[int64]bool{}
	for _, r := range regs {
		if r.Status == flows.RegConfirmed {
			res.expected[r.UserID] = true
		}
	}

	// The broadcast, through the admin's conversation.
	h.setPhase("broadcast")
	res.bcCreated = time.Now()
	res.bcSource, err = h.d.createBroadcast(ctx, h.admin, "Kabar forum: rapat kerja nasional 2 Desember (uji skala)")
	if err != nil {
		return nil, err
	}
	err = waitFor(ctx, "the broadcast in Redis", 60*time.Second, func() error {
		list, err := h.st.RecentBroadcasts(ctx, 5)
		if err != nil {
			return err
		}
		for _, b := range list {
			if b.FromChat == adminID && b.MessageID == res.bcSource {
				res.bcID = b.ID
				return nil
			}
		}
		return fmt.Errorf("no broadcast of message %d yet", res.bcSource)
	})
	if err != nil {
		return nil, err
	}
	h.mark("broadcast %s created by the admin for the %d confirmed", res.bcID, len(res.expected))

	// Wave 2 and the replica kill, during the broadcast. Replies go before
	// broadcast copies, so the late registrations trickle in (a few at a
	// time) once the copies have begun, and the broadcast keeps going.
	bcTimeout := o.settle + time.Duration(len(res.expected)/20)*time.Second
	bcFinished := make(chan struct{})
	var out2 []*userResult
	wave2Done := make(chan struct{})
	go func() {
		defer close(wave2Done)
		_ = waitFor(ctx, "the first broadcast copy", 60*time.Second, func() error {
			if h.fake.Stats().ByMethod["copyMessage"] < 2 { // the admin's preview is one
				return fmt.Errorf("no copy yet")
			}
			return nil
		})
		res.wave2Start = time.Now()
		h.mark("wave 2: %d users register while the broadcast goes out, %d concurrently", len(wave2), o.lateConc)
		out2 = h.d.drive(ctx, wave2, o.lateConc, &done)
		res.wave2End = time.Now()
	}()
	killDone := make(chan struct{})
	go func() {
		defer close(killDone)
		if o.faults {
			res.killed = h.killReplica(ctx, len(res.expected), bcFinished, bcTimeout)
		}
	}()
	err = waitFor(ctx, "the broadcast to finish", bcTimeout, func() error {
		_, st, err := h.st.GetBroadcast(ctx, res.bcID)
		if err != nil {
			return err
		}
		if st.Status != flows.BcDone && st.Status != flows.BcCancelled {
			return fmt.Errorf("status %s, %d of %d sent", st.Status, st.Sent, st.Total)
		}
		return nil
	})
	res.bcDone = err == nil
	close(bcFinished)
	if err != nil {
		h.mark("%v", err)
	} else {
		h.mark("broadcast finished (status in Redis)")
	}
	<-wave2Done
	<-killDone
	h.mark("wave 2 driven: %d users", len(wave2))
	h.setPhase("settling")
	if err := h.settle(ctx, 5*time.Second); err != nil {
		res.settled = append(res.settled, "at the end: "+err.Error())
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	res.users = append(out1, out2...)
	return res, nil
}

// restartRedis restarts the master holding the workshop's keys (the most
// demanding choice for registrations: they need it), or with -redis-victim
// budget the one holding the shared send budget (the most demanding for
// the flood limits: every send needs it).
func (h *harness) restartRedis(ctx context.Context) {
	victim := h.nodes[0]
	key, what := prefix+"{w:"+h.code+"}:confirmed", "the workshop's slot"
	if h.o.redisVictim == "budget" {
		key, what = prefix+"{tb}:global", "the send budget's slot"
	}
	if cc, ok := h.st.Client().(*redis.ClusterClient); ok {
		if c, err := cc.MasterForKey(ctx, key); err == nil {
			for _, n := range h.nodes {
				if n.addr() == c.Options().Addr {
					victim = n
				}
			}
		}
	}
	h.mark("FAULT redis %s (master of %s): SIGTERM, down for %v", victim.addr(), what, h.o.redisDown)
	if err := victim.restart(ctx, h.ps, h.o.redisDown); err != nil {
		h.mark("redis restart: %v", err)
		return
	}
	h.mark("redis %s back, cluster_state:ok", victim.addr())
}

// killReplica SIGKILLs a replica once a share of the broadcast has been
// sent (copyMessage calls), and starts it again later. A broadcast that
// ends first (a tiny run) or never gets there still sees the kill, after it.
func (h *harness) killReplica(ctx context.Context, expected int, finished <-chan struct{}, timeout time.Duration) bool {
	target := int(float64(expected) * h.o.killAt)
	deadline := time.Now().Add(timeout)
	for h.fake.Stats().ByMethod["copyMessage"]-1 < max(target, 1) && time.Now().Before(deadline) { // -1: the admin's preview
		select {
		case <-ctx.Done():
			return false
		case <-finished:
			deadline = time.Now()
		case <-time.After(50 * time.Millisecond):
		}
	}
	r := h.replicas[h.o.killReplica-1]
	when := "while the broadcast runs"
	select {
	case <-finished:
		when = "after the broadcast"
	default:
	}
	h.mark("FAULT SIGKILL sinergi-%d %s (%d copyMessage calls so far)", r.n, when, h.fake.Stats().ByMethod["copyMessage"]-1)
	r.p.stop(syscall.SIGKILL, 5*time.Second)
	if !h.o.restartKilled {
		return true
	}
	select {
	case <-ctx.Done():
		return true
	case <-time.After(h.o.restartAfter):
	}
	if err := r.start(h.ps, h.o.bin); err != nil {
		h.mark("restart sinergi-%d: %v", r.n, err)
		return true
	}
	if err := waitFor(ctx, fmt.Sprintf("sinergi-%d /healthz after the restart", r.n), 60*time.Second, func() error { return r.healthy(ctx) }); err != nil {
		h.mark("%v", err)
		return true
	}
	h.mark("sinergi-%d restarted and healthy", r.n)
	return true
}

// settle waits until the fake has no update left to deliver and nothing
// has happened on the API for quiet (bounded by -settle-timeout).
func (h *harness) settle(ctx context.Context, quiet time.Duration) error {
	sig := func() string {
		st := h.fake.Stats()
		return fmt.Sprintf("%d/%d/%d", st.Calls, st.WebhookDeliveries, st.WebhookErrors)
	}
	last, changed := sig(), time.Now()
	return waitFor(ctx, "quiet", h.o.settle, func() error {
		if s := sig(); s != last {
			last, changed = s, time.Now()
		}
		if p := h.fake.PendingUpdates(); p > 0 {
			return fmt.Errorf("%d updates not yet delivered", p)
		}
		if time.Since(changed) < quiet {
			return fmt.Errorf("API calls still going on")
		}
		return nil
	})
}

// progress prints a line every 10 seconds.
func (h *harness) progress(ctx context.Context, done *atomic.Int64, total int) func() {
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			st := h.fake.Stats()
			h.mu.Lock()
			phase := h.phase
			h.mu.Unlock()
			h.c.logf("%-9s users done %d/%d, bot sends ok %d (429: %d), copies %d, updates pending %d, webhook errors %d",
				phase, done.Load(), total, st.Sent, st.Errors[429], st.ByMethod["copyMessage"], h.fake.PendingUpdates(), st.WebhookErrors)
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop) }) }
}

// dumpLogs shows the errors the replicas logged (the logs themselves are in
// the temp dir with -keep).
func (h *harness) dumpLogs() {
	for _, r := range h.replicas {
		b, err := os.ReadFile(r.log)
		if err != nil {
			continue
		}
		var errs []string
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "panic") {
				errs = append(errs, line)
			}
		}
		if len(errs) == 0 {
			continue
		}
		fmt.Printf("sinergi-%d logged %d errors; the last ones:\n", r.n, len(errs))
		for _, l := range errs[max(0, len(errs)-5):] {
			if len(l) > 300 {
				l = l[:300] + "…"
			}
			fmt.Println("   ", l)
		}
	}
}
