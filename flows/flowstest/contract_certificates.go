package flowstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"sinergi/flows"
	"sinergi/flows/attendance"
	"sinergi/flows/certificates"
)

// The attendance-and-certificates contract: the team's corrections (present,
// absent excused, no-show: exclusive, only for a confirmed registrant); a
// certificate only for someone checked in, numbered in order per
// workshop, issued again with the same number and code but the corrected
// name, found by its code (a wrong or unknown code is not found); and
// the person's data export lists their certificates, and forgetting them
// deletes their certificates and excused absences, so the code no longer
// verifies. Redis (store/attendance.go,
// store/certificates.go, att_set.lua, cert_issue.lua) is the reference.

// CertificatesAndForgetting is what the contract reads and writes.
type CertificatesAndForgetting interface {
	flows.Workshops
	flows.Privacy
	attendance.Store
	certificates.Store
}

type certCase struct {
	name string
	run  func(t *testing.T, c *certCheck)
}

type certCheck struct {
	regsCheck
	s CertificatesAndForgetting
}

func (c *certCheck) state(t *testing.T, code string, uid int64, wantIn, wantExcused bool) {
	t.Helper()
	r, err := c.s.GetRegistration(c.ctx, code, uid)
	if err != nil {
		t.Fatalf("GetRegistration %d: %v", uid, err)
	}
	ex, err := c.s.Excused(c.ctx, code)
	if err != nil {
		t.Fatalf("Excused: %v", err)
	}
	if in := !r.CheckedInAt.IsZero(); in != wantIn || ex[uid] != wantExcused {
		t.Fatalf("%d: checked in %v, excused %v; want %v, %v", uid, in, ex[uid], wantIn, wantExcused)
	}
}

func (c *certCheck) issue(t *testing.T, code string, uid int64, name, vcode string, at time.Time) (*flows.Certificate, error) {
	t.Helper()
	return c.s.IssueCertificate(c.ctx, &flows.Certificate{Workshop: code, UserID: uid, Name: name, Org: "Org " + name, Code: vcode, Issued: at})
}

