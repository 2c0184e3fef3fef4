package algorithms

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/ringtrace/ringtrace/algorithms/dataset"
	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

// BenchmarkDetectLoaded times detection after loading (every detector, dedupe, provider
// ranking, risk spreading, entity scores) on claims of the blind scenario generator, written to
// CSV and loaded once outside the timer. RINGTRACE_BENCH_PATIENTS sets the size (default
// 20,000; docs/bench/detect.md has the 1M figure):
//
//	RINGTRACE_BENCH_PATIENTS=1000000 go test ./algorithms -run XXX -bench DetectLoaded -benchtime 1x -timeout 0
func BenchmarkDetectLoaded(b *testing.B) {
	n := 20_000
	if s := os.Getenv("RINGTRACE_BENCH_PATIENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("RINGTRACE_BENCH_PATIENTS=%q: want a number of patients ≥ 1000", s)
		}
		n = v
	}
	_, src := blindScenario(b, scenarios.DefaultConfig(n, 4242))
	ctx := context.Background()
	d, err := dataset.Load(ctx, src, nil)
	if err != nil {
		b.Fatal(err)
	}
	p := DefaultParams()
	rings := 0
	for b.Loop() {
		f, err := detectLoaded(ctx, d, p, nil, &progressMeter{})
		if err != nil {
			b.Fatal(err)
		}
		rings = len(f.Rings)
	}
	b.ReportMetric(float64(d.NClaims()), "claims")
	b.ReportMetric(float64(rings), "rings")
}
