package groups

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"sinergi/flows"
)

// Live workshop cards: a facilitator announces a workshop into linked
// chats (/announce); the card shows its title, time, place, seats and
// deadline with a Register link into the private chat, and a job of kind
// "wcd" edits it in place once a minute at most, and only when what it
// shows changed (seats left, full, closed, cancelled). The edits go through
// the transport's sender, which keeps Telegram's 20 messages a minute per
// group in the budget every replica shares.

// Cards keeps the cards posted for a workshop: one per chat and topic.
type Cards interface {
	// SaveCard stores a posted card (replacing the card of its chat and
	// topic for that workshop).
	SaveCard(ctx context.Context, c *flows.Card) error
	// Cards lists a workshop's cards by chat and topic.
	Cards(ctx context.Context, code string) ([]*flows.Card, error)
	// SetCardState records what a card shows now.
	SetCardState(ctx context.Context, code string, chat int64, thread int, state string) error
	// DeleteCard forgets a card (its chat was unlinked); unknown: no error.
	DeleteCard(ctx context.Context, code string, chat int64, thread int) error
}

// jobCard refreshes a workshop's cards; its args are the workshop's code.
const jobCard = "wcd"

// cardEvery is how often at most a card is edited.
const cardEvery = time.Minute

// card renders w's card for its state at now: the state's short key (what
// the card shows; a change edits it) and the reply.
func (m *module) card(ctx context.Context, w *flows.Workshop, now time.Time) (string, flows.Reply, error) {
	c, err := m.store.Counts(ctx, w.Code)
	if err != nil {
		return "", flows.Reply{}, flows.InternalError("counts", err)
	}
	var state string
	var seats flows.Text
	open := false
	switch {
	case w.Cancelled:
		state, seats = "x", flows.T("groups.card_cancelled")
	case !now.Before(w.Start):
		state, seats = "s", flows.T("groups.card_started")
	case w.Closed || (!w.Deadline.IsZero() && !now.Before(w.Deadline)):
		state, seats = "c", flows.T("groups.card_closed")
	case w.TotalCapacity() == 0:
		state, seats, open = "o", flows.T("groups.card_open"), true
	case c.Confirmed >= w.TotalCapacity():
		state, seats, open = "f", flows.T("groups.card_full"), true
	default:
		left := w.TotalCapacity() - c.Confirmed // a hybrid workshop's seats of both modes
		state, seats, open = "o"+strconv.Itoa(left), flows.T("groups.card_seats", "Count", left), true
	}
	place := flows.T("groups.card_online")
	switch {
	case w.Venue != "" && w.OnlineURL != "":
		place = flows.T("groups.card_hybrid", "Venue", w.Venue)
	case w.Venue != "":
		place = flows.T("groups.card_venue", "Venue", w.Venue)
	}
	rep := flows.Reply{Text: flows.T("groups.card", "Title", w.Title, "When", flows.When{At: w.Start, Zone: w.Zone},
		"Place", place, "Seats", seats, "Deadline", flows.When{At: w.Deadline, Zone: w.Zone})}
	if open {
		rep.Buttons = [][]flows.Button{{{Label: flows.T("groups.card_register"), URL: m.botLink("ws_" + w.Code)}}}
	}
	return state, rep, nil
}

func (m *module) botLink(payload string) string {
	return "https://t.me/" + m.cfg.BotUsername + "?start=" + payload
}

// announce: /announce lists the workshops the facilitator manages that
// have not started.
func (m *module) announce(ctx context.Context, t *flows.Turn) error {
	ws, err := flows.ManagedWorkshops(ctx, m.store, t)
	if err != nil {
		return err
	}
	var rows [][]flows.Button
	for _, w := range ws {
		if w.Cancelled || !w.Start.After(t.Now()) || len(rows) == 12 {
			continue
		}
		rows = append(rows, []flows.Button{{Literal: w.Title, Data: flows.MustData(routeAnnounce, w.Code)}})
	}
	if len(rows) == 0 {
		t.Say(flows.T("groups.no_workshops"))
		return nil
	}
	t.Say(flows.T("groups.announce_which"), rows...)
	return nil
}

// targets are the active links a workshop may be announced in: the forum's
// announcement and chapter chats, and the workshop's own group.
func (m *module) targets(ctx context.Context, code string) ([]*flows.ChatLink, error) {
	links, err := m.store.ChatLinks(ctx)
	if err != nil {
		return nil, flows.InternalError("chat links", err)
	}
	var out []*flows.ChatLink
	for _, l := range links {
		switch {
		case l.Inactive:
		case l.Purpose == flows.PurposeForum, l.Purpose == flows.PurposeChapter,
			l.Purpose == flows.PurposeWorkshop && l.Workshop == code:
			out = append(out, l)
		}
	}
	return out, nil
}

