// Package groups is the capability of the forum's own Telegram spaces:
// linking a group, a forum topic or a channel to Sinergi (/linkgroup in the
// group, /linkchannel or a forwarded post in private), listing and
// unlinking them (/groups), and following what Telegram does to them (the
// bot removed, a group upgraded to a supergroup).
//
// Who may link is checked twice: their Sinergi role (admin or facilitator,
// from Sinergi's records) and their standing in the Telegram chat, which
// the transport asks Telegram for (getChatMember, Input.Member) and never
// takes from the update. Nothing about a group's members is stored.
package groups

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Links keeps the linked chats. A chat and topic has one link; linking it
// again while it is active is refused (ErrAlreadyLinked with the link in
// force), linking it again once inactive replaces the old link.
type Links interface {
	// LinkChat stores l (active); an active link of l's chat and topic
	// wins: it is returned with flows.ErrAlreadyLinked and nothing changes.
	LinkChat(ctx context.Context, l *flows.ChatLink) (*flows.ChatLink, error)
	// ChatLinks lists every link, by chat id and topic.
	ChatLinks(ctx context.Context) ([]*flows.ChatLink, error)
	// UnlinkChat removes the link of a chat and topic and returns it
	// (flows.ErrNotFound when there is none).
	UnlinkChat(ctx context.Context, chat int64, thread int) (*flows.ChatLink, error)
	// DeactivateChat marks every active link of chat inactive and returns
	// the links it changed.
	DeactivateChat(ctx context.Context, chat int64) ([]*flows.ChatLink, error)
	// DeactivateLink marks the link of one chat and topic inactive and
	// returns it, or nil when there was no active one.
	DeactivateLink(ctx context.Context, chat int64, thread int) (*flows.ChatLink, error)
	// MoveChat moves every link of chat from to chat to (a group upgraded
	// to a supergroup) and returns the links moved; a link to already
	// present there is kept and the old one dropped.
	MoveChat(ctx context.Context, from, to int64) ([]*flows.ChatLink, error)
}

// Store is what the groups capability needs: its links, users (to write
// to whoever linked a chat in their language) and workshops (to link a
// workshop's groups).
type Store interface {
	Links
	Cards
	flows.Users
	flows.WorkshopGetter
	flows.Facilitations
	flows.Jobs
	flows.ChapterReader // the chapter a chapter's group belongs to
	Counts(ctx context.Context, code string) (flows.Counts, error)
	Upcoming(ctx context.Context, from time.Time, offset, limit int) ([]*flows.Workshop, int, error)
}

// The groups capability's callback routes, "<name>:<payload>".
const (
	routeLink     = "groups.link"     // f|c[:<chapter id>]|r|w[:<code>]: links the group (in the group)
	routeUnlink   = "groups.unlink"   // <chat>:<thread>: unlinks a chat (/groups)
	routeAnnounce = "groups.announce" // <code>: the linked chats for a workshop's card
	routePost     = "groups.post"     // <code>:<chat>:<thread>: posts the live card
)

// Module is the capability of linked groups, topics and channels.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		r.Namespace("groups")
		m := &module{store: st, cfg: r.Config()}
		r.GroupCommand(&flows.Command{Name: "linkgroup", Role: flows.RoleFacilitator, Describe: "cmd.linkgroup", CheckMember: true, Run: m.linkGroup})
		r.Route(&flows.Route{Name: routeLink, Role: flows.RoleFacilitator, Group: true, CheckMember: true, Run: m.choose})
		r.Command(&flows.Command{Name: "groups", Role: flows.RoleAdmin, Describe: "cmd.groups", Run: m.list})
		r.Command(&flows.Command{Name: "linkchannel", Role: flows.RoleAdmin, CheckMember: true, Run: m.linkChannel})
		r.Route(&flows.Route{Name: routeUnlink, Role: flows.RoleAdmin, Run: m.unlink})
		r.Command(&flows.Command{Name: "announce", Role: flows.RoleFacilitator, Describe: "cmd.announce", Run: m.announce})
		r.Route(&flows.Route{Name: routeAnnounce, Role: flows.RoleFacilitator, Run: flows.Managed(st, m.announceWhere)})
		r.Route(&flows.Route{Name: routePost, Role: flows.RoleFacilitator, Run: flows.Managed(st, m.post)})
		r.Job(jobCard, m.refresh)
		r.GroupCommand(&flows.Command{Name: "workshops", Describe: "cmd.workshops", Run: m.groupWorkshops})
		r.GroupCommand(&flows.Command{Name: "commit", Describe: "cmd.commit", Run: m.groupCommit})
		r.OnChats(&flows.ChatEvents{Event: m.event, Forwarded: m.forwarded, Gone: m.gone, TopicGone: m.topicGone, Moved: m.moved, Posted: m.posted, Linked: m.linkedTo})
	})
}

