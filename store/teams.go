package store

import (
	"context"
	_ "embed" // Lua scripts
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

// A workshop's team (flows.Teams) lives under its hash tag, apart from the
// workshop's JSON, so that an edit never undoes a change of the team:
// {w:<code>}:team (uid -> joined), the owner in {w:<code>}:meta, and each
// one-time invitation in {w:<code>}:tinv:<token>. The scripts take every
// key in KEYS and know nothing of workshops: another kind of team (a
// chapter's) can keep the same rules under its own hash tag.
var (
	//go:embed team_join.lua
	teamJoinLua string
	//go:embed team_remove.lua
	teamRemoveLua string
	//go:embed team_handover.lua
	teamHandoverLua string
	//go:embed team_revoke.lua
	teamRevokeLua string
	//go:embed team_migrate.lua
	teamMigrateLua string

	teamJoinScript     = redis.NewScript(teamJoinLua)
	teamRemoveScript   = redis.NewScript(teamRemoveLua)
	teamHandoverScript = redis.NewScript(teamHandoverLua)
	teamMigrateScript  = redis.NewScript(teamMigrateLua)
	teamRevokeScript   = redis.NewScript(teamRevokeLua)
)

// teamInviteRef is a team invitation's entry in its author's invites:by.
func teamInviteRef(code, token string) string { return "w:" + code + ":" + token }

func (s *Store) teamInviteKey(code, token string) string { return s.wsKey(code, "tinv:"+token) }

// teamMembers is a new workshop's team in order: the owner, then the other
// facilitators.
func teamMembers(w *flows.Workshop) []int64 {
	owner := flows.TeamOwner(w)
	var out []int64
	if owner != 0 {
		out = append(out, owner)
	}
	for _, f := range w.Facilitators {
		if f != 0 && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// teamRead is a workshop's team read in a pipeline.
type teamRead struct {
	meta    *redis.SliceCmd // owner, team
	members *redis.StringSliceCmd
}

func (s *Store) queueTeamRead(ctx context.Context, p redis.Pipeliner, code string) teamRead {
	return teamRead{meta: p.HMGet(ctx, s.wsKey(code, "meta"), "owner", "team"), members: p.ZRange(ctx, s.wsKey(code, "team"), 0, -1)}
}

// fill sets w.Owner and w.Facilitators (the owner first, then the members
// by the time they joined). A workshop not migrated yet (one an older
// replica saved during a rolling deploy) keeps the facilitators of its
// JSON, owned as MigrateTeams would own them; the team operations migrate
// it first (ensureTeam).
func (tr teamRead) fill(w *flows.Workshop) error {
	if err := tr.meta.Err(); err != nil {
		return err
	}
	if err := tr.members.Err(); err != nil {
		return err
	}
	vals := tr.meta.Val()
	if len(vals) != 2 || vals[1] != "1" {
		w.Owner = 0
		if len(w.Facilitators) > 0 {
			w.Owner = flows.TeamOwner(w)
			w.Facilitators = teamMembers(w)
		}
		return nil
	}
	w.Owner, w.Facilitators = 0, nil
	owner, _ := vals[0].(string)
	if owner != "" {
		uid, err := strconv.ParseInt(owner, 10, 64)
		if err != nil {
			return fmt.Errorf("bad owner %q", owner)
		}
		w.Owner = uid
	}
	members, err := parseIDs(tr.members.Val())
	if err != nil {
		return err
	}
	if w.Owner != 0 && slices.Contains(members, w.Owner) {
		w.Facilitators = append(w.Facilitators, w.Owner)
	}
	for _, m := range members {
		if m != w.Owner {
			w.Facilitators = append(w.Facilitators, m)
		}
	}
	return nil
}

// validToken: a token as flows.NewToken makes them (it becomes part of a
// key, so nothing that could end the hash tag).
func validToken(token string) bool {
	return token != "" && len(token) <= 64 && strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == ""
}

// CreateTeamInvite implements flows.Teams: a hash that expires with the
// invitation.
func (s *Store) CreateTeamInvite(ctx context.Context, inv *flows.TeamInvite) error {
	if err := checkCode(inv.Workshop); err != nil || !validToken(inv.Token) {
		return fmt.Errorf("create team invite: bad workshop %q or token", inv.Workshop)
	}
	key := s.teamInviteKey(inv.Workshop, inv.Token)
	// Indexed under its author first, as a "w:<code>:<token>" entry of
	// invites:by:<uid> (a token holds no ':'), for ForgetUser.
	if err := s.indexInvite(ctx, inv.By, teamInviteRef(inv.Workshop, inv.Token), max(inv.Expires.Sub(inv.Created), time.Millisecond)); err != nil {
		return fmt.Errorf("create team invite for workshop %s: %w", inv.Workshop, err)
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "by", inv.By, "created", inv.Created.UnixMilli(), "expires", inv.Expires.UnixMilli())
		p.ZAdd(ctx, s.teamInvitesKey(inv.Workshop), redis.Z{Score: float64(inv.Created.UnixMilli()), Member: inv.Token})
		// The script decides by Expires; the TTL (its lifetime, counted
		// from now) only clears away what nobody used.
		p.PExpire(ctx, key, max(inv.Expires.Sub(inv.Created), time.Millisecond))
		return nil
	})
	if err != nil {
		return fmt.Errorf("create team invite for workshop %s: %w", inv.Workshop, err)
	}
	return nil
}

// teamInvitesKey indexes a workshop's invitations (token -> created ms);
// the invitation's hash decides whether it is open, the index only lists.
func (s *Store) teamInvitesKey(code string) string { return s.wsKey(code, "tinvs") }

// TeamInvites implements flows.Teams: the index, each entry checked against
// its invitation; entries of invitations used, expired, revoked or
// forgotten are cleared away.
func (s *Store) TeamInvites(ctx context.Context, code string, now time.Time) ([]*flows.TeamInvite, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	tokens, err := s.rdb.ZRange(ctx, s.teamInvitesKey(code), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("team invitations of workshop %s: %w", code, err)
	}
	cmds := make([]*redis.SliceCmd, len(tokens))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, tok := range tokens {
			cmds[i] = p.HMGet(ctx, s.teamInviteKey(code, tok), "by", "created", "expires")
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("team invitations of workshop %s: %w", code, err)
	}
	var out []*flows.TeamInvite
	var stale []any
	for i, c := range cmds {
		v := c.Val()
		num := func(j int) int64 {
			str, _ := v[j].(string)
			n, _ := strconv.ParseInt(str, 10, 64)
			return n
		}
		if len(v) != 3 || v[2] == nil || num(2) <= now.UnixMilli() {
			stale = append(stale, tokens[i])
			continue
		}
		out = append(out, &flows.TeamInvite{Token: tokens[i], Workshop: code, By: num(0), Created: fromMS(num(1)), Expires: fromMS(num(2))})
	}
	if len(stale) > 0 {
		if err := s.rdb.ZRem(ctx, s.teamInvitesKey(code), stale...).Err(); err != nil {
			return nil, fmt.Errorf("team invitations of workshop %s: %w", code, err)
		}
	}
	return out, nil
}

// RevokeTeamInvite implements flows.Teams (team_revoke.lua).
func (s *Store) RevokeTeamInvite(ctx context.Context, code, token string, now time.Time) error {
	if checkCode(code) != nil || !validToken(token) {
		return fmt.Errorf("revoke team invitation of workshop %q: %w", code, flows.ErrNotFound)
	}
	n, err := teamRevokeScript.Run(ctx, s.rdb, []string{s.teamInviteKey(code, token), s.teamInvitesKey(code)}, token, now.UnixMilli()).Int()
	if err != nil {
		return fmt.Errorf("revoke team invitation of workshop %s: %w", code, err)
	}
	if n == 0 {
		return fmt.Errorf("revoke team invitation of workshop %s: %w", code, flows.ErrNotFound)
	}
	return nil
}

// ensureTeam migrates code's team from its JSON if it has not been (see
// teamRead.fill).
func (s *Store) ensureTeam(ctx context.Context, code string) error {
	for attempt := 0; attempt < 5; attempt++ {
		res, err := s.migrateTeam(ctx, code)
		if err != nil || res != "changed" {
			return err
		}
	}
	return fmt.Errorf("migrate team of workshop %s: it keeps changing", code)
}

// JoinTeam implements flows.Teams: one script takes the invitation and adds
// the member; then the member's index.
func (s *Store) JoinTeam(ctx context.Context, code, token string, uid int64, now time.Time) (*flows.TeamInvite, error) {
	if checkCode(code) != nil || !validToken(token) {
		return nil, fmt.Errorf("join team of workshop %q: %w", code, flows.ErrNotFound)
	}
	if err := s.ensureTeam(ctx, code); err != nil {
		return nil, fmt.Errorf("join team of workshop %s: %w", code, err)
	}
	keys := []string{s.teamInviteKey(code, token), s.wsKey(code, "team"), s.wsKey(code, "meta")}
	res, err := teamJoinScript.Run(ctx, s.rdb, keys, uid, now.UnixMilli()).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("join team of workshop %s: %w", code, err)
	}
	switch {
	case len(res) == 1 && res[0] == "notfound":
		return nil, fmt.Errorf("join team of workshop %s: %w", code, flows.ErrNotFound)
	case len(res) == 1 && res[0] == "member":
		return nil, fmt.Errorf("join team of workshop %s: %w", code, flows.ErrOnTeam)
	case len(res) != 4 || res[0] != "ok":
		return nil, fmt.Errorf("join team of workshop %s: unexpected script reply %q", code, res)
	}
	by, err1 := strconv.ParseInt(res[1], 10, 64)
	created, err2 := strconv.ParseInt(res[2], 10, 64)
	expires, err3 := strconv.ParseInt(res[3], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("join team of workshop %s: %w", code, err)
	}
	if err := s.rdb.SAdd(ctx, s.facilitatesKey(uid), code).Err(); err != nil {
		return nil, fmt.Errorf("join team of workshop %s (joined, not indexed): %w", code, err)
	}
	return &flows.TeamInvite{Token: token, Workshop: code, By: by, Created: fromMS(created), Expires: fromMS(expires)}, nil
}

