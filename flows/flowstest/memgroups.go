package flowstest

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"sinergi/flows"
)

// The fake's linked chats (groups.Links), alike with store/groups.go: one
// link per chat and topic, kept inactive rather than dropped when the bot
// is removed.

type linkKey struct {
	chat   int64
	thread int
}

func (m *Store) linksLocked() map[linkKey]flows.ChatLink {
	if m.links == nil {
		m.links = map[linkKey]flows.ChatLink{}
	}
	return m.links
}

// stored is the link as Redis keeps it (a time without its monotonic
// reading, as after a round trip through JSON).
func stored(l flows.ChatLink) flows.ChatLink {
	l.At = l.At.Round(0)
	return l
}

func (m *Store) LinkChat(_ context.Context, l *flows.ChatLink) (*flows.ChatLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	links := m.linksLocked()
	k := linkKey{l.Chat, l.Thread}
	if cur, ok := links[k]; ok && !cur.Inactive {
		return &cur, flows.ErrAlreadyLinked
	}
	nl := stored(*l)
	nl.Inactive = false
	links[k] = nl
	return nil, nil
}

func (m *Store) ChatLinks(_ context.Context) ([]*flows.ChatLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*flows.ChatLink, 0, len(m.links))
	for _, l := range m.links {
		out = append(out, &l)
	}
	sortLinks(out)
	return out, nil
}

func sortLinks(ls []*flows.ChatLink) {
	slices.SortFunc(ls, func(a, b *flows.ChatLink) int {
		if a.Chat != b.Chat {
			if a.Chat < b.Chat {
				return -1
			}
			return 1
		}
		return a.Thread - b.Thread
	})
}

func (m *Store) UnlinkChat(_ context.Context, chat int64, thread int) (*flows.ChatLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := linkKey{chat, thread}
	l, ok := m.links[k]
	if !ok {
		return nil, flows.ErrNotFound
	}
	delete(m.links, k)
	return &l, nil
}

func (m *Store) DeactivateChat(_ context.Context, chat int64) ([]*flows.ChatLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.ChatLink
	for k, l := range m.links {
		if k.chat == chat && !l.Inactive {
			l.Inactive = true
			m.links[k] = l
			out = append(out, &l)
		}
	}
	sortLinks(out)
	return out, nil
}

func (m *Store) MoveChat(_ context.Context, from, to int64) ([]*flows.ChatLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*flows.ChatLink
	for k, l := range m.links {
		if k.chat != from {
			continue
		}
		delete(m.links, k)
		nk := linkKey{to, k.thread}
		if cur, taken := m.links[nk]; taken {
			if cur.Was == 0 {
				cur.Was = from
				m.links[nk] = cur
			}
			continue
		}
		l.Chat = to
		if l.Was == 0 {
			l.Was = from
		}
		m.links[nk] = l
		out = append(out, &l)
	}
	sortLinks(out)
	return out, nil
}

// linkSnapshot lists the links for Snapshot.
func (m *Store) linkSnapshotLocked() string {
	var b strings.Builder
	keys := make([]linkKey, 0, len(m.links))
	for k := range m.links {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b linkKey) int {
		if a.chat != b.chat {
			if a.chat < b.chat {
				return -1
			}
			return 1
		}
		return a.thread - b.thread
	})
	for _, k := range keys {
		l := m.links[k]
		b.WriteString(strconv.FormatInt(k.chat, 10) + ":" + strconv.Itoa(k.thread) + "=" + l.Purpose + "/" + l.Workshop + "/" + strconv.FormatBool(l.Inactive) + ";")
	}
	return b.String()
}

// The fake's live cards (groups.Cards), alike with store/groups.go.

func (m *Store) SaveCard(_ context.Context, c *flows.Card) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cards == nil {
		m.cards = map[string]map[linkKey]flows.Card{}
	}
	if m.cards[c.Workshop] == nil {
		m.cards[c.Workshop] = map[linkKey]flows.Card{}
	}
	m.cards[c.Workshop][linkKey{c.Chat, c.Thread}] = *c
	return nil
}

func (m *Store) Cards(_ context.Context, code string) ([]*flows.Card, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*flows.Card, 0, len(m.cards[code]))
	for _, c := range m.cards[code] {
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *flows.Card) int {
		if a.Chat != b.Chat {
			if a.Chat < b.Chat {
				return -1
			}
			return 1
		}
		return a.Thread - b.Thread
	})
	return out, nil
}

func (m *Store) SetCardState(_ context.Context, code string, chat int64, thread int, state string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := linkKey{chat, thread}
	if c, ok := m.cards[code][k]; ok {
		c.State = state
		m.cards[code][k] = c
	}
	return nil
}

func (m *Store) DeleteCard(_ context.Context, code string, chat int64, thread int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.cards[code], linkKey{chat, thread})
	return nil
}

func (m *Store) DeactivateLink(_ context.Context, chat int64, thread int) (*flows.ChatLink, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := linkKey{chat, thread}
	l, ok := m.links[k]
	if !ok || l.Inactive {
		return nil, nil
	}
	l.Inactive = true
	m.links[k] = l
	return &l, nil
}
