package billing

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// memSource is an in-memory Source for the audit's own logic.
type memSource struct {
	patients []graph.Patient
	claims   []graph.Claim
	items    []graph.ClaimItem
}

func (m memSource) ScanPatients(_ context.Context, fn func(graph.Patient) error) error {
	for _, p := range m.patients {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (m memSource) ScanClaims(_ context.Context, fn func(graph.Claim) error) error {
	for _, c := range m.claims {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

func (m memSource) ScanClaimItems(_ context.Context, fn func(graph.ClaimItem) error) error {
	for _, it := range m.items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// sample plants one case of every rule beside an honest look-alike.
func sample() memSource {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 9, 0, 0, 0, china) }
	m := memSource{patients: []graph.Patient{
		{ID: "PT1", Sex: "M", BirthDate: time.Date(1970, 5, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "PT2", Sex: "F", BirthDate: time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: "PT3", Sex: "F", BirthDate: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)},
	}}
	claim := func(id, patient, provider string, d int) {
		pt := graph.TypeInstitution
		if strings.HasPrefix(provider, "P") {
			pt = graph.TypePharmacy
		}
		m.claims = append(m.claims, graph.Claim{ID: id, PatientID: patient, ProviderID: provider, ProviderType: pt, Type: graph.ClaimOutpatient, Start: day(d)})
	}
	line := func(claimID, code string, qty float64, unitYuan float64) {
		seq := 1
		for _, it := range m.items {
			if it.ClaimID == claimID {
				seq++
			}
		}
		u := graph.FromYuan(unitYuan)
		m.items = append(m.items, graph.ClaimItem{ClaimID: claimID, Seq: seq, ItemCode: code, Quantity: qty, UnitPrice: u, Amount: graph.Money(float64(u) * qty)})
	}
	claim("C01", "PT1", "H1", 3)
	line("C01", "250101", 1, 30) // price: 5 over the limit
	line("C01", "311201", 1, 90) // honest: PSA for a man
	claim("C02", "PT2", "H1", 3)
	line("C02", "311201", 1, 90)  // sex: PSA for a woman, 90 at stake
	line("C02", "311301", 1, 120) // honest: cervical test for a woman
	claim("C03", "PT1", "H1", 4)
	line("C03", "PED1", 1, 50) // age: paediatric massage at 54
	claim("C04", "PT3", "H2", 4)
	line("C04", "PED1", 1, 50) // honest: a child
	claim("C05", "PT1", "P9", 5)
	line("C05", "XB01", 5, 20) // per claim: 2 boxes over 3, 40 at stake
	claim("C06", "PT2", "P9", 5)
	line("C06", "XB01", 3, 20) // honest: exactly the limit
	claim("C07", "PT2", "H1", 6)
	line("C07", "250199", 1, 40)
	line("C07", "250102", 1, 8) // bundle: included in the panel, 8 at stake
	claim("C08", "PT3", "H2", 6)
	line("C08", "250101", 1, 25)
	claim("C09", "PT3", "H2", 6)
	line("C09", "250101", 1, 25) // per day: the second blood count the same day, 25 at stake
	claim("C10", "PT1", "H1", 7)
	line("C10", "250101", 1, 25)
	line("C10", "250199", 1, 40) // pair: never together, the lower 25 at stake
	claim("C11", "PT1", "H1", 8)
	line("C11", "C001", 1, 9000) // high value: listed, nothing at stake
	claim("C12", "PT2", "H1", 9)
	line("C12", "250101", 1, 25) // honest: one blood count, at the limit price
	line("C12", "UNLISTED", 1, 999)
	return m
}

func TestAuditFindsEveryRuleAndSparesTheLookAlikes(t *testing.T) {
	rs, err := Load("testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Audit(context.Background(), sample(), rs)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		rule, item, claim string
		stake             float64
		ruleLine          int
	}
	wants := []want{
		{RulePrice, "250101", "C01", 5, 2},
		{RuleSex, "311201", "C02", 90, 5},
		{RuleAge, "PED1", "C03", 50, 9},
		{RuleQtyPerClaim, "XB01", "C05", 40, 7},
		{RuleBundle, "250102", "C07", 8, 4},
		{RuleQtyPerDay, "250101", "C08", 25, 2},
		{RulePair, "250101", "C10", 25, 2},
		{RuleHighValue, "C001", "C11", 0, 8},
	}
	if len(res.Hits) != len(wants) {
		for _, h := range res.Hits {
			t.Logf("hit %+v", h)
		}
		t.Fatalf("%d hits, want %d", len(res.Hits), len(wants))
	}
	for _, w := range wants {
		found := false
		for _, h := range res.Hits {
			if h.Rule == w.rule && h.Item == w.item && h.Lines[0].Claim == w.claim {
				found = true
				if h.AtStake != graph.FromYuan(w.stake) || h.RuleLine != w.ruleLine || h.RuleName == "" {
					t.Errorf("%s: at stake %s (want %g), rule line %d (want %d), name %q", w.rule, h.AtStake, w.stake, h.RuleLine, w.ruleLine, h.RuleName)
				}
			}
		}
		if !found {
			t.Errorf("no %s hit on %s in %s", w.rule, w.item, w.claim)
		}
	}
	if res.Lines != 17 || res.RulesVersion == "" {
		t.Errorf("lines %d, version %q", res.Lines, res.RulesVersion)
	}
	// Leads: one per provider and rule with money at stake (the high-value listing makes none).
	if len(res.Leads) != 7 {
		t.Fatalf("%d leads: %+v", len(res.Leads), res.Leads)
	}
	top := res.Leads[0]
	if top.Kind != Kind || top.Class != graph.ClassLead || top.Amount != graph.FromYuan(90) || top.Members[0] != (graph.Ref{Type: graph.TypeInstitution, ID: "H1"}) ||
		!strings.Contains(top.Reasons[0].Text, "catalogue.csv 第 [5] 行") {
		t.Fatalf("top lead %+v", top)
	}
	for _, l := range res.Leads {
		if l.Reasons[0].Code == "billing_"+RuleQtyPerClaim && l.Members[0].Type != graph.TypePharmacy {
			t.Errorf("pharmacy lead %+v", l)
		}
	}
}

func TestParseRefusesBadTables(t *testing.T) {
	for _, tc := range []struct{ catalogue, pairs, want string }{
		{"item_name\nx\n", "", "column item_code is required"},
		{"item_code,colour\nA,red\n", "", `unknown column "colour"`},
		{"item_code,max_unit_price\nA,-3\n", "", "catalogue.csv line 2: max_unit_price"},
		{"item_code,sex\nA,X\n", "", "line 2: sex"},
		{"item_code\nA\nA\n", "", "line 3: item_code: item A listed twice"},
		{"item_code,min_age,max_age\nA,20,10\n", "", "max_age: is below min_age"},
		{"item_code,high_value\nA,maybe\n", "", "high_value"},
		{"item_code\nA\n", "item_a,item_b\nA,A\n", "pairs.csv line 2: item_b: equals item_a"},
		{"item_code\n\n", "", ""},
	} {
		_, err := Parse([]byte(tc.catalogue), []byte(tc.pairs))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.catalogue, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q / %q: error %v, want %q", tc.catalogue, tc.pairs, err, tc.want)
		}
	}
	// Chinese headers and a BOM are read as their English names.
	rs, err := Parse([]byte("\ufeff项目编码,最高限价,限定性别\nA,10,男\n"), nil)
	if err != nil || rs.Items["A"].MaxUnitPrice != graph.FromYuan(10) || rs.Items["A"].Sex != "M" {
		t.Fatalf("chinese header: %v %+v", err, rs.Items)
	}
}

// A stay's line bills a daily item for every day of the stay at once: three blood counts on
// the settlement of a three-day stay are one a day, within a daily limit of one; five are not.
func TestStayLinesCountPerDayOfTheStay(t *testing.T) {
	rs, err := Load("testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	stay := func(qty float64) []Hit {
		in := time.Date(2025, 4, 1, 10, 0, 0, 0, china)
		m := memSource{
			patients: []graph.Patient{{ID: "PT1", Sex: "M", BirthDate: time.Date(1970, 5, 1, 0, 0, 0, 0, time.UTC)}},
			claims: []graph.Claim{{ID: "S1", PatientID: "PT1", ProviderID: "H1", ProviderType: graph.TypeInstitution, Type: graph.ClaimInpatient,
				Start: in, End: in.AddDate(0, 0, 2)}},
			items: []graph.ClaimItem{{ClaimID: "S1", Seq: 1, ItemCode: "250101", Quantity: qty, UnitPrice: graph.FromYuan(25), Amount: graph.Money(float64(graph.FromYuan(25)) * qty)}},
		}
		res, err := Audit(context.Background(), m, rs)
		if err != nil {
			t.Fatal(err)
		}
		return res.Hits
	}
	if hits := stay(3); len(hits) != 0 {
		t.Errorf("three blood counts over a three-day stay flagged: %+v", hits)
	}
	hits := stay(5)
	if len(hits) != 1 || hits[0].Rule != RuleQtyPerDay {
		t.Fatalf("five blood counts over a three-day stay: hits %+v, want one daily-quantity hit", hits)
	}
	if hits[0].AtStake <= 0 {
		t.Errorf("nothing at stake: %+v", hits[0])
	}
}
