package bot

import (
	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/store"
)

// AllModules are the capabilities the transport tests run: those of
// cmd/sinergi (flowstest.AllModules), each handed the Redis store.
// (Exported for the bot_test package; it exists only in tests.)
func AllModules(st *store.Store) []flows.Module { return flowstest.AllModules(st) }
