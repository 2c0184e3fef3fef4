package finding

import "math"

// PoissonSurprise returns −log10 P(X ≥ c) for X ~ Poisson(mu), computed in log space so that
// tiny tails (1e-40) stay finite; 300 stands for "impossible under the null" (mu = 0, c > 0).
func PoissonSurprise(c int, mu float64) float64 {
	if c <= 0 {
		return 0
	}
	if mu <= 0 {
		return 300
	}
	lmu := math.Log(mu)
	logTerm := func(k int) float64 {
		lg, _ := math.Lgamma(float64(k + 1))
		return -mu + float64(k)*lmu - lg
	}
	if float64(c) <= mu {
		// The tail is at least about one half; sum the head instead for accuracy.
		head := 0.0
		for k := 0; k < c; k++ {
			head += math.Exp(logTerm(k))
		}
		t := 1 - head
		if t <= 0 {
			return 0
		}
		return -math.Log10(t)
	}
	m := logTerm(c)
	sum := 0.0
	for k := c; k < c+400; k++ {
		t := math.Exp(logTerm(k) - m)
		sum += t
		if t < 1e-12*sum {
			break
		}
	}
	return math.Min(300, -(m+math.Log(sum))/math.Ln10)
}
