package bot

import "sinergi/flows"

// AllModules are the capabilities the transport tests run: those of
// cmd/sinergi. (Exported for the bot_test package; it exists only in tests.)
func AllModules() []flows.Module {
	return []flows.Module{flows.RegistrationModule(), flows.FollowUpModule(), flows.ProfileModule(), flows.MatchmakingModule(),
		flows.WorkshopsModule(), flows.BroadcastModule(), flows.RolesModule(), flows.AuditModule(), flows.PrivacyModule()}
}
