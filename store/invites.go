package store

import (
	"context"
	_ "embed" // Lua scripts
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Invitations to invite-only workshops (flows.WorkshopInvites), under the
// workshop's hash tag: {w:<code>}:winvs lists them, {w:<code>}:winv:<token>
// is one, {w:<code>}:winvuse:<token> who registered through it,
// {w:<code>}:winvheld the invitation each person opened (store/doc.go).

var (
	//go:embed ws_inv_lib.lua
	invLibLua string
	//go:embed ws_inv_create.lua
	invCreateLua string
	//go:embed ws_inv_hold.lua
	invHoldLua string
	//go:embed ws_inv_register.lua
	invRegisterLua string

	invCreateScript     = redis.NewScript(invCreateLua)
	invHoldScript       = redis.NewScript(invLibLua + "\n" + invHoldLua)
	invRegisterScript   = redis.NewScript(invitedLua(registerLua))
	invHyRegisterScript = redis.NewScript(invitedLua(hyRegisterLua))
)

// invitedLua is ws_inv_register.lua around the registration script base,
// whose invite-only refusal it lets through (base's "local invited =
// false" made true); it panics at start on a base without that line.
func invitedLua(base string) string {
	const plain, through = "local invited = false\n", "local invited = true\n"
	if strings.Count(base, plain) != 1 {
		panic("store: a registration script without its invite-only line")
	}
	return invLibLua + "\n" + strings.Replace(invRegisterLua, "--register--",
		"local function register()\n"+strings.Replace(base, plain, through, 1)+"\nend", 1)
}

// invitedScript is the registration script base (registerScript or
// hyRegisterScript) wrapped by ws_inv_register.lua.
func invitedScript(base *redis.Script) *redis.Script {
	if base == hyRegisterScript {
		return invHyRegisterScript
	}
	return invRegisterScript
}

// The replies of ws_inv_register.lua that refuse a registration.
const (
	inviteNone = "noinvite"
	inviteGone = "invgone"
	inviteUsed = "invused"
)

func inviteRefusal(status string) error {
	switch status {
	case inviteGone:
		return flows.ErrInviteGone
	case inviteUsed:
		return flows.ErrInviteUsed
	}
	return flows.ErrNoInvite
}

func (s *Store) invKey(code, token string) string    { return s.wsKey(code, "winv:"+token) }
func (s *Store) invUseKey(code, token string) string { return s.wsKey(code, "winvuse:"+token) }

// checkToken refuses a token that would make another key of it.
func checkToken(token string) error {
	if token == "" || len(token) > 64 || strings.ContainsAny(token, "{}: \t\r\n") {
		return fmt.Errorf("invalid invitation token %q", token)
	}
	return nil
}

// CreateWorkshopInvite stores a new invitation of inv.Workshop.
func (s *Store) CreateWorkshopInvite(ctx context.Context, inv *flows.WorkshopInvite) error {
	code := inv.Workshop
	if err := checkCode(code); err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	if err := checkToken(inv.Token); err != nil {
		return fmt.Errorf("create invitation for %s: %w", code, err)
	}
	quota := max(inv.Quota, 1)
	res, err := invCreateScript.Run(ctx, s.rdb, []string{s.wsKey(code, "meta"), s.wsKey(code, "winvs"), s.invKey(code, inv.Token)},
		inv.Token, inv.Created.UnixMilli(), inv.Org, quota, inv.By, flows.MaxInvites).Text()
	switch {
	case err != nil:
		return fmt.Errorf("create invitation for %s: %w", code, err)
	case res == "notfound":
		return fmt.Errorf("create invitation for %s: %w", code, flows.ErrNotFound)
	case res == "full":
		return fmt.Errorf("create invitation for %s: %w", code, flows.ErrTooManyInvites)
	}
	return nil
}

// WorkshopInvites lists a workshop's invitations, oldest first, each with
// the people whose registration through it stands (first used first).
func (s *Store) WorkshopInvites(ctx context.Context, code string) ([]*flows.WorkshopInvite, error) {
	if err := checkCode(code); err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	tokens, err := s.rdb.ZRange(ctx, s.wsKey(code, "winvs"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("invitations of %s: %w", code, err)
	}
	hs := make([]*redis.MapStringStringCmd, len(tokens))
	uses := make([]*redis.StringSliceCmd, len(tokens))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, tok := range tokens {
			hs[i] = p.HGetAll(ctx, s.invKey(code, tok))
			uses[i] = p.ZRange(ctx, s.invUseKey(code, tok), 0, -1)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("invitations of %s: %w", code, err)
	}
	var out []*flows.WorkshopInvite
	var users []string
	for i, tok := range tokens {
		h := hs[i].Val()
		if len(h) == 0 {
			continue // revoked meanwhile
		}
		quota, _ := strconv.Atoi(h["quota"])
		by, _ := strconv.ParseInt(h["by"], 10, 64)
		created, _ := strconv.ParseInt(h["created"], 10, 64)
		inv := &flows.WorkshopInvite{Token: tok, Workshop: code, Org: h["org"], Quota: quota, By: by, Created: time.UnixMilli(created).UTC()}
		for _, u := range uses[i].Val() {
			if id, err := strconv.ParseInt(u, 10, 64); err == nil {
				inv.Used = append(inv.Used, id)
				users = append(users, u)
			}
		}
		out = append(out, inv)
	}
	if len(users) == 0 {
		return out, nil
	}
	// A use counts while its registration stands (ws_inv_lib.lua).
	live, err := s.rdb.HMGet(ctx, s.wsKey(code, "regs"), users...).Result()
	if err != nil {
		return nil, fmt.Errorf("invitations of %s: %w", code, err)
	}
	standing := map[string]bool{}
	for i, u := range users {
		standing[u] = live[i] != nil
	}
	for _, inv := range out {
		kept := inv.Used[:0]
		for _, id := range inv.Used {
			if standing[strconv.FormatInt(id, 10)] {
				kept = append(kept, id)
			}
		}
		inv.Used = kept
		if len(inv.Used) == 0 {
			inv.Used = nil
		}
	}
	return out, nil
}

// RevokeWorkshopInvite deletes an invitation and its uses in one MULTI;
// the registrations made through it stay.
func (s *Store) RevokeWorkshopInvite(ctx context.Context, code, token string) error {
	if err := checkCode(code); err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	if err := checkToken(token); err != nil {
		return fmt.Errorf("revoke invitation of %s: %w", code, err)
	}
	var removed *redis.IntCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		removed = p.ZRem(ctx, s.wsKey(code, "winvs"), token)
		p.Del(ctx, s.invKey(code, token), s.invUseKey(code, token))
		return nil
	}); err != nil {
		return fmt.Errorf("revoke invitation of %s: %w", code, err)
	}
	if removed.Val() == 0 {
		return fmt.Errorf("revoke invitation of %s: %w", code, flows.ErrNotFound)
	}
	return nil
}

