package surveys

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"sinergi/flows"
)

// The team writes a survey as one message, a question per line:
//
//	rating: Bagaimana materinya? | How was the content?
//	choice: Ikut lagi? | Come again? ; Ya | Yes ; Tidak | No
//	text: Saran | Suggestions
//
// the kind (rating/nilai, choice/pilihan, text/teks), then the question in
// Indonesian and, after "|", in English; a choice's options follow, each
// after ";", likewise. The parsed questions are stored in the flow's
// answer as JSON.

// kinds are the words of each kind, English and Indonesian.
var kinds = map[string]string{
	"rating": flows.SvRating, "nilai": flows.SvRating,
	"choice": flows.SvChoice, "pilihan": flows.SvChoice,
	"text": flows.SvText, "teks": flows.SvText,
}

// maxSurveyMessage bounds the message a survey is written in.
const maxSurveyMessage = 4000

// bilingual splits "id | en".
func bilingual(s string) (id, en string) {
	id, en, _ = strings.Cut(s, "|")
	return flows.CleanText(id), flows.CleanText(en)
}

// ParseSurvey reads a survey written as text; a *UserError names the line
// and what is wrong: no questions, too many, an unknown kind, an empty or
// too long text, a choice with too few or too many options.
func ParseSurvey(text string) ([]flows.SurveyQuestion, error) {
	if utf8.RuneCountInString(text) > maxSurveyMessage {
		return nil, flows.Refuse("sv.err_message_long", "Max", maxSurveyMessage)
	}
	var qs []flows.SurveyQuestion
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n++
		word, rest, ok := strings.Cut(line, ":")
		kind := kinds[strings.ToLower(strings.TrimSpace(word))]
		if !ok || kind == "" {
			return nil, flows.Refuse("sv.err_kind", "Line", n)
		}
		parts := strings.Split(rest, ";")
		q := flows.SurveyQuestion{Kind: kind}
		q.Text, q.TextEN = bilingual(parts[0])
		if q.Text == "" {
			return nil, flows.Refuse("sv.err_empty_text", "Line", n)
		}
		long := func(s string) bool { return utf8.RuneCountInString(s) > flows.MaxSurveyText }
		if long(q.Text) || long(q.TextEN) {
			return nil, flows.Refuse("sv.err_long", "Line", n, "Max", flows.MaxSurveyText)
		}
		opts := parts[1:]
		if kind != flows.SvChoice && len(opts) > 0 {
			return nil, flows.Refuse("sv.err_options_kind", "Line", n)
		}
		if kind == flows.SvChoice {
			if len(opts) < flows.MinSurveyOptions || len(opts) > flows.MaxSurveyOptions {
				return nil, flows.Refuse("sv.err_options", "Line", n, "Min", flows.MinSurveyOptions, "Max", flows.MaxSurveyOptions)
			}
			anyEN := false
			for _, o := range opts {
				id, en := bilingual(o)
				if id == "" {
					return nil, flows.Refuse("sv.err_empty_option", "Line", n)
				}
				if long(id) || long(en) {
					return nil, flows.Refuse("sv.err_long", "Line", n, "Max", flows.MaxSurveyText)
				}
				anyEN = anyEN || en != ""
				q.Options = append(q.Options, id)
				q.OptionsEN = append(q.OptionsEN, en)
			}
			if !anyEN {
				q.OptionsEN = nil
			}
		}
		qs = append(qs, q)
		if len(qs) > flows.MaxSurveyQuestions {
			return nil, flows.Refuse("sv.err_too_many", "Max", flows.MaxSurveyQuestions)
		}
	}
	if len(qs) == 0 {
		return nil, flows.Refuse("sv.err_none")
	}
	return qs, nil
}

// parseSurveyText is the edit step: the survey's text, stored as its
// questions' JSON.
func parseSurveyText(_ context.Context, _ *flows.Turn, in flows.Input) (string, error) {
	if in.Kind != flows.KindText {
		return "", flows.Refuse("errors.expect_text")
	}
	qs, err := ParseSurvey(in.Text)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(qs)
	if err != nil {
		return "", flows.InternalError("survey text", err)
	}
	return string(b), nil
}

func decodeQuestions(s string) ([]flows.SurveyQuestion, error) {
	var qs []flows.SurveyQuestion
	if err := json.Unmarshal([]byte(s), &qs); err != nil {
		return nil, errText("decode survey questions: %w", err)
	}
	return qs, nil
}
