package store

import (
	"context"
	_ "embed" // Lua script
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"sinergi/flows"
)

// Certificates of attendance: one hash per person and workshop under the
// workshop's hash tag, and the verification code's lookup beside it (an
// index, checked against the hash when read, like checkin:<token>).

//go:embed cert_issue.lua
var certIssueLua string

var certIssueScript = redis.NewScript(certIssueLua)

func (s *Store) certKey(code string, uid int64) string {
	return s.wsKey(code, "cert:"+strconv.FormatInt(uid, 10))
}
func (s *Store) certCodeKey(vcode string) string { return s.p + "cert:" + vcode }

// IssueCertificate implements certificates.Store: c.Workshop, c.UserID,
// c.Name, c.Org and a fresh c.Code in; the certificate as stored out (an
// earlier one keeps its number, code and time). ErrNotFound when the
// person is not checked in.
func (s *Store) IssueCertificate(ctx context.Context, c *flows.Certificate) (*flows.Certificate, error) {
	fail := func(err error) (*flows.Certificate, error) {
		return nil, fmt.Errorf("issue certificate of %d at %s: %w", c.UserID, c.Workshop, err)
	}
	keys := []string{s.wsKey(c.Workshop, "checkin"), s.certKey(c.Workshop, c.UserID), s.wsKey(c.Workshop, "certseq")}
	res, err := certIssueScript.Run(ctx, s.rdb, keys, c.UserID, c.Name, c.Org, c.Code, c.Issued.UnixMilli(), strings.ToUpper(c.Workshop)).Result()
	if err != nil {
		return fail(err)
	}
	if n, ok := res.(int64); ok && n < 0 {
		return fail(flows.ErrNotFound)
	}
	list, ok := res.([]any)
	if !ok {
		return fail(fmt.Errorf("script returned %v", res))
	}
	m := make(map[string]string, len(list)/2)
	for i := 0; i+1 < len(list); i += 2 {
		k, _ := list[i].(string)
		v, _ := list[i+1].(string)
		m[k] = v
	}
	got, err := decodeCert(c.Workshop, m)
	if err != nil {
		return fail(err)
	}
	// The lookup after the hash: a lookup without its hash is never read
	// as a certificate (GetCertificateByCode checks the code).
	if err := s.rdb.Set(ctx, s.certCodeKey(got.Code), c.Workshop+":"+strconv.FormatInt(c.UserID, 10), 0).Err(); err != nil {
		return fail(err)
	}
	return got, nil
}

func decodeCert(code string, m map[string]string) (*flows.Certificate, error) {
	uid, err := strconv.ParseInt(m["user"], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("certificate at %s: user %q: %w", code, m["user"], err)
	}
	ms, _ := strconv.ParseInt(m["issued"], 10, 64)
	return &flows.Certificate{Code: m["code"], Number: m["number"], Workshop: code, UserID: uid,
		Name: m["name"], Org: m["org"], Issued: time.UnixMilli(ms).UTC()}, nil
}

// GetCertificate implements certificates.Store (ErrNotFound when none).
func (s *Store) GetCertificate(ctx context.Context, code string, uid int64) (*flows.Certificate, error) {
	m, err := s.rdb.HGetAll(ctx, s.certKey(code, uid)).Result()
	if err != nil {
		return nil, fmt.Errorf("certificate of %d at %s: %w", uid, code, err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("certificate of %d at %s: %w", uid, code, flows.ErrNotFound)
	}
	return decodeCert(code, m)
}

// CertificateByCode implements certificates.Store: the certificate whose
// verification code is vcode (ErrNotFound when none, or forgotten).
func (s *Store) CertificateByCode(ctx context.Context, vcode string) (*flows.Certificate, error) {
	v, err := s.rdb.Get(ctx, s.certCodeKey(vcode)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("certificate %q: %w", vcode, flows.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("certificate %q: %w", vcode, err)
	}
	code, u, _ := strings.Cut(v, ":")
	uid, err := strconv.ParseInt(u, 10, 64)
	if err != nil || checkCode(code) != nil {
		return nil, fmt.Errorf("certificate %q: lookup %q: %w", vcode, v, flows.ErrNotFound)
	}
	c, err := s.GetCertificate(ctx, code, uid)
	if err != nil {
		return nil, err
	}
	if c.Code != vcode {
		return nil, fmt.Errorf("certificate %q: %w", vcode, flows.ErrNotFound)
	}
	return c, nil
}

// forgetAttendance deletes uid's certificates (and their lookups),
// excused absences and session marks at the workshops codes (ForgetUser): a certificate of
// someone forgotten no longer verifies.
func (s *Store) forgetAttendance(ctx context.Context, codes []string, uid int64) error {
	vcodes := make([]*redis.StringCmd, len(codes))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, code := range codes {
			vcodes[i] = p.HGet(ctx, s.certKey(code, uid), "code")
		}
		return nil
	}); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("forget certificates of %d: %w", uid, err)
	}
	id := strconv.FormatInt(uid, 10)
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, code := range codes {
			if v, err := vcodes[i].Result(); err == nil && v != "" {
				p.Del(ctx, s.certCodeKey(v))
			}
			p.Del(ctx, s.certKey(code, uid))
			p.HDel(ctx, s.wsKey(code, "excused"), id)
			p.HDel(ctx, s.wsKey(code, "satt"), id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget certificates of %d: %w", uid, err)
	}
	return nil
}

// userCertificates are uid's certificates at the workshops of regs, by
// workshop code (ExportUser).
func (s *Store) userCertificates(ctx context.Context, regs []*flows.Registration, uid int64) ([]*flows.Certificate, error) {
	var out []*flows.Certificate
	for _, r := range regs {
		c, err := s.GetCertificate(ctx, r.Workshop, uid)
		if errors.Is(err, flows.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *flows.Certificate) int { return strings.Compare(a.Workshop, b.Workshop) })
	return out, nil
}
