// Package broadcast is the capability of secretariat broadcasts (/broadcast,
// /broadcasts) and of /settings, what a member receives. Sending them is the
// transport's (bot/broadcast.go), to the recipients flows.Recipients names.
package broadcast

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// Module is the capability of secretariat broadcasts and the /settings of what a user receives.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		e.register(r)
	})
}

// Store is what the broadcast capability reads and writes.
type Store interface {
	flows.Broadcasts
	flows.Audience
	GetWorkshop(ctx context.Context, code string) (*flows.Workshop, error)
	Facilitated(ctx context.Context, uid int64) ([]*flows.Workshop, error)
	// ChatLinks lists the linked chats (flows/groups keeps them): a
	// broadcast can also be posted in them.
	ChatLinks(ctx context.Context) ([]*flows.ChatLink, error)
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

// The broadcast capability's callback routes, "<name>:<payload>"
// (Route.Legacy: the name buttons sent before namespaces carry).
const (
	routeCancel  = "broadcast.cancel"  // <id>: cancels a scheduled broadcast
	routeUpdates = "broadcast.updates" // <on|off>: the user's /settings: receive broadcasts
)

func (e *module) register(r *flows.Registry) {
	r.Namespace("broadcast")
	// A chapter admin broadcasts too, to their chapter's members only
	// (draftBroadcast scopes the segment from their user record).
	r.Command(&flows.Command{Name: "broadcast", Role: flows.RoleAdmin, Scoped: true, Describe: "cmd.broadcast", Run: func(ctx context.Context, t *flows.Turn) error {
		return t.StartFlowAt(ctx, "broadcast", "msg", nil)
	}})
	r.Command(&flows.Command{Name: "broadcasts", Role: flows.RoleAdmin, Scoped: true, Describe: "cmd.broadcasts", Run: e.listBroadcasts})
	r.Command(&flows.Command{Name: "settings", Describe: "cmd.settings", Run: settings})
	r.Menu(flows.MenuItem{Command: "broadcast", Label: "menu.broadcast", Role: flows.RoleAdmin, Scoped: true, Order: 70})
	r.Menu(flows.MenuItem{Command: "settings", Label: "menu.settings", Order: 85})
	r.Route(&flows.Route{Name: routeCancel, Legacy: "bcx", Role: flows.RoleAdmin, Scoped: true, Run: e.cancelBroadcast})
	r.Route(&flows.Route{Name: routeUpdates, Legacy: "set", Run: toggleSetting})
	r.Flow(&flows.Flow{
		Name: "broadcast",
		Done: e.createBroadcast,
		Steps: []*flows.Step{
			{Name: "msg", Parse: broadcastMessage(false), Prompt: flows.Ask("bc.ask_message")},
			{Name: "en", Parse: broadcastMessage(true), Prompt: otherVersionPrompt},
			{Name: "seg", Parse: e.segmentKind, Prompt: segmentPrompt},
			{Name: "segval", Parse: e.segmentValue, Prompt: e.segmentValuePrompt,
				Skip: func(t *flows.Turn) bool { return t.Session.Data["seg"] == "all" }},
			{Name: "chats", Parse: e.chatsAnswer, Prompt: e.chatsPrompt,
				Skip: func(t *flows.Turn) bool { return t.Session.Data[hasChatsKey] == "" }},
			{Name: "confirm", Parse: broadcastConfirm, Prompt: e.broadcastPreview},
			{Name: "when", Parse: e.broadcastWhen, Prompt: e.whenPrompt,
				Skip: func(t *flows.Turn) bool { return t.Session.Data["confirm"] != "sched" }},
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
func broadcastMessage(optional bool) func(context.Context, *flows.Turn, flows.Input) (string, error) {
	return func(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
		if in.MediaGroup != "" && in.Kind != flows.KindCallback {
			if t.Session.Data[albumKey] == in.MediaGroup {
				return "", flows.ErrStay
			}
			t.Session.Data[albumKey] = in.MediaGroup
			return "", flows.Refuse("bc.album")
		}
		switch in.Kind {
		case flows.KindCallback:
			if optional && in.Callback == flows.SkipValue {
				return "", nil
			}
			return "", flows.Refuse("errors.bad_button")
		case flows.KindText:
			if strings.TrimSpace(in.Text) == "" {
				return "", flows.Refuse("bc.empty")
			}
		case flows.KindMedia, flows.KindContact:
		default:
			return "", flows.Refuse("bc.empty")
		}
		return strconv.Itoa(in.MessageID), nil
	}
}

// albumKey holds the media group id of the album last refused.
const albumKey = "_album"

func segmentPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	var rows [][]flows.Button
	for i, k := range flows.SegmentKinds() {
		if i%2 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], t.Choice(flows.T("bc.seg."+k), k))
	}
	return flows.Reply{Text: flows.T("bc.ask_segment"), Buttons: rows}, nil
}

func (e *module) segmentValuePrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	switch t.Session.Data["seg"] {
	case "ws":
		all, err := flows.ManagedWorkshops(ctx, e.store, t) // a chapter admin: their chapter's
		if err != nil {
			return flows.Reply{}, err
		}
		var rows [][]flows.Button
		for _, w := range all {
			if w.Cancelled || len(rows) >= 16 {
				continue
			}
			rows = append(rows,
				[]flows.Button{t.Choice(flows.T("bc.ws_registered", "Title", w.Title), "c_"+w.Code), t.Choice(flows.T("bc.ws_checked_in"), "i_"+w.Code)})
		}
		if len(rows) == 0 {
			return flows.Reply{Text: flows.T("bc.no_workshops"), Buttons: [][]flows.Button{{t.Choice(flows.T("bc.seg.all"), "all")}}}, nil
		}
		return flows.Reply{Text: flows.T("bc.ask_workshop"), Buttons: rows}, nil
	case "sector":
		return flows.SectorPrompt(ctx, t)
	case "prov":
		return flows.Reply{Text: flows.T("bc.ask_province"), Buttons: flows.ProvinceButtons(t, flows.Provinces(), 0)}, nil
	case "theme":
		var rows [][]flows.Button
		for i, th := range flows.Themes() {
			if i%2 == 0 {
				rows = append(rows, nil)
			}
			rows[len(rows)-1] = append(rows[len(rows)-1], t.Choice(flows.T("bc.theme_button", "Theme", flows.T("theme."+th)), th))
		}
		return flows.Reply{Text: flows.T("bc.ask_theme"), Buttons: rows}, nil
	default:
		var row []flows.Button
		for _, l := range []string{"id", "en"} {
			row = append(row, t.Choice(flows.T("language.name."+l), l))
		}
		return flows.Reply{Text: flows.T("bc.ask_language"), Buttons: [][]flows.Button{row}}, nil
	}
}

// segmentValue completes the segment: "ws:<code>:c|i", "sector:<code>",
// "prov:<code>", "lang:<id|en>".
func (e *module) segmentValue(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	kind := t.Session.Data["seg"]
	if kind == "prov" {
		v, err := t.ProvinceAnswerIn(in, "bc.ask_province")
		if err != nil {
			return "", err
		}
		t.Session.Data["segment"] = flows.Segment{Kind: flows.SegProvince, Value: v}.String()
		return v, nil
	}
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	v := in.Callback
	var seg flows.Segment
	switch {
	case kind == string(flows.SegWorkshop) && v == string(flows.SegAll):
		seg = flows.Segment{Kind: flows.SegAll}
	case kind == string(flows.SegWorkshop) && (strings.HasPrefix(v, "c_") || strings.HasPrefix(v, "i_")):
		w, err := e.store.GetWorkshop(ctx, v[2:])
		if err != nil {
			return "", flows.Refuse("ws.not_found")
		}
		if t.ChapterAdmin() != "" && !t.CanManage(w) {
			return "", flows.Refuse("errors.not_allowed")
		}
		seg = flows.Segment{Kind: flows.SegWorkshop, Value: v[2:], CheckedIn: v[0] == 'i'}
	case kind == string(flows.SegSector) || kind == string(flows.SegTheme) || kind == string(flows.SegLang):
		seg = flows.Segment{Kind: flows.SegmentKind(kind), Value: v}
	default:
		return "", flows.Refuse("errors.bad_button")
	}
	if _, err := flows.ParseSegment(seg.String()); err != nil {
		return "", flows.Refuse("errors.bad_button")
	}
	t.Session.Data["segment"] = seg.String()
	return v, nil
}

// segmentOf is the chosen segment of the flow's answers.
func segmentOf(d map[string]string) string {
	if d["seg"] == string(flows.SegAll) || d["segment"] == "" {
		return string(flows.SegAll)
	}
	return d["segment"]
}

// segmentText describes a segment for people.
func (e *module) segmentText(ctx context.Context, text string) (flows.Text, error) {
	seg, err := flows.ParseSegment(text)
	if err != nil {
		return flows.Text{}, flows.InternalError("broadcast", err)
	}
	if seg.Chapter != "" {
		name := seg.Chapter
		c, err := e.store.GetChapter(ctx, seg.Chapter)
		switch {
		case err == nil:
			name = c.Name
		case !errors.Is(err, flows.ErrNotFound):
			return flows.Text{}, flows.InternalError("chapter", err)
		}
		seg.Chapter = ""
		inner, err := e.segmentText(ctx, seg.String())
		if err != nil {
			return flows.Text{}, err
		}
		return flows.T("bc.segtext.in_chapter", "Segment", inner, "Chapter", name), nil
	}
	v := seg.Value
	switch seg.Kind {
	case flows.SegWorkshop:
		title := v // a workshop deleted since
		w, err := e.store.GetWorkshop(ctx, v)
		switch {
		case err == nil:
			title = w.Title
		case !errors.Is(err, flows.ErrNotFound):
			return flows.Text{}, flows.InternalError("workshop", err)
		}
		if seg.CheckedIn {
			return flows.T("bc.segtext.ws_checked_in", "Title", title), nil
		}
		return flows.T("bc.segtext.ws", "Title", title), nil
	case flows.SegRegistrants: // a workshop team's message (flows/workshops)
		title := v
		w, err := e.store.GetWorkshop(ctx, v)
		switch {
		case err == nil:
			title = w.Title
		case !errors.Is(err, flows.ErrNotFound):
			return flows.Text{}, flows.InternalError("workshop", err)
		}
		return flows.T("bc.segtext.wsr", "Title", title, "Status", flows.T("ws.msg_status_"+string(seg.Status))), nil
	case flows.SegSector:
		return flows.T("bc.segtext.sector", "Sector", flows.T("sector."+v)), nil
	case flows.SegProvince:
		return flows.T("bc.segtext.prov", "Province", flows.T("province."+v)), nil
	case flows.SegLang:
		return flows.T("bc.segtext.lang", "Lang", flows.T("language.name."+v)), nil
	case flows.SegTheme:
		return flows.T("bc.segtext.theme", "Theme", flows.T("theme."+v)), nil
	}
	return flows.T("bc.segtext.all"), nil
}

// otherVersionPrompt asks for the version in the language other than the
// admin's: an English-speaking admin's message is the English version, and
// the version asked for is the Indonesian one.
func otherVersionPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	if t.Lang == "en" {
		return flows.AskWithSkip("bc.ask_indonesian", "bc.no_indonesian")(ctx, t)
	}
	return flows.AskWithSkip("bc.ask_english", "bc.no_english")(ctx, t)
}

