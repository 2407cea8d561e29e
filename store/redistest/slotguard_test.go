package redistest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"sinergi/store/keyslot"
)

// wantCrossSlot fails unless err is the guard's refusal naming the keys.
func wantCrossSlot(t *testing.T, what string, err error, keys ...string) {
	t.Helper()
	if !errors.Is(err, ErrCrossSlot) {
		t.Fatalf("%s: %v, want ErrCrossSlot", what, err)
	}
	for _, k := range keys {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("%s: error %q does not name %s", what, err, k)
		}
	}
}

// The guard refuses cross-slot transactions, scripts and multi-key
// commands before they reach Redis, and lets single-slot ones through.
func TestSlotGuard(t *testing.T) {
	ctx := context.Background()
	r := New(t)
	a, b := r.Prefix+"a", r.Prefix+"b"
	ta, tb := r.Prefix+"{t}:a", r.Prefix+"{t}:b"
	if keyslot.Slot(a) == keyslot.Slot(b) || keyslot.Slot(ta) != keyslot.Slot(tb) {
		t.Fatal("test keys: want a, b in two slots and {t}:a, {t}:b in one")
	}

	// MULTI over two slots: refused, nothing written.
	cmds, err := r.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, a, "1", 0)
		p.Set(ctx, b, "1", 0)
		return nil
	})
	wantCrossSlot(t, "MULTI", err, a, b)
	for _, c := range cmds {
		if !errors.Is(c.Err(), ErrCrossSlot) {
			t.Errorf("%v: %v", c.Args(), c.Err())
		}
	}
	if n := r.Client.Exists(ctx, a).Val() + r.Client.Exists(ctx, b).Val(); n != 0 {
		t.Fatalf("refused MULTI wrote %d keys", n)
	}
	// A keyless command does not count; one hash tag is one slot.
	if _, err := r.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, ta, "1", 0)
		p.Ping(ctx)
		p.SAdd(ctx, tb, "x")
		return nil
	}); err != nil {
		t.Fatalf("single-slot MULTI: %v", err)
	}
	// A WATCH transaction goes through the same check.
	err = r.Client.Watch(ctx, func(tx *redis.Tx) error {
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, ta, "2", 0)
			p.Set(ctx, b, "2", 0)
			return nil
		})
		return err
	}, ta)
	wantCrossSlot(t, "WATCH+MULTI", err, ta, b)

	// Scripts: EVAL, and EVALSHA through redis.Script.
	const lua = "return redis.call('SET', KEYS[1], ARGV[1])"
	wantCrossSlot(t, "EVAL", r.Client.Eval(ctx, lua, []string{a, b}, "1").Err(), a, b)
	sc := redis.NewScript(lua)
	wantCrossSlot(t, "EVALSHA", sc.Run(ctx, r.Client, []string{ta, a}, "1").Err(), ta, a)
	if err := sc.Run(ctx, r.Client, []string{ta, tb}, "1").Err(); err != nil {
		t.Fatalf("single-slot script: %v", err)
	}
	if err := r.Client.Eval(ctx, "return 1", nil).Err(); err != nil {
		t.Fatalf("keyless script: %v", err)
	}

	// Multi-key commands, alone and in a plain pipeline; a plain pipeline
	// of single-key commands in many slots is fine.
	wantCrossSlot(t, "DEL", r.Client.Del(ctx, a, b).Err(), a, b)
	wantCrossSlot(t, "SUNIONSTORE", r.Client.SUnionStore(ctx, ta, tb, a).Err(), a)
	_, err = r.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Get(ctx, a)
		p.MGet(ctx, a, b)
		return nil
	})
	wantCrossSlot(t, "pipelined MGET", err, a, b)
	if _, err := r.Client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, a, "1", 0)
		p.Set(ctx, b, "1", 0)
		p.Del(ctx, ta, tb)
		return nil
	}); err != nil {
		t.Fatalf("plain pipeline: %v", err)
	}

	// The single-node group commit is let through on one node only.
	one := keyslot.SingleNodeOnly(ctx)
	if _, err := r.Client.TxPipelined(one, func(p redis.Pipeliner) error {
		p.Set(one, a, "3", 0)
		p.Set(one, b, "3", 0)
		return nil
	}); err != nil {
		t.Fatalf("marked single-node MULTI: %v", err)
	}
	g := SlotGuard{Cluster: true}
	err = g.ProcessPipelineHook(func(context.Context, []redis.Cmder) error { return nil })(one,
		[]redis.Cmder{redis.NewStatusCmd(one, "multi"), redis.NewStatusCmd(one, "set", a, "1"),
			redis.NewStatusCmd(one, "set", b, "1"), redis.NewSliceCmd(one, "exec")})
	wantCrossSlot(t, "marked MULTI on a Cluster", err, a, b)
}

