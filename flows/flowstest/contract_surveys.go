package flowstest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/surveys"
)

// The surveys contract: a survey is saved with the next version and read
// back as saved; none is ErrNotFound; once anyone answered it cannot be
// saved again (ErrSurveyAnswered) and stays as it was; a person answers
// once (ErrAlreadyAnswered, nothing written the second time); an answer is
// stored without the person unless they shared it, in the order given;
// the sent marks are true the first time per kind and person; forgetting
// someone deletes their shared answer and their marks, and keeps the
// anonymous answers; the export lists only the answers shared. Redis
// (store/surveys.go, sv_*.lua) is the reference.

// SurveysAndForgetting is what the contract reads and writes.
type SurveysAndForgetting interface {
	surveys.Store
	flows.Workshops
	flows.Privacy
}

type svCase struct {
	name string
	run  func(t *testing.T, ctx context.Context, s SurveysAndForgetting)
}

const svCode = "sv2345"

var svAt = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func svSample() *flows.Survey {
	return &flows.Survey{Workshop: svCode, Updated: svAt, By: 7, Questions: []flows.SurveyQuestion{
		{Kind: flows.SvRating, Text: "Bagaimana \"materinya\"?", TextEN: "How was it?"},
		{Kind: flows.SvChoice, Text: "Ikut lagi?", Options: []string{"Ya", "Tidak"}, OptionsEN: []string{"Yes", "No"}},
		{Kind: flows.SvText, Text: "Saran \"version\":0"},
	}}
}

func mustSubmit(t *testing.T, ctx context.Context, s SurveysAndForgetting, uid int64, shared bool, answers ...string) {
	t.Helper()
	a := &flows.SurveyAnswer{Answers: answers, At: svAt}
	if shared {
		a.UserID = uid
	}
	if err := s.SubmitSurvey(ctx, svCode, uid, a); err != nil {
		t.Fatalf("SubmitSurvey %d: %v", uid, err)
	}
}

