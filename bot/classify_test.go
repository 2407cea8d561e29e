package bot

import (
	"fmt"
	"testing"

	tg "github.com/go-telegram/bot"
)

// Group answers of the Bot API: an upgraded group is not retried (its new
// id is followed instead), and a chat where the bot may not write is
// reported as ErrCannotPost, for its links to be deactivated.
func TestClassifyGroupErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		kind errKind
	}{
		{&tg.MigrateError{Message: "bad request: Bad Request: group chat was upgraded to a supergroup chat", MigrateToChatID: -1002000004001}, errFatal},
		{fmt.Errorf("%w, %s", tg.ErrorBadRequest, "Bad Request: not enough rights to send text messages to the chat"), errNoPost},
		{fmt.Errorf("%w, %s", tg.ErrorBadRequest, "Bad Request: need administrator rights in the channel chat"), errNoPost},
		{fmt.Errorf("%w, %s", tg.ErrorBadRequest, "Bad Request: message thread not found"), errNoThread},
		{fmt.Errorf("%w, %s", tg.ErrorForbidden, "Forbidden: bot was kicked from the supergroup chat"), errBlocked},
	} {
		if _, _, kind := classify(c.err); kind != c.kind {
			t.Errorf("%v: kind %d, want %d", c.err, kind, c.kind)
		}
	}
	// The JSON fast path of sendMessage reports an upgrade as go-telegram/bot does.
	var env envelope
	env.ErrorCode, env.Description = 400, "Bad Request: group chat was upgraded to a supergroup chat"
	env.Parameters.MigrateToChatID = -1002000004001
	if me, ok := apiError(env).(*tg.MigrateError); !ok || me.MigrateToChatID != -1002000004001 {
		t.Fatalf("fast path: %v", apiError(env))
	}
}
