package store

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Linked chats (flows/groups). Both keys share the hash tag {grp}, so each
// change is one Lua script in one Cluster slot.
//
//	<p>{grp}:links   hash  "<chat>:<thread>" -> JSON flows.ChatLink (purpose, workshop, title, who linked it, when)
//	<p>{grp}:off     set   fields of {grp}:links whose link is inactive (the bot was removed or may not post)
var (
	//go:embed grp_link.lua
	grpLinkLua string
	//go:embed grp_unlink.lua
	grpUnlinkLua string
	//go:embed grp_off.lua
	grpOffLua string
	//go:embed grp_move.lua
	grpMoveLua string

	grpLinkScript   = redis.NewScript(grpLinkLua)
	grpUnlinkScript = redis.NewScript(grpUnlinkLua)
	grpOffScript    = redis.NewScript(grpOffLua)
	grpMoveScript   = redis.NewScript(grpMoveLua)
)

func (s *Store) grpKeys() []string { return []string{s.p + "{grp}:links", s.p + "{grp}:off"} }

func linkField(chat int64, thread int) string {
	return strconv.FormatInt(chat, 10) + ":" + strconv.Itoa(thread)
}

// decodeLink reads a link from its field and JSON.
func decodeLink(field, raw string, inactive bool) (*flows.ChatLink, error) {
	c, th, ok := strings.Cut(field, ":")
	chat, err1 := strconv.ParseInt(c, 10, 64)
	thread, err2 := strconv.Atoi(th)
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("chat link field %q malformed", field)
	}
	l := new(flows.ChatLink)
	if err := json.Unmarshal([]byte(raw), l); err != nil {
		return nil, fmt.Errorf("chat link %s: %w", field, err)
	}
	l.Chat, l.Thread, l.Inactive = chat, thread, inactive
	return l, nil
}

// LinkChat implements groups.Links.
func (s *Store) LinkChat(ctx context.Context, l *flows.ChatLink) (*flows.ChatLink, error) {
	raw, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode chat link: %w", err)
	}
	field := linkField(l.Chat, l.Thread)
	cur, err := grpLinkScript.Run(ctx, s.rdb, s.grpKeys(), field, raw).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("link chat %s: %w", field, err)
	}
	existing, err := decodeLink(field, cur, false)
	if err != nil {
		return nil, err
	}
	return existing, flows.ErrAlreadyLinked
}

// ChatLinks implements groups.Links.
func (s *Store) ChatLinks(ctx context.Context) ([]*flows.ChatLink, error) {
	keys := s.grpKeys()
	pipe := s.rdb.Pipeline()
	all := pipe.HGetAll(ctx, keys[0])
	off := pipe.SMembers(ctx, keys[1])
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("chat links: %w", err)
	}
	inactive := map[string]bool{}
	for _, f := range off.Val() {
		inactive[f] = true
	}
	out := make([]*flows.ChatLink, 0, len(all.Val()))
	for f, raw := range all.Val() {
		l, err := decodeLink(f, raw, inactive[f])
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	SortLinks(out)
	return out, nil
}

// SortLinks orders links by chat id, then topic (the order of ChatLinks).
func SortLinks(ls []*flows.ChatLink) {
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

// UnlinkChat implements groups.Links.
func (s *Store) UnlinkChat(ctx context.Context, chat int64, thread int) (*flows.ChatLink, error) {
	field := linkField(chat, thread)
	res, err := grpUnlinkScript.Run(ctx, s.rdb, s.grpKeys(), field).Slice()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, flows.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("unlink chat %s: %w", field, err)
	case len(res) != 2:
		return nil, fmt.Errorf("unlink chat %s: unexpected answer %v", field, res)
	}
	raw, _ := res[0].(string)
	off, _ := res[1].(int64)
	return decodeLink(field, raw, off == 1)
}

// DeactivateChat implements groups.Links.
func (s *Store) DeactivateChat(ctx context.Context, chat int64) ([]*flows.ChatLink, error) {
	res, err := grpOffScript.Run(ctx, s.rdb, s.grpKeys(), strconv.FormatInt(chat, 10)+":").StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("deactivate chat %d: %w", chat, err)
	}
	out := make([]*flows.ChatLink, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		l, err := decodeLink(res[i], res[i+1], true)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	SortLinks(out)
	return out, nil
}

