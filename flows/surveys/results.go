package surveys

import (
	"context"
	"strconv"

	"sinergi/flows"
)

// Summary is what a survey's answers say about one question: how many
// answered it, a rating's distribution (Ratings[v-1]) and average, a
// choice's count per option, a text question's comments (with the name
// of whoever shared it, else 0).
type Summary struct {
	Question flows.SurveyQuestion
	Answered int
	Ratings  [5]int
	Average  float64
	Choices  []int
	Comments []Comment
}

// Comment is one free-text answer; UserID is 0 when anonymous.
type Comment struct {
	Text   string
	UserID int64
}

// Summarise counts the answers to sv question by question; an answer
// that is skipped ("") or out of range is not counted.
func Summarise(sv *flows.Survey, as []*flows.SurveyAnswer) []Summary {
	out := make([]Summary, len(sv.Questions))
	for i, q := range sv.Questions {
		s := Summary{Question: q, Choices: make([]int, len(q.Options))}
		sum := 0
		for _, a := range as {
			if i >= len(a.Answers) || a.Answers[i] == "" {
				continue
			}
			v := a.Answers[i]
			switch q.Kind {
			case flows.SvRating:
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 5 {
					continue
				}
				s.Ratings[n-1]++
				sum += n
			case flows.SvChoice:
				n, err := strconv.Atoi(v)
				if err != nil || n < 0 || n >= len(q.Options) {
					continue
				}
				s.Choices[n]++
			default:
				s.Comments = append(s.Comments, Comment{Text: v, UserID: a.UserID})
			}
			s.Answered++
		}
		if q.Kind == flows.SvRating && s.Answered > 0 {
			s.Average = float64(sum) / float64(s.Answered)
		}
		out[i] = s
	}
	return out
}

// The results message stays under Telegram's 4096 characters: questions,
// options and comments are clipped, and what does not fit in
// resultsBudget bytes (lineCost for each line's markup) is left to the
// table, which has everything.
const (
	resultsBudget   = 3200
	lineCost        = 24
	resultsQuestion = 100
	resultsOption   = 60
	resultsComment  = 200
)

