package embedded_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ringtrace/ringtrace/graph"
)

// synth generates benchmark inputs: a pooling region with patients, a few hub hospitals and many
// small clinics and pharmacies, doctors, and claims whose provider choice is skewed towards the
// hubs as in real claim data (a tertiary hospital settles a large share of a city's claims).
// It is deterministic for a seed.
type synth struct {
	patients, institutions, pharmacies, doctors int
	rng                                         *rand.Rand
	base                                        time.Time
}

func newSynth(patients int, seed uint64) *synth {
	inst := max(patients/2000, 4)
	return &synth{
		patients:     patients,
		institutions: inst,
		pharmacies:   max(patients/1000, 4),
		doctors:      inst * 20,
		rng:          rand.New(rand.NewPCG(seed, 0x5eed)),
		base:         time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

func patientID(i int) string     { return fmt.Sprintf("5301%014d", i) }
func institutionID(i int) string { return fmt.Sprintf("H5301%07d", i) }
func pharmacyID(i int) string    { return fmt.Sprintf("P5301%07d", i) }
func doctorID(i int) string      { return fmt.Sprintf("D5301%08d", i) }
func claimID(i int) string       { return fmt.Sprintf("C%012d", i) }

var surnames = []string{"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"}

func (g *synth) patient(i int) graph.Patient {
	return graph.Patient{
		ID: patientID(i), Name: surnames[i%len(surnames)] + fmt.Sprintf("某%d", i), Sex: "F",
		BirthDate: g.base.AddDate(-20-i%60, 0, 0), Region: "530102",
		// Households: four patients share a phone and an address.
		Phone: fmt.Sprintf("138%08d", i/4), Address: fmt.Sprintf("昆明市五华区%d号", i/4),
	}
}

// hubInstitution is the institution that receives about a third of all hospital claims.
const hubInstitution = 0

func (g *synth) claim(i int) graph.Claim {
	r := g.rng
	c := graph.Claim{
		ID: claimID(i), PatientID: patientID(r.IntN(g.patients)), Type: graph.ClaimOutpatient,
		Start:       g.base.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Second),
		TotalAmount: graph.Money(r.Int64N(100000)), DiagnosisCode: "J06.9",
	}
	c.FundAmount = c.TotalAmount * 7 / 10
	if r.IntN(4) == 0 {
		p := r.IntN(g.pharmacies)
		c.ProviderID, c.ProviderType, c.Type = pharmacyID(p), graph.TypePharmacy, graph.ClaimPharmacy
		c.TerminalID = fmt.Sprintf("POS%d", r.IntN(3))
		return c
	}
	inst := r.IntN(g.institutions)
	if r.IntN(3) == 0 {
		inst = hubInstitution
	}
	c.ProviderID, c.ProviderType = institutionID(inst), graph.TypeInstitution
	c.DoctorID = doctorID(inst*20 + r.IntN(20))
	c.TerminalID = fmt.Sprintf("T%d", r.IntN(8))
	if r.IntN(20) == 0 {
		c.Type = graph.ClaimInpatient
		c.End = c.Start.Add(72 * time.Hour)
	}
	return c
}

// loadParties writes patients, institutions, pharmacies and doctors in batches.
func (g *synth) loadParties(ctx context.Context, s graph.Writer, batch int) error {
	is := make([]graph.Institution, g.institutions)
	for i := range is {
		is[i] = graph.Institution{ID: institutionID(i), Name: fmt.Sprintf("昆明市第%d医院", i), Level: "二级", Region: "530102"}
	}
	if err := s.PutInstitutions(ctx, is); err != nil {
		return err
	}
	ps := make([]graph.Pharmacy, g.pharmacies)
	for i := range ps {
		ps[i] = graph.Pharmacy{ID: pharmacyID(i), Name: fmt.Sprintf("康乐大药房%d店", i), Region: "530102"}
	}
	if err := s.PutPharmacies(ctx, ps); err != nil {
		return err
	}
	ds := make([]graph.Doctor, g.doctors)
	for i := range ds {
		ds[i] = graph.Doctor{ID: doctorID(i), Name: fmt.Sprintf("医生%d", i), InstitutionID: institutionID(i / 20)}
	}
	if err := s.PutDoctors(ctx, ds); err != nil {
		return err
	}
	buf := make([]graph.Patient, 0, batch)
	for i := 0; i < g.patients; i++ {
		buf = append(buf, g.patient(i))
		if len(buf) == batch || i == g.patients-1 {
			if err := s.PutPatients(ctx, buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return nil
}

// claimBatch fills dst with the claims numbered from first.
func (g *synth) claimBatch(dst []graph.Claim, first int) []graph.Claim {
	dst = dst[:0]
	for i := 0; i < cap(dst); i++ {
		dst = append(dst, g.claim(first+i))
	}
	return dst
}