func TestCmdKeys(t *testing.T) {
	for _, c := range []struct {
		args []any
		want string
	}{
		{[]any{"get", "k"}, "k"},
		{[]any{"ping"}, ""},
		{[]any{"multi"}, ""},
		{[]any{"evalsha", "abc", 2, "k1", "k2", "arg"}, "k1 k2"},
		{[]any{"eval", "return 1", "0", "arg"}, ""},
		{[]any{"fcall", "f", int64(1), []byte("k1"), "arg"}, "k1"},
		{[]any{"del", "k1", "k2", "k3"}, "k1 k2 k3"},
		{[]any{"mset", "k1", "v1", "k2", "v2"}, "k1 k2"},
		{[]any{"zunionstore", "d", 2, "k1", "k2", "weights", 1, 2}, "d k1 k2"},
		{[]any{"zinter", 2, "k1", "k2"}, "k1 k2"},
		{[]any{"blpop", "k1", "k2", 0}, "k1 k2"},
		{[]any{"lmove", "k1", "k2", "left", "right"}, "k1 k2"},
		{[]any{"bitop", "and", "d", "k1"}, "d k1"},
		{[]any{"xread", "count", 1, "streams", "s1", "s2", "0", "0"}, "s1 s2"},
		{[]any{"sort", "k", "by", "w_*", "store", "d"}, "k d"},
		{[]any{"memory", "usage", "k"}, "k"},
		{[]any{"zadd", "k", 1, "m"}, "k"},
	} {
		if got := strings.Join(appendKeys(nil, c.args), " "); got != c.want {
			t.Errorf("%v: keys %q, want %q", c.args, got, c.want)
		}
	}
}

// NewCluster starts a working Cluster: slots are as keyslot computes them,
// a real Cluster refuses cross-slot scripts itself, and the guard names the
// keys first.
func TestNewCluster(t *testing.T) {
	ctx := context.Background()
	c := NewCluster(t)
	if !strings.HasPrefix(c.URL, "redis-cluster://127.0.0.1:") || len(c.Addrs) != 3 {
		t.Fatalf("url %s, addrs %v", c.URL, c.Addrs)
	}
	for _, k := range []string{"foo", "bar", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", c.Prefix + "{c:42}:user", c.Prefix + "users:all"} {
		want, err := c.Client.ClusterKeySlot(ctx, k).Result()
		if err != nil || int(want) != keyslot.Slot(k) {
			t.Errorf("CLUSTER KEYSLOT %s = %d (%v), keyslot.Slot %d", k, want, err, keyslot.Slot(k))
		}
	}
	// Keys spread over every master; Keys finds them all.
	for i := range 30 {
		if err := c.Client.Set(ctx, c.Prefix+"k"+string(rune('a'+i)), "1", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := c.Keys(ctx, c.Prefix+"k*"); err != nil || len(keys) != 30 {
		t.Fatalf("keys %d, %v", len(keys), err)
	}
	a, b := c.Prefix+"a", c.Prefix+"b"
	_, err := c.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, a, "1", 0)
		p.Set(ctx, b, "1", 0)
		return nil
	})
	wantCrossSlot(t, "cluster MULTI", err, a, b)
	// Without the guard, the Cluster itself refuses.
	raw := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs})
	defer raw.Close()
	err = raw.Eval(ctx, "return redis.call('SET', KEYS[1], ARGV[1])", []string{a, b}, "1").Err()
	if err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Fatalf("cross-slot EVAL on a real Cluster: %v", err)
	}
	// A script reaching for a key it did not declare, of another slot.
	err = raw.Eval(ctx, "return redis.call('GET', ARGV[1])", []string{a}, b).Err()
	if err == nil {
		t.Fatal("undeclared cross-slot key in a script: no error")
	}
	t.Logf("undeclared key: %v", err)
}
