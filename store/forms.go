package store

import (
	"context"
	_ "embed" // Lua scripts
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// A workshop's registration form is the list {w:<code>}:form beside the
// workshop under its hash tag; the answers are in the registration's JSON
// ({w:<code>}:regs), so whatever removes a registration (a cancellation,
// forgetting) removes its answers.

var (
	//go:embed form_add.lua
	formAddLua    string
	formAddScript = redis.NewScript(formAddLua)
)

// Form implements flows.Forms.
func (s *Store) Form(ctx context.Context, code string) ([]flows.FormQuestion, error) {
	if checkCode(code) != nil {
		return nil, nil
	}
	raw, err := s.rdb.LRange(ctx, s.wsKey(code, "form"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("form of %s: %w", code, err)
	}
	var out []flows.FormQuestion
	for _, r := range raw {
		var q flows.FormQuestion
		if err := json.Unmarshal([]byte(r), &q); err != nil {
			return nil, fmt.Errorf("decode question of %s: %w", code, err)
		}
		out = append(out, q)
	}
	return out, nil
}

// AddQuestion implements flows.Forms (form_add.lua).
func (s *Store) AddQuestion(ctx context.Context, code string, q flows.FormQuestion, max int) error {
	if checkCode(code) != nil {
		return flows.ErrNotFound
	}
	b, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("encode question: %w", err)
	}
	res, err := formAddScript.Run(ctx, s.rdb, []string{s.wsKey(code, "ws"), s.wsKey(code, "form")}, b, max).Text()
	if err != nil {
		return fmt.Errorf("add question to %s: %w", code, err)
	}
	switch res {
	case "notfound":
		return flows.ErrNotFound
	case "full":
		return flows.ErrFormFull
	}
	return nil
}

// DeleteQuestion implements flows.Forms: the question's exact JSON is
// removed in one command, so a question changed meanwhile is not.
func (s *Store) DeleteQuestion(ctx context.Context, code, id string) error {
	qs, err := s.rdb.LRange(ctx, s.wsKey(code, "form"), 0, -1).Result()
	if err != nil {
		return fmt.Errorf("delete question of %s: %w", code, err)
	}
	for _, raw := range qs {
		var q flows.FormQuestion
		if json.Unmarshal([]byte(raw), &q) == nil && q.ID == id {
			n, err := s.rdb.LRem(ctx, s.wsKey(code, "form"), 1, raw).Result()
			if err != nil {
				return fmt.Errorf("delete question of %s: %w", code, err)
			}
			if n == 0 {
				return flows.ErrNotFound
			}
			return nil
		}
	}
	return flows.ErrNotFound
}

// SaveAnswers implements flows.Forms: the registration's JSON is read and
// written back with its answers in a transaction watching the workshop's
// registrations (retried when another registration changed meanwhile).
func (s *Store) SaveAnswers(ctx context.Context, code string, uid int64, answer string, answers map[string]string) error {
	if checkCode(code) != nil {
		return flows.ErrNotFound
	}
	key, field := s.wsKey(code, "regs"), strconv.FormatInt(uid, 10)
	for range 20 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			raw, err := tx.HGet(ctx, key, field).Result()
			if errors.Is(err, redis.Nil) {
				return flows.ErrNotFound
			}
			if err != nil {
				return err
			}
			var r map[string]json.RawMessage
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				return fmt.Errorf("decode registration: %w", err)
			}
			delete(r, "answer")
			delete(r, "answers")
			if answer != "" {
				if r["answer"], err = json.Marshal(answer); err != nil {
					return fmt.Errorf("encode answer: %w", err)
				}
			}
			if len(answers) > 0 {
				if r["answers"], err = json.Marshal(answers); err != nil {
					return fmt.Errorf("encode answers: %w", err)
				}
			}
			b, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("encode registration: %w", err)
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, key, field, b)
				return nil
			})
			return err
		}, key)
		switch {
		case errors.Is(err, redis.TxFailedErr):
			continue
		case errors.Is(err, flows.ErrNotFound):
			return err
		case err != nil:
			return fmt.Errorf("save answers of %d in %s: %w", uid, code, err)
		}
		return nil
	}
	return fmt.Errorf("save answers of %d in %s: %w", uid, code, redis.TxFailedErr)
}
