package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/ringtrace/ringtrace/graph"
)

// memSink is an in-memory Sink for unit tests of the loader's own logic: upserts keyed by id,
// Exists over what was written, and an optional failure after a number of batches to simulate a
// crash between atomic batches.
type memSink struct {
	mu        sync.Mutex
	patients  map[string]graph.Patient
	insts     map[string]graph.Institution
	pharms    map[string]graph.Pharmacy
	doctors   map[string]graph.Doctor
	claims    map[string]graph.Claim
	items     map[string]graph.ClaimItem // claim_id/seq
	batches   int
	failAfter int // when > 0, the batch number failAfter+1 fails
}

var errCrash = errors.New("simulated crash")

func newMemSink() *memSink {
	return &memSink{patients: map[string]graph.Patient{}, insts: map[string]graph.Institution{},
		pharms: map[string]graph.Pharmacy{}, doctors: map[string]graph.Doctor{},
		claims: map[string]graph.Claim{}, items: map[string]graph.ClaimItem{}}
}

func (m *memSink) batch() error {
	m.batches++
	if m.failAfter > 0 && m.batches > m.failAfter {
		return errCrash
	}
	return nil
}

func put[T any](m *memSink, dst map[string]T, vs []T, key func(T) string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.batch(); err != nil {
		return err
	}
	for _, v := range vs {
		dst[key(v)] = v
	}
	return nil
}

func (m *memSink) PutPatients(_ context.Context, ps []graph.Patient) error {
	return put(m, m.patients, ps, func(p graph.Patient) string { return p.ID })
}
func (m *memSink) PutInstitutions(_ context.Context, is []graph.Institution) error {
	return put(m, m.insts, is, func(p graph.Institution) string { return p.ID })
}
func (m *memSink) PutPharmacies(_ context.Context, ps []graph.Pharmacy) error {
	return put(m, m.pharms, ps, func(p graph.Pharmacy) string { return p.ID })
}
func (m *memSink) PutDoctors(_ context.Context, ds []graph.Doctor) error {
	return put(m, m.doctors, ds, func(p graph.Doctor) string { return p.ID })
}
func (m *memSink) PutClaims(_ context.Context, cs []graph.Claim) error {
	return put(m, m.claims, cs, func(p graph.Claim) string { return p.ID })
}
func (m *memSink) PutClaimItems(_ context.Context, is []graph.ClaimItem) error {
	return put(m, m.items, is, func(p graph.ClaimItem) string { return fmt.Sprintf("%s/%d", p.ClaimID, p.Seq) })
}

func (m *memSink) Exists(_ context.Context, refs []graph.Ref) ([]bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]bool, len(refs))
	for i, r := range refs {
		switch r.Type {
		case graph.TypePatient:
			_, out[i] = m.patients[r.ID]
		case graph.TypeInstitution:
			_, out[i] = m.insts[r.ID]
		case graph.TypePharmacy:
			_, out[i] = m.pharms[r.ID]
		case graph.TypeDoctor:
			_, out[i] = m.doctors[r.ID]
		case graph.TypeClaim:
			_, out[i] = m.claims[r.ID]
		}
	}
	return out, nil
}

// equal reports whether two sinks hold the same graph.
func (m *memSink) equal(o *memSink) bool {
	return maps.Equal(m.patients, o.patients) && maps.Equal(m.insts, o.insts) && maps.Equal(m.pharms, o.pharms) &&
		maps.Equal(m.doctors, o.doctors) && maps.EqualFunc(m.claims, o.claims, func(a, b graph.Claim) bool {
		return a.ID == b.ID && a.PatientID == b.PatientID && a.ProviderID == b.ProviderID && a.ProviderType == b.ProviderType &&
			a.DoctorID == b.DoctorID && a.Type == b.Type && a.Start.Equal(b.Start) && a.End.Equal(b.End) &&
			a.DiagnosisCode == b.DiagnosisCode && a.TotalAmount == b.TotalAmount && a.FundAmount == b.FundAmount && a.TerminalID == b.TerminalID
	}) && maps.Equal(m.items, o.items)
}
