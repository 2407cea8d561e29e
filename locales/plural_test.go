package locales

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// counted lists every message that counts something, with its English
// wording for a count of 1 and of 2. A message is counted when its English
// text has a "one" form; TestCounted fails when this table and the files
// disagree, so a new counted message must be added here with its wording.
var counted = map[string][2]string{
	"errors.too_short":        {"at least 1 character.", "at least 2 characters."},
	"app.import_done":         {"1 person invited.", "2 people invited."},
	"app.err_import_too_many": {"has 1 line.", "has 2 lines."},
	"app.listed_of":           {"of 1 commitment,", "of 2 commitments,"},
	"app.cm_page_of":          {"of 1 commitment,", "of 2 commitments,"},
	"errors.too_long":         {"keep it to 1 character (", "keep it to 2 characters ("},
	"grant.invite_link":       {"(valid 1 day)", "(valid 2 days)"},
	"chapters.invite_link":    {"(valid 1 day)", "(valid 2 days)"},
	"chapters.list":           {"1 chapter</b>", "2 chapters</b>"},
	"chapters.line":           {"— 1 member\n", "— 2 members\n"},
	"chapters.admins":         {"has 1 admin.", "has 2 admins."},
	"profile.chapters":        {"Your chapter:", "Your chapters (2):"},
	"privacy.sum.commitment":  {"1 progress answer.", "2 progress answers."},
	"privacy.sum.messages":    {"1 message to a workshop's registrants.", "2 messages to workshops' registrants."},
	"ws.capacity_n":           {"1 seat", "2 seats"},
	"ws.updated":              {"1 registrant was considered", "2 registrants were considered"},
	"ws.export_caption":       {"1 row (", "2 rows ("},
	"ws.cancelled_done":       {"1 person is being told", "2 people are being told"},
	"ws.feedback_summary":     {"from 1 participant,", "from 2 participants,"},
	"ws.seats_left":           {"of 1 seat left", "of 2 seats left"},
	"ws.btn_checkins":         {"every day", "every 2 days"},
	"ws.btn_team":             {"(1 person)", "(2 people)"},
	"ws.team_invite_link":     {"(valid 1 day)", "(valid 2 days)"},
	"ws.approval_waiting":     {"1 registration for", "2 registrations for"},
	"ws.team_invites":         {"1 invitation link not", "2 invitation links not"},
	"ws.msg_confirm":          {"<b>1</b> person (", "<b>2</b> people ("},
	"bc.confirm":              {"<b>1</b> member (", "<b>2</b> members ("},
	"bc.report":               {"to 1 member in", "to 2 members in"},
	"bc.report_cancelled":     {"of 1 member:", "of 2 members:"},
	"bc.chats_done":           {"(1 chat ticked)", "(2 chats ticked)"},
	"bc.confirm_and_chats":    {"in 1 linked chat:", "in 2 linked chats:"},
	"bc.report_chats":         {"chats</b> (1):", "chats</b> (2):"},
	"rp.btn_post_chat":        {"Post in the facilitators' chat", "Post in the 2 facilitators' chats"},
	"rp.posted_to_chats":      {"in its facilitators' chat.", "in its 2 facilitators' chats."},
	"rp.group_summary":        {"commitment done", "commitments done"},
	"mm.ask_note":             {"(up to 1 character)", "(up to 2 characters)"},
	"mm.err_cap":              {"have 1 request waiting", "have 2 requests waiting"},
	"cm.collection_opened":    {"to 1 participant of", "to 2 participants of"},
	"cm.checkins_every":       {"asked every day.", "asked every 2 days."},
	"rp.text":                 {"— 1 commitment,", "— 2 commitments,"},
	"rp.chart.title":          {": 1 commitment", ": 2 commitments"},
	"rp.more":                 {"1 more line (", "2 more lines ("},
	"rp.csv_caption":          {"The 1 commitment with its", "All 2 commitments with their"},
	"rp.forum_text":           {": 1 commitment,", ": 2 commitments,"},
	"rp.chapter_text":         {": 1 commitment,", ": 2 commitments,"},
	"rp.digest":               {": 1 commitment,", ": 2 commitments,"},
	"audit.csv_caption":       {"1 entry.", "2 entries."},
	"cm.every_days":           {"every day", "every 2 days"},
	"when.in_days":            {"in 1 day", "in 2 days"},
	"when.in_hours":           {"in 1 hour", "in 2 hours"},
	"when.in_minutes":         {"in 1 minute", "in 2 minutes"},
	"groups.list":             {"One linked chat:", "2 linked chats:"},
	"groups.card_seats":       {"1 seat left", "2 seats left"},
	"sv.invite":               {"has 1 question.", "has 2 questions."},
	"sv.intro":                {"1 question.", "2 questions."},
	"sv.card_default":         {"1 answer so far", "2 answers so far"},
	"sv.card_custom":          {"1 answer so far", "2 answers so far"},
	"sv.edit_answered":        {"has 1 answer,", "has 2 answers,"},
	"sv.saved":                {"1 question (", "2 questions ("},
	"sv.res_rating":           {"from 1 rating (", "from 2 ratings ("},
	"sv.res_choice":           {"(1 answer)", "(2 answers)"},
	"sv.res_text":             {"(1 comment)", "(2 comments)"},
	"sv.results":              {"1 answer from", "2 answers from"},
	"sv.chart_title":          {"(1 answer)", "(2 answers)"},
	"sv.csv_caption":          {"survey's 1 answer", "survey's 2 answers"},
	"in.summary":              {"1 workshop\n", "2 workshops\n"},
	"in.chart_caption":        {"1 workshop", "2 workshops"},
	"in.chart_title_all":      {"1 workshop:", "2 workshops:"},
	"in.csv_caption":          {"1 row.", "2 rows."},

	// Waiting-list offers.
	"ws.promotion_offer_hours":   {"valid 1 hour", "valid 2 hours"},
	"ws.promotion_offer_minutes": {"valid 1 minute", "valid 2 minutes"},
	"ws.capacity_below_taken":    {"1 seat is taken", "2 seats are taken"},

	// Hybrid attendance.
	"ws.onsite_capacity_below_taken": {"1 on-site seat is taken", "2 on-site seats are taken"},
	"ws.online_capacity_below_taken": {"1 online seat is taken", "2 online seats are taken"},
	"ws.format_online_registered":    {"1 person is registered online", "2 people are registered online"},

	// Approval.
	"ws.pending_list": {"1 registration for", "2 registrations for"},
	"ws.approved_all": {"1 registration approved.", "2 registrations approved."},

	// Registration forms.
	"form.hint_text":          {"1 character)", "2 characters)"},
	"form.btn_form":           {"(1 question)", "(2 questions)"},
	"form.card":               {"1 question (", "2 questions ("},
	"agenda.card":             {"1 session.", "2 sessions."},
	"agenda.err_below":        {"1 person has", "2 people have"},
	"agenda.err_full":         {"1 session.", "2 sessions."},
	"agenda.seats_left":       {"of 1 seat left", "of 2 seats left"},
	"agenda.seats_full":       {"(1 seat)", "(2 seats)"},
	"agenda.delete_confirm":   {"1 person signed", "2 people signed"},
	"agenda.released_overlap": {"1 person signed up", "2 people signed up"},
	"agenda.ics_caption":      {"and 1 session.", "and 2 sessions."},
	"agenda.export_caption":   {"1 row (", "2 rows ("},
	"form.err_full":           {"has 1 question,", "has 2 questions,"},
	"form.err_many_options":   {"1 option,", "2 options,"},
	"form.err_option_long":    {"1 character.", "2 characters."},
	"form.err_options_en":     {"1 English option,", "2 English options,"},
	"door.found":              {"1 registrant matches", "2 registrants match"},
	"door.many":               {"1 registrant matches", "2 registrants match"},
	"series.created":          {"1 more occurrence of", "2 more occurrences of"},

	// Invitations and the capacity refused at the save.
	"inv.card":                    {"1 invitation:", "2 invitations:"},
	"inv.more":                    {"and 1 more", "and 2 more"},
	"inv.created_personal":        {"1 personal invitation to", "2 personal invitations to"},
	"inv.created_org":             {"1 seat. Send", "2 seats, each person once"},
	"inv.export_caption":          {"1 row with its link", "2 rows with their links"},
	"ws.capacity_taken_meanwhile": {"1 seat was taken", "2 seats were taken"},

	"attn.list":         {"1 confirmed registrant:", "2 confirmed registrants:"},
	"attn.csv_caption":  {"1 confirmed registrant.", "2 confirmed registrants."},
	"attn.fix_found":    {"1 registrant matches", "2 registrants match"},
	"attn.s_found":      {"1 registrant matches", "2 registrants match"},
	"attn.s_scanned":    {"at the session running now", "at the 2 sessions running now"},
	"attn.s_online":     {"at your session:", "at your 2 sessions:"},
	"attn.here_done":    {"at 1 session.", "at 2 sessions."},
	"cert.list":         {"certificate of attendance</b> (1 workshop)", "certificates of attendance</b> (2 workshops)"},
	"cert.team":         {"1 attendee (checked", "2 attendees (checked"},
	"cert.btn_send_all": {"Send to the 1 attendee", "Send to all 2 attendees"},
	"cert.sending":      {"to 1 attendee.", "to 2 attendees."},

	"mt.setup_tables":        {"1 table:", "2 tables:"},
	"mt.err_cap_you":         {"hold 1 meeting,", "hold 2 meetings,"},
	"mt.err_cap_them":        {"holds 1 meeting,", "holds 2 meetings,"},
	"mt.placed":              {"Placed 1 meeting;", "Placed 2 meetings;"},
	"mt.setup_saved":         {"1 meeting was cancelled", "Cancelled meetings: 2"},
	"mt.setup_conflict":      {"1 booked meeting is", "2 booked meetings are"},
	"mt.setup_conflict_late": {"meanwhile 1 meeting was", "meanwhile 2 meetings were"},
	"mt.calendar":            {"Your 1 meeting at", "Your 2 meetings at"},
	"mt.cancelled_workshop":  {"your partner meeting with", "your 2 partner meetings,"},
	"mt.windows_cut":         {"and 1 meeting outside it was", "(both sides were told): 2."},
}