func svAnswers(t *testing.T, ctx context.Context, s SurveysAndForgetting) []*flows.SurveyAnswer {
	t.Helper()
	as, err := s.SurveyAnswers(ctx, svCode)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

var svCases = []svCase{
	{"none is not found", func(t *testing.T, ctx context.Context, s SurveysAndForgetting) {
		if _, err := s.GetSurvey(ctx, svCode); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("GetSurvey of none: %v", err)
		}
		if as := svAnswers(t, ctx, s); len(as) != 0 {
			t.Fatalf("answers of none: %v", as)
		}
	}},
	{"saved with the next version, read back as saved", func(t *testing.T, ctx context.Context, s SurveysAndForgetting) {
		for v := 1; v <= 2; v++ {
			sv := svSample()
			if err := s.SaveSurvey(ctx, sv); err != nil {
				t.Fatal(err)
			}
			if sv.Version != v {
				t.Fatalf("version %d, want %d", sv.Version, v)
			}
			got, err := s.GetSurvey(ctx, svCode)
			if err != nil {
				t.Fatal(err)
			}
			got.Updated = got.Updated.UTC()
			if !reflect.DeepEqual(got, sv) {
				t.Fatalf("got %+v\nwant %+v", got, sv)
			}
		}
	}},
	{"answered once; anonymous unless shared; in order", func(t *testing.T, ctx context.Context, s SurveysAndForgetting) {
		mustSubmit(t, ctx, s, 21, false, "5", "0", "bagus")
		mustSubmit(t, ctx, s, 22, true, "3", "1", "")
		err := s.SubmitSurvey(ctx, svCode, 21, &flows.SurveyAnswer{Answers: []string{"1", "1", "again"}, At: svAt})
		if !errors.Is(err, flows.ErrAlreadyAnswered) {
			t.Fatalf("second answer: %v", err)
		}
		for uid, want := range map[int64]bool{21: true, 22: true, 23: false} {
			if got, err := s.SurveyAnswered(ctx, svCode, uid); err != nil || got != want {
				t.Fatalf("answered %d: %v, %v", uid, got, err)
			}
		}
		as := svAnswers(t, ctx, s)
		if len(as) != 2 || as[0].UserID != 0 || !reflect.DeepEqual(as[0].Answers, []string{"5", "0", "bagus"}) ||
			as[1].UserID != 22 || !reflect.DeepEqual(as[1].Answers, []string{"3", "1", ""}) || !as[0].At.Equal(svAt) {
			t.Fatalf("answers %+v %+v", as[0], as[1])
		}
	}},
	{"not changed once answered", func(t *testing.T, ctx context.Context, s SurveysAndForgetting) {
		if err := s.SaveSurvey(ctx, svSample()); err != nil {
			t.Fatal(err)
		}
		mustSubmit(t, ctx, s, 21, false, "4", "0", "")
		sv := svSample()
		sv.Questions = sv.Questions[:1]
		if err := s.SaveSurvey(ctx, sv); !errors.Is(err, flows.ErrSurveyAnswered) {
			t.Fatalf("save after an answer: %v", err)
		}
		got, err := s.GetSurvey(ctx, svCode)
		if err != nil || got.Version != 1 || len(got.Questions) != 3 {
			t.Fatalf("survey after a refused save: %+v, %v", got, err)
		}
	}},
	{"sent marks once per kind and person", func(t *testing.T, ctx context.Context, s SurveysAndForgetting) {
		for _, c := range []struct {
			uid  int64
			kind string
			want bool
		}{{21, "i", true}, {21, "i", false}, {21, "r", true}, {22, "i", true}, {21, "r", false}} {
			if got, err := s.MarkSurveySent(ctx, svCode, c.uid, c.kind); err != nil || got != c.want {
				t.Fatalf("MarkSurveySent %d %s: %v, %v", c.uid, c.kind, got, err)
			}
		}
	}},
	{"forgetting deletes the shared answer and the marks, keeps the anonymous", func(t *testing.T, ctx context.Context, s SurveysAndForgetting) {
		(&regsCheck{ctx: ctx, s: s}).workshop(t, svCode, 0)
		mustSubmit(t, ctx, s, 21, false, "5", "0", "anon")
		mustSubmit(t, ctx, s, 22, true, "2", "1", "named")
		mustSubmit(t, ctx, s, 23, true, "4", "0", "other")
		if _, err := s.MarkSurveySent(ctx, svCode, 22, "i"); err != nil {
			t.Fatal(err)
		}
		// The export lists the answer shared with the team, not the anonymous one.
		for uid, want := range map[int64]string{21: "[]", 22: "[{sv2345 Workshop sv2345 [2 1 named]}]"} {
			d, err := s.ExportUser(ctx, uid)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range d.Surveys {
				if !a.At.Equal(svAt) {
					t.Fatalf("%d: exported at %v", uid, a.At)
				}
				got = append(got, fmt.Sprintf("{%s %s %v}", a.Workshop, a.Title, a.Answers))
			}
			if fmt.Sprintf("%v", got) != want && !(want == "[]" && len(got) == 0) {
				t.Fatalf("%d: exported %v, want %s", uid, got, want)
			}
		}
		if _, err := s.ForgetUser(ctx, 22, svAt); err != nil {
			t.Fatal(err)
		}
		as := svAnswers(t, ctx, s)
		if len(as) != 2 || as[0].Answers[2] != "anon" || as[1].UserID != 23 {
			t.Fatalf("answers after forgetting: %+v", as)
		}
		if got, err := s.SurveyAnswered(ctx, svCode, 22); err != nil || got {
			t.Fatalf("answered after forgetting: %v, %v", got, err)
		}
		if got, err := s.MarkSurveySent(ctx, svCode, 22, "i"); err != nil || !got {
			t.Fatalf("sent mark after forgetting: %v, %v", got, err)
		}
		// Forgetting the anonymous one keeps their answer, which does not name them.
		if _, err := s.ForgetUser(ctx, 21, svAt); err != nil {
			t.Fatal(err)
		}
		if as := svAnswers(t, ctx, s); len(as) != 2 || as[0].Answers[2] != "anon" {
			t.Fatalf("anonymous answer after forgetting: %+v", as)
		}
	}},
}

// RunSurveysContract runs the surveys contract on the stores open makes
// (a fresh, empty one per case).
func RunSurveysContract(t *testing.T, open func(t *testing.T) SurveysAndForgetting) {
	for _, tc := range svCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, context.Background(), open(t))
		})
	}
}
