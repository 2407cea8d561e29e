package broadcast

// A broadcast can also be posted in linked groups, topics and channels
// (flows/groups links them): the step "chats" ticks them.

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// hasChatsKey is set when there were linked chats to offer as the segment
// was chosen (the step "chats" is asked only then); chosenKey holds the
// chats ticked so far, "<chat>/<topic>" joined by ",".
const (
	hasChatsKey = "_haschats"
	chosenKey   = "_chats"
)

// segmentKind answers the segment question and notes whether the step
// "chats" has anything to offer the acting user (postable).
func (e *module) segmentKind(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	v, err := flows.ChoiceAnswer(flows.SegmentKinds()...)(ctx, t, in)
	if err != nil {
		return "", err
	}
	delete(t.Session.Data, hasChatsKey)
	if mayBroadcast(t) {
		links, err := e.postable(ctx, t)
		if err != nil {
			return "", err
		}
		if len(links) > 0 {
			t.Session.Data[hasChatsKey] = "1"
		}
	}
	return v, nil
}

// maxChats is how many linked chats the step "chats" offers.
const maxChats = 12

// postable are the active linked chats the acting user may post a
// broadcast in — never the facilitators' report chats. A national admin
// may post in all the others; a chapter admin in their chapter's: the
// chapter's groups (linked as the chapter's, naming it) and the groups of
// the chapter's workshops, never another chapter's nor the forum's
// announcement chats. Decided from the user's record as it is now.
func (e *module) postable(ctx context.Context, t *flows.Turn) ([]*flows.ChatLink, error) {
	links, err := e.store.ChatLinks(ctx)
	if err != nil {
		return nil, flows.InternalError("chat links", err)
	}
	links = slices.DeleteFunc(links, func(l *flows.ChatLink) bool { return l.Inactive || l.Purpose == flows.PurposeReports })
	switch ch := t.ChapterAdmin(); {
	case t.Role >= flows.RoleAdmin:
	case ch == "":
		links = nil
	default:
		var mine []*flows.ChatLink
		for _, l := range links {
			switch l.Purpose {
			case flows.PurposeChapter:
				if l.Chapter == ch {
					mine = append(mine, l)
				}
			case flows.PurposeWorkshop:
				w, err := e.store.GetWorkshop(ctx, l.Workshop)
				switch {
				case errors.Is(err, flows.ErrNotFound):
				case err != nil:
					return nil, flows.InternalError("get workshop", err)
				case w.Chapter == ch:
					mine = append(mine, l)
				}
			}
		}
		links = mine
	}
	return links[:min(len(links), maxChats)], nil
}

// mayPost keeps of chats those the acting user may post in now.
func (e *module) mayPost(ctx context.Context, t *flows.Turn, chats []flows.ChatTarget) ([]flows.ChatTarget, error) {
	links, err := e.postable(ctx, t)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(chats, func(c flows.ChatTarget) bool {
		return !slices.ContainsFunc(links, func(l *flows.ChatLink) bool { return l.Chat == c.Chat && l.Thread == c.Thread })
	}), nil
}

func chatKey(chat int64, thread int) string {
	return strconv.FormatInt(chat, 10) + "/" + strconv.Itoa(thread)
}

// chosenChats is the set of chats ticked so far.
func chosenChats(d map[string]string) []string {
	if d[chosenKey] == "" {
		return nil
	}
	return strings.Split(d[chosenKey], ",")
}

func chatLabel(l *flows.ChatLink, on bool) flows.Text {
	mark := "▫️"
	if on {
		mark = "✅"
	}
	if l.Thread != 0 {
		return flows.T("bc.chat_topic_button", "Mark", mark, "Title", l.Title, "Thread", l.Thread)
	}
	return flows.T("bc.chat_button", "Mark", mark, "Title", l.Title)
}

// chatsPrompt offers the linked chats as buttons that tick and untick,
// and "Done".
func (e *module) chatsPrompt(ctx context.Context, t *flows.Turn) (flows.Reply, error) {
	links, err := e.postable(ctx, t)
	if err != nil {
		return flows.Reply{}, err
	}
	chosen := chosenChats(t.Session.Data)
	var rows [][]flows.Button
	for i, l := range links {
		rows = append(rows, []flows.Button{t.Choice(chatLabel(l, slices.Contains(chosen, chatKey(l.Chat, l.Thread))), "t"+strconv.Itoa(i))})
	}
	rows = append(rows, []flows.Button{t.Choice(flows.T("bc.chats_done", "Count", len(chosen)), "done")})
	return flows.Reply{Text: flows.T("bc.ask_chats"), Buttons: rows}, nil
}

// chatsAnswer ticks or unticks a chat ("t<n>", the question is redrawn in
// place) or ends the choice ("done"): the answer is the chats chosen that
// are still linked, possibly none.
func (e *module) chatsAnswer(ctx context.Context, t *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindCallback {
		return "", flows.Refuse("errors.use_buttons")
	}
	links, err := e.postable(ctx, t)
	if err != nil {
		return "", err
	}
	chosen := chosenChats(t.Session.Data)
	if in.Callback == "done" {
		var keep []string
		for _, l := range links {
			if k := chatKey(l.Chat, l.Thread); slices.Contains(chosen, k) {
				keep = append(keep, k)
			}
		}
		delete(t.Session.Data, chosenKey)
		return strings.Join(keep, ","), nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(in.Callback, "t"))
	if !strings.HasPrefix(in.Callback, "t") || err != nil || n < 0 || n >= len(links) {
		return "", flows.Refuse("errors.bad_button")
	}
	k := chatKey(links[n].Chat, links[n].Thread)
	if i := slices.Index(chosen, k); i >= 0 {
		chosen = slices.Delete(chosen, i, i+1)
	} else {
		chosen = append(chosen, k)
	}
	t.Session.Data[chosenKey] = strings.Join(chosen, ",")
	r, err := e.chatsPrompt(ctx, t)
	if err != nil {
		return "", err
	}
	r.EditMessageID = in.MessageID
	t.Send(r)
	return "", flows.ErrStay
}

// chatTargets are the chats of the answer to "chats".
func chatTargets(answer string) []flows.ChatTarget {
	var out []flows.ChatTarget
	for _, k := range strings.Split(answer, ",") {
		c, th, ok := strings.Cut(k, "/")
		chat, err1 := strconv.ParseInt(c, 10, 64)
		thread, err2 := strconv.Atoi(th)
		if ok && err1 == nil && err2 == nil && chat < 0 {
			out = append(out, flows.ChatTarget{Chat: chat, Thread: thread})
		}
	}
	return out
}

// chatNames names the chats of a broadcast, one a line, as they are linked now.
func (e *module) chatNames(ctx context.Context, t *flows.Turn, chats []flows.ChatTarget) ([]flows.Text, error) {
	links, err := e.postable(ctx, t)
	if err != nil {
		return nil, err
	}
	var out []flows.Text
	for _, c := range chats {
		title := strconv.FormatInt(c.Chat, 10)
		for _, l := range links {
			if l.Chat == c.Chat && l.Thread == c.Thread {
				title = l.Title
			}
		}
		if c.Thread != 0 {
			out = append(out, flows.T("bc.chat_line_topic", "Title", title, "Thread", c.Thread))
		} else {
			out = append(out, flows.T("bc.chat_line", "Title", title))
		}
	}
	return out, nil
}
