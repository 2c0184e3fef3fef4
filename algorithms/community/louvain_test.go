package community

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	gcommunity "gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/ringtrace/ringtrace/algorithms/csr"
	rtgraph "github.com/ringtrace/ringtrace/graph"
)

// zacharyEdges is Zachary's karate club, W. W. Zachary, "An information flow model for conflict
// and fission in small groups", J. Anthropol. Res. 33, 452–473 (1977), as listed in gonum's
// graph/community/louvain_test.go (nodes 0..33, 78 edges).
var zacharyEdges = [][2]int32{
	{1, 0}, {1, 2}, {2, 0}, {2, 32}, {3, 0}, {3, 1}, {3, 2}, {4, 0}, {4, 6}, {4, 10}, {5, 0}, {5, 6},
	{6, 0}, {6, 5}, {7, 0}, {7, 1}, {7, 2}, {7, 3}, {8, 0}, {8, 2}, {8, 32}, {8, 33}, {9, 2}, {9, 33},
	{10, 0}, {10, 5}, {11, 0}, {12, 0}, {12, 3}, {13, 0}, {13, 1}, {13, 2}, {13, 3}, {13, 33},
	{14, 32}, {14, 33}, {15, 32}, {15, 33}, {16, 5}, {16, 6}, {17, 0}, {17, 1}, {18, 32}, {18, 33},
	{19, 0}, {19, 1}, {19, 33}, {20, 32}, {20, 33}, {21, 0}, {21, 1}, {22, 32}, {22, 33},
	{23, 32}, {23, 33}, {24, 27}, {24, 31}, {25, 23}, {25, 24}, {25, 31}, {26, 29}, {26, 33},
	{27, 2}, {27, 23}, {27, 33}, {28, 2}, {28, 31}, {28, 33}, {29, 23}, {29, 32}, {29, 33},
	{30, 1}, {30, 8}, {30, 32}, {30, 33}, {31, 0}, {31, 32}, {31, 33}, {32, 33},
}

// fromEdges builds a unit-weight graph; the zachary list above names edge {5,6} twice (once from
// each end, as gonum's intset does), so pairs are deduplicated rather than summed.
func fromEdges(tb testing.TB, n int, edges [][2]int32) *csr.Graph {
	tb.Helper()
	seen := map[[2]int32]bool{}
	b := csr.NewBuilder(n)
	for _, e := range edges {
		u, v := min(e[0], e[1]), max(e[0], e[1])
		if seen[[2]int32{u, v}] {
			continue
		}
		seen[[2]int32{u, v}] = true
		b.AddEdge(u, v, 1)
	}
	return b.Build()
}

// toGonum copies g (which must have no self-loops: gonum's simple graphs reject them) into a
// gonum weighted undirected graph with the same node ids.
func toGonum(tb testing.TB, g *csr.Graph) *simple.WeightedUndirectedGraph {
	tb.Helper()
	gg := simple.NewWeightedUndirectedGraph(0, 0)
	for u := range int32(g.NumNodes()) {
		gg.AddNode(simple.Node(u))
	}
	for u := range int32(g.NumNodes()) {
		nb, ws := g.Neighbors(u)
		for j, v := range nb {
			if v == u {
				tb.Fatalf("toGonum: self-loop at %d", u)
			}
			if v > u {
				gg.SetWeightedEdge(gg.NewWeightedEdge(simple.Node(u), simple.Node(v), ws[j]))
			}
		}
	}
	return gg
}

// gonumPartition converts a label slice to gonum's [][]graph.Node form.
func gonumPartition(comm []int32) [][]graph.Node {
	var parts [][]graph.Node
	for u, c := range comm {
		for int(c) >= len(parts) {
			parts = append(parts, nil)
		}
		parts[c] = append(parts[c], simple.Node(u))
	}
	return parts
}

func twoCliques(tb testing.TB, k int) *csr.Graph {
	tb.Helper()
	var edges [][2]int32
	for off := 0; off < 2*k; off += k {
		for i := 0; i < k; i++ {
			for j := i + 1; j < k; j++ {
				edges = append(edges, [2]int32{int32(off + i), int32(off + j)})
			}
		}
	}
	edges = append(edges, [2]int32{0, int32(k)})
	return fromEdges(tb, 2*k, edges)
}

