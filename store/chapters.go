package store

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Chapters' keys share the hash tag {ch}: creating is one script over the
// record and the list (ch_create.lua), joining one over the
// chapter, its members and the user's chapters (ch_join.lua), forgetting
// one over the user's chapters and their members (ch_forget.lua). The
// chapter a user administers is a field of their user record (users.go).

var (
	//go:embed ch_create.lua
	chCreateLua    string
	chCreateScript = redis.NewScript(chCreateLua)
	//go:embed ch_join.lua
	chJoinLua string
	//go:embed ch_forget.lua
	chForgetLua    string
	chJoinScript   = redis.NewScript(chJoinLua)
	chForgetScript = redis.NewScript(chForgetLua)
	//go:embed ch_update.lua
	chUpdateLua    string
	chUpdateScript = redis.NewScript(chUpdateLua)
	//go:embed ch_delete.lua
	chDeleteLua    string
	chDeleteScript = redis.NewScript(chDeleteLua)
	//go:embed ch_leave.lua
	chLeaveLua    string
	chLeaveScript = redis.NewScript(chLeaveLua)
)

// UpdateChapter implements flows.Chapters: the chapter as read, with its
// new name and provinces, written only while it exists (ch_update.lua).
func (s *Store) UpdateChapter(ctx context.Context, id, name string, provinces []string) (*flows.Chapter, error) {
	c, err := s.GetChapter(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("update chapter %s: %w", id, err)
	}
	c.Name = name
	if c.Kind == flows.ChapterProvince {
		c.Provinces = slices.Clone(provinces)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("update chapter %s: %w", id, err)
	}
	n, err := chUpdateScript.Run(ctx, s.rdb, []string{s.chapterKey(id)}, b).Int()
	if err != nil {
		return nil, fmt.Errorf("update chapter %s: %w", id, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("update chapter %s: %w", id, flows.ErrNotFound)
	}
	return c, nil
}

// LeaveChapter implements flows.Chapters (ch_leave.lua).
func (s *Store) LeaveChapter(ctx context.Context, id string, uid int64) error {
	n, err := chLeaveScript.Run(ctx, s.rdb, []string{s.chJoinedKey(id), s.chOfKey(uid)}, uid, id).Int()
	if err != nil {
		return fmt.Errorf("leave chapter %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("leave chapter %s: %w", id, flows.ErrNotFound)
	}
	return nil
}

func (s *Store) chKey(name string) string        { return s.p + "{ch}:" + name }
func (s *Store) chapterKey(id string) string     { return s.chKey("chapter:" + id) }
func (s *Store) chAllKey() string                { return s.chKey("all") }
func (s *Store) chJoinedKey(id string) string    { return s.chKey("joined:" + id) }
func (s *Store) chOfKey(uid int64) string        { return s.chKey("of:" + strconv.FormatInt(uid, 10)) }
func (s *Store) chInviteKey(token string) string { return s.chKey("invite:" + token) }
func (s *Store) chInvitesKey(id string) string   { return s.chKey("invites:" + id) }

// CreateChapter implements flows.Chapters: the record and its place in
// the list, unless the id is taken (ch_create.lua).
func (s *Store) CreateChapter(ctx context.Context, c *flows.Chapter) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("create chapter %s: %w", c.ID, err)
	}
	n, err := chCreateScript.Run(ctx, s.rdb, []string{s.chapterKey(c.ID), s.chAllKey()}, b, c.Created.UnixMilli(), c.ID).Int()
	if err != nil {
		return fmt.Errorf("create chapter %s: %w", c.ID, err)
	}
	if n == 0 {
		return flows.ErrChapterTaken
	}
	return nil
}

// GetChapter implements flows.ChapterReader.
func (s *Store) GetChapter(ctx context.Context, id string) (*flows.Chapter, error) {
	b, err := s.rdb.Get(ctx, s.chapterKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get chapter %s: %w", id, err)
	}
	var c flows.Chapter
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decode chapter %s: %w", id, err)
	}
	return &c, nil
}

