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

// PeeledRates holds, for units with event counts and exposures (claims, stays), the rate each
// unit is judged against when asking whether it has more events than its exposure gives: the
// pooled rate of the *other* units, without the units that are themselves improbable at the rate
// of the rest. Outliers are peeled until none is left (at most 20 passes), so that where several
// units stand out the milder ones are not hidden by the blatant ones in the rate.
type PeeledRates struct {
	counts, exposures       []float64
	restCount, restExposure float64
	outlier                 []bool
	floor                   float64
}

// PeelRates peels the outliers of counts/exposures; improbable(i, rate) reports whether unit i
// is improbable at rate. No rate falls below floor.
func PeelRates(counts, exposures []float64, floor float64, improbable func(i int, rate float64) bool) *PeeledRates {
	p := &PeeledRates{counts: counts, exposures: exposures, outlier: make([]bool, len(counts)), floor: floor}
	p.total()
	for range 20 {
		grew := false
		for i := range counts {
			if !p.outlier[i] && counts[i] > 0 && improbable(i, p.Rate(i)) {
				p.outlier[i], grew = true, true
			}
		}
		if !grew {
			break
		}
		p.total()
	}
	return p
}

func (p *PeeledRates) total() {
	p.restCount, p.restExposure = 0, 0
	for i := range p.counts {
		if !p.outlier[i] {
			p.restCount += p.counts[i]
			p.restExposure += p.exposures[i]
		}
	}
}

// Rate is the rate unit i is judged against: that of the units that are neither outliers nor i.
func (p *PeeledRates) Rate(i int) float64 {
	c, e := p.restCount, p.restExposure
	if !p.outlier[i] {
		c -= p.counts[i]
		e -= p.exposures[i]
	}
	if e <= 0 {
		return p.floor
	}
	return math.Max(c/e, p.floor)
}
