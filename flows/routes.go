package flows

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Callback routes: their names, namespaces and legacy names, the checked
// callback data buttons carry, and routing a press to its route.

// Route handles callback data of the form "<Name>:<payload>".
//
// Name is "<namespace>.<action>": the namespace is the registering module's
// (Registry.Namespace; the core's is "core"), the action says what the button
// does, in lower-case letters and "_" (say "registration.join"). A name is at
// most MaxRouteName bytes, so that every route keeps MinPayload bytes of the
// 64 Telegram allows for its payload.
type Route struct {
	Name string
	// Legacy is the route's name from before route names were namespaced
	// ("reg" for "registration.join"), or "". Buttons already sent carry it
	// and live on in users' chats, so a press of "<Legacy>:<payload>" runs
	// this route, with the same Role; no button is built with it (MustData
	// refuses a name without a namespace). docs/architecture.md lists them.
	Legacy string
	Role   Role
	// Group routes also take presses in group chats (others are refused
	// there); CheckMember has the transport look up the presser's and the
	// bot's standing in that group (Input.Member).
	Group       bool
	CheckMember bool
	// Scoped: a chapter admin may press it too, below Role (the handler
	// limits them to their chapter).
	Scoped bool
	Run    func(ctx context.Context, t *Turn, payload string) error
}

// Route names (see Route).
const (
	// CoreNamespace is the namespace of the core's own routes.
	CoreNamespace = "core"
	// MaxRouteName is the longest route name, in bytes.
	MaxRouteName = 24
	// MinPayload is the payload every route has room for: 64 bytes of
	// callback data less the longest name and its ":".
	MinPayload = 64 - MaxRouteName - 1
)

var (
	namespaceName = regexp.MustCompile(`^[a-z]{2,16}$`)
	routeName     = regexp.MustCompile(`^([a-z]{2,16})\.[a-z][a-z_]*$`)
	legacyName    = regexp.MustCompile(`^[a-z]{1,8}$`)
)

// Namespace declares the module's namespace, its package name by convention
// ("registration"): every route it adds is named "<ns>.<action>". A module
// declares it once, before its routes; two modules cannot share one, and
// "core" is the core's.
func (r *Registry) Namespace(ns string) {
	switch {
	case r.ns != "":
		panic("flows: module namespace declared twice: " + r.ns + ", " + ns)
	case !namespaceName.MatchString(ns):
		panic("flows: bad namespace " + ns)
	case r.e.namespaces[ns]:
		panic("flows: duplicate namespace " + ns)
	}
	r.e.namespaces[ns] = true
	r.ns = ns
}

// Route adds a callback route; its name must be in the module's namespace.
func (r *Registry) Route(rt *Route) {
	if r.ns == "" {
		panic("flows: route " + rt.Name + " added before the module declared its namespace (Registry.Namespace)")
	}
	r.e.addRoute(r.ns, rt)
}

// addRoute adds route r of namespace ns, under its name and its legacy name.
func (e *Engine) addRoute(ns string, r *Route) {
	m := routeName.FindStringSubmatch(r.Name)
	switch {
	case m == nil || len(r.Name) > MaxRouteName:
		panic(fmt.Sprintf("flows: bad route name %q: want <namespace>.<action>, at most %d bytes", r.Name, MaxRouteName))
	case m[1] != ns:
		panic(fmt.Sprintf("flows: route %q is outside its module's namespace %q", r.Name, ns))
	case e.routes[r.Name] != nil:
		panic("flows: duplicate route " + r.Name)
	case r.Legacy != "" && (!legacyName.MatchString(r.Legacy) || e.routes[r.Legacy] != nil):
		panic("flows: bad or duplicate legacy route name " + r.Legacy)
	}
	e.routes[r.Name] = r
	if r.Legacy != "" {
		e.routes[r.Legacy] = r
	}
}

// RouteInfo describes a callback route.
type RouteInfo struct {
	Name   string
	Legacy string // its name before namespaces, or ""
	Role   Role
}

// Routes lists the callback routes by name.
func (e *Engine) Routes() []RouteInfo {
	var out []RouteInfo
	for n, r := range e.routes {
		if n == r.Name {
			out = append(out, RouteInfo{Name: r.Name, Legacy: r.Legacy, Role: r.Role})
		}
	}
	slices.SortFunc(out, func(a, b RouteInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// callbackData is what Telegram lets through (64 bytes) of a safe alphabet:
// "<route>:<payload>", the route namespaced ("registration.join") or, on a
// button sent before namespaces, legacy ("reg").
var callbackData = regexp.MustCompile(`^[a-z]{1,16}(\.[a-z][a-z_]*)?:[A-Za-z0-9_:.=-]*$`)

// ValidCallbackData reports whether d is callback data the engine accepts:
// at most 64 bytes of "<route>:<payload>" in the safe alphabet.
func ValidCallbackData(d string) bool { return len(d) <= 64 && callbackData.MatchString(d) }

func (e *Engine) callback(ctx context.Context, t *Turn) error {
	data := t.In.Callback
	if len(data) > 64 || !callbackData.MatchString(data) {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	name, payload, _ := strings.Cut(data, ":")
	r := e.routeOf(data)
	if r == nil {
		t.Answer(T("errors.bad_button"), true)
		return nil
	}
	if name != r.Name {
		t.legacy = name
	}
	if !t.may(r.Role, r.Scoped) {
		t.Answer(T("errors.not_allowed"), true)
		return nil
	}
	return r.Run(ctx, t, payload)
}

// routeOf is the route callback data d is for (by its name or its legacy
// name), or nil.
func (e *Engine) routeOf(d string) *Route {
	name, _, _ := strings.Cut(d, ":")
	return e.routes[name]
}

// routeIs reports whether callback data d is for the route named name,
// pressed by its name or its legacy name.
func (e *Engine) routeIs(d, name string) bool {
	r := e.routeOf(d)
	return r != nil && r.Name == name
}

// CheckButtonData says why d is not callback data a button built now may
// carry: valid data for a route of this engine, by its name (a legacy name
// only comes from buttons sent before namespaces). Tests check every button
// with it.
func (e *Engine) CheckButtonData(d string) error {
	if !ValidCallbackData(d) {
		return fmt.Errorf("invalid callback data %q", d)
	}
	name, _, _ := strings.Cut(d, ":")
	switch r := e.routes[name]; {
	case r == nil:
		return fmt.Errorf("callback data %q: no route %q", d, name)
	case r.Name != name:
		return fmt.Errorf("callback data %q: legacy route name %q, not %q", d, name, r.Name)
	}
	return nil
}

// MustData is the callback data "<route>:<part>:<part>…" of a button, checked:
// route is a namespaced route name (never a legacy one) and the whole fits
// Telegram's 64 bytes. Data that does not is a programming error caught by
// tests.
func MustData(route string, parts ...string) string {
	d := strings.Join(append([]string{route}, parts...), ":")
	if len(d) > 64 || !callbackData.MatchString(d) || !routeName.MatchString(route) || len(route) > MaxRouteName {
		panic(fmt.Sprintf("flows: invalid callback data %q", d))
	}
	return d
}

// MenuData is the callback data of a button that runs command as the main
// menu's buttons do (the core's "core.menu" route, which checks the role).
func MenuData(command string) string { return MustData(menuRoute, command) }
