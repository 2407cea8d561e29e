// Package audit is the capability of reading the audit trail (/audit) and
// exporting it; recording to it is the core's (flows.Turn.Audit).
package audit

import (
	"context"
	"strconv"

	"sinergi/flows"
)

const (
	auditPage          = 20
	auditExportEntries = 10_000
)

// Store is what the audit capability reads: the trail, and the names of
// the people in it.
type Store interface {
	AuditLog(ctx context.Context, limit int) ([]*flows.AuditEntry, error)
	flows.Names
}

// routeExport is the route of the export button, "audit.export:csv" (before
// namespaces: "aud").
const routeExport = "audit.export"

// Module is the capability of the /audit trail for admins.
func Module(st Store) flows.Module {
	return flows.ModuleFunc(func(r *flows.Registry) {
		e := &module{store: st, cfg: r.Config(), texts: r.Texts()}
		r.Namespace("audit")
		r.Command(&flows.Command{Name: "audit", Role: flows.RoleAdmin, Describe: "cmd.audit", Run: e.showAudit})
		r.Route(&flows.Route{Name: routeExport, Legacy: "aud", Role: flows.RoleAdmin, Run: e.exportAudit})
	})
}

type module struct {
	store Store
	cfg   flows.Config
	texts flows.Texts
}

func (e *module) showAudit(ctx context.Context, t *flows.Turn) error {
	list, err := e.store.AuditLog(ctx, auditPage)
	if err != nil {
		return flows.InternalError("audit log", err)
	}
	if len(list) == 0 {
		t.Say(flows.T("audit.empty"))
		return nil
	}
	var lines []flows.Text
	for _, a := range list {
		lines = append(lines, flows.T("audit.line", "At", flows.When{At: a.At, Zone: e.cfg.Location.String()},
			"Actor", e.who(ctx, a.Actor), "Action", flows.T("audit.action."+a.Action), "Target", a.Target, "Subject", e.subject(ctx, a.Subject)))
	}
	t.Say(flows.T("audit.list", "N", len(lines), "Lines", lines), []flows.Button{{Label: flows.T("audit.export"), Data: flows.MustData(routeExport, "csv")}})
	return nil
}

// who names the actor of an entry: their name and id, or "a former member"
// for one whose data was deleted since.
func (e *module) who(ctx context.Context, uid int64) any {
	if uid == 0 {
		return flows.T("audit.forgotten")
	}
	name, _ := flows.NameOf(ctx, e.store, uid)
	return name + " (" + strconv.FormatInt(uid, 10) + ")"
}

// subject names the user an entry concerns; nothing for none (or one
// forgotten), so that a line does not end in a stray "—".
func (e *module) subject(ctx context.Context, uid int64) any {
	if uid == 0 {
		return ""
	}
	return e.who(ctx, uid)
}

func (e *module) exportAudit(ctx context.Context, t *flows.Turn, _ string) error {
	list, err := e.store.AuditLog(ctx, auditExportEntries)
	if err != nil {
		return flows.InternalError("audit log", err)
	}
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	id := func(uid int64) string {
		if uid == 0 {
			return ""
		}
		return strconv.FormatInt(uid, 10)
	}
	rows := make([][]any, 0, len(list))
	for _, a := range list {
		rows = append(rows, []any{a.At, id(a.Actor), tx("audit.action." + a.Action), a.Target, id(a.Subject)})
	}
	cols := []flows.Column{{Header: flows.ZoneHeader(tx("audit.csv.when"), e.cfg.Location.String())}, {Header: tx("audit.csv.who")},
		{Header: tx("audit.csv.what")}, {Header: tx("audit.csv.target")}, {Header: tx("audit.csv.subject")}}
	if err := t.Audit(ctx, flows.AuditExport, "audit", 0); err != nil {
		return err
	}
	t.Send(flows.Reply{Text: flows.T("audit.csv_caption", "Count", len(rows)),
		Table: &flows.Table{Name: "audit", Sheet: tx("audit.csv.sheet"), Zone: e.cfg.Location, Columns: cols, Rows: rows}})
	return nil
}
