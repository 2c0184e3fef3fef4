package csr

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBuild(t *testing.T) {
	type edge struct {
		u, v int32
		w    float64
	}
	tests := []struct {
		name     string
		n        int
		edges    []edge
		wantRows map[int32][]int32
		wantW    map[int32][]float64
		wantStr  []float64
		wantM    float64
		wantE    int
	}{
		{
			name:     "empty graph",
			n:        3,
			wantRows: map[int32][]int32{0: {}, 1: {}, 2: {}},
			wantStr:  []float64{0, 0, 0},
		},
		{
			name:     "path with duplicate edge summed",
			n:        3,
			edges:    []edge{{0, 1, 1}, {1, 2, 2}, {1, 0, 0.5}},
			wantRows: map[int32][]int32{0: {1}, 1: {0, 2}, 2: {1}},
			wantW:    map[int32][]float64{0: {1.5}, 1: {1.5, 2}, 2: {2}},
			wantStr:  []float64{1.5, 3.5, 2},
			wantM:    3.5,
			wantE:    2,
		},
		{
			name:     "self-loop counted twice in strength",
			n:        2,
			edges:    []edge{{0, 0, 2}, {0, 1, 1}, {0, 0, 1}},
			wantRows: map[int32][]int32{0: {0, 1}, 1: {0}},
			wantW:    map[int32][]float64{0: {3, 1}, 1: {1}},
			wantStr:  []float64{7, 1},
			wantM:    4,
			wantE:    2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBuilder(tc.n)
			for _, e := range tc.edges {
				b.AddEdge(e.u, e.v, e.w)
			}
			g := b.Build()
			if g.NumNodes() != tc.n {
				t.Errorf("NumNodes = %d, want %d", g.NumNodes(), tc.n)
			}
			if g.NumEdges() != tc.wantE {
				t.Errorf("NumEdges = %d, want %d", g.NumEdges(), tc.wantE)
			}
			if g.TotalWeight() != tc.wantM {
				t.Errorf("TotalWeight = %v, want %v", g.TotalWeight(), tc.wantM)
			}
			for u, want := range tc.wantRows {
				nb, ws := g.Neighbors(u)
				if !slices.Equal(nb, want) {
					t.Errorf("Neighbors(%d) = %v, want %v", u, nb, want)
				}
				if tc.wantW != nil && !slices.Equal(ws, tc.wantW[u]) {
					t.Errorf("weights(%d) = %v, want %v", u, ws, tc.wantW[u])
				}
				if g.Degree(u) != len(want) {
					t.Errorf("Degree(%d) = %d, want %d", u, g.Degree(u), len(want))
				}
			}
			for u, want := range tc.wantStr {
				if got := g.Strength(int32(u)); got != want {
					t.Errorf("Strength(%d) = %v, want %v", u, got, want)
				}
			}
		})
	}
}

// TestBuildMatchesAdjacencyMap checks the counting-sort build against a plain map of edges on a
// random multigraph with self-loops.
func TestBuildMatchesAdjacencyMap(t *testing.T) {
	const n = 300
	rng := rand.New(rand.NewPCG(1, 2))
	b := NewBuilder(n)
	want := map[[2]int32]float64{}
	for range 5000 {
		u, v := int32(rng.IntN(n)), int32(rng.IntN(n))
		w := float64(1 + rng.IntN(4))
		b.AddEdge(u, v, w)
		want[[2]int32{u, v}] += w
		if u != v {
			want[[2]int32{v, u}] += w
		}
	}
	g := b.Build()
	arcs := 0
	var sum float64
	for u := int32(0); u < n; u++ {
		nb, ws := g.Neighbors(u)
		if !slices.IsSorted(nb) {
			t.Fatalf("row %d not sorted: %v", u, nb)
		}
		var s float64
		for i, v := range nb {
			arcs++
			if ws[i] != want[[2]int32{u, v}] {
				t.Fatalf("w(%d,%d) = %v, want %v", u, v, ws[i], want[[2]int32{u, v}])
			}
			if g.Weight(u, v) != ws[i] {
				t.Fatalf("Weight(%d,%d) = %v, want %v", u, v, g.Weight(u, v), ws[i])
			}
			s += ws[i]
			if u == v {
				s += ws[i]
			}
		}
		if s != g.Strength(u) {
			t.Fatalf("Strength(%d) = %v, want %v", u, g.Strength(u), s)
		}
		sum += s
	}
	if arcs != len(want) {
		t.Fatalf("%d arcs, want %d", arcs, len(want))
	}
	if sum != 2*g.TotalWeight() {
		t.Fatalf("sum of strengths %v, want 2m = %v", sum, 2*g.TotalWeight())
	}
	if g.Weight(0, 0) != want[[2]int32{0, 0}] {
		t.Fatalf("Weight(0,0) = %v, want %v", g.Weight(0, 0), want[[2]int32{0, 0}])
	}
}

func TestAddEdgePanics(t *testing.T) {
	tests := []struct {
		name string
		u, v int32
		w    float64
	}{
		{"node out of range", 0, 3, 1},
		{"negative node", -1, 0, 1},
		{"negative weight", 0, 1, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("AddEdge(%d,%d,%v) did not panic", tc.u, tc.v, tc.w)
				}
			}()
			NewBuilder(3).AddEdge(tc.u, tc.v, tc.w)
		})
	}
}

func ExampleBuilder() {
	b := NewBuilder(3)
	b.AddEdge(0, 1, 1)
	b.AddEdge(1, 2, 2)
	b.AddEdge(1, 0, 1) // parallel edge: weights are summed
	g := b.Build()
	nb, ws := g.Neighbors(1)
	fmt.Println(g.NumEdges(), g.TotalWeight(), nb, ws, g.Strength(1))
	// Output: 2 4 [0 2] [2 2] 4
}