// HoldWorkshopInvite records that uid opened the invitation: first in
// uid's index of the workshops they hold one for ({c:<uid>}:winvheld, read
// when they are forgotten), then in the workshop (ws_inv_hold.lua).
func (s *Store) HoldWorkshopInvite(ctx context.Context, code, token string, uid int64) (*flows.WorkshopInvite, error) {
	if err := checkCode(code); err != nil {
		return nil, fmt.Errorf("hold invitation: %w", err)
	}
	if err := checkToken(token); err != nil {
		return nil, fmt.Errorf("hold invitation of %s: %w", code, err)
	}
	if err := s.rdb.SAdd(ctx, s.chatKey(uid, "winvheld"), code).Err(); err != nil {
		return nil, fmt.Errorf("hold invitation of %s: %w", code, err)
	}
	res, err := invHoldScript.Run(ctx, s.rdb, []string{s.invKey(code, token), s.invUseKey(code, token), s.wsKey(code, "winvheld"), s.wsKey(code, "regs")},
		uid, token).Text()
	switch {
	case err != nil:
		return nil, fmt.Errorf("hold invitation of %s: %w", code, err)
	case res == "gone":
		return nil, fmt.Errorf("hold invitation of %s: %w", code, flows.ErrInviteGone)
	case res == "used":
		return nil, fmt.Errorf("hold invitation of %s: %w", code, flows.ErrInviteUsed)
	}
	h, err := s.rdb.HGetAll(ctx, s.invKey(code, token)).Result()
	if err != nil {
		return nil, fmt.Errorf("hold invitation of %s: %w", code, err)
	}
	quota, _ := strconv.Atoi(h["quota"])
	by, _ := strconv.ParseInt(h["by"], 10, 64)
	created, _ := strconv.ParseInt(h["created"], 10, 64)
	return &flows.WorkshopInvite{Token: token, Workshop: code, Org: h["org"], Quota: quota, By: by, Created: time.UnixMilli(created).UTC()}, nil
}

