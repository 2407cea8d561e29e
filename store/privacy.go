package store

import (
	"context"
	"crypto/rand"
	_ "embed" // Lua script
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/store/keyslot"
)

// Personal-data rights (UU PDP 27/2022): ExportUser collects what is stored
// about a user, ForgetUser deletes it. What ForgetUser does, key by key:
//
//	{c:<uid>}:*               deleted (user, profile, session, dedupe marks, indexes …): the names in
//	                          ownNames, and the dedupe marks {c:<uid>}:upds lists (no SCAN)
//	users:all                 uid removed
//	members:sector:*, members:prov:*  uid removed (with the profile, in one MULTI on one server)
//	{w:<code>}:confirmed/waiting/regs/checkin/feedback
//	                          a workshop ahead that uid did not check in to: uid's place goes as on a
//	                          cancellation — a confirmed seat passes to the head of the waiting list
//	                          (returned, to be told), a waiting place is gone (privacy_forget.lua).
//	                          A workshop begun, or one uid checked in to: uid is replaced by one
//	                          "anon:<random>" member: the counts stay; the registration keeps no answer,
//	                          token, language or time, the feedback keeps its rating and time but not
//	                          the comment
//	checkin:<token>           deleted
//	{w:<code>}:cert:<uid>, cert:<vcode>
//	                          uid's certificates of attendance and their lookups deleted: the
//	                          verification link then answers "not found"
//	{w:<code>}:excused        uid removed
//	{w:<code>}:ws             created_by zeroed
//	{w:<code>}:team, :meta    uid off the team; an owner's team passes to the member who joined first, a team
//	                          left empty has no owner (team_remove.lua)
//	{w:<code>}:tinv:<token>   team invitations uid created deleted (listed in invites:by:<uid>)
//	{w:<code>}:commits        owner, by and history "by" equal to uid become 0, the notes uid wrote
//	                          are removed; what, indicator, partners, due and statuses stay for the statistics
//	{jobs}:due, {jobs}:lease  uid's reminder jobs and the follow-up jobs of their commitments removed
//	                          (found by {jobs}:of:<uid> and {jobs}:of:<commitment id>)
//	{pp}:prof:<uid> + indexes deleted (DeletePartner), uid removed from every {pp}:skip:*
//	{pp}:intro:<id>           uid's side (id, organisation, and the note when uid asked) blanked; a pending
//	                          introduction is closed (withdrawn or declined); {pp}:pair:* of uid deleted
//	{bc:<id>}:done            uid's outcome moved to an "anon:<random>" field; todo entries and claims removed
//	{bc:<id>}:b               a broadcast uid wrote (an admin's update, a team's message to its registrants):
//	                          stopped unless finished, then its author and source chat blanked (0)
//	invite:<token>            invitations uid created deleted
//	{ch}:joined:<id>, {ch}:of:<uid>
//	                          uid out of the chapters they joined (ch_forget.lua); {ch}:invite:<token>
//	                          chapter-admin invitations uid created deleted
//	audit:ref / audit:who     uid's pseudonym deleted (ForgetAuditRef): the trail names nobody
//
// Not covered: another chat's session that holds uid while a flow is in
// progress (it expires with its TTL) and updates of uid still waiting in
// poll:inbox.

//go:embed privacy_forget.lua
var forgetLua string

var forgetScript = redis.NewScript(promoteLua + "\n" + forgetLua)

// anonMember is a fresh anonymous stand-in for a forgotten user.
func anonMember() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return flows.AnonPrefix + hex.EncodeToString(b)
}

// scanKeys lists the keys matching pattern (on Cluster, of every master).
func (s *Store) scanKeys(ctx context.Context, pattern string) ([]string, error) {
	var out []string
	scan := func(ctx context.Context, c redis.Cmdable) ([]string, error) {
		var keys []string
		var cursor uint64
		for {
			ks, next, err := c.Scan(ctx, cursor, pattern, 10_000).Result()
			if err != nil {
				return nil, err
			}
			keys = append(keys, ks...)
			if cursor = next; cursor == 0 {
				return keys, nil
			}
		}
	}
	// On Cluster, SCAN answers for the node it is sent to: every master is
	// scanned (concurrently, by ForEachMaster).
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex
		err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			ks, err := scan(ctx, c)
			mu.Lock()
			out = append(out, ks...)
			mu.Unlock()
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", pattern, err)
		}
		return out, nil
	}
	keys, err := scan(ctx, s.rdb)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", pattern, err)
	}
	return keys, nil
}

