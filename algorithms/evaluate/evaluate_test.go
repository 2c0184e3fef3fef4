package evaluate

import (
	"math"
	"testing"

	"github.com/ringtrace/ringtrace/graph"
)

func pats(ids ...string) []graph.Ref {
	var r []graph.Ref
	for _, id := range ids {
		r = append(r, graph.Ref{Type: graph.TypePatient, ID: id})
	}
	return r
}

func TestEvaluate(t *testing.T) {
	truth := graph.Truth{
		Patients: 10,
		Rings: []graph.TruthRing{
			{ID: "t1", Kind: graph.KindCollusionRing, Members: pats("a", "b", "c", "d")},
			{ID: "t2", Kind: graph.KindCardLending, Members: pats("e")},
		},
		Lookalikes: []graph.TruthRing{{ID: "h1", Kind: "household", Members: pats("x", "y")}},
		Fraudulent: append(pats("a", "b", "c", "d", "e"), graph.Ref{Type: graph.TypeInstitution, ID: "H1"}),
	}
	f := graph.Findings{
		Rings: []graph.Ring{
			{ID: "r1", Kind: graph.KindCollusionRing, Score: 0.9, Members: pats("a", "b", "c")}, // J = 3/4
			{ID: "r2", Kind: graph.KindCollusionRing, Score: 0.8, Members: pats("x", "y")},      // look-alike
			{ID: "r3", Kind: graph.KindCardLending, Score: 0.7, Members: pats("e", "f", "g")},   // J = 1/3
		},
		Entities: []graph.EntityRisk{
			{Type: graph.TypeInstitution, ID: "H1", Score: 0.9},
			{Type: graph.TypeInstitution, ID: "H2", Score: 0.1},
			{Type: graph.TypePharmacy, ID: "P1", Score: 0.95},
			{Type: graph.TypePatient, ID: "a", Score: 0.8},
			{Type: graph.TypePatient, ID: "x", Score: 0.9},
		},
	}
	rep := Evaluate(truth, f, 2)
	// The one-card truth group t2 is a lead: rings are scored against t1 only.
	if rep.Rings.Reported != 3 || rep.Rings.Matched != 1 || rep.Rings.Found != 1 || rep.Rings.Planted != 1 {
		t.Errorf("counts = %+v", rep.Rings)
	}
	if math.Abs(rep.Rings.Precision-1.0/3) > 1e-9 || rep.Rings.Recall != 1 {
		t.Errorf("precision/recall = %v/%v", rep.Rings.Precision, rep.Rings.Recall)
	}
	if rep.Leads.Planted != 1 || rep.Leads.Found != 0 || rep.Leads.Reported != 0 {
		t.Errorf("leads = %+v", rep.Leads)
	}
	if rep.PrecisionAtK != 0.5 {
		t.Errorf("precision@2 = %v", rep.PrecisionAtK)
	}
	if rep.LookalikesTop20 != 1 {
		t.Errorf("look-alikes in top 20 = %d", rep.LookalikesTop20)
	}
	if got := rep.PerKind[graph.KindCardLending]; got.Planted != 0 || got.Reported != 1 || got.Matched != 0 {
		t.Errorf("card lending rings = %+v", got)
	}
	if got := rep.LeadPerKind[graph.KindCardLending]; got.Planted != 1 || got.Found != 0 {
		t.Errorf("card lending leads = %+v", got)
	}
	if len(rep.Missed) != 1 || rep.Missed[0] != "t2" {
		t.Errorf("missed = %v", rep.Missed)
	}
	// Providers: H1 (fraud, 0.9) vs H2 (0.1) and P1 (0.95): beats one of two → 0.5.
	if rep.AUC["provider"] != 0.5 {
		t.Errorf("provider AUC = %v", rep.AUC["provider"])
	}
	// Patients: positives a 0.8, b/c/d/e 0; negatives x 0.9 and 4 implicit zeros (10 − 6 listed).
	// a beats 4 zeros; b,c,d,e tie 4 zeros each: (4 + 4·2)/(5·5) = 12/25.
	if math.Abs(rep.AUC["patient"]-12.0/25) > 1e-9 {
		t.Errorf("patient AUC = %v, want 0.48", rep.AUC["patient"])
	}
}

