package bot

import (
	"sinergi/flows"
	"sinergi/flows/audit"
	"sinergi/flows/broadcast"
	"sinergi/flows/followup"
	"sinergi/flows/matchmaking"
	"sinergi/flows/privacy"
	"sinergi/flows/profile"
	"sinergi/flows/registration"
	"sinergi/flows/roles"
	"sinergi/flows/workshops"
)

// AllModules are the capabilities the transport tests run: those of
// cmd/sinergi. (Exported for the bot_test package; it exists only in tests.)
func AllModules(st flows.Store) []flows.Module {
	return []flows.Module{registration.Module(st), followup.Module(st), profile.Module(st), matchmaking.Module(st),
		workshops.Module(st), broadcast.Module(st), roles.Module(st), audit.Module(st), privacy.Module(st)}
}
