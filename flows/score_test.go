package flows_test

import (
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sinergi/locales"

	"sinergi/flows"
)

// renderPlain renders a Text the way the bot does (nested texts in the same
// language, strings escaped) and returns what the reader sees.
func renderPlain(t *testing.T, c *locales.Catalog, lang string, x flows.Text) string {
	t.Helper()
	var render func(x flows.Text) string
	render = func(x flows.Text) string {
		data := map[string]any{}
		for k, v := range x.Data {
			switch v := v.(type) {
			case flows.Text:
				data[k] = render(v)
			case []flows.Text:
				parts := make([]string, len(v))
				for i, p := range v {
					parts[i] = render(p)
				}
				data[k] = strings.Join(parts, "\n")
			case string:
				data[k] = html.EscapeString(v)
			case flows.HTML:
				data[k] = string(v)
			default:
				data[k] = v
			}
		}
		s, err := c.Text(lang, x.ID, data, x.Count)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return html.UnescapeString(tags.ReplaceAllString(render(x), ""))
}

// tags are the markup of a rendered message (user text in it is escaped).
var tags = regexp.MustCompile(`<[^>]*>`)

func pp(uid int64, sector string, themes, provs, offers, needs []string) *flows.PartnerProfile {
	return &flows.PartnerProfile{UserID: uid, Org: "Org " + strconv.FormatInt(uid, 10), Sector: sector,
		Themes: themes, Provinces: provs, Offers: offers, Needs: needs, Visible: true}
}

func l(s ...string) []string { return s }

func TestScoreAndReasons(t *testing.T) {
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	me := pp(1, "ngo", l("education", "wash"), l("NT", "BA"), l("volunteers", "data"), l("funding", "expertise"))
	for _, tc := range []struct {
		name      string
		them      *flows.PartnerProfile
		score     int
		candidate bool
		coalition bool
		en, id    string
	}{
		{
			name: "complementary both ways, shared theme and province, other sector",
			them: pp(2, "csr", l("wash", "health"), l("NT"), l("funding", "expertise"), l("volunteers")),
			// 3×2 (funding, expertise) + 3×1 (volunteers) + 2×1 (wash) + 1×1 (NT) + 2 (csr ≠ ngo)
			score: 14, candidate: true,
			en: "they offer funding and expertise/training, which you need · both work on water & sanitation in Nusa Tenggara Timur (East Nusa Tenggara) · you offer volunteers, which they need · a partner from another sector (Company / CSR)",
			id: "mereka menawarkan pendanaan dan keahlian/pelatihan, yang Anda butuhkan · sama-sama bergerak di air & sanitasi di Nusa Tenggara Timur · Anda menawarkan relawan, yang mereka butuhkan · mitra dari sektor lain (Perusahaan / CSR)",
		},
		{
			name:  "only a shared province, same sector",
			them:  pp(3, "ngo", l("health"), l("BA", "JK"), nil, l("tech")),
			score: 1, candidate: true,
			en: "both active in Bali",
			id: "sama-sama aktif di Bali",
		},
		{
			name:  "themes only, other sector",
			them:  pp(4, "gov", l("education", "wash", "child"), l("PA"), l("venue"), nil),
			score: 2*2 + 2, candidate: true,
			en: "both work on education and water & sanitation · a partner from another sector (Government)",
			id: "sama-sama bergerak di pendidikan dan air & sanitasi · mitra dari sektor lain (Pemerintah)",
		},
		{
			name:  "they need what I offer only",
			them:  pp(5, "ngo", l("food"), l("AC"), nil, l("data", "volunteers")),
			score: 3 * 2, candidate: true,
			en: "you offer volunteers and data, which they need",
			id: "Anda menawarkan relawan dan data, yang mereka butuhkan",
		},
		{
			name:  "nothing shared: the cross-sector bonus alone is no candidate",
			them:  pp(6, "academia", l("food"), l("AC"), l("tech"), l("venue")),
			score: 2, candidate: false,
			en: "little in common yet", id: "belum banyak kesamaan",
		},
		{
			name:  "coalition: same theme, same province, same offer",
			them:  pp(7, "ngo", l("education"), l("BA"), l("volunteers"), nil),
			score: 2 + 1, candidate: true, coalition: true,
			en: "both work on education in Bali",
			id: "sama-sama bergerak di pendidikan di Bali",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := flows.Compare(me, tc.them)
			if got := o.Score(); got != tc.score {
				t.Errorf("score %d, want %d (%+v)", got, tc.score, o)
			}
			if o.Candidate() != tc.candidate || o.Coalition() != tc.coalition {
				t.Errorf("candidate %v coalition %v", o.Candidate(), o.Coalition())
			}
			if got := renderPlain(t, c, "en", flows.Reasons(o, tc.them)); got != tc.en {
				t.Errorf("en:\n got %q\nwant %q", got, tc.en)
			}
			if got := renderPlain(t, c, "id", flows.Reasons(o, tc.them)); got != tc.id {
				t.Errorf("id:\n got %q\nwant %q", got, tc.id)
			}
		})
	}
	// The coalition note names what both do.
	o := flows.Compare(me, pp(7, "ngo", l("education"), l("BA"), l("volunteers"), nil))
	if got := renderPlain(t, c, "en", flows.CoalitionNote(o)); !strings.Contains(got, "you both offer volunteers for education in Bali") {
		t.Errorf("coalition note %q", got)
	}
}

