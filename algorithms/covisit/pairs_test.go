package covisit

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestForEachSharedPairCountsEveryPair checks the row-by-row counter against hashing every pair
// of every bucket, on random buckets.
func TestForEachSharedPairCountsEveryPair(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	const n = 60
	var buckets []bucket
	for range 300 {
		var ps []int32
		for _, x := range r.Perm(n)[:1+r.IntN(9)] {
			ps = append(ps, int32(x))
		}
		buckets = append(buckets, bucket{pats: ps, total: len(ps)})
	}
	want := map[[2]int32]int32{}
	for _, bk := range buckets {
		for _, x := range bk.pats {
			for _, y := range bk.pats {
				if x < y {
					want[[2]int32{x, y}]++
				}
			}
		}
	}
	var got [][3]int32
	forEachSharedPair(buckets, n, 2, func(x, y, c int32) { got = append(got, [3]int32{x, y, c}) })
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