type module struct {
	store Store
	cfg   flows.Config
}

// Purpose codes in button data.
var purposes = map[string]string{
	"f": flows.PurposeForum, "c": flows.PurposeChapter, "w": flows.PurposeWorkshop, "r": flows.PurposeReports,
}

// purposeText names a link's purpose (with its workshop, when it has one).
func purposeText(l *flows.ChatLink) flows.Text {
	if l.Workshop != "" {
		return flows.T("groups.purpose_of_workshop", "Purpose", flows.T("groups.purpose."+l.Purpose), "Code", l.Workshop)
	}
	return flows.T("groups.purpose." + l.Purpose)
}

// chatName is the chat's title, with its topic when it is one.
func chatName(title string, thread int) flows.Text {
	if thread != 0 {
		return flows.T("groups.chat_topic", "Title", title, "Thread", thread)
	}
	return flows.T("groups.chat", "Title", title)
}

// standing checks, in a group, that the sender administers it and that the
// bot may post there; it says why not (in the group, or privately when the
// bot cannot post) and returns false.
func (m *module) standing(t *flows.Turn) bool {
	mem := t.In.Member
	refuse := func(text flows.Text) bool {
		if t.In.Kind == flows.KindCallback {
			t.Answer(text, true)
		} else {
			t.Say(text)
		}
		return false
	}
	switch {
	case mem == nil || mem.Failed || mem.Chat != t.In.ChatID:
		return refuse(flows.T("groups.check_failed"))
	case !mem.BotCanPost:
		// Nothing can be said in the group: the answer goes privately.
		t.Send(flows.Reply{ChatID: t.User.ID, Text: flows.T("groups.cannot_post", "Chat", chatName(mem.Title, 0))})
		if t.In.Kind == flows.KindCallback {
			t.Answer(flows.T("groups.cannot_post_short"), true)
		}
		return false
	case !mem.UserIsAdmin():
		return refuse(flows.T("groups.not_group_admin"))
	}
	return true
}

// linkGroup: /linkgroup in a group or topic offers what to link it as.
func (m *module) linkGroup(ctx context.Context, t *flows.Turn) error {
	if !m.standing(t) {
		return nil
	}
	if l, err := m.current(ctx, t.In.ChatID, t.In.Thread); err != nil {
		return err
	} else if l != nil {
		t.Say(flows.T("groups.already_linked", "Purpose", purposeText(l)))
		return nil
	}
	t.Say(flows.T("groups.choose_purpose", "Chat", chatName(t.In.Member.Title, t.In.Thread)),
		[]flows.Button{{Label: flows.T("groups.purpose.forum"), Data: flows.MustData(routeLink, "f")},
			{Label: flows.T("groups.purpose.chapter"), Data: flows.MustData(routeLink, "c")}},
		[]flows.Button{{Label: flows.T("groups.purpose.workshop"), Data: flows.MustData(routeLink, "w")},
			{Label: flows.T("groups.purpose.reports"), Data: flows.MustData(routeLink, "r")}})
	return nil
}

// current is the active link of a chat and topic (nil: none).
func (m *module) current(ctx context.Context, chat int64, thread int) (*flows.ChatLink, error) {
	links, err := m.store.ChatLinks(ctx)
	if err != nil {
		return nil, flows.InternalError("chat links", err)
	}
	for _, l := range links {
		if l.Chat == chat && l.Thread == thread && !l.Inactive {
			return l, nil
		}
	}
	return nil, nil
}

