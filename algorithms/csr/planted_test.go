package csr

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestPlantedPartition(t *testing.T) {
	tests := []struct {
		name         string
		n            int
		deg, mix     float64
		minSz, maxSz int
	}{
		{"dense communities μ=0.3", 2000, 12, 0.3, 20, 100},
		{"no mixing", 500, 6, 0, 10, 30},
		{"mostly mixed μ=0.8", 1000, 10, 0.8, 20, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, member, err := PlantedPartition(tc.n, tc.deg, tc.mix, tc.minSz, tc.maxSz, 42)
			if err != nil {
				t.Fatal(err)
			}
			wantM := int(math.Round(float64(tc.n) * tc.deg / 2))
			if g.NumNodes() != tc.n || g.NumEdges() != wantM || g.TotalWeight() != float64(wantM) {
				t.Fatalf("n=%d m=%d w=%v, want n=%d m=%d", g.NumNodes(), g.NumEdges(), g.TotalWeight(), tc.n, wantM)
			}
			size := map[int32]int{}
			for _, c := range member {
				size[c]++
			}
			for c, s := range size {
				if s < tc.minSz || s > tc.maxSz+tc.minSz {
					t.Errorf("community %d has %d nodes, want %d..%d", c, s, tc.minSz, tc.maxSz+tc.minSz)
				}
			}
			var cross int
			for u := range int32(tc.n) {
				nb, ws := g.Neighbors(u)
				for j, v := range nb {
					if v == u || ws[j] != 1 {
						t.Fatalf("edge {%d,%d} weight %v: want simple unit-weight graph", u, v, ws[j])
					}
					if v > u && member[u] != member[v] {
						cross++
					}
				}
			}
			// The cross-community fraction is a binomial proportion; 5 standard deviations.
			frac := float64(cross) / float64(wantM)
			sd := math.Sqrt(tc.mix*(1-tc.mix)/float64(wantM)) + 1e-9
			if math.Abs(frac-tc.mix) > 5*sd {
				t.Errorf("cross-community fraction %.4f, want %.2f ± %.4f", frac, tc.mix, 5*sd)
			}
			g2, member2, err := PlantedPartition(tc.n, tc.deg, tc.mix, tc.minSz, tc.maxSz, 42)
			if err != nil {
				t.Fatal(err)
			}
			nb1, _ := g.Neighbors(7)
			nb2, _ := g2.Neighbors(7)
			if !slices.Equal(member, member2) || !slices.Equal(nb1, nb2) {
				t.Error("same seed gave a different graph")
			}
		})
	}
}

func TestPlantedPartitionInvalid(t *testing.T) {
	tests := []struct {
		name         string
		n            int
		deg, mix     float64
		minSz, maxSz int
	}{
		{"too few nodes", 1, 2, 0.1, 2, 2},
		{"zero degree", 100, 0, 0.1, 10, 20},
		{"mixing above 1", 100, 4, 1.5, 10, 20},
		{"community size 1", 100, 4, 0.1, 1, 20},
		{"communities too small for degree", 100, 40, 0.1, 5, 5},
		{"one community with mixing", 10, 2, 0.5, 10, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := PlantedPartition(tc.n, tc.deg, tc.mix, tc.minSz, tc.maxSz, 1); err == nil {
				t.Error("no error")
			}
		})
	}
}

func ExamplePlantedPartition() {
	g, planted, err := PlantedPartition(1000, 10, 0.2, 20, 50, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println(g.NumNodes(), g.NumEdges(), len(planted))
	// Output: 1000 5000 1000
}