// draftBroadcast is the broadcast the flow's answers describe. The step
// "en" holds the other language's version: English for an admin writing in
// Indonesian, Indonesian (the version for everyone) for one writing in
// English.
func draftBroadcast(t *flows.Turn) *flows.Broadcast {
	d := t.Session.Data
	msg, _ := strconv.Atoi(d["msg"])
	en, _ := strconv.Atoi(d["en"])
	if t.Lang == "en" && en != 0 {
		msg, en = en, msg
	}
	b := &flows.Broadcast{By: t.User.ID, FromChat: t.In.ChatID, MessageID: msg, EnglishID: en, Segment: scoped(t, segmentOf(d)), Created: t.In.Now}
	if d[hasChatsKey] != "" {
		b.Chats = chatTargets(d["chats"])
	}
	return b
}

// scoped is segment within the acting user's chapter when they are a
// chapter admin — decided here, on the server, from their user record as it
// is now, not from any answer or button.
func scoped(t *flows.Turn, segment string) string {
	ch := t.ChapterAdmin()
	if ch == "" {
		return segment
	}
	seg, err := flows.ParseSegment(segment)
	if err != nil {
		return segment // the caller's ParseSegment refuses it
	}
	seg.Chapter = ch
	return seg.String()
}

// mayBroadcast: an admin, or a chapter admin (checked again at the end of
// the flow: the role may have changed since /broadcast).
func mayBroadcast(t *flows.Turn) bool {
	return t.Role >= flows.RoleAdmin || t.ChapterAdmin() != ""
}

