package store

import (
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Post-event surveys: the survey, its answers, who answered and who was
// sent it, all under the workshop's hash tag.

//go:embed sv_submit.lua
var svSubmitLua string

//go:embed sv_save.lua
var svSaveLua string

//go:embed sv_forget.lua
var svForgetLua string

var (
	svSubmitScript = redis.NewScript(svSubmitLua)
	svSaveScript   = redis.NewScript(svSaveLua)
	svForgetScript = redis.NewScript(svForgetLua)
)

// GetSurvey implements surveys.Store: ErrNotFound when the team wrote none.
func (s *Store) GetSurvey(ctx context.Context, code string) (*flows.Survey, error) {
	raw, err := s.rdb.Get(ctx, s.wsKey(code, "survey")).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("survey of %s: %w", code, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("survey of %s: %w", code, err)
	}
	sv := new(flows.Survey)
	if err := json.Unmarshal(raw, sv); err != nil {
		return nil, fmt.Errorf("survey of %s: %w", code, err)
	}
	return sv, nil
}

// SaveSurvey implements surveys.Store: sv with the next version, or
// ErrSurveyAnswered once anyone answered (sv_save.lua). sv.Version is set.
func (s *Store) SaveSurvey(ctx context.Context, sv *flows.Survey) error {
	c := *sv
	c.Version = 0
	b, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("save survey of %s: %w", sv.Workshop, err)
	}
	v, err := svSaveScript.Run(ctx, s.rdb, []string{s.wsKey(sv.Workshop, "survey"), s.wsKey(sv.Workshop, "svdone")}, b).Int()
	if err != nil {
		return fmt.Errorf("save survey of %s: %w", sv.Workshop, err)
	}
	if v < 0 {
		return fmt.Errorf("save survey of %s: %w", sv.Workshop, flows.ErrSurveyAnswered)
	}
	sv.Version = v
	return nil
}

// SubmitSurvey implements surveys.Store: a's JSON (a.UserID 0 unless
// shared) in the answers, uid in who answered; ErrAlreadyAnswered the
// second time (sv_submit.lua).
func (s *Store) SubmitSurvey(ctx context.Context, code string, uid int64, a *flows.SurveyAnswer) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("survey answer of %d at %s: %w", uid, code, err)
	}
	n, err := svSubmitScript.Run(ctx, s.rdb, []string{s.wsKey(code, "svdone"), s.wsKey(code, "svans")}, uid, b).Int()
	if err != nil {
		return fmt.Errorf("survey answer of %d at %s: %w", uid, code, err)
	}
	if n == 0 {
		return fmt.Errorf("survey answer of %d at %s: %w", uid, code, flows.ErrAlreadyAnswered)
	}
	return nil
}

// SurveyAnswered implements surveys.Store.
func (s *Store) SurveyAnswered(ctx context.Context, code string, uid int64) (bool, error) {
	ok, err := s.rdb.SIsMember(ctx, s.wsKey(code, "svdone"), uid).Result()
	if err != nil {
		return false, fmt.Errorf("survey answered by %d at %s: %w", uid, code, err)
	}
	return ok, nil
}

// SurveyAnswers implements surveys.Store, in the order given.
func (s *Store) SurveyAnswers(ctx context.Context, code string) ([]*flows.SurveyAnswer, error) {
	list, err := s.rdb.LRange(ctx, s.wsKey(code, "svans"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("survey answers at %s: %w", code, err)
	}
	out := make([]*flows.SurveyAnswer, 0, len(list))
	for i, raw := range list {
		a := new(flows.SurveyAnswer)
		if err := json.Unmarshal([]byte(raw), a); err != nil {
			return nil, fmt.Errorf("survey answers at %s: #%d: %w", code, i, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// MarkSurveySent implements surveys.Store: true the first time for kind
// ("i" the survey, "r" its reminder) and uid.
func (s *Store) MarkSurveySent(ctx context.Context, code string, uid int64, kind string) (bool, error) {
	n, err := s.rdb.SAdd(ctx, s.wsKey(code, "svsent"), kind+":"+strconv.FormatInt(uid, 10)).Result()
	if err != nil {
		return false, fmt.Errorf("survey sent to %d at %s: %w", uid, code, err)
	}
	return n == 1, nil
}

// forgetSurveys removes uid's identifiable part in the surveys of codes
// (sv_forget.lua); anonymous answers stay.
func (s *Store) forgetSurveys(ctx context.Context, codes []string, uid int64) error {
	for _, code := range codes {
		keys := []string{s.wsKey(code, "svans"), s.wsKey(code, "svdone"), s.wsKey(code, "svsent")}
		if err := svForgetScript.Run(ctx, s.rdb, keys, uid).Err(); err != nil {
			return fmt.Errorf("forget survey of %d at %s: %w", uid, code, err)
		}
	}
	return nil
}

// userSurveys are the answers uid shared with the team, among the
// surveys of codes they answered (:svdone), by code.
func (s *Store) userSurveys(ctx context.Context, codes []string, uid int64, title func(string) string) ([]flows.SurveyData, error) {
	done := make([]*redis.BoolCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range codes {
			done[i] = p.SIsMember(ctx, s.wsKey(c, "svdone"), uid)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("surveys of %d: %w", uid, err)
	}
	var out []flows.SurveyData
	for i, c := range codes {
		if !done[i].Val() {
			continue
		}
		as, err := s.SurveyAnswers(ctx, c)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if a.UserID == uid {
				out = append(out, flows.SurveyData{Workshop: c, Title: title(c), Answers: a.Answers, At: a.At})
			}
		}
	}
	slices.SortFunc(out, func(a, b flows.SurveyData) int { return strings.Compare(a.Workshop, b.Workshop) })
	return out, nil
}
