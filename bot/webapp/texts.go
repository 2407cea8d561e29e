package webapp

// pageIDs are the messages of the page itself (app.* in locales), sent
// with /app/api/me in the caller's language.
var pageIDs = []string{
	"app.title",
	"app.loading",
	"app.open_in_telegram",
	"app.tab_overview",
	"app.tab_workshops",
	"app.tab_commitments",
	"app.tab_members",
	"app.scope_forum",
	"app.scope_mine",
	"app.members",
	"app.by_sector",
	"app.by_province",
	"app.upcoming",
	"app.seats_left",
	"app.unlimited",
	"app.registrations",
	"app.col_workshop",
	"app.col_confirmed",
	"app.col_waiting",
	"app.col_pending",
	"app.col_checked_in",
	"app.col_name",
	"app.col_org",
	"app.col_sector",
	"app.col_province",
	"app.col_status",
	"app.col_due",
	"app.col_owner",
	"app.col_what",
	"app.commitments_by_status",
	"app.commitments_by_month",
	"app.commitments_by_org",
	"app.overdue",
	"app.blocked",
	"app.none",
	"app.search",
	"app.filter_all",
	"app.checkin_counter",
	"app.pending",
	"app.approve",
	"app.decline",
	"app.approve_all",
	"app.export",
	"app.back",
	"app.progress_chart",
	"app.no_chart",
	"app.history",
	"app.indicator",
	"app.partners",
	"app.filter_org",
	"app.filter_status",
	"app.filter_month",
	"app.apply",
	"app.of_total",
	"app.more_members",
	"app.import_title",
	"app.import_help",
	"app.import_button",
	"app.col_contact",
	"app.col_link",
	"app.col_line",
	"app.notes",
}

// pageTexts are the page's words in lang.
func (s *Server) pageTexts(lang string) map[string]string {
	out := make(map[string]string, len(pageIDs))
	for _, id := range pageIDs {
		out[id] = s.text(lang, id, nil, nil)
	}
	return out
}
