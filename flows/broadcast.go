package flows

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BroadcastModule is the capability of secretariat broadcasts and the /settings of what a user receives.
func BroadcastModule() Module { return ModuleFunc(func(r *Registry) { registerBroadcasts(r.e) }) }

func registerBroadcasts(e *Engine) {
	e.addCommand(&Command{Name: "broadcast", Role: RoleAdmin, Describe: "cmd.broadcast", Run: func(ctx context.Context, t *Turn) error {
		return t.StartFlowAt(ctx, "broadcast", "msg", nil)
	}})
	e.addCommand(&Command{Name: "broadcasts", Role: RoleAdmin, Describe: "cmd.broadcasts", Run: e.listBroadcasts})
	e.addCommand(&Command{Name: "settings", Describe: "cmd.settings", Run: settings})
	e.addMenu(MenuItem{Command: "broadcast", Label: "menu.broadcast", Role: RoleAdmin, Order: 70})
	e.addMenu(MenuItem{Command: "settings", Label: "menu.settings", Order: 85})
	e.addRoute(&Route{Name: "bcx", Role: RoleAdmin, Run: e.cancelBroadcast})
	e.addRoute(&Route{Name: "set", Run: toggleSetting})
	e.addFlow(&Flow{
		Name: "broadcast",
		Done: e.createBroadcast,
		Steps: []*Step{
			{Name: "msg", Parse: broadcastMessage(false), Prompt: ask("bc.ask_message")},
			{Name: "en", Parse: broadcastMessage(true), Prompt: askWithSkip("bc.ask_english", "bc.no_english")},
			{Name: "seg", Parse: ChoiceAnswer(segmentKinds...), Prompt: segmentPrompt},
			{Name: "segval", Parse: e.segmentValue, Prompt: e.segmentValuePrompt,
				Skip: func(t *Turn) bool { return t.Session.Data["seg"] == "all" }},
			{Name: "confirm", Parse: broadcastConfirm, Prompt: e.broadcastPreview},
			{Name: "when", Parse: e.broadcastWhen, Prompt: e.whenPrompt,
				Skip: func(t *Turn) bool { return t.Session.Data["confirm"] != "sched" }},
		},
	})
}

// broadcastMessage takes the message to copy: any message but a command —
// text with formatting, a photo or document with caption, even a sticker.
//
// An album is refused: Telegram delivers each of its items as a message of
// its own, and a broadcast is one message (and its English version). The
// first item gets the explanation; the album's other items are passed over
// in silence, so they neither become the English version nor repeat it.
func broadcastMessage(optional bool) func(context.Context, *Turn, Input) (string, error) {
	return func(_ context.Context, t *Turn, in Input) (string, error) {
		if in.MediaGroup != "" && in.Kind != KindCallback {
			if t.Session.Data[albumKey] == in.MediaGroup {
				return "", errStay
			}
			t.Session.Data[albumKey] = in.MediaGroup
			return "", Refuse("bc.album")
		}
		switch in.Kind {
		case KindCallback:
			if optional && in.Callback == skipValue {
				return "", nil
			}
			return "", Refuse("errors.bad_button")
		case KindText:
			if strings.TrimSpace(in.Text) == "" {
				return "", Refuse("bc.empty")
			}
		case KindMedia, KindContact:
		default:
			return "", Refuse("bc.empty")
		}
		return strconv.Itoa(in.MessageID), nil
	}
}

// albumKey holds the media group id of the album last refused.
const albumKey = "_album"

func segmentPrompt(_ context.Context, t *Turn) (Reply, error) {
	var rows [][]Button
	for i, k := range segmentKinds {
		if i%2 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], t.Choice(T("bc.seg."+k), k))
	}
	return Reply{Text: T("bc.ask_segment"), Buttons: rows}, nil
}