// sameScope: the broadcast is one the acting user may act on — every one
// for an admin, their chapter's for a chapter admin.
func sameScope(t *flows.Turn, b *flows.Broadcast) bool {
	if t.Role >= flows.RoleAdmin {
		return true
	}
	seg, err := flows.ParseSegment(b.Segment)
	return err == nil && seg.Chapter != "" && seg.Chapter == t.ChapterAdmin()
}

// broadcastPreview copies the message(s) back to the admin and asks to
// send, schedule or cancel, with the number of recipients.
func (e *module) broadcastPreview(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	b := draftBroadcast(t)
	rs, err := flows.Recipients(ctx, e.store, b)
	if err != nil {
		return flows.Reply{}, flows.InternalError("recipients", err)
	}
	seg, err := e.segmentText(ctx, b.Segment)
	if err != nil {
		return flows.Reply{}, err
	}
	t.Say(flows.T("bc.preview_heading"))
	first, other, otherLabel := b.MessageID, b.EnglishID, "bc.preview_english"
	if t.Lang == "en" && b.EnglishID != 0 { // the admin's own message first
		first, other, otherLabel = b.EnglishID, b.MessageID, "bc.preview_indonesian"
	}
	t.Send(flows.Reply{Copy: &flows.MessageRef{Chat: b.FromChat, MessageID: first}})
	if other != 0 {
		t.Say(flows.T(otherLabel))
		t.Send(flows.Reply{Copy: &flows.MessageRef{Chat: b.FromChat, MessageID: other}})
	}
	buttons := [][]flows.Button{{t.Choice(flows.T("bc.send_now"), "now"), t.Choice(flows.T("bc.schedule"), "sched")}, {t.Choice(flows.T("bc.discard"), "discard")}}
	if len(rs) == 0 && len(b.Chats) == 0 {
		buttons = [][]flows.Button{{t.Choice(flows.T("bc.other_segment"), "reseg"), t.Choice(flows.T("bc.discard"), "discard")}}
	}
	text := flows.T("bc.confirm", "Count", len(rs), "Segment", seg)
	if len(b.Chats) > 0 {
		names, err := e.chatNames(ctx, t, b.Chats)
		if err != nil {
			return flows.Reply{}, err
		}
		text = flows.T("bc.confirm_and_chats", "Confirm", text, "Count", len(b.Chats), "Chats", names)
	}
	return flows.Reply{Text: text, Buttons: buttons}, nil
}