func TestRocAUC(t *testing.T) {
	cases := []struct {
		name   string
		scores []float64
		labels []bool
		extra  int
		want   float64
	}{
		{"perfect", []float64{0.9, 0.8, 0.1}, []bool{true, true, false}, 0, 1},
		{"inverted", []float64{0.1, 0.9}, []bool{true, false}, 0, 0},
		{"ties", []float64{0.5, 0.5}, []bool{true, false}, 0, 0.5},
		{"implicit zeros", []float64{0.5}, []bool{true}, 3, 1},
		{"no negatives", []float64{0.5}, []bool{true}, 0, math.NaN()},
	}
	for _, c := range cases {
		got := RocAUC(c.scores, c.labels, c.extra)
		if !(got == c.want || (math.IsNaN(got) && math.IsNaN(c.want))) {
			t.Errorf("%s: AUC = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPatternsAndLeadsAsRings(t *testing.T) {
	truth := graph.Truth{
		Rings: []graph.TruthRing{
			{ID: "a1", Kind: graph.KindCollusionRing, Pattern: "rotating_attendance", Members: pats("a", "b", "c")},
			{ID: "a2", Kind: graph.KindCollusionRing, Pattern: "rotating_attendance", Members: pats("d", "e", "f")},
			{ID: "b1", Kind: graph.KindCollusionRing, Pattern: "classic_ring", Members: pats("g", "h", "i")},
		},
		Leads:      []graph.TruthRing{{ID: "l1", Kind: graph.KindDeceasedClaims, Pattern: "deceased_card", Members: pats("z")}},
		Lookalikes: []graph.TruthRing{{ID: "h1", Kind: "dialysis_shift", Pattern: "dialysis_shift", Members: pats("x", "y", "w")}},
	}
	f := graph.Findings{Version: "2",
		Rings: []graph.Ring{
			{ID: "r1", Class: graph.ClassRing, Kind: graph.KindCollusionRing, Score: 0.9, Members: pats("a", "b", "c")},
			{ID: "r2", Class: graph.ClassRing, Kind: graph.KindCollusionRing, Score: 0.8, Members: pats("g", "h", "i")},
			{ID: "r3", Class: graph.ClassRing, Kind: graph.KindCollusionRing, Score: 0.7, Members: pats("x", "y")},
			{ID: "r4", Class: graph.ClassRing, Kind: graph.KindCardLending, Score: 0.6, Members: pats("z", "q")},
		},
	}
	rep := Evaluate(truth, f, 20)
	if got := rep.PerPattern["rotating_attendance"]; got.Planted != 2 || got.Found != 1 || got.Recall != 0.5 {
		t.Errorf("rotating_attendance = %+v", got)
	}
	if rep.WorstPattern != "deceased_card" {
		t.Errorf("worst pattern = %q, want deceased_card (recall 0)", rep.WorstPattern)
	}
	if rep.LeadsAsRings != 1 {
		t.Errorf("leads as rings = %d, want 1 (r4 is the dead card z and a stranger)", rep.LeadsAsRings)
	}
	if got := rep.PerPattern["dialysis_shift"]; got.Matched != 1 || rep.LookalikesTop20 != 1 {
		t.Errorf("dialysis look-alike = %+v, top 20 %d", got, rep.LookalikesTop20)
	}
}

func TestLabelled(t *testing.T) {
	inst := func(id string) graph.Ref { return graph.Ref{Type: graph.TypeInstitution, ID: id} }
	phar := func(id string) graph.Ref { return graph.Ref{Type: graph.TypePharmacy, ID: id} }
	labels := map[graph.Ref]bool{
		inst("A"): true, phar("A"): true,
		inst("B"): false, phar("B"): false,
		inst("C"): true, phar("C"): true,
		inst("D"): false, phar("D"): false,
	}
	f := graph.Findings{Entities: []graph.EntityRisk{
		{Type: graph.TypeInstitution, ID: "A", Score: 0.9},
		{Type: graph.TypePharmacy, ID: "C", Score: 0.2}, // C is a pharmacy: looked up under both types
		{Type: graph.TypeInstitution, ID: "B", Score: 0.5},
		{Type: graph.TypePatient, ID: "C", Score: 1}, // a patient with the same id is not a provider
		// D is absent: scores 0
	}}
	rep := Labelled(labels, f, map[string]map[string]float64{"claims": {"A": 1, "B": 2, "C": 3, "D": 4}})
	if rep.Labelled != 4 || rep.Positives != 2 || rep.Scored != 3 {
		t.Fatalf("counts: %+v", rep)
	}
	// Positives A (0.9), C (0.2); negatives B (0.5), D (0): pairs A>B, A>D, C<B, C>D → 3/4.
	if rep.AUC != 0.75 {
		t.Errorf("AUC = %v, want 0.75", rep.AUC)
	}
	// Claims baseline: A=1 beats neither B=2 nor D=4; C=3 beats B only → 1/4.
	if rep.Baselines["claims"] != 0.25 {
		t.Errorf("claims baseline AUC = %v, want 0.25", rep.Baselines["claims"])
	}
}