// RemoveFromTeam implements flows.Teams.
func (s *Store) RemoveFromTeam(ctx context.Context, code string, uid int64) error {
	if _, err := s.removeFromTeam(ctx, code, uid, "leave"); err != nil {
		return fmt.Errorf("remove %d from the team of workshop %s: %w", uid, code, err)
	}
	return nil
}

// removeFromTeam runs the removal script in mode "leave" or "forget" and
// drops the index entry; it returns the new owner (0: unchanged or none).
func (s *Store) removeFromTeam(ctx context.Context, code string, uid int64, mode string) (int64, error) {
	if err := checkCode(code); err != nil {
		return 0, err
	}
	if err := s.ensureTeam(ctx, code); err != nil {
		return 0, err
	}
	res, err := teamRemoveScript.Run(ctx, s.rdb, []string{s.wsKey(code, "team"), s.wsKey(code, "meta")}, uid, mode).StringSlice()
	if err != nil {
		return 0, err
	}
	switch {
	case len(res) == 1 && res[0] == "notmember":
		return 0, flows.ErrNotOnTeam
	case len(res) == 1 && res[0] == "owner":
		return 0, flows.ErrTeamOwner
	case len(res) != 2 || res[0] != "ok":
		return 0, fmt.Errorf("unexpected script reply %q", res)
	}
	var owner int64
	if res[1] != "" {
		if owner, err = strconv.ParseInt(res[1], 10, 64); err != nil {
			return 0, fmt.Errorf("bad owner %q", res[1])
		}
	}
	if err := s.rdb.SRem(ctx, s.facilitatesKey(uid), code).Err(); err != nil {
		return owner, fmt.Errorf("removed, index not updated: %w", err)
	}
	return owner, nil
}

