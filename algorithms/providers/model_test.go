package providers

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The re-ranker learns an informative feature, ignores a noise feature, and its
// cross-validated AUC reflects the signal; without both classes it refuses to train.
func TestTrainAndCrossValidate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var X [][]float64
	var y []bool
	for i := 0; i < 400; i++ {
		fraud := i%4 == 0
		signal := rng.NormFloat64()
		if fraud {
			signal += 2
		}
		X = append(X, []float64{signal, rng.NormFloat64() * 5})
		y = append(y, fraud)
	}
	names := []string{"signal", "noise"}
	m, err := Train(names, X, y, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if !(m.Weights[0] > 1 && math.Abs(m.Weights[1]) < 0.5*m.Weights[0]) {
		t.Errorf("weights %v: want a large positive weight on the signal and a small one on noise", m.Weights)
	}
	if p, q := m.Predict([]float64{3, 0}), m.Predict([]float64{-1, 0}); !(p > 0.5 && q < 0.2) {
		t.Errorf("Predict: high signal %.3f, low signal %.3f", p, q)
	}
	auc, err := CrossValidate(names, X, y, 0.01, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Two unit-variance normals two apart: the best possible AUC is Φ(2/√2) ≈ 0.92.
	if auc < 0.85 || auc > 0.97 {
		t.Errorf("cross-validated AUC %.3f, want about 0.92", auc)
	}
	if _, err := Train(names, X[:3], []bool{false, false, false}, 0.01); err == nil {
		t.Error("Train with one class: want an error")
	}
}

func TestAUCAndPercentiles(t *testing.T) {
	if a := AUC([]float64{0.9, 0.5, 0.5, 0.1}, []bool{true, true, false, false}); a != 0.875 {
		t.Errorf("AUC with a tie = %v, want 0.875", a)
	}
	if !math.IsNaN(AUC([]float64{1, 2}, []bool{true, true})) {
		t.Error("AUC with one class must be NaN")
	}
	p := Percentiles([]float64{3, math.NaN(), 1, 2, 2})
	if !math.IsNaN(p[1]) || !(p[2] < p[3] && p[3] == p[4] && p[4] < p[0]) || p[0] != 1 {
		t.Errorf("Percentiles = %v", p)
	}
}
