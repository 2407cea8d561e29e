package flows

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of workshop fields, in characters.
const (
	maxTitleLen    = 120
	minTitleLen    = 3
	maxDescLen     = 1000
	maxVenueLen    = 200
	maxLinkLen     = 500
	maxQuestionLen = 200
	maxCapacity    = 100_000
	regPage        = 10 // registrants per page
)

// WorkshopsModule is the capability of facilitators creating and managing workshops, check-in.
func WorkshopsModule() Module { return ModuleFunc(func(r *Registry) { registerWorkshops(r.e) }) }

func registerWorkshops(e *Engine) {
	(&Registry{e: e}).OnManageCard(func(ctx context.Context, t *Turn, w *Workshop) error { return e.manageCard(ctx, t, w, "") })
	e.addCommand(&Command{Name: "newworkshop", Role: RoleFacilitator, Describe: "cmd.newworkshop", Run: func(ctx context.Context, t *Turn) error {
		data := map[string]string{}
		if z := e.cfg.Location.String(); slices.Contains(Zones(), z) {
			data["default_zone"] = z
		}
		t.Say(T("ws.new_intro"))
		return t.StartFlowAt(ctx, "workshop", "title", data)
	}})
	e.addCommand(&Command{Name: "myworkshops", Role: RoleFacilitator, Describe: "cmd.myworkshops", Run: func(ctx context.Context, t *Turn) error {
		return e.myWorkshops(ctx, t, 0, false)
	}})
	e.addMenu(MenuItem{Command: "newworkshop", Label: "menu.newworkshop", Role: RoleFacilitator, Order: 40})
	e.addMenu(MenuItem{Command: "myworkshops", Label: "menu.myworkshops", Role: RoleFacilitator, Order: 41})
	e.addRoute(&Route{Name: "mws", Role: RoleFacilitator, Run: func(ctx context.Context, t *Turn, p string) error {
		page, _ := strconv.Atoi(p)
		return e.myWorkshops(ctx, t, page, true)
	}})
	for name, run := range map[string]func(context.Context, *Turn, *Workshop, string) error{
		"wm":   e.manageCard,
		"wmr":  e.listRegistrants,
		"wmx":  e.exportCSV,
		"wme":  e.editWorkshop,
		"wmc":  e.toggleClosed,
		"wmk":  e.askCancelWorkshop,
		"wmky": e.cancelWorkshop,
		"wmf":  e.feedbackSummary,
	} {
		e.addRoute(&Route{Name: name, Role: RoleFacilitator, Run: Managed(e.store, run)})
	}
	e.addFlow(&Flow{
		Name: "workshop",
		Done: e.saveWorkshop,
		Steps: []*Step{
			{Name: "title", Keep: true, Parse: titleAnswer, Prompt: Ask("ws.ask_title")},
			{Name: "desc", Keep: true, Parse: OptionalText(maxDescLen), Prompt: AskWithSkip("ws.ask_desc", "ws.skip_desc")},
			{Name: "zone", Keep: true, Parse: zoneAnswer, Prompt: zonePrompt, Show: showZone},
			{Name: "start", Keep: true, Parse: e.startAnswer, Prompt: startPrompt, Show: showMoment},
			{Name: "end", Keep: true, Parse: endAnswer, Prompt: endPrompt, Show: showMoment},
			{Name: "venue", Keep: true, Parse: OptionalText(maxVenueLen), Prompt: AskWithSkip("ws.ask_venue", "ws.skip_venue")},
			{Name: "link", Keep: true, Parse: linkAnswer, Prompt: AskWithSkip("ws.ask_link", "ws.skip_link")},
			{Name: "capacity", Keep: true, Parse: capacityAnswer, Prompt: AskWithSkip("ws.ask_capacity", "ws.unlimited"), Show: showCapacity},
			{Name: "deadline", Keep: true, Parse: e.deadlineAnswer, Prompt: AskWithSkip("ws.ask_deadline", "ws.until_start"), Show: showDeadline},
			{Name: "question", Keep: true, Parse: OptionalText(maxQuestionLen), Prompt: AskWithSkip("ws.ask_question", "ws.skip_question")},
			{Name: "confirm", Parse: e.confirmAnswer, Prompt: e.summaryPrompt},
		},
	})
}