// HandOver implements flows.Teams.
func (s *Store) HandOver(ctx context.Context, code string, from, to int64) error {
	if err := checkCode(code); err != nil {
		return fmt.Errorf("hand over workshop: %w", err)
	}
	if err := s.ensureTeam(ctx, code); err != nil {
		return fmt.Errorf("hand over workshop %s: %w", code, err)
	}
	res, err := teamHandoverScript.Run(ctx, s.rdb, []string{s.wsKey(code, "team"), s.wsKey(code, "meta")}, from, to).Text()
	if err != nil {
		return fmt.Errorf("hand over workshop %s to %d: %w", code, to, err)
	}
	switch res {
	case "ok":
		return nil
	case "notowner":
		return fmt.Errorf("hand over workshop %s from %d: %w", code, from, flows.ErrNotOwner)
	case "notmember":
		return fmt.Errorf("hand over workshop %s to %d: %w", code, to, flows.ErrNotOnTeam)
	}
	return fmt.Errorf("hand over workshop %s: unexpected script reply %q", code, res)
}

// MigrateTeams gives every workshop stored before teams its team: its
// facilitators, owned by its creator (else the first of them); the JSON
// loses its list. Idempotent (a workshop with a team is left alone); run at
// start. It returns how many workshops it gave a team.
func (s *Store) MigrateTeams(ctx context.Context) (int, error) {
	codes, err := s.rdb.ZRange(ctx, s.allWsKey(), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("migrate teams: %w", err)
	}
	n := 0
	for _, code := range codes {
		if checkCode(code) != nil {
			continue
		}
		for attempt := 0; ; attempt++ {
			res, err := s.migrateTeam(ctx, code)
			if err != nil {
				return n, fmt.Errorf("migrate team of workshop %s: %w", code, err)
			}
			if res == "ok" {
				n++
			}
			if res != "changed" {
				break
			}
			if attempt == 5 {
				return n, fmt.Errorf("migrate team of workshop %s: it keeps changing", code)
			}
		}
	}
	return n, nil
}

