package finding

import (
	"math"
	"testing"
)

func TestPoissonSurprise(t *testing.T) {
	// P(X ≥ 1 | μ=1) = 1 − e⁻¹ = 0.6321; P(X ≥ 3 | μ=0.5) = 0.01439 (tables).
	if got := PoissonSurprise(1, 1); math.Abs(got-(-math.Log10(1-math.Exp(-1)))) > 1e-9 {
		t.Errorf("surprise(1,1) = %v", got)
	}
	if got := PoissonSurprise(3, 0.5); math.Abs(got-(-math.Log10(0.0143877))) > 1e-4 {
		t.Errorf("surprise(3,0.5) = %v", got)
	}
	if got := PoissonSurprise(40, 0.01); got < 100 || math.IsInf(got, 0) {
		t.Errorf("surprise(40,0.01) = %v, want large and finite", got)
	}
}
