package flows

// allModules are the capabilities the engine tests run: those of
// cmd/sinergi.
func allModules() []Module {
	return []Module{RegistrationModule(), FollowUpModule(), ProfileModule(), MatchmakingModule(),
		WorkshopsModule(), BroadcastModule(), RolesModule(), AuditModule(), PrivacyModule()}
}
