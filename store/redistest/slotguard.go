package redistest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"sinergi/store/keyslot"
)

// ErrCrossSlot is the error of a command or transaction that SlotGuard
// refuses: its keys are in more than one Redis Cluster slot.
var ErrCrossSlot = errors.New("redistest: keys in more than one Redis Cluster slot")

// SlotGuard is a go-redis hook that refuses, before anything is sent, what a
// Redis Cluster would refuse: a MULTI/EXEC transaction, an EVAL, EVALSHA or
// FCALL, or a multi-key command (DEL, MGET, SUNIONSTORE …) whose keys are in
// more than one slot (CRC16 of the key or its {hash tag}, mod 16384). New
// and NewCluster install it, so every test on one node also checks that the
// store would work on a Cluster.
//
// What it cannot see: keys a Lua script builds itself instead of taking
// them from KEYS (a Cluster refuses those when they are in another slot;
// TestClusterSmoke runs the scripts on a real Cluster), and a WATCH on keys
// of another slot than the MULTI after it.
type SlotGuard struct {
	// Cluster is set when the client talks to a Cluster: then a transaction
	// marked keyslot.SingleNodeOnly is checked too.
	Cluster bool
}

// DialHook implements redis.Hook.
func (SlotGuard) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (g SlotGuard) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if args := cmd.Args(); len(args) > 0 && keysOf(argName(args)) > oneKey {
			var buf [8]string
			if err := checkSlots(argName(args), appendKeys(buf[:0], args)); err != nil {
				cmd.SetErr(err)
				return err
			}
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook. It sees plain pipelines and
// transactions (go-redis hands them over wrapped in MULTI … EXEC).
func (g SlotGuard) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if err := g.checkPipeline(ctx, cmds); err != nil {
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		return next(ctx, cmds)
	}
}

