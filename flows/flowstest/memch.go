package flowstest

import (
	"cmp"
	"context"
	"slices"
	"time"

	"sinergi/flows"
)

// memChapters are the fake's chapters (store/chapters.go in Redis).
type memChapters struct {
	chapters map[string]flows.Chapter
	joined   map[string]map[int64]bool // chapter id -> members by link
	invites  map[string]flows.ChapterInvite
}

func (m *Store) chInit() {
	if m.ch.chapters == nil {
		m.ch = memChapters{chapters: map[string]flows.Chapter{}, joined: map[string]map[int64]bool{}, invites: map[string]flows.ChapterInvite{}}
	}
}

func (m *Store) CreateChapter(_ context.Context, c *flows.Chapter) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	if _, taken := m.ch.chapters[c.ID]; taken {
		return flows.ErrChapterTaken
	}
	c2 := *c
	c2.Provinces = slices.Clone(c.Provinces)
	m.ch.chapters[c.ID] = c2
	return nil
}

func (m *Store) GetChapter(_ context.Context, id string) (*flows.Chapter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	c, ok := m.ch.chapters[id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	c.Provinces = slices.Clone(c.Provinces)
	return &c, nil
}

func (m *Store) ListChapters(_ context.Context) ([]*flows.Chapter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	var out []*flows.Chapter
	for _, c := range m.ch.chapters {
		c.Provinces = slices.Clone(c.Provinces)
		out = append(out, &c)
	}
	// Redis orders by created unix ms, equal ones by id.
	slices.SortFunc(out, func(a, b *flows.Chapter) int {
		return cmp.Or(cmp.Compare(a.Created.UnixMilli(), b.Created.UnixMilli()), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (m *Store) UpdateChapter(_ context.Context, id, name string, provinces []string) (*flows.Chapter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	c, ok := m.ch.chapters[id]
	if !ok {
		return nil, flows.ErrNotFound
	}
	c.Name = name
	if c.Kind == flows.ChapterProvince {
		c.Provinces = slices.Clone(provinces)
	}
	m.ch.chapters[id] = c
	out := c
	out.Provinces = slices.Clone(c.Provinces)
	return &out, nil
}

func (m *Store) LeaveChapter(_ context.Context, id string, uid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	if !m.ch.joined[id][uid] {
		return flows.ErrNotFound
	}
	delete(m.ch.joined[id], uid)
	return nil
}

func (m *Store) JoinChapter(_ context.Context, id string, uid int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	if _, ok := m.ch.chapters[id]; !ok {
		return flows.ErrNotFound
	}
	if m.ch.joined[id] == nil {
		m.ch.joined[id] = map[int64]bool{}
	}
	m.ch.joined[id][uid] = true
	return nil
}

func (m *Store) ChapterJoined(_ context.Context, id string) ([]int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	var out []int64
	for uid := range m.ch.joined[id] {
		out = append(out, uid)
	}
	slices.Sort(out)
	return out, nil
}

func (m *Store) JoinedChapters(_ context.Context, uid int64) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	var out []string
	for id, in := range m.ch.joined {
		if in[uid] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (m *Store) SetChapterAdmin(_ context.Context, uid int64, chapter string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.users[uid]
	if !ok {
		return flows.ErrNotFound
	}
	u.Chapter = chapter
	m.users[uid] = u
	return nil
}

func (m *Store) CreateChapterInvite(_ context.Context, inv *flows.ChapterInvite, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	m.ch.invites[inv.Token] = *inv
	return nil
}

func (m *Store) TakeChapterInvite(_ context.Context, token string) (*flows.ChapterInvite, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	inv, ok := m.ch.invites[token]
	if !ok {
		return nil, flows.ErrNotFound
	}
	delete(m.ch.invites, token)
	return &inv, nil
}

// forgetChapters takes uid out of every chapter and deletes the
// chapter-admin invitations they created (under m.mu).
func (m *Store) forgetChapters(uid int64) {
	m.chInit()
	for _, in := range m.ch.joined {
		delete(in, uid)
	}
	for tok, inv := range m.ch.invites {
		if inv.By == uid {
			delete(m.ch.invites, tok)
		}
	}
}

// DeleteChapter deletes a chapter as Redis does (store/chapters.go): its
// admins lose it, its members by link and invitations go, its workshops
// become national; the rest runs also when the chapter is gone already.
func (m *Store) DeleteChapter(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.chInit()
	m.wsInit()
	for uid, u := range m.users {
		if u.Chapter == id {
			u.Chapter = ""
			m.users[uid] = u
		}
	}
	_, found := m.ch.chapters[id]
	delete(m.ch.chapters, id)
	delete(m.ch.joined, id)
	for tok, inv := range m.ch.invites {
		if inv.Chapter == id {
			delete(m.ch.invites, tok)
		}
	}
	for code, w := range m.ws.ws {
		if w.Chapter == id {
			w.Chapter = ""
			m.ws.ws[code] = w
		}
	}
	if !found {
		return flows.ErrNotFound
	}
	return nil
}
