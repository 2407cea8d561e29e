package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
	"sinergi/store/keyslot"
)

// Options tune the store.
type Options struct {
	Prefix     string        // key prefix, default "sinergi:"
	SessionTTL time.Duration // conversation state lifetime, default 48 h
}

// Store implements the flows' storage interfaces and the transport's state
// and inbox on Redis.
type Store struct {
	rdb        redis.UniversalClient
	cluster    bool // rdb is a Cluster client: transactions must stay in one slot
	p          string
	sessionTTL time.Duration
	loads      *coalescer[loadReq]
	commits    *coalescer[commitReq]
	begins     *coalescer[beginReq] // outbox sends begun (outbox.go)
	dones      *coalescer[doneReq]  // outboxes emptied
	zones      sync.Map             // zone name -> *time.Location, for the commitment tallies (cmtally.go)
}

// Batching of per-update loads and commits: runners are the pipelines in
// flight at once, maxBatch the updates one pipeline carries.
const (
	runners  = 4
	maxBatch = 64
)

// dedupeTTL outlives Telegram's redelivery window of 24 hours.
const dedupeTTL = 25 * time.Hour

// New wraps a connected client.
func New(rdb redis.UniversalClient, o Options) *Store {
	if o.Prefix == "" {
		o.Prefix = "sinergi:"
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 48 * time.Hour
	}
	_, cluster := rdb.(*redis.ClusterClient)
	s := &Store{rdb: rdb, cluster: cluster, p: o.Prefix, sessionTTL: o.SessionTTL}
	s.loads = newCoalescer(runners, maxBatch, s.runLoads)
	s.commits = newCoalescer(runners, maxBatch, s.runCommits)
	s.begins = newCoalescer(runners, maxBatch, s.runBegins)
	s.dones = newCoalescer(runners, maxBatch, s.runDones)
	return s
}

// ParseURL turns REDIS_URL into client options:
//
//	redis://[user:pass@]host:port[/db]            one node (rediss:// for TLS)
//	redis-sentinel://[:pass@]h1:26379,h2:26379/<master>[/db]
//	redis-cluster://[:pass@]h1:7000,h2:7001
func ParseURL(raw string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	switch u.Scheme {
	case "redis", "rediss":
		o, err := redis.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("parse redis url: %w", err)
		}
		return &redis.UniversalOptions{
			Addrs: []string{o.Addr}, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
		}, nil
	case "redis-sentinel", "redis-cluster":
		o := &redis.UniversalOptions{Addrs: strings.Split(u.Host, ",")}
		if u.User != nil {
			o.Username = u.User.Username()
			o.Password, _ = u.User.Password()
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if u.Scheme == "redis-cluster" {
			o.IsClusterMode = true
			return o, nil
		}
		if parts[0] == "" {
			return nil, errors.New("parse redis url: redis-sentinel:// needs the master name as path")
		}
		o.MasterName = parts[0]
		if len(parts) > 1 {
			if o.DB, err = strconv.Atoi(parts[1]); err != nil {
				return nil, fmt.Errorf("parse redis url: bad db %q", parts[1])
			}
		}
		return o, nil
	}
	return nil, fmt.Errorf("parse redis url: unsupported scheme %q (redis, rediss, redis-sentinel, redis-cluster)", u.Scheme)
}

// Open connects to REDIS_URL and checks the connection.
func Open(ctx context.Context, rawURL string, o Options) (*Store, error) {
	opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewUniversalClient(opts)
	s := New(rdb, o)
	if err := s.Ping(ctx); err != nil {
		_ = rdb.Close()
		return nil, err
	}
	return s, nil
}

// Client is the underlying Redis client.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Close stops the batching and closes the client.
func (s *Store) Close() error {
	s.loads.close()
	s.commits.close()
	s.begins.close()
	s.dones.close()
	return s.rdb.Close()
}

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// Key builders: the only place key names are spelled.
func (s *Store) chatKey(chatID int64, name string) string {
	return s.p + "{c:" + strconv.FormatInt(chatID, 10) + "}:" + name
}
func (s *Store) userKey(id int64) string    { return s.chatKey(id, "user") }
func (s *Store) profileKey(id int64) string { return s.chatKey(id, "profile") }
func (s *Store) sessKey(chat int64) string  { return s.chatKey(chat, "sess") }
func (s *Store) updKey(chat, upd int64) string {
	return s.chatKey(chat, "upd:"+strconv.FormatInt(upd, 10))
}
func (s *Store) updsKey(chat int64) string     { return s.chatKey(chat, "upds") }
func (s *Store) inviteKey(token string) string { return s.p + "invite:" + token }
func (s *Store) inboxKey() string              { return s.p + "poll:inbox" }
func (s *Store) offsetKey() string             { return s.p + "poll:offset" }