func broadcastConfirm(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	switch in.Callback {
	case "now", "sched":
		return in.Callback, nil
	case "reseg":
		t.Send(flows.Reply{EditMessageID: in.MessageID, ClearButtons: true})
		return "", flows.Goto("seg")
	case "discard":
		return t.Discard(in, flows.T("bc.discarded"))
	}
	return "", flows.Refuse("errors.bad_button")
}

func (e *module) whenPrompt(_ context.Context, t *flows.Turn) (flows.Reply, error) {
	return flows.Reply{Text: flows.T("bc.ask_when", "Example", flows.DateExample(t.In.Now, e.cfg.Location, 1, 8, false))}, nil
}

func (e *module) broadcastWhen(_ context.Context, t *flows.Turn, in flows.Input) (string, error) {
	at, err := flows.FutureAnswer(t, in, e.cfg.Location)
	if err != nil {
		return "", err
	}
	return flows.UnixString(at), nil
}

func (e *module) createBroadcast(ctx context.Context, t *flows.Turn) error {
	if !mayBroadcast(t) {
		t.EndFlow()
		t.Say(flows.T("errors.not_allowed"))
		return nil
	}
	b := draftBroadcast(t)
	// The chats ticked, as far as the user may still post in them now.
	chats, err := e.mayPost(ctx, t, b.Chats)
	if err != nil {
		return err
	}
	b.Chats = chats
	b.ID = flows.NewCode()
	b.StartAt = t.In.Now
	if t.Session.Data["confirm"] == "sched" {
		b.StartAt = flows.UnixData(t.Session.Data, "when")
	}
	if err := e.store.CreateBroadcast(ctx, b); err != nil {
		return flows.InternalError("create broadcast", err)
	}
	if err := t.Audit(ctx, flows.AuditBroadcast, b.ID, 0); err != nil {
		return err
	}
	if t.Session.Data["confirm"] == "sched" {
		t.Say(flows.T("bc.scheduled", "At", flows.When{At: b.StartAt, Zone: e.cfg.Location.String()}))
		return nil
	}
	t.Say(flows.T("bc.starting"))
	return nil
}