// ExportUser implements flows.Privacy.
func (s *Store) ExportUser(ctx context.Context, uid int64) (*flows.UserData, error) {
	fail := func(err error) (*flows.UserData, error) { return nil, fmt.Errorf("export user %d: %w", uid, err) }
	d := &flows.UserData{UserID: uid}
	var err error
	if d.User, err = s.GetUser(ctx, uid); errors.Is(err, flows.ErrNotFound) {
		d.User = nil
	} else if err != nil {
		return fail(err)
	}
	if d.Profile, err = s.GetProfile(ctx, uid); errors.Is(err, flows.ErrNotFound) {
		d.Profile = nil
	} else if err != nil {
		return fail(err)
	}
	titles := map[string]string{}
	title := func(code string) string {
		t, ok := titles[code]
		if !ok {
			if w, err := s.GetWorkshop(ctx, code); err == nil {
				t = w.Title
			}
			titles[code] = t
		}
		return t
	}
	regs, err := s.UserRegistrations(ctx, uid)
	if err != nil {
		return fail(err)
	}
	for _, r := range regs {
		d.Registrations = append(d.Registrations, flows.RegistrationData{Workshop: r.Workshop, Title: title(r.Workshop),
			Status: r.Status, Position: r.Position, RegisteredAt: r.RegisteredAt, CheckedInAt: r.CheckedInAt, Answer: r.Answer, Answers: r.Answers})
	}
	if d.Certificates, err = s.userCertificates(ctx, regs, uid); err != nil {
		return fail(err)
	}
	codes, err := s.rdb.ZRange(ctx, s.allWsKey(), 0, -1).Result()
	if err != nil {
		return fail(err)
	}
	id := strconv.FormatInt(uid, 10)
	fbs := make([]*redis.StringCmd, len(codes))
	satts := make([]*redis.StringCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range codes {
			fbs[i] = p.HGet(ctx, s.wsKey(c, "feedback"), id)
			satts[i] = p.HGet(ctx, s.wsKey(c, "satt"), id)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return fail(err)
	}
	if d.Surveys, err = s.userSurveys(ctx, codes, uid, title); err != nil {
		return fail(err)
	}
	// Their per-session attendance (session_attendance.go), by workshop
	// and session.
	for i, c := range satts {
		var marks map[string]int64
		if b, err := c.Bytes(); err == nil && json.Unmarshal(b, &marks) == nil {
			for _, sid := range slices.Sorted(maps.Keys(marks)) {
				d.Sessions = append(d.Sessions, flows.SessionMarkData{Workshop: codes[i], Session: sid, At: time.UnixMilli(marks[sid]).UTC()})
			}
		}
	}
	slices.SortStableFunc(d.Sessions, func(a, b flows.SessionMarkData) int { return strings.Compare(a.Workshop, b.Workshop) })
	for i, c := range fbs {
		var f flows.Feedback
		if b, err := c.Bytes(); err == nil && json.Unmarshal(b, &f) == nil {
			d.Feedback = append(d.Feedback, flows.FeedbackData{Workshop: codes[i], Title: title(codes[i]),
				Rating: f.Rating, Comment: f.Comment, At: f.At})
		}
	}
	if d.Partner, err = s.GetPartner(ctx, uid); errors.Is(err, flows.ErrNotFound) {
		d.Partner = nil
	} else if err != nil {
		return fail(err)
	}
	sent, recv, err := s.UserIntros(ctx, uid, 0)
	if err != nil {
		return fail(err)
	}
	for i, list := range [][]*flows.Introduction{sent, recv} {
		for _, in := range list {
			d.Introductions = append(d.Introductions, flows.IntroData{ID: in.ID, Sent: i == 0, FromOrg: in.FromOrg,
				ToOrg: in.ToOrg, Note: in.Note, Status: in.Status, Created: in.Created, Decided: in.Decided})
		}
	}
	if d.Commitments, err = s.UserCommitments(ctx, uid); err != nil {
		return fail(err)
	}
	bcs, err := s.rdb.ZRevRange(ctx, s.bcAllKey(), 0, -1).Result()
	if err != nil {
		return fail(err)
	}
	outs := make([]*redis.StringCmd, len(bcs))
	recs := make([]*redis.StringCmd, len(bcs))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, b := range bcs {
			outs[i] = p.HGet(ctx, s.bcKey(b, "done"), id)
			recs[i] = p.Get(ctx, s.bcKey(b, "b"))
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return fail(err)
	}
	for i, c := range outs {
		if v, err := c.Result(); err == nil {
			d.Broadcasts = append(d.Broadcasts, flows.BroadcastData{ID: bcs[i], Outcome: v})
		}
		var b flows.Broadcast
		if raw, err := recs[i].Bytes(); err == nil && json.Unmarshal(raw, &b) == nil && b.By == uid {
			if seg, err := flows.ParseSegment(b.Segment); err == nil && seg.Kind == flows.SegRegistrants {
				d.Messages = append(d.Messages, flows.MessageData{ID: b.ID, Segment: b.Segment, MessageID: b.MessageID, Created: b.Created})
			}
		}
	}
	ws, err := s.Facilitated(ctx, uid)
	if err != nil {
		return fail(err)
	}
	for _, w := range ws {
		d.Teams = append(d.Teams, flows.TeamData{Workshop: w.Code, Title: w.Title, Owner: flows.TeamOwner(w) == uid})
	}
	slices.SortFunc(d.Teams, func(a, b flows.TeamData) int { return strings.Compare(a.Workshop, b.Workshop) })
	if d.User != nil && d.User.Chapter != "" {
		d.Administers = &flows.ChapterData{ID: d.User.Chapter}
		if c, err := s.GetChapter(ctx, d.User.Chapter); err == nil {
			d.Administers.Name = c.Name
		} else if !errors.Is(err, flows.ErrNotFound) {
			return fail(err)
		}
	}
	if d.Chapters, err = s.JoinedChapters(ctx, uid); err != nil {
		return fail(err)
	}
	if len(d.Chapters) == 0 {
		d.Chapters = nil
	}
	return d, nil
}

// ForgetUser implements flows.Privacy; see the top of this file for what
// happens to each key. The user's own keys go last: the steps before read
// their indexes.
func (s *Store) ForgetUser(ctx context.Context, uid int64, now time.Time) ([]flows.Promotion, error) {
	if uid == 0 {
		return nil, errors.New("forget user 0")
	}
	// The user's own keys are deleted last, but listed now: their update
	// dedupe marks by the chat's index of them ({c:<uid>}:upds), which
	// the steps between do not write.
	own, err := s.ownKeys(ctx, uid)
	if err != nil {
		return nil, fmt.Errorf("forget user %d: %w", uid, err)
	}
	promoted, err := s.forgetWorkshops(ctx, uid, now)
	if err != nil {
		return promoted, fmt.Errorf("forget user %d: %w", uid, err)
	}
	steps := []func(context.Context, int64, time.Time) error{
		s.forgetPartner, s.forgetBroadcasts, s.forgetInvites, s.forgetLinks, s.forgetChapters, s.forgetSessions, s.forgetWorkshopInvites, s.forgetMeetings,
	}
	for _, step := range steps {
		if err := step(ctx, uid, now); err != nil {
			return promoted, fmt.Errorf("forget user %d: %w", uid, err)
		}
	}
	if err := s.ForgetAuditRef(ctx, uid); err != nil {
		return promoted, fmt.Errorf("forget user %d: %w", uid, err)
	}
	last := func(p redis.Pipeliner) error {
		for _, k := range own {
			p.Del(ctx, k)
		}
		p.SRem(ctx, s.usersKey(), uid)
		s.unindexMember(ctx, p, uid)
		s.unindexReceiver(ctx, p, uid)
		return nil
	}
	if s.cluster {
		_, err = s.rdb.Pipelined(ctx, last)
	} else {
		// The record and its entry in the index of receivers go together.
		_, err = s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), last)
	}
	if err != nil {
		return promoted, fmt.Errorf("forget user %d: %w", uid, err)
	}
	return promoted, nil
}