// clip shortens s to n characters with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func avgText(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// results shows the team the survey's results: the counts, the average
// and distribution of each rating, the count of each option, the comments
// (the first maxComments; names only of those who shared them), a chart of
// the averages and the answers as a table (Excel and CSV).
func (e *module) results(ctx context.Context, t *flows.Turn, w *flows.Workshop, _ string) error {
	sv, err := e.survey(ctx, w.Code)
	if err != nil {
		return err
	}
	as, err := e.store.SurveyAnswers(ctx, w.Code)
	if err != nil {
		return flows.InternalError("survey answers", err)
	}
	f, err := e.workshopFunnel(ctx, w, t.In.Now)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		t.Say(flows.T("sv.no_answers", "Title", w.Title, "Attended", f.Attended))
		return nil
	}
	lang := t.User.Lang
	names := map[int64]string{}
	name := func(uid int64) string {
		if uid == 0 {
			return ""
		}
		if n, ok := names[uid]; ok {
			return n
		}
		n, _ := flows.NameOf(ctx, e.store, uid)
		names[uid] = n
		return n
	}
	var lines []flows.Text
	var bars []flows.ChartBar
	shown, room, more := 0, resultsBudget, false
	for i, s := range Summarise(sv, as) {
		q := s.Question.In(lang)
		if s.Question.Kind == flows.SvRating {
			bars = append(bars, flows.ChartBar{Label: strconv.Itoa(i+1) + ". " + q, Value: s.Average, Shown: avgText(s.Average) + " / 5", Max: 5})
		}
		q = clip(q, resultsQuestion)
		if room -= len(q) + lineCost; room < 0 {
			more = true
			continue
		}
		switch s.Question.Kind {
		case flows.SvRating:
			lines = append(lines, flows.T("sv.res_rating", "N", i+1, "Question", q, "Avg", avgText(s.Average), "Count", s.Answered,
				"R1", s.Ratings[0], "R2", s.Ratings[1], "R3", s.Ratings[2], "R4", s.Ratings[3], "R5", s.Ratings[4]))
		case flows.SvChoice:
			var opts []flows.Text
			for o, n := range s.Choices {
				opt := clip(s.Question.Option(lang, o), resultsOption)
				room -= len(opt) + lineCost
				opts = append(opts, flows.T("sv.res_option", "Option", opt, "Votes", n))
			}
			lines = append(lines, flows.T("sv.res_choice", "N", i+1, "Question", q, "Count", s.Answered, "Options", opts))
		default:
			var cs []flows.Text
			for _, c := range s.Comments {
				text := clip(c.Text, resultsComment)
				who := name(c.UserID)
				if shown == maxComments || room < len(text)+len(who)+lineCost {
					more = true
					break
				}
				shown++
				room -= len(text) + len(who) + lineCost
				if who != "" {
					cs = append(cs, flows.T("sv.res_comment_named", "Comment", text, "Name", who))
				} else {
					cs = append(cs, flows.T("sv.res_comment", "Comment", text))
				}
			}
			lines = append(lines, flows.T("sv.res_text", "N", i+1, "Question", q, "Count", s.Answered, "Comments", cs))
		}
	}
	if err := t.Audit(ctx, flows.AuditExport, "survey:"+w.Code, 0); err != nil {
		return err
	}
	if more {
		lines = append(lines, flows.T("sv.res_more"))
	}
	t.Say(flows.T("sv.results", "Title", w.Title, "Count", len(as), "Attended", f.Attended, "Lines", lines),
		[]flows.Button{{Label: flows.T("sv.btn_funnel"), Data: flows.MustData(routeFunnel, w.Code)}})
	if len(bars) > 0 {
		t.Send(flows.Reply{Text: flows.T("sv.chart_caption", "Title", w.Title),
			Chart: &flows.Chart{Name: "survey-" + w.Code, Labels: flows.ChartLabels{Title: e.tx(lang, "sv.chart_title", map[string]any{"Title": w.Title, "Count": len(as)})}, Bars: bars}})
	}
	t.Send(flows.Reply{Text: flows.T("sv.csv_caption", "Title", w.Title, "Count", len(as)), Table: e.answersTable(lang, w, sv, as, name)})
	return nil
}

// answersTable is one row per answer: who (only when shared), then each
// question's answer (a rating as a number, a choice's option, the text).
// The time of an anonymous answer is left out, so that it cannot be
// matched to the person.
func (e *module) answersTable(lang string, w *flows.Workshop, sv *flows.Survey, as []*flows.SurveyAnswer, name func(int64) string) *flows.Table {
	loc := flows.LoadZone(w.Zone)
	cols := []flows.Column{{Header: e.tx(lang, "sv.csv.respondent", nil)}, {Header: flows.ZoneHeader(e.tx(lang, "sv.csv.at", nil), w.Zone)}}
	for i, q := range sv.Questions {
		cols = append(cols, flows.Column{Header: strconv.Itoa(i+1) + ". " + q.In(lang)})
	}
	anon := e.tx(lang, "sv.csv.anonymous", nil)
	rows := make([][]any, 0, len(as))
	for _, a := range as {
		row := []any{anon, nil}
		if a.UserID != 0 {
			row = []any{name(a.UserID), a.At}
		}
		for i, q := range sv.Questions {
			v := ""
			if i < len(a.Answers) {
				v = a.Answers[i]
			}
			switch {
			case v == "":
				row = append(row, nil)
			case q.Kind == flows.SvRating:
				n, _ := strconv.Atoi(v)
				row = append(row, n)
			case q.Kind == flows.SvChoice:
				n, _ := strconv.Atoi(v)
				row = append(row, q.Option(lang, n))
			default:
				row = append(row, flows.CleanCell(v))
			}
		}
		rows = append(rows, row)
	}
	return &flows.Table{Name: "survey-" + w.Code, Sheet: e.tx(lang, "sv.csv.sheet", nil), Zone: loc, Columns: cols, Rows: rows}
}
