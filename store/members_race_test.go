package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"sinergi/flows"
)

// Concurrent saves of one profile, each moving the member to another
// sector and province, leave the member in the sets of the profile that
// was written last and in no other: no entry of a losing writer survives.
// (Written in steps — the new value added before the profile, the old one
// removed after —, two saves from the same old profile each left their new
// value behind.)
func TestConcurrentProfileSavesLeaveNoStaleEntry(t *testing.T) {
	ctx := context.Background()
	s, r := newStore(t)
	const uid = 77
	sectors, provinces := flows.Sectors()[:4], flows.Provinces()[:4]
	for round := range 60 {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for w := range 4 {
			p := &flows.Profile{UserID: uid, FullName: fmt.Sprint("writer ", w), Sector: sectors[(round+w)%4], Province: provinces[(round+2*w)%4]}
			wg.Go(func() { errs[w] = s.SaveProfile(ctx, p) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		p, err := s.GetProfile(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		for kind, codes := range map[string][]string{"sector": flows.Sectors(), "prov": flows.Provinces()} {
			want := p.Sector
			if kind == "prov" {
				want = p.Province
			}
			for _, c := range codes {
				in, err := r.Client.SIsMember(ctx, r.Prefix+"members:"+kind+":"+c, uid).Result()
				if err != nil {
					t.Fatal(err)
				}
				if in != (c == want) {
					t.Fatalf("round %d: profile in %s %s; member of %s %s: %v", round, kind, want, kind, c, in)
				}
			}
		}
	}
}
