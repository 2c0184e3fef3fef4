package csr

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// PlantedPartition returns a random undirected graph with n nodes and round(n·avgDegree/2)
// distinct unit-weight edges, no self-loops, whose nodes are split into planted communities of
// sizes drawn uniformly from [minSize, maxSize], together with each node's planted community
// (numbered from 0 in node order).
//
// Each edge picks one endpoint u uniformly; with probability 1−mixing its other endpoint is drawn
// uniformly from u's own community, otherwise uniformly from outside it, so about a fraction
// mixing of every node's edges leave its community — the mixing parameter μ of the LFR
// benchmark (Lancichinetti, Fortunato and Radicchi 2008, doi:10.1103/PhysRevE.78.046110),
// here with Poisson rather than power-law degrees and uniform rather than power-law community
// sizes, which keeps the generator short while exercising the same behaviour of modularity
// optimisers. Repeated pairs are redrawn so the edge count is exact.
//
// The output depends only on the arguments: the same seed gives the same graph. It returns an
// error when the arguments cannot give such a graph (for example more edges than node pairs in
// the communities).
func PlantedPartition(n int, avgDegree, mixing float64, minSize, maxSize int, seed uint64) (*Graph, []int32, error) {
	switch {
	case n < 2 || n > math.MaxInt32:
		return nil, nil, fmt.Errorf("planted partition: n = %d, want 2..%d", n, math.MaxInt32)
	case !(avgDegree > 0):
		return nil, nil, fmt.Errorf("planted partition: average degree %v, want > 0", avgDegree)
	case !(mixing >= 0 && mixing <= 1):
		return nil, nil, fmt.Errorf("planted partition: mixing %v, want 0..1", mixing)
	case minSize < 2 || maxSize < minSize || maxSize > n:
		return nil, nil, fmt.Errorf("planted partition: community sizes %d..%d, want 2 ≤ min ≤ max ≤ n = %d", minSize, maxSize, n)
	}
	m := int(math.Round(float64(n) * avgDegree / 2))
	rng := rand.New(rand.NewPCG(seed, 0x706c616e746564)) // "planted"

	// Community c holds the consecutive nodes start[c]..start[c+1]-1; a last community smaller
	// than minSize is merged into its predecessor.
	start := []int32{0}
	for int(start[len(start)-1]) < n {
		size := minSize + rng.IntN(maxSize-minSize+1)
		next := min(int(start[len(start)-1])+size, n)
		if n-next < minSize {
			next = n
		}
		start = append(start, int32(next))
	}
	if len(start) == 2 && mixing > 0 {
		return nil, nil, fmt.Errorf("planted partition: one community of %d nodes cannot have mixing %v", n, mixing)
	}
	member := make([]int32, n)
	var pairs float64
	for c := 0; c+1 < len(start); c++ {
		s := float64(start[c+1] - start[c])
		pairs += s * (s - 1) / 2
		for u := start[c]; u < start[c+1]; u++ {
			member[u] = int32(c)
		}
	}
	// Rejection of repeated pairs slows down sharply as communities fill up; refuse inputs that
	// would need more than half of the possible internal pairs.
	if float64(m)*(1-mixing) > pairs/2 {
		return nil, nil, fmt.Errorf("planted partition: %d internal edges need larger communities than %d..%d", m, minSize, maxSize)
	}

	seen := make(map[uint64]struct{}, m)
	b := NewBuilder(n)
	b.Grow(m)
	for len(seen) < m {
		u := int32(rng.IntN(n))
		c := member[u]
		lo, hi := start[c], start[c+1]
		var v int32
		if rng.Float64() >= mixing {
			v = lo + int32(rng.IntN(int(hi-lo)))
		} else {
			// Uniform over the n-(hi-lo) nodes outside [lo,hi): draw from a range with the
			// community cut out.
			v = int32(rng.IntN(n - int(hi-lo)))
			if v >= lo {
				v += hi - lo
			}
		}
		if u == v {
			continue
		}
		a, z := min(u, v), max(u, v)
		key := uint64(a)<<32 | uint64(z)
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		b.AddEdge(a, z, 1)
	}
	return b.Build(), member, nil
}
