package store

import (
	"context"
	_ "embed" // Lua script
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

//go:embed ws_notice.lua
var wsNoticeLua string

var wsNoticeScript = redis.NewScript(wsNoticeLua)

// ClaimApprovalNotice implements flows.ApprovalNotices: the time of the
// last notice, under the workshop's hash tag (ws_notice.lua).
func (s *Store) ClaimApprovalNotice(ctx context.Context, code string, now time.Time, every time.Duration) (bool, time.Time, error) {
	if err := checkCode(code); err != nil {
		return false, time.Time{}, fmt.Errorf("approval notice of workshop %q: %w", code, err)
	}
	next, err := wsNoticeScript.Run(ctx, s.rdb, []string{s.wsKey(code, "apnote")}, now.UnixMilli(), max(every.Milliseconds(), 1)).Int64()
	if err != nil {
		return false, time.Time{}, fmt.Errorf("approval notice of workshop %s: %w", code, err)
	}
	if next == 0 {
		return true, time.Time{}, nil
	}
	return false, fromMS(next), nil
}
