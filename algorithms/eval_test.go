package algorithms

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
	if rep.Rings.Reported != 3 || rep.Rings.Matched != 1 || rep.Rings.Found != 1 || rep.Rings.Planted != 2 {
		t.Errorf("counts = %+v", rep.Rings)
	}
	if math.Abs(rep.Rings.Precision-1.0/3) > 1e-9 || rep.Rings.Recall != 0.5 {
		t.Errorf("precision/recall = %v/%v", rep.Rings.Precision, rep.Rings.Recall)
	}
	if rep.PrecisionAtK != 0.5 {
		t.Errorf("precision@2 = %v", rep.PrecisionAtK)
	}
	if rep.LookalikesTop20 != 1 {
		t.Errorf("look-alikes in top 20 = %d", rep.LookalikesTop20)
	}
	if got := rep.PerKind[graph.KindCardLending]; got.Planted != 1 || got.Found != 0 || got.Reported != 1 {
		t.Errorf("card lending = %+v", got)
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
		got := rocAUC(c.scores, c.labels, c.extra)
		if !(got == c.want || (math.IsNaN(got) && math.IsNaN(c.want))) {
			t.Errorf("%s: AUC = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPoissonSurprise(t *testing.T) {
	// P(X ≥ 1 | μ=1) = 1 − e⁻¹ = 0.6321; P(X ≥ 3 | μ=0.5) = 0.01439 (tables).
	if got := poissonSurprise(1, 1); math.Abs(got-(-math.Log10(1-math.Exp(-1)))) > 1e-9 {
		t.Errorf("surprise(1,1) = %v", got)
	}
	if got := poissonSurprise(3, 0.5); math.Abs(got-(-math.Log10(0.0143877))) > 1e-4 {
		t.Errorf("surprise(3,0.5) = %v", got)
	}
	if got := poissonSurprise(40, 0.01); got < 100 || math.IsInf(got, 0) {
		t.Errorf("surprise(40,0.01) = %v, want large and finite", got)
	}
}
