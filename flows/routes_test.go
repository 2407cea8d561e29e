package flows_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"sinergi/flows"
	"sinergi/flows/flowstest"
	"sinergi/locales"
)

// Callback route names: "<namespace>.<action>", each module's in its own
// namespace, the core's in "core"; the names from before namespaces keep
// working for buttons already sent (legacy_routes_test.go).

func newEngine(t *testing.T, modules ...flows.Module) *flows.Engine {
	t.Helper()
	texts, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return flows.New(flows.Config{BotUsername: "sinergi_test_bot", DefaultLang: "id"}, flowstest.NewStore(), texts, modules...)
}

// panicOf runs f and returns what it panicked with, or "".
func panicOf(f func()) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprint(p)
		}
	}()
	f()
	return ""
}

func noop(context.Context, *flows.Turn, string) error { return nil }

// module is a test module registering with its Registry through reg.
func module(reg func(r *flows.Registry)) flows.Module { return flows.ModuleFunc(reg) }

func TestRouteNamespaceEnforced(t *testing.T) {
	route := func(name, legacy string) *flows.Route { return &flows.Route{Name: name, Legacy: legacy, Run: noop} }
	for _, c := range []struct {
		name    string
		modules []flows.Module
		want    string // the panic, "" for none
	}{
		{"a route in its module's namespace", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups.join", ""))
			r.Route(route("groups.leave_yes", "grl"))
		})}, ""},
		{"a route before the namespace", []flows.Module{module(func(r *flows.Registry) {
			r.Route(route("groups.join", ""))
		})}, "before the module declared its namespace"},
		{"an old short name", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("grj", ""))
		})}, "bad route name"},
		{"another module's namespace", []flows.Module{
			module(func(r *flows.Registry) { r.Namespace("registration") }),
			module(func(r *flows.Registry) {
				r.Namespace("groups")
				r.Route(route("registration.join", ""))
			}),
		}, `route "registration.join" is outside its module's namespace "groups"`},
		{"the core's namespace", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("core.menu", ""))
		})}, "outside its module's namespace"},
		{"claiming the core's namespace", []flows.Module{module(func(r *flows.Registry) { r.Namespace("core") })}, "duplicate namespace core"},
		{"two modules, one namespace", []flows.Module{
			module(func(r *flows.Registry) { r.Namespace("groups") }),
			module(func(r *flows.Registry) { r.Namespace("groups") }),
		}, "duplicate namespace groups"},
		{"a second namespace", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Namespace("teams")
		})}, "declared twice"},
		{"a bad namespace", []flows.Module{module(func(r *flows.Registry) { r.Namespace("Groups") })}, "bad namespace"},
		{"a namespace with a dot", []flows.Module{module(func(r *flows.Registry) { r.Namespace("a.b") })}, "bad namespace"},
		{"a namespace too long", []flows.Module{module(func(r *flows.Registry) { r.Namespace(strings.Repeat("g", 17)) })}, "bad namespace"},
		{"no action", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups.", ""))
		})}, "bad route name"},
		{"capitals", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups.Join", ""))
		})}, "bad route name"},
		{"a colon", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups.join:x", ""))
		})}, "bad route name"},
		{"too long", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups."+strings.Repeat("j", flows.MaxRouteName-len("groups.")+1), ""))
		})}, "at most 24 bytes"},
		{"a duplicate", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups.join", ""))
			r.Route(route("groups.join", ""))
		})}, "duplicate route groups.join"},
		{"a legacy name taken by the core", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups.join", "m"))
		})}, "duplicate legacy route name m"},
		{"a legacy name taken by another module", []flows.Module{
			module(func(r *flows.Registry) {
				r.Namespace("registration")
				r.Route(route("registration.join", "reg"))
			}),
			module(func(r *flows.Registry) {
				r.Namespace("groups")
				r.Route(route("groups.join", "reg"))
			}),
		}, "duplicate legacy route name reg"},
		{"a namespaced legacy name", []flows.Module{module(func(r *flows.Registry) {
			r.Namespace("groups")
			r.Route(route("groups.join", "groups.j"))
		})}, "bad or duplicate legacy route name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := panicOf(func() { newEngine(t, c.modules...) })
			if c.want == "" && got != "" || !strings.Contains(got, c.want) {
				t.Fatalf("panic %q, want %q", got, c.want)
			}
		})
	}
}