// grpOffOneScript deactivates one link: KEYS[1] {grp}:links, KEYS[2]
// {grp}:off; ARGV[1] the field. Returns its JSON when it was active.
var grpOffOneScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  return cur
end
return false`)

// DeactivateLink implements groups.Links.
func (s *Store) DeactivateLink(ctx context.Context, chat int64, thread int) (*flows.ChatLink, error) {
	field := linkField(chat, thread)
	raw, err := grpOffOneScript.Run(ctx, s.rdb, s.grpKeys(), field).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("deactivate link %s: %w", field, err)
	}
	return decodeLink(field, raw, true)
}

// MoveChat implements groups.Links.
func (s *Store) MoveChat(ctx context.Context, from, to int64) ([]*flows.ChatLink, error) {
	res, err := grpMoveScript.Run(ctx, s.rdb, s.grpKeys(), strconv.FormatInt(from, 10)+":", strconv.FormatInt(to, 10), strconv.FormatInt(from, 10)).Slice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("move chat %d to %d: %w", from, to, err)
	}
	out := make([]*flows.ChatLink, 0, len(res)/3)
	for i := 0; i+2 < len(res); i += 3 {
		f, _ := res[i].(string)
		raw, _ := res[i+1].(string)
		off, _ := res[i+2].(int64)
		l, err := decodeLink(f, raw, off == 1)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	SortLinks(out)
	return out, nil
}

// Live workshop cards, in the {grp} slot with the links:
//
//	<p>{grp}:cards:<code>  hash  "<chat>:<thread>" -> JSON flows.Card (message id, the state it shows)
func (s *Store) cardsKey(code string) string { return s.p + "{grp}:cards:" + code }

// SaveCard implements groups.Cards.
func (s *Store) SaveCard(ctx context.Context, c *flows.Card) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode card: %w", err)
	}
	if err := s.rdb.HSet(ctx, s.cardsKey(c.Workshop), linkField(c.Chat, c.Thread), raw).Err(); err != nil {
		return fmt.Errorf("save card %s: %w", c.Workshop, err)
	}
	return nil
}

// Cards implements groups.Cards.
func (s *Store) Cards(ctx context.Context, code string) ([]*flows.Card, error) {
	all, err := s.rdb.HGetAll(ctx, s.cardsKey(code)).Result()
	if err != nil {
		return nil, fmt.Errorf("cards %s: %w", code, err)
	}
	out := make([]*flows.Card, 0, len(all))
	for f, raw := range all {
		l, err := decodeLink(f, "{}", false)
		if err != nil {
			return nil, err
		}
		c := &flows.Card{Workshop: code, Chat: l.Chat, Thread: l.Thread}
		if err := json.Unmarshal([]byte(raw), c); err != nil {
			return nil, fmt.Errorf("card %s %s: %w", code, f, err)
		}
		out = append(out, c)
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

// cardStateScript sets a card's state only if the card exists.
var cardStateScript = redis.NewScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local c = cjson.decode(raw)
c.state = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(c))
return 1`)

// SetCardState implements groups.Cards.
func (s *Store) SetCardState(ctx context.Context, code string, chat int64, thread int, state string) error {
	if err := cardStateScript.Run(ctx, s.rdb, []string{s.cardsKey(code)}, linkField(chat, thread), state).Err(); err != nil {
		return fmt.Errorf("card state %s: %w", code, err)
	}
	return nil
}

// DeleteCard implements groups.Cards.
func (s *Store) DeleteCard(ctx context.Context, code string, chat int64, thread int) error {
	if err := s.rdb.HDel(ctx, s.cardsKey(code), linkField(chat, thread)).Err(); err != nil {
		return fmt.Errorf("delete card %s: %w", code, err)
	}
	return nil
}

// grpForgetScript: the links uid made keep working but name nobody
// (KEYS[1] {grp}:links; ARGV[1] uid). The JSON is edited as text: a
// Telegram id may exceed what Lua's numbers print exactly.
var grpForgetScript = redis.NewScript(`
local all = redis.call('HGETALL', KEYS[1])
local pat = '"by":' .. ARGV[1]
local n = 0
for i = 1, #all, 2 do
  local v = all[i + 1]
  local s, e = string.find(v, pat, 1, true)
  local after = e and string.sub(v, e + 1, e + 1)
  if s and (after == ',' or after == '}') then
    redis.call('HSET', KEYS[1], all[i], string.sub(v, 1, s - 1) .. '"by":0' .. string.sub(v, e + 1))
    n = n + 1
  end
end
return n`)

// forgetLinks is ForgetUser's step for linked chats.
func (s *Store) forgetLinks(ctx context.Context, uid int64, _ time.Time) error {
	if err := grpForgetScript.Run(ctx, s.rdb, s.grpKeys()[:1], strconv.FormatInt(uid, 10)).Err(); err != nil {
		return fmt.Errorf("forget links: %w", err)
	}
	return nil
}
