package providers

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"
)

// Model is an L2-regularised logistic regression over standardised features.
type Model struct {
	Names   []string  `json:"features"`
	Mean    []float64 `json:"mean"`
	Scale   []float64 `json:"scale"`
	Weights []float64 `json:"weights"`
	Bias    float64   `json:"bias"`
	Lambda  float64   `json:"lambda"`
}

// Train fits the model on rows X with labels y. lambda is the L2 penalty on the standardised
// weights (the bias is not penalised).
func Train(names []string, X [][]float64, y []bool, lambda float64) (Model, error) {
	n := len(X)
	if n == 0 || len(y) != n {
		return Model{}, fmt.Errorf("train: %d rows, %d labels", n, len(y))
	}
	pos := 0
	for _, l := range y {
		if l {
			pos++
		}
	}
	if pos == 0 || pos == n {
		return Model{}, fmt.Errorf("train: labels need both classes (%d of %d positive)", pos, n)
	}
	k := len(X[0])
	m := Model{Names: names, Mean: make([]float64, k), Scale: make([]float64, k), Weights: make([]float64, k), Lambda: lambda}
	for j := 0; j < k; j++ {
		var s, s2 float64
		for _, r := range X {
			s += r[j]
			s2 += r[j] * r[j]
		}
		mu := s / float64(n)
		m.Mean[j] = mu
		m.Scale[j] = math.Sqrt(math.Max(s2/float64(n)-mu*mu, 0))
		if m.Scale[j] < 1e-9 {
			m.Scale[j] = 1
		}
	}
	Z := make([][]float64, n)
	for i, r := range X {
		Z[i] = m.standardise(r)
	}
	prob := optimize.Problem{
		Func: func(w []float64) float64 {
			var loss float64
			for i, z := range Z {
				t := w[k]
				for j := 0; j < k; j++ {
					t += w[j] * z[j]
				}
				// log(1 + e^t) − y·t, computed stably.
				loss += softplus(t)
				if y[i] {
					loss -= t
				}
			}
			var reg float64
			for j := 0; j < k; j++ {
				reg += w[j] * w[j]
			}
			return loss/float64(n) + lambda/2*reg
		},
		Grad: func(g, w []float64) {
			clear(g)
			for i, z := range Z {
				t := w[k]
				for j := 0; j < k; j++ {
					t += w[j] * z[j]
				}
				e := sigmoid(t)
				if y[i] {
					e--
				}
				for j := 0; j < k; j++ {
					g[j] += e * z[j]
				}
				g[k] += e
			}
			for j := 0; j <= k; j++ {
				g[j] /= float64(n)
			}
			for j := 0; j < k; j++ {
				g[j] += lambda * w[j]
			}
		},
	}
	res, err := optimize.Minimize(prob, make([]float64, k+1), &optimize.Settings{GradientThreshold: 1e-8}, &optimize.LBFGS{})
	if err != nil && res == nil {
		return Model{}, fmt.Errorf("train: %w", err)
	}
	copy(m.Weights, res.X[:k])
	m.Bias = res.X[k]
	return m, nil
}

func (m Model) standardise(r []float64) []float64 {
	z := make([]float64, len(r))
	for j, x := range r {
		z[j] = (x - m.Mean[j]) / m.Scale[j]
	}
	return z
}

// Predict returns the modelled probability that the provider with features r is fraudulent.
func (m Model) Predict(r []float64) float64 {
	t := m.Bias
	for j, z := range m.standardise(r) {
		t += m.Weights[j] * z
	}
	return sigmoid(t)
}

func sigmoid(t float64) float64 { return 1 / (1 + math.Exp(-t)) }

func softplus(t float64) float64 {
	if t > 30 {
		return t
	}
	return math.Log1p(math.Exp(t))
}

// CrossValidate returns the ROC AUC of out-of-fold predictions with k stratified folds
// (assigned by a fixed order of the rows so that the result is deterministic).
func CrossValidate(names []string, X [][]float64, y []bool, lambda float64, k int) (float64, error) {
	fold := make([]int, len(X))
	var pos, neg int
	for i, l := range y {
		if l {
			fold[i] = pos % k
			pos++
		} else {
			fold[i] = neg % k
			neg++
		}
	}
	pred := make([]float64, len(X))
	for f := 0; f < k; f++ {
		var tx [][]float64
		var ty []bool
		for i := range X {
			if fold[i] != f {
				tx = append(tx, X[i])
				ty = append(ty, y[i])
			}
		}
		m, err := Train(names, tx, ty, lambda)
		if err != nil {
			return math.NaN(), err
		}
		for i := range X {
			if fold[i] == f {
				pred[i] = m.Predict(X[i])
			}
		}
	}
	return AUC(pred, y), nil
}

// AUC is the Mann–Whitney estimate of the ROC AUC (ties count one half); NaN without both
// classes.
func AUC(scores []float64, labels []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	var nPos, nNeg, sum, negBelow float64
	for _, l := range labels {
		if l {
			nPos++
		} else {
			nNeg++
		}
	}
	if nPos == 0 || nNeg == 0 {
		return math.NaN()
	}
	for lo := 0; lo < len(idx); {
		hi := lo
		var p, q float64
		for hi < len(idx) && scores[idx[hi]] == scores[idx[lo]] {
			if labels[idx[hi]] {
				p++
			} else {
				q++
			}
			hi++
		}
		sum += p * (negBelow + q/2)
		negBelow += q
		lo = hi
	}
	return sum / (nPos * nNeg)
}
