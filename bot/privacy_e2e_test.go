package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/bot/telegramtest"
	"sinergi/flows"
	"sinergi/flows/transport"
)

// TestForgetMeLeavesNoTrace: a user with every kind of data (profile and
// consent, a confirmed and checked-in registration in a workshop with a
// waiting list, feedback, a survey answer shared with the team, an organisation profile with an accepted
// introduction, a commitment with history, a broadcast outcome, an invite,
// an audit entry, a shared phone number) asks /forgetme through the real bot.
// Then every key of the test prefix is read, whatever its type, and neither
// the user's id, name, username nor phone may appear in a key name or
// value; the workshop's counts and the other users' data are unchanged.
func TestForgetMeLeavesNoTrace(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e.clock.Set(now)
	e.start()
	ctx := context.Background()
	st := e.store
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const sitiID, bagusID, dewiID = 987654321, 555000111, 555000222
	const phone = "+6281299887766"
	siti := telegramtest.User{ID: sitiID, FirstName: "Siti Rahmawati", Username: "siti_rahma", LanguageCode: "en"}
	bagus := telegramtest.User{ID: bagusID, FirstName: "Bagus", Username: "bagus_w", LanguageCode: "en"}
	for _, u := range []telegramtest.User{siti, bagus} {
		e.fake.SendText(u, "/start")
		e.next(u.ID)
	}
	e.fake.SendContact(siti, phone)
	e.next(siti.ID)

	profile := func(u telegramtest.User, name, org string) {
		must(st.SaveProfile(ctx, &flows.Profile{UserID: u.ID, FullName: name, Organisation: org, Sector: "ngo",
			Province: "JB", ConsentAt: now, ConsentVersion: flows.ConsentVersion, Updated: now}))
		// What the profile flow's consent stores with the user record.
		must(st.SaveUser(ctx, &flows.User{ID: u.ID, Lang: "en", FirstName: u.FirstName, Username: u.Username,
			Consent: flows.ConsentVersion, Created: now, Seen: now}))
	}
	profile(siti, "Siti Rahmawati", "Yayasan Siti Rahmawati")
	profile(bagus, "Bagus Wibowo", "Perkumpulan Bagus")

	// A workshop of two seats: Siti and Bagus confirmed and checked in, Dewi waiting.
	w := &flows.Workshop{Code: "PDP27", Title: "Data Desa", Start: now.Add(48 * time.Hour), End: now.Add(50 * time.Hour),
		Zone: "Asia/Jakarta", Capacity: 2, Deadline: now.Add(47 * time.Hour), Question: "Why?",
		Facilitators: []int64{adminID}, CreatedBy: adminID, Created: now}
	must(st.CreateWorkshop(ctx, w))
	for _, r := range []*flows.Registration{
		{Workshop: w.Code, UserID: sitiID, RegisteredAt: now, Answer: "Saya Siti Rahmawati, siti_rahma", Answers: map[string]string{"qdiet": "Rahmawati: vegetarian"}, Token: "tok-siti-0123456789abcdef", Lang: "en"},
		{Workshop: w.Code, UserID: bagusID, RegisteredAt: now, Answer: "Bagus here", Token: "tok-bagus-0123456789abcdef", Lang: "en"},
		{Workshop: w.Code, UserID: dewiID, RegisteredAt: now, Token: "tok-dewi-0123456789abcdef", Lang: "id"},
	} {
		_, err := st.Register(ctx, r, now)
		must(err)
		jobs, _ := flows.ReminderJobs(w, r.UserID, now)
		must(st.Schedule(ctx, jobs...))
	}
	for _, uid := range []int64{sitiID, bagusID} {
		_, err := st.CheckIn(ctx, w.Code, uid, now)
		must(err)
	}
	must(st.SaveFeedback(ctx, w.Code, &flows.Feedback{UserID: sitiID, Rating: 5, Comment: "Terima kasih, Siti Rahmawati", At: now}))
	must(st.SaveFeedback(ctx, w.Code, &flows.Feedback{UserID: bagusID, Rating: 4, Comment: "Bagus sekali", At: now}))
	// Both have their certificate of attendance (its verification lookup is a key of its own).
	for _, c := range []*flows.Certificate{{Workshop: w.Code, UserID: sitiID, Name: "Siti Rahmawati", Org: "Yayasan Siti Rahmawati", Code: "certsiti0123456789abcd", Issued: now},
		{Workshop: w.Code, UserID: bagusID, Name: "Bagus", Org: "Perkumpulan Bagus", Code: "certbagus123456789abcd", Issued: now}} {
		_, err := st.IssueCertificate(ctx, c)
		must(err)
	}
	// Siti answered the survey and shared her name (her comment names her
	// too); Bagus answered anonymously. She was sent it and reminded.
	must(st.SubmitSurvey(ctx, w.Code, sitiID, &flows.SurveyAnswer{UserID: sitiID, Answers: []string{"5", "Siti Rahmawati: sangat bagus"}, At: now}))
	must(st.SubmitSurvey(ctx, w.Code, bagusID, &flows.SurveyAnswer{Answers: []string{"4", "Bagus sekali"}, At: now}))
	for _, kind := range []string{"i", "r"} {
		_, err := st.MarkSurveySent(ctx, w.Code, sitiID, kind)
		must(err)
	}
	must(st.Schedule(ctx, flows.Job{ID: flows.JobSurveyReminder + "|" + w.Code + "|987654321", Due: now.Add(time.Hour)}))
	// Parallel sessions of its agenda: Siti signed up for two (with their
	// reminders), Bagus for one of them.
	for _, ss := range []flows.AgendaSession{
		{ID: "sfgdair1", Title: "FGD Air", Start: w.Start, End: w.Start.Add(time.Hour), Capacity: 5},
		{ID: "sfgdtnh2", Title: "FGD Tanah", Start: w.Start.Add(time.Hour), End: w.End, Capacity: 5},
	} {
		_, err := st.SaveSession(ctx, w.Code, ss, flows.MaxSessions)
		must(err)
		must(st.SignUp(ctx, w.Code, ss.ID, sitiID))
		must(st.Schedule(ctx, flows.Job{ID: flows.SessionJobID(w.Code, ss.ID, sitiID), Due: ss.Start.Add(-flows.SessionReminderBefore)}))
	}
	must(st.SignUp(ctx, w.Code, "sfgdair1", bagusID))
	before, err := st.Counts(ctx, w.Code)
	must(err)

	// Organisation profiles, a "not interested" mark each way, an accepted introduction.
	partner := func(uid int64, org string) {
		must(st.SavePartner(ctx, &flows.PartnerProfile{UserID: uid, Org: org, Sector: "ngo", Themes: []string{"education"},
			Provinces: []string{"JB"}, Offers: []string{"funding"}, Needs: []string{"volunteers"},
			Description: "Dipimpin oleh " + org, Visible: true, Created: now, Updated: now}))
	}
	partner(sitiID, "Yayasan Siti Rahmawati")
	partner(bagusID, "Perkumpulan Bagus")
	partner(dewiID, "Komunitas Dewi")
	must(st.NotInterested(ctx, sitiID, dewiID))
	must(st.NotInterested(ctx, dewiID, sitiID))
	must(st.RequestIntro(ctx, &flows.Introduction{ID: "intro1", From: sitiID, To: bagusID, FromOrg: "Yayasan Siti Rahmawati",
		ToOrg: "Perkumpulan Bagus", Note: "Halo dari siti_rahma", Created: now}, time.Hour, 10))
	_, err = st.DecideIntro(ctx, "intro1", bagusID, flows.IntroAccepted, now)
	must(err)

	// Partner meetings at the workshop: one booked with Bagus, one Dewi
	// declined, with Siti's notes.
	_, err = st.SaveMeetingSetup(ctx, &flows.MeetingSetup{Workshop: w.Code, SlotMinutes: 30, MaxPerOrg: 3,
		Windows: []flows.MeetWindow{{Start: w.Start, End: w.End}}, Tables: []flows.MeetTable{{ID: 1, Name: "Meja 1"}}}, false, now)
	must(err)
	must(st.RequestMeeting(ctx, &flows.Meeting{ID: "meetsiti01", Workshop: w.Code, From: sitiID, To: bagusID, FromOrg: "Yayasan Siti Rahmawati",
		ToOrg: "Perkumpulan Bagus", Note: "Salam, Siti Rahmawati", Slots: []time.Time{w.Start}, Awaiting: bagusID, Status: flows.MeetPending, Created: now}))
	_, err = st.AcceptMeeting(ctx, w.Code, "meetsiti01", bagusID, w.Start, now)
	must(err)
	must(st.RequestMeeting(ctx, &flows.Meeting{ID: "meetsiti02", Workshop: w.Code, From: sitiID, To: dewiID, FromOrg: "Yayasan Siti Rahmawati",
		ToOrg: "Komunitas Dewi", Note: "siti_rahma", Slots: []time.Time{w.Start}, Awaiting: dewiID, Status: flows.MeetPending, Created: now}))
	_, err = st.CloseMeeting(ctx, w.Code, "meetsiti02", dewiID, flows.MeetDeclined, now)
	must(err)

	// Siti's commitment with history, and one she wrote for Bagus.
	cm := &flows.Commitment{ID: "c1", Workshop: w.Code, What: "Pelatihan air bersih", Owner: sitiID, By: sitiID,
		Due: now.AddDate(0, 1, 0), Status: flows.CmOnTrack, Created: now,
		History: []flows.StatusEntry{{At: now, Status: flows.CmOnTrack, Note: "Siti Rahmawati memulai", By: sitiID}}}
	must(st.SaveCommitment(ctx, cm))
	must(st.SaveCommitment(ctx, &flows.Commitment{ID: "c2", Workshop: w.Code, What: "Data baseline", Owner: bagusID, By: sitiID,
		Due: now.AddDate(0, 1, 0), Status: flows.CmProposed, Created: now}))
	must(st.Schedule(ctx, flows.Job{ID: "fud|" + w.Code + "|c1", Due: cm.Due}, flows.Job{ID: "fuc|" + w.Code + "|c1", Due: now.Add(time.Hour)}))

	// A broadcast Siti received, and one still to be sent to her.
	for _, id := range []string{"bc1", "bc2"} {
		must(st.CreateBroadcast(ctx, &flows.Broadcast{ID: id, By: adminID, FromChat: adminID, MessageID: 1, Segment: "all",
			Created: now, StartAt: now.Add(time.Hour)}))
	}
	if _, err := st.StartBroadcast(ctx, "bc1", []flows.Recipient{{UserID: sitiID, MessageID: 1}, {UserID: bagusID, MessageID: 1}}, now); err != nil {
		t.Fatal(err)
	}
	cs, err := st.ClaimRecipients(ctx, "bc1", "replica-1", 2, time.Hour)
	must(err)
	for _, c := range cs {
		must(st.BeginSend(ctx, "bc1", "replica-1", c, time.Hour))
		_, err := st.Delivered(ctx, "bc1", c, "sent")
		must(err)
	}
	rdb, p := e.redis.Client, e.redis.Prefix
	must(rdb.RPush(ctx, p+"{bc:bc2}:todo", "987654321:1", "555000111:1").Err())
	// … and one a replica has claimed for her (bc3), mid-send.
	must(st.CreateBroadcast(ctx, &flows.Broadcast{ID: "bc3", By: adminID, FromChat: adminID, MessageID: 1, Segment: "all",
		Created: now, StartAt: now}))
	if _, err := st.StartBroadcast(ctx, "bc3", []flows.Recipient{{UserID: sitiID, MessageID: 1}, {UserID: bagusID, MessageID: 1}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimRecipients(ctx, "bc3", "replica-1", 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	must(st.BeginSend(ctx, "bc3", "replica-1", transport.Claim{Recipient: flows.Recipient{UserID: sitiID, MessageID: 1}}, time.Hour))
	must(st.CreateInvite(ctx, &flows.Invite{Token: "inv1", Role: flows.RoleFacilitator, By: sitiID, Created: now}, time.Hour))
	// She owns another workshop's team, Bagus on it; she invited someone
	// else, and wrote its registrants a message not sent yet (bc4) after one
	// that went out (bc5).
	team := &flows.Workshop{Code: "TEAM27", Title: "Tim Data", Start: now.Add(72 * time.Hour), End: now.Add(74 * time.Hour),
		Zone: "Asia/Jakarta", Deadline: now.Add(72 * time.Hour), Facilitators: []int64{sitiID}, CreatedBy: sitiID, Created: now}
	must(st.CreateWorkshop(ctx, team))
	must(st.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tinv-bagus", Workshop: team.Code, By: sitiID, Created: now, Expires: now.Add(time.Hour)}))
	_, err = st.JoinTeam(ctx, team.Code, "tinv-bagus", bagusID, now)
	must(err)
	must(st.CreateTeamInvite(ctx, &flows.TeamInvite{Token: "tinv-other", Workshop: team.Code, By: sitiID, Created: now, Expires: now.Add(time.Hour)}))
	for _, id := range []string{"bc4", "bc5"} {
		must(st.CreateBroadcast(ctx, &flows.Broadcast{ID: id, By: sitiID, FromChat: sitiID, MessageID: 7, Segment: "wsr:" + team.Code + ":c",
			Created: now, StartAt: now.Add(time.Hour)}))
	}
	if _, err := st.StartBroadcast(ctx, "bc5", nil, now); err != nil {
		t.Fatal(err)
	}
	if fin, _, err := st.FinishBroadcast(ctx, "bc5", now); err != nil || !fin {
		t.Fatalf("finish bc5: %v %v", fin, err)
	}
	must(st.Audit(ctx, &flows.AuditEntry{At: now, Actor: adminID, Action: flows.AuditCheckIn, Target: w.Code, Subject: sitiID}))

	// /mydata first: the JSON file names her data.
	e.fake.SendText(siti, "/mydata")
	doc := e.next(siti.ID)
	if doc.Document == nil || doc.Document.Name != "sinergi-mydata-987654321.json" {
		t.Fatalf("mydata sent %+v", doc)
	}
	var data flows.UserData
	must(json.Unmarshal(doc.Document.Data, &data))
	if data.Profile == nil || data.Profile.ConsentVersion != flows.ConsentVersion || len(data.Registrations) != 1 ||
		data.Registrations[0].CheckedInAt.IsZero() || len(data.Feedback) != 1 || data.Partner == nil ||
		len(data.Introductions) != 1 || len(data.Commitments) != 1 || len(data.Broadcasts) != 1 || data.User.Username != "siti_rahma" ||
		len(data.Surveys) != 1 || data.Surveys[0].Answers[1] != "Siti Rahmawati: sangat bagus" ||
		len(data.Registrations[0].Sessions) != 2 {
		t.Fatalf("export %s", doc.Document.Data)
	}
	contains(t, e.next(siti.ID), "Siti Rahmawati")

	// /forgetme, confirmed.
	e.fake.SendText(siti, "/forgetme")
	confirm := e.next(siti.ID)
	contains(t, confirm, "Delete all your data?")
	e.fake.Press(siti, confirm.ID, buttonData(t, confirm, "🗑 Yes, delete everything"))
	e.waitMsg(siti.ID, "Your data is deleted")
	e.waitMsg(bagusID, "Your meeting with Yayasan Siti Rahmawati at Data Desa is cancelled")
	e.waitFor("the update committed", func() bool {
		items, err := st.Inbox(ctx)
		return err == nil && len(items) == 0
	})
	// The replies are in Telegram before the outbox lets go of them.
	e.waitFor("her outbox emptied", func() bool {
		n, err := rdb.Exists(ctx, p+"{c:987654321}:outbox", p+"{c:987654321}:outbox:begun").Result()
		return err == nil && n == 0
	})

	// Walk every key.
	needles := []string{"987654321", "Siti", "Rahmawati", "siti_rahma", "6281299887766", "tok-siti", "certsiti"}
	keys, err := rdb.Keys(ctx, p+"*").Result()
	must(err)
	if len(keys) < 20 {
		t.Fatalf("only %d keys", len(keys))
	}
	for _, k := range keys {
		for _, v := range append([]string{k}, readAll(t, rdb, k)...) {
			for _, n := range needles {
				if strings.Contains(v, n) {
					t.Errorf("key %s still holds %q: %.200s", k, n, v)
				}
			}
		}
	}

	// The workshop's numbers are unchanged; the others keep their data.
	after, err := st.Counts(ctx, w.Code)
	must(err)
	if after != before || after.Confirmed != 2 || after.Waiting != 1 || after.CheckedIn != 2 {
		t.Errorf("counts %+v, before %+v", after, before)
	}
	// Bagus's anonymous survey answer stays (it names nobody).
	if as, err := st.SurveyAnswers(ctx, w.Code); err != nil || len(as) != 1 || as[0].UserID != 0 || as[0].Answers[1] != "Bagus sekali" {
		t.Errorf("survey answers after forgetting: %+v, %v", as, err)
	}
	regs, err := st.Registrations(ctx, w.Code)
	must(err)
	if len(regs) != 2 || regs[0].UserID != bagusID || regs[0].CheckedInAt.IsZero() || regs[1].UserID != dewiID || regs[1].Position != 1 {
		t.Errorf("registrations %+v %+v", *regs[0], *regs[len(regs)-1])
	}
	if su, err := st.SignUps(ctx, w.Code); err != nil || len(su["sfgdair1"]) != 1 || su["sfgdair1"][0] != bagusID || len(su["sfgdtnh2"]) != 0 {
		t.Errorf("sign-ups after forgetting Siti: %v, %v; want Bagus's only", su, err)
	}
	if fb, err := st.Feedback(ctx, w.Code); err != nil || len(fb) != 2 {
		t.Errorf("feedback %d, %v", len(fb), err)
	}
	if u, err := st.GetUser(ctx, bagusID); err != nil || u.Username != "bagus_w" {
		t.Errorf("bagus %+v, %v", u, err)
	}
	if _, err := st.GetProfile(ctx, bagusID); err != nil {
		t.Errorf("bagus's profile: %v", err)
	}
	if _, err := st.GetPartner(ctx, bagusID); err != nil {
		t.Errorf("bagus's partner profile: %v", err)
	}
	if _, err := st.GetUser(ctx, sitiID); !errors.Is(err, flows.ErrNotFound) {
		t.Errorf("siti's user record: %v", err)
	}
	_, recv, err := st.UserIntros(ctx, bagusID, 0)
	must(err)
	if len(recv) != 1 || recv[0].From != 0 || recv[0].FromOrg != "" || recv[0].ToOrg != "Perkumpulan Bagus" || recv[0].Status != flows.IntroAccepted {
		t.Errorf("bagus's introductions %+v", recv)
	}
	cms, err := st.WorkshopCommitments(ctx, w.Code)
	must(err)
	if len(cms) != 2 || cms[0].Owner != 0 || cms[0].What != "Pelatihan air bersih" || len(cms[0].History) != 1 ||
		cms[1].Owner != bagusID || cms[1].By != 0 {
		t.Errorf("commitments %+v", cms)
	}
	if mine, err := st.UserCommitments(ctx, bagusID); err != nil || len(mine) != 1 {
		t.Errorf("bagus's commitments %d, %v", len(mine), err)
	}
	// Her team passed to Bagus; her message not sent is stopped, the one
	// sent keeps its numbers without her.
	if tw, err := st.GetWorkshop(ctx, "TEAM27"); err != nil || tw.Owner != bagusID || len(tw.Facilitators) != 1 {
		t.Errorf("her team: %+v, %v", tw, err)
	}
	if b, state, err := st.GetBroadcast(ctx, "bc4"); err != nil || state.Status != flows.BcCancelled || b.By != 0 || b.FromChat != 0 {
		t.Errorf("her message not sent: %+v %+v, %v", b, state, err)
	}
	if b, state, err := st.GetBroadcast(ctx, "bc5"); err != nil || state.Status != flows.BcDone || b.By != 0 || b.Segment != "wsr:TEAM27:c" {
		t.Errorf("her message sent: %+v %+v, %v", b, state, err)
	}
	if todo, _ := rdb.LRange(ctx, p+"{bc:bc2}:todo", 0, -1).Result(); len(todo) != 1 || todo[0] != "555000111:1" {
		t.Errorf("bc2 todo %v", todo)
	}
	if out, err := rdb.HVals(ctx, p+"{bc:bc1}:done").Result(); err != nil || len(out) != 2 {
		t.Errorf("bc1 outcomes %v, %v", out, err)
	}
	if code, uid, err := st.CheckinToken(ctx, "tok-bagus-0123456789abcdef"); err != nil || code != w.Code || uid != bagusID {
		t.Errorf("bagus's token: %s %d %v", code, uid, err)
	}
	if n, _ := rdb.ZCard(ctx, p+"{jobs}:due").Result(); n != 6 { // 3 reminders each for Bagus and Dewi
		jobs, _ := rdb.ZRange(ctx, p+"{jobs}:due", 0, -1).Result()
		t.Errorf("jobs %v", jobs)
	}
}

// readAll returns every string a key holds, whatever its type.
func readAll(t *testing.T, rdb *redis.Client, k string) []string {
	t.Helper()
	ctx := context.Background()
	typ, err := rdb.Type(ctx, k).Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	switch typ {
	case "string":
		out = append(out, rdb.Get(ctx, k).Val())
	case "hash":
		for f, v := range rdb.HGetAll(ctx, k).Val() {
			out = append(out, f, v)
		}
	case "set":
		out = rdb.SMembers(ctx, k).Val()
	case "zset":
		out = rdb.ZRange(ctx, k, 0, -1).Val()
	case "list":
		out = rdb.LRange(ctx, k, 0, -1).Val()
	case "stream":
		for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
			out = append(out, m.ID)
			for f, v := range m.Values {
				s, _ := v.(string)
				out = append(out, f, s)
			}
		}
	case "none":
	default:
		t.Fatalf("key %s of type %s not read", k, typ)
	}
	return out
}