func titleAnswer(_ context.Context, _ *Turn, in Input) (string, error) {
	return TextBetween(in, minTitleLen, maxTitleLen)
}

func zonePrompt(_ context.Context, t *Turn) (Reply, error) {
	zones := Zones()
	if d := t.Session.Data["default_zone"]; d != "" {
		i := slices.Index(zones, d)
		zones = append([]string{d}, slices.Delete(zones, i, i+1)...)
	}
	var row []Button
	for _, z := range zones {
		row = append(row, t.Choice(T("ws.zone."+ZoneLabel(z)), ZoneLabel(z)))
	}
	return Reply{Text: T("ws.ask_zone"), Buttons: [][]Button{row}}, nil
}

// zoneAnswer takes a zone button (its label: WIB, WITA, WIT) or the label typed.
func zoneAnswer(_ context.Context, _ *Turn, in Input) (string, error) {
	v := in.Callback
	if in.Kind == KindText {
		v = strings.ToUpper(strings.TrimSpace(in.Text))
	}
	for _, z := range Zones() {
		if ZoneLabel(z) == v {
			return z, nil
		}
	}
	if in.Kind == KindCallback {
		return "", Refuse("errors.bad_button")
	}
	return "", Refuse("errors.use_buttons")
}

func (t *Turn) zone() *time.Location { return LoadZone(t.Session.Data["zone"]) }

// showZone, showMoment, showCapacity and showDeadline render a stored
// answer of the workshop flow on its Keep button.
func showZone(_ *Turn, v string) any { return T("ws.zone." + ZoneLabel(v)) }

func showMoment(t *Turn, v string) any {
	sec, _ := strconv.ParseInt(v, 10, 64)
	return When{At: UnixTime(sec), Zone: t.Session.Data["zone"]}
}

func showCapacity(_ *Turn, v string) any {
	n, _ := strconv.Atoi(v)
	return CapacityText(n)
}

func showDeadline(t *Turn, v string) any {
	if v == t.Session.Data["start"] {
		return T("ws.until_start")
	}
	return showMoment(t, v)
}

func startPrompt(_ context.Context, t *Turn) (Reply, error) {
	return Reply{Text: T("ws.ask_start", "Example", DateExample(t.In.Now, t.zone(), DateExampleDays, 9, false))}, nil
}

func (e *Engine) startAnswer(_ context.Context, t *Turn, in Input) (string, error) {
	at, err := FutureAnswer(t, in, t.zone())
	if err != nil {
		return "", err
	}
	d := t.Session.Data
	old := UnixData(d, "start")
	if end := UnixData(d, "end"); d["end"] != "" && !end.After(at) {
		// Editing the start past the old end moves the end by the same span.
		d["end"] = UnixString(at.Add(end.Sub(old)))
	}
	if d["deadline"] != "" && (d["deadline"] == d["start"] || UnixData(d, "deadline").After(at)) {
		// A deadline "until the start" moves with the start; one that
		// would now fall after the start closes at it.
		d["deadline"] = UnixString(at)
	}
	return UnixString(at), nil
}

func endPrompt(_ context.Context, t *Turn) (Reply, error) {
	start := UnixData(t.Session.Data, "start")
	return Reply{Text: T("ws.ask_end", "Start", When{At: start, Zone: t.Session.Data["zone"]})}, nil
}

func endAnswer(_ context.Context, t *Turn, in Input) (string, error) {
	v, err := TextBetween(in, 1, 100)
	if err != nil {
		return "", err
	}
	start := UnixData(t.Session.Data, "start")
	at, err := ParseClockOn(v, t.zone(), start)
	if err != nil {
		return "", DateRefusal(t, t.zone(), err)
	}
	if !at.After(start) {
		return "", Refuse("ws.end_before_start", "Start", When{At: start, Zone: t.Session.Data["zone"]})
	}
	return UnixString(at), nil
}

