package flows

import (
	"context"
	"strconv"
	"time"
)

// AuditEntry is one privileged action: who did what to what, when. People
// are named in the trail by a pseudonym (Actor, Subject are user ids only
// when read back through AuditLog, which resolves them); forgetting a user
// deletes their pseudonym, so the trail keeps the action but not the person.
type AuditEntry struct {
	At      time.Time
	Actor   int64  // 0 when the actor was forgotten
	Action  string // see the audit.action.* locale ids
	Target  string // a workshop code, broadcast id, role …
	Subject int64  // the user acted upon, 0 when none or forgotten
}

// Audit appends to and reads the audit trail.
type Audit interface {
	Audit(ctx context.Context, e *AuditEntry) error
	// AuditLog returns the newest entries first.
	AuditLog(ctx context.Context, limit int) ([]*AuditEntry, error)
}

// Audited actions.
const (
	AuditGrant         = "grant"
	AuditInvite        = "invite"
	AuditInviteUsed    = "invite_used"
	AuditWsCreate      = "ws_create"
	AuditWsEdit        = "ws_edit"
	AuditWsClose       = "ws_close"
	AuditWsReopen      = "ws_reopen"
	AuditWsCancel      = "ws_cancel"
	AuditCheckIn       = "checkin"
	AuditExport        = "export"
	AuditReport        = "report"
	AuditBroadcast     = "broadcast"
	AuditBcCancel      = "broadcast_cancel"
	AuditForget        = "forget"
	auditPage          = 20
	auditExportEntries = 10_000
)

// AuditModule is the capability of the /audit trail for admins.
func AuditModule() Module { return ModuleFunc(func(r *Registry) { registerAudit(r.e) }) }

func registerAudit(e *Engine) {
	e.addCommand(&Command{Name: "audit", Role: RoleAdmin, Describe: "cmd.audit", Run: e.showAudit})
	e.addRoute(&Route{Name: "aud", Role: RoleAdmin, Run: e.exportAudit})
}

// audit records a privileged action by the current user; a failure to
// record is an internal error (the action must not pass unrecorded).
func (t *Turn) audit(ctx context.Context, action, target string, subject int64) error {
	if err := t.e.store.Audit(ctx, &AuditEntry{At: t.In.Now, Actor: t.User.ID, Action: action, Target: target, Subject: subject}); err != nil {
		return internalError("audit", err)
	}
	return nil
}

func (e *Engine) showAudit(ctx context.Context, t *Turn) error {
	list, err := e.store.AuditLog(ctx, auditPage)
	if err != nil {
		return internalError("audit log", err)
	}
	if len(list) == 0 {
		t.Say(T("audit.empty"))
		return nil
	}
	var lines []Text
	for _, a := range list {
		lines = append(lines, T("audit.line", "At", When{At: a.At, Zone: e.cfg.Location.String()},
			"Actor", e.who(ctx, a.Actor), "Action", T("audit.action."+a.Action), "Target", a.Target, "Subject", e.who(ctx, a.Subject)))
	}
	t.Say(T("audit.list", "N", len(lines), "Lines", lines), []Button{{Label: T("audit.export"), Data: mustData("aud", "csv")}})
	return nil
}

// who names a user of the trail: their name and id, "—" for none, or a
// note that they were forgotten.
func (e *Engine) who(ctx context.Context, uid int64) any {
	if uid == 0 {
		return T("audit.nobody")
	}
	name, _ := e.nameOf(ctx, uid)
	return name + " (" + strconv.FormatInt(uid, 10) + ")"
}

func (e *Engine) exportAudit(ctx context.Context, t *Turn, _ string) error {
	list, err := e.store.AuditLog(ctx, auditExportEntries)
	if err != nil {
		return internalError("audit log", err)
	}
	tx := func(id string) string { s, _ := e.texts.Text(t.Lang, id, nil, nil); return s }
	id := func(uid int64) string {
		if uid == 0 {
			return ""
		}
		return strconv.FormatInt(uid, 10)
	}
	rows := make([][]string, 0, len(list))
	for _, a := range list {
		rows = append(rows, []string{a.At.In(e.cfg.Location).Format("2006-01-02 15:04:05"), id(a.Actor), tx("audit.action." + a.Action), a.Target, id(a.Subject)})
	}
	header := []string{tx("audit.csv.when"), tx("audit.csv.who"), tx("audit.csv.what"), tx("audit.csv.target"), tx("audit.csv.subject")}
	if err := t.audit(ctx, AuditExport, "audit", 0); err != nil {
		return err
	}
	t.Send(Reply{Text: T("audit.csv_caption", "Count", len(rows)), Document: &Attachment{Name: "audit.csv", Data: CSV(header, rows)}})
	return nil
}
