package centrality

import (
	"fmt"
	"math"

	"github.com/ringtrace/ringtrace/algorithms/csr"
)

// maxIterations bounds the power iteration when tol is smaller than rounding error allows; at
// damping 0.85 the error shrinks by 0.85 per step, so 1,000 steps reach any float64 tolerance.
const maxIterations = 1000

// PageRank returns the PageRank of every node of g with damping factor damping (0.85 is usual),
// iterating until the Euclidean norm of the change between iterations is below tol, as gonum's
// network.PageRankSparse does. The walk leaves a node along its edges in proportion to their
// weight (a self-loop is one edge back to the node); a node without edges jumps uniformly. The
// ranks sum to 1. It panics when damping is not in [0, 1) or tol is not positive.
func PageRank(g *csr.Graph, damping, tol float64) []float64 {
	return powerIteration(g, nil, damping, tol)
}

// PersonalizedPageRank returns the stationary distribution of a walk that follows g's edges with
// probability damping and otherwise restarts at a node drawn from restart (weights, normalised
// to sum to 1; nodes not listed never receive a restart). Walkers stuck at a node without edges
// also restart. It is the risk-propagation score: flagged parties are the restart set and their
// neighbours receive rank according to how closely they are tied to them. An empty restart map,
// or one whose weights sum to zero, gives ordinary PageRank. It panics when a restart node is out
// of range or has a negative or non-finite weight, when damping is not in [0, 1), or when tol is
// not positive.
func PersonalizedPageRank(g *csr.Graph, restart map[int32]float64, damping, tol float64) []float64 {
	n := g.NumNodes()
	var sum float64
	for u, w := range restart {
		if u < 0 || int(u) >= n {
			panic(fmt.Sprintf("centrality: restart node %d out of range for %d nodes", u, n))
		}
		if !(w >= 0) || math.IsInf(w, 0) {
			panic(fmt.Sprintf("centrality: restart node %d has invalid weight %v", u, w))
		}
		sum += w
	}
	if sum == 0 {
		return powerIteration(g, nil, damping, tol)
	}
	r := make([]float64, n)
	for u, w := range restart {
		r[u] = w / sum
	}
	return powerIteration(g, r, damping, tol)
}

// powerIteration iterates x ← d·(Wᵀx + dangling·r) + (1−d)·r, with r uniform when nil, pulling
// along each node's own row: the graph is undirected, so the row of v lists exactly the nodes
// that send rank to v.
func powerIteration(g *csr.Graph, r []float64, damping, tol float64) []float64 {
	if !(damping >= 0 && damping < 1) {
		panic(fmt.Sprintf("centrality: damping %v not in [0, 1)", damping))
	}
	if !(tol > 0) {
		panic(fmt.Sprintf("centrality: tolerance %v not positive", tol))
	}
	n := g.NumNodes()
	if n == 0 {
		return []float64{}
	}
	// out[u] is the weight leaving u along its row; a self-loop counts once here, unlike in
	// Strength, because the walk takes it as a single step.
	out := make([]float64, n)
	var dangling []int32
	for u := range int32(n) {
		_, ws := g.Neighbors(u)
		var s float64
		for _, w := range ws {
			s += w
		}
		out[u] = s
		if s == 0 {
			dangling = append(dangling, u)
		}
	}
	x := make([]float64, n)
	next := make([]float64, n)
	share := make([]float64, n) // x[u]/out[u], so the pull loop is a multiply-add per arc
	for i := range x {
		if r != nil {
			x[i] = r[i]
		} else {
			x[i] = 1 / float64(n)
		}
	}
	for range maxIterations {
		var lost float64
		for u := range n {
			if out[u] > 0 {
				share[u] = x[u] / out[u]
			} else {
				share[u] = 0
			}
		}
		for _, u := range dangling {
			lost += x[u]
		}
		// Rank not passed along an edge — the teleport share and what dangling nodes hold —
		// goes to the restart distribution.
		jump := (1 - damping) + damping*lost
		var diff float64
		for v := range int32(n) {
			nb, ws := g.Neighbors(v)
			var s float64
			for j, u := range nb {
				s += share[u] * ws[j]
			}
			var rv float64
			if r != nil {
				rv = r[v]
			} else {
				rv = 1 / float64(n)
			}
			nv := damping*s + jump*rv
			d := nv - x[v]
			diff += d * d
			next[v] = nv
		}
		x, next = next, x
		if math.Sqrt(diff) < tol {
			break
		}
	}
	return x
}