func (e *Engine) segmentValuePrompt(ctx context.Context, t *Turn) (Reply, error) {
	switch t.Session.Data["seg"] {
	case "ws":
		all, err := e.store.Facilitated(ctx, 0)
		if err != nil {
			return Reply{}, InternalError("workshops", err)
		}
		var rows [][]Button
		for _, w := range all {
			if w.Cancelled || len(rows) >= 16 {
				continue
			}
			rows = append(rows,
				[]Button{t.Choice(T("bc.ws_registered", "Title", w.Title), "c_"+w.Code), t.Choice(T("bc.ws_checked_in"), "i_"+w.Code)})
		}
		if len(rows) == 0 {
			return Reply{Text: T("bc.no_workshops"), Buttons: [][]Button{{t.Choice(T("bc.seg.all"), "all")}}}, nil
		}
		return Reply{Text: T("bc.ask_workshop"), Buttons: rows}, nil
	case "sector":
		return sectorPrompt(ctx, t)
	case "prov":
		return Reply{Text: T("bc.ask_province"), Buttons: provinceButtons(t, provinces, 0)}, nil
	case "theme":
		var rows [][]Button
		for i, th := range themes {
			if i%2 == 0 {
				rows = append(rows, nil)
			}
			rows[len(rows)-1] = append(rows[len(rows)-1], t.Choice(T("bc.theme_button", "Theme", T("theme."+th)), th))
		}
		return Reply{Text: T("bc.ask_theme"), Buttons: rows}, nil
	default:
		var row []Button
		for _, l := range []string{"id", "en"} {
			row = append(row, t.Choice(T("language.name."+l), l))
		}
		return Reply{Text: T("bc.ask_language"), Buttons: [][]Button{row}}, nil
	}
}

// segmentValue completes the segment: "ws:<code>:c|i", "sector:<code>",
// "prov:<code>", "lang:<id|en>".
func (e *Engine) segmentValue(ctx context.Context, t *Turn, in Input) (string, error) {
	kind := t.Session.Data["seg"]
	if kind == "prov" {
		v, err := e.provinceAnswerIn(t, in, "bc.ask_province")
		if err != nil {
			return "", err
		}
		t.Session.Data["segment"] = Segment{Kind: SegProvince, Value: v}.String()
		return v, nil
	}
	if in.Kind != KindCallback {
		return "", Refuse("errors.use_buttons")
	}
	v := in.Callback
	var seg Segment
	switch {
	case kind == string(SegWorkshop) && v == string(SegAll):
		seg = Segment{Kind: SegAll}
	case kind == string(SegWorkshop) && (strings.HasPrefix(v, "c_") || strings.HasPrefix(v, "i_")):
		if _, err := e.store.GetWorkshop(ctx, v[2:]); err != nil {
			return "", Refuse("ws.not_found")
		}
		seg = Segment{Kind: SegWorkshop, Value: v[2:], CheckedIn: v[0] == 'i'}
	case kind == string(SegSector) || kind == string(SegTheme) || kind == string(SegLang):
		seg = Segment{Kind: SegmentKind(kind), Value: v}
	default:
		return "", Refuse("errors.bad_button")
	}
	if _, err := ParseSegment(seg.String()); err != nil {
		return "", Refuse("errors.bad_button")
	}
	t.Session.Data["segment"] = seg.String()
	return v, nil
}

// segmentOf is the chosen segment of the flow's answers.
func segmentOf(d map[string]string) string {
	if d["seg"] == string(SegAll) || d["segment"] == "" {
		return string(SegAll)
	}
	return d["segment"]
}

// segmentText describes a segment for people.
func (e *Engine) segmentText(ctx context.Context, text string) (Text, error) {
	seg, err := ParseSegment(text)
	if err != nil {
		return Text{}, InternalError("broadcast", err)
	}
	v := seg.Value
	switch seg.Kind {
	case SegWorkshop:
		title := v // a workshop deleted since
		w, err := e.store.GetWorkshop(ctx, v)
		switch {
		case err == nil:
			title = w.Title
		case !errors.Is(err, ErrNotFound):
			return Text{}, InternalError("workshop", err)
		}
		if seg.CheckedIn {
			return T("bc.segtext.ws_checked_in", "Title", title), nil
		}
		return T("bc.segtext.ws", "Title", title), nil
	case SegSector:
		return T("bc.segtext.sector", "Sector", T("sector."+v)), nil
	case SegProvince:
		return T("bc.segtext.prov", "Province", T("province."+v)), nil
	case SegLang:
		return T("bc.segtext.lang", "Lang", T("language.name."+v)), nil
	case SegTheme:
		return T("bc.segtext.theme", "Theme", T("theme."+v)), nil
	}
	return T("bc.segtext.all"), nil
}