func (e *module) listBroadcasts(ctx context.Context, t *flows.Turn) error {
	list, err := e.store.RecentBroadcasts(ctx, 200)
	if err != nil {
		return flows.InternalError("recent broadcasts", err)
	}
	list = slices.DeleteFunc(list, func(b *flows.Broadcast) bool { return !sameScope(t, b) })
	list = list[:min(len(list), 10)]
	if len(list) == 0 {
		t.Say(flows.T("bc.none"))
		return nil
	}
	var lines []flows.Text
	var rows [][]flows.Button
	for _, b := range list {
		_, st, err := e.store.GetBroadcast(ctx, b.ID)
		if err != nil {
			return flows.InternalError("broadcast", err)
		}
		seg, err := e.segmentText(ctx, b.Segment)
		if err != nil {
			return err
		}
		line := "bc.list_line"
		if st.Total == 0 && (st.Status == flows.BcScheduled || st.Status == flows.BcCancelled) {
			line = "bc.list_line_unsent" // not started: no "0/0 delivered"
		}
		lines = append(lines, flows.T(line, "Status", flows.T("bc.status."+st.Status), "At", flows.When{At: b.StartAt, Zone: e.cfg.Location.String()},
			"Segment", seg, "Sent", st.Sent, "Total", st.Total, "Blocked", st.Blocked, "Failed", st.Failed))
		if st.Status == flows.BcScheduled || st.Status == flows.BcRunning {
			rows = append(rows, []flows.Button{{Label: flows.T("bc.cancel_button", "At", flows.When{At: b.StartAt, Zone: e.cfg.Location.String()}), Data: flows.MustData(routeCancel, b.ID)}})
		}
	}
	t.Say(flows.T("bc.list", "Lines", lines), rows...)
	return nil
}

func (e *module) cancelBroadcast(ctx context.Context, t *flows.Turn, id string) error {
	if t.Role < flows.RoleAdmin {
		b, _, err := e.store.GetBroadcast(ctx, id)
		switch {
		case errors.Is(err, flows.ErrNotFound):
			t.Answer(flows.T("bc.not_found"), true)
			return nil
		case err != nil:
			return flows.InternalError("broadcast", err)
		case !sameScope(t, b):
			t.Answer(flows.T("errors.not_allowed"), true)
			return nil
		}
	}
	err := e.store.CancelBroadcast(ctx, id)
	switch {
	case errors.Is(err, flows.ErrNotFound):
		t.Answer(flows.T("bc.not_found"), true)
	case errors.Is(err, flows.ErrNotCancellable):
		t.Answer(flows.T("bc.already_finished"), true)
	case err != nil:
		return flows.InternalError("cancel broadcast", err)
	default:
		if err := t.Audit(ctx, flows.AuditBcCancel, id, 0); err != nil {
			return err
		}
		t.Answer(flows.T("bc.cancelled"), false)
		t.Say(flows.T("bc.cancelled"))
	}
	return nil
}

func settings(_ context.Context, t *flows.Turn) error {
	t.Say(settingsText(t.User), settingsButtons(t.User)...)
	return nil
}

func settingsText(u *flows.User) flows.Text {
	if u.NoUpdates {
		return flows.T("settings.updates_off")
	}
	return flows.T("settings.updates_on")
}

func settingsButtons(u *flows.User) [][]flows.Button {
	if u.NoUpdates {
		return [][]flows.Button{{{Label: flows.T("settings.turn_on"), Data: flows.MustData(routeUpdates, "on")}}}
	}
	return [][]flows.Button{{{Label: flows.T("settings.turn_off"), Data: flows.MustData(routeUpdates, "off")}}}
}

func toggleSetting(_ context.Context, t *flows.Turn, payload string) error {
	switch payload {
	case "on":
		t.User.NoUpdates = false
	case "off":
		t.User.NoUpdates = true
	default:
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	t.Send(flows.Reply{EditMessageID: t.In.MessageID, Text: settingsText(t.User), Buttons: settingsButtons(t.User)})
	return nil
}