// ownNames are the names of a user's own keys {c:<uid>}:<name> (store/doc.go),
// but for the update dedupe marks, which {c:<uid>}:upds lists.
// TestForgetMeLeavesNoTrace (bot) checks that none is left.
var ownNames = []string{"user", "profile", "sess", "outbox", "outbox:begun", "kb", "lock",
	"facilitates", "registered", "commits", "named", "upds", "winvheld"}

// ownKeys lists uid's own keys: those of ownNames and the dedupe marks
// their chat's index lists (expired ones too: deleting them is a no-op).
func (s *Store) ownKeys(ctx context.Context, uid int64) ([]string, error) {
	marks, err := s.rdb.ZRange(ctx, s.updsKey(uid), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(ownNames)+len(marks))
	for _, n := range ownNames {
		keys = append(keys, s.chatKey(uid, n))
	}
	for _, m := range marks {
		if upd, err := strconv.ParseInt(m, 10, 64); err == nil {
			keys = append(keys, s.updKey(uid, upd))
		}
	}
	return keys, nil
}

// forgetWorkshops frees or anonymises uid's registrations, feedback,
// check-ins and commitments, takes uid off the teams they are on and
// removes their jobs. It returns who was confirmed in uid's place.
func (s *Store) forgetWorkshops(ctx context.Context, uid int64, now time.Time) ([]flows.Promotion, error) {
	id := strconv.FormatInt(uid, 10)
	var all, mine, fac, refs, named *redis.StringSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		all = p.ZRange(ctx, s.allWsKey(), 0, -1)
		mine = p.SMembers(ctx, s.registeredKey(uid))
		fac = p.SMembers(ctx, s.facilitatesKey(uid))
		refs = p.SMembers(ctx, s.userCommitsKey(uid))
		named = p.SMembers(ctx, s.namedCommitsKey(uid))
		return nil
	}); err != nil {
		return nil, err
	}
	codes := slices.Concat(all.Val(), mine.Val(), fac.Val())
	// The commitments naming uid: as owner (the owner's index) or as who
	// wrote one down or answered in its history (the named index).
	cids := map[string][]string{}
	for _, r := range slices.Concat(refs.Val(), named.Val()) {
		code, cid, _ := strings.Cut(r, ":")
		if !slices.Contains(cids[code], cid) {
			cids[code] = append(cids[code], cid)
		}
		codes = append(codes, code)
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	codes = slices.DeleteFunc(codes, func(c string) bool { return checkCode(c) != nil })

	// The workshops' JSON (start, facilitators), whether uid has a place
	// in each (registered, waiting, checked in or gave feedback: only
	// those run the forget script), and the commitments naming uid.
	wsCmds := make([]*redis.StringCmd, len(codes))
	cmCmds := make([]*redis.SliceCmd, len(codes))
	placed := make([][]redis.Cmder, len(codes))
	// Whether uid may be on each team (a team not yet migrated from the
	// workshop's JSON is asked the script) and has survey marks: only
	// those workshops run the team and survey scripts, not all of them.
	teamFlag := make([]*redis.StringCmd, len(codes))
	onTeam := make([]*redis.FloatCmd, len(codes))
	answered := make([]*redis.BoolCmd, len(codes))
	sent := make([]*redis.BoolSliceCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, code := range codes {
			teamFlag[i] = p.HGet(ctx, s.wsKey(code, "meta"), "team")
			onTeam[i] = p.ZScore(ctx, s.wsKey(code, "team"), id)
			answered[i] = p.SIsMember(ctx, s.wsKey(code, "svdone"), id)
			sent[i] = p.SMIsMember(ctx, s.wsKey(code, "svsent"), "i:"+id, "r:"+id)
			wsCmds[i] = p.Get(ctx, s.wsKey(code, "ws"))
			if ids := cids[code]; len(ids) > 0 {
				cmCmds[i] = p.HMGet(ctx, s.commitsKey(code), ids...)
			}
			placed[i] = []redis.Cmder{p.ZScore(ctx, s.wsKey(code, "confirmed"), id), p.ZScore(ctx, s.wsKey(code, "waiting"), id),
				p.HExists(ctx, s.wsKey(code, "regs"), id), p.HExists(ctx, s.wsKey(code, "checkin"), id),
				p.HExists(ctx, s.wsKey(code, "feedback"), id)}
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	has := func(i int) bool {
		for _, c := range placed[i] {
			switch c := c.(type) {
			case *redis.FloatCmd:
				if c.Err() == nil {
					return true
				}
			case *redis.BoolCmd:
				if c.Err() != nil || c.Val() {
					return true
				}
			}
		}
		return false
	}

	var tokens []string
	var promoted []flows.Promotion
	for i, code := range codes {
		if !has(i) {
			continue
		}
		// A workshop still ahead frees uid's place; a begun one (or one
		// whose record cannot be read) keeps it as an anonymous count.
		ahead := "0"
		var w flows.Workshop
		if raw, err := wsCmds[i].Bytes(); err == nil && json.Unmarshal(raw, &w) == nil && now.Before(w.Start) {
			ahead = "1"
		}
		// A hybrid workshop's online lists first (hybrid.go): the run that
		// finds uid there takes their registration, the on-site run then
		// finds nothing left of it.
		runs := []string{flows.ModeOnsite}
		if w.Hybrid() {
			runs = []string{flows.ModeOnline, flows.ModeOnsite}
		}
		for _, mode := range runs {
			keys := []string{s.modeKey(code, mode, "confirmed"), s.modeKey(code, mode, "waiting"), s.wsKey(code, "regs"),
				s.wsKey(code, "checkin"), s.wsKey(code, "feedback"), s.modeKey(code, mode, "meta"), s.wsKey(code, "seq"),
				s.modeKey(code, mode, "offers"), s.modeKey(code, mode, "pending")}
			res, err := forgetScript.Run(ctx, s.rdb, keys, id, anonMember(), ahead, now.UnixMilli()).StringSlice()
			if err != nil {
				return promoted, fmt.Errorf("workshop %s: %w", code, err)
			}
			if len(res) != 2 {
				return promoted, fmt.Errorf("workshop %s: forget script returned %q", code, res)
			}
			if res[0] != "" {
				tokens = append(tokens, res[0])
			}
			if res[1] == "" {
				continue
			}
			ids, err := parseIDs(res[1:])
			if err != nil {
				return promoted, fmt.Errorf("workshop %s: %w", code, err)
			}
			for _, p := range ids {
				promoted = append(promoted, flows.Promotion{Workshop: code, UserID: p})
			}
		}
	}

	// uid's certificates and excused absences go (certificates.go).
	if err := s.forgetAttendance(ctx, codes, uid); err != nil {
		return promoted, err
	}
	// uid's shared survey answers and survey marks go (surveys.go): where
	// uid answered or was sent one (an answer naming uid is one uid gave).
	var surveyed, teams []string
	for i, code := range codes {
		if answered[i].Err() != nil || answered[i].Val() || sent[i].Err() != nil || slices.Contains(sent[i].Val(), true) {
			surveyed = append(surveyed, code)
		}
		if onTeam[i].Err() == nil || teamFlag[i].Val() != "1" {
			teams = append(teams, code)
		}
	}
	if err := s.forgetSurveys(ctx, surveyed, uid); err != nil {
		return promoted, err
	}

	// uid leaves the teams they were on; an owner's team passes to the
	// member who joined first (teams.go).
	for _, code := range teams {
		if _, err := s.removeFromTeam(ctx, code, uid, "forget"); err != nil && !errors.Is(err, flows.ErrNotOnTeam) {
			return promoted, fmt.Errorf("workshop %s: team: %w", code, err)
		}
	}

	owned := map[string]bool{} // "<code>|<commitment id>" of uid's commitments: their jobs go
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, tok := range tokens {
			p.Del(ctx, s.checkinKey(tok))
		}
		for i, code := range codes {
			if raw, err := wsCmds[i].Bytes(); err == nil {
				var w flows.Workshop
				if json.Unmarshal(raw, &w) == nil && w.CreatedBy == uid {
					w.CreatedBy = 0
					if b, err := workshopJSON(&w); err == nil {
						p.Set(ctx, s.wsKey(code, "ws"), b, 0)
					}
				}
			}
			if cmCmds[i] == nil {
				continue
			}
			for j, v := range cmCmds[i].Val() {
				cid := cids[code][j]
				raw, _ := v.(string)
				var c flows.Commitment
				if raw == "" || json.Unmarshal([]byte(raw), &c) != nil || !forgetCommitment(&c, uid) {
					continue
				}
				if c.Owner == 0 {
					owned[code+"|"+cid] = true
				}
				if b, err := json.Marshal(&c); err == nil {
					// With its tallies (cm_write.lua), though what they count is unchanged.
					cmWriteScript.Eval(ctx, p, s.cmKeys(code), s.cmSaveArgs(&c, b, zoneOf(wsCmds[i]))...)
				}
			}
		}
		return nil
	})
	if err != nil {
		return promoted, err
	}
	return promoted, s.forgetJobs(ctx, id, owned)
}