// announceWhere: "groups.announce:<code>" offers the linked chats to post the card in.
func (m *module) announceWhere(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	if w.Hidden() { // only its link (or an invitation) finds it
		t.Answer(flows.T("groups.unlisted"), true)
		return nil
	}
	ls, err := m.targets(ctx, w.Code)
	if err != nil {
		return err
	}
	if len(ls) == 0 {
		t.Say(flows.T("groups.no_targets"))
		return nil
	}
	var rows [][]flows.Button
	for _, l := range ls[:min(len(ls), 20)] {
		label := l.Title
		if l.Thread != 0 {
			label += " #" + strconv.Itoa(l.Thread)
		}
		rows = append(rows, []flows.Button{{Literal: label,
			Data: flows.MustData(routePost, w.Code, strconv.FormatInt(l.Chat, 10), strconv.Itoa(l.Thread))}})
	}
	t.Say(flows.T("groups.announce_where", "Title", w.Title), rows...)
	return nil
}

// post: "groups.post:<code>:<chat>:<thread>" posts the card there; the transport
// tells Posted its message id, and the refresh job is planned.
func (m *module) post(ctx context.Context, t *flows.Turn, w *flows.Workshop, arg string) error {
	if w.Hidden() {
		t.Answer(flows.T("groups.unlisted"), true)
		return nil
	}
	c, th, _ := strings.Cut(arg, ":")
	chat, err1 := strconv.ParseInt(c, 10, 64)
	thread, err2 := strconv.Atoi(th)
	if err1 != nil || err2 != nil {
		t.Answer(flows.T("errors.bad_button"), true)
		return nil
	}
	ls, err := m.targets(ctx, w.Code)
	if err != nil {
		return err
	}
	var target *flows.ChatLink
	for _, l := range ls {
		if l.Chat == chat && l.Thread == thread {
			target = l
		}
	}
	if target == nil {
		t.Answer(flows.T("groups.not_linked"), true)
		return nil
	}
	state, rep, err := m.card(ctx, w, t.Now())
	if err != nil {
		return err
	}
	rep.ChatID, rep.Thread, rep.Lang, rep.Bulk = chat, thread, m.cfg.DefaultLang, true
	rep.Posted = w.Code + "|" + state
	if err := m.store.Schedule(ctx, flows.Job{ID: jobCard + "|" + w.Code, Due: t.Now().Add(cardEvery)}); err != nil {
		return flows.InternalError("schedule card", err)
	}
	if err := t.Audit(ctx, "group_announce", w.Code+" "+linkTarget(target), 0); err != nil {
		return err
	}
	// Said first: should Telegram refuse the card (a deleted topic), the
	// word about that comes after it.
	t.Say(flows.T("groups.announced", "Title", w.Title, "Chat", chatName(target.Title, target.Thread)))
	t.Send(rep)
	return nil
}

// posted records a card the transport has sent (tag "<code>|<state>").
func (m *module) posted(ctx context.Context, tag string, chat int64, thread, msgID int) error {
	code, state, ok := strings.Cut(tag, "|")
	if !ok || msgID == 0 {
		return nil
	}
	if err := m.store.SaveCard(ctx, &flows.Card{Workshop: code, Chat: chat, Thread: thread, MessageID: msgID, State: state}); err != nil {
		return flows.InternalError("save card", err)
	}
	return nil
}