func TestListText(t *testing.T) {
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		codes []string
		en    string
	}{
		{nil, "—"},
		{l("funding"), "funding"},
		{l("funding", "data"), "funding and data"},
		{l("funding", "data", "venue"), "funding, data and venue/logistics"},
		{l("funding", "data", "venue", "tech"), "funding, data, venue/logistics and technology"},
		{l("funding", "data", "venue", "tech", "inkind"), "funding, data, venue/logistics and 2 more"},
	} {
		if got := renderPlain(t, c, "en", flows.ListText("offer.", tc.codes)); got != tc.en {
			t.Errorf("%v: %q, want %q", tc.codes, got, tc.en)
		}
	}
}

func TestMatchScoreWeights(t *testing.T) {
	for _, tc := range []struct {
		get, give, themes, provs int
		cross                    bool
		want                     int
	}{
		{0, 0, 0, 0, false, 0},
		{1, 0, 0, 0, false, 3},
		{0, 1, 0, 0, false, 3},
		{0, 0, 1, 0, false, 2},
		{0, 0, 0, 1, false, 1},
		{0, 0, 0, 0, true, 2},
		{2, 1, 3, 2, true, 6 + 3 + 6 + 2 + 2},
	} {
		if got := flows.MatchScore(tc.get, tc.give, tc.themes, tc.provs, tc.cross); got != tc.want {
			t.Errorf("%+v: %d", tc, got)
		}
	}
}

func TestRank(t *testing.T) {
	me := pp(1, "ngo", l("education"), l("BA"), l("volunteers"), l("funding"))
	others := []*flows.PartnerProfile{
		me,
		pp(9, "ngo", l("health"), l("BA"), nil, l("tech")),                // 1
		pp(2, "csr", l("education"), l("JK"), l("funding"), nil),          // 3+2+2 = 7
		pp(5, "csr", l("education"), l("JK"), l("funding"), nil),          // 7, after 2
		pp(3, "academia", l("food"), l("AC"), l("tech"), nil),             // not a candidate
		pp(4, "ngo", l("education"), l("BA"), l("volunteers"), l("data")), // 3, coalition
	}
	ids := func(ms []flows.Match) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.Profile.UserID)
		}
		return out
	}
	if got := ids(flows.Rank(me, others, flows.MatchFilter{})); !slices.Equal(got, []int64{2, 5, 4, 9}) {
		t.Errorf("rank %v", got)
	}
	for _, tc := range []struct {
		f    flows.MatchFilter
		want []int64
	}{
		{flows.MatchFilter{Sector: "csr"}, []int64{2, 5}},
		{flows.MatchFilter{Province: "BA"}, []int64{4, 9}},
		{flows.MatchFilter{Theme: "health"}, []int64{9}},
		{flows.MatchFilter{Coalition: true}, []int64{4}},
	} {
		if got := ids(flows.Rank(me, others, tc.f)); !slices.Equal(got, tc.want) {
			t.Errorf("filter %+v: %v, want %v", tc.f, got, tc.want)
		}
	}
}