// forgetCommitment blanks uid in c; it reports whether c named uid.
func forgetCommitment(c *flows.Commitment, uid int64) bool {
	named := false
	if c.Owner == uid {
		c.Owner, named = 0, true
	}
	if c.By == uid {
		c.By, named = 0, true
	}
	for i := range c.History {
		if h := &c.History[i]; h.By == uid {
			// The status change counts; the note is free text that could name them.
			h.By, h.Note, named = 0, "", true
		}
	}
	return named
}

// forgetJobs removes the reminder jobs "<kind>|<code>|<uid>" and the
// follow-up jobs "<kind>|<code>|<commitment id>" of owned commitments from
// the due and lease sets, found by the jobs' index ({jobs}:of:<tail>).
func (s *Store) forgetJobs(ctx context.Context, id string, owned map[string]bool) error {
	tails := []string{id}
	for k := range owned {
		_, cid, _ := strings.Cut(k, "|")
		if !slices.Contains(tails, cid) {
			tails = append(tails, cid)
		}
	}
	cmds := make([]*redis.StringSliceCmd, len(tails))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tails {
			cmds[i] = p.SMembers(ctx, s.jobsOfKey(t))
		}
		return nil
	}); err != nil {
		return err
	}
	var drop []string
	for _, c := range cmds {
		for _, job := range c.Val() {
			parts := strings.SplitN(job, "|", 3)
			if len(parts) == 3 && (parts[2] == id || owned[parts[1]+"|"+parts[2]]) {
				drop = append(drop, job)
			}
		}
	}
	if len(drop) == 0 {
		return nil
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		m := make([]any, len(drop))
		for i, j := range drop {
			m[i] = j
		}
		p.ZRem(ctx, s.dueKey(), m...)
		p.ZRem(ctx, s.leaseKey(), m...)
		s.unindexJobs(ctx, p, drop...)
		return nil
	})
	return err
}

