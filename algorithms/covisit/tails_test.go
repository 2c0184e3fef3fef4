package covisit

import (
	"math"
	"testing"
)

func TestPoissonTail(t *testing.T) {
	exact := func(m int, mu float64) float64 { // 1 − Σ_{k<m} e^−μ μ^k / k!
		head, term := 0.0, math.Exp(-mu)
		for k := 0; k < m; k++ {
			head += term
			term *= mu / float64(k+1)
		}
		return 1 - head
	}
	for _, c := range []struct {
		m  int
		mu float64
	}{{1, 1}, {2, 0.5}, {5, 4}, {8, 2}, {12, 1.5}, {30, 3}} {
		got, want := poissonTail(c.m, c.mu), exact(c.m, c.mu)
		if want > 1e-12 && math.Abs(got-want)/want > 1e-6 {
			t.Errorf("poissonTail(%d, %g) = %g, want %g", c.m, c.mu, got, want)
		}
		if want <= 1e-12 && (got <= 0 || got > 1e-10) {
			t.Errorf("poissonTail(%d, %g) = %g, want a tiny positive tail", c.m, c.mu, got)
		}
	}
	if poissonTail(0, 3) != 1 || poissonTail(2, 0) != 0 {
		t.Error("edge cases: P(X ≥ 0) must be 1 and P(X ≥ 2 | μ = 0) must be 0")
	}
	// The tail falls as m grows and rises with μ.
	if !(poissonTail(6, 2) < poissonTail(5, 2) && poissonTail(5, 2) < poissonTail(5, 3)) {
		t.Error("poissonTail is not monotone")
	}
}

func TestBinomialSurprise(t *testing.T) {
	cases := []struct {
		a, k int
		q    float64
		want float64
	}{
		{1, 1, 0.5, math.Log10(2)},     // P = 1/2
		{3, 3, 0.5, 3 * math.Log10(2)}, // P = 1/8
		{1, 2, 0.5, -math.Log10(0.75)}, // P = 3/4
		{2, 4, 0.1, -math.Log10(1 - 0.9*0.9*0.9*0.9 - 4*0.1*0.9*0.9*0.9)},
	}
	for _, c := range cases {
		if got := binomialSurprise(c.a, c.k, c.q); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("binomialSurprise(%d, %d, %g) = %g, want %g", c.a, c.k, c.q, got, c.want)
		}
	}
	if binomialSurprise(0, 5, 0.3) != 0 || binomialSurprise(6, 5, 0.3) != 0 || binomialSurprise(1, 5, 0) != 300 {
		t.Error("edge cases of binomialSurprise")
	}
}

func TestPoissonTailsAgreeWithPoissonTail(t *testing.T) {
	for _, mu := range []float64{0, 1e-7, 0.004, 0.3, 1, 2.2, 9, 40, 499, 650} {
		for _, n := range []int{1, 2, 6, 31} {
			tails := make([]float64, n)
			poissonTails(mu, tails)
			for m, got := range tails {
				want := poissonTail(m, mu)
				if math.Abs(got-want) > 1e-12 && math.Abs(got-want) > 1e-9*want {
					t.Errorf("poissonTails(%g)[%d] = %g, poissonTail = %g", mu, m, got, want)
				}
			}
		}
	}
}