func TestLouvainHandDrawn(t *testing.T) {
	tests := []struct {
		name  string
		g     *csr.Graph
		gamma float64
		wantQ float64
		tol   float64
		want  []int32 // exact expected partition, when known
	}{
		{
			// Two 5-cliques joined by one edge: 21 edges, each clique has 10 internal edges and
			// strength 21, so Q = 2·(10/21 − (21/42)²) = 0.452381.
			name:  "two 5-cliques joined by an edge",
			g:     twoCliques(t, 5),
			wantQ: 2 * (10.0/21 - 0.25),
			tol:   1e-12,
			want:  []int32{0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
		},
		{
			// Q ≈ 0.4198 is the optimum found by Louvain and noted as optimal in Aynaud et al.,
			// doi:10.1140/epjb/e2013-40829-0, and gonum's louvain_undirected_test.go (0.4197896…).
			name:  "zachary karate club γ=1",
			g:     fromEdges(t, 34, zacharyEdges),
			gamma: 1,
			wantQ: 0.4197896120973044,
			tol:   1e-4,
		},
		{
			// γ = 2 reference from the Java reference implementation, via gonum's tests.
			name:  "zachary karate club γ=2",
			g:     fromEdges(t, 34, zacharyEdges),
			gamma: 2,
			wantQ: 0.1645,
			tol:   5e-3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The best of a few seeds, as with any randomised heuristic; every seed must still give
			// a partition whose reported Q is exact.
			best := math.Inf(-1)
			var bestRes Result
			for seed := uint64(1); seed <= 5; seed++ {
				res, err := Louvain(context.Background(), tc.g, Options{Resolution: tc.gamma, Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				gamma := tc.gamma
				if gamma == 0 {
					gamma = 1
				}
				if q := Modularity(tc.g, res.Community, gamma); q != res.Modularity {
					t.Fatalf("seed %d: Result.Modularity %v, recomputed %v", seed, res.Modularity, q)
				}
				if res.Modularity > best {
					best, bestRes = res.Modularity, res
				}
			}
			if math.Abs(best-tc.wantQ) > tc.tol {
				t.Errorf("Q = %.6f, want %.6f ± %g", best, tc.wantQ, tc.tol)
			}
			if tc.want != nil {
				if fmt.Sprint(bestRes.Community) != fmt.Sprint(tc.want) {
					t.Errorf("communities %v, want %v", bestRes.Community, tc.want)
				}
			}
		})
	}
}

func TestLouvainEdgeCases(t *testing.T) {
	tests := []struct {
		name      string
		g         *csr.Graph
		wantCount int
		wantQ     float64
	}{
		{"no nodes", csr.NewBuilder(0).Build(), 0, 0},
		{"no edges", csr.NewBuilder(4).Build(), 4, 0},
		{"single edge", fromEdges(t, 2, [][2]int32{{0, 1}}), 1, 0},
		{"two components", fromEdges(t, 4, [][2]int32{{0, 1}, {2, 3}}), 2, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Louvain(context.Background(), tc.g, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Count != tc.wantCount || len(res.Community) != tc.g.NumNodes() {
				t.Errorf("Count %d, %d labels; want %d, %d", res.Count, len(res.Community), tc.wantCount, tc.g.NumNodes())
			}
			if math.Abs(res.Modularity-tc.wantQ) > 1e-12 {
				t.Errorf("Q %v, want %v", res.Modularity, tc.wantQ)
			}
		})
	}
}

func TestLouvainInvalidOptions(t *testing.T) {
	g := twoCliques(t, 3)
	tests := []struct {
		name  string
		opt   Options
		field string
	}{
		{"negative resolution", Options{Resolution: -1}, "resolution"},
		{"NaN resolution", Options{Resolution: math.NaN()}, "resolution"},
		{"negative passes", Options{MaxPasses: -1}, "max_passes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Louvain(context.Background(), g, tc.opt)
			if rtgraph.ErrorCode(err) != rtgraph.EINVALID || rtgraph.ErrorField(err) != tc.field {
				t.Errorf("err = %v, want EINVALID on %q", err, tc.field)
			}
		})
	}
}

func TestLouvainCancelled(t *testing.T) {
	g, _, err := csr.PlantedPartition(2000, 10, 0.3, 20, 60, 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Louvain(ctx, g, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestLouvainDeterministicAndConnected(t *testing.T) {
	g, _, err := csr.PlantedPartition(3000, 10, 0.4, 20, 80, 7)
	if err != nil {
		t.Fatal(err)
	}
	var passes []int
	a, err := Louvain(context.Background(), g, Options{Seed: 3, Progress: func(p int, _ float64) { passes = append(passes, p) }})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Louvain(context.Background(), g, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if a.Modularity != b.Modularity || fmt.Sprint(a.Community) != fmt.Sprint(b.Community) {
		t.Fatal("same seed gave different results")
	}
	if len(passes) == 0 || passes[0] != 1 {
		t.Errorf("progress passes %v, want 1, 2, …", passes)
	}
	// Every community is connected: a BFS restricted to the community reaches all its members.
	size := make([]int, a.Count)
	for _, c := range a.Community {
		size[c]++
	}
	seen := make([]bool, g.NumNodes())
	for s := range int32(g.NumNodes()) {
		c := a.Community[s]
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
				if !seen[v] && a.Community[v] == c {
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
	one, err := Louvain(context.Background(), g, Options{Seed: 3, MaxPasses: 1})
	if err != nil {
		t.Fatal(err)
	}
	if one.Modularity > a.Modularity+1e-12 || one.Count < a.Count {
		t.Errorf("one pass: Q %v with %d communities, full: Q %v with %d", one.Modularity, one.Count, a.Modularity, a.Count)
	}
}

// TestLouvainAgainstGonum compares Louvain with gonum's community.Modularize (the oracle) on
// planted-partition graphs: our modularity must be within 0.005 of gonum's.
func TestLouvainAgainstGonum(t *testing.T) {
	tests := []struct {
		name           string
		n              int
		deg, mix       float64
		minSz, maxSz   int
		seed           uint64
		gamma          float64
		wantNMIAtLeast float64
	}{
		{"2000 nodes μ=0.3", 2000, 12, 0.3, 20, 100, 1, 1, 0.9},
		{"3000 nodes μ=0.5", 3000, 12, 0.5, 20, 100, 2, 1, 0.6},
		{"2000 nodes μ=0.3 γ=0.5", 2000, 12, 0.3, 20, 100, 3, 0.5, 0},
		{"2000 nodes μ=0.2 γ=2", 2000, 8, 0.2, 10, 40, 4, 2, 0.8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, planted := planted(t, tc.n, tc.deg, tc.mix, tc.minSz, tc.maxSz, tc.seed)
			res, err := Louvain(context.Background(), g, Options{Resolution: tc.gamma, Seed: tc.seed})
			if err != nil {
				t.Fatal(err)
			}
			qGonum := gonumQ(t, g, tc.gamma, tc.seed)
			if res.Modularity < qGonum-0.005 {
				t.Errorf("Q = %.5f, gonum %.5f: more than 0.005 below", res.Modularity, qGonum)
			}
			if nmi := NMI(res.Community, planted); nmi < tc.wantNMIAtLeast {
				t.Errorf("NMI with planted partition %.3f, want ≥ %.2f", nmi, tc.wantNMIAtLeast)
			}
			t.Logf("Q ours %.5f gonum %.5f; %d communities; NMI %.3f", res.Modularity, qGonum, res.Count, NMI(res.Community, planted))
		})
	}
}

// TestModularityMatchesGonumQ checks Modularity against gonum's community.Q on the same
// partitions: planted, Louvain's, and random ones, with weighted edges.
func TestModularityMatchesGonumQ(t *testing.T) {
	g0, planted, err := csr.PlantedPartition(1500, 8, 0.3, 10, 50, 11)
	if err != nil {
		t.Fatal(err)
	}
	// Reweight the edges so weights matter.
	rng := rand.New(rand.NewPCG(5, 5))
	b := csr.NewBuilder(g0.NumNodes())
	for u := range int32(g0.NumNodes()) {
		nb, _ := g0.Neighbors(u)
		for _, v := range nb {
			if v > u {
				b.AddEdge(u, v, 0.5+rng.Float64()*3)
			}
		}
	}
	g := b.Build()
	random := make([]int32, g.NumNodes())
	for i := range random {
		random[i] = int32(rng.IntN(40))
	}
	louv, err := Louvain(context.Background(), g, Options{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	gg := toGonum(t, g)
	tests := []struct {
		name  string
		comm  []int32
		gamma float64
	}{
		{"planted γ=1", planted, 1},
		{"planted γ=0.7", planted, 0.7},
		{"random γ=1", random, 1},
		{"louvain γ=1.5", louv.Community, 1.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Modularity(g, tc.comm, tc.gamma)
			want := gcommunity.Q(gg, gonumPartition(tc.comm), tc.gamma)
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("Modularity = %.12f, gonum Q = %.12f", got, want)
			}
		})
	}
}

// TestModularitySelfLoops checks the self-loop convention by hand: one node with a self-loop of
// weight 1 and an edge of weight 1 to a second node; m = 2, k = (3, 1).
func TestModularitySelfLoops(t *testing.T) {
	b := csr.NewBuilder(2)
	b.AddEdge(0, 0, 1)
	b.AddEdge(0, 1, 1)
	g := b.Build()
	tests := []struct {
		name string
		comm []int32
		want float64
	}{
		// together: (A00 + 2·A01 + A11 − (3+1)²/4)/4 = (2 + 2 − 4)/4
		{"together", []int32{0, 0}, 0},
		// apart: (A00 − 9/4 − 1/4)/4 = (2 − 2.5)/4
		{"apart", []int32{0, 1}, -0.125},
	}
	for _, tc := range tests {
		if got := Modularity(g, tc.comm, 1); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("%s: Q = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestNMI(t *testing.T) {
	tests := []struct {
		name string
		a, b []int32
		want float64
	}{
		{"identical up to labels", []int32{0, 0, 1, 1, 2}, []int32{5, 5, 3, 3, 0}, 1},
		{"independent", []int32{0, 0, 1, 1}, []int32{0, 1, 0, 1}, 0},
		// a: {0,1},{2,3}; b: {0,1,2,3}: I = 0, H(a) = ln 2, H(b) = 0.
		{"one side trivial", []int32{0, 0, 1, 1}, []int32{0, 0, 0, 0}, 0},
		{"both trivial", []int32{0, 0}, []int32{1, 1}, 1},
	}
	for _, tc := range tests {
		if got := NMI(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: NMI = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func ExampleLouvain() {
	// Two triangles joined by the edge {2,3}.
	b := csr.NewBuilder(6)
	for _, e := range [][2]int32{{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}, {2, 3}} {
		b.AddEdge(e[0], e[1], 1)
	}
	res, err := Louvain(context.Background(), b.Build(), Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%v %d %.4f\n", res.Community, res.Count, res.Modularity)
	// Output: [0 0 0 1 1 1] 2 0.3571
}

// labels converts gonum's [][]graph.Node communities back to one label per node.
func labels(parts [][]graph.Node, n int) []int32 {
	out := make([]int32, n)
	for c, p := range parts {
		for _, u := range p {
			out[u.ID()] = int32(c)
		}
	}
	return out
}

// gonumQs memoises gonum's Modularize results by graph pointer, resolution and seed: the
// Louvain and Leiden tests compare against the same gonum runs, the slowest part of the suite.
var gonumQs = map[gonumKey]float64{}

type gonumKey struct {
	g     *csr.Graph
	gamma float64
	seed  uint64
}

// gonumQ returns the modularity of gonum's community.Modularize partition of g.
func gonumQ(t *testing.T, g *csr.Graph, gamma float64, seed uint64) float64 {
	t.Helper()
	k := gonumKey{g, gamma, seed}
	if q, ok := gonumQs[k]; ok {
		return q
	}
	gg := toGonum(t, g)
	q := gcommunity.Q(gg, gcommunity.Modularize(gg, gamma, rand.NewPCG(seed, 0)).Communities(), gamma)
	gonumQs[k] = q
	return q
}

type plantedKey struct {
	n            int
	deg, mix     float64
	minSz, maxSz int
	seed         uint64
}

type plantedGraph struct {
	g       *csr.Graph
	planted []int32
}

// plantedGraphs memoises generated graphs so that tests sharing parameters share the graph
// pointer, and with it the memoised gonum result.
var plantedGraphs = map[plantedKey]plantedGraph{}

// planted returns the memoised csr.PlantedPartition graph and its planted communities.
func planted(t *testing.T, n int, deg, mix float64, minSz, maxSz int, seed uint64) (*csr.Graph, []int32) {
	t.Helper()
	k := plantedKey{n, deg, mix, minSz, maxSz, seed}
	if p, ok := plantedGraphs[k]; ok {
		return p.g, p.planted
	}
	g, p, err := csr.PlantedPartition(n, deg, mix, minSz, maxSz, seed)
	if err != nil {
		t.Fatal(err)
	}
	plantedGraphs[k] = plantedGraph{g, p}
	return g, p
}

// TestAggregatePreservesModularity checks the self-loop convention end to end: Q of a partition
// equals Q of the singleton partition of the graph aggregated by it, and Q of any coarser
// partition is the same on both graphs.
func TestAggregatePreservesModularity(t *testing.T) {
	g, p := planted(t, 1500, 8, 0.4, 10, 50, 17)
	comm := slices.Clone(p)
	k := renumber(comm)
	agg := aggregate(g, comm, k)
	if agg.TotalWeight() != g.TotalWeight() {
		t.Fatalf("total weight %v → %v", g.TotalWeight(), agg.TotalWeight())
	}
	coarse := make([]int32, k)
	for c := range coarse {
		coarse[c] = int32(c / 3)
	}
	viaOriginal := make([]int32, g.NumNodes())
	for u, c := range comm {
		viaOriginal[u] = coarse[c]
	}
	for _, gamma := range []float64{0.5, 1, 2} {
		if a, b := Modularity(g, comm, gamma), singletonModularity(agg, gamma); math.Abs(a-b) > 1e-12 {
			t.Errorf("γ=%v: Q on g %v, singletons on aggregate %v", gamma, a, b)
		}
		if a, b := Modularity(g, viaOriginal, gamma), Modularity(agg, coarse, gamma); math.Abs(a-b) > 1e-12 {
			t.Errorf("γ=%v coarse: Q on g %v, on aggregate %v", gamma, a, b)
		}
	}
}