// forgetPartner deletes uid's organisation profile and "not interested"
// marks (theirs and others' of them) and blanks their side of every
// introduction.
func (s *Store) forgetPartner(ctx context.Context, uid int64, now time.Time) error {
	if err := s.DeletePartner(ctx, uid); err != nil && !errors.Is(err, flows.ErrNotFound) {
		return err
	}
	// Who marked uid "not interested" ({pp}:skippedby:<uid>, kept with
	// each mark),
	// and whom uid marked, if marks outlived the profile.
	by, err := s.rdb.SMembers(ctx, s.ppUserKey("skippedby", uid)).Result()
	if err != nil {
		return err
	}
	marked, err := s.rdb.SMembers(ctx, s.ppUserKey("skip", uid)).Result()
	if err != nil {
		return err
	}
	var sent, recv *redis.StringSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, other := range by {
			if o, err := strconv.ParseInt(other, 10, 64); err == nil {
				p.SRem(ctx, s.ppUserKey("skip", o), uid)
			}
		}
		for _, other := range marked {
			if o, err := strconv.ParseInt(other, 10, 64); err == nil {
				p.SRem(ctx, s.ppUserKey("skippedby", o), uid)
			}
		}
		p.Del(ctx, s.ppUserKey("skippedby", uid), s.ppUserKey("skip", uid))
		sent = p.ZRange(ctx, s.ppUserKey("sent", uid), 0, -1)
		recv = p.ZRange(ctx, s.ppUserKey("recv", uid), 0, -1)
		return nil
	}); err != nil {
		return err
	}
	id := strconv.FormatInt(uid, 10)
	for side, ids := range map[string][]string{"from": sent.Val(), "to": recv.Val()} {
		for _, iid := range ids {
			h, err := s.rdb.HGetAll(ctx, s.ppIntroKey(iid)).Result()
			if err != nil {
				return err
			}
			if h[side] != id {
				continue
			}
			fields := []any{side, "0", side + "_org", ""}
			if side == "from" {
				fields = append(fields, "note", "") // their words
			}
			if h["status"] == string(flows.IntroPending) {
				st := flows.IntroDeclined
				if side == "from" {
					st = flows.IntroWithdrawn
				}
				fields = append(fields, "status", string(st), "decided", now.UnixMilli())
			}
			from, _ := strconv.ParseInt(h["from"], 10, 64)
			to, _ := strconv.ParseInt(h["to"], 10, 64)
			if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, s.ppIntroKey(iid), fields...)
				p.SRem(ctx, s.ppUserKey("pending", from), iid)
				p.Del(ctx, s.ppPairKey(from, to))
				return nil
			}); err != nil {
				return err
			}
		}
	}
	return s.rdb.Del(ctx, s.ppUserKey("sent", uid), s.ppUserKey("recv", uid), s.ppUserKey("pending", uid),
		s.ppUserKey("skip", uid)).Err()
}

