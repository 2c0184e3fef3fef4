package embedded_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	"github.com/ringtrace/ringtrace/graph/embedded"
)

// TestScale loads RINGTRACE_EMBEDDED_SCALE patients with ten claims each into a fresh store,
// reports the store-alone load rate and peak memory, reopens the store, and then measures
// lookup and neighbourhood latency under 100 concurrent clients. It is skipped unless the
// variable is set, since a full run (1,000,000 patients) takes minutes:
//
//	RINGTRACE_EMBEDDED_SCALE=1000000 go test -run TestScale -v -timeout 60m ./graph/embedded
func TestScale(t *testing.T) {
	patients := envInt("RINGTRACE_EMBEDDED_SCALE", 0)
	if patients == 0 {
		t.Skip("set RINGTRACE_EMBEDDED_SCALE=<patients> to run the load and latency measurement")
	}
	ctx := context.Background()
	dir := os.Getenv("RINGTRACE_EMBEDDED_SCALE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	g := newSynth(patients, 42)
	claims := patients * 10
	if os.Getenv("RINGTRACE_EMBEDDED_SCALE_REUSE") != "" {
		// Latency only, on a store a previous run loaded into RINGTRACE_EMBEDDED_SCALE_DIR.
		s, err := embedded.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		measureLatency(t, s, g, envInt("RINGTRACE_EMBEDDED_SCALE_CLIENTS", 100), 10*time.Second)
		return
	}
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}

	start, cpu0 := time.Now(), cpuTime()
	if err := g.loadParties(ctx, s, claimBatchSize); err != nil {
		t.Fatal(err)
	}
	t.Logf("parties: %d patients in %v (cpu %v)", patients, time.Since(start).Round(time.Millisecond), (cpuTime() - cpu0).Round(time.Millisecond))

	buf := make([]graph.Claim, 0, claimBatchSize)
	var genTime time.Duration
	start, cpu0 = time.Now(), cpuTime()
	for i := 0; i < claims; i += claimBatchSize {
		g0 := time.Now()
		buf = g.claimBatch(buf[:0:min(claimBatchSize, claims-i)], i)
		genTime += time.Since(g0)
		if err := s.PutClaims(ctx, buf); err != nil {
			t.Fatal(err)
		}
		if (i/claimBatchSize)%100 == 99 {
			t.Logf("  %d claims, %.0f claims/s", i+claimBatchSize, float64(i+claimBatchSize)/time.Since(start).Seconds())
		}
	}
	wall := time.Since(start) - genTime
	cpu := cpuTime() - cpu0
	t.Logf("claims: %d in %v store time (%.0f claims/s wall, %.2f cpu-µs/claim incl. generator %v), peak RSS %d MiB",
		claims, wall.Round(time.Millisecond), float64(claims)/wall.Seconds(), float64(cpu.Microseconds())/float64(claims),
		genTime.Round(time.Millisecond), maxRSS()>>20)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	s, err = embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Logf("reopen: %v", time.Since(start).Round(time.Millisecond))
	c, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Nodes[graph.TypeClaim] != int64(claims) || c.Nodes[graph.TypePatient] != int64(patients) {
		t.Fatalf("counts after reopen: %v", c.Nodes)
	}
	t.Logf("counts: %v %v", c.Nodes, c.Relationships)

	measureLatency(t, s, g, 100, 10*time.Second)
}

// measureLatency runs clients goroutines for d, each looping over: a patient lookup, a depth-2
// neighbourhood (limit 500) of a random patient, and, one time in ten, of the hub hospital.
func measureLatency(t *testing.T, s *embedded.Store, g *synth, clients int, d time.Duration) {
	ctx := context.Background()
	var mu sync.Mutex
	lat := map[string][]time.Duration{}
	deadline := time.Now().Add(d)
	cpu0 := cpuTime()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			local := map[string][]time.Duration{}
			for i := 0; time.Now().Before(deadline); i++ {
				p := graph.Ref{Type: graph.TypePatient, ID: patientID(r.IntN(g.patients))}
				t0 := time.Now()
				if _, err := s.Node(ctx, p); err != nil {
					t.Error(err)
					return
				}
				local["lookup"] = append(local["lookup"], time.Since(t0))
				t0 = time.Now()
				if _, err := s.Neighbourhood(ctx, p, graph.NeighbourhoodQuery{Depth: 2, Limit: 500}); err != nil {
					t.Error(err)
					return
				}
				local["patient_depth2"] = append(local["patient_depth2"], time.Since(t0))
				if i%10 == 0 {
					t0 = time.Now()
					hub := graph.Ref{Type: graph.TypeInstitution, ID: institutionID(hubInstitution)}
					if _, err := s.Neighbourhood(ctx, hub, graph.NeighbourhoodQuery{Depth: 2, Limit: 500}); err != nil {
						t.Error(err)
						return
					}
					local["hub_depth2"] = append(local["hub_depth2"], time.Since(t0))
				}
			}
			mu.Lock()
			for k, v := range local {
				lat[k] = append(lat[k], v...)
			}
			mu.Unlock()
		}(uint64(c))
	}
	wg.Wait()
	cpu := cpuTime() - cpu0
	rounds := len(lat["lookup"])
	t.Logf("CPU %v for %d rounds: %.0f µs per round (lookup + patient depth 2 + 1/10 hub depth 2), background compaction included",
		cpu.Round(time.Millisecond), rounds, float64(cpu.Microseconds())/float64(max(rounds, 1)))
	for _, k := range []string{"lookup", "patient_depth2", "hub_depth2"} {
		v := lat[k]
		if len(v) == 0 {
			continue
		}
		slices.Sort(v)
		q := func(p float64) time.Duration { return v[min(len(v)-1, int(p*float64(len(v))))] }
		t.Logf("%s at %d clients: n=%d p50=%v p95=%v p99=%v max=%v", k, clients, len(v), q(0.50), q(0.95), q(0.99), v[len(v)-1])
	}
}

// maxRSS returns the peak resident set size of the process in bytes.
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10
}
