package matchmaking

import (
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"slices"
	"strconv"

	"sinergi/flows"
)

// Matchmaking: asking for, deciding and listing introductions.

// introTarget checks, on every press, that them may be asked by me: a
// visible profile of an active user that is one of my candidates, and no
// introduction of the pair in the way. It answers the refusal itself and
// returns nil then.
func (e *module) introTarget(ctx context.Context, t *flows.Turn, me *flows.PartnerProfile, uid int64) (*flows.PartnerProfile, *flows.User, error) {
	refuse := func(id string, kv ...any) (*flows.PartnerProfile, *flows.User, error) {
		if t.In.Kind == flows.KindCallback {
			t.Answer(flows.T(id, kv...), true)
		} else {
			t.Say(flows.T(id, kv...))
		}
		return nil, nil, nil
	}
	if uid == me.UserID {
		return refuse("mm.err_self")
	}
	them, err := e.store.GetPartner(ctx, uid)
	if errors.Is(err, flows.ErrNotFound) {
		return refuse("mm.err_unavailable")
	}
	if err != nil {
		return nil, nil, flows.InternalError("get partner", err)
	}
	u, err := e.store.GetUser(ctx, uid)
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return nil, nil, flows.InternalError("get user", err)
	}
	if !them.Visible || u == nil || u.Inactive || !flows.Compare(me, them).Candidate() {
		return refuse("mm.err_unavailable")
	}
	in, err := e.store.PairIntro(ctx, me.UserID, uid)
	switch {
	case errors.Is(err, flows.ErrNotFound):
	case err != nil:
		return nil, nil, flows.InternalError("pair introduction", err)
	case in.Status == flows.IntroPending:
		return refuse("mm.err_pending", "Org", them.Org)
	case in.Status == flows.IntroAccepted:
		return refuse("mm.err_connected", "Org", them.Org)
	case in.Status == flows.IntroDeclined && t.In.Now.Before(in.Decided.Add(IntroCooldown)):
		return refuse("mm.err_cooldown", "Org", them.Org, "Date", e.date(in.Decided.Add(IntroCooldown)))
	}
	return them, u, nil
}

// requestIntro starts a request: after the checks, the optional note.
func (e *module) requestIntro(ctx context.Context, t *flows.Turn, payload string) error {
	uid, err := strconv.ParseInt(payload, 10, 64)
	if err != nil || uid <= 0 {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	me, err := e.myVisiblePartner(ctx, t)
	if me == nil {
		return err
	}
	them, _, err := e.introTarget(ctx, t, me, uid)
	if them == nil {
		return err
	}
	if n, err := e.store.PendingSent(ctx, me.UserID); err != nil {
		return flows.InternalError("pending introductions", err)
	} else if n >= IntroCap {
		t.Answer(flows.T("mm.err_cap", "Count", IntroCap), true)
		return nil
	}
	return t.StartFlowAt(ctx, "mmnote", "note", map[string]string{"to": payload, "org": them.Org})
}

// introID is the form of an introduction id in callback data.
var introID = regexp.MustCompile(`^[a-z0-9]{10}$`)

func newIntroID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = flows.CodeAlphabet[int(b[i])%len(flows.CodeAlphabet)]
	}
	return string(b[:])
}

