package flows

// Internals the external tests (package flows_test) check.
var (
	ZoneLabels = zoneLabels
	SeenEvery  = seenEvery
	UTF8BOM    = utf8BOM
	Visible    = visible
	CleanKeep  = cleanKeep
)
var LoadZoneWith = loadZone

// CommandRoles is the minimum role of each command.
func (e *Engine) CommandRoles() map[string]Role {
	out := map[string]Role{}
	for n, c := range e.commands {
		out[n] = c.Role
	}
	return out
}

// GroupCommandRoles is the minimum role of each group command.
func (e *Engine) GroupCommandRoles() map[string]Role {
	out := map[string]Role{}
	for n, c := range e.groupCommands {
		out[n] = c.Role
	}
	return out
}

// RouteRoles is the minimum role of each callback route, by its name.
func (e *Engine) RouteRoles() map[string]Role {
	out := map[string]Role{}
	for _, r := range e.Routes() {
		out[r.Name] = r.Role
	}
	return out
}

// FlowNamed is the registered flow name.
func (e *Engine) FlowNamed(name string) *Flow { return e.flows[name] }

// TurnFor is a turn of e for input in by u, outside Handle.
func (e *Engine) TurnFor(in Input, u *User) *Turn { return &Turn{In: in, e: e, User: u} }