// A route registered in its namespace is pressed by its name, and by its
// legacy name, to the same handler; nothing else reaches it.
func TestRoutePressedByNameAndLegacyName(t *testing.T) {
	var got []string
	e := newEngine(t, module(func(r *flows.Registry) {
		r.Namespace("groups")
		r.Route(&flows.Route{Name: "groups.join", Legacy: "grj", Role: flows.RoleFacilitator, Run: func(_ context.Context, _ *flows.Turn, p string) error {
			got = append(got, p)
			return nil
		}})
	}))
	press := func(uid int64, data string) *flows.Result {
		res, err := e.Handle(context.Background(), flows.Input{Kind: flows.KindCallback, Callback: data, UserID: uid, ChatID: uid, Private: true, FirstName: "U"},
			&flows.User{ID: uid, Lang: "id", Role: flows.RoleFacilitator}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := press(1, "groups.join:a:b"); res.Answer != nil || res.LegacyRoute != "" {
		t.Fatalf("by name: %+v", res)
	}
	if res := press(1, "grj:c"); res.Answer != nil || res.LegacyRoute != "grj" {
		t.Fatalf("by legacy name: answer %+v, legacy %q", res.Answer, res.LegacyRoute)
	}
	for _, d := range []string{"groups:x", "groups.joi:x", "groups.join", "grj", "join:x", "GROUPS.join:x", "groups.join.x:y"} {
		if res := press(1, d); res.Answer == nil || res.Answer.Text.ID != "errors.bad_button" {
			t.Errorf("%q: %+v", d, res.Answer)
		}
	}
	if want := []string{"a:b", "c"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("payloads %q, want %q", got, want)
	}
	// The legacy name has the route's role.
	res, err := e.Handle(context.Background(), flows.Input{Kind: flows.KindCallback, Callback: "grj:c", UserID: 2, ChatID: 2, Private: true, FirstName: "U"}, nil, nil)
	if err != nil || res.Answer == nil || res.Answer.Text.ID != "errors.not_allowed" {
		t.Fatalf("a participant by the legacy name: %+v %v", res, err)
	}
	if len(got) != 2 {
		t.Fatalf("ran for a participant: %q", got)
	}
}

// Buttons are built with route names only: MustData refuses a legacy or
// malformed name and data over Telegram's 64 bytes; CheckButtonData, which
// the test harness applies to every button, also refuses a route the engine
// does not have.
func TestButtonsCarryRouteNames(t *testing.T) {
	for _, c := range []struct {
		route string
		parts []string
	}{
		{"wm", []string{"abcdef"}}, {"m", []string{"menu"}}, {"core", []string{"x"}}, {"core.", nil}, {"Core.menu", nil},
		{"core.menu", []string{strings.Repeat("x", 64-len("core.menu:")+1)}}, {"core.menu", []string{"a b"}},
		{"groups." + strings.Repeat("j", flows.MaxRouteName), nil},
	} {
		if panicOf(func() { flows.MustData(c.route, c.parts...) }) == "" {
			t.Errorf("MustData(%q, %q) did not panic", c.route, c.parts)
		}
	}
	if d := flows.MustData("core.menu", strings.Repeat("x", 64-len("core.menu:"))); len(d) != 64 {
		t.Fatalf("64 bytes: %q", d)
	}
	if d := flows.MenuData("workshops"); d != "core.menu:workshops" {
		t.Fatalf("menu data %q", d)
	}
	e := newEngine(t, flowstest.AllModules(flowstest.NewStore())...)
	for d, want := range map[string]string{
		"registration.join:abcdef": "",
		"core.menu:workshops":      "",
		"reg:abcdef":               `legacy route name "reg", not "registration.join"`,
		"registration.jion:abcdef": `no route "registration.jion"`,
		"groups.join:1":            `no route "groups.join"`,
		"registration.join:a b":    "invalid callback data",
	} {
		err := e.CheckButtonData(d)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckButtonData(%q) = %v, want %q", d, err, want)
		}
	}
}

// Every capability's routes are in the namespace of its package, the core's
// in "core".
func TestRoutesInTheirPackageNamespace(t *testing.T) {
	core := map[string]bool{}
	for _, r := range newEngine(t).Routes() {
		if !strings.HasPrefix(r.Name, flows.CoreNamespace+".") {
			t.Errorf("core route %q", r.Name)
		}
		core[r.Name] = true
	}
	if len(core) != 3 {
		t.Errorf("core routes %v", core)
	}
	st := flowstest.NewStore()
	seen := map[string]bool{}
	for _, m := range flowstest.AllModules(st) {
		pc := reflect.ValueOf(m).Pointer() // the function registering the module
		file, _ := runtime.FuncForPC(pc).FileLine(pc)
		pkg := filepath.Base(filepath.Dir(file))
		for _, r := range newEngine(t, m).Routes() {
			if core[r.Name] {
				continue
			}
			if ns, _, _ := strings.Cut(r.Name, "."); ns != pkg {
				t.Errorf("route %q of package %s", r.Name, pkg)
			}
			seen[r.Name] = true
		}
	}
	if len(seen) < 30 {
		t.Fatalf("only %d routes seen: %v", len(seen), seen)
	}
}

// The longest callback data each button can carry fits Telegram's 64 bytes
// with the route names: built with MustData (which panics past 64) from the
// largest value of each part. Every route of the product must have its worst
// case here.
func TestCallbackDataWorstCaseFits(t *testing.T) {
	longest := func(prefix string, items []string) string {
		var l string
		for _, it := range items {
			if len(prefix+it) > len(l) {
				l = prefix + it
			}
		}
		return l
	}
	var (
		code   = strings.Repeat("z", len(flows.NewCode())) // workshops, commitments, broadcasts
		uid    = strconv.FormatInt(math.MaxInt64, 10)
		intro  = strings.Repeat("z", 10) // matchmaking's introID
		pos    = "9999"                  // matchmaking's parsePos: below 10,000
		page   = strconv.Itoa(math.MaxInt32)
		nonce  = strings.Repeat("z", 5) // below 36^5
		filter = longest("", []string{"a", "c", longest("t.", flows.Themes()), longest("s.", flows.Sectors()), longest("p.", flows.Provinces())})
		status = longest("", []string{flows.CmDone, flows.CmOnTrack, flows.CmBlocked})
		slot   = strconv.FormatInt(1<<36, 10) // a slot's start, Unix seconds (past the year 4000)
	)
	e := newEngine(t, flowstest.AllModules(flowstest.NewStore())...)
	var cmds []string
	for _, c := range e.Commands(flows.RoleAdmin) {
		cmds = append(cmds, c.Name)
	}
	worst := map[string][]string{
		"core.step":     {nonce, uid}, // the longest step value: a user id (a commitment's owner)
		"core.menu":     {longest("", cmds)},
		"core.language": {longest("", locales.Supported())},

		"registration.list":        {page},
		"registration.show":        {code},
		"registration.join":        {code},
		"registration.leave":       {code},
		"registration.leave_yes":   {code},
		"registration.feedback":    {code, "5"},
		"registration.online":      {code},
		"registration.accept":      {code},
		"registration.decline":     {code},
		"registration.pending":     {code},
		"registration.approve":     {code, uid},
		"registration.reject":      {code, uid},
		"registration.approve_all": {code},
		"registration.answers":     {code},
		"registration.door":        {code},
		"registration.door_in":     {code, uid},
		"registration.join_as":     {code, "onsite"},
		"registration.switch":      {code, "onsite", "g"},

		"attendance.show":   {code},
		"attendance.csv":    {code},
		"attendance.fix":    {code},
		"attendance.person": {code, uid},
		"attendance.set":    {code, uid, "p"},

		"attendance.sessions": {code},
		"attendance.session":  {code, "sffffffff", "999"},
		"attendance.mark":     {code, "sffffffff", uid, "p", "999"},
		"attendance.s_find":   {code, "sffffffff"},
		"attendance.here":     {code},

		"certificates.get":      {code},
		"certificates.send":     {code},
		"certificates.team":     {code},
		"certificates.send_all": {code},
		"surveys.manage":        {code},
		"surveys.edit":          {code},
		"surveys.results":       {code},
		"surveys.funnel":        {code},
		"surveys.start":         {code},

		"workshops.mine":           {page},
		"workshops.manage":         {code},
		"workshops.registrants":    {code, page},
		"workshops.export":         {code},
		"workshops.edit":           {code},
		"workshops.toggle_closed":  {code},
		"workshops.cancel":         {code},
		"workshops.cancel_yes":     {code},
		"workshops.feedback":       {code},
		"workshops.team":           {code},
		"workshops.team_invite":    {code},
		"workshops.team_revoke":    {code, flows.NewToken()},
		"workshops.team_remove":    {code, uid},
		"workshops.handover":       {code, uid},
		"workshops.handover_yes":   {code, uid},
		"workshops.team_leave":     {code},
		"workshops.team_leave_yes": {code},
		"workshops.message":        {code},
		"workshops.promotion":      {code},
		"workshops.offer_for":      {code},
		"workshops.approval":       {code},
		"workshops.reports_to":     {code},
		"workshops.group_summary":  {code},
		"workshops.message_to":     {code, "n"},
		"workshops.form":           {code},
		"workshops.form_add":       {code},
		"workshops.form_delete":    {code, "qffffffff"},
		"workshops.clone":          {code},
		"workshops.series":         {code},
		"workshops.visibility":     {code},
		"workshops.invite_only":    {code},
		"workshops.invites":        {code},
		"workshops.inv_personal":   {code},
		"workshops.inv_org":        {code},
		"workshops.inv_revoke":     {code, flows.NewToken()}, // 22 characters
		"workshops.inv_export":     {code},

		"agenda.manage":  {code},
		"agenda.add":     {code},
		"agenda.edit":    {code, "sffffffff"},
		"agenda.delete":  {code, "sffffffff"},
		"agenda.del_yes": {code, "sffffffff"},
		"agenda.list":    {code, "sffffffff"},
		"agenda.export":  {code, "sffffffff"},
		"agenda.choose":  {code},
		"agenda.join":    {code, "sffffffff"},
		"agenda.leave":   {code, "sffffffff"},
		"agenda.ics":     {code},

		"followup.commit":       {code},
		"followup.owner_answer": {code, code, "y"},
		"followup.update":       {code, code},
		"followup.status":       {code, code, status},
		"followup.collect":      {code},
		"followup.checkins":     {code},
		"followup.report":       {code, "chat"},
		"followup.forum_report": {code}, // "all" or a chapter id

		"matchmaking.suggestion": {filter, pos},
		"matchmaking.hide":       {uid, filter, pos},
		"matchmaking.filter":     {"p", page},
		"matchmaking.request":    {uid},
		"matchmaking.accept":     {intro},
		"matchmaking.decline":    {intro},
		"matchmaking.withdraw":   {intro},
		"matchmaking.profile":    {"dy"},

		"groups.link":     {"w", code},
		"groups.unlink":   {uid, "2147483647"},
		"groups.announce": {code},

		"meetings.team":    {code},
		"meetings.setup":   {code},
		"meetings.grid":    {code},
		"meetings.auto":    {code},
		"meetings.suggest": {code, filter, pos},
		"meetings.filter":  {code},
		"meetings.request": {code, uid},
		"meetings.accept":  {code, intro, slot},
		"meetings.propose": {code, intro, slot},
		"meetings.decline": {code, intro},
		"meetings.cancel":  {code, intro},
		"meetings.move":    {code, intro, slot},
		"meetings.confirm": {code, intro},
		"meetings.ics":     {code},
		"meetings.outcome": {code, intro, longest("", flows.MeetOutcomes())},
		"meetings.list":    {code},
		"groups.post":      {code, uid, "2147483647"},

		"broadcast.cancel":  {code},
		"broadcast.updates": {"off"},
		"roles.invite":      {flows.RoleFacilitator.String()},
		"chapters.new":      {"go"},
		"chapters.invite":   {code},
		"chapters.admins":   {code},
		"chapters.remove":   {code, uid},
		"chapters.edit":     {code},
		"chapters.leave":    {code},
		"chapters.delete":   {code},
		"chapters.del_yes":  {code},
		"audit.export":      {"csv"},
		"privacy.forget":    {"yes"},
	}
	for _, r := range e.Routes() {
		parts, ok := worst[r.Name]
		if !ok {
			t.Errorf("route %s: no worst case in this test", r.Name)
			continue
		}
		delete(worst, r.Name)
		if msg := panicOf(func() { flows.MustData(r.Name, parts...) }); msg != "" {
			t.Errorf("route %s: %s", r.Name, msg)
		}
	}
	for name := range worst {
		t.Errorf("worst case of %s, which the engine does not have", name)
	}
}