var certCases = []certCase{
	{"corrections are exclusive and keep the first check-in", func(t *testing.T, c *certCheck) {
		c.workshop(t, "att001", 0)
		c.reg(t, "att001", 1, 0, nil, flows.RegConfirmed, 0)
		first := regClock.Add(time.Hour)
		if _, err := c.s.CheckIn(c.ctx, "att001", 1, first); err != nil {
			t.Fatal(err)
		}
		if err := c.s.SetAttendance(c.ctx, "att001", 1, flows.AttPresent, first.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if r, _ := c.s.GetRegistration(c.ctx, "att001", 1); !r.CheckedInAt.Equal(first) {
			t.Fatalf("present again moved the check-in to %v", r.CheckedInAt)
		}
		c.state(t, "att001", 1, true, false)
		if err := c.s.SetAttendance(c.ctx, "att001", 1, flows.AttAbsent, first); err != nil {
			t.Fatal(err)
		}
		c.state(t, "att001", 1, false, true)
		if err := c.s.SetAttendance(c.ctx, "att001", 1, flows.AttNoShow, first); err != nil {
			t.Fatal(err)
		}
		c.state(t, "att001", 1, false, false)
		if err := c.s.SetAttendance(c.ctx, "att001", 1, flows.AttAbsent, first); err != nil {
			t.Fatal(err)
		}
		if err := c.s.SetAttendance(c.ctx, "att001", 1, flows.AttPresent, first.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		c.state(t, "att001", 1, true, false)
		if r, _ := c.s.GetRegistration(c.ctx, "att001", 1); !r.CheckedInAt.Equal(first.Add(2 * time.Hour)) {
			t.Fatalf("marked present at %v", r.CheckedInAt)
		}
	}},
	{"corrections only for a confirmed registrant", func(t *testing.T, c *certCheck) {
		c.workshop(t, "att002", 1)
		c.reg(t, "att002", 1, 0, nil, flows.RegConfirmed, 0)
		c.reg(t, "att002", 2, time.Minute, nil, flows.RegWaiting, 1)
		for _, uid := range []int64{2, 3} {
			if err := c.s.SetAttendance(c.ctx, "att002", uid, flows.AttPresent, regClock); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("SetAttendance %d: %v, want ErrNotFound", uid, err)
			}
		}
		if err := c.s.SetAttendance(c.ctx, "att002", 1, "maybe", regClock); err == nil || errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("unknown status: %v", err)
		}
		c.state(t, "att002", 1, false, false)
	}},
	{"certificates: only the checked in, numbered, issued again the same", func(t *testing.T, c *certCheck) {
		c.workshop(t, "crt001", 0)
		c.workshop(t, "crt002", 0)
		for _, uid := range []int64{1, 2} {
			c.reg(t, "crt001", uid, 0, nil, flows.RegConfirmed, 0)
		}
		c.reg(t, "crt002", 1, 0, nil, flows.RegConfirmed, 0)
		if _, err := c.issue(t, "crt001", 1, "Ana", "code-a", regClock); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("not checked in: %v", err)
		}
		for _, uid := range []int64{1, 2} {
			if _, err := c.s.CheckIn(c.ctx, "crt001", uid, regClock); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.s.CheckIn(c.ctx, "crt002", 1, regClock); err != nil {
			t.Fatal(err)
		}
		at := regClock.Add(time.Hour)
		b, err := c.issue(t, "crt001", 2, "Budi", "code-b", at)
		if err != nil || b.Number != "CRT001-0001" || b.Code != "code-b" || b.Name != "Budi" || b.Org != "Org Budi" || !b.Issued.Equal(at) || b.UserID != 2 || b.Workshop != "crt001" {
			t.Fatalf("first: %+v, %v", b, err)
		}
		a, err := c.issue(t, "crt001", 1, "Ana", "code-a", at)
		if err != nil || a.Number != "CRT001-0002" {
			t.Fatalf("second: %+v, %v", a, err)
		}
		o, err := c.issue(t, "crt002", 1, "Ana", "code-o", at)
		if err != nil || o.Number != "CRT002-0001" {
			t.Fatalf("other workshop: %+v, %v", o, err)
		}
		again, err := c.issue(t, "crt001", 2, "Budi Santoso", "code-new", at.Add(time.Hour))
		if err != nil || again.Number != "CRT001-0001" || again.Code != "code-b" || again.Name != "Budi Santoso" || !again.Issued.Equal(at) {
			t.Fatalf("again: %+v, %v", again, err)
		}
		got, err := c.s.CertificateByCode(c.ctx, "code-b")
		if err != nil || *got != *again {
			t.Fatalf("by code: %+v, %v; want %+v", got, err, again)
		}
		if g, err := c.s.GetCertificate(c.ctx, "crt001", 2); err != nil || *g != *again {
			t.Fatalf("get: %+v, %v", g, err)
		}
		for _, bad := range []string{"code-new", "nope", ""} {
			if _, err := c.s.CertificateByCode(c.ctx, bad); !errors.Is(err, flows.ErrNotFound) {
				t.Fatalf("code %q: %v, want ErrNotFound", bad, err)
			}
		}
		if _, err := c.s.GetCertificate(c.ctx, "crt002", 2); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("none: %v", err)
		}
	}},
	{"forgetting deletes certificates and excused absences", func(t *testing.T, c *certCheck) {
		c.workshop(t, "crt003", 0)
		for _, uid := range []int64{1, 2} {
			c.reg(t, "crt003", uid, 0, nil, flows.RegConfirmed, 0)
			if _, err := c.s.CheckIn(c.ctx, "crt003", uid, regClock); err != nil {
				t.Fatal(err)
			}
		}
		c.reg(t, "crt003", 3, 0, nil, flows.RegConfirmed, 0)
		if err := c.s.SetAttendance(c.ctx, "crt003", 3, flows.AttAbsent, regClock); err != nil {
			t.Fatal(err)
		}
		for _, uid := range []int64{1, 2} {
			if _, err := c.issue(t, "crt003", uid, "P", "code-"+string(rune('0'+uid)), regClock); err != nil {
				t.Fatal(err)
			}
		}
		if d, err := c.s.ExportUser(c.ctx, 1); err != nil || len(d.Certificates) != 1 || d.Certificates[0].Code != "code-1" || d.Certificates[0].Workshop != "crt003" {
			t.Fatalf("export: %+v, %v", d, err)
		}
		for _, uid := range []int64{1, 3} {
			if _, err := c.s.ForgetUser(c.ctx, uid, regClock.Add(30*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.s.CertificateByCode(c.ctx, "code-1"); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("forgotten: %v", err)
		}
		if _, err := c.s.GetCertificate(c.ctx, "crt003", 1); !errors.Is(err, flows.ErrNotFound) {
			t.Fatalf("forgotten: %v", err)
		}
		if _, err := c.s.CertificateByCode(c.ctx, "code-2"); err != nil {
			t.Fatalf("the other: %v", err)
		}
		if ex, err := c.s.Excused(c.ctx, "crt003"); err != nil || len(ex) != 0 {
			t.Fatalf("excused after forgetting: %v, %v", ex, err)
		}
	}},
}

// RunCertificatesContract runs the attendance-and-certificates contract on
// the stores open returns (a fresh one per case).
func RunCertificatesContract(t *testing.T, open func(t *testing.T) CertificatesAndForgetting) {
	for _, tc := range certCases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.run(t, &certCheck{regsCheck: regsCheck{ctx: context.Background(), s: s}, s: s})
		})
	}
}
