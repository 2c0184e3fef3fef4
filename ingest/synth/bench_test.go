package synth

import (
	"context"
	"testing"
)

// BenchmarkGenerate measures a 20,000-patient directory (≈ 200 k claims, 460 k item lines).
// Report claims per second with -benchmem; docs/bench/generate.md has the 1 M figures.
func BenchmarkGenerate(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Patients = 20000
	dir := b.TempDir()
	var claims int64
	for b.Loop() {
		s, err := Generate(context.Background(), dir, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		claims = s.Claims
	}
	b.ReportMetric(float64(claims)*float64(b.N)/b.Elapsed().Seconds(), "claims/s")
}
