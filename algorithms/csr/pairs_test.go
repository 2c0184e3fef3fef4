package csr

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSharedPairsCountsEveryPair checks the row-by-row counter against hashing every pair of
// every set, on random sets.
func TestSharedPairsCountsEveryPair(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	const n = 60
	var sets [][]int32
	for range 300 {
		var s []int32
		for _, x := range r.Perm(n)[:1+r.IntN(9)] {
			s = append(s, int32(x))
		}
		sets = append(sets, s)
	}
	want := map[[2]int32]int32{}
	for _, s := range sets {
		for _, x := range s {
			for _, y := range s {
				if x < y {
					want[[2]int32{x, y}]++
				}
			}
		}
	}
	var got [][3]int32
	SharedPairs(sets, n, 2, func(x, y, c int32) { got = append(got, [3]int32{x, y, c}) })
	if !slices.IsSortedFunc(got, func(a, b [3]int32) int { return int(a[0] - b[0]) }) {
		t.Error("pairs are not in order of x")
	}
	for _, g := range got {
		if c := want[[2]int32{g[0], g[1]}]; c != g[2] {
			t.Errorf("pair %d-%d: counted %d, shares %d buckets", g[0], g[1], g[2], c)
		}
	}
	shared := 0
	for _, c := range want {
		if c >= 2 {
			shared++
		}
	}
	if len(got) != shared || shared == 0 {
		t.Errorf("%d pairs reported, %d pairs share two or more buckets", len(got), shared)
	}
}
