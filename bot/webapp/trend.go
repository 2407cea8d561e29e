package webapp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"sinergi/flows"
)

// trendMonths is how many calendar months the overview's trend covers,
// the current one last.
const trendMonths = 12

// trendRow is one month of the overview's trend: registrations made and
// check-ins recorded in the month (by their own time, in the workshop's
// zone), the commitments written down in the month (Created), and the
// commitments due in the month by status, with those of them overdue (not
// done, due date passed).
type trendRow struct {
	Month         string         `json:"month"` // YYYY-MM
	Label         string         `json:"label"`
	Registrations int            `json:"registrations"`
	Attended      int            `json:"attended"`
	Created       int            `json:"commitments_created"`
	Due           int            `json:"commitments_due"`
	ByStatus      map[string]int `json:"by_status"`
	Overdue       int            `json:"overdue"`
}

// wsData is what the overview reads of one workshop.
type wsData struct {
	counts flows.Counts
	regs   []*flows.Registration
	cms    []*flows.Commitment
}

// scopeReaders is how many workshops scopeData reads at once: each read is
// a round trip, so a national forum's 1,000 workshops are read in parallel
// rather than one after another.
const scopeReaders = 16

// scopeData reads the counts, registrations and commitments of each of
// the workshops ws (in ws's order) from the store, on every call.
func (s *Server) scopeData(ctx context.Context, ws []*flows.Workshop) ([]wsData, error) {
	out := make([]wsData, len(ws))
	errs := make([]error, len(ws))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(scopeReaders, len(ws)) {
		wg.Go(func() {
			for i := range next {
				d := &out[i]
				code := ws[i].Code
				var err error
				if d.counts, err = s.cfg.Store.Counts(ctx, code); err != nil {
					errs[i] = fmt.Errorf("counts of %s: %w", code, err)
					continue
				}
				if d.regs, err = s.cfg.Store.Registrations(ctx, code); err != nil {
					errs[i] = fmt.Errorf("registrations of %s: %w", code, err)
					continue
				}
				if d.cms, err = s.cfg.Store.WorkshopCommitments(ctx, code); err != nil {
					errs[i] = fmt.Errorf("commitments of %s: %w", code, err)
				}
			}
		})
	}
	for i := range ws {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// trend is the last trendMonths months of the workshops ws (the caller's
// scope), from their data (scopeData, read on every call). The window
// ends with the current month in the forum's zone (WIB, the first of
// flows.Zones).
func (s *Server) trend(t *flows.Turn, ws []*flows.Workshop, data []wsData) []trendRow {
	now := t.Now().In(flows.LoadZone(flows.Zones()[0]))
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1-trendMonths, 0)
	rows := make([]trendRow, trendMonths)
	at := map[string]*trendRow{}
	for i := range rows {
		m := first.AddDate(0, i, 0)
		rows[i] = trendRow{Month: m.Format("2006-01"), ByStatus: map[string]int{},
			Label: s.text(t.Lang, "cm.month", map[string]any{"Month": s.text(t.Lang, "month."+m.Format("1"), nil, nil), "Year": m.Year()}, nil)}
		at[rows[i].Month] = &rows[i]
	}
	zones := map[string]*time.Location{} // each zone read once (LoadZone reads the zone database)
	for i, x := range ws {
		zone := zones[x.Zone]
		if zone == nil {
			zone = flows.LoadZone(x.Zone)
			zones[x.Zone] = zone
		}
		month := func(tm time.Time) *trendRow { return at[tm.In(zone).Format("2006-01")] }
		for _, r := range data[i].regs {
			if row := month(r.RegisteredAt); row != nil {
				row.Registrations++
			}
			if r.CheckedInAt.IsZero() {
				continue
			}
			if row := month(r.CheckedInAt); row != nil {
				row.Attended++
			}
		}
		for _, c := range data[i].cms {
			if row := month(c.Created); row != nil {
				row.Created++
			}
			row := month(c.Due)
			if row == nil {
				continue
			}
			row.Due++
			row.ByStatus[c.Status]++
			if c.Status != flows.CmDone && c.Due.Before(t.Now()) {
				row.Overdue++
			}
		}
	}
	return rows
}
