package providers

import (
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
)

// indexWeights are the weights of the unsupervised index over robust z-scores: exposure, and a
// quarter of each care-intensity rate fraud inflates. Each rate's z is clipped to ±3 so that one
// odd value cannot carry a provider.
var indexWeights = map[string]float64{
	"log_fund":           1,
	"mean_stay_days":     0.25,
	"claims_per_patient": 0.25,
	"amount_vs_peers":    0.25,
}

// minPeers is the smallest group of same-kind, same-level providers compared with each other;
// smaller groups join the providers of their kind.
const minPeers = 8

// PeerGroups returns the providers with claims grouped by peers: the same kind and level (a
// clinic is compared with clinics, a tertiary hospital with tertiary hospitals), or the same
// kind when the export has no levels or the level group is small.
func PeerGroups(d *dataset.Claims, rows [][]float64) [][]int {
	byLevel := map[[2]int32][]int{}
	for i, r := range rows {
		if r != nil {
			k := [2]int32{int32(d.ProvKind[i]), d.ProvLevel[i]}
			byLevel[k] = append(byLevel[k], i)
		}
	}
	byKind := map[int32][]int{}
	var out [][]int
	keys := make([][2]int32, 0, len(byLevel))
	for k := range byLevel {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int32) int {
		if a[0] != b[0] {
			return int(a[0] - b[0])
		}
		return int(a[1] - b[1])
	})
	for _, k := range keys {
		g := byLevel[k]
		if k[1] >= 0 && len(g) >= minPeers {
			out = append(out, g)
		} else {
			byKind[k[0]] = append(byKind[k[0]], g...)
		}
	}
	for _, kind := range []int32{int32(dataset.Institution), int32(dataset.Pharmacy)} {
		if g := byKind[kind]; len(g) > 0 {
			slices.Sort(g)
			out = append(out, g)
		}
	}
	return out
}

// Index returns the unsupervised risk index of every provider with claims (NaN otherwise),
// computed within its peer group (PeerGroups).
func Index(d *dataset.Claims, rows [][]float64) []float64 {
	out := make([]float64, len(rows))
	for i := range out {
		out[i] = math.NaN()
	}
	for _, group := range PeerGroups(d, rows) {
		for _, i := range group {
			out[i] = 0
		}
		for name, w := range indexWeights {
			col := slices.Index(FeatureNames, name)
			z := robustZ(rows, col, group)
			for _, i := range group {
				x := z[i]
				if name != "log_fund" {
					x = math.Max(-3, math.Min(3, x))
				}
				out[i] += w * x
			}
		}
	}
	return out
}

// Percentiles maps scores to their rank percentile in (0, 1] among the non-NaN scores (ties get
// their mean rank); NaN stays NaN. Indexes of different peer groups are on one scale (robust z
// within the group), so percentiles are taken over all providers.
func Percentiles(s []float64) []float64 {
	idx := make([]int, 0, len(s))
	for i, x := range s {
		if !math.IsNaN(x) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case s[a] < s[b]:
			return -1
		case s[a] > s[b]:
			return 1
		}
		return 0
	})
	out := make([]float64, len(s))
	for i := range out {
		out[i] = math.NaN()
	}
	n := float64(len(idx))
	for lo := 0; lo < len(idx); {
		hi := lo
		for hi < len(idx) && s[idx[hi]] == s[idx[lo]] {
			hi++
		}
		p := (float64(lo+hi+1) / 2) / n
		for k := lo; k < hi; k++ {
			out[idx[k]] = p
		}
		lo = hi
	}
	return out
}