func (g SlotGuard) checkPipeline(ctx context.Context, cmds []redis.Cmder) error {
	var tx []string // the keys of the open transaction
	inTx := false
	for _, c := range cmds {
		args := c.Args()
		if len(args) == 0 {
			continue
		}
		switch name := argName(args); {
		case name == "multi":
			inTx, tx = true, tx[:0]
		case name == "exec":
			if inTx && (g.Cluster || !keyslot.IsSingleNodeOnly(ctx)) {
				if err := checkSlots("MULTI/EXEC", tx); err != nil {
					return err
				}
			}
			inTx = false
		case inTx:
			tx = appendKeys(tx, args)
		case keysOf(name) > oneKey:
			var buf [8]string
			if err := checkSlots(name, appendKeys(buf[:0], args)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSlots fails when keys are in more than one slot, naming a key of
// each slot.
func checkSlots(what string, keys []string) error {
	if len(keys) < 2 {
		return nil
	}
	first := keyslot.Slot(keys[0])
	same := true
	for _, k := range keys[1:] {
		if keyslot.Slot(k) != first {
			same = false
			break
		}
	}
	if same {
		return nil
	}
	const shown = 8
	var parts []string
	seen := map[int]bool{}
	for _, k := range keys {
		sl := keyslot.Slot(k)
		if seen[sl] {
			continue
		}
		seen[sl] = true
		if len(parts) < shown {
			parts = append(parts, fmt.Sprintf("%s (slot %d)", k, sl))
		}
	}
	if len(seen) > shown {
		parts = append(parts, fmt.Sprintf("… %d more slots", len(seen)-shown))
	}
	return fmt.Errorf("%w: %s over %d keys in %d slots: %s", ErrCrossSlot, strings.ToUpper(what), len(keys), len(seen),
		strings.Join(parts, ", "))
}

// keySpec says where a command's keys are.
type keySpec int

const (
	noKey         keySpec = iota // keyless
	oneKey                       // the first argument (the default)
	allKeys                      // every argument
	twoKeys                      // the first two arguments
	allButLast                   // every argument but the last (a timeout)
	pairKeys                     // every other argument: key value key value …
	storeKeys                    // destination numkeys key…
	countKeys                    // numkeys key…
	timeCountKeys                // timeout numkeys key…
	scriptKeys                   // script|sha|function numkeys key… arg…
	afterOp                      // operation|subcommand key…
	subKey                       // subcommand key
	streamKeys                   // … STREAMS key… id…
	sortKeys                     // key … [STORE destination]
)

// keysOf says where the keys of the command name are: the first argument
// unless listed.
func keysOf(name string) keySpec {
	switch name {
	case "multi", "exec", "discard", "unwatch", "ping", "echo", "info", "select", "hello", "auth", "client",
		"config", "cluster", "command", "script", "function", "flushdb", "flushall", "dbsize", "time",
		"publish", "spublish", "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe",
		"sunsubscribe", "pubsub", "scan", "keys", "randomkey", "save", "bgsave", "bgrewriteaof", "lastsave",
		"debug", "slowlog", "latency", "wait", "waitaof", "readonly", "readwrite", "quit", "reset", "acl",
		"role", "monitor", "shutdown", "swapdb", "failover", "replicaof", "slaveof", "lolwut", "module":
		return noKey
	case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		return scriptKeys
	case "del", "unlink", "exists", "touch", "watch", "mget", "sinter", "sunion", "sdiff", "sinterstore",
		"sunionstore", "sdiffstore", "pfcount", "pfmerge":
		return allKeys
	case "rename", "renamenx", "copy", "smove", "rpoplpush", "lmove", "blmove", "brpoplpush", "lcs",
		"zrangestore", "geosearchstore":
		return twoKeys
	case "blpop", "brpop", "bzpopmin", "bzpopmax":
		return allButLast
	case "mset", "msetnx":
		return pairKeys
	case "zunionstore", "zinterstore", "zdiffstore":
		return storeKeys
	case "zunion", "zinter", "zdiff", "sintercard", "zintercard", "lmpop", "zmpop":
		return countKeys
	case "blmpop", "bzmpop":
		return timeCountKeys
	case "bitop":
		return afterOp
	case "object", "xinfo", "xgroup", "memory":
		return subKey
	case "xread", "xreadgroup":
		return streamKeys
	case "sort", "sort_ro":
		return sortKeys
	}
	return oneKey
}

// appendKeys appends the keys among a command's arguments (cmd.Args()) to
// dst, for the commands Sinergi uses and the usual multi-key ones; other
// commands are taken to have one key, their first argument.
func appendKeys(dst []string, args []any) []string {
	if len(args) == 0 {
		return dst
	}
	span := func(from, to int) []string { // args[from:to], clamped
		for i := from; i < min(to, len(args)); i++ {
			dst = append(dst, arg(args, i))
		}
		return dst
	}
	counted := func(at int) []string { // numkeys at args[at], then the keys
		if n, err := strconv.Atoi(arg(args, at)); err == nil && n > 0 && at < len(args) {
			return span(at+1, at+1+n)
		}
		return dst
	}
	switch keysOf(argName(args)) {
	case noKey:
		return dst
	case scriptKeys:
		return counted(2)
	case allKeys:
		return span(1, len(args))
	case twoKeys:
		return span(1, 3)
	case allButLast:
		return span(1, len(args)-1)
	case pairKeys:
		for i := 1; i < len(args); i += 2 {
			dst = append(dst, arg(args, i))
		}
		return dst
	case storeKeys:
		dst = span(1, 2)
		return counted(2)
	case countKeys:
		return counted(1)
	case timeCountKeys:
		return counted(2)
	case afterOp:
		return span(2, len(args))
	case subKey:
		return span(2, 3)
	case streamKeys:
		for i := 1; i < len(args); i++ {
			if strings.EqualFold(arg(args, i), "streams") {
				return span(i+1, i+1+(len(args)-i-1)/2)
			}
		}
		return dst
	case sortKeys:
		dst = span(1, 2)
		for i := 2; i < len(args)-1; i++ {
			if strings.EqualFold(arg(args, i), "store") {
				dst = append(dst, arg(args, i+1))
			}
		}
		return dst
	}
	return span(1, 2)
}

// argName is the command's name in lower case.
func argName(args []any) string { return strings.ToLower(arg(args, 0)) }

func arg(args []any, i int) string {
	if i >= len(args) {
		return ""
	}
	switch v := args[i].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	default:
		return fmt.Sprint(v)
	}
}