// Recipients freezes who a broadcast goes to: the members of its segment
// who are active and have not opted out, each with the version in their
// language.
func (e *Engine) Recipients(ctx context.Context, b *Broadcast) ([]Recipient, error) {
	seg, err := ParseSegment(b.Segment)
	if err != nil {
		return nil, fmt.Errorf("broadcast %s: %w", b.ID, err)
	}
	users, err := e.store.AllUsers(ctx)
	if err != nil {
		return nil, InternalError("all users", err)
	}
	v := seg.Value
	var keep func(u *User) bool
	switch seg.Kind {
	case SegWorkshop:
		regs, err := e.store.Registrations(ctx, v)
		if err != nil {
			return nil, InternalError("registrations", err)
		}
		in := map[int64]bool{}
		for _, r := range regs {
			if r.Status == RegConfirmed && (!seg.CheckedIn || !r.CheckedInAt.IsZero()) {
				in[r.UserID] = true
			}
		}
		keep = func(u *User) bool { return in[u.ID] }
	case SegSector, SegProvince:
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		profiles, err := e.store.ProfilesOf(ctx, ids)
		if err != nil {
			return nil, InternalError("profiles", err)
		}
		keep = func(u *User) bool {
			p := profiles[u.ID]
			return p != nil && ((seg.Kind == SegSector && p.Sector == v) || (seg.Kind == SegProvince && p.Province == v))
		}
	case SegLang:
		keep = func(u *User) bool { return u.Lang == v }
	case SegTheme:
		in := map[int64]bool{}
		for _, u := range users {
			p, err := e.store.GetPartner(ctx, u.ID)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, InternalError("partner profile", err)
			}
			in[u.ID] = slices.Contains(p.Themes, v)
		}
		keep = func(u *User) bool { return in[u.ID] }
	case SegAll:
		keep = func(*User) bool { return true }
	}
	var out []Recipient
	for _, u := range users {
		// Only members who agreed to the privacy notice receive
		// broadcasts: opening the bot once does not subscribe anyone.
		if u.Consent == "" || u.Inactive || u.NoUpdates || !keep(u) {
			continue
		}
		msg := b.MessageID
		if u.Lang == "en" && b.EnglishID != 0 {
			msg = b.EnglishID
		}
		out = append(out, Recipient{UserID: u.ID, MessageID: msg})
	}
	slices.SortFunc(out, func(a, b Recipient) int { return cmp.Compare(a.UserID, b.UserID) })
	return out, nil
}

// draftBroadcast is the broadcast the flow's answers describe.
func draftBroadcast(t *Turn) *Broadcast {
	d := t.Session.Data
	msg, _ := strconv.Atoi(d["msg"])
	en, _ := strconv.Atoi(d["en"])
	return &Broadcast{By: t.User.ID, FromChat: t.In.ChatID, MessageID: msg, EnglishID: en, Segment: segmentOf(d), Created: t.In.Now}
}

// broadcastPreview copies the message(s) back to the admin and asks to
// send, schedule or cancel, with the number of recipients.
func (e *Engine) broadcastPreview(ctx context.Context, t *Turn) (Reply, error) {
	b := draftBroadcast(t)
	rs, err := e.Recipients(ctx, b)
	if err != nil {
		return Reply{}, InternalError("recipients", err)
	}
	seg, err := e.segmentText(ctx, b.Segment)
	if err != nil {
		return Reply{}, err
	}
	t.Say(T("bc.preview_heading"))
	t.Send(Reply{Copy: &MessageRef{Chat: b.FromChat, MessageID: b.MessageID}})
	if b.EnglishID != 0 {
		t.Say(T("bc.preview_english"))
		t.Send(Reply{Copy: &MessageRef{Chat: b.FromChat, MessageID: b.EnglishID}})
	}
	buttons := [][]Button{{t.Choice(T("bc.send_now"), "now"), t.Choice(T("bc.schedule"), "sched")}, {t.Choice(T("bc.discard"), "discard")}}
	if len(rs) == 0 {
		buttons = [][]Button{{t.Choice(T("bc.other_segment"), "reseg"), t.Choice(T("bc.discard"), "discard")}}
	}
	return Reply{Text: T("bc.confirm", "Count", len(rs), "Segment", seg), Buttons: buttons}, nil
}

func broadcastConfirm(_ context.Context, t *Turn, in Input) (string, error) {
	if in.Kind != KindCallback {
		return "", Refuse("errors.use_buttons")
	}
	switch in.Callback {
	case "now", "sched":
		return in.Callback, nil
	case "reseg":
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		return "", errGoto("seg")
	case "discard":
		t.EndFlow()
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.Say(T("bc.discarded"))
		return "", errStay
	}
	return "", Refuse("errors.bad_button")
}

func (e *Engine) whenPrompt(_ context.Context, t *Turn) (Reply, error) {
	return Reply{Text: T("bc.ask_when", "Example", DateExample(t.In.Now, e.cfg.Location, 1, 8, false))}, nil
}

func (e *Engine) broadcastWhen(_ context.Context, t *Turn, in Input) (string, error) {
	at, err := futureAnswer(t, in, e.cfg.Location)
	if err != nil {
		return "", err
	}
	return unixString(at), nil
}

