package flowstest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"sinergi/flows"
)

// memCerts is the in-memory attendance corrections and certificates.
type memCerts struct {
	excused map[string]map[int64]time.Time // code -> uid -> when
	certs   map[string]flows.Certificate   // "<code>|<uid>"
	seq     map[string]int                 // code -> certificates issued
	byCode  map[string]string              // verification code -> "<code>|<uid>"
}

func (m *Store) certInit() {
	if m.cert.certs == nil {
		m.cert = memCerts{excused: map[string]map[int64]time.Time{}, certs: map[string]flows.Certificate{},
			seq: map[string]int{}, byCode: map[string]string{}}
	}
}

func certKey(code string, uid int64) string { return fmt.Sprintf("%s|%d", code, uid) }

func (m *Store) SetAttendance(_ context.Context, code string, uid int64, status string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	m.certInit()
	if !slices.Contains(flows.AttendanceStatuses(), status) {
		return fmt.Errorf("set attendance: unknown status %q", status)
	}
	if r := m.regLocked(code, uid); r == nil || r.Status != flows.RegConfirmed {
		return flows.ErrNotFound
	}
	if m.ws.checkins[code] == nil {
		m.ws.checkins[code] = map[int64]time.Time{}
	}
	if m.cert.excused[code] == nil {
		m.cert.excused[code] = map[int64]time.Time{}
	}
	switch status {
	case flows.AttPresent:
		if _, ok := m.ws.checkins[code][uid]; !ok {
			m.ws.checkins[code][uid] = now
		}
		delete(m.cert.excused[code], uid)
	case flows.AttAbsent:
		delete(m.ws.checkins[code], uid)
		m.cert.excused[code][uid] = now
	default:
		delete(m.ws.checkins[code], uid)
		delete(m.cert.excused[code], uid)
	}
	return nil
}

func (m *Store) Excused(_ context.Context, code string) (map[int64]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.certInit()
	out := map[int64]bool{}
	for uid := range m.cert.excused[code] {
		out[uid] = true
	}
	return out, nil
}

func (m *Store) IssueCertificate(_ context.Context, c *flows.Certificate) (*flows.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.wsInit()
	m.certInit()
	if _, ok := m.ws.checkins[c.Workshop][c.UserID]; !ok {
		return nil, flows.ErrNotFound
	}
	k := certKey(c.Workshop, c.UserID)
	got, ok := m.cert.certs[k]
	if !ok {
		m.cert.seq[c.Workshop]++
		got = flows.Certificate{Code: c.Code, Workshop: c.Workshop, UserID: c.UserID, Issued: c.Issued.Truncate(time.Millisecond).UTC(),
			Number: fmt.Sprintf("%s-%04d", strings.ToUpper(c.Workshop), m.cert.seq[c.Workshop])}
	}
	got.Name, got.Org = c.Name, c.Org
	m.cert.certs[k] = got
	m.cert.byCode[got.Code] = k
	return &got, nil
}

func (m *Store) GetCertificate(_ context.Context, code string, uid int64) (*flows.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.certInit()
	c, ok := m.cert.certs[certKey(code, uid)]
	if !ok {
		return nil, flows.ErrNotFound
	}
	return &c, nil
}

func (m *Store) CertificateByCode(_ context.Context, vcode string) (*flows.Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.certInit()
	c, ok := m.cert.certs[m.cert.byCode[vcode]]
	if !ok || c.Code != vcode {
		return nil, flows.ErrNotFound
	}
	return &c, nil
}

// forgetCertsLocked deletes uid's certificates and excused absences.
func (m *Store) forgetCertsLocked(uid int64) {
	m.certInit()
	for k, c := range m.cert.certs {
		if c.UserID == uid {
			delete(m.cert.byCode, c.Code)
			delete(m.cert.certs, k)
		}
	}
	for _, ex := range m.cert.excused {
		delete(ex, uid)
	}
}