func linkAnswer(_ context.Context, t *Turn, in Input) (string, error) {
	if in.Kind == KindCallback && in.Callback == SkipValue {
		if t.Session.Data["venue"] == "" {
			return "", Refuse("ws.need_place")
		}
		return "", nil
	}
	v, err := TextBetween(in, 1, maxLinkLen)
	if err != nil {
		return "", err
	}
	if !validLink(v) {
		return "", Refuse("ws.bad_link")
	}
	return v, nil
}

// validLink accepts absolute http(s) URLs with a host.
func validLink(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(v, " \n\t")
}

func capacityAnswer(_ context.Context, _ *Turn, in Input) (string, error) {
	if in.Kind == KindCallback && in.Callback == SkipValue {
		return "0", nil
	}
	v, err := TextBetween(in, 1, 10)
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n > maxCapacity {
		return "", Refuse("ws.bad_capacity", "Max", maxCapacity)
	}
	return strconv.Itoa(n), nil
}

func (e *Engine) deadlineAnswer(_ context.Context, t *Turn, in Input) (string, error) {
	start := UnixData(t.Session.Data, "start")
	if in.Kind == KindCallback && in.Callback == SkipValue {
		return UnixString(start), nil
	}
	at, err := FutureAnswer(t, in, t.zone())
	if err != nil {
		return "", err
	}
	if at.After(start) {
		return "", Refuse("ws.deadline_after_start", "Start", When{At: start, Zone: t.Session.Data["zone"]})
	}
	return UnixString(at), nil
}

// workshopFromData builds a workshop from the flow's answers.
func workshopFromData(d map[string]string) *Workshop {
	capacity, _ := strconv.Atoi(d["capacity"])
	return &Workshop{
		Code: d["code"], Title: d["title"], Description: d["desc"], Zone: d["zone"],
		Start: UnixData(d, "start"), End: UnixData(d, "end"), Venue: d["venue"], OnlineURL: d["link"],
		Capacity: capacity, Deadline: UnixData(d, "deadline"), Question: d["question"],
	}
}

// workshopData is the inverse of workshopFromData, to edit a workshop.
func workshopData(w *Workshop) map[string]string {
	return map[string]string{
		"code": w.Code, "title": w.Title, "desc": w.Description, "zone": w.Zone,
		"start": UnixString(w.Start), "end": UnixString(w.End), "venue": w.Venue, "link": w.OnlineURL,
		"capacity": strconv.Itoa(w.Capacity), "deadline": UnixString(w.Deadline), "question": w.Question,
	}
}

// editable are the fields offered by the summary's Edit menu.
var editable = []string{"title", "desc", "zone", "start", "end", "venue", "link", "capacity", "deadline", "question"}

func (e *Engine) summaryPrompt(_ context.Context, t *Turn) (Reply, error) {
	w := workshopFromData(t.Session.Data)
	return Reply{Text: T("ws.summary", "Details", WorkshopDetails(w)), Buttons: [][]Button{{
		t.Choice(T("ws.save"), "save"), t.Choice(T("ws.edit"), "edit"), t.Choice(T("ws.discard"), "discard"),
	}}}, nil
}

func (e *Engine) confirmAnswer(ctx context.Context, t *Turn, in Input) (string, error) {
	if in.Kind != KindCallback {
		return "", Refuse("errors.use_buttons")
	}
	switch v := in.Callback; {
	case v == "save":
		d := t.Session.Data
		if d["venue"] == "" && d["link"] == "" {
			return "", Refuse("ws.need_place")
		}
		return v, nil
	case v == "discard":
		t.EndFlow()
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.Say(T("ws.discarded"))
		return "", ErrStay
	case v == "edit":
		var rows [][]Button
		for i := 0; i < len(editable); i += 2 {
			rows = append(rows, []Button{t.Choice(T("ws.field."+editable[i]), "e_"+editable[i]), t.Choice(T("ws.field."+editable[i+1]), "e_"+editable[i+1])})
		}
		t.Send(Reply{EditMessageID: in.MessageID, Text: T("ws.edit_which"), Buttons: rows})
		return "", ErrStay
	case strings.HasPrefix(v, "e_") && slices.Contains(editable, v[2:]):
		t.Send(Reply{EditMessageID: in.MessageID, ClearButtons: true})
		t.ReturnTo("confirm")
		return "", Goto(v[2:])
	}
	return "", Refuse("errors.bad_button")
}

