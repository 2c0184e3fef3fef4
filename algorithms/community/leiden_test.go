package community

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/ringtrace/ringtrace/algorithms/csr"
	rtgraph "github.com/ringtrace/ringtrace/graph"
)

// assertConnected fails when a community of res is not connected in g.
func assertConnected(t *testing.T, g *csr.Graph, res Result) {
	t.Helper()
	size := make([]int, res.Count)
	for _, c := range res.Community {
		size[c]++
	}
	seen := make([]bool, g.NumNodes())
	for s := range int32(g.NumNodes()) {
		c := res.Community[s]
		if size[c] < 0 {
			continue
		}
		reached := 0
		stack := []int32{s}
		seen[s] = true
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			reached++
			nb, _ := g.Neighbors(u)
			for _, v := range nb {
				if !seen[v] && res.Community[v] == c {
					seen[v] = true
					stack = append(stack, v)
				}
			}
		}
		if reached != size[c] {
			t.Fatalf("community %d: %d of %d members connected", c, reached, size[c])
		}
		size[c] = -1
	}
}

func TestLeidenHandDrawn(t *testing.T) {
	tests := []struct {
		name  string
		g     *csr.Graph
		gamma float64
		wantQ float64
		tol   float64
	}{
		{"two 5-cliques joined by an edge", twoCliques(t, 5), 1, 2 * (10.0/21 - 0.25), 1e-12},
		// Optimum 0.4198 (Aynaud et al., doi:10.1140/epjb/e2013-40829-0, via gonum's tests).
		{"zachary karate club γ=1", fromEdges(t, 34, zacharyEdges), 1, 0.4197896120973044, 1e-4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			best := math.Inf(-1)
			for seed := uint64(1); seed <= 5; seed++ {
				res, err := Leiden(context.Background(), tc.g, Options{Resolution: tc.gamma, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				if q := Modularity(tc.g, res.Community, tc.gamma); q != res.Modularity {
					t.Fatalf("seed %d: Result.Modularity %v, recomputed %v", seed, res.Modularity, q)
				}
				assertConnected(t, tc.g, res)
				best = max(best, res.Modularity)
			}
			if math.Abs(best-tc.wantQ) > tc.tol {
				t.Errorf("Q = %.6f, want %.6f ± %g", best, tc.wantQ, tc.tol)
			}
		})
	}
}

// TestLeidenAgainstGonum holds Leiden to the same bar as Louvain: modularity within 0.005 of
// gonum's community.Modularize on planted-partition graphs, and connected communities.
func TestLeidenAgainstGonum(t *testing.T) {
	tests := []struct {
		name     string
		n        int
		deg, mix float64
		seed     uint64
		gamma    float64
	}{
		{"2000 nodes μ=0.3", 2000, 12, 0.3, 1, 1},
		{"3000 nodes μ=0.5", 3000, 12, 0.5, 2, 1},
		{"2000 nodes μ=0.3 γ=0.5", 2000, 12, 0.3, 3, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, planted := planted(t, tc.n, tc.deg, tc.mix, 20, 100, tc.seed)
			var passes []float64
			res, err := Leiden(context.Background(), g, Options{Resolution: tc.gamma, Seed: tc.seed,
				Progress: func(_ int, q float64) { passes = append(passes, q) }})
			if err != nil {
				t.Fatal(err)
			}
			assertConnected(t, g, res)
			qGonum := gonumQ(t, g, tc.gamma, tc.seed)
			if res.Modularity < qGonum-0.005 {
				t.Errorf("Q = %.5f, gonum %.5f: more than 0.005 below", res.Modularity, qGonum)
			}
			for i := 1; i < len(passes); i++ {
				if passes[i] < passes[i-1]-1e-9 {
					t.Errorf("modularity fell between levels: %v", passes)
				}
			}
			t.Logf("Q leiden %.5f gonum %.5f; %d communities; NMI %.3f; levels %v", res.Modularity, qGonum, res.Count, NMI(res.Community, planted), passes)
		})
	}
}

func TestLeidenDeterministicAndOptions(t *testing.T) {
	g, _, err := csr.PlantedPartition(3000, 10, 0.4, 20, 80, 7)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Leiden(context.Background(), g, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Leiden(context.Background(), g, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if a.Modularity != b.Modularity || fmt.Sprint(a.Community) != fmt.Sprint(b.Community) {
		t.Fatal("same seed gave different results")
	}
	if _, err := Leiden(context.Background(), g, Options{Randomness: -1}); rtgraph.ErrorField(err) != "randomness" {
		t.Errorf("negative randomness: err = %v, want EINVALID on randomness", err)
	}
	if _, err := Leiden(context.Background(), g, Options{Resolution: -1}); rtgraph.ErrorField(err) != "resolution" {
		t.Errorf("negative resolution: err = %v, want EINVALID on resolution", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Leiden(ctx, g, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	for _, g := range []*csr.Graph{csr.NewBuilder(0).Build(), csr.NewBuilder(3).Build()} {
		res, err := Leiden(context.Background(), g, Options{})
		if err != nil || res.Count != g.NumNodes() {
			t.Errorf("edgeless graph of %d nodes: %d communities, err %v", g.NumNodes(), res.Count, err)
		}
	}
}

func BenchmarkLeiden100k(b *testing.B) {
	g, planted := plantedBench(b, 100_000)
	b.ResetTimer()
	var res Result
	cpu := processCPU()
	for b.Loop() {
		var err error
		res, err = Leiden(context.Background(), g, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(res.Modularity, "Q")
	b.ReportMetric(NMI(res.Community, planted), "NMI")
	b.ReportMetric(float64(res.Count), "communities")
}

func ExampleLeiden() {
	// Two 4-cliques joined through node 8, which belongs to neither more than the other.
	b := csr.NewBuilder(9)
	for _, off := range []int32{0, 4} {
		for i := int32(0); i < 4; i++ {
			for j := i + 1; j < 4; j++ {
				b.AddEdge(off+i, off+j, 1)
			}
		}
	}
	b.AddEdge(3, 8, 1)
	b.AddEdge(8, 4, 1)
	res, err := Leiden(context.Background(), b.Build(), Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Count, res.Community[0] == res.Community[3], res.Community[3] != res.Community[4])
	// Output: 2 true true
}

func ExampleModularity() {
	// Two triangles joined by one edge, split into the two triangles: Q = 5/14.
	b := csr.NewBuilder(6)
	for _, e := range [][2]int32{{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}, {2, 3}} {
		b.AddEdge(e[0], e[1], 1)
	}
	fmt.Printf("%.4f\n", Modularity(b.Build(), []int32{0, 0, 0, 1, 1, 1}, 1))
	// Output: 0.3571
}

// BenchmarkLeiden1M is Leiden at the top of the scaling curve; it needs RINGTRACE_BENCH_1M=1.
func BenchmarkLeiden1M(b *testing.B) {
	if os.Getenv("RINGTRACE_BENCH_1M") == "" {
		b.Skip("set RINGTRACE_BENCH_1M=1 to run the 1M-node case")
	}
	g, planted := plantedBench(b, 1_000_000)
	b.ResetTimer()
	var res Result
	cpu := processCPU()
	for b.Loop() {
		var err error
		res, err = Leiden(context.Background(), g, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(res.Modularity, "Q")
	b.ReportMetric(NMI(res.Community, planted), "NMI")
	b.ReportMetric(float64(res.Count), "communities")
}
