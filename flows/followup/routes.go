package followup

// Follow-up's callback routes, "<name>:<payload>" (Route.Legacy: the name
// buttons sent before namespaces carry).
const (
	routeCommit      = "followup.commit"       // <code>: write a commitment for the workshop
	routeOwnerAnswer = "followup.owner_answer" // <code>:<id>:<y|n>: the named owner accepts or declines
	routeUpdate      = "followup.update"       // <code>:<id>: asks the commitment's status
	routeStatus      = "followup.status"       // <code>:<id>:<status>: sets it
	routeCollect     = "followup.collect"      // <code>: invites the attendees to add commitments
	routeCheckIns    = "followup.checkins"     // <code>: the next check-in interval
	routeReport      = "followup.report"       // <code>[:chat]: the workshop's report (":chat": posted in its facilitators' chats)
	routeForumReport = "followup.forum_report" // all | <chapter id>: the forum-wide summary (with its chapters side by side), or one chapter's
)
