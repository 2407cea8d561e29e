package store

import (
	"context"
	_ "embed" // Lua scripts
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// The introduction scripts.
var (
	//go:embed pp_request.lua
	ppRequestLua string
	//go:embed pp_decide.lua
	ppDecideLua string

	ppRequestScript = redis.NewScript(ppRequestLua)
	ppDecideScript  = redis.NewScript(ppDecideLua)
)

// Matchmaking key builders. Every matchmaking key shares the hash tag {pp},
// so a profile edit (one script over the profile and its bitmaps) and the
// introduction scripts stay in one Cluster slot. Matchmaking data is small
// (one profile per organisation), so one slot holds it well.
func (s *Store) ppKey(name string) string   { return s.p + "{pp}:" + name }
func (s *Store) ppProfKey(uid int64) string { return s.ppKey("prof:" + strconv.FormatInt(uid, 10)) }
func (s *Store) ppUserKey(kind string, uid int64) string {
	return s.ppKey(kind + ":" + strconv.FormatInt(uid, 10))
}
func (s *Store) ppIntroKey(id string) string { return s.ppKey("intro:" + id) }
func (s *Store) ppPairKey(a, b int64) string {
	if a > b {
		a, b = b, a
	}
	return s.ppKey("pair:" + strconv.FormatInt(a, 10) + ":" + strconv.FormatInt(b, 10))
}

// ppCode is what a code must look like to be part of a key.
var ppCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func checkPartner(p *flows.PartnerProfile) error {
	if p.UserID <= 0 {
		return fmt.Errorf("partner profile without user id")
	}
	all := append([]string{p.Sector}, p.Themes...)
	all = append(append(append(all, p.Provinces...), p.Offers...), p.Needs...)
	for _, c := range all {
		if !ppCode.MatchString(c) {
			return fmt.Errorf("partner profile %d: invalid code %q", p.UserID, c)
		}
	}
	return nil
}

// GetPartner implements flows.Partners.
func (s *Store) GetPartner(ctx context.Context, uid int64) (*flows.PartnerProfile, error) {
	p, err := getJSON[flows.PartnerProfile](ctx, s.rdb, s.ppProfKey(uid))
	if err != nil {
		return nil, fmt.Errorf("get partner %d: %w", uid, err)
	}
	return p, nil
}

// introFromHash decodes an introduction from its hash.
func introFromHash(h map[string]string) (*flows.Introduction, error) {
	if len(h) == 0 {
		return nil, flows.ErrNotFound
	}
	from, err1 := strconv.ParseInt(h["from"], 10, 64)
	to, err2 := strconv.ParseInt(h["to"], 10, 64)
	created, err3 := strconv.ParseInt(h["created"], 10, 64)
	decided, err4 := strconv.ParseInt(h["decided"], 10, 64)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, fmt.Errorf("decode introduction %s: %w", h["id"], err)
	}
	in := &flows.Introduction{ID: h["id"], From: from, To: to, FromOrg: h["from_org"], ToOrg: h["to_org"],
		Note: h["note"], Status: flows.IntroStatus(h["status"]), Created: fromMS(created)}
	if decided != 0 {
		in.Decided = fromMS(decided)
	}
	return in, nil
}

// RequestIntro implements flows.Partners: one script checks the pair, the
// cooldown and the requester's pending count, and writes the introduction
// with its indexes.
func (s *Store) RequestIntro(ctx context.Context, in *flows.Introduction, cooldown time.Duration, max int) error {
	if !ppCode.MatchString(in.ID) || in.From <= 0 || in.To <= 0 || in.From == in.To {
		return fmt.Errorf("request introduction: invalid %+v", in)
	}
	keys := []string{s.ppPairKey(in.From, in.To), s.ppIntroKey(in.ID), s.ppUserKey("sent", in.From),
		s.ppUserKey("recv", in.To), s.ppUserKey("pending", in.From)}
	res, err := ppRequestScript.Run(ctx, s.rdb, keys, in.ID, in.From, in.To, in.FromOrg, in.ToOrg, in.Note,
		in.Created.UnixMilli(), cooldown.Milliseconds(), max).Text()
	if err != nil {
		return fmt.Errorf("request introduction %d -> %d: %w", in.From, in.To, err)
	}
	switch res {
	case "ok":
		return nil
	case "pending":
		err = flows.ErrIntroPending
	case "connected":
		err = flows.ErrIntroConnected
	case "cooldown":
		err = flows.ErrIntroCooldown
	case "cap":
		err = flows.ErrTooManyIntros
	default:
		err = fmt.Errorf("introduction id %s taken", in.ID)
	}
	return fmt.Errorf("request introduction %d -> %d: %w", in.From, in.To, err)
}

