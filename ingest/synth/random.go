package synth

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Stream numbers: every part of the generator draws from its own PCG stream, seeded with
// Config.Seed and one of these tags (plus an index), so that changing one part (say, the number
// of rings) does not reshuffle the honest population.
const (
	streamWorld      uint64 = 1 << 56
	streamHouseholds uint64 = 2 << 56
	streamPlan       uint64 = 3 << 56
	streamPatient    uint64 = 4 << 56
)

// rng is a PCG-backed random source with the distributions the generator needs.
type rng struct {
	pcg *rand.PCG
	*rand.Rand
}

func newRNG(seed, stream uint64) *rng {
	p := rand.NewPCG(seed, stream)
	return &rng{pcg: p, Rand: rand.New(p)}
}

// reseed restarts the generator on another stream without allocating.
func (r *rng) reseed(seed, stream uint64) { r.pcg.Seed(seed, stream) }

// between returns a uniform integer in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// uniform returns a uniform float in [lo, hi).
func (r *rng) uniform(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// chance returns true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }

// logNormal returns a log-normal value with the given median and shape sigma.
func (r *rng) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.NormFloat64())
}

// poisson returns a Poisson variate (Knuth's method for small means, a rounded normal otherwise).
func (r *rng) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		v := int(math.Round(mean + math.Sqrt(mean)*r.NormFloat64()))
		if v < 0 {
			return 0
		}
		return v
	}
	l := math.Exp(-mean)
	k, p := 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// pick returns a uniform element of s.
func pick[T any](r *rng, s []T) T { return s[r.IntN(len(s))] }

// cumulative is a discrete distribution given by cumulative weights.
type cumulative []float64

// newCumulative builds a distribution from non-negative weights.
func newCumulative(weights []float64) cumulative {
	c := make(cumulative, len(weights))
	sum := 0.0
	for i, w := range weights {
		sum += w
		c[i] = sum
	}
	return c
}

// zipf returns a Zipf-like distribution over n ranks with exponent s (weight 1/rank^s): a few
// hospitals and doctors get most patients, as in real claims.
func zipf(n int, s float64) cumulative {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return newCumulative(w)
}

// draw returns an index with probability proportional to its weight.
func (c cumulative) draw(r *rng) int {
	if len(c) == 0 {
		return -1
	}
	x := r.Float64() * c[len(c)-1]
	i := sort.SearchFloat64s(c, x)
	if i >= len(c) {
		i = len(c) - 1
	}
	for i < len(c)-1 && c[i] <= x { // skip zero-weight entries equal to x
		i++
	}
	return i
}
