package finding

import "math"

// logFactorials holds log k! for small k, so that the tails below need no log-gamma call for the
// counts detection meets (days, sessions, members).
var logFactorials = func() []float64 {
	t := make([]float64, 4096)
	for k := range t {
		t[k], _ = math.Lgamma(float64(k + 1))
	}
	return t
}()

// LogFactorial returns log k! (natural logarithm) for k ≥ 0.
func LogFactorial(k int) float64 {
	if k < len(logFactorials) {
		return logFactorials[k]
	}
	lg, _ := math.Lgamma(float64(k + 1))
	return lg
}

// PoissonSurprise returns −log10 P(X ≥ c) for X ~ Poisson(mu), computed in log space so that
// tiny tails (1e-40) stay finite; 300 stands for "impossible under the null" (mu = 0, c > 0).
// The terms of the sum are taken relative to its largest one and stepped by their ratio
// (μ/(k+1) up, k/μ down), so that one logarithm and one exponential serve the whole sum.
func PoissonSurprise(c int, mu float64) float64 {
	if c <= 0 {
		return 0
	}
	if mu <= 0 {
		return 300
	}
	lmu := math.Log(mu)
	logTerm := func(k int) float64 { return -mu + float64(k)*lmu - LogFactorial(k) }
	if float64(c) <= mu {
		// The tail is at least about one half; sum the head P(X < c) instead for accuracy. Its
		// terms grow with k up to c−1 < μ, so they are summed downwards from the largest.
		top := logTerm(c - 1)
		sum, t := 0.0, 1.0
		for k := c - 1; k >= 0; k-- {
			sum += t
			t *= float64(k) / mu
			if t < 1e-17*sum {
				break
			}
		}
		tail := 1 - math.Exp(top)*sum
		if tail <= 0 {
			return 0
		}
		return -math.Log10(tail)
	}
	// c > μ: the terms fall from k = c on.
	m := logTerm(c)
	sum, t := 0.0, 1.0
	for k := c; k < c+400; k++ {
		sum += t
		t *= mu / float64(k+1)
		if t < 1e-12*sum {
			break
		}
	}
	return math.Min(300, -(m+math.Log(sum))/math.Ln10)
}
