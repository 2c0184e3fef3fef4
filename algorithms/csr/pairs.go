package csr

import "slices"

// SharedPairs calls f for every pair x < y of the nodes 0..n−1 that appear together in at least
// minShared of the sets, with the number of sets they share, in order of x (the ys of one x in
// no particular order). Each set is sorted in place and must hold distinct nodes. It counts row
// by row — each x's sets, the nodes after x in them — into a dense counter: the sparse product
// A·Aᵀ of the node × set incidence, without a hash entry for every pair of every set.
func SharedPairs(sets [][]int32, n int, minShared int32, f func(x, y, shared int32)) {
	// Each node's sets with its position in them.
	off := make([]int32, n+1)
	for _, s := range sets {
		slices.Sort(s)
		for _, x := range s {
			off[x+1]++
		}
	}
	for x := 0; x < n; x++ {
		off[x+1] += off[x]
	}
	type at struct{ set, pos int32 }
	in := make([]at, off[n])
	next := slices.Clone(off[:n])
	for si, s := range sets {
		for i, x := range s {
			in[next[x]] = at{int32(si), int32(i)}
			next[x]++
		}
	}
	count := make([]int32, n)
	var touched []int32
	for x := int32(0); x < int32(n); x++ {
		touched = touched[:0]
		for _, a := range in[off[x]:off[x+1]] {
			for _, y := range sets[a.set][a.pos+1:] {
				if count[y] == 0 {
					touched = append(touched, y)
				}
				count[y]++
			}
		}
		for _, y := range touched {
			if count[y] >= minShared {
				f(x, y, count[y])
			}
			count[y] = 0
		}
	}
}