// forgetBroadcasts moves uid's outcomes to anonymous fields and takes them
// off the broadcasts still to be sent: the todo list and any replica's
// claim (a claim not begun is then lost to its replica and not sent; a send
// already begun is counted without naming them, see bc_done.lua).
func (s *Store) forgetBroadcasts(ctx context.Context, uid int64, _ time.Time) error {
	ids, err := s.rdb.ZRange(ctx, s.bcAllKey(), 0, -1).Result()
	if err != nil {
		return err
	}
	id := strconv.FormatInt(uid, 10)
	outs := make([]*redis.StringCmd, len(ids))
	todo := make([]*redis.StringSliceCmd, len(ids))
	claims := make([]*redis.StringSliceCmd, len(ids))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, b := range ids {
			outs[i] = p.HGet(ctx, s.bcKey(b, "done"), id)
			todo[i] = p.LRange(ctx, s.bcKey(b, "todo"), 0, -1)
			claims[i] = p.ZRange(ctx, s.bcKey(b, "claims"), 0, -1)
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	for i, b := range ids {
		_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if v, err := outs[i].Result(); err == nil {
				p.HDel(ctx, s.bcKey(b, "done"), id)
				p.HSet(ctx, s.bcKey(b, "done"), anonMember(), v)
			}
			for _, it := range todo[i].Val() {
				if strings.HasPrefix(it, id+":") {
					p.LRem(ctx, s.bcKey(b, "todo"), 0, it)
				}
			}
			for _, it := range claims[i].Val() {
				if strings.HasPrefix(it, id+":") {
					p.ZRem(ctx, s.bcKey(b, "claims"), it)
					p.HDel(ctx, s.bcKey(b, "owner"), it)
					p.HDel(ctx, s.bcKey(b, "sending"), it)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("broadcast %s: %w", b, err)
		}
	}
	return s.forgetAuthored(ctx, uid, ids)
}

// forgetAuthored takes uid off the broadcasts they wrote (an admin's update,
// or a workshop team's message to its registrants): one not finished is
// stopped first — its message is in uid's chat — then the author and their
// chat are blanked; the numbers stay.
func (s *Store) forgetAuthored(ctx context.Context, uid int64, ids []string) error {
	raws := make([]*redis.StringCmd, len(ids))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, b := range ids {
			raws[i] = p.Get(ctx, s.bcKey(b, "b"))
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	for i, id := range ids {
		var b flows.Broadcast
		if raw, err := raws[i].Bytes(); err != nil || json.Unmarshal(raw, &b) != nil || (b.By != uid && b.FromChat != uid) {
			continue
		}
		if err := s.CancelBroadcast(ctx, id); err != nil && !errors.Is(err, flows.ErrNotCancellable) && !errors.Is(err, flows.ErrNotFound) {
			return fmt.Errorf("broadcast %s: %w", id, err)
		}
		b.By, b.FromChat = 0, 0
		raw, err := json.Marshal(&b)
		if err != nil {
			return fmt.Errorf("broadcast %s: %w", id, err)
		}
		if err := s.rdb.Set(ctx, s.bcKey(id, "b"), raw, 0).Err(); err != nil {
			return fmt.Errorf("broadcast %s: %w", id, err)
		}
	}
	return nil
}

// forgetInvites deletes the invitations uid created: invite:<token>, team
// invitations ({w:<code>}:tinv:<token>) and chapter-admin invitations
// ({ch}:invite:<token>), all listed in invites:by:<uid>.
func (s *Store) forgetInvites(ctx context.Context, uid int64, _ time.Time) error {
	refs, err := s.rdb.SMembers(ctx, s.invitesByKey(uid)).Result()
	if err != nil {
		return err
	}
	const plain, team, chapter = 0, 1, 2
	keys := make([]string, len(refs))
	kind := make([]int, len(refs))
	for i, r := range refs {
		if code, token, ok := strings.Cut(strings.TrimPrefix(r, "w:"), ":"); ok && strings.HasPrefix(r, "w:") && checkCode(code) == nil {
			keys[i], kind[i] = s.teamInviteKey(code, token), team
		} else if token, ok := strings.CutPrefix(r, "ch:"); ok {
			keys[i], kind[i] = s.chInviteKey(token), chapter
		} else {
			keys[i] = s.inviteKey(r)
		}
	}
	cmds := make([]*redis.StringCmd, len(keys))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			if kind[i] == team {
				cmds[i] = p.HGet(ctx, k, "by")
			} else {
				cmds[i] = p.Get(ctx, k)
			}
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	id := strconv.FormatInt(uid, 10)
	var drop []string
	for i, c := range cmds {
		switch kind[i] {
		case team:
			if c.Val() == id {
				drop = append(drop, keys[i])
			}
		case chapter:
			var inv flows.ChapterInvite
			if b, err := c.Bytes(); err == nil && json.Unmarshal(b, &inv) == nil && inv.By == uid {
				drop = append(drop, keys[i])
			}
		default:
			var inv flows.Invite
			if b, err := c.Bytes(); err == nil && json.Unmarshal(b, &inv) == nil && inv.By == uid {
				drop = append(drop, keys[i])
			}
		}
	}
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range drop {
			p.Del(ctx, k)
		}
		p.Del(ctx, s.invitesByKey(uid))
		return nil
	})
	return err
}

// MigrateForgetIndexes builds, for a database of a build before them, the
// indexes ForgetUser reads instead of scanning every key: who marked whom
// "not interested" ({pp}:skippedby:<uid>, from the {pp}:skip:* sets) and
// who created which invitation (invites:by:<uid>, from invite:*). Once,
// marked by forget:indexed; idempotent, safe from several replicas at
// once. It returns how many marks and invitations it indexed.
func (s *Store) MigrateForgetIndexes(ctx context.Context) (int, error) {
	done, err := s.rdb.Exists(ctx, s.p+"forget:indexed").Result()
	if err != nil || done == 1 {
		return 0, err
	}
	n := 0
	skips, err := s.scanKeys(ctx, s.ppKey("skip:*"))
	if err != nil {
		return 0, fmt.Errorf("migrate forget indexes: %w", err)
	}
	for _, k := range skips {
		uid, err := strconv.ParseInt(strings.TrimPrefix(k, s.ppKey("skip:")), 10, 64)
		if err != nil {
			continue
		}
		others, err := s.rdb.SMembers(ctx, k).Result()
		if err != nil {
			return n, fmt.Errorf("migrate forget indexes: %w", err)
		}
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, o := range others {
				if other, err := strconv.ParseInt(o, 10, 64); err == nil {
					p.SAdd(ctx, s.ppUserKey("skippedby", other), uid)
					n++
				}
			}
			return nil
		}); err != nil {
			return n, fmt.Errorf("migrate forget indexes: %w", err)
		}
	}
	invites, err := s.scanKeys(ctx, s.inviteKey("*"))
	if err != nil {
		return n, fmt.Errorf("migrate forget indexes: %w", err)
	}
	for _, k := range invites {
		var inv flows.Invite
		b, err := s.rdb.Get(ctx, k).Bytes()
		if errors.Is(err, redis.Nil) || (err == nil && json.Unmarshal(b, &inv) != nil) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("migrate forget indexes: %w", err)
		}
		ttl, err := s.rdb.PTTL(ctx, k).Result()
		if err != nil {
			return n, fmt.Errorf("migrate forget indexes: %w", err)
		}
		if ttl < 0 {
			ttl = 0
		}
		if err := s.indexInvite(ctx, inv.By, strings.TrimPrefix(k, s.inviteKey("")), ttl); err != nil {
			return n, fmt.Errorf("migrate forget indexes: %w", err)
		}
		n++
	}
	if err := s.rdb.Set(ctx, s.p+"forget:indexed", "1", 0).Err(); err != nil {
		return n, fmt.Errorf("migrate forget indexes: %w", err)
	}
	return n, nil
}