// choose: a purpose button under /linkgroup ("groups.link:f", "groups.link:w", "groups.link:w:<code>").
func (m *module) choose(ctx context.Context, t *flows.Turn, payload string) error {
	code, arg, _ := strings.Cut(payload, ":")
	purpose, ok := purposes[code]
	if !ok {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	if !m.standing(t) {
		return nil
	}
	l := &flows.ChatLink{Chat: t.In.ChatID, Thread: t.In.Thread, Title: t.In.Member.Title, Type: t.In.Member.Type,
		Purpose: purpose, By: t.User.ID, At: t.Now()}
	if purpose == flows.PurposeWorkshop || purpose == flows.PurposeReports {
		if arg == "" {
			return m.chooseWorkshop(ctx, t, code)
		}
		w, err := m.store.GetWorkshop(ctx, arg)
		if errors.Is(err, flows.ErrNotFound) {
			t.Answer(flows.T("ws.not_found"), true)
			return nil
		}
		if err != nil {
			return flows.InternalError("get workshop", err)
		}
		if !t.CanManage(w) {
			t.Answer(flows.T("errors.not_allowed"), true)
			return nil
		}
		l.Workshop = w.Code
	}
	if purpose == flows.PurposeChapter {
		if arg == "" {
			// An old purpose button in a linked chat: the link in force.
			if cur, err := m.current(ctx, t.In.ChatID, t.In.Thread); err != nil {
				return err
			} else if cur != nil {
				t.Send(m.inPlace(t, flows.T("groups.already_linked", "Purpose", purposeText(cur))))
				return nil
			}
			return m.chooseChapter(ctx, t)
		}
		c, err := m.store.GetChapter(ctx, arg)
		if errors.Is(err, flows.ErrNotFound) {
			t.Answer(flows.T("chapters.not_found"), true)
			return nil
		}
		if err != nil {
			return flows.InternalError("get chapter", err)
		}
		if !mayLinkChapter(t, c.ID) {
			t.Answer(flows.T("errors.not_allowed"), true)
			return nil
		}
		l.Chapter = c.ID
	}
	return m.link(ctx, t, l)
}

// mayLinkChapter: national admins link a group to any chapter, a chapter
// admin to theirs only.
func mayLinkChapter(t *flows.Turn, id string) bool {
	return t.Role >= flows.RoleAdmin || (t.ChapterAdmin() != "" && t.ChapterAdmin() == id)
}

// chooseChapter lists the chapters the presser may link the group to, as
// buttons (a chapter admin's own only).
func (m *module) chooseChapter(ctx context.Context, t *flows.Turn) error {
	chs, err := m.store.ListChapters(ctx)
	if err != nil {
		return flows.InternalError("list chapters", err)
	}
	var rows [][]flows.Button
	for _, c := range chs {
		if mayLinkChapter(t, c.ID) && len(rows) < 8 {
			rows = append(rows, []flows.Button{{Literal: c.Name, Data: flows.MustData(routeLink, "c", c.ID)}})
		}
	}
	if len(rows) == 0 {
		t.Answer(flows.T("groups.no_chapters"), true)
		return nil
	}
	t.Send(flows.Reply{EditMessageID: t.In.MessageID, Text: flows.T("groups.choose_chapter"), Buttons: rows})
	return nil
}

// chooseWorkshop lists the workshops the presser manages that have not
// ended, as buttons.
func (m *module) chooseWorkshop(ctx context.Context, t *flows.Turn, code string) error {
	ws, err := flows.ManagedWorkshops(ctx, m.store, t)
	if err != nil {
		return err
	}
	var rows [][]flows.Button
	for _, w := range ws {
		if w.Cancelled || w.End.Before(t.Now()) || len(rows) == 8 {
			continue
		}
		rows = append(rows, []flows.Button{{Literal: w.Title, Data: flows.MustData(routeLink, code, w.Code)}})
	}
	if len(rows) == 0 {
		t.Answer(flows.T("groups.no_workshops"), true)
		return nil
	}
	t.Send(flows.Reply{EditMessageID: t.In.MessageID, Text: flows.T("groups.choose_workshop"), Buttons: rows})
	return nil
}

// link stores l and confirms in the chat (the purpose message becomes the
// confirmation), or says which link is in force.
func (m *module) link(ctx context.Context, t *flows.Turn, l *flows.ChatLink) error {
	existing, err := m.store.LinkChat(ctx, l)
	if errors.Is(err, flows.ErrAlreadyLinked) {
		t.Send(m.inPlace(t, flows.T("groups.already_linked", "Purpose", purposeText(existing))))
		return nil
	}
	if err != nil {
		return flows.InternalError("link chat", err)
	}
	if err := t.Audit(ctx, "group_link", linkTarget(l), 0); err != nil {
		return err
	}
	t.Send(m.inPlace(t, flows.T("groups.linked", "Chat", chatName(l.Title, l.Thread), "Purpose", purposeText(l))))
	return nil
}

// inPlace edits the pressed message, or says text anew for a command.
func (m *module) inPlace(t *flows.Turn, text flows.Text) flows.Reply {
	if t.In.Kind == flows.KindCallback {
		return flows.Reply{EditMessageID: t.In.MessageID, Text: text}
	}
	return flows.Reply{Text: text}
}

func linkTarget(l *flows.ChatLink) string {
	s := strconv.FormatInt(l.Chat, 10)
	if l.Thread != 0 {
		s += "/" + strconv.Itoa(l.Thread)
	}
	return s
}

// list: /groups shows every linked chat with an unlink button each.
func (m *module) list(ctx context.Context, t *flows.Turn) error {
	links, err := m.store.ChatLinks(ctx)
	if err != nil {
		return flows.InternalError("chat links", err)
	}
	if len(links) == 0 {
		t.Say(flows.T("groups.list_empty"))
		return nil
	}
	lines := make([]flows.Text, 0, len(links))
	var rows [][]flows.Button
	for i, l := range links {
		state := flows.Text{ID: "groups.state_active"}
		if l.Inactive {
			state = flows.T("groups.state_inactive")
		}
		lines = append(lines, flows.T("groups.list_item", "N", i+1, "Chat", chatName(l.Title, l.Thread), "Purpose", purposeText(l), "State", state))
		if len(rows) < 20 {
			rows = append(rows, []flows.Button{{Label: flows.T("groups.unlink", "N", i+1),
				Data: flows.MustData(routeUnlink, strconv.FormatInt(l.Chat, 10), strconv.Itoa(l.Thread))}})
		}
	}
	t.Say(flows.T("groups.list", "Count", len(links), "Lines", lines), rows...)
	return nil
}

// unlink: "groups.unlink:<chat>:<thread>" removes a link.
func (m *module) unlink(ctx context.Context, t *flows.Turn, payload string) error {
	c, th, _ := strings.Cut(payload, ":")
	chat, err1 := strconv.ParseInt(c, 10, 64)
	thread, err2 := strconv.Atoi(th)
	if err1 != nil || err2 != nil || chat >= 0 {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	l, err := m.store.UnlinkChat(ctx, chat, thread)
	if errors.Is(err, flows.ErrNotFound) {
		t.Answer(flows.T("groups.not_linked"), true)
		return nil
	}
	if err != nil {
		return flows.InternalError("unlink chat", err)
	}
	if err := t.Audit(ctx, "group_unlink", linkTarget(l), 0); err != nil {
		return err
	}
	t.Say(flows.T("groups.unlinked", "Chat", chatName(l.Title, l.Thread)))
	return nil
}

// linkChannel: "/linkchannel @name" in private links a channel the sender
// and the bot administer (the bot with the right to post).
func (m *module) linkChannel(ctx context.Context, t *flows.Turn) error {
	if t.In.Member == nil {
		t.Say(flows.T("groups.linkchannel_usage"))
		return nil
	}
	return m.linkChannelOf(ctx, t)
}

// forwarded: a channel post forwarded by an admin (outside a flow) in
// private links that channel.
func (m *module) forwarded(ctx context.Context, t *flows.Turn) error {
	return m.linkChannelOf(ctx, t)
}

func (m *module) linkChannelOf(ctx context.Context, t *flows.Turn) error {
	mem := t.In.Member
	switch {
	case mem == nil || mem.Failed:
		t.Say(flows.T("groups.channel_unknown"))
		return nil
	case mem.Type != "channel":
		t.Say(flows.T("groups.not_a_channel"))
		return nil
	case !mem.BotCanPost:
		t.Say(flows.T("groups.channel_bot_not_admin", "Chat", chatName(mem.Title, 0)))
		return nil
	case !mem.UserIsAdmin():
		t.Say(flows.T("groups.channel_not_admin", "Chat", chatName(mem.Title, 0)))
		return nil
	}
	return m.link(ctx, t, &flows.ChatLink{Chat: mem.Chat, Title: mem.Title, Type: mem.Type,
		Purpose: flows.PurposeForum, By: t.User.ID, At: t.Now()})
}

// event: the bot's membership of a group or channel changed, or a group
// became a supergroup.
func (m *module) event(ctx context.Context, t *flows.Turn) error {
	if t.In.Kind == flows.KindMigrated {
		return m.moved(ctx, t.In.MigrateFrom, t.In.MigrateTo, t.Now())
	}
	switch t.In.BotStatus {
	case "left", "kicked", "restricted":
		if t.In.BotCanPost {
			return nil
		}
		replies, err := m.gone(ctx, t.In.ChatID, t.Now())
		for _, r := range replies {
			t.Send(r)
		}
		return err
	case "member", "administrator":
		if t.In.BotJoined && t.In.ChatType != "channel" && t.In.BotCanPost {
			t.Say(flows.T("groups.hello"))
		}
	}
	return nil
}

// gone: chat removed the bot or no longer lets it post: its links become
// inactive, and whoever linked each is told (in private, in their language).
func (m *module) gone(ctx context.Context, chat int64, _ time.Time) ([]flows.Reply, error) {
	links, err := m.store.DeactivateChat(ctx, chat)
	if err != nil {
		return nil, flows.InternalError("deactivate chat", err)
	}
	return m.tellLinkers(ctx, links, "groups.removed")
}

// topicGone: a linked forum topic was deleted: its link becomes inactive
// and whoever linked it is told.
func (m *module) topicGone(ctx context.Context, chat int64, thread int, _ time.Time) ([]flows.Reply, error) {
	l, err := m.store.DeactivateLink(ctx, chat, thread)
	if err != nil {
		return nil, flows.InternalError("deactivate link", err)
	}
	if l == nil {
		return nil, nil
	}
	return m.tellLinkers(ctx, []*flows.ChatLink{l}, "groups.topic_gone")
}

// tellLinkers tells whoever linked each of links, in private and in their
// language, that it stopped working (message id msg).
func (m *module) tellLinkers(ctx context.Context, links []*flows.ChatLink, msg string) ([]flows.Reply, error) {
	var out []flows.Reply
	for _, l := range links {
		u, err := m.store.GetUser(ctx, l.By)
		switch {
		case errors.Is(err, flows.ErrNotFound):
			continue // forgotten meanwhile: no one to tell
		case err != nil:
			return out, flows.InternalError("get user", err)
		case u.Inactive:
			continue
		}
		out = append(out, flows.Reply{ChatID: l.By, Lang: u.Lang, Bulk: true,
			Text: flows.T(msg, "Chat", chatName(l.Title, l.Thread), "Purpose", purposeText(l))})
	}
	return out, nil
}

// moved follows a group upgraded to a supergroup.
func (m *module) moved(ctx context.Context, from, to int64, _ time.Time) error {
	if from == 0 || to == 0 || from == to {
		return nil
	}
	if _, err := m.store.MoveChat(ctx, from, to); err != nil {
		return flows.InternalError(fmt.Sprintf("move chat %d to %d", from, to), err)
	}
	return nil
}

// linkedTo lists the active links of workshop code for purpose.
func (m *module) linkedTo(ctx context.Context, code, purpose string) ([]*flows.ChatLink, error) {
	links, err := m.store.ChatLinks(ctx)
	if err != nil {
		return nil, flows.InternalError("chat links", err)
	}
	var out []*flows.ChatLink
	for _, l := range links {
		if !l.Inactive && l.Workshop == code && l.Purpose == purpose {
			out = append(out, l)
		}
	}
	return out, nil
}