// sendIntro stores the request (checked again, atomically, by the store)
// and sends the other side the requester's card, the reasons and the note.
func (e *module) sendIntro(ctx context.Context, t *flows.Turn) error {
	d := t.Session.Data
	uid, _ := strconv.ParseInt(d["to"], 10, 64)
	me, err := e.myVisiblePartner(ctx, t)
	if me == nil {
		return err
	}
	them, u, err := e.introTarget(ctx, t, me, uid)
	if them == nil {
		return err
	}
	in := &flows.Introduction{ID: newIntroID(), From: me.UserID, To: them.UserID, FromOrg: me.Org, ToOrg: them.Org,
		Note: d["note"], Status: flows.IntroPending, Created: t.In.Now}
	switch err := e.store.RequestIntro(ctx, in, IntroCooldown, IntroCap); {
	case errors.Is(err, flows.ErrTooManyIntros):
		t.Say(flows.T("mm.err_cap", "Count", IntroCap))
		return nil
	case errors.Is(err, flows.ErrIntroPending):
		t.Say(flows.T("mm.err_pending", "Org", them.Org))
		return nil
	case errors.Is(err, flows.ErrIntroConnected):
		t.Say(flows.T("mm.err_connected", "Org", them.Org))
		return nil
	case errors.Is(err, flows.ErrIntroCooldown):
		t.Say(flows.T("mm.err_cooldown_short", "Org", them.Org))
		return nil
	case err != nil:
		return flows.InternalError("request introduction", err)
	}
	var note []flows.Text
	if in.Note != "" {
		note = append(note, flows.T("mm.note_line", "Note", in.Note))
	}
	t.Send(flows.Reply{ChatID: them.UserID, Lang: u.Lang, Bulk: true,
		Text: flows.T("mm.request_received", "Org", me.Org, "Details", partnerDetails(me),
			"Why", flows.Reasons(flows.Compare(them, me), me), "Note", note),
		Buttons: [][]flows.Button{{
			{Label: flows.T("mm.btn_accept"), Data: flows.MustData(routeAccept, in.ID)},
			{Label: flows.T("mm.btn_decline"), Data: flows.MustData(routeDecline, in.ID)},
		}}})
	t.Say(flows.T("mm.request_sent", "Org", them.Org))
	return nil
}

// contact says how to reach u: their @username and t.me link, or, without a
// username, an "Open chat" button with a tg://user link (which works for
// users who have talked to the bot).
func contact(u *flows.User) (flows.Text, []flows.Button) {
	if u.Username != "" && telegramUsername.MatchString(u.Username) {
		link := "https://t.me/" + u.Username
		return flows.T("mm.contact_username", "Name", u.FirstName, "Username", u.Username, "Link", link),
			[]flows.Button{{Label: flows.T("mm.btn_open_chat"), URL: link}}
	}
	return flows.T("mm.contact_id", "Name", u.FirstName),
		[]flows.Button{{Label: flows.T("mm.btn_open_chat"), URL: "tg://user?id=" + strconv.FormatInt(u.ID, 10)}}
}

var telegramUsername = regexp.MustCompile(`^[A-Za-z0-9_]{3,32}$`)

// decide handles Accept, Decline and Withdraw. The introduction id comes
// from the button: only its addressee may accept or decline, only its
// requester withdraw — checked on every press, here and atomically in the
// store.
func (e *module) decide(status flows.IntroStatus) func(context.Context, *flows.Turn, string) error {
	return func(ctx context.Context, t *flows.Turn, id string) error {
		if !introID.MatchString(id) {
			t.Answer(flows.T("errors.bad_button"), true)
			return nil
		}
		in, err := e.store.GetIntro(ctx, id)
		if errors.Is(err, flows.ErrNotFound) {
			t.Answer(flows.T("errors.bad_button"), true)
			return nil
		}
		if err != nil {
			return flows.InternalError("get introduction", err)
		}
		party := in.To
		if status == flows.IntroWithdrawn {
			party = in.From
		}
		if party != t.User.ID {
			t.Answer(flows.T("errors.not_allowed"), true)
			return nil
		}
		got, err := e.store.DecideIntro(ctx, id, t.User.ID, status, t.In.Now)
		switch {
		case errors.Is(err, flows.ErrIntroForbidden):
			t.Answer(flows.T("errors.not_allowed"), true)
			return nil
		case errors.Is(err, flows.ErrIntroDecided):
			t.Answer(flows.T("mm.err_decided"), true)
			return nil
		case err != nil:
			return flows.InternalError("decide introduction", err)
		}
		if t.In.MessageID != 0 {
			t.Send(flows.Reply{EditMessageID: t.In.MessageID, ClearButtons: true})
		}
		switch status {
		case flows.IntroWithdrawn:
			t.Say(flows.T("mm.withdrawn", "Org", got.ToOrg))
			return nil
		case flows.IntroDeclined:
			t.Say(flows.T("mm.declined_you", "Org", got.FromOrg))
			lang := ""
			if u, err := e.store.GetUser(ctx, got.From); err == nil {
				lang = u.Lang
			}
			t.Send(flows.Reply{ChatID: got.From, Lang: lang, Bulk: true, Text: flows.T("mm.declined_them", "Org", got.ToOrg)})
			return nil
		}
		from, err := e.store.GetUser(ctx, got.From)
		if err != nil {
			return flows.InternalError("get requester", err)
		}
		theirs, theirButtons := contact(from)
		t.Say(flows.T("mm.accepted_you", "Org", got.FromOrg, "Contact", theirs), theirButtons)
		mine, myButtons := contact(t.User)
		t.Send(flows.Reply{ChatID: got.From, Lang: from.Lang, Bulk: true,
			Text: flows.T("mm.accepted_them", "Org", got.ToOrg, "Contact", mine), Buttons: [][]flows.Button{myButtons}})
		return nil
	}
}

