package scenarios_test

import (
	"testing"

	"github.com/ringtrace/ringtrace/ingest/scenarios"
)

// BenchmarkGenerate measures a whole run at the sizes the evaluation uses: the world, every
// pattern, and the CSV files and truth.json written to a temporary directory.
func BenchmarkGenerate(b *testing.B) {
	for _, n := range []struct {
		name     string
		patients int
	}{{"20k", 20_000}, {"100k", 100_000}} {
		b.Run(n.name, func(b *testing.B) {
			claims := 0
			for b.Loop() {
				s, err := scenarios.Generate(scenarios.DefaultConfig(n.patients, 1))
				if err != nil {
					b.Fatal(err)
				}
				if err := s.WriteDir(b.TempDir()); err != nil {
					b.Fatal(err)
				}
				claims = s.Claims()
			}
			b.ReportMetric(float64(claims), "claims")
		})
	}
}
