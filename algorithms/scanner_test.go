package algorithms

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// memGraph is an in-memory graph.Scanner over hand-built values, for tests of this package.
type memGraph struct {
	patients     []graph.Patient
	institutions []graph.Institution
	pharmacies   []graph.Pharmacy
	doctors      []graph.Doctor
	claims       []graph.Claim
	items        []graph.ClaimItem
}

func scanSorted[T any](ctx context.Context, xs []T, id func(T) string, fn func(T) error) error {
	s := slices.Clone(xs)
	slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
	for _, x := range s {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return nil
}

func (m *memGraph) ScanPatients(ctx context.Context, fn func(graph.Patient) error) error {
	return scanSorted(ctx, m.patients, func(p graph.Patient) string { return p.ID }, fn)
}
func (m *memGraph) ScanInstitutions(ctx context.Context, fn func(graph.Institution) error) error {
	return scanSorted(ctx, m.institutions, func(p graph.Institution) string { return p.ID }, fn)
}
func (m *memGraph) ScanPharmacies(ctx context.Context, fn func(graph.Pharmacy) error) error {
	return scanSorted(ctx, m.pharmacies, func(p graph.Pharmacy) string { return p.ID }, fn)
}
func (m *memGraph) ScanDoctors(ctx context.Context, fn func(graph.Doctor) error) error {
	return scanSorted(ctx, m.doctors, func(p graph.Doctor) string { return p.ID }, fn)
}
func (m *memGraph) ScanClaims(ctx context.Context, fn func(graph.Claim) error) error {
	return scanSorted(ctx, m.claims, func(p graph.Claim) string { return p.ID }, fn)
}
func (m *memGraph) ScanClaimItems(ctx context.Context, fn func(graph.ClaimItem) error) error {
	s := slices.Clone(m.items)
	slices.SortStableFunc(s, func(a, b graph.ClaimItem) int {
		return cmp.Or(cmp.Compare(a.ClaimID, b.ClaimID), cmp.Compare(a.Seq, b.Seq))
	})
	for _, it := range s {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

var cst = time.FixedZone("CST", 8*3600)

// day0 is a Monday.
var day0 = time.Date(2025, 3, 3, 0, 0, 0, 0, cst)

func at(day int, hour, minute int) time.Time {
	return day0.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// world builds scenarios on top of an honest background: patients visiting public and private
// institutions and pharmacies at random times with amounts drawn around their diagnosis' norm.
type world struct {
	g      memGraph
	rng    *rand.Rand
	nextID int
}

var diagnoses = []struct {
	code string
	mean float64 // yuan
}{{"J06.9", 150}, {"I10", 220}, {"E11.9", 260}, {"K29.7", 180}, {"M54.5", 200}, {"J20.9", 170}}

func newWorld(seed uint64, patients int) *world {
	w := &world{rng: rand.New(rand.NewPCG(seed, 7))}
	for i := 0; i < 12; i++ {
		own := "public"
		if i%3 == 0 {
			own = "private"
		}
		w.g.institutions = append(w.g.institutions, graph.Institution{ID: fmt.Sprintf("H%02d", i), Ownership: own, Level: "一级", Region: "530102"})
		for j := 0; j < 3; j++ {
			w.g.doctors = append(w.g.doctors, graph.Doctor{ID: fmt.Sprintf("D%02d%d", i, j), InstitutionID: fmt.Sprintf("H%02d", i)})
		}
	}
	for i := 0; i < 4; i++ {
		w.g.pharmacies = append(w.g.pharmacies, graph.Pharmacy{ID: fmt.Sprintf("P%02d", i), Region: "530102"})
	}
	for i := 0; i < patients; i++ {
		sex := "M"
		if i%2 == 1 {
			sex = "F"
		}
		id := fmt.Sprintf("N%05d", i)
		w.g.patients = append(w.g.patients, graph.Patient{ID: id, Sex: sex, BirthDate: time.Date(1950+i%50, 1, 1, 0, 0, 0, 0, cst),
			Region: "530102", Phone: fmt.Sprintf("139%08d", i), Address: fmt.Sprintf("昆明市某路 %d 号", i)})
		for v := 0; v < 1+w.rng.IntN(4); v++ {
			w.visit(id, w.rng.IntN(12), w.rng.IntN(300), diagnoses[w.rng.IntN(len(diagnoses))].code, 1)
		}
		if w.rng.IntN(3) == 0 {
			ph := fmt.Sprintf("P%02d", w.rng.IntN(4))
			w.claim(graph.Claim{PatientID: id, ProviderID: ph, ProviderType: graph.TypePharmacy, Type: graph.ClaimPharmacy,
				Start: at(w.rng.IntN(300), 8+w.rng.IntN(10), w.rng.IntN(60)), TotalAmount: graph.FromYuan(50 + 100*w.rng.Float64()), TerminalID: "T1"})
		}
	}
	return w
}

func (w *world) claim(c graph.Claim) string {
	w.nextID++
	c.ID = fmt.Sprintf("C%07d", w.nextID)
	if c.FundAmount == 0 {
		c.FundAmount = c.TotalAmount * 7 / 10
	}
	w.g.claims = append(w.g.claims, c)
	return c.ID
}

// item adds one billing line to claim id.
func (w *world) item(claim, code, name string, price float64) {
	n := 0
	for _, it := range w.g.items {
		if it.ClaimID == claim {
			n++
		}
	}
	w.g.items = append(w.g.items, graph.ClaimItem{ClaimID: claim, Seq: n + 1, ItemCode: code, ItemName: name, Category: "drug",
		Quantity: 1, UnitPrice: graph.FromYuan(price), Amount: graph.FromYuan(price)})
}

// visit adds an outpatient claim at institution inst on day, amount scaled by inflate.
func (w *world) visit(pat string, inst, day int, diag string, inflate float64) {
	mean := 200.0
	for _, d := range diagnoses {
		if d.code == diag {
			mean = d.mean
		}
	}
	w.claim(graph.Claim{PatientID: pat, ProviderID: fmt.Sprintf("H%02d", inst), ProviderType: graph.TypeInstitution,
		DoctorID: fmt.Sprintf("D%02d%d", inst, w.rng.IntN(3)), Type: graph.ClaimOutpatient,
		Start: at(day, 8+w.rng.IntN(3), w.rng.IntN(60)), DiagnosisCode: diag,
		TotalAmount: graph.FromYuan(mean * inflate * (0.8 + 0.4*w.rng.Float64()))})
}

func (w *world) addPatients(prefix string, n int, shareAddress bool) []string {
	var ids []string
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%s%03d", prefix, i)
		p := graph.Patient{ID: id, Sex: "F", BirthDate: time.Date(1960+i, 5, 1, 0, 0, 0, 0, cst), Region: "530102",
			Phone: fmt.Sprintf("%s-phone-%d", prefix, i), Address: fmt.Sprintf("%s-addr-%d", prefix, i)}
		if shareAddress {
			p.Phone, p.Address = prefix+"-phone", prefix+"-addr"
		}
		w.g.patients = append(w.g.patients, p)
		ids = append(ids, id)
	}
	return ids
}

func detectT(t *testing.T, src graph.Scanner, p Params) graph.Findings {
	t.Helper()
	f, err := Detect(context.Background(), src, p, nil)
	if err != nil {
		t.Fatalf("Detect: %v", err)
	}
	return f
}

// ringWith returns the first ring (class "ring") of kind whose patient members include at least
// half of ids.
func ringWith(f graph.Findings, kind string, ids []string) *graph.Ring {
	return findWith(f.Rings, kind, ids)
}

// leadWith is ringWith over the leads (class "lead": one card or one claim stream).
func leadWith(f graph.Findings, kind string, ids []string) *graph.Ring {
	return findWith(f.Leads, kind, ids)
}

func findWith(rs []graph.Ring, kind string, ids []string) *graph.Ring {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for i, r := range rs {
		if r.Kind != kind {
			continue
		}
		n := 0
		for _, m := range r.Members {
			if m.Type == graph.TypePatient && want[m.ID] {
				n++
			}
		}
		if 2*n >= len(ids) {
			return &rs[i]
		}
	}
	return nil
}

func entityScoreOf(f graph.Findings, t graph.EntityType, id string) float64 {
	for _, e := range f.Entities {
		if e.Type == t && e.ID == id {
			return e.Score
		}
	}
	return 0
}
