package flows

import (
	"context"
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
	AuditGrant      = "grant"
	AuditInvite     = "invite"
	AuditInviteUsed = "invite_used"
	AuditWsCreate   = "ws_create"
	AuditWsEdit     = "ws_edit"
	AuditWsClose    = "ws_close"
	AuditWsReopen   = "ws_reopen"
	AuditWsCancel   = "ws_cancel"
	AuditCheckIn    = "checkin"
	AuditExport     = "export"
	AuditReport     = "report"
	AuditBroadcast  = "broadcast"
	AuditBcCancel   = "broadcast_cancel"
	AuditForget     = "forget"
	// A workshop's team (flows/workshops/team.go).
	AuditTeamInvite   = "team_invite"
	AuditTeamJoin     = "team_join"
	AuditTeamRemove   = "team_remove"
	AuditTeamHandover = "team_handover"
	AuditTeamLeave    = "team_leave"
	AuditTeamRevoke   = "team_revoke" // a team invitation revoked
	AuditWsMessage    = "ws_message"  // a team messaged the workshop's registrants
	// Chapters.
	AuditChapterCreate = "chapter_create"
	AuditChapterInvite = "chapter_invite"
	AuditChapterAdmin  = "chapter_admin" // an invitation used: the user administers the chapter
	AuditChapterRemove = "chapter_remove"
	AuditChapterEdit   = "chapter_edit" // renamed, provinces changed
	AuditChapterDelete = "chapter_delete"
	AuditRegApprove    = "reg_approve"
	AuditRegDecline    = "reg_decline"
	// Members imported from a CSV on the dashboard (target: how many).
	AuditMemberImport = "member_import"
	AuditAttendance   = "attendance"  // the team corrected a person's attendance (target "<code>:<status>")
	AuditCertSend     = "cert_send"   // the team sent the certificates to every attendee
	AuditSurveyEdit   = "survey_edit" // the team wrote a workshop's post-event survey
)

// audit records a privileged action by the current user; a failure to
// record is an internal error (the action must not pass unrecorded).
func (t *Turn) Audit(ctx context.Context, action, target string, subject int64) error {
	if err := t.e.store.Audit(ctx, &AuditEntry{At: t.In.Now, Actor: t.User.ID, Action: action, Target: target, Subject: subject}); err != nil {
		return InternalError("audit", err)
	}
	return nil
}