// MigrateForgetScans builds, for a database of a build before them, the
// indexes that spare ForgetUser its last scans: each chat's dedupe marks
// ({c:<chat>}:upds, from the {c:*}:upd:* keys with their expiry), the
// team invitations by author (w:<code>:<token> entries of invites:by:<uid>,
// from {w:*}:tinv:*) and the jobs by tail ({jobs}:of:<tail>, from the due
// and lease sets). Once, marked by forget:unscanned; idempotent, safe from
// several replicas at once; chapter-admin invitations (ch:<token> entries,
// from {ch}:invite:*) too. It returns how many entries it indexed. A mark
// or an invitation an older replica writes after it ran is not indexed:
// a mark expires within 25 hours, an invitation with its lifetime.
func (s *Store) MigrateForgetScans(ctx context.Context) (int, error) {
	done, err := s.rdb.Exists(ctx, s.p+"forget:unscanned").Result()
	if err != nil || done == 1 {
		return 0, err
	}
	fail := func(n int, err error) (int, error) { return n, fmt.Errorf("migrate forget scans: %w", err) }
	n := 0
	marks, err := s.scanKeys(ctx, s.p+"{c:*}:upd:*")
	if err != nil {
		return fail(n, err)
	}
	ttls := make([]*redis.DurationCmd, len(marks))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range marks {
			ttls[i] = p.PTTL(ctx, k)
		}
		return nil
	}); err != nil {
		return fail(n, err)
	}
	now := time.Now()
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range marks {
			chat, upd, ok := parseMarkKey(strings.TrimPrefix(k, s.p))
			ttl := ttls[i].Val()
			if !ok || ttl <= 0 {
				continue // malformed, gone or without expiry
			}
			p.ZAdd(ctx, s.updsKey(chat), redis.Z{Score: float64(now.Add(ttl).UnixMilli()), Member: upd})
			p.PExpire(ctx, s.updsKey(chat), dedupeTTL)
			n++
		}
		return nil
	}); err != nil {
		return fail(n, err)
	}
	tinvs, err := s.scanKeys(ctx, s.wsKey("*", "tinv:*"))
	if err != nil {
		return fail(n, err)
	}
	for _, k := range tinvs {
		code, token, ok := strings.Cut(strings.TrimPrefix(k, s.p+"{w:"), "}:tinv:")
		if !ok {
			continue
		}
		by, err := s.rdb.HGet(ctx, k, "by").Result()
		if errors.Is(err, redis.Nil) {
			continue // used or expired meanwhile
		}
		if err != nil {
			return fail(n, err)
		}
		uid, err := strconv.ParseInt(by, 10, 64)
		if err != nil {
			continue
		}
		ttl, err := s.rdb.PTTL(ctx, k).Result()
		if err != nil {
			return fail(n, err)
		}
		if err := s.indexInvite(ctx, uid, teamInviteRef(code, token), max(ttl, time.Millisecond)); err != nil {
			return fail(n, err)
		}
		n++
	}
	chinvs, err := s.scanKeys(ctx, s.chInviteKey("*"))
	if err != nil {
		return fail(n, err)
	}
	for _, k := range chinvs {
		b, err := s.rdb.Get(ctx, k).Bytes()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return fail(n, err)
		}
		var inv flows.ChapterInvite
		if json.Unmarshal(b, &inv) != nil {
			continue
		}
		ttl, err := s.rdb.PTTL(ctx, k).Result()
		if err != nil {
			return fail(n, err)
		}
		if ttl < 0 {
			ttl = 0 // no expiry: the index keeps none either
		}
		if err := s.indexInvite(ctx, inv.By, chapterInviteRef(strings.TrimPrefix(k, s.chInviteKey(""))), ttl); err != nil {
			return fail(n, err)
		}
		n++
	}
	for _, key := range []string{s.dueKey(), s.leaseKey()} {
		jobs, err := s.rdb.ZRange(ctx, key, 0, -1).Result()
		if err != nil {
			return fail(n, err)
		}
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			s.indexJobs(ctx, p, jobs...)
			return nil
		}); err != nil {
			return fail(n, err)
		}
		n += len(jobs)
	}
	if err := s.rdb.Set(ctx, s.p+"forget:unscanned", "1", 0).Err(); err != nil {
		return fail(n, err)
	}
	return n, nil
}

// parseMarkKey reads "{c:<chat>}:upd:<id>" (without the prefix).
func parseMarkKey(k string) (chat, upd int64, ok bool) {
	rest, found := strings.CutPrefix(k, "{c:")
	if !found {
		return 0, 0, false
	}
	c, u, found := strings.Cut(rest, "}:upd:")
	if !found {
		return 0, 0, false
	}
	chat, err1 := strconv.ParseInt(c, 10, 64)
	upd, err2 := strconv.ParseInt(u, 10, 64)
	return chat, upd, err1 == nil && err2 == nil
}