// HeldWorkshopInvite is the invitation uid opened for the workshop, "" when
// none or when it was revoked since.
func (s *Store) HeldWorkshopInvite(ctx context.Context, code string, uid int64) (string, error) {
	if err := checkCode(code); err != nil {
		return "", fmt.Errorf("held invitation: %w", err)
	}
	tok, err := s.rdb.HGet(ctx, s.wsKey(code, "winvheld"), strconv.FormatInt(uid, 10)).Result()
	if errors.Is(err, redis.Nil) || (err == nil && checkToken(tok) != nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("held invitation of %s: %w", code, err)
	}
	n, err := s.rdb.Exists(ctx, s.invKey(code, tok)).Result()
	if err != nil {
		return "", fmt.Errorf("held invitation of %s: %w", code, err)
	}
	if n == 0 {
		return "", nil
	}
	return tok, nil
}

// RegisterInvited registers through the invitation r.UserID holds: the
// invitation is read first, then checked again and used in the
// registration's script (ws_inv_register.lua).
func (s *Store) RegisterInvited(ctx context.Context, r *flows.Registration, now time.Time) (*flows.Registration, error) {
	code, uid := r.Workshop, r.UserID
	if err := checkCode(code); err != nil {
		return nil, fmt.Errorf("register %d by invitation: %w", uid, err)
	}
	tok, err := s.rdb.HGet(ctx, s.wsKey(code, "winvheld"), strconv.FormatInt(uid, 10)).Result()
	if errors.Is(err, redis.Nil) || (err == nil && checkToken(tok) != nil) {
		return nil, fmt.Errorf("register %d for workshop %s: %w", uid, code, flows.ErrNoInvite)
	}
	if err != nil {
		return nil, fmt.Errorf("register %d for workshop %s by invitation: %w", uid, code, err)
	}
	keys := []string{s.wsKey(code, "winvheld"), s.invKey(code, tok), s.invUseKey(code, tok), s.wsKey(code, "regs")}
	return s.register(ctx, r, now, keys, []any{tok, now.UnixMilli(), uid})
}

// forgetWorkshopInvites takes uid out of the invitations of the workshops
// they opened one of ({c:<uid>}:winvheld, deleted with their own keys):
// whom they held and which they used. One MULTI per workshop.
func (s *Store) forgetWorkshopInvites(ctx context.Context, uid int64, _ time.Time) error {
	codes, err := s.rdb.SMembers(ctx, s.chatKey(uid, "winvheld")).Result()
	if err != nil {
		return fmt.Errorf("forget invitations: %w", err)
	}
	id := strconv.FormatInt(uid, 10)
	for _, code := range codes {
		if checkCode(code) != nil {
			continue
		}
		tokens, err := s.rdb.ZRange(ctx, s.wsKey(code, "winvs"), 0, -1).Result()
		if err != nil {
			return fmt.Errorf("forget invitations of %s: %w", code, err)
		}
		if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.HDel(ctx, s.wsKey(code, "winvheld"), id)
			for _, tok := range tokens {
				p.ZRem(ctx, s.invUseKey(code, tok), id)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("forget invitations of %s: %w", code, err)
		}
	}
	return nil
}

// invMetaScript writes the invite-only field of a workshop's metas that
// lack it (a database of a build before ws_register.lua refused plain
// registrations to invite-only workshops); a save since wrote it, and
// HSETNX leaves that alone.
// KEYS: meta, on:meta; ARGV: invite-only (0/1). Returns how many it wrote.
var invMetaScript = redis.NewScript(`
local n = 0
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then n = n + redis.call('HSETNX', k, 'invite', ARGV[1]) end
end
return n`)

// MigrateInviteMeta gives the meta hashes of workshops saved by a build
// before it the invite-only field the registration scripts refuse plain
// registrations by, from each workshop's JSON. Idempotent and safe from
// several replicas at once and beside saves (which write the field
// themselves); it returns how many workshops it wrote.
func (s *Store) MigrateInviteMeta(ctx context.Context) (int, error) {
	codes, err := s.rdb.ZRange(ctx, s.allWsKey(), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate invite-only meta: %w", err)
	}
	n := 0
	for _, code := range codes {
		if checkCode(code) != nil {
			continue
		}
		have, err := s.rdb.HExists(ctx, s.wsKey(code, "meta"), "invite").Result()
		if err != nil {
			return n, fmt.Errorf("migrate invite-only meta of %s: %w", code, err)
		}
		if have {
			continue
		}
		w, err := s.GetWorkshop(ctx, code)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("migrate invite-only meta of %s: %w", code, err)
		}
		wrote, err := invMetaScript.Run(ctx, s.rdb, []string{s.wsKey(code, "meta"), s.modeKey(code, flows.ModeOnline, "meta")}, bit(w.InviteOnly)).Int()
		if err != nil {
			return n, fmt.Errorf("migrate invite-only meta of %s: %w", code, err)
		}
		if wrote > 0 {
			n++
		}
	}
	return n, nil
}