// GetIntro implements flows.Partners.
func (s *Store) GetIntro(ctx context.Context, id string) (*flows.Introduction, error) {
	if !ppCode.MatchString(id) {
		return nil, fmt.Errorf("get introduction %q: %w", id, flows.ErrNotFound)
	}
	h, err := s.rdb.HGetAll(ctx, s.ppIntroKey(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("get introduction %s: %w", id, err)
	}
	in, err := introFromHash(h)
	if err != nil {
		return nil, fmt.Errorf("get introduction %s: %w", id, err)
	}
	return in, nil
}

// PendingSent implements flows.Partners.
func (s *Store) PendingSent(ctx context.Context, uid int64) (int, error) {
	n, err := s.rdb.SCard(ctx, s.ppUserKey("pending", uid)).Result()
	if err != nil {
		return 0, fmt.Errorf("pending introductions of %d: %w", uid, err)
	}
	return int(n), nil
}

// PairIntro implements flows.Partners.
func (s *Store) PairIntro(ctx context.Context, a, b int64) (*flows.Introduction, error) {
	id, err := s.rdb.HGet(ctx, s.ppPairKey(a, b), "id").Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("introduction of %d and %d: %w", a, b, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("introduction of %d and %d: %w", a, b, err)
	}
	return s.GetIntro(ctx, id)
}

// DecideIntro implements flows.Partners. The requester (whose pending set
// the script updates) is read first; it never changes for an id.
func (s *Store) DecideIntro(ctx context.Context, id string, actor int64, status flows.IntroStatus, now time.Time) (*flows.Introduction, error) {
	switch status {
	case flows.IntroAccepted, flows.IntroDeclined, flows.IntroWithdrawn:
	default:
		return nil, fmt.Errorf("decide introduction %s: bad status %q", id, status)
	}
	in, err := s.GetIntro(ctx, id)
	if err != nil {
		return nil, err
	}
	keys := []string{s.ppIntroKey(id), s.ppPairKey(in.From, in.To), s.ppUserKey("pending", in.From)}
	res, err := ppDecideScript.Run(ctx, s.rdb, keys, actor, string(status), now.UnixMilli(), id).Text()
	if err != nil {
		return nil, fmt.Errorf("decide introduction %s: %w", id, err)
	}
	switch res {
	case "ok":
	case "notfound":
		return nil, fmt.Errorf("decide introduction %s: %w", id, flows.ErrNotFound)
	case "forbidden":
		return nil, fmt.Errorf("decide introduction %s: %w", id, flows.ErrIntroForbidden)
	default:
		return nil, fmt.Errorf("decide introduction %s: %w", id, flows.ErrIntroDecided)
	}
	in.Status, in.Decided = status, fromMS(now.UnixMilli())
	return in, nil
}

// UserIntros implements flows.Partners.
func (s *Store) UserIntros(ctx context.Context, uid int64, limit int) (sent, received []*flows.Introduction, err error) {
	stop := int64(limit - 1)
	if limit <= 0 {
		stop = -1
	}
	var sentIDs, recvIDs *redis.StringSliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		sentIDs = p.ZRevRange(ctx, s.ppUserKey("sent", uid), 0, stop)
		recvIDs = p.ZRevRange(ctx, s.ppUserKey("recv", uid), 0, stop)
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("introductions of %d: %w", uid, err)
	}
	load := func(ids []string) ([]*flows.Introduction, error) {
		if len(ids) == 0 {
			return nil, nil
		}
		cmds := make([]*redis.MapStringStringCmd, len(ids))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range ids {
				cmds[i] = p.HGetAll(ctx, s.ppIntroKey(id))
			}
			return nil
		}); err != nil {
			return nil, err
		}
		out := make([]*flows.Introduction, 0, len(ids))
		for _, c := range cmds {
			in, err := introFromHash(c.Val())
			if errors.Is(err, flows.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, in)
		}
		return out, nil
	}
	if sent, err = load(sentIDs.Val()); err != nil {
		return nil, nil, fmt.Errorf("introductions of %d: %w", uid, err)
	}
	if received, err = load(recvIDs.Val()); err != nil {
		return nil, nil, fmt.Errorf("introductions of %d: %w", uid, err)
	}
	return sent, received, nil
}
