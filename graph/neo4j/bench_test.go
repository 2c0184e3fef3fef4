package neo4j_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
	neo "github.com/ringtrace/ringtrace/graph/neo4j"
)

// synthetic generates a deterministic claims graph of a given size for load benchmarks: one
// patient per 10 claims, 1 institution per 2,000 claims, 1 pharmacy per 3,000, 6 doctors per
// institution, 4 terminals per provider, a phone per patient shared by about one patient in
// ten (households), an address per patient. It is not the fraud generator (that is
// `ringtrace generate`): only the shape and volume matter here.
type synthetic struct {
	claims, patients, institutions, pharmacies, doctors int
	seed                                                uint64
}

func newSynthetic(claims int) synthetic {
	return synthetic{
		claims:       claims,
		patients:     max(1, claims/10),
		institutions: max(1, claims/2000),
		pharmacies:   max(1, claims/3000),
		doctors:      6 * max(1, claims/2000),
		seed:         42,
	}
}

func (g synthetic) patient(i int) graph.Patient {
	return graph.Patient{
		ID:        fmt.Sprintf("5301%014d", i),
		Name:      "患者" + strconv.Itoa(i),
		Sex:       []string{"M", "F"}[i%2],
		BirthDate: time.Date(1940+i%70, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
		Region:    "5301" + strconv.Itoa(i%10),
		Phone:     fmt.Sprintf("138%08d", phoneOwner(i)),
		Address:   "昆明市五华区" + strconv.Itoa(i) + "号",
	}
}

// phoneOwner makes every third patient share the phone of the first patient of their block of
// ten, a household-like overlap.
func phoneOwner(i int) int {
	if i%3 == 2 {
		return i - i%10
	}
	return i
}

func (g synthetic) institution(i int) graph.Institution {
	return graph.Institution{ID: fmt.Sprintf("H5301%07d", i), Name: "医院" + strconv.Itoa(i), Level: "二级", Ownership: "public", Region: "530102"}
}

func (g synthetic) pharmacy(i int) graph.Pharmacy {
	return graph.Pharmacy{ID: fmt.Sprintf("P5301%07d", i), Name: "药房" + strconv.Itoa(i), Region: "530102"}
}

func (g synthetic) doctor(i int) graph.Doctor {
	return graph.Doctor{ID: fmt.Sprintf("D5301%08d", i), Name: "医生" + strconv.Itoa(i), InstitutionID: g.institution(i / 6).ID, Department: "内科"}
}

// claim i; rng is the caller's generator, advanced in claim order so the data is a pure
// function of the seed.
func (g synthetic) claim(i int, rng *rand.Rand) graph.Claim {
	start := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(365*24*60)) * time.Minute)
	c := graph.Claim{
		ID:          fmt.Sprintf("C%011d", i),
		PatientID:   g.patient(rng.IntN(g.patients)).ID,
		Start:       start,
		TotalAmount: graph.Money(1000 + rng.IntN(500000)),
		TerminalID:  "T" + strconv.Itoa(rng.IntN(4)),
	}
	c.FundAmount = c.TotalAmount * 7 / 10
	if rng.IntN(4) == 0 {
		c.ProviderID, c.ProviderType, c.Type = g.pharmacy(rng.IntN(g.pharmacies)).ID, graph.TypePharmacy, graph.ClaimPharmacy
	} else {
		d := rng.IntN(g.doctors)
		c.ProviderID, c.ProviderType, c.Type = g.institution(d/6).ID, graph.TypeInstitution, graph.ClaimOutpatient
		c.DoctorID, c.DiagnosisCode = g.doctor(d).ID, "J06.9"
	}
	return c
}

// loadParties writes every party in batches of batch.
func (g synthetic) loadParties(ctx context.Context, s graph.Writer, batch int) error {
	is := make([]graph.Institution, g.institutions)
	for i := range is {
		is[i] = g.institution(i)
	}
	ps := make([]graph.Pharmacy, g.pharmacies)
	for i := range ps {
		ps[i] = g.pharmacy(i)
	}
	ds := make([]graph.Doctor, g.doctors)
	for i := range ds {
		ds[i] = g.doctor(i)
	}
	if err := s.PutInstitutions(ctx, is); err != nil {
		return err
	}
	if err := s.PutPharmacies(ctx, ps); err != nil {
		return err
	}
	if err := s.PutDoctors(ctx, ds); err != nil {
		return err
	}
	pats := make([]graph.Patient, 0, batch)
	for i := 0; i < g.patients; i++ {
		pats = append(pats, g.patient(i))
		if len(pats) == batch || i == g.patients-1 {
			if err := s.PutPatients(ctx, pats); err != nil {
				return err
			}
			pats = pats[:0]
		}
	}
	return nil
}