func getJSON[T any](ctx context.Context, rdb redis.Cmdable, key string) (*T, error) {
	b, err := rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

func setJSON(ctx context.Context, rdb redis.Cmdable, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	if err := rdb.Set(ctx, key, b, ttl).Err(); err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}

// GetProfile implements flows.Profiles.
func (s *Store) GetProfile(ctx context.Context, userID int64) (*flows.Profile, error) {
	return getJSON[flows.Profile](ctx, s.rdb, s.profileKey(userID))
}

// SaveProfile implements flows.Profiles. On one server the profile and
// the sector and province indexes of segments (members.go) are written in
// one MULTI, so the indexes are exact. On a Cluster (other slots) the
// indexes get the new values before the profile is written and lose the
// old ones after, so they always hold every member whose profile has a
// value.
func (s *Store) SaveProfile(ctx context.Context, p *flows.Profile) error {
	if !s.cluster {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("encode profile %d: %w", p.UserID, err)
		}
		if _, err := s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), func(tx redis.Pipeliner) error {
			tx.Set(ctx, s.profileKey(p.UserID), b, 0)
			s.placeMember(ctx, tx, p.UserID, p)
			return nil
		}); err != nil {
			return fmt.Errorf("save profile %d: %w", p.UserID, err)
		}
		return nil
	}
	old, err := getJSON[flows.Profile](ctx, s.rdb, s.profileKey(p.UserID))
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return fmt.Errorf("save profile %d: %w", p.UserID, err)
	}
	if err := s.indexMember(ctx, p.UserID, p, nil); err != nil {
		return fmt.Errorf("save profile %d: %w", p.UserID, err)
	}
	if err := setJSON(ctx, s.rdb, s.profileKey(p.UserID), p, 0); err != nil {
		return err
	}
	if err := s.indexMember(ctx, p.UserID, nil, stale(old, p)); err != nil {
		return fmt.Errorf("save profile %d: %w", p.UserID, err)
	}
	return nil
}

// RemoveProfile implements flows.Profiles: on one server the profile and
// its index entries go in one MULTI; on a Cluster the entries after it.
func (s *Store) RemoveProfile(ctx context.Context, userID int64) error {
	if !s.cluster {
		if _, err := s.rdb.TxPipelined(keyslot.SingleNodeOnly(ctx), func(tx redis.Pipeliner) error {
			tx.Del(ctx, s.profileKey(userID))
			s.unindexMember(ctx, tx, userID)
			return nil
		}); err != nil {
			return fmt.Errorf("remove profile %d: %w", userID, err)
		}
		return nil
	}
	old, err := getJSON[flows.Profile](ctx, s.rdb, s.profileKey(userID))
	if err != nil && !errors.Is(err, flows.ErrNotFound) {
		return fmt.Errorf("remove profile %d: %w", userID, err)
	}
	if err := s.rdb.Del(ctx, s.profileKey(userID)).Err(); err != nil {
		return fmt.Errorf("remove profile %d: %w", userID, err)
	}
	if err := s.indexMember(ctx, userID, nil, old); err != nil {
		return fmt.Errorf("remove profile %d: %w", userID, err)
	}
	return nil
}

// CreateInvite implements flows.Invites.
// The invitation is indexed under its author first (invites:by:<uid>,
// which lives as long as the author's longest invitation), so that
// ForgetUser finds it without scanning every key.
func (s *Store) CreateInvite(ctx context.Context, inv *flows.Invite, ttl time.Duration) error {
	if err := s.indexInvite(ctx, inv.By, inv.Token, ttl); err != nil {
		return fmt.Errorf("index invite: %w", err)
	}
	return setJSON(ctx, s.rdb, s.inviteKey(inv.Token), inv, ttl)
}

func (s *Store) invitesByKey(uid int64) string {
	return s.p + "invites:by:" + strconv.FormatInt(uid, 10)
}

// indexInvite adds token to by's invitations, keeping the set at least ttl.
func (s *Store) indexInvite(ctx context.Context, by int64, token string, ttl time.Duration) error {
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		k := s.invitesByKey(by)
		p.SAdd(ctx, k, token)
		if ttl > 0 {
			p.ExpireNX(ctx, k, ttl)
			p.ExpireGT(ctx, k, ttl)
		} else {
			p.Persist(ctx, k)
		}
		return nil
	})
	return err
}

// TakeInvite implements flows.Invites: GETDEL makes a token work once, even
// when two people open the link at the same moment.
func (s *Store) TakeInvite(ctx context.Context, token string) (*flows.Invite, error) {
	b, err := s.rdb.GetDel(ctx, s.inviteKey(token)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, flows.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("take invite: %w", err)
	}
	inv := new(flows.Invite)
	if err := json.Unmarshal(b, inv); err != nil {
		return nil, fmt.Errorf("decode invite: %w", err)
	}
	return inv, nil
}
