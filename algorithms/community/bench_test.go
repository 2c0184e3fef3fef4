package community

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	gcommunity "gonum.org/v1/gonum/graph/community"

	"github.com/ringtrace/ringtrace/algorithms/csr"
)

// The benchmark graph of the issue: planted partition, average degree 12 (n·6 edges), mixing
// 0.3, communities of 20..100 nodes. Regenerate with csr.PlantedPartition and the same seed.
const (
	benchDegree  = 12
	benchMixing  = 0.3
	benchMinSize = 20
	benchMaxSize = 100
	benchSeed    = 1
)

func plantedBench(b *testing.B, n int) (*csr.Graph, []int32) {
	b.Helper()
	g, planted, err := csr.PlantedPartition(n, benchDegree, benchMixing, benchMinSize, benchMaxSize, benchSeed)
	if err != nil {
		b.Fatal(err)
	}
	return g, planted
}

func benchLouvain(b *testing.B, n int) {
	g, planted := plantedBench(b, n)
	b.ResetTimer()
	var res Result
	cpu := processCPU()
	for b.Loop() {
		var err error
		res, err = Louvain(context.Background(), g, Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(res.Modularity, "Q")
	b.ReportMetric(NMI(res.Community, planted), "NMI")
	b.ReportMetric(float64(res.Count), "communities")
}

// BenchmarkLouvain10k is the small point of the scaling curve.
func BenchmarkLouvain10k(b *testing.B) { benchLouvain(b, 10_000) }

// BenchmarkLouvain100k is the speed goal: 100,000 nodes, 600,000 edges, μ = 0.3, < 2 s.
func BenchmarkLouvain100k(b *testing.B) { benchLouvain(b, 100_000) }

// BenchmarkLouvain1M is the top of the scaling curve (1,000,000 nodes, 6,000,000 edges); it needs
// RINGTRACE_BENCH_1M=1 because generating the graph alone takes several seconds.
func BenchmarkLouvain1M(b *testing.B) {
	if os.Getenv("RINGTRACE_BENCH_1M") == "" {
		b.Skip("set RINGTRACE_BENCH_1M=1 to run the 1M-node case")
	}
	benchLouvain(b, 1_000_000)
}

// TestGonumModularizeComparison runs gonum's community.Modularize once on the planted graph of
// RINGTRACE_GONUM_N nodes (e.g. 100000, which took about 3 minutes in the issue) and Louvain on
// the same graph, and logs times, modularities and the speed ratio for docs/bench/community.md.
func TestGonumModularizeComparison(t *testing.T) {
	var n int
	if _, err := fmt.Sscan(os.Getenv("RINGTRACE_GONUM_N"), &n); err != nil || n <= 0 {
		t.Skip("set RINGTRACE_GONUM_N=<nodes> to time gonum's Modularize against Louvain")
	}
	g, planted, err := csr.PlantedPartition(n, benchDegree, benchMixing, benchMinSize, benchMaxSize, benchSeed)
	if err != nil {
		t.Fatal(err)
	}
	start, cpu := time.Now(), processCPU()
	res, err := Louvain(context.Background(), g, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ours, oursCPU := time.Since(start), processCPU()-cpu
	gg := toGonum(t, g)
	start, cpu = time.Now(), processCPU()
	red := gcommunity.Modularize(gg, 1, rand.NewPCG(1, 0))
	theirs, theirsCPU := time.Since(start), processCPU()-cpu
	qGonum := gcommunity.Q(gg, red.Communities(), 1)
	t.Logf("n=%d m=%d: Louvain wall %v cpu %v Q=%.4f NMI=%.3f; gonum Modularize wall %v cpu %v Q=%.4f NMI=%.3f; ratio wall %.0f× cpu %.0f×",
		n, g.NumEdges(), ours, oursCPU, res.Modularity, NMI(res.Community, planted), theirs, theirsCPU, qGonum,
		NMI(labels(red.Communities(), n), planted), theirs.Seconds()/ours.Seconds(), theirsCPU.Seconds()/oursCPU.Seconds())
	if res.Modularity < qGonum-0.005 {
		t.Errorf("Q %.4f more than 0.005 below gonum's %.4f", res.Modularity, qGonum)
	}
}

// TestWritePlantedEdgeList writes the benchmark graph of RINGTRACE_EDGELIST_N nodes to the file
// RINGTRACE_EDGELIST as "u v" lines, so that other tools (networkx, igraph) can be timed on the
// very same graph; docs/bench/community.md has the networkx script.
func TestWritePlantedEdgeList(t *testing.T) {
	path := os.Getenv("RINGTRACE_EDGELIST")
	var n int
	if _, err := fmt.Sscan(os.Getenv("RINGTRACE_EDGELIST_N"), &n); err != nil || n <= 0 || path == "" {
		t.Skip("set RINGTRACE_EDGELIST=<file> and RINGTRACE_EDGELIST_N=<nodes> to export the benchmark graph")
	}
	g, _, err := csr.PlantedPartition(n, benchDegree, benchMixing, benchMinSize, benchMaxSize, benchSeed)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for u := range int32(g.NumNodes()) {
		nb, _ := g.Neighbors(u)
		for _, v := range nb {
			if v > u {
				fmt.Fprintf(w, "%d %d\n", u, v)
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