// ListChapters implements flows.ChapterReader: by creation time, equal
// times by id (the zset's order).
func (s *Store) ListChapters(ctx context.Context) ([]*flows.Chapter, error) {
	ids, err := s.rdb.ZRange(ctx, s.chAllKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("list chapters: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.chapterKey(id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("list chapters: %w", err)
	}
	var out []*flows.Chapter
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var c flows.Chapter
		if err := json.Unmarshal([]byte(str), &c); err != nil {
			return nil, fmt.Errorf("decode chapter %s: %w", ids[i], err)
		}
		out = append(out, &c)
	}
	return out, nil
}

// JoinChapter implements flows.Chapters (ch_join.lua).
func (s *Store) JoinChapter(ctx context.Context, id string, uid int64) error {
	n, err := chJoinScript.Run(ctx, s.rdb, []string{s.chapterKey(id), s.chJoinedKey(id), s.chOfKey(uid)}, uid, id).Int()
	if err != nil {
		return fmt.Errorf("join chapter %s: %w", id, err)
	}
	if n == 0 {
		return flows.ErrNotFound
	}
	return nil
}

// ChapterJoined implements flows.ChapterReader.
func (s *Store) ChapterJoined(ctx context.Context, id string) ([]int64, error) {
	raw, err := s.rdb.SMembers(ctx, s.chJoinedKey(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("chapter %s members: %w", id, err)
	}
	out := make([]int64, 0, len(raw))
	for _, r := range raw {
		uid, err := strconv.ParseInt(r, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("chapter %s member %q: %w", id, r, err)
		}
		out = append(out, uid)
	}
	slices.Sort(out)
	return out, nil
}

// JoinedChapters implements flows.ChapterReader.
func (s *Store) JoinedChapters(ctx context.Context, uid int64) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, s.chOfKey(uid)).Result()
	if err != nil {
		return nil, fmt.Errorf("chapters of %d: %w", uid, err)
	}
	slices.Sort(ids)
	return ids, nil
}

// SetChapterAdmin implements flows.Chapters: it writes only the user's
// chapter field (deleting it for ""), and only on an existing user.
func (s *Store) SetChapterAdmin(ctx context.Context, uid int64, chapter string) error {
	script, args := hsetExistingLua, []any{ufChapter, chapter}
	if chapter == "" {
		script, args = hdelExistingLua, []any{ufChapter}
	}
	n, err := script.Run(ctx, s.rdb, []string{s.userKey(uid)}, args...).Int()
	if err != nil {
		return fmt.Errorf("set chapter admin %d: %w", uid, err)
	}
	if n == 0 {
		return flows.ErrNotFound
	}
	return nil
}

