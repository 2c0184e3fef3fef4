package community

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringtrace/ringtrace/algorithms/csr"
)

// Modularity returns Q of the partition community of g at resolution γ (Newman 2006,
// doi:10.1073/pnas.0601602103, with γ of Reichardt and Bornholdt, doi:10.1103/PhysRevE.74.016110):
//
//	Q = 1/2m · Σ_ij [A_ij − γ·k_i·k_j/2m] · δ(c_i, c_j)
//
// where a self-loop of weight w counts as A_ii = 2w, the convention under which the strengths
// k_i sum to 2m (csr.Graph.Strength). For graphs without self-loops this equals gonum's
// community.Q exactly; gonum instead counts a self-loop once, as its reduced graphs store twice
// the internal weight on the diagonal. Community labels are any non-negative int32 values. It
// returns 0 for a graph without edges and panics when community does not have one label per
// node or holds a negative label (programmer errors).
func Modularity(g *csr.Graph, community []int32, resolution float64) float64 {
	n := g.NumNodes()
	if len(community) != n {
		panic(fmt.Sprintf("community: %d labels for %d nodes", len(community), n))
	}
	m2 := 2 * g.TotalWeight()
	if m2 == 0 {
		return 0
	}
	maxLabel := int32(-1)
	for _, c := range community {
		if c < 0 {
			panic(fmt.Sprintf("community: negative label %d", c))
		}
		maxLabel = max(maxLabel, c)
	}
	tot := make([]float64, int(maxLabel)+1)
	var in float64
	for u := range int32(n) {
		cu := community[u]
		tot[cu] += g.Strength(u)
		nb, ws := g.Neighbors(u)
		for j, v := range nb {
			if community[v] == cu {
				in += ws[j]
				if v == u {
					in += ws[j]
				}
			}
		}
	}
	var sq float64
	for _, t := range tot {
		sq += t * t
	}
	return (in - resolution*sq/m2) / m2
}

// NMI returns the normalised mutual information 2·I(a;b)/(H(a)+H(b)) of two partitions of the
// same nodes (Danon, Díaz-Guilera, Duch and Arenas 2005, doi:10.1088/1742-5468/2005/09/P09008),
// 1 for identical partitions up to relabelling and near 0 for independent ones. Two partitions
// that both put every node in one community have NMI 1. It panics when the lengths differ or a
// label is negative.
func NMI(a, b []int32) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("community: NMI of partitions of %d and %d nodes", len(a), len(b)))
	}
	n := float64(len(a))
	if len(a) == 0 {
		return 1
	}
	ca, cb := counts(a), counts(b)
	// Sorted pair keys rather than a map: the sum is then taken in a fixed order and the result
	// is bit-for-bit reproducible.
	keys := make([]uint64, len(a))
	for i := range a {
		keys[i] = uint64(a[i])<<32 | uint64(b[i])
	}
	slices.Sort(keys)
	var mi float64
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		nij := float64(j - i)
		mi += nij / n * math.Log(nij*n/(ca[keys[i]>>32]*cb[uint32(keys[i])]))
		i = j
	}
	ha, hb := entropy(ca, n), entropy(cb, n)
	if ha+hb == 0 {
		return 1
	}
	return 2 * mi / (ha + hb)
}

func counts(p []int32) []float64 {
	var mx int32
	for _, c := range p {
		if c < 0 {
			panic(fmt.Sprintf("community: negative label %d", c))
		}
		mx = max(mx, c)
	}
	cnt := make([]float64, mx+1)
	for _, c := range p {
		cnt[c]++
	}
	return cnt
}

func entropy(cnt []float64, n float64) float64 {
	var h float64
	for _, c := range cnt {
		if c > 0 {
			h -= c / n * math.Log(c/n)
		}
	}
	return h
}
