package centrality

import (
	"context"
	"math/rand/v2"

	"github.com/ringtrace/ringtrace/algorithms/csr"
)

// ExactBetweenness returns the betweenness of every node of g,
//
//	C_B(v) = Σ_{s≠v≠t} σ_st(v)/σ_st,
//
// over ordered pairs (s, t), on hop distance: edge weights and self-loops are ignored. This is
// gonum's network.Betweenness convention; for an undirected graph it is twice the value counted
// over unordered pairs (networkx's betweenness_centrality with normalized=False). It is
// O(n·m) — use Betweenness on large graphs.
func ExactBetweenness(g *csr.Graph) []float64 {
	n := g.NumNodes()
	cb := make([]float64, n)
	b := newBrandes(n)
	for s := range int32(n) {
		b.accumulate(g, s, cb)
	}
	return cb
}

// Betweenness returns an estimate of ExactBetweenness from samples source pivots drawn uniformly
// without replacement with a PCG generator seeded by seed: the dependencies of the pivots summed
// and scaled by n/samples, which is unbiased (Brandes and Pich 2007). The standard error falls
// as 1/√samples; docs/bench/community.md states the error measured against the exact values.
// When samples ≤ 0 or samples ≥ n every node is a source and the result is exact. When ctx is
// cancelled it stops within one source and returns nil; callers tell that apart from an empty
// graph (a non-nil empty slice) by ctx.Err(). The signature has no error result because it is
// the one agreed with the detectors, and cancellation is the only way it can fail.
func Betweenness(ctx context.Context, g *csr.Graph, samples int, seed uint64) []float64 {
	n := g.NumNodes()
	cb := make([]float64, n)
	b := newBrandes(n)
	if samples <= 0 || samples >= n {
		for s := range int32(n) {
			if s&255 == 0 {
				if ctx.Err() != nil {
					return nil
				}
			}
			b.accumulate(g, s, cb)
		}
		return cb
	}
	// Partial Fisher–Yates shuffle: the first samples entries are a uniform sample without
	// replacement, in an order fixed by the seed.
	rng := rand.New(rand.NewPCG(seed, 0x6265747765656e)) // "between"
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for i := range samples {
		j := i + rng.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	for _, s := range perm[:samples] {
		if ctx.Err() != nil {
			return nil
		}
		b.accumulate(g, s, cb)
	}
	scale := float64(n) / float64(samples)
	for i := range cb {
		cb[i] *= scale
	}
	return cb
}

// brandes holds the per-source arrays of Brandes' algorithm, allocated once per call.
type brandes struct {
	dist  []int32
	sigma []float64
	delta []float64
	order []int32 // nodes in BFS order: reversed, non-increasing distance from the source
}

func newBrandes(n int) *brandes {
	b := &brandes{dist: make([]int32, n), sigma: make([]float64, n), delta: make([]float64, n), order: make([]int32, 0, n)}
	for i := range b.dist {
		b.dist[i] = -1
	}
	return b
}

// accumulate adds the dependencies δ_s(v) of source s to cb. Predecessors are not stored:
// walking back in BFS order, the predecessors of w are exactly its neighbours one hop closer to
// s, so the CSR row is enough and no per-node lists are allocated.
func (b *brandes) accumulate(g *csr.Graph, s int32, cb []float64) {
	dist, sigma, delta := b.dist, b.sigma, b.delta
	order := append(b.order[:0], s)
	dist[s], sigma[s] = 0, 1
	for head := 0; head < len(order); head++ {
		v := order[head]
		dv := dist[v]
		nb, _ := g.Neighbors(v)
		for _, w := range nb {
			if dist[w] < 0 {
				dist[w] = dv + 1
				order = append(order, w)
			}
			if dist[w] == dv+1 {
				sigma[w] += sigma[v]
			}
		}
	}
	for i := len(order) - 1; i > 0; i-- {
		w := order[i]
		dw := dist[w]
		coef := (1 + delta[w]) / sigma[w]
		nb, _ := g.Neighbors(w)
		for _, v := range nb {
			if dist[v] == dw-1 {
				delta[v] += sigma[v] * coef
			}
		}
		cb[w] += delta[w]
	}
	// Reset only what this source touched, so a source in a small component costs little.
	for _, v := range order {
		dist[v], sigma[v], delta[v] = -1, 0, 0
	}
	b.order = order
}