// hdelExistingLua deletes fields of a hash that exists; 0 when it does not.
var hdelExistingLua = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], unpack(ARGV))
return 1`)

// CreateChapterInvite implements flows.Chapters.
func (s *Store) CreateChapterInvite(ctx context.Context, inv *flows.ChapterInvite, ttl time.Duration) error {
	b, err := json.Marshal(inv)
	if err != nil {
		return fmt.Errorf("create chapter invite: %w", err)
	}
	// Indexed under its author first, as a "ch:<token>" entry of
	// invites:by:<uid>, for ForgetUser.
	if err := s.indexInvite(ctx, inv.By, chapterInviteRef(inv.Token), ttl); err != nil {
		return fmt.Errorf("create chapter invite: %w", err)
	}
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.chInviteKey(inv.Token), b, ttl)
		// The chapter's invitations, for deleting it; an entry whose
		// invitation expired or was used is dropped then.
		p.SAdd(ctx, s.chInvitesKey(inv.Chapter), inv.Token)
		return nil
	}); err != nil {
		return fmt.Errorf("create chapter invite: %w", err)
	}
	return nil
}

// TakeChapterInvite implements flows.Chapters: GETDEL, so a token works once.
func (s *Store) TakeChapterInvite(ctx context.Context, token string) (*flows.ChapterInvite, error) {
	b, err := s.rdb.GetDel(ctx, s.chInviteKey(token)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("take chapter invite: %w", err)
	}
	var inv flows.ChapterInvite
	if err := json.Unmarshal(b, &inv); err != nil {
		return nil, fmt.Errorf("decode chapter invite: %w", err)
	}
	return &inv, nil
}

// forgetChapters takes uid out of every chapter they joined by link
// (ch_forget.lua, repeated while a join raced it); the chapter-admin
// invitations they created are forgetInvites'.
func (s *Store) forgetChapters(ctx context.Context, uid int64, _ time.Time) error {
	for range 5 {
		ids, err := s.JoinedChapters(ctx, uid)
		if err != nil || len(ids) == 0 {
			return err
		}
		keys := []string{s.chOfKey(uid)}
		args := []any{uid}
		for _, id := range ids {
			keys, args = append(keys, s.chJoinedKey(id)), append(args, id)
		}
		left, err := chForgetScript.Run(ctx, s.rdb, keys, args...).Int()
		if err != nil {
			return fmt.Errorf("forget chapters: %w", err)
		}
		if left == 0 {
			return nil
		}
	}
	return errors.New("forget chapters: joins keep racing")
}

// chapterInviteRef is a chapter-admin invitation's entry in its author's
// invites:by (forgetInvites deletes it).
func chapterInviteRef(token string) string { return "ch:" + token }

// DeleteChapter implements flows.Chapters: its admins lose the chapter
// first, so nobody acts within it; then one script under {ch} deletes the
// chapter, its members by link and its admin invitations (ch_delete.lua);
// then its workshops become national. Each step is idempotent: a delete cut
// short is finished by deleting again (the chapter gone, the rest still
// runs).
func (s *Store) DeleteChapter(ctx context.Context, id string) error {
	fail := func(err error) error { return fmt.Errorf("delete chapter %s: %w", id, err) }
	users, err := s.AllUsers(ctx)
	if err != nil {
		return fail(err)
	}
	for _, u := range users {
		if u.Chapter == id {
			if err := s.SetChapterAdmin(ctx, u.ID, ""); err != nil && !errors.Is(err, flows.ErrNotFound) {
				return fail(err)
			}
		}
	}
	found := true
	for attempt := 0; ; attempt++ {
		if attempt == 10 {
			return fail(errors.New("its members keep changing"))
		}
		members, err := s.rdb.SMembers(ctx, s.chJoinedKey(id)).Result()
		if err != nil {
			return fail(err)
		}
		tokens, err := s.rdb.SMembers(ctx, s.chInvitesKey(id)).Result()
		if err != nil {
			return fail(err)
		}
		keys := []string{s.chapterKey(id), s.chAllKey(), s.chJoinedKey(id), s.chInvitesKey(id)}
		for _, m := range members {
			uid, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				return fail(err)
			}
			keys = append(keys, s.chOfKey(uid))
		}
		for _, tok := range tokens {
			keys = append(keys, s.chInviteKey(tok))
		}
		n, err := chDeleteScript.Run(ctx, s.rdb, keys, id, len(members), len(tokens)).Int()
		if err != nil {
			return fail(err)
		}
		if n >= 0 {
			found = n == 1
			break
		}
	}
	ws, err := s.Facilitated(ctx, 0)
	if err != nil {
		return fail(err)
	}
	for _, w := range ws {
		if w.Chapter == id {
			w.Chapter = ""
			if _, err := s.UpdateWorkshop(ctx, w); err != nil {
				return fail(err)
			}
		}
	}
	if !found {
		return fail(flows.ErrNotFound)
	}
	return nil
}