// migrateTeam is one attempt: "ok", "done", "changed" or "gone".
func (s *Store) migrateTeam(ctx context.Context, code string) (string, error) {
	var raw *redis.StringCmd
	var marked *redis.StringCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		raw = p.Get(ctx, s.wsKey(code, "ws"))
		marked = p.HGet(ctx, s.wsKey(code, "meta"), "team")
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return "", err
	}
	if marked.Val() == "1" {
		return "done", nil
	}
	if errors.Is(raw.Err(), redis.Nil) {
		return "gone", nil
	}
	var w flows.Workshop
	if err := json.Unmarshal([]byte(raw.Val()), &w); err != nil {
		return "", fmt.Errorf("decode: %w", err)
	}
	stripped, err := workshopJSON(&w)
	if err != nil {
		return "", err
	}
	w.Owner = 0
	args := []any{raw.Val(), stripped, 0, w.Created.UnixMilli()}
	if len(w.Facilitators) > 0 { // none: nobody left to own it (a forgotten facilitator)
		args[2] = flows.TeamOwner(&w)
		for _, uid := range teamMembers(&w) {
			args = append(args, uid)
		}
	}
	keys := []string{s.wsKey(code, "ws"), s.wsKey(code, "meta"), s.wsKey(code, "team")}
	res, err := teamMigrateScript.Run(ctx, s.rdb, keys, args...).Text()
	if err != nil {
		return "", err
	}
	if res == "ok" && len(w.Facilitators) > 0 {
		_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, uid := range w.Facilitators {
				p.SAdd(ctx, s.facilitatesKey(uid), code)
			}
			return nil
		})
	}
	return res, err
}