// countedNoun finds a template field followed by an English plural noun
// ("{{.N}} seats", "<b>{{.N}}</b> members"): a count that needs plural forms.
var countedNoun = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}(?:</b>)?\s+(people|\w+s)\b`)

// notNouns are words ending in s that follow a field without counting it.
var notNouns = []string{"is", "was", "has", "does", "as", "its", "this", "starts", "Press"}

// TestCounted: the counted messages are exactly those with plural forms;
// English has one and other, Indonesian only other; the count is the
// template field .Count; no English text puts a field before a plural noun
// without being counted; and every counted message renders with 1 and 2 in
// both languages, with the English singular and plural wording.
func TestCounted(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, id := messages(t, "en"), messages(t, "id")
	for mid, forms := range en {
		_, one := forms["one"]
		_, listed := counted[mid]
		if one != listed {
			t.Errorf("en %s: has a one form: %v, listed as counted: %v", mid, one, listed)
		}
		if one != c.Counted(mid) {
			t.Errorf("en %s: Catalog.Counted = %v", mid, c.Counted(mid))
		}
		usesCount := slices.Contains(fields(forms), "Count")
		if usesCount != listed {
			t.Errorf("en %s: uses .Count: %v, counted: %v (the count of a counted message is .Count)", mid, usesCount, listed)
		}
		for form := range forms {
			if form != "one" && form != "other" {
				t.Errorf("en %s: unexpected plural form %q", mid, form)
			}
		}
		if listed {
			continue
		}
		for _, m := range countedNoun.FindAllStringSubmatch(forms["other"], -1) {
			if !slices.Contains(notNouns, m[2]) {
				t.Errorf("en %s: %q counts something but the message has no plural forms", mid, m[0])
			}
		}
	}
	for mid, forms := range id {
		if len(forms) != 1 || forms["other"] == "" {
			t.Errorf("id %s: Indonesian has only the other form, got %v", mid, slices.Sorted(maps.Keys(forms)))
		}
	}
	for mid, want := range counted {
		if _, ok := en[mid]; !ok {
			t.Errorf("counted message %s is not in en", mid)
			continue
		}
		for _, lang := range Supported() {
			var got [2]string
			for i, n := range []int{1, 2} {
				data := map[string]any{}
				for _, f := range fields(en[mid]) {
					data[f] = "x"
				}
				delete(data, "Count")
				s, err := c.Text(lang, mid, data, n)
				if err != nil || strings.Contains(s, "<no value>") {
					t.Errorf("%s %s with %d: %q, %v", lang, mid, n, s, err)
				}
				got[i] = s
				// The count may also come from the data alone.
				if s2, err := c.Text(lang, mid, map[string]any{"Count": n, "Got": "x", "Left": "x", "Title": "x"}, nil); err != nil || (lang == "en" && !strings.Contains(s2, want[i])) {
					t.Errorf("%s %s with Count %d in the data: %q, %v", lang, mid, n, s2, err)
				}
			}
			if lang == "en" {
				for i := range 2 {
					if !strings.Contains(got[i], want[i]) {
						t.Errorf("en %s with %d: %q lacks %q", mid, i+1, got[i], want[i])
					}
				}
				continue
			}
			// Indonesian does not inflect: 1 and 2 differ only in the number.
			if !strings.Contains(got[1], "2") || strings.ReplaceAll(got[0], "1", "2") != got[1] {
				t.Errorf("%s %s: 1 → %q, 2 → %q", lang, mid, got[0], got[1])
			}
		}
	}
}

// A counted message rendered without a count is an error: it would say
// "1 seats".
func TestCountedWithoutCount(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Text("en", "ws.capacity_n", map[string]any{"N": 1}, nil)
	if !errors.Is(err, ErrNoCount) || s == "" {
		t.Fatalf("got %q, %v; want the other form and ErrNoCount", s, err)
	}
	if s, err := c.Text("en", "ws.capacity_n", nil, 1); err != nil || s != "1 seat" {
		t.Fatalf("with a count: %q, %v", s, err)
	}
}
