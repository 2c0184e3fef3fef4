package inspection

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

// providers draws a small province: region 530102 with 7 institutions in two strata and 4
// pharmacies; region 530103 with 3 institutions and one pharmacy.
func providers() []Provider {
	var ps []Provider
	add := func(t graph.EntityType, region, level, own string, n int, risk func(i int) float64) {
		for i := range n {
			prefix := "H"
			if t == graph.TypePharmacy {
				prefix = "P"
			}
			ps = append(ps, Provider{Type: t, ID: fmt.Sprintf("%s%s%s%02d", prefix, region, level, i), Region: region, Level: level, Ownership: own, Risk: risk(i)})
		}
	}
	none := func(int) float64 { return 0 }
	add(graph.TypeInstitution, "530102", "一级", "private", 4, func(i int) float64 { return []float64{0.9, 0, 0, 0.2}[i] })
	add(graph.TypeInstitution, "530102", "三级", "public", 3, none)
	add(graph.TypePharmacy, "530102", "", "", 4, func(i int) float64 { return []float64{0, 0.7, 0, 0}[i] })
	add(graph.TypeInstitution, "530103", "二级", "public", 3, none)
	add(graph.TypePharmacy, "530103", "", "", 1, none)
	return ps
}

func TestDrawCoversTheMinimumShares(t *testing.T) {
	plan, err := Draw(providers(), Options{Seed: 7, Flying: 2})
	if err != nil {
		t.Fatal(err)
	}
	// ceil(7 × 2/3) = 5, ceil(4 × 1/3) = 2, ceil(3 × 2/3) = 2, ceil(1 × 1/3) = 1.
	want := map[string]int{"530102/institution": 5, "530102/pharmacy": 2, "530103/institution": 2, "530103/pharmacy": 1}
	if len(plan.Coverage) != len(want) {
		t.Fatalf("coverage %+v", plan.Coverage)
	}
	for _, c := range plan.Coverage {
		k := c.Region + "/" + string(c.Type)
		if c.Sampled != want[k] || c.Share < c.Minimum {
			t.Errorf("%s: sampled %d of %d (share %.3f, minimum %.3f), want %d", k, c.Sampled, c.Total, c.Share, c.Minimum, want[k])
		}
	}
	if len(plan.Sample) != 10 {
		t.Fatalf("sample of %d, want 10", len(plan.Sample))
	}
	// Strata of 4 and 3 at 2/3: 2.67 and 2 → floors 2 and 2, the remainder goes to the larger.
	for _, s := range plan.Strata {
		if s.Region == "530102" && s.Type == graph.TypeInstitution {
			if w := map[string]int{"一级": 3, "三级": 2}[s.Level]; s.Sampled != w {
				t.Errorf("stratum %+v: sampled %d, want %d", s, s.Sampled, w)
			}
		}
	}
	// Flying inspections: the two riskiest, whatever the sample drew.
	if len(plan.Flying) != 2 || plan.Flying[0].Risk != 0.9 || plan.Flying[1].Risk != 0.7 {
		t.Fatalf("flying %+v", plan.Flying)
	}
}

func TestDrawIsReproducibleAndRiskWeighted(t *testing.T) {
	a, _ := Draw(providers(), Options{Seed: 42})
	b, _ := Draw(providers(), Options{Seed: 42})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different plans")
	}
	// Over 400 seeds, the risk-0.9 institution is drawn more often than its risk-0 peers of the
	// same stratum (3 of 4 drawn, so a risk-free one is drawn about 3/4 of the time).
	counts := map[string]int{}
	differs := false
	for seed := range uint64(400) {
		p, err := Draw(providers(), Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		differs = differs || !reflect.DeepEqual(p.Sample, a.Sample)
		for _, pr := range p.Sample {
			counts[pr.ID]++
		}
	}
	if !differs {
		t.Fatal("every seed drew the same sample")
	}
	risky, plain := counts["H530102一级00"], counts["H530102一级01"]
	if risky <= plain || risky < 380 {
		t.Fatalf("risk-weighted draw: risky drawn %d times, risk-free %d times of 400", risky, plain)
	}
}

func TestDrawRefusesBadOptions(t *testing.T) {
	for _, tc := range []struct {
		o     Options
		field string
	}{
		{Options{InstitutionShare: 0.5}, "institution_share"},
		{Options{PharmacyShare: 0.2}, "pharmacy_share"},
		{Options{PharmacyShare: 1.5}, "pharmacy_share"},
		{Options{Flying: -1}, "flying"},
		{Options{RiskWeight: -1}, "risk_weight"},
	} {
		_, err := Draw(providers(), tc.o)
		if e, ok := err.(*graph.Error); !ok || e.Field != tc.field {
			t.Errorf("%+v: error %v, want field %s", tc.o, err, tc.field)
		}
	}
	_, err := Draw([]Provider{{Type: graph.TypePatient, ID: "x"}}, Options{})
	if e, ok := err.(*graph.Error); !ok || e.Field != "providers" {
		t.Errorf("patient as provider: %v", err)
	}
	// A higher share than the minimum is allowed: all of them.
	p, err := Draw(providers(), Options{InstitutionShare: 1, PharmacyShare: 1})
	if err != nil || len(p.Sample) != 15 {
		t.Fatalf("full sample: %v %d", err, len(p.Sample))
	}
}

func TestPlanCSV(t *testing.T) {
	p, _ := Draw(providers(), Options{Seed: 1, Flying: 1})
	b, err := p.CSV()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff检查方式,统筹区")) {
		t.Fatalf("header %q", b[:40])
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 1+10+1 || !strings.HasPrefix(lines[len(lines)-1], "飞行检查,530102,定点医疗机构,H530102一级00") {
		t.Fatalf("csv lines %d, last %q", len(lines), lines[len(lines)-1])
	}
}
