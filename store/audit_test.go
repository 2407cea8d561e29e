package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"sinergi/flows"
)

func TestAuditPseudonyms(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	const uid = 987654321
	for _, e := range []*flows.AuditEntry{
		{At: now, Actor: 900, Action: flows.AuditGrant, Target: "facilitator", Subject: uid},
		{At: now.Add(time.Second), Actor: uid, Action: flows.AuditWsCreate, Target: "abcdef"},
	} {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	log, err := s.AuditLog(ctx, 10)
	if err != nil || len(log) != 2 || log[0].Actor != uid || log[1].Subject != uid || log[1].Actor != 900 {
		t.Fatalf("log %+v %v", log, err)
	}
	// The stream itself never holds the id.
	entries, _ := r.Client.XRange(ctx, r.Prefix+"audit:log", "-", "+").Result()
	for _, e := range entries {
		for k, v := range e.Values {
			if strings.Contains(k+"="+v.(string), "987654321") {
				t.Fatalf("stream holds the user id: %v", e.Values)
			}
		}
	}
	if err := s.ForgetAuditRef(ctx, uid); err != nil {
		t.Fatal(err)
	}
	log, _ = s.AuditLog(ctx, 10)
	if len(log) != 2 || log[0].Actor != 0 || log[1].Subject != 0 || log[1].Actor != 900 {
		t.Fatalf("after forgetting: %+v", log)
	}
	for _, key := range []string{"audit:ref", "audit:who"} {
		m, _ := r.Client.HGetAll(ctx, r.Prefix+key).Result()
		for k, v := range m {
			if k == "987654321" || v == "987654321" {
				t.Fatalf("%s still maps the user", key)
			}
		}
	}
}
