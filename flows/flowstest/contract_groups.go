package flowstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/groups"
)

// LinksAndCards is what the groups capability keeps: linked chats and
// live cards.
type LinksAndCards interface {
	groups.Links
	groups.Cards
}

// RunLinksContract runs the rules of linked chats against a fresh store per
// case: one active link per chat and topic, an inactive one replaced by a
// new link, deactivation of a whole chat, unlinking, a group's move to the
// supergroup it became, and a workshop's live cards.
func RunLinksContract(t *testing.T, open func(t *testing.T) LinksAndCards) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	const chat, forum, super = -4001, -1002000000001, -1002000004001
	link := func(chat int64, thread int, purpose string) *flows.ChatLink {
		return &flows.ChatLink{Chat: chat, Thread: thread, Title: "Forum Air", Type: "supergroup", Purpose: purpose, Workshop: "", By: 7, At: at}
	}
	mustLink := func(t *testing.T, s LinksAndCards, l *flows.ChatLink) {
		t.Helper()
		if cur, err := s.LinkChat(ctx, l); err != nil || cur != nil {
			t.Fatalf("LinkChat %d/%d: %+v, %v", l.Chat, l.Thread, cur, err)
		}
	}
	list := func(t *testing.T, s LinksAndCards) []flows.ChatLink {
		t.Helper()
		ls, err := s.ChatLinks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]flows.ChatLink, len(ls))
		for i, l := range ls {
			out[i] = *l
		}
		return out
	}
	same := func(a, b flows.ChatLink) bool {
		return a.Chat == b.Chat && a.Thread == b.Thread && a.Title == b.Title && a.Type == b.Type && a.Purpose == b.Purpose &&
			a.Workshop == b.Workshop && a.Chapter == b.Chapter && a.By == b.By && a.At.Equal(b.At) && a.Inactive == b.Inactive
	}
	cases := []struct {
		name string
		run  func(t *testing.T, s LinksAndCards)
	}{
		{"a link reads back whole, links in chat and topic order", func(t *testing.T, s LinksAndCards) {
			w := link(forum, 12, flows.PurposeWorkshop)
			w.Workshop = "ABC234"
			mustLink(t, s, w)
			mustLink(t, s, link(forum, 0, flows.PurposeForum))
			c := link(chat, 0, flows.PurposeChapter)
			c.Chapter = "jabar2"
			mustLink(t, s, c)
			got := list(t, s)
			want := []flows.ChatLink{*link(forum, 0, flows.PurposeForum), *w, *c}
			if len(got) != 3 || !same(got[0], want[0]) || !same(got[1], want[1]) || !same(got[2], want[2]) {
				t.Fatalf("ChatLinks: %+v\nwant %+v", got, want)
			}
		}},
		{"the same chat and topic twice: the first link stays", func(t *testing.T, s LinksAndCards) {
			mustLink(t, s, link(forum, 12, flows.PurposeForum))
			cur, err := s.LinkChat(ctx, link(forum, 12, flows.PurposeReports))
			if !errors.Is(err, flows.ErrAlreadyLinked) || cur == nil || cur.Purpose != flows.PurposeForum || cur.Chat != forum || cur.Thread != 12 {
				t.Fatalf("second LinkChat: %+v, %v", cur, err)
			}
			if got := list(t, s); len(got) != 1 || got[0].Purpose != flows.PurposeForum {
				t.Fatalf("after the refusal: %+v", got)
			}
		}},
		{"deactivation marks every link of the chat, once", func(t *testing.T, s LinksAndCards) {
			mustLink(t, s, link(forum, 0, flows.PurposeForum))
			mustLink(t, s, link(forum, 12, flows.PurposeChapter))
			mustLink(t, s, link(chat, 0, flows.PurposeChapter))
			off, err := s.DeactivateChat(ctx, forum)
			if err != nil || len(off) != 2 || off[0].Thread != 0 || off[1].Thread != 12 || !off[0].Inactive || off[0].By != 7 {
				t.Fatalf("DeactivateChat: %+v, %v", off, err)
			}
			if again, err := s.DeactivateChat(ctx, forum); err != nil || len(again) != 0 {
				t.Fatalf("second DeactivateChat: %+v, %v", again, err)
			}
			got := list(t, s)
			if !got[0].Inactive || !got[1].Inactive || got[2].Inactive {
				t.Fatalf("after deactivation: %+v", got)
			}
		}},
		{"one topic's link deactivated, once; the others stay", func(t *testing.T, s LinksAndCards) {
			mustLink(t, s, link(forum, 0, flows.PurposeForum))
			mustLink(t, s, link(forum, 12, flows.PurposeChapter))
			l, err := s.DeactivateLink(ctx, forum, 12)
			if err != nil || l == nil || l.Chat != forum || l.Thread != 12 || !l.Inactive || l.Purpose != flows.PurposeChapter {
				t.Fatalf("DeactivateLink: %+v, %v", l, err)
			}
			if l, err := s.DeactivateLink(ctx, forum, 12); err != nil || l != nil {
				t.Fatalf("second DeactivateLink: %+v, %v", l, err)
			}
			if l, err := s.DeactivateLink(ctx, forum, 99); err != nil || l != nil {
				t.Fatalf("DeactivateLink of nothing: %+v, %v", l, err)
			}
			if got := list(t, s); got[0].Inactive || !got[1].Inactive {
				t.Fatalf("after: %+v", got)
			}
		}},
		{"an inactive link is replaced by linking again", func(t *testing.T, s LinksAndCards) {
			mustLink(t, s, link(forum, 0, flows.PurposeForum))
			if _, err := s.DeactivateChat(ctx, forum); err != nil {
				t.Fatal(err)
			}
			mustLink(t, s, link(forum, 0, flows.PurposeChapter))
			if got := list(t, s); len(got) != 1 || got[0].Inactive || got[0].Purpose != flows.PurposeChapter {
				t.Fatalf("relinked: %+v", got)
			}
		}},
		{"unlinking removes one link and returns it", func(t *testing.T, s LinksAndCards) {
			mustLink(t, s, link(forum, 0, flows.PurposeForum))
			mustLink(t, s, link(forum, 12, flows.PurposeChapter))
			l, err := s.UnlinkChat(ctx, forum, 12)
			if err != nil || !same(*l, *link(forum, 12, flows.PurposeChapter)) {
				t.Fatalf("UnlinkChat: %+v, %v", l, err)
			}
			if _, err := s.UnlinkChat(ctx, forum, 12); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("second UnlinkChat: %v", err)
			}
			if got := list(t, s); len(got) != 1 || got[0].Thread != 0 {
				t.Fatalf("after unlinking: %+v", got)
			}
		}},
		{"a group's links follow it to the supergroup, inactive ones stay inactive", func(t *testing.T, s LinksAndCards) {
			mustLink(t, s, link(chat, 0, flows.PurposeChapter))
			mustLink(t, s, link(-4002, 0, flows.PurposeForum))
			moved, err := s.MoveChat(ctx, chat, super)
			if err != nil || len(moved) != 1 || moved[0].Chat != super || moved[0].Purpose != flows.PurposeChapter || moved[0].Was != chat {
				t.Fatalf("MoveChat: %+v, %v", moved, err)
			}
			if again, err := s.MoveChat(ctx, chat, super); err != nil || len(again) != 0 {
				t.Fatalf("second MoveChat: %+v, %v", again, err)
			}
			got := list(t, s)
			if len(got) != 2 || got[0].Chat != super || got[0].Was != chat || got[1].Chat != -4002 || got[1].Was != 0 {
				t.Fatalf("after the move: %+v", got)
			}
			if _, err := s.DeactivateChat(ctx, -4002); err != nil {
				t.Fatal(err)
			}
			if moved, err := s.MoveChat(ctx, -4002, -1002000004002); err != nil || len(moved) != 1 || !moved[0].Inactive {
				t.Fatalf("moving an inactive link: %+v, %v", moved, err)
			}
		}},
		{"a move onto a chat linked already keeps that link", func(t *testing.T, s LinksAndCards) {
			mustLink(t, s, link(chat, 0, flows.PurposeChapter))
			mustLink(t, s, link(super, 0, flows.PurposeForum))
			if moved, err := s.MoveChat(ctx, chat, super); err != nil || len(moved) != 0 {
				t.Fatalf("MoveChat: %+v, %v", moved, err)
			}
			if got := list(t, s); len(got) != 1 || got[0].Chat != super || got[0].Purpose != flows.PurposeForum || got[0].Was != chat {
				t.Fatalf("after the move: %+v", got)
			}
		}},
		{"cards: one per chat and topic, in order, state set only on a card", func(t *testing.T, s LinksAndCards) {
			for _, c := range []flows.Card{{Workshop: "ABC234", Chat: forum, Thread: 12, MessageID: 5, State: "o3"},
				{Workshop: "ABC234", Chat: chat, MessageID: 9, State: "o3"}, {Workshop: "ABC234", Chat: forum, Thread: 12, MessageID: 6, State: "o2"},
				{Workshop: "XYZ234", Chat: forum, MessageID: 1, State: "f"}} {
				if err := s.SaveCard(ctx, &c); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.SetCardState(ctx, "ABC234", chat, 0, "f"); err != nil {
				t.Fatal(err)
			}
			if err := s.SetCardState(ctx, "ABC234", super, 0, "f"); err != nil {
				t.Fatal(err)
			}
			cs, err := s.Cards(ctx, "ABC234")
			want := []flows.Card{{Workshop: "ABC234", Chat: forum, Thread: 12, MessageID: 6, State: "o2"}, {Workshop: "ABC234", Chat: chat, MessageID: 9, State: "f"}}
			if err != nil || len(cs) != 2 || *cs[0] != want[0] || *cs[1] != want[1] {
				t.Fatalf("Cards: %+v, %v; want %+v", cs, err, want)
			}
			if err := s.DeleteCard(ctx, "ABC234", forum, 12); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteCard(ctx, "ABC234", forum, 99); err != nil {
				t.Fatal(err)
			}
			if cs, err := s.Cards(ctx, "ABC234"); err != nil || len(cs) != 1 || cs[0].Chat != chat {
				t.Fatalf("after delete: %+v, %v", cs, err)
			}
			if cs, err := s.Cards(ctx, "NONE23"); err != nil || len(cs) != 0 {
				t.Fatalf("no cards: %+v, %v", cs, err)
			}
		}},
		{"nothing linked: empty answers", func(t *testing.T, s LinksAndCards) {
			if got := list(t, s); len(got) != 0 {
				t.Fatalf("ChatLinks: %+v", got)
			}
			if off, err := s.DeactivateChat(ctx, chat); err != nil || len(off) != 0 {
				t.Fatalf("DeactivateChat: %+v, %v", off, err)
			}
			if _, err := s.UnlinkChat(ctx, chat, 0); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("UnlinkChat: %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}
