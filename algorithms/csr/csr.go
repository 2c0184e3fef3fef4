package csr

import (
	"fmt"
	"math"
)

// Builder accumulates the edges of an undirected weighted graph with a fixed number of nodes and
// turns them into a Graph. A Builder is not safe for concurrent use.
type Builder struct {
	n  int
	us []int32
	vs []int32
	ws []float64
}

// NewBuilder returns a Builder for a graph with nodes 0..n-1. It panics if n is negative or does
// not fit in an int32, because node ids are int32 throughout.
func NewBuilder(n int) *Builder {
	if n < 0 || n > math.MaxInt32 {
		panic(fmt.Sprintf("csr: node count %d out of range", n))
	}
	return &Builder{n: n}
}

// Grow reserves room for m more AddEdge calls, so that large graphs are built without repeated
// slice growth.
func (b *Builder) Grow(m int) {
	if m <= 0 {
		return
	}
	b.us = growInt32(b.us, m)
	b.vs = growInt32(b.vs, m)
	if cap(b.ws)-len(b.ws) < m {
		ws := make([]float64, len(b.ws), len(b.ws)+m)
		copy(ws, b.ws)
		b.ws = ws
	}
}

func growInt32(s []int32, m int) []int32 {
	if cap(s)-len(s) >= m {
		return s
	}
	t := make([]int32, len(s), len(s)+m)
	copy(t, s)
	return t
}

// AddEdge adds the undirected edge {u,v} with weight w. Adding the same pair again sums the
// weights; u == v adds a self-loop. It panics when u or v is not a node or w is negative, NaN or
// infinite: those are programmer errors, and modularity is undefined for negative weights.
func (b *Builder) AddEdge(u, v int32, w float64) {
	if u < 0 || int(u) >= b.n || v < 0 || int(v) >= b.n {
		panic(fmt.Sprintf("csr: edge {%d,%d} out of range for %d nodes", u, v, b.n))
	}
	if !(w >= 0) || math.IsInf(w, 0) {
		panic(fmt.Sprintf("csr: edge {%d,%d} has invalid weight %v", u, v, w))
	}
	b.us = append(b.us, u)
	b.vs = append(b.vs, v)
	b.ws = append(b.ws, w)
}

// Build returns the graph of the edges added so far. Rows are sorted by neighbour id and hold
// each neighbour once. The Builder may be reused afterwards; the graph does not share its memory.
//
// Build is O(n + m): two stable counting sorts (by target, then by source) produce sorted rows
// without a comparison sort, and a single pass merges parallel edges.
func (b *Builder) Build() *Graph {
	n := b.n
	// Arc counts: an edge u≠v gives two arcs, a self-loop one.
	cnt := make([]int, n+1)
	arcs := 0
	for i := range b.us {
		u, v := b.us[i], b.vs[i]
		cnt[v+1]++
		arcs++
		if u != v {
			cnt[u+1]++
			arcs++
		}
	}
	for i := 1; i <= n; i++ {
		cnt[i] += cnt[i-1]
	}
	// Pass 1: bucket arcs by target; keep source and weight.
	src := make([]int32, arcs)
	wt := make([]float64, arcs)
	pos := make([]int, n)
	copy(pos, cnt[:n])
	for i := range b.us {
		u, v, w := b.us[i], b.vs[i], b.ws[i]
		p := pos[v]
		src[p], wt[p] = u, w
		pos[v]++
		if u != v {
			p = pos[u]
			src[p], wt[p] = v, w
			pos[u]++
		}
	}
	// The arc count per source equals the count per target (the arc set is symmetric), so the
	// same offsets serve for pass 2.
	off := make([]int, n+1)
	copy(off, cnt)
	nbr := make([]int32, arcs)
	w2 := make([]float64, arcs)
	copy(pos, off[:n])
	for t := 0; t < n; t++ {
		for p := cnt[t]; p < cnt[t+1]; p++ {
			s := src[p]
			q := pos[s]
			nbr[q], w2[q] = int32(t), wt[p]
			pos[s]++
		}
	}
	src, wt = nil, nil
	// Merge parallel arcs in place: rows are sorted, so duplicates are adjacent.
	g := &Graph{off: make([]int, n+1), strength: make([]float64, n)}
	k := 0
	edges := 0
	var total float64
	for u := 0; u < n; u++ {
		start := k
		for p := off[u]; p < off[u+1]; p++ {
			if k > start && nbr[k-1] == nbr[p] {
				w2[k-1] += w2[p]
				continue
			}
			nbr[k], w2[k] = nbr[p], w2[p]
			k++
		}
		g.off[u+1] = k
		var s float64
		for p := start; p < k; p++ {
			v := nbr[p]
			if int(v) == u {
				// A self-loop adds twice its weight to the strength (both ends touch u), so that
				// the strengths sum to 2m as modularity requires.
				s += 2 * w2[p]
				total += w2[p]
				edges++
			} else {
				s += w2[p]
				if int(v) > u {
					total += w2[p]
					edges++
				}
			}
		}
		g.strength[u] = s
	}
	g.nbr = nbr[:k:k]
	g.w = w2[:k:k]
	g.edges = edges
	g.total = total
	return g
}

// Graph is an immutable undirected weighted graph in CSR form. It is safe for concurrent reads.
type Graph struct {
	off      []int // row u is nbr[off[u]:off[u+1]]
	nbr      []int32
	w        []float64
	strength []float64
	edges    int
	total    float64
}

// NumNodes returns the number of nodes n; nodes are 0..n-1.
func (g *Graph) NumNodes() int { return len(g.strength) }

// NumEdges returns the number of distinct undirected edges, self-loops included.
func (g *Graph) NumEdges() int { return g.edges }

// Neighbors returns u's neighbours in increasing order and the weight of the edge to each. A
// self-loop appears as u itself. The slices alias the graph's arrays and must not be modified.
func (g *Graph) Neighbors(u int32) (nbrs []int32, weights []float64) {
	a, b := g.off[u], g.off[u+1]
	return g.nbr[a:b:b], g.w[a:b:b]
}

// Degree returns the number of distinct neighbours of u, counting a self-loop once.
func (g *Graph) Degree(u int32) int { return g.off[u+1] - g.off[u] }

// Strength returns the weighted degree of u: the sum of its edge weights, a self-loop counted
// twice, so that the strengths of all nodes sum to 2·TotalWeight.
func (g *Graph) Strength(u int32) float64 { return g.strength[u] }

// TotalWeight returns m, the sum of the weights of all undirected edges, each counted once.
func (g *Graph) TotalWeight() float64 { return g.total }

// Weight returns the weight of edge {u,v}, or 0 when there is none. It is O(log deg(u)).
func (g *Graph) Weight(u, v int32) float64 {
	nb, ws := g.Neighbors(u)
	lo, hi := 0, len(nb)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if nb[mid] < v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(nb) && nb[lo] == v {
		return ws[lo]
	}
	return 0
}