func (e *Engine) createBroadcast(ctx context.Context, t *Turn) error {
	b := draftBroadcast(t)
	b.ID = NewCode()
	b.StartAt = t.In.Now
	if t.Session.Data["confirm"] == "sched" {
		b.StartAt = unixData(t.Session.Data, "when")
	}
	if err := e.store.CreateBroadcast(ctx, b); err != nil {
		return InternalError("create broadcast", err)
	}
	if err := t.Audit(ctx, AuditBroadcast, b.ID, 0); err != nil {
		return err
	}
	if t.Session.Data["confirm"] == "sched" {
		t.Say(T("bc.scheduled", "At", When{At: b.StartAt, Zone: e.cfg.Location.String()}))
		return nil
	}
	t.Say(T("bc.starting"))
	return nil
}

func (e *Engine) listBroadcasts(ctx context.Context, t *Turn) error {
	list, err := e.store.RecentBroadcasts(ctx, 10)
	if err != nil {
		return InternalError("recent broadcasts", err)
	}
	if len(list) == 0 {
		t.Say(T("bc.none"))
		return nil
	}
	var lines []Text
	var rows [][]Button
	for _, b := range list {
		_, st, err := e.store.GetBroadcast(ctx, b.ID)
		if err != nil {
			return InternalError("broadcast", err)
		}
		seg, err := e.segmentText(ctx, b.Segment)
		if err != nil {
			return err
		}
		lines = append(lines, T("bc.list_line", "Status", T("bc.status."+st.Status), "At", When{At: b.StartAt, Zone: e.cfg.Location.String()},
			"Segment", seg, "Sent", st.Sent, "Total", st.Total, "Blocked", st.Blocked, "Failed", st.Failed))
		if st.Status == BcScheduled || st.Status == BcRunning {
			rows = append(rows, []Button{{Label: T("bc.cancel_button", "At", When{At: b.StartAt, Zone: e.cfg.Location.String()}), Data: MustData("bcx", b.ID)}})
		}
	}
	t.Say(T("bc.list", "Lines", lines), rows...)
	return nil
}

func (e *Engine) cancelBroadcast(ctx context.Context, t *Turn, id string) error {
	err := e.store.CancelBroadcast(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		t.Answer(T("bc.not_found"), true)
	case errors.Is(err, ErrNotCancellable):
		t.Answer(T("bc.already_finished"), true)
	case err != nil:
		return InternalError("cancel broadcast", err)
	default:
		if err := t.Audit(ctx, AuditBcCancel, id, 0); err != nil {
			return err
		}
		t.Answer(T("bc.cancelled"), false)
		t.Say(T("bc.cancelled"))
	}
	return nil
}

func settings(_ context.Context, t *Turn) error {
	t.Say(settingsText(t.User), settingsButtons(t.User)...)
	return nil
}

func settingsText(u *User) Text {
	if u.NoUpdates {
		return T("settings.updates_off")
	}
	return T("settings.updates_on")
}

func settingsButtons(u *User) [][]Button {
	if u.NoUpdates {
		return [][]Button{{{Label: T("settings.turn_on"), Data: MustData("set", "on")}}}
	}
	return [][]Button{{{Label: T("settings.turn_off"), Data: MustData("set", "off")}}}
}

func toggleSetting(_ context.Context, t *Turn, payload string) error {
	switch payload {
	case "on":
		t.User.NoUpdates = false
	case "off":
		t.User.NoUpdates = true
	default:
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	t.Send(Reply{EditMessageID: t.In.MessageID, Text: settingsText(t.User), Buttons: settingsButtons(t.User)})
	return nil
}

// BroadcastProgress is the admin's progress message.
func BroadcastProgress(st *BroadcastState, elapsed time.Duration) Text {
	done := st.Sent + st.Blocked + st.Failed + st.Uncertain
	const width = 20
	filled := 0
	if st.Total > 0 {
		filled = done * width / st.Total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	eta := "—"
	if done > 0 && done < st.Total {
		left := time.Duration(float64(elapsed) / float64(done) * float64(st.Total-done)).Round(time.Second)
		eta = left.String()
	}
	return T("bc.progress", "Done", done, "Total", st.Total, "Bar", bar, "ETA", eta, "Sent", st.Sent, "Blocked", st.Blocked, "Failed", st.Failed)
}

// BroadcastReport is the admin's final report.
func BroadcastReport(st *BroadcastState) Text {
	id := "bc.report"
	if st.Status == BcCancelled {
		id = "bc.report_cancelled"
	}
	return T(id, "Count", st.Total, "Sent", st.Sent, "Blocked", st.Blocked, "Failed", st.Failed,
		"Uncertain", st.Uncertain, "Duration", st.Finished.Sub(st.Started).Round(time.Second).String())
}
