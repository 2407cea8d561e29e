package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// check is one pass/fail figure of the report.
type check struct {
	name   string
	bad    int
	detail string
}

// report reads the outcome from Redis and from the fake's transcripts,
// prints the figures and returns whether every check passed.
func (h *harness) report(ctx context.Context, r *results) bool {
	o := h.o
	cls := h.d.cls
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()

	// Redis: each user's place(s).
	regs, regErr := h.st.Registrations(rctx, h.code)
	status := map[int64][]flows.RegStatus{}
	for _, reg := range regs {
		status[reg.UserID] = append(status[reg.UserID], reg.Status)
	}
	counts, cntErr := h.st.Counts(rctx, h.code)

	// Users: what Redis holds and what the bot answered them.
	var (
		pressed, fresh, notRegistered, twice, unanswered, mismatch, dupAnswers int
		confirmedAns, waitingAns, alreadyAns, unavailable, internal, repeats   int
		stuckBefore                                                            int
		exOrder                                                                []string
		updates1, answered1                                                    int
		lastAnswer1                                                            time.Time
	)
	// example keeps the first three cases of each kind of problem.
	examples := map[string][]string{}
	example := func(kind, format string, a ...any) {
		if _, ok := examples[kind]; !ok {
			exOrder = append(exOrder, kind)
		}
		if len(examples[kind]) < 3 {
			examples[kind] = append(examples[kind], fmt.Sprintf(format, a...))
		}
	}
	for _, ur := range r.users {
		id := ur.user.u.ID
		if ur.user.fresh {
			fresh++
		}
		repeats += ur.repeats
		if ur.user.wave == 1 {
			updates1 += ur.updates
			if !ur.answered.IsZero() {
				answered1++
				if ur.answered.After(lastAnswer1) {
					lastAnswer1 = ur.answered
				}
			}
		}
		var nConf, nWait, nAlready int
		for _, m := range h.fake.BotMessages(id) {
			switch cls.kind(m) {
			case mConfirmed:
				nConf++
			case mWaiting:
				nWait++
			case mAlready:
				nAlready++
			case mUnavailable:
				unavailable++
			case mInternal:
				internal++
			}
		}
		for _, a := range h.notify.alertsOf(id) {
			switch {
			case anyEqual(a.text, cls.tx.unavailable):
				unavailable++
			case anyEqual(a.text, cls.tx.internal):
				internal++
			}
		}
		confirmedAns += min(nConf, 1)
		waitingAns += min(nWait, 1)
		alreadyAns += min(nAlready, 1)
		if !ur.pressed {
			stuckBefore++
			example("stuck", "user %d never got the workshop card: %s", id, ur.stuck)
			continue
		}
		pressed++
		st := status[id]
		switch {
		case len(st) == 0:
			notRegistered++
			example("lost", "user %d pressed register but is in neither list (%s)", id, orNone(ur.stuck))
		case len(st) > 1:
			twice++
			example("lost", "user %d is in Redis %d times: %v", id, len(st), st)
		case nConf+nWait+nAlready == 0:
			unanswered++
			example("lost", "user %d is %s in Redis but got no answer (%s)", id, st[0], orNone(ur.stuck))
		}
		if len(st) == 1 && ((nConf > 0 && st[0] != flows.RegConfirmed) || (nWait > 0 && nConf == 0 && st[0] != flows.RegWaiting)) {
			mismatch++
			example("mismatch", "user %d was told %s but is %s in Redis", id, map[bool]string{true: "confirmed", false: "waiting"}[nConf > 0], st[0])
		}
		if nConf > 1 || nWait > 1 || (nConf > 0 && nWait > 0) || (nAlready > 0 && ur.repeats == 0) {
			dupAnswers++
			example("answers", "user %d got %d confirmations, %d waiting-list answers, %d \"already registered\"", id, nConf, nWait, nAlready)
		}
	}
	lost := notRegistered + twice + unanswered
	overbooked := max(0, counts.Confirmed-o.capacity)
	idleSeats := 0
	if counts.Confirmed < o.capacity && counts.Waiting > 0 {
		idleSeats = min(o.capacity-counts.Confirmed, counts.Waiting)
	}
	expConfirmed := min(o.capacity, o.users)

	// Broadcast: the copies Telegram (the fake) accepted, per chat.
	per := map[int64]int{}
	var first, last time.Time
	src := strconv.Itoa(r.bcSource)
	for _, c := range h.fake.CallsOf("copyMessage") {
		if c.ErrorCode != 0 || c.Params["from_chat_id"] != strconv.Itoa(adminID) || c.Params["message_id"] != src {
			continue
		}
		chat, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
		if chat == adminID {
			continue // the admin's preview
		}
		per[chat]++
		if first.IsZero() || c.At.Before(first) {
			first = c.At
		}
		if c.At.After(last) {
			last = c.At
		}
	}
	outcomes, _ := h.st.BroadcastOutcomes(rctx, r.bcID)
	var once, dups, missing, unexpected, copies int
	for id, n := range per {
		copies += n
		switch {
		case !r.expected[id]:
			unexpected++
			example("bc-unexpected", "broadcast copied to %d, who was not confirmed when it was created", id)
		case n > 1:
			dups++
			example("bc-dup", "broadcast copied %d times to %d", n, id)
		default:
			once++
		}
	}
	for id := range r.expected {
		if per[id] == 0 {
			missing++
			example("bc-missing", "broadcast never reached %d (outcome in Redis: %s)", id, orNone(outcomes[id]))
		}
	}
	_, bst, bcErr := h.st.GetBroadcast(rctx, r.bcID)
	// Sends Telegram (the fake) refused with 429.
	allCalls := h.fake.Calls()
	var first429, last429 time.Time
	by10s := map[int]int{} // 429 answers per 10 s of the run, by start second
	for _, c := range allCalls {
		if c.ErrorCode == 429 {
			if first429.IsZero() {
				first429 = c.At
			}
			last429 = c.At
			by10s[int(c.At.Sub(h.c.t0).Seconds())/10*10]++
			example("flood", "%s to chat %s at +%.1fs: %s", c.Method, c.Params["chat_id"], c.At.Sub(h.c.t0).Seconds(), c.Error)
		}
	}
	if bst == nil {
		bst = &flows.BroadcastState{}
	}

	stats := h.fake.Stats()
	ng := readNginxStats(h.ngDir)

	// ---- print ----
	p := func(label string, format string, a ...any) {
		fmt.Printf("  %-34s %s\n", label, fmt.Sprintf(format, a...))
	}
	fmt.Println()
	fmt.Println("==== sinergi-scale report ====")
	fmt.Printf("setup: 3 replicas (webhook) behind nginx, 3-master Redis Cluster (AOF always), fake Bot API with Telegram's limits; bot %s\n", o.bin)
	fmt.Println("timeline:")
	h.mu.Lock()
	for _, e := range h.timeline {
		fmt.Printf("  +%6.1fs  %s\n", e.at.Seconds(), e.what)
	}
	h.mu.Unlock()
	for _, s := range r.settled {
		fmt.Printf("  (did not go quiet %s)\n", s)
	}

	fmt.Println("registration:")
	p("users driven", "%d (%d before the broadcast, %d during it; %d new: profile + consent first)", len(r.users), len(r.users)-lateCount(&o), lateCount(&o), fresh)
	p("pressed register", "%d (never got the workshop card: %d)", pressed, stuckBefore)
	p("in Redis: confirmed / waiting", "%d / %d (expected %d / %d)", counts.Confirmed, counts.Waiting, expConfirmed, o.users-expConfirmed)
	p("answers: confirmed / waiting", "%d / %d (\"already registered\": %d)", confirmedAns, waitingAns, alreadyAns)
	p("lost", "%d (in neither list %d, in Redis twice %d, no answer %d)", lost, notRegistered, twice, unanswered)
	p("apologies seen by users", "%d \"temporarily unavailable\", %d \"something went wrong\" (actions repeated: %d)", unavailable, internal, repeats)
	if regErr != nil || cntErr != nil {
		p("redis read errors", "%v %v", regErr, cntErr)
	}

	fmt.Println("broadcast:")
	p("expected recipients", "%d (confirmed when it was created)", len(r.expected))
	p("delivered exactly once", "%d", once)
	p("duplicates / missing / unexpected", "%d / %d / %d", dups, missing, unexpected)
	p("state in Redis", "%s: total %d, sent %d, blocked %d, failed %d, uncertain %d%s", orNone(bst.Status), bst.Total, bst.Sent, bst.Blocked, bst.Failed, bst.Uncertain, errSuffix(bcErr))

	fmt.Println("telegram (the fake):")
	p("flood violations (429 by a limit)", "%d (30/s overall: %d, 1/s per chat: %d)", stats.LimitViolations, stats.GlobalLimitViolations, stats.LimitViolations-stats.GlobalLimitViolations)
	p("sent into a retry_after", "%d", stats.SentIntoRetryAfter)
	if !first429.IsZero() {
		var parts []string
		for _, sec := range slices.Sorted(maps.Keys(by10s)) {
			parts = append(parts, fmt.Sprintf("+%ds: %d", sec, by10s[sec]))
		}
		p("429 answers", "%d, from +%.1fs to +%.1fs (per 10 s: %s)", stats.Errors[429], first429.Sub(h.c.t0).Seconds(), last429.Sub(h.c.t0).Seconds(), strings.Join(parts, ", "))
	}
	p("max send attempts in one second", "%d (limit 30)", stats.MaxGlobalPerSecond)
	p("calls / sends ok / errors", "%d / %d / %s", stats.Calls, stats.Sent, fmtErrors(stats.Errors))
	p("webhook deliveries / failed posts", "%d / %d", stats.WebhookDeliveries, stats.WebhookErrors)
	p("nginx requests / passed on", "%d / %d to another replica (final status %s)", ng.requests, ng.retried, fmtStatus(ng.status))

	fmt.Println("replicas:")
	for _, rep := range h.replicas {
		state := "running"
		if rep.p.exited() {
			state = "stopped"
		}
		handled := rep.metric("sinergi_updates_handled_total", "")
		sent := rep.metric("sinergi_messages_sent_total", "")
		counters := "metrics unavailable"
		if handled >= 0 {
			counters = fmt.Sprintf("updates handled %.0f, messages sent %.0f (since its last start)", handled, sent)
		}
		p(fmt.Sprintf("sinergi-%d", rep.n), "%s, started %d×, %d error lines in its log; %s", state, rep.starts, countErrors(rep.log), counters)
	}

	fmt.Println("throughput:")
	if d := lastAnswer1.Sub(r.wave1Start); answered1 > 0 && d > 0 {
		p("registration (wave 1)", "%d registrations in %.1fs = %.1f/s; %d updates = %.1f updates/s", answered1, d.Seconds(), float64(answered1)/d.Seconds(), updates1, float64(updates1)/d.Seconds())
	}
	if d := last.Sub(first); copies > 1 && d > 0 {
		during := 0 // every message the bot sent meanwhile: replies go first
		for _, c := range allCalls {
			if c.ErrorCode == 0 && isSend(c.Method) && !c.At.Before(first) && !c.At.After(last) {
				during++
			}
		}
		p("broadcast", "%d copies in %.1fs = %.1f msgs/s (all bot sends meanwhile: %.1f/s)", copies, d.Seconds(), float64(copies-1)/d.Seconds(), float64(during-1)/d.Seconds())
	}
	if d := time.Since(r.wave1Start); d > 0 {
		p("all bot sends", "%d in %.1fs = %.1f/s", stats.Sent, d.Seconds(), float64(stats.Sent)/d.Seconds())
	}

	checks := []check{
		{"zero lost registrations", lost, fmt.Sprintf("%d lost", lost)},
		{"every user reached the register button", stuckBefore, fmt.Sprintf("%d stuck before it", stuckBefore)},
		{"zero overbooking", overbooked, fmt.Sprintf("%d confirmed for %d seats", counts.Confirmed, o.capacity)},
		{"no seat idle while people wait", idleSeats, fmt.Sprintf("%d seats free, %d waiting", max(0, o.capacity-counts.Confirmed), counts.Waiting)},
		{"answers agree with Redis", mismatch, fmt.Sprintf("%d disagree", mismatch)},
		{"one answer per registration", dupAnswers, fmt.Sprintf("%d users answered more than once", dupAnswers)},
		{"zero duplicate broadcast deliveries", dups, fmt.Sprintf("%d duplicated", dups)},
		{"zero missing broadcast deliveries", missing + unexpected, fmt.Sprintf("%d missing, %d unexpected", missing, unexpected)},
		{"broadcast finished", btoi(!r.bcDone || bst.Status != flows.BcDone), "status " + orNone(bst.Status)},
		{"zero flood violations", stats.LimitViolations + stats.SentIntoRetryAfter, fmt.Sprintf("%d over a limit, %d into a retry_after", stats.LimitViolations, stats.SentIntoRetryAfter)},
	}
	if o.faults {
		checks = append(checks, check{"faults injected", btoi(!r.killed || !h.redisRestarted()), "redis restart and replica SIGKILL"})
	}
	fmt.Println("checks:")
	failed := 0
	for _, c := range checks {
		mark := "ok  "
		if c.bad > 0 {
			mark = "FAIL"
			failed++
		}
		fmt.Printf("  %s %-40s %s\n", mark, c.name, c.detail)
	}
	if len(exOrder) > 0 {
		fmt.Println("examples:")
		for _, k := range exOrder {
			for _, e := range examples[k] {
				fmt.Println("  -", e)
			}
		}
	}
	if failed == 0 {
		fmt.Println("RESULT: PASS")
	} else {
		fmt.Printf("RESULT: FAIL (%d of %d checks)\n", failed, len(checks))
	}
	return failed == 0
}

// isSend: a message-producing method (the ones Telegram's limits count).
func isSend(method string) bool {
	return strings.HasPrefix(method, "send") && method != "sendChatAction" ||
		method == "copyMessage" || method == "forwardMessage" || strings.HasPrefix(method, "editMessage")
}

func (h *harness) redisRestarted() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.timeline {
		if strings.HasSuffix(e.what, "cluster_state:ok") {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func errSuffix(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

func fmtErrors(m map[int]int) string {
	if len(m) == 0 {
		return "none"
	}
	var keys []int
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", m[k], k))
	}
	return strings.Join(parts, " ")
}

func fmtStatus(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func countErrors(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "level=ERROR")
}
