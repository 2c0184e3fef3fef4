package embedded_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

const claimBatchSize = 10_000

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkPutClaims measures the store alone writing fresh claims in ingest-sized batches
// (10,000 claims, one synced Pebble batch each). One op is one batch; claims/s is reported.
func BenchmarkPutClaims(b *testing.B) {
	ctx := context.Background()
	s, err := embedded.OpenWith(b.TempDir(), embedded.Options{MemTableBytes: uint64(envInt("RINGTRACE_BENCH_MEMTABLE_MB", 0)) << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := newSynth(100_000, 1)
	if err := g.loadParties(ctx, s, 10_000); err != nil {
		b.Fatal(err)
	}
	buf := make([]graph.Claim, 0, claimBatchSize)
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		buf = g.claimBatch(buf, i*claimBatchSize)
		c0 := cpuTime()
		b.StartTimer()
		if err := s.PutClaims(ctx, buf); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*claimBatchSize)/b.Elapsed().Seconds(), "claims/s")
	// On a shared machine wall time depends on the neighbours; process CPU time (all threads,
	// background compactions included) is the store's own cost.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*claimBatchSize), "cpu-µs/claim")
}

// cpuTime returns the user+system CPU time of the whole process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPutClaimsUpsert re-puts claims that already exist (the idempotent re-load path,
// which reads and diffs the old record).
func BenchmarkPutClaimsUpsert(b *testing.B) {
	ctx := context.Background()
	s, err := embedded.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := newSynth(100_000, 1)
	if err := g.loadParties(ctx, s, 10_000); err != nil {
		b.Fatal(err)
	}
	buf := g.claimBatch(make([]graph.Claim, 0, claimBatchSize), 0)
	if err := s.PutClaims(ctx, buf); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.PutClaims(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*claimBatchSize)/b.Elapsed().Seconds(), "claims/s")
}

var (
	sharedOnce  sync.Once
	sharedStore *embedded.Store
	sharedSynth *synth
	sharedErr   error
)

// loadedStore returns a store loaded once per test binary with RINGTRACE_BENCH_PATIENTS
// patients (default 20,000) and ten claims per patient.
func loadedStore(b *testing.B) (*embedded.Store, *synth) {
	b.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ringtrace-embedded-bench-")
		if err != nil {
			sharedErr = err
			return
		}
		sharedStore, sharedErr = embedded.Open(dir)
		if sharedErr != nil {
			return
		}
		patients := envInt("RINGTRACE_BENCH_PATIENTS", 20_000)
		sharedSynth = newSynth(patients, 7)
		sharedErr = loadSynth(context.Background(), sharedStore, sharedSynth, patients*10)
	})
	if sharedErr != nil {
		b.Fatal(sharedErr)
	}
	return sharedStore, sharedSynth
}

func loadSynth(ctx context.Context, s *embedded.Store, g *synth, claims int) error {
	if err := g.loadParties(ctx, s, claimBatchSize); err != nil {
		return err
	}
	buf := make([]graph.Claim, 0, claimBatchSize)
	for i := 0; i < claims; i += claimBatchSize {
		buf = g.claimBatch(buf[:0:min(claimBatchSize, claims-i)], i)
		if err := s.PutClaims(ctx, buf); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkNeighbourhood measures depth-2, 500-node neighbourhoods from a patient and from the
// hub hospital (a third of all hospital claims), and single-entity lookups.
func BenchmarkNeighbourhood(b *testing.B) {
	s, g := loadedStore(b)
	ctx := context.Background()
	q := graph.NeighbourhoodQuery{Depth: 2, Limit: 500}
	b.Run("patient_depth2_limit500", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			if _, err := s.Neighbourhood(ctx, graph.Ref{Type: graph.TypePatient, ID: patientID(i % g.patients)}, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hub_depth2_limit500", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			sg, err := s.Neighbourhood(ctx, graph.Ref{Type: graph.TypeInstitution, ID: institutionID(hubInstitution)}, q)
			if err != nil || len(sg.Nodes) != 500 {
				b.Fatal(err, len(sg.Nodes))
			}
		}
	})
	b.Run("hub_depth1_limit500", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			if _, err := s.Neighbourhood(ctx, graph.Ref{Type: graph.TypeInstitution, ID: institutionID(hubInstitution)},
				graph.NeighbourhoodQuery{Depth: 1, Limit: 500}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLookup measures entity lookups by id.
func BenchmarkLookup(b *testing.B) {
	s, g := loadedStore(b)
	ctx := context.Background()
	b.Run("patient_node", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			if _, err := s.Node(ctx, graph.Ref{Type: graph.TypePatient, ID: patientID(i % g.patients)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("claim", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			if _, err := s.Claim(ctx, claimID(i%(g.patients*10))); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A patient's claims, as a ring picture reads them for each member.
	b.Run("patient_claims", func(b *testing.B) {
		defer reportCPU(b)()
		n := 0
		for i := 0; i < b.N; i++ {
			cs, _, err := s.Claims(ctx, graph.ClaimQuery{Party: graph.Ref{Type: graph.TypePatient, ID: patientID(i % g.patients)}})
			if err != nil {
				b.Fatal(err)
			}
			n += len(cs)
		}
		b.ReportMetric(float64(n)/float64(b.N), "claims/op")
	})
	b.Run("hub_claims_page", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			if _, _, err := s.Claims(ctx, graph.ClaimQuery{Party: graph.Ref{Type: graph.TypeInstitution, ID: institutionID(hubInstitution)}, Limit: 50}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportCPU starts measuring process CPU time; the returned function reports it per op. On the
// shared machine wall time mostly measures the neighbours' load.
func reportCPU(b *testing.B) func() {
	c0 := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

// BenchmarkPutPatients measures fresh patients in 10,000-patient batches; every four patients
// share a new phone and address, so each batch also creates 5,000 derived nodes.
func BenchmarkPutPatients(b *testing.B) {
	ctx := context.Background()
	s, err := embedded.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := newSynth(b.N*claimBatchSize, 1)
	buf := make([]graph.Patient, claimBatchSize)
	defer reportCPU(b)()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range buf {
			buf[j] = g.patient(i*claimBatchSize + j)
		}
		if err := s.PutPatients(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*claimBatchSize)/b.Elapsed().Seconds(), "patients/s")
}

// BenchmarkScanClaims measures streaming every claim out in id order, as the algorithms do.
func BenchmarkScanClaims(b *testing.B) {
	s, g := loadedStore(b)
	ctx := context.Background()
	defer reportCPU(b)()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		if err := s.ScanClaims(ctx, func(graph.Claim) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != g.patients*10 {
			b.Fatalf("scanned %d claims, want %d", n, g.patients*10)
		}
	}
	b.ReportMetric(float64(b.N*g.patients*10)/b.Elapsed().Seconds(), "claims/s")
}
