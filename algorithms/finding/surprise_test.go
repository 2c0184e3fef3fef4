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
	if PoissonSurprise(0, 2) != 0 || PoissonSurprise(3, 0) != 300 {
		t.Error("edge cases: c = 0 is no surprise, c > 0 at μ = 0 is impossible (300)")
	}
}

// surpriseByTerms is the plain computation PoissonSurprise must agree with: every term of the
// sum in log space from the log-gamma function.
func surpriseByTerms(c int, mu float64) float64 {
	term := func(k int) float64 {
		lg, _ := math.Lgamma(float64(k + 1))
		return -mu + float64(k)*math.Log(mu) - lg
	}
	if float64(c) <= mu {
		head := 0.0
		for k := 0; k < c; k++ {
			head += math.Exp(term(k))
		}
		if 1-head <= 0 {
			return 0
		}
		return -math.Log10(1 - head)
	}
	m, sum := term(c), 0.0
	for k := c; k < c+2000; k++ {
		sum += math.Exp(term(k) - m)
	}
	return math.Min(300, -(m+math.Log(sum))/math.Ln10)
}

func TestPoissonSurpriseAgreesWithTermByTermSum(t *testing.T) {
	for _, c := range []int{1, 2, 3, 5, 8, 13, 40, 150, 900, 5000} {
		for _, mu := range []float64{1e-6, 0.003, 0.2, 0.9, 1, 2.5, 7, 12.9, 60, 400, 4900} {
			got, want := PoissonSurprise(c, mu), surpriseByTerms(c, mu)
			if math.Abs(got-want) > 1e-9*math.Max(1, want) {
				t.Errorf("PoissonSurprise(%d, %g) = %.12g, term by term %.12g", c, mu, got, want)
			}
		}
	}
}

func TestLogFactorial(t *testing.T) {
	for _, k := range []int{0, 1, 5, 4095, 4096, 10000} {
		want, _ := math.Lgamma(float64(k + 1))
		if got := LogFactorial(k); got != want {
			t.Errorf("LogFactorial(%d) = %v, want %v", k, got, want)
		}
	}
}

// Three units far above the rest are peeled off one after another; each unit's rate leaves
// itself out, and the floor holds.
func TestPeelRates(t *testing.T) {
	counts := []float64{2, 3, 2, 40, 60, 12, 0}
	exposures := []float64{100, 100, 100, 100, 100, 100, 0}
	p := PeelRates(counts, exposures, 0.001, func(i int, rate float64) bool {
		return PoissonSurprise(int(counts[i]), rate*exposures[i]) >= 3
	})
	for i, want := range []bool{false, false, false, true, true, true, false} {
		if p.outlier[i] != want {
			t.Errorf("unit %d outlier %v, want %v", i, p.outlier[i], want)
		}
	}
	if r := p.Rate(0); math.Abs(r-5.0/200) > 1e-12 { // units 1 and 2: 5 events in 200
		t.Errorf("rate of unit 0 = %v, want %v", r, 5.0/200)
	}
	if r := p.Rate(3); math.Abs(r-7.0/300) > 1e-12 { // an outlier: the three ordinary units
		t.Errorf("rate of unit 3 = %v, want %v", r, 7.0/300)
	}
	if r := PeelRates([]float64{0}, []float64{10}, 0.01, func(int, float64) bool { return false }).Rate(0); r != 0.01 {
		t.Errorf("rate with no other unit = %v, want the floor 0.01", r)
	}
}