// introductions lists the user's introductions: waiting for their answer
// (with Accept/Decline), sent and waiting (with Withdraw), connected (with
// contacts), and declined.
func (e *module) introductions(ctx context.Context, t *flows.Turn) error {
	sent, recv, err := e.store.UserIntros(ctx, t.User.ID, introListLimit)
	if err != nil {
		return flows.InternalError("user introductions", err)
	}
	var waiting, asked, connected, declined []flows.Text
	var rows [][]flows.Button
	for _, in := range recv {
		switch in.Status {
		case flows.IntroPending:
			waiting = append(waiting, flows.T("mm.intro_line", "Org", in.FromOrg, "Date", e.date(in.Created)))
			rows = append(rows, []flows.Button{
				{Label: flows.T("mm.btn_accept_named", "Org", in.FromOrg), Data: flows.MustData(routeAccept, in.ID)},
				{Label: flows.T("mm.btn_decline"), Data: flows.MustData(routeDecline, in.ID)},
			})
		case flows.IntroDeclined:
			declined = append(declined, flows.T("mm.intro_line_you_declined", "Org", orgOrDeleted(in.FromOrg), "Date", e.date(in.Decided)))
		}
	}
	for _, in := range sent {
		switch in.Status {
		case flows.IntroPending:
			asked = append(asked, flows.T("mm.intro_line", "Org", in.ToOrg, "Date", e.date(in.Created)))
			rows = append(rows, []flows.Button{{Label: flows.T("mm.btn_withdraw_named", "Org", in.ToOrg), Data: flows.MustData(routeWithdraw, in.ID)}})
		case flows.IntroDeclined:
			declined = append(declined, flows.T("mm.intro_line_not_taken", "Org", orgOrDeleted(in.ToOrg), "Date", e.date(in.Decided)))
		}
	}
	all := append(slices.Clone(sent), recv...)
	slices.SortFunc(all, func(a, b *flows.Introduction) int { return b.Decided.Compare(a.Decided) })
	for _, in := range all {
		if in.Status != flows.IntroAccepted {
			continue
		}
		other, org := in.To, in.ToOrg
		if other == t.User.ID {
			other, org = in.From, in.FromOrg
		}
		u, err := e.store.GetUser(ctx, other)
		if err != nil {
			continue
		}
		c := flows.T("mm.contact_at", "Username", u.Username)
		if u.Username == "" || !telegramUsername.MatchString(u.Username) {
			c = flows.T("mm.contact_link", "URL", "tg://user?id="+strconv.FormatInt(u.ID, 10), "Name", u.FirstName)
		}
		connected = append(connected, flows.T("mm.intro_line_connected", "Org", org, "Contact", c))
	}
	if len(waiting)+len(asked)+len(connected)+len(declined) == 0 {
		t.Say(flows.T("mm.intros_none"), []flows.Button{{Label: flows.T("menu.matches"), Data: flows.MenuData("matches")}})
		return nil
	}
	var sections []flows.Text
	for _, s := range []struct {
		id    string
		lines []flows.Text
	}{{"mm.intros_waiting", waiting}, {"mm.intros_asked", asked}, {"mm.intros_connected", connected}, {"mm.intros_declined", declined}} {
		if len(s.lines) > 0 {
			sections = append(sections, flows.T(s.id, "Lines", s.lines))
		}
	}
	t.Say(flows.T("mm.intros", "Sections", sections), rows...)
	return nil
}

// orgOrDeleted is an introduction's organisation name, or "a deleted
// organisation" when its user was forgotten.
func orgOrDeleted(org string) any {
	if org == "" {
		return flows.T("privacy.deleted_org")
	}
	return org
}