// refresh is the "wcd" job: every card of the workshop whose state changed
// is edited, cards of chats no longer linked are forgotten, and the next
// run is planned while the workshop is still ahead. A card left in a basic
// group that became a supergroup (its link moved there, Was naming the old
// group) cannot be edited any more: while the workshop is open it is posted
// anew in the supergroup, where it is edited from then on.
func (m *module) refresh(ctx context.Context, now time.Time, code string) ([]flows.Reply, error) {
	w, err := m.store.GetWorkshop(ctx, code)
	if errors.Is(err, flows.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, flows.InternalError("get workshop", err)
	}
	cards, err := m.store.Cards(ctx, code)
	if err != nil {
		return nil, flows.InternalError("cards", err)
	}
	if len(cards) == 0 {
		return nil, nil
	}
	links, err := m.store.ChatLinks(ctx)
	if err != nil {
		return nil, flows.InternalError("chat links", err)
	}
	type at struct {
		chat   int64
		thread int
	}
	active, movedTo, hasCard := map[at]bool{}, map[at]int64{}, map[at]bool{}
	for _, l := range links {
		if !l.Inactive {
			active[at{l.Chat, l.Thread}] = true
			if l.Was != 0 {
				movedTo[at{l.Was, l.Thread}] = l.Chat
			}
		}
	}
	for _, c := range cards {
		hasCard[at{c.Chat, c.Thread}] = true
	}
	state, rep, err := m.card(ctx, w, now)
	if err != nil {
		return nil, err
	}
	ahead := !w.Cancelled && now.Before(w.Start)
	var out []flows.Reply
	for _, c := range cards {
		if !active[at{c.Chat, c.Thread}] {
			if err := m.store.DeleteCard(ctx, code, c.Chat, c.Thread); err != nil {
				return nil, flows.InternalError("delete card", err)
			}
			if to := movedTo[at{c.Chat, c.Thread}]; to != 0 && ahead && !hasCard[at{to, c.Thread}] {
				post := rep
				post.ChatID, post.Thread, post.Lang, post.Bulk = to, c.Thread, m.cfg.DefaultLang, true
				post.Posted = code + "|" + state
				out = append(out, post)
				hasCard[at{to, c.Thread}] = true
			}
			continue
		}
		if c.State == state {
			continue
		}
		edit := rep
		edit.ChatID, edit.EditMessageID, edit.Lang, edit.Bulk = c.Chat, c.MessageID, m.cfg.DefaultLang, true
		// Should the group turn out to be a supergroup now, the card is
		// posted there in the same topic (Posted records it).
		edit.Thread, edit.Posted = c.Thread, code+"|"+state
		out = append(out, edit)
		if err := m.store.SetCardState(ctx, code, c.Chat, c.Thread, state); err != nil {
			return nil, flows.InternalError("card state", err)
		}
	}
	if ahead {
		if err := m.store.Schedule(ctx, flows.Job{ID: jobCard + "|" + code, Due: now.Add(cardEvery)}); err != nil {
			return nil, flows.InternalError("schedule card", err)
		}
	}
	return out, nil
}

// groupWorkshops: /workshops in a linked group lists the upcoming
// workshops with their Register links.
func (m *module) groupWorkshops(ctx context.Context, t *flows.Turn) error {
	if ok, err := m.linked(ctx, t.In.ChatID); err != nil || !ok {
		if !ok && err == nil {
			t.Say(flows.T("group.private_only"), []flows.Button{{Label: flows.T("group.open_private"), URL: t.BotLink("")}})
		}
		return err
	}
	ws, n, err := m.store.Upcoming(ctx, t.Now(), 0, 5)
	if err != nil {
		return flows.InternalError("upcoming", err)
	}
	if n == 0 {
		t.Say(flows.T("groups.no_upcoming"))
		return nil
	}
	lines := make([]flows.Text, 0, len(ws))
	var rows [][]flows.Button
	for _, w := range ws {
		lines = append(lines, flows.T("groups.workshop_line", "Title", w.Title, "When", flows.When{At: w.Start, Zone: w.Zone}))
		rows = append(rows, []flows.Button{{Literal: "✅ " + w.Title, URL: t.BotLink("ws_" + w.Code)}})
	}
	t.Say(flows.T("groups.workshops", "Lines", lines), rows...)
	return nil
}

// linked reports whether chat has an active link.
func (m *module) linked(ctx context.Context, chat int64) (bool, error) {
	links, err := m.store.ChatLinks(ctx)
	if err != nil {
		return false, flows.InternalError("chat links", err)
	}
	for _, l := range links {
		if l.Chat == chat && !l.Inactive {
			return true, nil
		}
	}
	return false, nil
}

// groupCommit: /commit in a workshop's group answers with a button into
// the private commitment flow of that workshop; nothing is asked here.
func (m *module) groupCommit(ctx context.Context, t *flows.Turn) error {
	links, err := m.store.ChatLinks(ctx)
	if err != nil {
		return flows.InternalError("chat links", err)
	}
	var found *flows.ChatLink
	for _, l := range links {
		if l.Chat != t.In.ChatID || l.Inactive || l.Purpose != flows.PurposeWorkshop {
			continue
		}
		if found == nil || l.Thread == t.In.Thread {
			found = l
		}
	}
	if found == nil {
		t.Say(flows.T("groups.commit_no_workshop"))
		return nil
	}
	w, err := m.store.GetWorkshop(ctx, found.Workshop)
	if errors.Is(err, flows.ErrNotFound) {
		t.Say(flows.T("groups.commit_no_workshop"))
		return nil
	}
	if err != nil {
		return flows.InternalError("get workshop", err)
	}
	t.Say(flows.T("groups.commit", "Title", w.Title),
		[]flows.Button{{Label: flows.T("groups.commit_button"), URL: t.BotLink("cm_" + w.Code)}})
	return nil
}