// saveWorkshop creates the workshop, or saves the edit of an existing one.
func (e *Engine) saveWorkshop(ctx context.Context, t *Turn) error {
	w := workshopFromData(t.Session.Data)
	if w.Code != "" {
		return e.saveEdit(ctx, t, w)
	}
	w.Facilitators, w.CreatedBy, w.Created = []int64{t.User.ID}, t.User.ID, t.In.Now
	for attempt := 0; ; attempt++ {
		w.Code = NewCode()
		err := e.store.CreateWorkshop(ctx, w)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrCodeTaken) || attempt == 5 {
			return InternalError("create workshop", err)
		}
	}
	if err := t.Audit(ctx, AuditWsCreate, w.Code, 0); err != nil {
		return err
	}
	link := t.BotLink("ws_" + w.Code)
	t.Say(T("ws.created", "Title", w.Title, "Link", link, "Code", w.Code), []Button{
		{Label: T("ws.share"), URL: "https://t.me/share/url?url=" + url.QueryEscape(link) + "&text=" + url.QueryEscape(w.Title)},
		{Label: T("ws.manage"), Data: MustData("wm", w.Code)},
	})
	return nil
}

// saveEdit applies an edit, tells registrants when the date, time or place
// changed, and moves their reminders.
func (e *Engine) saveEdit(ctx context.Context, t *Turn, edited *Workshop) error {
	w, err := e.store.GetWorkshop(ctx, edited.Code)
	if err != nil {
		return InternalError("edit workshop", err)
	}
	if !t.CanManage(w) {
		t.Say(T("errors.not_allowed"))
		return nil
	}
	old := *w
	w.Title, w.Description, w.Zone, w.Start, w.End = edited.Title, edited.Description, edited.Zone, edited.Start, edited.End
	w.Venue, w.OnlineURL, w.Capacity, w.Deadline, w.Question = edited.Venue, edited.OnlineURL, edited.Capacity, edited.Deadline, edited.Question
	promoted, err := e.store.UpdateWorkshop(ctx, w)
	if err != nil {
		return InternalError("update workshop", err)
	}
	if err := t.Audit(ctx, AuditWsEdit, w.Code, 0); err != nil {
		return err
	}
	regs, err := e.store.Registrations(ctx, w.Code)
	if err != nil {
		return InternalError("registrations", err)
	}
	moved := !old.Start.Equal(w.Start) || !old.End.Equal(w.End) || old.Zone != w.Zone
	placed := old.Venue != w.Venue || old.OnlineURL != w.OnlineURL
	for _, r := range regs {
		if r.Status == RegConfirmed {
			if err := PlanReminders(ctx, e.store, w, r.UserID, t.In.Now); err != nil {
				return err
			}
		}
		if (moved || placed) && !slices.Contains(promoted, r.UserID) {
			t.Send(Reply{ChatID: r.UserID, Lang: r.Lang, Bulk: true, Text: T("ws.changed", "Details", WorkshopDetails(w)),
				Document: &Attachment{Name: "workshop-" + w.Code + ".ics", Data: ICS(w, t.In.Now)}})
		}
	}
	for _, uid := range promoted {
		if err := t.TellPromoted(ctx, w, uid); err != nil {
			return err
		}
	}
	t.Say(T("ws.updated", "Title", w.Title, "Count", len(regs)), []Button{{Label: T("ws.manage"), Data: MustData("wm", w.Code)}})
	return nil
}
