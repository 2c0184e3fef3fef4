package centrality

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"gonum.org/v1/gonum/graph/network"

	"github.com/ringtrace/ringtrace/algorithms/csr"
)

// benchGraph is the planted-partition benchmark graph (average degree 12, μ = 0.3,
// communities of 20..100 nodes, seed 1), the same one algorithms/community benchmarks.
func benchGraph(b testing.TB, n int) *csr.Graph {
	b.Helper()
	g, _, err := csr.PlantedPartition(n, 12, 0.3, 20, 100, 1)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkPageRank100k times PageRank at damping 0.85 and tolerance 1e-10 on 100,000 nodes.
func BenchmarkPageRank100k(b *testing.B) {
	g := benchGraph(b, 100_000)
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		PageRank(g, 0.85, 1e-10)
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkPersonalizedPageRank100k restarts at 100 flagged nodes.
func BenchmarkPersonalizedPageRank100k(b *testing.B) {
	g := benchGraph(b, 100_000)
	restart := map[int32]float64{}
	for i := range int32(100) {
		restart[i*997] = 1
	}
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		PersonalizedPageRank(g, restart, 0.85, 1e-10)
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkBetweennessSampled100k times 256 pivots on 100,000 nodes.
func BenchmarkBetweennessSampled100k(b *testing.B) {
	g := benchGraph(b, 100_000)
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		Betweenness(context.Background(), g, 256, 1)
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkExactBetweenness10k is the exact computation gonum took 231 s for at 10,000 nodes.
func BenchmarkExactBetweenness10k(b *testing.B) {
	g := benchGraph(b, 10_000)
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		ExactBetweenness(g)
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// TestGonumCentralityComparison times gonum's network.PageRankSparse and network.Betweenness
// against ours on the benchmark graph of RINGTRACE_GONUM_N nodes and logs the ratios for
// docs/bench/community.md. Gonum's exact betweenness is O(n·m) with maps and slow; 10,000 nodes
// took minutes in the issue.
func TestGonumCentralityComparison(t *testing.T) {
	var n int
	if _, err := fmt.Sscan(os.Getenv("RINGTRACE_GONUM_N"), &n); err != nil || n <= 0 {
		t.Skip("set RINGTRACE_GONUM_N=<nodes> to time gonum's centrality against ours")
	}
	g := benchGraph(t, n)
	start, cpu := time.Now(), processCPU()
	PageRank(g, 0.85, 1e-10)
	ours, oursCPU := time.Since(start), processCPU()-cpu
	gd := toGonumDirected(g)
	start, cpu = time.Now(), processCPU()
	network.PageRankSparse(gd, 0.85, 1e-10)
	theirs, theirsCPU := time.Since(start), processCPU()-cpu
	t.Logf("PageRank n=%d: ours wall %v cpu %v, gonum PageRankSparse wall %v cpu %v, ratio cpu %.1f×",
		n, ours, oursCPU, theirs, theirsCPU, theirsCPU.Seconds()/oursCPU.Seconds())
	if os.Getenv("RINGTRACE_GONUM_BETWEENNESS") == "" {
		return
	}
	start, cpu = time.Now(), processCPU()
	ExactBetweenness(g)
	ours, oursCPU = time.Since(start), processCPU()-cpu
	gu := toGonumUndirected(g)
	start, cpu = time.Now(), processCPU()
	network.Betweenness(gu)
	theirs, theirsCPU = time.Since(start), processCPU()-cpu
	t.Logf("exact betweenness n=%d: ours wall %v cpu %v, gonum Betweenness wall %v cpu %v, ratio cpu %.1f×",
		n, ours, oursCPU, theirs, theirsCPU, theirsCPU.Seconds()/oursCPU.Seconds())
}

// TestSampledBetweennessErrorLarge measures the sampled estimate against the exact values on the
// benchmark graph of RINGTRACE_BETWEENNESS_N nodes (exact is O(n·m): 10,000 nodes take about 15
// CPU seconds) and logs the errors stated in docs/bench/community.md.
func TestSampledBetweennessErrorLarge(t *testing.T) {
	var n int
	if _, err := fmt.Sscan(os.Getenv("RINGTRACE_BETWEENNESS_N"), &n); err != nil || n <= 0 {
		t.Skip("set RINGTRACE_BETWEENNESS_N=<nodes> to measure the sampling error on a large graph")
	}
	g := benchGraph(t, n)
	exact := ExactBetweenness(g)
	var total float64
	for _, x := range exact {
		total += x
	}
	for _, k := range []int{64, 256, 1024} {
		est := Betweenness(context.Background(), g, k, 1)
		var abs float64
		for i := range est {
			abs += math.Abs(est[i] - exact[i])
		}
		rel, overlap := topError(exact, est, 100, 100)
		t.Logf("n=%d m=%d pivots=%d: mean |error|/mean exact %.3f; mean relative error of exact top 100 %.3f; top-100 overlap %d/100",
			n, g.NumEdges(), k, abs/total, rel, overlap)
	}
}