// loadClaims writes every claim in batches of batch (batch 1 is the naive way: one claim per
// transaction).
func (g synthetic) loadClaims(ctx context.Context, s graph.Writer, batch int) error {
	rng := rand.New(rand.NewPCG(g.seed, 1))
	cs := make([]graph.Claim, 0, batch)
	for i := 0; i < g.claims; i++ {
		cs = append(cs, g.claim(i, rng))
		if len(cs) == batch || i == g.claims-1 {
			if err := s.PutClaims(ctx, cs); err != nil {
				return fmt.Errorf("claims up to %d: %w", i, err)
			}
			cs = cs[:0]
		}
	}
	return nil
}

// partyBatch is the Put batch for parties in every benchmark, so that the naive benchmark
// isolates the per-transaction cost of claims.
const partyBatch = 10000

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// benchLoad loads a fresh synthetic graph of claims claims with the given batch size and
// reports claim rows per second for the claims phase and for the whole load.
func benchLoad(b *testing.B, claims, batch int) {
	cfg := testConfig(b)
	ctx := context.Background()
	s, err := neo.Open(ctx, cfg)
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	g := newSynthetic(claims)
	for range b.N {
		b.StopTimer()
		wipe(b, cfg)
		b.StartTimer()
		began := time.Now()
		if err := g.loadParties(ctx, s, partyBatch); err != nil {
			b.Fatalf("parties: %v", err)
		}
		partiesDone := time.Now()
		if err := g.loadClaims(ctx, s, batch); err != nil {
			b.Fatalf("claims: %v", err)
		}
		claimsTook := time.Since(partiesDone)
		b.ReportMetric(float64(claims)/claimsTook.Seconds(), "claims/s")
		b.ReportMetric(float64(claims)/time.Since(began).Seconds(), "claims/s-incl-parties")
		b.ReportMetric(partiesDone.Sub(began).Seconds(), "s-parties")
		// Logged as well, so the figures survive a failed check below.
		b.Logf("%d claims in batches of %d: parties %v, claims %v (%.0f claims/s), total %v",
			claims, batch, partiesDone.Sub(began).Round(time.Millisecond), claimsTook.Round(time.Millisecond),
			float64(claims)/claimsTook.Seconds(), time.Since(began).Round(time.Millisecond))
	}
	b.StopTimer()
	// The last claim must be there with its relationships, and the counts at least the load's
	// (other test processes sharing the server may add their own fixtures).
	if _, err := s.Claim(ctx, fmt.Sprintf("C%011d", claims-1)); err != nil {
		b.Fatalf("last claim: %v", err)
	}
	c, err := s.Counts(ctx)
	if err != nil {
		b.Fatalf("Counts: %v", err)
	}
	if c.Nodes[graph.TypeClaim] < int64(claims) || c.Relationships[graph.RelFiled] < int64(claims) ||
		c.Relationships[graph.RelAt] < int64(claims) {
		b.Fatalf("after load: %d claims, %d FILED, %d AT; want %d each", c.Nodes[graph.TypeClaim],
			c.Relationships[graph.RelFiled], c.Relationships[graph.RelAt], claims)
	}
}

// BenchmarkLoadBatched loads RINGTRACE_NEO4J_BENCH_CLAIMS claims (default 20,000) in Put batches
// of RINGTRACE_NEO4J_BENCH_BATCH (default 10,000). The 1,000,000-claim figure in
// docs/bench/neo4j.md:
//
//	RINGTRACE_NEO4J_URI=bolt://127.0.0.1:7687 RINGTRACE_NEO4J_BENCH_CLAIMS=1000000 \
//	  go test -run '^$' -bench LoadBatched -benchtime 1x -timeout 30m ./graph/neo4j
func BenchmarkLoadBatched(b *testing.B) {
	benchLoad(b, envInt("RINGTRACE_NEO4J_BENCH_CLAIMS", 20000), envInt("RINGTRACE_NEO4J_BENCH_BATCH", 10000))
}

// BenchmarkLoadNaive loads RINGTRACE_NEO4J_BENCH_NAIVE_CLAIMS claims (default 2,000) one per
// transaction, the way a loop of single-row MERGEs would; its rate extrapolates to the large
// load because each transaction costs the same whatever the graph's size.
func BenchmarkLoadNaive(b *testing.B) {
	benchLoad(b, envInt("RINGTRACE_NEO4J_BENCH_NAIVE_CLAIMS", 2000), 1)
}
